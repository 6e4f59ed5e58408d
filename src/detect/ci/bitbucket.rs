//! Bitbucket Pipelines: `bitbucket-pipelines.yml`. Each pipeline (`default`,
//! `branches/<glob>`, `pull-requests/<glob>`, `tags/<glob>`,
//! `bookmarks/<glob>`, `custom/<name>`) is a list of `step`, `parallel` and
//! `stage` items run in order: a step needs the step before it, parallel
//! steps need what came before the group and what follows needs all of them.
//! Job ids are `<pipeline>/<step name>`, or `<pipeline>/<position>` for
//! unnamed or repeated names. `script` items are commands or pipes (actions,
//! without their `:version`); `deployment` is the environment. Service
//! containers of `definitions.services` are CI services. YAML anchors
//! (`definitions.steps`) are expanded by the parser.

use std::collections::HashMap;

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_in, finish_pipeline, new_job, parse_yaml_map, push_step, service_image,
};
use crate::detect::ci::task_step;
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

/// Pipeline groups keyed by a branch, tag or name.
const GROUPS: &[&str] = &["branches", "pull-requests", "tags", "bookmarks", "custom"];

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let Some(doc) = parse_yaml_map(src, &mut facts) else {
            continue;
        };
        for (name, service) in doc
            .path(&["definitions", "services"])
            .map(Node::entries)
            .unwrap_or_default()
        {
            // `docker` is Bitbucket's own Docker-in-Docker service.
            if name.as_str() == Some("docker") {
                continue;
            }
            let image = service.get("image");
            let image = image.and_then(|i| {
                i.as_str().map(|s| (s, i)).or_else(|| {
                    let name = i.get("name")?;
                    Some((name.as_str()?, name))
                })
            });
            if let Some((image, node)) = image {
                service_image(ctx, &mut facts, src, image, node.span.start);
            }
        }
        let mut builder = Builder {
            ctx,
            src,
            facts: &mut facts,
            ids: JobIds::default(),
            cap: JobCap::default(),
            jobs: Vec::new(),
        };
        // In the order the file writes them.
        for (group, value) in doc.get("pipelines").map(Node::entries).unwrap_or_default() {
            match group.as_str() {
                Some("default") => builder.pipeline("default", value),
                Some(group) if GROUPS.contains(&group) => {
                    for (key, list) in value.entries() {
                        if let Some(key) = key.as_str() {
                            builder.pipeline(&format!("{group}/{key}"), list);
                        }
                    }
                }
                _ => {}
            }
        }
        let jobs = std::mem::take(&mut builder.jobs);
        finish_pipeline(ctx, &mut facts, "bitbucket-pipelines", src, jobs);
    }
    facts
}

/// A step item with what it inherits from its stage.
struct StepItem<'n> {
    key: &'n Node,
    step: &'n Node,
    deployment: Option<&'n str>,
}

struct Builder<'a, 'c> {
    ctx: &'a DetectContext<'c>,
    src: &'a SourceFile,
    facts: &'a mut Facts,
    ids: JobIds,
    cap: JobCap,
    jobs: Vec<Job>,
}

impl Builder<'_, '_> {
    fn pipeline(&mut self, name: &str, list: &Node) {
        // Groups of steps in order; the steps of a group run side by side.
        let mut groups: Vec<Vec<StepItem<'_>>> = Vec::new();
        for item in list.seq() {
            if let Some((key, step)) = item.entry("step") {
                groups.push(vec![StepItem {
                    key,
                    step,
                    deployment: None,
                }]);
            } else if let Some(parallel) = item.get("parallel") {
                let steps = parallel.get("steps").unwrap_or(parallel);
                groups.push(step_items(steps, None));
            } else if let Some(stage) = item.get("stage") {
                let deployment = stage.get("deployment").and_then(Node::as_str);
                for step in step_items(stage.get("steps").unwrap_or(stage), deployment) {
                    groups.push(vec![step]);
                }
            }
        }
        // Names repeated within the pipeline fall back to positions.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for item in groups.iter().flatten() {
            if let Some(step_name) = item.step.get("name").and_then(Node::as_str) {
                *counts.entry(step_name).or_default() += 1;
            }
        }
        let mut frontier: Vec<String> = Vec::new();
        let mut position = 0;
        for group in &groups {
            let mut after = Vec::new();
            for item in group {
                if !self.cap.admit(self.facts, self.src, item.key.span.start) {
                    return;
                }
                position += 1;
                let step_name = item.step.get("name").and_then(Node::as_str);
                let local = match step_name {
                    Some(n) if counts.get(n) == Some(&1) && !n.contains('/') => n.to_string(),
                    _ => position.to_string(),
                };
                let id = self.ids.unique(&format!("{name}/{local}"));
                let mut job = new_job(id.clone(), self.src.line(item.key.span.start));
                job.name = step_name.map(str::to_string);
                job.needs = frontier.clone();
                job.environment = item
                    .step
                    .get("deployment")
                    .and_then(Node::as_str)
                    .or(item.deployment)
                    .map(str::to_string);
                self.steps(item.step, &mut job);
                self.jobs.push(job);
                after.push(id);
            }
            if !after.is_empty() {
                frontier = after;
            }
        }
    }

    fn steps(&mut self, step: &Node, job: &mut Job) {
        for key in ["script", "after-script"] {
            for item in step.get(key).map(Node::seq).unwrap_or_default() {
                let line = self.src.line(item.span.start);
                let built = if let Some(run) = item.as_str() {
                    command_in(self.ctx, line, None, run, None)
                } else if let Some(pipe) = item.get("pipe").and_then(Node::as_str) {
                    let reference = pipe.split(':').next().unwrap_or(pipe);
                    task_step(self.ctx, line, None, pipe, &[reference], None, None)
                } else {
                    continue;
                };
                push_step(self.ctx, job, self.facts, self.src, built);
            }
        }
    }
}

