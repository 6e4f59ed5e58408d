//! .NET projects: `*.csproj`, `*.fsproj`, `*.vbproj` and
//! `Directory.Packages.props`.
//!
//! Each project file is a component. Its SDK (`Microsoft.NET.Sdk.Web`,
//! `Aspire.AppHost.Sdk`) and shared frameworks (`Microsoft.AspNetCore.App`)
//! are recorded as dependencies under their own names, so that the catalog
//! maps them like packages. In a test project every dependency is a
//! development one. `GlobalPackageReference`s of a `Directory.Packages.props`
//! are referenced by every project under it, as MSBuild imports the nearest
//! such file: they are added to each of those projects.

use crate::detect::components::relative_to;
use crate::detect::{DetectContext, Facts, Manifest, ManifestRole, parent_dir};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::dotnet_project::{self, DotnetProject, PackageItem};
use crate::source::SourceFile;
use crate::walk::FileKind;

/// The package that makes a project a test project (`dotnet test` needs it).
const TEST_SDK_PACKAGE: &str = "Microsoft.NET.Test.Sdk";
/// Project SDKs that make a test project by themselves.
const TEST_SDKS: [&str; 1] = ["MSTest.Sdk"];
/// Project SDKs whose default `OutputType` is `Exe`.
const EXECUTABLE_SDKS: [&str; 2] = ["Microsoft.NET.Sdk.Web", "Microsoft.NET.Sdk.Worker"];

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let mut project_dirs: Vec<&str> = Vec::new();
    let mut props: Vec<(&SourceFile, DotnetProject)> = Vec::new();
    for (kind, src) in files {
        let parsed = match dotnet_project::parse(src) {
            Ok(parsed) => parsed,
            Err(err) => {
                facts.problems.push(err.to_problem(src));
                continue;
            }
        };
        match kind {
            FileKind::DotnetProject => {
                project_dirs.push(parent_dir(&src.path));
                facts.manifests.push(project(src, &parsed));
            }
            FileKind::DirectoryPackagesProps => props.push((src, parsed)),
            _ => {}
        }
    }
    project_dirs.sort_unstable();
    project_dirs.dedup();
    for (src, parsed) in &props {
        global_references(src, parsed, &props, &project_dirs, &mut facts);
    }
    facts
}

fn project(src: &SourceFile, parsed: &DotnetProject) -> Manifest {
    let mut manifest = Manifest::new(&src.path, Ecosystem::Dotnet, ManifestRole::Package);
    let file_name = src.path.rsplit('/').next().unwrap_or(&src.path);
    let (stem, extension) = file_name.rsplit_once('.').unwrap_or((file_name, ""));
    manifest.name = Some(project_name(parsed.assembly_name.as_deref(), stem));
    manifest.language = match extension.to_ascii_lowercase().as_str() {
        "fsproj" => Some("fsharp".to_string()),
        "vbproj" => Some("visual-basic".to_string()),
        _ => None,
    };
    manifest.executable = match parsed.output_type.as_deref() {
        Some(output) => output.eq_ignore_ascii_case("Exe") || output.eq_ignore_ascii_case("WinExe"),
        None => parsed
            .sdks
            .iter()
            .any(|(sdk, _)| EXECUTABLE_SDKS.iter().any(|e| e.eq_ignore_ascii_case(sdk))),
    };

    let is_test = parsed.is_test_project.unwrap_or_else(|| {
        parsed
            .package_references
            .iter()
            .any(|r| r.name.eq_ignore_ascii_case(TEST_SDK_PACKAGE))
            || parsed
                .sdks
                .iter()
                .any(|(sdk, _)| TEST_SDKS.iter().any(|t| t.eq_ignore_ascii_case(sdk)))
    });
    let base_scope = if is_test {
        DependencyScope::Dev
    } else {
        DependencyScope::Runtime
    };
    let dependency = |name: &str, scope: DependencyScope, offset: usize| Dependency {
        name: name.to_string(),
        scope,
        path: src.path.clone(),
        line: src.line(offset),
    };
    let sdks = parsed
        .sdks
        .iter()
        .map(|(sdk, span)| dependency(sdk, base_scope, span.start));
    let frameworks = parsed
        .framework_references
        .iter()
        .map(|(name, span)| dependency(name, base_scope, span.start));
    let packages = parsed.package_references.iter().map(|item| {
        let scope = if item.private_assets_all {
            DependencyScope::Dev
        } else {
            base_scope
        };
        dependency(&item.name, scope, item.span.start)
    });
    manifest.dependencies = sdks.chain(frameworks).chain(packages).collect();
    manifest
}

