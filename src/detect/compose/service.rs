//! One compose service entry, read into a [`ServiceDraft`]: what the entry
//! itself writes, with every path resolved against the compose file's
//! directory and every value's file and line kept. Following `env_file` and
//! `extends` needs other files and is left to the caller (`super`).

use super::fields::{
    build, dedup_in_order, env_file_refs, environment, extends, health_check, ports,
};
use std::collections::HashSet;

use super::interpolate::interpolate;
use crate::detect::{EnvFact, ServiceFact, parent_dir};
use crate::model::ServiceOrigin;
use crate::parse::yaml::Node;
use crate::source::SourceFile;

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub path: String,
    pub line: u32,
}

/// An environment variable and where it is set (the compose file, or the
/// env file or base file it came from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub name: String,
    pub value: Option<String>,
    pub path: String,
    pub line: u32,
}

/// `build:` with its paths resolved, root-relative.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Build {
    /// `None` when the context is remote (a git URL) or outside the root.
    pub context: Option<String>,
    /// An explicit `dockerfile:` (resolved against the context).
    pub dockerfile: Option<String>,
}

/// An `env_file:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileRef {
    /// As written in the compose file.
    pub written: String,
    /// Root-relative path, `None` if it leaves the root.
    pub resolved: Option<String>,
    pub line: u32,
}

/// An `extends:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendsRef {
    pub service: String,
    /// `file:` as written (after interpolation); `None` for the same file.
    pub file: Option<String>,
    /// Line of the `extends` key, and of the `file` value.
    pub line: u32,
    pub file_line: u32,
}

/// A service while it is being read and merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDraft {
    pub name: String,
    pub path: String,
    pub line: u32,
    pub image: Option<Located<String>>,
    pub build: Option<Build>,
    pub depends_on: Vec<String>,
    /// `environment:` entries, in file order.
    pub environment: Vec<EnvEntry>,
    pub env_files: Vec<EnvFileRef>,
    /// Variables read from the env files (filled in by the caller).
    pub env_file_vars: Vec<EnvEntry>,
    pub health_check: Option<bool>,
    pub replicas: Option<u32>,
    pub ports: Vec<String>,
    pub profiles: Vec<String>,
    pub extends: Option<ExtendsRef>,
}

/// Read the service `name` whose key is at `key_line` of `src`.
pub fn read(src: &SourceFile, name: &str, key_line: u32, node: &Node) -> ServiceDraft {
    let dir = parent_dir(&src.path);
    let line = |n: &Node| src.line(n.span.start);
    let text = |n: &Node| n.as_str().map(interpolate).filter(|s| !s.is_empty());

    let image = node.get("image").and_then(|n| {
        text(n).map(|value| Located {
            value,
            path: src.path.clone(),
            line: line(n),
        })
    });

    let mut depends_on: Vec<String> = Vec::new();
    if let Some(deps) = node.get("depends_on") {
        // List form `[db]`, or map form `{db: {condition: service_healthy}}`.
        let names: Vec<&str> = if deps.is_map() {
            deps.entries()
                .iter()
                .filter_map(|(k, _)| k.as_str())
                .collect()
        } else {
            deps.strings().into_iter().map(|(s, _)| s).collect()
        };
        depends_on.extend(names.into_iter().map(str::to_string));
    }
    for (link, _) in node.get("links").map(Node::strings).unwrap_or_default() {
        let target = link.split(':').next().unwrap_or(link);
        depends_on.push(target.to_string());
    }
    dedup_in_order(&mut depends_on);

    let env_files = node
        .get("env_file")
        .map(|n| env_file_refs(n, dir, &line))
        .unwrap_or_default();

    ServiceDraft {
        name: name.to_string(),
        path: src.path.clone(),
        line: key_line,
        image,
        build: node.get("build").and_then(|b| build(b, dir)),
        depends_on,
        environment: node
            .get("environment")
            .map(|n| environment(n, &src.path, &line))
            .unwrap_or_default(),
        env_files,
        env_file_vars: Vec::new(),
        health_check: node.get("healthcheck").and_then(health_check),
        replicas: node
            .path(&["deploy", "replicas"])
            .or_else(|| node.get("scale"))
            .and_then(|n| n.as_str())
            .and_then(|s| interpolate(s).trim().parse().ok()),
        ports: node.get("ports").map(ports).unwrap_or_default(),
        profiles: node
            .get("profiles")
            .map(Node::owned_strings)
            .unwrap_or_default(),
        extends: node
            .entry("extends")
            .and_then(|(k, v)| extends(k, v, &line)),
    }
}

