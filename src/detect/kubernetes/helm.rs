//! Helm charts: `Chart.yaml` (name, versions, and chart dependencies, which
//! name technologies: a `postgresql` dependency is PostgreSQL), Helm 2's
//! `requirements.yaml`, and values files, whose `image` settings name the
//! images a chart deploys.

use std::collections::BTreeSet;

use crate::catalog::Catalog;
use crate::detect::{Facts, ServiceFact, parent_dir};
use crate::model::ServiceOrigin;
use crate::parse::yaml::{self, Node};
use crate::source::{SourceFile, Span};

/// Values are searched for images at most this deep.
const MAX_VALUES_DEPTH: usize = 16;
/// At most this many values nodes are visited per file.
const MAX_VALUES_NODES: usize = 100_000;

/// What a `Chart.yaml` says about its chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Chart {
    /// The chart's directory, root-relative.
    pub dir: String,
    pub name: Option<String>,
    pub version: Option<String>,
    pub app_version: Option<String>,
}

/// Read a `Chart.yaml`: the chart, and detections for its dependencies. A
/// chart that does not parse is still a chart (its templates are templates).
pub(super) fn chart(src: &SourceFile, catalog: &Catalog, facts: &mut Facts) -> Chart {
    let mut chart = Chart {
        dir: parent_dir(&src.path).to_string(),
        ..Chart::default()
    };
    let docs = match yaml::parse(src) {
        Ok(docs) => docs,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return chart;
        }
    };
    let Some(doc) = docs.first() else {
        return chart;
    };
    let text = |key: &str| doc.get(key).and_then(Node::as_str).map(str::to_string);
    chart.name = text("name");
    chart.version = text("version");
    chart.app_version = text("appVersion");
    dependencies(doc, src, catalog, facts);
    chart
}

/// `dependencies:` of a `Chart.yaml` (or a Helm 2 `requirements.yaml`):
/// each chart name the catalog knows is a detection.
pub(super) fn dependencies(doc: &Node, src: &SourceFile, catalog: &Catalog, facts: &mut Facts) {
    for dep in doc.get("dependencies").map(Node::seq).unwrap_or_default() {
        let Some(name_node) = dep.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        let techs = catalog.match_helm_chart(name);
        if !techs.is_empty() {
            // A subchart is deployed with the release: a third-party service
            // of the chart's application (PostgreSQL from bitnami).
            let mut service = ServiceFact::new(
                ServiceOrigin::Kubernetes,
                name,
                &src.path,
                src.line(name_node.span.start),
            );
            service.technologies = techs.iter().map(|t| catalog.get(*t).id.clone()).collect();
            facts.services.push(service);
        }
        for tech in techs {
            facts.detect(
                tech,
                src,
                name_node.span.start,
                format!("helm dependency {name}"),
            );
        }
    }
}

/// `requirements.yaml` of a Helm 2 chart.
pub(super) fn requirements(src: &SourceFile, catalog: &Catalog, facts: &mut Facts) {
    match yaml::parse(src) {
        Ok(docs) => {
            for doc in &docs {
                dependencies(doc, src, catalog, facts);
            }
        }
        Err(err) => facts.problems.push(err.to_problem(src)),
    }
}

/// The directory of the chart a path belongs to: its nearest ancestor
/// directory that holds a `Chart.yaml`.
pub(super) fn nearest_chart<'a>(path: &str, chart_dirs: &'a BTreeSet<String>) -> Option<&'a str> {
    let mut dir = parent_dir(path);
    loop {
        if let Some(found) = chart_dirs.get(dir) {
            return Some(found);
        }
        if dir.is_empty() {
            return None;
        }
        dir = parent_dir(dir);
    }
}

/// An image named in values, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ValuesImage {
    pub reference: String,
    pub span: Span,
}

