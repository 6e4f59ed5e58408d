//! Maven: each `pom.xml` is a package (an aggregator with `pom` packaging
//! too: its modules are its workspace members). Properties are expanded with
//! those of the parent POMs found on disk, as Maven builds its effective model.

use std::collections::HashMap;

use crate::detect::{Facts, Manifest, ManifestRole, join_path, parent_dir};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::pom::{self, DEFAULT_PLUGIN_GROUP, Pom, Section, Text};
use crate::source::{SourceFile, Span};

/// Parent chains longer than this are cut (and cycles never loop).
const MAX_PARENT_DEPTH: usize = 32;

pub fn detect(files: &[&SourceFile], facts: &mut Facts) {
    let mut parsed: Vec<(&SourceFile, Pom)> = Vec::new();
    for src in files {
        match pom::parse(src) {
            Ok(pom) => parsed.push((src, pom)),
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    let by_path: HashMap<&str, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, (src, _))| (src.path.as_str(), i))
        .collect();
    for (index, (src, pom)) in parsed.iter().enumerate() {
        let chain = ancestors(index, &parsed, &by_path);
        facts.manifests.push(manifest(src, pom, &chain));
    }
}

/// The POM and its parents found on disk, nearest first.
fn ancestors<'a>(
    index: usize,
    parsed: &'a [(&SourceFile, Pom)],
    by_path: &HashMap<&str, usize>,
) -> Vec<&'a Pom> {
    let mut chain = Vec::new();
    let mut visited = Vec::new();
    let mut current = Some(index);
    while let Some(i) = current.take() {
        if visited.contains(&i) || chain.len() >= MAX_PARENT_DEPTH {
            break;
        }
        visited.push(i);
        let Some((src, pom)) = parsed.get(i) else {
            break;
        };
        chain.push(pom);
        current = parent_index(src, pom, parsed, by_path);
    }
    chain
}

/// The parent POM on disk: at `relativePath` (default `../pom.xml`), if it
/// declares the artifact the `<parent>` element names.
fn parent_index(
    src: &SourceFile,
    pom: &Pom,
    parsed: &[(&SourceFile, Pom)],
    by_path: &HashMap<&str, usize>,
) -> Option<usize> {
    let parent = pom.parent.as_ref()?;
    let relative = parent
        .relative_path
        .as_deref()
        .unwrap_or("../pom.xml")
        .trim();
    if relative.is_empty() {
        return None;
    }
    let file = if relative.ends_with(".xml") {
        relative.to_string()
    } else {
        format!("{}/pom.xml", relative.trim_end_matches('/'))
    };
    let path = join_path(parent_dir(&src.path), &file)?;
    let index = *by_path.get(path.as_str())?;
    let (_, candidate) = parsed.get(index)?;
    let wanted = parent.artifact_id.as_ref().map(|t| t.value.as_str());
    let found = candidate.artifact_id.as_ref().map(|t| t.value.as_str());
    match (wanted, found) {
        (Some(w), Some(f)) if w != f && !w.contains("${") && !f.contains("${") => None,
        _ => Some(index),
    }
}

/// A property as Maven resolves it for the first POM of `chain`: the
/// project's own model first, then `<properties>` from the nearest POM up.
fn property(name: &str, chain: &[&Pom]) -> Option<String> {
    let project = chain.first()?;
    let value = |t: &Option<Text>| t.as_ref().map(|t| t.value.clone());
    let parent = project.parent.as_ref();
    let name = name.strip_prefix("pom.").map_or(name, |rest| rest);
    match name.strip_prefix("project.").unwrap_or(name) {
        "groupId" => return value(&project.group_id).or_else(|| value(&parent?.group_id)),
        "artifactId" => return value(&project.artifact_id),
        "version" => return value(&project.version).or_else(|| value(&parent?.version)),
        "parent.groupId" => return value(&parent?.group_id),
        "parent.artifactId" => return value(&parent?.artifact_id),
        "parent.version" => return value(&parent?.version),
        "name" if name.starts_with("project.") => return value(&project.name),
        _ => {}
    }
    chain.iter().find_map(|pom| {
        pom.properties
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
    })
}

fn manifest(src: &SourceFile, pom: &Pom, chain: &[&Pom]) -> Manifest {
    let expand = |text: &Text| pom::interpolate(&text.value, &|name| property(name, chain));
    let coordinate = |group: Option<String>, artifact: Option<&Text>| -> Option<String> {
        let group = group.filter(|g| !g.is_empty())?;
        let artifact = artifact.map(expand).filter(|a| !a.is_empty())?;
        Some(format!("{group}:{artifact}"))
    };
    let dependency = |name: String, scope: DependencyScope, span: Span| Dependency {
        name,
        scope,
        path: src.path.clone(),
        line: src.line(span.start),
    };

    let mut manifest = Manifest::new(&src.path, Ecosystem::Jvm, ManifestRole::Package);
    manifest.name = pom
        .artifact_id
        .as_ref()
        .map(expand)
        .filter(|n| !n.is_empty());
    if let Some(parent) = &pom.parent
        && let Some(name) = coordinate(
            parent.group_id.as_ref().map(expand),
            parent.artifact_id.as_ref(),
        )
    {
        // The parent says what the project is built on
        // (`spring-boot-starter-parent` makes it a Spring Boot project). An
        // aggregator (`pom` packaging) only passes it on to its modules.
        let aggregator = pom.packaging.as_ref().is_some_and(|p| p.value == "pom");
        let scope = if aggregator {
            DependencyScope::Dev
        } else {
            DependencyScope::Runtime
        };
        manifest
            .dependencies
            .push(dependency(name, scope, parent.span));
    }
    for dep in &pom.dependencies {
        let Some(name) = coordinate(dep.group_id.as_ref().map(expand), dep.artifact_id.as_ref())
        else {
            continue;
        };
        let scope = if dep.scope.as_deref() == Some("test") {
            DependencyScope::Dev
        } else if dep.optional || dep.section == Section::Profile {
            // A profile's dependencies are there only when it is active.
            DependencyScope::Optional
        } else {
            DependencyScope::Runtime
        };
        manifest
            .dependencies
            .push(dependency(name, scope, dep.span));
    }
    for plugin in &pom.plugins {
        let group = plugin
            .group_id
            .as_ref()
            .map_or_else(|| DEFAULT_PLUGIN_GROUP.to_string(), expand);
        if let Some(name) = coordinate(Some(group), plugin.artifact_id.as_ref()) {
            manifest
                .dependencies
                .push(dependency(name, DependencyScope::Dev, plugin.span));
        }
    }
    let dir = parent_dir(&src.path);
    for module in &pom.modules {
        let module = expand(module);
        let module = module.trim_end_matches('/');
        // A module may name its POM file rather than its directory.
        let module_dir = if module.ends_with(".xml") {
            parent_dir(module)
        } else {
            module
        };
        if let Some(glob) = super::member_glob(dir, module_dir) {
            manifest.workspace_members.push(glob);
        }
    }
    manifest
}
