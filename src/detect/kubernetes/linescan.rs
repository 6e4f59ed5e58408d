//! The last resort for a Helm template that is still not YAML once its
//! actions are blanked (a `toYaml` block beside literal keys, an `if` that
//! opens a mapping in one branch): a scan line by line, by indentation, that
//! keeps what is written literally — each document's `kind`, the containers
//! of workloads with their `image`, whether they declare probes, their
//! `resources` limits and requests, and their `securityContext`.

use std::collections::BTreeMap;

use crate::detect::kubernetes::objects::{FileObjects, FoundWorkload, WORKLOAD_KINDS};
use crate::detect::kubernetes::template::Rendered;
use crate::model::{Container, Workload};
use crate::source::SourceFile;

/// A line: its 1-based number, indentation and content without indentation.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    number: u32,
    indent: usize,
    content: &'a str,
}

/// `key: value` with quotes and a trailing comment removed.
fn key_value(content: &str) -> Option<(&str, &str)> {
    let (key, value) = content.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.contains(' ') {
        return None;
    }
    let value = match value.find(" #") {
        Some(i) => value.get(..i).unwrap_or(value),
        None => value,
    };
    Some((key, value.trim().trim_matches(['"', '\''])))
}

/// Scan the blanked text of a template (`src`) whose YAML did not parse.
pub(super) fn scan(
    src: &SourceFile,
    rendered: &Rendered,
    default_name: Option<&str>,
    source: &str,
) -> FileObjects {
    let lines: Vec<Line<'_>> = src
        .text
        .lines()
        .enumerate()
        .map(|(i, raw)| {
            let content = raw.trim_start();
            Line {
                number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                indent: raw.len() - content.len(),
                content: content.trim_end(),
            }
        })
        .collect();
    let mut found = FileObjects {
        path: src.path.clone(),
        ..FileObjects::default()
    };
    for doc in lines.split(|l| l.indent == 0 && l.content.starts_with("---")) {
        scan_document(doc, src, rendered, default_name, source, &mut found);
    }
    found
}

struct ListState {
    key_indent: usize,
    init: bool,
    item_indent: Option<usize>,
}

struct Current {
    container: Container,
    image_line: Option<u32>,
    /// Indentation of the container's own keys.
    key_indent: usize,
    /// The container key we are under (`resources`, `securityContext`) and
    /// the nested key under it (`limits`, `requests`) with its indentation.
    section: String,
    sub: Option<(String, usize)>,
}

