//! `--format mermaid`: a flowchart of the services and the datastores and
//! queues they use, for READMEs, job summaries and pull-request comments.
//! Own services are boxes, datastores cylinders, queues parallelograms, other
//! third-party services rounded; an arrow means "uses".

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::{Service, Stack};

const DATASTORE_CATEGORIES: [&str; 3] = ["database", "cache", "search"];
const QUEUE_CATEGORIES: [&str; 2] = ["queue", "job-queue"];

pub fn render(stack: &Stack) -> String {
    let mut out = String::from("flowchart LR\n");
    if stack.services.is_empty() && stack.functions.is_empty() {
        out.push_str("  empty[\"no services found\"]\n");
        return out;
    }
    let category_of = |id: &str| -> Option<&str> {
        stack
            .technologies
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.category.as_str())
    };
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for (i, service) in stack.services.iter().enumerate() {
        ids.insert(
            service.name.clone(),
            format!("s{i}_{}", sanitize(&service.name)),
        );
    }

    let own: Vec<&Service> = stack.services.iter().filter(|s| s.own).collect();
    if !own.is_empty() {
        out.push_str("  subgraph own[\"this repository\"]\n");
        for service in &own {
            let _ = writeln!(
                out,
                "    {}[\"{}\"]",
                ids[&service.name],
                label(&service.name, None)
            );
        }
        out.push_str("  end\n");
    }
    for service in stack.services.iter().filter(|s| !s.own) {
        let tech = service
            .technologies
            .first()
            .and_then(|id| stack.technologies.iter().find(|t| &t.id == id));
        let text = label(&service.name, tech.map(|t| t.name.as_str()));
        let id = &ids[&service.name];
        match tech.map(|t| t.category.as_str()) {
            Some(c) if DATASTORE_CATEGORIES.contains(&c) => {
                let _ = writeln!(out, "  {id}[(\"{text}\")]");
            }
            Some(c) if QUEUE_CATEGORIES.contains(&c) => {
                let _ = writeln!(out, "  {id}[/\"{text}\"/]");
            }
            _ => {
                let _ = writeln!(out, "  {id}(\"{text}\")");
            }
        }
    }
    // `uses` may name a technology no service declares (a managed database
    // reached by URL): draw it once.
    let mut external: BTreeMap<String, String> = BTreeMap::new();
    for service in &stack.services {
        for used in &service.uses {
            let target = match ids.get(used) {
                Some(id) => id.clone(),
                None => {
                    let id = format!("t_{}", sanitize(used));
                    if !external.contains_key(used) {
                        let name = stack
                            .technologies
                            .iter()
                            .find(|t| &t.id == used)
                            .map_or(used.as_str(), |t| t.name.as_str());
                        let shape = match category_of(used) {
                            Some(c) if QUEUE_CATEGORIES.contains(&c) => {
                                format!("[/\"{}\"/]", label(name, None))
                            }
                            _ => format!("[(\"{}\")]", label(name, None)),
                        };
                        let _ = writeln!(out, "  {id}{shape}");
                        external.insert(used.clone(), id.clone());
                    }
                    id
                }
            };
            let _ = writeln!(out, "  {} --> {}", ids[&service.name], target);
        }
    }
    if !stack.functions.is_empty() {
        out.push_str("  subgraph functions[\"serverless functions\"]\n");
        for (i, function) in stack.functions.iter().enumerate() {
            let _ = writeln!(
                out,
                "    f{i}_{}{{{{\"{}\"}}}}",
                sanitize(&function.name),
                label(&function.name, Some(&function.platform))
            );
        }
        out.push_str("  end\n");
    }
    out
}

/// A node id: ASCII letters, digits and `_` only.
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A node label inside double quotes, with an optional second line.
fn label(name: &str, detail: Option<&str>) -> String {
    let escape = |s: &str| {
        s.replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    match detail {
        Some(detail) => format!("{}<br/><small>{}</small>", escape(name), escape(detail)),
        None => escape(name),
    }
}
