//! GitLab CI: `.gitlab-ci.yml`, with its local includes, as one [`Pipeline`].
//!
//! Jobs are the top-level keys that are neither reserved (`stages`,
//! `default`, `variables`, ...) nor hidden (`.template`), after includes are
//! merged ([`include`]), `extends` applied and `!reference`s resolved
//! ([`resolve`]). Each command of `before_script` (the job's or the
//! default's), `script` and `after_script` is a step. GitLab runs a job once
//! every job of the earlier stages is done unless it lists its `needs`; that
//! implicit order is written into each job's `needs`, so one graph answers
//! "does deploy wait for the tests?". Template and component includes cannot
//! be read, but their names say what they add (`Security/SAST.gitlab-ci.yml`):
//! each classified one becomes a job of its own in the `test` stage.
//!
//! Line numbers are lines of `.gitlab-ci.yml`: a job or step written in an
//! included file takes the line of the `include:` (or of the job, or of the
//! `!reference`) that brings it in; technology evidence keeps the real file
//! and line.

mod config;
mod include;
mod resolve;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use config::{Kind, Origin, Val};
use include::Config;
use resolve::{Resolver, ScriptLine};

use crate::detect::ci::{
    action_step, command_step, command_tool_detections, finish_job, run_directory,
    service_detections, tool_detections,
};
use crate::detect::{DetectContext, Facts};
use crate::model::{Job, Pipeline, Problem, Stage, Step};
use crate::source::SourceFile;
use crate::walk::FileKind;

const PROVIDER: &str = "gitlab-ci";
/// Top-level keys that configure the pipeline rather than name a job.
const RESERVED: &[&str] = &[
    "default",
    "include",
    "stages",
    "types",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "spec",
];
/// The stages of a configuration that declares none (`.pre` and `.post` always exist).
const DEFAULT_STAGES: &[&str] = &["build", "test", "deploy"];
/// The stage of a job that names none.
const DEFAULT_STAGE: &str = "test";
/// At most this many jobs are read from one configuration: the implicit
/// stage order gives each job every job of the earlier stages as `needs`.
const MAX_JOBS: usize = 1000;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let mut mains: Vec<&SourceFile> = files
        .iter()
        .filter(|(kind, _)| *kind == FileKind::GitlabCi)
        .map(|(_, src)| *src)
        .collect();
    mains.sort_by(|a, b| a.path.cmp(&b.path));
    for main in mains {
        let Some(config) = include::load(ctx, main, &mut facts.problems) else {
            continue;
        };
        let jobs = Builder {
            ctx,
            config: &config,
            resolver: Resolver::new(&config.root),
            facts: &mut facts,
        }
        .jobs();
        facts.pipelines.push(Pipeline {
            provider: PROVIDER.to_string(),
            path: main.path.clone(),
            jobs,
        });
    }
    facts
}

/// A job before the graph is drawn.
struct Draft {
    job: Job,
    stage: String,
    /// `needs:` as written (`Some(empty)` for `needs: []`); `None`: stage order.
    needs: Option<Vec<String>>,
    dependencies: Vec<String>,
}

/// Which `default:` keys a job takes (`inherit: default:`).
enum Inherit {
    All,
    Nothing,
    Only(Vec<String>),
}

impl Inherit {
    fn of(job: &Val) -> Self {
        let Some(value) = job.get("inherit").and_then(|i| i.get("default")) else {
            return Inherit::All;
        };
        match &value.kind {
            Kind::Str(s) if s == "false" => Inherit::Nothing,
            Kind::Seq(_) => {
                Inherit::Only(value.strings().into_iter().map(str::to_string).collect())
            }
            _ => Inherit::All,
        }
    }

    fn takes(&self, key: &str) -> bool {
        match self {
            Inherit::All => true,
            Inherit::Nothing => false,
            Inherit::Only(keys) => keys.iter().any(|k| k == key),
        }
    }
}

struct Builder<'a, 'c> {
    ctx: &'a DetectContext<'a>,
    config: &'c Config,
    resolver: Resolver<'c>,
    facts: &'a mut Facts,
}

impl Builder<'_, '_> {
    fn jobs(mut self) -> Vec<Job> {
        let defaults = self.defaults();
        let order = self.stage_order();
        let mut drafts = Vec::new();
        let config = self.config;
        let root = &config.root;
        let mut too_many = false;
        for entry in root.entries() {
            if !is_job_key(&entry.key) || !entry.value.is_map() {
                continue;
            }
            if drafts.len() >= MAX_JOBS {
                too_many = true;
                break;
            }
            let Some(body) = self.resolver.job(&entry.key) else {
                continue;
            };
            let line = self.main_line(entry.key_origin);
            drafts.push(self.draft(&entry.key, line, &body, &defaults));
        }
        if too_many {
            let problem = self.problem(
                root.origin,
                format!("more than {MAX_JOBS} jobs; the rest are not read"),
            );
            self.facts.problems.push(problem);
        }
        drafts.extend(self.outside_jobs());
        let problems: Vec<Problem> = std::mem::take(&mut self.resolver.problems)
            .into_iter()
            .map(|(origin, message)| self.problem(origin, message))
            .collect();
        self.facts.problems.extend(problems);
        link(drafts, &order)
    }

