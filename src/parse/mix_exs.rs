//! `mix.exs`: an Elixir project file, read as text and never evaluated.
//!
//! The file is tokenized ([`lexer`]); the bodies of the `project` and `deps`
//! functions (`def name do ... end` or `def name, do: ...`, every clause) are
//! found by matching `do`/`fn` with `end`. `project` gives the app name, the
//! umbrella's `apps_path` and whether it builds an escript; dependencies are
//! the `{:name, ...}` tuples of `deps` (and of an inline `deps: [...]`).
//! Conditionally added dependencies are all read.

mod lexer;

use std::ops::Range;

use lexer::{Kind, Token};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// A function header (`defp deps(env) when env in [:dev]`) longer than this
/// many tokens is not looked at: headers are short, and a cap keeps a file of
/// `def`s without bodies linear.
const MAX_HEADER_TOKENS: usize = 256;
/// At most this many clauses of one function are read.
const MAX_CLAUSES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixDependency {
    /// The atom's name (`phoenix` for `:phoenix`).
    pub name: String,
    pub span: Span,
    /// The version requirement (`"~> 1.7.14"`), if written as a string.
    pub requirement: Option<String>,
    /// The `only:` environments; empty means every environment.
    pub only: Vec<String>,
    /// `in_umbrella: true`: a sibling application of the same umbrella.
    pub in_umbrella: bool,
    /// `optional: true`.
    pub optional: bool,
    /// `path: "..."`: a dependency on a local directory.
    pub path: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MixProject {
    /// `app: :my_app`.
    pub app: Option<(String, Span)>,
    /// `apps_path: "apps"`: the project is an umbrella.
    pub apps_path: Option<(String, Span)>,
    /// Where `escript:` is configured: the project builds an executable.
    pub escript: Option<Span>,
    pub dependencies: Vec<MixDependency>,
    /// Literals that never end; the rest of the file was still read.
    pub errors: Vec<ParseError>,
}

pub fn parse(src: &SourceFile) -> MixProject {
    let (tokens, errors) = lexer::tokenize(src);
    let blocks = match_blocks(&tokens);
    let brackets = match_brackets(&tokens);
    let mut project = MixProject {
        errors,
        ..MixProject::default()
    };

    let mut settings = function_bodies(&tokens, &blocks, "project");
    if settings.is_empty() {
        // No `project` function found: look through the whole file.
        settings.push(0..tokens.len());
    }
    let mut dependency_lists = function_bodies(&tokens, &blocks, "deps");
    for body in settings {
        read_settings(
            &tokens,
            body,
            &brackets,
            &mut project,
            &mut dependency_lists,
        );
    }
    for body in dependency_lists {
        read_dependencies(&tokens, body, &brackets, &mut project.dependencies);
    }
    project
}

/// `app:`, `apps_path:`, `escript:` and an inline `deps: [...]` of a
/// `project` body (the first of each).
fn read_settings(
    tokens: &[Token],
    body: Range<usize>,
    brackets: &[usize],
    project: &mut MixProject,
    dependency_lists: &mut Vec<Range<usize>>,
) {
    let mut inline_deps = false;
    for i in body {
        let Some(Kind::Label(key)) = tokens.get(i).map(|t| &t.kind) else {
            continue;
        };
        let value = tokens.get(i + 1);
        match (key.as_str(), value.map(|v| &v.kind)) {
            ("app", Some(Kind::Atom(Some(name)))) if project.app.is_none() => {
                project.app = value.map(|v| (name.clone(), v.span));
            }
            ("app", Some(Kind::Attribute(attribute))) if project.app.is_none() => {
                project.app = attribute_atom(tokens, attribute);
            }
            ("apps_path", Some(Kind::Str(Some(path)))) if project.apps_path.is_none() => {
                project.apps_path = value.map(|v| (path.clone(), v.span));
            }
            ("escript", Some(_)) if project.escript.is_none() => {
                project.escript = tokens.get(i).map(|t| t.span);
            }
            ("deps", Some(Kind::Open(b'['))) if !inline_deps => {
                inline_deps = true;
                let close = brackets.get(i + 1).copied().unwrap_or(tokens.len());
                dependency_lists.push(i + 1..close);
            }
            _ => {}
        }
    }
}

/// The atom a module attribute is set to (`@app :my_app`), where it is set.
fn attribute_atom(tokens: &[Token], attribute: &str) -> Option<(String, Span)> {
    tokens.windows(2).find_map(|pair| match pair {
        [
            Token {
                kind: Kind::Attribute(name),
                ..
            },
            Token {
                kind: Kind::Atom(Some(value)),
                span,
            },
        ] if name == attribute => Some((value.clone(), *span)),
        _ => None,
    })
}

/// The `{:name, ...}` tuples of a `deps` body or list.
fn read_dependencies(
    tokens: &[Token],
    body: Range<usize>,
    brackets: &[usize],
    out: &mut Vec<MixDependency>,
) {
    let mut i = body.start;
    while i < body.end {
        if tokens.get(i).is_some_and(|t| t.kind == Kind::Open(b'{')) {
            let close = brackets.get(i).copied().unwrap_or(tokens.len());
            let inner = tokens.get(i + 1..close).unwrap_or_default();
            if starts_with_atom(inner)
                && let Some(dependency) = dependency_tuple(inner)
            {
                out.push(dependency);
                // Nothing inside a dependency's tuple is another dependency.
                i = close.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
}

/// Whether a tuple's inside starts with `:atom,` (checked before splitting
/// it, which would make every other tuple cost its whole length).
fn starts_with_atom(inner: &[Token]) -> bool {
    let mut significant = inner.iter().filter(|t| t.kind != Kind::Newline);
    matches!(
        significant.next().map(|t| &t.kind),
        Some(Kind::Atom(Some(_)))
    ) && significant.next().is_some_and(|t| t.kind == Kind::Comma)
}

/// `:name, "req", key: value...` (the inside of a tuple) as a dependency.
fn dependency_tuple(inner: &[Token]) -> Option<MixDependency> {
    let elements = split_commas(inner);
    let (first, rest) = elements.split_first()?;
    let [name_token] = first.as_slice() else {
        return None;
    };
    let Kind::Atom(Some(name)) = &name_token.kind else {
        return None;
    };
    if rest.is_empty() || name.is_empty() {
        return None;
    }
    let mut dependency = MixDependency {
        name: name.clone(),
        span: name_token.span,
        requirement: None,
        only: Vec::new(),
        in_umbrella: false,
        optional: false,
        path: None,
    };
    for (position, element) in rest.iter().enumerate() {
        match element.as_slice() {
            [token] if position == 0 => {
                if let Kind::Str(Some(requirement)) = &token.kind {
                    dependency.requirement = Some(requirement.clone());
                }
            }
            // Options in brackets: `{:dep, "1.0", [only: :test]}`.
            [open, options @ .., close]
                if open.kind == Kind::Open(b'[') && close.kind == Kind::Close(b']') =>
            {
                for option in split_commas(options.iter().copied()) {
                    dependency_option(&option, &mut dependency);
                }
            }
            _ => dependency_option(element, &mut dependency),
        }
    }
    Some(dependency)
}

fn dependency_option(option: &[&Token], dependency: &mut MixDependency) {
    let [key, value @ ..] = option else {
        return;
    };
    let Kind::Label(key) = &key.kind else {
        return;
    };
    let is_true = matches!(value, [t] if t.kind == Kind::Ident("true".into()));
    match key.as_str() {
        "only" => dependency.only = atoms(value),
        "in_umbrella" => dependency.in_umbrella = is_true,
        "optional" => dependency.optional = is_true,
        "path" => {
            if let [token] = value
                && let Kind::Str(Some(path)) = &token.kind
            {
                dependency.path = Some(path.clone());
            }
        }
        _ => {}
    }
}

/// `:test` or `[:dev, :test]` (or `~w(dev test)a`).
fn atoms(value: &[&Token]) -> Vec<String> {
    value
        .iter()
        .flat_map(|token| match &token.kind {
            Kind::Atom(Some(name)) => vec![name.clone()],
            Kind::Words(words) => words.clone(),
            _ => Vec::new(),
        })
        .collect()
}

/// Split tokens on the commas outside brackets; newlines are dropped.
fn split_commas<'t>(tokens: impl IntoIterator<Item = &'t Token>) -> Vec<Vec<&'t Token>> {
    let mut out = Vec::new();
    let mut current: Vec<&Token> = Vec::new();
    let mut depth = 0usize;
    for token in tokens {
        match token.kind {
            Kind::Newline => continue,
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth = depth.saturating_sub(1),
            Kind::Comma if depth == 0 => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                continue;
            }
            _ => {}
        }
        current.push(token);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// For every `do` and `fn`, the index of the `end` that closes it (or the
/// token count when none does).
fn match_blocks(tokens: &[Token]) -> Vec<usize> {
    let mut matching = vec![tokens.len(); tokens.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.ident() {
            Some("do" | "fn") => open.push(i),
            Some("end") => {
                if let Some(start) = open.pop()
                    && let Some(slot) = matching.get_mut(start)
                {
                    *slot = i;
                }
            }
            _ => {}
        }
    }
    matching
}

/// For every opening bracket, the index of its closing bracket (or the token
/// count). A closer without its opener closes the openers inside it.
fn match_brackets(tokens: &[Token]) -> Vec<usize> {
    let mut matching = vec![tokens.len(); tokens.len()];
    let mut open: Vec<(u8, usize)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Open(b) => open.push((b, i)),
            Kind::Close(close) => {
                let want = match close {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                if let Some(at) = open.iter().rposition(|(b, _)| *b == want) {
                    for (_, start) in open.drain(at..) {
                        if let Some(slot) = matching.get_mut(start) {
                            *slot = i;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    matching
}

/// The bodies of every clause of `def name` / `defp name`.
fn function_bodies(tokens: &[Token], blocks: &[usize], name: &str) -> Vec<Range<usize>> {
    let mut bodies = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(token.ident(), Some("def" | "defp")) {
            continue;
        }
        if tokens.get(i + 1).and_then(Token::ident) != Some(name) {
            continue;
        }
        if let Some(body) = body_after(tokens, blocks, i + 2) {
            bodies.push(body);
            if bodies.len() >= MAX_CLAUSES {
                break;
            }
        }
    }
    bodies
}

/// The body of a function whose header continues at `from`: up to the
/// matching `end` of a `do`, or the expression after `do:` (to the end of
/// its line, brackets allowing).
fn body_after(tokens: &[Token], blocks: &[usize], from: usize) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let header = tokens.get(from..)?.iter().take(MAX_HEADER_TOKENS);
    for (offset, token) in header.enumerate() {
        let i = from + offset;
        match &token.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth = depth.saturating_sub(1),
            Kind::Ident(word) if depth == 0 && word == "do" => {
                let end = blocks.get(i).copied().unwrap_or(tokens.len());
                return Some(i + 1..end);
            }
            Kind::Label(word) if depth == 0 && word == "do" => {
                return Some(keyword_body(tokens, i + 1));
            }
            Kind::Ident(word) if depth == 0 && matches!(word.as_str(), "def" | "defp" | "end") => {
                return None;
            }
            _ => {}
        }
    }
    None
}

/// The expression of a `do:` starting at `from`.
fn keyword_body(tokens: &[Token], from: usize) -> Range<usize> {
    let mut depth = 0usize;
    let mut seen = false;
    let mut end = tokens.len();
    for (offset, token) in tokens.get(from..).unwrap_or_default().iter().enumerate() {
        match token.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) if depth == 0 => {
                end = from + offset;
                break;
            }
            Kind::Close(_) => depth -= 1,
            Kind::Newline | Kind::Comma if depth == 0 && seen => {
                end = from + offset;
                break;
            }
            _ => {}
        }
        seen |= token.kind != Kind::Newline;
    }
    from..end
}

#[cfg(test)]
mod tests;
