//! Azure Pipelines: stage ordering, deployment jobs, tasks and templates.

use super::*;
use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

fn scan(files: &[(&str, &str)]) -> Facts {
    run(detect, FileKind::AzurePipelines, files)
}

const STAGED: &str = r#"trigger: [main]
resources:
  containers:
    - container: pg
      image: postgres:16
stages:
  - stage: Build
    jobs:
      - job: Unit
        services:
          db: pg
        steps:
          - script: dotnet test
            workingDirectory: $(System.DefaultWorkingDirectory)/api
          - task: PublishTestResults@2
      - job: Lint
        dependsOn: Unit
        steps:
          - task: SonarQubeAnalyze@5
  - stage: Package
    jobs: []
  - stage: Deploy
    jobs:
      - deployment: Web
        environment: production.web
        strategy:
          runOnce:
            deploy:
              steps:
                - task: KubernetesManifest@1
                  inputs:
                    action: deploy
  - stage: Smoke
    dependsOn: []
    jobs:
      - job: Ping
        steps:
          - bash: curl -f https://example.com/health
"#;

#[test]
fn stages_run_in_order_and_jobs_need_the_previous_stage() {
    let facts = scan(&[("azure-pipelines.yml", STAGED)]);
    let p = pipeline(&facts);
    assert_eq!(
        graph(p),
        [
            ("Build/Unit".to_string(), 9, ids(&[])),
            ("Build/Lint".to_string(), 16, ids(&["Build/Unit"])),
            // Package has no jobs: Deploy waits for Build through it.
            (
                "Deploy/Web".to_string(),
                24,
                ids(&["Build/Lint", "Build/Unit"])
            ),
            ("Smoke/Ping".to_string(), 36, ids(&[])),
        ]
    );
    let unit = job(p, "Build/Unit");
    // PublishTestResults publishes results; it runs no tests.
    assert_eq!(stages(unit), ["test"]);
    assert_eq!(unit.directory.as_deref(), Some("api"));
    assert_eq!(unit.steps.len(), 2);
    assert_eq!(stages(job(p, "Build/Lint")), ["security"]);
    let web = job(p, "Deploy/Web");
    assert_eq!(web.environment.as_deref(), Some("production"));
    assert_eq!(stages(web), ["deploy"]);
    assert_eq!(web.steps[0].uses.as_deref(), Some("KubernetesManifest@1"));
    assert!(detected(&facts, "postgresql", "CI service postgres:16"));
    assert!(detected(&facts, "sonarqube", "uses: SonarQubeAnalyze@5"));
}

#[test]
fn cli_tasks_are_classified_by_the_command_they_run() {
    let text = r#"steps:
  - task: DotNetCoreCLI@2
    displayName: Test
    inputs:
      command: test
      projects: src/Api.Tests/Api.Tests.csproj
  - task: Docker@2
    inputs:
      repository: api
  - task: HelmDeploy@0
    inputs:
      command: upgrade
      chartType: FilePath
"#;
    let facts = scan(&[("azure-pipelines.yml", text)]);
    let p = pipeline(&facts);
    assert_eq!(graph(p), [("Job".to_string(), 1, ids(&[]))]);
    let steps = &p.jobs[0].steps;
    assert_eq!(steps[0].run.as_deref(), Some("dotnet test"));
    assert_eq!(steps[0].directory.as_deref(), Some("src/Api.Tests"));
    assert_eq!(steps[0].name.as_deref(), Some("Test"));
    assert_eq!(steps[1].run.as_deref(), Some("docker build\ndocker push"));
    let stages_of =
        |i: usize| -> Vec<&str> { steps[i].stages.iter().map(|s| s.as_str()).collect() };
    assert_eq!(stages_of(0), ["test"]);
    assert_eq!(stages_of(1), ["build", "release"]);
    assert_eq!(stages_of(2), ["deploy"]);
    assert!(detected(&facts, "helm", "run: helm upgrade"));
}

#[test]
fn templates_expand_where_they_are_referenced() {
    let main = r#"stages:
  - template: .azure-pipelines/stages/test.yml
  - stage: Deploy
    jobs:
      - template: .azure-pipelines/jobs/deploy.yml
"#;
    let test_stage = r#"parameters:
  - name: dir
    default: api
stages:
  - stage: Test
    jobs:
      - job: Pytest
        steps:
          - template: ../steps/pytest.yml
          - ${{ if eq(parameters.lint, true) }}:
            - script: ruff check .
"#;
    let pytest = "steps:\n  - script: cd api && poetry run pytest\n  - template: pytest.yml\n";
    let deploy = "jobs:\n  - deployment: Api\n    environment: prod\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - template: ${{ parameters.steps }}\n            - template: missing.yml\n            - template: shared.yml@templates\n            - script: helm upgrade --install api chart/\n";
    let facts = scan(&[
        ("azure-pipelines.yml", main),
        (".azure-pipelines/stages/test.yml", test_stage),
        (".azure-pipelines/steps/pytest.yml", pytest),
        (".azure-pipelines/jobs/deploy.yml", deploy),
    ]);
    // Only the pipeline file is a pipeline; the templates are part of it.
    let p = pipeline(&facts);
    assert_eq!(p.path, "azure-pipelines.yml");
    assert_eq!(
        graph(p),
        [
            ("Test/Pytest".to_string(), 2, ids(&[])),
            ("Deploy/Api".to_string(), 5, ids(&["Test/Pytest"])),
        ]
    );
    let pytest_job = job(p, "Test/Pytest");
    assert_eq!(stages(pytest_job), ["test", "lint"]);
    // The recursive template is expanded once; every step has the line of
    // the reference in the pipeline file.
    assert_eq!(pytest_job.steps.len(), 2);
    assert!(pytest_job.steps.iter().all(|s| s.line == 2));
    assert_eq!(pytest_job.steps[0].directory.as_deref(), Some("api"));
    assert_eq!(stages(job(p, "Deploy/Api")), ["deploy"]);
    // The evidence points into the template where the command is written.
    let pytest_id = crate::catalog::Catalog::builtin()
        .unwrap()
        .id_of("pytest")
        .unwrap();
    let evidence = facts
        .detections
        .iter()
        .find(|d| d.tech == pytest_id)
        .unwrap();
    assert_eq!(
        (evidence.path.as_str(), evidence.line),
        (".azure-pipelines/steps/pytest.yml", 2)
    );
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
}

#[test]
fn extends_reads_the_base_template_and_top_level_jobs_have_plain_ids() {
    let main = "extends:\n  template: base.yml\n";
    let base = "jobs:\n  - job: build\n    steps:\n      - script: go build ./...\n  - job: test\n    dependsOn: [build]\n    steps:\n      - script: go test ./...\n";
    let facts = scan(&[("azure-pipelines.yml", main), ("base.yml", base)]);
    let p = pipeline(&facts);
    assert_eq!(
        graph(p),
        [
            ("build".to_string(), 2, ids(&[])),
            ("test".to_string(), 2, ids(&["build"])),
        ]
    );
}

#[test]
fn a_template_that_does_not_parse_is_a_problem_once() {
    let main = "steps:\n  - template: .azure-pipelines/templates/bad.yml\n  - template: .azure-pipelines/templates/bad.yml\n";
    let facts = scan(&[
        ("azure-pipelines.yml", main),
        (".azure-pipelines/templates/bad.yml", "steps: [\n"),
    ]);
    assert_eq!(facts.problems.len(), 1, "{:?}", facts.problems);
    assert_eq!(facts.problems[0].path, ".azure-pipelines/templates/bad.yml");
    assert_eq!(pipeline(&facts).jobs.len(), 1);
}
