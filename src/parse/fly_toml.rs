//! `fly.toml` (Fly.io app configuration): the app name, how its image is
//! built, its environment, the ports it serves, its health checks (HTTP
//! service checks, `[[services.*_checks]]` and top-level `[checks]`), its
//! process groups and its VM sizes. Tables may be written as `[table]` headers
//! or inline, and lists of tables as `[[x]]` or `x = [{...}]`; flyctl accepts
//! both.

use toml_edit::{Item, TableLike, Value};

use crate::parse::ParseError;
use crate::parse::toml::{key_span, parse_toml, table_at};
use crate::source::{SourceFile, Span};

/// A value as written and where.
pub type Located<T> = (T, Span);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlyVm {
    /// `size` (`shared-cpu-1x`) as written.
    pub size: Option<String>,
    /// `memory` as written (`512mb`, `1gb`, `2048`).
    pub memory: Option<String>,
    pub cpus: Option<i64>,
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlyConfig {
    pub app: Option<Located<String>>,
    /// `[build] dockerfile`, relative to the file's directory.
    pub dockerfile: Option<Located<String>>,
    /// `[build] image`: a prebuilt image instead of a build.
    pub image: Option<Located<String>>,
    /// `[env]`: name, value, span of the name.
    pub env: Vec<(String, String, Span)>,
    /// `internal_port` of `[http_service]` and each `[[services]]`.
    pub internal_ports: Vec<Located<i64>>,
    /// Every health check, wherever it is declared.
    pub checks: Vec<Span>,
    /// `[processes]`: process group name and command.
    pub processes: Vec<(String, String, Span)>,
    pub vms: Vec<FlyVm>,
    /// Values of the wrong shape (the rest of the file is still read).
    pub issues: Vec<ParseError>,
}

pub fn parse(src: &SourceFile) -> Result<FlyConfig, ParseError> {
    let doc = parse_toml(src)?;
    let root: &dyn TableLike = doc.as_table();
    let top = Span::at(src.body_offset());
    let mut issues = Vec::new();
    let app = string(root, "app", &mut issues);
    let mut out = FlyConfig {
        app,
        issues,
        ..FlyConfig::default()
    };
    if let Some(build) = table_at(root, &["build"]) {
        out.dockerfile = string(build, "dockerfile", &mut out.issues);
        out.image = string(build, "image", &mut out.issues);
    }
    if let Some(env) = table_at(root, &["env"]) {
        for (name, item) in env.iter() {
            let span = key_span(env, name).unwrap_or(top);
            // flyctl turns numbers and booleans into strings.
            let value = match item.as_value() {
                Some(Value::String(s)) => Some(s.value().clone()),
                Some(Value::Integer(i)) => Some(i.value().to_string()),
                Some(Value::Float(f)) => Some(f.value().to_string()),
                Some(Value::Boolean(b)) => Some(b.value().to_string()),
                _ => None,
            };
            match value {
                Some(value) => out.env.push((name.to_string(), value, span)),
                None => out.issues.push(ParseError::new(
                    span.start,
                    format!("`env.{name}` must be a string"),
                )),
            }
        }
    }
    if let Some(http) = table_at(root, &["http_service"]) {
        read_service(http, &["checks"], &mut out);
    }
    if let Some(services) = root.get("services") {
        for (service, _) in tables(services) {
            read_service(service, &["http_checks", "tcp_checks", "checks"], &mut out);
        }
    }
    if let Some(checks) = table_at(root, &["checks"]) {
        for (name, item) in checks.iter() {
            if item.is_table_like() {
                out.checks.push(key_span(checks, name).unwrap_or(top));
            }
        }
    }
    if let Some(processes) = table_at(root, &["processes"]) {
        for (name, item) in processes.iter() {
            let span = key_span(processes, name).unwrap_or(top);
            if let Some(command) = item.as_str() {
                out.processes
                    .push((name.to_string(), command.to_string(), span));
            }
        }
    }
    if let Some(vm) = root.get("vm") {
        for (table, span) in tables(vm) {
            let text = |key: &str| match table.get(key).and_then(Item::as_value) {
                Some(Value::String(s)) => Some(s.value().clone()),
                Some(Value::Integer(i)) => Some(i.value().to_string()),
                _ => None,
            };
            out.vms.push(FlyVm {
                size: text("size"),
                memory: text("memory").or_else(|| text("memory_mb")),
                cpus: table.get("cpus").and_then(Item::as_integer),
                span: span.unwrap_or(top),
            });
        }
    }
    Ok(out)
}

/// `[http_service]` or one `[[services]]` entry: its port and checks.
fn read_service(service: &dyn TableLike, check_keys: &[&str], out: &mut FlyConfig) {
    if let Some(port) = service.get("internal_port").and_then(Item::as_integer) {
        let span = key_span(service, "internal_port").unwrap_or_default();
        out.internal_ports.push((port, span));
    }
    for key in check_keys {
        let Some(item) = service.get(key) else {
            continue;
        };
        let fallback = key_span(service, key).unwrap_or_default();
        for (_, span) in tables(item) {
            out.checks.push(span.unwrap_or(fallback));
        }
    }
}

/// The tables of an array of tables, an array of inline tables, or a single
/// table, each with its span when it has one.
fn tables(item: &Item) -> Vec<(&dyn TableLike, Option<Span>)> {
    match item {
        Item::ArrayOfTables(array) => array
            .iter()
            .map(|t| (t as &dyn TableLike, t.span().map(Span::from)))
            .collect(),
        Item::Value(Value::Array(array)) => array
            .iter()
            .filter_map(|v| v.as_inline_table())
            .map(|t| (t as &dyn TableLike, t.span().map(Span::from)))
            .collect(),
        Item::Table(table) => vec![(table as &dyn TableLike, table.span().map(Span::from))],
        Item::Value(Value::InlineTable(table)) => {
            vec![(table as &dyn TableLike, table.span().map(Span::from))]
        }
        _ => Vec::new(),
    }
}

/// A string under `key`; another kind of value is an issue.
fn string(
    table: &dyn TableLike,
    key: &str,
    issues: &mut Vec<ParseError>,
) -> Option<Located<String>> {
    let item = table.get(key)?;
    let span = key_span(table, key).unwrap_or_default();
    match item.as_str() {
        Some(s) => Some((s.to_string(), span)),
        None => {
            issues.push(ParseError::new(
                span.start,
                format!("`{key}` must be a string"),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLY: &str = r#"app = "orders-api"
primary_region = "ams"

[build]
  dockerfile = "deploy/Dockerfile"

[env]
  PORT = "8080"
  WORKERS = 4

[http_service]
  internal_port = 8080
  force_https = true

  [[http_service.checks]]
    interval = "30s"
    path = "/healthz"

[[services]]
  internal_port = 9090
  protocol = "tcp"
  http_checks = [{ path = "/metrics" }]

  [[services.tcp_checks]]
    interval = "15s"

[checks.status]
  type = "http"
  port = 5500

[processes]
  app = "bin/server"
  worker = "bin/worker"

[[vm]]
  size = "shared-cpu-2x"
  memory = "1gb"
  cpus = 2
"#;

    #[test]
    fn every_section_is_read_with_lines() {
        let src = SourceFile::new("fly.toml", FLY);
        let fly = parse(&src).unwrap();
        assert!(fly.issues.is_empty(), "{:?}", fly.issues);
        let (app, span) = fly.app.clone().unwrap();
        assert_eq!(app, "orders-api");
        assert_eq!(src.line(span.start), 1);
        assert_eq!(fly.dockerfile.clone().unwrap().0, "deploy/Dockerfile");
        let env: Vec<(&str, &str)> = fly
            .env
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("PORT", "8080"), ("WORKERS", "4")]);
        let ports: Vec<i64> = fly.internal_ports.iter().map(|(p, _)| *p).collect();
        assert_eq!(ports, [8080, 9090]);
        let check_lines: Vec<u32> = fly.checks.iter().map(|s| src.line(s.start)).collect();
        assert_eq!(check_lines, [15, 22, 24, 27]);
        assert_eq!(fly.processes.len(), 2);
        assert_eq!(fly.vms[0].memory.as_deref(), Some("1gb"));
        assert_eq!(fly.vms[0].cpus, Some(2));
        assert_eq!(src.line(fly.vms[0].span.start), 35);
    }

    #[test]
    fn wrong_shapes_are_issues_and_the_rest_is_read() {
        let src = SourceFile::new(
            "fly.toml",
            "app = 3\n[build]\nimage = \"flyio/hellofly:latest\"\n",
        );
        let fly = parse(&src).unwrap();
        assert_eq!(fly.app, None);
        assert_eq!(fly.issues.len(), 1);
        assert_eq!(fly.issues[0].to_problem(&src).line, 1);
        assert_eq!(fly.image.unwrap().0, "flyio/hellofly:latest");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let src = SourceFile::new("fly.toml", "app = \"x\"\n[http_service\n");
        let err = parse(&src).unwrap_err();
        assert_eq!(err.to_problem(&src).line, 2);
    }

    #[test]
    fn an_empty_file_is_an_app_without_a_name() {
        let fly = parse(&SourceFile::new("fly.toml", "")).unwrap();
        assert_eq!(fly, FlyConfig::default());
    }
}
