//! Kubernetes, Helm, kustomize and skaffold. Kubernetes objects are found by
//! content, not path: any YAML file with top-level `apiVersion:` and `kind:`
//! lines is parsed, and its documents that are objects become workloads,
//! Services and the rest of `model::Kubernetes`. Helm charts add dependency
//! detections, images from values files and best-effort workloads from their
//! templates; kustomizations change the objects they include (images,
//! namespace, replicas); skaffold files say which images the repository
//! builds. Everything is read first and joined at the end: `envFrom`
//! ConfigMaps may be in another file, and kustomizations in other directories.

mod helm;
mod kustomize;
mod linescan;
mod objects;
mod skaffold;
mod template;

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::detect::redact::stored_value;
use crate::detect::{DetectContext, Detection, Facts, connection, parent_dir};
use crate::model::EnvVar;
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;
use crate::walk::FileKind;

use kustomize::Kustomization;
use objects::{ConfigData, FileObjects, Literal, Reading};

/// At most this many kustomize resources are read beyond the walked files.
const MAX_EXTRA_READS: usize = 512;

/// What a YAML file is to this detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role<'a> {
    /// A file under a chart's `templates/`.
    Template { chart: &'a str },
    /// A values file, of a chart when one is around it.
    Values { chart: Option<&'a str> },
    /// Helm 2 `requirements.yaml`.
    Requirements,
    /// Anything else: Kubernetes objects if its content says so.
    Plain,
}

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let catalog = ctx.catalog;
    let mut facts = Facts::default();
    let mut manifests: BTreeSet<String> = BTreeSet::new();

    let mut charts: BTreeMap<String, helm::Chart> = BTreeMap::new();
    let mut kusts: Vec<Kustomization> = Vec::new();
    for (kind, src) in files {
        match kind {
            FileKind::HelmChart => {
                manifests.insert(src.path.clone());
                let chart = helm::chart(src, catalog, &mut facts);
                charts.insert(chart.dir.clone(), chart);
            }
            FileKind::Kustomization => {
                manifests.insert(src.path.clone());
                kusts.extend(kustomize::parse(src, catalog, &mut facts));
            }
            FileKind::Skaffold => {
                manifests.insert(src.path.clone());
                skaffold::detect(src, &mut facts);
            }
            _ => {}
        }
    }
    let patches: BTreeSet<String> = kusts.iter().flat_map(|k| k.patches.clone()).collect();

    let chart_dirs = chart_dirs(ctx, files);
    let yaml_files: Vec<(Role<'_>, &SourceFile)> = files
        .iter()
        .filter(|(kind, _)| matches!(kind, FileKind::Yaml | FileKind::HelmValues))
        .map(|(kind, src)| (role(*kind, src, &chart_dirs), *src))
        .collect();
    // Values first: templates read them.
    let chart_values = read_values(&yaml_files, &charts, catalog, &mut facts);
    // Most of the time goes to parsing these files: in parallel, each with
    // its own facts, joined in file order.
    let parsed: Vec<(Option<FileObjects>, Facts)> = yaml_files
        .par_iter()
        .map(|(role, src)| {
            let mut file_facts = Facts::default();
            let found = match role {
                Role::Template { chart } => {
                    read_chart_template(src, chart, charts.get(*chart), chart_values.get(chart))
                }
                Role::Plain if !patches.contains(&src.path) => plain(src, true, &mut file_facts),
                _ => None,
            };
            (found, file_facts)
        })
        .collect();
    let mut per_file: Vec<FileObjects> = Vec::new();
    for (found, file_facts) in parsed {
        per_file.extend(found);
        facts.extend(file_facts);
    }

    let layers = kustomize::layers(&kusts);
    read_kustomize_resources(ctx, files, &layers, &patches, &mut per_file, &mut facts);
    apply_kustomizations(&mut per_file, &kusts, &layers);
    let mut config_data: Vec<ConfigData> = per_file
        .iter()
        .flat_map(|f| f.config_data.iter().cloned())
        .collect();
    config_data.extend(kusts.iter().flat_map(|k| k.generated_data.iter().cloned()));
    resolve_env_from(&mut per_file, &config_data);
    record(per_file, &kusts, manifests, catalog, &mut facts);
    facts
}

/// Directories holding a `Chart.yaml`.
fn chart_dirs(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> BTreeSet<String> {
    let walked = ctx
        .walk
        .files
        .iter()
        .filter(|f| f.kind == FileKind::HelmChart)
        .map(|f| f.path.as_str());
    let given = files
        .iter()
        .filter(|(kind, _)| *kind == FileKind::HelmChart)
        .map(|(_, src)| src.path.as_str());
    walked
        .chain(given)
        .map(|path| parent_dir(path).to_string())
        .collect()
}

/// Read values files (detections for their images) and Helm 2
/// requirements; keep each chart's own `values.yaml` for its templates.
fn read_values<'a>(
    yaml_files: &[(Role<'a>, &SourceFile)],
    charts: &BTreeMap<String, helm::Chart>,
    catalog: &Catalog,
    facts: &mut Facts,
) -> BTreeMap<&'a str, Node> {
    let mut chart_values = BTreeMap::new();
    for (role, src) in yaml_files {
        match role {
            Role::Values { chart } => {
                let chart_info = chart.and_then(|c| charts.get(c));
                if let Some(doc) = values(src, chart_info, catalog, facts)
                    && let Some(chart) = chart
                    && parent_dir(&src.path) == *chart
                    && matches!(file_name(&src.path), "values.yaml" | "values.yml")
                {
                    chart_values.insert(*chart, doc);
                }
            }
            Role::Requirements => helm::requirements(src, catalog, facts),
            Role::Template { .. } | Role::Plain => {}
        }
    }
    chart_values
}

/// A template of the chart in `chart_dir`.
fn read_chart_template(
    src: &SourceFile,
    chart_dir: &str,
    chart: Option<&helm::Chart>,
    values: Option<&Node>,
) -> Option<FileObjects> {
    if !objects::looks_like_kubernetes(&src.text) {
        return None;
    }
    let ctx = template::Context {
        values,
        chart_name: chart.and_then(|c| c.name.as_deref()),
        chart_version: chart.and_then(|c| c.version.as_deref()),
        app_version: chart.and_then(|c| c.app_version.as_deref()),
    };
    // Names are usually `include "chart.fullname"`: the chart's name is the
    // best guess at what the release calls the object.
    let default_name = ctx.chart_name.or_else(|| chart_dir.rsplit('/').next());
    Some(read_template(src, &ctx, "helm-template", default_name))
}

/// Resources of kustomizations that the walk did not hand over (a
/// `deployment.json`, a file named like another tool's config).
fn read_kustomize_resources(
    ctx: &DetectContext<'_>,
    files: &[(FileKind, &SourceFile)],
    layers: &BTreeMap<String, Vec<usize>>,
    patches: &BTreeSet<String>,
    per_file: &mut Vec<FileObjects>,
    facts: &mut Facts,
) {
    let known: BTreeSet<&str> = files.iter().map(|(_, src)| src.path.as_str()).collect();
    let extra: Vec<&String> = layers
        .keys()
        .filter(|p| !known.contains(p.as_str()) && !patches.contains(*p) && ctx.reader.exists(p))
        .take(MAX_EXTRA_READS)
        .collect();
    for path in extra {
        match ctx.reader.read(path) {
            Ok(src) => per_file.extend(plain(&src, false, facts)),
            Err(problem) => facts.problems.push(problem),
        }
    }
}

/// Put every file's objects into the facts, with their detections, in a
/// stable order.
fn record(
    per_file: Vec<FileObjects>,
    kusts: &[Kustomization],
    mut manifests: BTreeSet<String>,
    catalog: &Catalog,
    facts: &mut Facts,
) {
    for k in kusts {
        for object in &k.generated {
            let kube = &mut facts.kubernetes;
            let list = if object.kind == "Secret" {
                &mut kube.secrets
            } else {
                &mut kube.config_maps
            };
            list.push(object.clone());
        }
    }
    let kubernetes_tech = catalog.id_of("kubernetes");
    for found in per_file {
        let Some((kind, line)) = &found.first else {
            continue;
        };
        if let Some(tech) = kubernetes_tech {
            facts.detections.push(Detection {
                tech,
                path: found.path.clone(),
                line: *line,
                reason: format!("kind {kind}"),
            });
        }
        manifests.insert(found.path.clone());
        workload_detections(&found, catalog, &mut facts.detections);
        let kube = &mut facts.kubernetes;
        kube.workloads
            .extend(found.workloads.into_iter().map(|w| w.workload));
        kube.services.extend(found.services);
        kube.ingresses.extend(found.ingresses);
        kube.config_maps.extend(found.config_maps);
        kube.secrets.extend(found.secrets);
        kube.autoscalers.extend(found.autoscalers);
    }
    let kube = &mut facts.kubernetes;
    // Skaffold configs under other names were recorded on the way.
    manifests.extend(kube.manifests.drain(..));
    kube.manifests = manifests.into_iter().collect();
    kube.workloads
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    kube.services
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    for list in [
        &mut kube.ingresses,
        &mut kube.config_maps,
        &mut kube.secrets,
        &mut kube.autoscalers,
    ] {
        list.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn role<'a>(kind: FileKind, src: &SourceFile, chart_dirs: &'a BTreeSet<String>) -> Role<'a> {
    let chart = helm::nearest_chart(&src.path, chart_dirs);
    if let Some(chart) = chart {
        let inside = if chart.is_empty() {
            Some(src.path.as_str())
        } else {
            src.path
                .strip_prefix(chart)
                .and_then(|p| p.strip_prefix('/'))
        };
        if inside.is_some_and(|p| p.starts_with("templates/")) {
            return Role::Template { chart };
        }
    }
    let name = file_name(&src.path).to_ascii_lowercase();
    let in_chart_dir = chart.is_some_and(|c| c == parent_dir(&src.path));
    if in_chart_dir && matches!(name.as_str(), "requirements.yaml" | "requirements.yml") {
        return Role::Requirements;
    }
    let values_name = name.starts_with("values") || name.ends_with("values.yaml");
    let values_kind = kind == FileKind::HelmValues || chart.is_some() && values_name;
    // A values-like name outside any chart may still hold objects.
    if values_kind && (chart.is_some() || !objects::looks_like_kubernetes(&src.text)) {
        return Role::Values { chart };
    }
    Role::Plain
}

/// A values file: detections for its images; its first document.
fn values(
    src: &SourceFile,
    chart: Option<&helm::Chart>,
    catalog: &Catalog,
    facts: &mut Facts,
) -> Option<Node> {
    let docs = match yaml::parse(src) {
        Ok(docs) => docs,
        Err(err) => {
            // helmfile-style values may be templates themselves.
            if !src.text.contains("{{") {
                facts.problems.push(err.to_problem(src));
            }
            return None;
        }
    };
    let app_version = chart.and_then(|c| c.app_version.as_deref());
    for doc in &docs {
        for image in helm::values_images(doc, app_version) {
            for tech in catalog.match_image(&image.reference) {
                facts.detect(
                    tech,
                    src,
                    image.span.start,
                    format!("image {}", image.reference),
                );
            }
        }
    }
    docs.into_iter().next()
}

/// A YAML file that may hold Kubernetes objects (or a skaffold config under
/// another name). Invalid YAML is a problem, unless the file is a template of
/// some tool (it has `{{` actions or sits in a `templates/` directory). A
/// file a kustomization names is read without the text pre-check: it may be
/// JSON.
fn plain(src: &SourceFile, pre_check: bool, facts: &mut Facts) -> Option<FileObjects> {
    if pre_check && !objects::looks_like_kubernetes(&src.text) {
        return None;
    }
    let templated = src.text.contains("{{") || src.path.split('/').any(|c| c == "templates");
    let docs = match yaml::parse(src) {
        Ok(docs) => docs,
        Err(_) if templated => {
            return Some(read_template(
                src,
                &template::Context::default(),
                "template",
                None,
            ));
        }
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return None;
        }
    };
    if docs.iter().any(skaffold::is_skaffold) {
        skaffold::from_docs(&docs, src, facts);
        facts.kubernetes.manifests.push(src.path.clone());
        return None;
    }
    let reading = Reading {
        src,
        scalars: &Literal,
        source: "manifest",
        template: false,
        default_name: None,
    };
    Some(objects::read_objects(&docs, &reading))
}

/// A template: actions blanked, then parsed; a line scan if it still is not YAML.
fn read_template(
    src: &SourceFile,
    ctx: &template::Context<'_>,
    source: &'static str,
    default_name: Option<&str>,
) -> FileObjects {
    let rendered = template::render(&src.text, ctx);
    let blank = SourceFile::new(src.path.clone(), rendered.text.clone());
    match yaml::parse(&blank) {
        Ok(docs) => {
            let reading = Reading {
                src: &blank,
                scalars: &rendered,
                source,
                template: true,
                default_name,
            };
            objects::read_objects(&docs, &reading)
        }
        Err(_) => linescan::scan(&blank, &rendered, default_name, source),
    }
}

/// Kustomize layers change the objects of the files they include.
fn apply_kustomizations(
    per_file: &mut [FileObjects],
    kusts: &[Kustomization],
    layers: &BTreeMap<String, Vec<usize>>,
) {
    for found in per_file {
        let Some(chain) = layers.get(&found.path) else {
            continue;
        };
        let chain: Vec<&Kustomization> = chain.iter().filter_map(|i| kusts.get(*i)).collect();
        let namespace = kustomize::namespace(&chain).map(str::to_string);
        for w in &mut found.workloads {
            let workload = &mut w.workload;
            for container in &mut workload.containers {
                if let Some(image) = &container.image {
                    container.image = Some(kustomize::apply_images(image, &chain));
                }
            }
            if let Some(replicas) = kustomize::replicas(&workload.name, &chain) {
                workload.replicas = Some(replicas);
            }
            if namespace.is_some() {
                workload.namespace.clone_from(&namespace);
            }
        }
        if namespace.is_some() {
            for s in &mut found.services {
                s.namespace.clone_from(&namespace);
            }
            for list in [
                &mut found.ingresses,
                &mut found.config_maps,
                &mut found.secrets,
                &mut found.autoscalers,
            ] {
                for o in list.iter_mut() {
                    o.namespace.clone_from(&namespace);
                }
            }
            for d in &mut found.config_data {
                d.namespace.clone_from(&namespace);
            }
        }
    }
}

/// `envFrom` ConfigMaps defined in the repository: their keys become the
/// container's variables (values redacted), pointing at the ConfigMap's file.
fn resolve_env_from(per_file: &mut [FileObjects], config_data: &[ConfigData]) {
    for found in per_file {
        for w in &mut found.workloads {
            let namespace = w.workload.namespace.clone();
            let path = w.workload.path.clone();
            for reference in &w.env_from {
                let candidates = config_data
                    .iter()
                    .filter(|d| d.name == reference.config_map);
                let data = candidates
                    .clone()
                    .find(|d| d.namespace == namespace)
                    .or_else(|| candidates.clone().next());
                let (Some(data), Some(container)) =
                    (data, w.workload.containers.get_mut(reference.container))
                else {
                    continue;
                };
                for entry in &data.entries {
                    let name = format!("{}{}", reference.prefix, entry.key);
                    container.env.push(EnvVar {
                        value: stored_value(&name, &entry.value),
                        name,
                        path: (data.path != path).then(|| data.path.clone()),
                        line: entry.line,
                        literal: true,
                        from: Some(format!("configmap:{}", data.name)),
                    });
                }
            }
        }
    }
}

/// Images, variable names and connection URLs of a file's workloads.
fn workload_detections(found: &FileObjects, catalog: &Catalog, out: &mut Vec<Detection>) {
    for w in &found.workloads {
        let workload = &w.workload;
        for (i, container) in workload.containers.iter().enumerate() {
            if let Some(image) = &container.image {
                let line = w
                    .image_lines
                    .get(i)
                    .copied()
                    .flatten()
                    .unwrap_or(container.line);
                for tech in catalog.match_image(image) {
                    out.push(Detection {
                        tech,
                        path: workload.path.clone(),
                        line,
                        reason: format!("image {image}"),
                    });
                }
            }
            for var in &container.env {
                let path = var.path.clone().unwrap_or_else(|| workload.path.clone());
                if let Some(tech) = catalog.match_env(&var.name) {
                    out.push(Detection {
                        tech,
                        path: path.clone(),
                        line: var.line,
                        reason: format!("environment {}", var.name),
                    });
                }
                if let Some(conn) = var
                    .value
                    .as_deref()
                    .and_then(|v| connection::parse(catalog, v))
                {
                    out.push(Detection {
                        tech: conn.tech,
                        path,
                        line: var.line,
                        reason: format!("connection URL in {}", var.name),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
