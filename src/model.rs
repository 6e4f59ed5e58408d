//! The stack model: everything stacklint learned about a repository.
//!
//! It is serialized as-is for `stacklint stack --format json` (schema
//! `stacklint/stack/v1`, see `shared/spec/INTERFACE.md`) and it is the input the
//! rules see. Every field is always present (an empty list or `null`), so that an
//! expression over the model never meets a missing key. Field order here is the
//! order in the JSON output; the fields of the published contract come first and
//! the additions after them.

use serde::{Deserialize, Serialize};

mod ci;
mod infra;

pub use ci::*;
pub use infra::*;

pub const STACK_SCHEMA: &str = "stacklint/stack/v1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stack {
    pub schema: String,
    /// The scanned path as the user gave it, with `/` separators.
    pub root: String,
    pub languages: Vec<Language>,
    pub technologies: Vec<Technology>,
    pub components: Vec<Component>,
    pub services: Vec<Service>,
    pub ci: Ci,
    pub team: Team,
    pub problems: Vec<Problem>,
    /// Serverless functions (never counted as services).
    pub functions: Vec<Function>,
    /// Every Dockerfile, with its stages.
    pub dockerfiles: Vec<Dockerfile>,
    /// Kubernetes objects found in manifests, Helm charts and kustomizations.
    pub kubernetes: Kubernetes,
    /// Terraform providers, resources and modules.
    pub terraform: Terraform,
}

/// Source-code statistics for one language, by file extension.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Language {
    pub id: String,
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Technology {
    pub id: String,
    pub name: String,
    pub category: String,
    pub evidence: Vec<Evidence>,
    /// Names of the components whose own files gave evidence.
    pub components: Vec<String>,
}

/// Where and why something was detected.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Evidence {
    pub path: String,
    pub line: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    /// Directory relative to the root (`"."` for the root itself).
    pub path: String,
    pub ecosystem: Ecosystem,
    pub language: String,
    pub kind: ComponentKind,
    pub manifests: Vec<String>,
    pub lockfile: Option<String>,
    pub has_tests: bool,
    pub technologies: Vec<String>,
    /// Name of the workspace root component this one is a member of.
    pub workspace: Option<String>,
    /// Every declared dependency, as written, with where it is declared.
    pub dependencies: Vec<Dependency>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dependency {
    /// The name as the manifest writes it (`Django`, `@nestjs/core`,
    /// `org.postgresql:postgresql`).
    pub name: String,
    pub scope: DependencyScope,
    pub path: String,
    pub line: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum DependencyScope {
    /// Needed at run time.
    Runtime,
    /// Development, test and build-only dependencies.
    Dev,
    /// Optional or extra dependencies (`optional-dependencies`, npm `optionalDependencies`).
    Optional,
}

/// A package ecosystem: the family of manifests and registries a component's
/// dependencies come from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// npm, yarn, pnpm and bun (package.json).
    Node,
    /// pip, Poetry, uv, PDM, Pipenv (pyproject.toml, requirements*.txt, Pipfile, setup.cfg).
    Python,
    /// Cargo.
    Rust,
    /// Go modules.
    Go,
    /// Maven and Gradle.
    Jvm,
    /// Bundler.
    Ruby,
    /// Composer.
    Php,
    /// NuGet (*.csproj, *.fsproj, *.vbproj).
    Dotnet,
    /// Mix (Hex).
    Elixir,
}

impl Ecosystem {
    pub const ALL: [Ecosystem; 9] = [
        Ecosystem::Node,
        Ecosystem::Python,
        Ecosystem::Rust,
        Ecosystem::Go,
        Ecosystem::Jvm,
        Ecosystem::Ruby,
        Ecosystem::Php,
        Ecosystem::Dotnet,
        Ecosystem::Elixir,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Node => "node",
            Ecosystem::Python => "python",
            Ecosystem::Rust => "rust",
            Ecosystem::Go => "go",
            Ecosystem::Jvm => "jvm",
            Ecosystem::Ruby => "ruby",
            Ecosystem::Php => "php",
            Ecosystem::Dotnet => "dotnet",
            Ecosystem::Elixir => "elixir",
        }
    }

    /// The key of this ecosystem's package lists in the technology catalog.
    pub fn catalog_key(self) -> &'static str {
        match self {
            Ecosystem::Node => "npm",
            Ecosystem::Python => "pypi",
            Ecosystem::Rust => "cargo",
            Ecosystem::Go => "go",
            Ecosystem::Jvm => "maven",
            Ecosystem::Ruby => "rubygems",
            Ecosystem::Php => "composer",
            Ecosystem::Dotnet => "nuget",
            Ecosystem::Elixir => "hex",
        }
    }

    /// A package name in the form this ecosystem compares names: PEP 503 for
    /// Python, case-insensitive for NuGet and Composer, `-`/`_` folded for Cargo.
    pub fn normalize_package(self, name: &str) -> String {
        match self {
            Ecosystem::Python => {
                let base = name.split('[').next().unwrap_or(name).trim();
                let mut out = String::with_capacity(base.len());
                let mut last_sep = false;
                for c in base.chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !last_sep {
                            out.push('-');
                        }
                        last_sep = true;
                    } else {
                        out.extend(c.to_lowercase());
                        last_sep = false;
                    }
                }
                out
            }
            Ecosystem::Rust => name.to_ascii_lowercase().replace('_', "-"),
            Ecosystem::Dotnet | Ecosystem::Php | Ecosystem::Ruby | Ecosystem::Elixir => {
                name.to_ascii_lowercase()
            }
            Ecosystem::Node | Ecosystem::Go | Ecosystem::Jvm => name.to_string(),
        }
    }
}

impl std::fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    Server,
    Worker,
    Frontend,
    Library,
    Tool,
    Infrastructure,
}

impl ComponentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Server => "server",
            ComponentKind::Worker => "worker",
            ComponentKind::Frontend => "frontend",
            ComponentKind::Library => "library",
            ComponentKind::Tool => "tool",
            ComponentKind::Infrastructure => "infrastructure",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Team {
    pub size: Option<u32>,
    pub source: TeamSource,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TeamSource {
    Git,
    Config,
    Unknown,
}

/// A file that could not be read or parsed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names_follow_pep_503() {
        let py = Ecosystem::Python;
        assert_eq!(py.normalize_package("Django"), "django");
        assert_eq!(py.normalize_package("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(py.normalize_package("zope.interface"), "zope-interface");
        assert_eq!(py.normalize_package("a__-b"), "a-b");
        assert_eq!(py.normalize_package("uvicorn[standard]"), "uvicorn");
    }

    #[test]
    fn cargo_names_fold_dash_and_underscore() {
        assert_eq!(
            Ecosystem::Rust.normalize_package("Serde_JSON"),
            "serde-json"
        );
    }
}
