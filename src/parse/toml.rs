//! Located TOML for the parsers of TOML files (`pyproject.toml`, `Pipfile`,
//! `fly.toml`, `netlify.toml`): a document whose keys and values keep their
//! byte spans, and the small lookups those parsers share.

use toml_edit::{Document, Item, TableLike};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// Parse a TOML file with spans; offsets are offsets of `src.text` (the
/// parser skips a byte order mark itself).
pub fn parse_toml(src: &SourceFile) -> Result<Document<&str>, ParseError> {
    Document::parse(src.text.as_str()).map_err(|err| {
        ParseError::new(
            err.span().map_or(src.body_offset(), |s| s.start),
            format!("invalid TOML: {}", err.message().trim()),
        )
    })
}

/// Where an item is written (a table without a header of its own has no span).
pub fn item_span(item: &Item) -> Option<Span> {
    item.span().map(Span::from)
}

/// Where `key` of `table` is written: the key, else its value.
pub fn key_span(table: &dyn TableLike, key: &str) -> Option<Span> {
    let (key, item) = table.get_key_value(key)?;
    key.span().map(Span::from).or_else(|| item_span(item))
}

/// A table nested under a path of keys.
pub fn table_at<'a>(root: &'a dyn TableLike, path: &[&str]) -> Option<&'a dyn TableLike> {
    path.iter()
        .try_fold(root, |table, key| table.get(key)?.as_table_like())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_nested_tables_are_found_through_every_spelling() {
        let src = SourceFile::new("x.toml", "a.b = { c = 1 }\n[d]\ne = \"f\"\n[g.h]\ni = 2\n");
        let doc = parse_toml(&src).unwrap();
        let root: &dyn TableLike = doc.as_table();
        // A dotted key, an inline table, a header and an implicit parent.
        let b = table_at(root, &["a", "b"]).unwrap();
        assert_eq!(src.slice(key_span(b, "c").unwrap()), "c");
        let d = table_at(root, &["d"]).unwrap();
        assert_eq!(src.slice(key_span(d, "e").unwrap()), "e");
        assert!(table_at(root, &["g", "h"]).is_some());
        assert!(
            table_at(root, &["d", "e"]).is_none(),
            "a string is no table"
        );
        assert!(table_at(root, &["missing"]).is_none());
        assert!(key_span(d, "missing").is_none());
    }

    #[test]
    fn syntax_errors_point_into_the_text_after_a_byte_order_mark() {
        let src = SourceFile::new("x.toml", "\u{feff}a = 1\nb = [\n");
        let err = parse_toml(&src).unwrap_err();
        assert!(err.message.starts_with("invalid TOML: "), "{}", err.message);
        assert!(err.offset >= src.body_offset() && err.offset <= src.text.len());
        let pos = src.position(err.offset);
        assert_eq!(pos.line, 2);
    }
}
