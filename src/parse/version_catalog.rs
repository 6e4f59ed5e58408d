//! Gradle version catalogs (`gradle/libs.versions.toml`): the libraries,
//! bundles and plugins a build script reaches through accessors such as
//! `libs.spring.boot.starter.web`. Versions are not kept: stacklint names
//! dependencies by coordinate only.

use std::collections::HashMap;

use toml_edit::{Document, Item, TableLike};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogLibrary {
    /// The alias as written (`spring-boot-starter-web`).
    pub alias: String,
    pub group: String,
    pub name: String,
    /// The span of the alias.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogBundle {
    pub alias: String,
    /// Aliases of the libraries in the bundle, as written.
    pub libraries: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogPlugin {
    pub alias: String,
    pub id: String,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionCatalog {
    pub libraries: Vec<CatalogLibrary>,
    pub bundles: Vec<CatalogBundle>,
    pub plugins: Vec<CatalogPlugin>,
    /// Entries Gradle would refuse (a library without a module, a bundle that
    /// is not a list); the rest of the catalog is still usable.
    pub invalid: Vec<ParseError>,
    /// Accessor key → index, so that lookups stay cheap on huge catalogs.
    library_index: HashMap<String, usize>,
    bundle_index: HashMap<String, usize>,
    plugin_index: HashMap<String, usize>,
}

impl VersionCatalog {
    /// The library an accessor path (`spring.boot.starter.web`) reaches.
    pub fn library(&self, accessor: &str) -> Option<&CatalogLibrary> {
        self.libraries.get(*self.library_index.get(accessor)?)
    }

    /// The bundle `libs.bundles.<accessor>` reaches.
    pub fn bundle(&self, accessor: &str) -> Option<&CatalogBundle> {
        self.bundles.get(*self.bundle_index.get(accessor)?)
    }

    /// The plugin `libs.plugins.<accessor>` reaches.
    pub fn plugin(&self, accessor: &str) -> Option<&CatalogPlugin> {
        self.plugins.get(*self.plugin_index.get(accessor)?)
    }

    fn index(&mut self) {
        fn build<'a>(aliases: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
            let mut index = HashMap::new();
            for (i, alias) in aliases.enumerate() {
                // Two aliases with one accessor: Gradle refuses the catalog;
                // the first one is kept here.
                index.entry(accessor_key(alias)).or_insert(i);
            }
            index
        }
        self.library_index = build(self.libraries.iter().map(|l| l.alias.as_str()));
        self.bundle_index = build(self.bundles.iter().map(|b| b.alias.as_str()));
        self.plugin_index = build(self.plugins.iter().map(|p| p.alias.as_str()));
    }
}

/// The accessor path of an alias: Gradle turns `-`, `_` and `.` into
/// segments, so `spring-boot_starter.web` is reached as `spring.boot.starter.web`.
pub fn accessor_key(alias: &str) -> String {
    alias.replace(['-', '_'], ".")
}

/// The catalog name of a catalog file: `libs.versions.toml` is `libs`.
pub fn catalog_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".versions.toml").unwrap_or(file)
}

pub fn parse(src: &SourceFile) -> Result<VersionCatalog, ParseError> {
    let base = src.body_offset();
    let doc = Document::parse(src.body()).map_err(|err| {
        ParseError::new(
            base + err.span().map_or(0, |s| s.start),
            err.message().trim().to_string(),
        )
    })?;
    let mut out = VersionCatalog::default();
    let span_of = |item: &Item| -> Span {
        item.span()
            .map_or(Span::at(base), |s| Span::new(base + s.start, base + s.end))
    };
    if let Some(table) = doc.get("libraries").and_then(Item::as_table_like) {
        for (alias, item) in table.iter() {
            let span = key_span(table, alias, base);
            match library_coordinates(item) {
                Some((group, name)) => out.libraries.push(CatalogLibrary {
                    alias: alias.to_string(),
                    group,
                    name,
                    span,
                }),
                None => out.invalid.push(ParseError::new(
                    span.start,
                    format!(
                        "library '{alias}' has no coordinates: expected \"group:name:version\", \
                         a module or a group and a name"
                    ),
                )),
            }
        }
    }
    if let Some(table) = doc.get("bundles").and_then(Item::as_table_like) {
        for (alias, item) in table.iter() {
            let span = key_span(table, alias, base);
            match item.as_array() {
                Some(array) => out.bundles.push(CatalogBundle {
                    alias: alias.to_string(),
                    libraries: array
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    span,
                }),
                None => out.invalid.push(ParseError::new(
                    span_of(item).start,
                    format!("bundle '{alias}' must be a list of library aliases"),
                )),
            }
        }
    }
    if let Some(table) = doc.get("plugins").and_then(Item::as_table_like) {
        for (alias, item) in table.iter() {
            let span = key_span(table, alias, base);
            match plugin_id(item) {
                Some(id) => out.plugins.push(CatalogPlugin {
                    alias: alias.to_string(),
                    id,
                    span,
                }),
                None => out.invalid.push(ParseError::new(
                    span.start,
                    format!("plugin '{alias}' has no id"),
                )),
            }
        }
    }
    out.index();
    Ok(out)
}

