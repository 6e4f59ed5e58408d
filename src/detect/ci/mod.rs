//! CI pipelines, one module per provider. Each provider module turns its
//! configuration into [`Pipeline`]s of jobs and steps; what a step *does*
//! (test, lint, security, build, deploy, release) is decided by [`steps`] from
//! `rules/ci-steps.toml`, never by provider code.
//!
//! [`Pipeline`]: crate::model::Pipeline

pub mod azure;
pub mod bitbucket;
pub mod buildkite;
pub mod circleci;
pub mod cloudbuild;
pub mod codebuild;
pub mod drone;
pub mod github;
pub mod gitlab;
pub mod jenkins;
pub mod jobs;
pub mod steps;
pub mod travis;

use crate::catalog::TechId;
use crate::detect::{DetectContext, Detection};
use crate::model::{Job, Stage, Step};
use crate::source::SourceFile;

/// A step built from a command: classified, with its tools.
pub fn command_step(
    ctx: &DetectContext<'_>,
    line: u32,
    name: Option<String>,
    run: &str,
    directory: Option<String>,
) -> (Step, Vec<TechId>) {
    let class = ctx.ci_steps.classify_command(run);
    let directory = directory.or(class.directory.clone());
    let tools = known_tools(ctx, &class.tools);
    let step = Step {
        line,
        name,
        run: Some(run.to_string()),
        uses: None,
        directory,
        stages: class.stages.iter().copied().collect(),
        tools: class.tools,
    };
    (step, tools)
}

/// A step built from an action / orb / task reference.
pub fn action_step(
    ctx: &DetectContext<'_>,
    line: u32,
    name: Option<String>,
    uses: &str,
) -> (Step, Vec<TechId>) {
    let class = ctx.ci_steps.classify_action(uses);
    let tools = known_tools(ctx, &class.tools);
    let step = Step {
        line,
        name,
        run: None,
        uses: Some(uses.to_string()),
        directory: None,
        stages: class.stages.iter().copied().collect(),
        tools: class.tools,
    };
    (step, tools)
}

/// A step that uses a provider's task, orb, pipe, plugin or builder image.
/// `references` are looked up in the action data: the task's name, and forms
/// that add the input deciding what it does (`HelmDeploy/upgrade`). `command`
/// is the command line the task runs when the provider's syntax says so
/// (`DotNetCoreCLI` with `command: test` runs `dotnet test`); it is classified
/// like any command and kept as the step's `run`. `uses` is the reference as
/// written.
pub fn task_step(
    ctx: &DetectContext<'_>,
    line: u32,
    name: Option<String>,
    uses: &str,
    references: &[&str],
    command: Option<&str>,
    directory: Option<String>,
) -> (Step, Vec<TechId>) {
    let mut stages = std::collections::BTreeSet::new();
    let mut tool_ids: Vec<String> = Vec::new();
    let mut add_tools = |tools: Vec<String>| {
        for tool in tools {
            if !tool_ids.contains(&tool) {
                tool_ids.push(tool);
            }
        }
    };
    for reference in references {
        let class = ctx.ci_steps.classify_action(reference);
        stages.extend(class.stages);
        add_tools(class.tools);
    }
    let mut directory = directory;
    if let Some(command) = command {
        let class = ctx.ci_steps.classify_command(command);
        stages.extend(class.stages);
        add_tools(class.tools);
        directory = directory.or(class.directory);
    }
    let tools = known_tools(ctx, &tool_ids);
    let step = Step {
        line,
        name,
        run: command.map(str::to_string),
        uses: Some(uses.to_string()),
        directory,
        stages: stages.into_iter().collect(),
        tools: tool_ids,
    };
    (step, tools)
}

/// The catalog entries of tool ids (ids the catalog lacks are skipped).
fn known_tools(ctx: &DetectContext<'_>, ids: &[String]) -> Vec<TechId> {
    ids.iter().filter_map(|id| ctx.catalog.id_of(id)).collect()
}

/// Detections for the tools a step runs, with the step's line as evidence.
pub fn tool_detections(src: &SourceFile, step: &Step, tools: &[TechId]) -> Vec<Detection> {
    let what = match (&step.uses, &step.run) {
        (Some(uses), _) => format!("uses: {uses}"),
        (None, Some(run)) => format!("run: {}", first_line(run)),
        (None, None) => "CI step".to_string(),
    };
    tools
        .iter()
        .map(|tech| Detection {
            tech: *tech,
            path: src.path.clone(),
            line: step.line,
            reason: what.clone(),
        })
        .collect()
}

fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() > 80 {
        let cut: String = line.chars().take(77).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}

/// Fill a job's stages from its steps, and mark it `deploy` when its id or
/// name says so or it targets a deployment environment.
pub fn finish_job(ctx: &DetectContext<'_>, job: &mut Job) {
    let mut stages: Vec<Stage> = job
        .steps
        .iter()
        .flat_map(|s| s.stages.iter().copied())
        .collect();
    let named_deploy = ctx.ci_steps.is_deploy_job_name(&job.id)
        || job
            .name
            .as_deref()
            .is_some_and(|n| ctx.ci_steps.is_deploy_job_name(n));
    if named_deploy || job.environment.is_some() {
        stages.push(Stage::Deploy);
    }
    stages.sort();
    stages.dedup();
    job.stages = stages;
    if job.directory.is_none() {
        // A job whose steps all run in one directory runs there.
        let dirs: Vec<&String> = job
            .steps
            .iter()
            .filter_map(|s| s.directory.as_ref())
            .collect();
        if let Some(first) = dirs.first()
            && dirs.iter().all(|d| d == first)
            && !dirs.is_empty()
        {
            job.directory = Some((*first).clone());
        }
    }
    job.needs.sort();
    job.needs.dedup();
}
