//! From text to logical lines, as BuildKit's line scanner does: parser
//! directives at the top, comment and blank lines skipped, continuation lines
//! joined (the escape character at the end of a line, trailing blanks
//! allowed; comment and blank lines inside a continued instruction skipped),
//! and heredoc bodies read line by line on request.
//!
//! A [`LogicalLine`] remembers where each of its pieces came from, so any
//! range of its text maps back to a byte span of the file.

use crate::parse::ParseError;
use crate::source::Span;

use super::Directive;

/// Directives BuildKit knows; any other `# name=value` line ends the
/// directive block like an ordinary comment.
const DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// One line of the file: `start..end` is its content without the line
/// ending (every trailing `\r` and `\n`, as BuildKit trims them), `next` is
/// where the following line starts.
#[derive(Debug, Clone, Copy)]
struct PhysicalLine {
    start: usize,
    end: usize,
    next: usize,
}

/// The text of one instruction, continuations removed.
#[derive(Debug, Clone, Default)]
pub(super) struct LogicalLine {
    pub text: String,
    /// `(offset in text, offset in file)` where each copied piece starts.
    pieces: Vec<(usize, usize)>,
    /// Where the instruction's last line ends in the file.
    pub end: usize,
}

impl LogicalLine {
    fn push(&mut self, piece: &str, file_offset: usize) {
        self.pieces.push((self.text.len(), file_offset));
        self.text.push_str(piece);
    }

    /// The file offset of a text offset (`text.len()` maps just past the
    /// last piece).
    pub fn file_offset(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|(start, _)| *start <= at);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((start, file)) => file + (at - start),
            None => self.end,
        }
    }

    /// The file span of a range of the text: from its first to its last byte.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        if range.end <= range.start {
            return Span::at(self.file_offset(range.start));
        }
        Span::new(
            self.file_offset(range.start),
            self.file_offset(range.end - 1) + 1,
        )
    }

    /// Where the instruction starts in the file.
    pub fn start(&self) -> usize {
        self.pieces.first().map_or(self.end, |(_, file)| *file)
    }
}

/// A heredoc body read from the lines after an instruction.
#[derive(Debug, Clone, Copy)]
pub(super) struct HeredocBody {
    /// The body lines with their line endings.
    pub body: Span,
    /// Where the terminator line's content ends.
    pub end: usize,
}

