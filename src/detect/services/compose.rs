//! Compose services: merged by name across compose files and by build
//! context across services that run the same code.

use super::Unit;
use crate::catalog::{Catalog, image_name};
use crate::detect::ServiceFact;
use crate::model::ServiceOrigin;

/// Compose services, merged by name across compose files (an override file
/// adds to the service the base file declares).
pub(super) fn compose_units(
    facts: &[ServiceFact],
    catalog: &Catalog,
    components: &[(String, String)],
    repo_name: &str,
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
        // An image published under this repository's name
        // (`ghcr.io/acme/shop/api` in the `shop` repository) is its own.
        unit.own = unit.build.is_some()
            || unit
                .image
                .as_deref()
                .is_some_and(|i| repository_image(i, repo_name));
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
pub(super) fn component_image(image: &str, components: &[(String, String)]) -> Option<String> {
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

/// Whether an image is published under the repository's own name: a path
/// segment after the registry (`ghcr.io/acme/shop/api`, `acme/shop`) is the
/// repository's name.
pub(super) fn repository_image(image: &str, repo_name: &str) -> bool {
    if repo_name.is_empty() {
        return false;
    }
    let name = image_name(image);
    let mut segments: Vec<&str> = name.split('/').collect();
    if segments.len() > 1
        && segments
            .first()
            .is_some_and(|host| host.contains('.') || host.contains(':') || *host == "localhost")
    {
        segments.remove(0);
    }
    segments
        .iter()
        .skip(1)
        .any(|s| s.eq_ignore_ascii_case(repo_name))
        || segments.len() > 1
            && segments
                .last()
                .is_some_and(|s| s.eq_ignore_ascii_case(repo_name))
}

/// Own services known only by an image published under the repository's
/// name are built from the repository's code: the same service as the code
/// unit their image names (`.../api` → the `api` directory), or as the only
/// one there is.
pub(super) fn merge_repository_images(units: &mut Vec<Unit>) {
    let built: Vec<usize> = (0..units.len())
        .filter(|i| units[*i].own && units[*i].build.is_some())
        .collect();
    let mut absorbed = vec![false; units.len()];
    for index in 0..units.len() {
        let unit = &units[index];
        if !unit.own || unit.build.is_some() {
            continue;
        }
        let image = unit.image.as_deref().map(image_name).unwrap_or_default();
        let last = image.rsplit('/').next().unwrap_or("").to_ascii_lowercase();
        let by_name = built.iter().copied().find(|t| {
            units[*t].aliases.contains(&last)
                || units[*t]
                    .aliases
                    .iter()
                    .any(|a| !a.is_empty() && last.ends_with(&format!("-{a}")))
        });
        let Some(target) = by_name.or(if built.len() == 1 {
            built.first().copied()
        } else {
            None
        }) else {
            continue;
        };
        let unit = units[index].clone();
        let code = &mut units[target];
        code.declarations.extend(unit.declarations);
        code.depends_on.extend(unit.depends_on);
        code.env.extend(unit.env);
        code.aliases.extend(unit.aliases);
        if unit.health_check == Some(true) {
            code.health_check = Some(true);
        }
        code.replicas = code.replicas.max(unit.replicas);
        absorbed[index] = true;
    }
    let mut index = 0;
    units.retain(|_| {
        index += 1;
        !absorbed[index - 1]
    });
}

/// Compose services built from the same context and Dockerfile run the same
/// code (`api` and `worker` with different commands, or five federated copies
/// of one server): one service, however many entries describe it.
pub(super) fn merge_same_code(units: &mut Vec<Unit>) {
    let mut merged: Vec<Unit> = Vec::with_capacity(units.len());
    for unit in units.drain(..) {
        let same = merged.iter_mut().find(|u| {
            u.own
                && unit.own
                && unit.build.is_some()
                && u.build == unit.build
                && u.dockerfile == unit.dockerfile
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

pub(super) fn is_override(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains("override") || name.split('.').count() > 2
}

pub(super) fn join_file(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}
