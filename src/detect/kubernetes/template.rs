//! Helm templates read best-effort. A template is Go-template text around
//! YAML, so it is not YAML: every `{{ ... }}` action is blanked out so that
//! the rest parses. An action alone on its line disappears (`{{- if ... }}`,
//! `{{- include ... | nindent 4 }}`), except `toYaml` of a values subtree,
//! which becomes that subtree in flow style on the same line; an action
//! inside a line becomes a numbered placeholder whose value is worked out
//! when it is simple (`.Values.image.repository`, `.Chart.AppVersion`,
//! `default`, `quote`, `printf "%s:%s"`). Every line stays on its line, so
//! positions in the blanked text are positions in the template.

use std::borrow::Cow;

use crate::detect::kubernetes::objects::Scalars;
use crate::parse::yaml::{Node, Value};

/// Inline actions become `__tpl_<n>__`.
pub(super) const PLACEHOLDER_PREFIX: &str = "__tpl_";
const PLACEHOLDER_SUFFIX: &str = "__";
/// A `toYaml` subtree larger than this (in flow text) is left out.
const MAX_FLOW_LEN: usize = 64 * 1024;
/// All `toYaml` subtrees of one template together write at most this much
/// (attempts that run over count too), so many actions cannot blow up.
const MAX_FLOW_TOTAL: usize = 1024 * 1024;
/// Nested `if`/`with`/`range` blocks tracked at most this deep.
const MAX_BLOCK_DEPTH: usize = 64;
/// Values subtrees are walked at most this deep.
const MAX_VALUES_DEPTH: usize = 32;

/// What a template may refer to.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context<'a> {
    /// The chart's `values.yaml` (first document).
    pub values: Option<&'a Node>,
    pub chart_name: Option<&'a str>,
    pub chart_version: Option<&'a str>,
    pub app_version: Option<&'a str>,
}

/// A template with its actions blanked out.
#[derive(Debug, Clone)]
pub(super) struct Rendered {
    pub text: String,
    /// The value of each placeholder, when it could be worked out.
    pub placeholders: Vec<Option<String>>,
}

impl Rendered {
    /// Text with its placeholders replaced by their values; `None` when one
    /// of them could not be worked out.
    pub(super) fn resolve<'t>(&self, text: &'t str) -> Option<Cow<'t, str>> {
        if !text.contains(PLACEHOLDER_PREFIX) {
            return Some(Cow::Borrowed(text));
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(PLACEHOLDER_PREFIX) {
            out.push_str(rest.get(..at)?);
            let after = rest.get(at + PLACEHOLDER_PREFIX.len()..)?;
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let index: usize = after.get(..digits)?.parse().ok()?;
            let value = self.placeholders.get(index)?.as_deref()?;
            out.push_str(value);
            rest = after.get(digits..)?.strip_prefix(PLACEHOLDER_SUFFIX)?;
        }
        out.push_str(rest);
        Some(Cow::Owned(out))
    }
}

impl Scalars for Rendered {
    fn text<'n>(&self, node: &'n Node) -> Option<Cow<'n, str>> {
        self.resolve(node.as_str()?)
    }
}

/// What one action turns into.
#[derive(Debug, Clone, PartialEq)]
enum Output {
    /// Nothing (control flow, comments, assignments, unknown whole-line output).
    Nothing,
    /// Inline text: placeholder `n`.
    Placeholder(usize),
    /// A values subtree in flow style, and the indentation `nindent` asked for.
    Flow(String, Option<usize>),
}

/// What `.` is inside a block.
#[derive(Debug, Clone, Copy)]
enum Dot<'a> {
    /// `if`/`else`: unchanged.
    Inherit,
    /// `with .Values.x`: that subtree.
    Values(&'a Node),
    /// `range`, `define`, `with` of something unknown.
    Unknown,
}

/// An evaluated expression.
#[derive(Debug, Clone)]
enum Val<'a> {
    Text(String),
    Node(&'a Node),
    /// A path that does not exist in the values: renders empty.
    Missing,
    Unknown,
}

impl Val<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Val::Missing => true,
            Val::Text(t) => t.is_empty(),
            Val::Node(n) => n.is_null() || n.as_str() == Some(""),
            Val::Unknown => false,
        }
    }

    fn into_text(self) -> Option<String> {
        match self {
            Val::Text(t) => Some(t),
            Val::Missing => Some(String::new()),
            Val::Node(n) if n.is_null() => Some(String::new()),
            Val::Node(n) => n.as_str().map(str::to_string),
            Val::Unknown => None,
        }
    }
}

