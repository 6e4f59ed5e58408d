//! JSON read into the located YAML tree ([`yaml::Node`]), so that formats
//! written in either language (CloudFormation and SAM templates) are read by
//! one piece of code. JSON strings become quoted scalars (never numbers or
//! booleans); numbers, `true`, `false` and `null` become plain scalars.

use crate::parse::ParseError;
use crate::parse::json::{self, Strictness, ast};
use crate::parse::yaml::{self, Node, Scalar};
use crate::source::{SourceFile, Span};

/// Parse `src` as JSON into a YAML node (`None` for an empty file).
pub fn parse(src: &SourceFile, strictness: Strictness) -> Result<Option<Node>, ParseError> {
    let Some(value) = json::parse(src, strictness)? else {
        return Ok(None);
    };
    convert(&value, 0).map(Some)
}

fn convert(value: &ast::Value<'_>, depth: usize) -> Result<Node, ParseError> {
    let span = json::span_of(value);
    if depth > yaml::MAX_DEPTH {
        return Err(ParseError::new(span.start, "nesting too deep"));
    }
    let node = match value {
        ast::Value::StringLit(s) => scalar(s.value.to_string(), false, span),
        ast::Value::NumberLit(n) => scalar(n.value.to_string(), true, span),
        ast::Value::BooleanLit(b) => scalar(b.value.to_string(), true, span),
        ast::Value::NullKeyword(_) => scalar("null".to_string(), true, span),
        ast::Value::Array(array) => Node {
            value: yaml::Value::Seq(
                array
                    .elements
                    .iter()
                    .map(|item| convert(item, depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            span,
            tag: None,
        },
        ast::Value::Object(object) => Node {
            value: yaml::Value::Map(
                object
                    .properties
                    .iter()
                    .map(|prop| {
                        let key = scalar(
                            json::key_text(prop).to_string(),
                            false,
                            json::key_span(prop),
                        );
                        convert(&prop.value, depth + 1).map(|value| (key, value))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            span,
            tag: None,
        },
    };
    Ok(node)
}

fn scalar(text: String, plain: bool, span: Span) -> Node {
    Node {
        value: yaml::Value::Scalar(Scalar { text, plain }),
        span,
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_types_and_spans() {
        let text = "{\n  \"Timeout\": 30,\n  \"Name\": \"30\",\n  \"On\": true,\n  \"Ref\": null,\n  \"List\": [\"a\", {\"Ref\": \"B\"}]\n}";
        let src = SourceFile::new("template.json", text);
        let node = parse(&src, Strictness::Strict).unwrap().unwrap();
        assert_eq!(node.get("Timeout").unwrap().as_u64(), Some(30));
        // A JSON string is never a number.
        assert_eq!(node.get("Name").unwrap().as_u64(), None);
        assert_eq!(node.get("Name").unwrap().as_str(), Some("30"));
        assert_eq!(node.get("On").unwrap().as_bool(), Some(true));
        assert!(node.get("Ref").unwrap().is_null());
        let list = node.get("List").unwrap().seq();
        assert_eq!(list[1].get("Ref").unwrap().as_str(), Some("B"));
        let (key, _) = node.entry("Name").unwrap();
        assert_eq!(src.line(key.span.start), 3);
        assert_eq!(src.slice(key.span), "\"Name\"");
    }

    #[test]
    fn empty_files_and_errors() {
        let src = SourceFile::new("template.json", "");
        assert_eq!(parse(&src, Strictness::Strict).unwrap(), None);
        let src = SourceFile::new("template.json", "{\n  \"a\": \n}");
        let err = parse(&src, Strictness::Strict).unwrap_err();
        assert_eq!(err.to_problem(&src).line, 3);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}1{}", "[".repeat(2_000), "]".repeat(2_000));
        let src = SourceFile::new("template.json", text);
        assert!(parse(&src, Strictness::Strict).is_err());
    }
}
