//! Deployable things: services, serverless functions, Dockerfiles, Kubernetes
//! objects and Terraform resources. Values that may hold secrets are never
//! stored as written: URLs lose their passwords and secret-looking variables
//! keep only their name (see `crate::detect::redact`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Evidence;

/// A deployable unit: a compose service, a Kubernetes workload, a Dockerfile, a
/// Procfile process or a platform app, deduplicated across those sources.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub origin: ServiceOrigin,
    /// Built from this repository's code (not a third-party image).
    pub own: bool,
    pub path: String,
    pub line: u32,
    pub image: Option<String>,
    /// Build context directory, relative to the root.
    pub build: Option<String>,
    pub component: Option<String>,
    /// Names of the datastore and queue services (or technologies, when no
    /// service declares them) this service uses.
    pub uses: Vec<String>,
    pub health_check: bool,
    pub replicas: Option<u32>,
    /// Technology ids this service is (for third-party images: `postgresql`, `redis`).
    pub technologies: Vec<String>,
    /// Every declaration of this service: compose entry, Dockerfile, Kubernetes workload.
    pub declarations: Vec<Evidence>,
    /// The Dockerfile its image is built from, when known.
    pub dockerfile: Option<String>,
    /// Published or container ports, as written (`8080:80`, `3000`).
    pub ports: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ServiceOrigin {
    Compose,
    Kubernetes,
    Dockerfile,
    Procfile,
    Platform,
}

/// A serverless function (AWS Lambda, Google Cloud Functions, Azure Functions).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    /// Technology id of the platform: `aws-lambda`, `google-cloud-functions`, ...
    pub platform: String,
    /// Where it is declared: `serverless`, `sam`, `cloudformation`, `terraform`, `azure-functions`.
    pub source: String,
    pub path: String,
    pub line: u32,
    pub runtime: Option<String>,
    pub timeout_seconds: Option<u64>,
    pub timeout_line: Option<u32>,
    pub memory_mb: Option<u64>,
    pub memory_line: Option<u32>,
}

impl Service {
    /// How the origin is written in the output.
    pub fn origin_name(&self) -> &'static str {
        self.origin.as_str()
    }
}

impl ServiceOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceOrigin::Compose => "compose",
            ServiceOrigin::Kubernetes => "kubernetes",
            ServiceOrigin::Dockerfile => "dockerfile",
            ServiceOrigin::Procfile => "procfile",
            ServiceOrigin::Platform => "platform",
        }
    }
}

/// A Dockerfile and its build stages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Dockerfile {
    pub path: String,
    pub stages: Vec<DockerStage>,
    /// The user in effect at the end of the final stage (following `FROM <stage>`),
    /// `None` when no stage sets one (the image default, usually root).
    pub user: Option<String>,
    /// Line of the `USER` instruction in effect, if any.
    pub user_line: Option<u32>,
    /// The final stage runs as root: no `USER`, or `USER root` / `0`.
    pub runs_as_root: bool,
    /// The final stage has a `HEALTHCHECK` that is not `NONE`.
    pub health_check: bool,
    pub health_check_line: Option<u32>,
    /// `EXPOSE`d ports of the final stage, as written (`8080`, `53/udp`).
    pub exposes: Vec<String>,
}

/// One `FROM` and what follows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DockerStage {
    /// `AS name`, if any.
    pub name: Option<String>,
    /// Line of the `FROM`.
    pub line: u32,
    /// The image reference as written (after `ARG` substitution when it resolves).
    pub image: String,
    /// Image name without tag or digest (`node`, `ghcr.io/acme/base`).
    pub image_name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    /// The reference still holds an `ARG` that has no default.
    pub unresolved: bool,
    /// The stage builds on an earlier stage (its name or index), not an image.
    pub base_stage: Option<String>,
    /// `FROM scratch`.
    pub scratch: bool,
    /// The last `USER` of this stage, and its line.
    pub user: Option<String>,
    pub user_line: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Kubernetes {
    /// Files holding Kubernetes objects, Helm charts (`Chart.yaml`) or kustomizations.
    pub manifests: Vec<String>,
    pub workloads: Vec<Workload>,
    pub services: Vec<KubeService>,
    pub ingresses: Vec<KubeObject>,
    pub config_maps: Vec<KubeObject>,
    pub secrets: Vec<KubeObject>,
    pub autoscalers: Vec<KubeObject>,
}

/// A Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Workload {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub path: String,
    pub line: u32,
    /// `spec.replicas` (Deployments and StatefulSets).
    pub replicas: Option<u32>,
    /// Pod template labels.
    pub labels: BTreeMap<String, String>,
    /// Pod-level `securityContext.runAsNonRoot` / `runAsUser`.
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub containers: Vec<Container>,
    /// Where it came from: `manifest`, `helm-template`, `kustomize`.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    pub image: Option<String>,
    pub line: u32,
    /// An init container.
    pub init: bool,
    pub liveness_probe: bool,
    pub readiness_probe: bool,
    pub startup_probe: bool,
    /// `resources.limits` and `resources.requests`, as written (`memory` → `512Mi`).
    pub limits: BTreeMap<String, String>,
    pub requests: BTreeMap<String, String>,
    /// Container-level `securityContext`.
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub privileged: Option<bool>,
    pub env: Vec<EnvVar>,
    /// ConfigMaps and Secrets loaded whole through `envFrom`.
    pub env_from: Vec<String>,
}

/// An environment variable as a deployment file sets it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// The file that sets it, when not the file of the object that uses it
    /// (a ConfigMap loaded through `envFrom`).
    pub path: Option<String>,
    pub line: u32,
    /// The value, redacted: URL passwords masked, and `None` for variables whose
    /// name looks secret (the value is never copied out of the file).
    pub value: Option<String>,
    /// The value is written literally in the file (not a reference).
    pub literal: bool,
    /// Where a referenced value comes from: `secret:<name>`, `configmap:<name>`,
    /// `field`, `resource`.
    pub from: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KubeService {
    pub name: String,
    pub namespace: Option<String>,
    pub path: String,
    pub line: u32,
    /// `ClusterIP` (the default), `NodePort`, `LoadBalancer`, `ExternalName`.
    #[serde(rename = "type")]
    pub service_type: String,
    pub type_line: Option<u32>,
    pub selector: BTreeMap<String, String>,
    pub ports: Vec<u32>,
}

/// Any other Kubernetes object stacklint keeps track of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KubeObject {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    pub path: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Terraform {
    /// Provider names (`aws`, `google`, `azurerm`), from `provider` blocks and
    /// `required_providers`.
    pub providers: Vec<String>,
    pub resources: Vec<TerraformResource>,
    pub modules: Vec<TerraformModule>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TerraformResource {
    /// `resource` or `data`.
    pub mode: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    pub path: String,
    pub line: u32,
    /// Top-level attributes with literal values (strings, numbers, booleans),
    /// redacted like environment values.
    pub attributes: BTreeMap<String, Attribute>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attribute {
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TerraformModule {
    pub name: String,
    pub source: Option<String>,
    pub path: String,
    pub line: u32,
}
