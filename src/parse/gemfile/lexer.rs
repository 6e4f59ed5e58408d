//! Tokens of Ruby source, as far as reading a Gemfile needs them.
//!
//! The lexer knows Ruby's literal syntax well enough to never mistake the
//! inside of a literal for code: strings with `#{}` interpolation (nested
//! quotes included), `%w[]`-style percent literals, regexps, heredocs,
//! `=begin`/`=end` comments, `__END__`, symbols and `key:` labels. Everything
//! else is reduced to punctuation and operators. A literal that never ends is
//! a [`ParseError`]; lexing resumes on the next line so the rest of the file
//! is still read.

mod literals;

use literals::unescape;

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword (`gem`, `group`, `do`, `Gem`).
    Ident(String),
    /// `name:` in a hash or keyword argument (the name, without the colon).
    Label(String),
    /// `:name` or `:"name"`; `None` when the name is interpolated.
    Symbol(Option<String>),
    /// A string literal's value; `None` when interpolated (or a heredoc).
    Str(Option<String>),
    /// `%w[a b]` or `%i[a b]`.
    Words(Vec<String>),
    /// Any other operand: numbers, regexps, variables, character literals.
    Value,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    Comma,
    /// `=>`.
    Arrow,
    /// `->`.
    Lambda,
    /// `.`, `&.` or `::`: the next identifier is a method or constant name.
    Dot,
    /// `|` (block parameters or bitwise or).
    Pipe,
    /// Any other operator character.
    Op,
    Newline,
    Semicolon,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
    /// Preceded by `.`/`::`: an identifier here is a method name, never a keyword.
    pub after_dot: bool,
}

impl Token {
    /// The identifier's text, if this is an identifier used as a keyword or
    /// bare call (not after a `.`).
    pub fn word(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ident(text) if !self.after_dot => Some(text),
            _ => None,
        }
    }
}

/// Keywords after which an operand (not an operator) follows.
const OPERAND_KEYWORDS: &[&str] = &[
    "if", "unless", "while", "until", "when", "in", "and", "or", "not", "return", "then", "else",
    "elsif", "do", "case", "yield",
];

/// A heredoc whose body starts on the next line.
struct PendingHeredoc {
    terminator: String,
    /// `<<~` and `<<-` allow the terminator to be indented.
    indented: bool,
    opener: Span,
}

pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    heredocs: Vec<PendingHeredoc>,
    errors: Vec<ParseError>,
    unterminated: u32,
    /// A `/` before this offset is division: a regexp scan already failed on
    /// this line (scanning again for every `/` would be quadratic).
    no_regexp_before: usize,
    /// The last line end found, and the offset it was searched from: every
    /// offset between them has the same line end (saves rescanning long lines).
    line_end_cache: Option<(usize, usize)>,
}

