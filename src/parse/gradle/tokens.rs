//! The token layer of the Gradle script scanner: comments are skipped, strings
//! (`'..'`, `".."`, `'''..'''`, `"""..."""`, with `${...}` templates) become one
//! token each, and brackets are matched into a tree, so that a brace inside a
//! string or a comment never confuses block matching. Groovy and Kotlin share
//! this lexical shape closely enough for reading declarations.

use crate::parse::ParseError;
use crate::source::Span;

/// Brackets nested deeper than this are refused: no real build script comes
/// near it, and the limit bounds every recursion over the tree.
pub const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword; a Kotlin `` `backticked-name` `` without its backticks.
    Ident,
    /// A string literal; `value` is its content with simple escapes decoded and
    /// templates (`$x`, `${x}`) kept as written.
    Str,
    Number,
    /// Any other single character (`.`, `,`, `:`, `=`, `;` ...).
    Punct(char),
    /// A line break outside `()` and `[]`: it may end a statement.
    Newline,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub value: String,
    pub span: Span,
}

/// A token or a bracketed group of trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tree {
    Leaf(Token),
    Group {
        /// `(`, `[` or `{`.
        delimiter: char,
        children: Vec<Tree>,
        span: Span,
    },
}

impl Tree {
    pub fn span(&self) -> Span {
        match self {
            Tree::Leaf(token) => token.span,
            Tree::Group { span, .. } => *span,
        }
    }

    pub fn ident(&self) -> Option<&str> {
        match self {
            Tree::Leaf(Token {
                kind: TokenKind::Ident,
                value,
                ..
            }) => Some(value),
            _ => None,
        }
    }

    pub fn string(&self) -> Option<(&str, Span)> {
        match self {
            Tree::Leaf(Token {
                kind: TokenKind::Str,
                value,
                span,
            }) => Some((value, *span)),
            _ => None,
        }
    }

    pub fn is_punct(&self, c: char) -> bool {
        matches!(self, Tree::Leaf(Token { kind: TokenKind::Punct(p), .. }) if *p == c)
    }

    pub fn is_newline(&self) -> bool {
        matches!(
            self,
            Tree::Leaf(Token {
                kind: TokenKind::Newline,
                ..
            })
        )
    }

    /// The children of a group opened by `delimiter`.
    pub fn group(&self, delimiter: char) -> Option<&[Tree]> {
        match self {
            Tree::Group {
                delimiter: d,
                children,
                ..
            } if *d == delimiter => Some(children),
            _ => None,
        }
    }
}

/// Whether the script is Kotlin (`.kts`): block comments nest there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Groovy,
    Kotlin,
}

/// Scan `text` (which starts at byte `base` of its file) into a token tree.
pub fn tree(text: &str, base: usize, dialect: Dialect) -> Result<Vec<Tree>, ParseError> {
    let tokens = Lexer {
        bytes: text.as_bytes(),
        text,
        pos: 0,
        base,
        dialect,
    }
    .run()?;
    build_tree(tokens)
}

