//! Unit tests of object extraction: the awkward corners of Kubernetes YAML.

use super::*;
use crate::parse::yaml;

fn read(text: &str) -> FileObjects {
    let src = SourceFile::new("k8s/app.yaml", text);
    let docs = yaml::parse(&src).unwrap();
    let reading = Reading {
        src: &src,
        scalars: &Literal,
        source: "manifest",
        template: false,
        default_name: None,
    };
    read_objects(&docs, &reading)
}

#[test]
fn the_pre_check_wants_top_level_api_version_and_kind() {
    assert!(looks_like_kubernetes("apiVersion: v1\nkind: Pod\n"));
    assert!(looks_like_kubernetes(
        "\u{feff}kind: Pod\r\napiVersion: v1\r\n"
    ));
    assert!(!looks_like_kubernetes("openapi: 3.0.0\ninfo:\n  kind: x\n"));
    assert!(!looks_like_kubernetes(
        "items:\n  - apiVersion: v1\n    kind: Pod\n"
    ));
}

#[test]
fn api_versions_of_other_tools_are_not_objects() {
    assert!(is_kubernetes_api("v1", "Service"));
    assert!(is_kubernetes_api("apps/v1", "Deployment"));
    assert!(is_kubernetes_api(
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler"
    ));
    assert!(is_kubernetes_api("cert-manager.io/v1", "Certificate"));
    assert!(!is_kubernetes_api("v1", "Config"), "kubeconfig");
    assert!(!is_kubernetes_api("backstage.io/v1alpha1", "Component"));
    assert!(!is_kubernetes_api("skaffold/v4beta6", "Config"));
    assert!(!is_kubernetes_api("kind.x-k8s.io/v1alpha4", "Cluster"));
    assert!(!is_kubernetes_api(
        "kubelet.config.k8s.io/v1beta1",
        "KubeletConfiguration"
    ));
    assert!(!is_kubernetes_api("3.0", "Deployment"));
    assert!(!is_kubernetes_api("v1beta", "Deployment"));
    assert!(!is_kubernetes_api("apps/version1", "Deployment"));
    assert!(!is_kubernetes_api("v1", ""));
}

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 3
  template:
    metadata:
      labels:
        app: api
        version: 2
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
      initContainers:
        - name: migrate
          image: ghcr.io/acme/api:1.4.2
      containers:
        - name: api
          image: "ghcr.io/acme/api:1.4.2"
          livenessProbe:
            httpGet: {path: /healthz, port: 3000}
          readinessProbe: null
          resources:
            limits: {cpu: 1, memory: 512Mi}
            requests:
              cpu: 0.25
          securityContext:
            privileged: false
            runAsUser: "1001"
          env:
            - name: PORT
              value: 3000
            - name: DATABASE_URL
              value: postgres://shop:hunter2@db:5432/shop
            - name: DB_PASSWORD
              value: hunter2
            - name: EMPTY
            - name: STRIPE_KEY
              valueFrom:
                secretKeyRef: {name: stripe, key: key}
            - name: POD_IP
              valueFrom:
                fieldRef: {fieldPath: status.podIP}
            - name: MODE
              valueFrom:
                configMapKeyRef: {name: settings, key: mode}
            - value: no-name
          envFrom:
            - configMapRef: {name: api-config}
              prefix: APP_
            - secretRef: {name: api-secrets}
"#;

#[test]
fn a_deployment_gives_its_workload_and_containers() {
    let found = read(DEPLOYMENT);
    assert_eq!(found.first, Some(("Deployment".to_string(), 2)));
    let [w] = &found.workloads[..] else {
        panic!("one workload");
    };
    let workload = &w.workload;
    assert_eq!(
        (workload.name.as_str(), workload.namespace.as_deref()),
        ("api", Some("shop"))
    );
    assert_eq!((workload.line, workload.replicas), (2, Some(3)));
    assert_eq!(
        workload.labels.get("version").map(String::as_str),
        Some("2")
    );
    assert_eq!(
        (workload.run_as_non_root, workload.run_as_user),
        (Some(true), Some(1000))
    );
    assert_eq!(workload.source, "manifest");
    let [api, migrate] = &workload.containers[..] else {
        panic!("two containers");
    };
    assert!(migrate.init && !api.init);
    assert_eq!((migrate.line, api.line), (18, 21));
    assert_eq!(w.image_lines, vec![Some(22), Some(19)]);
    assert_eq!(api.image.as_deref(), Some("ghcr.io/acme/api:1.4.2"));
    assert!(api.liveness_probe && !api.readiness_probe && !api.startup_probe);
    assert_eq!(api.limits.get("cpu").map(String::as_str), Some("1"));
    assert_eq!(api.limits.get("memory").map(String::as_str), Some("512Mi"));
    assert_eq!(api.requests.get("cpu").map(String::as_str), Some("0.25"));
    assert_eq!(
        (api.privileged, api.run_as_user, api.run_as_non_root),
        (Some(false), Some(1001), None)
    );
    assert_eq!(api.env_from, ["configmap:api-config", "secret:api-secrets"]);
    assert_eq!(
        w.env_from,
        [EnvFromRef {
            container: 0,
            config_map: "api-config".into(),
            prefix: "APP_".into()
        }]
    );
}

