//! What the CI providers besides GitHub Actions and GitLab CI share when they
//! build jobs: parsing with problems, adding a step together with the evidence
//! for its tools, CI service images, unique job ids, working directories
//! written the provider's way, manual gates, and handing the finished
//! pipeline over.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::catalog::TechId;
use crate::detect::ci::{finish_job, tool_detections};
use crate::detect::{DetectContext, Detection, Facts, join_path};
use crate::model::{Job, Pipeline, Step};
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;

/// The documents of a YAML file, or `None` after recording why it did not parse.
pub fn parse_yaml(src: &SourceFile, facts: &mut Facts) -> Option<Vec<Node>> {
    match yaml::parse(src) {
        Ok(docs) => Some(docs),
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            None
        }
    }
}

/// The first document of a YAML file when it is a mapping, as the
/// one-document CI formats are; a syntax error is a problem.
pub fn parse_yaml_map(src: &SourceFile, facts: &mut Facts) -> Option<Node> {
    parse_yaml(src, facts)?
        .into_iter()
        .next()
        .filter(Node::is_map)
}

/// A job with nothing in it yet.
pub fn new_job(id: impl Into<String>, line: u32) -> Job {
    Job {
        id: id.into(),
        line,
        stages: Vec::new(),
        needs: Vec::new(),
        directory: None,
        name: None,
        environment: None,
        steps: Vec::new(),
    }
}

/// Add a step built by `command_step`, `action_step` or `task_step` to `job`,
/// with evidence in `src` for the tools it runs.
pub fn push_step(
    ctx: &DetectContext<'_>,
    job: &mut Job,
    facts: &mut Facts,
    src: &SourceFile,
    built: (Step, Vec<TechId>),
) {
    let (step, tools) = built;
    facts
        .detections
        .extend(step_evidence(ctx, src, &step, &tools));
    job.steps.push(step);
}

/// Evidence for the tools of a step. A task that runs a command (a Cloud
/// Build step `python` running `pytest`) credits each tool to what found it:
/// `run: pytest` for the command's, `uses: python:3.12` for the task's.
pub fn step_evidence(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    step: &Step,
    tools: &[TechId],
) -> Vec<Detection> {
    let (Some(_), Some(run)) = (&step.uses, &step.run) else {
        return tool_detections(src, step, tools);
    };
    let by_command: Vec<TechId> = ctx
        .ci_steps
        .classify_command(run)
        .tools
        .iter()
        .filter_map(|id| ctx.catalog.id_of(id))
        .collect();
    let (ran, used): (Vec<TechId>, Vec<TechId>) =
        tools.iter().partition(|tool| by_command.contains(tool));
    let as_run = Step {
        uses: None,
        ..step.clone()
    };
    let as_used = Step {
        run: None,
        ..step.clone()
    };
    let mut out = tool_detections(src, &as_run, &ran);
    out.extend(tool_detections(src, &as_used, &used));
    out
}

/// A container the CI runs beside a job (a database for the tests): the
/// technologies its image names, with `CI service <image>` as the reason.
pub fn service_image(
    ctx: &DetectContext<'_>,
    facts: &mut Facts,
    src: &SourceFile,
    image: &str,
    offset: usize,
) {
    for tech in ctx.catalog.match_image(image) {
        facts.detect(tech, src, offset, format!("CI service {image}"));
    }
}

/// Finish every job (stages from steps, deploy by name or environment, the
/// directory its steps share) and record the pipeline. Needs that name no
/// job of the pipeline, or the job itself, are dropped: `needs` is a graph
/// rules can walk.
pub fn finish_pipeline(
    ctx: &DetectContext<'_>,
    facts: &mut Facts,
    provider: &str,
    src: &SourceFile,
    mut jobs: Vec<Job>,
) {
    let ids: HashSet<String> = jobs.iter().map(|j| j.id.clone()).collect();
    for job in &mut jobs {
        let own = job.id.clone();
        job.needs.retain(|n| *n != own && ids.contains(n));
        finish_job(ctx, job);
    }
    facts.pipelines.push(Pipeline {
        provider: provider.to_string(),
        path: src.path.clone(),
        jobs,
    });
}

/// Job ids handed out so far: a repeated id gets `#2`, `#3`... so that every
/// job of a pipeline can be told apart.
#[derive(Debug, Default)]
pub struct JobIds {
    taken: HashSet<String>,
}

