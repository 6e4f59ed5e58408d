//! The `go.mod` / `go.work` lexer: lines of tokens, as `modfile`'s lexer
//! reads them. Whitespace separates tokens; `( ) [ ] { } ,` are tokens of
//! their own; `"..."` and `` `...` `` are quoted tokens; `//` starts a comment
//! that runs to the end of the line, even right after a token.

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// A token: its text (unquoted) and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) text: String,
    pub(super) span: Span,
    /// Written in quotes: never punctuation, whatever its text.
    pub(super) quoted: bool,
}

impl Token {
    pub(super) fn is_punct(&self, punct: &str) -> bool {
        !self.quoted && self.text == punct
    }

    /// Any of the characters the lexer reads as tokens of their own.
    pub(super) fn is_punctuation(&self) -> bool {
        !self.quoted && PUNCTUATION.iter().any(|p| self.text.chars().eq([*p]))
    }
}

/// The tokens of one line and the comment after them, if any.
#[derive(Debug, Clone, Default)]
pub(super) struct Line {
    pub(super) tokens: Vec<Token>,
    pub(super) comment: Option<String>,
}

/// Characters the lexer reads as tokens of their own.
const PUNCTUATION: [char; 7] = ['(', ')', '[', ']', '{', '}', ','];

/// The text from `offset` on (empty past the end or off a character boundary).
fn rest_of(text: &str, offset: usize) -> &str {
    text.get(offset..).unwrap_or_default()
}

/// Split the text into lines of tokens, dropping blank and comment-only lines.
pub(super) fn lex(src: &SourceFile, issues: &mut Vec<ParseError>) -> Vec<Line> {
    let text = &src.text;
    let mut lines = Vec::new();
    let mut line = Line::default();
    let mut chars = text
        .char_indices()
        .skip_while(|(i, _)| *i < src.body_offset())
        .peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '\n' => {
                if !line.tokens.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                line.comment = None;
            }
            c if c.is_whitespace() => {}
            '/' if rest_of(text, start).starts_with("//") => {
                let comment = rest_of(text, start + 2);
                let comment = comment.split('\n').next().unwrap_or(comment);
                let end = start + 2 + comment.len();
                line.comment = Some(comment.to_string());
                while chars.next_if(|(i, _)| *i < end).is_some() {}
            }
            c if PUNCTUATION.contains(&c) => line.tokens.push(Token {
                text: c.to_string(),
                span: Span::new(start, start + 1),
                quoted: false,
            }),
            '"' | '`' => {
                let mut value = String::new();
                let mut end = None;
                while let Some((i, next)) = chars.next_if(|(_, n)| *n != '\n') {
                    if next == c {
                        end = Some(i + 1);
                        break;
                    }
                    if c == '"' && next == '\\' {
                        match chars.next_if(|(_, n)| *n != '\n') {
                            Some((_, 'n')) => value.push('\n'),
                            Some((_, 't')) => value.push('\t'),
                            Some((_, escaped)) => value.push(escaped),
                            None => {}
                        }
                    } else {
                        value.push(next);
                    }
                }
                let end = end.unwrap_or_else(|| {
                    issues.push(ParseError::new(start, "unterminated quoted string"));
                    chars.peek().map_or(text.len(), |(i, _)| *i)
                });
                line.tokens.push(Token {
                    text: value,
                    span: Span::new(start, end),
                    quoted: true,
                });
            }
            c if c.is_control() => {
                issues.push(ParseError::new(
                    start,
                    format!("unexpected input character {c:?}"),
                ));
            }
            _ => {
                let mut end = start + c.len_utf8();
                while let Some((i, next)) = chars.peek().copied() {
                    let rest = rest_of(text, i);
                    if next.is_whitespace()
                        || next.is_control()
                        || PUNCTUATION.contains(&next)
                        || rest.starts_with("//")
                    {
                        break;
                    }
                    if rest.starts_with("/*") {
                        issues.push(ParseError::new(
                            i,
                            "go.mod files use // comments, not /* */ comments",
                        ));
                    }
                    end = i + next.len_utf8();
                    chars.next();
                }
                line.tokens.push(Token {
                    text: text.get(start..end).unwrap_or_default().to_string(),
                    span: Span::new(start, end),
                    quoted: false,
                });
            }
        }
    }
    if !line.tokens.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> (Vec<Vec<String>>, Vec<ParseError>) {
        let mut issues = Vec::new();
        let lines = lex(&SourceFile::new("go.mod", text), &mut issues);
        let texts = lines
            .iter()
            .map(|l| l.tokens.iter().map(|t| t.text.clone()).collect())
            .collect();
        (texts, issues)
    }

    #[test]
    fn punctuation_splits_and_comments_end_tokens() {
        let (lines, issues) =
            tokens("require(\n\tx.org/a v1.0.0// indirect\n)\n\n// only a comment\n");
        assert!(issues.is_empty());
        assert_eq!(
            lines,
            [vec!["require", "("], vec!["x.org/a", "v1.0.0"], vec![")"]]
        );
    }

    #[test]
    fn quoted_tokens_are_unquoted_and_never_punctuation() {
        let mut issues = Vec::new();
        let src = SourceFile::new("go.mod", "\"a\\\"b\" `(` \"é\"\n");
        let lines = lex(&src, &mut issues);
        let line = &lines[0];
        assert_eq!(line.tokens[0].text, "a\"b");
        assert!(!line.tokens[1].is_punct("("));
        assert_eq!(src.slice(line.tokens[2].span), "\"é\"");
    }

    #[test]
    fn an_unterminated_string_stops_at_the_end_of_its_line() {
        let (lines, issues) = tokens("module \"m\nrequire x v1\n");
        assert_eq!(issues.len(), 1);
        assert_eq!(lines[1], ["require", "x", "v1"]);
    }

    #[test]
    fn control_characters_and_block_comments_are_reported() {
        assert_eq!(tokens("module m\u{1}\n").1.len(), 1);
        assert_eq!(tokens("module m/*x*/\n").1.len(), 1);
    }
}