/// Tokens of `src` and the errors met on the way.
pub fn tokenize(src: &SourceFile) -> (Vec<Token>, Vec<ParseError>) {
    let mut lexer = Lexer {
        text: &src.text,
        bytes: src.text.as_bytes(),
        pos: src.body_offset(),
        tokens: Vec::new(),
        heredocs: Vec::new(),
        errors: Vec::new(),
        unterminated: 0,
        no_regexp_before: 0,
        line_end_cache: None,
    };
    lexer.run();
    (lexer.tokens, lexer.errors)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        let after_dot = matches!(self.tokens.last(), Some(t) if t.kind == Kind::Dot);
        self.tokens.push(Token {
            kind,
            span: Span::new(start, end),
            after_dot,
        });
    }

    fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.errors.push(ParseError::new(offset, message));
    }

    /// The offset of the end of the line holding `offset` (its `\n`, or EOF).
    fn line_end(&mut self, offset: usize) -> usize {
        if let Some((from, end)) = self.line_end_cache
            && from <= offset
            && offset <= end
        {
            return end;
        }
        let end = self
            .bytes
            .get(offset..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| offset + i);
        self.line_end_cache = Some((offset, end));
        end
    }

    /// Whether an operand may start here (so `/`, `%`, `?` and `<<` begin
    /// literals rather than being operators). After an identifier, Ruby
    /// reads `foo /x/` as a call with a regexp, but `foo / x` as division.
    fn operand_expected(&self, at: usize) -> bool {
        let Some(prev) = self.tokens.last() else {
            return true;
        };
        match &prev.kind {
            Kind::Ident(word) => {
                if !prev.after_dot && OPERAND_KEYWORDS.contains(&word.as_str()) {
                    return true;
                }
                let space_before = prev.span.end < at;
                let space_after = matches!(self.at(at + 1), b' ' | b'\t' | b'\n' | b'\r' | 0);
                space_before && !space_after
            }
            Kind::Symbol(_)
            | Kind::Str(_)
            | Kind::Words(_)
            | Kind::Value
            | Kind::Close(_)
            | Kind::Dot => false,
            _ => true,
        }
    }

    fn run(&mut self) {
        self.line_start();
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.at(start);
            match b {
                b' ' | b'\t' | b'\r' | 0x0c | 0x0b => self.pos += 1,
                b'\\' if self.at(start + 1) == b'\n' => self.pos += 2,
                b'\\' if self.at(start + 1) == b'\r' && self.at(start + 2) == b'\n' => {
                    self.pos += 3;
                }
                b'\n' => {
                    self.push(Kind::Newline, start, start + 1);
                    self.pos += 1;
                    self.heredoc_bodies();
                    self.line_start();
                }
                b'#' => self.pos = self.line_end(start),
                b';' => self.single(Kind::Semicolon),
                b',' => self.single(Kind::Comma),
                b'(' | b'[' | b'{' => self.single(Kind::Open(b)),
                b')' | b']' | b'}' => self.single(Kind::Close(b)),
                b'"' | b'`' => self.string(start, b, true),
                b'\'' => self.string(start, b'\'', false),
                b':' => self.colon(start),
                b'%' if self.operand_expected(start) && self.percent(start) => {}
                b'/' if self.operand_expected(start) && self.regexp(start) => {}
                b'?' if self.operand_expected(start) && self.char_literal(start) => {}
                b'<' if self.at(start + 1) == b'<' && self.heredoc(start) => {}
                b'=' if self.at(start + 1) == b'>' => self.double(Kind::Arrow),
                b'-' if self.at(start + 1) == b'>' => self.double(Kind::Lambda),
                b'&' if self.at(start + 1) == b'.' => self.double(Kind::Dot),
                b'.' if self.at(start + 1) != b'.' => self.single(Kind::Dot),
                b'|' if self.at(start + 1) == b'|' => self.double(Kind::Op),
                b'|' => self.single(Kind::Pipe),
                b'@' | b'$' => self.variable(start),
                b'0'..=b'9' => self.number(start),
                _ if is_ident_start(b) => self.identifier(start),
                _ => self.single(Kind::Op),
            }
        }
        if let Some(pending) = self.heredocs.first() {
            let (offset, terminator) = (pending.opener.start, pending.terminator.clone());
            self.error(
                offset,
                format!("unterminated heredoc: no line `{terminator}` ends it"),
            );
        }
    }

    fn single(&mut self, kind: Kind) {
        self.push(kind, self.pos, self.pos + 1);
        self.pos += 1;
    }

    fn double(&mut self, kind: Kind) {
        self.push(kind, self.pos, self.pos + 2);
        self.pos += 2;
    }

    /// Constructs recognised only at the start of a line: `=begin` comments
    /// and the `__END__` marker after which nothing is code.
    fn line_start(&mut self) {
        let start = self.pos;
        let end = self.line_end(start);
        let line = self.slice(start, end).trim_end_matches('\r');
        if line == "__END__" {
            self.pos = self.bytes.len();
        } else if line == "=begin" || line.starts_with("=begin ") || line.starts_with("=begin\t") {
            let mut cursor = start;
            loop {
                let next = self.line_end(cursor) + 1;
                if next >= self.bytes.len() {
                    self.error(start, "unterminated `=begin` comment: no `=end` line");
                    self.pos = self.bytes.len();
                    return;
                }
                cursor = next;
                let end = self.line_end(cursor);
                if self.slice(cursor, end).starts_with("=end") {
                    self.pos = self.line_end(cursor);
                    return;
                }
            }
        }
    }

    /// `?a` or `?\n`, so that `?"` is not read as a string.
    fn char_literal(&mut self, start: usize) -> bool {
        let c = self.at(start + 1);
        let end = if c == b'\\' {
            start + 3
        } else if c == 0 || c.is_ascii_whitespace() || c >= 0x80 {
            return false;
        } else {
            start + 2
        };
        if is_ident_char(self.at(end)) || end > self.bytes.len() {
            return false;
        }
        self.push(Kind::Value, start, end);
        self.pos = end;
        true
    }

    /// `:name`, `:"name"`, `::` or a lone `:` (ternary).
    fn colon(&mut self, start: usize) {
        let next = self.at(start + 1);
        if next == b':' {
            self.double(Kind::Dot);
        } else if next == b'"' || next == b'\'' {
            match self.delimited(start + 2, (next, next), next == b'"', 0, self.bytes.len()) {
                Some((end, interpolated)) => {
                    let value = (!interpolated).then(|| unescape(self.slice(start + 2, end - 1)));
                    self.push(Kind::Symbol(value), start, end);
                    self.pos = end;
                }
                None => self.unterminated(start, "unterminated symbol"),
            }
        } else if is_ident_start(next) {
            let mut end = start + 1;
            while is_ident_char(self.at(end)) {
                end += 1;
            }
            // `:name?`, `:name!` and the setter `:name=` (but `:name=>` is a key).
            let suffix = self.at(end);
            let after = self.at(end + 1);
            if matches!(suffix, b'?' | b'!') && after != b'='
                || suffix == b'=' && matches!(after, b' ' | b'\t' | b',' | b')' | b']' | b'\n' | 0)
            {
                end += 1;
            }
            let name = self.slice(start + 1, end).to_string();
            self.push(Kind::Symbol(Some(name)), start, end);
            self.pos = end;
        } else {
            self.single(Kind::Op);
        }
    }

    /// `@ivar`, `@@cvar`, `$global`, `$0`, `$"`.
    fn variable(&mut self, start: usize) {
        let mut end = start + 1;
        if self.at(end) == b'@' {
            end += 1;
        }
        if is_ident_char(self.at(end)) {
            while is_ident_char(self.at(end)) {
                end += 1;
            }
        } else if self.at(start) == b'$' && self.at(end).is_ascii_punctuation() {
            end += 1;
        }
        self.push(Kind::Value, start, end);
        self.pos = end;
    }

    fn number(&mut self, start: usize) {
        let mut end = start;
        while is_ident_char(self.at(end))
            || self.at(end) == b'.' && self.at(end + 1).is_ascii_digit()
        {
            end += 1;
        }
        self.push(Kind::Value, start, end);
        self.pos = end;
    }

    /// An identifier, keyword, or `name:` label.
    fn identifier(&mut self, start: usize) {
        let mut end = start;
        while is_ident_char(self.at(end)) {
            end += 1;
        }
        if matches!(self.at(end), b'?' | b'!') && !matches!(self.at(end + 1), b'=' | b':') {
            end += 1;
        }
        let name = self.slice(start, end).to_string();
        if self.at(end) == b':' && self.at(end + 1) != b':' {
            self.push(Kind::Label(name), start, end + 1);
            self.pos = end + 1;
        } else {
            self.push(Kind::Ident(name), start, end);
            self.pos = end;
        }
    }
}

#[cfg(test)]
mod tests;
