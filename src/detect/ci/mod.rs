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
use crate::detect::{DetectContext, Detection, join_path};
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
    let directory = run_directory(directory.as_deref(), class.directory.as_deref());
    let tools = known_tools(ctx, &class.tools);
    let mut stages: Vec<Stage> = class.stages.iter().copied().collect();
    // A command the data cannot read (`bin/rails $TEST_COMMAND`, a project
    // script) says what it does through the step's name ("Run tests").
    if stages.is_empty()
        && let Some(name) = &name
    {
        stages = ctx.ci_steps.stages_named(name).into_iter().collect();
    }
    let step = Step {
        line,
        name,
        run: Some(run.to_string()),
        uses: None,
        directory,
        stages,
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

/// At most this many lines of one script are searched for the line that runs a tool.
const MAX_EVIDENCE_LINES: usize = 500;

/// Detections for the tools a command step runs, each pointing at the first
/// line of its script that runs the tool (not just the script's first line).
/// `line_of(i)` is the file line of the script's `i`-th line; providers that
/// cannot tell return the step's line.
pub fn command_tool_detections(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    step: &Step,
    tools: &[TechId],
    line_of: &dyn Fn(usize) -> u32,
) -> Vec<Detection> {
    let Some(run) = &step.run else {
        return tool_detections(src, step, tools);
    };
    let lines: Vec<&str> = run.lines().take(MAX_EVIDENCE_LINES).collect();
    tools
        .iter()
        .map(|tech| {
            let id = &ctx.catalog.get(*tech).id;
            let found = lines.iter().enumerate().find(|(_, text)| {
                ctx.ci_steps
                    .classify_command(text)
                    .tools
                    .iter()
                    .any(|t| t == id)
            });
            let (line, text) = match found {
                Some((i, text)) => (line_of(i), *text),
                None => (line_of(0), run.as_str()),
            };
            Detection {
                tech: *tech,
                path: src.path.clone(),
                line,
                reason: format!("run: {}", first_line(text)),
            }
        })
        .collect()
}

/// Detections for a CI service container image (`postgres:16` beside a test
/// job), with the line it is written on as evidence.
pub fn service_detections(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    image: &str,
    line: u32,
) -> Vec<Detection> {
    ctx.catalog
        .match_image(image)
        .into_iter()
        .map(|tech| Detection {
            tech,
            path: src.path.clone(),
            line,
            reason: format!("CI service {image}"),
        })
        .collect()
}

/// How CI configuration names the checkout directory.
/// How each provider names the checkout's root (a prefix of a directory).
const WORKSPACE_VARIABLES: [&str; 22] = [
    "${{ github.workspace }}",
    "${{github.workspace}}",
    "$GITHUB_WORKSPACE",
    "${GITHUB_WORKSPACE}",
    "$CI_PROJECT_DIR",
    "${CI_PROJECT_DIR}",
    "$BITBUCKET_CLONE_DIR",
    "${BITBUCKET_CLONE_DIR}",
    "$(Build.SourcesDirectory)",
    "$(System.DefaultWorkingDirectory)",
    "$(Pipeline.Workspace)/s",
    "$CODEBUILD_SRC_DIR",
    "${CODEBUILD_SRC_DIR}",
    "$TRAVIS_BUILD_DIR",
    "${TRAVIS_BUILD_DIR}",
    "$WORKSPACE",
    "${WORKSPACE}",
    "${env.WORKSPACE}",
    "$DRONE_WORKSPACE",
    "$BUILDKITE_BUILD_CHECKOUT_PATH",
    // Cloud Build checks the source out at /workspace.
    "/workspace",
    "~/project",
];

/// A directory as CI configuration writes it (`./api/`, `${{ github.workspace }}/api`,
/// `$CI_PROJECT_DIR/api`), relative to the root; `None` for the root itself
/// and for anything that cannot be known without running the pipeline
/// (other variables, absolute paths, paths that leave the root).
pub fn normalize_dir(dir: &str) -> Option<String> {
    let mut dir = dir.trim().trim_matches(|c| c == '"' || c == '\'');
    for workspace in WORKSPACE_VARIABLES {
        // Only at a boundary: `/workspace/api`, not `/workspaces/api`.
        if let Some(rest) = dir.strip_prefix(workspace)
            && (rest.is_empty() || rest.starts_with('/'))
        {
            dir = rest.trim_start_matches('/');
            if dir.is_empty() {
                return None;
            }
        }
    }
    if dir.starts_with('/') || dir.starts_with('~') || dir.contains('$') {
        return None;
    }
    join_path("", dir).filter(|d| !d.is_empty())
}

/// Where a command runs: `cd` (already normalised by the step rules) inside
/// the directory its step or job says, if any.
pub fn run_directory(base: Option<&str>, cd: Option<&str>) -> Option<String> {
    match cd {
        None => base.map(str::to_string),
        Some(cd) => {
            if WORKSPACE_VARIABLES.iter().any(|w| cd.starts_with(w)) {
                return normalize_dir(cd);
            }
            if cd.starts_with('/') || cd.contains('$') || cd == "-" {
                return None;
            }
            join_path(base.unwrap_or(""), cd).filter(|d| !d.is_empty())
        }
    }
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
    // A job whose steps say nothing (a remote reusable workflow, scripts the
    // data cannot read) is known by its id or name: `tests`, `lint`.
    if stages.is_empty() && job.stages.is_empty() {
        stages.extend(ctx.ci_steps.stages_named(&job.id));
        if let Some(name) = &job.name {
            stages.extend(ctx.ci_steps.stages_named(name));
        }
    }
    stages.extend(job.stages.iter().copied());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_normalised_or_unknown() {
        assert_eq!(normalize_dir("./api/").as_deref(), Some("api"));
        assert_eq!(
            normalize_dir("${{ github.workspace }}/services/api").as_deref(),
            Some("services/api")
        );
        assert_eq!(normalize_dir("$CI_PROJECT_DIR/web").as_deref(), Some("web"));
        assert_eq!(normalize_dir("."), None);
        assert_eq!(normalize_dir("$CI_PROJECT_DIR"), None);
        assert_eq!(normalize_dir("${{ matrix.dir }}"), None);
        assert_eq!(normalize_dir("/tmp/build"), None);
        assert_eq!(normalize_dir("../outside"), None);
    }

    #[test]
    fn cd_is_relative_to_the_step_directory() {
        assert_eq!(
            run_directory(Some("backend"), Some("app")).as_deref(),
            Some("backend/app")
        );
        assert_eq!(run_directory(Some("backend"), Some("..")), None);
        assert_eq!(run_directory(None, Some("web")).as_deref(), Some("web"));
        assert_eq!(run_directory(Some("web"), None).as_deref(), Some("web"));
        assert_eq!(run_directory(None, Some("$DIR")), None);
        assert_eq!(
            run_directory(Some("web"), Some("$CI_PROJECT_DIR/api")).as_deref(),
            Some("api")
        );
    }
}
