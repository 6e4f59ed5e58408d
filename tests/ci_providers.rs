//! The CI pipelines of the provider fixture repositories, job by job: ids,
//! declaration lines, stages, direct needs and directories, so that a rule can
//! walk `needs` and ask whether a deploy waits for tests.
#![allow(clippy::unwrap_used)]

mod common;

use stacklint::catalog::Catalog;
use stacklint::detect::Facts;
use stacklint::model::Pipeline;

/// A job as these tests compare it: (id, line, stages, needs, directory).
type JobRow = (String, u32, Vec<&'static str>, Vec<String>, Option<String>);

fn facts(fixture: &str) -> Facts {
    let (_, facts) = common::fixture_facts(fixture);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    facts
}

fn pipeline<'f>(facts: &'f Facts, provider: &str, path: &str) -> &'f Pipeline {
    let found: Vec<&Pipeline> = facts
        .pipelines
        .iter()
        .filter(|p| p.provider == provider)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].path, path);
    found[0]
}

fn rows(pipeline: &Pipeline) -> Vec<JobRow> {
    pipeline
        .jobs
        .iter()
        .map(|j| {
            (
                j.id.clone(),
                j.line,
                j.stages.iter().map(|s| s.as_str()).collect(),
                j.needs.clone(),
                j.directory.clone(),
            )
        })
        .collect()
}