#[test]
fn env_values_are_redacted_and_references_say_where_from() {
    let found = read(DEPLOYMENT);
    let env = &found.workloads[0].workload.containers[0].env;
    let view: Vec<_> = env
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.value.as_deref(),
                e.literal,
                e.from.as_deref(),
                e.line,
            )
        })
        .collect();
    assert_eq!(
        view,
        [
            ("PORT", Some("3000"), true, None, 34),
            (
                "DATABASE_URL",
                Some("postgres://shop:****@db:5432/shop"),
                true,
                None,
                36
            ),
            ("DB_PASSWORD", None, true, None, 38),
            ("EMPTY", Some(""), true, None, 40),
            ("STRIPE_KEY", None, false, Some("secret:stripe"), 41),
            ("POD_IP", None, false, Some("field"), 44),
            ("MODE", None, false, Some("configmap:settings"), 47),
        ]
    );
    assert!(!format!("{env:?}").contains("hunter2"));
}

#[test]
fn cronjobs_read_the_job_template_and_partial_objects_are_not_workloads() {
    let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {job: nightly}\n        spec:\n          containers:\n            - name: report\n              image: ghcr.io/acme/report:1\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 5\n";
    let found = read(text);
    let [cron] = &found.workloads[..] else {
        panic!("only the CronJob is a workload");
    };
    assert_eq!(cron.workload.kind, "CronJob");
    assert_eq!(cron.workload.replicas, None);
    assert_eq!(
        cron.workload.labels.get("job").map(String::as_str),
        Some("nightly")
    );
    assert_eq!(
        cron.workload.containers[0].image.as_deref(),
        Some("ghcr.io/acme/report:1")
    );
}

#[test]
fn lists_and_multi_document_streams_give_every_object() {
    let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: db}\n    spec:\n      type: LoadBalancer\n      selector: {app: db}\n      ports: [{port: 5432}, {port: \"5433\"}, {port: -1}]\n  - apiVersion: backstage.io/v1alpha1\n    kind: Component\n    metadata: {name: nope}\n  - just a string\n---\n# empty\n---\napiVersion: v1\nkind: Service\nmetadata: {name: plain}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: edge}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\n";
    let found = read(text);
    assert_eq!(found.first, Some(("Service".to_string(), 5)));
    let services: Vec<(&str, &str, Option<u32>, &[u32])> = found
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.service_type.as_str(),
                s.type_line,
                s.ports.as_slice(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("db", "LoadBalancer", Some(8), &[5432, 5433][..]),
            ("plain", "ClusterIP", None, &[][..]),
        ]
    );
    assert_eq!(
        found.services[0].selector.get("app").map(String::as_str),
        Some("db")
    );
    assert_eq!(found.ingresses[0].namespace.as_deref(), Some("edge"));
    assert_eq!(found.ingresses[0].line, 23);
    assert_eq!(found.autoscalers[0].kind, "HorizontalPodAutoscaler");
}

#[test]
fn nested_lists_are_bounded() {
    let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items:\n      - apiVersion: v1\n        kind: List\n        items:\n          - apiVersion: v1\n            kind: Service\n            metadata: {name: deep}\n";
    assert!(read(text).services.is_empty());
}

#[test]
fn secrets_keep_only_their_name_and_config_maps_their_data() {
    let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: db-credentials}\nstringData:\n  password: s3cr3t-value\ndata:\n  token: czNjcjN0\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: settings-\ndata:\n  LOG_LEVEL: info\n  WORKERS: 4\n  nested: {a: b}\n";
    let found = read(text);
    assert_eq!(found.secrets[0].name, "db-credentials");
    let debug = format!("{found:?}");
    assert!(!debug.contains("s3cr3t-value") && !debug.contains("czNjcjN0"));
    assert_eq!(found.config_maps[0].name, "settings-");
    let entries: Vec<(&str, &str, u32)> = found.config_data[0]
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
        .collect();
    assert_eq!(
        entries,
        [
            ("LOG_LEVEL", "info", 14),
            ("WORKERS", "4", 15),
            ("nested", "", 16)
        ]
    );
}

#[test]
fn helm_test_hooks_are_not_workloads() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: test-connection\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  containers:\n    - name: wget\n      image: busybox\n";
    let found = read(text);
    assert!(found.workloads.is_empty());
    assert_eq!(found.first, Some(("Pod".to_string(), 2)));
}

#[test]
fn odd_shapes_do_not_break_reading() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: [not, a, map]\nspec:\n  replicas: -2\n  template:\n    spec:\n      containers:\n        - just-a-string\n        - name: ok\n          image: \"\"\n          env: {not: a-list}\n          resources: {limits: [1, 2]}\n---\napiVersion: [v1]\nkind: Pod\n---\napiVersion: v1\nkind: {a: b}\n";
    let found = read(text);
    let [w] = &found.workloads[..] else {
        panic!("one workload");
    };
    assert_eq!(w.workload.name, "");
    assert_eq!(w.workload.replicas, None);
    let [c] = &w.workload.containers[..] else {
        panic!("one container");
    };
    assert_eq!((c.name.as_str(), c.image.as_deref()), ("ok", None));
    assert!(c.env.is_empty() && c.limits.is_empty());
}
