//! pip requirements files (`requirements*.txt`, `*.in`, `constraints.txt`),
//! read line by line the way pip reads them: lines ending in `\` are joined
//! with the next, `#` starts a comment at the start of a line or after
//! whitespace (so `#egg=` in a URL stays), then a line is either options
//! (`-r`, `-c`, `-e`, `-i`, ...) or a requirement followed by per-requirement
//! options (`--hash=...`). Includes are reported, not followed: the detector
//! resolves them. A malformed line is an error and the next line is read.

use crate::parse::ParseError;
use crate::parse::pep508;
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequirementsFile {
    pub requirements: Vec<LineRequirement>,
    pub includes: Vec<Include>,
    pub errors: Vec<ParseError>,
}

/// A requirement that names a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRequirement {
    /// The name as written, without extras or version.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    pub pin: Pin,
    /// Installed with `-e` / `--editable`.
    pub editable: bool,
    /// What pip-compile / `uv pip compile` wrote under it (`# via flask`,
    /// `# via -r requirements.in`): `None` when the file says nothing.
    pub via: Option<Vec<String>>,
}

impl LineRequirement {
    /// A compiled file lists every transitive dependency; one that is there
    /// only because another package needs it (`# via flask`) was not asked
    /// for by the project.
    pub fn is_transitive(&self) -> bool {
        self.via.as_ref().is_some_and(|via| {
            !via.is_empty()
                && !via
                    .iter()
                    .any(|v| v.starts_with("-r") || v.starts_with("--requirement"))
        })
    }
}

/// How precisely a requirement says what gets installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// `==1.2.3` or `===1.2.3`.
    Exact,
    /// A range, a prefix match (`==1.*`) or no version at all.
    Loose,
    /// A URL or path names the artifact (`pkg @ https://...`, `#egg=pkg`).
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written, relative to the including file's directory.
    pub path: String,
    /// Where the path is written.
    pub span: Span,
    pub kind: IncludeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeKind {
    /// `-r` / `--requirement`: its requirements are installed too.
    Requirements,
    /// `-c` / `--constraint`: only limits versions; adds no dependency.
    Constraints,
}

/// What an option does here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionAction {
    Include(IncludeKind),
    Editable,
    /// Accepted and of no interest (indexes, hashes, binary preferences).
    Ignore,
}

/// The options pip accepts in a requirements file: (short, long, takes a value, action).
const OPTIONS: &[(&str, &str, bool, OptionAction)] = &[
    (
        "-r",
        "--requirement",
        true,
        OptionAction::Include(IncludeKind::Requirements),
    ),
    (
        "-c",
        "--constraint",
        true,
        OptionAction::Include(IncludeKind::Constraints),
    ),
    ("-e", "--editable", true, OptionAction::Editable),
    ("-i", "--index-url", true, OptionAction::Ignore),
    ("", "--extra-index-url", true, OptionAction::Ignore),
    ("", "--no-index", false, OptionAction::Ignore),
    ("-f", "--find-links", true, OptionAction::Ignore),
    ("", "--no-binary", true, OptionAction::Ignore),
    ("", "--only-binary", true, OptionAction::Ignore),
    ("", "--prefer-binary", false, OptionAction::Ignore),
    ("", "--require-hashes", false, OptionAction::Ignore),
    ("", "--pre", false, OptionAction::Ignore),
    ("", "--trusted-host", true, OptionAction::Ignore),
    ("", "--use-feature", true, OptionAction::Ignore),
    // Per-requirement options.
    ("", "--hash", true, OptionAction::Ignore),
    ("", "--global-option", true, OptionAction::Ignore),
    ("-C", "--config-settings", true, OptionAction::Ignore),
];

/// Archive names pip installs from a path or URL.
const ARCHIVE_SUFFIXES: &[&str] = &[
    ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar",
];

pub fn parse(src: &SourceFile) -> RequirementsFile {
    let mut out = RequirementsFile::default();
    for line in logical_lines(src) {
        parse_line(&line, &mut out);
    }
    read_via_annotations(src, &mut out.requirements);
    out
}

