//! Readers for the values of a compose service's keys: `build`,
//! `environment`, `env_file`, `healthcheck`, `ports` and `extends`, each in
//! the forms the compose specification allows. Paths come out root-relative
//! (resolved against the compose file's directory), strings interpolated.

use super::interpolate::interpolate;
use super::service::{Build, EnvEntry, EnvFileRef, ExtendsRef};
use crate::detect::join_path;
use crate::parse::yaml::Node;

pub fn dedup_in_order(names: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
}

/// `build: ./dir` or `build: {context, dockerfile, ...}`.
pub fn build(node: &Node, dir: &str) -> Option<Build> {
    let (context, dockerfile) = if node.is_map() {
        let context = node
            .get("context")
            .and_then(Node::as_str)
            .map_or_else(|| ".".to_string(), interpolate);
        let dockerfile = node
            .get("dockerfile")
            .and_then(Node::as_str)
            .map(interpolate);
        (context, dockerfile)
    } else {
        (interpolate(node.as_str()?), None)
    };
    if is_remote_context(&context) || is_absolute(&context) {
        return Some(Build::default());
    }
    let context = join_path(dir, &context);
    let dockerfile = match (&context, dockerfile) {
        (Some(context), Some(file)) if !is_absolute(&file) => join_path(context, &file),
        _ => None,
    };
    Some(Build {
        context,
        dockerfile,
    })
}

/// A build context that is a URL or a git reference, as docker reads it.
pub fn is_remote_context(context: &str) -> bool {
    context.contains("://")
        || context.starts_with("git@")
        || context.starts_with("github.com/")
        || context.ends_with(".git")
        || context.contains(".git#")
}

/// A host path: never inside the scanned root.
pub fn is_absolute(path: &str) -> bool {
    path.starts_with('/')
        || path.starts_with('~')
        || path.starts_with('\\')
        || path.as_bytes().get(1) == Some(&b':')
}

/// `environment:` as a list of `KEY=VALUE` / `KEY`, or as a map whose values
/// are strings, numbers, booleans or null.
pub fn environment(node: &Node, path: &str, line: &impl Fn(&Node) -> u32) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    if node.is_map() {
        for (key, value) in node.entries() {
            let Some(name) = key.as_str().filter(|n| !n.is_empty()) else {
                continue;
            };
            out.push(EnvEntry {
                name: name.to_string(),
                value: value.as_str().map(interpolate),
                path: path.to_string(),
                line: line(key),
            });
        }
    } else {
        for item in node.seq() {
            let Some(written) = item.as_str() else {
                continue;
            };
            let (name, value) = match written.split_once('=') {
                Some((name, value)) => (name, Some(interpolate(value))),
                None => (written, None),
            };
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            out.push(EnvEntry {
                name: name.to_string(),
                value,
                path: path.to_string(),
                line: line(item),
            });
        }
    }
    // A later entry for the same name wins, as in compose.
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<EnvEntry> = out
        .into_iter()
        .rev()
        .filter(|e| seen.insert(e.name.clone()))
        .collect();
    kept.reverse();
    kept
}

/// `env_file: a.env`, `[a.env, b.env]` or `[{path: a.env, required: false}]`.
pub fn env_file_refs(node: &Node, dir: &str, line: &impl Fn(&Node) -> u32) -> Vec<EnvFileRef> {
    let items: Vec<&Node> = if node.is_seq() {
        node.seq().iter().collect()
    } else {
        vec![node]
    };
    items
        .into_iter()
        .filter_map(|item| {
            let path_node = if item.is_map() {
                item.get("path")?
            } else {
                item
            };
            let written = path_node.as_str()?;
            let resolved = interpolate(written);
            Some(EnvFileRef {
                written: written.to_string(),
                resolved: (!is_absolute(&resolved))
                    .then(|| join_path(dir, &resolved))
                    .flatten(),
                line: line(path_node),
            })
        })
        .collect()
}

/// `Some(true)` for a check with a test, `Some(false)` when disabled. A block
/// that only tunes timings (no `test`) keeps the image's own check, which this
/// file does not show: `None`.
pub fn health_check(node: &Node) -> Option<bool> {
    if node.get("disable").and_then(Node::as_bool) == Some(true) {
        return Some(false);
    }
    let test = node.get("test")?;
    let first = test
        .seq()
        .first()
        .and_then(Node::as_str)
        .or_else(|| test.as_str());
    match first {
        Some("NONE") => Some(false),
        Some(_) => Some(true),
        None => None,
    }
}

/// Ports as strings: short forms as written (after interpolation), long
/// forms as `[host_ip:][published:]target[/protocol]`.
pub fn ports(node: &Node) -> Vec<String> {
    node.seq()
        .iter()
        .filter_map(|item| {
            if !item.is_map() {
                return item.as_str().map(interpolate).filter(|s| !s.is_empty());
            }
            let field = |key: &str| item.get(key).and_then(Node::as_str).map(interpolate);
            let target = field("target")?;
            let mut out = String::new();
            if let Some(host_ip) = field("host_ip") {
                out.push_str(&host_ip);
                out.push(':');
            }
            if let Some(published) = field("published") {
                out.push_str(&published);
                out.push(':');
            }
            out.push_str(&target);
            if let Some(protocol) = field("protocol").filter(|p| p != "tcp") {
                out.push('/');
                out.push_str(&protocol);
            }
            Some(out)
        })
        .collect()
}

