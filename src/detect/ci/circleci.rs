//! CircleCI: `.circleci/config.yml`. The jobs that run are the ones workflows
//! reference (every job of `jobs:` when there is no workflow); a job used in
//! several workflows is one job whose needs are the union of its `requires`.
//! Steps are `run` commands and orb commands (`node/test`, classified as
//! actions by the orb's full name, `circleci/node/test`); reusable `commands:`
//! of the file are inlined. Approval jobs are manual gates, not jobs: who
//! requires one requires what it requires. Docker images after a job's first
//! one are CI services.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_in, finish_pipeline, line_of, new_job, parse_yaml_map, push_step,
    resolve_dir, resolve_gates, service_image, through_gates,
};
use crate::detect::ci::task_step;
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

/// How deep reusable commands may call each other.
const MAX_COMMAND_DEPTH: usize = 16;
/// Steps one file may expand to, inlined commands included (commands calling
/// commands multiply).
const MAX_STEPS: usize = 10_000;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        if let Some(doc) = parse_yaml_map(src, &mut facts) {
            let config = Config::new(&doc);
            let jobs = config.jobs(ctx, src, &mut facts);
            finish_pipeline(ctx, &mut facts, "circleci", src, jobs);
        }
    }
    facts
}

/// A job as a workflow runs it.
struct Instance<'n> {
    id: String,
    /// The job it runs: a key of `jobs:` or an orb job (`node/test`).
    job: String,
    /// The workflow entry (for orb jobs, which have no declaration here).
    entry: &'n Node,
    params: Option<&'n Node>,
    requires: Vec<String>,
    approval: bool,
}

/// The entries of a top-level mapping by key (the first of repeated keys).
fn index<'n>(doc: &'n Node, key: &str) -> HashMap<&'n str, (&'n Node, &'n Node)> {
    let mut out = HashMap::new();
    for (k, v) in doc.get(key).map(Node::entries).unwrap_or_default() {
        if let Some(name) = k.as_str() {
            out.entry(name).or_insert((k, v));
        }
    }
    out
}

struct Config<'n> {
    /// Orb alias → `namespace/orb@version`.
    orbs: HashMap<&'n str, &'n str>,
    jobs: HashMap<&'n str, (&'n Node, &'n Node)>,
    commands: HashMap<&'n str, (&'n Node, &'n Node)>,
    executors: HashMap<&'n str, (&'n Node, &'n Node)>,
    workflows: Option<&'n Node>,
    /// `jobs:` in the order written, for configs without workflows.
    job_keys: Vec<&'n Node>,
}

impl<'n> Config<'n> {
    fn new(doc: &'n Node) -> Self {
        let orbs = index(doc, "orbs")
            .into_iter()
            .filter_map(|(alias, (_, v))| Some((alias, v.as_str()?)))
            .collect();
        Self {
            orbs,
            jobs: index(doc, "jobs"),
            commands: index(doc, "commands"),
            executors: index(doc, "executors"),
            workflows: doc.get("workflows"),
            job_keys: doc
                .get("jobs")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(|(k, _)| k)
                .collect(),
        }
    }

    /// `alias/name` with the orb's full name: (`circleci/node/test@5.2`, the
    /// same without version). Unknown aliases stay as written.
    fn orb_reference(&self, written: &str) -> (String, String) {
        if let Some((alias, rest)) = written.split_once('/')
            && let Some(orb) = self.orbs.get(alias)
        {
            let (name, version) = orb.split_once('@').unwrap_or((orb, ""));
            let reference = format!("{name}/{rest}");
            let uses = if version.is_empty() {
                reference.clone()
            } else {
                format!("{reference}@{version}")
            };
            return (uses, reference);
        }
        (written.to_string(), written.to_string())
    }

