//! Groovy tokens, enough to read a Jenkinsfile's structure without running
//! it: identifiers, string literals (all of Groovy's quotes, with `${...}`
//! interpolations skipped as a whole so their braces and quotes do not count),
//! brackets, and single punctuation. Comments are dropped. Slashy strings
//! (`/regex/`) are recognised where an operand may start and only on one
//! line; elsewhere `/` is division.

use crate::parse::ParseError;

/// How deep `${ "${ ... }" }` interpolations may nest.
const MAX_INTERPOLATION_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// A string literal's text with escapes resolved (interpolations kept as
    /// written).
    Str(String),
    Open(char),
    Close(char),
    Punct(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset in the lexed text.
    pub start: usize,
}

pub fn lex(text: &str) -> Result<Vec<Token>, ParseError> {
    let bytes = text.as_bytes();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    if text.starts_with("#!") {
        i = line_end(bytes, 0);
    }
    while let Some(&c) = bytes.get(i) {
        let next = bytes.get(i + 1).copied();
        let start = i;
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' => i += 1,
            b'/' if next == Some(b'/') => i = line_end(bytes, i),
            b'/' if next == Some(b'*') => {
                i = find(bytes, i + 2, b"*/")
                    .ok_or_else(|| ParseError::new(start, "unterminated comment"))?
                    + 2;
            }
            b'\'' | b'"' => {
                let end = string_end(bytes, i, 0)?;
                let quote_len = if bytes.get(i..i + 3) == Some(&[c, c, c][..]) {
                    3
                } else {
                    1
                };
                let raw = text.get(i + quote_len..end - quote_len).unwrap_or("");
                out.push(Token {
                    tok: Tok::Str(unescape(raw)),
                    start,
                });
                i = end;
            }
            b'$' if next == Some(b'/') => {
                let end = find_dollar_slashy_end(bytes, i + 2)
                    .ok_or_else(|| ParseError::new(start, "unterminated string"))?;
                let raw = text.get(i + 2..end).unwrap_or("");
                out.push(Token {
                    tok: Tok::Str(raw.to_string()),
                    start,
                });
                i = end + 2;
            }
            b'/' if operand_may_start(out.last()) => match slashy_end(bytes, i + 1) {
                Some(end) => {
                    let raw = text.get(i + 1..end).unwrap_or("");
                    out.push(Token {
                        tok: Tok::Str(raw.replace("\\/", "/")),
                        start,
                    });
                    i = end + 1;
                }
                None => {
                    out.push(Token {
                        tok: Tok::Punct('/'),
                        start,
                    });
                    i += 1;
                }
            },
            b'{' | b'(' | b'[' => {
                out.push(Token {
                    tok: Tok::Open(char::from(c)),
                    start,
                });
                i += 1;
            }
            b'}' | b')' | b']' => {
                out.push(Token {
                    tok: Tok::Close(char::from(c)),
                    start,
                });
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let end = bytes
                    .get(i..)
                    .and_then(|rest| {
                        rest.iter()
                            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$'))
                    })
                    .map_or(bytes.len(), |n| i + n);
                out.push(Token {
                    tok: Tok::Ident(text.get(i..end).unwrap_or("").to_string()),
                    start,
                });
                i = end;
            }
            c if c.is_ascii_digit() => {
                // A number: one operand token, its digits are of no interest.
                while bytes
                    .get(i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Punct('0'),
                    start,
                });
            }
            c if c.is_ascii() => {
                out.push(Token {
                    tok: Tok::Punct(char::from(c)),
                    start,
                });
                i += 1;
            }
            // Non-ASCII outside strings (identifiers in other scripts): skip
            // the whole character.
            _ => {
                i += text
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .map_or(1, char::len_utf8)
            }
        }
    }
    Ok(out)
}

/// Where an operand (and so a slashy string) may start after `prev`.
fn operand_may_start(prev: Option<&Token>) -> bool {
    match prev.map(|t| &t.tok) {
        None => true,
        Some(Tok::Open(_)) => true,
        Some(Tok::Punct(c)) => "=~,:!&|?;+-*<>".contains(*c),
        Some(_) => false,
    }
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
        .map_or(bytes.len(), |n| from + n)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|n| from + n)
}

