//! Literals that may run over lines or hold code: strings with `#{}`
//! interpolation, heredocs, percent literals and regexps. A literal that never
//! ends costs a scan to the end of the file, so their number is bounded.

use super::{Kind, Lexer, PendingHeredoc, is_ident_char, is_ident_start};
use crate::source::Span;

/// Interpolations nest (`"#{"#{x}"}"`); deeper than this is treated as an
/// unterminated literal rather than recursed into.
const MAX_INTERPOLATION_DEPTH: u32 = 16;
/// Each unterminated literal costs a scan to the end of the file; after this
/// many the rest of the file is skipped, which keeps hostile input linear.
const MAX_UNTERMINATED: u32 = 8;

impl<'a> Lexer<'a> {
    /// After a newline: skip the bodies of the heredocs opened on the line
    /// that just ended, in order.
    pub(super) fn heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.heredocs);
        for heredoc in pending {
            let mut cursor = self.pos;
            loop {
                if cursor >= self.bytes.len() {
                    // Unterminated: report it and read the lines below as code
                    // again, which recovers more than dropping the file's rest.
                    let message = format!(
                        "unterminated heredoc: no line `{}` ends it",
                        heredoc.terminator
                    );
                    self.unterminated_at(heredoc.opener.start, &message, self.pos);
                    return;
                }
                let end = self.line_end(cursor);
                let line = self.slice(cursor, end).trim_end_matches('\r');
                let matched = if heredoc.indented {
                    line.trim() == heredoc.terminator
                } else {
                    line == heredoc.terminator
                };
                cursor = end + 1;
                if matched {
                    self.pos = end.min(self.bytes.len());
                    // The terminator line's newline ends the statement.
                    break;
                }
            }
        }
    }

    /// `<<~ID`, `<<-ID`, `<<ID`, with the identifier optionally quoted.
    pub(super) fn heredoc(&mut self, start: usize) -> bool {
        let mut cursor = start + 2;
        let indented = matches!(self.at(cursor), b'~' | b'-');
        if indented {
            cursor += 1;
        }
        let quote = self.at(cursor);
        let (id_start, id_end, end) = if matches!(quote, b'\'' | b'"' | b'`') {
            let close = self.bytes.get(cursor + 1..).and_then(|rest| {
                rest.iter()
                    .position(|&b| b == quote || b == b'\n')
                    .map(|i| cursor + 1 + i)
            });
            match close {
                Some(close) if self.at(close) == quote && close > cursor + 1 => {
                    (cursor + 1, close, close + 1)
                }
                _ => return false,
            }
        } else if is_ident_start(self.at(cursor))
            && (indented || self.at(cursor).is_ascii_uppercase() || self.at(cursor) == b'_')
        {
            let mut end = cursor;
            while is_ident_char(self.at(end)) {
                end += 1;
            }
            (cursor, end, end)
        } else {
            return false;
        };
        // `x <<~EOS` after a value is still a heredoc; `x <<ID` is a shift.
        if !indented && !self.operand_expected(start) {
            return false;
        }
        let terminator = self.slice(id_start, id_end).to_string();
        let opener = Span::new(start, end);
        self.heredocs.push(PendingHeredoc {
            terminator,
            indented,
            opener,
        });
        self.push(Kind::Str(None), start, end);
        self.pos = end;
        true
    }

    /// A quoted string starting at `start`.
    pub(super) fn string(&mut self, start: usize, quote: u8, interpolate: bool) {
        match self.delimited(start + 1, (quote, quote), interpolate, 0, self.bytes.len()) {
            Some((end, interpolated)) => {
                let value = (!interpolated).then(|| unescape(self.slice(start + 1, end - 1)));
                self.push(Kind::Str(value), start, end);
                self.pos = end;
            }
            None => self.unterminated(start, "unterminated string"),
        }
    }

    /// Report a literal that never ends and resume lexing on the next line.
    pub(super) fn unterminated(&mut self, start: usize, message: &str) {
        let resume = self.line_end(start);
        self.unterminated_at(start, message, resume);
    }

    /// Report a literal that never ends and resume lexing at `resume`, unless
    /// too many did: then the rest of the file is skipped.
    fn unterminated_at(&mut self, start: usize, message: &str, resume: usize) {
        self.error(start, message);
        self.unterminated += 1;
        if self.unterminated >= MAX_UNTERMINATED {
            self.error(
                start,
                format!("more than {MAX_UNTERMINATED} unterminated literals; the rest of the file is not read"),
            );
            self.pos = self.bytes.len();
        } else {
            self.pos = resume;
        }
    }

    /// Scan a delimited body starting at `from` (just after the opening
    /// delimiter). Returns the offset just after the closing delimiter and
    /// whether the body holds an interpolation; `None` if it never closes.
    pub(super) fn delimited(
        &self,
        from: usize,
        (open, close): (u8, u8),
        interpolate: bool,
        depth: u32,
        limit: usize,
    ) -> Option<(usize, bool)> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return None;
        }
        let mut cursor = from;
        let mut nesting = 0usize;
        let mut interpolated = false;
        while cursor < limit {
            let b = self.at(cursor);
            if b == b'\\' {
                cursor += 2;
            } else if interpolate && b == b'#' && self.at(cursor + 1) == b'{' {
                cursor = self.interpolation(cursor + 2, depth + 1, limit)?;
                interpolated = true;
            } else if b == close && nesting == 0 {
                return Some((cursor + 1, interpolated));
            } else {
                if open != close && b == open {
                    nesting += 1;
                } else if open != close && b == close {
                    nesting -= 1;
                }
                cursor += 1;
            }
        }
        None
    }

    /// Skip the code of a `#{...}` starting at `from`; returns the offset
    /// after its closing brace.
    fn interpolation(&self, from: usize, depth: u32, limit: usize) -> Option<usize> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return None;
        }
        let mut cursor = from;
        let mut braces = 0usize;
        while cursor < limit {
            match self.at(cursor) {
                b'\\' => cursor += 2,
                b'"' | b'`' => {
                    let quote = self.at(cursor);
                    cursor = self
                        .delimited(cursor + 1, (quote, quote), true, depth, limit)?
                        .0;
                }
                b'\'' => {
                    cursor = self
                        .delimited(cursor + 1, (b'\'', b'\''), false, depth, limit)?
                        .0;
                }
                b'{' => {
                    braces += 1;
                    cursor += 1;
                }
                b'}' if braces == 0 => return Some(cursor + 1),
                b'}' => {
                    braces -= 1;
                    cursor += 1;
                }
                _ => cursor += 1,
            }
        }
        None
    }

    /// `%w[...]`, `%i(...)`, `%q{...}`, `%(...)` and friends. Returns false
    /// when the `%` is the modulo operator.
    pub(super) fn percent(&mut self, start: usize) -> bool {
        let mut cursor = start + 1;
        let mut letter = b'Q';
        if matches!(
            self.at(cursor),
            b'q' | b'Q' | b'w' | b'W' | b'i' | b'I' | b'r' | b's' | b'x'
        ) {
            letter = self.at(cursor);
            cursor += 1;
        }
        let open = self.at(cursor);
        if open == 0 || open.is_ascii_alphanumeric() || open.is_ascii_whitespace() || open >= 0x80 {
            return false;
        }
        let close = closing_of(open);
        let interpolate = matches!(letter, b'Q' | b'W' | b'I' | b'r' | b'x');
        let Some((mut end, interpolated)) =
            self.delimited(cursor + 1, (open, close), interpolate, 0, self.bytes.len())
        else {
            self.unterminated(start, "unterminated percent literal");
            return true;
        };
        let body = self.slice(cursor + 1, end - 1);
        let kind = match letter {
            b'w' | b'W' | b'i' | b'I' => {
                Kind::Words(body.split_whitespace().map(str::to_string).collect())
            }
            b'q' | b'Q' => Kind::Str((!interpolated).then(|| unescape(body))),
            b's' => Kind::Symbol(Some(body.to_string())),
            _ => Kind::Value,
        };
        if letter == b'r' {
            end = self.skip_flags(end);
        }
        self.push(kind, start, end);
        self.pos = end;
        true
    }

    /// A `/regexp/` at an operand position; false (division) if it does not
    /// close on its line.
    pub(super) fn regexp(&mut self, start: usize) -> bool {
        if start < self.no_regexp_before {
            return false;
        }
        let line_end = self.line_end(start);
        match self.delimited(start + 1, (b'/', b'/'), true, 0, line_end) {
            Some((end, _)) => {
                let end = self.skip_flags(end);
                self.push(Kind::Value, start, end);
                self.pos = end;
                true
            }
            None => {
                self.no_regexp_before = line_end;
                false
            }
        }
    }

    fn skip_flags(&self, mut end: usize) -> usize {
        while self.at(end).is_ascii_alphabetic() {
            end += 1;
        }
        end
    }
}

/// A literal's text with backslash escapes reduced to the escaped character
/// (enough for gem names and versions, which hold none in practice).
pub(super) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn closing_of(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        b'{' => b'}',
        b'<' => b'>',
        other => other,
    }
}