/// pip-compile writes where each pinned requirement comes from in comments
/// below it, on one line (`    # via flask`) or as a list
/// (`    # via` then `    #   flask`, `    #   -r requirements.in`).
fn read_via_annotations(src: &SourceFile, requirements: &mut [LineRequirement]) {
    let mut by_line: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for (i, req) in requirements.iter().enumerate() {
        by_line.insert(src.line(req.span.start), i);
    }
    let mut current: Option<usize> = None;
    let mut in_list = false;
    for (number, line) in src.body().lines().enumerate() {
        let line_no = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let trimmed = line.trim();
        if let Some(index) = by_line.get(&line_no) {
            current = Some(*index);
            in_list = false;
            continue;
        }
        let Some(comment) = trimmed.strip_prefix('#') else {
            if !trimmed.is_empty() {
                current = None;
            }
            in_list = false;
            continue;
        };
        let Some(index) = current else { continue };
        let Some(req) = requirements.get_mut(index) else {
            continue;
        };
        if let Some(rest) = comment.trim_start().strip_prefix("via") {
            let rest = rest.trim();
            let list = req.via.get_or_insert_with(Vec::new);
            if rest.is_empty() {
                in_list = true;
            } else {
                list.push(rest.to_string());
            }
        } else if in_list && comment.starts_with("   ") && !comment.trim().is_empty() {
            req.via
                .get_or_insert_with(Vec::new)
                .push(comment.trim().to_string());
        } else {
            in_list = false;
        }
    }
}

/// One or more physical lines joined by `\`, with where each piece came from.
#[derive(Debug, Default)]
struct LogicalLine {
    text: String,
    /// (offset in `text`, offset in the file) where each piece starts.
    pieces: Vec<(usize, usize)>,
}

impl LogicalLine {
    fn push(&mut self, piece: &str, file_offset: usize) {
        self.pieces.push((self.text.len(), file_offset));
        self.text.push_str(piece);
    }

    /// The file offset of an offset in the joined text.
    fn offset(&self, at: usize) -> usize {
        let index = self.pieces.partition_point(|(start, _)| *start <= at);
        match index.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((start, file)) => file + (at - start),
            None => at,
        }
    }

    fn span(&self, start: usize, len: usize) -> Span {
        let start = self.offset(start);
        Span::new(start, start + len)
    }
}

/// pip's `join_lines`: a line ending in `\` continues on the next one, unless
/// it is a comment line.
fn logical_lines(src: &SourceFile) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    let mut offset = src.body_offset();
    for raw in src.body().split('\n') {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = line.trim_start().starts_with('#');
        if line.ends_with('\\') && !is_comment {
            pending
                .get_or_insert_with(LogicalLine::default)
                .push(line.trim_end_matches('\\'), start);
            continue;
        }
        let mut logical = pending.take().unwrap_or_default();
        if is_comment && !logical.text.is_empty() {
            // pip keeps a comment after a continuation a comment.
            logical.push(" ", start);
        }
        logical.push(line, start);
        out.push(logical);
    }
    if let Some(logical) = pending {
        out.push(logical);
    }
    out
}

/// Where a comment starts: `#` at the start or after whitespace.
fn comment_start(text: &str) -> Option<usize> {
    let mut previous_is_space = true;
    for (i, c) in text.char_indices() {
        if c == '#' && previous_is_space {
            return Some(i);
        }
        previous_is_space = c.is_whitespace();
    }
    None
}

fn parse_line(line: &LogicalLine, out: &mut RequirementsFile) {
    let text = &line.text;
    let text = comment_start(text).map_or(text.as_str(), |i| text.get(..i).unwrap_or(text));
    let content = text.trim();
    if content.is_empty() {
        return;
    }
    let lo = text.len() - text.trim_start().len();
    // pip's `break_args_options`: the requirement runs up to the first word
    // that starts with `-`.
    let options_at = word_starts(content)
        .find(|&i| content.get(i..).is_some_and(|rest| rest.starts_with('-')))
        .unwrap_or(content.len());
    let (args, options) = content
        .split_at_checked(options_at)
        .unwrap_or((content, ""));
    let args = args.trim_end();
    let mut editables = Vec::new();
    // A bad option is reported; the requirement before it still counts.
    if let Err(err) = parse_options(line, lo + options_at, options, out, &mut editables) {
        out.errors.push(err);
    }
    if !args.is_empty() {
        if let Err(err) = parse_requirement(line, lo, args, false, out) {
            out.errors.push(err);
        }
    }
    for (value, at) in editables {
        if let Err(err) = parse_requirement(line, at, &value, true, out) {
            out.errors.push(err);
        }
    }
}

