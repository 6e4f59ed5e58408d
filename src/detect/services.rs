//! Services: one list of deployable units from compose files, Dockerfiles,
//! Kubernetes workloads, Procfiles and platform files, deduplicated so that a
//! compose service, the Dockerfile it builds and the Kubernetes Deployment of
//! its image are ONE service. Own services are built from this repository's
//! code; third-party images (postgres, redis, nginx) are services but not own.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, image_name};
use crate::detect::components::{Draft, owner_index};
use crate::detect::{EnvFact, Facts, ServiceFact, parent_dir};
use crate::model::{ComponentKind, Evidence, Service, ServiceOrigin};

mod compose;
mod dockerfile;
mod kubernetes;
mod uses;

use compose::{compose_units, merge_same_code};
use dockerfile::{configured_third_party, dockerfile_units};
use kubernetes::{CodeDirs, chart_dependency_units, kubernetes_units};
use uses::resolve_uses;

/// A service being assembled.
#[derive(Debug, Clone)]
struct Unit {
    name: String,
    origin: ServiceOrigin,
    own: bool,
    path: String,
    line: u32,
    image: Option<String>,
    /// Build context, root-relative (`""` = root).
    build: Option<String>,
    dockerfile: Option<String>,
    component: Option<String>,
    depends_on: BTreeSet<String>,
    env: Vec<EnvFact>,
    health_check: Option<bool>,
    replicas: Option<u32>,
    technologies: BTreeSet<String>,
    declarations: BTreeSet<Evidence>,
    ports: Vec<String>,
    /// Names this unit answers to: service names, image names, directory names.
    aliases: BTreeSet<String>,
}

impl Unit {
    fn new(name: &str, origin: ServiceOrigin, path: &str, line: u32) -> Self {
        Self {
            name: name.to_string(),
            origin,
            own: false,
            path: path.to_string(),
            line,
            image: None,
            build: None,
            dockerfile: None,
            component: None,
            depends_on: BTreeSet::new(),
            env: Vec::new(),
            health_check: None,
            replicas: None,
            technologies: BTreeSet::new(),
            declarations: BTreeSet::new(),
            ports: Vec::new(),
            aliases: BTreeSet::from([name.to_ascii_lowercase()]),
        }
    }

    fn declare(&mut self, path: &str, line: u32, reason: String) {
        self.declarations.insert(Evidence {
            path: path.to_string(),
            line,
            reason,
        });
    }

    fn add_image_alias(&mut self, image: &str) {
        let name = image_name(image);
        if let Some(last) = name.rsplit('/').next() {
            self.aliases.insert(last.to_string());
        }
        self.aliases.insert(name);
    }
}

/// Build the services of the repository, and mark the components that are
/// build contexts of own services as servers (or workers).
/// `repo_name` is the scanned directory's name: images published under it
/// are the repository's own.
pub fn build(
    facts: &Facts,
    drafts: &mut [Draft],
    catalog: &Catalog,
    repo_name: &str,
) -> Vec<Service> {
    let dirs: Vec<String> = drafts.iter().map(|d| d.dir.clone()).collect();
    let component_of =
        |dir: &str| -> Option<String> { owner_index(&dirs, dir).map(|i| drafts[i].name.clone()) };
    let mut units: Vec<Unit> = Vec::new();

    // (component name without npm scope, directory) of every component.
    let components: Vec<(String, String)> = drafts
        .iter()
        .map(|d| (unscoped(&d.name).to_ascii_lowercase(), d.dir.clone()))
        .collect();
    compose_units(&facts.services, catalog, &components, repo_name, &mut units);
    // A dev container (`.devcontainer/` compose file, or a build from a
    // `.devcontainer` Dockerfile) is a development environment, not a
    // deployable service; the datastores next to it still are services.
    let in_dev_container = |path: &Option<String>| {
        path.as_deref()
            .is_some_and(|p| p.split('/').any(|part| part == ".devcontainer"))
    };
    units.retain(|u| !(u.own && (in_dev_container(&u.build) || in_dev_container(&u.dockerfile))));
    merge_same_code(&mut units);
    dockerfile_units(facts, drafts, &mut units);
    compose::merge_repository_images(&mut units);
    configured_third_party(facts, drafts, catalog, &mut units);
    other_declared_units(&facts.services, drafts, &mut units);
    image_build_aliases(facts, &mut units);
    let has_server = drafts
        .iter()
        .any(|d| d.kind == ComponentKind::Server || d.kind == ComponentKind::Worker);
    let code = CodeDirs {
        components: &components,
        dockerfiles: &facts.dockerfiles,
    };
    kubernetes_units(
        &facts.kubernetes.workloads,
        catalog,
        has_server,
        &code,
        &mut units,
    );
    // Images pulled by Kubernetes may turn out to be configured third-party
    // images too (`FROM postgres` plus init scripts).
    configured_third_party(facts, drafts, catalog, &mut units);
    chart_dependency_units(&facts.services, &mut units);

    for unit in &mut units {
        if unit.own {
            let dir = unit
                .build
                .clone()
                .unwrap_or_else(|| parent_dir(&unit.path).to_string());
            unit.component = component_of(&dir);
        }
    }
    let uses = resolve_uses(&units, facts, catalog);

    // Build contexts of own services are servers (RULES.md: "or that is the
    // build context of a deployable service").
    for unit in units.iter().filter(|u| u.own) {
        if let Some(name) = &unit.component
            && let Some(draft) = drafts.iter_mut().find(|d| &d.name == name)
            && matches!(draft.kind, ComponentKind::Library | ComponentKind::Tool)
        {
            draft.kind = ComponentKind::Server;
        }
    }

    let mut services: Vec<Service> = units
        .into_iter()
        .zip(uses)
        .map(|(unit, uses)| Service {
            replicas: unit.replicas.or(match unit.origin {
                ServiceOrigin::Compose => Some(1),
                _ => None,
            }),
            name: unit.name,
            origin: unit.origin,
            own: unit.own,
            path: unit.path,
            line: unit.line,
            image: unit.image,
            build: unit
                .build
                .map(|b| if b.is_empty() { ".".to_string() } else { b }),
            component: unit.component,
            uses,
            health_check: unit.health_check == Some(true),
            technologies: unit.technologies.into_iter().collect(),
            declarations: unit.declarations.into_iter().collect(),
            dockerfile: unit.dockerfile,
            ports: unit.ports,
        })
        .collect();
    services.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    services
}

