//! Detection: turning parsed files into facts with evidence.
//!
//! Each ecosystem or tool has a module that receives the files of its kinds
//! (already read), parses them with `crate::parse`, and returns [`Facts`]:
//! manifests with their dependencies, technologies seen (with evidence),
//! services, CI pipelines, and problems for files that did not parse. Modules
//! never talk to each other; `assemble` joins their facts into the [`Stack`].
//!
//! [`Stack`]: crate::model::Stack

pub mod assemble;
pub mod ci;
pub mod cloudformation;
pub mod components;
pub mod compose;
pub mod connection;
pub mod docker;
pub mod dotnet;
pub mod elixir;
pub mod go;
pub mod jvm;
pub mod kubernetes;
pub mod node;
pub mod php;
pub mod platform;
pub mod python;
pub mod redact;
pub mod ruby;
pub mod rust;
pub mod serverless;
pub mod services;
pub mod terraform;
#[cfg(test)]
pub(crate) mod testing;

use crate::catalog::{Catalog, TechId};
use crate::model::{
    Dependency, Dockerfile, Ecosystem, Function, Kubernetes, Pipeline, Problem, ServiceOrigin,
    Terraform,
};
use crate::read::Reader;
use crate::source::SourceFile;
use crate::walk::{FileKind, WalkOutput};

/// What every detector may look at besides its own files.
pub struct DetectContext<'a> {
    pub catalog: &'a Catalog,
    pub walk: &'a WalkOutput,
    /// Reads further files a detector discovers it needs (an included
    /// requirements file, a local CI include). Bounded like every read.
    pub reader: &'a Reader,
    /// What CI commands and actions do (`rules/ci-steps.toml`).
    pub ci_steps: &'a ci::steps::StepRules,
}

impl DetectContext<'_> {
    /// Whether the walk listed a file at `path`.
    pub fn has_file(&self, path: &str) -> bool {
        self.walk
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .is_ok()
    }
}

/// A technology seen somewhere, with why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Detection {
    pub tech: TechId,
    pub path: String,
    pub line: u32,
    pub reason: String,
}

/// How a manifest takes part in making components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManifestRole {
    /// Declares a package: its directory is a component.
    Package,
    /// Declares only a workspace (Cargo virtual manifest, uv workspace root
    /// without a project, `go.work`, `pnpm-workspace.yaml`, `settings.gradle`
    /// without a build file beside it): no component of its own.
    WorkspaceOnly,
    /// Adds dependencies or workspace members to the component of its
    /// directory, if there is one, and makes none itself (a pyproject.toml
    /// holding only tool settings, `Directory.Packages.props`).
    Supplement,
}

/// What a package manifest says, ecosystem-neutral.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: String,
    pub ecosystem: Ecosystem,
    pub role: ManifestRole,
    /// The component directory this manifest describes (`""` for the root).
    /// Usually the manifest's own directory; `requirements/base.txt` speaks
    /// for the directory above.
    pub dir: String,
    /// The package name it declares, if any.
    pub name: Option<String>,
    pub dependencies: Vec<Dependency>,
    /// Workspace member globs, relative to `dir`.
    pub workspace_members: Vec<String>,
    /// Workspace member globs to leave out, relative to `dir`.
    pub workspace_exclude: Vec<String>,
    /// The package installs an executable (npm `bin`, `[project.scripts]`,
    /// Cargo `[[bin]]`, a Go `main` module...).
    pub executable: bool,
    /// A language more precise than the ecosystem's default (`typescript`,
    /// `kotlin`, `fsharp`).
    pub language: Option<String>,
    /// The manifest pins every dependency to one version (a compiled
    /// requirements file): it is its own lockfile.
    pub fully_pinned: bool,
}

impl Manifest {
    pub fn new(path: &str, ecosystem: Ecosystem, role: ManifestRole) -> Self {
        Self {
            path: path.to_string(),
            ecosystem,
            role,
            dir: parent_dir(path).to_string(),
            name: None,
            dependencies: Vec::new(),
            workspace_members: Vec::new(),
            workspace_exclude: Vec::new(),
            executable: false,
            language: None,
            fully_pinned: false,
        }
    }
}

/// Everything detectors found, before it is joined into the model.
#[derive(Debug, Default)]
pub struct Facts {
    pub manifests: Vec<Manifest>,
    pub detections: Vec<Detection>,
    pub problems: Vec<Problem>,
    /// Service declarations (compose services, Procfile processes, platform
    /// apps); `assemble` merges the ones that describe the same code.
    pub services: Vec<ServiceFact>,
    pub functions: Vec<Function>,
    pub dockerfiles: Vec<Dockerfile>,
    pub kubernetes: Kubernetes,
    pub terraform: Terraform,
    pub pipelines: Vec<Pipeline>,
    /// Images this repository builds without a Dockerfile of its own
    /// (skaffold artifacts, jib, ko, buildpacks).
    pub image_builds: Vec<ImageBuild>,
}

