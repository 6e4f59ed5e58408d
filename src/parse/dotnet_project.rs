//! MSBuild project files (`*.csproj`, `*.fsproj`, `*.vbproj`) and
//! `Directory.Packages.props`, on top of `roxmltree`: the SDKs a project
//! builds with, its package and framework references, the few properties
//! stacklint reads, and central package management entries.
//!
//! Elements are matched by local name, so old-style projects in the
//! `http://schemas.microsoft.com/developer/msbuild/2003` namespace read the
//! same as SDK-style ones. `Condition`s are not evaluated: a reference under
//! any condition is a reference.

use roxmltree::{Document, Node, ParsingOptions};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// More nodes than any real project file holds; bounds memory on hostile input.
const MAX_NODES: u32 = 1_000_000;

/// A package reference (`PackageReference`, `GlobalPackageReference`) or a
/// central version pin (`PackageVersion`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageItem {
    pub name: String,
    /// The version, from the `Version` attribute or a `<Version>` child.
    pub version: Option<String>,
    /// `PrivateAssets="all"`: used to build, not flowing to consumers
    /// (analyzers, source generators, test tooling).
    pub private_assets_all: bool,
    /// Written as `Update=` (changes a reference made elsewhere) rather than
    /// `Include=`.
    pub update: bool,
    /// The span of the name (the `Include` or `Update` value).
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotnetProject {
    /// SDK names, without versions: `<Project Sdk="A;B/1.0">`, `<Sdk Name=...>`
    /// and `<Import Sdk=...>`, in order, without repeats.
    pub sdks: Vec<(String, Span)>,
    pub package_references: Vec<PackageItem>,
    /// `FrameworkReference`: shared frameworks such as `Microsoft.AspNetCore.App`.
    pub framework_references: Vec<(String, Span)>,
    /// `GlobalPackageReference` (central package management): referenced by
    /// every project under the file's directory.
    pub global_package_references: Vec<PackageItem>,
    /// `PackageVersion` (central package management): pins, not references.
    pub package_versions: Vec<PackageItem>,
    /// The last value of each property stacklint reads (MSBuild's last
    /// assignment wins).
    pub output_type: Option<String>,
    pub assembly_name: Option<String>,
    pub is_test_project: Option<bool>,
}

