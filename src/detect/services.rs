//! Services: one list of deployable units from compose files, Dockerfiles,
//! Kubernetes workloads, Procfiles and platform files, deduplicated so that a
//! compose service, the Dockerfile it builds and the Kubernetes Deployment of
//! its image are ONE service. Own services are built from this repository's
//! code; third-party images (postgres, redis, nginx) are services but not own.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, image_name};
use crate::detect::components::{Draft, owner_index};
use crate::detect::{EnvFact, Facts, ServiceFact, connection, parent_dir};
use crate::model::{ComponentKind, Evidence, Service, ServiceOrigin, Workload};

/// Technology categories of the services a service "uses" (datastores and queues).
const USED_CATEGORIES: [&str; 5] = ["database", "cache", "queue", "search", "job-queue"];

/// Directories whose Dockerfiles are not deployable services.
const NON_SERVICE_DIRS: [&str; 12] = [
    ".devcontainer",
    "test",
    "tests",
    "e2e",
    "example",
    "examples",
    "docs",
    "fixtures",
    "testdata",
    "samples",
    "sample",
    "benchmarks",
];

/// Directories that hold a component's container packaging (`build/package/Dockerfile`).
const PACKAGING_DIRS: [&str; 9] = [
    "docker",
    "build",
    "deploy",
    "deployment",
    "deployments",
    ".docker",
    "container",
    "containers",
    "package",
];

