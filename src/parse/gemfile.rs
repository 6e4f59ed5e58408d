//! `Gemfile` / `gems.rb`: Bundler's Ruby DSL, read as text and never evaluated.
//!
//! The file is tokenized ([`lexer`]) and split into statements; blocks
//! (`do ... end`, `{ ... }`, `if ... end`) are tracked on a stack so that a
//! `gem` knows the `group`s it sits in. Conditionals are not evaluated: both
//! branches of an `if ENV[...]` are read. Unbalanced blocks never fail the
//! file; only literals that never end are errors.

mod lexer;

use lexer::{Kind, Token};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// Blocks nested deeper than this still balance but add no groups.
const MAX_BLOCK_DEPTH: usize = 256;
/// At most this many distinct groups are kept for one gem.
const MAX_GROUPS: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gem {
    /// The name as written (`"rails"`).
    pub name: String,
    /// The span of the name's string literal.
    pub span: Span,
    /// Version requirements (`"~> 7.1"`, `">= 1.1"`).
    pub requirements: Vec<String>,
    /// Every group the gem belongs to: those of enclosing `group` blocks and
    /// its own `group:`/`groups:` option. Empty means Bundler's default group.
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Gemfile {
    pub gems: Vec<Gem>,
    /// Where `gemspec` is called: the directory holds a gem's own gemspec.
    pub gemspec: Option<Span>,
    /// Lines that could not be read; the rest of the file still was.
    pub errors: Vec<ParseError>,
}

pub fn parse(src: &SourceFile) -> Gemfile {
    let (tokens, errors) = lexer::tokenize(src);
    let mut reader = Reader::default();
    for token in &tokens {
        reader.token(token);
    }
    reader.finish(None);
    Gemfile {
        gems: reader.gems,
        gemspec: reader.gemspec,
        errors,
    }
}

/// What closes a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closer {
    End,
    Brace,
}

/// A block the reader is inside, with the groups in force in it.
#[derive(Debug)]
struct Frame {
    closer: Closer,
    groups: Vec<String>,
}

/// An open bracket or keyword inside one statement: while any is open,
/// newlines do not end the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nest {
    Paren,
    Bracket,
    Brace,
    /// A `do` or keyword block inside an expression, closed by `end`.
    End,
}

/// Where the reader is with a block's `|params|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Params {
    #[default]
    None,
    /// A block just opened: a `|` here starts its parameters.
    Expected,
    Inside,
}

/// Keywords that open a block closed by `end` when they start a statement.
const BLOCK_KEYWORDS: &[&str] = &[
    "if", "unless", "while", "until", "case", "begin", "def", "class", "module", "for",
];
/// Keywords that are statement modifiers (`gem "x" if y`) unless they start one.
const MODIFIER_KEYWORDS: &[&str] = &["if", "unless", "while", "until", "rescue"];
/// Keywords that end the statement before them (`if x then gem "a" else ...`).
const SEPARATOR_KEYWORDS: &[&str] = &["then", "else", "elsif", "when", "rescue", "ensure"];

#[derive(Default)]
struct Reader<'t> {
    frames: Vec<Frame>,
    /// Blocks opened beyond [`MAX_BLOCK_DEPTH`], still to be closed.
    overflow: usize,
    statement: Vec<&'t Token>,
    nest: Vec<Nest>,
    /// After `->`: the next `{` or `do` is the lambda's body, not a block.
    lambda: bool,
    params: Params,
    /// The previous token closed a block: a modifier may follow (`end while x`).
    closed_block: bool,
    gems: Vec<Gem>,
    gemspec: Option<Span>,
}

impl<'t> Reader<'t> {
    fn token(&mut self, token: &'t Token) {
        let closed_block = std::mem::take(&mut self.closed_block);
        match self.params {
            Params::Expected => {
                self.params = Params::None;
                if token.kind == Kind::Pipe {
                    self.params = Params::Inside;
                    return;
                }
            }
            Params::Inside => {
                if matches!(token.kind, Kind::Pipe | Kind::Newline) {
                    self.params = Params::None;
                }
                return;
            }
            Params::None => {}
        }
        if let Some(word) = token.word() {
            if closed_block && MODIFIER_KEYWORDS.contains(&word) {
                // `end while x`: the condition is an expression, not a block.
                return;
            }
            self.word(word, token);
            return;
        }
        match &token.kind {
            Kind::Newline => {
                if self.nest.is_empty() && !continues(&self.statement) {
                    self.finish(None);
                }
            }
            Kind::Semicolon => {
                if self.nest.is_empty() {
                    self.finish(None);
                }
            }
            Kind::Lambda => {
                self.lambda = true;
                self.statement.push(token);
            }
            Kind::Open(b'{') => {
                if std::mem::take(&mut self.lambda) || !self.nest.is_empty() {
                    self.nest.push(Nest::Brace);
                    self.statement.push(token);
                } else if self.statement.last().is_some_and(ends_operand) {
                    self.finish(Some(Closer::Brace));
                } else {
                    self.nest.push(Nest::Brace);
                    self.statement.push(token);
                }
            }
            Kind::Open(open) => {
                self.nest.push(if *open == b'(' {
                    Nest::Paren
                } else {
                    Nest::Bracket
                });
                self.statement.push(token);
            }
            Kind::Close(close) => {
                let want = match close {
                    b')' => Nest::Paren,
                    b']' => Nest::Bracket,
                    _ => Nest::Brace,
                };
                if let Some(i) = self.nest.iter().rposition(|n| *n == want) {
                    self.nest.truncate(i);
                    self.statement.push(token);
                } else if want == Nest::Brace {
                    // A block's closing brace; whatever is still open in the
                    // statement was never closed.
                    self.nest.clear();
                    self.finish(None);
                    self.close(Closer::Brace);
                    self.closed_block = true;
                }
            }
            _ => self.statement.push(token),
        }
    }