/// Byte ranges of every `{{ ... }}` action; an unterminated one runs to the end.
fn find_actions(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text.get(from..).and_then(|t| t.find("{{")) {
        let start = from + open;
        let end = text
            .get(start + 2..)
            .and_then(|t| t.find("}}"))
            .map_or(text.len(), |i| start + 2 + i + 2);
        out.push((start, end));
        from = end;
    }
    out
}

/// Blank out the actions of a template.
pub(super) fn render(text: &str, ctx: &Context<'_>) -> Rendered {
    let actions = find_actions(text);
    let mut placeholders = Vec::new();
    let mut blocks: Vec<Dot<'_>> = Vec::new();
    let mut flow_budget = MAX_FLOW_TOTAL;
    let outputs: Vec<Output> = actions
        .iter()
        .map(|&(start, end)| {
            let action = text.get(start..end).unwrap_or("");
            evaluate(
                action,
                ctx,
                &mut blocks,
                &mut placeholders,
                &mut flow_budget,
            )
        })
        .collect();

    let mut out = String::with_capacity(text.len());
    let mut next = 0; // first action that may touch the current line
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end = text
            .get(line_start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| line_start + i);
        while actions.get(next).is_some_and(|&(_, end)| end <= line_start) {
            next += 1;
        }
        let mut segments = Vec::new(); // (start, end, action index)
        let mut cursor = line_start;
        let mut i = next;
        while let Some(&(start, end)) = actions.get(i) {
            if start >= line_end {
                break;
            }
            if start > cursor {
                segments.push((cursor, start, None));
            }
            segments.push((start.max(line_start), end.min(line_end), Some(i)));
            cursor = end.min(line_end);
            if end > line_end {
                break;
            }
            i += 1;
        }
        if cursor < line_end {
            segments.push((cursor, line_end, None));
        }
        let literal = |s: usize, e: usize| text.get(s..e).unwrap_or("");
        let only_actions = segments.iter().any(|(_, _, a)| a.is_some())
            && segments
                .iter()
                .all(|(s, e, a)| a.is_some() || literal(*s, *e).trim().is_empty());
        if only_actions {
            let flow = segments.iter().find_map(|(_, _, a)| {
                let index = (*a)?;
                let &(start, _) = actions.get(index)?;
                match outputs.get(index) {
                    Some(Output::Flow(flow, indent)) if start >= line_start => {
                        let column = start - line_start;
                        Some((flow, indent.unwrap_or(column)))
                    }
                    _ => None,
                }
            });
            if let Some((flow, indent)) = flow {
                out.extend(std::iter::repeat_n(' ', indent));
                out.push_str(flow);
            }
        } else {
            for (s, e, action) in &segments {
                match action {
                    None => out.push_str(literal(*s, *e)),
                    Some(index) => {
                        let starts_here = actions.get(*index).is_some_and(|a| a.0 >= line_start);
                        match outputs.get(*index) {
                            Some(Output::Placeholder(n)) if starts_here => {
                                out.push_str(&format!(
                                    "{PLACEHOLDER_PREFIX}{n}{PLACEHOLDER_SUFFIX}"
                                ));
                            }
                            Some(Output::Flow(flow, _)) if starts_here => {
                                out.push(' ');
                                out.push_str(flow);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        if line_end < text.len() {
            out.push('\n');
        }
        line_start = line_end + 1;
    }
    Rendered {
        text: out,
        placeholders,
    }
}

/// Evaluate one action (`{{ ... }}` with its braces), updating the block stack.
fn evaluate<'a>(
    action: &str,
    ctx: &Context<'a>,
    blocks: &mut Vec<Dot<'a>>,
    placeholders: &mut Vec<Option<String>>,
    flow_budget: &mut usize,
) -> Output {
    let inner = action
        .strip_prefix("{{")
        .unwrap_or(action)
        .strip_suffix("}}")
        .unwrap_or(action);
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    let inner = inner.strip_suffix('-').unwrap_or(inner).trim();
    if inner.starts_with("/*") {
        return Output::Nothing;
    }
    let (word, rest) = inner
        .split_once(char::is_whitespace)
        .map_or((inner, ""), |(w, r)| (w, r.trim()));
    let dot = current_dot(blocks);
    let push = |blocks: &mut Vec<Dot<'a>>, d: Dot<'a>| {
        if blocks.len() < MAX_BLOCK_DEPTH {
            blocks.push(d);
        }
    };
    match word {
        "if" => push(blocks, Dot::Inherit),
        "with" => {
            let d = match eval_pipeline(rest, ctx, dot) {
                Val::Node(n) => Dot::Values(n),
                _ => Dot::Unknown,
            };
            push(blocks, d);
        }
        "range" | "define" | "block" => push(blocks, Dot::Unknown),
        "end" => {
            blocks.pop();
        }
        "else" | "template" | "break" | "continue" => {}
        _ if inner.starts_with('$') && (inner.contains(":=") || inner.contains(" = ")) => {}
        _ => {
            let segments = split_pipeline(inner);
            if segments.iter().any(|s| first_word(s) == "toYaml") {
                let indent = segments.iter().find_map(|s| {
                    let mut words = s.split_whitespace();
                    match words.next() {
                        Some("nindent" | "indent") => words.next()?.parse().ok(),
                        _ => None,
                    }
                });
                return match eval_segments(&segments, ctx, dot) {
                    Val::Node(n) => match flow(n, flow_budget) {
                        Some(f) => Output::Flow(f, indent),
                        None => Output::Nothing,
                    },
                    _ => Output::Nothing,
                };
            }
            placeholders.push(eval_segments(&segments, ctx, dot).into_text());
            return Output::Placeholder(placeholders.len() - 1);
        }
    }
    Output::Nothing
}

fn current_dot<'a>(blocks: &[Dot<'a>]) -> Option<Dot<'a>> {
    blocks
        .iter()
        .rev()
        .find(|d| !matches!(d, Dot::Inherit))
        .copied()
}

fn first_word(segment: &str) -> &str {
    segment.split_whitespace().next().unwrap_or("")
}

/// Split `a | b "x|y" | c` on the pipes outside quotes (`||` is not a pipe).
fn split_pipeline(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '`') => quote = Some(c),
            (None, '|')
                if bytes.get(i + 1) != Some(&b'|')
                    && (i == 0 || bytes.get(i - 1) != Some(&b'|')) =>
            {
                out.push(text.get(start..i).unwrap_or("").trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(text.get(start..).unwrap_or("").trim());
    out
}

/// Words of a command, with quoted strings kept whole.
fn words(command: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = command.trim_start();
    while !rest.is_empty() {
        let end = match rest.chars().next() {
            Some(q @ ('"' | '`')) => rest
                .get(1..)
                .and_then(|r| r.find(q))
                .map_or(rest.len(), |i| i + 2),
            _ => rest.find(char::is_whitespace).unwrap_or(rest.len()),
        };
        out.push(rest.get(..end).unwrap_or(rest));
        rest = rest.get(end..).unwrap_or("").trim_start();
    }
    out
}

fn eval_pipeline<'a>(text: &str, ctx: &Context<'a>, dot: Option<Dot<'a>>) -> Val<'a> {
    eval_segments(&split_pipeline(text), ctx, dot)
}

fn eval_segments<'a>(segments: &[&str], ctx: &Context<'a>, dot: Option<Dot<'a>>) -> Val<'a> {
    let mut value: Option<Val<'a>> = None;
    for segment in segments {
        value = Some(eval_command(segment, value, ctx, dot));
    }
    value.unwrap_or(Val::Unknown)
}

/// One command of a pipeline; `piped` is the value of the commands before it.
fn eval_command<'a>(
    command: &str,
    piped: Option<Val<'a>>,
    ctx: &Context<'a>,
    dot: Option<Dot<'a>>,
) -> Val<'a> {
    if command.contains('(') {
        return Val::Unknown;
    }
    let words = words(command);
    let Some((&name, args)) = words.split_first() else {
        return Val::Unknown;
    };
    let term = |t: &str| eval_term(t, ctx, dot);
    // The last argument, or the piped value.
    let subject = |args: &[&str]| match &piped {
        Some(v) => v.clone(),
        None => args.last().map_or(Val::Unknown, |a| term(a)),
    };
    match name {
        _ if piped.is_none() && args.is_empty() && is_term(name) => term(name),
        "default" => {
            let value = match &piped {
                Some(v) => v.clone(),
                None => args.get(1).map_or(Val::Missing, |a| term(a)),
            };
            if value.is_empty() {
                args.first().map_or(Val::Unknown, |a| term(a))
            } else {
                value
            }
        }
        "quote" | "squote" | "toString" | "trim" | "toYaml" | "required" => subject(args),
        "nindent" | "indent" => piped.unwrap_or(Val::Unknown),
        "printf" if piped.is_none() => printf(args, &term),
        _ => Val::Unknown,
    }
}

