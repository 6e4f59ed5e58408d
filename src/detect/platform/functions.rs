//! Serverless functions declared by platform files: Vercel's `functions`
//! settings in `vercel.json`, and the Azure Functions app of a `host.json`
//! with its `functionTimeout`. Neither platform's default is filled in: they
//! depend on the plan, which the repository does not say.

use crate::detect::{DetectContext, Facts, parent_dir};
use crate::model::Function;
use crate::parse::json::{self, Strictness, ast};
use crate::source::SourceFile;

use super::apps::dir_name;

/// `vercel.json` `functions`: a glob of source files → `maxDuration`
/// (seconds), `memory` (MB), `runtime`. Each glob is one function entry.
pub(super) fn vercel(src: &SourceFile, facts: &mut Facts) {
    let Some(root) = root_object(src, Strictness::Strict, facts) else {
        return;
    };
    let Some(ast::Value::Object(functions)) = json::get(&root, "functions").map(|p| &p.value)
    else {
        return;
    };
    for prop in &functions.properties {
        let ast::Value::Object(settings) = &prop.value else {
            let at = json::span_of(&prop.value).start;
            facts.problem_at(
                src,
                at,
                format!("`functions.{}` must be an object", json::key_text(prop)),
            );
            continue;
        };
        let (timeout_seconds, timeout_line) = number(src, settings, "maxDuration");
        let (memory_mb, memory_line) = number(src, settings, "memory");
        facts.functions.push(Function {
            name: json::key_text(prop).to_string(),
            platform: "vercel".to_string(),
            source: "vercel".to_string(),
            path: src.path.clone(),
            line: src.line(json::key_span(prop).start),
            runtime: json::get_str(settings, "runtime").map(|(r, _)| r.to_string()),
            timeout_seconds,
            timeout_line,
            memory_mb,
            memory_line,
        });
    }
}

/// The top-level object of a JSON file; a syntax error is a problem, and a
/// file holding anything else has nothing to read.
fn root_object<'a>(
    src: &'a SourceFile,
    strictness: Strictness,
    facts: &mut Facts,
) -> Option<ast::Object<'a>> {
    match json::parse(src, strictness) {
        Ok(Some(ast::Value::Object(root))) => Some(root),
        Ok(_) => None,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            None
        }
    }
}

/// A whole number under `key`, with its line (unknown when not one).
fn number(src: &SourceFile, object: &ast::Object<'_>, key: &str) -> (Option<u64>, Option<u32>) {
    match json::get(object, key) {
        Some(prop) => {
            let value = match &prop.value {
                ast::Value::NumberLit(n) => n.value.parse().ok(),
                _ => None,
            };
            (value, Some(src.line(json::key_span(prop).start)))
        }
        None => (None, None),
    }
}

/// `host.json`: the function app of its directory. `functionTimeout` is a
/// .NET time span (`00:10:00`, `1.00:00:00`); `-1` means no limit.
pub(super) fn host_json(ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) {
    // The Functions host reads host.json with comments allowed.
    let Some(root) = root_object(src, Strictness::Lenient, facts) else {
        return;
    };
    let dir = parent_dir(&src.path);
    let name = if dir.is_empty() {
        root_name(ctx)
    } else {
        dir_name(dir)
    };
    let (timeout_seconds, timeout_line) = match json::get(&root, "functionTimeout") {
        Some(prop) => {
            let line = src.line(json::key_span(prop).start);
            let seconds = match &prop.value {
                ast::Value::StringLit(s) => time_span_seconds(&s.value),
                _ => None,
            };
            if seconds.is_none()
                && !matches!(&prop.value, ast::Value::StringLit(s) if s.value.trim() == "-1")
            {
                facts.problem_at(
                    src,
                    json::span_of(&prop.value).start,
                    "`functionTimeout` must be a time span such as \"00:10:00\"",
                );
            }
            (seconds, Some(line))
        }
        None => (None, None),
    };
    facts.functions.push(Function {
        name,
        platform: "azure-functions".to_string(),
        source: "azure-functions".to_string(),
        path: src.path.clone(),
        line: src.line(root.range.start),
        runtime: None,
        timeout_seconds,
        timeout_line,
        memory_mb: None,
        memory_line: None,
    });
}

/// The scanned directory's own name, for a function app at the root.
fn root_name(ctx: &DetectContext<'_>) -> String {
    let root = ctx.reader.root();
    root.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            root.canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "function-app".to_string())
}

/// A .NET `TimeSpan` as `[d.]hh:mm[:ss[.fraction]]`, in whole seconds.
pub(super) fn time_span_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    let (days, clock) = match text.split_once(':') {
        Some((head, _)) if head.contains('.') => {
            let (days, _) = head.split_once('.')?;
            (days.parse::<u64>().ok()?, text.get(days.len() + 1..)?)
        }
        Some(_) => (0, text),
        None => return None,
    };
    let mut parts = clock.split(':');
    let hours: u64 = parts.next()?.parse().ok()?;
    let minutes: u64 = parts.next()?.parse().ok()?;
    let seconds: u64 = match parts.next() {
        Some(s) => s.split('.').next()?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 59 {
        return None;
    }
    days.checked_mul(86_400)?
        .checked_add(hours * 3600 + minutes * 60 + seconds)
}