    /// An identifier not after a `.`: keywords steer blocks and statements.
    fn word(&mut self, word: &str, token: &'t Token) {
        let at_start = self.statement.is_empty() && self.nest.is_empty();
        match word {
            "do" => {
                if std::mem::take(&mut self.lambda) || !self.nest.is_empty() {
                    self.nest.push(Nest::End);
                } else {
                    self.finish(Some(Closer::End));
                }
            }
            "end" => {
                if let Some(i) = self.nest.iter().rposition(|n| *n == Nest::End) {
                    self.nest.truncate(i);
                } else {
                    self.nest.clear();
                    self.finish(None);
                    self.close(Closer::End);
                    self.closed_block = true;
                }
            }
            _ if SEPARATOR_KEYWORDS.contains(&word) && self.nest.is_empty() => {
                self.finish(None);
            }
            _ if BLOCK_KEYWORDS.contains(&word) && !at_start => {
                let modifier = MODIFIER_KEYWORDS.contains(&word)
                    && self.statement.last().is_some_and(ends_operand);
                if !modifier {
                    // `x = if ...`, `foo(case y ... end)`: a block inside the
                    // statement, which goes on until its `end`.
                    self.nest.push(Nest::End);
                }
                self.statement.push(token);
            }
            _ => self.statement.push(token),
        }
    }

    /// End the current statement; `opener` says it opens a block.
    fn finish(&mut self, opener: Option<Closer>) {
        let statement = std::mem::take(&mut self.statement);
        self.lambda = false;
        let head = statement.first().and_then(|t| t.word());
        if head.is_some_and(|w| BLOCK_KEYWORDS.contains(&w)) {
            // `while x do`: the `do` belongs to the loop; one block either way.
            self.open(Closer::End, &[]);
            return;
        }
        let mut added: Vec<String> = Vec::new();
        match head {
            Some("gem") => self.gem(&statement),
            Some("gemspec") => {
                if let Some(first) = statement.first() {
                    self.gemspec.get_or_insert(first.span);
                }
            }
            Some("group") if opener.is_some() => {
                for arg in call_args(&statement) {
                    added.extend(names(arg));
                }
            }
            _ => {}
        }
        if let Some(closer) = opener {
            self.open(closer, &added);
            self.params = Params::Expected;
        }
    }

    fn open(&mut self, closer: Closer, added: &[String]) {
        if self.frames.len() >= MAX_BLOCK_DEPTH {
            self.overflow += 1;
            return;
        }
        let mut groups = self.groups().to_vec();
        merge_groups(&mut groups, added.iter().cloned());
        self.frames.push(Frame { closer, groups });
    }

    /// Close the innermost block `closer` ends; blocks opened inside it and
    /// never closed are closed with it. A closer with no block is ignored.
    fn close(&mut self, closer: Closer) {
        if self.overflow > 0 {
            self.overflow -= 1;
        } else if let Some(i) = self.frames.iter().rposition(|f| f.closer == closer) {
            self.frames.truncate(i);
        }
    }

    fn groups(&self) -> &[String] {
        self.frames.last().map_or(&[], |f| f.groups.as_slice())
    }

    /// `gem "name", "req"..., group: ..., other: ...`.
    fn gem(&mut self, statement: &[&Token]) {
        let args = call_args(statement);
        let Some((first, rest)) = args.split_first() else {
            return;
        };
        let [name_token] = first else {
            return;
        };
        let Kind::Str(Some(name)) = &name_token.kind else {
            return;
        };
        if name.trim().is_empty() {
            return;
        }
        let mut gem = Gem {
            name: name.trim().to_string(),
            span: name_token.span,
            requirements: Vec::new(),
            groups: self.groups().to_vec(),
        };
        let mut options_started = false;
        for arg in rest {
            match arg {
                [token] if !options_started => {
                    if let Kind::Str(Some(requirement)) = &token.kind {
                        gem.requirements.push(requirement.clone());
                    }
                }
                // A trailing hash written with braces: `gem "x", { group: :test }`.
                [open, inner @ .., close]
                    if open.kind == Kind::Open(b'{') && close.kind == Kind::Close(b'}') =>
                {
                    options_started = true;
                    for option in split_commas(inner) {
                        group_option(option, &mut gem.groups);
                    }
                }
                _ => {
                    options_started = true;
                    group_option(arg, &mut gem.groups);
                }
            }
        }
        self.gems.push(gem);
    }
}

