//! Components: one per manifest root. A directory with a package manifest is a
//! component; workspace roots and their members are distinct components, and
//! each owns the dependencies its own manifests declare.

use std::collections::{BTreeMap, BTreeSet};

use globset::{Glob, GlobSetBuilder};

use crate::catalog::{Catalog, TechId};
use crate::detect::{Manifest, ManifestRole};
use crate::model::{Component, ComponentKind, Dependency, Ecosystem};
use crate::walk::WalkOutput;

/// A component while it is being built.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Directory relative to the root (`""` for the root).
    pub dir: String,
    pub name: String,
    pub ecosystem: Ecosystem,
    pub language: String,
    pub manifests: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub executable: bool,
    pub lockfile: Option<String>,
    pub has_tests: bool,
    pub workspace: Option<String>,
    pub kind: ComponentKind,
    pub technologies: BTreeSet<String>,
}

impl Draft {
    pub fn path(&self) -> String {
        display_dir(&self.dir)
    }

    pub fn into_component(self) -> Component {
        Component {
            path: display_dir(&self.dir),
            name: self.name,
            ecosystem: self.ecosystem,
            language: self.language,
            kind: self.kind,
            manifests: self.manifests,
            lockfile: self.lockfile,
            has_tests: self.has_tests,
            technologies: self.technologies.into_iter().collect(),
            workspace: self.workspace,
            dependencies: self.dependencies,
        }
    }
}

/// `"."` for the root, else the directory itself.
pub fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".to_string()
    } else {
        dir.to_string()
    }
}

/// When one directory has manifests of several ecosystems, the component takes
/// the first of this order: a `package.json` beside a pyproject.toml, Gemfile or
/// pom.xml is nearly always front-end tooling of that application.
const ECOSYSTEM_PRIORITY: [Ecosystem; 9] = [
    Ecosystem::Python,
    Ecosystem::Ruby,
    Ecosystem::Php,
    Ecosystem::Jvm,
    Ecosystem::Dotnet,
    Ecosystem::Elixir,
    Ecosystem::Go,
    Ecosystem::Rust,
    Ecosystem::Node,
];

/// Build component drafts from manifests. `root_name` names the root component
/// when its manifests declare no name.
pub fn build(
    manifests: &[Manifest],
    walk: &WalkOutput,
    catalog: &Catalog,
    root_name: &str,
) -> Vec<Draft> {
    let mut by_dir: BTreeMap<&str, Vec<&Manifest>> = BTreeMap::new();
    for manifest in manifests {
        if manifest.role == ManifestRole::Package {
            by_dir
                .entry(manifest.dir.as_str())
                .or_default()
                .push(manifest);
        }
    }
    let component_dirs: Vec<String> = by_dir.keys().map(|d| (*d).to_string()).collect();
    let owned = owned_languages(walk, &component_dirs);

    let mut drafts: Vec<Draft> = Vec::new();
    for (index, (dir, group)) in by_dir.iter().enumerate() {
        let ecosystem = ECOSYSTEM_PRIORITY
            .into_iter()
            .find(|eco| group.iter().any(|m| m.ecosystem == *eco))
            .unwrap_or(group[0].ecosystem);
        let primary: Vec<&&Manifest> = group.iter().filter(|m| m.ecosystem == ecosystem).collect();
        let name = primary
            .iter()
            .find_map(|m| m.name.clone())
            .unwrap_or_else(|| default_name(dir, root_name));
        let language = primary
            .iter()
            .find_map(|m| m.language.clone())
            .unwrap_or_else(|| {
                default_language(ecosystem, dir, group, walk, catalog, &owned[index]).to_string()
            });
        drafts.push(Draft {
            dir: (*dir).to_string(),
            name,
            ecosystem,
            language,
            manifests: Vec::new(),
            dependencies: Vec::new(),
            executable: primary.iter().any(|m| m.executable),
            lockfile: None,
            has_tests: false,
            workspace: None,
            kind: ComponentKind::Library,
            technologies: BTreeSet::new(),
        });
    }

    // Manifests and dependencies: every manifest of a component directory,
    // supplements included.
    for manifest in manifests {
        if manifest.role == ManifestRole::WorkspaceOnly {
            continue;
        }
        if let Some(draft) = drafts.iter_mut().find(|d| d.dir == manifest.dir) {
            draft.manifests.push(manifest.path.clone());
            draft
                .dependencies
                .extend(manifest.dependencies.iter().cloned());
        }
    }
    for draft in &mut drafts {
        draft.manifests.sort();
        draft.manifests.dedup();
        draft.dependencies.sort();
        draft.dependencies.dedup();
    }

    assign_workspaces(manifests, &mut drafts);
    dedupe_names(&mut drafts);
    for draft in &mut drafts {
        draft.lockfile = find_lockfile(draft, manifests, walk);
    }
    mark_tests(&mut drafts, walk);
    drafts
}

fn default_name(dir: &str, root_name: &str) -> String {
    match dir.rsplit('/').next() {
        Some(last) if !last.is_empty() => last.to_string(),
        _ => root_name.to_string(),
    }
}