fn scan_document(
    doc: &[Line<'_>],
    src: &SourceFile,
    rendered: &Rendered,
    default_name: Option<&str>,
    source: &str,
    found: &mut FileObjects,
) {
    let resolve = |text: &str| rendered.resolve(text).map(|t| t.into_owned());
    let mut kind: Option<(String, u32)> = None;
    let mut name: Option<String> = None;
    let mut in_metadata = false;
    let mut list: Option<ListState> = None;
    let mut current: Option<Current> = None;
    let mut containers: Vec<(Container, Option<u32>)> = Vec::new();

    for (i, line) in doc.iter().enumerate() {
        if line.content.is_empty() || line.content.starts_with('#') {
            continue;
        }
        if line.indent == 0 {
            in_metadata = line.content == "metadata:";
            if let Some(("kind", value)) = key_value(line.content) {
                kind.get_or_insert((value.to_string(), line.number));
            }
        } else if in_metadata
            && line.indent == 2
            && let Some(("name", value)) = key_value(line.content)
        {
            name = resolve(value).filter(|n| !n.is_empty());
        }
        if let Some(state) = &list {
            let ends = line.indent < state.key_indent
                || line.indent == state.key_indent && !line.content.starts_with("- ");
            if ends {
                list = None;
                containers.extend(current.take().map(|c| (c.container, c.image_line)));
            }
        }
        let next_indent = doc
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .find(|l| !l.content.is_empty())
            .map(|l| l.indent);
        if let Some(state) = &mut list
            && let Some(item) = line.content.strip_prefix("- ")
            && state.item_indent.is_none_or(|indent| indent == line.indent)
        {
            state.item_indent = Some(line.indent);
            containers.extend(current.take().map(|c| (c.container, c.image_line)));
            let mut fresh = Current {
                container: empty_container(line.number, state.init),
                image_line: None,
                key_indent: line.indent + 2,
                section: String::new(),
                sub: None,
            };
            let key_indent = fresh.key_indent;
            container_line(
                &mut fresh,
                key_indent,
                item,
                line.number,
                next_indent,
                &resolve,
            );
            current = Some(fresh);
            continue;
        }
        if let Some(cur) = &mut current
            && line.indent >= cur.key_indent
        {
            container_line(
                cur,
                line.indent,
                line.content,
                line.number,
                next_indent,
                &resolve,
            );
            continue;
        }
        if matches!(line.content, "containers:" | "initContainers:") {
            containers.extend(current.take().map(|c| (c.container, c.image_line)));
            list = Some(ListState {
                key_indent: line.indent,
                init: line.content == "initContainers:",
                item_indent: None,
            });
        }
    }
    containers.extend(current.take().map(|c| (c.container, c.image_line)));

    let Some((kind, line)) = kind else {
        return;
    };
    if found.first.is_none() {
        found.first = Some((kind.clone(), line));
    }
    if !WORKLOAD_KINDS.contains(&kind.as_str()) {
        return;
    }
    let (containers, image_lines) = containers.into_iter().unzip();
    found.workloads.push(FoundWorkload {
        workload: Workload {
            kind,
            name: name
                .or_else(|| default_name.map(str::to_string))
                .unwrap_or_default(),
            namespace: None,
            path: src.path.clone(),
            line,
            replicas: None,
            labels: BTreeMap::new(),
            run_as_non_root: None,
            run_as_user: None,
            containers,
            source: source.to_string(),
        },
        image_lines,
        env_from: Vec::new(),
    });
}

fn empty_container(line: u32, init: bool) -> Container {
    Container {
        name: String::new(),
        image: None,
        line,
        init,
        liveness_probe: false,
        readiness_probe: false,
        startup_probe: false,
        limits: BTreeMap::new(),
        requests: BTreeMap::new(),
        run_as_non_root: None,
        run_as_user: None,
        privileged: None,
        env: Vec::new(),
        env_from: Vec::new(),
    }
}

/// One line inside a container item, at `indent`.
fn container_line(
    cur: &mut Current,
    indent: usize,
    content: &str,
    number: u32,
    next_indent: Option<usize>,
    resolve: &dyn Fn(&str) -> Option<String>,
) {
    let Some((key, value)) = key_value(content) else {
        return;
    };
    let c = &mut cur.container;
    if indent == cur.key_indent {
        cur.section = key.to_string();
        cur.sub = None;
        // A key with a block under it, or an inline value that is not empty.
        let declared = !matches!(value, "" | "null" | "~" | "{}")
            || value.is_empty() && next_indent.is_some_and(|n| n > indent);
        match key {
            "name" => c.name = resolve(value).unwrap_or_default(),
            "image" => {
                c.image = resolve(value).filter(|i| !i.is_empty());
                cur.image_line = Some(number);
            }
            "livenessProbe" => c.liveness_probe = declared,
            "readinessProbe" => c.readiness_probe = declared,
            "startupProbe" => c.startup_probe = declared,
            _ => {}
        }
        return;
    }
    match cur.section.as_str() {
        "resources" => match &cur.sub {
            Some((sub, sub_indent)) if indent > *sub_indent => {
                if let Some(v) = resolve(value).filter(|v| !v.is_empty()) {
                    let map = if sub == "limits" {
                        &mut c.limits
                    } else {
                        &mut c.requests
                    };
                    map.insert(key.to_string(), v);
                }
            }
            _ if matches!(key, "limits" | "requests") => cur.sub = Some((key.to_string(), indent)),
            _ => cur.sub = None,
        },
        "securityContext" => {
            let value = resolve(value);
            match key {
                "runAsNonRoot" => c.run_as_non_root = value.and_then(|v| v.parse().ok()),
                "runAsUser" => c.run_as_user = value.and_then(|v| v.parse().ok()),
                "privileged" => c.privileged = value.and_then(|v| v.parse().ok()),
                _ => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::kubernetes::template::{Context, render};

    fn run(text: &str) -> FileObjects {
        let rendered = render(text, &Context::default());
        let src = SourceFile::new("chart/templates/x.yaml", rendered.text.clone());
        scan(&src, &rendered, Some("api"), "helm-template")
    }

    #[test]
    fn containers_keep_their_literal_facts() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: migrate\n          image: ghcr.io/acme/migrate:1\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:2 # pinned\n          livenessProbe:\n            httpGet: {path: /}\n          readinessProbe:\n          resources:\n            limits:\n              memory: 256Mi\n            requests:\n              cpu: 100m\n          securityContext:\n            runAsNonRoot: true\n            privileged: false\n        - image: {{ .Values.sidecar }}\n          name: sidecar\n";
        let found = run(text);
        assert_eq!(found.first, Some(("Deployment".to_string(), 2)));
        let w = &found.workloads[0].workload;
        assert_eq!(w.name, "api");
        assert_eq!(w.source, "helm-template");
        let names: Vec<&str> = w.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["migrate", "web", "sidecar"]);
        let [migrate, web, sidecar] = &w.containers[..] else {
            panic!("three containers");
        };
        assert!(migrate.init);
        assert_eq!(migrate.line, 9);
        assert_eq!(web.image.as_deref(), Some("ghcr.io/acme/web:2"));
        assert!(web.liveness_probe);
        assert!(!web.readiness_probe);
        assert_eq!(web.limits.get("memory").map(String::as_str), Some("256Mi"));
        assert_eq!(web.requests.get("cpu").map(String::as_str), Some("100m"));
        assert_eq!(web.run_as_non_root, Some(true));
        assert_eq!(web.privileged, Some(false));
        assert_eq!(sidecar.image, None);
        assert_eq!(
            found.workloads[0].image_lines,
            vec![Some(10), Some(13), Some(25)]
        );
    }

    #[test]
    fn documents_are_scanned_separately() {
        let found = run(
            "kind: Service\nmetadata:\n  name: a\n---\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n      - name: x\n        image: busybox\n",
        );
        assert_eq!(found.first, Some(("Service".to_string(), 1)));
        assert_eq!(found.workloads.len(), 1);
        let job = &found.workloads[0].workload;
        assert_eq!((job.kind.as_str(), job.line), ("Job", 5));
        assert_eq!(job.containers[0].image.as_deref(), Some("busybox"));
    }
}