fn is_term(word: &str) -> bool {
    word.starts_with(['.', '"', '`']) || word == "$" || word.starts_with("$.")
}

fn eval_term<'a>(term: &str, ctx: &Context<'a>, dot: Option<Dot<'a>>) -> Val<'a> {
    if let Some(quoted) = term.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return Val::Text(quoted.replace("\\\"", "\""));
    }
    if let Some(raw) = term.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        return Val::Text(raw.to_string());
    }
    if term.bytes().all(|b| b.is_ascii_digit()) && !term.is_empty() {
        return Val::Text(term.to_string());
    }
    let path = term.strip_prefix('$').unwrap_or(term);
    let from_root = term.starts_with('$');
    let Some(path) = path.strip_prefix('.') else {
        return Val::Unknown;
    };
    let keys: Vec<&str> = path.split('.').filter(|k| !k.is_empty()).collect();
    let text = |v: Option<&str>| v.map_or(Val::Missing, |s| Val::Text(s.to_string()));
    match (keys.first().copied(), dot) {
        (Some("Values"), _) => lookup(ctx.values, keys.get(1..).unwrap_or(&[])),
        (Some("Chart"), _) => match keys.get(1).copied() {
            Some("Name") => text(ctx.chart_name),
            Some("AppVersion") => text(ctx.app_version),
            Some("Version") => text(ctx.chart_version),
            _ => Val::Unknown,
        },
        (Some("Release" | "Capabilities" | "Template" | "Files"), _) => Val::Unknown,
        _ if from_root => Val::Unknown,
        (_, Some(Dot::Values(node))) => lookup(Some(node), &keys),
        _ => Val::Unknown,
    }
}

