//! Python packages: `pyproject.toml` (PEP 621, PEP 735 groups, Poetry, PDM,
//! uv and its workspaces), requirements files (with their `-r` includes),
//! `Pipfile`, `setup.cfg` and `setup.py`. Each file becomes a python
//! [`Manifest`] whose dependencies keep the name as written, a scope, and the
//! file and line that declare them; syntax errors become problems.
//!
//! Roles: a pyproject.toml or setup.cfg that only configures tools (ruff,
//! flake8, pytest) is a supplement and makes no component by itself; a uv
//! workspace root without a project only declares its members.

mod requirements_files;

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::ParseError;
use crate::parse::pyproject::{self, Section};
use crate::parse::{pipfile, setup_cfg, setup_py};
use crate::source::{SourceFile, Span};
use crate::walk::FileKind;

use requirements_files::RequirementsFiles;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let listed = files
        .iter()
        .filter(|(kind, _)| *kind == FileKind::Requirements)
        .map(|(_, src)| *src);
    let mut requirements = RequirementsFiles::new(ctx, listed);
    for (kind, src) in files {
        match kind {
            FileKind::PyProject => pyproject(src, &mut facts),
            FileKind::Requirements => requirements.manifest(src, &mut facts),
            FileKind::Pipfile => pipfile(src, &mut facts),
            FileKind::SetupCfg => setup_cfg(src, &mut facts),
            FileKind::SetupPy => setup_py(src, &mut facts),
            _ => {}
        }
    }
    facts
}

/// At most this many syntax errors are listed per file; a file that is not
/// what its name says would otherwise give one per line.
const MAX_ERRORS_PER_FILE: usize = 20;

/// Record a file's syntax errors as problems, the first [`MAX_ERRORS_PER_FILE`]
/// of them and then how many more there are.
fn report_errors(src: &SourceFile, errors: &[ParseError], facts: &mut Facts) {
    facts.problems.extend(
        errors
            .iter()
            .take(MAX_ERRORS_PER_FILE)
            .map(|e| e.to_problem(src)),
    );
    if let Some(last) = errors.get(MAX_ERRORS_PER_FILE) {
        let more = errors.len() - MAX_ERRORS_PER_FILE;
        facts.problem_at(
            src,
            last.offset,
            format!("{more} more syntax errors in this file are not listed"),
        );
    }
}

fn dependency(src: &SourceFile, name: &str, span: Span, scope: DependencyScope) -> Dependency {
    Dependency {
        name: name.to_string(),
        scope,
        path: src.path.clone(),
        line: src.line(span.start),
    }
}

fn non_empty(name: Option<(String, Span)>) -> Option<String> {
    name.map(|(name, _)| name).filter(|n| !n.trim().is_empty())
}