/// Workload kinds that are long-running services (Jobs and CronJobs are not).
const SERVICE_WORKLOADS: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
    "DeploymentConfig",
];

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
pub fn build(facts: &Facts, drafts: &mut [Draft], catalog: &Catalog) -> Vec<Service> {
    let dirs: Vec<String> = drafts.iter().map(|d| d.dir.clone()).collect();
    let component_of =
        |dir: &str| -> Option<String> { owner_index(&dirs, dir).map(|i| drafts[i].name.clone()) };
    let mut units: Vec<Unit> = Vec::new();

    // (component name without npm scope, directory) of every component.
    let components: Vec<(String, String)> = drafts
        .iter()
        .map(|d| (unscoped(&d.name).to_ascii_lowercase(), d.dir.clone()))
        .collect();
    compose_units(&facts.services, catalog, &components, &mut units);
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

/// Compose services, merged by name across compose files (an override file
/// adds to the service the base file declares).
fn compose_units(
    facts: &[ServiceFact],
    catalog: &Catalog,
    components: &[(String, String)],
    units: &mut Vec<Unit>,
) {
    let mut compose: Vec<&ServiceFact> = facts
        .iter()
        .filter(|f| f.origin == ServiceOrigin::Compose)
        .collect();
    // Base files before overrides, so the base declaration is the position.
    compose.sort_by_key(|f| (is_override(&f.path), f.path.clone(), f.line));
    for fact in compose {
        let index = match units
            .iter()
            .position(|u| u.origin == ServiceOrigin::Compose && u.name == fact.name)
        {
            Some(i) => i,
            None => {
                units.push(Unit::new(
                    &fact.name,
                    ServiceOrigin::Compose,
                    &fact.path,
                    fact.line,
                ));
                units.len() - 1
            }
        };
        let unit = &mut units[index];
        unit.declare(
            &fact.path,
            fact.line,
            format!("compose service {}", fact.name),
        );
        if unit.image.is_none() {
            unit.image.clone_from(&fact.image);
        }
        if unit.build.is_none() {
            unit.build.clone_from(&fact.build_context);
        }
        if unit.dockerfile.is_none() {
            unit.dockerfile.clone_from(&fact.dockerfile);
        }
        unit.depends_on.extend(fact.depends_on.iter().cloned());
        unit.env.extend(fact.env.iter().cloned());
        if fact.health_check.is_some() {
            unit.health_check = fact.health_check;
        }
        if fact.replicas.is_some() {
            unit.replicas = fact.replicas;
        }
        for port in &fact.ports {
            if !unit.ports.contains(port) {
                unit.ports.push(port.clone());
            }
        }
    }
    for unit in units.iter_mut() {
        // An image named after one of this repository's components is built
        // from it, even when the compose file only pulls it
        // (`image: acme/orders-service` next to `orders-service/pom.xml`).
        if unit.build.is_none()
            && let Some(image) = &unit.image
            && let Some(dir) = component_image(image, components)
        {
            unit.build = Some(dir);
            unit.dockerfile = None;
        }
        unit.own = unit.build.is_some();
        if let Some(image) = unit.image.clone() {
            unit.add_image_alias(&image);
            if !unit.own {
                for tech in catalog.match_image(&image) {
                    unit.technologies.insert(catalog.get(tech).id.clone());
                }
            }
        }
        if let Some(build) = &unit.build {
            if let Some(dir_name) = build.rsplit('/').next().filter(|n| !n.is_empty()) {
                unit.aliases.insert(dir_name.to_ascii_lowercase());
            }
            if unit.dockerfile.is_none()
                && unit
                    .image
                    .as_deref()
                    .is_none_or(|i| component_image(i, components).is_none())
            {
                unit.dockerfile = Some(join_file(build, "Dockerfile"));
            }
        }
    }
}

/// The directory of the component an image is named after: its last path
/// segment equals a component's name or directory name.
fn component_image(image: &str, components: &[(String, String)]) -> Option<String> {
    let name = image_name(image);
    let last = name.rsplit('/').next().unwrap_or(&name);
    components
        .iter()
        .find(|(component, dir)| {
            !dir.is_empty()
                && (component == last
                    || dir
                        .rsplit('/')
                        .next()
                        .is_some_and(|d| d.eq_ignore_ascii_case(last)))
        })
        .map(|(_, dir)| dir.clone())
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

/// Compose services built from the same context and Dockerfile run the same
/// code (`api` and `worker` with different commands, or five federated copies
/// of one server): one service, however many entries describe it.
fn merge_same_code(units: &mut Vec<Unit>) {
    let mut merged: Vec<Unit> = Vec::with_capacity(units.len());
    for unit in units.drain(..) {
        let same = merged.iter_mut().find(|u| {
            u.own && unit.own && u.build == unit.build && u.dockerfile == unit.dockerfile
        });
        match same {
            Some(target) => {
                target.declarations.extend(unit.declarations);
                target.depends_on.extend(unit.depends_on);
                target.env.extend(unit.env);
                target.aliases.extend(unit.aliases);
                if unit.health_check == Some(true) {
                    target.health_check = Some(true);
                }
                target.replicas = target.replicas.max(unit.replicas);
                for port in unit.ports {
                    if !target.ports.contains(&port) {
                        target.ports.push(port);
                    }
                }
            }
            None => merged.push(unit),
        }
    }
    *units = merged;
}

fn is_override(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains("override") || name.split('.').count() > 2
}

fn join_file(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// Dockerfiles at a component root (or its packaging directory) that no
/// compose service builds become services of their own.
fn dockerfile_units(facts: &Facts, drafts: &[Draft], units: &mut Vec<Unit>) {
    let dirs: Vec<String> = drafts.iter().map(|d| d.dir.clone()).collect();
    let mut dockerfiles: Vec<&crate::model::Dockerfile> = facts.dockerfiles.iter().collect();
    // `Dockerfile` before `Dockerfile.dev` in the same directory.
    dockerfiles.sort_by_key(|d| {
        let plain = d.path == "Dockerfile" || d.path.ends_with("/Dockerfile");
        (parent_dir(&d.path).to_string(), !plain, d.path.clone())
    });
    let declared_elsewhere = units.iter().any(|u| u.own);
    for dockerfile in dockerfiles {
        let dir = parent_dir(&dockerfile.path);
        let built_by_compose = units.iter_mut().find(|u| {
            u.dockerfile.as_deref() == Some(dockerfile.path.as_str())
                || u.build.as_deref() == Some(dir)
        });
        if let Some(unit) = built_by_compose {
            unit.declare(
                &dockerfile.path,
                first_line(dockerfile),
                "Dockerfile".to_string(),
            );
            if unit.health_check.is_none() && dockerfile.health_check {
                unit.health_check = Some(true);
            }
            continue;
        }
        if dir.split('/').any(|d| NON_SERVICE_DIRS.contains(&d)) {
            continue;
        }
        let Some(context) = deployable_context(dir, &dirs) else {
            continue;
        };
        // A Dockerfile in the packaging directory of a workspace root whose
        // members are already services (one template image for every module)
        // is not one more service.
        let packaging_of_root = context != dir
            && declared_elsewhere
            && drafts.iter().any(|d| {
                d.workspace.as_deref()
                    == Some(crate::detect::components::display_dir(&context).as_str())
            });
        if packaging_of_root {
            continue;
        }
        if let Some(unit) = units.iter_mut().find(|u| {
            u.origin == ServiceOrigin::Dockerfile && u.build.as_deref() == Some(context.as_str())
        }) {
            // A variant (`Dockerfile.dev`) of a Dockerfile already counted.
            unit.declare(
                &dockerfile.path,
                first_line(dockerfile),
                "Dockerfile".to_string(),
            );
            continue;
        }
        let name = service_name(&context, drafts, "app");
        let mut unit = Unit::new(
            &name,
            ServiceOrigin::Dockerfile,
            &dockerfile.path,
            first_line(dockerfile),
        );
        unit.own = true;
        unit.build = Some(context.clone());
        unit.dockerfile = Some(dockerfile.path.clone());
        unit.health_check = dockerfile.health_check.then_some(true);
        unit.ports = dockerfile.exposes.clone();
        unit.declare(
            &dockerfile.path,
            first_line(dockerfile),
            "Dockerfile".to_string(),
        );
        units.push(unit);
    }
}

/// A build whose Dockerfile only configures a known third-party image
/// (`FROM grafana/grafana` + dashboards) in a directory that holds no
/// component is that third-party service, not code of this repository.
fn configured_third_party(facts: &Facts, drafts: &[Draft], catalog: &Catalog, units: &mut [Unit]) {
    for unit in units.iter_mut().filter(|u| u.own) {
        let Some(build) = &unit.build else { continue };
        if drafts.iter().any(|d| &d.dir == build) {
            continue;
        }
        let Some(dockerfile) = unit
            .dockerfile
            .as_ref()
            .and_then(|path| facts.dockerfiles.iter().find(|d| &d.path == path))
        else {
            continue;
        };
        let Some(last) = dockerfile.stages.last() else {
            continue;
        };
        if last.base_stage.is_some() || last.unresolved || last.scratch {
            continue;
        }
        let techs = catalog.match_image(&last.image);
        if techs.is_empty() || dockerfile.stages.len() > 1 {
            continue;
        }
        unit.own = false;
        unit.technologies
            .extend(techs.into_iter().map(|t| catalog.get(t).id.clone()));
    }
}

/// The line of the final stage's `FROM`: where a Dockerfile declares its image.
fn first_line(dockerfile: &crate::model::Dockerfile) -> u32 {
    dockerfile.stages.last().map_or(1, |s| s.line)
}

/// The component directory a Dockerfile in `dir` packages, if it is a
/// component root, the repository root, or a packaging directory under one.
fn deployable_context(dir: &str, dirs: &[String]) -> Option<String> {
    if dir.is_empty() || dirs.iter().any(|d| d == dir) {
        return Some(dir.to_string());
    }
    let mut current = dir;
    while let Some((parent, last)) = current.rsplit_once('/').or(Some(("", current))) {
        if !PACKAGING_DIRS.contains(&last) {
            return None;
        }
        if parent.is_empty() || dirs.iter().any(|d| d == parent) {
            return Some(parent.to_string());
        }
        if parent == current {
            return None;
        }
        current = parent;
    }
    None
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

/// Kubernetes workloads: third-party when their main image is a known
/// third-party image; otherwise the same service as the code unit their image
/// or name points at; otherwise an own service of their own when the
/// repository has something that builds images or a server component.
fn kubernetes_units(
    workloads: &[Workload],
    catalog: &Catalog,
    has_server: bool,
    code: &CodeDirs<'_>,
    units: &mut Vec<Unit>,
) {
    let builds_images = units.iter().any(|u| u.own);
    for workload in workloads
        .iter()
        .filter(|w| SERVICE_WORKLOADS.contains(&w.kind.as_str()))
    {
        let main = workload.containers.iter().find(|c| !c.init);
        let image = main.and_then(|c| c.image.clone());
        let reason = format!("{} {}", workload.kind, workload.name);
        let probes = workload
            .containers
            .iter()
            .any(|c| !c.init && (c.liveness_probe || c.readiness_probe));
        let third_party_techs: Vec<String> = image
            .as_deref()
            .map(|i| {
                catalog
                    .match_image(i)
                    .into_iter()
                    .map(|t| catalog.get(t).id.clone())
                    .collect()
            })
            .unwrap_or_default();
        let target = if third_party_techs.is_empty() {
            find_own_unit(units, workload, image.as_deref())
        } else {
            units.iter().position(|u| {
                !u.own
                    && image
                        .as_deref()
                        .is_some_and(|i| u.image.as_deref().map(image_name) == Some(image_name(i)))
            })
        };
        match target {
            Some(i) => {
                let unit = &mut units[i];
                unit.declare(&workload.path, workload.line, reason);
                if probes && unit.health_check != Some(true) {
                    unit.health_check = Some(true);
                }
                // The most replicas any declaration asks for: production
                // (Kubernetes) usually runs more than the compose file.
                unit.replicas = unit.replicas.max(replicas_of(workload));
                unit.aliases.insert(workload.name.to_ascii_lowercase());
                if unit.image.is_none() {
                    unit.image.clone_from(&image);
                }
                env_of(workload, &mut unit.env);
            }
            None => {
                let own = third_party_techs.is_empty() && (builds_images || has_server);
                let mut unit = Unit::new(
                    &workload.name,
                    ServiceOrigin::Kubernetes,
                    &workload.path,
                    workload.line,
                );
                unit.own = own;
                unit.image.clone_from(&image);
                if let Some(image) = &image {
                    unit.add_image_alias(image);
                    // An image named after a component (built by jib or
                    // buildpacks) or after a Dockerfile's directory is built
                    // from there.
                    if own && let Some((dir, dockerfile)) = code.built_from(image) {
                        unit.build = Some(dir);
                        unit.dockerfile = dockerfile;
                    }
                }
                unit.health_check = probes.then_some(true);
                unit.replicas = replicas_of(workload);
                unit.technologies.extend(third_party_techs);
                unit.ports = Vec::new();
                env_of(workload, &mut unit.env);
                unit.declare(&workload.path, workload.line, reason);
                units.push(unit);
            }
        }
    }
}

/// The directories code is built from: components and Dockerfiles.
struct CodeDirs<'a> {
    /// (component name without npm scope, directory).
    components: &'a [(String, String)],
    dockerfiles: &'a [crate::model::Dockerfile],
}

impl CodeDirs<'_> {
    /// The build directory (and Dockerfile) an image is named after.
    fn built_from(&self, image: &str) -> Option<(String, Option<String>)> {
        if let Some(dir) = component_image(image, self.components) {
            let dockerfile = self
                .dockerfiles
                .iter()
                .find(|d| parent_dir(&d.path) == dir)
                .map(|d| d.path.clone());
            return Some((dir, dockerfile));
        }
        let name = image_name(image);
        let last = name.rsplit('/').next().unwrap_or(&name);
        self.dockerfiles
            .iter()
            .find(|d| {
                let dir = parent_dir(&d.path);
                !dir.is_empty()
                    && dir
                        .rsplit('/')
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case(last))
            })
            .map(|d| (parent_dir(&d.path).to_string(), Some(d.path.clone())))
    }
}

/// Helm chart dependencies (a bitnami `postgresql` subchart) are third-party
/// services, used by the workloads of the chart that depends on them.
fn chart_dependency_units(facts: &[ServiceFact], units: &mut Vec<Unit>) {
    for fact in facts
        .iter()
        .filter(|f| f.origin == ServiceOrigin::Kubernetes)
    {
        let chart_dir = parent_dir(&fact.path).to_string();
        let inside_chart =
            |path: &str| path.starts_with(&format!("{chart_dir}/")) || chart_dir.is_empty();
        for unit in units.iter_mut() {
            if unit.declarations.iter().any(|d| inside_chart(&d.path)) {
                unit.depends_on.insert(fact.name.clone());
            }
        }
        let mut unit = Unit::new(&fact.name, ServiceOrigin::Kubernetes, &fact.path, fact.line);
        unit.technologies.extend(fact.technologies.iter().cloned());
        unit.declare(
            &fact.path,
            fact.line,
            format!("Helm chart dependency {}", fact.name),
        );
        units.push(unit);
    }
}

fn replicas_of(workload: &Workload) -> Option<u32> {
    match workload.kind.as_str() {
        "Deployment" | "StatefulSet" | "ReplicaSet" => Some(workload.replicas.unwrap_or(1)),
        _ => workload.replicas,
    }
}

fn env_of(workload: &Workload, env: &mut Vec<EnvFact>) {
    for container in workload.containers.iter().filter(|c| !c.init) {
        for var in &container.env {
            env.push(EnvFact {
                name: var.name.clone(),
                value: var.value.clone(),
                line: var.line,
            });
        }
    }
}

/// The own unit a workload's image or name points at.
fn find_own_unit(units: &[Unit], workload: &Workload, image: Option<&str>) -> Option<usize> {
    let own: Vec<usize> = units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.own)
        .map(|(i, _)| i)
        .collect();
    if let Some(image) = image {
        let name = image_name(image);
        let last = name.rsplit('/').next().unwrap_or(&name).to_string();
        if let Some(i) = own
            .iter()
            .find(|i| units[**i].aliases.contains(&name) || units[**i].aliases.contains(&last))
        {
            return Some(*i);
        }
    }
    let workload_name = workload.name.to_ascii_lowercase();
    if let Some(i) = own
        .iter()
        .find(|i| units[**i].aliases.contains(&workload_name))
    {
        return Some(*i);
    }
    // One Dockerfile and its Deployment are one service, whatever their names.
    if own.len() == 1 && units[own[0]].origin != ServiceOrigin::Kubernetes {
        return Some(own[0]);
    }
    None
}

