//! The Kubernetes, Helm, kustomize and skaffold facts of the fixture
//! repositories, asserted field by field.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fixture, fixture_facts as facts};
use stacklint::catalog::Catalog;
use stacklint::detect::Facts;
use stacklint::model::{Container, Workload};

/// Detections of this area (by path prefix), as `id path:line reason`;
/// `kubernetes` itself is checked by [`assert_kubernetes_evidence`].
fn detections(catalog: &Catalog, facts: &Facts, prefixes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = facts
        .detections
        .iter()
        .filter(|d| prefixes.iter().any(|p| d.path.starts_with(p)))
        .filter(|d| catalog.get(d.tech).id != "kubernetes")
        .map(|d| {
            format!(
                "{} {}:{} {}",
                catalog.get(d.tech).id,
                d.path,
                d.line,
                d.reason
            )
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// One `kubernetes` detection per manifest file at its first object's kind
/// line, once the catalog knows the technology (it may not on this branch).
fn assert_kubernetes_evidence(catalog: &Catalog, facts: &Facts, expected: &[&str]) {
    let mut found: Vec<String> = facts
        .detections
        .iter()
        .filter(|d| catalog.get(d.tech).id == "kubernetes")
        .map(|d| format!("{}:{} {}", d.path, d.line, d.reason))
        .collect();
    found.sort();
    if catalog.id_of("kubernetes").is_some() {
        assert_eq!(found, expected);
    } else {
        assert!(found.is_empty());
    }
}

fn only_container(workload: &Workload) -> &Container {
    let [container] = &workload.containers[..] else {
        panic!(
            "{} has {} containers",
            workload.name,
            workload.containers.len()
        );
    };
    container
}

#[test]
fn single_service_deployment_with_kustomize_overrides() {
    let (catalog, facts) = facts("k8s-single-service");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let k = &facts.kubernetes;
    assert_eq!(
        k.manifests,
        [
            "k8s/configmap.yaml",
            "k8s/deployment.yaml",
            "k8s/ingress.yaml",
            "k8s/kustomization.yaml"
        ]
    );

    let [w] = &k.workloads[..] else {
        panic!("one workload: {:?}", k.workloads);
    };
    assert_eq!(
        (w.kind.as_str(), w.name.as_str(), w.namespace.as_deref()),
        ("Deployment", "shop-api", Some("shop")),
        "namespace comes from the kustomization"
    );
    assert_eq!((w.path.as_str(), w.line), ("k8s/deployment.yaml", 2));
    assert_eq!(w.replicas, Some(2));
    assert_eq!(w.labels.get("tier").map(String::as_str), Some("backend"));
    assert_eq!((w.run_as_non_root, w.run_as_user), (Some(true), Some(1000)));
    assert_eq!(w.source, "manifest");

    let c = only_container(w);
    assert_eq!((c.name.as_str(), c.line), ("api", 22));
    assert_eq!(
        c.image.as_deref(),
        Some("ghcr.io/acme/shop-api:1.5.0"),
        "the kustomization's newTag replaces 1.4.2"
    );
    assert!(c.liveness_probe && c.readiness_probe && !c.startup_probe);
    assert_eq!(
        format!("{:?}", c.limits),
        r#"{"cpu": "1", "memory": "256Mi"}"#
    );
    assert_eq!(
        format!("{:?}", c.requests),
        r#"{"cpu": "100m", "memory": "128Mi"}"#
    );
    assert_eq!(c.privileged, Some(false));
    assert_eq!(c.env_from, ["configmap:shop-api-config"]);
    let env: Vec<String> = c
        .env
        .iter()
        .map(|e| {
            format!(
                "{} {}:{} {:?} literal={} from={:?}",
                e.name,
                e.path.as_deref().unwrap_or("-"),
                e.line,
                e.value,
                e.literal,
                e.from
            )
        })
        .collect();
    assert_eq!(
        env,
        [
            r#"PORT -:45 Some("3000") literal=true from=None"#,
            r#"DATABASE_URL -:47 Some("postgres://shop:****@postgres.data.svc.cluster.local:5432/shop") literal=true from=None"#,
            r#"STRIPE_API_KEY -:49 None literal=false from=Some("secret:shop-api-secrets")"#,
            r#"NODE_ENV k8s/configmap.yaml:6 Some("production") literal=true from=Some("configmap:shop-api-config")"#,
            r#"LOG_LEVEL k8s/configmap.yaml:7 Some("info") literal=true from=Some("configmap:shop-api-config")"#,
            r#"REDIS_URL k8s/configmap.yaml:8 Some("redis://redis.data.svc.cluster.local:6379/0") literal=true from=Some("configmap:shop-api-config")"#,
        ]
    );

    let [svc] = &k.services[..] else {
        panic!("one service");
    };
    assert_eq!(
        (svc.name.as_str(), svc.service_type.as_str(), svc.type_line),
        ("shop-api", "ClusterIP", None)
    );
    assert_eq!((svc.path.as_str(), svc.line), ("k8s/deployment.yaml", 59));
    assert_eq!(svc.ports, [80]);
    assert_eq!(k.ingresses[0].name, "shop-api");
    assert_eq!(k.config_maps[0].name, "shop-api-config");
    assert!(k.secrets.is_empty() && k.autoscalers.is_empty());
    assert!(facts.image_builds.is_empty());

    assert_eq!(
        detections(&catalog, &facts, &["k8s/"]),
        [
            "postgresql k8s/deployment.yaml:47 connection URL in DATABASE_URL",
            "redis k8s/configmap.yaml:8 connection URL in REDIS_URL",
            "redis k8s/configmap.yaml:8 environment REDIS_URL",
            "stripe k8s/deployment.yaml:49 environment STRIPE_API_KEY",
        ]
    );
    assert_kubernetes_evidence(
        &catalog,
        &facts,
        &[
            "k8s/configmap.yaml:2 kind ConfigMap",
            "k8s/deployment.yaml:2 kind Deployment",
            "k8s/ingress.yaml:2 kind Ingress",
        ],
    );
    assert!(!format!("{facts:?}").contains("change-me"));
}

#[test]
fn helm_chart_templates_are_read_with_their_values() {
    let (catalog, facts) = facts("helm-chart");
    assert!(
        facts.problems.is_empty(),
        "templates are never problems: {:?}",
        facts.problems
    );
    let k = &facts.kubernetes;
    assert_eq!(
        k.manifests,
        [
            "charts/api/Chart.yaml",
            "charts/api/templates/deployment.yaml",
            "charts/api/templates/service.yaml"
        ]
    );
    let [w] = &k.workloads[..] else {
        panic!("one workload: {:?}", k.workloads);
    };
    assert_eq!(
        (w.kind.as_str(), w.name.as_str(), w.source.as_str()),
        ("Deployment", "catalog-api", "helm-template"),
        "a templated name falls back to the chart name"
    );
    assert_eq!((w.line, w.replicas), (2, Some(2)));
    assert_eq!(
        (w.run_as_non_root, w.run_as_user),
        (Some(true), Some(10001)),
        "from `with .Values.podSecurityContext` + `toYaml .`"
    );
    let c = only_container(w);
    assert_eq!((c.name.as_str(), c.line), ("catalog-api", 22));
    assert_eq!(
        c.image.as_deref(),
        Some("ghcr.io/acme/catalog-api:2.3.0"),
        "repository from values, tag defaulting to appVersion"
    );
    assert!(c.liveness_probe && c.readiness_probe);
    assert_eq!(
        format!("{:?} {:?}", c.limits, c.requests),
        r#"{"cpu": "500m", "memory": "256Mi"} {"cpu": "100m", "memory": "128Mi"}"#
    );
    assert_eq!(c.env.len(), 1);
    assert_eq!(
        (
            c.env[0].name.as_str(),
            c.env[0].from.as_deref(),
            c.env[0].line
        ),
        ("DATABASE_URL", Some("secret:"), 39),
        "the secret's name is templated"
    );
    let [svc] = &k.services[..] else {
        panic!("one service");
    };
    assert_eq!(
        (svc.name.as_str(), svc.service_type.as_str(), svc.type_line),
        ("catalog-api", "ClusterIP", Some(8))
    );
    assert_eq!(svc.ports, [80]);
    assert_eq!(
        detections(&catalog, &facts, &["charts/"]),
        ["postgresql charts/api/Chart.yaml:8 helm dependency postgresql"]
    );
    assert_kubernetes_evidence(
        &catalog,
        &facts,
        &[
            "charts/api/templates/deployment.yaml:2 kind Deployment",
            "charts/api/templates/service.yaml:2 kind Service",
        ],
    );
}

#[test]
fn platform_repo_objects_without_application_code() {
    let (catalog, facts) = facts("k8s-platform");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let k = &facts.kubernetes;
    assert_eq!(
        k.manifests,
        [
            "cluster/namespaces.yaml",
            "jobs/backup.yaml",
            "postgres/secret.yaml",
            "postgres/service.yaml",
            "postgres/statefulset.yaml",
            "redis/redis.yaml"
        ],
        "docs/openapi.yaml is not Kubernetes"
    );
    let workloads: Vec<String> = k
        .workloads
        .iter()
        .map(|w| {
            format!(
                "{} {} {}:{} replicas={:?} image={:?} probes={}/{}",
                w.kind,
                w.name,
                w.path,
                w.line,
                w.replicas,
                only_container(w).image,
                only_container(w).liveness_probe,
                only_container(w).readiness_probe,
            )
        })
        .collect();
    assert_eq!(
        workloads,
        [
            r#"CronJob postgres-backup jobs/backup.yaml:2 replicas=None image=Some("postgres:16-alpine") probes=false/false"#,
            r#"StatefulSet postgres postgres/statefulset.yaml:2 replicas=Some(1) image=Some("postgres:16-alpine") probes=true/true"#,
            r#"Deployment redis redis/redis.yaml:2 replicas=Some(1) image=Some("redis:7.2-alpine") probes=false/false"#,
        ]
    );
    assert_eq!(k.workloads[1].run_as_user, Some(999));
    assert_eq!(
        format!("{:?}", only_container(&k.workloads[1]).limits),
        r#"{"memory": "1Gi"}"#
    );

    let services: Vec<String> = k
        .services
        .iter()
        .map(|s| {
            format!(
                "{} {} {}:{} type_line={:?} {:?}",
                s.name, s.service_type, s.path, s.line, s.type_line, s.ports
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            "postgres LoadBalancer postgres/service.yaml:3 type_line=Some(8) [5432]",
            "redis ClusterIP redis/redis.yaml:28 type_line=None [6379]",
        ]
    );
    let objects = |list: &[stacklint::model::KubeObject]| -> Vec<String> {
        list.iter()
            .map(|o| format!("{} {} {}:{}", o.kind, o.name, o.path, o.line))
            .collect()
    };
    assert_eq!(
        objects(&k.secrets),
        ["Secret postgres-credentials postgres/secret.yaml:2"]
    );
    assert_eq!(
        objects(&k.config_maps),
        ["ConfigMap cluster-info cluster/namespaces.yaml:13"]
    );
    assert_eq!(
        objects(&k.autoscalers),
        ["HorizontalPodAutoscaler redis redis/redis.yaml:39"]
    );
    assert!(k.ingresses.is_empty());

    assert_eq!(
        detections(
            &catalog,
            &facts,
            &["postgres/", "redis/", "jobs/", "cluster/"]
        ),
        [
            "postgresql jobs/backup.yaml:18 image postgres:16-alpine",
            "postgresql postgres/statefulset.yaml:22 image postgres:16-alpine",
            "postgresql postgres/statefulset.yaml:26 environment POSTGRES_DB",
            "postgresql postgres/statefulset.yaml:28 environment POSTGRES_PASSWORD",
            "postgresql postgres/statefulset.yaml:33 environment PGDATA",
            "redis redis/redis.yaml:18 image redis:7.2-alpine",
        ]
    );
    assert_kubernetes_evidence(
        &catalog,
        &facts,
        &[
            "cluster/namespaces.yaml:5 kind Namespace",
            "jobs/backup.yaml:2 kind CronJob",
            "postgres/secret.yaml:2 kind Secret",
            "postgres/service.yaml:3 kind Service",
            "postgres/statefulset.yaml:2 kind StatefulSet",
            "redis/redis.yaml:2 kind Deployment",
        ],
    );
}

#[test]
fn secret_values_never_reach_the_output() {
    let catalog = common::builtin_catalog();
    for name in ["k8s-platform", "k8s-single-service"] {
        let facts = common::facts(&fixture(name), &catalog);
        let stack = common::scan(&fixture(name), &catalog);
        let json = stacklint::report::stack::json::render(&stack);
        for text in [format!("{facts:?}"), json] {
            for secret in ["correct-horse-battery-staple", "change-me"] {
                assert!(!text.contains(secret), "{secret} leaked from {name}");
            }
        }
    }
}