fn pyproject(src: &SourceFile, facts: &mut Facts) {
    let parsed = match pyproject::parse(src) {
        Ok(parsed) => parsed,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    report_errors(src, &parsed.errors, facts);
    let role = if parsed.declares_project {
        ManifestRole::Package
    } else if parsed.uv_workspace.is_some() {
        ManifestRole::WorkspaceOnly
    } else {
        ManifestRole::Supplement
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, role);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    if let Some(workspace) = parsed.uv_workspace {
        manifest.workspace_members = workspace.members.into_iter().map(|(g, _)| g).collect();
        manifest.workspace_exclude = workspace.exclude.into_iter().map(|(g, _)| g).collect();
    }
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = match dep.section {
                Section::Project | Section::Poetry => DependencyScope::Runtime,
                Section::ProjectOptional | Section::PoetryOptional => DependencyScope::Optional,
                Section::DependencyGroup
                | Section::PoetryGroup
                | Section::PdmDev
                | Section::UvDev => DependencyScope::Dev,
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn pipfile(src: &SourceFile, facts: &mut Facts) {
    let parsed = match pipfile::parse(src) {
        Ok(parsed) => parsed,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    report_errors(src, &parsed.errors, facts);
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, ManifestRole::Package);
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = if dep.dev {
                DependencyScope::Dev
            } else {
                DependencyScope::Runtime
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn setup_cfg(src: &SourceFile, facts: &mut Facts) {
    let parsed = setup_cfg::parse(src);
    report_errors(src, &parsed.errors, facts);
    let role = if parsed.name.is_some() || parsed.has_install_requires {
        ManifestRole::Package
    } else {
        ManifestRole::Supplement
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, role);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = match dep.group {
                setup_cfg::CfgGroup::Install => DependencyScope::Runtime,
                setup_cfg::CfgGroup::Extra => DependencyScope::Optional,
                setup_cfg::CfgGroup::Tests => DependencyScope::Dev,
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn setup_py(src: &SourceFile, facts: &mut Facts) {
    let parsed = setup_py::parse(src);
    report_errors(src, &parsed.errors, facts);
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, ManifestRole::Package);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|(name, span)| dependency(src, name, *span, DependencyScope::Runtime))
        .collect();
    facts.manifests.push(manifest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::read::Reader;

    /// Detect over a temporary tree holding `files`.
    fn detect_tree(files: &[(&str, &str)]) -> Facts {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let abs = dir.path().join(path);
            std::fs::create_dir_all(abs.parent().unwrap()).unwrap();
            std::fs::write(abs, text).unwrap();
        }
        let catalog = Catalog::from_files(Vec::<(String, String)>::new()).unwrap();
        let walk = crate::walk::walk(dir.path(), &catalog);
        let reader = Reader::new(dir.path());
        let ctx = DetectContext {
            catalog: &catalog,
            walk: &walk,
            reader: &reader,
        };
        let sources: Vec<(FileKind, SourceFile)> = walk
            .files
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FileKind::PyProject
                        | FileKind::Requirements
                        | FileKind::Pipfile
                        | FileKind::SetupCfg
                        | FileKind::SetupPy
                )
            })
            .map(|f| (f.kind, reader.read_at(&f.path, &f.abs).unwrap()))
            .collect();
        let refs: Vec<(FileKind, &SourceFile)> = sources.iter().map(|(k, s)| (*k, s)).collect();
        detect(&ctx, &refs)
    }

    fn manifest<'a>(facts: &'a Facts, path: &str) -> &'a Manifest {
        facts
            .manifests
            .iter()
            .find(|m| m.path == path)
            .unwrap_or_else(|| panic!("no manifest {path}"))
    }

    fn deps(manifest: &Manifest) -> Vec<(&str, DependencyScope, &str, u32)> {
        manifest
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.scope, d.path.as_str(), d.line))
            .collect()
    }

    fn problems(facts: &Facts) -> Vec<(&str, u32, &str)> {
        let mut out: Vec<(&str, u32, &str)> = facts
            .problems
            .iter()
            .map(|p| (p.path.as_str(), p.line, p.message.as_str()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn included_requirements_keep_their_file_and_line() {
        let facts = detect_tree(&[
            ("requirements/base.txt", "Django==5.0.6\ncelery==5.4.0\n"),
            ("requirements/prod.txt", "-r base.txt\ngunicorn==22.0.0\n"),
            (
                "requirements-dev.txt",
                "-r requirements/base.txt\npytest-django>=4\n",
            ),
        ]);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let prod = manifest(&facts, "requirements/prod.txt");
        assert_eq!(prod.dir, "");
        assert_eq!(prod.role, ManifestRole::Package);
        assert!(prod.fully_pinned);
        assert_eq!(
            deps(prod),
            [
                (
                    "gunicorn",
                    DependencyScope::Runtime,
                    "requirements/prod.txt",
                    2
                ),
                (
                    "Django",
                    DependencyScope::Runtime,
                    "requirements/base.txt",
                    1
                ),
                (
                    "celery",
                    DependencyScope::Runtime,
                    "requirements/base.txt",
                    2
                ),
            ]
        );
        let dev = manifest(&facts, "requirements-dev.txt");
        assert!(!dev.fully_pinned);
        assert_eq!(
            deps(dev),
            [
                (
                    "pytest-django",
                    DependencyScope::Dev,
                    "requirements-dev.txt",
                    2
                ),
                (
                    "Django",
                    DependencyScope::Runtime,
                    "requirements/base.txt",
                    1
                ),
                (
                    "celery",
                    DependencyScope::Runtime,
                    "requirements/base.txt",
                    2
                ),
            ]
        );
        // The base file, listed on its own, gives the very same entries.
        let base = manifest(&facts, "requirements/base.txt");
        assert_eq!(deps(base), deps(dev)[1..]);
    }

    #[test]
    fn a_file_the_walk_does_not_list_is_read_through_the_include() {
        let facts = detect_tree(&[
            ("svc/requirements.txt", "-r ../shared/common.txt\nflask\n"),
            ("shared/common.txt", "structlog\nnot valid!\n"),
        ]);
        let svc = manifest(&facts, "svc/requirements.txt");
        assert_eq!(
            deps(svc)[1],
            (
                "structlog",
                DependencyScope::Runtime,
                "shared/common.txt",
                1
            )
        );
        let found = problems(&facts);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), ("shared/common.txt", 2));
    }

    #[test]
    fn broken_includes_are_problems_on_the_include_line() {
        let facts = detect_tree(&[
            (
                "requirements.txt",
                "flask\n-r missing.txt\n-r ../../outside.txt\n-c nothere.txt\n-r https://example.com/r.txt\n",
            ),
            ("requirements-a.txt", "-r requirements-b.txt\n"),
            ("requirements-b.txt", "\n-r requirements-a.txt\n"),
        ]);
        let found = problems(&facts);
        assert_eq!(
            found,
            [
                (
                    "requirements-a.txt",
                    1,
                    "include cycle: requirements-b.txt -> requirements-a.txt -> requirements-b.txt"
                ),
                (
                    "requirements-b.txt",
                    2,
                    "include cycle: requirements-a.txt -> requirements-b.txt -> requirements-a.txt"
                ),
                (
                    "requirements.txt",
                    2,
                    "included file `missing.txt` does not exist"
                ),
                (
                    "requirements.txt",
                    3,
                    "`../../outside.txt` is outside the scanned directory; not read"
                ),
                (
                    "requirements.txt",
                    4,
                    "constraints file `nothere.txt` does not exist"
                ),
            ]
        );
        assert_eq!(deps(manifest(&facts, "requirements.txt")).len(), 1);
    }

    #[test]
    fn includes_stop_at_the_depth_limit() {
        let mut files: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("requirements/r{i}.txt"),
                    format!("-r r{}.txt\npkg{i}\n", i + 1),
                )
            })
            .collect();
        files.push(("requirements/r12.txt".into(), "last\n".into()));
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let facts = detect_tree(&refs);
        let top = manifest(&facts, "requirements/r0.txt");
        // r0 and the 8 files it includes, one inside the other.
        assert_eq!(top.dependencies.len(), 9);
        assert!(
            facts
                .problems
                .iter()
                .any(|p| p.path == "requirements/r8.txt"
                    && p.line == 1
                    && p.message.contains("more than 8 files deep"))
        );
    }

    #[test]
    fn constraints_files_declare_no_dependencies() {
        let facts = detect_tree(&[
            ("requirements.in", "-c constraints.txt\nflask\n"),
            ("constraints.txt", "flask==3.0.3\nwerkzeug==3.0.3\n"),
        ]);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let constraints = manifest(&facts, "constraints.txt");
        assert_eq!(constraints.role, ManifestRole::Supplement);
        assert!(constraints.dependencies.is_empty());
        assert!(constraints.fully_pinned);
        assert_eq!(deps(manifest(&facts, "requirements.in")).len(), 1);
    }

    #[test]
    fn pyproject_roles() {
        let facts = detect_tree(&[
            (
                "pyproject.toml",
                "[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/old\"]\n",
            ),
            (
                "packages/api/pyproject.toml",
                "[project]\nname = \"api\"\ndependencies = [\"flask\"]\n[dependency-groups]\ndev = [\"pytest\"]\n",
            ),
            ("tools/pyproject.toml", "[tool.ruff]\nline-length = 100\n"),
            ("broken/pyproject.toml", "[project\n"),
        ]);
        let root = manifest(&facts, "pyproject.toml");
        assert_eq!(root.role, ManifestRole::WorkspaceOnly);
        assert_eq!(root.workspace_members, ["packages/*"]);
        assert_eq!(root.workspace_exclude, ["packages/old"]);
        let api = manifest(&facts, "packages/api/pyproject.toml");
        assert_eq!(api.role, ManifestRole::Package);
        assert_eq!(api.name.as_deref(), Some("api"));
        assert_eq!(
            deps(api),
            [
                (
                    "flask",
                    DependencyScope::Runtime,
                    "packages/api/pyproject.toml",
                    3
                ),
                (
                    "pytest",
                    DependencyScope::Dev,
                    "packages/api/pyproject.toml",
                    5
                ),
            ]
        );
        assert_eq!(
            manifest(&facts, "tools/pyproject.toml").role,
            ManifestRole::Supplement
        );
        assert_eq!(problems(&facts)[0].0, "broken/pyproject.toml");
    }

    #[test]
    fn setup_cfg_roles_pipfile_and_setup_py() {
        let facts = detect_tree(&[
            ("lib/setup.cfg", "[flake8]\nmax-line-length = 100\n"),
            (
                "lib/setup.py",
                "from setuptools import setup\nsetup(name='lib', install_requires=['attrs'])\n",
            ),
            (
                "app/setup.cfg",
                "[options]\ninstall_requires =\n    click\n[options.extras_require]\nyaml = pyyaml\n",
            ),
            (
                "web/Pipfile",
                "[packages]\nflask = \"*\"\n[dev-packages]\npytest = \"*\"\n",
            ),
        ]);
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        assert_eq!(
            manifest(&facts, "lib/setup.cfg").role,
            ManifestRole::Supplement
        );
        let setup_py = manifest(&facts, "lib/setup.py");
        assert_eq!(setup_py.name.as_deref(), Some("lib"));
        assert_eq!(
            deps(setup_py),
            [("attrs", DependencyScope::Runtime, "lib/setup.py", 2)]
        );
        let app = manifest(&facts, "app/setup.cfg");
        assert_eq!(app.role, ManifestRole::Package);
        assert_eq!(
            deps(app),
            [
                ("click", DependencyScope::Runtime, "app/setup.cfg", 3),
                ("pyyaml", DependencyScope::Optional, "app/setup.cfg", 5),
            ]
        );
        let web = manifest(&facts, "web/Pipfile");
        assert_eq!(
            deps(web),
            [
                ("flask", DependencyScope::Runtime, "web/Pipfile", 2),
                ("pytest", DependencyScope::Dev, "web/Pipfile", 4),
            ]
        );
    }

    #[test]
    fn a_file_full_of_errors_lists_only_the_first_ones() {
        let text = "not valid!\n".repeat(100);
        let facts = detect_tree(&[("requirements.txt", &text)]);
        assert_eq!(facts.problems.len(), 21);
        assert_eq!(facts.problems[20].line, 21);
        assert_eq!(
            facts.problems[20].message,
            "80 more syntax errors in this file are not listed"
        );
    }

    #[test]
    fn dependencies_match_the_catalog_by_their_normalized_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("requirements")).unwrap();
        std::fs::write(
            dir.path().join("requirements/base.txt"),
            "# pinned\nDjango==5.0.6\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pyproject.toml"),
            "[project]\nname = \"shop\"\ndependencies = [\"SQLAlchemy[asyncio]>=2\"]\n",
        )
        .unwrap();
        let catalog = Catalog::from_files([
            (
                "framework.toml".to_string(),
                "category = \"framework\"\n[[technology]]\nid = \"django\"\nname = \"Django\"\npackages.pypi = [\"django\"]\n".to_string(),
            ),
            (
                "orm.toml".to_string(),
                "category = \"orm\"\n[[technology]]\nid = \"sqlalchemy\"\nname = \"SQLAlchemy\"\npackages.pypi = [\"sqlalchemy\"]\n".to_string(),
            ),
        ])
        .unwrap();
        let stack = crate::scan::scan(dir.path(), ".", &catalog).unwrap();
        let django = stack
            .technologies
            .iter()
            .find(|t| t.id == "django")
            .unwrap();
        assert_eq!(django.evidence[0].path, "requirements/base.txt");
        assert_eq!(django.evidence[0].line, 2);
        assert_eq!(django.components, ["shop"]);
        let shop = &stack.components[0];
        assert_eq!(shop.path, ".");
        assert_eq!(shop.kind, crate::model::ComponentKind::Server);
        assert_eq!(shop.technologies, ["django", "sqlalchemy"]);
        assert_eq!(shop.lockfile.as_deref(), Some("requirements/base.txt"));
    }

    /// Random text made of the pieces these formats are built from: no parser
    /// may panic, and every error must point inside the file.
    #[test]
    fn parsers_survive_noise() {
        const PIECES: &[&str] = &[
            "[",
            "]",
            "{",
            "}",
            "(",
            ")",
            "=",
            "==",
            ";",
            ":",
            "#",
            "\\",
            "\n",
            "\r\n",
            "\t",
            " ",
            "\"",
            "'",
            "'''",
            "@",
            ",",
            ".",
            "-",
            "-r ",
            "-e ",
            "--hash=",
            "<",
            ">",
            "~=",
            "*",
            "a",
            "Django",
            "é",
            "\u{feff}",
            "[project]",
            "dependencies",
            "install_requires",
            "setup(",
            "#egg=",
            "://",
            "[options]\n",
            "  ",
            "python_version",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % 1_000_003).unwrap()
        };
        for _ in 0..3000 {
            let len = next() % 60;
            let text: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
            let src = SourceFile::new("f", text.clone());
            let inside = |errors: &[ParseError]| errors.iter().all(|e| e.offset <= text.len());
            assert!(
                inside(&crate::parse::requirements::parse(&src).errors),
                "{text:?}"
            );
            assert!(inside(&setup_cfg::parse(&src).errors), "{text:?}");
            assert!(inside(&setup_py::parse(&src).errors), "{text:?}");
            match pyproject::parse(&src) {
                Ok(parsed) => assert!(inside(&parsed.errors), "{text:?}"),
                Err(err) => assert!(err.offset <= text.len(), "{text:?}"),
            }
            if let Ok(parsed) = pipfile::parse(&src) {
                assert!(inside(&parsed.errors), "{text:?}");
            }
            if let Err(err) = crate::parse::pep508::parse(&text, 0) {
                assert!(err.offset <= text.len(), "{text:?}");
            }
        }
    }
}
