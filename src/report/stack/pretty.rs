//! `--format pretty`: a readable overview by category and by component, with
//! the evidence of every technology under `-v`.

use std::fmt::Write as _;

use crate::model::{Stack, Technology};
use crate::report::stack::{by_category, human_bytes};
use crate::report::style::{BAD, DIM, HEADING, NAME, PATH, WARN, paint};

#[derive(Debug, Clone, Copy, Default)]
pub struct PrettyOptions {
    /// Show the evidence of every technology.
    pub verbose: bool,
}

pub fn render(stack: &Stack, options: PrettyOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {}",
        paint(NAME, "Stack of"),
        paint(PATH, &stack.root)
    );

    languages(&mut out, stack);
    technologies(&mut out, stack, options);
    components(&mut out, stack);
    problems(&mut out, stack);
    out
}

fn section(out: &mut String, title: &str, count: Option<usize>) {
    out.push('\n');
    match count {
        Some(n) => {
            let _ = writeln!(
                out,
                "{} {}",
                paint(HEADING, title),
                paint(DIM, format!("({n})"))
            );
        }
        None => {
            let _ = writeln!(out, "{}", paint(HEADING, title));
        }
    }
}

fn languages(out: &mut String, stack: &Stack) {
    section(out, "Languages", None);
    if stack.languages.is_empty() {
        let _ = writeln!(out, "  {}", paint(DIM, "no source files"));
        return;
    }
    let width = stack
        .languages
        .iter()
        .map(|l| l.id.len())
        .max()
        .unwrap_or(0);
    let files_width = stack
        .languages
        .iter()
        .map(|l| l.files.to_string().len())
        .max()
        .unwrap_or(0);
    for lang in &stack.languages {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>files_width$} file{}  {}",
            lang.id,
            lang.files,
            if lang.files == 1 { " " } else { "s" },
            paint(DIM, human_bytes(lang.bytes)),
        );
    }
}

fn technologies(out: &mut String, stack: &Stack, options: PrettyOptions) {
    section(out, "Technologies", Some(stack.technologies.len()));
    let groups = by_category(stack);
    if groups.is_empty() {
        let _ = writeln!(out, "  {}", paint(DIM, "none detected"));
        return;
    }
    let width = groups.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    for (category, techs) in groups {
        if options.verbose {
            let _ = writeln!(out, "  {}", paint(NAME, category));
            for tech in techs {
                evidence(out, tech);
            }
        } else {
            let names: Vec<&str> = techs.iter().map(|t| t.name.as_str()).collect();
            let _ = writeln!(
                out,
                "  {}  {}",
                paint(DIM, format!("{category:<width$}")),
                names.join(", ")
            );
        }
    }
}

fn evidence(out: &mut String, tech: &Technology) {
    let _ = writeln!(
        out,
        "    {} {}",
        tech.name,
        paint(DIM, format!("({})", tech.id))
    );
    for ev in &tech.evidence {
        let _ = writeln!(
            out,
            "      {}  {}",
            paint(PATH, format!("{}:{}", ev.path, ev.line)),
            ev.reason
        );
    }
}

fn components(out: &mut String, stack: &Stack) {
    section(out, "Components", Some(stack.components.len()));
    if stack.components.is_empty() {
        let _ = writeln!(out, "  {}", paint(DIM, "no package manifests found"));
        return;
    }
    for component in &stack.components {
        let _ = writeln!(
            out,
            "  {}  {}",
            paint(NAME, &component.name),
            paint(PATH, &component.path)
        );
        let mut facts = vec![
            component.ecosystem.to_string(),
            component.language.clone(),
            component.kind.as_str().to_string(),
        ];
        facts.push(match &component.lockfile {
            Some(lock) => format!("lockfile {}", lock.rsplit('/').next().unwrap_or(lock)),
            None => paint(WARN, "no lockfile"),
        });
        facts.push(if component.has_tests {
            "tests".to_string()
        } else {
            paint(WARN, "no tests")
        });
        if let Some(ws) = &component.workspace {
            facts.push(format!("workspace {ws}"));
        }
        let _ = writeln!(out, "    {}", facts.join(&paint(DIM, " · ")));
        let techs: Vec<String> = stack
            .technologies
            .iter()
            .filter(|t| t.category != "language" && component.technologies.contains(&t.id))
            .map(|t| t.name.clone())
            .collect();
        if !techs.is_empty() {
            let _ = writeln!(out, "    {}", paint(DIM, techs.join(", ")));
        }
    }
}

fn problems(out: &mut String, stack: &Stack) {
    if stack.problems.is_empty() {
        return;
    }
    section(out, "Problems", Some(stack.problems.len()));
    for problem in &stack.problems {
        let _ = writeln!(
            out,
            "  {}  {}",
            paint(
                BAD,
                format!("{}:{}:{}", problem.path, problem.line, problem.column)
            ),
            problem.message
        );
    }
}