struct Lexer<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    base: usize,
    dialect: Dialect,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(s.as_bytes()))
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.base + start, self.base + self.pos)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        ParseError::new(self.base + at, message)
    }

    fn run(mut self) -> Result<Vec<Token>, ParseError> {
        let mut tokens = Vec::new();
        while let Some(b) = self.peek(0) {
            let start = self.pos;
            match b {
                b'\n' => {
                    self.pos += 1;
                    tokens.push(Token {
                        kind: TokenKind::Newline,
                        value: String::new(),
                        span: self.span(start),
                    });
                }
                b' ' | b'\t' | b'\r' | b'\x0c' => self.pos += 1,
                b'\\' if self.peek(1) == Some(b'\n') => self.pos += 2,
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment()?,
                b'#' if start == 0 && self.peek(1) == Some(b'!') => self.line_comment(),
                b'\'' | b'"' => {
                    let value = self.string()?;
                    tokens.push(Token {
                        kind: TokenKind::Str,
                        value,
                        span: self.span(start),
                    });
                }
                b'`' => {
                    let value = self.backticked()?;
                    tokens.push(Token {
                        kind: TokenKind::Ident,
                        value,
                        span: self.span(start),
                    });
                }
                b'0'..=b'9' => {
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
                    {
                        // `1.2` is one number, `1.toString()` is not worth telling apart.
                        self.pos += 1;
                    }
                    tokens.push(Token {
                        kind: TokenKind::Number,
                        value: self.slice(start, self.pos).to_string(),
                        span: self.span(start),
                    });
                }
                c if is_ident_byte(c) => {
                    while self
                        .peek(0)
                        .is_some_and(|c| is_ident_byte(c) || c.is_ascii_digit())
                    {
                        self.pos += 1;
                    }
                    tokens.push(Token {
                        kind: TokenKind::Ident,
                        value: self.slice(start, self.pos).to_string(),
                        span: self.span(start),
                    });
                }
                c => {
                    self.pos += 1;
                    tokens.push(Token {
                        kind: TokenKind::Punct(char::from(c)),
                        value: String::new(),
                        span: self.span(start),
                    });
                }
            }
        }
        Ok(tokens)
    }

    fn line_comment(&mut self) {
        while self.peek(0).is_some_and(|b| b != b'\n') {
            self.pos += 1;
        }
    }

    fn block_comment(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 2;
        let mut depth = 1usize;
        while depth > 0 {
            if self.starts_with("*/") {
                depth -= 1;
                self.pos += 2;
            } else if self.dialect == Dialect::Kotlin && self.starts_with("/*") {
                depth += 1;
                self.pos += 2;
            } else if self.peek(0).is_some() {
                self.pos += 1;
            } else {
                return Err(self.error(start, "unterminated block comment"));
            }
        }
        Ok(())
    }

    fn backticked(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek(0) {
            match b {
                b'`' => {
                    self.pos += 1;
                    return Ok(self.slice(start + 1, self.pos - 1).to_string());
                }
                b'\n' => break,
                _ => self.pos += 1,
            }
        }
        Err(self.error(start, "unterminated backticked name"))
    }

    /// A string literal starting at the current quote; returns its content.
    fn string(&mut self) -> Result<String, ParseError> {
        self.string_at_depth(0)
    }

    fn string_at_depth(&mut self, depth: usize) -> Result<String, ParseError> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(self.error(start, "string templates nested too deeply"));
        }
        let quote = self.peek(0).unwrap_or(b'"');
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        let delimiter_len = if triple { 3 } else { 1 };
        // Kotlin raw strings have no escapes; Groovy's triple-quoted strings do.
        let escapes = !(triple && self.dialect == Dialect::Kotlin);
        // Groovy and Kotlin expand `$` in double quotes only.
        let templates = quote == b'"';
        self.pos += delimiter_len;
        let mut value = String::new();
        let mut chunk_start = self.pos;
        loop {
            let Some(b) = self.peek(0) else {
                return Err(self.error(start, "unterminated string"));
            };
            if b == quote && (!triple || self.peek(1) == Some(quote) && self.peek(2) == Some(quote))
            {
                value.push_str(self.slice(chunk_start, self.pos));
                self.pos += delimiter_len;
                return Ok(value);
            }
            match b {
                b'\n' if !triple => return Err(self.error(start, "unterminated string")),
                b'\\' if escapes => {
                    value.push_str(self.slice(chunk_start, self.pos));
                    let backslash = self.pos;
                    let escaped = self.peek(1);
                    // Step over the backslash and the whole character after it.
                    self.pos += 2;
                    while self.pos < self.bytes.len() && !self.text.is_char_boundary(self.pos) {
                        self.pos += 1;
                    }
                    self.pos = self.pos.min(self.bytes.len());
                    match escaped {
                        Some(b'n') => value.push('\n'),
                        Some(b't') => value.push('\t'),
                        Some(c @ (b'\\' | b'\'' | b'"' | b'$')) => value.push(char::from(c)),
                        Some(b'\n') => {}
                        // `\uXXXX` and friends are kept as written: no build
                        // coordinate needs them decoded.
                        _ => value.push_str(self.slice(backslash, self.pos)),
                    }
                    chunk_start = self.pos;
                }
                b'$' if templates && self.peek(1) == Some(b'{') => {
                    self.pos += 2;
                    self.template_body(depth)?;
                }
                _ => self.pos += 1,
            }
        }
    }

    /// Skip the body of a `${ ... }` template (the `${` already consumed),
    /// through its closing brace, stepping over nested strings and braces.
    fn template_body(&mut self, depth: usize) -> Result<(), ParseError> {
        let start = self.pos.saturating_sub(2);
        let mut braces = 1usize;
        while let Some(b) = self.peek(0) {
            match b {
                b'{' => {
                    braces += 1;
                    self.pos += 1;
                }
                b'}' => {
                    braces -= 1;
                    self.pos += 1;
                    if braces == 0 {
                        return Ok(());
                    }
                }
                b'\'' | b'"' => {
                    self.string_at_depth(depth + 1)?;
                }
                _ => self.pos += 1,
            }
        }
        Err(self.error(start, "unterminated string template"))
    }
}

