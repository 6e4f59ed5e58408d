//! Requirements files as manifests: each file's requirements plus those of the
//! files it includes with `-r` (followed through the reader, relative to the
//! including file, at most [`MAX_INCLUDE_DEPTH`] deep, cycles reported), with
//! a scope taken from each file's own name, and whether everything is pinned.
//!
//! An included requirement keeps the path and line of the file it is written
//! in. When the included file is itself a requirements manifest, both routes
//! give the same (name, scope, path, line), so components count it once.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::report_errors;
use crate::detect::{DetectContext, Facts, Manifest, ManifestRole, join_path, parent_dir};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::requirements::{self, IncludeKind, Pin, RequirementsFile};
use crate::source::SourceFile;

/// How many files deep `-r` includes are followed.
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// Words in a requirements file's name that make its requirements dev-only.
const DEV_WORDS: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "linters",
    "ci",
    "doc",
    "docs",
    "typing",
];

/// A parsed requirements file.
struct Loaded<'a> {
    src: Cow<'a, SourceFile>,
    parsed: RequirementsFile,
}

/// Requirements files of one scan, each parsed at most once.
pub struct RequirementsFiles<'a, 'c> {
    ctx: &'a DetectContext<'c>,
    /// The requirements files the walk found (already read), by path.
    listed: HashMap<&'a str, &'a SourceFile>,
    cache: HashMap<String, Rc<Loaded<'a>>>,
}

/// What one manifest gathers through its includes.
#[derive(Default)]
struct Gathered {
    dependencies: Vec<Dependency>,
    exact: usize,
    loose: usize,
}

impl<'a, 'c> RequirementsFiles<'a, 'c> {
    pub fn new(
        ctx: &'a DetectContext<'c>,
        listed: impl IntoIterator<Item = &'a SourceFile>,
    ) -> Self {
        Self {
            ctx,
            listed: listed.into_iter().map(|s| (s.path.as_str(), s)).collect(),
            cache: HashMap::new(),
        }
    }

    /// The manifest of a requirements file the walk found.
    pub fn manifest(&mut self, src: &'a SourceFile, facts: &mut Facts) {
        let loaded = self.load_listed(src);
        report_errors(src, &loaded.parsed.errors, facts);
        let mut gathered = Gathered::default();
        let mut stack = vec![src.path.clone()];
        let mut visited = HashSet::from([src.path.clone()]);
        self.gather(&loaded, &mut stack, &mut visited, &mut gathered, facts);

        let constraints = is_constraints_file(&src.path);
        let role = if constraints {
            ManifestRole::Supplement
        } else {
            ManifestRole::Package
        };
        let mut manifest = Manifest::new(&src.path, Ecosystem::Python, role);
        manifest.dir = component_dir(&src.path).to_string();
        manifest.fully_pinned = gathered.exact > 0 && gathered.loose == 0;
        if !constraints {
            manifest.dependencies = gathered.dependencies;
        }
        facts.manifests.push(manifest);
    }

