//! Source files as the scanner sees them: a path relative to the scanned root and
//! the text, with a line index so that any byte offset becomes a 1-based line and
//! column. Every parser works on a [`SourceFile`] and reports positions as byte
//! offsets or [`Span`]s; only this module turns them into lines.

use std::fmt;

/// A byte range `start..end` in a [`SourceFile`]'s text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// An empty span at `offset`.
    pub const fn at(offset: usize) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(range: std::ops::Range<usize>) -> Self {
        Self::new(range.start, range.end)
    }
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// The byte offset where every line starts.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        Self { starts }
    }

    /// 1-based line of a byte offset (offsets past the end map to the last line).
    pub fn line(&self, offset: usize) -> u32 {
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        u32::try_from(idx + 1).unwrap_or(u32::MAX)
    }

    /// Byte offset where 1-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        let idx = usize::try_from(line).ok()?.checked_sub(1)?;
        self.starts.get(idx).copied()
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line(offset);
        let start = self.line_start(line).unwrap_or(0).min(offset);
        let column = text[start..offset].chars().count() + 1;
        Position {
            line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| (*b == b'\n').then_some(i))
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A file read from the scanned tree.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the scanned root, `/`-separated.
    pub path: String,
    pub text: String,
    lines: LineIndex,
}

impl SourceFile {
    /// A source file from its text. A leading UTF-8 byte order mark is kept in
    /// `text` (so that offsets match the bytes on disk) but parsers skip it
    /// through [`SourceFile::body_offset`].
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        Self {
            path: path.into(),
            text,
            lines,
        }
    }

    /// Length of a leading byte order mark, if any.
    pub fn body_offset(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        }
    }

    /// The text after any byte order mark.
    pub fn body(&self) -> &str {
        &self.text[self.body_offset()..]
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    pub fn line(&self, offset: usize) -> u32 {
        self.lines.line(offset)
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.lines
    }

    /// Byte offset of a 1-based line and column (column in characters).
    pub fn offset_of(&self, line: u32, column: u32) -> usize {
        let Some(start) = self.lines.line_start(line) else {
            return self.text.len();
        };
        let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
        self.text[start..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(i, _)| start + i)
    }

    /// The text of a span (empty if the span is not on character boundaries).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let src = SourceFile::new("a.txt", "ab\nçé x\r\nlast");
        assert_eq!(src.position(0), Position { line: 1, column: 1 });
        assert_eq!(src.position(3), Position { line: 2, column: 1 });
        // "çé " is 5 bytes, 3 characters.
        assert_eq!(src.position(8), Position { line: 2, column: 4 });
        assert_eq!(src.position(11), Position { line: 3, column: 1 });
        assert_eq!(src.position(1000).line, 3);
    }

    #[test]
    fn offsets_round_trip_through_line_and_column() {
        let src = SourceFile::new("a.txt", "one\ntwé\nthree");
        let offset = src.offset_of(2, 3);
        assert_eq!(&src.text[offset..offset + 2], "é");
        assert_eq!(src.position(offset), Position { line: 2, column: 3 });
        assert_eq!(src.offset_of(9, 1), src.text.len());
    }

    #[test]
    fn byte_order_mark_is_skipped_by_body() {
        let src = SourceFile::new("a.txt", "\u{feff}{}");
        assert_eq!(src.body(), "{}");
        assert_eq!(src.body_offset(), 3);
    }

    #[test]
    fn offsets_inside_a_character_do_not_panic() {
        let src = SourceFile::new("a.txt", "é");
        assert_eq!(src.position(1), Position { line: 1, column: 1 });
    }
}