/// Images a values document sets: `image: repo:tag`, or an `image` mapping
/// with `registry`, `repository`, `tag` and `digest`, at any depth (a
/// subchart's `postgresql.image.repository`). A top-level image without a tag
/// gets the chart's `appVersion`, as Helm's default templates do.
pub(super) fn values_images(doc: &Node, app_version: Option<&str>) -> Vec<ValuesImage> {
    let mut out = Vec::new();
    let mut budget = MAX_VALUES_NODES;
    find_images(doc, 0, app_version, &mut budget, &mut out);
    out
}

fn find_images(
    node: &Node,
    depth: usize,
    app_version: Option<&str>,
    budget: &mut usize,
    out: &mut Vec<ValuesImage>,
) {
    if depth > MAX_VALUES_DEPTH {
        return;
    }
    for (key, value) in node.entries() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if key.as_str() == Some("image")
            && let Some(image) = image_of(value, if depth == 0 { app_version } else { None })
        {
            out.push(image);
        }
        if value.is_map() {
            find_images(value, depth + 1, app_version, budget, out);
        }
        for item in value.seq() {
            find_images(item, depth + 1, app_version, budget, out);
        }
    }
}

fn image_of(value: &Node, default_tag: Option<&str>) -> Option<ValuesImage> {
    let usable = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains("{{");
    if let Some(text) = value.as_str() {
        return usable(text).then(|| ValuesImage {
            reference: text.to_string(),
            span: value.span,
        });
    }
    let field = |key: &str| value.get(key).and_then(Node::as_str).filter(|s| usable(s));
    let repository_node = value.get("repository")?;
    let repository = field("repository")?;
    let mut reference = match field("registry") {
        Some(registry) => format!("{}/{repository}", registry.trim_end_matches('/')),
        None => repository.to_string(),
    };
    if let Some(tag) = field("tag").or(default_tag.filter(|t| usable(t))) {
        reference.push(':');
        reference.push_str(tag);
    }
    if let Some(digest) = field("digest") {
        reference.push('@');
        reference.push_str(digest);
    }
    Some(ValuesImage {
        reference,
        span: repository_node.span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(text: &str, app_version: Option<&str>) -> Vec<String> {
        let docs = yaml::parse_str(text).unwrap();
        values_images(&docs[0], app_version)
            .into_iter()
            .map(|i| i.reference)
            .collect()
    }

    #[test]
    fn images_come_from_repository_and_tag_at_any_depth() {
        let text = "image:\n  repository: ghcr.io/acme/api\n  tag: 1.40\nworker:\n  image:\n    registry: docker.io\n    repository: bitnami/redis\n    digest: sha256:abc\nsidecars:\n  - name: proxy\n    image: envoyproxy/envoy:v1.30\n";
        assert_eq!(
            images(text, None),
            [
                "ghcr.io/acme/api:1.40",
                "docker.io/bitnami/redis@sha256:abc",
                "envoyproxy/envoy:v1.30"
            ]
        );
    }

    #[test]
    fn a_top_level_image_without_tag_gets_the_app_version() {
        let text = "image:\n  repository: acme/api\n  tag: \"\"\npostgresql:\n  image:\n    repository: bitnami/postgresql\n";
        assert_eq!(
            images(text, Some("2.0.1")),
            ["acme/api:2.0.1", "bitnami/postgresql"]
        );
    }

    #[test]
    fn templated_or_empty_images_are_skipped() {
        let text = "image: \"{{ .Values.global.image }}\"\nother:\n  image:\n    repository: \"\"\nthird:\n  image: ~\n";
        assert!(images(text, None).is_empty());
    }

    #[test]
    fn nearest_chart_walks_up_to_a_chart_yaml() {
        let dirs: BTreeSet<String> = ["charts/api", "charts/api/charts/db", ""]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            nearest_chart("charts/api/templates/a/b.yaml", &dirs),
            Some("charts/api")
        );
        assert_eq!(
            nearest_chart("charts/api/charts/db/values.yaml", &dirs),
            Some("charts/api/charts/db")
        );
        assert_eq!(nearest_chart("other/x.yaml", &dirs), Some(""));
        let none = BTreeSet::new();
        assert_eq!(nearest_chart("x.yaml", &none), None);
    }
}
