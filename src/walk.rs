//! Walking the tree: list every file once (gitignore-aware, in parallel, like
//! `rg --files`), classify each path into a [`FileKind`] by its name alone, and
//! count languages by extension. Nothing is read here; `scan` reads only the
//! files whose kind needs it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::catalog::{Catalog, TechId};

mod classify;
mod git_index;

use crate::model::Problem;
pub use classify::{FileKind, classify};

/// Files larger than this are never read; a manifest over it is a problem.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Directories never entered: version control, dependency caches, virtual
/// environments and tool caches. They hold other people's manifests (every
/// package in `node_modules` has a `package.json`) and thousands of files.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".jj",
    "node_modules",
    "bower_components",
    "jspm_packages",
    ".yarn",
    ".pnpm-store",
    "vendor",
    ".venv",
    "venv",
    ".virtualenv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".gradle",
    ".m2",
    ".terraform",
    ".terragrunt-cache",
    ".serverless",
    ".aws-sam",
    ".next",
    ".nuxt",
    ".svelte-kit",
    ".turbo",
    ".parcel-cache",
    ".angular",
    ".cache",
    ".bundle",
    "target",
    "_build",
    "deps",
    "elm-stuff",
    "Pods",
];

/// Directories whose files are build output or generated: walked (a `build/`
/// folder often holds Dockerfiles) but left out of language statistics.
const GENERATED_DIRS: &[&str] = &[
    "dist",
    "build",
    "out",
    "obj",
    "generated",
    "__generated__",
    "third_party",
    "third-party",
    "coverage",
    "site-packages",
];

/// Directories of test data: the manifests, Dockerfiles and CI files in them
/// are samples for a test, not parts of the repository's stack. Their source
/// files still count in the language statistics.
const FIXTURE_DIRS: &[&str] = &[
    "fixtures",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
    "test-fixtures",
    "test_fixtures",
];

/// Directory names that hold tests.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "e2e",
    "integration-tests",
    "integration_tests",
    "testing",
];

/// A file the walk found and classified.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub abs: PathBuf,
    pub kind: FileKind,
    /// The walk saw a symlink (never followed; read only if it stays inside the root).
    pub symlink: bool,
}

/// Everything the walk learned without reading a file.
#[derive(Debug, Default)]
pub struct WalkOutput {
    /// Classified files (kind other than `Other`), sorted by path.
    pub files: Vec<FoundFile>,
    /// Language id index → (files, bytes).
    pub languages: BTreeMap<TechId, (u64, u64)>,
    /// The first file (in path order) of each language, for evidence.
    pub language_first_file: BTreeMap<TechId, String>,
    /// Marker files (path, technology), sorted.
    pub markers: Vec<(String, TechId)>,
    /// Directories that hold tests (sorted, deduplicated).
    pub test_dirs: Vec<String>,
    /// Source files per language in each directory (directly in it).
    pub dir_languages: BTreeMap<String, BTreeMap<TechId, u64>>,
    /// Every directory seen, relative to the root (sorted).
    pub dirs: Vec<String>,
    /// Entries the walk could not read.
    pub problems: Vec<Problem>,
    /// Number of files listed.
    pub file_count: u64,
}

#[derive(Default)]
struct Partial {
    files: Vec<FoundFile>,
    languages: HashMap<TechId, (u64, u64, String)>,
    markers: Vec<(String, TechId)>,
    test_dirs: HashSet<String>,
    dir_languages: HashMap<String, HashMap<TechId, u64>>,
    dirs: Vec<String>,
    problems: Vec<Problem>,
    file_count: u64,
    /// Source files whose size the language statistics need: sized after
    /// the walk, from git's index when it has them, else by a stat.
    to_size: Vec<(TechId, String)>,
}

/// What the walk knows of one directory while visiting its files.
struct DirInfo {
    path: String,
    /// Inside a directory of test data: nothing in it is classified.
    fixture: bool,
    /// Inside a build-output or generated directory: no language statistics.
    generated: bool,
    /// Inside a test directory: its source files are tests.
    test: bool,
    counts: HashMap<TechId, u64>,
}