fn lookup<'a>(root: Option<&'a Node>, keys: &[&str]) -> Val<'a> {
    let Some(root) = root else {
        return Val::Unknown;
    };
    if keys.len() > MAX_VALUES_DEPTH {
        return Val::Unknown;
    }
    match root.path(keys) {
        Some(node) => Val::Node(node),
        None => Val::Missing,
    }
}

/// `printf "%s:%s" a b` with `%s`, `%v` and `%d` verbs.
fn printf<'a>(args: &[&str], term: &dyn Fn(&str) -> Val<'a>) -> Val<'a> {
    let Some((format, rest)) = args.split_first() else {
        return Val::Unknown;
    };
    let Val::Text(format) = term(format) else {
        return Val::Unknown;
    };
    let mut out = String::new();
    let mut values = rest.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'v' | 'd') => match values.next().map(|a| term(a).into_text()) {
                Some(Some(text)) => out.push_str(&text),
                _ => return Val::Unknown,
            },
            _ => return Val::Unknown,
        }
    }
    Val::Text(out)
}

/// A values subtree as one line of flow YAML (`{limits: {cpu: 500m}}`), or
/// `None` when it is too large, too deep, or the template's budget is spent.
fn flow(node: &Node, budget: &mut usize) -> Option<String> {
    let limit = MAX_FLOW_LEN.min(*budget);
    let mut out = String::new();
    let written = write_flow(node, &mut out, 0, limit);
    *budget = budget.saturating_sub(out.len().max(1));
    written.filter(|()| out.len() <= limit).map(|()| out)
}

fn write_flow(node: &Node, out: &mut String, depth: usize, limit: usize) -> Option<()> {
    if depth > MAX_VALUES_DEPTH || out.len() > limit {
        return None;
    }
    match &node.value {
        Value::Scalar(s) => {
            let safe = s.plain
                && !s.text.is_empty()
                && s.text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/'))
                && s.text != "-";
            if safe {
                out.push_str(&s.text);
            } else if node.is_null() {
                out.push_str("null");
            } else {
                out.push_str(&serde_json::to_string(&s.text).ok()?);
            }
        }
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(item, out, depth + 1, limit)?;
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(key, out, depth + 1, limit)?;
                out.push_str(": ");
                write_flow(value, out, depth + 1, limit)?;
            }
            out.push('}');
        }
    }
    Some(())
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
