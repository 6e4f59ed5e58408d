//! `setup.py`, read as text and never executed. This is a best-effort scan,
//! not a Python parser: it finds the `setup(` call, the first `name="..."`
//! after it, and the string literals of `install_requires=[...]` (or of the
//! list a module-level `NAME = [...]` assignment holds when
//! `install_requires=NAME`). List elements that are not plain string literals
//! (f-strings, concatenations, calls, comprehensions) are skipped, as is
//! everything computed at run time. `console_scripts`, `gui_scripts` or
//! `scripts=` mark an executable.

use std::sync::LazyLock;

use regex::Regex;

use crate::parse::{ParseError, pep508};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupPy {
    pub name: Option<(String, Span)>,
    /// `install_requires` names, with where each is written.
    pub dependencies: Vec<(String, Span)>,
    pub executable: bool,
    pub errors: Vec<ParseError>,
}

static SETUP_CALL: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"\bsetup\s*\(").ok());
static NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"\bname\s*=\s*(?:"([^"\n]{1,200})"|'([^'\n]{1,200})')"#).ok());
static INSTALL_REQUIRES: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\binstall_requires\s*=\s*(?:(\[)|([A-Za-z_][A-Za-z0-9_]{0,100})\b)").ok()
});
static SCRIPTS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(?:console_scripts|gui_scripts)\b|\bscripts\s*=").ok());

pub fn parse(src: &SourceFile) -> SetupPy {
    let text = src.text.as_str();
    let mut out = SetupPy::default();
    let setup_at = SETUP_CALL
        .as_ref()
        .and_then(|re| re.find(text))
        .map_or(0, |m| m.start());
    let call = text.get(setup_at..).unwrap_or("");
    if let Some(caps) = NAME.as_ref().and_then(|re| re.captures(call)) {
        if let Some(name) = caps.get(1).or_else(|| caps.get(2)) {
            out.name = Some((
                name.as_str().to_string(),
                Span::new(setup_at + name.start(), setup_at + name.end()),
            ));
        }
    }
    out.executable = SCRIPTS.as_ref().is_some_and(|re| re.is_match(call));
    let Some(caps) = INSTALL_REQUIRES.as_ref().and_then(|re| re.captures(call)) else {
        return out;
    };
    let list_at = if let Some(bracket) = caps.get(1) {
        Some(setup_at + bracket.start())
    } else {
        caps.get(2)
            .and_then(|variable| assignment_list(text, variable.as_str()))
    };
    if let Some(list_at) = list_at {
        for (literal, at) in string_literals(text, list_at) {
            match pep508::parse(literal, at) {
                Ok(req) => out.dependencies.push((req.name, req.name_span)),
                Err(err) => out.errors.push(err),
            }
        }
    }
    out
}

/// Offset of the `[` of a module-level `variable = [` assignment.
fn assignment_list(text: &str, variable: &str) -> Option<usize> {
    let pattern = format!(r"(?m)^{}\s*=\s*\[", regex::escape(variable));
    let found = Regex::new(&pattern).ok()?.find(text)?;
    Some(found.end() - 1)
}

/// The plain string literals that are whole elements of the list whose `[`
/// is at `open`, with the offset of each literal's content.
fn string_literals(text: &str, open: usize) -> Vec<(&str, usize)> {
    let bytes = text.as_bytes();
    let rest = |at: usize| text.get(at..).unwrap_or("");
    let mut out = Vec::new();
    // The current element: a single literal so far, and whether it is still plain.
    let mut literal: Option<(usize, usize)> = None;
    let mut plain = true;
    let mut depth = 0usize;
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' | b'\\' => i += 1,
            b'#' => {
                i = rest(i).find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'"' | b'\'' => {
                let (content, end) = read_string(text, i);
                match content {
                    Some(range) if literal.is_none() && depth == 0 => literal = Some(range),
                    _ => plain = false,
                }
                i = end;
            }
            b'[' | b'(' | b'{' => {
                depth += 1;
                plain = false;
                i += 1;
            }
            b']' | b')' | b'}' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b',' | b']' | b')' | b'}' => {
                if let (Some((start, end)), true) = (literal, plain) {
                    if let Some(content) = text.get(start..end) {
                        out.push((content, start));
                    }
                }
                if b != b',' {
                    break;
                }
                literal = None;
                plain = true;
                i += 1;
            }
            _ => {
                // A prefix (`f"..."`, `r"..."`), a name, an operator: not a
                // plain literal. Skip the word so a quote after it is still
                // read as a string.
                plain = false;
                let word = rest(i);
                i += word
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|n| *n > 0)
                    .unwrap_or_else(|| word.chars().next().map_or(1, char::len_utf8));
            }
        }
    }
    out
}

