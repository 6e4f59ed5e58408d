//! `pyproject.toml`: the PEP 621 `[project]` table, PEP 735
//! `[dependency-groups]`, and the dependency tables of Poetry, PDM and uv, plus
//! uv's workspace members. Every dependency keeps the span of its name (the
//! PEP 508 string's name, or the Poetry table key).
//!
//! A TOML syntax error fails the file; a bad dependency string or a value of
//! the wrong type is an error in [`PyProject::errors`] and the rest is read.

use toml_edit::{Array, Item, TableLike, Value};

use crate::parse::requirements::egg_name;
use crate::parse::toml::{item_span, key_span, parse_toml, table_at};
use crate::parse::{ParseError, pep508};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PyProject {
    /// `[project]` or `[tool.poetry]` declares a package: a name or dependencies.
    pub declares_project: bool,
    /// `[project] name`, else `[tool.poetry] name`.
    pub name: Option<(String, Span)>,
    pub dependencies: Vec<PyDependency>,
    /// `[project.scripts]`, `[project.gui-scripts]` or `[tool.poetry.scripts]`.
    pub executable: bool,
    /// `[tool.uv.workspace]`, if declared.
    pub uv_workspace: Option<UvWorkspace>,
    pub errors: Vec<ParseError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PyDependency {
    /// The name as written, without extras or version.
    pub name: String,
    /// Where the name is written.
    pub span: Span,
    pub section: Section,
}

/// Where a dependency is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `[project] dependencies`.
    Project,
    /// `[project.optional-dependencies]` (extras).
    ProjectOptional,
    /// PEP 735 `[dependency-groups]`.
    DependencyGroup,
    /// `[tool.poetry.dependencies]`.
    Poetry,
    /// `[tool.poetry.dependencies]` with `optional = true`.
    PoetryOptional,
    /// `[tool.poetry.dev-dependencies]` and `[tool.poetry.group.*.dependencies]`.
    PoetryGroup,
    /// `[tool.pdm.dev-dependencies]`.
    PdmDev,
    /// `[tool.uv] dev-dependencies`.
    UvDev,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UvWorkspace {
    pub members: Vec<(String, Span)>,
    pub exclude: Vec<(String, Span)>,
}

pub fn parse(src: &SourceFile) -> Result<PyProject, ParseError> {
    let doc = parse_toml(src)?;
    let root: &dyn TableLike = doc.as_table();
    let mut out = PyProject::default();
    let mut reader = Reader { src, out: &mut out };

    if let Some(project) = table_at(root, &["project"]) {
        reader.project(project);
    }
    if let Some(groups) = table_at(root, &["dependency-groups"]) {
        for (group, item) in groups.iter() {
            reader.pep508_array(
                item,
                &format!("dependency-groups.{group}"),
                Section::DependencyGroup,
            );
        }
    }
    if let Some(poetry) = table_at(root, &["tool", "poetry"]) {
        reader.poetry(poetry);
    }
    if let Some(dev) = table_at(root, &["tool", "pdm", "dev-dependencies"]) {
        for (group, item) in dev.iter() {
            let what = format!("tool.pdm.dev-dependencies.{group}");
            reader.pep508_array(item, &what, Section::PdmDev);
        }
    }
    if let Some(uv) = table_at(root, &["tool", "uv"]) {
        if let Some(item) = uv.get("dev-dependencies") {
            reader.pep508_array(item, "tool.uv.dev-dependencies", Section::UvDev);
        }
        if let Some(workspace) = table_at(uv, &["workspace"]) {
            let members = reader.string_array(workspace, "members", "tool.uv.workspace.members");
            let exclude = reader.string_array(workspace, "exclude", "tool.uv.workspace.exclude");
            reader.out.uv_workspace = Some(UvWorkspace { members, exclude });
        }
    }
    Ok(out)
}

struct Reader<'a, 's> {
    src: &'s SourceFile,
    out: &'a mut PyProject,
}

impl Reader<'_, '_> {
    fn error(&mut self, span: Option<Span>, message: String) {
        let offset = span.map_or(0, |s| s.start);
        self.out.errors.push(ParseError::new(offset, message));
    }

    fn project(&mut self, project: &dyn TableLike) {
        self.out.declares_project |=
            project.contains_key("name") || project.contains_key("dependencies");
        if let Some(item) = project.get("name") {
            match item.as_str() {
                Some(name) => {
                    self.out.name = Some((name.to_string(), item_span(item).unwrap_or_default()));
                }
                None => self.error(item_span(item), "`project.name` must be a string".into()),
            }
        }
        if let Some(item) = project.get("dependencies") {
            self.pep508_array(item, "project.dependencies", Section::Project);
        }
        if let Some(extras) = project.get("optional-dependencies") {
            match extras.as_table_like() {
                Some(extras) => {
                    for (extra, item) in extras.iter() {
                        let what = format!("project.optional-dependencies.{extra}");
                        self.pep508_array(item, &what, Section::ProjectOptional);
                    }
                }
                None => self.error(
                    item_span(extras),
                    "`project.optional-dependencies` must be a table".into(),
                ),
            }
        }
        self.out.executable |= ["scripts", "gui-scripts"].iter().any(|key| {
            project
                .get(key)
                .and_then(Item::as_table_like)
                .is_some_and(|t| !t.is_empty())
        });
    }

    fn poetry(&mut self, poetry: &dyn TableLike) {
        self.out.declares_project |=
            poetry.contains_key("name") || poetry.contains_key("dependencies");
        if self.out.name.is_none() {
            if let Some(item) = poetry.get("name") {
                if let Some(name) = item.as_str() {
                    self.out.name = Some((name.to_string(), item_span(item).unwrap_or_default()));
                }
            }
        }
        if let Some(deps) = poetry.get("dependencies") {
            self.poetry_table(deps, "tool.poetry.dependencies", Section::Poetry);
        }
        if let Some(deps) = poetry.get("dev-dependencies") {
            self.poetry_table(deps, "tool.poetry.dev-dependencies", Section::PoetryGroup);
        }
        if let Some(groups) = table_at(poetry, &["group"]) {
            for (group, item) in groups.iter() {
                if let Some(deps) = item.as_table_like().and_then(|g| g.get("dependencies")) {
                    let what = format!("tool.poetry.group.{group}.dependencies");
                    self.poetry_table(deps, &what, Section::PoetryGroup);
                }
            }
        }
        self.out.executable |= poetry
            .get("scripts")
            .and_then(Item::as_table_like)
            .is_some_and(|t| !t.is_empty());
    }

    /// A Poetry dependency table: `name = "^1.0"`, `name = { version = "1",
    /// optional = true }` or a list of such tables (one per constraint).
    fn poetry_table(&mut self, item: &Item, what: &str, section: Section) {
        let Some(table) = item.as_table_like() else {
            self.error(item_span(item), format!("`{what}` must be a table"));
            return;
        };
        for (name, value) in table.iter() {
            if name.eq_ignore_ascii_case("python") {
                continue;
            }
            let span = key_span(table, name).unwrap_or_default();
            if !pep508::is_valid_name(name) {
                self.error(Some(span), format!("`{name}` is not a valid package name"));
                continue;
            }
            let optional = section == Section::Poetry && is_poetry_optional(value);
            self.out.dependencies.push(PyDependency {
                name: name.to_string(),
                span,
                section: if optional {
                    Section::PoetryOptional
                } else {
                    section
                },
            });
        }
    }

    /// An array of PEP 508 strings (`{include-group = "..."}` tables are
    /// references to other groups, not dependencies).
    fn pep508_array(&mut self, item: &Item, what: &str, section: Section) {
        let Some(array) = item.as_array() else {
            self.error(
                item_span(item),
                format!("`{what}` must be an array of dependency strings"),
            );
            return;
        };
        for value in array.iter() {
            match value {
                Value::String(_) => {
                    if let Some(dep) = self.dependency(value, section) {
                        self.out.dependencies.push(dep);
                    }
                }
                Value::InlineTable(_) => {}
                other => self.error(
                    other.span().map(Span::from),
                    format!("`{what}` must hold dependency strings"),
                ),
            }
        }
    }

    /// One PEP 508 string (PDM also allows `-e path#egg=name`).
    fn dependency(&mut self, value: &Value, section: Section) -> Option<PyDependency> {
        let text = value.as_str()?;
        let span = value.span().map(Span::from).unwrap_or_default();
        if let Some(editable) = text.strip_prefix("-e") {
            let (name, _) = egg_name(editable.trim_start())?;
            return Some(PyDependency {
                name: name.to_string(),
                span,
                section,
            });
        }
        match parse_string_requirement(self.src, text, span) {
            Ok(req) => Some(PyDependency {
                name: req.name,
                span: req.name_span,
                section,
            }),
            Err(err) => {
                self.out.errors.push(err);
                None
            }
        }
    }

    fn string_array(
        &mut self,
        table: &dyn TableLike,
        key: &str,
        what: &str,
    ) -> Vec<(String, Span)> {
        let Some(item) = table.get(key) else {
            return Vec::new();
        };
        let Some(array) = item.as_array() else {
            self.error(
                item_span(item),
                format!("`{what}` must be an array of strings"),
            );
            return Vec::new();
        };
        strings(array)
    }
}

fn is_poetry_optional(value: &Item) -> bool {
    let flag = |t: &dyn TableLike| t.get("optional").and_then(Item::as_bool) == Some(true);
    if let Some(table) = value.as_table_like() {
        return flag(table);
    }
    // Several constraints: optional when every one of them is.
    value.as_array().is_some_and(|constraints| {
        !constraints.is_empty()
            && constraints
                .iter()
                .all(|c| c.as_inline_table().is_some_and(|t| flag(t)))
    })
}

/// The strings of an array, with their spans (other values are skipped).
pub fn strings(array: &Array) -> Vec<(String, Span)> {
    array
        .iter()
        .filter_map(|v| {
            let span = v.span().map(Span::from).unwrap_or_default();
            v.as_str().map(|s| (s.to_string(), span))
        })
        .collect()
}

/// Parse a PEP 508 string written as a TOML string at `span`. When the string
/// is written verbatim (no escapes), positions point inside it; otherwise at
/// the string's start.
pub fn parse_string_requirement(
    src: &SourceFile,
    text: &str,
    span: Span,
) -> Result<pep508::Requirement, ParseError> {
    let raw = src.slice(span);
    let verbatim_at = ["'''", "\"\"\"", "'", "\""]
        .iter()
        .find(|quote| {
            raw.strip_prefix(**quote)
                .is_some_and(|inner| inner.starts_with(text))
        })
        .map(|quote| span.start + quote.len());
    match verbatim_at {
        Some(base) => pep508::parse(text, base),
        None => pep508::parse(text, 0)
            .map(|mut req| {
                req.name_span = span;
                req
            })
            .map_err(|err| ParseError::new(span.start, err.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> (SourceFile, PyProject) {
        let src = SourceFile::new("pyproject.toml", text);
        let parsed = parse(&src).unwrap_or_else(|e| panic!("{e}"));
        (src, parsed)
    }

    fn deps(parsed: &PyProject) -> Vec<(&str, Section)> {
        parsed
            .dependencies
            .iter()
            .map(|d| (d.name.as_str(), d.section))
            .collect()
    }

    #[test]
    fn pep621_project() {
        let (src, parsed) = parse_text(
            r#"[project]
name = "orders-api"
dependencies = [
  "fastapi[standard]>=0.110",
  'SQLAlchemy ~= 2.0 ; python_version >= "3.10"',
  "acme-client @ https://example.com/acme-1.0.whl",
]
[project.optional-dependencies]
redis = ["redis>=5"]
[project.scripts]
orders = "orders.cli:main"
"#,
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.declares_project);
        assert!(parsed.executable);
        assert_eq!(parsed.name.as_ref().unwrap().0, "orders-api");
        assert_eq!(
            deps(&parsed),
            [
                ("fastapi", Section::Project),
                ("SQLAlchemy", Section::Project),
                ("acme-client", Section::Project),
                ("redis", Section::ProjectOptional),
            ]
        );
        let sqlalchemy = &parsed.dependencies[1];
        assert_eq!(src.slice(sqlalchemy.span), "SQLAlchemy");
        assert_eq!(src.line(sqlalchemy.span.start), 5);
    }

    #[test]
    fn dependency_groups_skip_includes() {
        let (_, parsed) = parse_text(
            "[dependency-groups]\ntest = [\"pytest>=8\", {include-group = \"lint\"}]\nlint = [\"ruff\"]\n",
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(!parsed.declares_project);
        assert_eq!(
            deps(&parsed),
            [
                ("pytest", Section::DependencyGroup),
                ("ruff", Section::DependencyGroup)
            ]
        );
    }

    #[test]
    fn poetry_tables() {
        let (src, parsed) = parse_text(
            r#"[tool.poetry]
name = "billing"
[tool.poetry.dependencies]
python = "^3.12"
fastapi = "^0.111"
"sentry-sdk" = { version = "^2", extras = ["fastapi"] }
psycopg = { version = "^3.1", optional = true }
numpy = [
  { version = "<2", python = "<3.9", optional = true },
  { version = ">=2", python = ">=3.9", optional = true },
]
[tool.poetry.dependencies.celery]
version = "^5.4"
[tool.poetry.dev-dependencies]
black = "*"
[tool.poetry.group.test.dependencies]
pytest = "^8"
[tool.poetry.scripts]
billing = "billing.cli:app"
"#,
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(parsed.declares_project);
        assert!(parsed.executable);
        assert_eq!(parsed.name.as_ref().unwrap().0, "billing");
        assert_eq!(
            deps(&parsed),
            [
                ("fastapi", Section::Poetry),
                ("sentry-sdk", Section::Poetry),
                ("psycopg", Section::PoetryOptional),
                ("numpy", Section::PoetryOptional),
                ("celery", Section::Poetry),
                ("black", Section::PoetryGroup),
                ("pytest", Section::PoetryGroup),
            ]
        );
        assert_eq!(src.slice(parsed.dependencies[1].span), "\"sentry-sdk\"");
        assert_eq!(src.line(parsed.dependencies[4].span.start), 12);
    }

    #[test]
    fn pdm_and_uv_tables_and_uv_workspace() {
        let (_, parsed) = parse_text(
            r#"[tool.pdm.dev-dependencies]
test = ["pytest", "-e file:///${PROJECT_ROOT}/libs/core#egg=acme-core", "-e ./plain"]
[tool.uv]
dev-dependencies = ["mypy>=1.10"]
[tool.uv.workspace]
members = ["packages/*", "apps/api"]
exclude = ["packages/legacy"]
"#,
        );
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        assert!(!parsed.declares_project);
        assert_eq!(
            deps(&parsed),
            [
                ("pytest", Section::PdmDev),
                ("acme-core", Section::PdmDev),
                ("mypy", Section::UvDev),
            ]
        );
        let ws = parsed.uv_workspace.unwrap();
        assert_eq!(ws.members.len(), 2);
        assert_eq!(ws.exclude[0].0, "packages/legacy");
    }

    #[test]
    fn tool_settings_only() {
        let (_, parsed) = parse_text("[tool.ruff]\nline-length = 100\n[tool.black]\n");
        assert!(!parsed.declares_project);
        assert!(parsed.dependencies.is_empty());
        assert!(parsed.uv_workspace.is_none());
    }

    #[test]
    fn bad_strings_and_types_are_errors_and_the_rest_is_read() {
        let (src, parsed) = parse_text(
            "[project]\nname = \"x\"\ndependencies = [\n  \"ok\",\n  \"bad>=\",\n  3,\n  \"esc\\u0061ped>=\",\n]\noptional-dependencies = []\n[tool.poetry]\ndependencies = \"nope\"\n",
        );
        assert_eq!(deps(&parsed), [("ok", Section::Project)]);
        let found: Vec<(u32, u32)> = parsed
            .errors
            .iter()
            .map(|e| {
                let p = src.position(e.offset);
                (p.line, p.column)
            })
            .collect();
        // `bad>=`: after the operator; `3`: the value; the escaped string: its
        // start; then the two wrong types.
        assert_eq!(found, [(5, 9), (6, 3), (7, 3), (9, 25), (11, 16)]);
    }

    #[test]
    fn toml_syntax_errors_have_a_position() {
        let src = SourceFile::new(
            "pyproject.toml",
            "[project]\nname = \"x\"\ndependencies = [\"a\"\n",
        );
        let err = parse(&src).unwrap_err();
        assert_eq!(err.message, "invalid TOML: unclosed array, expected `]`");
        let pos = src.position(err.offset);
        assert_eq!((pos.line, pos.column), (3, 20));
    }

    #[test]
    fn a_byte_order_mark_keeps_offsets_right() {
        let (src, parsed) = parse_text("\u{feff}[project]\ndependencies = [\"flask\"]\n");
        assert_eq!(src.slice(parsed.dependencies[0].span), "flask");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}", "[".repeat(100_000));
        let src = SourceFile::new("pyproject.toml", text);
        assert!(parse(&src).is_err());
    }
}
