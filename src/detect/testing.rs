//! Helpers for the detectors' unit tests: a [`DetectContext`] built around a
//! catalog, step rules, a walk and a root directory, with the files given in
//! memory or written to a temporary tree; and the views of [`Facts`] the
//! tests compare.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::catalog::Catalog;
use crate::detect::ci::steps::StepRules;
use crate::detect::{DetectContext, Facts, Manifest};
use crate::model::{DependencyScope, Function};
use crate::read::Reader;
use crate::source::SourceFile;
use crate::walk::{FileKind, WalkOutput};

/// A detector's entry point, as listed in [`crate::detect::DETECTORS`].
pub type DetectFn = fn(&DetectContext<'_>, &[(FileKind, &SourceFile)]) -> Facts;

/// A root no test creates: a detector that reads a further file finds none.
pub const NO_ROOT: &str = "/nonexistent-stacklint-root";

/// A catalog without technologies.
pub fn empty_catalog() -> Catalog {
    Catalog::from_files([]).unwrap()
}

/// A catalog of one file, written inline.
pub fn catalog(text: &str) -> Catalog {
    catalog_of(&[text])
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

/// A walk that saw these directories and nothing else (for detectors that
/// look for `src/bin` or `cmd/`).
pub fn walk_of_dirs(dirs: &[&str]) -> WalkOutput {
    WalkOutput {
        dirs: dirs.iter().map(|d| (*d).to_string()).collect(),
        ..WalkOutput::default()
    }
}

/// In-memory files from (kind, path, text).
pub fn sources(files: &[(FileKind, &str, &str)]) -> Vec<(FileKind, SourceFile)> {
    files
        .iter()
        .map(|(kind, path, text)| (*kind, SourceFile::new(*path, *text)))
        .collect()
}

/// Run `detect` on (kind, path, text) files with `catalog`, no step rules,
/// an empty walk and nothing on disk.
pub fn run(detect: DetectFn, catalog: &Catalog, files: &[(FileKind, &str, &str)]) -> Facts {
    run_in(
        detect,
        catalog,
        &WalkOutput::default(),
        Path::new(NO_ROOT),
        files,
    )
}

/// [`run`] with a walk and a root directory further files are read from.
pub fn run_in(
    detect: DetectFn,
    catalog: &Catalog,
    walk: &WalkOutput,
    root: &Path,
    files: &[(FileKind, &str, &str)],
) -> Facts {
    let steps = StepRules::empty();
    detect_sources(detect, catalog, &steps, walk, root, &sources(files))
}

/// Call `detect` on `sources` with a context made of these parts.
pub fn detect_sources(
    detect: DetectFn,
    catalog: &Catalog,
    ci_steps: &StepRules,
    walk: &WalkOutput,
    root: &Path,
    sources: &[(FileKind, SourceFile)],
) -> Facts {
    let reader = Reader::new(root);
    let ctx = DetectContext {
        catalog,
        walk,
        reader: &reader,
        ci_steps,
    };
    let refs: Vec<(FileKind, &SourceFile)> = sources.iter().map(|(k, s)| (*k, s)).collect();
    detect(&ctx, &refs)
}

/// Write (path, text) files to a temporary directory.
pub fn write_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let abs = dir.path().join(path);
        std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
        std::fs::write(abs, text).unwrap();
    }
    dir
}

/// Write (path, text) files to a temporary tree, walk it as a scan would,
/// and run `detect` on the files the walk classifies as one of `kinds`.
pub fn run_tree(
    detect: DetectFn,
    catalog: &Catalog,
    ci_steps: &StepRules,
    kinds: &[FileKind],
    files: &[(&str, &str)],
) -> Facts {
    let dir = write_tree(files);
    let walk = crate::walk::walk(dir.path(), catalog);
    let reader = Reader::new(dir.path());
    let sources: Vec<(FileKind, SourceFile)> = walk
        .files
        .iter()
        .filter(|f| kinds.contains(&f.kind))
        .map(|f| (f.kind, reader.read_at(&f.path, &f.abs).unwrap()))
        .collect();
    assert!(!sources.is_empty(), "no file of kinds {kinds:?}");
    detect_sources(detect, catalog, ci_steps, &walk, dir.path(), &sources)
}

/// (name, scope, line) of each dependency of `manifest`, in order.
pub fn deps(manifest: &Manifest) -> Vec<(&str, DependencyScope, u32)> {
    manifest
        .dependencies
        .iter()
        .map(|d| (d.name.as_str(), d.scope, d.line))
        .collect()
}

/// The manifest at `path`.
pub fn manifest<'a>(facts: &'a Facts, path: &str) -> &'a Manifest {
    facts
        .manifests
        .iter()
        .find(|m| m.path == path)
        .unwrap_or_else(|| panic!("no manifest {path}"))
}

/// (technology id, line, reason) of every detection, sorted.
pub fn detections(catalog: &Catalog, facts: &Facts) -> Vec<(String, u32, String)> {
    let mut out: Vec<(String, u32, String)> = facts
        .detections
        .iter()
        .map(|d| (catalog.get(d.tech).id.clone(), d.line, d.reason.clone()))
        .collect();
    out.sort();
    out
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