impl ServiceDraft {
    /// Take from `base` what this service does not set itself: image, build,
    /// health check, and the variables and ports it does not override.
    pub fn merge_base(&mut self, base: ServiceDraft) {
        if self.image.is_none() {
            self.image = base.image;
        }
        if self.build.is_none() {
            self.build = base.build;
        }
        if self.health_check.is_none() {
            self.health_check = base.health_check;
        }
        self.environment = merge_env(base.environment, std::mem::take(&mut self.environment));
        self.env_file_vars = merge_env(base.env_file_vars, std::mem::take(&mut self.env_file_vars));
        let mut env_files = base.env_files;
        env_files.append(&mut self.env_files);
        self.env_files = env_files;
        let mut ports = base.ports;
        ports.append(&mut self.ports);
        dedup_in_order(&mut ports);
        self.ports = ports;
    }

    /// How many entries merging this draft into another copies: what the
    /// caller's work budget counts.
    pub fn size(&self) -> usize {
        self.environment.len() + self.env_file_vars.len() + self.env_files.len() + self.ports.len()
    }

    /// The fact this draft is. `dockerfile_default` gives the Dockerfile a
    /// build context uses when `dockerfile:` is not written (if it exists).
    pub fn into_fact(self, dockerfile_default: impl Fn(&str) -> Option<String>) -> ServiceFact {
        let mut fact = ServiceFact::new(ServiceOrigin::Compose, &self.name, &self.path, self.line);
        fact.image = self.image.map(|i| i.value);
        if let Some(build) = self.build {
            fact.dockerfile = build
                .dockerfile
                .or_else(|| build.context.as_deref().and_then(dockerfile_default));
            fact.build_context = build.context;
        }
        fact.depends_on = self.depends_on;
        fact.env = merge_env(self.env_file_vars, self.environment)
            .into_iter()
            .map(|e| EnvFact {
                name: e.name,
                value: e.value,
                line: e.line,
            })
            .collect();
        fact.env_files = self.env_files.into_iter().map(|f| f.written).collect();
        fact.health_check = self.health_check;
        fact.replicas = self.replicas;
        fact.ports = self.ports;
        fact.profiles = self.profiles;
        fact
    }

    /// Every variable the service gets, `environment` over `env_file`.
    pub fn env(&self) -> Vec<EnvEntry> {
        merge_env(self.env_file_vars.clone(), self.environment.clone())
    }
}

