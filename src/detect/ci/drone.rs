//! Drone: `.drone.yml`, a stream of documents of which the `kind: pipeline`
//! ones are pipelines. Every step is a job, id'd `<pipeline>/<step>`. Steps
//! run in order (each needs the one before) unless a step of the pipeline
//! says `depends_on`: then the pipeline is a graph and a step without
//! `depends_on` starts at once, as Drone runs it. A step with `commands` runs
//! them in its image; a step without is a plugin, classified by its image as
//! an action (`plugins/docker`). Pipeline `depends_on` makes the first steps
//! of a pipeline need the last steps of the pipelines it names. A promotion
//! `target` (`when` of a step, `trigger` of a pipeline) is the environment.
//! `services` images are CI services.

use std::collections::BTreeMap;

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_list, finish_pipeline, line_of, new_job, parse_yaml, push_step,
    service_image,
};
use crate::detect::ci::{command_step, task_step};
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let Some(docs) = parse_yaml(src, &mut facts) else {
            continue;
        };
        let mut ids = JobIds::default();
        let mut cap = JobCap::default();
        let mut jobs: Vec<Job> = Vec::new();
        let mut pipelines: BTreeMap<String, Ends> = BTreeMap::new();
        for (index, doc) in docs.iter().enumerate() {
            if doc.get("kind").and_then(Node::as_str) != Some("pipeline") {
                continue;
            }
            if !cap.admit(&mut facts, src, doc.span.start) {
                break;
            }
            let name = doc
                .get("name")
                .and_then(Node::as_str)
                .map_or_else(|| format!("pipeline-{}", index + 1), str::to_string);
            for service in doc.get("services").map(Node::seq).unwrap_or_default() {
                if let Some(image) = service.get("image").and_then(Node::as_str) {
                    service_image(ctx, &mut facts, src, image, service.span.start);
                }
            }
            let environment = target(doc.get("trigger"));
            let built = pipeline(
                ctx,
                src,
                &mut facts,
                (&mut ids, &mut cap),
                doc,
                &name,
                environment,
            );
            let needed: Vec<&str> = built
                .iter()
                .flat_map(|j| j.needs.iter())
                .map(String::as_str)
                .collect();
            let first = built
                .iter()
                .filter(|j| j.needs.is_empty())
                .map(|j| j.id.clone())
                .collect();
            let last = built
                .iter()
                .filter(|j| !needed.contains(&j.id.as_str()))
                .map(|j| j.id.clone())
                .collect();
            let depends = doc
                .get("depends_on")
                .map(Node::owned_strings)
                .unwrap_or_default();
            pipelines.insert(
                name,
                Ends {
                    first,
                    last,
                    depends,
                },
            );
            jobs.extend(built);
        }
        for ends in pipelines.values().filter(|e| !e.depends.is_empty()) {
            let before: Vec<String> = ends
                .depends
                .iter()
                .filter_map(|p| pipelines.get(p))
                .flat_map(|other| other.last.iter().cloned())
                .collect();
            for job in jobs.iter_mut().filter(|j| ends.first.contains(&j.id)) {
                job.needs.extend(before.iter().cloned());
            }
        }
        if !jobs.is_empty() {
            finish_pipeline(ctx, &mut facts, "drone", src, jobs);
        }
    }
    facts
}

/// Where a pipeline starts and ends, for pipelines that depend on it.
struct Ends {
    /// Steps that need no other step of their pipeline.
    first: Vec<String>,
    /// Steps no other step of their pipeline needs.
    last: Vec<String>,
    /// Pipelines it depends on, by name.
    depends: Vec<String>,
}

/// A promotion target: `target: production`, `[production]` or
/// `{include: [production]}`.
fn target(condition: Option<&Node>) -> Option<String> {
    let target = condition?.get("target")?;
    let target = target.get("include").unwrap_or(target);
    target.strings().first().map(|(s, _)| (*s).to_string())
}

