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
    services(&mut out, stack, options);
    functions(&mut out, stack);
    ci(&mut out, stack, options);
    team(&mut out, stack);
    problems(&mut out, stack);
    out
}

fn services(out: &mut String, stack: &Stack, options: PrettyOptions) {
    if stack.services.is_empty() {
        return;
    }
    let own = stack.services.iter().filter(|s| s.own).count();
    section(out, "Services", Some(stack.services.len()));
    let _ = writeln!(
        out,
        "  {}",
        paint(
            DIM,
            format!("{own} own, {} third-party", stack.services.len() - own)
        )
    );
    let width = stack
        .services
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(0);
    for service in &stack.services {
        let mut facts = vec![service.origin_name().to_string()];
        if service.own {
            if let Some(build) = &service.build {
                facts.push(format!("build {build}"));
            } else if let Some(image) = &service.image {
                facts.push(format!("image {image}"));
            }
        } else if let Some(image) = &service.image {
            facts.push(image.clone());
        }
        if !service.uses.is_empty() {
            facts.push(format!("uses {}", service.uses.join(", ")));
        }
        if service.own {
            facts.push(if service.health_check {
                "health check".to_string()
            } else {
                paint(WARN, "no health check")
            });
        }
        if let Some(replicas) = service.replicas.filter(|r| *r != 1) {
            facts.push(format!("{replicas} replicas"));
        }
        let name = format!("{:<width$}", service.name);
        let name = if service.own { paint(NAME, name) } else { name };
        let _ = writeln!(
            out,
            "  {}  {}  {}",
            name,
            facts.join(&paint(DIM, " · ")),
            paint(PATH, format!("{}:{}", service.path, service.line))
        );
        if options.verbose {
            for decl in &service.declarations {
                let _ = writeln!(
                    out,
                    "    {}  {}",
                    paint(PATH, format!("{}:{}", decl.path, decl.line)),
                    decl.reason
                );
            }
        }
    }
}

fn functions(out: &mut String, stack: &Stack) {
    if stack.functions.is_empty() {
        return;
    }
    section(out, "Serverless functions", Some(stack.functions.len()));
    let width = stack
        .functions
        .iter()
        .map(|f| f.name.len())
        .max()
        .unwrap_or(0);
    for function in &stack.functions {
        let mut facts = vec![function.platform.clone()];
        if let Some(runtime) = &function.runtime {
            facts.push(runtime.clone());
        }
        if let Some(timeout) = function.timeout_seconds {
            facts.push(format!("timeout {timeout} s"));
        }
        if let Some(memory) = function.memory_mb {
            facts.push(format!("{memory} MB"));
        }
        let _ = writeln!(
            out,
            "  {:<width$}  {}  {}",
            function.name,
            facts.join(&paint(DIM, " · ")),
            paint(PATH, format!("{}:{}", function.path, function.line))
        );
    }
}

fn ci(out: &mut String, stack: &Stack, options: PrettyOptions) {
    if stack.ci.pipelines.is_empty() {
        return;
    }
    section(out, "CI", None);
    let stages: Vec<&str> = stack.ci.stages.iter().map(|s| s.as_str()).collect();
    let missing: Vec<&str> = crate::model::Stage::ALL
        .iter()
        .filter(|s| !stack.ci.stages.contains(s))
        .map(|s| s.as_str())
        .collect();
    let _ = writeln!(
        out,
        "  {}  stages: {}{}",
        stack.ci.providers.join(", "),
        if stages.is_empty() {
            "none".to_string()
        } else {
            stages.join(", ")
        },
        if missing.is_empty() {
            String::new()
        } else {
            paint(DIM, format!(" (no {})", missing.join(", ")))
        }
    );
    for pipeline in &stack.ci.pipelines {
        let _ = writeln!(out, "  {}", paint(PATH, &pipeline.path));
        let width = pipeline.jobs.iter().map(|j| j.id.len()).max().unwrap_or(0);
        for job in &pipeline.jobs {
            let stages: Vec<&str> = job.stages.iter().map(|s| s.as_str()).collect();
            let mut facts = vec![if stages.is_empty() {
                paint(DIM, "-")
            } else {
                stages.join(", ")
            }];
            if !job.needs.is_empty() {
                facts.push(paint(DIM, format!("needs {}", job.needs.join(", "))));
            }
            if let Some(env) = &job.environment {
                facts.push(format!("environment {env}"));
            }
            if let Some(dir) = &job.directory {
                facts.push(paint(DIM, format!("in {dir}")));
            }
            let _ = writeln!(out, "    {:<width$}  {}", job.id, facts.join("  "));
            if options.verbose {
                for step in &job.steps {
                    let what = step
                        .uses
                        .clone()
                        .or_else(|| step.run.as_ref().map(|r| first_line(r)))
                        .unwrap_or_default();
                    let stages: Vec<&str> = step.stages.iter().map(|s| s.as_str()).collect();
                    let _ = writeln!(
                        out,
                        "      {}  {}{}",
                        paint(PATH, format!("{}", step.line)),
                        what,
                        if stages.is_empty() {
                            String::new()
                        } else {
                            paint(DIM, format!("  [{}]", stages.join(", ")))
                        }
                    );
                }
            }
        }
    }
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > 70 {
        format!("{}...", line.chars().take(67).collect::<String>())
    } else {
        line.to_string()
    }
}

fn team(out: &mut String, stack: &Stack) {
    section(out, "Team", None);
    let text = match (stack.team.size, stack.team.source) {
        (Some(size), crate::model::TeamSource::Git) => format!(
            "{size} author{} in the last 90 days (git)",
            if size == 1 { "" } else { "s" }
        ),
        (Some(size), _) => format!("{size} (stacklint.toml)"),
        (None, _) => paint(
            DIM,
            "unknown (no git history or a shallow clone; set [team] size in stacklint.toml)",
        ),
    };
    let _ = writeln!(out, "  {text}");
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
