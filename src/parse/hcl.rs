//! HCL (Terraform `*.tf`) with positions, on top of `hcl-edit`.
//!
//! The tree keeps what detectors read: blocks with their labels and span,
//! attributes with the span of their key and value, and values reduced to
//! literals (strings without interpolation, numbers, booleans,
//! null), objects and arrays. Anything computed (a variable, a template with
//! `${...}`, a function call, a heredoc) is [`Value::Expression`]: its value
//! is unknown until Terraform runs, so nothing downstream may guess it.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block as HclBlock, Body as HclBody, Structure};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// How deep objects and arrays are converted. `hcl-edit` already refuses
/// input nested deeper than 64 levels; this guards the conversion on its own.
const MAX_DEPTH: usize = 96;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

/// `ident "label" "label" { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// From the identifier to the closing brace.
    pub span: Span,
    pub body: Body,
}

/// `key = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub key: String,
    pub key_span: Span,
    pub value: Expr,
}

/// A value and where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string without interpolation or directives.
    String(String),
    /// A number, in `hcl-edit`'s decimal form (`900`, `1.5`).
    Number(String),
    Bool(bool),
    Null,
    Object(Vec<ObjectEntry>),
    Array(Vec<Expr>),
    /// Anything only Terraform can evaluate: references, templates,
    /// function calls, conditionals, heredocs, `for` expressions.
    Expression,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectEntry {
    /// The key as written, without quotes (a computed key is skipped).
    pub key: String,
    pub key_span: Span,
    pub value: Expr,
}

impl Body {
    /// The attribute `key`, if the body has one.
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.key == key)
    }

    /// The blocks named `ident`, in order.
    pub fn blocks_named<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == ident)
    }
}

impl Expr {
    /// The text of a literal string, number or boolean (the forms Terraform
    /// converts to a string without evaluating anything).
    pub fn literal_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A whole number of a literal number, or of a string holding one
    /// (Terraform converts `"900"` to a number where one is expected).
    pub fn as_u64(&self) -> Option<u64> {
        match &self.value {
            Value::Number(s) | Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of an object (empty for anything else).
    pub fn entries(&self) -> &[ObjectEntry] {
        match &self.value {
            Value::Object(entries) => entries,
            _ => &[],
        }
    }

    /// The value under `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Expr> {
        self.entries()
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }
}

/// Parse `src`; offsets in the tree and in errors are offsets in `src.text`.
pub fn parse(src: &SourceFile) -> Result<Body, ParseError> {
    let base = src.body_offset();
    let text = src.body();
    // hcl-edit locates an error at `input.len() - 1`: never hand it an empty
    // input (which is a valid, empty body anyway).
    if text.is_empty() {
        return Ok(Body::default());
    }
    let body = hcl_edit::parser::parse_body(text).map_err(|err| {
        ParseError::new(
            base + err.location().offset().min(text.len()),
            err.message().to_string(),
        )
    })?;
    let at = Locator { base };
    Ok(at.body(&body, 0))
}

/// Moves `hcl-edit` spans (relative to the body after any byte order mark)
/// to offsets in the file.
struct Locator {
    base: usize,
}

impl Locator {
    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        range.map_or(Span::at(self.base), |r| {
            Span::new(self.base + r.start, self.base + r.end)
        })
    }