fn pipeline(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    facts: &mut Facts,
    (ids, cap): (&mut JobIds, &mut JobCap),
    doc: &Node,
    name: &str,
    environment: Option<String>,
) -> Vec<Job> {
    let steps = doc.get("steps").map(Node::seq).unwrap_or_default();
    let graph = steps.iter().any(|s| s.get("depends_on").is_some());
    // Step name → job id, for depends_on.
    let mut by_name: BTreeMap<&str, String> = BTreeMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        if !cap.admit(facts, src, step.span.start) {
            break;
        }
        let step_name = step.get("name").and_then(Node::as_str);
        let local = step_name.map_or_else(|| (index + 1).to_string(), str::to_string);
        let mut job = new_job(ids.unique(&format!("{name}/{local}")), line_of(src, step));
        job.name = step_name.map(str::to_string);
        job.environment = target(step.get("when")).or_else(|| environment.clone());
        // In a graph, `depends_on` is linked below, once every step has its id.
        if !graph && let Some(previous) = jobs.last() {
            job.needs = vec![previous.id.clone()];
        }
        let image = step.get("image").and_then(Node::as_str);
        match step.get("commands") {
            Some(commands) => {
                for (line, run) in command_list(src, commands) {
                    push_step(
                        ctx,
                        &mut job,
                        facts,
                        src,
                        command_step(ctx, line, None, run, None),
                    );
                }
            }
            None => {
                if let Some(image) = image {
                    let reference = crate::catalog::image_name(image);
                    let built = task_step(
                        ctx,
                        line_of(src, step),
                        None,
                        image,
                        &[&reference],
                        None,
                        None,
                    );
                    push_step(ctx, &mut job, facts, src, built);
                }
            }
        }
        if let Some(step_name) = step_name {
            by_name.insert(step_name, job.id.clone());
        }
        jobs.push(job);
    }
    // `depends_on` may name a step written later.
    if graph {
        for (job, step) in jobs.iter_mut().zip(steps) {
            let deps = step
                .get("depends_on")
                .map(Node::strings)
                .unwrap_or_default();
            for (dep, _) in deps {
                if let Some(id) = by_name.get(dep)
                    && !job.needs.contains(id)
                {
                    job.needs.push(id.clone());
                }
            }
        }
    }
    jobs
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{
        detected, graph, ids, job, pipeline as only, run, stages,
    };

    #[test]
    fn steps_run_in_order_and_pipelines_chain() {
        let text = r#"kind: pipeline
type: docker
name: test
services:
  - name: db
    image: postgres:16-alpine
steps:
  - name: deps
    image: golang:1.22
    commands: [go mod download]
  - name: unit
    image: golang:1.22
    commands:
      - go vet ./...
      - go test ./...
---
kind: secret
name: token
---
kind: pipeline
name: release
depends_on: [test]
trigger:
  target: [production]
steps:
  - name: image
    image: plugins/docker
    settings: {repo: acme/api}
  - name: lint-chart
    image: alpine/helm
    commands: [helm lint chart/]
  - name: ship
    image: appleboy/drone-ssh
    depends_on: [image, lint-chart]
"#;
        let facts = run(detect, FileKind::Drone, &[(".drone.yml", text)]);
        let p = only(&facts);
        assert_eq!(
            graph(p),
            [
                ("test/deps".to_string(), 8, ids(&[])),
                ("test/unit".to_string(), 11, ids(&["test/deps"])),
                ("release/image".to_string(), 26, ids(&["test/unit"])),
                ("release/lint-chart".to_string(), 29, ids(&["test/unit"])),
                (
                    "release/ship".to_string(),
                    32,
                    ids(&["release/image", "release/lint-chart"])
                ),
            ]
        );
        assert_eq!(stages(job(p, "test/unit")), ["test", "lint"]);
        assert_eq!(
            stages(job(p, "release/image")),
            ["build", "deploy", "release"]
        );
        let ship = job(p, "release/ship");
        assert_eq!(ship.environment.as_deref(), Some("production"));
        assert_eq!(stages(ship), ["deploy"]);
        assert!(detected(
            &facts,
            "postgresql",
            "CI service postgres:16-alpine"
        ));
    }

    #[test]
    fn documents_that_are_not_pipelines_are_skipped() {
        let facts = run(
            detect,
            FileKind::Drone,
            &[(".drone.yml", "kind: secret\nname: x\n")],
        );
        assert!(facts.pipelines.is_empty());
    }
}