/// `AssemblyName`, with the one property it commonly uses expanded; the
/// project file's name when there is none or it needs MSBuild to evaluate.
fn project_name(assembly_name: Option<&str>, stem: &str) -> String {
    assembly_name
        .map(|name| name.replace("$(MSBuildProjectName)", stem))
        .filter(|name| !name.is_empty() && !name.contains("$("))
        .unwrap_or_else(|| stem.to_string())
}

/// One supplement per project this props file governs (the projects under its
/// directory with no nearer `Directory.Packages.props`).
fn global_references(
    src: &SourceFile,
    parsed: &DotnetProject,
    all_props: &[(&SourceFile, DotnetProject)],
    project_dirs: &[&str],
    facts: &mut Facts,
) {
    if parsed.global_package_references.is_empty() {
        return;
    }
    let props_dir = parent_dir(&src.path);
    let nearest_props = |project_dir: &str| {
        all_props
            .iter()
            .map(|(other, _)| parent_dir(&other.path))
            .filter(|dir| relative_to(project_dir, dir).is_some() || project_dir == *dir)
            .max_by_key(|dir| dir.len())
    };
    for project_dir in project_dirs {
        if nearest_props(project_dir) != Some(props_dir) {
            continue;
        }
        let mut manifest = Manifest::new(&src.path, Ecosystem::Dotnet, ManifestRole::Supplement);
        manifest.dir = (*project_dir).to_string();
        manifest.dependencies = parsed
            .global_package_references
            .iter()
            .map(|item| global_dependency(src, item))
            .collect();
        facts.manifests.push(manifest);
    }
}

