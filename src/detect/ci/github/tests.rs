//! GitHub Actions over temporary trees, with small inline step rules: job
//! fields, step lines, directories, local actions and reusable workflows,
//! cycles, and broken input.

use super::*;
use crate::detect::ci::steps::StepRules;
use crate::detect::testing;

const STEPS: &str = r#"
wrappers = ["poetry run"]
deploy_job_names = ["deploy"]

[stage_names]
security = ["codeql", "security"]
test = ["test", "tests"]

[[step]]
tool = "pytest"
stages = ["test"]
commands = ["pytest"]

[[step]]
tool = "ruff"
stages = ["lint"]
commands = ["ruff"]

[[step]]
stages = ["deploy"]
commands = ["kubectl apply"]

[[step]]
tool = "codeql"
stages = ["security"]
actions = ["github/codeql-action/analyze"]

[[step]]
tool = "trivy"
stages = ["security"]
actions = ["docker://aquasec/trivy*"]

[[step]]
stages = ["build"]
actions = ["docker/build-push-action"]
"#;

const CATALOG: &str = r#"category = "testing"
[[technology]]
id = "pytest"
name = "pytest"
[[technology]]
id = "ruff"
name = "Ruff"
[[technology]]
id = "codeql"
name = "CodeQL"
[[technology]]
id = "trivy"
name = "Trivy"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
images = ["postgres"]
"#;

/// Detect over a temporary tree holding `files`.
fn detect_tree(files: &[(&str, &str)]) -> Facts {
    let catalog = testing::catalog(CATALOG);
    let steps = StepRules::from_str("steps.toml", STEPS).unwrap();
    let mut facts = testing::run_tree(
        detect,
        &catalog,
        &steps,
        &[FileKind::GithubWorkflow, FileKind::GithubAction],
        files,
    );
    facts.detections.sort();
    facts
}

fn job<'f>(facts: &'f Facts, path: &str, id: &str) -> &'f Job {
    facts
        .pipelines
        .iter()
        .find(|p| p.path == path)
        .and_then(|p| p.jobs.iter().find(|j| j.id == id))
        .unwrap_or_else(|| panic!("no job {id} in {path}: {:#?}", facts.pipelines))
}

fn stages(job: &Job) -> Vec<&str> {
    job.stages.iter().map(|s| s.as_str()).collect()
}

const CI: &str = ".github/workflows/ci.yml";

#[test]
fn jobs_carry_their_key_line_name_needs_and_environment() {
    let facts = detect_tree(&[(
        CI,
        "on: push
jobs:
  test:
    name: Tests (${{ matrix.python }})
    strategy:
      matrix:
        python: ['3.11', '3.12']
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: poetry run pytest -q
  ship:
    needs: test
    environment:
      name: production
      url: https://example.com
    steps:
      - run: kubectl apply -f k8s/
  notify:
    needs: [test, ship]
    environment: staging
    runs-on: ubuntu-latest
    steps:
      - run: echo done
",
    )]);
    assert_eq!(facts.pipelines.len(), 1);
    let test = job(&facts, CI, "test");
    assert_eq!(test.line, 3);
    assert_eq!(test.name.as_deref(), Some("Tests (${{ matrix.python }})"));
    assert_eq!(stages(test), ["test"]);
    assert_eq!(test.steps.len(), 2);
    assert_eq!(test.steps[1].line, 11);
    assert_eq!(test.steps[1].tools, ["pytest"]);
    let ship = job(&facts, CI, "ship");
    assert_eq!(ship.needs, ["test"]);
    assert_eq!(ship.environment.as_deref(), Some("production"));
    assert_eq!(stages(ship), ["deploy"]);
    let notify = job(&facts, CI, "notify");
    assert_eq!(notify.needs, ["ship", "test"]);
    // A job that targets an environment deploys.
    assert_eq!(stages(notify), ["deploy"]);
    let pytest = facts
        .detections
        .iter()
        .find(|d| d.reason.contains("pytest"))
        .unwrap();
    assert_eq!((pytest.path.as_str(), pytest.line), (CI, 11));
    assert_eq!(pytest.reason, "run: poetry run pytest -q");
}

