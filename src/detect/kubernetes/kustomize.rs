//! kustomize: what a `kustomization.yaml` includes (`resources`, `bases`,
//! `components`: files, or directories with their own kustomization), what it
//! changes in them (`images` overrides, `namespace`, `replicas`), which files
//! are patches rather than objects, and the ConfigMaps and Secrets it
//! generates. Objects keep the file they are written in; a kustomization
//! only changes them.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::detect::kubernetes::objects::{ConfigData, ConfigEntry};
use crate::detect::{Facts, join_path, parent_dir};
use crate::model::KubeObject;
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;

/// Kustomizations include each other at most this deep.
const MAX_DEPTH: usize = 32;

/// A kustomization, with paths made root-relative.
#[derive(Debug, Clone, Default)]
pub(super) struct Kustomization {
    pub path: String,
    pub dir: String,
    /// `resources`, `bases` and `components`: files or directories.
    pub resources: Vec<String>,
    /// Files that hold patches, not objects.
    pub patches: Vec<String>,
    pub images: Vec<ImageOverride>,
    /// `replicas: [{name, count}]`.
    pub replicas: Vec<(String, u32)>,
    pub namespace: Option<String>,
    /// ConfigMaps from `configMapGenerator` literals.
    pub generated_data: Vec<ConfigData>,
    /// Generated ConfigMaps and Secrets (names only).
    pub generated: Vec<KubeObject>,
}

/// An `images:` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ImageOverride {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
}

/// Read a kustomization; `None` (and a problem) when it does not parse.
pub(super) fn parse(
    src: &SourceFile,
    catalog: &Catalog,
    facts: &mut Facts,
) -> Option<Kustomization> {
    let docs = match yaml::parse(src) {
        Ok(docs) => docs,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return None;
        }
    };
    let dir = parent_dir(&src.path).to_string();
    let mut k = Kustomization {
        path: src.path.clone(),
        dir: dir.clone(),
        ..Kustomization::default()
    };
    let Some(doc) = docs.first() else {
        return Some(k);
    };
    let text = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_string);
    let local = |entry: &str| {
        (!is_remote(entry))
            .then(|| join_path(&dir, entry))
            .flatten()
    };
    for key in ["resources", "bases", "components"] {
        for (entry, _) in doc.get(key).map(Node::strings).unwrap_or_default() {
            k.resources.extend(local(entry));
        }
    }
    for (entry, _) in doc
        .get("patchesStrategicMerge")
        .map(Node::strings)
        .unwrap_or_default()
    {
        // An entry may also be an inline patch.
        if !entry.contains('\n') {
            k.patches.extend(local(entry));
        }
    }
    for key in ["patches", "patchesJson6902"] {
        for patch in doc.get(key).map(Node::seq).unwrap_or_default() {
            if let Some(path) = patch.get("path").and_then(Node::as_str) {
                k.patches.extend(local(path));
            }
        }
    }
    for image in doc.get("images").map(Node::seq).unwrap_or_default() {
        if let Some(name) = text(image.get("name")) {
            k.images.push(ImageOverride {
                name,
                new_name: text(image.get("newName")),
                new_tag: text(image.get("newTag")),
                digest: text(image.get("digest")),
            });
        }
    }
    for replica in doc.get("replicas").map(Node::seq).unwrap_or_default() {
        let count = replica.get("count").and_then(Node::as_u64);
        if let (Some(name), Some(count)) = (text(replica.get("name")), count) {
            k.replicas
                .push((name, u32::try_from(count).unwrap_or(u32::MAX)));
        }
    }
    k.namespace = text(doc.get("namespace")).filter(|n| !n.is_empty());
    for chart in doc.get("helmCharts").map(Node::seq).unwrap_or_default() {
        if let Some(name_node) = chart.get("name")
            && let Some(name) = name_node.as_str()
        {
            for tech in catalog.match_helm_chart(name) {
                facts.detect(
                    tech,
                    src,
                    name_node.span.start,
                    format!("helm chart {name}"),
                );
            }
        }
    }
    generators(doc, src, &mut k);
    Some(k)
}

/// `configMapGenerator` and `secretGenerator`: the objects they make, and the
/// `literals` of ConfigMaps (never of Secrets).
fn generators(doc: &Node, src: &SourceFile, k: &mut Kustomization) {
    for (key, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for generator in doc.get(key).map(Node::seq).unwrap_or_default() {
            let Some((name_key, name_node)) = generator.entry("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            let namespace = generator
                .get("namespace")
                .and_then(Node::as_str)
                .map(str::to_string)
                .or_else(|| k.namespace.clone());
            k.generated.push(KubeObject {
                kind: kind.to_string(),
                name: name.to_string(),
                namespace: namespace.clone(),
                path: src.path.clone(),
                line: src.line(name_key.span.start),
            });
            if kind != "ConfigMap" {
                continue;
            }
            let entries = generator
                .get("literals")
                .map(Node::strings)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(literal, span)| {
                    let (key, value) = literal.split_once('=')?;
                    Some(ConfigEntry {
                        key: key.trim().to_string(),
                        value: value.to_string(),
                        line: src.line(span.start),
                    })
                })
                .collect();
            k.generated_data.push(ConfigData {
                name: name.to_string(),
                namespace,
                path: src.path.clone(),
                entries,
            });
        }
    }
}

