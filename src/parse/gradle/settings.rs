//! Gradle settings scripts (`settings.gradle`, `settings.gradle.kts`): the
//! root project's name, the projects a build includes, and the directories
//! of projects that do not live where their path says.

use crate::parse::ParseError;
use crate::parse::gradle::tokens::{self, Tree};
use crate::parse::gradle::{dialect_of, split_args, statements};
use crate::source::{SourceFile, Span};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradleSettings {
    /// `rootProject.name = "x"`.
    pub root_project_name: Option<(String, Span)>,
    /// Project paths from `include` (`:services:api`, or `app` without colon).
    pub includes: Vec<(String, Span)>,
    /// `project(":x").projectDir = file("dir")`: the project path and the
    /// directory as written, relative to the settings file.
    pub project_dirs: Vec<(String, String, Span)>,
}

pub fn parse_settings(src: &SourceFile) -> Result<GradleSettings, ParseError> {
    let trees = tokens::tree(src.body(), src.body_offset(), dialect_of(&src.path))?;
    let mut out = GradleSettings::default();
    block(&trees, &mut out);
    Ok(out)
}

/// Statements of the script, and of blocks that may hold includes
/// (`if (...) { include(...) }`); bounded by the tree's nesting limit.
fn block(children: &[Tree], out: &mut GradleSettings) {
    for statement in statements(children) {
        statement_of(&statement, out);
        for (index, tree) in statement.iter().enumerate() {
            let Some(inner) = tree.group('{') else {
                continue;
            };
            let name = index
                .checked_sub(1)
                .and_then(|i| statement.get(i))
                .and_then(|t| t.ident());
            // These configure plugin and dependency resolution, never projects.
            if !matches!(
                name,
                Some("pluginManagement" | "dependencyResolutionManagement" | "plugins")
            ) {
                block(inner, out);
            }
        }
    }
}

fn statement_of(statement: &[&Tree], out: &mut GradleSettings) {
    match statement {
        [root, dot, name, eq, value]
            if root.ident() == Some("rootProject")
                && dot.is_punct('.')
                && name.ident() == Some("name")
                && eq.is_punct('=') =>
        {
            if let Some((text, span)) = value.string() {
                out.root_project_name = Some((text.to_string(), span));
            }
        }
        [include, rest @ ..] if include.ident() == Some("include") => {
            let args = match rest {
                [call] if call.group('(').is_some() => {
                    let inner: Vec<&Tree> = call.group('(').unwrap_or_default().iter().collect();
                    split_args(&inner)
                }
                _ => split_args(rest),
            };
            for arg in args {
                if let [value] = arg.as_slice()
                    && let Some((path, span)) = value.string()
                {
                    out.includes.push((path.to_string(), span));
                }
            }
        }
        [project, call, dot, field, eq, file, dir]
            if project.ident() == Some("project")
                && dot.is_punct('.')
                && field.ident() == Some("projectDir")
                && eq.is_punct('=')
                && file.ident() == Some("file") =>
        {
            if let (Some((path, _)), Some((dir, span))) = (only_string(call), only_string(dir)) {
                out.project_dirs
                    .push((path.to_string(), dir.to_string(), span));
            }
        }
        _ => {}
    }
}

/// The string of a `("...")` argument list holding only it.
fn only_string(call: &Tree) -> Option<(&str, Span)> {
    match call.group('(')? {
        [only] => only.string(),
        _ => None,
    }
}

/// The directory of a Gradle project path relative to the settings file:
/// `:services:api` is `services/api`.
pub fn project_path_dir(project_path: &str) -> String {
    project_path
        .split(':')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groovy_settings_with_multi_line_includes() {
        let text = "rootProject.name = 'shop'\n\
                    include ':api',\n        ':services:billing'\n\
                    include 'web'\n\
                    project(':web').projectDir = file('frontend/web-app')\n";
        let src = SourceFile::new("settings.gradle", text);
        let settings = parse_settings(&src).unwrap();
        assert_eq!(settings.root_project_name.as_ref().unwrap().0, "shop");
        let includes: Vec<&str> = settings.includes.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(includes, [":api", ":services:billing", "web"]);
        assert_eq!(src.line(settings.includes[1].1.start), 3);
        assert_eq!(
            settings.project_dirs,
            [(
                ":web".to_string(),
                "frontend/web-app".to_string(),
                settings.project_dirs[0].2
            )]
        );
    }

    #[test]
    fn kotlin_settings_ignore_plugin_management() {
        let text = r#"
pluginManagement {
    repositories { gradlePluginPortal() }
    includeBuild("build-logic")
}
plugins { id("org.gradle.toolchains.foojay-resolver-convention") version "0.8.0" }
rootProject.name = "catalog-demo"
include(
    ":app",
    ":core", // the domain
)
if (System.getenv("WITH_DOCS") != null) {
    include(":docs")
}
"#;
        let src = SourceFile::new("settings.gradle.kts", text);
        let settings = parse_settings(&src).unwrap();
        assert_eq!(settings.root_project_name.unwrap().0, "catalog-demo");
        let includes: Vec<&str> = settings.includes.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(includes, [":app", ":core", ":docs"]);
    }

    #[test]
    fn computed_includes_are_left_out() {
        let text = "listOf(\"a\", \"b\").forEach { include(it) }\ninclude(\":x\" + suffix)";
        let src = SourceFile::new("settings.gradle.kts", text);
        assert!(parse_settings(&src).unwrap().includes.is_empty());
    }

    #[test]
    fn project_paths_become_directories() {
        assert_eq!(project_path_dir(":services:api"), "services/api");
        assert_eq!(project_path_dir("app"), "app");
        assert_eq!(project_path_dir(":"), "");
    }
}