    /// The jobs workflows run, in the order they are first referenced.
    fn instances(
        &self,
        cap: &mut JobCap,
        facts: &mut Facts,
        src: &SourceFile,
    ) -> Vec<Instance<'n>> {
        let mut out: Vec<Instance<'n>> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (_, workflow) in self.workflows.map(Node::entries).unwrap_or_default() {
            for entry in workflow.get("jobs").map(Node::seq).unwrap_or_default() {
                let (job, params) = match (entry.as_str(), entry.entries().first()) {
                    (Some(name), _) => (name, None),
                    (None, Some((key, value))) => match key.as_str() {
                        Some(name) => (name, Some(value)),
                        None => continue,
                    },
                    (None, None) => continue,
                };
                let id = params
                    .and_then(|p| p.get("name"))
                    .and_then(Node::as_str)
                    .unwrap_or(job);
                let requires: Vec<String> = params
                    .and_then(|p| p.get("requires"))
                    .map(Node::owned_strings)
                    .unwrap_or_default();
                let approval =
                    params.and_then(|p| p.get("type")).and_then(Node::as_str) == Some("approval");
                if let Some(known) = by_id.get(id).and_then(|&i| out.get_mut(i)) {
                    known.requires.extend(requires);
                    continue;
                }
                if !cap.admit(facts, src, entry.span.start) {
                    return out;
                }
                by_id.insert(id.to_string(), out.len());
                out.push(Instance {
                    id: id.to_string(),
                    job: job.to_string(),
                    entry,
                    params,
                    requires,
                    approval,
                });
            }
        }
        if out.is_empty() {
            // Without workflows (config version 2.0), the jobs run as they are.
            for key in &self.job_keys {
                let Some(name) = key.as_str() else {
                    continue;
                };
                if by_id.contains_key(name) {
                    continue;
                }
                if !cap.admit(facts, src, key.span.start) {
                    break;
                }
                by_id.insert(name.to_string(), out.len());
                out.push(Instance {
                    id: name.to_string(),
                    job: name.to_string(),
                    entry: key,
                    params: None,
                    requires: Vec::new(),
                    approval: false,
                });
            }
        }
        out
    }

    fn jobs(&self, ctx: &DetectContext<'_>, src: &SourceFile, facts: &mut Facts) -> Vec<Job> {
        let mut cap = JobCap::default();
        let instances = self.instances(&mut cap, facts, src);
        let known: HashSet<&str> = instances.iter().map(|i| i.id.as_str()).collect();
        let resolve = |required: &String| -> String {
            // A matrix job runs as `<name>-<values>`; requiring one of those
            // is requiring the matrix job.
            if known.contains(required.as_str()) {
                return required.clone();
            }
            required
                .match_indices('-')
                .map(|(i, _)| required.get(..i).unwrap_or(""))
                .find(|prefix| known.contains(prefix))
                .map_or_else(|| required.clone(), str::to_string)
        };
        let gates: BTreeMap<String, Vec<String>> = instances
            .iter()
            .filter(|i| i.approval)
            .map(|i| (i.id.clone(), i.requires.iter().map(resolve).collect()))
            .collect();
        let gates = resolve_gates(&gates);
        let mut ids = JobIds::default();
        let mut budget = MAX_STEPS;
        let mut jobs = Vec::new();
        for instance in instances.iter().filter(|i| !i.approval) {
            let needs = instance.requires.iter().map(resolve).collect();
            let mut job = match self.jobs.get(instance.job.as_str()) {
                Some((key, body)) => {
                    let mut job = new_job(ids.unique(&instance.id), line_of(src, key));
                    self.defined_job(ctx, src, facts, body, &mut job, &mut budget);
                    job
                }
                None => {
                    let mut job = new_job(ids.unique(&instance.id), line_of(src, instance.entry));
                    if instance.job.contains('/') {
                        self.orb_job(ctx, src, facts, instance, &mut job);
                    }
                    job
                }
            };
            if instance.id != instance.job {
                job.name = Some(instance.job.clone());
            }
            job.needs = through_gates(needs, &gates);
            jobs.push(job);
        }
        jobs
    }

    /// A job of `jobs:`: its executor's images, working directory and steps.
    fn defined_job(
        &self,
        ctx: &DetectContext<'_>,
        src: &SourceFile,
        facts: &mut Facts,
        body: &'n Node,
        job: &mut Job,
        budget: &mut usize,
    ) {
        let executor = match body.get("executor") {
            Some(e) => e
                .as_str()
                .or_else(|| e.get("name").and_then(Node::as_str))
                .and_then(|name| self.executors.get(name))
                .map(|(_, definition)| *definition),
            None => None,
        };
        let setting = |key: &str| body.get(key).or_else(|| executor.and_then(|e| e.get(key)));
        // The first image is the one the steps run in; the others are services.
        for image in setting("docker")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .skip(1)
        {
            if let Some(name) = image.get("image").and_then(Node::as_str) {
                service_image(ctx, facts, src, name, image.span.start);
            }
        }
        job.directory = setting("working_directory")
            .and_then(Node::as_str)
            .and_then(|wd| resolve_dir(None, wd));
        if let Some(steps) = body.get("steps") {
            let mut walk = StepWalk {
                ctx,
                src,
                facts,
                config: self,
                stack: Vec::new(),
                budget,
            };
            walk.steps(steps, job);
        }
    }

    /// An orb job (`node/test` in a workflow): one step, the orb's job.
    fn orb_job(
        &self,
        ctx: &DetectContext<'_>,
        src: &SourceFile,
        facts: &mut Facts,
        instance: &Instance<'n>,
        job: &mut Job,
    ) {
        let (uses, reference) = self.orb_reference(&instance.job);
        let directory = instance
            .params
            .and_then(|p| p.get("app-dir").or_else(|| p.get("working_directory")))
            .and_then(Node::as_str)
            .and_then(|d| resolve_dir(None, d));
        let line = line_of(src, instance.entry);
        let built = task_step(ctx, line, None, &uses, &[&reference], None, directory);
        push_step(ctx, job, facts, src, built);
    }
}

