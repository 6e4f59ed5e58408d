//! Tests of the whole detector: files go in as the walk classifies them,
//! facts come out.

use std::path::{Path, PathBuf};

use super::*;
use crate::detect::ci::steps::StepRules;
use crate::detect::testing;
use crate::walk::{FoundFile, WalkOutput, classify};

const DATABASES: &str = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
images = ["postgres", "bitnami/postgresql"]
urls = ["postgres", "postgresql"]
helm_charts = ["postgresql"]
"#;
const CACHES: &str = r#"category = "cache"
[[technology]]
id = "redis"
name = "Redis"
images = ["redis", "bitnami/redis"]
urls = ["redis", "rediss"]
"#;
const ORCHESTRATION: &str = r#"category = "orchestration"
[[technology]]
id = "kubernetes"
name = "Kubernetes"
"#;
const ERRORS: &str = r#"category = "error-tracking"
[[technology]]
id = "sentry"
name = "Sentry"
env = ["SENTRY_DSN"]
"#;

fn catalog() -> Catalog {
    testing::catalog_of(&[DATABASES, CACHES, ORCHESTRATION, ERRORS])
}

/// Run the detector on in-memory files, classified as the walk would.
fn run(files: &[(&str, &str)]) -> Facts {
    run_in(Path::new("/nonexistent/stacklint-kubernetes-test"), files)
}

fn run_in(root: &Path, files: &[(&str, &str)]) -> Facts {
    let mut sources: Vec<(FileKind, SourceFile)> = files
        .iter()
        .map(|(path, text)| (classify(path), SourceFile::new(*path, *text)))
        .collect();
    sources.sort_by(|a, b| a.1.path.cmp(&b.1.path));
    let walk = WalkOutput {
        files: sources
            .iter()
            .map(|(kind, src)| FoundFile {
                path: src.path.clone(),
                abs: PathBuf::from(&src.path),
                kind: *kind,
                symlink: false,
            })
            .collect(),
        ..WalkOutput::default()
    };
    let kinds = [
        FileKind::Yaml,
        FileKind::HelmChart,
        FileKind::HelmValues,
        FileKind::Kustomization,
        FileKind::Skaffold,
    ];
    sources.retain(|(kind, _)| kinds.contains(kind));
    let steps = StepRules::empty();
    testing::detect_sources(detect, &catalog(), &steps, &walk, root, &sources)
}

fn reasons(facts: &Facts) -> Vec<(String, String, u32, String)> {
    let catalog = catalog();
    let mut out: Vec<_> = facts
        .detections
        .iter()
        .map(|d| {
            (
                catalog.get(d.tech).id.clone(),
                d.path.clone(),
                d.line,
                d.reason.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn owned(items: &[(&str, &str, u32, &str)]) -> Vec<(String, String, u32, String)> {
    let mut out: Vec<_> = items
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), *c, d.to_string()))
        .collect();
    out.sort();
    out
}

const API: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0.0\n          env:\n            - name: DATABASE_URL\n              value: postgres://app:pw@db:5432/app\n            - name: SENTRY_DSN\n              valueFrom:\n                secretKeyRef: {name: sentry, key: dsn}\n          envFrom:\n            - configMapRef:\n                name: api-config\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-config\ndata:\n  REDIS_URL: redis://:pw@cache:6379/0\n  API_TOKEN: t0ps3cret\n";

#[test]
fn env_from_config_maps_in_other_files_are_resolved_and_detected() {
    let facts = run(&[("k8s/api.yaml", API), ("k8s/config.yaml", CONFIG)]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let env = &facts.kubernetes.workloads[0].containers[0].env;
    let view: Vec<_> = env
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.value.as_deref(),
                e.path.as_deref(),
                e.line,
                e.from.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            (
                "DATABASE_URL",
                Some("postgres://app:****@db:5432/app"),
                None,
                12,
                None
            ),
            ("SENTRY_DSN", None, None, 14, Some("secret:sentry")),
            (
                "REDIS_URL",
                Some("redis://:****@cache:6379/0"),
                Some("k8s/config.yaml"),
                6,
                Some("configmap:api-config")
            ),
            (
                "API_TOKEN",
                None,
                Some("k8s/config.yaml"),
                7,
                Some("configmap:api-config")
            ),
        ]
    );
    assert_eq!(
        reasons(&facts),
        owned(&[
            ("kubernetes", "k8s/api.yaml", 2, "kind Deployment"),
            ("kubernetes", "k8s/config.yaml", 2, "kind ConfigMap"),
            (
                "postgresql",
                "k8s/api.yaml",
                12,
                "connection URL in DATABASE_URL"
            ),
            ("redis", "k8s/config.yaml", 6, "connection URL in REDIS_URL"),
            ("sentry", "k8s/api.yaml", 14, "environment SENTRY_DSN"),
        ])
    );
    assert_eq!(
        facts.kubernetes.manifests,
        ["k8s/api.yaml", "k8s/config.yaml"]
    );
    let debug = format!("{facts:?}");
    assert!(!debug.contains("t0ps3cret") && !debug.contains(":pw@"));
}

