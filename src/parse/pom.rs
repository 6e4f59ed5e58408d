//! Maven `pom.xml`: coordinates, parent, modules, properties, dependencies
//! and build plugins, with the span of each. Elements are matched by local
//! name, as POMs use a default namespace. `${...}` references are kept as
//! written here; [`interpolate`] expands them once the caller knows every
//! property in scope (the parent POM's included).

use roxmltree::{Document, Node, ParsingOptions};

use crate::parse::ParseError;
use crate::source::{SourceFile, Span};

/// The text of an element, trimmed, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomParent {
    pub group_id: Option<Text>,
    pub artifact_id: Option<Text>,
    pub version: Option<Text>,
    /// `relativePath` as written; `Some("")` for an empty element, which tells
    /// Maven not to look for the parent on disk.
    pub relative_path: Option<String>,
    /// The span of the `<parent>` element.
    pub span: Span,
}

/// Where a dependency or plugin was declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `project/dependencies`, `project/build/plugins`.
    Project,
    /// `build/pluginManagement`: plugin versions and configuration for
    /// modules, still run by the builds that use them.
    PluginManagement,
    /// Inside a `profiles/profile`: only when the profile is active.
    Profile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomDependency {
    pub group_id: Option<Text>,
    pub artifact_id: Option<Text>,
    pub scope: Option<String>,
    pub optional: bool,
    pub section: Section,
    /// The span of the `<dependency>` element.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PomPlugin {
    /// `None` means Maven's default, `org.apache.maven.plugins`.
    pub group_id: Option<Text>,
    pub artifact_id: Option<Text>,
    pub section: Section,
    /// The span of the `<plugin>` element.
    pub span: Span,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pom {
    pub group_id: Option<Text>,
    pub artifact_id: Option<Text>,
    pub version: Option<Text>,
    pub packaging: Option<Text>,
    pub name: Option<Text>,
    pub parent: Option<PomParent>,
    /// `modules/module` and `profiles/profile/modules/module`, as written.
    pub modules: Vec<Text>,
    /// `properties`, in document order.
    pub properties: Vec<(String, String)>,
    pub dependencies: Vec<PomDependency>,
    pub plugins: Vec<PomPlugin>,
}

/// The default `groupId` of Maven plugins.
pub const DEFAULT_PLUGIN_GROUP: &str = "org.apache.maven.plugins";

pub fn parse(src: &SourceFile) -> Result<Pom, ParseError> {
    let base = src.body_offset();
    let options = ParsingOptions {
        // Entities from a DTD are a denial-of-service vector and no POM needs one.
        allow_dtd: false,
        // Generous for a 4 MiB file, and bounds memory on hostile input.
        nodes_limit: 2_000_000,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(src.body(), options).map_err(|err| {
        let pos = err.pos();
        // The body starts after a byte order mark, which is one character of line 1.
        let column = if pos.row == 1 && base > 0 {
            pos.col + 1
        } else {
            pos.col
        };
        let message = err.to_string().replace(&format!(" at {pos}"), "");
        ParseError::new(src.offset_of(pos.row, column), message)
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(ParseError::new(
            base + root.range().start,
            format!(
                "expected a <project> root element, found <{}>",
                root.tag_name().name()
            ),
        ));
    }
    let reader = Reader { base };
    let mut pom = Pom {
        group_id: reader.text_of(root, "groupId"),
        artifact_id: reader.text_of(root, "artifactId"),
        version: reader.text_of(root, "version"),
        packaging: reader.text_of(root, "packaging"),
        name: reader.text_of(root, "name"),
        parent: child(root, "parent").map(|parent| PomParent {
            group_id: reader.text_of(parent, "groupId"),
            artifact_id: reader.text_of(parent, "artifactId"),
            version: reader.text_of(parent, "version"),
            relative_path: child(parent, "relativePath").map(|n| text(n).0),
            span: reader.span(parent.range()),
        }),
        ..Pom::default()
    };
    if let Some(properties) = child(root, "properties") {
        for property in properties.children().filter(Node::is_element) {
            let (value, _) = text(property);
            pom.properties
                .push((property.tag_name().name().to_string(), value));
        }
    }
    reader.sections(root, Section::Project, &mut pom);
    for profile in children(child(root, "profiles"), "profile") {
        reader.sections(profile, Section::Profile, &mut pom);
    }
    Ok(pom)
}

struct Reader {
    base: usize,
}

impl Reader {
    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.base + range.start, self.base + range.end)
    }

    fn text_of(&self, parent: Node<'_, '_>, name: &str) -> Option<Text> {
        let node = child(parent, name)?;
        let (value, range) = text(node);
        Some(Text {
            value,
            span: self.span(range),
        })
    }

    /// Modules, dependencies and plugins of the project or of a profile.
    fn sections(&self, owner: Node<'_, '_>, section: Section, pom: &mut Pom) {
        for module in children(child(owner, "modules"), "module") {
            let (value, range) = text(module);
            if !value.is_empty() {
                pom.modules.push(Text {
                    value,
                    span: self.span(range),
                });
            }
        }
        // `dependencyManagement` is not read: its entries pin versions (and
        // import BOMs) for whoever declares the dependency.
        for dependency in children(child(owner, "dependencies"), "dependency") {
            pom.dependencies.push(PomDependency {
                group_id: self.text_of(dependency, "groupId"),
                artifact_id: self.text_of(dependency, "artifactId"),
                scope: self.text_of(dependency, "scope").map(|t| t.value),
                optional: self
                    .text_of(dependency, "optional")
                    .is_some_and(|t| t.value == "true"),
                section,
                span: self.span(dependency.range()),
            });
        }
        let build = child(owner, "build");
        let managed = build.and_then(|b| child(b, "pluginManagement"));
        let plugin_lists = [
            (build, section),
            (
                managed,
                if section == Section::Profile {
                    Section::Profile
                } else {
                    Section::PluginManagement
                },
            ),
        ];
        for (holder, plugin_section) in plugin_lists {
            for plugin in children(holder.and_then(|h| child(h, "plugins")), "plugin") {
                pom.plugins.push(PomPlugin {
                    group_id: self.text_of(plugin, "groupId"),
                    artifact_id: self.text_of(plugin, "artifactId"),
                    section: plugin_section,
                    span: self.span(plugin.range()),
                });
            }
        }
    }
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(
    node: Option<Node<'a, 'input>>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.into_iter()
        .flat_map(|n| n.children())
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The text of an element (its text and CDATA children joined, trimmed) and
/// the range of its first text child, or of the element when it has none.
fn text(node: Node<'_, '_>) -> (String, std::ops::Range<usize>) {
    let mut value = String::new();
    let mut range = None;
    for part in node.children().filter(Node::is_text) {
        value.push_str(part.text().unwrap_or(""));
        range.get_or_insert_with(|| part.range());
    }
    (
        value.trim().to_string(),
        range.unwrap_or_else(|| node.range()),
    )
}

/// References deeper than this are left unexpanded (a property that refers to
/// itself, directly or through others).
const MAX_EXPANSION_DEPTH: usize = 16;
/// An expansion never grows past this many bytes (`a=${b}${b}`, `b=${c}${c}`...).
const MAX_EXPANDED_LEN: usize = 4096;

/// Expand `${name}` references in `value` with `lookup`. Unknown references,
/// and any that would recurse too deep or grow too long, stay as written.
pub fn interpolate(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    expand(value, lookup, 0)
}

fn expand(value: &str, lookup: &dyn Fn(&str) -> Option<String>, depth: usize) -> String {
    if depth >= MAX_EXPANSION_DEPTH || !value.contains("${") {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let reference = after.get(..=end).unwrap_or(after);
        let name = after.get(2..end).unwrap_or("").trim();
        match lookup(name) {
            Some(replacement) => {
                let expanded = expand(&replacement, lookup, depth + 1);
                if out.len() + expanded.len() > MAX_EXPANDED_LEN {
                    out.push_str(reference);
                } else {
                    out.push_str(&expanded);
                }
            }
            None => out.push_str(reference),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
