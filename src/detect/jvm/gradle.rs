//! Gradle: each build script is a package. Settings scripts add the root
//! project's name and the included projects (as workspace members); version
//! catalogs resolve the accessors build scripts use. An accessor no catalog
//! on disk defines is skipped, not reported: catalogs can also come from
//! settings plugins, and a coordinate is never guessed.

use std::collections::HashSet;

use crate::detect::components::relative_to;
use crate::detect::{Facts, Manifest, ManifestRole, join_path, parent_dir};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::gradle::settings::project_path_dir;
use crate::parse::gradle::{
    self, Accessor, GradleBuild, GradleSettings, Notation, PluginRef, Target, is_test_name,
};
use crate::parse::version_catalog::{self, VersionCatalog};
use crate::source::SourceFile;

pub struct Files<'a> {
    pub builds: Vec<&'a SourceFile>,
    pub settings: Vec<&'a SourceFile>,
    pub catalogs: Vec<&'a SourceFile>,
}

/// A parsed version catalog and where it applies.
struct Catalog {
    /// The build root: the directory holding `gradle/<name>.versions.toml`.
    root: String,
    name: String,
    catalog: VersionCatalog,
}

struct Settings<'a> {
    src: &'a SourceFile,
    dir: &'a str,
    settings: GradleSettings,
    /// Each included project's directory relative to the settings file
    /// (normalized; `None` when it leaves the settings' directory) and name.
    projects: Vec<(Option<String>, String)>,
}

impl<'a> Settings<'a> {
    fn new(src: &'a SourceFile, settings: GradleSettings) -> Self {
        let projects = settings
            .includes
            .iter()
            .map(|(path, _)| {
                let normalized = path.trim_start_matches(':');
                let dir = settings
                    .project_dirs
                    .iter()
                    .find(|(p, _, _)| p.trim_start_matches(':') == normalized)
                    .map_or_else(|| project_path_dir(path), |(_, dir, _)| dir.clone());
                let name = normalized.rsplit(':').next().unwrap_or(normalized);
                (join_path("", &dir), name.to_string())
            })
            .collect();
        Self {
            src,
            dir: parent_dir(&src.path),
            settings,
            projects,
        }
    }
}

pub fn detect(files: &Files<'_>, facts: &mut Facts) {
    let catalogs = parse_catalogs(&files.catalogs, facts);
    let settings: Vec<Settings<'_>> = files
        .settings
        .iter()
        .filter_map(|src| match gradle::parse_settings(src) {
            Ok(settings) => Some(Settings::new(src, settings)),
            Err(err) => {
                facts.problems.push(err.to_problem(src));
                None
            }
        })
        .collect();
    let builds: Vec<(&SourceFile, GradleBuild)> = files
        .builds
        .iter()
        .filter_map(|src| match gradle::parse_build(src) {
            Ok(build) => Some((*src, build)),
            Err(err) => {
                facts.problems.push(err.to_problem(src));
                None
            }
        })
        .collect();

    for (src, build) in &builds {
        let dir = parent_dir(&src.path);
        let mut manifest = Manifest::new(&src.path, Ecosystem::Jvm, ManifestRole::Package);
        manifest.name = project_name(dir, &settings);
        let resolver = Resolver {
            dir,
            catalogs: &catalogs,
        };
        for dep in &build.dependencies {
            let scope = if dep.in_test_block || is_test_name(&dep.configuration) {
                DependencyScope::Dev
            } else {
                configuration_scope(&dep.configuration)
            };
            for name in resolver.notation(&dep.notation) {
                manifest.dependencies.push(Dependency {
                    name,
                    scope,
                    path: src.path.clone(),
                    line: src.line(dep.span.start),
                });
            }
        }
        // Plugins are build tooling; declared with `apply false` they are
        // still on this build's classpath.
        for plugin in &build.plugins {
            if let Some(id) = resolver.plugin(&plugin.plugin) {
                manifest.dependencies.push(Dependency {
                    name: id,
                    scope: DependencyScope::Dev,
                    path: src.path.clone(),
                    line: src.line(plugin.span.start),
                });
            }
        }
        let applied = applied_plugins(dir, build, &builds, &resolver);
        manifest.executable = applied.iter().any(|id| id == "application");
        manifest.language = language_of(&applied).map(str::to_string);
        facts.manifests.push(manifest);
    }

    for settings in &settings {
        let has_build = builds
            .iter()
            .any(|(src, _)| parent_dir(&src.path) == settings.dir);
        let role = if has_build {
            ManifestRole::Supplement
        } else {
            ManifestRole::WorkspaceOnly
        };
        let mut manifest = Manifest::new(&settings.src.path, Ecosystem::Jvm, role);
        manifest.name = settings
            .settings
            .root_project_name
            .as_ref()
            .map(|(name, _)| name.clone());
        let mut seen = HashSet::new();
        for dir in settings
            .projects
            .iter()
            .filter_map(|(dir, _)| dir.as_deref())
        {
            if let Some(glob) = super::member_glob(settings.dir, dir)
                && seen.insert(glob.clone())
            {
                manifest.workspace_members.push(glob);
            }
        }
        facts.manifests.push(manifest);
    }
}