pub fn parse(src: &SourceFile) -> Result<DotnetProject, ParseError> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    // roxmltree skips a byte order mark itself and counts it as a column, as
    // `SourceFile` does, so positions and ranges are file positions already.
    let doc = Document::parse_with_options(&src.text, options).map_err(|err| {
        let pos = err.pos();
        ParseError::new(src.offset_of(pos.row, pos.col), xml_message(&err))
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "Project" {
        return Err(ParseError::new(
            root.range().start,
            format!(
                "expected a <Project> root element, found <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let mut out = DotnetProject::default();
    if let Some(attr) = root.attribute_node("Sdk") {
        for sdk in attr.value().split(';') {
            push_sdk(&mut out.sdks, sdk, attr.range_value().into());
        }
    }
    for node in root.descendants().filter(Node::is_element) {
        match node.tag_name().name() {
            "Sdk" => {
                if let Some(attr) = node.attribute_node("Name") {
                    push_sdk(&mut out.sdks, attr.value(), attr.range_value().into());
                }
            }
            "Import" => {
                if let Some(attr) = node.attribute_node("Sdk") {
                    push_sdk(&mut out.sdks, attr.value(), attr.range_value().into());
                }
            }
            "PackageReference" => out.package_references.extend(package_items(node)),
            "GlobalPackageReference" => {
                out.global_package_references.extend(package_items(node));
            }
            "PackageVersion" => out.package_versions.extend(package_items(node)),
            "FrameworkReference" => {
                if let Some(attr) = node.attribute_node("Include") {
                    for name in split_items(attr.value()) {
                        out.framework_references
                            .push((name.to_string(), attr.range_value().into()));
                    }
                }
            }
            "OutputType" if in_property_group(node) => out.output_type = text_of(node),
            "AssemblyName" if in_property_group(node) => out.assembly_name = text_of(node),
            "IsTestProject" if in_property_group(node) => {
                out.is_test_project = text_of(node).map(|v| v.eq_ignore_ascii_case("true"));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// roxmltree's messages end with the position, which the problem already
/// carries; keep the words only.
fn xml_message(err: &roxmltree::Error) -> String {
    let message = err.to_string();
    let words = message
        .rsplit_once(" at ")
        .filter(|(_, pos)| pos.chars().all(|c| c.is_ascii_digit() || c == ':'))
        .map_or(message.as_str(), |(words, _)| words);
    format!("invalid XML: {}", lower_first(words))
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `Name` or `Name/1.2.3`, trimmed; empty entries are skipped.
fn push_sdk(sdks: &mut Vec<(String, Span)>, entry: &str, span: Span) {
    let name = entry.split('/').next().unwrap_or(entry).trim();
    if !name.is_empty() && !sdks.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
        sdks.push((name.to_string(), span));
    }
}

/// Item names of an `Include`: `;`-separated, and never a property or item
/// expansion (`$(Name)`, `@(Items)`), which only MSBuild can evaluate.
fn split_items(include: &str) -> impl Iterator<Item = &str> {
    include
        .split(';')
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.contains("$(") && !name.contains("@("))
}

/// The package items one element declares (usually one).
fn package_items(node: Node<'_, '_>) -> Vec<PackageItem> {
    let (attr, update) = match (
        node.attribute_node("Include"),
        node.attribute_node("Update"),
    ) {
        (Some(include), _) => (include, false),
        (None, Some(update)) => (update, true),
        (None, None) => return Vec::new(),
    };
    let version = node
        .attribute("Version")
        .map(str::to_string)
        .or_else(|| child_text(node, "Version"));
    let private_assets = node
        .attribute("PrivateAssets")
        .map(str::to_string)
        .or_else(|| child_text(node, "PrivateAssets"));
    let private_assets_all = private_assets.is_some_and(|v| {
        v.split(';')
            .any(|asset| asset.trim().eq_ignore_ascii_case("all"))
    });
    split_items(attr.value())
        .map(|name| PackageItem {
            name: name.to_string(),
            version: version.clone(),
            private_assets_all,
            update,
            span: attr.range_value().into(),
        })
        .collect()
}

fn in_property_group(node: Node<'_, '_>) -> bool {
    node.parent_element()
        .is_some_and(|p| p.tag_name().name() == "PropertyGroup")
}

/// The trimmed text of an element, if it has any.
fn text_of(node: Node<'_, '_>) -> Option<String> {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text())
        .collect();
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(text_of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_style_web_project() {
        let text = r#"<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <AssemblyName>Acme.Orders.Api</AssemblyName>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Serilog.AspNetCore" Version="8.0.1" />
    <PackageReference Include="Npgsql.EntityFrameworkCore.PostgreSQL">
      <Version>8.0.4</Version>
    </PackageReference>
    <PackageReference Include="StyleCop.Analyzers" Version="1.1.118">
      <PrivateAssets>all</PrivateAssets>
    </PackageReference>
    <PackageReference Update="Newtonsoft.Json" PrivateAssets="compile;All" />
    <FrameworkReference Include="Microsoft.AspNetCore.App" />
    <ProjectReference Include="..\Core\Core.csproj" />
  </ItemGroup>
</Project>
"#;
        let src = SourceFile::new("Api.csproj", text);
        let p = parse(&src).unwrap();
        assert_eq!(p.sdks[0].0, "Microsoft.NET.Sdk.Web");
        assert_eq!(p.assembly_name.as_deref(), Some("Acme.Orders.Api"));
        let refs: Vec<(&str, Option<&str>, bool, bool, u32)> = p
            .package_references
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.version.as_deref(),
                    r.private_assets_all,
                    r.update,
                    src.line(r.span.start),
                )
            })
            .collect();
        assert_eq!(
            refs,
            vec![
                ("Serilog.AspNetCore", Some("8.0.1"), false, false, 7),
                (
                    "Npgsql.EntityFrameworkCore.PostgreSQL",
                    Some("8.0.4"),
                    false,
                    false,
                    8
                ),
                ("StyleCop.Analyzers", Some("1.1.118"), true, false, 11),
                ("Newtonsoft.Json", None, true, true, 14),
            ]
        );
        assert_eq!(p.framework_references[0].0, "Microsoft.AspNetCore.App");
        assert_eq!(
            src.slice(p.package_references[0].span),
            "Serilog.AspNetCore"
        );
    }

    #[test]
    fn sdks_from_every_spelling_without_versions_or_repeats() {
        let text = r#"<Project Sdk="Microsoft.NET.Sdk; Aspire.AppHost.Sdk/9.0.0">
  <Sdk Name="Microsoft.Build.CentralPackageVersions" Version="2.1.3" />
  <Import Project="Sdk.props" Sdk="Microsoft.NET.Sdk.Worker" />
  <Import Project="Sdk.targets" Sdk="Microsoft.NET.Sdk.Worker" />
  <PropertyGroup><OutputType> Exe </OutputType><IsTestProject>True</IsTestProject></PropertyGroup>
</Project>"#;
        let p = parse(&SourceFile::new("a.csproj", text)).unwrap();
        let sdks: Vec<&str> = p.sdks.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            sdks,
            [
                "Microsoft.NET.Sdk",
                "Aspire.AppHost.Sdk",
                "Microsoft.Build.CentralPackageVersions",
                "Microsoft.NET.Sdk.Worker"
            ]
        );
        assert_eq!(p.output_type.as_deref(), Some("Exe"));
        assert_eq!(p.is_test_project, Some(true));
    }

    #[test]
    fn an_old_style_project_in_the_msbuild_namespace() {
        let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Project ToolsVersion=\"15.0\" xmlns=\"http://schemas.microsoft.com/developer/msbuild/2003\">\r\n  <ItemGroup>\r\n    <PackageReference Include=\"Dapper\">\r\n      <Version>2.1.35</Version>\r\n    </PackageReference>\r\n  </ItemGroup>\r\n</Project>\r\n";
        let src = SourceFile::new("Legacy.csproj", text);
        let p = parse(&src).unwrap();
        assert_eq!(p.package_references[0].name, "Dapper");
        assert_eq!(p.package_references[0].version.as_deref(), Some("2.1.35"));
        assert_eq!(src.line(p.package_references[0].span.start), 4);
    }

    #[test]
    fn a_byte_order_mark_keeps_positions_right() {
        let text = "\u{feff}<Project>\n  <ItemGroup>\n    <PackageReference Include=\"Polly\" />\n";
        let src = SourceFile::new("a.csproj", text);
        let problem = parse(&src).unwrap_err().to_problem(&src);
        assert!(problem.message.starts_with("invalid XML"), "{problem:?}");
        // The mark is one character of line 1 to roxmltree and to `SourceFile`.
        let src = SourceFile::new("a.csproj", "\u{feff}<Project x=1/>");
        let problem = parse(&src).unwrap_err().to_problem(&src);
        assert_eq!((problem.line, problem.column), (1, 13), "{problem:?}");
        let ok = SourceFile::new(
            "a.csproj",
            "\u{feff}<Project><ItemGroup><PackageReference Include=\"Polly\"/></ItemGroup></Project>",
        );
        let p = parse(&ok).unwrap();
        assert_eq!(ok.slice(p.package_references[0].span), "Polly");
    }

    #[test]
    fn invalid_xml_is_an_error_at_its_line_and_column() {
        let text = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"A\" Version=1.0 />\n  </ItemGroup>\n</Project>\n";
        let src = SourceFile::new("a.csproj", text);
        let problem = parse(&src).unwrap_err().to_problem(&src);
        assert_eq!((problem.line, problem.column), (3, 43), "{problem:?}");
        assert!(!problem.message.contains(" at 3:"), "{}", problem.message);

        let src = SourceFile::new("a.csproj", "<Project>\n</Projcet>\n");
        assert_eq!(parse(&src).unwrap_err().to_problem(&src).line, 2);
    }

    #[test]
    fn a_dtd_or_a_foreign_root_is_refused() {
        let dtd = "<!DOCTYPE Project [<!ENTITY a \"aaaa\">]>\n<Project>&a;</Project>";
        assert!(parse(&SourceFile::new("a.csproj", dtd)).is_err());
        let err = parse(&SourceFile::new("a.csproj", "<Foo/>")).unwrap_err();
        assert!(err.message.contains("<Project>"));
        assert!(parse(&SourceFile::new("a.csproj", "")).is_err());
    }

    #[test]
    fn central_package_management_entries() {
        let text = r#"<Project>
  <PropertyGroup>
    <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageVersion Include="Serilog.AspNetCore" Version="8.0.1" />
    <PackageVersion Include="xunit" Version="2.9.0" />
  </ItemGroup>
  <ItemGroup>
    <GlobalPackageReference Include="Nerdbank.GitVersioning" Version="3.6.143" />
    <GlobalPackageReference Include="$(SharedAnalyzer)" Version="1.0.0" />
  </ItemGroup>
</Project>"#;
        let p = parse(&SourceFile::new("Directory.Packages.props", text)).unwrap();
        assert_eq!(p.package_versions.len(), 2);
        assert!(p.package_references.is_empty());
        assert_eq!(p.global_package_references.len(), 1);
        assert_eq!(
            p.global_package_references[0].name,
            "Nerdbank.GitVersioning"
        );
    }

    #[test]
    fn properties_outside_a_property_group_are_not_properties() {
        let text = "<Project><ItemGroup><OutputType>Exe</OutputType></ItemGroup><PropertyGroup><OutputType>Library</OutputType></PropertyGroup></Project>";
        let p = parse(&SourceFile::new("a.csproj", text)).unwrap();
        assert_eq!(p.output_type.as_deref(), Some("Library"));
    }

    #[test]
    fn deep_nesting_and_many_nodes_do_not_crash() {
        let depth = 100_000;
        let text = format!(
            "<Project>{}{}</Project>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let _ = parse(&SourceFile::new("a.csproj", text));
    }

    #[test]
    fn every_prefix_of_a_project_parses_without_panicking() {
        let text = "\u{feff}<Project Sdk=\"A/1;B\"><ItemGroup><PackageReference Include=\"é\"><Version>1</Version></PackageReference></ItemGroup></Project>";
        for (end, _) in text.char_indices() {
            let _ = parse(&SourceFile::new("a.csproj", &text[..end]));
        }
    }
}