#[test]
fn only_kubernetes_yaml_counts_and_broken_kubernetes_is_a_problem() {
    let facts = run(&[
        (
            "docs/openapi.yaml",
            "openapi: 3.0.0\ninfo: {title: x, version: 1}\npaths: {}\n",
        ),
        (
            "catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\n",
        ),
        ("locales/en.yml", "en:\n  kind: Kind\n"),
        (
            "k8s/broken.yaml",
            "apiVersion: v1\nkind: Service\nmetadata: {name: [x\n",
        ),
        (
            "deploy/envsubst.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ name }}\n  labels: {{ labels }}: x\nspec:\n  containers:\n    - image: busybox\n",
        ),
    ]);
    assert_eq!(facts.problems.len(), 1, "{:?}", facts.problems);
    assert_eq!(facts.problems[0].path, "k8s/broken.yaml");
    assert_eq!(facts.problems[0].line, 4);
    assert_eq!(facts.kubernetes.manifests, ["deploy/envsubst.yaml"]);
    let pod = &facts.kubernetes.workloads[0];
    assert_eq!(
        (pod.kind.as_str(), pod.source.as_str()),
        ("Pod", "template")
    );
}

#[test]
fn a_helm_chart_gives_dependencies_images_and_template_workloads() {
    let chart = "apiVersion: v2\nname: api\nversion: 0.3.0\nappVersion: \"1.4.2\"\ndependencies:\n  - name: postgresql\n    version: 15.x.x\n    repository: oci://registry-1.docker.io/bitnamicharts\n    condition: postgresql.enabled\n";
    let values = "replicaCount: 2\nimage:\n  repository: ghcr.io/acme/api\n  tag: \"\"\nresources:\n  limits: {cpu: 500m, memory: 256Mi}\npostgresql:\n  image:\n    repository: bitnami/postgresql\n";
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"api.fullname\" . }}\n  labels:\n    {{- include \"api.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}\"\n          livenessProbe:\n            httpGet: {path: /healthz, port: http}\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n";
    let test_pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{{ include \"api.fullname\" . }}-test\"\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  containers:\n    - name: wget\n      image: busybox\n";
    let facts = run(&[
        ("infra/api/Chart.yaml", chart),
        ("infra/api/values.yaml", values),
        (
            "infra/api/values-prod.yaml",
            "image:\n  tag: 1.4.3\nredis:\n  image: bitnami/redis:7.2\n",
        ),
        ("infra/api/templates/deployment.yaml", deployment),
        ("infra/api/templates/tests/test-connection.yaml", test_pod),
        (
            "infra/api/templates/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\n{{ if }}: [\n",
        ),
    ]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let [w] = &facts.kubernetes.workloads[..] else {
        panic!("one workload: {:?}", facts.kubernetes.workloads);
    };
    assert_eq!(
        (w.name.as_str(), w.source.as_str()),
        ("api", "helm-template")
    );
    assert_eq!((w.line, w.replicas), (2, Some(2)));
    let c = &w.containers[0];
    assert_eq!(c.name, "api");
    assert_eq!(c.image.as_deref(), Some("ghcr.io/acme/api:1.4.2"));
    assert!(c.liveness_probe && !c.readiness_probe);
    assert_eq!(c.limits.get("memory").map(String::as_str), Some("256Mi"));
    assert_eq!(
        facts.kubernetes.manifests,
        [
            "infra/api/Chart.yaml",
            "infra/api/templates/broken.yaml",
            "infra/api/templates/deployment.yaml",
            "infra/api/templates/tests/test-connection.yaml",
        ]
    );
    assert_eq!(
        reasons(&facts),
        owned(&[
            (
                "kubernetes",
                "infra/api/templates/broken.yaml",
                2,
                "kind ConfigMap"
            ),
            (
                "kubernetes",
                "infra/api/templates/deployment.yaml",
                2,
                "kind Deployment"
            ),
            (
                "kubernetes",
                "infra/api/templates/tests/test-connection.yaml",
                2,
                "kind Pod"
            ),
            (
                "postgresql",
                "infra/api/Chart.yaml",
                6,
                "helm dependency postgresql"
            ),
            (
                "postgresql",
                "infra/api/values.yaml",
                9,
                "image bitnami/postgresql"
            ),
            (
                "redis",
                "infra/api/values-prod.yaml",
                4,
                "image bitnami/redis:7.2"
            ),
        ])
    );
}

#[test]
fn kustomize_changes_the_objects_it_includes_without_doubling_them() {
    let base = "resources: [deployment.yaml, service.yaml]\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.5.0\n";
    let prod = "resources: [../../base]\nnamespace: prod\npatches:\n  - path: replicas.yaml\nreplicas:\n  - name: api\n    count: 4\nimages:\n  - name: ghcr.io/acme/api\n    newName: registry.acme.dev/api\n";
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 9\n  template:\n    spec:\n      containers: []\n";
    let service = "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {selector: {app: api}, ports: [{port: 80}]}\n";
    let facts = run(&[
        ("deploy/base/kustomization.yaml", base),
        ("deploy/base/deployment.yaml", API),
        ("deploy/base/service.yaml", service),
        ("deploy/overlays/prod/kustomization.yaml", prod),
        ("deploy/overlays/prod/replicas.yaml", patch),
    ]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let [w] = &facts.kubernetes.workloads[..] else {
        panic!("one workload: {:?}", facts.kubernetes.workloads);
    };
    assert_eq!(w.source, "manifest");
    assert_eq!(w.namespace.as_deref(), Some("prod"));
    assert_eq!(w.replicas, Some(4));
    assert_eq!(
        w.containers[0].image.as_deref(),
        Some("registry.acme.dev/api:1.5.0")
    );
    assert_eq!(
        facts.kubernetes.services[0].namespace.as_deref(),
        Some("prod")
    );
    assert_eq!(
        facts.kubernetes.manifests,
        [
            "deploy/base/deployment.yaml",
            "deploy/base/kustomization.yaml",
            "deploy/base/service.yaml",
            "deploy/overlays/prod/kustomization.yaml",
        ]
    );
}

#[test]
fn kustomize_resources_the_walk_did_not_hand_over_are_read() {
    let json = r#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "worker"},
 "spec": {"template": {"spec": {"containers": [{"name": "w", "image": "redis:7"}]}}}}"#;
    let dir = testing::write_tree(&[("k8s/worker.json", json)]);
    let kust = "resources: [worker.json, missing.yaml]\nconfigMapGenerator:\n  - name: gen\n    literals: [A=1]\n";
    let facts = run_in(dir.path(), &[("k8s/kustomization.yaml", kust)]);
    assert_eq!(facts.kubernetes.workloads[0].name, "worker");
    assert_eq!(facts.kubernetes.config_maps[0].name, "gen");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert!(
        reasons(&facts)
            .iter()
            .any(|r| r.0 == "redis" && r.1 == "k8s/worker.json")
    );
}

#[test]
fn skaffold_configs_under_other_names_are_found() {
    let text = "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: ghcr.io/acme/api\n";
    let facts = run(&[("skaffold.yaml", text), ("deploy/skaffold-dev.yaml", text)]);
    let contexts: Vec<&str> = facts
        .image_builds
        .iter()
        .map(|b| b.context.as_str())
        .collect();
    assert_eq!(contexts, ["", "deploy"]);
    assert_eq!(
        facts.kubernetes.manifests,
        ["deploy/skaffold-dev.yaml", "skaffold.yaml"]
    );
    assert!(facts.kubernetes.workloads.is_empty());
}

#[test]
fn hostile_input_does_not_panic() {
    let mut laughs =
        String::from("apiVersion: v1\nkind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (name, prev) in [
        ("b", "a"),
        ("c", "b"),
        ("d", "c"),
        ("e", "d"),
        ("f", "e"),
        ("g", "f"),
    ] {
        laughs.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
    }
    let deep = format!("apiVersion: v1\nkind: Pod\nspec: {}\n", "[".repeat(5000));
    let facts = run(&[
        ("a.yaml", &laughs),
        ("b.yaml", &deep),
        ("charts/x/Chart.yaml", "name: [\n"),
        (
            "charts/x/templates/t.yaml",
            &format!("apiVersion: v1\nkind: Pod\n{}", "{{ if . }}\n".repeat(2000)),
        ),
        (
            "kustomization.yaml",
            "resources: [., ./, ../x, /etc/passwd]\n",
        ),
    ]);
    let paths: Vec<&str> = facts.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["charts/x/Chart.yaml", "a.yaml", "b.yaml"]);
}
