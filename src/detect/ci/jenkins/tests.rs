//! Jenkinsfiles: declarative and scripted stage graphs, shell step forms,
//! directories, services, and text that must not confuse the structure.

use super::*;
use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

fn scan(text: &str) -> Facts {
    run(detect, FileKind::Jenkinsfile, &[("Jenkinsfile", text)])
}

const DECLARATIVE: &str = r#"// Build { and test } the api
pipeline {
    agent { docker { image 'maven:3.9-eclipse-temurin-21' } }
    stages {
        stage('Build') {
            steps {
                dir('api') {
                    sh './mvnw -q package -DskipTests'
                }
            }
        }
        stage("Checks") {
            parallel {
                stage('Unit') {
                    steps {
                        withMaven(maven: 'M3') {
                            sh(script: './mvnw verify', returnStatus: true)
                        }
                    }
                }
                stage('Lint') {
                    steps { sh label: 'lint', script: '''
                        npx eslint "src/**/*.{js,ts}"
                    ''' }
                }
            }
        }
        stage('Deploy') {
            when { branch 'main'; expression { env.TAG ==~ /v\d+\}/ } }
            steps {
                input message: 'Ship it?'
                sh "helm upgrade --install api chart/ --set image.tag=${env.GIT_COMMIT.take(7)}"
            }
        }
    }
    post { always { junit 'api/target/surefire-reports/*.xml' } }
}
"#;

#[test]
fn declarative_stages_parallel_branches_and_directories() {
    let facts = scan(DECLARATIVE);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let p = pipeline(&facts);
    assert_eq!(
        graph(p),
        [
            ("Build".to_string(), 5, ids(&[])),
            ("Unit".to_string(), 14, ids(&["Build"])),
            ("Lint".to_string(), 21, ids(&["Build"])),
            ("Deploy".to_string(), 28, ids(&["Lint", "Unit"])),
        ]
    );
    let build = job(p, "Build");
    assert_eq!(build.directory.as_deref(), Some("api"));
    assert_eq!(
        build.steps[0].run.as_deref(),
        Some("./mvnw -q package -DskipTests")
    );
    // `mvn verify` compiles and packages before it tests.
    assert_eq!(stages(job(p, "Unit")), ["build", "test"]);
    assert_eq!(stages(job(p, "Lint")), ["lint"]);
    let deploy = job(p, "Deploy");
    assert_eq!(stages(deploy), ["deploy"]);
    assert_eq!(deploy.steps[0].uses.as_deref(), Some("input"));
    assert_eq!(deploy.steps[1].line, 32);
}

#[test]
fn scripted_pipelines_with_parallel_maps_and_services() {
    let text = r#"node('linux') {
    checkout scm
    stage('Test') {
        docker.image('postgres:16').withRun('-e POSTGRES_PASSWORD=x') { c ->
            sh 'pytest -q'
        }
    }
    parallel(
        'image': {
            stage('Image') { docker.build("acme/api:${BUILD_NUMBER}", './api') }
        },
        audit: { sh 'pip-audit' },
        failFast: true
    )
    stage('Release') {
        bat "gradlew.bat publish"
    }
}
"#;
    let facts = scan(text);
    let p = pipeline(&facts);
    assert_eq!(
        graph(p),
        [
            ("Test".to_string(), 3, ids(&[])),
            ("Image".to_string(), 10, ids(&["Test"])),
            ("audit".to_string(), 12, ids(&["Test"])),
            ("Release".to_string(), 15, ids(&["Image", "audit"])),
        ]
    );
    assert_eq!(stages(job(p, "Image")), ["build"]);
    assert_eq!(stages(job(p, "audit")), ["security"]);
    assert!(detected(&facts, "postgresql", "CI service postgres:16"));
    assert!(detected(&facts, "pip-audit", "run: pip-audit"));
}

#[test]
fn nested_stages_run_in_sequence_and_names_repeat_safely() {
    let text = r#"pipeline {
  stages {
    stage('CI') {
      stages {
        stage('Test') { steps { sh 'go test ./...' } }
        stage('Vet') { steps { sh 'go vet ./...' } }
      }
    }
    stage('Test') { steps { sh 'make test-e2e' } }
  }
}
"#;
    let facts = scan(text);
    let p = pipeline(&facts);
    assert_eq!(
        graph(p),
        [
            ("Test".to_string(), 5, ids(&[])),
            ("Vet".to_string(), 6, ids(&["Test"])),
            ("Test#2".to_string(), 9, ids(&["Vet"])),
        ]
    );
}

#[test]
fn steps_outside_stages_are_one_job_only_without_stages() {
    let facts = scan("node {\n  sh 'cargo test'\n}\n");
    let p = pipeline(&facts);
    assert_eq!(graph(p), [("default".to_string(), 2, ids(&[]))]);
    assert_eq!(stages(&p.jobs[0]), ["test"]);
}

#[test]
fn broken_text_is_a_problem_or_degrades_quietly() {
    let facts = scan("pipeline {\n  stages {\n    stage('x') {\n      sh 'unterminated\n");
    assert_eq!(facts.problems.len(), 1);
    assert_eq!(facts.problems[0].line, 4);
    assert!(facts.pipelines.is_empty());
    // Unbalanced braces: whatever closes is read.
    let facts = scan("stage('a') { sh 'make test' }\n}}}\nstage('b') {\n");
    let p = pipeline(&facts);
    assert_eq!(graph(p), [("a".to_string(), 1, ids(&[]))]);
    // Deep nesting is bounded.
    let deep = format!(
        "{}sh 'make test'{}",
        "dir('a') {".repeat(500),
        "}".repeat(500)
    );
    let facts = scan(&deep);
    assert!(facts.problems.is_empty());
}