#[test]
fn block_scalar_runs_and_directories() {
    let facts = detect_tree(&[(
        CI,
        "defaults:
  run:
    working-directory: ./services/api/
jobs:
  lint:
    steps:
      - name: Lint
        run: |
          pip install ruff
          ruff check .
  test:
    defaults:
      run:
        working-directory: backend
    steps:
      - run: cd app && pytest
      - run: pytest
        working-directory: ${{ github.workspace }}/backend/app
  matrix:
    steps:
      - run: pytest
        working-directory: ${{ matrix.dir }}
",
    )]);
    let lint = job(&facts, CI, "lint");
    assert_eq!(stages(lint), ["lint"]);
    // Evidence points at the line of the block that runs the tool.
    let ruff = facts
        .detections
        .iter()
        .find(|d| d.reason.contains("ruff"))
        .unwrap();
    assert_eq!((ruff.line, ruff.reason.as_str()), (10, "run: ruff check ."));
    assert_eq!(lint.steps[0].line, 7);
    assert_eq!(lint.steps[0].name.as_deref(), Some("Lint"));
    assert_eq!(lint.directory.as_deref(), Some("services/api"));
    let test = job(&facts, CI, "test");
    assert_eq!(test.steps[0].directory.as_deref(), Some("backend/app"));
    assert_eq!(test.steps[1].directory.as_deref(), Some("backend/app"));
    assert_eq!(test.directory.as_deref(), Some("backend/app"));
    // An expression cannot be resolved without running the workflow.
    assert_eq!(job(&facts, CI, "matrix").directory, None);
}

#[test]
fn actions_are_matched_without_their_version_and_docker_images_by_name() {
    let facts = detect_tree(&[(
        CI,
        "jobs:
  scan:
    steps:
      - uses: github/codeql-action/analyze@v3
      - uses: docker://aquasec/trivy:0.50.0
        with:
          args: fs .
      - uses: docker/build-push-action@4f58ea79222b3b9dc2c8bbdd6debcef730109a75
",
    )]);
    let scan = job(&facts, CI, "scan");
    assert_eq!(stages(scan), ["build", "security"]);
    assert_eq!(scan.steps[0].tools, ["codeql"]);
    assert_eq!(scan.steps[1].tools, ["trivy"]);
    assert_eq!(
        scan.steps[1].uses.as_deref(),
        Some("docker://aquasec/trivy:0.50.0")
    );
}

#[test]
fn services_are_detected_with_the_image_line() {
    let facts = detect_tree(&[(
        CI,
        "jobs:
  test:
    services:
      db:
        image: postgres:16
        ports: ['5432:5432']
      cache: redis:7
    steps:
      - run: pytest
",
    )]);
    let db = facts
        .detections
        .iter()
        .find(|d| d.reason.starts_with("CI service"))
        .unwrap();
    assert_eq!(db.reason, "CI service postgres:16");
    assert_eq!(db.line, 5);
}

#[test]
fn local_composite_actions_count_as_the_callers_steps() {
    let facts = detect_tree(&[
        (
            CI,
            "jobs:
  check:
    steps:
      - uses: actions/checkout@v4
      - name: Checks
        uses: ./.github/actions/checks
",
        ),
        (
            ".github/actions/checks/action.yml",
            "name: checks
runs:
  using: composite
  steps:
    - run: ruff check .
      shell: bash
      working-directory: api
    - uses: ./.github/actions/tests
",
        ),
        (
            ".github/actions/tests/action.yaml",
            "runs:
  using: composite
  steps:
    - run: cd api && pytest
      shell: bash
",
        ),
    ]);
    assert_eq!(facts.pipelines.len(), 1, "action files are not pipelines");
    let check = job(&facts, CI, "check");
    assert_eq!(stages(check), ["test", "lint"]);
    let step = &check.steps[1];
    assert_eq!(step.line, 5);
    assert_eq!(step.name.as_deref(), Some("Checks"));
    assert_eq!(step.uses.as_deref(), Some("./.github/actions/checks"));
    assert_eq!(step.tools, ["ruff", "pytest"]);
    assert_eq!(step.directory.as_deref(), Some("api"));
    assert_eq!(check.directory.as_deref(), Some("api"));
    // Evidence points into the action files.
    let places: Vec<(&str, u32)> = facts
        .detections
        .iter()
        .map(|d| (d.path.as_str(), d.line))
        .collect();
    assert_eq!(
        places,
        [
            (".github/actions/tests/action.yaml", 4),
            (".github/actions/checks/action.yml", 5)
        ]
    );
}

#[test]
fn action_cycles_and_missing_actions_end_quietly() {
    let facts = detect_tree(&[
        (
            CI,
            "jobs:
  a:
    steps:
      - uses: ./.github/actions/loop
      - uses: ./.github/actions/missing
      - uses: ./../outside
",
        ),
        (
            ".github/actions/loop/action.yml",
            "runs:
  using: composite
  steps:
    - run: pytest
      shell: bash
    - uses: ./.github/actions/loop
",
        ),
    ]);
    let a = job(&facts, CI, "a");
    assert_eq!(stages(a), ["test"]);
    assert_eq!(a.steps.len(), 3);
    assert!(a.steps[1].stages.is_empty());
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
}

