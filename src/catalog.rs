//! The technology catalog: what each technology looks like, as data.
//!
//! Built-in entries live in `rules/technologies/<category>.toml` and are embedded
//! in the binary. Each entry names the technology's packages per ecosystem
//! (exact names, or patterns with `*`), docker images, marker files, env-var
//! prefixes, URL schemes, IaC resource types and engine names. Detectors ask the
//! catalog "what is this package / image / file?"; no technology is named in code.

use std::collections::{BTreeMap, HashMap};

use globset::GlobBuilder;
use rayon::prelude::*;
use serde::Deserialize;

use crate::error::FileError;
use crate::model::Ecosystem;

mod markers;
mod patterns;

use patterns::PatternSet;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Every file under `rules/`, as embedded at build time.
pub fn embedded_rule_files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// The JSON form of an embedded rule file (path relative to `rules/`), when
/// it converted at build time.
pub fn embedded_rule_json(path: &str) -> Option<&'static str> {
    embedded::RULE_FILES_JSON
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, json)| *json)
}

/// The categories a technology may have: those of the public contract
/// (`shared/spec/TECHNOLOGIES.md`) and a few more that help classify components.
pub const CATEGORIES: &[&str] = &[
    "language",
    "framework",
    "database",
    "cache",
    "queue",
    "job-queue",
    "search",
    "orm",
    "migrations",
    "logging",
    "metrics",
    "tracing",
    "apm",
    "error-tracking",
    "health",
    "ai",
    "auth",
    "cloud",
    "container",
    "orchestration",
    "proxy",
    "app-server",
    "iac",
    "serverless",
    "ci",
    "testing",
    "lint",
    "security-scan",
    "dependency-updates",
    "api",
    "load-testing",
    // Beyond the contract: these let components be classified and read better.
    "frontend",
    "cli",
    "storage",
    "secrets",
    "feature-flags",
    "payments",
    "email",
    "realtime",
    "monorepo",
    "build",
];

/// One catalog file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    category: String,
    #[serde(default)]
    technology: Vec<TechnologyDef>,
}

/// One technology as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnologyDef {
    pub id: String,
    pub name: String,
    #[serde(skip)]
    pub category: String,
    /// Package names or patterns per ecosystem key (`npm`, `pypi`, `cargo`, `go`,
    /// `maven`, `rubygems`, `composer`, `nuget`, `hex`).
    #[serde(default)]
    pub packages: BTreeMap<String, Vec<String>>,
    /// Docker image names (no tag), patterns allowed: `postgres`, `bitnami/postgresql`.
    #[serde(default)]
    pub images: Vec<String>,
    /// Marker files: a glob on the file name, or on the path when it has a `/`.
    #[serde(default)]
    pub files: Vec<String>,
    /// Environment variable name prefixes (`OTEL_`, `SENTRY_DSN`).
    #[serde(default)]
    pub env: Vec<String>,
    /// Connection URL schemes (`postgres`, `postgresql`, `jdbc:postgresql`).
    #[serde(default)]
    pub urls: Vec<String>,
    /// Database engine names as IaC spells them (`postgres`, `aurora-postgresql`).
    #[serde(default)]
    pub engines: Vec<String>,
    /// Terraform resource types (`aws_dynamodb_table`, `aws_elasticache_*`).
    #[serde(default)]
    pub terraform: Vec<String>,
    /// Terraform provider names (`aws`, `google`, `azurerm`).
    #[serde(default)]
    pub terraform_providers: Vec<String>,
    /// CloudFormation / SAM resource types (`AWS::DynamoDB::Table`).
    #[serde(default)]
    pub cloudformation: Vec<String>,
    /// Helm chart dependency names (`postgresql`, `redis`).
    #[serde(default)]
    pub helm_charts: Vec<String>,
    /// File extensions of a language, without the dot.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Technologies that come with this one (`django` brings `django-orm`).
    #[serde(default)]
    pub implies: Vec<String>,
}

/// Index of a technology in [`Catalog::technologies`].
pub type TechId = usize;

/// The loaded catalog with its lookup indexes.
#[derive(Debug)]
pub struct Catalog {
    technologies: Vec<TechnologyDef>,
    by_id: HashMap<String, TechId>,
    packages: HashMap<Ecosystem, PatternSet>,
    images: PatternSet,
    markers: markers::MarkerIndex,
    env: Vec<(String, TechId)>,
    urls: HashMap<String, TechId>,
    engines: PatternSet,
    terraform: PatternSet,
    terraform_providers: PatternSet,
    cloudformation: PatternSet,
    helm_charts: PatternSet,
    extensions: HashMap<String, TechId>,
}

