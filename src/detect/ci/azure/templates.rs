//! Azure Pipelines template files: found from a `template:` reference, read
//! once (from the files the walk gave the detector, else through the bounded
//! reader), parsed once, and remembered as used so a template is not also
//! reported as a pipeline of its own.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::detect::{DetectContext, Facts, join_path, parent_dir};
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;

/// Azure's own limits: 100 template files per pipeline, 20 levels of nesting.
pub const MAX_TEMPLATES: usize = 100;
pub const MAX_NESTING: usize = 20;

/// A parsed file: its source and first document.
#[derive(Debug)]
pub struct Loaded {
    pub src: SourceFile,
    pub doc: Node,
}

pub struct Templates<'a> {
    ctx: &'a DetectContext<'a>,
    given: HashMap<&'a str, &'a SourceFile>,
    cache: HashMap<String, Option<Rc<Loaded>>>,
    /// Files some pipeline used as a template.
    pub used: HashSet<String>,
}

impl<'a> Templates<'a> {
    pub fn new(ctx: &'a DetectContext<'a>, given: &[&'a SourceFile]) -> Self {
        Self {
            ctx,
            given: given.iter().map(|src| (src.path.as_str(), *src)).collect(),
            cache: HashMap::new(),
            used: HashSet::new(),
        }
    }

    /// The parsed file at `path` (root-relative); a file that cannot be read
    /// is skipped (a missing template may be generated or come from a
    /// variable), one that does not parse is a problem, recorded once.
    pub fn load(&mut self, path: &str, facts: &mut Facts) -> Option<Rc<Loaded>> {
        if let Some(known) = self.cache.get(path) {
            return known.clone();
        }
        let src = match self.given.get(path) {
            Some(src) => Some((*src).clone()),
            None if self.ctx.reader.exists(path) => match self.ctx.reader.read(path) {
                Ok(src) => Some(src),
                Err(problem) => {
                    facts.problems.push(problem);
                    None
                }
            },
            None => None,
        };
        let loaded = src.and_then(|src| match yaml::parse(&src) {
            Ok(mut docs) if !docs.is_empty() => Some(Rc::new(Loaded {
                doc: docs.swap_remove(0),
                src,
            })),
            Ok(_) => None,
            Err(err) => {
                facts.problems.push(err.to_problem(&src));
                None
            }
        });
        self.cache.insert(path.to_string(), loaded.clone());
        loaded
    }
}

/// The root-relative path a `template:` reference names, from the file that
/// writes it: relative to that file's directory, or to the root with a
/// leading `/`. `None` for templates in other repositories (`x.yml@repo`)
/// and paths built from expressions.
pub fn template_path(including: &str, reference: &str) -> Option<String> {
    let reference = reference.trim();
    if reference.is_empty()
        || reference.contains('@')
        || reference.contains("${{")
        || reference.contains("$(")
    {
        return None;
    }
    let path = match reference.strip_prefix('/') {
        Some(from_root) => join_path("", from_root)?,
        None => join_path(parent_dir(including), reference)?,
    };
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_paths_are_relative_to_the_including_file() {
        assert_eq!(
            template_path(".azure-pipelines/ci.yml", "templates/test.yml").as_deref(),
            Some(".azure-pipelines/templates/test.yml")
        );
        assert_eq!(
            template_path("a/b/ci.yml", "../steps.yml").as_deref(),
            Some("a/steps.yml")
        );
        assert_eq!(
            template_path("a/ci.yml", "/build/steps.yml").as_deref(),
            Some("build/steps.yml")
        );
        assert_eq!(template_path("ci.yml", "steps.yml@templates"), None);
        assert_eq!(template_path("ci.yml", "${{ parameters.stepsFile }}"), None);
        assert_eq!(template_path("ci.yml", "../../outside.yml"), None);
    }
}
