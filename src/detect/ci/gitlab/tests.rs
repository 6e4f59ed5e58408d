//! GitLab CI over temporary trees, with small inline step rules: stages and
//! the implicit job graph, includes, `extends`, anchors, `!reference`,
//! defaults, environments, and broken or hostile input.

use super::*;
use crate::detect::ci::steps::StepRules;
use crate::detect::testing;

const STEPS: &str = r#"
wrappers = ["npx"]
deploy_job_names = ["deploy", "production"]

[stage_names]
release = ["release"]

[[step]]
tool = "jest"
stages = ["test"]
commands = ["npm test", "jest"]

[[step]]
tool = "eslint"
stages = ["lint"]
commands = ["eslint", "npm run lint"]

[[step]]
stages = ["build"]
commands = ["npm run build"]

[[step]]
stages = ["deploy"]
commands = ["kubectl apply"]

[[step]]
stages = ["security"]
actions = ["template:*/sast.gitlab-ci.yml"]
"#;

const CATALOG: &str = r#"category = "testing"
[[technology]]
id = "jest"
name = "Jest"
[[technology]]
id = "eslint"
name = "ESLint"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
images = ["postgres"]
[[technology]]
id = "redis"
name = "Redis"
images = ["redis"]
"#;

const MAIN: &str = ".gitlab-ci.yml";

fn detect_tree(files: &[(&str, &str)]) -> Facts {
    let catalog = testing::catalog(CATALOG);
    let steps = StepRules::from_str("steps.toml", STEPS).unwrap();
    let mut facts = testing::run_tree(detect, &catalog, &steps, &[FileKind::GitlabCi], files);
    facts.detections.sort();
    facts
}

fn jobs(facts: &Facts) -> &[Job] {
    &facts.pipelines[0].jobs
}

fn job<'f>(facts: &'f Facts, id: &str) -> &'f Job {
    jobs(facts)
        .iter()
        .find(|j| j.id == id)
        .unwrap_or_else(|| panic!("no job {id}: {:#?}", facts.pipelines))
}

fn stages(job: &Job) -> Vec<&str> {
    job.stages.iter().map(|s| s.as_str()).collect()
}

fn ids(facts: &Facts) -> Vec<&str> {
    jobs(facts).iter().map(|j| j.id.as_str()).collect()
}

#[test]
fn stage_order_becomes_needs() {
    let facts = detect_tree(&[(
        MAIN,
        "stages: [build, test, deploy]
variables:
  NODE_ENV: test
workflow:
  rules:
    - when: always
prepare:
  stage: .pre
  script: echo hi
build:
  stage: build
  script: npm run build
unit:
  script:
    - npm test
lint:
  stage: test
  needs: []
  script: [eslint .]
deploy:
  stage: deploy
  script: kubectl apply -f k8s/
late:
  stage: deploy
  needs: [build, {job: lint, optional: true}, {job: x, pipeline: other}, missing]
  dependencies: [unit]
  script: echo late
cleanup:
  stage: .post
  script: echo bye
odd:
  stage: nowhere
  script: echo odd
",
    )]);
    assert_eq!(
        ids(&facts),
        [
            "prepare", "build", "unit", "lint", "deploy", "late", "cleanup", "odd"
        ]
    );
    assert!(job(&facts, "prepare").needs.is_empty());
    assert_eq!(job(&facts, "build").needs, ["prepare"]);
    // A job without a stage is in `test`.
    assert_eq!(job(&facts, "unit").needs, ["build", "prepare"]);
    assert_eq!(stages(job(&facts, "unit")), ["test"]);
    assert!(job(&facts, "lint").needs.is_empty());
    assert_eq!(
        job(&facts, "deploy").needs,
        ["build", "lint", "prepare", "unit"]
    );
    assert_eq!(stages(job(&facts, "deploy")), ["deploy"]);
    assert_eq!(job(&facts, "late").needs, ["build", "lint", "unit"]);
    assert_eq!(
        job(&facts, "cleanup").needs,
        ["build", "deploy", "late", "lint", "prepare", "unit"]
    );
    assert!(job(&facts, "odd").needs.is_empty());
    assert_eq!(job(&facts, "unit").line, 13);
    assert_eq!(job(&facts, "unit").steps[0].line, 15);
}

