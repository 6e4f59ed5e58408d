//! `--format markdown`: the stack as Markdown tables, for job summaries and
//! pull-request comments.

use std::fmt::Write as _;

use crate::model::Stack;
use crate::report::stack::{by_category, human_bytes};

/// Escape text for a Markdown table cell.
pub fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
}

pub fn render(stack: &Stack) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Stack of `{}`\n", cell(&stack.root));

    if !stack.languages.is_empty() {
        out.push_str("## Languages\n\n| Language | Files | Size |\n|---|---:|---:|\n");
        for lang in &stack.languages {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                lang.id,
                lang.files,
                human_bytes(lang.bytes)
            );
        }
        out.push('\n');
    }

    if !stack.technologies.is_empty() {
        out.push_str("## Technologies\n\n| Category | Technologies |\n|---|---|\n");
        for (category, techs) in by_category(stack) {
            let names: Vec<String> = techs.iter().map(|t| cell(&t.name)).collect();
            let _ = writeln!(out, "| {} | {} |", category, names.join(", "));
        }
        out.push('\n');
    }

    if !stack.components.is_empty() {
        out.push_str("## Components\n\n| Component | Path | Ecosystem | Language | Kind | Lockfile | Tests |\n|---|---|---|---|---|---|---|\n");
        for c in &stack.components {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} | {} |",
                cell(&c.name),
                cell(&c.path),
                c.ecosystem,
                c.language,
                c.kind.as_str(),
                c.lockfile
                    .as_deref()
                    .map_or("—".to_string(), |l| format!("`{}`", cell(l))),
                if c.has_tests { "yes" } else { "no" },
            );
        }
        out.push('\n');
    }

    if !stack.services.is_empty() {
        out.push_str("## Services\n\n| Service | Origin | Own | Image / build | Uses | Health check | Replicas |\n|---|---|---|---|---|---|---:|\n");
        for s in &stack.services {
            let source = match (&s.build, &s.image) {
                (Some(build), _) if s.own => format!("build `{}`", cell(build)),
                (_, Some(image)) => format!("`{}`", cell(image)),
                _ => "—".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                cell(&s.name),
                s.origin_name(),
                if s.own { "yes" } else { "no" },
                source,
                if s.uses.is_empty() {
                    "—".to_string()
                } else {
                    cell(&s.uses.join(", "))
                },
                if s.health_check { "yes" } else { "no" },
                s.replicas.map_or("—".to_string(), |r| r.to_string()),
            );
        }
        out.push('\n');
    }

    if !stack.functions.is_empty() {
        out.push_str("## Serverless functions\n\n| Function | Platform | Timeout (s) | Memory (MB) | Declared in |\n|---|---|---:|---:|---|\n");
        for f in &stack.functions {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | `{}:{}` |",
                cell(&f.name),
                f.platform,
                f.timeout_seconds.map_or("—".to_string(), |t| t.to_string()),
                f.memory_mb.map_or("—".to_string(), |m| m.to_string()),
                cell(&f.path),
                f.line
            );
        }
        out.push('\n');
    }

    if !stack.ci.pipelines.is_empty() {
        let stages: Vec<&str> = stack.ci.stages.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(
            out,
            "## CI\n\n{} — stages: {}\n\n| Pipeline | Job | Stages | Needs |\n|---|---|---|---|",
            stack.ci.providers.join(", "),
            if stages.is_empty() {
                "none".to_string()
            } else {
                stages.join(", ")
            }
        );
        for p in &stack.ci.pipelines {
            for j in &p.jobs {
                let stages: Vec<&str> = j.stages.iter().map(|s| s.as_str()).collect();
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} |",
                    cell(&p.path),
                    cell(&j.id),
                    if stages.is_empty() {
                        "—".to_string()
                    } else {
                        stages.join(", ")
                    },
                    if j.needs.is_empty() {
                        "—".to_string()
                    } else {
                        cell(&j.needs.join(", "))
                    }
                );
            }
        }
        out.push('\n');
    }

    let team = match (stack.team.size, stack.team.source) {
        (Some(size), crate::model::TeamSource::Git) => format!("{size} (git, last 90 days)"),
        (Some(size), _) => format!("{size} (stacklint.toml)"),
        (None, _) => "unknown".to_string(),
    };
    let _ = writeln!(out, "**Team size:** {team}\n");

    if !stack.problems.is_empty() {
        out.push_str("## Problems\n\n| File | Line | Problem |\n|---|---:|---|\n");
        for p in &stack.problems {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                cell(&p.path),
                p.line,
                cell(&p.message)
            );
        }
        out.push('\n');
    }
    out
}
