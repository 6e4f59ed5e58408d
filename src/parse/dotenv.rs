//! `.env` files: the `KEY=VALUE` lines that docker compose, dotenv libraries
//! and shells read. Supports `export KEY=VALUE`, bare `KEY` lines, spaces
//! around `=`, single-quoted values (literal but for `\'`), double-quoted
//! values with escapes that may span lines, `#` comment lines, inline ` #`
//! comments after unquoted values, CRLF line ends and a byte order mark.
//!
//! Values are kept as the file sets them (a secrets rule needs them); callers
//! that build the model must not copy them out (see `crate::detect::redact`).
//! A bad line is an error in [`DotEnv::errors`] and parsing resumes on the
//! next line, so one typo does not hide the rest of the file.

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// A parsed `.env` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotEnv {
    pub variables: Vec<Variable>,
    /// Lines that could not be read, in file order.
    pub errors: Vec<ParseError>,
}

/// One `KEY=VALUE` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: String,
    pub name_span: Span,
    /// The value after unquoting and escapes; `None` for a bare `KEY` line
    /// (compose takes such a variable from the shell environment).
    pub value: Option<String>,
    /// The value as written, quotes included (empty for `KEY=` and `KEY`).
    pub value_span: Span,
    pub quote: Quote,
    /// Written `export KEY=VALUE`.
    pub exported: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    None,
    Single,
    Double,
}

/// Parse `src`; spans and error offsets are byte offsets in `src.text`.
pub fn parse(src: &SourceFile) -> DotEnv {
    parse_from(&src.text, src.body_offset())
}

/// Parse `text` from byte offset `start` (past a byte order mark).
pub fn parse_from(text: &str, start: usize) -> DotEnv {
    let mut out = DotEnv::default();
    let mut pos = start.min(text.len());
    while pos < text.len() {
        // Every branch moves `pos` to the start of a later line.
        pos = statement(text, pos, &mut out);
    }
    out
}

fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// The byte offset just past the end of the line holding `pos`.
fn next_line(text: &str, pos: usize) -> usize {
    text.get(pos..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| pos + i + 1)
}

/// The end of the line holding `pos`, before any `\r\n` or `\n`.
fn line_end(text: &str, pos: usize) -> usize {
    let end = text
        .get(pos..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| pos + i);
    if end > pos && text.as_bytes().get(end - 1) == Some(&b'\r') {
        end - 1
    } else {
        end
    }
}

fn skip_blanks(bytes: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end && bytes.get(pos).copied().is_some_and(is_blank) {
        pos += 1;
    }
    pos
}