impl JobIds {
    pub fn unique(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        // Bounded: each try inserts nothing but one id is free within
        // `taken.len() + 2` tries.
        let limit = self.taken.len() + 2;
        for n in 2..=limit {
            let candidate = format!("{wanted}#{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        wanted.to_string()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }
}

/// Where providers check the repository out; a directory under one of these
/// is a directory of the repository.
const WORKSPACE_PREFIXES: &[&str] = &[
    "~/project",
    "/home/circleci/project",
    "/root/project",
    "$(System.DefaultWorkingDirectory)",
    "$(Build.SourcesDirectory)",
    "$(Build.Repository.LocalPath)",
    "/workspace",
    "$CODEBUILD_SRC_DIR",
    "${CODEBUILD_SRC_DIR}",
    "$BITBUCKET_CLONE_DIR",
    "${BITBUCKET_CLONE_DIR}",
    "$TRAVIS_BUILD_DIR",
    "${TRAVIS_BUILD_DIR}",
    "$WORKSPACE",
    "${WORKSPACE}",
    "${env.WORKSPACE}",
    "$BUILDKITE_BUILD_CHECKOUT_PATH",
    "${BUILDKITE_BUILD_CHECKOUT_PATH}",
    "$DRONE_WORKSPACE",
    "${DRONE_WORKSPACE}",
];

/// A working directory as a provider writes it, relative to the root: `api`,
/// `./api/`, `~/project/api`, `$(System.DefaultWorkingDirectory)/api` are all
/// `api`; `base` is the directory a relative path starts from. `None` for the
/// root itself and for what cannot be known (other absolute paths, variables).
pub fn resolve_dir(base: Option<&str>, written: &str) -> Option<String> {
    let written = written.trim().trim_matches(|c| c == '"' || c == '\'');
    let from_workspace = WORKSPACE_PREFIXES.iter().find_map(|prefix| {
        let rest = written.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    });
    let (start, rel) = match from_workspace {
        Some(rest) => ("", rest.trim_start_matches('/')),
        None if written.starts_with('/') || written.starts_with('~') => return None,
        None => (base.unwrap_or(""), written),
    };
    if rel.contains('$') {
        return None;
    }
    join_path(start, rel).filter(|d| !d.is_empty())
}

/// Manual gates (CircleCI approval jobs, Buildkite block steps) are not jobs:
/// a job that waits for a gate waits for what the gate waits for. Given what
/// each gate waits for (jobs or other gates), returns the jobs each gate
/// stands for, through chains of gates; cycles end the chain.
pub fn resolve_gates(gates: &BTreeMap<String, Vec<String>>) -> BTreeMap<String, Vec<String>> {
    let mut resolved: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut in_progress: HashSet<&str> = HashSet::new();
    for start in gates.keys() {
        // Iterative depth-first walk: chains of gates may be long.
        let mut stack: Vec<(&str, bool)> = vec![(start.as_str(), false)];
        while let Some((gate, expanded)) = stack.pop() {
            if resolved.contains_key(gate) {
                continue;
            }
            let waits = gates.get(gate).map(Vec::as_slice).unwrap_or_default();
            if expanded {
                let mut jobs = BTreeSet::new();
                for wait in waits {
                    match (gates.contains_key(wait), resolved.get(wait)) {
                        (true, Some(through)) => jobs.extend(through.iter().cloned()),
                        // A gate in a cycle stands for nothing more.
                        (true, None) => {}
                        (false, _) => {
                            jobs.insert(wait.clone());
                        }
                    }
                }
                resolved.insert(gate.to_string(), jobs.into_iter().collect());
            } else if in_progress.insert(gate) {
                stack.push((gate, true));
                for wait in waits {
                    if gates.contains_key(wait) && !in_progress.contains(wait.as_str()) {
                        stack.push((wait, false));
                    }
                }
            }
        }
    }
    resolved
}

/// `needs` with each gate replaced by the jobs it stands for (from
/// [`resolve_gates`]).
pub fn through_gates(needs: Vec<String>, resolved: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for id in needs {
        match resolved.get(&id) {
            Some(jobs) => out.extend(jobs.iter().cloned()),
            None => {
                out.insert(id);
            }
        }
    }
    out.into_iter().collect()
}

/// At most this many jobs (and gates, stages, pipelines) are read from one
/// CI file. Real pipelines have tens; the cap keeps the implicit edges
/// (every job of one stage needs every job of the one before) bounded on
/// hostile files.
pub const MAX_JOBS: usize = 1_000;

/// Counts what a file declares against [`MAX_JOBS`].
#[derive(Debug, Default)]
pub struct JobCap {
    count: usize,
    refused: bool,
}

impl JobCap {
    /// Whether one more may be read; the first refusal is a problem at
    /// `offset` of `src`, so the cut is never silent.
    pub fn admit(&mut self, facts: &mut Facts, src: &SourceFile, offset: usize) -> bool {
        if self.count < MAX_JOBS {
            self.count += 1;
            return true;
        }
        if !self.refused {
            self.refused = true;
            facts.problem_at(
                src,
                offset,
                format!("more than {MAX_JOBS} CI jobs; the rest are not read"),
            );
        }
        false
    }

    /// Whether the cap is reached (nothing more will be admitted).
    pub fn is_full(&self) -> bool {
        self.count >= MAX_JOBS
    }
}

/// The line of a node.
pub fn line_of(src: &SourceFile, node: &Node) -> u32 {
    src.line(node.span.start)
}

/// The line of the key of `key` in a mapping, else of the mapping itself.
pub fn key_line(src: &SourceFile, map: &Node, key: &str) -> u32 {
    map.entry(key)
        .map_or_else(|| line_of(src, map), |(k, _)| line_of(src, k))
}

/// Commands of a `script`-like value: one string, or a list of strings (each
/// with its line). Non-string items are skipped.
pub fn command_list<'n>(src: &SourceFile, node: &'n Node) -> Vec<(u32, &'n str)> {
    node.strings()
        .into_iter()
        .map(|(text, span)| (src.line(span.start), text))
        .filter(|(_, text)| !text.trim().is_empty())
        .collect()
}

/// A step running `run`, in `base` (the job's working directory) unless the
/// command changes directory first (`cd web && npm test` in `base` runs in
/// `base/web`).
pub fn command_in(
    ctx: &DetectContext<'_>,
    line: u32,
    name: Option<String>,
    run: &str,
    base: Option<&str>,
) -> (Step, Vec<TechId>) {
    let (mut step, tools) = super::command_step(ctx, line, name, run, None);
    step.directory = match step.directory.take() {
        Some(cd) => resolve_dir(base, &cd).or_else(|| base.map(str::to_string)),
        None => base.map(str::to_string),
    };
    (step, tools)
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_read_the_providers_ways() {
        assert_eq!(resolve_dir(None, "./api/").as_deref(), Some("api"));
        assert_eq!(resolve_dir(None, "~/project/api").as_deref(), Some("api"));
        assert_eq!(resolve_dir(None, "~/project"), None);
        assert_eq!(
            resolve_dir(None, "$(System.DefaultWorkingDirectory)/web").as_deref(),
            Some("web")
        );
        assert_eq!(resolve_dir(Some("svc"), "api").as_deref(), Some("svc/api"));
        assert_eq!(resolve_dir(Some("svc"), "..").as_deref(), None);
        assert_eq!(resolve_dir(None, "/go/src/app"), None);
        assert_eq!(resolve_dir(None, "$(Agent.TempDirectory)/x"), None);
        assert_eq!(resolve_dir(None, "../../outside"), None);
        assert_eq!(resolve_dir(None, "~/projects/x"), None);
    }

    #[test]
    fn gates_pass_their_needs_on_and_cycles_end() {
        let mut gates = BTreeMap::new();
        gates.insert("hold".to_string(), vec!["test".to_string()]);
        gates.insert(
            "second".to_string(),
            vec!["hold".to_string(), "lint".to_string()],
        );
        gates.insert("a".to_string(), vec!["b".to_string()]);
        gates.insert("b".to_string(), vec!["a".to_string(), "x".to_string()]);
        let resolved = resolve_gates(&gates);
        assert_eq!(
            through_gates(vec!["second".into(), "build".into()], &resolved),
            ["build", "lint", "test"]
        );
        assert_eq!(through_gates(vec!["a".into()], &resolved), ["x"]);
    }

    #[test]
    fn long_gate_chains_resolve_without_recursion() {
        let mut gates = BTreeMap::new();
        for i in 0..100_000 {
            gates.insert(format!("g{i}"), vec![format!("g{}", i + 1)]);
        }
        gates.insert("g100000".to_string(), vec!["test".to_string()]);
        let resolved = resolve_gates(&gates);
        assert_eq!(
            resolved.get("g0").map(Vec::as_slice),
            Some(&["test".to_string()][..])
        );
    }

    #[test]
    fn the_job_cap_refuses_once_with_a_problem() {
        let src = SourceFile::new("ci.yml", "jobs: {}\n");
        let mut facts = Facts::default();
        let mut cap = JobCap::default();
        let admitted = (0..MAX_JOBS + 5)
            .filter(|_| cap.admit(&mut facts, &src, 0))
            .count();
        assert_eq!(admitted, MAX_JOBS);
        assert_eq!(facts.problems.len(), 1);
    }

    #[test]
    fn repeated_ids_are_numbered() {
        let mut ids = JobIds::default();
        assert_eq!(ids.unique("test"), "test");
        assert_eq!(ids.unique("test"), "test#2");
        assert_eq!(ids.unique("test"), "test#3");
        assert!(ids.contains("test#2"));
    }
}
