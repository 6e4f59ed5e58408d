//! Splitting an instruction's text the ways BuildKit does: the keyword,
//! leading `--flags`, whitespace-separated fields, quote-aware words (for
//! `ENV`, `ARG`, `LABEL`), JSON exec form, and heredoc markers. Everything
//! works on byte ranges of the logical line so callers can map them to spans.

use std::ops::Range;

/// BuildKit's whitespace between a keyword and its arguments, and between
/// fields (`[\t\v\f\r ]`).
pub(super) fn is_field_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0b' | '\x0c' | '\r')
}

/// The keyword's range and where the rest (after blanks) starts.
pub(super) fn split_keyword(line: &str) -> Option<(Range<usize>, usize)> {
    let start = line.len() - line.trim_start().len();
    let rest = line.get(start..)?;
    let len = rest.find(is_field_space).unwrap_or(rest.len());
    if len == 0 {
        return None;
    }
    let after = start + len;
    let args = line.get(after..).map_or(after, |r| {
        after + (r.len() - r.trim_start_matches(char::is_whitespace).len())
    });
    Some((start..after, args))
}

/// A flag word: its text with quotes and escapes removed, and its range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FlagWord {
    pub text: String,
    pub range: Range<usize>,
}

/// Leading `--flag` words of `line[from..]`, and where the arguments start.
/// Flags end at the first word not starting with `--`, or after a bare `--`.
pub(super) fn extract_flags(line: &str, from: usize, escape: char) -> (Vec<FlagWord>, usize) {
    let mut flags = Vec::new();
    let mut at = from;
    loop {
        let Some(rest) = line.get(at..) else {
            return (flags, line.len());
        };
        let rest_trimmed = rest.trim_start();
        at += rest.len() - rest_trimmed.len();
        let rest = rest_trimmed;
        if !rest.starts_with("--") {
            return (flags, at);
        }
        let (text, len) = flag_word(rest, escape);
        let range = at..at + len;
        at += len;
        if text == "--" {
            return (flags, at);
        }
        flags.push(FlagWord { text, range });
    }
}

/// One flag word from the start of `rest`: its unquoted text and length.
fn flag_word(rest: &str, escape: char) -> (String, usize) {
    let mut text = String::new();
    let mut quote: Option<char> = None;
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match quote {
            None if c.is_whitespace() => return (text, i),
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == escape => {
                // An escape at the very end is dropped.
                if let Some((_, next)) = chars.next() {
                    text.push(next);
                }
            }
            _ => text.push(c),
        }
    }
    (text, rest.len())
}

/// Non-empty fields separated by [`is_field_space`], as ranges of `text`
/// offset by `base`.
pub(super) fn fields(text: &str, base: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_field_space(c), start) {
            (true, Some(s)) => {
                out.push(base + s..base + i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(base + s..base + text.len());
    }
    out
}

/// Words separated by whitespace outside quotes, quotes and escapes kept
/// (BuildKit's `parseWords`, used by `ENV`, `ARG` and `LABEL`).
pub(super) fn quoted_words(text: &str, base: usize, escape: char) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let Some(s) = start else {
            if c.is_whitespace() {
                continue;
            }
            start = Some(i);
            word.clear();
            quote = None;
            push_word_char(&mut word, &mut quote, &mut chars, c, escape);
            continue;
        };
        if quote.is_none() && c.is_whitespace() {
            out.push((std::mem::take(&mut word), base + s..base + i));
            start = None;
            continue;
        }
        push_word_char(&mut word, &mut quote, &mut chars, c, escape);
    }
    if let Some(s) = start {
        out.push((word, base + s..base + text.len()));
    }
    out
}

fn push_word_char(
    word: &mut String,
    quote: &mut Option<char>,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    c: char,
    escape: char,
) {
    match *quote {
        Some(q) if c == q => *quote = None,
        None if c == '\'' || c == '"' => *quote = Some(c),
        _ => {}
    }
    // An escape keeps itself and the next character (nothing escapes inside
    // single quotes); an escape at the very end is dropped.
    if c == escape && *quote != Some('\'') {
        if let Some((_, next)) = chars.next() {
            word.push(c);
            word.push(next);
        }
        return;
    }
    word.push(c);
}

