//! Jenkins: `Jenkinsfile`, `Jenkinsfile.*`, `*.jenkinsfile`, read as Groovy
//! text (never executed), declarative or scripted.
//!
//! Each stage that does work is a job (id: the stage name, line: its
//! `stage(`); a stage that only holds nested `stages` or a `parallel` block is
//! not. Stages in sequence need the one before; parallel branches need what
//! came before the block, and what follows the block needs every branch.
//! Steps are shell steps (`sh`, `bat`, `powershell`, `pwsh` in all their
//! forms), `docker.build(...)` (a `docker build`), `input` (a manual gate,
//! kept as a step) and plugin steps the step data knows
//! (`withSonarQubeEnv`); `dir('api') { ... }` gives their directory and
//! wrappers (`withMaven`, `withCredentials`, `script`, `node`...) are looked
//! through. `docker.image('postgres:16').withRun` containers are CI services.
//! Steps outside any stage form one job, `default`, when the file has no
//! stage at all.

mod lexer;
mod structure;

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_in, finish_pipeline, new_job, push_step, service_image,
};
use crate::detect::ci::task_step;
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::source::SourceFile;
use crate::walk::FileKind;

use structure::{Item, Stage, StepDraft, StepKind};

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let tokens = match lexer::lex(&src.text) {
            Ok(tokens) => tokens,
            Err(err) => {
                facts.problems.push(err.to_problem(src));
                continue;
            }
        };
        let parsed = structure::parse(ctx, &tokens);
        for (image, offset) in &parsed.services {
            service_image(ctx, &mut facts, src, image, *offset);
        }
        let mut graph = Graph {
            ctx,
            src,
            facts: &mut facts,
            ids: JobIds::default(),
            cap: JobCap::default(),
            jobs: Vec::new(),
        };
        graph.sequence(&parsed.items, Vec::new());
        if graph.jobs.is_empty() {
            let loose: Vec<&StepDraft> = parsed.items.iter().filter_map(Item::step).collect();
            if !loose.is_empty() {
                let line = loose.first().map_or(1, |s| src.line(s.offset));
                let mut job = new_job("default", line);
                for step in loose {
                    graph.step(&mut job, step);
                }
                graph.jobs.push(job);
            }
        }
        let jobs = std::mem::take(&mut graph.jobs);
        finish_pipeline(ctx, &mut facts, "jenkins", src, jobs);
    }
    facts
}

struct Graph<'a, 'c> {
    ctx: &'a DetectContext<'c>,
    src: &'a SourceFile,
    facts: &'a mut Facts,
    ids: JobIds,
    cap: JobCap,
    jobs: Vec<Job>,
}

impl Graph<'_, '_> {
    /// Lay out `items` in order after `frontier` (the jobs the first of them
    /// waits for); returns the jobs whatever follows waits for.
    fn sequence(&mut self, items: &[Item], frontier: Vec<String>) -> Vec<String> {
        let mut frontier = frontier;
        for item in items {
            match item {
                Item::Stage(stage) => frontier = self.stage(stage, frontier),
                Item::Parallel(branches) => {
                    let mut after = Vec::new();
                    for branch in branches {
                        if self.cap.is_full() {
                            // Records the cut (once) without cloning more.
                            self.cap.admit(self.facts, self.src, branch.offset);
                            break;
                        }
                        after.extend(self.stage(branch, frontier.clone()));
                    }
                    if !after.is_empty() {
                        frontier = after;
                    }
                }
                Item::Step(_) => {}
            }
        }
        frontier
    }

    fn stage(&mut self, stage: &Stage, frontier: Vec<String>) -> Vec<String> {
        let steps: Vec<&StepDraft> = stage.items.iter().filter_map(Item::step).collect();
        let nested = stage
            .items
            .iter()
            .any(|i| matches!(i, Item::Stage(_) | Item::Parallel(_)));
        if nested && steps.is_empty() {
            return self.sequence(&stage.items, frontier);
        }
        if !self.cap.admit(self.facts, self.src, stage.offset) {
            return frontier;
        }
        let mut job = new_job(self.ids.unique(&stage.name), self.src.line(stage.offset));
        job.needs = frontier;
        for step in steps {
            self.step(&mut job, step);
        }
        let id = job.id.clone();
        self.jobs.push(job);
        if nested {
            self.sequence(&stage.items, vec![id])
        } else {
            vec![id]
        }
    }

    fn step(&mut self, job: &mut Job, step: &StepDraft) {
        let line = self.src.line(step.offset);
        let built = match &step.kind {
            StepKind::Command(run) => command_in(self.ctx, line, None, run, step.dir.as_deref()),
            StepKind::Task { uses, command } => task_step(
                self.ctx,
                line,
                None,
                uses,
                &[uses],
                command.as_deref(),
                step.dir.clone(),
            ),
        };
        push_step(self.ctx, job, self.facts, self.src, built);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
