//! Every fixture repository under `fixtures/repos/` is scanned and its stack
//! JSON compared with a reviewed snapshot. Add a directory there and run
//! `INSTA_UPDATE=always cargo test --test fixtures` (or `cargo insta review`)
//! to record its snapshot, then read the snapshot as you would code.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::scan;
use stacklint::catalog::Catalog;

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/repos");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn stack_json_of_every_fixture_repo() {
    let catalog = Catalog::builtin().unwrap();
    let dirs = fixture_dirs();
    assert!(!dirs.is_empty(), "no fixture repositories found");
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let stack = scan(&dir, &catalog);
        let json = stacklint::report::stack::json::render(&stack);
        insta::assert_snapshot!(format!("stack-{name}"), json);
    }
}

#[test]
fn scanning_is_deterministic() {
    let catalog = Catalog::builtin().unwrap();
    for dir in fixture_dirs() {
        let first = stacklint::report::stack::json::render(&scan(&dir, &catalog));
        for _ in 0..3 {
            let again = stacklint::report::stack::json::render(&scan(&dir, &catalog));
            assert_eq!(first, again, "{} scanned differently twice", dir.display());
        }
    }
}