/// `@acme/api` → `api`.
fn unscoped(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// Directory names that say nothing about what a service is.
const GENERIC_DIRS: [&str; 8] = [
    "src", "app", "source", "code", "server", "service", "docker", "build",
];

/// A service's name from its build context: the directory's name, unless it
/// is generic (`src`, `app`), then the component's name, then the parent's.
fn service_name(context: &str, drafts: &[Draft], root_fallback: &str) -> String {
    let last = context.rsplit('/').next().unwrap_or(context);
    if !last.is_empty() && !GENERIC_DIRS.contains(&last) {
        return last.to_string();
    }
    if let Some(draft) = drafts.iter().find(|d| d.dir == context) {
        return unscoped(&draft.name).to_string();
    }
    match context.rsplit_once('/') {
        Some((parent, _)) => parent.rsplit('/').next().unwrap_or(parent).to_string(),
        None => root_fallback.to_string(),
    }
}

/// Procfile processes and platform apps: own services of their directory,
/// merged into the service already built from that directory. The processes
/// of one Procfile (`web`, `worker`, `release`) are one service: one code.
fn other_declared_units(facts: &[ServiceFact], drafts: &[Draft], units: &mut Vec<Unit>) {
    let mut declared: Vec<&ServiceFact> = facts
        .iter()
        .filter(|f| matches!(f.origin, ServiceOrigin::Procfile | ServiceOrigin::Platform))
        .collect();
    // `web` first, so that a Procfile's service is declared at its web process.
    declared.sort_by_key(|f| (f.path.clone(), f.name != "web", f.line));
    for fact in declared {
        let dir = fact
            .build_context
            .clone()
            .unwrap_or_else(|| parent_dir(&fact.path).to_string());
        let reason = match fact.origin {
            ServiceOrigin::Procfile => format!("Procfile process {}", fact.name),
            _ => format!("platform app {}", fact.name),
        };
        if let Some(unit) = units
            .iter_mut()
            .find(|u| u.own && u.build.as_deref() == Some(dir.as_str()))
        {
            unit.declare(&fact.path, fact.line, reason);
            if unit.health_check.is_none() {
                unit.health_check = fact.health_check;
            }
            unit.env.extend(fact.env.iter().cloned());
            continue;
        }
        let name = match fact.origin {
            ServiceOrigin::Procfile => service_name(&dir, drafts, "app"),
            _ => fact.name.clone(),
        };
        let mut unit = Unit::new(&name, fact.origin, &fact.path, fact.line);
        unit.own = true;
        unit.build = Some(dir);
        unit.dockerfile.clone_from(&fact.dockerfile);
        unit.image.clone_from(&fact.image);
        unit.health_check = fact.health_check;
        unit.replicas = fact.replicas;
        unit.ports.clone_from(&fact.ports);
        unit.env.clone_from(&fact.env);
        unit.declare(&fact.path, fact.line, reason);
        units.push(unit);
    }
}

/// Images built by skaffold, jib or ko are names of the unit of their context.
fn image_build_aliases(facts: &Facts, units: &mut [Unit]) {
    for build in &facts.image_builds {
        let Some(image) = &build.image else { continue };
        if let Some(unit) = units
            .iter_mut()
            .find(|u| u.own && u.build.as_deref() == Some(build.context.as_str()))
        {
            unit.add_image_alias(image);
            unit.declare(
                &build.path,
                build.line,
                format!("{} image {}", build.tool, image),
            );
        }
    }
}

#[cfg(test)]
mod tests;
