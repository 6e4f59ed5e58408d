//! Kubernetes objects in parsed YAML documents: which documents are objects
//! (string `apiVersion` and `kind`, including the items of a `kind: List`),
//! and what stacklint keeps of them — workloads with their containers,
//! Services, Ingresses, ConfigMaps (with their data, for `envFrom`), Secrets
//! (names only: their data is never read) and autoscalers.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::detect::redact::stored_value;
use crate::model::{Container, EnvVar, KubeObject, KubeService, Workload};
use crate::parse::yaml::Node;
use crate::source::SourceFile;

/// Kinds whose pod template stacklint reads. `Rollout` is Argo Rollouts'
/// drop-in replacement for a Deployment.
pub(super) const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Pod",
    "Rollout",
];

/// API groups that use `apiVersion`/`kind` but are not cluster objects:
/// developer-portal catalogs, local-cluster and build-tool configs.
const NOT_KUBERNETES_GROUPS: &[&str] = &[
    "backstage.io",
    "skaffold",
    "kind.x-k8s.io",
    "k3d.io",
    "ctlptl.dev",
    "garden.io",
    "score.dev",
    "kpt.dev",
    "kubeadm.k8s.io",
    "audit.k8s.io",
];

/// A `kind: List` may hold lists only this deep.
const MAX_LIST_DEPTH: usize = 2;

/// How scalar text is read: as written (manifests), or with the placeholders
/// of blanked template actions resolved (Helm templates). `None` when the
/// value is not a scalar or depends on something unknown.
pub(super) trait Scalars {
    fn text<'n>(&self, node: &'n Node) -> Option<Cow<'n, str>>;
}

/// Scalars as written.
pub(super) struct Literal;

impl Scalars for Literal {
    fn text<'n>(&self, node: &'n Node) -> Option<Cow<'n, str>> {
        node.as_str().map(Cow::Borrowed)
    }
}

fn int(scalars: &dyn Scalars, node: &Node) -> Option<i64> {
    node.as_i64()
        .or_else(|| scalars.text(node)?.trim().parse().ok())
}

fn boolean(scalars: &dyn Scalars, node: &Node) -> Option<bool> {
    node.as_bool().or_else(|| match scalars.text(node)?.trim() {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    })
}

