//! Docker Compose files and dotenv files.
//!
//! Each compose service becomes one [`ServiceFact`] at the line of its key,
//! with `extends` bases merged in and `env_file` variables added; `include`d
//! files that the walk did not list as compose files are read and their
//! services reported too. Override files are just more compose files: their
//! partial services are reported as they are, and `assemble` merges facts by
//! name. Images, variable names and connection URLs give detections; values
//! never leave memory (a `ServiceFact` is not serialized, evidence reasons
//! name variables, never values).

mod fields;
mod interpolate;
mod service;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use crate::catalog::Catalog;
use crate::detect::connection;
use crate::detect::{DetectContext, Detection, Facts, join_path, parent_dir};
use crate::parse::{dotenv, yaml};
use crate::source::SourceFile;
use crate::walk::{FileKind, classify};

use service::{EnvEntry, ServiceDraft};

use interpolate::interpolate;

/// `extends` chains and `include` nesting deeper than this are refused.
const MAX_DEPTH: usize = 8;

/// At most this many entries (variables, ports) are copied from `extends`
/// bases and env files in one scan. Real projects copy a few thousand; a
/// hostile file with many services extending a huge base would otherwise
/// cost services x base size.
const MAX_COPIED_ENTRIES: usize = 200_000;

/// Top-level keys of the compose format; a legacy (v1) file has none of them
/// and lists its services at the top level.
const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "name", "include", "services", "networks", "volumes", "configs", "secrets", "models",
];

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut run = Run {
        ctx,
        received: files
            .iter()
            .map(|(kind, src)| (src.path.clone(), (*kind, *src)))
            .collect(),
        compose_files: HashMap::new(),
        env_files: HashMap::new(),
        included: HashSet::new(),
        templates: HashSet::new(),
        drafts: Vec::new(),
        copied: 0,
        over_budget_files: HashSet::new(),
        facts: Facts::default(),
    };
    for (kind, src) in files {
        match kind {
            FileKind::DotEnv => run.dotenv_file(src),
            FileKind::Compose => {
                // Syntax errors are reported by `parse_compose`.
                if let Ok(file) = run.parse_compose((*src).clone()) {
                    run.compose_file(&file, 0);
                }
            }
            _ => {}
        }
    }
    run.finish()
}

/// A compose file and its parsed documents.
struct ComposeFile {
    src: SourceFile,
    docs: Vec<yaml::Node>,
}

/// Why a referenced file could not be used.
enum LoadError {
    /// Could not be read: the caller reports it where the file is named.
    Unreadable(String),
    /// Read but not valid: already reported in that file.
    Invalid,
}

struct Run<'a> {
    ctx: &'a DetectContext<'a>,
    received: HashMap<String, (FileKind, &'a SourceFile)>,
    /// Parsed compose files by path (`None`: not valid YAML, already reported).
    compose_files: HashMap<String, Option<Rc<ComposeFile>>>,
    env_files: HashMap<String, Option<Rc<Vec<EnvEntry>>>>,
    /// Files read through `include`, so each is reported once.
    included: HashSet<String>,
    /// (file, service) pairs another file extends under a different name:
    /// templates, not services of their own.
    templates: HashSet<(String, String)>,
    drafts: Vec<ServiceDraft>,
    /// Entries copied so far, against [`MAX_COPIED_ENTRIES`].
    copied: usize,
    /// Files where the copy budget ran out (reported once each).
    over_budget_files: HashSet<String>,
    facts: Facts,
}

