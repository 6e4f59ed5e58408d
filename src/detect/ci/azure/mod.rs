//! Azure Pipelines: `azure-pipelines*.yml` and `.azure-pipelines/**`.
//!
//! A pipeline is `stages[].jobs[].steps[]`, or top-level `jobs` (one implicit
//! stage), or top-level `steps` (one implicit job, `Job`). Job ids are
//! `<stage>/<job>` when the pipeline has stages. Stages run in order unless
//! they say `dependsOn`; the jobs of a stage need every job of the stages it
//! depends on, unless they depend on a job of their own stage (then they get
//! those edges through it). `deployment` jobs target their `environment` and
//! run their strategy's lifecycle steps. `template:` references to files of
//! the repository (stages, jobs and steps levels, and `extends`) are read and
//! expanded where they appear; what comes from a template carries the line of
//! the `template:` reference, while the evidence for its tools points into the
//! template file. Files used as templates, or kept in a `templates`
//! directory, are not pipelines of their own.

mod tasks;
mod templates;

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::catalog::TechId;
use crate::detect::ci::jobs::{
    JobCap, JobIds, command_in, finish_pipeline, new_job, resolve_dir, step_evidence,
};
use crate::detect::ci::task_step;
use crate::detect::{DetectContext, Facts};
use crate::model::{Job, Step};
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

use templates::{Loaded, MAX_NESTING, MAX_TEMPLATES, Templates, template_path};

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let sources: Vec<&SourceFile> = files.iter().map(|(_, src)| *src).collect();
    let mut loader = Templates::new(ctx, &sources);
    let mut found: Vec<(&SourceFile, Vec<Job>)> = Vec::new();
    for src in &sources {
        let Some(root) = loader.load(&src.path, &mut facts) else {
            continue;
        };
        if !root.doc.is_map() {
            continue;
        }
        let mut walk = Walk {
            ctx,
            loader: &mut loader,
            facts: &mut facts,
            stack: vec![src.path.clone()],
            loads: 0,
            root: Rc::clone(&root),
            cap: JobCap::default(),
        };
        let origin = Origin {
            src: &root.src,
            entry: None,
        };
        let stages = walk.pipeline(&root.doc, &origin);
        found.push((src, link(stages)));
    }
    for (src, jobs) in found {
        let is_template =
            loader.used.contains(&src.path) || src.path.split('/').any(|part| part == "templates");
        if !is_template {
            finish_pipeline(ctx, &mut facts, "azure-pipelines", src, jobs);
        }
    }
    facts
}

/// Where a node is written: its file, and the line of the pipeline file it
/// enters through (`None` when it is written in the pipeline file itself).
#[derive(Clone, Copy)]
struct Origin<'f> {
    src: &'f SourceFile,
    entry: Option<u32>,
}

impl Origin<'_> {
    fn line(&self, node: &Node) -> u32 {
        self.entry.unwrap_or_else(|| self.src.line(node.span.start))
    }
}

/// A stage before its jobs are linked.
struct StageDraft {
    name: Option<String>,
    /// `None`: the previous stage (Azure's default).
    depends_on: Option<Vec<String>>,
    jobs: Vec<JobDraft>,
}

struct JobDraft {
    job: Job,
    depends_on: Vec<String>,
}

/// Container resources by name (`resources.containers[].container`) → image,
/// for job `services`.
fn containers(root: &Loaded) -> BTreeMap<String, (String, usize)> {
    root.doc
        .path(&["resources", "containers"])
        .map(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let name = c.get("container")?.as_str()?;
            let image = c.get("image")?;
            Some((
                name.to_string(),
                (image.as_str()?.to_string(), image.span.start),
            ))
        })
        .collect()
}

