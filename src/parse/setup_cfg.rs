//! `setup.cfg`, setuptools' declarative configuration: an INI file read the
//! way Python's `configparser` reads it (sections, `key = value` or
//! `key: value`, values continued on more-indented lines, `#`/`;` comment
//! lines), then interpreted the way setuptools does: `[metadata] name`,
//! `[options] install_requires` / `tests_require`, `[options.extras_require]`
//! and `[options.entry_points]`. Lists are one item per line, or separated by
//! `;` on a single line.

use std::collections::HashSet;

use crate::parse::{ParseError, pep508};
use crate::source::{SourceFile, Span};

/// One INI section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniSection {
    pub name: String,
    pub entries: Vec<IniEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniEntry {
    /// The key as written.
    pub key: String,
    pub key_span: Span,
    /// The text after the delimiter (possibly empty), then every continuation
    /// line, each trimmed, with where it is written.
    pub lines: Vec<(String, Span)>,
}

impl IniEntry {
    /// The key as setuptools compares it: lower case, `-` read as `_`.
    pub fn normalized_key(&self) -> String {
        self.key.to_ascii_lowercase().replace('-', "_")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    pub sections: Vec<IniSection>,
    pub errors: Vec<ParseError>,
}

/// Parse INI text like `configparser` (strict, no interpolation).
pub fn parse_ini(src: &SourceFile) -> Ini {
    let mut ini = Ini::default();
    // Indentation of the line that started the current entry.
    let mut entry_indent: Option<usize> = None;
    // Keys of the current section, lower-cased, for duplicates.
    let mut keys: HashSet<String> = HashSet::new();
    let mut offset = src.body_offset();
    for raw in src.body().split('\n') {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let value = line.trim();
        if value.is_empty() || value.starts_with('#') || value.starts_with(';') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let value_span = Span::new(start + indent, start + indent + value.len());
        let entry = ini
            .sections
            .last_mut()
            .and_then(|section| section.entries.last_mut());
        if let (Some(entry), Some(level)) = (entry, entry_indent) {
            if indent > level {
                entry.lines.push((value.to_string(), value_span));
                continue;
            }
        }
        entry_indent = None;
        if let Some(header) = value.strip_prefix('[') {
            match header.rfind(']') {
                Some(end) if end > 0 => {
                    keys.clear();
                    ini.sections.push(IniSection {
                        name: header.get(..end).unwrap_or(header).to_string(),
                        entries: Vec::new(),
                    });
                }
                _ => ini.errors.push(ParseError::new(
                    value_span.start,
                    "expected a section header `[name]`",
                )),
            }
            continue;
        }
        let Some(section) = ini.sections.last_mut() else {
            ini.errors.push(ParseError::new(
                value_span.start,
                "expected a section header `[name]` before the first key",
            ));
            continue;
        };
        let Some(delimiter) = value.find(['=', ':']) else {
            ini.errors
                .push(ParseError::new(value_span.start, "expected `key = value`"));
            continue;
        };
        let (key, after) = value.split_at_checked(delimiter).unwrap_or((value, ""));
        let key = key.trim_end();
        if key.is_empty() {
            ini.errors.push(ParseError::new(
                value_span.start,
                "expected a key before `=`",
            ));
            continue;
        }
        // Past the delimiter, an ASCII `=` or `:`.
        let after = after.get(1..).unwrap_or("");
        let first = after.trim_start();
        let first_at = value_span.start + delimiter + 1 + (after.len() - first.len());
        if !keys.insert(key.to_ascii_lowercase()) {
            ini.errors.push(ParseError::new(
                value_span.start,
                format!("duplicate key `{key}` in section `[{}]`", section.name),
            ));
        }
        section.entries.push(IniEntry {
            key: key.to_string(),
            key_span: Span::new(value_span.start, value_span.start + key.len()),
            lines: vec![(
                first.to_string(),
                Span::new(first_at, first_at + first.len()),
            )],
        });
        entry_indent = Some(indent);
    }
    ini
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupCfg {
    /// `[metadata] name`.
    pub name: Option<(String, Span)>,
    pub dependencies: Vec<CfgDependency>,
    /// `[options] install_requires` is present (even if empty).
    pub has_install_requires: bool,
    /// `[options.entry_points]` declares console or GUI scripts.
    pub executable: bool,
    pub errors: Vec<ParseError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfgDependency {
    pub name: String,
    pub span: Span,
    pub group: CfgGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CfgGroup {
    /// `install_requires`.
    Install,
    /// `[options.extras_require]`.
    Extra,
    /// `tests_require`.
    Tests,
}

pub fn parse(src: &SourceFile) -> SetupCfg {
    let ini = parse_ini(src);
    let mut out = SetupCfg {
        errors: ini.errors,
        ..SetupCfg::default()
    };
    for section in &ini.sections {
        for entry in &section.entries {
            let key = entry.normalized_key();
            match (section.name.as_str(), key.as_str()) {
                ("metadata", "name") => {
                    if let Some((name, span)) = entry.lines.first().filter(|(n, _)| !n.is_empty()) {
                        out.name = Some((name.clone(), *span));
                    }
                }
                ("options", "install_requires") => {
                    out.has_install_requires = true;
                    requirements(entry, CfgGroup::Install, &mut out);
                }
                ("options", "tests_require") => requirements(entry, CfgGroup::Tests, &mut out),
                ("options.extras_require", _) => requirements(entry, CfgGroup::Extra, &mut out),
                ("options.entry_points", "console_scripts" | "gui_scripts") => {
                    out.executable |= entry.lines.iter().any(|(line, _)| !line.is_empty());
                }
                _ => {}
            }
        }
    }
    out
}

/// A setuptools `list-semi` of requirements: one per line, or `;`-separated on
/// one line; ` #` starts a comment.
fn requirements(entry: &IniEntry, group: CfgGroup, out: &mut SetupCfg) {
    if entry
        .lines
        .first()
        .is_some_and(|(first, _)| first.starts_with("file:") || first.starts_with("attr:"))
    {
        // A directive setuptools resolves at build time: nothing to read here.
        return;
    }
    let mut items: Vec<(&str, usize)> = Vec::new();
    if entry.lines.len() > 1 {
        items.extend(
            entry
                .lines
                .iter()
                .map(|(line, span)| (line.as_str(), span.start)),
        );
    } else if let Some((line, span)) = entry.lines.first() {
        let mut at = span.start;
        for part in line.split(';') {
            items.push((part, at));
            at += part.len() + 1;
        }
    }
    for (item, at) in items {
        let item = item.split(" #").next().unwrap_or(item);
        let trimmed = item.trim_start();
        let at = at + (item.len() - trimmed.len());
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match pep508::parse(trimmed, at) {
            Ok(req) => out.dependencies.push(CfgDependency {
                name: req.name,
                span: req.name_span,
                group,
            }),
            Err(err) => out.errors.push(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(parsed: &SetupCfg) -> Vec<(&str, CfgGroup)> {
        parsed
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.group))
            .collect()
    }

    #[test]
    fn metadata_options_extras_and_entry_points() {
        let src = SourceFile::new(
            "setup.cfg",
            "[metadata]\nname = ledger\nversion = attr: ledger.__version__\n\n[options]\npackages = find:\ninstall_requires =\n    flask>=2.3\n    # a comment line\n\n    SQLAlchemy>=2.0  # inline\n    redis; python_version >= \"3.8\"\ntests_require = pytest; pytest-cov\n\n[options.extras_require]\npostgres =\n    psycopg2-binary\n\n[options.entry_points]\nconsole_scripts =\n    ledger = ledger.cli:main\n\n[flake8]\nmax-line-length = 100\n",
        );
        let parsed = parse(&src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert_eq!(parsed.name.as_ref().unwrap().0, "ledger");
        assert!(parsed.has_install_requires);
        assert!(parsed.executable);
        assert_eq!(
            deps(&parsed),
            [
                ("flask", CfgGroup::Install),
                ("SQLAlchemy", CfgGroup::Install),
                ("redis", CfgGroup::Install),
                ("pytest", CfgGroup::Tests),
                ("pytest-cov", CfgGroup::Tests),
                ("psycopg2-binary", CfgGroup::Extra),
            ]
        );
        assert_eq!(src.line(parsed.dependencies[1].span.start), 11);
        assert_eq!(src.slice(parsed.dependencies[4].span), "pytest-cov");
    }

    #[test]
    fn tool_only_configuration() {
        let src = SourceFile::new(
            "setup.cfg",
            "[flake8]\nmax-line-length: 100\nexclude =\n  .git,\n  build\n[tool:pytest]\naddopts = -q\n",
        );
        let parsed = parse(&src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.name.is_none());
        assert!(!parsed.has_install_requires);
        let ini = parse_ini(&src);
        assert_eq!(ini.sections[0].entries[1].lines.len(), 3);
        assert_eq!(ini.sections[1].name, "tool:pytest");
    }

    #[test]
    fn ini_errors_are_located_and_reading_goes_on() {
        let src = SourceFile::new(
            "setup.cfg",
            "key = before any section\n[options\n[options]\njust words\n= no key\ninstall_requires = django>=\ninstall-requires = flask\n",
        );
        let parsed = parse(&src);
        let lines: Vec<(u32, u32)> = parsed
            .errors
            .iter()
            .map(|e| {
                let p = src.position(e.offset);
                (p.line, p.column)
            })
            .collect();
        assert_eq!(lines, [(1, 1), (2, 1), (4, 1), (5, 1), (6, 28)]);
        // `install-requires` is another key to configparser; setuptools reads both.
        assert_eq!(deps(&parsed), [("flask", CfgGroup::Install)]);
    }

    #[test]
    fn duplicate_keys_are_errors_like_strict_configparser() {
        let src = SourceFile::new(
            "setup.cfg",
            "[metadata]
name = a
NAME = b
",
        );
        let parsed = parse(&src);
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(src.line(parsed.errors[0].offset), 3);
        assert!(parsed.errors[0].message.contains("duplicate key `NAME`"));
    }

    #[test]
    fn crlf_bom_and_directives() {
        let src = SourceFile::new(
            "setup.cfg",
            "\u{feff}[options]\r\ninstall_requires = file: requirements.in\r\n[metadata]\r\nname=x\r\n",
        );
        let parsed = parse(&src);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.dependencies.is_empty());
        assert_eq!(parsed.name.unwrap().0, "x");
    }
}