/// `- step:` items of a list (of a parallel group or a stage).
fn step_items<'n>(list: &'n Node, deployment: Option<&'n str>) -> Vec<StepItem<'n>> {
    list.seq()
        .iter()
        .filter_map(|item| item.entry("step"))
        .map(|(key, step)| StepItem {
            key,
            step,
            deployment,
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

    const CONFIG: &str = r#"image: python:3.12
definitions:
  services:
    postgres:
      image: postgres:16
    docker:
      memory: 2048
  steps:
    - step: &test
        name: Test
        services: [postgres]
        script:
          - pip install -r requirements.txt
          - pytest -q
pipelines:
  default:
    - step: *test
  branches:
    main:
      - step: *test
      - parallel:
          fail-fast: true
          steps:
            - step:
                name: Lint
                script: [ruff check .]
            - step:
                script: [pip-audit]
      - step:
          name: Deploy
          deployment: production
          trigger: manual
          script:
            - pipe: atlassian/aws-ecs-deploy:1.8.0
              variables:
                CLUSTER_NAME: prod
  custom:
    release:
      - variables:
          - name: VERSION
      - stage:
          name: Ship
          deployment: staging
          steps:
            - step:
                name: Build
                script: [docker build -t app .]
            - step:
                name: Build
                script: [./deploy.sh]
"#;

    #[test]
    fn steps_run_in_order_with_parallel_groups_and_stages() {
        let facts = run(
            detect,
            FileKind::BitbucketPipelines,
            &[("bitbucket-pipelines.yml", CONFIG)],
        );
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("default/Test".to_string(), 17, ids(&[])),
                ("branches/main/Test".to_string(), 20, ids(&[])),
                (
                    "branches/main/Lint".to_string(),
                    24,
                    ids(&["branches/main/Test"])
                ),
                (
                    "branches/main/3".to_string(),
                    27,
                    ids(&["branches/main/Test"])
                ),
                (
                    "branches/main/Deploy".to_string(),
                    29,
                    ids(&["branches/main/3", "branches/main/Lint"])
                ),
                ("custom/release/1".to_string(), 45, ids(&[])),
                (
                    "custom/release/2".to_string(),
                    48,
                    ids(&["custom/release/1"])
                ),
            ]
        );
        assert_eq!(stages(job(p, "default/Test")), ["test"]);
        assert_eq!(job(p, "default/Test").steps.len(), 2);
        let deploy = job(p, "branches/main/Deploy");
        assert_eq!(deploy.environment.as_deref(), Some("production"));
        assert_eq!(stages(deploy), ["deploy"]);
        assert_eq!(
            deploy.steps[0].uses.as_deref(),
            Some("atlassian/aws-ecs-deploy:1.8.0")
        );
        assert_eq!(stages(job(p, "branches/main/3")), ["security"]);
        let ship = job(p, "custom/release/2");
        assert_eq!(ship.environment.as_deref(), Some("staging"));
        assert_eq!(ship.name.as_deref(), Some("Build"));
        assert!(detected(&facts, "postgresql", "CI service postgres:16"));
        assert!(detected(
            &facts,
            "aws-ecs",
            "uses: atlassian/aws-ecs-deploy:1.8.0"
        ));
    }

    #[test]
    fn odd_shapes_are_skipped() {
        let text = "pipelines:\n  default: 3\n  branches:\n    main:\n      - step: {script: [7, {other: x}]}\n      - 5\n";
        let facts = run(
            detect,
            FileKind::BitbucketPipelines,
            &[("bitbucket-pipelines.yml", text)],
        );
        let p = pipeline(&facts);
        assert_eq!(graph(p), [("branches/main/1".to_string(), 5, ids(&[]))]);
        // `7` is a command as far as YAML says; the mapping is not.
        assert_eq!(p.jobs[0].steps.len(), 1);
    }

    #[test]
    fn anchored_steps_have_the_line_of_their_step_key() {
        let text =
            "pipelines:\n  default:\n    - step: &s\n        script: [make test]\n    - step: *s\n";
        let facts = run(
            detect,
            FileKind::BitbucketPipelines,
            &[("bitbucket-pipelines.yml", text)],
        );
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("default/1".to_string(), 3, ids(&[])),
                ("default/2".to_string(), 5, ids(&["default/1"])),
            ]
        );
    }
}