    fn load_listed(&mut self, src: &'a SourceFile) -> Rc<Loaded<'a>> {
        if let Some(loaded) = self.cache.get(&src.path) {
            return Rc::clone(loaded);
        }
        let loaded = Rc::new(Loaded {
            parsed: requirements::parse(src),
            src: Cow::Borrowed(src),
        });
        self.cache.insert(src.path.clone(), Rc::clone(&loaded));
        loaded
    }

    /// Add `loaded`'s requirements and, recursively, those of its includes.
    /// `stack` holds the chain of files being included (for cycles),
    /// `visited` every file already gathered for this manifest.
    fn gather(
        &mut self,
        loaded: &Loaded<'a>,
        stack: &mut Vec<String>,
        visited: &mut HashSet<String>,
        gathered: &mut Gathered,
        facts: &mut Facts,
    ) {
        let src = loaded.src.as_ref();
        let scope = scope_of(&src.path);
        for req in &loaded.parsed.requirements {
            match req.pin {
                Pin::Exact => gathered.exact += 1,
                Pin::Loose => gathered.loose += 1,
                Pin::Reference => {}
            }
            // A transitive pin of a compiled file is not a dependency the
            // project declared (and would make technologies appear that only
            // a library uses), but it still counts for pinning above.
            if req.is_transitive() {
                continue;
            }
            gathered.dependencies.push(Dependency {
                name: req.name.clone(),
                scope,
                path: src.path.clone(),
                line: src.line(req.span.start),
            });
        }
        for include in &loaded.parsed.includes {
            if include.path.contains("://") || include.path.contains("${") {
                // A remote file (never fetched) or a path pip builds from
                // environment variables (unknown here).
                continue;
            }
            let at = include.span.start;
            let Some(target) = join_path(parent_dir(&src.path), &include.path) else {
                facts.problem_at(
                    src,
                    at,
                    format!(
                        "`{}` is outside the scanned directory; not read",
                        include.path
                    ),
                );
                continue;
            };
            if include.kind == IncludeKind::Constraints {
                // Constraints add no dependency; only check the file is there.
                if !self.exists(&target) {
                    facts.problem_at(
                        src,
                        at,
                        format!("constraints file `{target}` does not exist"),
                    );
                }
                continue;
            }
            if let Some(start) = stack.iter().position(|p| *p == target) {
                let mut chain: Vec<&str> = stack.iter().skip(start).map(String::as_str).collect();
                chain.push(&target);
                facts.problem_at(src, at, format!("include cycle: {}", chain.join(" -> ")));
                continue;
            }
            if !visited.insert(target.clone()) {
                continue;
            }
            if stack.len() > MAX_INCLUDE_DEPTH {
                facts.problem_at(
                    src,
                    at,
                    format!(
                        "requirements includes nest more than {MAX_INCLUDE_DEPTH} files deep; `{target}` not read"
                    ),
                );
                continue;
            }
            let Some(included) = self.load_included(&target, src, at, facts) else {
                continue;
            };
            stack.push(target);
            self.gather(&included, stack, visited, gathered, facts);
            stack.pop();
        }
    }

    /// An included file, from the walk's files or through the reader. A file
    /// the walk did not list reports its own syntax errors here.
    fn load_included(
        &mut self,
        target: &str,
        includer: &SourceFile,
        at: usize,
        facts: &mut Facts,
    ) -> Option<Rc<Loaded<'a>>> {
        if let Some(src) = self.listed.get(target).copied() {
            return Some(self.load_listed(src));
        }
        if let Some(loaded) = self.cache.get(target) {
            return Some(Rc::clone(loaded));
        }
        match self.ctx.reader.read(target) {
            Ok(src) => {
                let parsed = requirements::parse(&src);
                report_errors(&src, &parsed.errors, facts);
                let loaded = Rc::new(Loaded {
                    src: Cow::Owned(src),
                    parsed,
                });
                self.cache.insert(target.to_string(), Rc::clone(&loaded));
                Some(loaded)
            }
            Err(problem) => {
                let message = if self.exists(target) {
                    format!("cannot read included file `{target}`: {}", problem.message)
                } else {
                    format!("included file `{target}` does not exist")
                };
                facts.problem_at(includer, at, message);
                None
            }
        }
    }

    fn exists(&self, path: &str) -> bool {
        self.ctx.has_file(path) || self.ctx.reader.exists(path)
    }
}

/// Dev when a word of the file name says so (`requirements-dev.txt`,
/// `requirements/test.txt`, `ci-requirements.in`), else runtime.
pub fn scope_of(path: &str) -> DependencyScope {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let dev = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| DEV_WORDS.contains(&word));
    if dev {
        DependencyScope::Dev
    } else {
        DependencyScope::Runtime
    }
}

/// A file in a `requirements/` directory speaks for the directory above it.
pub fn component_dir(path: &str) -> &str {
    let dir = parent_dir(path);
    match dir.rsplit_once('/') {
        Some((above, "requirements")) => above,
        None if dir == "requirements" => "",
        _ => dir,
    }
}

/// `constraints.txt` (and `constraints-*.txt`): pins versions, declares nothing.
fn is_constraints_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("constraints")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_follows_words_of_the_file_name() {
        assert_eq!(scope_of("requirements-dev.txt"), DependencyScope::Dev);
        assert_eq!(scope_of("requirements/test.txt"), DependencyScope::Dev);
        assert_eq!(scope_of("requirements_ci.in"), DependencyScope::Dev);
        assert_eq!(scope_of("requirements.docs.txt"), DependencyScope::Dev);
        assert_eq!(scope_of("requirements/typing.txt"), DependencyScope::Dev);
        assert_eq!(scope_of("requirements.txt"), DependencyScope::Runtime);
        assert_eq!(scope_of("requirements/prod.txt"), DependencyScope::Runtime);
        // Words, not substrings.
        assert_eq!(
            scope_of("requirements-docker.txt"),
            DependencyScope::Runtime
        );
        assert_eq!(
            scope_of("requirements-devices.txt"),
            DependencyScope::Runtime
        );
        assert_eq!(scope_of("dev/requirements.txt"), DependencyScope::Runtime);
    }

    #[test]
    fn requirements_directories_speak_for_their_parent() {
        assert_eq!(component_dir("requirements/base.txt"), "");
        assert_eq!(component_dir("api/requirements/base.txt"), "api");
        assert_eq!(component_dir("api/requirements.txt"), "api");
        assert_eq!(component_dir("requirements.txt"), "");
    }
}