/// `base` entries not overridden by `over`, then `over`'s.
pub fn merge_env(base: Vec<EnvEntry>, over: Vec<EnvEntry>) -> Vec<EnvEntry> {
    let overridden: HashSet<&str> = over.iter().map(|o| o.name.as_str()).collect();
    let mut out: Vec<EnvEntry> = base
        .into_iter()
        .filter(|b| !overridden.contains(b.name.as_str()))
        .collect();
    out.extend(over);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn draft(path: &str, text: &str) -> ServiceDraft {
        let src = SourceFile::new(path, text);
        let doc = yaml::parse(&src).unwrap().remove(0);
        let (key, node) = &doc.entries()[0];
        read(&src, key.as_str().unwrap(), src.line(key.span.start), node)
    }

    fn env(d: &ServiceDraft) -> Vec<(String, Option<String>, u32)> {
        d.env()
            .into_iter()
            .map(|e| (e.name, e.value, e.line))
            .collect()
    }

    #[test]
    fn both_environment_forms() {
        let list = draft(
            "docker-compose.yml",
            "api:\n  environment:\n    - PORT=8080\n    - FROM_SHELL\n    - EMPTY=\n    - URL=postgres://db/${DB:-app}\n",
        );
        assert_eq!(
            env(&list),
            vec![
                ("PORT".into(), Some("8080".into()), 3),
                ("FROM_SHELL".into(), None, 4),
                ("EMPTY".into(), Some(String::new()), 5),
                ("URL".into(), Some("postgres://db/app".into()), 6),
            ]
        );
        let map = draft(
            "docker-compose.yml",
            "api:\n  environment:\n    PORT: 8080\n    DEBUG: true\n    UNSET:\n    NAME: \"a b\"\n",
        );
        assert_eq!(
            env(&map),
            vec![
                ("PORT".into(), Some("8080".into()), 3),
                ("DEBUG".into(), Some("true".into()), 4),
                ("UNSET".into(), None, 5),
                ("NAME".into(), Some("a b".into()), 6),
            ]
        );
    }

    #[test]
    fn image_is_interpolated() {
        let d = draft("c.yml", "db:\n  image: \"postgres:${PG:-16}-alpine\"\n");
        assert_eq!(d.image.unwrap().value, "postgres:16-alpine");
        let d = draft("c.yml", "api:\n  image: ghcr.io/acme/api:${TAG}\n");
        assert_eq!(d.image.unwrap().value, "ghcr.io/acme/api:${TAG}");
    }

    #[test]
    fn depends_on_and_links() {
        let d = draft(
            "c.yml",
            "api:\n  depends_on:\n    db:\n      condition: service_healthy\n    cache:\n  links: [\"db:database\", queue]\n",
        );
        assert_eq!(d.depends_on, ["db", "cache", "queue"]);
        let d = draft("c.yml", "api:\n  depends_on: [db, cache]\n");
        assert_eq!(d.depends_on, ["db", "cache"]);
    }

    #[test]
    fn replicas_profiles_and_env_files() {
        let d = draft(
            "app/compose.yml",
            "w:\n  deploy: {replicas: 3}\n  profiles: [debug, tools]\n  env_file:\n    - .env\n    - path: ./config/local.env\n      required: false\n",
        );
        assert_eq!(d.replicas, Some(3));
        assert_eq!(d.profiles, ["debug", "tools"]);
        let files: Vec<(&str, Option<&str>)> = d
            .env_files
            .iter()
            .map(|f| (f.written.as_str(), f.resolved.as_deref()))
            .collect();
        assert_eq!(
            files,
            [
                (".env", Some("app/.env")),
                ("./config/local.env", Some("app/config/local.env"))
            ]
        );
        assert_eq!(draft("c.yml", "w:\n  scale: 2\n").replicas, Some(2));
        assert_eq!(draft("c.yml", "w:\n  env_file: a.env\n").env_files.len(), 1);
    }

    #[test]
    fn extending_service_wins_over_its_base() {
        let mut child = draft(
            "c.yml",
            "api:\n  extends: {service: base, file: base.yml}\n  environment: {A: child}\n  ports: [\"80\"]\n",
        );
        let base = draft(
            "base.yml",
            "base:\n  image: node:20\n  environment: {A: base, B: base}\n  ports: [\"80\", \"90\"]\n  healthcheck: {test: [CMD, true]}\n",
        );
        let ext = child.extends.clone().unwrap();
        assert_eq!(
            (ext.service.as_str(), ext.file.as_deref(), ext.line),
            ("base", Some("base.yml"), 2)
        );
        child.merge_base(base);
        assert_eq!(child.image.as_ref().unwrap().value, "node:20");
        assert_eq!(child.image.as_ref().unwrap().path, "base.yml");
        assert_eq!(child.health_check, Some(true));
        assert_eq!(child.ports, ["80", "90"]);
        let env: Vec<(String, Option<String>, String)> = child
            .env()
            .into_iter()
            .map(|e| (e.name, e.value, e.path))
            .collect();
        assert_eq!(
            env,
            vec![
                ("B".into(), Some("base".into()), "base.yml".into()),
                ("A".into(), Some("child".into()), "c.yml".into()),
            ]
        );
    }
}
