//! GitHub Actions: one [`Pipeline`] per workflow file in `.github/workflows/`.
//!
//! Each job becomes a [`Job`] (its key's line, `name`, `needs`, `environment`)
//! and each step a [`Step`] (its list item's line): `run` commands and `uses`
//! actions are classified by the CI step rules. A local composite action
//! (`uses: ./.github/actions/setup`) is read and its steps count as the
//! caller's; a job that calls a local reusable workflow takes the stages of
//! that workflow's jobs. `action.yml` files are read only through the
//! workflows that use them: they are not pipelines.

mod actions;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use crate::detect::ci::{
    action_step, command_step, command_tool_detections, finish_job, normalize_dir, run_directory,
    service_detections, tool_detections,
};
use crate::detect::{DetectContext, Facts, join_path};
use crate::model::{Job, Pipeline, Stage, Step};
use crate::parse::yaml::{self, Node, Value};
use crate::source::{SourceFile, Span};
use crate::walk::FileKind;

const PROVIDER: &str = "github-actions";
/// Local actions and reusable workflows are followed at most this deep.
const MAX_NESTING: usize = 4;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut github = Github::new(ctx, files);
    // Parse every action definition, so a broken one is reported even when
    // no workflow uses it.
    for (kind, src) in files {
        if *kind == FileKind::GithubAction {
            github.load(&src.path);
        }
    }
    let mut workflows: Vec<&SourceFile> = files
        .iter()
        .filter(|(kind, _)| *kind == FileKind::GithubWorkflow)
        .map(|(_, src)| *src)
        .collect();
    workflows.sort_by(|a, b| a.path.cmp(&b.path));
    for src in workflows {
        let Some(file) = github.load(&src.path) else {
            continue;
        };
        github.visiting.insert(workflow_key(&src.path));
        let jobs = github.jobs(&file, 0, true);
        github.visiting.remove(&workflow_key(&src.path));
        github.facts.pipelines.push(Pipeline {
            provider: PROVIDER.to_string(),
            path: src.path.clone(),
            jobs,
        });
    }
    github.facts
}

/// A parsed workflow or action file.
struct Loaded {
    src: SourceFile,
    root: Node,
}

/// What a called workflow or composite action does, seen from its caller.
#[derive(Debug, Clone, Default)]
struct Summary {
    stages: BTreeSet<Stage>,
    tools: Vec<String>,
    directory: Option<String>,
}

impl Summary {
    fn add_step(&mut self, step: &Step) {
        self.stages.extend(step.stages.iter().copied());
        for tool in &step.tools {
            if !self.tools.contains(tool) {
                self.tools.push(tool.clone());
            }
        }
    }

    fn into_step(self, line: u32, name: Option<String>, uses: &str) -> Step {
        Step {
            line,
            name,
            run: None,
            uses: Some(uses.to_string()),
            directory: self.directory,
            stages: self.stages.into_iter().collect(),
            tools: self.tools,
        }
    }
}

struct Github<'a> {
    ctx: &'a DetectContext<'a>,
    /// The files handed to the detector, by path.
    given: HashMap<&'a str, &'a SourceFile>,
    /// Every file looked at so far; `None` when missing or unparseable.
    loaded: HashMap<String, Option<Rc<Loaded>>>,
    workflow_summaries: HashMap<String, Summary>,
    action_summaries: HashMap<String, Summary>,
    /// Workflows and actions being summarised: a cycle stops here.
    visiting: HashSet<String>,
    facts: Facts,
}