impl Catalog {
    /// The built-in catalog. It is checked by tests, so failing here is a bug.
    pub fn builtin() -> Result<Self, Box<FileError>> {
        let files: Vec<(String, String, Option<&'static str>)> = embedded_rule_files()
            .iter()
            .filter(|(path, _)| path.starts_with("technologies/"))
            .map(|(path, text)| {
                (
                    format!("rules/{path}"),
                    (*text).to_string(),
                    embedded_rule_json(path),
                )
            })
            .collect();
        Self::load(files)
    }

    /// Loads catalog files given as (display path, text).
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, Box<FileError>> {
        Self::load(
            files
                .into_iter()
                .map(|(path, text)| (path, text, None))
                .collect(),
        )
    }

    /// Loads catalog files given as (display path, TOML text, the same as JSON
    /// when known): JSON is read when given, TOML otherwise (and for messages).
    fn load(files: Vec<(String, String, Option<&str>)>) -> Result<Self, Box<FileError>> {
        let mut technologies: Vec<TechnologyDef> = Vec::new();
        let mut by_id: HashMap<String, TechId> = HashMap::new();
        // Parsing is most of the load time: parse the files in parallel, then
        // check and index them in their given order.
        let parsed: Vec<Result<CatalogFile, Box<FileError>>> = files
            .par_iter()
            .map(|(path, text, json)| {
                if let Some(json) = json
                    && let Ok(file) = serde_json::from_str::<CatalogFile>(json)
                {
                    return Ok(file);
                }
                toml_edit::de::from_str(text).map_err(|e| {
                    Box::new(
                        FileError::new(path, text, e.span(), e.message().to_string())
                            .with_help("see the other files in rules/technologies/ for the format"),
                    )
                })
            })
            .collect();
        for ((path, text, _), file) in files.into_iter().zip(parsed) {
            let file: CatalogFile = file?;
            if !CATEGORIES.contains(&file.category.as_str()) {
                return Err(Box::new(
                    FileError::new(
                        &path,
                        &text,
                        find_span(&text, &file.category),
                        format!("unknown category `{}`", file.category),
                    )
                    .with_help(format!("valid categories: {}", CATEGORIES.join(", "))),
                ));
            }
            for mut tech in file.technology {
                tech.category = file.category.clone();
                let id_ok = !tech.id.is_empty()
                    && tech
                        .id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !id_ok {
                    return Err(Box::new(FileError::new(
                        &path,
                        &text,
                        find_span(&text, &format!("\"{}\"", tech.id)),
                        format!("technology id `{}` is not lowercase kebab-case", tech.id),
                    )));
                }
                for key in tech.packages.keys() {
                    if ecosystem_for_key(key).is_none() {
                        return Err(Box::new(FileError::new(
                            &path,
                            &text,
                            find_span(&text, key),
                            format!("unknown package ecosystem `{key}` in `{}`", tech.id),
                        )
                        .with_help(
                            "valid keys: npm, pypi, cargo, go, maven, rubygems, composer, nuget, hex",
                        )));
                    }
                }
                if by_id.contains_key(&tech.id) {
                    return Err(Box::new(FileError::new(
                        &path,
                        &text,
                        find_span(&text, &format!("\"{}\"", tech.id)),
                        format!("technology id `{}` is defined twice", tech.id),
                    )));
                }
                by_id.insert(tech.id.clone(), technologies.len());
                technologies.push(tech);
            }
        }
        for tech in &technologies {
            for implied in &tech.implies {
                if !by_id.contains_key(implied) {
                    let message = format!("`{}` implies unknown technology `{implied}`", tech.id);
                    return Err(Box::new(FileError::new(
                        "rules/technologies",
                        "",
                        None,
                        message,
                    )));
                }
            }
        }
        Self::index(technologies, by_id)
    }

    fn index(
        technologies: Vec<TechnologyDef>,
        by_id: HashMap<String, TechId>,
    ) -> Result<Self, Box<FileError>> {
        let mut packages: HashMap<Ecosystem, PatternSet> = HashMap::new();
        let mut images = PatternSet::default();
        let mut marker_patterns: Vec<(String, TechId)> = Vec::new();
        let mut env = Vec::new();
        let mut urls = HashMap::new();
        let mut engines = PatternSet::default();
        let mut terraform = PatternSet::default();
        let mut terraform_providers = PatternSet::default();
        let mut cloudformation = PatternSet::default();
        let mut helm_charts = PatternSet::default();
        let mut extensions = HashMap::new();

        for (idx, tech) in technologies.iter().enumerate() {
            for (key, list) in &tech.packages {
                let Some(eco) = ecosystem_for_key(key) else {
                    continue;
                };
                let set = packages.entry(eco).or_default();
                for name in list {
                    set.insert(eco.normalize_package(name), idx);
                }
            }
            for image in &tech.images {
                images.insert(image.to_ascii_lowercase(), idx);
            }
            for pattern in &tech.files {
                // Checked here so that the error names the technology.
                GlobBuilder::new(pattern).build().map_err(|e| {
                    Box::new(FileError::new(
                        format!("rules/technologies/{}.toml", tech.category),
                        "",
                        None,
                        format!("bad file pattern `{pattern}` in `{}`: {e}", tech.id),
                    ))
                })?;
                marker_patterns.push((pattern.clone(), idx));
            }
            for prefix in &tech.env {
                env.push((prefix.clone(), idx));
            }
            for scheme in &tech.urls {
                urls.insert(scheme.to_ascii_lowercase(), idx);
            }
            for engine in &tech.engines {
                engines.insert(engine.to_ascii_lowercase(), idx);
            }
            for ty in &tech.terraform {
                terraform.insert(ty.clone(), idx);
            }
            for provider in &tech.terraform_providers {
                terraform_providers.insert(provider.clone(), idx);
            }
            for ty in &tech.cloudformation {
                cloudformation.insert(ty.clone(), idx);
            }
            for chart in &tech.helm_charts {
                helm_charts.insert(chart.clone(), idx);
            }
            for ext in &tech.extensions {
                extensions.insert(ext.to_ascii_lowercase(), idx);
            }
        }
        // Longest prefix first, so `SENTRY_DSN` wins over a shorter, vaguer prefix.
        env.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));