/// Offsets where whitespace-separated words start.
fn word_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices().filter_map(|(i, c)| {
        let after_space = text
            .get(..i)
            .is_none_or(|t| t.is_empty() || t.ends_with(char::is_whitespace));
        (!c.is_whitespace() && after_space).then_some(i)
    })
}

/// A shell-like word (pip splits options with `shlex`): quotes are removed.
struct Word {
    text: String,
    /// Offset in the logical line.
    at: usize,
}

fn split_words(text: &str, base: usize) -> Result<Vec<Word>, ParseError> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        while let Some(&(i, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\'' | '"' => {
                    let mut closed = false;
                    for (_, inner) in chars.by_ref() {
                        if inner == c {
                            closed = true;
                            break;
                        }
                        word.push(inner);
                    }
                    if !closed {
                        return Err(ParseError::new(base + i, "unterminated quote"));
                    }
                }
                other => word.push(other),
            }
        }
        words.push(Word {
            text: word,
            at: base + start,
        });
    }
    Ok(words)
}

/// Options of a line; `-e` values are collected for the caller.
fn parse_options(
    line: &LogicalLine,
    base: usize,
    text: &str,
    out: &mut RequirementsFile,
    editables: &mut Vec<(String, usize)>,
) -> Result<(), ParseError> {
    let words = split_words(text, base)?;
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let error = |message: String| ParseError::new(line.offset(word.at), message);
        if !word.text.starts_with('-') {
            return Err(error(format!(
                "unexpected `{}` after the options of this line",
                word.text
            )));
        }
        let (flag, inline) = if word.text.starts_with("--") {
            match word.text.split_once('=') {
                Some((flag, value)) => (flag, Some(value.to_string())),
                None => (word.text.as_str(), None),
            }
        } else {
            let split = word
                .text
                .char_indices()
                .nth(2)
                .map_or(word.text.len(), |(i, _)| i);
            let (flag, rest) = word.text.split_at(split);
            (flag, (!rest.is_empty()).then(|| rest.to_string()))
        };
        let Some(&(_, long, takes_value, action)) = OPTIONS
            .iter()
            .find(|(short, long, _, _)| flag == *long || !short.is_empty() && flag == *short)
        else {
            return Err(error(format!("unknown pip option `{flag}`")));
        };
        let (value, value_at) = if !takes_value {
            if inline.is_some() {
                return Err(error(format!("option `{long}` takes no value")));
            }
            continue;
        } else if let Some(value) = inline {
            let at = word.at + word.text.len() - value.len();
            (value, at)
        } else {
            match words.next() {
                Some(next) => (next.text, next.at),
                None => return Err(error(format!("option `{long}` needs a value"))),
            }
        };
        match action {
            OptionAction::Include(kind) => out.includes.push(Include {
                span: line.span(value_at, value.len()),
                path: value,
                kind,
            }),
            OptionAction::Editable => editables.push((value, value_at)),
            OptionAction::Ignore => {}
        }
    }
    Ok(())
}

/// A requirement at offset `at` of the logical line: PEP 508, or a URL or
/// path (named by its `#egg=` fragment, else skipped).
fn parse_requirement(
    line: &LogicalLine,
    at: usize,
    text: &str,
    editable: bool,
    out: &mut RequirementsFile,
) -> Result<(), ParseError> {
    if editable || is_url_or_path(text) {
        if let Some((name, offset)) = egg_name(text) {
            out.requirements.push(LineRequirement {
                span: line.span(at + offset, name.len()),
                name: name.to_string(),
                pin: Pin::Reference,
                editable,
                via: None,
            });
        }
        return Ok(());
    }
    let requirement = pep508::parse(text, 0)
        .map_err(|err| ParseError::new(line.offset(at + err.offset), err.message))?;
    let name_start = requirement.name_span.start;
    out.requirements.push(LineRequirement {
        span: line.span(at + name_start, requirement.name.len()),
        pin: if requirement.url.is_some() {
            Pin::Reference
        } else if requirement.is_pinned() {
            Pin::Exact
        } else {
            Pin::Loose
        },
        via: None,
        name: requirement.name,
        editable,
    });
    Ok(())
}