struct Walk<'w, 'c> {
    ctx: &'w DetectContext<'c>,
    loader: &'w mut Templates<'c>,
    facts: &'w mut Facts,
    /// Template files being expanded (cycle guard), the pipeline file first.
    stack: Vec<String>,
    loads: usize,
    /// The pipeline file (its `resources` serve every job).
    root: Rc<Loaded>,
    /// Stages and jobs read so far.
    cap: JobCap,
}

/// `- ${{ if ... }}:` / `- ${{ each ... }}:` items insert the items under
/// them; we read them all, as they may run.
fn inserted(item: &Node) -> Option<&Node> {
    let (key, value) = item.entries().first()?;
    key.as_str()?
        .trim_start()
        .starts_with("${{")
        .then_some(value)
}

/// Items of a list, or of a single inserted mapping.
fn items(node: &Node) -> &[Node] {
    if node.is_map() {
        std::slice::from_ref(node)
    } else {
        node.seq()
    }
}

impl Walk<'_, '_> {
    /// The template an item references, parsed, if it may be expanded.
    fn enter(&mut self, item: &Node, origin: &Origin<'_>) -> Option<Rc<Loaded>> {
        let reference = item.get("template")?.as_str()?;
        let path = template_path(&origin.src.path, reference)?;
        if self.stack.len() > MAX_NESTING
            || self.loads >= MAX_TEMPLATES
            || self.stack.contains(&path)
        {
            return None;
        }
        let loaded = self.loader.load(&path, self.facts)?;
        self.loads += 1;
        self.loader.used.insert(path.clone());
        self.stack.push(path);
        Some(loaded)
    }

    fn pipeline(&mut self, doc: &Node, origin: &Origin<'_>) -> Vec<StageDraft> {
        if let Some(extends) = doc.get("extends")
            && let Some(loaded) = self.enter(extends, origin)
        {
            let inner = Origin {
                src: &loaded.src,
                entry: Some(origin.line(extends)),
            };
            let stages = self.pipeline(&loaded.doc, &inner);
            self.stack.pop();
            return stages;
        }
        let mut stages = Vec::new();
        if let Some(list) = doc.get("stages") {
            self.stage_list(list, origin, &mut stages);
        } else {
            let mut jobs = Vec::new();
            if let Some(list) = doc.get("jobs") {
                self.job_list(list, origin, &mut jobs);
            } else if let Some((key, list)) = doc.entry("steps") {
                // One implicit job.
                let mut job = new_job("Job", origin.line(key));
                self.step_list(list, origin, &mut job);
                jobs.push(JobDraft {
                    job,
                    depends_on: Vec::new(),
                });
            }
            stages.push(StageDraft {
                name: None,
                depends_on: Some(Vec::new()),
                jobs,
            });
        }
        stages
    }

    fn stage_list(&mut self, list: &Node, origin: &Origin<'_>, out: &mut Vec<StageDraft>) {
        for item in items(list) {
            if let Some(value) = inserted(item) {
                self.stage_list(value, origin, out);
            } else if item.get("template").is_some() {
                if let Some(loaded) = self.enter(item, origin) {
                    let inner = Origin {
                        src: &loaded.src,
                        entry: Some(origin.line(item)),
                    };
                    if let Some(stages) = loaded.doc.get("stages") {
                        self.stage_list(stages, &inner, out);
                    }
                    self.stack.pop();
                }
            } else if let Some(name) = item.get("stage").and_then(Node::as_str) {
                if !self.cap.admit(self.facts, origin.src, item.span.start) {
                    return;
                }
                let mut jobs = Vec::new();
                if let Some(list) = item.get("jobs") {
                    self.job_list(list, origin, &mut jobs);
                }
                out.push(StageDraft {
                    name: Some(name.to_string()),
                    depends_on: item.get("dependsOn").map(Node::owned_strings),
                    jobs,
                });
            }
        }
    }

