//! Tokens of Elixir source, as far as reading a `mix.exs` needs them.
//!
//! Literals are skipped whole so that nothing inside them is taken for code:
//! strings and charlists (with `#{}` interpolation), `"""` heredocs, sigils
//! with any of their eight delimiters, quoted atoms and `?{`-style character
//! literals. Everything else is reduced to identifiers, atoms, `key:` labels,
//! brackets and operators. A literal that never ends is a [`ParseError`];
//! lexing resumes on the next line so the rest of the file is still read.

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// Interpolations nest (`"#{"#{x}"}"`); deeper than this is treated as an
/// unterminated literal rather than recursed into.
const MAX_INTERPOLATION_DEPTH: u32 = 16;
/// Each unterminated literal costs a scan to the end of the file; after this
/// many the rest of the file is skipped, which keeps hostile input linear.
const MAX_UNTERMINATED: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, keyword or alias (`deps`, `do`, `Mix`).
    Ident(String),
    /// `key:` in a keyword list (the key, without the colon).
    Label(String),
    /// `:name` or `:"name"`; `None` when interpolated.
    Atom(Option<String>),
    /// A string or charlist's value; `None` when interpolated or a heredoc.
    Str(Option<String>),
    /// `~w(a b)`: the words.
    Words(Vec<String>),
    /// A module attribute, `@name` (the name).
    Attribute(String),
    /// Any other operand: numbers, sigils, character literals.
    Value,
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    Comma,
    Newline,
    /// Any other operator character.
    Op,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Span,
}

impl Token {
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            Kind::Ident(name) => Some(name),
            _ => None,
        }
    }
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<ParseError>,
    unterminated: u32,
}