/// The offset just past the string literal opening at `start` (a `'` or `"`,
/// single or tripled). Double-quoted strings skip `${...}` as code.
fn string_end(bytes: &[u8], start: usize, depth: usize) -> Result<usize, ParseError> {
    let quote = bytes.get(start).copied().unwrap_or(b'"');
    let triple = bytes.get(start..start + 3) == Some(&[quote, quote, quote][..]);
    let interpolates = quote == b'"';
    let mut i = start + if triple { 3 } else { 1 };
    loop {
        let Some(&c) = bytes.get(i) else {
            return Err(ParseError::new(start, "unterminated string"));
        };
        match c {
            b'\\' => i += 2,
            b'\n' if !triple => return Err(ParseError::new(start, "unterminated string")),
            b'$' if interpolates && bytes.get(i + 1) == Some(&b'{') => {
                i = code_end(bytes, i + 2, depth + 1)?;
            }
            c if c == quote => {
                if !triple {
                    return Ok(i + 1);
                }
                if bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]) {
                    // `''''` ends with the last three quotes.
                    let mut end = i + 3;
                    while bytes.get(end) == Some(&quote) {
                        end += 1;
                    }
                    return Ok(end);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
}

/// The offset just past the `}` that closes an interpolation whose code
/// starts at `from`.
fn code_end(bytes: &[u8], from: usize, depth: usize) -> Result<usize, ParseError> {
    if depth > MAX_INTERPOLATION_DEPTH {
        return Err(ParseError::new(from, "interpolations nested too deeply"));
    }
    let mut braces = 1usize;
    let mut i = from;
    loop {
        let Some(&c) = bytes.get(i) else {
            return Err(ParseError::new(from, "unterminated interpolation"));
        };
        match c {
            b'{' => {
                braces += 1;
                i += 1;
            }
            b'}' => {
                braces -= 1;
                i += 1;
                if braces == 0 {
                    return Ok(i);
                }
            }
            b'\'' | b'"' => i = string_end(bytes, i, depth)?,
            _ => i += 1,
        }
    }
}

/// The offset of the `/` closing a slashy string, on the same line.
fn slashy_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    if bytes.get(i).is_some_and(|b| *b == b' ' || *b == b'=') {
        // `/ x` and `/=` are division.
        return None;
    }
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            b'\n' => return None,
            b'/' => return (i > from).then_some(i),
            _ => i += 1,
        }
    }
    None
}

/// The offset of the `/$` closing a dollar-slashy string.
fn find_dollar_slashy_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(&c) = bytes.get(i) {
        match c {
            // `$$` and `$/` are escapes.
            b'$' if matches!(bytes.get(i + 1), Some(b'$' | b'/')) => i += 2,
            b'/' if bytes.get(i + 1) == Some(&b'$') => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Groovy escapes in a quoted string; a backslash before a newline joins lines.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\n') => {}
            Some(other @ ('\\' | '\'' | '"' | '$')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok> {
        lex(text).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn ident(s: &str) -> Tok {
        Tok::Ident(s.to_string())
    }

    fn string(s: &str) -> Tok {
        Tok::Str(s.to_string())
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_count() {
        let t = toks("sh 'echo }' // }\n/* { */ x \"a${ m['}'] }b\"");
        assert_eq!(
            t,
            [
                ident("sh"),
                string("echo }"),
                ident("x"),
                string("a${ m['}'] }b")
            ]
        );
    }

    #[test]
    fn every_quote_style_is_a_string() {
        let t = toks("a '''x\n'y'\n''' b \"\"\"p \"q\" ${\"}\"}\"\"\" $/c:\\d/$ 'it\\'s'");
        assert_eq!(
            t,
            [
                ident("a"),
                string("x\n'y'\n"),
                ident("b"),
                string("p \"q\" ${\"}\"}"),
                string("c:\\d"),
                string("it's"),
            ]
        );
    }

    #[test]
    fn slashy_strings_only_where_an_operand_starts() {
        let t = toks("x ==~ /re{lease/ ; y = a / b / c");
        assert!(t.contains(&string("re{lease")));
        assert_eq!(t.iter().filter(|t| **t == Tok::Punct('/')).count(), 2);
        assert!(!t.iter().any(|t| matches!(t, Tok::Open('{'))));
    }

    #[test]
    fn unterminated_strings_and_comments_are_errors_with_offsets() {
        assert_eq!(lex("a 'b\nc'").unwrap_err().offset, 2);
        assert_eq!(lex("x /* y").unwrap_err().offset, 2);
        assert!(lex("\"${ \"").is_err());
        assert!(lex("'''abc").is_err());
    }

    #[test]
    fn deep_interpolation_is_refused_not_overflowed() {
        let text = "\"${\"".repeat(10_000);
        assert!(lex(&text).is_err());
    }

    #[test]
    fn non_ascii_text_is_skipped_safely() {
        let t = toks("é stage('Ünit') ü");
        assert_eq!(t[0], ident("stage"));
        assert_eq!(t[2], string("Ünit"));
    }
}