/// Source files per language that each component owns (not those of nested
/// components), indexed like `component_dirs`.
fn owned_languages(walk: &WalkOutput, component_dirs: &[String]) -> Vec<BTreeMap<TechId, u64>> {
    let mut owned = vec![BTreeMap::new(); component_dirs.len()];
    let owners = Owners::new(component_dirs);
    for (dir, counts) in &walk.dir_languages {
        if let Some(owner) = owners.owner(dir) {
            for (lang, n) in counts {
                *owned[owner].entry(*lang).or_default() += n;
            }
        }
    }
    owned
}

fn default_language(
    ecosystem: Ecosystem,
    dir: &str,
    group: &[&Manifest],
    walk: &WalkOutput,
    catalog: &Catalog,
    owned: &BTreeMap<TechId, u64>,
) -> &'static str {
    let count = |id: &str| -> u64 {
        catalog
            .id_of(id)
            .and_then(|lang| owned.get(&lang).copied())
            .unwrap_or(0)
    };
    match ecosystem {
        Ecosystem::Node => {
            let tsconfig = if dir.is_empty() {
                "tsconfig.json".to_string()
            } else {
                format!("{dir}/tsconfig.json")
            };
            let has_tsconfig = walk
                .files
                .binary_search_by(|f| f.path.as_str().cmp(&tsconfig))
                .is_ok();
            let ts_dep = group
                .iter()
                .flat_map(|m| &m.dependencies)
                .any(|d| d.name == "typescript" || d.name.starts_with("@types/"));
            let ts_files = count("typescript");
            if has_tsconfig || ts_dep || ts_files > 0 && ts_files >= count("javascript") {
                "typescript"
            } else {
                "javascript"
            }
        }
        Ecosystem::Python => "python",
        Ecosystem::Rust => "rust",
        Ecosystem::Go => "go",
        Ecosystem::Jvm => {
            let java = count("java");
            [
                ("kotlin", count("kotlin")),
                ("scala", count("scala")),
                ("groovy", count("groovy")),
            ]
            .into_iter()
            .filter(|(_, n)| *n > java)
            .max_by_key(|(_, n)| *n)
            .map_or("java", |(id, _)| id)
        }
        Ecosystem::Ruby => "ruby",
        Ecosystem::Php => "php",
        Ecosystem::Dotnet => "csharp",
        Ecosystem::Elixir => "elixir",
    }
}

/// Mark members of each declared workspace with the workspace root's path.
fn assign_workspaces(manifests: &[Manifest], drafts: &mut [Draft]) {
    for manifest in manifests {
        if manifest.workspace_members.is_empty() {
            continue;
        }
        let include = glob_set(&manifest.workspace_members);
        let exclude = glob_set(&manifest.workspace_exclude);
        let root = display_dir(&manifest.dir);
        for draft in drafts.iter_mut() {
            if draft.dir == manifest.dir || draft.workspace.is_some() {
                continue;
            }
            let Some(rel) = relative_to(&draft.dir, &manifest.dir) else {
                continue;
            };
            if include.is_match(rel) && !exclude.is_match(rel) {
                draft.workspace = Some(root.clone());
            }
        }
    }
}

fn glob_set(patterns: &[String]) -> globset::GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern
            .trim()
            .trim_start_matches("./")
            .trim_end_matches('/');
        if let Ok(glob) = Glob::new(pattern) {
            builder.add(glob);
        }
    }
    builder
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty())
}

/// `dir` relative to `base`, if it is inside it.
pub fn relative_to<'a>(dir: &'a str, base: &str) -> Option<&'a str> {
    if base.is_empty() {
        return Some(dir);
    }
    dir.strip_prefix(base)?.strip_prefix('/')
}

/// Two components declaring the same package name are told apart by path.
fn dedupe_names(drafts: &mut [Draft]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for draft in drafts.iter() {
        *counts.entry(draft.name.clone()).or_default() += 1;
    }
    for draft in drafts.iter_mut() {
        // The root keeps its name; the others are named by their path, which
        // is unique.
        if counts.get(&draft.name).copied().unwrap_or(0) > 1 && !draft.dir.is_empty() {
            draft.name = draft.path();
        }
    }
}

/// Lockfile names per ecosystem, in the order they are preferred.
fn lockfile_names(ecosystem: Ecosystem) -> &'static [&'static str] {
    match ecosystem {
        Ecosystem::Node => &[
            "pnpm-lock.yaml",
            "yarn.lock",
            "package-lock.json",
            "npm-shrinkwrap.json",
            "bun.lock",
            "bun.lockb",
        ],
        Ecosystem::Python => &[
            "uv.lock",
            "poetry.lock",
            "pdm.lock",
            "Pipfile.lock",
            "pylock.toml",
        ],
        Ecosystem::Rust => &["Cargo.lock"],
        Ecosystem::Go => &["go.sum"],
        Ecosystem::Jvm => &["gradle.lockfile"],
        Ecosystem::Ruby => &["Gemfile.lock", "gems.locked"],
        Ecosystem::Php => &["composer.lock"],
        Ecosystem::Dotnet => &["packages.lock.json"],
        Ecosystem::Elixir => &["mix.lock"],
    }
}