impl DirInfo {
    fn new(path: &str) -> Self {
        let mut info = DirInfo {
            path: path.to_string(),
            fixture: false,
            generated: false,
            test: false,
            counts: HashMap::new(),
        };
        for dir in path.split('/') {
            info.fixture |= FIXTURE_DIRS.contains(&dir);
            info.generated |= GENERATED_DIRS.contains(&dir);
            info.test |= TEST_DIRS.contains(&dir);
        }
        info
    }
}

struct Visitor<'a> {
    root: &'a Path,
    catalog: &'a Catalog,
    local: Partial,
    /// Buffers reused for every file's marker matching.
    scratch: Vec<usize>,
    marker_techs: Vec<TechId>,
    /// The directory being visited: a directory's files come one after
    /// another, so what depends on the directory alone is worked out once and
    /// its language counts are added up here and stored once.
    current_dir: Option<DirInfo>,
    sink: &'a Mutex<Vec<Partial>>,
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        self.flush_dir();
        let local = std::mem::take(&mut self.local);
        if let Ok(mut sink) = self.sink.lock() {
            sink.push(local);
        }
    }
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => self.visit_entry(&entry),
            Err(err) => self.local.problems.push(walk_problem(self.root, &err)),
        }
        WalkState::Continue
    }
}

impl Visitor<'_> {
    fn flush_dir(&mut self) {
        if let Some(info) = self.current_dir.take()
            && !info.counts.is_empty()
        {
            let slot = self.local.dir_languages.entry(info.path).or_default();
            for (lang, n) in info.counts {
                *slot.entry(lang).or_default() += n;
            }
        }
    }

    /// The directory `parent`'s facts, computed when its first file arrives.
    fn dir_info(&mut self, parent: &str) -> &mut DirInfo {
        if self
            .current_dir
            .as_ref()
            .is_none_or(|info| info.path != parent)
        {
            self.flush_dir();
        }
        self.current_dir.get_or_insert_with(|| DirInfo::new(parent))
    }

    fn visit_entry(&mut self, entry: &DirEntry) {
        let Some(file_type) = entry.file_type() else {
            return;
        };
        let rel = relative(self.root, entry.path());
        if file_type.is_dir() {
            if !rel.is_empty() {
                self.local.dirs.push(rel);
            }
            return;
        }
        let symlink = file_type.is_symlink();
        if !file_type.is_file() && !symlink {
            return;
        }
        self.local.file_count += 1;
        let (parent, name) = classify::split_path(&rel);
        let (fixture, generated, in_test_dir) = {
            let info = self.dir_info(parent);
            (info.fixture, info.generated, info.test)
        };
        let kind = if fixture {
            FileKind::Other
        } else {
            classify::classify_parts(parent, name)
        };
        let ext = name.rfind('.').map(|i| &name[i + 1..]);

        let language = match ext {
            Some(ext) if !symlink && !generated && !is_generated_name(name) => {
                self.catalog.language_of_extension(ext)
            }
            _ => None,
        };
        if let Some(lang) = language {
            let slot = self
                .local
                .languages
                .entry(lang)
                .or_insert_with(|| (0, 0, rel.clone()));
            slot.0 += 1;
            if rel < slot.2 {
                slot.2.clone_from(&rel);
            }
            if (in_test_dir || is_test_file_name(name)) && !self.local.test_dirs.contains(parent) {
                self.local.test_dirs.insert(parent.to_string());
            }
            *self.dir_info(parent).counts.entry(lang).or_default() += 1;
        }
        if !fixture {
            self.catalog
                .match_file_into(&rel, name, &mut self.scratch, &mut self.marker_techs);
        }
        for tech in self.marker_techs.drain(..) {
            self.local.markers.push((rel.clone(), tech));
        }
        match (kind != FileKind::Other, language) {
            (true, language) => {
                if let Some(lang) = language {
                    self.local.to_size.push((lang, rel.clone()));
                }
                self.local.files.push(FoundFile {
                    abs: entry.path().to_path_buf(),
                    path: rel,
                    kind,
                    symlink,
                });
            }
            (false, Some(lang)) => self.local.to_size.push((lang, rel)),
            (false, None) => {}
        }
    }
}

struct Builder<'a> {
    root: &'a Path,
    catalog: &'a Catalog,
    sink: &'a Mutex<Vec<Partial>>,
}

