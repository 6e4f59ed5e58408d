//! One logical line to an [`Instruction`]: keyword, flags, arguments in exec
//! or shell form, heredoc bodies (read from the lines that follow), and the
//! typed facts of the instructions stages care about. Argument errors are
//! those BuildKit's `instructions` package reports for them.

use std::ops::Range;

use crate::parse::ParseError;
use crate::source::Span;

use super::expand::unquote;
use super::lines::{LogicalLine, Reader};
use super::words::{self, Exec};
use super::{
    ArgDecl, Arguments, Flag, Healthcheck, Heredoc, Instruction, KeyValue, Keyword, Port, User,
    Word,
};

/// An instruction and what it says, before it is placed in a stage.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    pub instruction: Instruction,
    pub detail: Detail,
}

#[derive(Debug, Clone)]
pub(super) enum Detail {
    None,
    From {
        image: Word,
        name: Option<Word>,
        platform: Option<Word>,
    },
    /// Each declaration with its default as written (for substitution).
    Arg(Vec<(ArgDecl, Option<String>)>),
    Env(Vec<KeyValue>),
    User(User),
    Expose(Vec<Port>),
    Healthcheck(Healthcheck),
    Workdir(Word),
    CopyFrom(Word),
}

/// The text and file span of a range of the logical line.
fn word(line: &LogicalLine, range: Range<usize>) -> Word {
    Word {
        text: line.text.get(range.clone()).unwrap_or("").to_string(),
        span: line.span(range),
    }
}

fn error(line: &LogicalLine, at: usize, message: impl Into<String>) -> ParseError {
    ParseError::new(line.file_offset(at), message)
}

pub(super) fn parse(line: &LogicalLine, reader: &mut Reader<'_>) -> Result<Parsed, ParseError> {
    let escape = reader.escape();
    let text = line.text.as_str();
    let Some((keyword_range, rest)) = words::split_keyword(text) else {
        return Err(error(line, 0, "expected an instruction"));
    };
    let keyword_text = text.get(keyword_range.clone()).unwrap_or("");
    let Some(keyword) = Keyword::parse(keyword_text) else {
        return Err(error(
            line,
            keyword_range.start,
            format!("unknown instruction: {keyword_text}"),
        ));
    };
    let (flag_words, args_start) = words::extract_flags(text, rest, escape);
    let flags = flag_words
        .into_iter()
        .map(|f| flag(line, f.text, f.range))
        .collect();
    let args_range = trimmed(text, args_start..text.len());
    let args_text = text.get(args_range.clone()).unwrap_or("");

    let args = match keyword {
        Keyword::Run
        | Keyword::Cmd
        | Keyword::Entrypoint
        | Keyword::Shell
        | Keyword::Copy
        | Keyword::Add
        | Keyword::Volume => maybe_exec(line, args_range.clone())?,
        _ => Arguments::Shell(word(line, args_range.clone())),
    };

    let mut instruction = Instruction {
        keyword,
        keyword_span: line.span(keyword_range),
        span: Span::new(line.start(), line.end),
        flags,
        args,
        heredocs: Vec::new(),
    };
    if may_have_heredocs(&instruction, args_text) && text.contains("<<") {
        for marker in words::heredoc_markers(text) {
            let Some(body) = reader.heredoc(&marker.name, marker.strip_tabs) else {
                return Err(error(
                    line,
                    marker.range.start,
                    format!("unterminated heredoc: no line `{}` ends it", marker.name),
                ));
            };
            let raw = reader.slice(body.body);
            let body_text = if marker.strip_tabs {
                strip_leading_tabs(raw)
            } else {
                raw.to_string()
            };
            instruction.span.end = body.end;
            instruction.heredocs.push(Heredoc {
                name: marker.name,
                strip_tabs: marker.strip_tabs,
                expand: marker.expand,
                fd: marker.fd,
                marker_span: line.span(marker.range),
                body: body_text,
                body_span: body.body,
            });
        }
    }
    let detail = detail(line, &instruction, args_range, escape)?;
    Ok(Parsed {
        instruction,
        detail,
    })
}