fn key_span(table: &dyn TableLike, key: &str, base: usize) -> Span {
    table
        .get_key_value(key)
        .and_then(|(k, _)| k.span())
        .map_or(Span::at(base), |s| Span::new(base + s.start, base + s.end))
}

/// `"g:a:v"`, `{ module = "g:a" }` or `{ group = "g", name = "a" }`.
fn library_coordinates(item: &Item) -> Option<(String, String)> {
    let split = |module: &str| -> Option<(String, String)> {
        let mut parts = module.split(':');
        let group = parts.next()?.trim();
        let name = parts.next()?.trim();
        (!group.is_empty() && !name.is_empty()).then(|| (group.to_string(), name.to_string()))
    };
    if let Some(text) = item.as_str() {
        return split(text);
    }
    let table = item.as_table_like()?;
    if let Some(module) = table.get("module").and_then(Item::as_str) {
        return split(module);
    }
    let group = table.get("group").and_then(Item::as_str)?.trim();
    let name = table.get("name").and_then(Item::as_str)?.trim();
    (!group.is_empty() && !name.is_empty()).then(|| (group.to_string(), name.to_string()))
}

/// `"id:version"`, `"id"` or `{ id = "..." }`.
fn plugin_id(item: &Item) -> Option<String> {
    let id = match item.as_str() {
        Some(text) => text.split(':').next().unwrap_or(text),
        None => item.as_table_like()?.get("id").and_then(Item::as_str)?,
    };
    let id = id.trim();
    (!id.is_empty()).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"
[versions]
spring-boot = "3.3.1"

[libraries]
spring-boot-starter-web = { module = "org.springframework.boot:spring-boot-starter-web" }
postgresql = "org.postgresql:postgresql:42.7.3"
flyway_core = { group = "org.flywaydb", name = "flyway-core", version.ref = "flyway" }
micrometer-prometheus = { module = "io.micrometer:micrometer-registry-prometheus", version = { strictly = "1.13.0" } }
broken = { version = "1.0" }

[bundles]
observability = ["micrometer-prometheus", "spring-boot-starter-web"]
wrong = "postgresql"

[plugins]
spring-boot = { id = "org.springframework.boot", version.ref = "spring-boot" }
jib = "com.google.cloud.tools.jib:3.4.3"
"#;

    #[test]
    fn every_notation_resolves_to_a_coordinate() {
        let src = SourceFile::new("gradle/libs.versions.toml", CATALOG);
        let catalog = parse(&src).unwrap();
        let coords: Vec<String> = catalog
            .libraries
            .iter()
            .map(|l| format!("{}:{}", l.group, l.name))
            .collect();
        assert_eq!(
            coords,
            [
                "org.springframework.boot:spring-boot-starter-web",
                "org.postgresql:postgresql",
                "org.flywaydb:flyway-core",
                "io.micrometer:micrometer-registry-prometheus",
            ]
        );
        assert_eq!(src.slice(catalog.libraries[1].span), "postgresql");
        assert_eq!(src.line(catalog.libraries[1].span.start), 7);
        assert_eq!(catalog.library("flyway.core").unwrap().name, "flyway-core");
        assert_eq!(
            catalog.bundle("observability").unwrap().libraries,
            ["micrometer-prometheus", "spring-boot-starter-web"]
        );
        assert_eq!(
            catalog.plugin("spring.boot").unwrap().id,
            "org.springframework.boot"
        );
        assert_eq!(
            catalog.plugin("jib").unwrap().id,
            "com.google.cloud.tools.jib"
        );
    }

    #[test]
    fn invalid_entries_are_reported_and_skipped() {
        let src = SourceFile::new("gradle/libs.versions.toml", CATALOG);
        let catalog = parse(&src).unwrap();
        let messages: Vec<(u32, &str)> = catalog
            .invalid
            .iter()
            .map(|e| (src.line(e.offset), e.message.as_str()))
            .collect();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].0, 10);
        assert!(messages[0].1.contains("broken"));
        assert_eq!(messages[1].0, 14);
    }

    #[test]
    fn aliases_fold_separators_and_names_come_from_the_file() {
        assert_eq!(
            accessor_key("spring-boot_starter.web"),
            "spring.boot.starter.web"
        );
        assert_eq!(catalog_name("gradle/deps.versions.toml"), "deps");
    }

    #[test]
    fn section_tables_work_like_inline_tables() {
        let text = "[libraries.kafka]\nmodule = \"org.springframework.kafka:spring-kafka\"\n";
        let src = SourceFile::new("gradle/libs.versions.toml", text);
        let catalog = parse(&src).unwrap();
        assert_eq!(catalog.libraries[0].name, "spring-kafka");
        assert_eq!(src.line(catalog.libraries[0].span.start), 1);
    }

    #[test]
    fn syntax_errors_are_located_after_a_byte_order_mark() {
        let src = SourceFile::new("gradle/libs.versions.toml", "\u{feff}[libraries]\na = \n");
        let err = parse(&src).unwrap_err();
        assert_eq!(src.position(err.offset).line, 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}", "[".repeat(100_000));
        let src = SourceFile::new("gradle/libs.versions.toml", text);
        assert!(parse(&src).is_err());
    }
}
