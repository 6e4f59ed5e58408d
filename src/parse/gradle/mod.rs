//! Gradle build scripts (`build.gradle`, `build.gradle.kts`) read without a
//! Groovy or Kotlin parser: a token tree (see [`tokens`]) is searched for the
//! declarations that say what a project is built from: `plugins { }`, legacy
//! `apply plugin:` and `dependencies { }` blocks, wherever they sit. Scripts
//! are programs, so anything computed (a loop, a variable holding a
//! coordinate) is left out rather than guessed.

pub mod settings;
pub mod tokens;

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};
use tokens::{Dialect, Tree};

pub use settings::{GradleSettings, parse_settings};

/// Which projects a declaration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The project the script belongs to.
    This,
    /// This project and every subproject (`allprojects { }`).
    AllProjects,
    /// Every subproject, not this one (`subprojects { }`).
    Subprojects,
    /// Some other project (`project(':x') { }`, `configure(...) { }`).
    Others,
}

/// A version catalog accessor such as `libs.spring.boot.starter.web`: the
/// catalog name and the segments after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accessor {
    pub catalog: String,
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginRef {
    /// A plugin id as written (`org.springframework.boot`, `java`).
    Id(String),
    /// `alias(libs.plugins.x)`: `path` starts with `plugins`.
    Catalog(Accessor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginDecl {
    pub plugin: PluginRef,
    /// False for `apply false`: the plugin is put on the build classpath for
    /// other projects but not applied here.
    pub applied: bool,
    pub target: Target,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notation {
    /// `group:name` from a string or from map/named arguments.
    Module { group: String, name: String },
    /// A catalog accessor (`libs.x.y`, `libs.bundles.z`).
    Catalog(Accessor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyDecl {
    /// The configuration as written (`implementation`, `testRuntimeOnly`).
    pub configuration: String,
    pub notation: Notation,
    /// Declared inside a block about tests (`testing { }`, a `jvmTest`
    /// source set): a test dependency whatever its configuration says.
    pub in_test_block: bool,
    pub target: Target,
    /// The span of the notation (the string or the accessor).
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GradleBuild {
    pub plugins: Vec<PluginDecl>,
    pub dependencies: Vec<DependencyDecl>,
}

/// The dialect of a Gradle script, from its file name.
pub fn dialect_of(path: &str) -> Dialect {
    if path.ends_with(".kts") {
        Dialect::Kotlin
    } else {
        Dialect::Groovy
    }
}

pub fn parse_build(src: &SourceFile) -> Result<GradleBuild, ParseError> {
    let trees = tokens::tree(src.body(), src.body_offset(), dialect_of(&src.path))?;
    let mut walker = Walker::default();
    let context = Context {
        target: Target::This,
        test: false,
    };
    walker.script_block(&trees, context);
    Ok(walker.out)
}

#[derive(Debug, Clone, Copy)]
struct Context {
    target: Target,
    test: bool,
}

#[derive(Default)]
struct Walker {
    out: GradleBuild,
}

impl Walker {
    /// Statements of the script or of any block that is not `dependencies`
    /// or `plugins`. Recursion is bounded by the tree's nesting limit.
    fn script_block(&mut self, children: &[Tree], ctx: Context) {
        for statement in statements(children) {
            if statement.first().and_then(|t| t.ident()) == Some("apply") {
                self.legacy_apply(statement.get(1..).unwrap_or_default(), ctx);
            }
            for (index, tree) in statement.iter().enumerate() {
                let Some(block) = tree.group('{') else {
                    continue;
                };
                let head = statement.get(..index).unwrap_or_default();
                let name = block_name(head);
                let inner = Context {
                    test: ctx.test || head.iter().any(|t| t.ident().is_some_and(is_test_name)),
                    ..ctx
                };
                match name {
                    Some("plugins") => self.plugins_block(block, inner),
                    Some("dependencies") => self.dependencies_block(block, inner),
                    // Version pins, not dependencies (Spring's dependency
                    // management plugin, dependency constraints).
                    Some("dependencyManagement" | "constraints") => {}
                    // Declarations made here are for other projects; they are
                    // kept on this script (the only place they are written)
                    // with their target.
                    Some("subprojects") => self.script_block(
                        block,
                        Context {
                            target: narrower(ctx.target, Target::Subprojects),
                            ..inner
                        },
                    ),
                    Some("allprojects") => self.script_block(
                        block,
                        Context {
                            target: narrower(ctx.target, Target::AllProjects),
                            ..inner
                        },
                    ),
                    Some("project" | "configure") => self.script_block(
                        block,
                        Context {
                            target: Target::Others,
                            ..inner
                        },
                    ),
                    _ => self.script_block(block, inner),
                }
            }
        }
    }

    /// `apply plugin: 'x'` (Groovy) or `apply(plugin = "x")` (Kotlin).
    fn legacy_apply(&mut self, rest: &[&Tree], ctx: Context) {
        let args = match rest.first().and_then(|t| t.group('(')) {
            Some(inner) => split_args(&inner.iter().collect::<Vec<_>>()),
            None => split_args(rest),
        };
        for arg in args {
            if let [name, sep, value] = arg.as_slice()
                && name.ident() == Some("plugin")
                && (sep.is_punct(':') || sep.is_punct('='))
                && let Some((id, span)) = value.string()
            {
                self.out.plugins.push(PluginDecl {
                    plugin: PluginRef::Id(id.to_string()),
                    applied: true,
                    target: ctx.target,
                    span,
                });
            }
        }
    }

    fn plugins_block(&mut self, children: &[Tree], ctx: Context) {
        for statement in statements(children) {
            let Some((plugin, span, rest)) = plugin_of(&statement) else {
                continue;
            };
            self.out.plugins.push(PluginDecl {
                plugin,
                applied: !applies_false(rest),
                target: ctx.target,
                span,
            });
        }
    }

    fn dependencies_block(&mut self, children: &[Tree], ctx: Context) {
        for statement in statements(children) {
            self.dependency_statement(&statement, ctx);
        }
    }

    fn dependency_statement(&mut self, statement: &[&Tree], ctx: Context) {
        let Some(first) = statement.first() else {
            return;
        };
        let rest = statement.get(1..).unwrap_or_default();
        let (configuration, args) = match (first.ident(), first.string()) {
            (Some("constraints" | "components" | "modules" | "attributesSchema"), _) => return,
            // Control flow: the declarations in its blocks still count.
            (Some("if" | "else" | "for" | "while" | "when" | "run" | "with" | "apply"), _) => {
                for tree in statement {
                    if let Some(block) = tree.group('{') {
                        self.dependencies_block(block, ctx);
                    }
                }
                return;
            }
            // `add("implementation", "g:a:v")`.
            (Some("add"), _) => {
                let Some(inner) = rest.first().and_then(|t| t.group('(')) else {
                    return;
                };
                let mut args = split_args(&inner.iter().collect::<Vec<_>>());
                if args.is_empty() {
                    return;
                }
                let config = args.remove(0);
                let Some((name, _)) = config.first().and_then(|t| t.string()) else {
                    return;
                };
                (name.to_string(), args)
            }
            (Some(name), _) => {
                if rest
                    .first()
                    .is_some_and(|t| t.is_punct('.') || t.is_punct('='))
                {
                    return;
                }
                (name.to_string(), call_args(rest))
            }
            // Kotlin's string invocation: `"testImplementation"("g:a")`.
            (None, Some((name, _))) if rest.first().is_some_and(|t| t.group('(').is_some()) => {
                (name.to_string(), call_args(rest))
            }
            _ => return,
        };
        for (notation, span) in notations(&args) {
            self.out.dependencies.push(DependencyDecl {
                configuration: configuration.clone(),
                notation,
                in_test_block: ctx.test,
                target: ctx.target,
                span,
            });
        }
    }
}

/// The narrower of an enclosing target and a block's own: `subprojects { }`
/// inside `project(':x') { }` is still about other projects.
fn narrower(outer: Target, inner: Target) -> Target {
    match outer {
        Target::This => inner,
        Target::AllProjects => inner,
        Target::Subprojects | Target::Others => outer,
    }
}

/// Whether a configuration or block name is about tests (`testImplementation`,
/// `androidTestImplementation`, `testing`, `jvmTest`).
pub fn is_test_name(name: &str) -> bool {
    name.starts_with("test") || name.contains("Test")
}

/// The statements of a block: split at line breaks and `;`, except where the
/// statement obviously goes on (a trailing `,` `.` `=` `:` `+`, or a next line
/// starting with `.` or `?.`). Line breaks are left out of the result. Linear
/// in the number of tokens, however many blank lines there are.
pub fn statements(children: &[Tree]) -> Vec<Vec<&Tree>> {
    let mut out = Vec::new();
    let mut current: Vec<&Tree> = Vec::new();
    // A line break ended `current`, unless the next token continues it.
    let mut broken = false;
    for tree in children {
        if tree.is_newline() {
            let trailing_operator = current
                .last()
                .is_some_and(|t| [',', '.', '=', ':', '+'].iter().any(|c| t.is_punct(*c)));
            broken |= !current.is_empty() && !trailing_operator;
            continue;
        }
        let leading_dot = tree.is_punct('.') || tree.is_punct('?');
        if (tree.is_punct(';') || (broken && !leading_dot)) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        broken = false;
        if !tree.is_punct(';') {
            current.push(tree);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The name of the block that follows `head`: the last identifier before
/// it, skipping an argument list (`project(':x') {`, `tasks.register("a") {`).
fn block_name<'a>(head: &[&'a Tree]) -> Option<&'a str> {
    head.iter()
        .rev()
        .find(|t| t.group('(').is_none())
        .and_then(|t| t.ident())
}

/// Split tokens at top-level commas.
pub fn split_args<'a>(trees: &[&'a Tree]) -> Vec<Vec<&'a Tree>> {
    let mut out: Vec<Vec<&Tree>> = Vec::new();
    let mut current = Vec::new();
    for tree in trees {
        if tree.is_punct(',') {
            out.push(std::mem::take(&mut current));
        } else if !tree.is_newline() {
            current.push(*tree);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The arguments of a call written `name(args)`, `name(args) { }` or, in
/// Groovy, `name args` (up to a trailing closure).
fn call_args<'a>(rest: &[&'a Tree]) -> Vec<Vec<&'a Tree>> {
    match rest.first().and_then(|t| t.group('(')) {
        Some(inner) => split_args(&inner.iter().collect::<Vec<_>>()),
        None => {
            let end = rest
                .iter()
                .position(|t| t.group('{').is_some())
                .unwrap_or(rest.len());
            split_args(rest.get(..end).unwrap_or_default())
        }
    }
}

/// Named arguments (`group: 'g'`, `name = "a"`) among `args`, by name.
fn named<'a>(args: &[Vec<&'a Tree>], key: &str) -> Option<(&'a str, Span)> {
    args.iter().find_map(|arg| match arg.as_slice() {
        [name, sep, value]
            if name.ident() == Some(key) && (sep.is_punct(':') || sep.is_punct('=')) =>
        {
            value.string()
        }
        _ => None,
    })
}

fn is_named(arg: &[&Tree]) -> bool {
    matches!(arg, [name, sep, ..] if name.ident().is_some() && (sep.is_punct(':') || sep.is_punct('=')))
}

/// Every dependency notation among a call's arguments.
fn notations(args: &[Vec<&Tree>]) -> Vec<(Notation, Span)> {
    let mut out = Vec::new();
    if let (Some((group, span)), Some((name, _))) = (named(args, "group"), named(args, "name")) {
        out.push((
            Notation::Module {
                group: group.to_string(),
                name: name.to_string(),
            },
            span,
        ));
    }
    for arg in args.iter().filter(|a| !is_named(a)) {
        notation_of(arg, &mut out);
    }
    out
}

fn notation_of(arg: &[&Tree], out: &mut Vec<(Notation, Span)>) {
    match arg {
        [single] if single.string().is_some() => {
            if let Some((text, span)) = single.string()
                && let Some((group, name)) = module_coordinates(text)
            {
                out.push((
                    Notation::Module {
                        group: group.to_string(),
                        name: name.to_string(),
                    },
                    span,
                ));
            }
        }
        // A Groovy list of notations.
        [single] if single.group('[').is_some() => {
            let inner: Vec<&Tree> = single.group('[').unwrap_or_default().iter().collect();
            for element in split_args(&inner) {
                notation_of(&element, out);
            }
        }
        [function, call, ..] if call.group('(').is_some() => {
            let inner: Vec<&Tree> = call.group('(').unwrap_or_default().iter().collect();
            let args = split_args(&inner);
            match function.ident() {
                Some("platform" | "enforcedPlatform" | "testFixtures" | "variantOf" | "create") => {
                    out.extend(notations(&args))
                }
                Some("kotlin") => {
                    if let Some((module, span)) = args.first().and_then(|a| a.first()?.string()) {
                        out.push((
                            Notation::Module {
                                group: "org.jetbrains.kotlin".to_string(),
                                name: format!("kotlin-{module}"),
                            },
                            span,
                        ));
                    }
                }
                // `project(":core")`, `files(...)`, `fileTree(...)`,
                // `gradleApi()`: not external modules.
                _ => {}
            }
        }
        _ => {
            if let Some(accessor) = accessor_of(arg) {
                let span = Span::new(
                    arg.first().map_or(0, |t| t.span().start),
                    arg.last().map_or(0, |t| t.span().end),
                );
                out.push((Notation::Catalog(accessor), span));
            }
        }
    }
}

/// `group:name` of a `group:name[:version[:classifier]][@ext]` string.
pub fn module_coordinates(text: &str) -> Option<(&str, &str)> {
    let text = text.split('@').next().unwrap_or(text);
    let mut parts = text.split(':');
    let group = parts.next()?.trim();
    let name = parts.next()?.trim();
    (!group.is_empty() && !name.is_empty()).then_some((group, name))
}

/// A dotted chain of names, `libs.a.b`, optionally ending in `.get()` or
/// `.asProvider()` (Kotlin accessors of an alias that is also a prefix).
fn accessor_of(arg: &[&Tree]) -> Option<Accessor> {
    let mut names = Vec::new();
    let mut index = 0;
    loop {
        let name = arg.get(index)?.ident()?;
        index += 1;
        if arg.get(index).is_some_and(|t| t.group('(').is_some()) {
            if !matches!(name, "get" | "asProvider") || arg.len() != index + 1 {
                return None;
            }
            break;
        }
        names.push(name.to_string());
        match arg.get(index) {
            None => break,
            Some(dot) if dot.is_punct('.') => index += 1,
            Some(_) => return None,
        }
    }
    if names.len() < 2 {
        return None;
    }
    let catalog = names.remove(0);
    Some(Accessor {
        catalog,
        path: names,
    })
}

/// The plugin a `plugins { }` statement applies, its span, and the rest of
/// the statement (`version "1"`, `apply false`).
fn plugin_of<'a, 'b>(statement: &'b [&'a Tree]) -> Option<(PluginRef, Span, &'b [&'a Tree])> {
    let first = statement.first()?;
    let name = first.ident()?;
    let argument = statement.get(1);
    let string_argument = || -> Option<(&'a str, Span)> {
        let argument = argument?;
        argument.string().or_else(|| {
            let inner = argument.group('(')?;
            match inner {
                [only] => only.string(),
                _ => None,
            }
        })
    };
    let rest = statement.get(2..).unwrap_or_default();
    match name {
        "id" => {
            let (id, span) = string_argument()?;
            Some((PluginRef::Id(id.to_string()), span, rest))
        }
        "kotlin" => {
            let (id, span) = string_argument()?;
            Some((
                PluginRef::Id(format!("org.jetbrains.kotlin.{id}")),
                span,
                rest,
            ))
        }
        "alias" => {
            let inner: Vec<&Tree> = argument?.group('(')?.iter().collect();
            let accessor = accessor_of(&inner)?;
            Some((PluginRef::Catalog(accessor), argument?.span(), rest))
        }
        // A core plugin by its bare name: `java`, `application`, `` `java-library` ``.
        _ if argument.is_none_or(|t| t.ident().is_some()) => Some((
            PluginRef::Id(name.to_string()),
            first.span(),
            statement.get(1..).unwrap_or_default(),
        )),
        _ => None,
    }
}

/// `apply false` or `.apply(false)` in the rest of a plugin statement.
fn applies_false(rest: &[&Tree]) -> bool {
    rest.windows(2).any(|pair| match pair {
        [apply, value] => {
            apply.ident() == Some("apply")
                && (value.ident() == Some("false")
                    || value.group('(').is_some_and(
                        |inner| matches!(inner, [only] if only.ident() == Some("false")),
                    ))
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests;