    fn body(&self, body: &HclBody, depth: usize) -> Body {
        let mut out = Body::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => out.attributes.push(Attribute {
                    key: attr.key.as_str().to_string(),
                    key_span: self.span(attr.key.span()),
                    value: self.expr(&attr.value, depth),
                }),
                Structure::Block(block) => out.blocks.push(self.block(block, depth)),
            }
        }
        out
    }

    fn block(&self, block: &HclBlock, depth: usize) -> Block {
        let body = if depth < MAX_DEPTH {
            self.body(&block.body, depth + 1)
        } else {
            Body::default()
        };
        Block {
            ident: block.ident.as_str().to_string(),
            labels: block
                .labels
                .iter()
                .map(|l| l.as_str().to_string())
                .collect(),
            span: self.span(block.span()),
            body,
        }
    }

    fn expr(&self, expr: &Expression, depth: usize) -> Expr {
        let span = self.span(expr.span());
        let value = match expr {
            Expression::String(s) => Value::String(s.value().clone()),
            Expression::Number(n) => Value::Number(n.value().to_string()),
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Null(_) => Value::Null,
            Expression::Object(object) if depth < MAX_DEPTH => Value::Object(
                object
                    .iter()
                    .filter_map(|(key, value)| {
                        let (key_text, key_span) = match key {
                            ObjectKey::Ident(ident) => {
                                (ident.as_str().to_string(), self.span(ident.span()))
                            }
                            ObjectKey::Expression(Expression::String(s)) => {
                                (s.value().clone(), self.span(s.span()))
                            }
                            ObjectKey::Expression(_) => return None,
                        };
                        Some(ObjectEntry {
                            key: key_text,
                            key_span,
                            value: self.expr(value.expr(), depth + 1),
                        })
                    })
                    .collect(),
            ),
            Expression::Array(array) if depth < MAX_DEPTH => Value::Array(
                array
                    .iter()
                    .map(|item| self.expr(item, depth + 1))
                    .collect(),
            ),
            // A parenthesised literal is still that literal: `(5)`.
            Expression::Parenthesis(inner) if depth < MAX_DEPTH => {
                return Expr {
                    value: self.expr(inner.inner(), depth + 1).value,
                    span,
                };
            }
            _ => Value::Expression,
        };
        Expr { value, span }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (SourceFile, Body) {
        let src = SourceFile::new("main.tf", text);
        let body = parse(&src).unwrap();
        (src, body)
    }

    #[test]
    fn blocks_labels_and_literal_attributes_are_located() {
        let text = r#"resource "aws_lambda_function" "api" {
  function_name = "orders-api"
  timeout       = 900
  publish       = true
  role          = aws_iam_role.lambda.arn
  description   = "v${var.version}"
  environment {
    variables = { LOG_LEVEL = "info" }
  }
}
"#;
        let (src, body) = parse_text(text);
        let block = &body.blocks[0];
        assert_eq!(block.ident, "resource");
        assert_eq!(block.labels, ["aws_lambda_function", "api"]);
        assert_eq!(src.line(block.span.start), 1);
        assert_eq!(src.line(block.span.end), 10);
        let attr = block.body.attribute("timeout").unwrap();
        assert_eq!(attr.value.value, Value::Number("900".into()));
        assert_eq!(src.line(attr.key_span.start), 3);
        assert_eq!(src.slice(attr.value.span), "900");
        assert_eq!(
            block
                .body
                .attribute("function_name")
                .unwrap()
                .value
                .as_str(),
            Some("orders-api")
        );
        assert_eq!(
            block.body.attribute("publish").unwrap().value.value,
            Value::Bool(true)
        );
        assert_eq!(
            block.body.attribute("role").unwrap().value.value,
            Value::Expression
        );
        // An interpolated string is not a literal.
        assert_eq!(
            block.body.attribute("description").unwrap().value.value,
            Value::Expression
        );
        let env = block.body.blocks_named("environment").next().unwrap();
        let vars = &env.body.attribute("variables").unwrap().value;
        assert_eq!(vars.get("LOG_LEVEL").unwrap().as_str(), Some("info"));
    }

    #[test]
    fn object_keys_may_be_quoted_or_computed() {
        let text = "locals {\n  tags = { \"team\" = \"core\", (var.k) = 1, env = \"prod\" }\n}\n";
        let (_, body) = parse_text(text);
        let tags = &body.blocks[0].body.attribute("tags").unwrap().value;
        let keys: Vec<&str> = tags.entries().iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["team", "env"]);
    }

    #[test]
    fn syntax_errors_point_at_the_offending_line() {
        let src = SourceFile::new("main.tf", "resource \"a\" \"b\" {\n  x = \n}\n");
        let err = parse(&src).unwrap_err();
        let problem = err.to_problem(&src);
        assert!(problem.line >= 2, "{problem:?}");
        assert!(!problem.message.is_empty());
    }

    #[test]
    fn an_unclosed_block_is_an_error() {
        let src = SourceFile::new("main.tf", "module \"vpc\" {\n  source = \"x\"\n");
        assert!(parse(&src).is_err());
    }

    #[test]
    fn empty_and_comment_only_files_are_empty_bodies() {
        assert_eq!(parse_text("").1, Body::default());
        assert_eq!(
            parse_text("# nothing\n// here\n/* yet */\n").1,
            Body::default()
        );
    }

    #[test]
    fn a_byte_order_mark_is_accounted_for() {
        let (src, body) = parse_text("\u{feff}provider \"aws\" {\n  region = \"eu-west-1\"\n}\n");
        let attr = body.blocks[0].body.attribute("region").unwrap();
        assert_eq!(src.slice(attr.value.span), "\"eu-west-1\"");
        assert_eq!(src.line(attr.key_span.start), 2);
    }

    #[test]
    fn crlf_line_endings_keep_lines_right() {
        let (src, body) = parse_text("data \"aws_vpc\" \"main\" {\r\n  default = true\r\n}\r\n");
        let attr = body.blocks[0].body.attribute("default").unwrap();
        assert_eq!(src.line(attr.key_span.start), 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("x = {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let src = SourceFile::new("deep.tf", text);
        assert!(parse(&src).is_err());
        let blocks = format!("{}{}", "a {\n".repeat(5_000), "}\n".repeat(5_000));
        let src = SourceFile::new("deep.tf", blocks);
        assert!(parse(&src).is_err());
    }

    #[test]
    fn parenthesised_literals_and_heredocs() {
        let text = "resource \"x\" \"y\" {\n  a = (5)\n  b = <<EOT\nhello\nEOT\n}\n";
        let (_, body) = parse_text(text);
        let b = &body.blocks[0].body;
        assert_eq!(b.attribute("a").unwrap().value.as_u64(), Some(5));
        assert_eq!(b.attribute("b").unwrap().value.value, Value::Expression);
    }
}