        let markers = markers::MarkerIndex::build(&marker_patterns)
            .map_err(|e| Box::new(FileError::new("rules/technologies", "", None, e)))?;
        Ok(Self {
            technologies,
            by_id,
            packages,
            images,
            markers,
            env,
            urls,
            engines,
            terraform,
            terraform_providers,
            cloudformation,
            helm_charts,
            extensions,
        })
    }

    pub fn technologies(&self) -> &[TechnologyDef] {
        &self.technologies
    }

    pub fn get(&self, tech: TechId) -> &TechnologyDef {
        &self.technologies[tech]
    }

    pub fn id_of(&self, id: &str) -> Option<TechId> {
        self.by_id.get(id).copied()
    }

    /// Technologies a package of `ecosystem` belongs to.
    pub fn match_package(&self, ecosystem: Ecosystem, name: &str) -> Vec<TechId> {
        self.packages
            .get(&ecosystem)
            .map(|set| set.matches(&ecosystem.normalize_package(name)))
            .unwrap_or_default()
    }

    /// Technologies a docker image reference belongs to (tag and digest ignored).
    pub fn match_image(&self, reference: &str) -> Vec<TechId> {
        let name = image_name(reference);
        let mut found = self.images.matches(&name);
        // `ghcr.io/acme/postgres` is not postgres, but `bitnami/redis` style
        // names are listed explicitly in the catalog; also try without the
        // registry host so `docker.io/bitnami/redis` matches `bitnami/redis`.
        if found.is_empty()
            && let Some((host, rest)) = name.split_once('/')
            && (host.contains('.') || host.contains(':') || host == "localhost")
        {
            found = self.images.matches(rest);
        }
        found
    }

    /// Technologies a marker file announces. `path` is relative to the root.
    pub fn match_file(&self, path: &str) -> Vec<TechId> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut out = Vec::new();
        self.match_file_into(path, name, &mut Vec::new(), &mut out);
        out
    }

    /// [`Catalog::match_file`] for the walk's hot loop: `name` is the path's
    /// file name, `scratch` a buffer to reuse, and matches are appended to `out`.
    pub fn match_file_into(
        &self,
        path: &str,
        name: &str,
        scratch: &mut Vec<usize>,
        out: &mut Vec<TechId>,
    ) {
        self.markers.match_into(path, name, scratch, out);
    }

    /// The technology an environment variable name points at, by prefix.
    pub fn match_env(&self, var: &str) -> Option<TechId> {
        self.env
            .iter()
            .find(|(prefix, _)| var.starts_with(prefix.as_str()))
            .map(|(_, tech)| *tech)
    }

    /// The technology of a connection URL, by scheme (`postgres://`, `jdbc:mysql://`,
    /// `sqlite:`), if the catalog knows the scheme.
    pub fn match_url(&self, url: &str) -> Option<TechId> {
        let url = url.trim();
        let lower = url.to_ascii_lowercase();
        let scheme_end = lower.find("://").or_else(|| {
            // `sqlite:app.db`, `jdbc:h2:mem:test`: no `//`. For JDBC the
            // sub-protocol is the part after `jdbc:`.
            match lower.strip_prefix("jdbc:") {
                Some(rest) => rest.find(':').map(|i| i + 5),
                None => lower.find(':'),
            }
        })?;
        let scheme = &lower[..scheme_end];
        if let Some(tech) = self.urls.get(scheme) {
            return Some(*tech);
        }
        // `jdbc:postgresql://`, `postgresql+asyncpg://`, `mongodb+srv://`.
        if let Some(rest) = scheme.strip_prefix("jdbc:") {
            let sub = rest.split(':').next().unwrap_or(rest);
            return self
                .urls
                .get(&format!("jdbc:{sub}"))
                .or_else(|| self.urls.get(sub))
                .copied();
        }
        let base = scheme.split('+').next().unwrap_or(scheme);
        self.urls.get(base).copied()
    }

    pub fn match_engine(&self, engine: &str) -> Vec<TechId> {
        self.engines.matches(&engine.to_ascii_lowercase())
    }

    pub fn match_terraform_resource(&self, resource_type: &str) -> Vec<TechId> {
        self.terraform.matches(resource_type)
    }

    pub fn match_terraform_provider(&self, provider: &str) -> Vec<TechId> {
        self.terraform_providers.matches(provider)
    }

    pub fn match_cloudformation(&self, resource_type: &str) -> Vec<TechId> {
        self.cloudformation.matches(resource_type)
    }

    pub fn match_helm_chart(&self, chart: &str) -> Vec<TechId> {
        self.helm_charts.matches(chart)
    }

    /// The language a file extension (without the dot) belongs to.
    pub fn language_of_extension(&self, ext: &str) -> Option<TechId> {
        if let Some(t) = self.extensions.get(ext) {
            return Some(*t);
        }
        if ext.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.extensions.get(&ext.to_ascii_lowercase()).copied();
        }
        None
    }
}

