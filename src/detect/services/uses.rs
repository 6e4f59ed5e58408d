//! What each service uses: the datastores and queues it depends on, links to
//! or reaches through connection URLs.

use std::collections::{BTreeMap, BTreeSet};

use super::Unit;
use crate::catalog::Catalog;
use crate::detect::{Facts, connection};

/// Technology categories of the services a service "uses" (datastores and queues).
pub(super) const USED_CATEGORIES: [&str; 5] = ["database", "cache", "queue", "search", "job-queue"];

/// The datastores and queues each unit uses: services it depends on or links
/// to that are datastores, and hosts its connection URLs point at (a service
/// name when one matches, else the technology id).
pub(super) fn resolve_uses(units: &[Unit], facts: &Facts, catalog: &Catalog) -> Vec<Vec<String>> {
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