/// A remote resource (`github.com/org/repo//dir?ref=v1`, `https://...`).
fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.contains("?ref=")
        || entry.starts_with("git@")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|host| entry.starts_with(host))
}

/// For every resource file reached from a kustomization, the kustomizations
/// that apply to it, innermost first (indexes into `kusts`). A file reached
/// from several top-level kustomizations (overlays `prod` and `staging` of
/// one base) takes the layers of the first one by path, so output is stable.
pub(super) fn layers(kusts: &[Kustomization]) -> BTreeMap<String, Vec<usize>> {
    let by_dir: BTreeMap<&str, usize> = kusts
        .iter()
        .enumerate()
        .map(|(i, k)| (k.dir.as_str(), i))
        .collect();
    let referenced: BTreeSet<usize> = kusts
        .iter()
        .flat_map(|k| k.resources.iter())
        .filter_map(|r| by_dir.get(r.as_str()).copied())
        .collect();
    let mut roots: Vec<usize> = (0..kusts.len())
        .filter(|i| !referenced.contains(i))
        .collect();
    if roots.is_empty() {
        // Every kustomization is included by another: a cycle. Start anywhere.
        roots = (0..kusts.len()).collect();
    }
    roots.sort_by(|a, b| {
        kusts
            .get(*a)
            .map(|k| &k.path)
            .cmp(&kusts.get(*b).map(|k| &k.path))
    });
    let mut out = BTreeMap::new();
    for root in roots {
        let mut seen = BTreeSet::new();
        let mut chain = Vec::new();
        visit(kusts, &by_dir, root, &mut chain, &mut seen, &mut out);
    }
    out
}

fn visit(
    kusts: &[Kustomization],
    by_dir: &BTreeMap<&str, usize>,
    index: usize,
    chain: &mut Vec<usize>,
    seen: &mut BTreeSet<usize>,
    out: &mut BTreeMap<String, Vec<usize>>,
) {
    if chain.len() >= MAX_DEPTH || !seen.insert(index) {
        return;
    }
    let Some(k) = kusts.get(index) else {
        return;
    };
    chain.push(index);
    for resource in &k.resources {
        match by_dir.get(resource.as_str()) {
            Some(&child) => visit(kusts, by_dir, child, chain, seen, out),
            None => {
                out.entry(resource.clone())
                    .or_insert_with(|| chain.iter().rev().copied().collect());
            }
        }
    }
    chain.pop();
}

/// Split an image reference into name, tag and digest.
fn split_image(reference: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match reference.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (reference, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest.get(last_slash..).and_then(|tail| tail.find(':')) {
        Some(colon) => {
            let at = last_slash + colon;
            (rest.get(..at).unwrap_or(rest), rest.get(at + 1..), digest)
        }
        None => (rest, None, digest),
    }
}

/// An image after the `images` overrides of `layers` (innermost first), as
/// kustomize's image transformer does: `newName` renames, `newTag` replaces
/// the tag (and drops a digest), `digest` replaces both.
pub(super) fn apply_images(image: &str, layers: &[&Kustomization]) -> String {
    let mut current = image.to_string();
    for k in layers {
        for o in &k.images {
            let (name, tag, digest) = split_image(&current);
            if name != o.name {
                continue;
            }
            let name = o.new_name.as_deref().unwrap_or(name);
            let (tag, digest) = match (&o.digest, &o.new_tag) {
                (Some(d), _) => (None, Some(d.as_str())),
                (None, Some(t)) => (Some(t.as_str()), None),
                (None, None) => (tag, digest),
            };
            let mut next = name.to_string();
            if let Some(tag) = tag {
                next.push(':');
                next.push_str(tag);
            }
            if let Some(digest) = digest {
                next.push('@');
                next.push_str(digest);
            }
            current = next;
        }
    }
    current
}

/// The namespace the outermost layer that sets one gives.
pub(super) fn namespace<'a>(layers: &[&'a Kustomization]) -> Option<&'a str> {
    layers.iter().rev().find_map(|k| k.namespace.as_deref())
}

/// The replica count the outermost layer that names this workload gives.
pub(super) fn replicas(name: &str, layers: &[&Kustomization]) -> Option<u32> {
    layers.iter().rev().find_map(|k| {
        k.replicas
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, count)| *count)
    })
}

#[cfg(test)]
#[path = "kustomize_tests.rs"]
mod tests;
