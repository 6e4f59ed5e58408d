//! The GitHub Actions and GitLab CI fixture repositories, scanned with the
//! built-in catalog and step rules: every job's line, stages, needs,
//! directory and environment, what each step runs, and where the evidence
//! for CI tools points.
#![allow(clippy::unwrap_used)]

mod common;

use common::fixture_facts as facts;
use stacklint::catalog::Catalog;
use stacklint::detect::Facts;
use stacklint::model::{Job, Pipeline};

fn pipeline<'f>(facts: &'f Facts, path: &str) -> &'f Pipeline {
    facts
        .pipelines
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no pipeline {path}"))
}

/// A job as one comparable line: id, line, stages, needs, directory, environment.
fn summary(job: &Job) -> String {
    let stages: Vec<&str> = job.stages.iter().map(|s| s.as_str()).collect();
    format!(
        "{} @{} [{}] needs [{}] dir {} env {}",
        job.id,
        job.line,
        stages.join(","),
        job.needs.join(","),
        job.directory.as_deref().unwrap_or("-"),
        job.environment.as_deref().unwrap_or("-"),
    )
}

fn summaries(pipeline: &Pipeline) -> Vec<String> {
    pipeline.jobs.iter().map(summary).collect()
}

/// Each step as `line:tool,tool` (or `line:` when it runs no known tool).
fn step_tools(job: &Job) -> Vec<String> {
    job.steps
        .iter()
        .map(|s| format!("{}:{}", s.line, s.tools.join(",")))
        .collect()
}

fn job<'p>(pipeline: &'p Pipeline, id: &str) -> &'p Job {
    pipeline.jobs.iter().find(|j| j.id == id).unwrap()
}