impl<'s> ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            root: self.root,
            catalog: self.catalog,
            local: Partial::default(),
            scratch: Vec::new(),
            marker_techs: Vec::new(),
            current_dir: None,
            sink: self.sink,
        })
    }
}

/// Walk `root` and classify every file.
pub fn walk(root: &Path, catalog: &Catalog) -> WalkOutput {
    let sink = Mutex::new(Vec::new());
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let name = entry.file_name().to_string_lossy();
            // `.git` may also be a file (worktrees, submodules).
            !(name == ".git" || is_dir && SKIPPED_DIRS.contains(&name.as_ref()))
        });
    // git's index is read while the tree is walked.
    let (index_sizes, ()) = rayon::join(
        || git_index::sizes(root),
        || {
            builder.build_parallel().visit(&mut Builder {
                root,
                catalog,
                sink: &sink,
            });
        },
    );

    let partials = sink
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut out = WalkOutput::default();
    let mut test_dirs = HashSet::new();
    let mut to_size: Vec<(TechId, String)> = Vec::new();
    for partial in partials {
        to_size.extend(partial.to_size);
        out.files.extend(partial.files);
        out.markers.extend(partial.markers);
        out.dirs.extend(partial.dirs);
        out.problems.extend(partial.problems);
        out.file_count += partial.file_count;
        test_dirs.extend(partial.test_dirs);
        for (dir, counts) in partial.dir_languages {
            let slot = out.dir_languages.entry(dir).or_default();
            for (lang, n) in counts {
                *slot.entry(lang).or_default() += n;
            }
        }
        for (lang, (files, bytes, first)) in partial.languages {
            let slot = out.languages.entry(lang).or_insert((0, 0));
            slot.0 += files;
            slot.1 += bytes;
            let first_slot = out
                .language_first_file
                .entry(lang)
                .or_insert_with(|| first.clone());
            if first < *first_slot {
                *first_slot = first;
            }
        }
    }
    for (lang, bytes) in language_bytes(root, index_sizes.as_ref(), &to_size) {
        if let Some(slot) = out.languages.get_mut(&lang) {
            slot.1 += bytes;
        }
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.markers.sort();
    out.dirs.sort();
    out.problems.sort();
    out.test_dirs = test_dirs.into_iter().collect();
    out.test_dirs.sort();
    out
}

/// Bytes of source per language: sizes from git's index for tracked files
/// (no system call), a stat (in parallel) for the others.
fn language_bytes(
    root: &Path,
    index: Option<&git_index::IndexSizes>,
    files: &[(TechId, String)],
) -> HashMap<TechId, u64> {
    use rayon::prelude::*;
    files
        .par_iter()
        .fold(
            HashMap::new,
            |mut acc: HashMap<TechId, u64>, (lang, rel)| {
                let size = match index.and_then(|sizes| sizes.get(rel)) {
                    Some(size) => size,
                    None => std::fs::symlink_metadata(root.join(rel)).map_or(0, |m| m.len()),
                };
                *acc.entry(*lang).or_default() += size;
                acc
            },
        )
        .reduce(HashMap::new, |mut a, b| {
            for (lang, n) in b {
                *a.entry(lang).or_default() += n;
            }
            a
        })
}

/// The relative, `/`-separated form of a path under `root` (lossy for
/// non-UTF-8 names, which only affects how the path is shown).
pub fn relative(root: &Path, path: &Path) -> String {
    let to_slashes = |text: &str| {
        if std::path::MAIN_SEPARATOR == '/' {
            text.to_string()
        } else {
            text.replace(std::path::MAIN_SEPARATOR, "/")
        }
    };
    // Every path the walk yields starts with the root as given: compare bytes
    // rather than path components (this runs for every file).
    let bytes = path.as_os_str().as_encoded_bytes();
    let root_bytes = root.as_os_str().as_encoded_bytes();
    let is_separator = |b: &u8| *b == b'/' || (std::path::MAIN_SEPARATOR == '\\' && *b == b'\\');
    if let Some(rest) = bytes.strip_prefix(root_bytes) {
        let rest = match rest.first() {
            None => Some(rest),
            Some(b) if is_separator(b) => Some(&rest[1..]),
            Some(_) if root_bytes.last().is_some_and(is_separator) => Some(rest),
            // `root` is `a/b` and this is `a/bc/...`: not under the root.
            Some(_) => None,
        };
        if let Some(text) = rest.and_then(|r| std::str::from_utf8(r).ok()) {
            return to_slashes(text);
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    if let Some(text) = rel.to_str() {
        return to_slashes(text);
    }
    let mut out = String::new();
    for (i, part) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

fn walk_problem(root: &Path, err: &ignore::Error) -> Problem {
    let path = find_error_path(err).map_or_else(|| ".".to_string(), |p| relative(root, p));
    Problem {
        path,
        line: 1,
        column: 1,
        message: format!("cannot read: {}", io_message(err)),
    }
}

fn find_error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            find_error_path(err)
        }
        _ => None,
    }
}