/// The result of reading arguments as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Exec {
    /// Not JSON (or not an array): shell form.
    NotJson,
    /// An array of strings, each with the range of its literal.
    Strings(Vec<(String, Range<usize>)>),
    /// Valid JSON with a non-string element: BuildKit rejects it.
    NotStrings,
}

/// Read `text` (offset `base` in the line) as a JSON array of strings.
pub(super) fn exec_form(text: &str, base: usize) -> Exec {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('[') {
        return Exec::NotJson;
    }
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(trimmed)
    else {
        return Exec::NotJson;
    };
    let mut values = Vec::with_capacity(items.len());
    for item in items {
        match item {
            serde_json::Value::String(s) => values.push(s),
            _ => return Exec::NotStrings,
        }
    }
    let offset = base + (text.len() - trimmed.len());
    let literals = string_literals(trimmed);
    if literals.len() != values.len() {
        return Exec::NotJson;
    }
    Exec::Strings(
        values
            .into_iter()
            .zip(literals)
            .map(|(v, r)| (v, offset + r.start..offset + r.end))
            .collect(),
    )
}

/// Ranges of the string literals of valid JSON text.
fn string_literals(json: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    let mut escaped = false;
    for (i, c) in json.char_indices() {
        match start {
            None if c == '"' => start = Some(i),
            None => {}
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(s) if c == '"' => {
                out.push(s..i + 1);
                start = None;
            }
            Some(_) => {}
        }
    }
    out
}

/// A heredoc marker found in an instruction line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Marker {
    pub name: String,
    pub strip_tabs: bool,
    pub expand: bool,
    pub fd: Option<u32>,
    pub range: Range<usize>,
}

/// The heredoc markers of a line: shell words (quotes kept) of the form
/// `[fd]<<[-]["']NAME["']`. Like BuildKit, a line whose quotes do not close
/// has none, and `<<` absorbs the blanks after it (`<< EOF` is a marker).
pub(super) fn heredoc_markers(line: &str) -> Vec<Marker> {
    raw_shell_words(line)
        .into_iter()
        .filter_map(|range| {
            let word = line.get(range.clone())?;
            marker(word).map(|(name, strip_tabs, expand, fd)| Marker {
                name,
                strip_tabs,
                expand,
                fd,
                range,
            })
        })
        .collect()
}

fn marker(word: &str) -> Option<(String, bool, bool, Option<u32>)> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = word.get(digits..)?.strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start();
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let fd = word.get(..digits).and_then(|d| d.parse().ok());
    let name = unquote_delimiter(rest);
    if name.is_empty() {
        return None;
    }
    let quotes = |s: &str| s.chars().filter(|c| *c == '"' || *c == '\'').count();
    let expand = quotes(&name) == quotes(rest);
    Some((name, strip_tabs, expand, fd))
}

