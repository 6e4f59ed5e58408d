//! Tests of the python detector over temporary trees: manifests, roles,
//! requirements includes, problems, and matching against a catalog.

use super::*;
use crate::detect::testing::{self, manifest};

/// Detect over a temporary tree holding `files`.
fn detect_tree(files: &[(&str, &str)]) -> Facts {
    let kinds = [
        FileKind::PyProject,
        FileKind::Requirements,
        FileKind::Pipfile,
        FileKind::SetupCfg,
        FileKind::SetupPy,
    ];
    let steps = crate::detect::ci::steps::StepRules::empty();
    testing::run_tree(detect, &testing::empty_catalog(), &steps, &kinds, files)
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
            "flask\n-r missing.txt\n-r ../../outside.txt\n-c nothere.txt\n-r https://example.com/r.txt\n-r ${CONFIG_DIR}/extra.txt\n",
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
    let dir = testing::write_tree(&[
        ("requirements/base.txt", "# pinned\nDjango==5.0.6\n"),
        (
            "pyproject.toml",
            "[project]\nname = \"shop\"\ndependencies = [\"SQLAlchemy[asyncio]>=2\"]\n",
        ),
    ]);
    let catalog = testing::catalog_of(&[
        "category = \"framework\"\n[[technology]]\nid = \"django\"\nname = \"Django\"\npackages.pypi = [\"django\"]\n",
        "category = \"orm\"\n[[technology]]\nid = \"sqlalchemy\"\nname = \"SQLAlchemy\"\npackages.pypi = [\"sqlalchemy\"]\n",
    ]);
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