impl Facts {
    pub fn extend(&mut self, other: Facts) {
        self.manifests.extend(other.manifests);
        self.detections.extend(other.detections);
        self.problems.extend(other.problems);
        self.services.extend(other.services);
        self.functions.extend(other.functions);
        self.dockerfiles.extend(other.dockerfiles);
        let k = other.kubernetes;
        self.kubernetes.manifests.extend(k.manifests);
        self.kubernetes.workloads.extend(k.workloads);
        self.kubernetes.services.extend(k.services);
        self.kubernetes.ingresses.extend(k.ingresses);
        self.kubernetes.config_maps.extend(k.config_maps);
        self.kubernetes.secrets.extend(k.secrets);
        self.kubernetes.autoscalers.extend(k.autoscalers);
        let t = other.terraform;
        self.terraform.providers.extend(t.providers);
        self.terraform.resources.extend(t.resources);
        self.terraform.modules.extend(t.modules);
        self.pipelines.extend(other.pipelines);
        self.image_builds.extend(other.image_builds);
    }

    /// Record a problem at a byte offset of `src`.
    pub fn problem_at(&mut self, src: &SourceFile, offset: usize, message: impl Into<String>) {
        let pos = src.position(offset);
        self.problems.push(Problem {
            path: src.path.clone(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
        });
    }

    /// Record a technology seen at a byte offset of `src`.
    pub fn detect(
        &mut self,
        tech: TechId,
        src: &SourceFile,
        offset: usize,
        reason: impl Into<String>,
    ) {
        self.detections.push(Detection {
            tech,
            path: src.path.clone(),
            line: src.line(offset),
            reason: reason.into(),
        });
    }
}

/// A service as one file declares it. Several facts may describe one service
/// (a compose entry and the Dockerfile it builds); `assemble` merges them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFact {
    pub origin: ServiceOrigin,
    pub name: String,
    /// Where it is declared.
    pub path: String,
    pub line: u32,
    /// The image reference as written.
    pub image: Option<String>,
    /// Build context directory, root-relative (`""` for the root).
    pub build_context: Option<String>,
    /// The Dockerfile used to build it, root-relative.
    pub dockerfile: Option<String>,
    /// Services it depends on or links to, by name.
    pub depends_on: Vec<String>,
    /// Environment variables it is given, with values as written (kept in
    /// memory to resolve connection URLs; never serialized).
    pub env: Vec<EnvFact>,
    /// `env_file` paths as written.
    pub env_files: Vec<String>,
    /// `Some(true)`: declares a health check; `Some(false)`: disables one.
    pub health_check: Option<bool>,
    pub replicas: Option<u32>,
    pub ports: Vec<String>,
    /// Compose profiles it belongs to (a profiled service only runs on demand).
    pub profiles: Vec<String>,
    /// Technology ids of a third-party service declared without an image (a
    /// Helm chart dependency such as bitnami `postgresql`).
    pub technologies: Vec<String>,
}

impl ServiceFact {
    pub fn new(origin: ServiceOrigin, name: &str, path: &str, line: u32) -> Self {
        Self {
            origin,
            name: name.to_string(),
            path: path.to_string(),
            line,
            image: None,
            build_context: None,
            dockerfile: None,
            depends_on: Vec::new(),
            env: Vec::new(),
            env_files: Vec::new(),
            health_check: None,
            replicas: None,
            ports: Vec::new(),
            profiles: Vec::new(),
            technologies: Vec::new(),
        }
    }
}

/// An environment variable as written in a deployment file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFact {
    pub name: String,
    pub value: Option<String>,
    pub line: u32,
}

/// An image the repository builds by other means than a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageBuild {
    /// `skaffold`, `jib`, `ko`, `buildpacks`, `spring-boot-build-image`.
    pub tool: String,
    /// The image name it produces, when the configuration says.
    pub image: Option<String>,
    /// The directory whose code it builds, root-relative.
    pub context: String,
    /// The Dockerfile it builds with, root-relative, when the tool uses one
    /// (a skaffold `docker` or `kaniko` artifact).
    pub dockerfile: Option<String>,
    pub path: String,
    pub line: u32,
}