#[test]
fn nesting_is_bounded() {
    let mut files = vec![(
        CI.to_string(),
        "jobs:\n  a:\n    steps:\n      - uses: ./a1\n".to_string(),
    )];
    for i in 1..=8 {
        let body = if i == 8 {
            "    - run: pytest\n      shell: bash\n".to_string()
        } else {
            format!("    - uses: ./a{}\n", i + 1)
        };
        files.push((
            format!("a{i}/action.yml"),
            format!("runs:\n  using: composite\n  steps:\n{body}"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let facts = detect_tree(&refs);
    assert!(job(&facts, CI, "a").stages.is_empty());
}

#[test]
fn reusable_workflows_lend_their_stages_to_the_caller() {
    let facts = detect_tree(&[
        (
            CI,
            "on: push
jobs:
  tests:
    uses: ./.github/workflows/tests.yml
  scan:
    uses: acme/shared/.github/workflows/codeql-analysis.yml@v2
    secrets: inherit
  ship:
    needs: [tests, scan]
    uses: acme/shared/.github/workflows/deploy.yml@main
",
        ),
        (
            ".github/workflows/tests.yml",
            "on: workflow_call
jobs:
  unit:
    steps:
      - run: pytest
  again:
    uses: ./.github/workflows/tests.yml
",
        ),
    ]);
    assert_eq!(facts.pipelines.len(), 2);
    let tests = job(&facts, CI, "tests");
    assert_eq!(stages(tests), ["test"]);
    assert_eq!(tests.steps[0].line, 4);
    assert_eq!(tests.steps[0].tools, ["pytest"]);
    assert_eq!(stages(job(&facts, CI, "scan")), ["security"]);
    let ship = job(&facts, CI, "ship");
    assert_eq!(stages(ship), ["deploy"]);
    assert_eq!(ship.needs, ["scan", "tests"]);
    // The called workflow is a pipeline too; calling itself ends.
    assert_eq!(
        stages(job(&facts, ".github/workflows/tests.yml", "again")),
        ["test"]
    );
    // Its pytest is detected once, in its own file.
    let evidence: Vec<&str> = facts.detections.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(evidence, [".github/workflows/tests.yml"]);
}

#[test]
fn python_shell_steps_are_programs_not_commands() {
    let facts = detect_tree(&[(
        CI,
        "jobs:\n  a:\n    steps:\n      - run: |\n          import pytest\n        shell: python\n",
    )]);
    assert!(job(&facts, CI, "a").stages.is_empty());
}

#[test]
fn broken_files_are_problems_and_odd_shapes_are_skipped() {
    let facts = detect_tree(&[
        (CI, "jobs:\n  a: [\n"),
        (".github/workflows/odd.yml", "jobs:\n  - a\n  - b\n"),
        (
            ".github/workflows/odder.yml",
            "jobs:\n  a:\n    needs: {x: 1}\n    environment: {url: x}\n    steps: run\n  b: 3\n  ? [x]\n  : y\n",
        ),
        (".github/workflows/empty.yml", ""),
        (".github/actions/bad/action.yml", "runs: {\n"),
    ]);
    let mut problems: Vec<&str> = facts.problems.iter().map(|p| p.path.as_str()).collect();
    problems.sort();
    assert_eq!(problems, [".github/actions/bad/action.yml", CI]);
    let paths: Vec<&str> = facts.pipelines.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            ".github/workflows/empty.yml",
            ".github/workflows/odd.yml",
            ".github/workflows/odder.yml"
        ]
    );
    let a = job(&facts, ".github/workflows/odder.yml", "a");
    assert!(a.needs.is_empty() && a.environment.is_none() && a.steps.is_empty());
}

#[test]
fn a_command_the_data_cannot_read_is_known_by_its_step_name() {
    let facts = detect_tree(&[(
        CI,
        "on: push
jobs:
  rails:
    runs-on: ubuntu-latest
    steps:
      - name: Run the tests
        run: bin/rails $TEST_COMMAND
      - name: Notify
        run: ./script/notify.sh
",
    )]);
    let rails = job(&facts, CI, "rails");
    assert_eq!(stages(rails), ["test"]);
    assert!(rails.steps[1].stages.is_empty());
}