/// The image name of a reference: no tag, no digest, lowercase, and without the
/// implicit `docker.io/library/` prefix.
pub fn image_name(reference: &str) -> String {
    let reference = reference.trim();
    let without_digest = reference.split('@').next().unwrap_or(reference);
    // A tag is after the last `:` that follows the last `/` (a registry port
    // comes before a `/`).
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let name = match without_digest[last_slash..].find(':') {
        Some(i) => &without_digest[..last_slash + i],
        None => without_digest,
    };
    let mut name = name.to_ascii_lowercase();
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            name = rest.to_string();
        }
    }
    if let Some(rest) = name.strip_prefix("library/") {
        name = rest.to_string();
    }
    name
}

fn ecosystem_for_key(key: &str) -> Option<Ecosystem> {
    Ecosystem::ALL.into_iter().find(|e| e.catalog_key() == key)
}

fn find_span(text: &str, needle: &str) -> Option<std::ops::Range<usize>> {
    text.find(needle).map(|i| i..i + needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_drop_tags_digests_and_default_registry() {
        assert_eq!(image_name("postgres:16-alpine"), "postgres");
        assert_eq!(image_name("docker.io/library/redis:7"), "redis");
        assert_eq!(
            image_name("localhost:5000/acme/api:1.2"),
            "localhost:5000/acme/api"
        );
        assert_eq!(image_name("bitnami/redis@sha256:abc"), "bitnami/redis");
        assert_eq!(
            image_name("Mcr.Microsoft.com/mssql/server:2022-latest"),
            "mcr.microsoft.com/mssql/server"
        );
    }

    #[test]
    fn catalog_errors_point_into_the_file() {
        let text = "category = \"database\"\n[[technology]]\nid = \"x\"\nname = \"X\"\nbogus = 1\n";
        let err = Catalog::from_files([("t.toml".to_string(), text.to_string())]).unwrap_err();
        assert!(err.message.contains("bogus"), "{}", err.message);
        assert_eq!(err.line(), Some(5));
    }

    #[test]
    fn unknown_categories_are_rejected() {
        let text = "category = \"databse\"\n";
        let err = Catalog::from_files([("t.toml".to_string(), text.to_string())]).unwrap_err();
        assert!(err.message.contains("unknown category"));
    }

    #[test]
    fn urls_match_by_scheme() {
        let text = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
urls = ["postgres", "postgresql", "jdbc:postgresql"]
[[technology]]
id = "mongodb"
name = "MongoDB"
urls = ["mongodb"]
[[technology]]
id = "sqlite"
name = "SQLite"
urls = ["sqlite"]
"#;
        let catalog = Catalog::from_files([("t.toml".to_string(), text.to_string())]).unwrap();
        let id = |url: &str| catalog.match_url(url).map(|t| catalog.get(t).id.clone());
        assert_eq!(
            id("postgres://u:p@db:5432/app").as_deref(),
            Some("postgresql")
        );
        assert_eq!(
            id("postgresql+asyncpg://db/app").as_deref(),
            Some("postgresql")
        );
        assert_eq!(
            id("jdbc:postgresql://db:5432/app").as_deref(),
            Some("postgresql")
        );
        assert_eq!(
            id("mongodb+srv://cluster0.example.net").as_deref(),
            Some("mongodb")
        );
        assert_eq!(id("sqlite:///data/app.db").as_deref(), Some("sqlite"));
        assert_eq!(id("https://example.com"), None);
    }
}