/// Read a string literal whose opening quote is at `at`. Returns the content's
/// range when it has no escapes (else `None`) and the offset after the literal.
fn read_string(text: &str, at: usize) -> (Option<(usize, usize)>, usize) {
    let rest = text.get(at..).unwrap_or("");
    let quote = if rest.starts_with("\"\"\"") {
        "\"\"\""
    } else if rest.starts_with("'''") {
        "'''"
    } else if rest.starts_with('"') {
        "\""
    } else {
        "'"
    };
    let start = at + quote.len();
    let body = text.get(start..).unwrap_or("");
    let mut escaped = false;
    let mut iter = body.char_indices();
    while let Some((i, c)) = iter.next() {
        if c == '\\' {
            escaped = true;
            iter.next();
            continue;
        }
        if quote.len() == 1 && c == '\n' {
            // An unterminated single-line string: stop at the line end.
            return (None, start + i);
        }
        if body.get(i..).is_some_and(|b| b.starts_with(quote)) {
            let end = start + i;
            return ((!escaped).then_some((start, end)), end + quote.len());
        }
    }
    (None, text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(parsed: &SetupPy) -> Vec<&str> {
        parsed
            .dependencies
            .iter()
            .map(|(n, _)| n.as_str())
            .collect()
    }

    #[test]
    fn name_and_literal_requirements() {
        let src = SourceFile::new(
            "setup.py",
            r#"from setuptools import setup, find_packages

def read(name="README.md"):
    return open(name).read()

setup(
    name="ledger",
    version="1.0",
    install_requires=[
        "flask>=2.3",  # web
        'SQLAlchemy>=2.0,<3',
        f"redis>={REDIS}",
        "celery" + EXTRA,
        ["nested"],
        "gunicorn; sys_platform != 'win32'",
    ],
    entry_points={"console_scripts": ["ledger=ledger.cli:main"]},
)
"#,
        );
        let parsed = parse(&src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.name.as_ref().unwrap().0, "ledger");
        assert!(parsed.executable);
        assert_eq!(names(&parsed), ["flask", "SQLAlchemy", "gunicorn"]);
        assert_eq!(src.line(parsed.dependencies[1].1.start), 11);
        assert_eq!(src.slice(parsed.dependencies[2].1), "gunicorn");
    }

    #[test]
    fn requirements_from_a_module_level_list() {
        let src = SourceFile::new(
            "setup.py",
            "REQUIRES = [\n    'requests>=2',\n    'click',\n]\nsetup(name='tool', install_requires=REQUIRES)\n",
        );
        let parsed = parse(&src);
        assert_eq!(names(&parsed), ["requests", "click"]);
        assert!(!parsed.executable);
    }

    #[test]
    fn computed_requirements_are_skipped() {
        let src = SourceFile::new(
            "setup.py",
            "setup(name='x', install_requires=open('requirements.txt').read().splitlines())\n",
        );
        let parsed = parse(&src);
        assert!(parsed.dependencies.is_empty());
        assert!(parsed.errors.is_empty());
    }

    #[test]
    fn a_bad_literal_requirement_is_an_error() {
        let src = SourceFile::new("setup.py", "setup(install_requires=['ok', 'bad>='])\n");
        let parsed = parse(&src);
        assert_eq!(names(&parsed), ["ok"]);
        assert_eq!(src.position(parsed.errors[0].offset).column, 37);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for text in [
            "setup(install_requires=[",
            "setup(install_requires=['a",
            "setup(install_requires=[\"\"\"a",
            "setup(install_requires=['\\",
            "setup(install_requires=[é, 'x'])",
            "install_requires=X\nX = [",
        ] {
            let _ = parse(&SourceFile::new("setup.py", text));
        }
    }
}