/// Detector evidence of one technology as `path:line reason` (dependency
/// evidence is added later, by assembly).
fn evidence(catalog: &Catalog, facts: &Facts, tech: &str) -> Vec<String> {
    let id = catalog.id_of(tech).unwrap();
    let mut found: Vec<String> = facts
        .detections
        .iter()
        .filter(|d| d.tech == id)
        .map(|d| format!("{}:{} {}", d.path, d.line, d.reason))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn github_workflows_become_pipelines() {
    let (catalog, facts) = facts("github-actions-pipeline");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let paths: Vec<&str> = facts.pipelines.iter().map(|p| p.path.as_str()).collect();
    // The composite action is not a pipeline.
    assert_eq!(
        paths,
        [
            ".github/workflows/ci.yml",
            ".github/workflows/deploy.yml",
            ".github/workflows/release.yml"
        ]
    );
    assert!(
        facts
            .pipelines
            .iter()
            .all(|p| p.provider == "github-actions")
    );

    let ci = pipeline(&facts, ".github/workflows/ci.yml");
    assert_eq!(
        summaries(ci),
        [
            "lint @16 [lint] needs [] dir api env -",
            "test @29 [test] needs [] dir api env -",
            "security @55 [security] needs [] dir api env -",
            "build @72 [build] needs [lint] dir - env -",
            "deploy @92 [deploy] needs [build,test] dir - env production",
        ]
    );
    let lint = job(ci, "lint");
    assert_eq!(lint.name.as_deref(), Some("Lint and type-check"));
    assert_eq!(step_tools(lint), ["20:", "21:", "22:ruff", "26:mypy"]);
    // The local composite action was read: its install step runs in api/.
    let setup = &lint.steps[1];
    assert_eq!(setup.uses.as_deref(), Some("./.github/actions/setup"));
    assert_eq!(setup.directory.as_deref(), Some("api"));
    // One job for the whole Python version matrix.
    assert_eq!(step_tools(job(ci, "test")), ["48:", "49:", "52:pytest"]);
    assert_eq!(
        step_tools(job(ci, "security")),
        ["61:", "62:codeql", "65:codeql", "66:", "67:pip-audit"]
    );
    assert_eq!(
        step_tools(job(ci, "build")),
        ["79:", "80:docker", "81:docker", "86:docker"]
    );
    let deploy = job(ci, "deploy");
    assert_eq!(
        step_tools(deploy),
        ["100:", "101:kubernetes", "102:kubernetes", "105:kubernetes"]
    );
    // `working-directory: .` overrides the workflow default: the root.
    assert_eq!(deploy.steps[3].directory, None);

    let release = pipeline(&facts, ".github/workflows/release.yml");
    assert_eq!(
        summaries(release),
        ["release @11 [build,release] needs [] dir api env -"]
    );
    // The deploy workflow's job waits for nothing.
    let redeploy = pipeline(&facts, ".github/workflows/deploy.yml");
    assert_eq!(
        summaries(redeploy),
        ["deploy @15 [deploy] needs [] dir - env production"]
    );

    // Evidence points at the script line that runs the tool, and services
    // at their image.
    assert_eq!(
        evidence(&catalog, &facts, "pip-audit"),
        [".github/workflows/ci.yml:70 run: uvx pip-audit --strict -r requirements.txt"]
    );
    assert_eq!(
        evidence(&catalog, &facts, "postgresql"),
        [".github/workflows/ci.yml:37 CI service postgres:16-alpine"]
    );
    assert_eq!(
        evidence(&catalog, &facts, "ruff"),
        [".github/workflows/ci.yml:24 run: uv run ruff check ."]
    );
}

#[test]
fn gitlab_configuration_becomes_one_pipeline_with_its_includes() {
    let (catalog, facts) = facts("gitlab-pipeline");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(facts.pipelines.len(), 1);
    let gitlab = pipeline(&facts, ".gitlab-ci.yml");
    assert_eq!(gitlab.provider, "gitlab-ci");
    assert_eq!(
        summaries(gitlab),
        [
            // Lives in ci/templates.yml: its line is the include's.
            "audit @2 [security] needs [] dir - env -",
            "lint @23 [lint] needs [] dir - env -",
            "unit-tests @30 [test] needs [lint] dir - env -",
            "build-image @44 [build,release] needs [lint] dir - env -",
            // Manual, no `needs:`: every job of the earlier stages.
            "deploy-production @56 [deploy] needs [audit,build-image,lint,template:Security/SAST.gitlab-ci.yml,unit-tests] dir - env production",
            "template:Security/SAST.gitlab-ci.yml @3 [security] needs [lint] dir - env -",
        ]
    );
    // lint takes the default before_script (line 17); unit-tests takes the
    // one of `.node` it extends (from the included file: the job's line),
    // then `!reference [.migrate, script]` (the reference's line).
    let runs = |id: &str| -> Vec<String> {
        job(gitlab, id)
            .steps
            .iter()
            .map(|s| format!("{}:{}", s.line, s.run.as_deref().unwrap_or("")))
            .collect()
    };
    assert_eq!(
        runs("lint"),
        [
            "17:npm ci --cache .npm --prefer-offline",
            "27:npx eslint .",
            "28:npx prettier --check .",
        ]
    );
    assert_eq!(
        runs("unit-tests"),
        [
            "30:npm ci --cache .npm --prefer-offline",
            "41:npm run db:migrate",
            "42:npm test -- --ci --coverage",
        ]
    );
    assert_eq!(
        step_tools(job(gitlab, "lint")),
        ["17:", "27:eslint", "28:prettier"]
    );
    assert_eq!(step_tools(job(gitlab, "audit")), ["2:", "2:npm-audit"]);
    assert_eq!(
        step_tools(job(gitlab, "build-image")),
        ["51:", "53:docker", "54:docker"]
    );
    assert_eq!(
        step_tools(job(gitlab, "deploy-production")),
        ["65:kubernetes", "66:"]
    );

    // Evidence keeps the file a command or service is written in.
    assert_eq!(
        evidence(&catalog, &facts, "npm-audit"),
        ["ci/templates.yml:22 run: npm audit --omit=dev --audit-level=high"]
    );
    assert_eq!(
        evidence(&catalog, &facts, "postgresql"),
        [".gitlab-ci.yml:34 CI service postgres:16-alpine"]
    );
}