fn row(id: &str, line: u32, stages: &[&'static str], needs: &[&str], dir: Option<&str>) -> JobRow {
    (
        id.to_string(),
        line,
        stages.to_vec(),
        needs.iter().map(|n| n.to_string()).collect(),
        dir.map(str::to_string),
    )
}

/// Every job `from` waits for, directly or not.
fn upstream(pipeline: &Pipeline, from: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    let mut todo = vec![from.to_string()];
    while let Some(id) = todo.pop() {
        let job = pipeline.jobs.iter().find(|j| j.id == id).unwrap();
        for need in &job.needs {
            if !seen.contains(need) {
                seen.push(need.clone());
                todo.push(need.clone());
            }
        }
    }
    seen.sort();
    seen
}

fn tests_upstream(pipeline: &Pipeline, from: &str) -> bool {
    upstream(pipeline, from).iter().any(|id| {
        pipeline
            .jobs
            .iter()
            .any(|j| j.id == *id && j.stages.iter().any(|s| s.as_str() == "test"))
    })
}

#[test]
fn circleci_workflow_waits_for_tests_through_the_approval() {
    let facts = facts("circleci-pipeline");
    let p = pipeline(&facts, "circleci", ".circleci/config.yml");
    assert_eq!(
        rows(p),
        [
            row("test", 24, &["test"], &[], None),
            row("lint", 35, &["lint"], &[], None),
            row("web-test", 56, &["test"], &[], Some("web")),
            row("image", 60, &["build", "release"], &["test"], None),
            // `deploy` requires the approval `hold`, which requires image and lint.
            row("deploy", 42, &["deploy"], &["image", "lint"], None),
        ]
    );
    assert!(tests_upstream(p, "deploy"));
}

#[test]
fn azure_stages_run_in_order_and_templates_are_expanded() {
    let facts = facts("azure-pipelines-app");
    let p = pipeline(&facts, "azure-pipelines", "azure-pipelines.yml");
    assert_eq!(
        rows(p),
        [
            // Its steps come from the template, at the line of the reference.
            row(
                "CI/Test",
                16,
                &["build", "test"],
                &[],
                Some("tests/Shop.Api.Tests")
            ),
            row("CI/Analyze", 23, &["build", "security"], &[], None),
            row(
                "Publish/Package",
                33,
                &["build"],
                &["CI/Analyze", "CI/Test"],
                Some("src/Shop.Api")
            ),
            row(
                "Production/Web",
                44,
                &["deploy"],
                &["Publish/Package"],
                None
            ),
        ]
    );
    assert!(p.jobs[0].steps.iter().all(|s| s.line == 20));
    assert_eq!(p.jobs[3].environment.as_deref(), Some("production"));
    assert!(tests_upstream(p, "Production/Web"));
}

#[test]
fn jenkins_nested_and_parallel_stages() {
    let facts = facts("jenkins-pipeline");
    let p = pipeline(&facts, "jenkins", "Jenkinsfile");
    assert_eq!(
        rows(p),
        [
            row("Build", 8, &["build"], &[], Some("api")),
            // `mvn verify` compiles and packages before it tests.
            row(
                "Unit tests",
                17,
                &["build", "test"],
                &["Build"],
                Some("api")
            ),
            row("Sonar", 29, &["security"], &["Build"], Some("api")),
            row("Dependency audit", 39, &["security"], &["Sonar"], None),
            row(
                "Image",
                48,
                &["build"],
                &["Dependency audit", "Unit tests"],
                None
            ),
            row("Deploy", 55, &["deploy"], &["Image"], None),
        ]
    );
    assert!(tests_upstream(p, "Deploy"));
}

#[test]
fn bitbucket_pipelines_in_order_with_a_hotfix_deploy_that_skips_tests() {
    let facts = facts("bitbucket-pipelines-app");
    let p = pipeline(&facts, "bitbucket-pipelines", "bitbucket-pipelines.yml");
    assert_eq!(
        rows(p),
        [
            row("pull-requests/**/Test", 31, &["test"], &[], None),
            row("branches/main/Test", 34, &["test"], &[], None),
            row(
                "branches/main/Lint",
                36,
                &["lint"],
                &["branches/main/Test"],
                None
            ),
            row(
                "branches/main/Audit",
                41,
                &["security"],
                &["branches/main/Test"],
                None
            ),
            row(
                "branches/main/Deploy",
                45,
                &["deploy"],
                &["branches/main/Audit", "branches/main/Lint"],
                None
            ),
            row("custom/hotfix-deploy/Deploy", 48, &["deploy"], &[], None),
        ]
    );
    assert!(tests_upstream(p, "branches/main/Deploy"));
    assert!(!tests_upstream(p, "custom/hotfix-deploy/Deploy"));
}

#[test]
fn travis_stages_order_the_included_jobs() {
    let facts = facts("travis-app");
    let p = pipeline(&facts, "travis-ci", ".travis.yml");
    assert_eq!(
        rows(p),
        [
            row("rubocop", 20, &["lint"], &[], None),
            row("test/1", 23, &["test"], &["rubocop"], None),
            row("deploy/1", 25, &["deploy"], &["test/1"], None),
        ]
    );
    assert!(tests_upstream(p, "deploy/1"));
}

#[test]
fn buildkite_waits_and_the_release_block() {
    let facts = facts("buildkite-pipeline");
    let p = pipeline(&facts, "buildkite", ".buildkite/pipeline.yml");
    assert_eq!(
        rows(p),
        [
            row("test", 5, &["test"], &[], None),
            row("lint", 13, &["lint"], &[], None),
            row("image", 19, &["build", "release"], &["lint", "test"], None),
            // The block is a gate: `deploy` depends on what it waits for.
            row("deploy", 30, &["deploy"], &["image"], None),
        ]
    );
    assert!(tests_upstream(p, "deploy"));
}

#[test]
fn cloud_build_deploy_does_not_wait_for_the_tests() {
    let facts = facts("cloudbuild-app");
    let p = pipeline(&facts, "google-cloud-build", "cloudbuild.yaml");
    assert_eq!(
        rows(p),
        [
            row("test", 4, &["test"], &[], None),
            row("build", 11, &["build"], &[], None),
            row("push", 16, &["release"], &["build"], None),
            row("deploy", 21, &["deploy"], &["push"], None),
            // After every step: the ones nothing else waits for.
            row("images", 32, &["release"], &["deploy", "test"], None),
        ]
    );
    assert!(!tests_upstream(p, "deploy"));
}

#[test]
fn codebuild_phases_are_one_job() {
    let facts = facts("codebuild-app");
    let p = pipeline(&facts, "aws-codebuild", "buildspec.yml");
    assert_eq!(
        rows(p),
        [row(
            "build",
            7,
            &["build", "test", "deploy", "release"],
            &[],
            None
        )]
    );
    let runs: Vec<u32> = p.jobs[0].steps.iter().map(|s| s.line).collect();
    assert_eq!(runs, [12, 15, 16, 19, 20, 23, 24]);
}

#[test]
fn drone_promotion_pipeline_waits_for_ci() {
    let facts = facts("drone-app");
    let p = pipeline(&facts, "drone", ".drone.yml");
    assert_eq!(
        rows(p),
        [
            row("ci/test", 10, &["test"], &[], None),
            row("ci/clippy", 17, &["lint"], &["ci/test"], None),
            row(
                "ci/publish",
                23,
                &["build", "release"],
                &["ci/clippy"],
                None
            ),
            row("deploy/rollout", 45, &["deploy"], &["ci/publish"], None),
        ]
    );
    assert_eq!(p.jobs[3].environment.as_deref(), Some("production"));
    assert!(tests_upstream(p, "deploy/rollout"));
}

#[test]
fn ci_service_containers_are_technologies_with_evidence() {
    let catalog = Catalog::builtin().unwrap();
    let cases = [
        (
            "circleci-pipeline",
            "postgresql",
            ".circleci/config.yml",
            11,
            "CI service cimg/postgres:16.3",
        ),
        (
            "azure-pipelines-app",
            "postgresql",
            "azure-pipelines.yml",
            11,
            "CI service postgres:16",
        ),
        (
            "bitbucket-pipelines-app",
            "postgresql",
            "bitbucket-pipelines.yml",
            6,
            "CI service postgres:16",
        ),
        ("travis-app", "redis", ".travis.yml", 7, "CI service redis"),
        (
            "drone-app",
            "redis",
            ".drone.yml",
            6,
            "CI service redis:7-alpine",
        ),
    ];
    for (fixture, tech, path, line, reason) in cases {
        let facts = facts(fixture);
        let id = catalog.id_of(tech).unwrap();
        assert!(
            facts
                .detections
                .iter()
                .any(|d| d.tech == id && d.path == path && d.line == line && d.reason == reason),
            "{fixture}: no {tech} at {path}:{line} ({reason}) in {:#?}",
            facts.detections
        );
    }
}

/// Files with thousands of jobs, where implicit edges (every job of one
/// stage needs every job of the one before) would grow quadratically: each
/// provider reads at most its cap of jobs and says so once.
#[test]
fn huge_pipelines_are_cut_with_a_problem() {
    let n = 3_000;
    let many = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<String>();
    let files: Vec<(&str, String)> = vec![
        (
            ".travis.yml",
            format!(
                "jobs:\n  include:\n{}{}",
                many(&|i| format!("    - stage: a\n      name: a{i}\n      script: make test\n")),
                many(&|i| format!("    - stage: b\n      name: b{i}\n      script: make test\n"))
            ),
        ),
        (
            "bitbucket-pipelines.yml",
            format!(
                "pipelines:\n  default:\n    - parallel:\n{}    - parallel:\n{}",
                many(&|_| "        - step: {script: [make test]}\n".to_string()),
                many(&|_| "        - step: {script: [make test]}\n".to_string())
            ),
        ),
        (
            ".buildkite/pipeline.yml",
            format!(
                "steps:\n{}  - wait\n{}",
                many(&|i| format!("  - {{command: make test, key: a{i}}}\n")),
                many(&|i| format!("  - {{command: make test, key: b{i}}}\n"))
            ),
        ),
        (
            "cloudbuild.yaml",
            format!(
                "steps:\n{}",
                many(&|_| "  - {name: gcr.io/cloud-builders/go, args: [test]}\n".to_string())
            ),
        ),
        (
            "azure-pipelines.yml",
            format!(
                "stages:\n  - stage: A\n    jobs:\n{}  - stage: B\n    jobs:\n{}",
                many(&|i| format!("      - job: a{i}\n        steps: [{{script: make test}}]\n")),
                many(&|i| format!("      - job: b{i}\n        steps: [{{script: make test}}]\n"))
            ),
        ),
        (
            ".circleci/config.yml",
            format!(
                "jobs:\n  t:\n    steps: [{{run: make test}}]\nworkflows:\n  w:\n    jobs:\n{}{}",
                many(&|i| format!(
                    "      - t: {{name: a{i}}}\n      - g{i}: {{type: approval, requires: [a{i}, g{}]}}\n",
                    i + 1
                )),
                many(&|i| format!("      - t: {{name: b{i}, requires: [g0]}}\n"))
            ),
        ),
        (
            "Jenkinsfile",
            format!(
                "pipeline {{ stages {{ stage('p') {{ parallel {{ {} }} }} stage('q') {{ parallel {{ {} }} }} }} }}\n",
                many(&|i| format!("stage('a{i}') {{ steps {{ sh 'make test' }} }}\n")),
                many(&|i| format!("stage('b{i}') {{ steps {{ sh 'make test' }} }}\n"))
            ),
        ),
        (
            ".drone.yml",
            format!(
                "kind: pipeline\nname: a\nsteps:\n{}",
                many(&|i| format!(
                    "  - {{name: s{i}, image: golang, commands: [go test ./...]}}\n"
                ))
            ),
        ),
    ];
    let catalog = common::builtin_catalog();
    for (path, text) in files {
        let dir = tempfile::tempdir().unwrap();
        common::write(dir.path(), &[(path, &text)]);
        let facts = common::facts(dir.path(), &catalog);
        assert_eq!(facts.pipelines.len(), 1, "{path}");
        let jobs = &facts.pipelines[0].jobs;
        assert!(
            !jobs.is_empty() && jobs.len() <= 1_000,
            "{path}: {} jobs",
            jobs.len()
        );
        let edges: usize = jobs.iter().map(|j| j.needs.len()).sum();
        assert!(edges <= 1_000_000, "{path}: {edges} edges");
        assert_eq!(facts.problems.len(), 1, "{path}: {:?}", facts.problems);
        assert!(
            facts.problems[0].message.contains("more than 1000"),
            "{path}"
        );
    }
}
