//! `Cargo.toml`: the package name, every dependency table (plain, dev, build,
//! and their `[target.<cfg>]` variants) with the span of each dependency's
//! key, the workspace (members, exclude, `[workspace.dependencies]`
//! declarations) and the `[[bin]]` targets.
//!
//! A syntax error fails the file; a well-formed file with a value of the
//! wrong shape (a dependency that is a number, `members` that is not an
//! array) keeps everything else and lists the mistake in `issues`, as Cargo
//! would refuse it.

use toml_edit::{Document, Item, TableLike, Value};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// Which table a dependency is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencyKind {
    /// `[dependencies]`
    Normal,
    /// `[dev-dependencies]`
    Dev,
    /// `[build-dependencies]`
    Build,
}

/// The dependency tables of a manifest or of one `[target.<cfg>]` table. The
/// underscore spellings are the old ones Cargo still reads (with a warning).
const DEPENDENCY_TABLES: [(&str, DependencyKind); 5] = [
    ("dependencies", DependencyKind::Normal),
    ("dev-dependencies", DependencyKind::Dev),
    ("dev_dependencies", DependencyKind::Dev),
    ("build-dependencies", DependencyKind::Build),
    ("build_dependencies", DependencyKind::Build),
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoDependency {
    /// The package's name on the registry: the `package` key of a renamed
    /// dependency, else the key itself.
    pub name: String,
    /// The name the manifest declares it under (differs from `name` when the
    /// dependency is renamed).
    pub key: String,
    pub kind: DependencyKind,
    pub optional: bool,
    /// Inherited from the workspace (`x.workspace = true`): its real package
    /// name is whatever `[workspace.dependencies]` says for `key`.
    pub inherited: bool,
    /// The `[target.<cfg>]` table it is declared in, if any.
    pub target: Option<String>,
    /// The span of the key.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoPackage {
    pub name: Option<(String, Span)>,
    /// Where the `[package]` table is.
    pub span: Span,
    /// `autobins = false` turns off discovering `src/main.rs` and `src/bin/`.
    pub autobins: bool,
    /// `package.workspace`: the path to the workspace root, when it is not the
    /// nearest manifest above.
    pub workspace: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoWorkspace {
    /// Member globs, relative to the manifest's directory.
    pub members: Vec<(String, Span)>,
    pub exclude: Vec<(String, Span)>,
    /// `[workspace.dependencies]`: declarations members inherit, not
    /// dependencies of the workspace root.
    pub dependencies: Vec<CargoDependency>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CargoManifest {
    pub package: Option<CargoPackage>,
    pub workspace: Option<CargoWorkspace>,
    pub dependencies: Vec<CargoDependency>,
    /// The `[[bin]]` targets declared explicitly.
    pub bins: Vec<Span>,
    /// Values of the wrong shape, each at its position.
    pub issues: Vec<ParseError>,
}

impl CargoManifest {
    /// The workspace declaration of a dependency key, if this manifest
    /// declares a workspace.
    pub fn workspace_dependency(&self, key: &str) -> Option<&CargoDependency> {
        self.workspace
            .as_ref()?
            .dependencies
            .iter()
            .find(|d| d.key == key)
    }
}

/// Spans in `toml_edit` are relative to the parsed text, which starts after
/// any byte order mark; this moves them to offsets in the file.
struct Locator {
    base: usize,
}

impl Locator {
    fn span(&self, range: Option<std::ops::Range<usize>>) -> Option<Span> {
        range.map(|r| Span::new(self.base + r.start, self.base + r.end))
    }

    /// The span of `key` in `table`, else of its value, else `fallback`.
    fn key_span(&self, table: &dyn TableLike, key: &str, fallback: Span) -> Span {
        table
            .key(key)
            .and_then(|k| self.span(k.span()))
            .or_else(|| table.get(key).and_then(|item| self.span(item.span())))
            .unwrap_or(fallback)
    }
}

pub fn parse(src: &SourceFile) -> Result<CargoManifest, ParseError> {
    let base = src.body_offset();
    let doc = Document::parse(src.body()).map_err(|err| {
        let offset = err.span().map_or(0, |r| r.start);
        ParseError::new(base + offset, first_line(err.message()))
    })?;
    let at = Locator { base };
    let root = doc.as_table();
    let top = Span::at(base);
    let mut out = CargoManifest::default();

    if let Some(item) = root.get("package") {
        let span = at.key_span(root, "package", top);
        match item.as_table_like() {
            Some(package) => out.package = Some(read_package(&at, package, span)),
            None => out
                .issues
                .push(ParseError::new(span.start, "`package` must be a table")),
        }
    }

    read_dependency_tables(&at, root, None, top, &mut out.dependencies, &mut out.issues);
    if let Some(item) = root.get("target") {
        let span = at.key_span(root, "target", top);
        match item.as_table_like() {
            Some(targets) => {
                for (cfg, platform) in targets.iter() {
                    let cfg_span = at.key_span(targets, cfg, span);
                    match platform.as_table_like() {
                        Some(platform) => read_dependency_tables(
                            &at,
                            platform,
                            Some(cfg),
                            cfg_span,
                            &mut out.dependencies,
                            &mut out.issues,
                        ),
                        None => out.issues.push(ParseError::new(
                            cfg_span.start,
                            format!("`target.{cfg}` must be a table"),
                        )),
                    }
                }
            }
            None => out
                .issues
                .push(ParseError::new(span.start, "`target` must be a table")),
        }
    }

    if let Some(item) = root.get("workspace") {
        let span = at.key_span(root, "workspace", top);
        match item.as_table_like() {
            Some(workspace) => {
                out.workspace = Some(read_workspace(&at, workspace, span, &mut out.issues));
            }
            None => out
                .issues
                .push(ParseError::new(span.start, "`workspace` must be a table")),
        }
    }

    if let Some(item) = root.get("bin") {
        let span = at.key_span(root, "bin", top);
        match item {
            Item::ArrayOfTables(bins) => out
                .bins
                .extend(bins.iter().map(|bin| at.span(bin.span()).unwrap_or(span))),
            Item::Value(Value::Array(bins)) => out
                .bins
                .extend(bins.iter().map(|bin| at.span(bin.span()).unwrap_or(span))),
            _ => out.issues.push(ParseError::new(
                span.start,
                "`bin` must be an array of tables ([[bin]])",
            )),
        }
    }
    Ok(out)
}

/// The first line of a multi-line error message (`toml_edit` appends a
/// rendered snippet; the problem's position already says where).
fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("invalid TOML")
        .trim()
        .to_string()
}

fn read_package(at: &Locator, package: &dyn TableLike, span: Span) -> CargoPackage {
    let name = package.get("name").and_then(|item| {
        let text = item.as_str()?;
        Some((text.to_string(), at.span(item.span()).unwrap_or(span)))
    });
    CargoPackage {
        name,
        span,
        autobins: package
            .get("autobins")
            .and_then(Item::as_bool)
            .unwrap_or(true),
        workspace: package
            .get("workspace")
            .and_then(Item::as_str)
            .map(str::to_string),
    }
}

fn read_workspace(
    at: &Locator,
    workspace: &dyn TableLike,
    span: Span,
    issues: &mut Vec<ParseError>,
) -> CargoWorkspace {
    let mut out = CargoWorkspace {
        members: string_array(at, workspace, "members", span, issues),
        exclude: string_array(at, workspace, "exclude", span, issues),
        dependencies: Vec::new(),
    };
    if let Some(item) = workspace.get("dependencies") {
        let deps_span = at.key_span(workspace, "dependencies", span);
        match item.as_table_like() {
            Some(table) => read_dependencies(
                at,
                table,
                DependencyKind::Normal,
                None,
                deps_span,
                &mut out.dependencies,
                issues,
            ),
            None => issues.push(ParseError::new(
                deps_span.start,
                "`workspace.dependencies` must be a table",
            )),
        }
    }
    out
}

/// An array of strings under `key` (absent: empty).
fn string_array(
    at: &Locator,
    table: &dyn TableLike,
    key: &str,
    fallback: Span,
    issues: &mut Vec<ParseError>,
) -> Vec<(String, Span)> {
    let Some(item) = table.get(key) else {
        return Vec::new();
    };
    let span = at.key_span(table, key, fallback);
    let Some(array) = item.as_array() else {
        issues.push(ParseError::new(
            span.start,
            format!("`{key}` must be an array of strings"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for value in array.iter() {
        let value_span = at.span(value.span()).unwrap_or(span);
        match value.as_str() {
            Some(text) => out.push((text.to_string(), value_span)),
            None => issues.push(ParseError::new(
                value_span.start,
                format!("`{key}` must hold strings"),
            )),
        }
    }
    out
}

/// Every dependency table directly in `table` (the root or a target).
fn read_dependency_tables(
    at: &Locator,
    table: &dyn TableLike,
    target: Option<&str>,
    fallback: Span,
    deps: &mut Vec<CargoDependency>,
    issues: &mut Vec<ParseError>,
) {
    for (name, kind) in DEPENDENCY_TABLES {
        let Some(item) = table.get(name) else {
            continue;
        };
        let span = at.key_span(table, name, fallback);
        match item.as_table_like() {
            Some(deps_table) => {
                read_dependencies(at, deps_table, kind, target, span, deps, issues);
            }
            None => issues.push(ParseError::new(
                span.start,
                format!("`{name}` must be a table"),
            )),
        }
    }
}

fn read_dependencies(
    at: &Locator,
    table: &dyn TableLike,
    kind: DependencyKind,
    target: Option<&str>,
    fallback: Span,
    deps: &mut Vec<CargoDependency>,
    issues: &mut Vec<ParseError>,
) {
    for (key, item) in table.iter() {
        let span = at.key_span(table, key, fallback);
        let mut dep = CargoDependency {
            name: key.to_string(),
            key: key.to_string(),
            kind,
            optional: false,
            inherited: false,
            target: target.map(str::to_string),
            span,
        };
        if item.as_str().is_some() {
            deps.push(dep);
            continue;
        }
        let Some(detail) = item.as_table_like() else {
            issues.push(ParseError::new(
                span.start,
                format!("dependency `{key}` must be a version string or a table"),
            ));
            continue;
        };
        if let Some(package) = detail.get("package").and_then(Item::as_str) {
            dep.name = package.to_string();
        }
        dep.optional = detail
            .get("optional")
            .and_then(Item::as_bool)
            .unwrap_or(false);
        dep.inherited = detail
            .get("workspace")
            .and_then(Item::as_bool)
            .unwrap_or(false);
        deps.push(dep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (SourceFile, CargoManifest) {
        let src = SourceFile::new("Cargo.toml", text);
        let manifest = parse(&src).unwrap();
        (src, manifest)
    }

    fn line_of(src: &SourceFile, span: Span) -> u32 {
        src.line(span.start)
    }

    #[test]
    fn every_dependency_form_is_read_with_its_line() {
        let (src, m) = parse_text(
            r#"[package]
name = "api"
edition = "2021"

[dependencies]
serde = "1"
tokio = { version = "1", features = ["full"] }
pg = { package = "tokio-postgres", version = "0.7" }
redis = { version = "0.25", optional = true }
anyhow.workspace = true
thiserror = { workspace = true }

[dependencies.axum]
version = "0.7"

[dev-dependencies]
insta = "1"

[build-dependencies]
cc = "1"
"#,
        );
        assert_eq!(m.package.as_ref().unwrap().name.as_ref().unwrap().0, "api");
        let found: Vec<(&str, &str, DependencyKind, bool, bool, u32)> = m
            .dependencies
            .iter()
            .map(|d| {
                (
                    d.key.as_str(),
                    d.name.as_str(),
                    d.kind,
                    d.optional,
                    d.inherited,
                    line_of(&src, d.span),
                )
            })
            .collect();
        use DependencyKind::*;
        assert_eq!(
            found,
            vec![
                ("serde", "serde", Normal, false, false, 6),
                ("tokio", "tokio", Normal, false, false, 7),
                ("pg", "tokio-postgres", Normal, false, false, 8),
                ("redis", "redis", Normal, true, false, 9),
                ("anyhow", "anyhow", Normal, false, true, 10),
                ("thiserror", "thiserror", Normal, false, true, 11),
                ("axum", "axum", Normal, false, false, 13),
                ("insta", "insta", Dev, false, false, 17),
                ("cc", "cc", Build, false, false, 20),
            ]
        );
        assert!(m.issues.is_empty(), "{:?}", m.issues);
    }

    #[test]
    fn target_specific_tables_keep_their_cfg() {
        let (src, m) = parse_text(
            r#"[package]
name = "x"

[target.'cfg(unix)'.dependencies]
nix = "0.29"

[target.'cfg(windows)'.dev-dependencies]
windows-sys = "0.59"

[target.x86_64-unknown-linux-gnu]
build-dependencies = { pkg-config = "0.3" }
"#,
        );
        let found: Vec<(&str, Option<&str>, DependencyKind, u32)> = m
            .dependencies
            .iter()
            .map(|d| {
                (
                    d.name.as_str(),
                    d.target.as_deref(),
                    d.kind,
                    line_of(&src, d.span),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("nix", Some("cfg(unix)"), DependencyKind::Normal, 5),
                ("windows-sys", Some("cfg(windows)"), DependencyKind::Dev, 8),
                (
                    "pkg-config",
                    Some("x86_64-unknown-linux-gnu"),
                    DependencyKind::Build,
                    11
                ),
            ]
        );
    }

    #[test]
    fn a_virtual_manifest_declares_members_and_dependencies_it_does_not_use() {
        let (src, m) = parse_text(
            r#"[workspace]
resolver = "2"
members = ["crates/*", "tools/gen"]
exclude = ["crates/experimental"]

[workspace.dependencies]
tokio = { version = "1" }
db = { package = "sqlx", version = "0.8" }
"#,
        );
        assert!(m.package.is_none());
        assert!(m.dependencies.is_empty());
        let ws = m.workspace.as_ref().unwrap();
        let members: Vec<&str> = ws.members.iter().map(|(g, _)| g.as_str()).collect();
        assert_eq!(members, ["crates/*", "tools/gen"]);
        assert_eq!(ws.exclude[0].0, "crates/experimental");
        assert_eq!(line_of(&src, ws.members[0].1), 3);
        assert_eq!(m.workspace_dependency("db").unwrap().name, "sqlx");
        assert!(m.workspace_dependency("serde").is_none());
    }

    #[test]
    fn bins_are_counted_in_both_spellings() {
        let (_, m) = parse_text(
            "[package]\nname = \"cli\"\nautobins = false\n\n[[bin]]\nname = \"a\"\n\n[[bin]]\nname = \"b\"\n",
        );
        assert_eq!(m.bins.len(), 2);
        assert!(!m.package.unwrap().autobins);
        let (_, m) = parse_text("bin = [{ name = \"a\", path = \"a.rs\" }]\n");
        assert_eq!(m.bins.len(), 1);
    }

    #[test]
    fn a_syntax_error_points_at_its_line_and_column() {
        let src = SourceFile::new(
            "Cargo.toml",
            "[package]\nname = \"x\"\n\n[dependencies]\nserde = { version = \"1\"\n",
        );
        let err = parse(&src).unwrap_err();
        let problem = err.to_problem(&src);
        assert_eq!(problem.line, 5, "{problem:?}");
        assert!(!problem.message.contains('\n'), "{}", problem.message);
    }

    #[test]
    fn a_duplicate_key_is_an_error_at_the_second_key() {
        let src = SourceFile::new(
            "Cargo.toml",
            "[dependencies]\nserde = \"1\"\nserde = \"2\"\n",
        );
        let err = parse(&src).unwrap_err();
        assert_eq!(err.to_problem(&src).line, 3);
    }

    #[test]
    fn positions_account_for_a_byte_order_mark() {
        let (src, m) = parse_text("\u{feff}[dependencies]\nserde = \"1\"\n");
        assert_eq!(src.slice(m.dependencies[0].span), "serde");
        let src = SourceFile::new("Cargo.toml", "\u{feff}[dependencies\n");
        let problem = parse(&src).unwrap_err().to_problem(&src);
        assert_eq!(problem.line, 1);
        assert!(problem.column > 1);
    }

    #[test]
    fn values_of_the_wrong_shape_are_issues_not_failures() {
        let (src, m) = parse_text(
            "[package]\nname = \"x\"\n\n[dependencies]\nserde = 1\ntokio = \"1\"\n\n[workspace]\nmembers = \"crates/*\"\n",
        );
        assert_eq!(m.dependencies.len(), 1);
        assert_eq!(m.dependencies[0].name, "tokio");
        let lines: Vec<u32> = m.issues.iter().map(|i| src.line(i.offset)).collect();
        assert_eq!(lines, [5, 9]);
        let (_, m) = parse_text("dependencies = [\"serde\"]\ntarget = 3\n");
        assert_eq!(m.issues.len(), 2);
    }

    #[test]
    fn an_empty_file_is_an_empty_manifest() {
        let (_, m) = parse_text("");
        assert_eq!(m, CargoManifest::default());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}", "[".repeat(100_000));
        assert!(parse(&SourceFile::new("Cargo.toml", text)).is_err());
        let text = format!("a = {}", "{ b = ".repeat(100_000));
        assert!(parse(&SourceFile::new("Cargo.toml", text)).is_err());
    }

    #[test]
    fn every_prefix_of_a_manifest_parses_without_panicking() {
        let text = "\u{feff}[package]\nname = \"é\"\n[dependencies]\nx = { package = \"y\", optional = true }\n[target.'cfg(unix)'.dev-dependencies]\nz.workspace = true\n[[bin]]\nname = \"b\"\n";
        for (end, _) in text.char_indices() {
            let _ = parse(&SourceFile::new("Cargo.toml", &text[..end]));
        }
    }
}
