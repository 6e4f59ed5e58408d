#![allow(clippy::field_reassign_with_default)]

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::detect::testing;
use crate::model::{Container, DockerStage, Dockerfile, Ecosystem, EnvVar, KubeService, Workload};

fn catalog() -> Catalog {
    let text = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
images = ["postgres"]
urls = ["postgres", "postgresql"]
"#;
    let cache = r#"category = "cache"
[[technology]]
id = "redis"
name = "Redis"
images = ["redis"]
urls = ["redis"]
"#;
    let proxy = r#"category = "proxy"
[[technology]]
id = "nginx"
name = "NGINX"
images = ["nginx"]
"#;
    testing::catalog_of(&[text, cache, proxy])
}

fn draft(dir: &str, name: &str, kind: ComponentKind) -> Draft {
    Draft {
        dir: dir.to_string(),
        name: name.to_string(),
        ecosystem: Ecosystem::Node,
        language: "javascript".to_string(),
        manifests: Vec::new(),
        dependencies: Vec::new(),
        executable: false,
        lockfile: None,
        has_tests: false,
        workspace: None,
        kind,
        technologies: BTreeSet::new(),
    }
}

fn compose(name: &str, line: u32) -> ServiceFact {
    ServiceFact::new(ServiceOrigin::Compose, name, "docker-compose.yml", line)
}

fn dockerfile(path: &str, healthcheck: bool) -> Dockerfile {
    Dockerfile {
        path: path.to_string(),
        stages: vec![DockerStage {
            name: None,
            line: 1,
            image: "node:20-alpine".to_string(),
            image_name: "node".to_string(),
            tag: Some("20-alpine".to_string()),
            digest: None,
            unresolved: false,
            base_stage: None,
            scratch: false,
            user: None,
            user_line: None,
        }],
        user: None,
        user_line: None,
        runs_as_root: true,
        health_check: healthcheck,
        health_check_line: None,
        exposes: vec!["3000".to_string()],
    }
}

fn deployment(name: &str, image: &str, labels: &[(&str, &str)]) -> Workload {
    Workload {
        kind: "Deployment".to_string(),
        name: name.to_string(),
        namespace: None,
        path: format!("k8s/{name}.yaml"),
        line: 2,
        replicas: Some(3),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        run_as_non_root: None,
        run_as_user: None,
        containers: vec![Container {
            name: name.to_string(),
            image: Some(image.to_string()),
            line: 10,
            init: false,
            liveness_probe: true,
            readiness_probe: false,
            startup_probe: false,
            limits: BTreeMap::new(),
            requests: BTreeMap::new(),
            run_as_non_root: None,
            run_as_user: None,
            privileged: None,
            env: Vec::new(),
            env_from: Vec::new(),
        }],
        source: "manifest".to_string(),
    }
}

#[test]
fn compose_build_and_its_dockerfile_are_one_service_using_the_shared_database() {
    let mut facts = Facts::default();
    let mut api = compose("api", 2);
    api.build_context = Some("api".to_string());
    api.depends_on = vec!["db".to_string()];
    let mut worker = compose("worker", 8);
    worker.build_context = Some("worker".to_string());
    worker.env.push(EnvFact {
        name: "DATABASE_URL".to_string(),
        value: Some("postgres://app:secret@db:5432/app".to_string()),
        line: 11,
    });
    let mut db = compose("db", 14);
    db.image = Some("postgres:16".to_string());
    facts.services = vec![api, worker, db];
    facts.dockerfiles = vec![
        dockerfile("api/Dockerfile", true),
        dockerfile("worker/Dockerfile", false),
    ];
    let mut drafts = vec![
        draft("api", "api", ComponentKind::Server),
        draft("worker", "worker", ComponentKind::Library),
    ];

    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let names: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(names, [("api", true), ("worker", true), ("db", false)]);
    assert_eq!(services[0].uses, ["db"]);
    assert_eq!(services[1].uses, ["db"]);
    assert!(
        services[0].health_check,
        "HEALTHCHECK in the Dockerfile counts"
    );
    assert!(!services[1].health_check);
    assert_eq!(services[0].component.as_deref(), Some("api"));
    assert_eq!(services[0].replicas, Some(1));
    assert_eq!(services[2].technologies, ["postgresql"]);
    assert_eq!(services[0].declarations.len(), 2);
    // The worker is the build context of a deployable service: a server now.
    assert_eq!(drafts[1].kind, ComponentKind::Server);
}

