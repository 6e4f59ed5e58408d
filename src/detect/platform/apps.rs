//! Platform apps: Fly.io (`fly.toml`), Google App Engine (`app.yaml`) and
//! DigitalOcean App Platform (`.do/app.yaml`), each a service built from this
//! repository, with what the file says about its build, health checks,
//! instances, ports and environment.

use crate::detect::{DetectContext, EnvFact, Facts, ServiceFact, join_path, parent_dir};
use crate::model::ServiceOrigin;
use crate::parse::fly_toml;
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;

/// `fly.toml`: one app, built from the file's directory.
pub(super) fn fly(ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) {
    let fly = match fly_toml::parse(src) {
        Ok(fly) => fly,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    for issue in &fly.issues {
        facts.problems.push(issue.to_problem(src));
    }
    let dir = parent_dir(&src.path);
    let (name, line) = match &fly.app {
        Some((app, span)) => (app.clone(), src.line(span.start)),
        // flyctl can take the app name from `--app`: name it after its directory.
        None => (dir_name(dir), 1),
    };
    let mut service = ServiceFact::new(ServiceOrigin::Platform, &name, &src.path, line);
    service.build_context = Some(dir.to_string());
    service.image = fly.image.as_ref().map(|(image, _)| image.clone());
    service.dockerfile = match &fly.dockerfile {
        Some((dockerfile, span)) => {
            let joined = join_path(dir, dockerfile);
            if joined.is_none() {
                facts.problem_at(
                    src,
                    span.start,
                    "`dockerfile` points outside the repository",
                );
            }
            joined
        }
        // Without `[build]`, flyctl builds the Dockerfile beside fly.toml.
        None if service.image.is_none() => {
            let default = join_path(dir, "Dockerfile");
            default.filter(|path| ctx.has_file(path))
        }
        None => None,
    };
    if !fly.checks.is_empty() {
        service.health_check = Some(true);
    }
    service.ports = fly
        .internal_ports
        .iter()
        .map(|(port, _)| port.to_string())
        .collect();
    service.env = fly
        .env
        .iter()
        .map(|(name, value, span)| EnvFact {
            name: name.clone(),
            value: Some(value.clone()),
            line: src.line(span.start),
        })
        .collect();
    facts.services.push(service);
}

/// `app.yaml`: DigitalOcean's app spec under `.do/`, else Google App Engine.
pub(super) fn app_yaml(ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) {
    let docs = match yaml::parse(src) {
        Ok(docs) => docs,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    let Some(doc) = docs.first() else { return };
    let dir = parent_dir(&src.path);
    match dir.rsplit_once('/').map_or(dir, |(_, last)| last) {
        ".do" => digitalocean(ctx, src, doc, parent_dir(dir), facts),
        _ => app_engine(src, doc, dir, facts),
    }
}

/// Google App Engine: one service (`default` unless named) of its directory.
/// An `app.yaml` without `runtime` is some other tool's file.
fn app_engine(src: &SourceFile, doc: &Node, dir: &str, facts: &mut Facts) {
    let Some((runtime_key, _)) = doc.entry("runtime") else {
        return;
    };
    // `module` is the old name of `service`.
    let named = doc.entry("service").or_else(|| doc.entry("module"));
    let name = named.and_then(|(_, v)| v.as_str()).unwrap_or("default");
    let line = src.line(named.map_or(runtime_key, |(k, _)| k).span.start);
    let mut service = ServiceFact::new(ServiceOrigin::Platform, name, &src.path, line);
    service.build_context = Some(dir.to_string());
    let checks = ["readiness_check", "liveness_check", "health_check"];
    if checks.iter().any(|c| doc.get(c).is_some()) {
        // The legacy `health_check` can turn checking off.
        let disabled = doc
            .path(&["health_check", "enable_health_check"])
            .and_then(Node::as_bool)
            == Some(false);
        let others = doc.get("readiness_check").is_some() || doc.get("liveness_check").is_some();
        service.health_check = Some(others || !disabled);
    }
    service.replicas = doc
        .path(&["manual_scaling", "instances"])
        .and_then(Node::as_u64)
        .and_then(|n| u32::try_from(n).ok());
    service.env = env_map(src, doc.get("env_variables"));
    facts.services.push(service);
}

/// DigitalOcean App Platform: every service and worker is a service built
/// from `source_dir` (relative to the repository root that holds `.do/`);
/// managed databases are technologies by engine.
fn digitalocean(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    doc: &Node,
    root: &str,
    facts: &mut Facts,
) {
    for section in ["services", "workers"] {
        for component in doc.get(section).map(Node::seq).unwrap_or_default() {
            let Some((name_key, name)) = component.entry("name") else {
                facts.problem_at(
                    src,
                    component.span.start,
                    format!("{section} entry has no `name`"),
                );
                continue;
            };
            let Some(name) = name.as_str() else { continue };
            let line = src.line(name_key.span.start);
            let mut service = ServiceFact::new(ServiceOrigin::Platform, name, &src.path, line);
            service.build_context = match component.get("source_dir") {
                Some(dir) => repository_path(src, root, dir, facts),
                None => Some(root.to_string()),
            };
            service.dockerfile = component
                .get("dockerfile_path")
                .and_then(|path| repository_path(src, root, path, facts));
            service.image = component.get("image").and_then(image_reference);
            if section == "services" && component.get("health_check").is_some() {
                service.health_check = Some(true);
            }
            service.replicas = component
                .get("instance_count")
                .and_then(Node::as_u64)
                .and_then(|n| u32::try_from(n).ok());
            if let Some(port) = component.get("http_port").and_then(Node::as_u64) {
                service.ports.push(port.to_string());
            }
            service.env = env_list(src, component.get("envs"));
            facts.services.push(service);
        }
    }
    for database in doc.get("databases").map(Node::seq).unwrap_or_default() {
        let Some((key, engine)) = database.entry("engine") else {
            continue;
        };
        let Some(engine) = engine.as_str() else {
            continue;
        };
        let name = database
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("database");
        for tech in ctx.catalog.match_engine(engine) {
            facts.detect(
                tech,
                src,
                key.span.start,
                format!("engine \"{engine}\" in database {name}"),
            );
        }
    }
}

/// A path of the app spec, relative to the repository root; one that leaves
/// it is a problem.
fn repository_path(src: &SourceFile, root: &str, path: &Node, facts: &mut Facts) -> Option<String> {
    let joined = join_path(root, path.as_str()?);
    if joined.is_none() {
        facts.problem_at(src, path.span.start, "path points outside the repository");
    }
    joined
}

/// `image: {registry, repository, tag}` as a reference.
fn image_reference(image: &Node) -> Option<String> {
    let repository = image.get("repository").and_then(Node::as_str)?;
    let registry = image.get("registry").and_then(Node::as_str);
    let mut reference = match registry {
        Some(registry) if !registry.is_empty() => format!("{registry}/{repository}"),
        _ => repository.to_string(),
    };
    if let Some(tag) = image.get("tag").and_then(Node::as_str) {
        reference.push(':');
        reference.push_str(tag);
    }
    Some(reference)
}

/// App Engine `env_variables: {NAME: value}`.
fn env_map(src: &SourceFile, variables: Option<&Node>) -> Vec<EnvFact> {
    variables
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(key, value)| {
            Some(EnvFact {
                name: key.as_str()?.to_string(),
                value: value.as_str().map(str::to_string),
                line: src.line(key.span.start),
            })
        })
        .collect()
}

/// DigitalOcean `envs: [{key, value, type}]`; `SECRET` values are
/// encrypted blobs and are not kept.
fn env_list(src: &SourceFile, envs: Option<&Node>) -> Vec<EnvFact> {
    envs.map(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|env| {
            let (key_node, key) = env.entry("key")?;
            let secret = env.get("type").and_then(Node::as_str) == Some("SECRET");
            Some(EnvFact {
                name: key.as_str()?.to_string(),
                value: env
                    .get("value")
                    .and_then(Node::as_str)
                    .filter(|_| !secret)
                    .map(str::to_string),
                line: src.line(key_node.span.start),
            })
        })
        .collect()
}

/// The last component of a directory (`"app"` for the root).
pub(super) fn dir_name(dir: &str) -> String {
    match dir.rsplit('/').next() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => "app".to_string(),
    }
}
