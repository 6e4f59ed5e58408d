//! `package.json` (npm, yarn, pnpm, bun) and `composer.json` share this shape:
//! a name, dependency maps, scripts. Only what stacklint needs is kept, with
//! the span of every dependency's key.

use jsonc_parser::ast::Value;

use crate::parse::ParseError;
use crate::parse::json::{self, Strictness};
use crate::source::{SourceFile, Span};

/// Which map a dependency was declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencyGroup {
    Dependencies,
    DevDependencies,
    PeerDependencies,
    OptionalDependencies,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageDependency {
    pub name: String,
    /// The version specifier as written (`^4.18.2`, `workspace:*`).
    pub spec: String,
    pub group: DependencyGroup,
    /// The span of the name (the key).
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageJson {
    pub name: Option<(String, Span)>,
    pub private: bool,
    /// Declares an executable (`bin`).
    pub bin: bool,
    /// Declares an entry point for importers (`main`, `exports`, `module`).
    pub library_entry: bool,
    pub scripts: Vec<(String, String, Span)>,
    /// Workspace member globs (`workspaces` as a list or `{ packages: [...] }`).
    pub workspaces: Vec<(String, Span)>,
    pub dependencies: Vec<PackageDependency>,
}

/// The dependency maps of a `package.json`, and their groups.
const NPM_GROUPS: [(&str, DependencyGroup); 4] = [
    ("dependencies", DependencyGroup::Dependencies),
    ("devDependencies", DependencyGroup::DevDependencies),
    ("peerDependencies", DependencyGroup::PeerDependencies),
    (
        "optionalDependencies",
        DependencyGroup::OptionalDependencies,
    ),
];

/// The dependency maps of a `composer.json`.
const COMPOSER_GROUPS: [(&str, DependencyGroup); 2] = [
    ("require", DependencyGroup::Dependencies),
    ("require-dev", DependencyGroup::DevDependencies),
];

pub fn parse(src: &SourceFile) -> Result<PackageJson, ParseError> {
    parse_with(src, &NPM_GROUPS)
}

/// `composer.json`: `require` and `require-dev`; `bin` marks a tool.
pub fn parse_composer(src: &SourceFile) -> Result<PackageJson, ParseError> {
    parse_with(src, &COMPOSER_GROUPS)
}

fn parse_with(
    src: &SourceFile,
    groups: &[(&str, DependencyGroup)],
) -> Result<PackageJson, ParseError> {
    let Some(value) = json::parse(src, Strictness::Strict)? else {
        return Err(ParseError::new(
            src.body_offset(),
            "file is empty; expected a JSON object",
        ));
    };
    let Some(root) = value.as_object() else {
        return Err(ParseError::new(
            json::span_of(&value).start,
            "expected a JSON object at the top level",
        ));
    };
    let mut out = PackageJson {
        name: json::get_str(root, "name").map(|(n, s)| (n.to_string(), s)),
        private: json::get(root, "private")
            .is_some_and(|p| matches!(&p.value, Value::BooleanLit(b) if b.value)),
        bin: json::get(root, "bin").is_some(),
        library_entry: ["main", "exports", "module", "types"]
            .iter()
            .any(|k| json::get(root, k).is_some()),
        ..PackageJson::default()
    };
    if let Some(scripts) = json::get(root, "scripts").and_then(|p| p.value.as_object()) {
        for prop in &scripts.properties {
            if let Value::StringLit(cmd) = &prop.value {
                out.scripts.push((
                    json::key_text(prop).to_string(),
                    cmd.value.to_string(),
                    json::key_span(prop),
                ));
            }
        }
    }
    if let Some(ws) = json::get(root, "workspaces") {
        let list = match &ws.value {
            Value::Array(a) => Some(a),
            Value::Object(o) => json::get(o, "packages").and_then(|p| p.value.as_array()),
            _ => None,
        };
        for element in list.into_iter().flat_map(|a| a.elements.iter()) {
            if let Value::StringLit(s) = element {
                out.workspaces
                    .push((s.value.to_string(), json::span_of(element)));
            }
        }
    }
    for (key, group) in groups {
        let Some(prop) = json::get(root, key) else {
            continue;
        };
        let Some(map) = prop.value.as_object() else {
            continue;
        };
        for dep in &map.properties {
            let spec = match &dep.value {
                Value::StringLit(s) => s.value.to_string(),
                _ => String::new(),
            };
            out.dependencies.push(PackageDependency {
                name: json::key_text(dep).to_string(),
                spec,
                group: *group,
                span: json::key_span(dep),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_keep_their_group_and_line() {
        let text = r#"{
  "name": "@acme/api",
  "private": true,
  "workspaces": { "packages": ["packages/*"] },
  "scripts": { "test": "jest" },
  "dependencies": {
    "express": "^4.18.2"
  },
  "devDependencies": { "jest": "29" }
}"#;
        let src = SourceFile::new("package.json", text);
        let pkg = parse(&src).unwrap();
        assert_eq!(pkg.name.as_ref().unwrap().0, "@acme/api");
        assert!(pkg.private);
        assert_eq!(pkg.workspaces[0].0, "packages/*");
        assert_eq!(pkg.scripts[0].1, "jest");
        let express = &pkg.dependencies[0];
        assert_eq!(express.name, "express");
        assert_eq!(express.group, DependencyGroup::Dependencies);
        assert_eq!(src.line(express.span.start), 7);
        assert_eq!(pkg.dependencies[1].group, DependencyGroup::DevDependencies);
    }

    #[test]
    fn a_top_level_array_is_an_error() {
        let src = SourceFile::new("package.json", "[]");
        assert!(parse(&src).unwrap_err().message.contains("object"));
    }

    #[test]
    fn an_empty_file_is_an_error() {
        let src = SourceFile::new("package.json", "  \n");
        assert!(parse(&src).is_err());
    }

    #[test]
    fn non_string_versions_do_not_fail_the_file() {
        let src = SourceFile::new(
            "package.json",
            r#"{"dependencies": {"x": {"version": "1"}}}"#,
        );
        assert_eq!(parse(&src).unwrap().dependencies[0].spec, "");
    }
}