#[test]
fn one_root_dockerfile_and_one_deployment_of_its_image_are_one_own_service() {
    let mut facts = Facts::default();
    facts.dockerfiles = vec![dockerfile("Dockerfile", false)];
    facts.kubernetes.workloads = vec![deployment(
        "web",
        "ghcr.io/acme/storefront:1.2.0",
        &[("app", "web")],
    )];
    let mut drafts = vec![draft("", "storefront", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services.len(), 1, "{services:#?}");
    let service = &services[0];
    assert!(service.own);
    assert_eq!(service.origin, ServiceOrigin::Dockerfile);
    assert!(service.health_check, "the Deployment's probe counts");
    assert_eq!(service.replicas, Some(3));
    assert_eq!(service.build.as_deref(), Some("."));
}

#[test]
fn deployments_of_one_image_are_one_service_and_third_party_images_are_not_own() {
    let mut facts = Facts::default();
    facts.dockerfiles = vec![
        dockerfile("services/api/Dockerfile", false),
        dockerfile("services/billing/Dockerfile", false),
    ];
    let mut web = deployment(
        "api-web",
        "registry.example.com/shop/api:3",
        &[("app", "api-web")],
    );
    web.containers[0].env.push(EnvVar {
        name: "REDIS_URL".to_string(),
        path: None,
        line: 20,
        value: Some("redis://cache:6379/0".to_string()),
        literal: true,
        from: None,
    });
    let jobs = deployment(
        "api-jobs",
        "registry.example.com/shop/api:3",
        &[("app", "api-jobs")],
    );
    let billing = deployment(
        "billing",
        "registry.example.com/shop/billing:3",
        &[("app", "billing")],
    );
    let redis = deployment("redis", "redis:7", &[("app", "redis")]);
    facts.kubernetes.workloads = vec![web, jobs, billing, redis];
    facts.kubernetes.services = vec![KubeService {
        name: "cache".to_string(),
        namespace: None,
        path: "k8s/redis.yaml".to_string(),
        line: 30,
        service_type: "ClusterIP".to_string(),
        type_line: None,
        selector: BTreeMap::from([("app".to_string(), "redis".to_string())]),
        ports: vec![6379],
    }];
    let mut drafts = vec![
        draft("services/api", "api", ComponentKind::Server),
        draft("services/billing", "billing", ComponentKind::Server),
    ];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(
        summary,
        [("redis", false), ("api", true), ("billing", true)],
        "{services:#?}"
    );
    // The Service `cache` selects the redis workload.
    assert_eq!(services[1].uses, ["redis"]);
}

#[test]
fn dev_container_and_example_dockerfiles_are_not_services() {
    let mut facts = Facts::default();
    facts.dockerfiles = vec![
        dockerfile(".devcontainer/Dockerfile", false),
        dockerfile("examples/demo/Dockerfile", false),
        dockerfile("Dockerfile", false),
        dockerfile("Dockerfile.dev", false),
    ];
    let mut drafts = vec![draft("", "app", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].dockerfile.as_deref(), Some("Dockerfile"));
    assert_eq!(services[0].declarations.len(), 2);
}

#[test]
fn packaging_directories_belong_to_their_component() {
    let mut facts = Facts::default();
    facts.dockerfiles = vec![
        dockerfile("build/package/Dockerfile", false),
        dockerfile("tools/migrate/Dockerfile", false),
    ];
    let mut drafts = vec![draft("", "gateway", ComponentKind::Library)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].build.as_deref(), Some("."));
    assert_eq!(drafts[0].kind, ComponentKind::Server);
}

#[test]
fn an_infrastructure_repo_has_no_own_services() {
    let mut facts = Facts::default();
    facts.kubernetes.workloads = vec![
        deployment("grafana", "grafana/grafana:11", &[]),
        deployment("postgres", "postgres:16", &[]),
    ];
    let mut drafts = Vec::new();
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services.len(), 2);
    assert!(services.iter().all(|s| !s.own));
}

#[test]
fn compose_override_files_add_to_the_base_service() {
    let mut facts = Facts::default();
    let mut base = compose("api", 3);
    base.build_context = Some(String::new());
    let mut over = ServiceFact::new(
        ServiceOrigin::Compose,
        "api",
        "docker-compose.override.yml",
        2,
    );
    over.ports = vec!["8080:8080".to_string()];
    over.health_check = Some(true);
    facts.services = vec![over, base];
    let mut drafts = vec![draft("", "app", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].path, "docker-compose.yml");
    assert_eq!(services[0].ports, ["8080:8080"]);
    assert!(services[0].health_check);
}

#[test]
fn compose_images_named_after_components_are_own_and_the_root_template_dockerfile_is_not_a_service()
{
    let mut facts = Facts::default();
    let mut customers = compose("customers-service", 3);
    customers.image = Some("springcommunity/spring-petclinic-customers-service".to_string());
    let mut vets = compose("vets-service", 9);
    vets.image = Some("springcommunity/spring-petclinic-vets-service:3.4".to_string());
    let mut grafana = compose("grafana-server", 15);
    grafana.image = Some("acme/grafana-dashboards".to_string());
    facts.services = vec![customers, vets, grafana];
    facts.dockerfiles = vec![dockerfile("docker/Dockerfile", false)];
    let mut root = draft("", "petclinic", ComponentKind::Library);
    root.workspace = None;
    let mut a = draft(
        "spring-petclinic-customers-service",
        "spring-petclinic-customers-service",
        ComponentKind::Library,
    );
    a.workspace = Some(".".to_string());
    let mut b = draft(
        "spring-petclinic-vets-service",
        "spring-petclinic-vets-service",
        ComponentKind::Library,
    );
    b.workspace = Some(".".to_string());
    let mut drafts = vec![root, a, b];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(
        summary,
        [
            ("customers-service", true),
            ("vets-service", true),
            ("grafana-server", false)
        ]
    );
    assert_eq!(
        services[0].build.as_deref(),
        Some("spring-petclinic-customers-service")
    );
    assert_eq!(
        services[0].component.as_deref(),
        Some("spring-petclinic-customers-service")
    );
    assert_eq!(drafts[1].kind, ComponentKind::Server);
    assert_eq!(
        drafts[0].kind,
        ComponentKind::Library,
        "the aggregator builds no service of its own"
    );
}