impl Run<'_> {
    fn finish(mut self) -> Facts {
        let drafts = std::mem::take(&mut self.drafts);
        let mut detections = BTreeSet::new();
        for draft in drafts {
            if self
                .templates
                .contains(&(draft.path.clone(), draft.name.clone()))
            {
                continue;
            }
            if let Some(image) = &draft.image {
                for tech in self.ctx.catalog.match_image(&image.value) {
                    detections.insert(Detection {
                        tech,
                        path: image.path.clone(),
                        line: image.line,
                        reason: format!("image {}", image.value),
                    });
                }
            }
            for entry in draft.env() {
                env_detections(
                    self.ctx.catalog,
                    &entry.path,
                    entry.line,
                    &entry.name,
                    entry.value.as_deref(),
                    &mut detections,
                );
            }
            let ctx = self.ctx;
            let fact = draft.into_fact(|context| {
                let default = join_path(context, "Dockerfile")?;
                ctx.has_file(&default).then_some(default)
            });
            self.facts.services.push(fact);
        }
        self.facts.detections.extend(detections);
        // A dotenv file used as an `env_file` gives the same evidence twice.
        self.facts.detections.sort();
        self.facts.detections.dedup();
        self.facts.problems.sort();
        self.facts.problems.dedup();
        self.facts
    }

    /// A `.env` file: technologies from its variable names and connection URLs.
    fn dotenv_file(&mut self, src: &SourceFile) {
        let parsed = dotenv::parse(src);
        for err in &parsed.errors {
            self.facts.problems.push(err.to_problem(src));
        }
        let mut detections = BTreeSet::new();
        for var in &parsed.variables {
            env_detections(
                self.ctx.catalog,
                &src.path,
                src.line(var.name_span.start),
                &var.name,
                var.value.as_deref(),
                &mut detections,
            );
        }
        self.facts.detections.extend(detections);
    }

    /// Parse a compose file once; its syntax errors are reported once.
    fn parse_compose(&mut self, src: SourceFile) -> Result<Rc<ComposeFile>, LoadError> {
        if let Some(cached) = self.compose_files.get(&src.path) {
            return cached.clone().ok_or(LoadError::Invalid);
        }
        let path = src.path.clone();
        let parsed = match yaml::parse(&src) {
            Ok(docs) => Some(Rc::new(ComposeFile { src, docs })),
            Err(err) => {
                self.facts.problems.push(err.to_problem(&src));
                None
            }
        };
        self.compose_files.insert(path, parsed.clone());
        parsed.ok_or(LoadError::Invalid)
    }

    /// A compose file named by another one: received, or read from the tree.
    fn load_compose(&mut self, path: &str) -> Result<Rc<ComposeFile>, LoadError> {
        if let Some(cached) = self.compose_files.get(path) {
            return cached.clone().ok_or(LoadError::Invalid);
        }
        let src = match self.received.get(path) {
            Some((_, src)) => (*src).clone(),
            None => self
                .ctx
                .reader
                .read(path)
                .map_err(|problem| LoadError::Unreadable(problem.message))?,
        };
        self.parse_compose(src)
    }

    /// Report every service of `file` (and of the files it includes).
    fn compose_file(&mut self, file: &Rc<ComposeFile>, include_depth: usize) {
        for doc in &file.docs {
            if doc.is_null() {
                continue;
            }
            if !doc.is_map() {
                self.facts.problem_at(
                    &file.src,
                    doc.span.start,
                    "a compose file must be a mapping",
                );
                continue;
            }
            self.includes(file, doc, include_depth);
            for (name, key_line, node) in self.service_entries(&file.src, doc) {
                let mut chain = vec![(file.src.path.clone(), name.to_string())];
                let draft = self.resolve(file, name, key_line, node, &mut chain);
                self.drafts.push(draft);
            }
        }
    }

    /// The services of one document, reporting entries that are not mappings.
    fn service_entries<'n>(
        &mut self,
        src: &SourceFile,
        doc: &'n yaml::Node,
    ) -> Vec<(&'n str, u32, &'n yaml::Node)> {
        let mut out = Vec::new();
        let (entries, legacy) = match doc.get("services") {
            Some(services) if services.is_null() => return out,
            Some(services) if !services.is_map() => {
                self.facts.problem_at(
                    src,
                    services.span.start,
                    "`services` must be a mapping of service names to services",
                );
                return out;
            }
            Some(services) => (services.entries(), false),
            None if is_legacy(doc) => (doc.entries(), true),
            None => return out,
        };
        for (key, node) in entries {
            let Some(name) = key.as_str() else {
                continue;
            };
            if name.starts_with("x-") || legacy && TOP_LEVEL_KEYS.contains(&name) {
                continue;
            }
            if !node.is_map() {
                if !legacy {
                    self.facts.problem_at(
                        src,
                        key.span.start,
                        format!("service `{name}` is not a mapping; skipped"),
                    );
                }
                continue;
            }
            out.push((name, src.line(key.span.start), node));
        }
        out
    }

    /// A service with its `env_file` variables and its `extends` bases.
    /// `chain` holds the (file, service) pairs being resolved, for cycles.
    fn resolve(
        &mut self,
        file: &Rc<ComposeFile>,
        name: &str,
        key_line: u32,
        node: &yaml::Node,
        chain: &mut Vec<(String, String)>,
    ) -> ServiceDraft {
        let src = &file.src;
        let mut draft = service::read(src, name, key_line, node);
        for env_file in draft.env_files.clone() {
            if let Some(path) = &env_file.resolved {
                if !self.within_budget(src, env_file.line) {
                    break;
                }
                let vars = self.env_file_vars(src, path, env_file.line);
                self.copied += vars.len();
                // A later env file overrides an earlier one.
                draft.env_file_vars =
                    service::merge_env(std::mem::take(&mut draft.env_file_vars), vars);
            }
        }
        let Some(extends) = draft.extends.clone() else {
            return draft;
        };
        if !self.within_budget(src, extends.line) {
            return draft;
        }
        let base_path = match &extends.file {
            None => Some(src.path.clone()),
            Some(written) => join_path(parent_dir(&src.path), written),
        };
        let Some(base_path) = base_path else {
            self.problem_on_line(
                src,
                extends.file_line,
                "`extends` file is outside the scanned directory; not followed",
            );
            return draft;
        };
        let target = (base_path.clone(), extends.service.clone());
        if chain.contains(&target) {
            let mut cycle: Vec<String> = chain.iter().map(|(_, s)| s.clone()).collect();
            cycle.push(extends.service.clone());
            let message = format!("`extends` cycle: {}; not followed", cycle.join(" -> "));
            self.problem_on_line(src, extends.line, message);
            return draft;
        }
        if chain.len() > MAX_DEPTH {
            let message = format!("`extends` chain deeper than {MAX_DEPTH}; not followed");
            self.problem_on_line(src, extends.line, message);
            return draft;
        }
        let base_file = if base_path == src.path {
            Rc::clone(file)
        } else {
            match self.load_compose(&base_path) {
                Ok(base_file) => base_file,
                Err(LoadError::Invalid) => return draft,
                Err(LoadError::Unreadable(why)) => {
                    let message = format!("cannot read `extends` file {base_path}: {why}");
                    self.problem_on_line(src, extends.file_line, message);
                    return draft;
                }
            }
        };
        let mut found = None;
        for doc in &base_file.docs {
            found = self
                .service_entries(&base_file.src, doc)
                .into_iter()
                .find(|(n, _, _)| *n == extends.service);
            if found.is_some() {
                break;
            }
        }
        let Some((base_name, base_line, base_node)) = found else {
            let message = format!(
                "`extends` names service `{}`, which {} does not declare",
                extends.service, base_path
            );
            self.problem_on_line(src, extends.line, message);
            return draft;
        };
        if base_path != src.path && base_name != name {
            self.templates.insert(target.clone());
        }
        chain.push(target);
        let base = self.resolve(&base_file, base_name, base_line, base_node, chain);
        chain.pop();
        self.copied += base.size();
        draft.merge_base(base);
        draft
    }

    /// `include:` entries: strings, or maps whose `path` is a string or a list.
    fn includes(&mut self, file: &Rc<ComposeFile>, doc: &yaml::Node, depth: usize) {
        let Some(include) = doc.get("include") else {
            return;
        };
        let mut named: Vec<(&str, usize)> = Vec::new();
        for item in include.seq() {
            let path_node = if item.is_map() {
                item.get("path")
            } else {
                Some(item)
            };
            for (path, span) in path_node.map(yaml::Node::strings).unwrap_or_default() {
                named.push((path, span.start));
            }
        }
        let src = &file.src;
        for (written, offset) in named {
            let written = interpolate(written);
            if written.contains("://") || written.starts_with("git@") || written.starts_with("oci:")
            {
                continue;
            }
            let Some(path) = join_path(parent_dir(&src.path), &written) else {
                self.facts.problem_at(
                    src,
                    offset,
                    format!("included file {written} is outside the scanned directory; not read"),
                );
                continue;
            };
            let walked_as_compose = self
                .ctx
                .walk
                .files
                .binary_search_by(|f| f.path.as_str().cmp(&path))
                .ok()
                .and_then(|i| self.ctx.walk.files.get(i))
                .is_some_and(|f| f.kind == FileKind::Compose);
            if walked_as_compose || !self.included.insert(path.clone()) {
                continue;
            }
            if depth >= MAX_DEPTH {
                self.facts.problem_at(
                    src,
                    offset,
                    format!("includes nest deeper than {MAX_DEPTH}; {path} not read"),
                );
                continue;
            }
            match self.load_compose(&path) {
                Ok(included) => self.compose_file(&included, depth + 1),
                Err(LoadError::Invalid) => {}
                Err(LoadError::Unreadable(why)) => {
                    self.facts.problem_at(
                        src,
                        offset,
                        format!("cannot read included file {path}: {why}"),
                    );
                }
            }
        }
    }

    /// Variables of an env file. A dotenv-named file the walk did not hand
    /// over is missing or ignored (a developer's local `.env` usually is):
    /// it adds nothing, so results do not depend on untracked secrets. Other
    /// names (`config/web.conf`) are never classified by the walk and are read
    /// directly.
    fn env_file_vars(&mut self, src: &SourceFile, path: &str, line: u32) -> Vec<EnvEntry> {
        if let Some(cached) = self.env_files.get(path) {
            return cached.as_deref().cloned().unwrap_or_default();
        }
        let received = self
            .received
            .get(path)
            .filter(|(kind, _)| *kind == FileKind::DotEnv);
        let loaded = if let Some((_, env_src)) = received {
            // Its own errors are reported where it is read as a dotenv file.
            Some(dotenv_entries(env_src, dotenv::parse(env_src)))
        } else if classify(path) != FileKind::DotEnv && self.ctx.reader.exists(path) {
            match self.ctx.reader.read(path) {
                Ok(env_src) => {
                    let parsed = dotenv::parse(&env_src);
                    for err in &parsed.errors {
                        self.facts.problems.push(err.to_problem(&env_src));
                    }
                    Some(dotenv_entries(&env_src, parsed))
                }
                Err(problem) => {
                    let message = format!("cannot read env file {path}: {}", problem.message);
                    self.problem_on_line(src, line, message);
                    None
                }
            }
        } else {
            None
        };
        let loaded = loaded.map(Rc::new);
        self.env_files.insert(path.to_string(), loaded.clone());
        loaded.as_deref().cloned().unwrap_or_default()
    }

    /// Whether more entries may be copied; reports the first refusal in each file.
    fn within_budget(&mut self, src: &SourceFile, line: u32) -> bool {
        if self.copied <= MAX_COPIED_ENTRIES {
            return true;
        }
        if self.over_budget_files.insert(src.path.clone()) {
            let message = format!(
                "`extends` and `env_file` copy more than {MAX_COPIED_ENTRIES} entries; the rest are not followed"
            );
            self.problem_on_line(src, line, message);
        }
        false
    }

    fn problem_on_line(&mut self, src: &SourceFile, line: u32, message: impl Into<String>) {
        let offset = src.line_index().line_start(line).unwrap_or(0);
        // Point at the first non-blank character of the line.
        let indent = src.text.get(offset..).map_or(0, |rest| {
            rest.len() - rest.trim_start_matches([' ', '\t']).len()
        });
        self.facts.problem_at(src, offset + indent, message);
    }
}