/// A delimiter without its quotes and `\` escapes.
fn unquote_delimiter(raw: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '\'' || c == '"' => quote = Some(c),
            Some('\'') => out.push(c),
            _ if c == '\\' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Word ranges split at blanks outside quotes, `${...}` and escapes (always
/// `\`, as BuildKit's heredoc scan uses the default lexer). Empty when a
/// quote does not close.
fn raw_shell_words(line: &str) -> Vec<Range<usize>> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<u8> = None;
    let mut braces = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(q) = quote {
            if b == q {
                quote = None;
            } else if b == b'\\' && q == b'"' {
                i += 1;
            }
            i += 1;
            continue;
        }
        let blank = matches!(b, b' ' | b'\t' | b'\r');
        if blank && braces == 0 {
            if let Some(s) = start.take() {
                out.push(s..i);
            }
            i += 1;
            continue;
        }
        start.get_or_insert(i);
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'\\' => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                braces += 1;
                i += 1;
            }
            b'}' if braces > 0 => braces -= 1,
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                // `<<` and the blanks after it belong to one word.
                i += 2;
                while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r')) {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if quote.is_some() {
        return Vec::new();
    }
    if let Some(s) = start {
        out.push(s..bytes.len());
    }
    // An escape before a multi-byte character may leave `i` inside it: keep
    // only ranges on character boundaries.
    out.retain(|r| line.get(r.clone()).is_some());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<'a>(line: &'a str, ranges: &[Range<usize>]) -> Vec<&'a str> {
        ranges.iter().map(|r| &line[r.clone()]).collect()
    }

    #[test]
    fn flags_are_read_until_the_first_plain_word() {
        let line = "RUN --mount=type=cache,target=/root/.cache --network=none pip install -r x";
        let (_, rest) = split_keyword(line).unwrap();
        let (flags, args) = extract_flags(line, rest, '\\');
        let names: Vec<_> = flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(
            names,
            ["--mount=type=cache,target=/root/.cache", "--network=none"]
        );
        assert_eq!(&line[args..], "pip install -r x");
        assert_eq!(&line[flags[1].range.clone()], "--network=none");
    }

    #[test]
    fn flag_quotes_are_removed_and_a_bare_double_dash_ends_flags() {
        let line = "COPY --chown=\"app user\" --link -- --weird /dst";
        let (_, rest) = split_keyword(line).unwrap();
        let (flags, args) = extract_flags(line, rest, '\\');
        assert_eq!(flags[0].text, "--chown=app user");
        assert_eq!(flags[1].text, "--link");
        assert_eq!(&line[args..], " --weird /dst");
    }

    #[test]
    fn quoted_words_keep_quotes_and_split_outside_them() {
        let text = r#"A="hello world" B=it\ is C='x y'"#;
        let words: Vec<_> = quoted_words(text, 0, '\\')
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(words, [r#"A="hello world""#, r"B=it\ is", "C='x y'"]);
    }

    #[test]
    fn exec_form_needs_a_json_array_of_strings() {
        let text = r#"  ["node", "server.js", "caf\u00e9"]"#;
        let Exec::Strings(items) = exec_form(text, 10) else {
            panic!("not exec form");
        };
        assert_eq!(items[2].0, "café");
        assert_eq!(
            &text[items[1].1.start - 10..items[1].1.end - 10],
            "\"server.js\""
        );
        assert_eq!(exec_form("[node, server.js]", 0), Exec::NotJson);
        assert_eq!(exec_form("[\"a\"] && b", 0), Exec::NotJson);
        assert_eq!(exec_form("echo [1]", 0), Exec::NotJson);
        assert_eq!(exec_form("[1, \"a\"]", 0), Exec::NotStrings);
        assert_eq!(exec_form("[]", 0), Exec::Strings(Vec::new()));
    }

    #[test]
    fn heredoc_markers_follow_buildkit() {
        let line = r#"COPY <<a.txt <<-"b c" 3<<'EOF' /dst/"#;
        let markers = heredoc_markers(line);
        let names: Vec<_> = markers.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "b c", "EOF"]);
        assert!(markers[0].expand && !markers[1].expand && !markers[2].expand);
        assert!(markers[1].strip_tabs && !markers[0].strip_tabs);
        assert_eq!(markers[2].fd, Some(3));
        assert_eq!(&line[markers[1].range.clone()], "<<-\"b c\"");

        let names =
            |l: &str| -> Vec<String> { heredoc_markers(l).into_iter().map(|m| m.name).collect() };
        assert_eq!(names("RUN << EOF"), ["EOF"]);
        assert_eq!(names("RUN cat <<<EOF"), Vec::<String>::new());
        assert_eq!(names("RUN echo '<<EOF'"), Vec::<String>::new());
        assert_eq!(names("RUN echo \"unclosed <<EOF"), Vec::<String>::new());
        assert_eq!(names("RUN python3 <<EOF > /out"), ["EOF"]);
        assert_eq!(names("RUN echo x<<EOF"), Vec::<String>::new());
    }

    #[test]
    fn fields_split_on_blanks() {
        let text = "  node:20\t AS  build ";
        assert_eq!(texts(text, &fields(text, 0)), ["node:20", "AS", "build"]);
    }
}