/// The datastores and queues each unit uses: services it depends on or links
/// to that are datastores, and hosts its connection URLs point at (a service
/// name when one matches, else the technology id).
fn resolve_uses(units: &[Unit], facts: &Facts, catalog: &Catalog) -> Vec<Vec<String>> {
    let is_datastore = |unit: &Unit| {
        unit.technologies.iter().any(|id| {
            catalog
                .id_of(id)
                .is_some_and(|t| USED_CATEGORIES.contains(&catalog.get(t).category.as_str()))
        })
    };
    // Kubernetes Service name → the workload it selects.
    let mut kube_service_targets: BTreeMap<String, String> = BTreeMap::new();
    for svc in &facts.kubernetes.services {
        if let Some(workload) = facts.kubernetes.workloads.iter().find(|w| {
            !svc.selector.is_empty() && svc.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
        }) {
            kube_service_targets.insert(
                svc.name.to_ascii_lowercase(),
                workload.name.to_ascii_lowercase(),
            );
        }
    }
    let find_by_alias = |alias: &str| -> Option<&Unit> {
        let alias = alias.to_ascii_lowercase();
        let target = kube_service_targets.get(&alias).cloned().unwrap_or(alias);
        units
            .iter()
            .find(|u| u.aliases.contains(&target) || u.name.eq_ignore_ascii_case(&target))
    };

    units
        .iter()
        .map(|unit| {
            let mut uses = BTreeSet::new();
            for dep in &unit.depends_on {
                if let Some(target) = find_by_alias(dep)
                    && is_datastore(target)
                {
                    uses.insert(target.name.clone());
                }
            }
            for var in &unit.env {
                let Some(value) = &var.value else { continue };
                let Some(conn) = connection::parse(catalog, value) else {
                    continue;
                };
                let tech = catalog.get(conn.tech);
                if !USED_CATEGORIES.contains(&tech.category.as_str()) {
                    continue;
                }
                let target = conn.host.as_deref().and_then(|h| {
                    find_by_alias(h).or_else(|| find_by_alias(connection::short_host(h)))
                });
                match target {
                    Some(t) if !std::ptr::eq(t, unit) => {
                        uses.insert(t.name.clone());
                    }
                    Some(_) => {}
                    None => {
                        uses.insert(tech.id.clone());
                    }
                }
            }
            uses.into_iter().collect()
        })
        .collect()
}

#[cfg(test)]
mod tests;