#[test]
fn default_stages_and_stage_names() {
    let facts = detect_tree(&[(
        MAIN,
        "a:
  stage: build
  script: npm run build
b:
  script: npm test
c:
  stage: deploy
  when: manual
  script: ./scripts/upload.sh
",
    )]);
    assert_eq!(job(&facts, "b").needs, ["a"]);
    assert_eq!(job(&facts, "c").needs, ["a", "b"]);
    // The stage's name says it deploys.
    assert_eq!(stages(job(&facts, "c")), ["deploy"]);

    let facts = detect_tree(&[(
        MAIN,
        "stages: [test, production, release]\nship:\n  stage: production\n  script: ./go\npublish:\n  stage: release\n  script: ./go\n",
    )]);
    assert_eq!(stages(job(&facts, "ship")), ["deploy"]);
    assert_eq!(stages(job(&facts, "publish")), ["release"]);
}

#[test]
fn defaults_and_legacy_keys_reach_every_job_that_inherits_them() {
    let facts = detect_tree(&[(
        MAIN,
        "before_script: [echo legacy]
default:
  before_script:
    - npm ci
  services: [postgres:16]
a:
  script: npm test
b:
  inherit:
    default: false
  script: npm test
c:
  inherit:
    default: [services]
  before_script: [npm run lint]
  script: [npm test]
  after_script: [echo done]
",
    )]);
    let a = job(&facts, "a");
    let runs: Vec<&str> = a.steps.iter().filter_map(|s| s.run.as_deref()).collect();
    assert_eq!(runs, ["npm ci", "npm test"]);
    assert_eq!(a.steps[0].line, 4);
    assert_eq!(job(&facts, "b").steps.len(), 1);
    let c = job(&facts, "c");
    assert_eq!(stages(c), ["test", "lint"]);
    assert_eq!(c.steps.len(), 3);
    let services: Vec<(&str, u32)> = facts
        .detections
        .iter()
        .filter(|d| d.reason.starts_with("CI service"))
        .map(|d| (d.reason.as_str(), d.line))
        .collect();
    // Once per job that takes the service; assemble removes duplicates.
    assert_eq!(
        services,
        [("CI service postgres:16", 5), ("CI service postgres:16", 5)]
    );
}