fn find_lockfile(draft: &Draft, manifests: &[Manifest], walk: &WalkOutput) -> Option<String> {
    let mut dirs = vec![draft.dir.clone()];
    if let Some(ws) = &draft.workspace {
        dirs.push(if ws == "." { String::new() } else { ws.clone() });
    }
    for dir in &dirs {
        for name in lockfile_names(draft.ecosystem) {
            let path = if dir.is_empty() {
                (*name).to_string()
            } else {
                format!("{dir}/{name}")
            };
            if walk
                .files
                .binary_search_by(|f| f.path.as_str().cmp(&path))
                .is_ok()
            {
                return Some(path);
            }
        }
    }
    // A compiled requirements file (every dependency pinned) is its own lock.
    // `requirements.in` is pip-compile's input, never the lock.
    manifests
        .iter()
        .filter(|m| m.dir == draft.dir && m.ecosystem == draft.ecosystem && m.fully_pinned)
        .filter(|m| !m.path.ends_with(".in"))
        .map(|m| m.path.clone())
        .min()
}

/// A component has tests when a test directory or test file lies inside it and
/// no nested component owns it.
fn mark_tests(drafts: &mut [Draft], walk: &WalkOutput) {
    let dirs: Vec<String> = drafts.iter().map(|d| d.dir.clone()).collect();
    let owners = Owners::new(&dirs);
    for test_dir in &walk.test_dirs {
        if let Some(owner) = owners.owner(test_dir) {
            drafts[owner].has_tests = true;
        }
    }
}

/// Which component owns a path, by looking its ancestors up in a map: the
/// cost grows with the path's depth, not the number of components.
pub struct Owners<'a> {
    by_dir: std::collections::HashMap<&'a str, usize>,
}

impl<'a> Owners<'a> {
    pub fn new(dirs: &'a [String]) -> Self {
        Self {
            by_dir: dirs
                .iter()
                .enumerate()
                .map(|(i, d)| (d.as_str(), i))
                .collect(),
        }
    }

    /// Index of the deepest component directory containing `path` (a file or
    /// a directory, relative to the root).
    pub fn owner(&self, path: &str) -> Option<usize> {
        let mut current = path;
        loop {
            if let Some(index) = self.by_dir.get(current) {
                return Some(*index);
            }
            match current.rfind('/') {
                Some(i) => current = &current[..i],
                None if !current.is_empty() => current = "",
                None => return None,
            }
        }
    }
}

/// Index of the component directory that owns `path`: the deepest one that
/// contains it.
pub fn owner_index(dirs: &[String], path: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, dir) in dirs.iter().enumerate() {
        let inside = dir.is_empty()
            || path == dir
            || path.len() > dir.len()
                && path.starts_with(dir.as_str())
                && path.as_bytes()[dir.len()] == b'/';
        if inside && best.is_none_or(|(_, len)| dir.len() > len) {
            best = Some((i, dir.len()));
        }
    }
    best.map(|(i, _)| i)
}

/// Decide a component's kind from the categories of the technologies it runs
/// with (`runtime`: everything but dev-only dependencies).
pub fn classify_kind(
    draft: &Draft,
    runtime: &BTreeSet<TechId>,
    catalog: &Catalog,
) -> ComponentKind {
    let has = |category: &str| runtime.iter().any(|t| catalog.get(*t).category == category);
    if has("framework") {
        ComponentKind::Server
    } else if has("job-queue") {
        ComponentKind::Worker
    } else if has("iac") {
        ComponentKind::Infrastructure
    } else if has("frontend") {
        ComponentKind::Frontend
    } else if draft.executable || has("cli") {
        ComponentKind::Tool
    } else {
        ComponentKind::Library
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deepest_component_owns_a_path() {
        let dirs = vec![
            String::new(),
            "apps".into(),
            "apps/api".into(),
            "apps/api2".into(),
        ];
        assert_eq!(owner_index(&dirs, "apps/api/src/x.ts"), Some(2));
        assert_eq!(owner_index(&dirs, "apps/api2/x.ts"), Some(3));
        assert_eq!(owner_index(&dirs, "apps/web/x.ts"), Some(1));
        assert_eq!(owner_index(&dirs, "README.md"), Some(0));
        assert_eq!(owner_index(&dirs[1..], "README.md"), None);
        let owners = Owners::new(&dirs);
        assert_eq!(owners.owner("apps/api/src/x.ts"), Some(2));
        assert_eq!(owners.owner("apps/api2/x.ts"), Some(3));
        assert_eq!(owners.owner("apps/web/x.ts"), Some(1));
        assert_eq!(owners.owner("apps/api"), Some(2));
        assert_eq!(owners.owner("README.md"), Some(0));
        let nested = Owners::new(&dirs[1..]);
        assert_eq!(nested.owner("README.md"), None);
    }

    #[test]
    fn relative_paths_only_inside_the_base() {
        assert_eq!(relative_to("packages/a", ""), Some("packages/a"));
        assert_eq!(relative_to("packages/a", "packages"), Some("a"));
        assert_eq!(relative_to("packagesx/a", "packages"), None);
    }
}