    fn job_list(&mut self, list: &Node, origin: &Origin<'_>, out: &mut Vec<JobDraft>) {
        for item in items(list) {
            if let Some(value) = inserted(item) {
                self.job_list(value, origin, out);
            } else if item.get("template").is_some() {
                if let Some(loaded) = self.enter(item, origin) {
                    let inner = Origin {
                        src: &loaded.src,
                        entry: Some(origin.line(item)),
                    };
                    if let Some(jobs) = loaded.doc.get("jobs") {
                        self.job_list(jobs, &inner, out);
                    }
                    self.stack.pop();
                }
            } else if let Some(draft) = self.job(item, origin) {
                out.push(draft);
            }
        }
    }

    fn job(&mut self, item: &Node, origin: &Origin<'_>) -> Option<JobDraft> {
        let (key, value) = item.entry("job").or_else(|| item.entry("deployment"))?;
        if !self.cap.admit(self.facts, origin.src, item.span.start) {
            return None;
        }
        let id = value.as_str().unwrap_or("Job");
        let mut job = new_job(id, origin.line(key));
        job.name = item
            .get("displayName")
            .and_then(Node::as_str)
            .map(str::to_string);
        job.environment = item.get("environment").and_then(|env| {
            let name = env.as_str().or_else(|| env.get("name")?.as_str())?;
            // `production.my-namespace` targets a resource of `production`.
            name.split('.').next().map(str::to_string)
        });
        for (_, service) in item.get("services").map(Node::entries).unwrap_or_default() {
            self.service(service, origin);
        }
        if let Some(steps) = item.get("steps") {
            self.step_list(steps, origin, &mut job);
        }
        if let Some((_, strategy)) = item.get("strategy").and_then(|s| s.entries().first()) {
            // runOnce / rolling / canary: their lifecycle hooks, in order.
            for hook in ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"] {
                if let Some(steps) = strategy.path(&[hook, "steps"]) {
                    self.step_list(steps, origin, &mut job);
                }
            }
            for outcome in ["failure", "success"] {
                if let Some(steps) = strategy.path(&["on", outcome, "steps"]) {
                    self.step_list(steps, origin, &mut job);
                }
            }
        }
        Some(JobDraft {
            job,
            depends_on: item
                .get("dependsOn")
                .map(Node::owned_strings)
                .unwrap_or_default(),
        })
    }

    /// A job's service container: a container resource of the pipeline
    /// file, or an image written in place.
    fn service(&mut self, service: &Node, origin: &Origin<'_>) {
        let Some(name) = service.as_str() else {
            return;
        };
        let (image, src, offset) = match containers(&self.root).remove(name) {
            Some((image, offset)) => (image, &self.root.src, offset),
            None => (name.to_string(), origin.src, service.span.start),
        };
        for tech in self.ctx.catalog.match_image(&image) {
            self.facts
                .detect(tech, src, offset, format!("CI service {image}"));
        }
    }

    fn step_list(&mut self, list: &Node, origin: &Origin<'_>, job: &mut Job) {
        for item in items(list) {
            if let Some(value) = inserted(item) {
                self.step_list(value, origin, job);
            } else if item.get("template").is_some() {
                if let Some(loaded) = self.enter(item, origin) {
                    let inner = Origin {
                        src: &loaded.src,
                        entry: Some(origin.line(item)),
                    };
                    if let Some(steps) = loaded.doc.get("steps") {
                        self.step_list(steps, &inner, job);
                    }
                    self.stack.pop();
                }
            } else {
                self.step(item, origin, job);
            }
        }
    }

    fn step(&mut self, item: &Node, origin: &Origin<'_>, job: &mut Job) {
        let name = item
            .get("displayName")
            .and_then(Node::as_str)
            .map(str::to_string);
        let line = origin.src.line(item.span.start);
        let workdir = item
            .get("workingDirectory")
            .and_then(Node::as_str)
            .and_then(|d| resolve_dir(None, d));
        let script = ["script", "bash", "pwsh", "powershell"]
            .iter()
            .find_map(|key| item.get(key).and_then(Node::as_str));
        let built = if let Some(script) = script {
            command_in(self.ctx, line, name, script, workdir.as_deref())
        } else if let Some(task) = item.get("task").and_then(Node::as_str) {
            let inputs = item.get("inputs");
            let task_name = tasks::task_name(task);
            let with_mode = tasks::mode(inputs).map(|m| format!("{task_name}/{m}"));
            let mut references = vec![task_name];
            references.extend(with_mode.as_deref());
            let command = tasks::command(task_name, inputs);
            let directory = tasks::directory(task_name, inputs).or(workdir);
            task_step(
                self.ctx,
                line,
                name,
                task,
                &references,
                command.as_deref(),
                directory,
            )
        } else {
            return;
        };
        self.push(job, origin, built);
    }

    /// Add a step: evidence in the file it is written in, line in the pipeline.
    fn push(&mut self, job: &mut Job, origin: &Origin<'_>, built: (Step, Vec<TechId>)) {
        let (mut step, tools) = built;
        self.facts
            .detections
            .extend(step_evidence(self.ctx, origin.src, &step, &tools));
        if let Some(entry) = origin.entry {
            step.line = entry;
        }
        job.steps.push(step);
    }
}