fn is_ident_byte(b: u8) -> bool {
    // Bytes of non-ASCII characters count as identifier bytes, so a token
    // never ends inside a UTF-8 sequence.
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Match brackets into groups, without recursion. Line breaks inside `()` and
/// `[]` are dropped: only in blocks and at the top level can they end a statement.
fn build_tree(tokens: Vec<Token>) -> Result<Vec<Tree>, ParseError> {
    // Each open group: its opening token and the children gathered so far.
    let mut stack: Vec<(Token, char, Vec<Tree>)> = Vec::new();
    let mut top: Vec<Tree> = Vec::new();
    for token in tokens {
        match token.kind {
            TokenKind::Punct(open @ ('(' | '[' | '{')) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ParseError::new(
                        token.span.start,
                        format!("brackets nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                stack.push((token, open, Vec::new()));
            }
            TokenKind::Punct(close @ (')' | ']' | '}')) => {
                let Some((open_token, open, children)) = stack.pop() else {
                    return Err(ParseError::new(
                        token.span.start,
                        format!("unexpected '{close}' with no matching opening bracket"),
                    ));
                };
                if closer_of(open) != close {
                    return Err(ParseError::new(
                        token.span.start,
                        format!(
                            "expected '{}' to close the '{open}' on byte {}, found '{close}'",
                            closer_of(open),
                            open_token.span.start
                        ),
                    ));
                }
                let group = Tree::Group {
                    delimiter: open,
                    children,
                    span: Span::new(open_token.span.start, token.span.end),
                };
                match stack.last_mut() {
                    Some((_, _, parent)) => parent.push(group),
                    None => top.push(group),
                }
            }
            TokenKind::Newline if stack.last().is_some_and(|(_, open, _)| *open != '{') => {}
            _ => match stack.last_mut() {
                Some((_, _, children)) => children.push(Tree::Leaf(token)),
                None => top.push(Tree::Leaf(token)),
            },
        }
    }
    match stack.pop() {
        Some((open_token, open, _)) => Err(ParseError::new(
            open_token.span.start,
            format!("'{open}' is never closed"),
        )),
        None => Ok(top),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(text: &str) -> Vec<Token> {
        fn flatten(trees: &[Tree], out: &mut Vec<Token>) {
            for tree in trees {
                match tree {
                    Tree::Leaf(t) => out.push(t.clone()),
                    Tree::Group { children, .. } => flatten(children, out),
                }
            }
        }
        let mut out = Vec::new();
        flatten(&tree(text, 0, Dialect::Kotlin).unwrap(), &mut out);
        out
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_open_blocks() {
        let text = "a { b(\"}\") // }\n /* { */ c('{') \"\"\"\n}\"\"\" }";
        let trees = tree(text, 0, Dialect::Groovy).unwrap();
        assert_eq!(trees.len(), 2);
        let block = trees[1].group('{').unwrap();
        assert!(block.iter().any(|t| t.ident() == Some("c")));
    }

    #[test]
    fn templates_may_hold_quotes_and_braces() {
        let tokens = leaves(r#"x("a:${if (v) "}" else "{"}:1") y"#);
        let s = tokens.iter().find(|t| t.kind == TokenKind::Str).unwrap();
        assert_eq!(s.value, r#"a:${if (v) "}" else "{"}:1"#);
        assert_eq!(tokens.last().unwrap().value, "y");
    }

    #[test]
    fn escapes_are_decoded_and_spans_include_quotes() {
        let tokens = leaves(r"'it\'s'");
        assert_eq!(tokens[0].value, "it's");
        assert_eq!(tokens[0].span, Span::new(0, 7));
    }

    #[test]
    fn kotlin_block_comments_nest_and_groovy_ones_do_not() {
        assert!(tree("/* /* */ */ a", 0, Dialect::Kotlin).is_ok());
        // In Groovy the first `*/` ends the comment, leaving a stray `*/`.
        let trees = tree("/* /* */ a */", 0, Dialect::Groovy).unwrap();
        assert_eq!(trees[0].ident(), Some("a"));
    }

    #[test]
    fn backticked_names_are_identifiers() {
        assert_eq!(leaves("`java-library`")[0].value, "java-library");
    }

    #[test]
    fn newlines_inside_parentheses_are_dropped() {
        let trees = tree("f(\n'a',\n'b'\n)\ng", 0, Dialect::Groovy).unwrap();
        assert!(!trees[1].group('(').unwrap().iter().any(Tree::is_newline));
        assert!(trees[2].is_newline());
    }

    #[test]
    fn unbalanced_input_is_an_error_at_the_right_place() {
        let err = tree("a {\n b(", 0, Dialect::Groovy).unwrap_err();
        assert_eq!(err.offset, 6);
        assert!(err.message.contains("never closed"), "{}", err.message);
        let err = tree("a }", 10, Dialect::Groovy).unwrap_err();
        assert_eq!(err.offset, 12);
        assert!(tree("f(]", 0, Dialect::Groovy).is_err());
        assert!(tree("'abc", 0, Dialect::Groovy).is_err());
        assert!(tree("\"${a", 0, Dialect::Groovy).is_err());
        assert!(tree("/* a", 0, Dialect::Groovy).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = "{".repeat(100_000);
        assert!(tree(&text, 0, Dialect::Kotlin).is_err());
        let text = format!("\"{}\"", "${\"".repeat(10_000));
        assert!(tree(&text, 0, Dialect::Kotlin).is_err());
    }

    #[test]
    fn non_ascii_text_never_splits_a_character() {
        let tokens = leaves("naïve = 'ça' é");
        assert_eq!(tokens[0].value, "naïve");
        assert_eq!(tokens[2].value, "ça");
        assert_eq!(tokens[3].value, "é");
    }
}
