//! Pipenv's `Pipfile` (TOML): `[packages]` and `[dev-packages]`, each a table
//! from package name to a version string or a table (`{ version = "*",
//! extras = [...] }`, `{ git = "..." }`). Only the names and their spans are
//! kept.

use toml_edit::TableLike;

use crate::parse::toml::{item_span, key_span, parse_toml};
use crate::parse::{ParseError, pep508};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipfile {
    pub dependencies: Vec<PipfileDependency>,
    pub errors: Vec<ParseError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipfileDependency {
    pub name: String,
    /// Where the name (the key) is written.
    pub span: Span,
    /// Declared in `[dev-packages]`.
    pub dev: bool,
}

pub fn parse(src: &SourceFile) -> Result<Pipfile, ParseError> {
    let doc = parse_toml(src)?;
    let root: &dyn TableLike = doc.as_table();
    let mut out = Pipfile::default();
    for (section, dev) in [("packages", false), ("dev-packages", true)] {
        let Some(item) = root.get(section) else {
            continue;
        };
        let Some(table) = item.as_table_like() else {
            let offset = item_span(item).map_or(0, |s| s.start);
            out.errors.push(ParseError::new(
                offset,
                format!("`{section}` must be a table of packages"),
            ));
            continue;
        };
        for (name, _) in table.iter() {
            let span = key_span(table, name).unwrap_or_default();
            if pep508::is_valid_name(name) {
                out.dependencies.push(PipfileDependency {
                    name: name.to_string(),
                    span,
                    dev,
                });
            } else {
                out.errors.push(ParseError::new(
                    span.start,
                    format!("`{name}` is not a valid package name"),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_and_dev_packages() {
        let src = SourceFile::new(
            "Pipfile",
            r#"[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
django = "~=5.0"
"django-rq" = "*"
requests = { version = "*", extras = ["socks"] }
acme = { git = "https://github.com/acme/acme.git", ref = "main" }

[dev-packages]
pytest-django = "*"

[requires]
python_version = "3.12"
"#,
        );
        let parsed = parse(&src).unwrap();
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let names: Vec<(&str, bool)> = parsed
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.dev))
            .collect();
        assert_eq!(
            names,
            [
                ("django", false),
                ("django-rq", false),
                ("requests", false),
                ("acme", false),
                ("pytest-django", true),
            ]
        );
        assert_eq!(src.line(parsed.dependencies[4].span.start), 13);
        assert_eq!(src.slice(parsed.dependencies[1].span), "\"django-rq\"");
    }

    #[test]
    fn errors_keep_the_rest() {
        let src = SourceFile::new(
            "Pipfile",
            "packages = \"x\"\n[dev-packages]\n\"bad name\" = \"*\"\nok = \"*\"\n",
        );
        let parsed = parse(&src).unwrap();
        assert_eq!(parsed.errors.len(), 2);
        assert_eq!(src.line(parsed.errors[1].offset), 3);
        assert_eq!(parsed.dependencies.len(), 1);
    }

    #[test]
    fn a_toml_error_fails_the_file() {
        let src = SourceFile::new("Pipfile", "[packages\ndjango = \"*\"\n");
        let err = parse(&src).unwrap_err();
        assert_eq!(src.line(err.offset), 1);
    }
}