/// Whether a statement ending in `last` goes on on the next line.
fn continues(statement: &[&Token]) -> bool {
    statement.last().is_some_and(|last| match &last.kind {
        Kind::Comma
        | Kind::Arrow
        | Kind::Lambda
        | Kind::Dot
        | Kind::Op
        | Kind::Pipe
        | Kind::Label(_) => true,
        Kind::Ident(word) => !last.after_dot && matches!(word.as_str(), "and" | "or" | "not"),
        _ => false,
    })
}

/// Whether `token` can end an operand, so that a `{` after it opens a block
/// (`group(:test) {`, `list.each {`) rather than a hash.
fn ends_operand(token: &&Token) -> bool {
    match &token.kind {
        Kind::Close(b')' | b']') | Kind::Str(_) | Kind::Symbol(_) | Kind::Words(_) => true,
        Kind::Ident(word) => token.after_dot || !is_keyword(word),
        _ => false,
    }
}

fn is_keyword(word: &str) -> bool {
    BLOCK_KEYWORDS.contains(&word)
        || SEPARATOR_KEYWORDS.contains(&word)
        || matches!(
            word,
            "do" | "end" | "and" | "or" | "not" | "return" | "in" | "yield"
        )
}

/// The arguments of the call a statement starts with: inside its parentheses
/// if it has them, else up to a modifier (`if`, `unless`...), split on commas.
fn call_args<'a, 't>(statement: &'a [&'t Token]) -> Vec<&'a [&'t Token]> {
    let Some((_, rest)) = statement.split_first() else {
        return Vec::new();
    };
    let mut depth = 0usize;
    let mut end = rest.len();
    let mut start = 0;
    if rest.first().is_some_and(|t| t.kind == Kind::Open(b'(')) {
        start = 1;
    }
    for (i, token) in rest.iter().enumerate().skip(start) {
        match &token.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) if depth == 0 => {
                end = i;
                break;
            }
            Kind::Close(_) => depth -= 1,
            _ if depth == 0 && token.word().is_some_and(|w| MODIFIER_KEYWORDS.contains(&w)) => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    rest.get(start..end).map(split_commas).unwrap_or_default()
}

/// Split tokens on the commas outside brackets; empty pieces are dropped.
fn split_commas<'a, 't>(tokens: &'a [&'t Token]) -> Vec<&'a [&'t Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => depth = depth.saturating_sub(1),
            Kind::Comma if depth == 0 => {
                if let Some(piece) = tokens.get(start..i).filter(|p| !p.is_empty()) {
                    out.push(piece);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    if let Some(piece) = tokens.get(start..).filter(|p| !p.is_empty()) {
        out.push(piece);
    }
    out
}

/// The names an argument spells: `:test`, `"test"`, `%i[a b]`, `[:a, "b"]`.
fn names(arg: &[&Token]) -> Vec<String> {
    let mut out = Vec::new();
    let items: &[&Token] = match arg {
        [open, inner @ .., close]
            if open.kind == Kind::Open(b'[') && close.kind == Kind::Close(b']') =>
        {
            inner
        }
        [_] => arg,
        _ => return out,
    };
    for piece in split_commas(items) {
        if let [token] = piece {
            match &token.kind {
                Kind::Symbol(Some(name)) | Kind::Str(Some(name)) => out.push(name.clone()),
                Kind::Words(words) => out.extend(words.iter().cloned()),
                _ => {}
            }
        }
    }
    out
}

/// If `option` is `group: ...`, `groups: ...` or `:group => ...`, add its groups.
fn group_option(option: &[&Token], groups: &mut Vec<String>) {
    let (key, value) = match option {
        [first, value @ ..] if matches!(&first.kind, Kind::Label(_)) => {
            let Kind::Label(key) = &first.kind else {
                return;
            };
            (key.as_str(), value)
        }
        [first, arrow, value @ ..] if arrow.kind == Kind::Arrow => match &first.kind {
            Kind::Symbol(Some(key)) | Kind::Str(Some(key)) => (key.as_str(), value),
            _ => return,
        },
        _ => return,
    };
    if key == "group" || key == "groups" {
        merge_groups(groups, names(value));
    }
}

/// Add groups not yet present, up to [`MAX_GROUPS`].
fn merge_groups(groups: &mut Vec<String>, added: impl IntoIterator<Item = String>) {
    for group in added {
        if groups.len() >= MAX_GROUPS {
            return;
        }
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
}

#[cfg(test)]
mod tests;