/// A URL or path without a PEP 508 name in front (`./pkg`, `https://...`,
/// `git+ssh://git@host/x.git`, `dist/pkg-1.0.whl`), the way pip tells them apart.
pub fn is_url_or_path(text: &str) -> bool {
    let first = text.split(char::is_whitespace).next().unwrap_or("");
    let scheme_at = first.find("://");
    // `name @ url` or `name@url`: a name stands before the `@`.
    if let Some(at) = text.find('@') {
        let before = text.get(..at).unwrap_or("").trim();
        let name = before.split('[').next().unwrap_or(before).trim();
        if pep508::is_valid_name(name) && scheme_at.is_none_or(|s| at < s) {
            return false;
        }
    }
    let lower = first.to_ascii_lowercase();
    scheme_at.is_some()
        || first.starts_with(['.', '/', '~'])
        || lower.starts_with("file:")
        || first.contains(['/', '\\'])
        || ARCHIVE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// The project name in a URL's `#egg=name` fragment, and its offset in `url`.
pub fn egg_name(url: &str) -> Option<(&str, usize)> {
    let fragment_at = url.find('#')? + 1;
    let fragment = url.get(fragment_at..)?;
    let mut offset = fragment_at;
    for part in fragment.split('&') {
        if let Some(value) = part.strip_prefix("egg=") {
            let name = value.split(['[', ' ', '\t']).next().unwrap_or(value);
            return pep508::is_valid_name(name).then_some((name, offset + "egg=".len()));
        }
        offset += part.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (SourceFile, RequirementsFile) {
        let src = SourceFile::new("requirements.txt", text);
        let parsed = parse(&src);
        (src, parsed)
    }

    #[test]
    fn pip_compile_via_annotations_mark_transitive_pins() {
        let (_, parsed) = parse_text(
            "# This file was autogenerated by uv via the following command:\n#    uv pip compile requirements.in\nblinker==1.9.0\n    # via flask\nflask==3.1.3\n    # via\n    #   -r requirements.in\n    #   flask-login\ncertifi==2025.8.3\n    # via\n    #   geventhttpclient\n    #   requests\nlocust==2.40.0 \\\n    --hash=sha256:abc\n    # via -r requirements.in\nplain==1.0\n",
        );
        let transitive: Vec<(&str, bool)> = parsed
            .requirements
            .iter()
            .map(|r| (r.name.as_str(), r.is_transitive()))
            .collect();
        assert_eq!(
            transitive,
            [
                ("blinker", true),
                ("flask", false),
                ("certifi", true),
                ("locust", false),
                ("plain", false)
            ]
        );
        assert_eq!(
            parsed.requirements[2].via.as_deref().map(<[String]>::len),
            Some(2)
        );
    }

    fn names(parsed: &RequirementsFile) -> Vec<&str> {
        parsed
            .requirements
            .iter()
            .map(|r| r.name.as_str())
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_specifiers() {
        let (src, parsed) = parse_text(
            "# base\n\nDjango==4.2.11  # LTS\npsycopg[binary]>=3.1,<4\nrequests ; python_version >= \"3.8\"\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(names(&parsed), ["Django", "psycopg", "requests"]);
        assert_eq!(parsed.requirements[0].pin, Pin::Exact);
        assert_eq!(parsed.requirements[1].pin, Pin::Loose);
        assert_eq!(src.line(parsed.requirements[2].span.start), 5);
        assert_eq!(src.slice(parsed.requirements[1].span), "psycopg");
    }

    #[test]
    fn continuations_hashes_and_crlf() {
        let text = "gunicorn==22.0.0 \\\r\n    --hash=sha256:aaa \\\r\n    --hash=sha256:bbb\r\nsentry-sdk==2.1.1 --hash sha256:ccc\r\n";
        let (src, parsed) = parse_text(text);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(names(&parsed), ["gunicorn", "sentry-sdk"]);
        assert_eq!(src.line(parsed.requirements[1].span.start), 4);
        assert!(parsed.requirements.iter().all(|r| r.pin == Pin::Exact));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (src, parsed) = parse_text("\u{feff}flask==3.0.3\n");
        assert_eq!(names(&parsed), ["flask"]);
        assert_eq!(src.slice(parsed.requirements[0].span), "flask");
        assert_eq!(src.position(parsed.requirements[0].span.start).column, 2);
    }

    #[test]
    fn includes_and_constraints() {
        let (src, parsed) = parse_text(
            "-r base.txt\n--requirement=extra.txt\n-rlocal.txt\n-c constraints.txt\n--constraint 'c 2.txt'\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let paths: Vec<(&str, IncludeKind)> = parsed
            .includes
            .iter()
            .map(|i| (i.path.as_str(), i.kind))
            .collect();
        assert_eq!(
            paths,
            [
                ("base.txt", IncludeKind::Requirements),
                ("extra.txt", IncludeKind::Requirements),
                ("local.txt", IncludeKind::Requirements),
                ("constraints.txt", IncludeKind::Constraints),
                ("c 2.txt", IncludeKind::Constraints),
            ]
        );
        assert_eq!(src.slice(parsed.includes[0].span), "base.txt");
        assert_eq!(src.slice(parsed.includes[1].span), "extra.txt");
        assert_eq!(src.slice(parsed.includes[2].span), "local.txt");
        assert!(parsed.requirements.is_empty());
    }

    #[test]
    fn editables_are_named_by_their_egg_fragment() {
        let (src, parsed) = parse_text(
            "-e git+https://github.com/acme/lib.git@v1#egg=acme-lib&subdirectory=py\n-e .\n--editable ./plugins/x\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(names(&parsed), ["acme-lib"]);
        assert!(parsed.requirements[0].editable);
        assert_eq!(src.slice(parsed.requirements[0].span), "acme-lib");
    }

    #[test]
    fn urls_and_paths() {
        let (_, parsed) = parse_text(
            "https://example.com/a-1.0.tar.gz\n./vendor/b\ndist/c-1.0-py3-none-any.whl\nd @ https://example.com/d.whl\ngit+https://github.com/e/e.git#egg=e\ne2@ git+ssh://git@github.com/e/e2.git\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(names(&parsed), ["d", "e", "e2"]);
        assert!(parsed.requirements.iter().all(|r| r.pin == Pin::Reference));
    }

    #[test]
    fn file_options_are_accepted() {
        let (_, parsed) = parse_text(
            "-i https://pypi.org/simple\n--extra-index-url https://x/simple --trusted-host x\n-f ./wheels\n--find-links=./w\n--pre\n--no-binary :all:\n--only-binary=:none:\n--prefer-binary\n--require-hashes\n--no-index\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.requirements.is_empty());
    }

    #[test]
    fn a_bad_line_is_an_error_and_the_rest_is_read() {
        let (src, parsed) = parse_text("ok==1\ndjango>=\n--frobnicate\n-r\nlast==2\nx 'y\n");
        assert_eq!(names(&parsed), ["ok", "last"]);
        let found: Vec<(u32, u32, &str)> = parsed
            .errors
            .iter()
            .map(|e| {
                let p = src.position(e.offset);
                (p.line, p.column, e.message.as_str())
            })
            .collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (2, 9));
        assert!(found[1].2.contains("unknown pip option `--frobnicate`"));
        assert!(found[2].2.contains("needs a value"));
        assert_eq!(found[3].0, 6);
    }

    #[test]
    fn errors_inside_a_continued_line_point_at_the_physical_line() {
        let (src, parsed) = parse_text("a==1 \\\n  --hash=x \\\n  --bogus\n");
        let pos = src.position(parsed.errors[0].offset);
        assert_eq!((pos.line, pos.column), (3, 3));
    }

    #[test]
    fn a_hash_sign_inside_a_word_is_not_a_comment() {
        assert_eq!(comment_start("x#y # z"), Some(4));
        assert_eq!(comment_start("# z"), Some(0));
        assert_eq!(comment_start("x#y"), None);
    }

    #[test]
    fn a_comment_line_ending_in_backslash_does_not_continue() {
        let (_, parsed) = parse_text("# note \\\nflask\n");
        assert_eq!(names(&parsed), ["flask"]);
    }

    #[test]
    fn a_trailing_backslash_at_the_end_of_file_is_kept() {
        let (_, parsed) = parse_text("flask==3.0 \\");
        assert_eq!(names(&parsed), ["flask"]);
    }

    #[test]
    fn egg_names() {
        assert_eq!(egg_name("git+https://x/y.git#egg=pkg"), Some(("pkg", 24)));
        assert_eq!(egg_name("x#subdirectory=a&egg=p[extra]"), Some(("p", 21)));
        assert_eq!(egg_name("x#egg="), None);
        assert_eq!(egg_name("x"), None);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "\\", "\\\n\\\n", "-", "--", "-e", "'", "#egg=", "é\\\né", "-ré", "a @",
        ] {
            let _ = parse_text(text);
        }
    }
}
