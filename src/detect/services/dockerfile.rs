//! Dockerfiles as services: at a component root or its packaging directory,
//! unless a compose service already builds them or they only configure a
//! third-party image.

use super::{Unit, service_name};
use crate::catalog::Catalog;
use crate::detect::components::Draft;
use crate::detect::{Facts, parent_dir};
use crate::model::ServiceOrigin;

/// Directories whose Dockerfiles are not deployable services.
pub(super) const NON_SERVICE_DIRS: [&str; 12] = [
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
pub(super) const PACKAGING_DIRS: [&str; 9] = [
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

/// Dockerfiles at a component root (or its packaging directory) that no
/// compose service builds become services of their own.
pub(super) fn dockerfile_units(facts: &Facts, drafts: &[Draft], units: &mut Vec<Unit>) {
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
pub(super) fn configured_third_party(
    facts: &Facts,
    drafts: &[Draft],
    catalog: &Catalog,
    units: &mut [Unit],
) {
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
pub(super) fn first_line(dockerfile: &crate::model::Dockerfile) -> u32 {
    dockerfile.stages.last().map_or(1, |s| s.line)
}

/// The component directory a Dockerfile in `dir` packages, if it is a
/// component root, the repository root, or a packaging directory under one.
pub(super) fn deployable_context(dir: &str, dirs: &[String]) -> Option<String> {
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