/// Read the statement on the line starting at `line_start`; returns where the
/// next statement may start.
fn statement(text: &str, line_start: usize, out: &mut DotEnv) -> usize {
    let bytes = text.as_bytes();
    let next = next_line(text, line_start);
    let end = line_end(text, line_start);
    let mut pos = skip_blanks(bytes, line_start, end);
    if pos >= end || bytes.get(pos) == Some(&b'#') {
        return next;
    }

    let mut exported = false;
    if text
        .get(pos..)
        .is_some_and(|rest| rest.starts_with("export"))
        && bytes.get(pos + 6).copied().is_some_and(is_blank)
    {
        exported = true;
        pos = skip_blanks(bytes, pos + 6, end);
    }

    let name_start = pos;
    while pos < end && bytes.get(pos).copied().is_some_and(is_name_byte) {
        pos += 1;
    }
    if pos == name_start {
        out.errors
            .push(ParseError::new(name_start, "expected a variable name"));
        return next;
    }
    let name = text.get(name_start..pos).unwrap_or("").to_string();
    let name_span = Span::new(name_start, pos);
    pos = skip_blanks(bytes, pos, end);

    let bare = |out: &mut DotEnv| {
        out.variables.push(Variable {
            name: name.clone(),
            name_span,
            value: None,
            value_span: Span::at(name_span.end),
            quote: Quote::None,
            exported,
        });
    };
    match bytes.get(pos) {
        _ if pos >= end => {
            bare(out);
            return next;
        }
        Some(b'#') if pos > name_span.end => {
            bare(out);
            return next;
        }
        Some(b'=') => pos += 1,
        _ => {
            out.errors.push(ParseError::new(
                pos,
                format!("expected `=` after the variable name `{name}`"),
            ));
            return next;
        }
    }
    let after_equals = pos;
    pos = skip_blanks(bytes, pos, end);

    let (quote, closing) = match bytes.get(pos) {
        Some(b'"') if pos < end => (Quote::Double, b'"'),
        Some(b'\'') if pos < end => (Quote::Single, b'\''),
        _ => {
            let (value, value_span) = unquoted(text, after_equals, pos, end);
            out.variables.push(Variable {
                name,
                name_span,
                value: Some(value),
                value_span,
                quote: Quote::None,
                exported,
            });
            return next;
        }
    };

    let open = pos;
    let Some((value, close)) = quoted(text, open, closing) else {
        out.errors.push(ParseError::new(
            open,
            format!(
                "unterminated {} value of `{name}`",
                if quote == Quote::Double {
                    "double-quoted"
                } else {
                    "single-quoted"
                }
            ),
        ));
        return next;
    };
    out.variables.push(Variable {
        name,
        name_span,
        value: Some(value),
        value_span: Span::new(open, close + 1),
        quote,
        exported,
    });
    // Only blanks or a comment may follow the closing quote.
    let close_line_end = line_end(text, close);
    let rest = skip_blanks(bytes, close + 1, close_line_end);
    if rest < close_line_end && bytes.get(rest) != Some(&b'#') {
        out.errors.push(ParseError::new(
            rest,
            "unexpected text after the closing quote",
        ));
    }
    next_line(text, close)
}

/// An unquoted value: the rest of the line, up to an inline comment (a `#`
/// after a blank), without trailing blanks.
fn unquoted(text: &str, after_equals: usize, start: usize, end: usize) -> (String, Span) {
    let bytes = text.as_bytes();
    let mut cut = end;
    let mut i = start;
    while i < end {
        if bytes.get(i) == Some(&b'#')
            && i > after_equals
            && bytes.get(i - 1).copied().is_some_and(is_blank)
        {
            cut = i;
            break;
        }
        i += 1;
    }
    while cut > start && bytes.get(cut - 1).copied().is_some_and(is_blank) {
        cut -= 1;
    }
    let value = text.get(start..cut).unwrap_or("");
    (value.to_string(), Span::new(start, cut))
}