fn flag(line: &LogicalLine, text: String, range: Range<usize>) -> Flag {
    let body = text.strip_prefix("--").unwrap_or(&text);
    let (name, value) = match body.split_once('=') {
        Some((name, value)) => (name.to_string(), Some(value.to_string())),
        None => (body.to_string(), None),
    };
    let raw = line.text.get(range.clone()).unwrap_or("");
    let value_span = match (value.is_some(), raw.find('=')) {
        (true, Some(eq)) => Some(line.span(range.start + eq + 1..range.end)),
        _ => None,
    };
    Flag {
        name,
        value,
        span: line.span(range),
        value_span,
    }
}

/// `range` without surrounding whitespace.
fn trimmed(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = text.get(range.clone()).unwrap_or("");
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

/// Exec form when the arguments are a JSON array of strings, else shell form.
fn maybe_exec(line: &LogicalLine, range: Range<usize>) -> Result<Arguments, ParseError> {
    let text = line.text.get(range.clone()).unwrap_or("");
    match words::exec_form(text, range.start) {
        Exec::Strings(items) => Ok(Arguments::Exec(
            items
                .into_iter()
                .map(|(text, r)| Word {
                    text,
                    span: line.span(r),
                })
                .collect(),
        )),
        Exec::NotStrings => Err(error(
            line,
            range.start,
            "when using JSON array syntax, arrays must be comprised of strings only",
        )),
        Exec::NotJson => Ok(Arguments::Shell(word(line, range))),
    }
}

/// `RUN`, `COPY` and `ADD` in shell form read heredocs, also as an
/// `ONBUILD` trigger.
fn may_have_heredocs(instruction: &Instruction, args: &str) -> bool {
    match instruction.keyword {
        Keyword::Run | Keyword::Copy | Keyword::Add => !instruction.args.is_exec(),
        Keyword::Onbuild => {
            let trigger_len = args.find(char::is_whitespace).unwrap_or(args.len());
            let trigger = args.get(..trigger_len).unwrap_or("");
            let rest = args.get(trigger_len..).unwrap_or("");
            matches!(
                Keyword::parse(trigger),
                Some(Keyword::Run | Keyword::Copy | Keyword::Add)
            ) && words::exec_form(rest, 0) == Exec::NotJson
        }
        _ => false,
    }
}

fn strip_leading_tabs(body: &str) -> String {
    body.split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

/// The typed facts of an instruction, and BuildKit's argument errors.
fn detail(
    line: &LogicalLine,
    instruction: &Instruction,
    args: Range<usize>,
    escape: char,
) -> Result<Detail, ParseError> {
    let text = line.text.get(args.clone()).unwrap_or("");
    let keyword = instruction.keyword;
    let fields = words::fields(text, args.start);
    let require = |ok: bool, message: &str| {
        if ok {
            Ok(())
        } else {
            Err(error(line, args.start, format!("{keyword} {message}")))
        }
    };
    Ok(match keyword {
        Keyword::From => from(line, instruction, &fields)?,
        Keyword::Arg => {
            let words = words::quoted_words(text, args.start, escape);
            require(!words.is_empty(), "requires at least one argument")?;
            let mut decls = Vec::with_capacity(words.len());
            for (raw, range) in words {
                let (name, default) = match raw.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_string())),
                    None => (raw.as_str(), None),
                };
                if name.is_empty() {
                    return Err(error(line, range.start, "ARG names can not be blank"));
                }
                let decl = ArgDecl {
                    name: name.to_string(),
                    default: default.as_deref().map(|d| unquote(d, escape)),
                    span: line.span(range),
                };
                decls.push((decl, default));
            }
            Detail::Arg(decls)
        }
        Keyword::Env => Detail::Env(env(line, keyword, args, escape)?),
        Keyword::User => {
            require(!text.is_empty(), "requires exactly one argument")?;
            let (name, group) = match text.split_once(':') {
                Some((name, group)) => (name, Some(group.to_string())),
                None => (text, None),
            };
            Detail::User(User {
                text: text.to_string(),
                name: name.to_string(),
                group,
                span: line.span(args),
                instruction_span: instruction.span,
            })
        }
        Keyword::Expose => {
            require(!fields.is_empty(), "requires at least one argument")?;
            Detail::Expose(fields.into_iter().map(|r| port(line, r)).collect())
        }
        Keyword::Healthcheck => healthcheck(line, instruction, &fields)?,
        Keyword::Workdir => {
            require(!text.is_empty(), "requires exactly one argument")?;
            Detail::Workdir(word(line, args))
        }
        Keyword::Copy | Keyword::Add => {
            let count = match &instruction.args {
                Arguments::Exec(items) => items.len(),
                Arguments::Shell(_) => fields.len(),
            };
            require(
                count >= 2,
                "requires at least two arguments: sources and a destination",
            )?;
            match instruction.flag("from") {
                Some(Flag {
                    value: Some(value),
                    value_span: Some(span),
                    ..
                }) if keyword == Keyword::Copy => Detail::CopyFrom(Word {
                    text: value.clone(),
                    span: *span,
                }),
                _ => Detail::None,
            }
        }
        Keyword::Onbuild => {
            require(!text.is_empty(), "requires at least one argument")?;
            let trigger = fields
                .first()
                .and_then(|r| line.text.get(r.clone()))
                .unwrap_or("");
            if let Some(k @ (Keyword::Onbuild | Keyword::From | Keyword::Maintainer)) =
                Keyword::parse(trigger)
            {
                return Err(error(
                    line,
                    args.start,
                    format!("{k} isn't allowed as an ONBUILD trigger"),
                ));
            }
            Detail::None
        }
        Keyword::Shell => {
            require(
                matches!(&instruction.args, Arguments::Exec(items) if !items.is_empty()),
                "requires the arguments in JSON form: SHELL [\"executable\", \"parameters\"]",
            )?;
            Detail::None
        }
        Keyword::Label => {
            env(line, keyword, args, escape)?;
            Detail::None
        }
        _ => Detail::None,
    })
}

