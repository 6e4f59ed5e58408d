//! Rust packages and workspaces: `Cargo.toml`.
//!
//! A manifest with `[package]` is a component (it may also be a workspace
//! root); a virtual manifest (`[workspace]` only) declares members and makes
//! no component. Dependencies inherited from the workspace
//! (`x.workspace = true`) are named after the workspace's declaration, so a
//! rename there (`db = { package = "sqlx" }`) is seen through.

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole, join_path, parent_dir};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::cargo_toml::{self, CargoDependency, CargoManifest, DependencyKind};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let mut parsed: Vec<(&SourceFile, CargoManifest)> = Vec::new();
    for (kind, src) in files {
        if *kind != FileKind::CargoToml {
            continue;
        }
        match cargo_toml::parse(src) {
            Ok(manifest) => {
                facts
                    .problems
                    .extend(manifest.issues.iter().map(|issue| issue.to_problem(src)));
                parsed.push((src, manifest));
            }
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    for (src, cargo) in &parsed {
        if cargo.package.is_none() && cargo.workspace.is_none() {
            facts.problem_at(
                src,
                src.body_offset(),
                "manifest has neither a [package] nor a [workspace] table",
            );
            continue;
        }
        let workspace_root = find_workspace_root(src, cargo, &parsed);
        facts
            .manifests
            .push(manifest(ctx, src, cargo, workspace_root));
    }
    facts
}

fn manifest(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    cargo: &CargoManifest,
    workspace_root: Option<&CargoManifest>,
) -> Manifest {
    let role = if cargo.package.is_some() {
        ManifestRole::Package
    } else {
        ManifestRole::WorkspaceOnly
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Rust, role);
    if let Some(workspace) = &cargo.workspace {
        manifest.workspace_members = workspace.members.iter().map(|(g, _)| g.clone()).collect();
        manifest.workspace_exclude = workspace.exclude.iter().map(|(g, _)| g.clone()).collect();
    }
    let Some(package) = &cargo.package else {
        return manifest;
    };
    manifest.name = package
        .name
        .as_ref()
        .map(|(name, _)| name.clone())
        .filter(|name| !name.is_empty());
    manifest.executable =
        !cargo.bins.is_empty() || package.autobins && has_binary_sources(ctx, &manifest.dir);
    manifest.dependencies = cargo
        .dependencies
        .iter()
        .map(|dep| Dependency {
            name: real_name(dep, workspace_root),
            scope: scope(dep),
            path: src.path.clone(),
            line: src.line(dep.span.start),
        })
        .collect();
    manifest
}

/// Cargo finds binaries by convention: `src/main.rs` and `src/bin/`.
fn has_binary_sources(ctx: &DetectContext<'_>, dir: &str) -> bool {
    let (Some(main), Some(bin_dir)) = (join_path(dir, "src/main.rs"), join_path(dir, "src/bin"))
    else {
        return false;
    };
    ctx.reader.exists(&main) || ctx.walk.dirs.binary_search(&bin_dir).is_ok()
}

fn scope(dep: &CargoDependency) -> DependencyScope {
    match dep.kind {
        DependencyKind::Dev | DependencyKind::Build => DependencyScope::Dev,
        DependencyKind::Normal if dep.optional => DependencyScope::Optional,
        DependencyKind::Normal => DependencyScope::Runtime,
    }
}

/// The registry name of a dependency, looking an inherited one up in the
/// workspace it inherits from.
fn real_name(dep: &CargoDependency, workspace_root: Option<&CargoManifest>) -> String {
    if dep.inherited
        && let Some(declared) = workspace_root.and_then(|root| root.workspace_dependency(&dep.key))
    {
        return declared.name.clone();
    }
    dep.name.clone()
}

/// The workspace a manifest belongs to: the one `package.workspace` points at,
/// else the nearest manifest with `[workspace]` in its directory or above, as
/// Cargo searches.
fn find_workspace_root<'a>(
    src: &SourceFile,
    cargo: &CargoManifest,
    parsed: &'a [(&SourceFile, CargoManifest)],
) -> Option<&'a CargoManifest> {
    let dir = parent_dir(&src.path);
    let workspace_at = |root_dir: &str| {
        parsed
            .iter()
            .find(|(other, m)| parent_dir(&other.path) == root_dir && m.workspace.is_some())
            .map(|(_, m)| m)
    };
    if let Some(pointer) = cargo.package.as_ref().and_then(|p| p.workspace.as_deref()) {
        return join_path(dir, pointer).and_then(|root_dir| workspace_at(&root_dir));
    }
    let mut candidate = dir;
    loop {
        if let Some(root) = workspace_at(candidate) {
            return Some(root);
        }
        if candidate.is_empty() {
            return None;
        }
        candidate = parent_dir(candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testing::{self, NO_ROOT, deps};

    fn run(files: &[(&str, &str)], dirs: &[&str]) -> Facts {
        let files: Vec<(FileKind, &str, &str)> = files
            .iter()
            .map(|(path, text)| (FileKind::CargoToml, *path, *text))
            .collect();
        testing::run_in(
            detect,
            &testing::empty_catalog(),
            &testing::walk_of_dirs(dirs),
            std::path::Path::new(NO_ROOT),
            &files,
        )
    }

    #[test]
    fn members_inherit_renamed_workspace_dependencies() {
        let facts = run(
            &[
                (
                    "Cargo.toml",
                    "[workspace]\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\ndb = { package = \"sqlx\", version = \"0.8\" }\ntokio = \"1\"\n",
                ),
                (
                    "crates/api/Cargo.toml",
                    "[package]\nname = \"api\"\n\n[dependencies]\ndb.workspace = true\ntokio = { workspace = true, optional = true }\n\n[dev-dependencies]\nmockall = \"0.13\"\n",
                ),
            ],
            &[],
        );
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let root = &facts.manifests[0];
        assert_eq!(root.role, ManifestRole::WorkspaceOnly);
        assert!(root.dependencies.is_empty());
        assert_eq!(root.workspace_members, ["crates/*"]);
        let api = &facts.manifests[1];
        assert_eq!(api.role, ManifestRole::Package);
        assert_eq!(api.dir, "crates/api");
        let deps = deps(api);
        assert_eq!(
            deps,
            [
                ("sqlx", DependencyScope::Runtime, 5),
                ("tokio", DependencyScope::Optional, 6),
                ("mockall", DependencyScope::Dev, 9),
            ]
        );
    }

    #[test]
    fn a_root_package_can_also_be_the_workspace() {
        let facts = run(
            &[(
                "Cargo.toml",
                "[package]\nname = \"app\"\n\n[workspace]\nmembers = [\"xtask\"]\n\n[workspace.dependencies]\nclap = \"4\"\n\n[[bin]]\nname = \"app\"\npath = \"main.rs\"\n",
            )],
            &[],
        );
        let app = &facts.manifests[0];
        assert_eq!(app.role, ManifestRole::Package);
        assert_eq!(app.name.as_deref(), Some("app"));
        assert!(app.dependencies.is_empty());
        assert_eq!(app.workspace_members, ["xtask"]);
        assert!(app.executable);
    }

    #[test]
    fn a_bin_directory_makes_an_executable_unless_autobins_is_off() {
        let manifest = "[package]\nname = \"cli\"\n";
        let facts = run(
            &[("tools/cli/Cargo.toml", manifest)],
            &["tools/cli/src/bin"],
        );
        assert!(facts.manifests[0].executable);
        let facts = run(&[("tools/cli/Cargo.toml", manifest)], &["tools/cli/src"]);
        assert!(!facts.manifests[0].executable);
        let off = "[package]\nname = \"cli\"\nautobins = false\n";
        let facts = run(&[("tools/cli/Cargo.toml", off)], &["tools/cli/src/bin"]);
        assert!(!facts.manifests[0].executable);
    }

    #[test]
    fn a_workspace_pointer_is_followed() {
        let facts = run(
            &[
                (
                    "ws/Cargo.toml",
                    "[workspace]\nmembers = [\"../lib\"]\n[workspace.dependencies]\nlog = { package = \"tracing\", version = \"0.1\" }\n",
                ),
                (
                    "lib/Cargo.toml",
                    "[package]\nname = \"lib\"\nworkspace = \"../ws\"\n[dependencies]\nlog.workspace = true\n",
                ),
            ],
            &[],
        );
        assert_eq!(facts.manifests[1].dependencies[0].name, "tracing");
    }

    #[test]
    fn broken_manifests_are_problems_and_the_rest_is_kept() {
        let facts = run(
            &[
                ("a/Cargo.toml", "[package\nname = \"a\"\n"),
                ("b/Cargo.toml", "[dependencies]\nserde = \"1\"\n"),
                (
                    "c/Cargo.toml",
                    "[package]\nname = \"c\"\n[dependencies]\nserde = 1\n",
                ),
            ],
            &[],
        );
        let lines: Vec<(&str, u32)> = facts
            .problems
            .iter()
            .map(|p| (p.path.as_str(), p.line))
            .collect();
        assert_eq!(
            lines,
            [
                ("a/Cargo.toml", 1),
                ("c/Cargo.toml", 4),
                ("b/Cargo.toml", 1)
            ]
        );
        assert_eq!(facts.manifests.len(), 1);
        assert_eq!(facts.manifests[0].name.as_deref(), Some("c"));
    }
}