/// Reads a Dockerfile's lines in order.
pub(super) struct Reader<'a> {
    text: &'a str,
    lines: Vec<PhysicalLine>,
    /// The next line to read.
    next: usize,
    escape: char,
    directives: Vec<Directive>,
    /// Directives are only recognised before the first other line.
    directives_done: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `text` from `start` (past any byte order mark).
    pub fn new(text: &'a str, start: usize) -> Self {
        Self {
            text,
            lines: physical_lines(text, start),
            next: 0,
            escape: '\\',
            directives: Vec::new(),
            directives_done: false,
        }
    }

    pub fn escape(&self) -> char {
        self.escape
    }

    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// The text of a span of the file (empty if out of range).
    pub fn slice(&self, span: Span) -> &'a str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    fn content(&self, line: PhysicalLine) -> &'a str {
        self.text.get(line.start..line.end).unwrap_or("")
    }

    /// The next instruction's text, or `None` at the end of the file.
    pub fn next_logical_line(&mut self) -> Result<Option<LogicalLine>, ParseError> {
        while let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            let content = self.content(line);
            let trimmed = content.trim_start();
            let trimmed_start = line.end - trimmed.len();
            if !self.directives_done {
                self.directive(trimmed, trimmed_start)?;
            }
            if trimmed.starts_with('#') {
                continue;
            }
            let (piece, continues) = self.trim_continuation(trimmed);
            if piece.is_empty() && !continues {
                continue;
            }
            let mut logical = LogicalLine {
                end: line.end,
                ..LogicalLine::default()
            };
            logical.push(piece, trimmed_start);
            let mut continues = continues;
            while continues {
                let Some(&next) = self.lines.get(self.next) else {
                    break;
                };
                self.next += 1;
                let content = self.content(next);
                let trimmed = content.trim_start();
                // Comment and blank lines inside a continued instruction are
                // skipped; BuildKit warns about blank ones but accepts them.
                if trimmed.starts_with('#') || trimmed.is_empty() {
                    continue;
                }
                let (piece, more) = self.trim_continuation(content);
                // Continuation lines keep their leading whitespace.
                logical.push(piece, next.start);
                logical.end = next.end;
                continues = more;
            }
            return Ok(Some(logical));
        }
        Ok(None)
    }

    /// Whether `line` (a line's content, leading whitespace removed) is a
    /// parser directive; records it, or ends the directive block.
    fn directive(&mut self, line: &str, offset: usize) -> Result<(), ParseError> {
        let Some((name, value, value_at)) = split_directive(line) else {
            self.directives_done = true;
            return Ok(());
        };
        let name = name.to_ascii_lowercase();
        if !DIRECTIVES.contains(&name.as_str()) {
            self.directives_done = true;
            return Ok(());
        }
        if self.directives.iter().any(|d| d.name == name) {
            return Err(ParseError::new(
                offset,
                format!("only one {name} parser directive can be used"),
            ));
        }
        if name == "escape" {
            self.escape = match value {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(ParseError::new(
                        offset + value_at,
                        format!("invalid escape character `{value}`: use ` or \\"),
                    ));
                }
            };
        }
        self.directives.push(Directive {
            name,
            value: value.to_string(),
            span: Span::new(offset, offset + line.len()),
            value_span: Span::new(offset + value_at, offset + value_at + value.len()),
        });
        Ok(())
    }

    /// Remove a line continuation: the escape character as the last
    /// non-blank character, unless it is itself escaped.
    fn trim_continuation<'l>(&self, line: &'l str) -> (&'l str, bool) {
        let body = line.trim_end_matches([' ', '\t']);
        let Some(before) = body.strip_suffix(self.escape) else {
            return (line, false);
        };
        if before.ends_with(self.escape) {
            return (line, false);
        }
        (before, true)
    }

    /// Read a heredoc body: the lines up to one equal to `name` (after
    /// removing leading tabs when `strip_tabs`). `None` if the file ends first.
    pub fn heredoc(&mut self, name: &str, strip_tabs: bool) -> Option<HeredocBody> {
        let first = self.lines.get(self.next)?.start;
        let mut body_end = first;
        while let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            let content = self.content(line);
            let candidate = if strip_tabs {
                content.trim_start_matches('\t')
            } else {
                content
            };
            if candidate == name {
                return Some(HeredocBody {
                    body: Span::new(first, body_end),
                    end: line.end,
                });
            }
            body_end = line.next;
        }
        None
    }
}