/// `FROM [--platform=...] image [AS name]`.
fn from(
    line: &LogicalLine,
    instruction: &Instruction,
    fields: &[Range<usize>],
) -> Result<Detail, ParseError> {
    let at = |i: usize| fields.get(i).cloned();
    let text = |r: &Range<usize>| line.text.get(r.clone()).unwrap_or("");
    let Some(image) = at(0) else {
        return Err(ParseError::new(
            instruction.keyword_span.end,
            "FROM requires an image (or a stage name)",
        ));
    };
    let name = match (at(1), at(2), fields.len()) {
        (None, None, 1) => None,
        (Some(as_word), Some(name), 3) if text(&as_word).eq_ignore_ascii_case("as") => {
            let lower = text(&name).to_ascii_lowercase();
            let valid = lower.starts_with(|c: char| c.is_ascii_lowercase())
                && lower
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
            if !valid {
                return Err(error(
                    line,
                    name.start,
                    format!(
                        "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                        text(&name)
                    ),
                ));
            }
            Some(Word {
                text: lower,
                span: line.span(name),
            })
        }
        _ => {
            return Err(error(
                line,
                image.start,
                "FROM requires either one or three arguments: image [AS name]",
            ));
        }
    };
    let platform = instruction.flag("platform").map(|f| Word {
        text: f.value.clone().unwrap_or_default(),
        span: f.value_span.unwrap_or(f.span),
    });
    Ok(Detail::From {
        image: word(line, image),
        name,
        platform,
    })
}