fn parse_catalogs(files: &[&SourceFile], facts: &mut Facts) -> Vec<Catalog> {
    let mut out = Vec::new();
    for src in files {
        match version_catalog::parse(src) {
            Ok(catalog) => {
                for err in &catalog.invalid {
                    facts.problems.push(err.to_problem(src));
                }
                out.push(Catalog {
                    root: parent_dir(parent_dir(&src.path)).to_string(),
                    name: version_catalog::catalog_name(&src.path).to_string(),
                    catalog,
                });
            }
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    out
}

/// A project's name from the nearest settings file: `rootProject.name` for
/// the settings' own directory, the last segment of the project path for an
/// included project (which differs from the directory name only when
/// `projectDir` moves it). `None` leaves the directory name.
fn project_name(dir: &str, settings: &[Settings<'_>]) -> Option<String> {
    let nearest = settings
        .iter()
        .filter(|s| relative_to(dir, s.dir).is_some() || dir == s.dir)
        .max_by_key(|s| s.dir.len())?;
    if nearest.dir == dir {
        return nearest
            .settings
            .root_project_name
            .as_ref()
            .map(|(name, _)| name.clone());
    }
    let rel = relative_to(dir, nearest.dir)?;
    nearest
        .projects
        .iter()
        .find(|(project_dir, _)| project_dir.as_deref() == Some(rel))
        .map(|(_, name)| name.clone())
        .filter(|name| !name.is_empty())
}

/// The scope of a configuration that is not about tests.
fn configuration_scope(configuration: &str) -> DependencyScope {
    let runtime = matches!(
        configuration,
        "implementation"
            | "api"
            | "compileOnly"
            | "compileOnlyApi"
            | "runtimeOnly"
            | "compile"
            | "runtime"
    ) || ["Implementation", "Api", "CompileOnly", "RuntimeOnly"]
        .iter()
        .any(|suffix| configuration.ends_with(suffix));
    if runtime {
        DependencyScope::Runtime
    } else {
        // `annotationProcessor`, `kapt`, `ksp`, `developmentOnly`,
        // `classpath`, `detektPlugins`...: build and development tooling.
        DependencyScope::Dev
    }
}

/// Resolves notations and plugin references for a build script in `dir`.
struct Resolver<'a> {
    dir: &'a str,
    catalogs: &'a [Catalog],
}

impl Resolver<'_> {
    /// The catalog an accessor's name refers to: the one named so in the
    /// nearest build root at or above the script.
    fn catalog(&self, accessor: &Accessor) -> Option<&VersionCatalog> {
        self.catalogs
            .iter()
            .filter(|c| {
                c.name == accessor.catalog
                    && (c.root == self.dir || relative_to(self.dir, &c.root).is_some())
            })
            .max_by_key(|c| c.root.len())
            .map(|c| &c.catalog)
    }

    fn notation(&self, notation: &Notation) -> Vec<String> {
        let accessor = match notation {
            Notation::Module { group, name } => return vec![format!("{group}:{name}")],
            Notation::Catalog(accessor) => accessor,
        };
        let Some(catalog) = self.catalog(accessor) else {
            return Vec::new();
        };
        let coordinate = |alias_key: &str| {
            catalog
                .library(alias_key)
                .map(|l| format!("{}:{}", l.group, l.name))
        };
        match accessor.path.split_first() {
            Some((first, rest)) if first == "bundles" => catalog
                .bundle(&rest.join("."))
                .map(|bundle| {
                    bundle
                        .libraries
                        .iter()
                        .filter_map(|alias| coordinate(&version_catalog::accessor_key(alias)))
                        .collect()
                })
                .unwrap_or_default(),
            Some((first, _)) if first == "plugins" || first == "versions" => Vec::new(),
            _ => coordinate(&accessor.path.join(".")).into_iter().collect(),
        }
    }

    fn plugin(&self, plugin: &PluginRef) -> Option<String> {
        match plugin {
            PluginRef::Id(id) => Some(id.clone()),
            PluginRef::Catalog(accessor) => {
                let (first, rest) = accessor.path.split_first()?;
                if first != "plugins" {
                    return None;
                }
                let catalog = self.catalog(accessor)?;
                catalog.plugin(&rest.join(".")).map(|p| p.id.clone())
            }
        }
    }
}

/// Plugin ids applied to the project in `dir`: its own (not `apply false`,
/// not for other projects) and those that build scripts above it apply to
/// their subprojects.
fn applied_plugins(
    dir: &str,
    build: &GradleBuild,
    builds: &[(&SourceFile, GradleBuild)],
    resolver: &Resolver<'_>,
) -> Vec<String> {
    let own = build
        .plugins
        .iter()
        .filter(|p| p.applied && matches!(p.target, Target::This | Target::AllProjects));
    let inherited = builds
        .iter()
        .filter(|(src, _)| {
            let above = parent_dir(&src.path);
            above != dir && relative_to(dir, above).is_some()
        })
        .flat_map(|(_, b)| &b.plugins)
        .filter(|p| p.applied && matches!(p.target, Target::Subprojects | Target::AllProjects));
    own.chain(inherited)
        .filter_map(|p| resolver.plugin(&p.plugin))
        .collect()
}

/// The language a set of applied plugins says the project is written in.
fn language_of(plugins: &[String]) -> Option<&'static str> {
    let any = |test: fn(&str) -> bool| plugins.iter().any(|id| test(id));
    if any(|id| {
        id == "kotlin" || id.starts_with("kotlin-") || id.starts_with("org.jetbrains.kotlin.")
    }) {
        Some("kotlin")
    } else if any(|id| matches!(id, "groovy" | "groovy-base" | "groovy-gradle-plugin")) {
        Some("groovy")
    } else if any(|id| matches!(id, "scala" | "scala-base")) {
        Some("scala")
    } else {
        None
    }
}