fn io_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => io_message(err),
        other => other.to_string(),
    }
}

/// Generated or minified files, by their name.
fn is_generated_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".min.js")
        || lower.ends_with(".min.css")
        || lower.ends_with(".bundle.js")
        || lower.ends_with(".pb.go")
        || lower.ends_with("_pb2.py")
        || lower.ends_with("_pb2_grpc.py")
        || lower.ends_with(".generated.cs")
        || lower.ends_with(".g.cs")
        || lower.ends_with(".designer.cs")
        || lower.ends_with(".d.ts")
        || lower.ends_with("_generated.go")
        || lower.ends_with(".gen.go")
}

fn is_test_file_name(name: &str) -> bool {
    let (stem, ext) = match name.rsplit_once('.') {
        Some(split) => split,
        None => return false,
    };
    match ext {
        "go" => stem.ends_with("_test"),
        "py" => stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest",
        "js" | "jsx" | "ts" | "tsx" | "mjs" | "cjs" | "mts" | "cts" => {
            stem.ends_with(".test") || stem.ends_with(".spec")
        }
        "java" | "kt" | "scala" | "groovy" => {
            stem.ends_with("Test")
                || stem.ends_with("Tests")
                || stem.ends_with("IT")
                || stem.ends_with("Spec")
        }
        "rb" => stem.ends_with("_spec") || stem.ends_with("_test"),
        "cs" | "fs" | "vb" => stem.ends_with("Tests") || stem.ends_with("Test"),
        "php" => stem.ends_with("Test"),
        "exs" => stem.ends_with("_test"),
        "rs" => stem == "tests" || stem.ends_with("_test") || stem.ends_with("_tests"),
        "swift" => stem.ends_with("Tests"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_files_are_recognised_by_name_and_directory() {
        let is_test = |dir: &str, name: &str| DirInfo::new(dir).test || is_test_file_name(name);
        assert!(is_test("api/tests", "helpers.py"));
        assert!(is_test("pkg", "handler_test.go"));
        assert!(!is_test("src", "app.ts"));
        assert!(is_test("svc/src/test/java", "Foo.java"));
        assert!(is_test("tests/Api.Tests", "HealthTests.cs"));
        assert!(
            !is_test("src/contest", "app.ts"),
            "a word containing test is not a test dir"
        );
    }

    #[test]
    fn relative_paths_are_slash_separated_and_rooted_correctly() {
        use std::path::Path;
        assert_eq!(
            relative(Path::new("."), Path::new("./src/a.rs")),
            "src/a.rs"
        );
        assert_eq!(
            relative(Path::new("repo/"), Path::new("repo/src/a.rs")),
            "src/a.rs"
        );
        assert_eq!(relative(Path::new("repo"), Path::new("repo")), "");
        assert_eq!(relative(Path::new("/r/a"), Path::new("/r/a/b/c")), "b/c");
        assert_eq!(relative(Path::new("/r/a"), Path::new("/r/ab/c")), "/r/ab/c");
    }

    #[test]
    fn generated_files_are_left_out() {
        assert!(DirInfo::new("web/dist").generated);
        assert!(is_generated_name("app.min.js"));
        assert!(!DirInfo::new("src").generated && !is_generated_name("app.js"));
        assert!(DirInfo::new("tests/fixtures/app").fixture);
    }
}