impl<'a> Github<'a> {
    fn new(ctx: &'a DetectContext<'a>, files: &'a [(FileKind, &'a SourceFile)]) -> Self {
        Self {
            ctx,
            given: files
                .iter()
                .map(|(_, src)| (src.path.as_str(), *src))
                .collect(),
            loaded: HashMap::new(),
            workflow_summaries: HashMap::new(),
            action_summaries: HashMap::new(),
            visiting: HashSet::new(),
            facts: Facts::default(),
        }
    }

    /// Parse the file at `path` (given to the detector, or read from the
    /// tree), once; problems are reported the first time.
    fn load(&mut self, path: &str) -> Option<Rc<Loaded>> {
        if let Some(loaded) = self.loaded.get(path) {
            return loaded.clone();
        }
        let src = match self.given.get(path) {
            Some(src) => Some((*src).clone()),
            None if self.ctx.reader.exists(path) => match self.ctx.reader.read(path) {
                Ok(src) => Some(src),
                Err(problem) => {
                    self.facts.problems.push(problem);
                    None
                }
            },
            None => None,
        };
        let loaded = src.and_then(|src| match yaml::parse(&src) {
            Ok(docs) => {
                let root = docs.into_iter().next().unwrap_or_else(empty_map);
                Some(Rc::new(Loaded { src, root }))
            }
            Err(err) => {
                self.facts.problems.push(err.to_problem(&src));
                None
            }
        });
        self.loaded.insert(path.to_string(), loaded.clone());
        loaded
    }

    /// The jobs of a workflow. `emit`: record detections (only for the
    /// workflow's own pipeline, not when it is summarised for a caller).
    fn jobs(&mut self, file: &Loaded, depth: usize, emit: bool) -> Vec<Job> {
        let src = &file.src;
        let workflow_dir = file
            .root
            .path(&["defaults", "run", "working-directory"])
            .and_then(Node::as_str)
            .and_then(normalize_dir);
        let mut jobs = Vec::new();
        for (key, body) in file.root.get("jobs").map_or(&[][..], Node::entries) {
            let Some(id) = key.as_str() else {
                continue;
            };
            let job_dir = match body.path(&["defaults", "run", "working-directory"]) {
                Some(dir) => dir.as_str().and_then(normalize_dir),
                None => workflow_dir.clone(),
            };
            let mut job = Job {
                id: id.to_string(),
                line: src.line(key.span.start),
                stages: Vec::new(),
                needs: body
                    .get("needs")
                    .map(Node::owned_strings)
                    .unwrap_or_default(),
                directory: None,
                name: body.get("name").and_then(Node::as_str).map(str::to_string),
                environment: body.get("environment").and_then(environment_name),
                steps: Vec::new(),
            };
            if emit {
                self.services(src, body);
            }
            if let Some(uses) = body.get("uses")
                && let Some(reference) = uses.as_str()
            {
                let line = src.line(uses.span.start);
                let step = self.called_workflow(src, line, reference, depth, emit);
                job.steps.push(step);
            }
            for item in body.get("steps").map_or(&[][..], Node::seq) {
                if let Some(step) = self.step(src, item, job_dir.as_deref(), depth, emit) {
                    job.steps.push(step);
                }
            }
            finish_job(self.ctx, &mut job);
            jobs.push(job);
        }
        jobs
    }

    /// `services:` containers: `postgres: {image: postgres:16}` (or the image alone).
    fn services(&mut self, src: &SourceFile, job: &Node) {
        for (_, service) in job.get("services").map_or(&[][..], Node::entries) {
            let image = match service.as_str() {
                Some(_) => service,
                None => match service.get("image") {
                    Some(image) => image,
                    None => continue,
                },
            };
            if let Some(reference) = image.as_str() {
                let line = src.line(image.span.start);
                let found = service_detections(self.ctx, src, reference, line);
                self.facts.detections.extend(found);
            }
        }
    }

    /// One item of `steps:` (of a job, or of a composite action).
    fn step(
        &mut self,
        src: &SourceFile,
        item: &Node,
        base_dir: Option<&str>,
        depth: usize,
        emit: bool,
    ) -> Option<Step> {
        let line = src.line(item.span.start);
        let name = item.get("name").and_then(Node::as_str).map(str::to_string);
        if let Some(run) = item.get("run").and_then(Node::as_str) {
            let dir = match item.get("working-directory") {
                Some(dir) => dir.as_str().and_then(normalize_dir),
                None => base_dir.map(str::to_string),
            };
            let shell = item.get("shell").and_then(Node::as_str).unwrap_or("");
            if runs_a_script_language(shell) {
                // `shell: python`: the text is a program, not commands.
                return Some(Step {
                    line,
                    name,
                    run: Some(run.to_string()),
                    uses: None,
                    directory: dir,
                    stages: Vec::new(),
                    tools: Vec::new(),
                });
            }
            let (mut step, tools) = command_step(self.ctx, line, name, run, None);
            step.directory = run_directory(dir.as_deref(), step.directory.as_deref());
            if emit && let Some(node) = item.get("run") {
                let line_of = script_lines(src, node);
                let found = command_tool_detections(self.ctx, src, &step, &tools, &line_of);
                self.facts.detections.extend(found);
            }
            return Some(step);
        }
        let uses = item.get("uses").and_then(Node::as_str)?.trim();
        if let Some(dir) = local_path(uses) {
            let summary = self.action_summary(&dir, depth + 1);
            return Some(summary.into_step(line, name, uses));
        }
        let (step, tools) = action_step(self.ctx, line, name, uses);
        if emit {
            let found = tool_detections(src, &step, &tools);
            self.facts.detections.extend(found);
        }
        Some(step)
    }

    /// A job-level `uses:`: a reusable workflow. A local one is summarised
    /// from its jobs; a remote one is known only by its reference and name.
    fn called_workflow(
        &mut self,
        src: &SourceFile,
        line: u32,
        reference: &str,
        depth: usize,
        emit: bool,
    ) -> Step {
        let reference = reference.trim();
        if let Some(path) = local_path(reference) {
            let summary = self.workflow_summary(&path, depth + 1);
            return summary.into_step(line, None, reference);
        }
        let (mut step, tools) = action_step(self.ctx, line, None, reference);
        let named = self.ctx.ci_steps.stages_named(&workflow_stem(reference));
        step.stages.extend(named);
        step.stages.sort();
        step.stages.dedup();
        if emit {
            let found = tool_detections(src, &step, &tools);
            self.facts.detections.extend(found);
        }
        step
    }

    /// What the jobs of a local reusable workflow do together.
    fn workflow_summary(&mut self, path: &str, depth: usize) -> Summary {
        if let Some(summary) = self.workflow_summaries.get(path) {
            return summary.clone();
        }
        let key = workflow_key(path);
        if depth > MAX_NESTING || self.visiting.contains(&key) {
            return Summary::default();
        }
        let Some(file) = self.load(path) else {
            return Summary::default();
        };
        self.visiting.insert(key.clone());
        let jobs = self.jobs(&file, depth, false);
        self.visiting.remove(&key);
        let mut summary = Summary::default();
        for job in &jobs {
            summary.stages.extend(job.stages.iter().copied());
            for step in &job.steps {
                summary.add_step(step);
            }
        }
        self.workflow_summaries
            .insert(path.to_string(), summary.clone());
        summary
    }
}