/// A workload and what is needed to finish it once every file is read.
#[derive(Debug, Clone)]
pub(super) struct FoundWorkload {
    pub workload: Workload,
    /// Line of each container's `image:`, in the order of `workload.containers`.
    pub image_lines: Vec<Option<u32>>,
    /// ConfigMaps loaded whole through `envFrom`, to resolve later.
    pub env_from: Vec<EnvFromRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EnvFromRef {
    /// Index in `workload.containers`.
    pub container: usize,
    pub config_map: String,
    /// `envFrom[].prefix`, put before every key.
    pub prefix: String,
}

/// The `data` of a ConfigMap. Values are kept in memory only, to be stored
/// redacted where a container loads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConfigData {
    pub name: String,
    pub namespace: Option<String>,
    pub path: String,
    pub entries: Vec<ConfigEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ConfigEntry {
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// Everything one file holds.
#[derive(Debug, Clone, Default)]
pub(super) struct FileObjects {
    pub path: String,
    /// Kind and line of the first object, for the file's evidence.
    pub first: Option<(String, u32)>,
    pub workloads: Vec<FoundWorkload>,
    pub services: Vec<KubeService>,
    pub ingresses: Vec<KubeObject>,
    pub config_maps: Vec<KubeObject>,
    pub secrets: Vec<KubeObject>,
    pub autoscalers: Vec<KubeObject>,
    pub config_data: Vec<ConfigData>,
}

/// How one file is read.
pub(super) struct Reading<'a> {
    /// The text the documents were parsed from (for templates: the blanked
    /// text, which keeps every line where it was).
    pub src: &'a SourceFile,
    pub scalars: &'a dyn Scalars,
    /// `manifest` or `helm-template`.
    pub source: &'static str,
    /// A template: `apiVersion` may be templated, names fall back to
    /// `default_name`, and objects need not be complete.
    pub template: bool,
    pub default_name: Option<&'a str>,
}

/// A cheap test on the raw text before parsing: Kubernetes files have a
/// top-level `apiVersion:` line and a `kind:` line.
pub(super) fn looks_like_kubernetes(text: &str) -> bool {
    let (mut api, mut kind) = (false, false);
    for line in text.lines() {
        let line = line.trim_start_matches('\u{feff}');
        api |= line.starts_with("apiVersion:");
        kind |= line.starts_with("kind:");
        if api && kind {
            return true;
        }
    }
    false
}

/// `v1`, `v2beta1`, `v1alpha3`.
fn is_version(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (number, stage) = rest.split_at(digits);
    if number.is_empty() {
        return false;
    }
    let stage_number = stage
        .strip_prefix("alpha")
        .or_else(|| stage.strip_prefix("beta"));
    match stage_number {
        None => stage.is_empty(),
        Some(n) => !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// Whether `apiVersion` and `kind` name a cluster object (not a kubeconfig,
/// a Backstage entity, a skaffold or kind config).
pub(super) fn is_kubernetes_api(api_version: &str, kind: &str) -> bool {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    if !is_version(version) || kind.is_empty() {
        return false;
    }
    if group.is_empty() && kind == "Config" {
        return false;
    }
    !NOT_KUBERNETES_GROUPS.contains(&group) && !group.ends_with(".config.k8s.io")
}

/// The objects of a file: every document that is one, and the items of lists.
fn object_nodes<'a>(docs: &'a [Node], reading: &Reading<'_>) -> Vec<&'a Node> {
    let mut out = Vec::new();
    for doc in docs {
        collect_objects(doc, reading, 0, &mut out);
    }
    out
}

fn collect_objects<'a>(
    node: &'a Node,
    reading: &Reading<'_>,
    depth: usize,
    out: &mut Vec<&'a Node>,
) {
    let (Some(api), Some(kind)) = (
        node.get("apiVersion").and_then(Node::as_str),
        node.get("kind").and_then(Node::as_str),
    ) else {
        return;
    };
    let templated_api = reading.template && api.contains(super::template::PLACEHOLDER_PREFIX);
    if !templated_api && !is_kubernetes_api(api, kind) {
        return;
    }
    if kind.ends_with("List") && node.get("items").is_some_and(Node::is_seq) {
        if depth < MAX_LIST_DEPTH {
            for item in node.get("items").map(Node::seq).unwrap_or_default() {
                collect_objects(item, reading, depth + 1, out);
            }
        }
        return;
    }
    out.push(node);
}

/// Read every object of a file's documents.
pub(super) fn read_objects(docs: &[Node], reading: &Reading<'_>) -> FileObjects {
    let mut found = FileObjects {
        path: reading.src.path.clone(),
        ..FileObjects::default()
    };
    for obj in object_nodes(docs, reading) {
        let Some((kind_key, kind_node)) = obj.entry("kind") else {
            continue;
        };
        let kind = kind_node.as_str().unwrap_or_default();
        let line = reading.src.line(kind_key.span.start);
        if found.first.is_none() {
            found.first = Some((kind.to_string(), line));
        }
        let meta = Meta::of(obj, reading);
        let object = |meta: Meta| KubeObject {
            kind: kind.to_string(),
            name: meta.name,
            namespace: meta.namespace,
            path: reading.src.path.clone(),
            line,
        };
        match kind {
            k if WORKLOAD_KINDS.contains(&k) => {
                if let Some(workload) = workload(obj, kind, meta, line, reading) {
                    found.workloads.push(workload);
                }
            }
            "Service" => found.services.push(service(obj, meta, line, reading)),
            "Ingress" => found.ingresses.push(object(meta)),
            "ConfigMap" => {
                found.config_data.push(ConfigData {
                    name: meta.name.clone(),
                    namespace: meta.namespace.clone(),
                    path: reading.src.path.clone(),
                    entries: config_entries(obj, reading),
                });
                found.config_maps.push(object(meta));
            }
            // Only the name: a Secret's `data` and `stringData` are never read.
            "Secret" => found.secrets.push(object(meta)),
            "HorizontalPodAutoscaler" => found.autoscalers.push(object(meta)),
            _ => {}
        }
    }
    found
}

struct Meta {
    name: String,
    namespace: Option<String>,
    /// A Helm test hook (`helm.sh/hook: test`): a pod run by `helm test`, not
    /// part of the deployment.
    test_hook: bool,
}

impl Meta {
    fn of(obj: &Node, reading: &Reading<'_>) -> Self {
        let meta = obj.get("metadata");
        let text = |key: &str| {
            meta.and_then(|m| m.get(key))
                .and_then(|n| reading.scalars.text(n))
                .map(Cow::into_owned)
                .filter(|s| !s.is_empty())
        };
        let name = text("name")
            .or_else(|| text("generateName"))
            .or_else(|| reading.default_name.map(str::to_string))
            .unwrap_or_default();
        let test_hook = meta
            .and_then(|m| m.path(&["annotations", "helm.sh/hook"]))
            .and_then(Node::as_str)
            .is_some_and(|hook| hook.split(',').any(|h| h.trim().starts_with("test")));
        Self {
            name,
            namespace: text("namespace"),
            test_hook,
        }
    }
}

fn workload(
    obj: &Node,
    kind: &str,
    meta: Meta,
    line: u32,
    reading: &Reading<'_>,
) -> Option<FoundWorkload> {
    if meta.test_hook {
        return None;
    }
    let template = match kind {
        "Pod" => Some(obj),
        "CronJob" => obj.path(&["spec", "jobTemplate", "spec", "template"]),
        _ => obj.path(&["spec", "template"]),
    };
    let pod_spec = template.and_then(|t| t.get("spec"));
    // A Deployment without containers is a patch or a fragment (an unreferenced
    // kustomize patch), not something that runs.
    let has_containers = pod_spec.and_then(|s| s.get("containers")).is_some();
    if !has_containers && !reading.template {
        return None;
    }
    let scalars = reading.scalars;
    let labels = template
        .and_then(|t| t.path(&["metadata", "labels"]))
        .map(|l| string_map(l, scalars))
        .unwrap_or_default();
    let pod_security = pod_spec.and_then(|s| s.get("securityContext"));
    let mut found = FoundWorkload {
        workload: Workload {
            kind: kind.to_string(),
            name: meta.name,
            namespace: meta.namespace,
            path: reading.src.path.clone(),
            line,
            replicas: obj
                .path(&["spec", "replicas"])
                .and_then(|n| int(scalars, n))
                .and_then(|n| u32::try_from(n).ok()),
            labels,
            run_as_non_root: pod_security
                .and_then(|s| s.get("runAsNonRoot"))
                .and_then(|n| boolean(scalars, n)),
            run_as_user: pod_security
                .and_then(|s| s.get("runAsUser"))
                .and_then(|n| int(scalars, n)),
            containers: Vec::new(),
            source: reading.source.to_string(),
        },
        image_lines: Vec::new(),
        env_from: Vec::new(),
    };
    for (key, init) in [("containers", false), ("initContainers", true)] {
        for item in pod_spec
            .and_then(|s| s.get(key))
            .map(Node::seq)
            .unwrap_or_default()
        {
            if item.is_map() {
                add_container(&mut found, item, init, reading);
            }
        }
    }
    Some(found)
}

fn add_container(found: &mut FoundWorkload, node: &Node, init: bool, reading: &Reading<'_>) {
    let scalars = reading.scalars;
    let src = reading.src;
    let text = |n: Option<&Node>| n.and_then(|n| scalars.text(n)).map(Cow::into_owned);
    let present = |key: &str| node.get(key).is_some_and(|n| !n.is_null());
    let security = node.get("securityContext");
    let security_field = |key: &str| security.and_then(|s| s.get(key));
    let index = found.workload.containers.len();
    let mut env_from = Vec::new();
    for item in node.get("envFrom").map(Node::seq).unwrap_or_default() {
        let prefix = text(item.get("prefix")).unwrap_or_default();
        if let Some(name) = text(item.path(&["configMapRef", "name"])) {
            env_from.push(format!("configmap:{name}"));
            found.env_from.push(EnvFromRef {
                container: index,
                config_map: name,
                prefix,
            });
        } else if let Some(name) = text(item.path(&["secretRef", "name"])) {
            env_from.push(format!("secret:{name}"));
        }
    }
    let container = Container {
        name: text(node.get("name")).unwrap_or_default(),
        image: text(node.get("image")).filter(|i| !i.is_empty()),
        line: src.line(node.span.start),
        init,
        liveness_probe: present("livenessProbe"),
        readiness_probe: present("readinessProbe"),
        startup_probe: present("startupProbe"),
        limits: node
            .path(&["resources", "limits"])
            .map(|n| string_map(n, scalars))
            .unwrap_or_default(),
        requests: node
            .path(&["resources", "requests"])
            .map(|n| string_map(n, scalars))
            .unwrap_or_default(),
        run_as_non_root: security_field("runAsNonRoot").and_then(|n| boolean(scalars, n)),
        run_as_user: security_field("runAsUser").and_then(|n| int(scalars, n)),
        privileged: security_field("privileged").and_then(|n| boolean(scalars, n)),
        env: node
            .get("env")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| env_var(item, reading))
            .collect(),
        env_from,
    };
    found
        .image_lines
        .push(node.entry("image").map(|(k, _)| src.line(k.span.start)));
    found.workload.containers.push(container);
}

fn env_var(item: &Node, reading: &Reading<'_>) -> Option<EnvVar> {
    let scalars = reading.scalars;
    let name = scalars.text(item.get("name")?)?.into_owned();
    let line = reading.src.line(item.span.start);
    let reference = |key: &str| {
        item.path(&["valueFrom", key, "name"])
            .and_then(|n| scalars.text(n))
            .map(Cow::into_owned)
            .unwrap_or_default()
    };
    let from = item.get("valueFrom").map(|value_from| {
        if value_from.get("secretKeyRef").is_some() {
            format!("secret:{}", reference("secretKeyRef"))
        } else if value_from.get("configMapKeyRef").is_some() {
            format!("configmap:{}", reference("configMapKeyRef"))
        } else if value_from.get("fieldRef").is_some() {
            "field".to_string()
        } else if value_from.get("resourceFieldRef").is_some() {
            "resource".to_string()
        } else {
            "unknown".to_string()
        }
    });
    if from.is_some() {
        return Some(EnvVar {
            name,
            path: None,
            line,
            value: None,
            literal: false,
            from,
        });
    }
    // No `value` at all means the empty string.
    let written = match item.get("value") {
        None => Some(Cow::Borrowed("")),
        Some(v) if v.is_null() => Some(Cow::Borrowed("")),
        Some(v) => scalars.text(v),
    };
    Some(EnvVar {
        value: written.as_deref().and_then(|v| stored_value(&name, v)),
        literal: written.is_some(),
        name,
        path: None,
        line,
        from: None,
    })
}

fn service(obj: &Node, meta: Meta, line: u32, reading: &Reading<'_>) -> KubeService {
    let scalars = reading.scalars;
    let spec = obj.get("spec");
    let type_entry = spec.and_then(|s| s.entry("type"));
    KubeService {
        name: meta.name,
        namespace: meta.namespace,
        path: reading.src.path.clone(),
        line,
        service_type: type_entry
            .and_then(|(_, v)| scalars.text(v))
            .map_or_else(|| "ClusterIP".to_string(), Cow::into_owned),
        type_line: type_entry.map(|(k, _)| reading.src.line(k.span.start)),
        selector: spec
            .and_then(|s| s.get("selector"))
            .map(|n| string_map(n, scalars))
            .unwrap_or_default(),
        ports: spec
            .and_then(|s| s.get("ports"))
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| p.get("port").and_then(|n| int(scalars, n)))
            .filter_map(|n| u32::try_from(n).ok())
            .collect(),
    }
}

fn config_entries(obj: &Node, reading: &Reading<'_>) -> Vec<ConfigEntry> {
    obj.get("data")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            Some(ConfigEntry {
                key: reading.scalars.text(k)?.into_owned(),
                value: reading
                    .scalars
                    .text(v)
                    .map(Cow::into_owned)
                    .unwrap_or_default(),
                line: reading.src.line(k.span.start),
            })
        })
        .collect()
}

/// A mapping of scalars (labels, selectors, resource quantities) as text;
/// quantities written as YAML numbers (`cpu: 0.5`) keep their text.
fn string_map(node: &Node, scalars: &dyn Scalars) -> BTreeMap<String, String> {
    node.entries()
        .iter()
        .filter_map(|(k, v)| Some((scalars.text(k)?.into_owned(), scalars.text(v)?.into_owned())))
        .collect()
}

#[cfg(test)]
#[path = "objects_tests.rs"]
mod tests;