/// `ENV`/`LABEL` pairs: `k=v k2="v 2"`, or the legacy `ENV k v w` (the whole
/// rest is the value).
fn env(
    line: &LogicalLine,
    keyword: Keyword,
    args: Range<usize>,
    escape: char,
) -> Result<Vec<KeyValue>, ParseError> {
    let text = line.text.get(args.clone()).unwrap_or("");
    let words = words::quoted_words(text, args.start, escape);
    let Some((first, _)) = words.first() else {
        return Err(error(
            line,
            args.start,
            format!("{keyword} requires at least one argument"),
        ));
    };
    if !first.contains('=') {
        let key_len = text.find(words::is_field_space).unwrap_or(text.len());
        let value_range = trimmed(&line.text, args.start + key_len..args.end);
        if value_range.is_empty() {
            return Err(error(
                line,
                args.start,
                format!("{keyword} must have two arguments: name value"),
            ));
        }
        let key = text.get(..key_len).unwrap_or("");
        return Ok(vec![KeyValue {
            key: unquote(key, escape),
            value: unquote(line.text.get(value_range).unwrap_or(""), escape),
            key_span: line.span(args.start..args.start + key_len),
            span: line.span(args),
        }]);
    }
    let mut pairs = Vec::with_capacity(words.len());
    for (raw, range) in words {
        let Some((key, value)) = raw.split_once('=') else {
            return Err(error(
                line,
                range.start,
                format!("can't find = in {raw:?}: must be of the form name=value"),
            ));
        };
        if key.is_empty() {
            return Err(error(
                line,
                range.start,
                format!("{keyword} names can not be blank"),
            ));
        }
        pairs.push(KeyValue {
            key: unquote(key, escape),
            value: unquote(value, escape),
            key_span: line.span(range.start..range.start + key.len()),
            span: line.span(range),
        });
    }
    Ok(pairs)
}

/// `80`, `53/udp`, `8000-8010/tcp`, `${PORT}`.
fn port(line: &LogicalLine, range: Range<usize>) -> Port {
    let text = line.text.get(range.clone()).unwrap_or("").to_string();
    let (ports, protocol) = match text.split_once('/') {
        Some((ports, protocol)) => (ports, protocol.to_ascii_lowercase()),
        None => (text.as_str(), "tcp".to_string()),
    };
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (a.parse().ok(), b.parse().ok()),
        None => {
            let p = ports.parse().ok();
            (p, p)
        }
    };
    Port {
        span: line.span(range),
        text: text.clone(),
        start,
        end: end.filter(|_| start.is_some()),
        protocol,
    }
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD command`.
fn healthcheck(
    line: &LogicalLine,
    instruction: &Instruction,
    fields: &[Range<usize>],
) -> Result<Detail, ParseError> {
    let Some(kind) = fields.first() else {
        return Err(ParseError::new(
            instruction.keyword_span.end,
            "HEALTHCHECK requires at least one argument: NONE or CMD command",
        ));
    };
    let kind_text = line.text.get(kind.clone()).unwrap_or("");
    let rest = trimmed(
        &line.text,
        kind.end..fields.last().map_or(kind.end, |r| r.end),
    );
    let (disabled, command) = if kind_text.eq_ignore_ascii_case("none") {
        if fields.len() > 1 {
            return Err(error(
                line,
                rest.start,
                "HEALTHCHECK NONE takes no arguments",
            ));
        }
        (true, None)
    } else if kind_text.eq_ignore_ascii_case("cmd") {
        if rest.is_empty() {
            return Err(error(
                line,
                kind.start,
                "missing command after HEALTHCHECK CMD",
            ));
        }
        (false, Some(maybe_exec(line, rest)?))
    } else {
        return Err(error(
            line,
            kind.start,
            format!("unknown type {kind_text:?} in HEALTHCHECK (try CMD)"),
        ));
    };
    Ok(Detail::Healthcheck(Healthcheck {
        disabled,
        command,
        flags: instruction.flags.clone(),
        span: instruction.span,
    }))
}
