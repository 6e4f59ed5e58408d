//! `include:`: `.gitlab-ci.yml` and the local files it includes, merged in
//! GitLab's order (each file's includes first, in order, then the file
//! itself). Only local files are read (`include: ci/x.yml`, `{local: ...}`,
//! globs such as `ci/*.yml`); `project`, `remote`, `template` and
//! `component` includes live outside the repository and are skipped, though
//! templates and components are remembered: their names say what they do
//! (`Security/SAST.gitlab-ci.yml`). Reading is bounded in depth and count and
//! never reads a file twice, so include cycles end.

use std::collections::HashSet;

use globset::GlobBuilder;

use super::config::{Kind, Origin, Val};
use crate::detect::{DetectContext, join_path};
use crate::model::Problem;
use crate::parse::yaml;
use crate::source::SourceFile;

/// At most this many files make one configuration (GitLab allows 150).
pub const MAX_FILES: usize = 100;
/// Includes nest at most this deep.
pub const MAX_DEPTH: usize = 20;

/// A configuration with its includes merged.
pub struct Config {
    /// The files read: `.gitlab-ci.yml` first, then included files.
    pub files: Vec<SourceFile>,
    /// For each file, the line of `.gitlab-ci.yml` whose `include:` brings
    /// it in (the file's own line numbers mean nothing in `.gitlab-ci.yml`).
    pub anchors: Vec<u32>,
    /// The merged top-level mapping.
    pub root: Val,
    /// Template and component includes, as `template:<name>` and
    /// `component:<path>` references, with their anchor line.
    pub outside: Vec<(String, u32)>,
}

/// Load `main` and its local includes. `None` when `main` does not parse.
pub fn load(
    ctx: &DetectContext<'_>,
    main: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Option<Config> {
    let docs = match yaml::parse(main) {
        Ok(docs) => docs,
        Err(err) => {
            problems.push(err.to_problem(main));
            return None;
        }
    };
    let mut loader = Loader {
        ctx,
        files: vec![main.clone()],
        anchors: vec![0],
        visited: HashSet::from([main.path.clone()]),
        outside: Vec::new(),
        problems,
    };
    let root = loader.expand(0, &docs, None, 0);
    Some(Config {
        files: loader.files,
        anchors: loader.anchors,
        root,
        outside: loader.outside,
    })
}

struct Loader<'a, 'p> {
    ctx: &'a DetectContext<'a>,
    files: Vec<SourceFile>,
    anchors: Vec<u32>,
    visited: HashSet<String>,
    outside: Vec<(String, u32)>,
    problems: &'p mut Vec<Problem>,
}

impl Loader<'_, '_> {
    /// File `file` (parsed as `docs`) merged over its includes. `anchor`:
    /// the line of `.gitlab-ci.yml` that brought it in (`None` for itself).
    fn expand(
        &mut self,
        file: usize,
        docs: &[yaml::Node],
        anchor: Option<u32>,
        depth: usize,
    ) -> Val {
        let start = Origin { file, line: 1 };
        let mut own = Val::empty_map(start);
        if let Some(src) = self.files.get(file) {
            // Several documents: a `spec:` header, then the configuration.
            for doc in docs {
                own.merge(Val::from_node(doc, src, file));
            }
        }
        let mut merged = Val::empty_map(start);
        if let Some(include) = own.get("include") {
            for item in include.items() {
                let line = anchor.unwrap_or(item.origin.line);
                self.include(item, line, depth, &mut merged);
            }
        }
        merged.merge(own.without("include"));
        merged
    }

    fn include(&mut self, item: &Val, line: u32, depth: usize, merged: &mut Val) {
        match &item.kind {
            Kind::Str(path) if !is_url(path) => self.include_local(path, line, depth, merged),
            Kind::Map(_) => {
                if let Some(path) = item.get("local").and_then(Val::as_str) {
                    self.include_local(path, line, depth, merged);
                } else if let Some(name) = item.get("template").and_then(Val::as_str) {
                    self.outside
                        .push((format!("template:{}", name.trim()), line));
                } else if let Some(path) = item.get("component").and_then(Val::as_str) {
                    self.outside
                        .push((format!("component:{}", component_path(path)), line));
                }
            }
            _ => {}
        }
    }

    fn include_local(&mut self, path: &str, line: u32, depth: usize, merged: &mut Val) {
        if path.contains('$') || depth >= MAX_DEPTH {
            return;
        }
        let Some(path) = join_path("", path.trim().trim_start_matches('/')) else {
            return;
        };
        for path in self.expand_glob(&path) {
            if self.files.len() >= MAX_FILES || !self.visited.insert(path.clone()) {
                continue;
            }
            let Some(src) = self.read(&path) else {
                continue;
            };
            let docs = match yaml::parse(&src) {
                Ok(docs) => docs,
                Err(err) => {
                    self.problems.push(err.to_problem(&src));
                    continue;
                }
            };
            let index = self.files.len();
            self.files.push(src);
            self.anchors.push(line);
            let child = self.expand(index, &docs, Some(line), depth + 1);
            merged.merge(child);
        }
    }

    /// A local include may be a glob (`ci/*.yml`, `ci/**.yml`): matched
    /// against the files the walk listed, in path order.
    fn expand_glob(&self, path: &str) -> Vec<String> {
        if !path.contains('*') {
            return vec![path.to_string()];
        }
        // GitLab's `**.yml` means "in any subdirectory".
        let pattern = path.replace("**.", "**/*.");
        let Ok(glob) = GlobBuilder::new(&pattern).literal_separator(true).build() else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        self.ctx
            .walk
            .files
            .iter()
            .filter(|f| matcher.is_match(&f.path))
            .map(|f| f.path.clone())
            .collect()
    }

    fn read(&mut self, path: &str) -> Option<SourceFile> {
        if !self.ctx.reader.exists(path) {
            return None;
        }
        match self.ctx.reader.read(path) {
            Ok(src) => Some(src),
            Err(problem) => {
                self.problems.push(problem);
                None
            }
        }
    }
}

fn is_url(path: &str) -> bool {
    let lower = path.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A CI/CD component path without its host, which differs between
/// instances: `$CI_SERVER_FQDN/components/sast/sast@2` → `components/sast/sast@2`.
fn component_path(path: &str) -> String {
    let path = path.trim();
    match path.split_once('/') {
        Some((_, rest)) => rest.to_string(),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_paths_lose_their_host() {
        assert_eq!(
            component_path("$CI_SERVER_FQDN/components/sast/sast@2.0"),
            "components/sast/sast@2.0"
        );
        assert_eq!(component_path("gitlab.com/acme/c/x"), "acme/c/x");
        assert_eq!(component_path("plain"), "plain");
    }

    #[test]
    fn urls_are_remote() {
        assert!(is_url("https://example.com/ci.yml"));
        assert!(is_url(" HTTP://x"));
        assert!(!is_url("ci/https.yml"));
    }
}