/// The file line of each line of a `run:` script. A literal block (`|`)
/// keeps its lines one for one; a line is placed only where the file shows
/// it, and anything else (folded or quoted text) falls back to where the
/// script starts.
fn script_lines<'s>(src: &'s SourceFile, node: &Node) -> impl Fn(usize) -> u32 + 's {
    let start = src.line(node.span.start);
    let lines: Vec<String> = node
        .as_str()
        .unwrap_or("")
        .lines()
        .map(|l| l.trim().to_string())
        .collect();
    move |i| {
        let Some(wanted) = lines.get(i).filter(|l| !l.is_empty()) else {
            return start;
        };
        let offset = u32::try_from(i).unwrap_or(u32::MAX);
        // The span starts at the block's first line or at its indicator.
        [0, 1]
            .into_iter()
            .map(|extra| start.saturating_add(offset).saturating_add(extra))
            .find(|&line| written_line(src, line).is_some_and(|w| w.trim() == wanted))
            .unwrap_or(start)
    }
}

fn written_line(src: &SourceFile, line: u32) -> Option<&str> {
    let at = src.line_index().line_start(line)?;
    src.text.get(at..)?.lines().next()
}

fn workflow_key(path: &str) -> String {
    format!("workflow:{path}")
}

fn empty_map() -> Node {
    Node {
        value: Value::Map(Vec::new()),
        span: Span::default(),
        tag: None,
    }
}

/// `environment: production` or `environment: {name: production, url: ...}`.
fn environment_name(node: &Node) -> Option<String> {
    let name = match node.as_str() {
        Some(name) => name,
        None => node.get("name")?.as_str()?,
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The root-relative path of a local `uses: ./...` reference.
fn local_path(reference: &str) -> Option<String> {
    let rest = reference.strip_prefix("./")?;
    join_path("", rest)
}

/// The file name of a reusable workflow without extension:
/// `org/ci/.github/workflows/deploy-prod.yml@v2` → `deploy-prod`.
fn workflow_stem(reference: &str) -> String {
    let path = reference.split('@').next().unwrap_or(reference);
    let file = path.rsplit('/').next().unwrap_or(path);
    file.trim_end_matches(".yml")
        .trim_end_matches(".yaml")
        .to_string()
}

/// Whether a `shell:` runs its text with a script interpreter rather than a
/// command shell (`python`, `python {0}`, `node {0}`).
fn runs_a_script_language(shell: &str) -> bool {
    let program = shell.split_whitespace().next().unwrap_or("");
    let program = program.rsplit('/').next().unwrap_or(program);
    matches!(
        program,
        "python" | "python3" | "node" | "perl" | "ruby" | "Rscript"
    )
}
