//! The built-in technology catalog: every file parses, ids are unique, every
//! category is known, and every id of the public contract exists.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::contract::REQUIRED;
use stacklint::catalog::{CATEGORIES, Catalog};

#[test]
fn builtin_catalog_loads() {
    let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}: {}", e.path));
    assert!(!catalog.technologies().is_empty());
}

#[test]
fn every_contract_id_exists_with_its_category() {
    let catalog = Catalog::builtin().unwrap();
    let mut missing = Vec::new();
    for (category, ids) in REQUIRED {
        assert!(
            CATEGORIES.contains(category),
            "contract category {category} is not known"
        );
        for id in ids.split_whitespace() {
            match catalog.id_of(id) {
                None => missing.push(format!("{id} (missing)")),
                Some(t) if catalog.get(t).category != *category => missing.push(format!(
                    "{id} (category {}, contract says {category})",
                    catalog.get(t).category
                )),
                Some(_) => {}
            }
        }
    }
    assert!(
        missing.is_empty(),
        "catalog lacks contract ids: {}",
        missing.join(", ")
    );
}

#[test]
fn contract_list_matches_the_spec() {
    let spec =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/TECHNOLOGIES.md");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!(
            "note: {} not found; the contract copy in this test is not cross-checked",
            spec.display()
        );
        return;
    };
    let mut from_spec = BTreeSet::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || cells[1] == "category" || cells[1].starts_with("---") {
            continue;
        }
        let category = cells[1].split_whitespace().next().unwrap_or("");
        for id in cells[2].split_whitespace() {
            from_spec.insert(format!("{category}/{id}"));
        }
    }
    let ours: BTreeSet<String> = REQUIRED
        .iter()
        .flat_map(|(c, ids)| ids.split_whitespace().map(move |id| format!("{c}/{id}")))
        .collect();
    assert_eq!(
        ours, from_spec,
        "the REQUIRED list drifted from TECHNOLOGIES.md"
    );
}

#[test]
fn every_language_has_extensions() {
    let catalog = Catalog::builtin().unwrap();
    for tech in catalog.technologies() {
        if tech.category == "language" {
            assert!(
                !tech.extensions.is_empty(),
                "language {} has no extensions",
                tech.id
            );
        }
    }
}

#[test]
fn every_catalog_file_is_named_after_its_category() {
    for (path, text) in stacklint::catalog::embedded_rule_files() {
        let Some(name) = path.strip_prefix("technologies/") else {
            continue;
        };
        let stem = name.trim_end_matches(".toml");
        assert!(
            text.contains(&format!("category = \"{stem}\"")),
            "rules/{path} should declare category = \"{stem}\""
        );
    }
}

#[test]
fn ci_step_tools_are_catalog_technologies() {
    let catalog = Catalog::builtin().unwrap();
    let steps =
        stacklint::detect::ci::steps::StepRules::builtin().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        steps.unknown_tools(&catalog),
        Vec::<String>::new(),
        "rules/ci-steps.toml names unknown tools"
    );
}

#[test]
fn the_catalog_is_broad() {
    let catalog = Catalog::builtin().unwrap();
    let count = catalog.technologies().len();
    assert!(count >= 400, "only {count} technologies");
}

#[test]
fn no_technology_lists_a_pattern_twice() {
    let catalog = Catalog::builtin().unwrap();
    let mut doubles = Vec::new();
    for tech in catalog.technologies() {
        let lists = tech.packages.iter().map(|(k, v)| (k.as_str(), v)).chain([
            ("images", &tech.images),
            ("files", &tech.files),
            ("env", &tech.env),
            ("urls", &tech.urls),
            ("engines", &tech.engines),
            ("terraform", &tech.terraform),
            ("cloudformation", &tech.cloudformation),
            ("helm_charts", &tech.helm_charts),
        ]);
        for (key, list) in lists {
            let mut seen = BTreeSet::new();
            for item in list {
                if !seen.insert(item) {
                    doubles.push(format!("{}: {key} {item}", tech.id));
                }
            }
        }
    }
    assert!(doubles.is_empty(), "listed twice: {doubles:?}");
}

#[test]
fn the_json_embedded_at_build_time_is_the_toml() {
    let from_json = Catalog::builtin().unwrap();
    let toml: Vec<(String, String)> = stacklint::catalog::embedded_rule_files()
        .iter()
        .filter(|(path, _)| path.starts_with("technologies/"))
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    assert!(
        toml.iter()
            .all(|(path, _)| stacklint::catalog::embedded_rule_json(path).is_some()),
        "every catalog file converts to JSON at build time"
    );
    let from_toml = Catalog::from_files(toml).unwrap();
    assert_eq!(from_json.technologies(), from_toml.technologies());
    assert!(stacklint::catalog::embedded_rule_json("ci-steps.toml").is_some());
}
