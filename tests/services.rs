//! Services are deduplicated across compose files, Dockerfiles and
//! Kubernetes workloads: the assertions behind the fixture snapshots.
#![allow(clippy::unwrap_used)]

mod common;

use stacklint::model::{ServiceOrigin, Stack};

fn stack(fixture: &str) -> Stack {
    common::scan(&common::fixture(fixture), &common::builtin_catalog())
}

fn own(stack: &Stack) -> Vec<&str> {
    stack
        .services
        .iter()
        .filter(|s| s.own)
        .map(|s| s.name.as_str())
        .collect()
}

#[test]
fn compose_dockerfile_and_deployment_of_one_image_are_one_service() {
    let stack = stack("dedupe-compose-k8s");
    assert_eq!(own(&stack), ["api", "worker"]);
    let api = &stack.services[0];
    assert_eq!(api.origin, ServiceOrigin::Compose);
    assert_eq!((api.path.as_str(), api.line), ("docker-compose.yml", 3));
    let declared: Vec<&str> = api.declarations.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(
        declared,
        [
            "docker-compose.yml",
            "k8s/api.yaml",
            "services/api/Dockerfile"
        ]
    );
    assert_eq!(api.uses, ["db", "redis"]);
    assert!(api.health_check, "the Deployment's readiness probe counts");
    assert_eq!(api.replicas, Some(3));
    assert_eq!(api.component.as_deref(), Some("orders-api"));
    let worker = &stack.services[1];
    assert_eq!(worker.uses, ["db"]);
    assert_eq!(
        worker.dockerfile.as_deref(),
        Some("services/worker/Dockerfile")
    );
    assert!(!worker.health_check);
    let db = stack.services.iter().find(|s| s.name == "db").unwrap();
    assert!(!db.own);
    assert_eq!(db.technologies, ["postgresql"]);
}

#[test]
fn one_dockerfile_and_one_deployment_of_its_image_are_one_own_service() {
    let stack = stack("k8s-single-service");
    assert_eq!(own(&stack), ["shop-api"]);
    assert_eq!(stack.services.len(), 1);
}

#[test]
fn microservices_in_compose_share_their_database() {
    let stack = stack("compose-microservices");
    assert_eq!(
        own(&stack),
        ["orders", "payments", "catalog", "notifications"]
    );
    let using_db: Vec<&str> = stack
        .services
        .iter()
        .filter(|s| s.own && s.uses.iter().any(|u| u == "db"))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(using_db, ["orders", "payments"]);
}

#[test]
fn an_infrastructure_repository_has_no_own_services() {
    let stack = stack("k8s-platform");
    assert!(own(&stack).is_empty());
    assert!(!stack.services.is_empty());
}

#[test]
fn procfile_processes_are_one_service_and_functions_are_not_services() {
    let heroku = stack("heroku-app");
    assert_eq!(own(&heroku), ["heroku-app"]);
    let serverless = stack("serverless-app");
    assert!(serverless.services.is_empty());
    assert_eq!(serverless.functions.len(), 3);
}