/// `extends: base` or `extends: {service: base, file: other.yml}`.
pub fn extends(key: &Node, value: &Node, line: &impl Fn(&Node) -> u32) -> Option<ExtendsRef> {
    let (service, file) = if value.is_map() {
        let file = value.get("file");
        (
            value.get("service")?.as_str()?,
            file.and_then(|f| f.as_str().map(|s| (interpolate(s), line(f)))),
        )
    } else {
        (value.as_str()?, None)
    };
    Some(ExtendsRef {
        service: interpolate(service),
        line: line(key),
        file_line: file.as_ref().map_or(line(key), |(_, l)| *l),
        file: file.map(|(f, _)| f),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    /// The value under `key` of a one-document YAML text.
    fn value(text: &str, key: &str) -> Node {
        yaml::parse_str(text)
            .unwrap()
            .remove(0)
            .get(key)
            .unwrap()
            .clone()
    }

    #[test]
    fn short_and_long_ports() {
        let node = value(
            "ports:\n  - \"8080:80\"\n  - 127.0.0.1:5432:5432\n  - 3000\n  - \"${PORT:-9000}:9000\"\n  - target: 80\n    published: \"8081\"\n    protocol: tcp\n  - target: 53\n    host_ip: 0.0.0.0\n    published: 53\n    protocol: udp\n  - target: 9090\n  - published: 1\n",
            "ports",
        );
        assert_eq!(
            ports(&node),
            [
                "8080:80",
                "127.0.0.1:5432:5432",
                "3000",
                "9000:9000",
                "8081:80",
                "0.0.0.0:53:53/udp",
                "9090"
            ]
        );
    }

    #[test]
    fn build_paths_resolve_against_the_compose_directory() {
        let b = build(&value("build: ../services/api\n", "build"), "deploy").unwrap();
        assert_eq!(b.context.as_deref(), Some("services/api"));
        assert_eq!(b.dockerfile, None);
        let node = value(
            "build:\n  context: ..\n  dockerfile: docker/api.Dockerfile\n  target: prod\n",
            "build",
        );
        let b = build(&node, "deploy").unwrap();
        assert_eq!(b.context.as_deref(), Some(""));
        assert_eq!(b.dockerfile.as_deref(), Some("docker/api.Dockerfile"));
        let node = value("build: {dockerfile: Dockerfile.dev}\n", "build");
        let b = build(&node, "app").unwrap();
        assert_eq!(b.context.as_deref(), Some("app"));
        assert_eq!(b.dockerfile.as_deref(), Some("app/Dockerfile.dev"));
        let node = value("build: {context: \"${CTX:-./api}\"}\n", "build");
        assert_eq!(build(&node, "").unwrap().context.as_deref(), Some("api"));
    }

    #[test]
    fn remote_and_outside_contexts_have_no_context() {
        for context in [
            "https://github.com/acme/api.git#main",
            "git@github.com:acme/api.git",
            "github.com/acme/api",
            "../../elsewhere",
            "/srv/api",
            "C:\\\\src\\\\api",
        ] {
            let node = value(&format!("build: \"{context}\"\n"), "build");
            assert_eq!(build(&node, "a"), Some(Build::default()), "{context}");
        }
    }

    #[test]
    fn health_checks() {
        let check =
            |yaml: &str| health_check(&value(&format!("healthcheck:\n{yaml}"), "healthcheck"));
        assert_eq!(check("  test: [\"CMD\", \"pg_isready\"]\n"), Some(true));
        assert_eq!(check("  test: curl -f http://localhost/\n"), Some(true));
        assert_eq!(check("  test: [\"NONE\"]\n"), Some(false));
        assert_eq!(check("  disable: true\n"), Some(false));
        assert_eq!(check("  interval: 10s\n"), None);
    }

    #[test]
    fn env_files_in_every_form() {
        let line = |_: &Node| 1;
        let refs = |text: &str| -> Vec<(String, Option<String>)> {
            env_file_refs(&value(text, "env_file"), "app", &line)
                .into_iter()
                .map(|r| (r.written, r.resolved))
                .collect()
        };
        assert_eq!(
            refs("env_file: .env\n"),
            [(".env".into(), Some("app/.env".into()))]
        );
        assert_eq!(
            refs(
                "env_file:\n  - a.env\n  - path: ../b.env\n    required: false\n  - /etc/app.env\n"
            ),
            [
                ("a.env".into(), Some("app/a.env".into())),
                ("../b.env".into(), Some("b.env".into())),
                ("/etc/app.env".into(), None),
            ]
        );
    }

    #[test]
    fn extends_in_both_forms() {
        let doc = yaml::parse_str("a:\n  extends: base\nb:\n  extends:\n    service: base\n    file: ${DIR:-common}/base.yml\n").unwrap().remove(0);
        let line = |n: &Node| u32::try_from(n.span.start).unwrap();
        let read = |service: &str| {
            let (key, value) = doc.get(service).unwrap().entry("extends").unwrap();
            extends(key, value, &line).unwrap()
        };
        assert_eq!(read("a").service, "base");
        assert_eq!(read("a").file, None);
        assert_eq!(read("b").file.as_deref(), Some("common/base.yml"));
    }
}