#[test]
fn generic_context_directories_take_the_component_name() {
    let mut facts = Facts::default();
    facts.dockerfiles = vec![dockerfile("src/cartservice/src/Dockerfile", false)];
    let mut drafts = vec![draft(
        "src/cartservice/src",
        "cartservice",
        ComponentKind::Server,
    )];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    assert_eq!(services[0].name, "cartservice");
}

#[test]
fn a_dockerfile_that_only_configures_a_third_party_image_is_not_own() {
    let mut facts = Facts::default();
    let mut proxy = compose("proxy", 3);
    proxy.build_context = Some("docker/nginx".to_string());
    let mut web = compose("web", 9);
    web.build_context = Some("web".to_string());
    facts.services = vec![proxy, web];
    let mut nginx = dockerfile("docker/nginx/Dockerfile", false);
    nginx.stages[0].image = "nginx:1.27-alpine".to_string();
    nginx.stages[0].image_name = "nginx".to_string();
    let mut spa = dockerfile("web/Dockerfile", false);
    spa.stages[0].image = "nginx:1.27-alpine".to_string();
    facts.dockerfiles = vec![nginx, spa];
    let mut drafts = vec![draft("web", "web", ComponentKind::Frontend)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(summary, [("proxy", false), ("web", true)]);
    assert_eq!(services[0].technologies, ["nginx"]);
}

#[test]
fn compose_services_built_from_the_same_code_are_one_service() {
    let mut facts = Facts::default();
    let mut api = compose("api", 3);
    api.build_context = Some(String::new());
    let mut worker = compose("worker", 9);
    worker.build_context = Some(String::new());
    worker.depends_on = vec!["db".to_string()];
    let mut db = compose("db", 15);
    db.image = Some("postgres:16".to_string());
    facts.services = vec![api, worker, db];
    let mut drafts = vec![draft("", "shop", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(summary, [("api", true), ("db", false)]);
    assert_eq!(
        services[0].uses,
        ["db"],
        "the worker's database is the service's"
    );
    assert_eq!(services[0].declarations.len(), 2);
}

#[test]
fn dev_containers_are_not_services_but_their_datastores_are() {
    let mut facts = Facts::default();
    let mut dev = ServiceFact::new(
        ServiceOrigin::Compose,
        "app",
        ".devcontainer/docker-compose.yml",
        2,
    );
    dev.build_context = Some(String::new());
    dev.dockerfile = Some(".devcontainer/Dockerfile".to_string());
    dev.depends_on = vec!["db".to_string()];
    let mut db = ServiceFact::new(
        ServiceOrigin::Compose,
        "db",
        ".devcontainer/docker-compose.yml",
        12,
    );
    db.image = Some("postgres:16".to_string());
    facts.services = vec![dev, db];
    let mut drafts = vec![draft("", "shop", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "repo");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(summary, [("db", false)]);
}

#[test]
fn images_published_under_the_repository_name_are_own() {
    let mut facts = Facts::default();
    let mut api = compose("api", 2);
    api.image = Some("ghcr.io/acme/shop/shop-api:${TAG}".to_string());
    let mut engine = compose("engine", 8);
    engine.image = Some("acme/shop:2".to_string());
    let mut grafana = compose("grafana", 14);
    grafana.image = Some("acme/dashboards:1".to_string());
    facts.services = vec![api, engine, grafana];
    let mut drafts = vec![draft("", "shop", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "shop");
    let summary: Vec<(&str, bool)> = services.iter().map(|s| (s.name.as_str(), s.own)).collect();
    assert_eq!(
        summary,
        [("api", true), ("engine", true), ("grafana", false)]
    );
    assert!(
        !compose::repository_image("shop", "shop"),
        "a bare name is an official image"
    );
}

#[test]
fn images_of_the_repository_are_the_service_its_dockerfile_builds() {
    let mut facts = Facts::default();
    let mut api = compose("api", 2);
    api.image = Some("ghcr.io/acme/shop/shop-api:1".to_string());
    let mut engine = compose("engine", 8);
    engine.image = Some("ghcr.io/acme/shop/shop-engine:1".to_string());
    facts.services = vec![api, engine];
    facts.dockerfiles = vec![dockerfile("build/package/api.dockerfile", false)];
    let mut drafts = vec![draft("", "shop", ComponentKind::Server)];
    let services = build(&facts, &mut drafts, &catalog(), "shop");
    assert_eq!(services.len(), 1, "{services:#?}");
    assert!(services[0].own);
    assert_eq!(services[0].declarations.len(), 3);
}