/// Give jobs their final ids and needs: within-stage `dependsOn`, else every
/// job of the stages the stage depends on (through stages without jobs).
fn link(stages: Vec<StageDraft>) -> Vec<Job> {
    let prefixed = stages.iter().any(|s| s.name.is_some());
    let mut ids = JobIds::default();
    // Final ids per stage, by job name.
    let mut stage_jobs: Vec<Vec<(String, String)>> = Vec::new();
    for stage in &stages {
        let jobs = stage
            .jobs
            .iter()
            .map(|draft| {
                let wanted = match (&stage.name, prefixed) {
                    (Some(stage), true) => format!("{stage}/{}", draft.job.id),
                    _ => draft.job.id.clone(),
                };
                (draft.job.id.clone(), ids.unique(&wanted))
            })
            .collect();
        stage_jobs.push(jobs);
    }
    let stage_index = |name: &str| stages.iter().position(|s| s.name.as_deref() == Some(name));
    let predecessors: Vec<Vec<usize>> = stages
        .iter()
        .enumerate()
        .map(|(i, stage)| match &stage.depends_on {
            Some(names) => names.iter().filter_map(|n| stage_index(n)).collect(),
            None => i.checked_sub(1).into_iter().collect(),
        })
        .collect();
    let mut out = Vec::new();
    for (i, stage) in stages.into_iter().enumerate() {
        // The jobs of the stages this one waits for; a stage without jobs
        // passes its own predecessors on.
        let mut before = Vec::new();
        let mut todo = predecessors.get(i).cloned().unwrap_or_default();
        let mut seen = vec![false; stage_jobs.len()];
        while let Some(j) = todo.pop() {
            if j == i || seen.get(j).copied().unwrap_or(true) {
                continue;
            }
            if let Some(flag) = seen.get_mut(j) {
                *flag = true;
            }
            match stage_jobs.get(j) {
                Some(jobs) if !jobs.is_empty() => {
                    before.extend(jobs.iter().map(|(_, id)| id.clone()))
                }
                _ => todo.extend(predecessors.get(j).into_iter().flatten().copied()),
            }
        }
        let own = stage_jobs.get(i).cloned().unwrap_or_default();
        for (k, draft) in stage.jobs.into_iter().enumerate() {
            let mut job = draft.job;
            if let Some((_, id)) = own.get(k) {
                job.id = id.clone();
            }
            let within: Vec<String> = draft
                .depends_on
                .iter()
                .filter_map(|name| {
                    own.iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, id)| id.clone())
                })
                .collect();
            job.needs = if within.is_empty() {
                before.clone()
            } else {
                within
            };
            out.push(job);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