/// A legacy (v1) compose file: no compose top-level key, and services at the
/// top level (mappings with an `image` or a `build`).
fn is_legacy(doc: &yaml::Node) -> bool {
    let keys: Vec<&str> = doc
        .entries()
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    !keys.iter().any(|k| TOP_LEVEL_KEYS.contains(k))
        && doc
            .entries()
            .iter()
            .any(|(_, v)| v.get("image").is_some() || v.get("build").is_some())
}

fn dotenv_entries(src: &SourceFile, parsed: dotenv::DotEnv) -> Vec<EnvEntry> {
    parsed
        .variables
        .into_iter()
        .map(|var| EnvEntry {
            line: src.line(var.name_span.start),
            name: var.name,
            value: var.value,
            path: src.path.clone(),
        })
        .collect()
}

/// Technologies a variable names (`SENTRY_DSN`) or connects to (a URL value).
fn env_detections(
    catalog: &Catalog,
    path: &str,
    line: u32,
    name: &str,
    value: Option<&str>,
    out: &mut BTreeSet<Detection>,
) {
    if let Some(tech) = catalog.match_env(name) {
        out.insert(Detection {
            tech,
            path: path.to_string(),
            line,
            reason: format!("environment {name}"),
        });
    }
    if let Some(conn) = value.and_then(|v| connection::parse(catalog, v)) {
        out.insert(Detection {
            tech: conn.tech,
            path: path.to_string(),
            line,
            reason: format!("connection URL in {name}"),
        });
    }
}
