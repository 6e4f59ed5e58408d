//! Helpers shared by the integration tests (`mod common;` in each): where
//! the fixture repositories are, scanning a tree without asking git,
//! collecting a tree's raw facts, catalogs written inline, and the views of
//! facts several tests compare.
// Each test binary uses a few of these; the rest would be dead code there.
#![allow(dead_code, clippy::unwrap_used)]

pub mod contract;

use std::path::{Path, PathBuf};

use stacklint::catalog::Catalog;
use stacklint::detect::Facts;
use stacklint::model::{Component, Function, Stack};
use stacklint::scan::ScanOptions;

/// The fixture repository `fixtures/repos/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/repos")
        .join(name)
}

/// The built-in catalog; a broken catalog file fails the test naming it.
pub fn builtin_catalog() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("{e}: {}", e.path))
}

/// A catalog of several files (one category each), written inline.
pub fn catalog_of(texts: &[&str]) -> Catalog {
    Catalog::from_files(
        texts
            .iter()
            .enumerate()
            .map(|(i, text)| (format!("t{i}.toml"), (*text).to_string())),
    )
    .unwrap()
}

/// Scan `dir` as `stacklint stack` does, except that git is never asked for
/// the team size: the fixtures live inside this project's own history.
pub fn scan(dir: &Path, catalog: &Catalog) -> Stack {
    let options = ScanOptions {
        team_size: None,
        use_git: false,
    };
    stacklint::scan::scan_with(dir, ".", catalog, options).unwrap()
}

/// What the detectors find under `dir`, before assembly.
pub fn facts(dir: &Path, catalog: &Catalog) -> Facts {
    stacklint::scan::collect_facts(dir, catalog).unwrap().1
}

/// The facts of a fixture repository with the built-in catalog, which comes
/// back to name the detections.
pub fn fixture_facts(name: &str) -> (Catalog, Facts) {
    let catalog = builtin_catalog();
    let facts = facts(&fixture(name), &catalog);
    (catalog, facts)
}

/// Write (path, text) files under `root`, creating directories.
pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The component named `name`.
pub fn component<'a>(stack: &'a Stack, name: &str) -> &'a Component {
    stack
        .components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
}

/// (name, line, runtime, timeout, timeout line, memory, memory line).
pub type FunctionRow<'a> = (
    &'a str,
    u32,
    Option<&'a str>,
    Option<u64>,
    Option<u32>,
    Option<u64>,
    Option<u32>,
);

/// A row of the settings of each function, in order.
pub fn function_rows(functions: &[Function]) -> Vec<FunctionRow<'_>> {
    functions
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.line,
                f.runtime.as_deref(),
                f.timeout_seconds,
                f.timeout_line,
                f.memory_mb,
                f.memory_line,
            )
        })
        .collect()
}