/// Tokens of `src` and the errors met on the way.
pub fn tokenize(src: &SourceFile) -> (Vec<Token>, Vec<ParseError>) {
    let mut lexer = Lexer {
        text: &src.text,
        bytes: src.text.as_bytes(),
        pos: src.body_offset(),
        tokens: Vec::new(),
        errors: Vec::new(),
        unterminated: 0,
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

/// Sigils may be delimited by any of these (heredoc sigils use `"""`/`'''`).
fn sigil_closing(open: u8) -> Option<u8> {
    match open {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        b'<' => Some(b'>'),
        b'/' | b'|' | b'"' | b'\'' => Some(open),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    fn at(&self, i: usize) -> u8 {
        self.bytes.get(i).copied().unwrap_or(0)
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn push(&mut self, kind: Kind, start: usize, end: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, end),
        });
        self.pos = end;
    }

    fn line_end(&self, offset: usize) -> usize {
        self.bytes
            .get(offset..)
            .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
            .map_or(self.bytes.len(), |i| offset + i)
    }

    /// Length in bytes of the character at `offset` (1 past the end).
    fn char_len(&self, offset: usize) -> usize {
        self.text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let b = self.at(start);
            match b {
                b' ' | b'\t' | b'\r' | 0x0c | 0x0b => self.pos += 1,
                b'\\' if self.at(start + 1) == b'\n' => self.pos += 2,
                b'\n' => self.push(Kind::Newline, start, start + 1),
                b'#' => self.pos = self.line_end(start),
                b',' => self.push(Kind::Comma, start, start + 1),
                b'(' | b'[' | b'{' => self.push(Kind::Open(b), start, start + 1),
                b')' | b']' | b'}' => self.push(Kind::Close(b), start, start + 1),
                b'"' | b'\'' => self.string(start),
                b':' => self.colon(start),
                b'~' => self.sigil(start),
                b'?' => {
                    // A character literal: `?a`, `?{`, `?\n`.
                    let mut end = start + 1;
                    if self.at(end) == b'\\' {
                        end += 1;
                    }
                    end += self.char_len(end);
                    self.push(Kind::Value, start, end.min(self.bytes.len()));
                }
                b'@' => {
                    let mut end = start + 1;
                    while is_ident_char(self.at(end)) {
                        end += 1;
                    }
                    let name = self.slice(start + 1, end).to_string();
                    self.push(Kind::Attribute(name), start, end);
                }
                b'0'..=b'9' => {
                    let mut end = start;
                    while is_ident_char(self.at(end))
                        || self.at(end) == b'.' && self.at(end + 1).is_ascii_digit()
                    {
                        end += 1;
                    }
                    self.push(Kind::Value, start, end);
                }
                _ if is_ident_start(b) => self.identifier(start),
                _ => self.push(Kind::Op, start, start + 1),
            }
        }
    }

    /// Report a literal that never ends; resume on the next line, unless too
    /// many did: then the rest of the file is skipped.
    fn unterminated(&mut self, start: usize, message: &str) {
        self.errors.push(ParseError::new(start, message));
        self.unterminated += 1;
        if self.unterminated >= MAX_UNTERMINATED {
            self.errors.push(ParseError::new(
                start,
                format!(
                    "more than {MAX_UNTERMINATED} unterminated literals; the rest of the file is not read"
                ),
            ));
            self.pos = self.bytes.len();
        } else {
            self.pos = self.line_end(start);
        }
    }

    /// `"..."`, `'...'`, or a `"""`/`'''` heredoc; a string directly followed
    /// by `: ` is a quoted keyword key.
    fn string(&mut self, start: usize) {
        let quote = self.at(start);
        if self.at(start + 1) == quote && self.at(start + 2) == quote {
            match self.heredoc_end(start + 3, quote) {
                Some(end) => self.push(Kind::Str(None), start, end),
                None => self.unterminated(start, "unterminated heredoc"),
            }
            return;
        }
        let Some((end, interpolated)) = self.delimited(start + 1, quote, true, 0) else {
            self.unterminated(start, "unterminated string");
            return;
        };
        let value = (!interpolated).then(|| unescape(self.slice(start + 1, end - 1)));
        if self.at(end) == b':' && matches!(self.at(end + 1), b' ' | b'\t' | b'\n' | b'\r') {
            let key = value.unwrap_or_default();
            self.push(Kind::Label(key), start, end + 1);
        } else {
            self.push(Kind::Str(value), start, end);
        }
    }

    /// The end of a heredoc whose body starts at `from`: after the line that
    /// holds only the closing triple quote (indentation allowed).
    fn heredoc_end(&self, from: usize, quote: u8) -> Option<usize> {
        let closing = [quote; 3];
        // The body starts on the line after the opening quotes.
        let mut cursor = self.line_end(from) + 1;
        while cursor < self.bytes.len() {
            let end = self.line_end(cursor);
            let line = self.bytes.get(cursor..end).unwrap_or_default();
            let indent = line
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
            if line.get(indent..indent + 3) == Some(&closing[..]) {
                return Some(cursor + indent + 3);
            }
            cursor = end + 1;
        }
        None
    }

    /// Scan a body from `from` to its unescaped `close`. Returns the offset
    /// after `close` and whether it holds an interpolation.
    fn delimited(
        &self,
        from: usize,
        close: u8,
        interpolate: bool,
        depth: u32,
    ) -> Option<(usize, bool)> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return None;
        }
        let mut cursor = from;
        let mut interpolated = false;
        while cursor < self.bytes.len() {
            let b = self.at(cursor);
            if b == b'\\' {
                cursor += 2;
            } else if interpolate && b == b'#' && self.at(cursor + 1) == b'{' {
                cursor = self.interpolation(cursor + 2, depth + 1)?;
                interpolated = true;
            } else if b == close {
                return Some((cursor + 1, interpolated));
            } else {
                cursor += 1;
            }
        }
        None
    }

    /// Skip the code of a `#{...}` from `from`; the offset after its `}`.
    fn interpolation(&self, from: usize, depth: u32) -> Option<usize> {
        let mut cursor = from;
        let mut braces = 0usize;
        while cursor < self.bytes.len() {
            match self.at(cursor) {
                b'\\' => cursor += 2,
                quote @ (b'"' | b'\'') => {
                    cursor = self.delimited(cursor + 1, quote, true, depth)?.0;
                }
                b'?' => cursor += 2,
                b'{' => {
                    braces += 1;
                    cursor += 1;
                }
                b'}' if braces == 0 => return Some(cursor + 1),
                b'}' => {
                    braces -= 1;
                    cursor += 1;
                }
                _ => cursor += 1,
            }
        }
        None
    }

    /// `~r/.../i`, `~w(a b)a`, `~S"""..."""`, `~HTML{...}`.
    fn sigil(&mut self, start: usize) {
        let mut cursor = start + 1;
        let first = self.at(cursor);
        if first.is_ascii_lowercase() {
            cursor += 1;
        } else if first.is_ascii_uppercase() {
            while self.at(cursor).is_ascii_uppercase() || self.at(cursor).is_ascii_digit() {
                cursor += 1;
            }
        } else {
            self.push(Kind::Op, start, start + 1);
            return;
        }
        let open = self.at(cursor);
        let Some(close) = sigil_closing(open) else {
            // `~` followed by a letter but no delimiter: an operator (`~>`
            // never reaches here; this is not valid Elixir anyway).
            self.push(Kind::Op, start, start + 1);
            return;
        };
        let interpolate = first.is_ascii_lowercase();
        let heredoc = matches!(open, b'"' | b'\'')
            && self.at(cursor + 1) == open
            && self.at(cursor + 2) == open;
        let scanned = if heredoc {
            self.heredoc_end(cursor + 3, open).map(|end| (end, true))
        } else {
            self.delimited(cursor + 1, close, interpolate, 0)
        };
        let Some((mut end, interpolated)) = scanned else {
            self.unterminated(start, "unterminated sigil");
            return;
        };
        let body = self.slice(cursor + 1, end - 1);
        let words = matches!(first, b'w' | b'W') && !heredoc && !interpolated;
        while self.at(end).is_ascii_alphabetic() {
            end += 1;
        }
        let kind = if words {
            Kind::Words(body.split_whitespace().map(str::to_string).collect())
        } else {
            Kind::Value
        };
        self.push(kind, start, end);
    }

    /// `:atom`, `:"quoted atom"`, `::` or a lone `:`.
    fn colon(&mut self, start: usize) {
        let next = self.at(start + 1);
        if next == b':' {
            self.push(Kind::Op, start, start + 2);
        } else if next == b'"' || next == b'\'' {
            match self.delimited(start + 2, next, true, 0) {
                Some((end, interpolated)) => {
                    let value = (!interpolated).then(|| unescape(self.slice(start + 2, end - 1)));
                    self.push(Kind::Atom(value), start, end);
                }
                None => self.unterminated(start, "unterminated atom"),
            }
        } else if is_ident_start(next) {
            let mut end = start + 1;
            // `:Elixir.Foo.Bar` and `:foo@host` are single atoms.
            while is_ident_char(self.at(end)) || matches!(self.at(end), b'.' | b'@') {
                end += 1;
            }
            if matches!(self.at(end), b'?' | b'!') {
                end += 1;
            }
            let name = self.slice(start + 1, end).to_string();
            self.push(Kind::Atom(Some(name)), start, end);
        } else {
            self.push(Kind::Op, start, start + 1);
        }
    }

    /// An identifier, keyword or alias, or a `key:` label.
    fn identifier(&mut self, start: usize) {
        let mut end = start;
        while is_ident_char(self.at(end)) {
            end += 1;
        }
        if matches!(self.at(end), b'?' | b'!') {
            end += 1;
        }
        let name = self.slice(start, end).to_string();
        if self.at(end) == b':' && self.at(end + 1) != b':' {
            self.push(Kind::Label(name), start, end + 1);
        } else {
            self.push(Kind::Ident(name), start, end);
        }
    }
}