/// The directory part of a relative path (`""` for a file at the root).
pub fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Join a directory and a relative path, resolving `.` and `..`; `None` if the
/// result would leave the root.
pub fn join_path(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in rel.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// A detector: the file kinds it reads and the function that turns them into facts.
pub struct Detector {
    pub name: &'static str,
    pub kinds: &'static [FileKind],
    pub run: fn(&DetectContext<'_>, &[(FileKind, &SourceFile)]) -> Facts,
}

/// Every detector, in one place. A file kind no detector lists is never read.
pub const DETECTORS: &[Detector] = &[
    Detector {
        name: "node",
        kinds: &[FileKind::PackageJson, FileKind::PnpmWorkspace],
        run: node::detect,
    },
    Detector {
        name: "python",
        kinds: &[
            FileKind::PyProject,
            FileKind::Requirements,
            FileKind::Pipfile,
            FileKind::SetupCfg,
            FileKind::SetupPy,
        ],
        run: python::detect,
    },
    Detector {
        name: "jvm",
        kinds: &[
            FileKind::PomXml,
            FileKind::BuildGradle,
            FileKind::SettingsGradle,
            FileKind::VersionCatalog,
        ],
        run: jvm::detect,
    },
    Detector {
        name: "rust",
        kinds: &[FileKind::CargoToml],
        run: rust::detect,
    },
    Detector {
        name: "go",
        kinds: &[FileKind::GoMod, FileKind::GoWork],
        run: go::detect,
    },
    Detector {
        name: "ruby",
        kinds: &[FileKind::Gemfile],
        run: ruby::detect,
    },
    Detector {
        name: "php",
        kinds: &[FileKind::ComposerJson],
        run: php::detect,
    },
    Detector {
        name: "dotnet",
        kinds: &[FileKind::DotnetProject, FileKind::DirectoryPackagesProps],
        run: dotnet::detect,
    },
    Detector {
        name: "elixir",
        kinds: &[FileKind::MixExs],
        run: elixir::detect,
    },
    Detector {
        name: "docker",
        kinds: &[FileKind::Dockerfile],
        run: docker::detect,
    },
    Detector {
        name: "compose",
        kinds: &[FileKind::Compose, FileKind::DotEnv],
        run: compose::detect,
    },
    Detector {
        name: "kubernetes",
        // `app.yaml` is also a common name for a Kubernetes manifest.
        kinds: &[
            FileKind::Yaml,
            FileKind::AppYaml,
            FileKind::HelmChart,
            FileKind::HelmValues,
            FileKind::Kustomization,
            FileKind::Skaffold,
        ],
        run: kubernetes::detect,
    },
    Detector {
        name: "terraform",
        kinds: &[FileKind::Terraform],
        run: terraform::detect,
    },
    Detector {
        name: "cloudformation",
        kinds: &[FileKind::Yaml, FileKind::JsonTemplate],
        run: cloudformation::detect,
    },
    Detector {
        name: "serverless",
        kinds: &[FileKind::Serverless],
        run: serverless::detect,
    },
    Detector {
        name: "platform",
        kinds: &[
            FileKind::Procfile,
            FileKind::FlyToml,
            FileKind::VercelJson,
            FileKind::NetlifyToml,
            FileKind::AppYaml,
            FileKind::HostJson,
            FileKind::CdkJson,
            FileKind::PulumiYaml,
        ],
        run: platform::detect,
    },
    Detector {
        name: "github-actions",
        kinds: &[FileKind::GithubWorkflow, FileKind::GithubAction],
        run: ci::github::detect,
    },
    Detector {
        name: "gitlab-ci",
        kinds: &[FileKind::GitlabCi],
        run: ci::gitlab::detect,
    },
    Detector {
        name: "circleci",
        kinds: &[FileKind::CircleCi],
        run: ci::circleci::detect,
    },
    Detector {
        name: "azure-pipelines",
        kinds: &[FileKind::AzurePipelines],
        run: ci::azure::detect,
    },
    Detector {
        name: "jenkins",
        kinds: &[FileKind::Jenkinsfile],
        run: ci::jenkins::detect,
    },
    Detector {
        name: "bitbucket-pipelines",
        kinds: &[FileKind::BitbucketPipelines],
        run: ci::bitbucket::detect,
    },
    Detector {
        name: "travis-ci",
        kinds: &[FileKind::TravisCi],
        run: ci::travis::detect,
    },
    Detector {
        name: "buildkite",
        kinds: &[FileKind::Buildkite],
        run: ci::buildkite::detect,
    },
    Detector {
        name: "google-cloud-build",
        kinds: &[FileKind::CloudBuild],
        run: ci::cloudbuild::detect,
    },
    Detector {
        name: "aws-codebuild",
        kinds: &[FileKind::CodeBuild],
        run: ci::codebuild::detect,
    },
    Detector {
        name: "drone",
        kinds: &[FileKind::Drone],
        run: ci::drone::detect,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_path_resolves_dots_and_refuses_to_leave_the_root() {
        assert_eq!(join_path("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_path("", "./x/y").as_deref(), Some("x/y"));
        assert_eq!(join_path("a", "../../x"), None);
        assert_eq!(join_path("a", "."), Some("a".to_string()));
    }
}
