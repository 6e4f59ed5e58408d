//! JSON with positions, on top of `jsonc-parser`. Strict mode is for files
//! their own tools read as strict JSON (package.json, composer.json); the
//! lenient mode accepts comments and trailing commas (tsconfig-style files).

use jsonc_parser::ast::{Object, Value};
use jsonc_parser::{CollectOptions, ParseOptions};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

pub use jsonc_parser::ast;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// RFC 8259 JSON, as npm and Composer read it.
    Strict,
    /// JSON with comments and trailing commas.
    Lenient,
}

/// Parse `src`'s body; offsets in the tree and in errors are offsets in
/// `src.text` (a byte order mark is skipped and accounted for).
pub fn parse(src: &SourceFile, strictness: Strictness) -> Result<Option<Value<'_>>, ParseError> {
    let base = src.body_offset();
    let options = match strictness {
        Strictness::Lenient => ParseOptions::default(),
        Strictness::Strict => ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        },
    };
    let collect = CollectOptions {
        comments: jsonc_parser::CommentCollectionStrategy::Off,
        tokens: false,
    };
    match jsonc_parser::parse_to_ast(src.body(), &collect, &options) {
        Ok(result) => Ok(result.value.map(|v| shift(v, base))),
        Err(err) => Err(ParseError::new(
            base + err.range().start,
            lower_first(&err.kind().to_string()),
        )),
    }
}

fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Move every range of a tree by `by` bytes (only needed after a BOM).
fn shift(value: Value<'_>, by: usize) -> Value<'_> {
    if by == 0 {
        return value;
    }
    let mv = |r: jsonc_parser::common::Range| jsonc_parser::common::Range {
        start: r.start + by,
        end: r.end + by,
    };
    match value {
        Value::StringLit(mut s) => {
            s.range = mv(s.range);
            Value::StringLit(s)
        }
        Value::NumberLit(mut n) => {
            n.range = mv(n.range);
            Value::NumberLit(n)
        }
        Value::BooleanLit(mut b) => {
            b.range = mv(b.range);
            Value::BooleanLit(b)
        }
        Value::NullKeyword(mut n) => {
            n.range = mv(n.range);
            Value::NullKeyword(n)
        }
        Value::Array(mut a) => {
            a.range = mv(a.range);
            a.elements = a.elements.into_iter().map(|e| shift(e, by)).collect();
            Value::Array(a)
        }
        Value::Object(mut o) => {
            o.range = mv(o.range);
            o.properties = o
                .properties
                .into_iter()
                .map(|mut p| {
                    p.range = mv(p.range);
                    match &mut p.name {
                        ast::ObjectPropName::String(s) => s.range = mv(s.range),
                        ast::ObjectPropName::Word(w) => w.range = mv(w.range),
                    }
                    p.value = shift(p.value, by);
                    p
                })
                .collect();
            Value::Object(o)
        }
    }
}

/// Span of any value.
pub fn span_of(value: &Value<'_>) -> Span {
    let range = match value {
        Value::StringLit(v) => v.range,
        Value::NumberLit(v) => v.range,
        Value::BooleanLit(v) => v.range,
        Value::Object(v) => v.range,
        Value::Array(v) => v.range,
        Value::NullKeyword(v) => v.range,
    };
    Span::new(range.start, range.end)
}

/// Span of a property's name.
pub fn key_span(prop: &ast::ObjectProp<'_>) -> Span {
    let range = match &prop.name {
        ast::ObjectPropName::String(s) => s.range,
        ast::ObjectPropName::Word(w) => w.range,
    };
    Span::new(range.start, range.end)
}

/// A property's name as text.
pub fn key_text<'a>(prop: &'a ast::ObjectProp<'_>) -> &'a str {
    match &prop.name {
        ast::ObjectPropName::String(s) => s.value.as_ref(),
        ast::ObjectPropName::Word(w) => w.value,
    }
}

/// A string property of an object, with its span.
pub fn get_str<'a>(object: &'a Object<'_>, key: &str) -> Option<(&'a str, Span)> {
    let prop = object.properties.iter().find(|p| key_text(p) == key)?;
    match &prop.value {
        Value::StringLit(s) => Some((s.value.as_ref(), Span::new(s.range.start, s.range.end))),
        _ => None,
    }
}

/// A property of an object.
pub fn get<'a, 'b>(object: &'a Object<'b>, key: &str) -> Option<&'a ast::ObjectProp<'b>> {
    object.properties.iter().find(|p| key_text(p) == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_mode_rejects_trailing_commas_with_a_position() {
        let src = SourceFile::new("package.json", "{\n  \"a\": 1,\n}\n");
        let err = parse(&src, Strictness::Strict).unwrap_err();
        let problem = err.to_problem(&src);
        assert_eq!(problem.line, 2);
        assert!(
            problem.message.contains("trailing comma"),
            "{}",
            problem.message
        );
    }

    #[test]
    fn lenient_mode_accepts_comments() {
        let src = SourceFile::new("tsconfig.json", "{ // c\n \"a\": 1, }");
        assert!(parse(&src, Strictness::Lenient).unwrap().is_some());
    }

    #[test]
    fn spans_account_for_a_byte_order_mark() {
        let src = SourceFile::new("package.json", "\u{feff}{\"name\": \"x\"}");
        let value = parse(&src, Strictness::Strict).unwrap().unwrap();
        let object = value.as_object().unwrap();
        let (name, span) = get_str(object, "name").unwrap();
        assert_eq!(name, "x");
        assert_eq!(src.slice(span), "\"x\"");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let src = SourceFile::new("a.json", text);
        assert!(parse(&src, Strictness::Lenient).is_err());
    }
}
