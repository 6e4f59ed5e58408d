//! `stacklint stack` renderers.

pub mod json;
pub mod markdown;
pub mod mermaid;
pub mod pretty;

use crate::catalog::CATEGORIES;
use crate::model::{Stack, Technology};

/// Technologies grouped by category, in the catalog's category order.
pub fn by_category(stack: &Stack) -> Vec<(&str, Vec<&Technology>)> {
    let mut groups: Vec<(&str, Vec<&Technology>)> = Vec::new();
    for category in CATEGORIES {
        let techs: Vec<&Technology> = stack
            .technologies
            .iter()
            .filter(|t| t.category == *category)
            .collect();
        if !techs.is_empty() {
            groups.push((category, techs));
        }
    }
    // Categories a user catalog may add, after the known ones.
    let mut other: Vec<&Technology> = stack
        .technologies
        .iter()
        .filter(|t| !CATEGORIES.contains(&t.category.as_str()))
        .collect();
    other.sort_by(|a, b| a.category.cmp(&b.category).then(a.id.cmp(&b.id)));
    for tech in other {
        match groups.iter_mut().find(|(c, _)| *c == tech.category) {
            Some((_, list)) => list.push(tech),
            None => groups.push((tech.category.as_str(), vec![tech])),
        }
    }
    groups
}

/// Human-readable size.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