/// A literal's text with backslash escapes reduced to the escaped character.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        let src = SourceFile::new("mix.exs", text);
        let (tokens, errors) = tokenize(&src);
        assert!(errors.is_empty(), "{errors:?}");
        tokens.into_iter().map(|t| t.kind).collect()
    }

    fn atom(s: &str) -> Kind {
        Kind::Atom(Some(s.to_string()))
    }

    #[test]
    fn braces_inside_literals_are_not_code() {
        let text = r##"{:a, ~r/{/, "}#{"{"}", ?{, ~s(}), '}', ~S"""
}
"""}"##;
        let opens = kinds(text)
            .iter()
            .filter(|k| matches!(k, Kind::Open(_) | Kind::Close(_)))
            .count();
        assert_eq!(opens, 2);
    }

    #[test]
    fn labels_atoms_and_words() {
        assert_eq!(
            kinds(r#"only: [:dev, :"my-env"], "quoted key": ~w(a b)a"#),
            vec![
                Kind::Label("only".into()),
                Kind::Open(b'['),
                atom("dev"),
                Kind::Comma,
                atom("my-env"),
                Kind::Close(b']'),
                Kind::Comma,
                Kind::Label("quoted key".into()),
                Kind::Words(vec!["a".into(), "b".into()]),
            ]
        );
    }

    #[test]
    fn comments_and_heredocs_hide_code() {
        let text = "# {:nope, \"1\"}\n@doc \"\"\"\n{:nope\n  \"\"\"\nx";
        assert_eq!(
            kinds(text),
            vec![
                Kind::Newline,
                Kind::Attribute("doc".into()),
                Kind::Str(None),
                Kind::Newline,
                Kind::Ident("x".into())
            ]
        );
    }

    #[test]
    fn unterminated_literals_are_errors_and_lexing_resumes() {
        let src = SourceFile::new("mix.exs", "x = \"open\n{:a, :b}\n");
        let (tokens, errors) = tokenize(&src);
        assert_eq!(errors.len(), 1);
        assert_eq!(src.position(errors[0].offset).line, 1);
        assert!(tokens.iter().any(|t| t.kind == atom("a")));

        let hostile = "~s(\n".repeat(50_000);
        let (_, errors) = tokenize(&SourceFile::new("mix.exs", hostile));
        assert_eq!(errors.len(), MAX_UNTERMINATED as usize + 1);
    }
}