/// Walking a job's steps, inlining the file's reusable commands.
struct StepWalk<'a, 'c, 'n> {
    ctx: &'a DetectContext<'c>,
    src: &'a SourceFile,
    facts: &'a mut Facts,
    config: &'a Config<'n>,
    /// Reusable commands being inlined (cycle guard).
    stack: Vec<String>,
    /// Steps the file may still expand to.
    budget: &'a mut usize,
}

impl StepWalk<'_, '_, '_> {
    fn steps(&mut self, steps: &Node, job: &mut Job) {
        for item in steps.seq() {
            if *self.budget == 0 {
                return;
            }
            *self.budget -= 1;
            let (kind, params) = match (item.as_str(), item.entries().first()) {
                (Some(kind), _) => (kind, None),
                (None, Some((key, value))) => match key.as_str() {
                    Some(kind) => (kind, Some(value)),
                    None => continue,
                },
                (None, None) => continue,
            };
            let line = line_of(self.src, item);
            match kind {
                // `deploy` is the deprecated spelling of `run`.
                "run" | "deploy" => {
                    if let Some(params) = params {
                        self.run(params, line, job);
                    }
                }
                "when" | "unless" => {
                    if let Some(inner) = params.and_then(|p| p.get("steps")) {
                        self.steps(inner, job);
                    }
                }
                _ => self.call(kind, params, line, job),
            }
        }
    }

    fn run(&mut self, params: &Node, line: u32, job: &mut Job) {
        let (command, name, directory) = match params.as_str() {
            Some(command) => (command, None, None),
            None => {
                let Some(command) = params.get("command").and_then(Node::as_str) else {
                    return;
                };
                let name = params.get("name").and_then(Node::as_str);
                let dir = params.get("working_directory").and_then(Node::as_str);
                (command, name, dir)
            }
        };
        let base = match directory {
            Some(dir) => resolve_dir(job.directory.as_deref(), dir),
            None => job.directory.clone(),
        };
        let built = command_in(
            self.ctx,
            line,
            name.map(str::to_string),
            command,
            base.as_deref(),
        );
        push_step(self.ctx, job, self.facts, self.src, built);
    }

    /// A step that is neither `run` nor a condition: a reusable command of
    /// the file, an orb command, or a built-in step (`checkout`,
    /// `save_cache`...), which says nothing about stages.
    fn call(&mut self, kind: &str, params: Option<&Node>, line: u32, job: &mut Job) {
        let reusable = self
            .config
            .commands
            .get(kind)
            .and_then(|(_, c)| c.get("steps"));
        if let Some(body) = reusable {
            if self.stack.len() < MAX_COMMAND_DEPTH && !self.stack.iter().any(|s| s == kind) {
                self.stack.push(kind.to_string());
                self.steps(body, job);
                self.stack.pop();
            }
            return;
        }
        if kind.contains('/') {
            let (uses, reference) = self.config.orb_reference(kind);
            let directory = params
                .and_then(|p| p.get("app-dir").or_else(|| p.get("working_directory")))
                .and_then(Node::as_str)
                .map_or_else(
                    || job.directory.clone(),
                    |d| resolve_dir(job.directory.as_deref(), d),
                );
            let built = task_step(self.ctx, line, None, &uses, &[&reference], None, directory);
            push_step(self.ctx, job, self.facts, self.src, built);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{detected, graph, job, pipeline, run, stages};

    const CONFIG: &str = r#"version: 2.1
orbs:
  node: circleci/node@5.2.0
  snyk: snyk/snyk@2.1.0
executors:
  py:
    docker:
      - image: cimg/python:3.12
      - image: cimg/postgres:16.2
    working_directory: ~/project/api
commands:
  install:
    steps:
      - run: pip install -r requirements.txt
      - again
  again:
    steps:
      - install
jobs:
  test:
    executor: py
    steps:
      - checkout
      - install
      - run:
          name: Tests
          command: pytest -q
  lint:
    executor: {name: py}
    steps:
      - run: ruff check .
      - snyk/scan
  deploy:
    docker:
      - image: cimg/base:stable
    steps:
      - run: cd deploy && helm upgrade --install app chart/
workflows:
  main:
    jobs:
      - test
      - lint
      - node/test:
          name: web-test
          app-dir: ~/project/web
      - hold:
          type: approval
          requires: [test, lint]
      - deploy:
          requires: [hold, web-test]
  nightly:
    jobs:
      - test:
          requires: [lint]
"#;

    #[test]
    fn workflows_give_the_job_graph_through_approvals() {
        let facts = run(
            detect,
            FileKind::CircleCi,
            &[(".circleci/config.yml", CONFIG)],
        );
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("test".to_string(), 20, vec!["lint".to_string()]),
                ("lint".to_string(), 28, vec![]),
                ("web-test".to_string(), 43, vec![]),
                (
                    "deploy".to_string(),
                    33,
                    vec![
                        "lint".to_string(),
                        "test".to_string(),
                        "web-test".to_string()
                    ]
                ),
            ]
        );
        let test = job(p, "test");
        assert_eq!(stages(test), ["test"]);
        assert_eq!(test.directory.as_deref(), Some("api"));
        // `install` calls `again`, which calls `install`: inlined once.
        assert_eq!(test.steps.len(), 2);
        let web = job(p, "web-test");
        assert_eq!(web.name.as_deref(), Some("node/test"));
        assert_eq!(
            web.steps[0].uses.as_deref(),
            Some("circleci/node/test@5.2.0")
        );
        assert_eq!(web.directory.as_deref(), Some("web"));
        assert_eq!(stages(web), ["test"]);
        let deploy = job(p, "deploy");
        assert_eq!(stages(deploy), ["deploy"]);
        assert_eq!(deploy.directory.as_deref(), Some("deploy"));
        assert_eq!(stages(job(p, "lint")), ["lint", "security"]);
        assert!(detected(
            &facts,
            "postgresql",
            "CI service cimg/postgres:16.2"
        ));
        assert!(detected(&facts, "snyk", "uses: snyk/snyk/scan@2.1.0"));
    }

    #[test]
    fn without_workflows_every_job_runs() {
        let text = "version: 2\njobs:\n  build:\n    docker:\n      - image: cimg/go:1.22\n    steps:\n      - checkout\n      - run: go test ./...\n";
        let facts = run(
            detect,
            FileKind::CircleCi,
            &[(".circleci/config.yml", text)],
        );
        let p = pipeline(&facts);
        assert_eq!(graph(p), [("build".to_string(), 3, vec![])]);
        assert_eq!(stages(&p.jobs[0]), ["test"]);
    }

    #[test]
    fn matrix_names_resolve_to_their_job_and_odd_shapes_are_skipped() {
        let text = "version: 2.1\njobs:\n  test:\n    steps: [{run: {command: make test}}, 42, {}]\n  deploy:\n    steps: 7\nworkflows:\n  version: 2\n  ci:\n    jobs:\n      - test:\n          matrix: {parameters: {v: ['1', '2']}}\n      - deploy:\n          requires: [test-1]\n      - 12\n";
        let facts = run(
            detect,
            FileKind::CircleCi,
            &[(".circleci/config.yml", text)],
        );
        let p = pipeline(&facts);
        assert_eq!(job(p, "deploy").needs, ["test"]);
        assert_eq!(stages(job(p, "test")), ["test"]);
    }

    #[test]
    fn bad_yaml_is_a_problem() {
        let facts = run(
            detect,
            FileKind::CircleCi,
            &[(".circleci/config.yml", "jobs: [\n")],
        );
        assert!(facts.pipelines.is_empty());
        assert_eq!(facts.problems.len(), 1);
    }
}
