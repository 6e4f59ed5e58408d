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
