//! Unit tests of kustomizations: paths, overrides, layers and cycles.

use super::*;

fn catalog() -> Catalog {
    let text = "category = \"database\"\n[[technology]]\nid = \"postgresql\"\nname = \"PostgreSQL\"\nhelm_charts = [\"postgresql\"]\n";
    crate::detect::testing::catalog(text)
}

fn parse_at(path: &str, text: &str) -> Kustomization {
    let mut facts = Facts::default();
    let k = parse(&SourceFile::new(path, text), &catalog(), &mut facts).unwrap();
    assert!(facts.problems.is_empty());
    k
}

#[test]
fn paths_become_root_relative_and_remotes_are_skipped() {
    let text = "resources:\n  - deployment.yaml\n  - ../../base\n  - github.com/acme/infra//base?ref=v1\n  - https://example.com/x.yaml\n  - ../../../../outside.yaml\nbases: [../shared]\ncomponents: [../../components/tls]\npatchesStrategicMerge:\n  - replica-patch.yaml\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\npatches:\n  - path: patches/image.yaml\n    target: {kind: Deployment}\n  - patch: |-\n      - op: replace\npatchesJson6902:\n  - path: json-patch.yaml\nnamespace: shop\n";
    let k = parse_at("deploy/overlays/prod/kustomization.yaml", text);
    assert_eq!(k.dir, "deploy/overlays/prod");
    assert_eq!(
        k.resources,
        [
            "deploy/overlays/prod/deployment.yaml",
            "deploy/base",
            "deploy/overlays/shared",
            "deploy/components/tls"
        ]
    );
    assert_eq!(
        k.patches,
        [
            "deploy/overlays/prod/replica-patch.yaml",
            "deploy/overlays/prod/patches/image.yaml",
            "deploy/overlays/prod/json-patch.yaml"
        ]
    );
    assert_eq!(k.namespace.as_deref(), Some("shop"));
}

#[test]
fn images_replicas_generators_and_helm_charts_are_read() {
    let text = "images:\n  - name: ghcr.io/acme/api\n    newTag: 1.5.0\n  - name: nginx\n    newName: registry.acme.dev/nginx\n    digest: sha256:abc\n  - newTag: orphan\nreplicas:\n  - name: api\n    count: 4\nconfigMapGenerator:\n  - name: api-config\n    literals:\n      - LOG_LEVEL=debug\n      - CACHE_URL=redis://:pw@cache:6379/0\n      - no-equals-sign\nsecretGenerator:\n  - name: api-secrets\n    literals: [TOKEN=very-secret]\nhelmCharts:\n  - name: postgresql\n    repo: https://charts.bitnami.com/bitnami\n";
    let mut facts = Facts::default();
    let src = SourceFile::new("k8s/kustomization.yaml", text);
    let k = parse(&src, &catalog(), &mut facts).unwrap();
    assert_eq!(k.images.len(), 2);
    assert_eq!(k.images[0].new_tag.as_deref(), Some("1.5.0"));
    assert_eq!(k.replicas, [("api".to_string(), 4)]);
    let generated: Vec<(&str, &str, u32)> = k
        .generated
        .iter()
        .map(|o| (o.kind.as_str(), o.name.as_str(), o.line))
        .collect();
    assert_eq!(
        generated,
        [
            ("ConfigMap", "api-config", 12),
            ("Secret", "api-secrets", 18)
        ]
    );
    let entries: Vec<(&str, u32)> = k.generated_data[0]
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.line))
        .collect();
    assert_eq!(entries, [("LOG_LEVEL", 14), ("CACHE_URL", 15)]);
    assert_eq!(k.generated_data.len(), 1, "secret literals are never kept");
    assert!(!format!("{k:?}").contains("very-secret"));
    assert_eq!(facts.detections.len(), 1);
    assert_eq!(facts.detections[0].reason, "helm chart postgresql");
    assert_eq!(facts.detections[0].line, 21);
}

#[test]
fn bad_yaml_is_a_problem() {
    let mut facts = Facts::default();
    let src = SourceFile::new("kustomization.yaml", "resources: [a\n");
    assert!(parse(&src, &catalog(), &mut facts).is_none());
    assert_eq!(facts.problems.len(), 1);
}

#[test]
fn image_overrides_follow_kustomize() {
    let k = Kustomization {
        images: vec![
            ImageOverride {
                name: "ghcr.io/acme/api".into(),
                new_tag: Some("2".into()),
                ..ImageOverride::default()
            },
            ImageOverride {
                name: "localhost:5000/web".into(),
                new_name: Some("ghcr.io/acme/web".into()),
                ..ImageOverride::default()
            },
            ImageOverride {
                name: "redis".into(),
                digest: Some("sha256:f00".into()),
                ..ImageOverride::default()
            },
        ],
        ..Kustomization::default()
    };
    let layers = [&k];
    assert_eq!(
        apply_images("ghcr.io/acme/api:1", &layers),
        "ghcr.io/acme/api:2"
    );
    assert_eq!(
        apply_images("ghcr.io/acme/api@sha256:1", &layers),
        "ghcr.io/acme/api:2"
    );
    assert_eq!(
        apply_images("localhost:5000/web:3", &layers),
        "ghcr.io/acme/web:3"
    );
    assert_eq!(apply_images("redis:7", &layers), "redis@sha256:f00");
    assert_eq!(
        apply_images("ghcr.io/acme/api-worker:1", &layers),
        "ghcr.io/acme/api-worker:1"
    );
}

fn kust(dir: &str, resources: &[&str], namespace: Option<&str>) -> Kustomization {
    Kustomization {
        path: format!("{dir}/kustomization.yaml"),
        dir: dir.to_string(),
        resources: resources.iter().map(|r| r.to_string()).collect(),
        namespace: namespace.map(str::to_string),
        ..Kustomization::default()
    }
}

#[test]
fn overlays_layer_over_bases_and_the_first_overlay_by_path_wins() {
    let kusts = [
        kust("base", &["base/deployment.yaml"], Some("base-ns")),
        kust(
            "overlays/prod",
            &["base", "overlays/prod/extra.yaml"],
            Some("prod"),
        ),
        kust("overlays/staging", &["base"], Some("staging")),
    ];
    let layers = layers(&kusts);
    assert_eq!(layers.get("base/deployment.yaml"), Some(&vec![0, 1]));
    assert_eq!(layers.get("overlays/prod/extra.yaml"), Some(&vec![1]));
    let chain: Vec<&Kustomization> = [0, 1].iter().map(|i| &kusts[*i]).collect();
    assert_eq!(namespace(&chain), Some("prod"));
}

#[test]
fn cycles_and_self_references_end() {
    let kusts = [
        kust("a", &["b", "a/x.yaml"], None),
        kust("b", &["a", "b", "b/y.yaml"], None),
    ];
    let layers = layers(&kusts);
    assert_eq!(layers.get("a/x.yaml"), Some(&vec![0]));
    assert_eq!(layers.get("b/y.yaml"), Some(&vec![1, 0]));
}

#[test]
fn replicas_come_from_the_outermost_layer_naming_the_workload() {
    let mut base = kust("base", &[], None);
    base.replicas = vec![("api".into(), 2)];
    let mut prod = kust("prod", &[], None);
    prod.replicas = vec![("api".into(), 6), ("other".into(), 1)];
    assert_eq!(replicas("api", &[&base, &prod]), Some(6));
    assert_eq!(replicas("api", &[&base]), Some(2));
    assert_eq!(replicas("web", &[&base, &prod]), None);
}