/// A global package reference is always private to the project
/// (`PrivateAssets="All"` is implied): build tooling such as analyzers or
/// versioning, never something the application runs on.
fn global_dependency(src: &SourceFile, item: &PackageItem) -> Dependency {
    Dependency {
        name: item.name.clone(),
        scope: DependencyScope::Dev,
        path: src.path.clone(),
        line: src.line(item.span.start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testing::{self, deps};

    fn run(files: &[(FileKind, &str, &str)]) -> Facts {
        testing::run(detect, &testing::empty_catalog(), files)
    }

    #[test]
    fn a_web_project_records_its_sdk_and_packages() {
        let facts = run(&[(
            FileKind::DotnetProject,
            "src/Api/Api.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <ItemGroup>\n    <PackageReference Include=\"Serilog.AspNetCore\" Version=\"8.0.1\" />\n    <PackageReference Include=\"Roslynator.Analyzers\" Version=\"4.12.0\" PrivateAssets=\"all\" />\n    <ProjectReference Include=\"..\\Core\\Core.csproj\" />\n  </ItemGroup>\n</Project>\n",
        )]);
        let api = &facts.manifests[0];
        assert_eq!(api.name.as_deref(), Some("Api"));
        assert_eq!(api.dir, "src/Api");
        assert!(api.executable);
        assert_eq!(api.language, None);
        assert_eq!(
            deps(api),
            [
                ("Microsoft.NET.Sdk.Web", DependencyScope::Runtime, 1),
                ("Serilog.AspNetCore", DependencyScope::Runtime, 3),
                ("Roslynator.Analyzers", DependencyScope::Dev, 4),
            ]
        );
    }

    #[test]
    fn every_dependency_of_a_test_project_is_dev() {
        let facts = run(&[(
            FileKind::DotnetProject,
            "tests/Api.Tests/Api.Tests.fsproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\">\n<ItemGroup>\n<PackageReference Include=\"Microsoft.NET.Test.Sdk\" Version=\"17.11.1\" />\n<PackageReference Include=\"Testcontainers.PostgreSql\" Version=\"3.10.0\" />\n</ItemGroup>\n</Project>\n",
        )]);
        let tests = &facts.manifests[0];
        assert_eq!(tests.language.as_deref(), Some("fsharp"));
        assert!(!tests.executable);
        assert!(
            deps(tests)
                .iter()
                .all(|(_, s, _)| *s == DependencyScope::Dev)
        );
    }

    #[test]
    fn output_type_and_assembly_name_decide_executable_and_name() {
        let facts = run(&[
            (
                FileKind::DotnetProject,
                "tools/Gen/Gen.vbproj",
                "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><AssemblyName>$(MSBuildProjectName).Cli</AssemblyName></PropertyGroup></Project>",
            ),
            (
                FileKind::DotnetProject,
                "src/Web/Web.csproj",
                "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><OutputType>Library</OutputType><AssemblyName>$(Company).Web</AssemblyName></PropertyGroup></Project>",
            ),
        ]);
        let tool = &facts.manifests[0];
        assert!(tool.executable);
        assert_eq!(tool.name.as_deref(), Some("Gen.Cli"));
        assert_eq!(tool.language.as_deref(), Some("visual-basic"));
        let web = &facts.manifests[1];
        assert!(!web.executable);
        assert_eq!(web.name.as_deref(), Some("Web"));
    }

    #[test]
    fn global_references_go_to_the_projects_the_nearest_props_governs() {
        let props = |name: &str| {
            format!(
                "<Project><ItemGroup><PackageVersion Include=\"Serilog\" Version=\"4.0.0\" /><GlobalPackageReference Include=\"{name}\" Version=\"1.0.0\" /></ItemGroup></Project>"
            )
        };
        let root_props = props("Nerdbank.GitVersioning");
        let legacy_props = props("Legacy.Analyzers");
        let project = "<Project Sdk=\"Microsoft.NET.Sdk\" />";
        let facts = run(&[
            (
                FileKind::DirectoryPackagesProps,
                "Directory.Packages.props",
                &root_props,
            ),
            (
                FileKind::DirectoryPackagesProps,
                "legacy/Directory.Packages.props",
                &legacy_props,
            ),
            (FileKind::DotnetProject, "src/A/A.csproj", project),
            (FileKind::DotnetProject, "legacy/B/B.csproj", project),
        ]);
        let supplements: Vec<(&str, &str, &str, DependencyScope)> = facts
            .manifests
            .iter()
            .filter(|m| m.role == ManifestRole::Supplement)
            .map(|m| {
                (
                    m.path.as_str(),
                    m.dir.as_str(),
                    m.dependencies[0].name.as_str(),
                    m.dependencies[0].scope,
                )
            })
            .collect();
        assert_eq!(
            supplements,
            [
                (
                    "Directory.Packages.props",
                    "src/A",
                    "Nerdbank.GitVersioning",
                    DependencyScope::Dev
                ),
                (
                    "legacy/Directory.Packages.props",
                    "legacy/B",
                    "Legacy.Analyzers",
                    DependencyScope::Dev
                ),
            ]
        );
    }

    #[test]
    fn invalid_xml_is_a_problem_and_other_projects_are_kept() {
        let facts = run(&[
            (
                FileKind::DotnetProject,
                "a/A.csproj",
                "<Project>\n  <ItemGroup>\n</Project>",
            ),
            (FileKind::DotnetProject, "b/B.csproj", "<Project />"),
        ]);
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].path, "a/A.csproj");
        assert_eq!(facts.problems[0].line, 3);
        assert_eq!(facts.manifests.len(), 1);
    }
}
