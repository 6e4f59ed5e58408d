//! Kubernetes workloads and Helm chart dependencies as services.

use super::Unit;
use super::compose::component_image;
use crate::catalog::{Catalog, image_name};
use crate::detect::{EnvFact, ServiceFact, parent_dir};
use crate::model::{ServiceOrigin, Workload};

/// Workload kinds that are long-running services (Jobs and CronJobs are not).
pub(super) const SERVICE_WORKLOADS: [&str; 6] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Rollout",
    "DeploymentConfig",
];

/// Kubernetes workloads: third-party when their main image is a known
/// third-party image; otherwise the same service as the code unit their image
/// or name points at; otherwise an own service of their own when the
/// repository has something that builds images or a server component.
pub(super) fn kubernetes_units(
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
pub(super) struct CodeDirs<'a> {
    /// (component name without npm scope, directory).
    pub(super) components: &'a [(String, String)],
    pub(super) dockerfiles: &'a [crate::model::Dockerfile],
}

impl CodeDirs<'_> {
    /// The build directory (and Dockerfile) an image is named after.
    pub(super) fn built_from(&self, image: &str) -> Option<(String, Option<String>)> {
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
pub(super) fn chart_dependency_units(facts: &[ServiceFact], units: &mut Vec<Unit>) {
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

pub(super) fn replicas_of(workload: &Workload) -> Option<u32> {
    match workload.kind.as_str() {
        "Deployment" | "StatefulSet" | "ReplicaSet" => Some(workload.replicas.unwrap_or(1)),
        _ => workload.replicas,
    }
}

pub(super) fn env_of(workload: &Workload, env: &mut Vec<EnvFact>) {
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
pub(super) fn find_own_unit(
    units: &[Unit],
    workload: &Workload,
    image: Option<&str>,
) -> Option<usize> {
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