/// A quoted value opening at `open`: the unescaped text and the offset of the
/// closing quote, or `None` if the file ends first. Double quotes take
/// `\n \r \t \\ \" \$` escapes (others stay as written); single quotes only
/// `\'`. CRLF inside a value becomes `\n`.
fn quoted(text: &str, open: usize, closing: u8) -> Option<(String, usize)> {
    let body_start = open + 1;
    let body = text.get(body_start..)?;
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let Some(&(_, escaped)) = chars.peek() else {
                    value.push('\\');
                    continue;
                };
                let replacement = match (closing, escaped) {
                    (b'"', 'n') => Some('\n'),
                    (b'"', 'r') => Some('\r'),
                    (b'"', 't') => Some('\t'),
                    (b'"', '\\') => Some('\\'),
                    (b'"', '"') => Some('"'),
                    (b'"', '$') => Some('$'),
                    (b'\'', '\'') => Some('\''),
                    _ => None,
                };
                match replacement {
                    Some(r) => {
                        value.push(r);
                        chars.next();
                    }
                    None => value.push('\\'),
                }
            }
            '\r' if chars.peek().map(|&(_, n)| n) == Some('\n') => {}
            c if c == char::from(closing) => return Some((value, body_start + i)),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(text: &str) -> Vec<(String, Option<String>)> {
        let parsed = parse(&SourceFile::new(".env", text));
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        parsed
            .variables
            .into_iter()
            .map(|v| (v.name, v.value))
            .collect()
    }

    fn one(text: &str) -> String {
        let found = vars(text);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].1.clone().unwrap()
    }

    #[test]
    fn plain_lines_comments_and_blank_lines() {
        let text = "# settings\n\nPORT=8080\n  LOG_LEVEL = debug  \nexport NODE_ENV=production\n";
        assert_eq!(
            vars(text),
            vec![
                ("PORT".into(), Some("8080".into())),
                ("LOG_LEVEL".into(), Some("debug".into())),
                ("NODE_ENV".into(), Some("production".into())),
            ]
        );
        let parsed = parse(&SourceFile::new(".env", text));
        assert!(parsed.variables[2].exported);
    }

    #[test]
    fn inline_comments_need_a_blank_before_the_hash() {
        assert_eq!(one("COLOR=#ff0000\n"), "#ff0000");
        assert_eq!(one("URL=http://x/#frag # the anchor\n"), "http://x/#frag");
        assert_eq!(one("EMPTY= # nothing\n"), "");
        assert_eq!(one("EMPTY=\n"), "");
    }

    #[test]
    fn single_quotes_are_literal_but_for_escaped_quotes() {
        assert_eq!(one(r"A='$HOME\n'"), r"$HOME\n");
        assert_eq!(one(r"A='Let\'s go'"), "Let's go");
        assert_eq!(one("A='x # not a comment' # comment"), "x # not a comment");
    }

    #[test]
    fn double_quotes_take_escapes_and_span_lines() {
        assert_eq!(one(r#"A="a\tb\n\"c\" \\ \$d \q""#), "a\tb\n\"c\" \\ $d \\q");
        let text = "KEY=\"-----BEGIN KEY-----\r\nabc\r\n-----END KEY-----\"\r\nNEXT=1\r\n";
        assert_eq!(
            vars(text),
            vec![
                (
                    "KEY".into(),
                    Some("-----BEGIN KEY-----\nabc\n-----END KEY-----".into())
                ),
                ("NEXT".into(), Some("1".into())),
            ]
        );
    }

    #[test]
    fn crlf_and_byte_order_mark() {
        let text = "\u{feff}A=1\r\nB=two words\r\n";
        let src = SourceFile::new(".env", text);
        let parsed = parse(&src);
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.variables[0].name, "A");
        assert_eq!(parsed.variables[1].value.as_deref(), Some("two words"));
        assert_eq!(src.slice(parsed.variables[1].value_span), "two words");
        assert_eq!(src.line(parsed.variables[1].name_span.start), 2);
    }

    #[test]
    fn spans_point_at_names_and_values() {
        let src = SourceFile::new(".env", "# x\nDATABASE_URL=\"postgres://db/app\"\n");
        let parsed = parse(&src);
        let var = &parsed.variables[0];
        assert_eq!(src.slice(var.name_span), "DATABASE_URL");
        assert_eq!(src.slice(var.value_span), "\"postgres://db/app\"");
        assert_eq!(var.quote, Quote::Double);
        assert_eq!(src.line(var.name_span.start), 2);
    }

    #[test]
    fn bare_names_have_no_value() {
        assert_eq!(
            vars("SHELL_VAR\nOTHER # from the shell\n"),
            vec![("SHELL_VAR".into(), None), ("OTHER".into(), None)]
        );
    }

    #[test]
    fn bad_lines_are_errors_and_parsing_goes_on() {
        let src = SourceFile::new(".env", "A=1\nKEY: value\n=3\nB=\"open\nC=3\n");
        let parsed = parse(&src);
        let messages: Vec<(u32, &str)> = parsed
            .errors
            .iter()
            .map(|e| (src.line(e.offset), e.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            vec![
                (2, "expected `=` after the variable name `KEY`"),
                (3, "expected a variable name"),
                (4, "unterminated double-quoted value of `B`"),
            ]
        );
        let names: Vec<&str> = parsed.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["A", "C"]);
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error() {
        let src = SourceFile::new(".env", "A=\"x\" y\n");
        let parsed = parse(&src);
        assert_eq!(parsed.variables.len(), 1);
        assert_eq!(parsed.errors.len(), 1);
    }

    #[test]
    fn export_alone_is_a_name() {
        assert_eq!(one("export=1"), "1");
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "\"",
            "A=\"\\",
            "A='",
            "é=1",
            "A=é",
            "\r",
            "export ",
            "A=\"x\"\r",
        ] {
            let _ = parse(&SourceFile::new(".env", text));
        }
    }
}