/// Split `text[start..]` into lines.
fn physical_lines(text: &str, start: usize) -> Vec<PhysicalLine> {
    let mut lines = Vec::new();
    let mut at = start.min(text.len());
    let bytes = text.as_bytes();
    while at < text.len() {
        let newline = bytes
            .get(at..)
            .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
            .map(|i| at + i);
        let next = newline.map_or(text.len(), |i| i + 1);
        let mut end = next;
        while end > at && matches!(bytes.get(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        lines.push(PhysicalLine {
            start: at,
            end,
            next,
        });
        at = next;
    }
    lines
}

/// `#`, blanks, a name (a letter, then letters and digits), blanks, `=`,
/// blanks, a non-empty value, trailing blanks: `(name, value, value offset)`.
fn split_directive(line: &str) -> Option<(&str, &str, usize)> {
    let is_blank = |c: char| matches!(c, ' ' | '\t' | '\x0c' | '\r' | '\n');
    let rest = line.strip_prefix('#')?.trim_start_matches(is_blank);
    let name_len = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(rest.len(), |(i, _)| i);
    let name = rest.get(..name_len)?;
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = rest.get(name_len..)?.trim_start_matches(is_blank);
    let value_part = rest.strip_prefix('=')?.trim_start_matches(is_blank);
    let value = value_part.trim_end_matches(is_blank);
    if value.is_empty() {
        return None;
    }
    Some((name, value, line.len() - value_part.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical_lines(text: &str) -> Vec<String> {
        let mut reader = Reader::new(text, 0);
        let mut out = Vec::new();
        while let Some(line) = reader.next_logical_line().unwrap() {
            out.push(line.text);
        }
        out
    }

    #[test]
    fn continuations_join_lines_and_skip_comments_and_blanks() {
        let text = "RUN apt-get update && \\\n  # a comment\n\n    apt-get install -y curl \\  \n && rm -rf /var/lib/apt\nUSER app\n";
        assert_eq!(
            logical_lines(text),
            [
                "RUN apt-get update &&     apt-get install -y curl  && rm -rf /var/lib/apt",
                "USER app"
            ]
        );
    }

    #[test]
    fn an_escaped_escape_does_not_continue() {
        assert_eq!(
            logical_lines("RUN echo \\\\\nUSER x"),
            ["RUN echo \\\\", "USER x"]
        );
    }

    #[test]
    fn crlf_line_endings_are_trimmed() {
        assert_eq!(
            logical_lines("FROM a \\\r\n  AS b\r\nUSER x\r\n"),
            ["FROM a   AS b", "USER x"]
        );
    }

    #[test]
    fn a_continuation_at_the_end_of_the_file_ends_the_instruction() {
        assert_eq!(logical_lines("FROM a\nRUN x \\"), ["FROM a", "RUN x "]);
    }

    #[test]
    fn spans_of_joined_text_point_into_each_line() {
        let text = "RUN a \\\n  # c\n  bc";
        let mut reader = Reader::new(text, 0);
        let line = reader.next_logical_line().unwrap().unwrap();
        assert_eq!(line.text, "RUN a   bc");
        let at = line.text.find("bc").unwrap();
        let span = line.span(at..at + 2);
        assert_eq!(&text[span.start..span.end], "bc");
        let whole = line.span(0..line.text.len());
        assert_eq!((whole.start, whole.end), (0, text.len()));
    }

    #[test]
    fn directives_are_case_insensitive_and_only_at_the_top() {
        let text = "# Syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM a\n# check=skip=all\n";
        let mut reader = Reader::new(text, 0);
        while reader.next_logical_line().unwrap().is_some() {}
        let names: Vec<_> = reader
            .directives()
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(names, ["syntax", "escape"]);
        assert_eq!(reader.escape(), '`');
        let value = reader.directives()[0].value_span;
        assert_eq!(&text[value.start..value.end], "docker/dockerfile:1");
    }

    #[test]
    fn a_comment_or_blank_line_ends_the_directives() {
        for text in ["# hello\n# escape=`\nFROM a", "\n# escape=`\nFROM a"] {
            let mut reader = Reader::new(text, 0);
            while reader.next_logical_line().unwrap().is_some() {}
            assert_eq!(reader.escape(), '\\', "{text:?}");
        }
    }

    #[test]
    fn an_unknown_directive_ends_the_directive_block() {
        let mut reader = Reader::new("# foo=bar\n# escape=`\nFROM a", 0);
        while reader.next_logical_line().unwrap().is_some() {}
        assert!(reader.directives().is_empty());
        assert_eq!(reader.escape(), '\\');
    }

    #[test]
    fn repeated_and_invalid_directives_are_errors() {
        let mut reader = Reader::new("# escape=`\n# escape=\\\nFROM a", 0);
        let err = reader.next_logical_line().unwrap_err();
        assert_eq!(err.offset, 11);
        assert!(err.message.contains("only one escape"), "{}", err.message);

        let mut reader = Reader::new("# escape=x\nFROM a", 0);
        let err = reader.next_logical_line().unwrap_err();
        assert_eq!(err.offset, 9);
    }

    #[test]
    fn backtick_escape_continues_lines_and_leaves_backslashes_alone() {
        let text = "# escape=`\nFROM a\nCOPY app\\ C:\\app\\\nRUN dir `\n  C:\\app";
        assert_eq!(
            logical_lines(text),
            ["FROM a", "COPY app\\ C:\\app\\", "RUN dir   C:\\app"]
        );
    }

    #[test]
    fn heredoc_bodies_end_at_their_terminator() {
        let text = "RUN <<EOF\nline 1\n\tEOF\nEOF\nUSER x";
        let mut reader = Reader::new(text, 0);
        reader.next_logical_line().unwrap();
        let body = reader.heredoc("EOF", false).unwrap();
        assert_eq!(&text[body.body.start..body.body.end], "line 1\n\tEOF\n");
        assert_eq!(reader.next_logical_line().unwrap().unwrap().text, "USER x");

        let mut reader = Reader::new(text, 0);
        reader.next_logical_line().unwrap();
        let body = reader.heredoc("EOF", true).unwrap();
        assert_eq!(&text[body.body.start..body.body.end], "line 1\n");

        let mut reader = Reader::new("RUN <<EOF\nno end\n", 0);
        reader.next_logical_line().unwrap();
        assert!(reader.heredoc("EOF", false).is_none());
    }
}
