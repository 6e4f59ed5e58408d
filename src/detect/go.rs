//! Go modules and workspaces: `go.mod` and `go.work`.
//!
//! A `go.mod` is a component named after the last element of its module path.
//! Only direct requirements are dependencies: `// indirect` ones are needed by
//! dependencies, and counting them would credit the module with technologies
//! it never imports. A `go.work` declares workspace members and makes no
//! component.

use crate::detect::components::relative_to;
use crate::detect::{DetectContext, Facts, Manifest, ManifestRole, join_path};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::go_mod::{self, GoMod};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        match kind {
            FileKind::GoMod => module(ctx, src, &mut facts),
            FileKind::GoWork => workspace(src, &mut facts),
            _ => {}
        }
    }
    facts
}

fn module(ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) {
    let parsed = go_mod::parse(src);
    facts
        .problems
        .extend(parsed.issues.iter().map(|issue| issue.to_problem(src)));
    let mut manifest = Manifest::new(&src.path, Ecosystem::Go, ManifestRole::Package);
    manifest.name = parsed
        .module
        .as_ref()
        .map(|(path, _)| component_name(path).to_string())
        .filter(|name| !name.is_empty());
    manifest.executable = has_main_package(ctx, &manifest.dir);
    manifest.dependencies = parsed
        .requires
        .iter()
        .filter(|req| !req.indirect)
        .map(|req| Dependency {
            name: req.path.clone(),
            scope: if provides_a_tool(&parsed, &req.path) {
                DependencyScope::Dev
            } else {
                DependencyScope::Runtime
            },
            path: src.path.clone(),
            line: src.line(req.span.start),
        })
        .collect();
    facts.manifests.push(manifest);
}

/// `go.work`: its `use` directories are the workspace's members.
fn workspace(src: &SourceFile, facts: &mut Facts) {
    let parsed = go_mod::parse_work(src);
    facts
        .problems
        .extend(parsed.issues.iter().map(|issue| issue.to_problem(src)));
    let mut manifest = Manifest::new(&src.path, Ecosystem::Go, ManifestRole::WorkspaceOnly);
    for (dir, _) in &parsed.uses {
        // Members are globs relative to the workspace's directory; a `use`
        // outside it (`../shared`) cannot hold a component of this scan.
        let member = join_path(&manifest.dir, dir)
            .and_then(|path| relative_to(&path, &manifest.dir).map(str::to_string));
        if let Some(member) = member.filter(|m| !m.is_empty()) {
            manifest.workspace_members.push(glob_escape(&member));
        }
    }
    facts.manifests.push(manifest);
}

/// A `use` names a directory, not a pattern: escape glob characters.
fn glob_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// The last element of a module path, without a major-version suffix:
/// `github.com/acme/orders/v2` is `orders`.
pub fn component_name(module_path: &str) -> &str {
    let mut elements = module_path.trim_end_matches('/').rsplit('/');
    let last = elements.next().unwrap_or(module_path);
    let is_major_version = last
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    match elements.next() {
        Some(previous) if is_major_version && !previous.is_empty() => previous,
        _ => last,
    }
}

/// A module builds a command when its root is a `main` package (`main.go`)
/// or it keeps commands under `cmd/`, as the Go project layout does.
fn has_main_package(ctx: &DetectContext<'_>, dir: &str) -> bool {
    let (Some(main), Some(cmd)) = (join_path(dir, "main.go"), join_path(dir, "cmd")) else {
        return false;
    };
    ctx.reader.exists(&main) || ctx.walk.dirs.binary_search(&cmd).is_ok()
}

/// A requirement that provides a `tool` directive's package is a development
/// tool (a linter, a code generator), not something the module runs on.
fn provides_a_tool(parsed: &GoMod, module_path: &str) -> bool {
    parsed.tools.iter().any(|(tool, _)| {
        tool == module_path
            || tool
                .strip_prefix(module_path)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testing::{self, NO_ROOT, deps};

    fn run(files: &[(FileKind, &str, &str)], dirs: &[&str]) -> Facts {
        run_in(std::path::Path::new(NO_ROOT), files, dirs)
    }

    fn run_in(root: &std::path::Path, files: &[(FileKind, &str, &str)], dirs: &[&str]) -> Facts {
        let walk = testing::walk_of_dirs(dirs);
        testing::run_in(detect, &testing::empty_catalog(), &walk, root, files)
    }

    #[test]
    fn component_names_drop_the_major_version() {
        assert_eq!(component_name("github.com/acme/orders/v2"), "orders");
        assert_eq!(component_name("github.com/acme/orders"), "orders");
        assert_eq!(component_name("example.com/v2go"), "v2go");
        assert_eq!(component_name("gopkg.in/yaml.v3"), "yaml.v3");
        assert_eq!(component_name("orders"), "orders");
        assert_eq!(component_name("v2"), "v2");
        assert_eq!(component_name("example.com/tools/v"), "v");
    }

    #[test]
    fn only_direct_requirements_are_dependencies() {
        let facts = run(
            &[(
                FileKind::GoMod,
                "svc/go.mod",
                "module github.com/acme/svc/v3\n\ngo 1.24\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.1.0\n\tgolang.org/x/sys v0.25.0 // indirect\n\tgolang.org/x/tools v0.26.0\n)\n\ntool golang.org/x/tools/cmd/stringer\n",
            )],
            &["svc/cmd", "svc/cmd/server"],
        );
        let svc = &facts.manifests[0];
        assert_eq!(svc.name.as_deref(), Some("svc"));
        assert!(svc.executable);
        let deps = deps(svc);
        assert_eq!(
            deps,
            [
                ("github.com/go-chi/chi/v5", DependencyScope::Runtime, 6),
                ("golang.org/x/tools", DependencyScope::Dev, 8),
            ]
        );
    }

    #[test]
    fn a_main_go_at_the_module_root_makes_a_command() {
        let root = testing::write_tree(&[("tool/main.go", "package main\n")]);
        let go_mod = "module example.com/tool\n";
        let facts = run_in(
            root.path(),
            &[(FileKind::GoMod, "tool/go.mod", go_mod)],
            &[],
        );
        assert!(facts.manifests[0].executable);
        let facts = run_in(
            root.path(),
            &[(FileKind::GoMod, "go.mod", go_mod)],
            &["tool"],
        );
        assert!(!facts.manifests[0].executable);
    }

    #[test]
    fn a_library_module_is_not_executable() {
        let facts = run(
            &[(FileKind::GoMod, "go.mod", "module example.com/lib\n")],
            &["internal"],
        );
        assert!(!facts.manifests[0].executable);
        assert!(facts.problems.is_empty());
    }

    #[test]
    fn bad_lines_are_problems_and_the_module_is_kept() {
        let facts = run(
            &[(
                FileKind::GoMod,
                "go.mod",
                "module example.com/m\nrequire example.com/a v1.0.0\nfrobnicate on\n",
            )],
            &[],
        );
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].line, 3);
        assert_eq!(facts.manifests[0].dependencies.len(), 1);
    }

    #[test]
    fn go_work_lists_its_members() {
        let facts = run(
            &[(
                FileKind::GoWork,
                "go.work",
                "go 1.23\nuse (\n\t.\n\t./services/api/\n\t../elsewhere\n\t\"./odd[dir]\"\n)\n",
            )],
            &[],
        );
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let ws = &facts.manifests[0];
        assert_eq!(ws.role, ManifestRole::WorkspaceOnly);
        assert_eq!(ws.workspace_members, ["services/api", "odd[[]dir[]]"]);
    }
}