    /// `default:` keys, or their legacy top-level forms.
    fn defaults(&self) -> Vec<(&'static str, Val)> {
        let root = &self.config.root;
        let default = root.get("default");
        ["before_script", "after_script", "services"]
            .into_iter()
            .filter_map(|key| {
                let value = default.and_then(|d| d.get(key)).or_else(|| root.get(key))?;
                Some((key, value.clone()))
            })
            .collect()
    }

    /// `.pre`, the declared stages (or GitLab's defaults), `.post`.
    fn stage_order(&mut self) -> Vec<String> {
        let config = self.config;
        let root = &config.root;
        let declared = root
            .get("stages")
            .or_else(|| root.get("types"))
            .map(|v| self.resolver.resolve(v));
        let mut names: Vec<String> = declared
            .as_ref()
            .map(|v| v.strings().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        if names.is_empty() {
            names = DEFAULT_STAGES.iter().map(|s| (*s).to_string()).collect();
        }
        names.retain(|s| s != ".pre" && s != ".post");
        let mut order = vec![".pre".to_string()];
        order.extend(names);
        order.push(".post".to_string());
        order
    }

    fn draft(&mut self, id: &str, line: u32, body: &Val, defaults: &[(&str, Val)]) -> Draft {
        let inherit = Inherit::of(body);
        let own_or_default = |key: &str| -> Option<Val> {
            body.get(key).cloned().or_else(|| {
                defaults
                    .iter()
                    .find(|(k, _)| *k == key && inherit.takes(key))
                    .map(|(_, v)| v.clone())
            })
        };
        let stage = self
            .resolved(body, "stage")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| DEFAULT_STAGE.to_string());
        let (environment, stops) = match self.resolved(body, "environment") {
            Some(env) => environment(&env),
            None => (None, false),
        };
        let needs = self.resolved(body, "needs").map(|v| needed_jobs(&v));
        let dependencies = self
            .resolved(body, "dependencies")
            .map(|v| v.strings().into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        let mut job = Job {
            id: id.to_string(),
            line,
            stages: Vec::new(),
            needs: Vec::new(),
            directory: None,
            name: None,
            environment,
            steps: Vec::new(),
        };
        // A trigger job starts another pipeline and runs no commands.
        if body.get("trigger").is_none() {
            // `before_script` and `script` run in one shell, so a `cd` line
            // moves the commands after it; `after_script` starts afresh.
            let mut cwd = None;
            for key in ["before_script", "script", "after_script"] {
                if key == "after_script" {
                    cwd = None;
                }
                let Some(value) = own_or_default(key) else {
                    continue;
                };
                for command in self.resolver.script(&value) {
                    let step = self.step(&command, line, &mut cwd);
                    job.steps.push(step);
                }
            }
        }
        if let Some(services) = own_or_default("services") {
            let services = self.resolver.resolve(&services);
            self.services(&services);
        }
        finish_job(self.ctx, &mut job);
        let mut extra = self.ctx.ci_steps.stages_named(&stage);
        extra.retain(|s| matches!(s, Stage::Deploy | Stage::Release));
        // `release:` creates a release; GitLab Pages publishes what the
        // `pages` job (or a job with `pages:`) leaves in `public/`.
        if body.get("release").is_some() {
            extra.insert(Stage::Release);
        }
        if id == "pages" || body.get("pages").is_some() {
            extra.insert(Stage::Deploy);
        }
        let step_deploys = job.steps.iter().any(|s| s.stages.contains(&Stage::Deploy));
        for stage in extra {
            if !(stage == Stage::Deploy && stops) {
                job.stages.push(stage);
            }
        }
        if stops && !step_deploys {
            // `environment: {action: stop}` tears an environment down.
            job.stages.retain(|s| *s != Stage::Deploy);
        }
        job.stages.sort();
        job.stages.dedup();
        Draft {
            job,
            stage,
            needs,
            dependencies,
        }
    }

    fn resolved(&mut self, body: &Val, key: &str) -> Option<Val> {
        body.get(key).map(|v| self.resolver.resolve(v))
    }

    /// One command of a script.
    fn step(&mut self, command: &ScriptLine, job_line: u32, cwd: &mut Option<String>) -> Step {
        let line = if command.origin.file == 0 {
            command.origin.line
        } else {
            command.referenced_at.unwrap_or(job_line)
        };
        let (mut step, tools) = command_step(self.ctx, line, None, &command.text, None);
        step.directory = run_directory(cwd.as_deref(), step.directory.as_deref());
        if is_plain_cd(&command.text) {
            cwd.clone_from(&step.directory);
        }
        if let Some(src) = self.config.files.get(command.origin.file) {
            let at = command.origin.line;
            let found = command_tool_detections(self.ctx, src, &step, &tools, &|_| at);
            self.facts.detections.extend(found);
        }
        step
    }

    /// `services: [postgres:16, {name: redis:7, alias: cache}]`.
    fn services(&mut self, services: &Val) {
        for item in services.items() {
            let image = match item.as_str() {
                Some(_) => item,
                None => match item.get("name") {
                    Some(name) => name,
                    None => continue,
                },
            };
            let (Some(reference), Some(src)) =
                (image.as_str(), self.config.files.get(image.origin.file))
            else {
                continue;
            };
            let found = service_detections(self.ctx, src, reference, image.origin.line);
            self.facts.detections.extend(found);
        }
    }

    /// Jobs for the template and component includes whose names the step
    /// rules know (`template:Security/SAST.gitlab-ci.yml`).
    fn outside_jobs(&mut self) -> Vec<Draft> {
        let mut drafts: Vec<Draft> = Vec::new();
        let Some(main) = self.config.files.first() else {
            return drafts;
        };
        for (reference, line) in &self.config.outside {
            if drafts.iter().any(|d| d.job.id == *reference) {
                continue;
            }
            let (step, tools) = action_step(self.ctx, *line, None, reference);
            if step.stages.is_empty() && tools.is_empty() {
                continue;
            }
            self.facts
                .detections
                .extend(tool_detections(main, &step, &tools));
            let mut job = Job {
                id: reference.clone(),
                line: *line,
                stages: Vec::new(),
                needs: Vec::new(),
                directory: None,
                name: None,
                environment: None,
                steps: vec![step],
            };
            finish_job(self.ctx, &mut job);
            drafts.push(Draft {
                job,
                stage: DEFAULT_STAGE.to_string(),
                needs: None,
                dependencies: Vec::new(),
            });
        }
        drafts
    }

    /// The line of `.gitlab-ci.yml` for something written at `origin`.
    fn main_line(&self, origin: Origin) -> u32 {
        if origin.file == 0 {
            origin.line
        } else {
            self.config.anchors.get(origin.file).copied().unwrap_or(1)
        }
    }

    fn problem(&self, origin: Origin, message: String) -> Problem {
        let path = self
            .config
            .files
            .get(origin.file)
            .map_or_else(String::new, |f| f.path.clone());
        Problem {
            path,
            line: origin.line,
            column: 1,
            message,
        }
    }
}

/// Draw the job graph: explicit `needs` and `dependencies` (of jobs that
/// exist), or every job of the earlier stages.
fn link(drafts: Vec<Draft>, order: &[String]) -> Vec<Job> {
    let ids: HashSet<&str> = drafts.iter().map(|d| d.job.id.as_str()).collect();
    let position = |stage: &str| order.iter().position(|s| s == stage);
    let positions: Vec<Option<usize>> = drafts.iter().map(|d| position(&d.stage)).collect();
    let mut needs: Vec<Vec<String>> = Vec::with_capacity(drafts.len());
    for (draft, mine) in drafts.iter().zip(&positions) {
        let mut own: Vec<String> = match (&draft.needs, mine) {
            (Some(explicit), _) => explicit.clone(),
            (None, Some(mine)) => drafts
                .iter()
                .zip(&positions)
                .filter(|(_, theirs)| theirs.is_some_and(|t| t < *mine))
                .map(|(other, _)| other.job.id.clone())
                .collect(),
            (None, None) => Vec::new(),
        };
        own.extend(draft.dependencies.iter().cloned());
        own.retain(|id| ids.contains(id.as_str()) && *id != draft.job.id);
        own.sort();
        own.dedup();
        needs.push(own);
    }
    drafts
        .into_iter()
        .zip(needs)
        .map(|(mut draft, needs)| {
            draft.job.needs = needs;
            draft.job
        })
        .collect()
}

fn is_job_key(key: &str) -> bool {
    !key.starts_with('.') && !RESERVED.contains(&key)
}

/// `environment: production` or `{name: production, action: stop}`: the
/// name, and whether the job stops (or only prepares, verifies or accesses)
/// the environment rather than deploying to it.
fn environment(value: &Val) -> (Option<String>, bool) {
    let (name, action) = match value.as_str() {
        Some(name) => (Some(name), None),
        None => (
            value.get("name").and_then(Val::as_str),
            value.get("action").and_then(Val::as_str),
        ),
    };
    let deploys = action.is_none_or(|a| a.trim() == "start");
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    match name {
        Some(name) if deploys => (Some(name.to_string()), false),
        Some(_) => (None, true),
        None => (None, !deploys),
    }
}

/// `needs: [a, {job: b, optional: true}]`; needs on other pipelines or
/// projects are not edges of this graph.
fn needed_jobs(value: &Val) -> Vec<String> {
    value
        .items()
        .into_iter()
        .filter_map(|item| match &item.kind {
            Kind::Str(id) => Some(id.clone()),
            Kind::Map(_) if item.get("pipeline").is_none() && item.get("project").is_none() => {
                item.get("job").and_then(Val::as_str).map(str::to_string)
            }
            _ => None,
        })
        .collect()
}

/// A script line that only changes directory (`cd api`), so the lines
/// after it run there.
fn is_plain_cd(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("cd ")
        && !text.contains(['\n', ';', '|', '&'])
        && text.split_whitespace().count() == 2
}
