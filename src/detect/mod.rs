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
pub mod components;
pub mod dotnet;
pub mod elixir;
pub mod go;
pub mod jvm;
pub mod node;
pub mod php;
pub mod python;
pub mod ruby;
pub mod rust;

use crate::catalog::{Catalog, TechId};
use crate::model::{Dependency, Ecosystem, Problem};
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
}

impl Facts {
    pub fn extend(&mut self, other: Facts) {
        self.manifests.extend(other.manifests);
        self.detections.extend(other.detections);
        self.problems.extend(other.problems);
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