#[test]
fn includes_are_merged_and_their_lines_point_at_the_include() {
    let facts = detect_tree(&[
        (
            MAIN,
            "include:
  - local: /ci/templates.yml
  - 'ci/jobs/*.yml'
  - project: acme/ci
    file: /deploy.yml
  - remote: https://example.com/ci.yml
  - https://example.com/other.yml
  - template: Security/SAST.gitlab-ci.yml
  - template: Workflows/MergeRequest-Pipelines.gitlab-ci.yml
  - local: ci/missing.yml
stages: [build, test, deploy]
unit:
  extends: .node
  script:
    - !reference [.node, before_script]
    - npm test
",
        ),
        (
            "ci/templates.yml",
            "include: ci/more.yml
.node:
  image: node:20
  before_script:
    - npm ci
  services:
    - name: redis:7
      alias: cache
",
        ),
        (
            "ci/more.yml",
            "include: ci/templates.yml\nvariables: {A: '1'}\n",
        ),
        ("ci/jobs/lint.yml", "lint:\n  script: [npx eslint .]\n"),
        (
            "ci/jobs/build.yml",
            "build:\n  stage: build\n  script: npm run build\n",
        ),
    ]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(
        ids(&facts),
        [
            "build",
            "lint",
            "unit",
            "template:Security/SAST.gitlab-ci.yml"
        ]
    );
    let lint = job(&facts, "lint");
    assert_eq!(
        lint.line, 3,
        "a job from an included file points at its include"
    );
    assert_eq!(lint.steps[0].line, 3);
    assert_eq!(stages(lint), ["lint"]);
    let unit = job(&facts, "unit");
    assert_eq!(unit.line, 12);
    let lines: Vec<(&str, u32)> = unit
        .steps
        .iter()
        .map(|s| (s.run.as_deref().unwrap(), s.line))
        .collect();
    // before_script from the template (the job's line), the !reference (its
    // line), then the job's own command.
    assert_eq!(lines, [("npm ci", 12), ("npm ci", 15), ("npm test", 16)]);
    let sast = job(&facts, "template:Security/SAST.gitlab-ci.yml");
    assert_eq!(sast.line, 8);
    assert_eq!(stages(sast), ["security"]);
    assert_eq!(sast.needs, ["build"]);
    assert_eq!(unit.needs, ["build"]);
    // Evidence keeps the real file and line.
    let evidence: Vec<(&str, u32, &str)> = facts
        .detections
        .iter()
        .map(|d| (d.path.as_str(), d.line, d.reason.as_str()))
        .collect();
    assert_eq!(
        evidence,
        [
            (MAIN, 16, "run: npm test"),
            ("ci/jobs/lint.yml", 2, "run: npx eslint ."),
            ("ci/templates.yml", 7, "CI service redis:7"),
        ]
    );
}

#[test]
fn anchors_extends_and_references_combine() {
    let facts = detect_tree(&[(
        MAIN,
        ".defaults: &defaults
  image: node:20
  before_script: [npm ci]
.lint-base:
  <<: *defaults
  stage: test
  script: [npm run lint]
.setup:
  script:
    - cd web
    - [npm run build]
test:
  extends: .lint-base
  script:
    - !reference [.setup, script]
    - npm test
  after_script:
    - npm test
",
    )]);
    let test = job(&facts, "test");
    let dirs: Vec<Option<&str>> = test.steps.iter().map(|s| s.directory.as_deref()).collect();
    // `cd web` moves the commands after it, until after_script's fresh shell.
    assert_eq!(dirs, [None, Some("web"), Some("web"), Some("web"), None]);
    assert_eq!(stages(test), ["build", "test"]);
    assert_eq!(test.directory.as_deref(), Some("web"));
}

#[test]
fn environments_deploy_unless_they_stop() {
    let facts = detect_tree(&[(
        MAIN,
        "review:
  stage: deploy
  script: ./deploy-review.sh
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    on_stop: stop_review
stop_review:
  stage: deploy
  script: ./teardown.sh
  environment:
    name: review/$CI_COMMIT_REF_SLUG
    action: stop
production:
  stage: deploy
  when: manual
  environment: production
  script: kubectl apply -f k8s/
child:
  stage: test
  trigger:
    include: ci/child.yml
  script: npm test
tag:
  stage: test
  script: echo tagging
  release:
    tag_name: $CI_COMMIT_TAG
    description: Release $CI_COMMIT_TAG
pages:
  stage: test
  script: mkdir public
",
    )]);
    let review = job(&facts, "review");
    assert_eq!(
        review.environment.as_deref(),
        Some("review/$CI_COMMIT_REF_SLUG")
    );
    assert_eq!(stages(review), ["deploy"]);
    let stop = job(&facts, "stop_review");
    assert_eq!(stop.environment, None);
    assert!(stop.stages.is_empty());
    let production = job(&facts, "production");
    assert_eq!(production.environment.as_deref(), Some("production"));
    assert_eq!(stages(production), ["deploy"]);
    let child = job(&facts, "child");
    assert!(child.steps.is_empty() && child.stages.is_empty());
    assert_eq!(stages(job(&facts, "tag")), ["release"]);
    assert_eq!(stages(job(&facts, "pages")), ["deploy"]);
}

#[test]
fn broken_configurations_are_problems() {
    let facts = detect_tree(&[(MAIN, "a:\n  script: [\n")]);
    assert!(facts.pipelines.is_empty());
    assert_eq!(facts.problems.len(), 1);

    let facts = detect_tree(&[
        (
            MAIN,
            "include: ci/bad.yml\na:\n  extends: b\n  script: npm test\nb:\n  extends: a\n",
        ),
        ("ci/bad.yml", "x: {\n"),
    ]);
    let mut problems: Vec<(&str, u32)> = facts
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.line))
        .collect();
    problems.sort();
    assert_eq!(problems, [(MAIN, 6), ("ci/bad.yml", 2)]);
    assert_eq!(ids(&facts), ["a", "b"]);
    assert_eq!(stages(job(&facts, "a")), ["test"]);
}

#[test]
fn odd_shapes_are_skipped() {
    let facts = detect_tree(&[(
        MAIN,
        "stages: build\ninclude: {nothing: here}\nx: 3\ny: [1]\nz:\n  script: {a: 1}\n  needs: x\n  services: {name: postgres}\n  environment: {}\n",
    )]);
    assert_eq!(ids(&facts), ["z"]);
    assert!(job(&facts, "z").steps.is_empty());
}

#[test]
fn job_count_is_bounded() {
    let mut text = String::from("stages: [a, b]\n");
    for i in 0..=MAX_JOBS {
        let stage = if i % 2 == 0 { "a" } else { "b" };
        text.push_str(&format!("j{i}: {{stage: {stage}, script: x}}\n"));
    }
    let facts = detect_tree(&[(MAIN, &text)]);
    assert_eq!(jobs(&facts).len(), MAX_JOBS);
    assert!(facts.problems[0].message.contains("jobs"));
}
