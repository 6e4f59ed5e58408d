//! Google Cloud Build: `cloudbuild.yaml`, `cloudbuild.yml`, `cloudbuild.json`.
//! Each step is a job (id: its `id`, else `step-<index>`), run in its builder
//! image (`name`, classified as an action) with the command its `script`,
//! `entrypoint` and `args` make (`gcr.io/cloud-builders/docker` with
//! `args: [build, ...]` runs `docker build ...`). A step without `waitFor`
//! waits for every earlier step: its needs are the earlier steps no other
//! step waits for yet (the rest it reaches through them); `waitFor: ['-']`
//! starts at once. The `images` the build pushes when it succeeds are one
//! more job, `images` (release), after every step.

use crate::detect::ci::jobs::{
    JobCap, JobIds, finish_pipeline, key_line, line_of, new_job, parse_yaml_map, push_step,
    resolve_dir,
};
use crate::detect::ci::{command_step, task_step};
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::json::{self, Strictness, ast};
use crate::parse::yaml::{Node, Scalar, Value};
use crate::source::{SourceFile, Span};
use crate::walk::FileKind;

/// JSON nested deeper than this is cut (nothing in a build config is).
const MAX_JSON_DEPTH: usize = 128;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let doc = if src.path.ends_with(".json") {
            match json::parse(src, Strictness::Strict) {
                Ok(value) => value.map(|v| from_json(&v, 0)),
                Err(err) => {
                    facts.problems.push(err.to_problem(src));
                    continue;
                }
            }
        } else {
            parse_yaml_map(src, &mut facts)
        };
        if let Some(doc) = doc.filter(Node::is_map) {
            let jobs = jobs(ctx, src, &doc, &mut facts);
            finish_pipeline(ctx, &mut facts, "google-cloud-build", src, jobs);
        }
    }
    facts
}

fn jobs(ctx: &DetectContext<'_>, src: &SourceFile, doc: &Node, facts: &mut Facts) -> Vec<Job> {
    let mut ids = JobIds::default();
    let mut cap = JobCap::default();
    let mut jobs: Vec<Job> = Vec::new();
    // Steps no later step waits for yet: waiting for them is waiting for
    // every earlier step.
    let mut sinks: Vec<String> = Vec::new();
    for (index, step) in doc
        .get("steps")
        .map(Node::seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let wanted = step
            .get("id")
            .and_then(Node::as_str)
            .map_or_else(|| format!("step-{index}"), str::to_string);
        if !cap.admit(facts, src, step.span.start) {
            break;
        }
        let line = line_of(src, step);
        let mut job = new_job(ids.unique(&wanted), line);
        job.needs = match step.get("waitFor") {
            Some(wait_for) => wait_for
                .strings()
                .into_iter()
                .map(|(id, _)| id.to_string())
                .filter(|id| id != "-")
                .collect(),
            None => sinks.clone(),
        };
        sinks.retain(|sink| !job.needs.contains(sink));
        sinks.push(job.id.clone());
        let builder = step.get("name").and_then(Node::as_str);
        let command = command(step, builder);
        let directory = step
            .get("dir")
            .and_then(Node::as_str)
            .and_then(|d| resolve_dir(None, d));
        let built = match builder {
            Some(builder) => {
                let reference = crate::catalog::image_name(builder);
                task_step(
                    ctx,
                    line,
                    None,
                    builder,
                    &[&reference],
                    command.as_deref(),
                    directory,
                )
            }
            None => match command {
                Some(command) => command_step(ctx, line, None, &command, directory),
                None => {
                    jobs.push(job);
                    continue;
                }
            },
        };
        push_step(ctx, &mut job, facts, src, built);
        jobs.push(job);
    }
    let images = doc.get("images").map(Node::strings).unwrap_or_default();
    if !images.is_empty() {
        let mut job = new_job(ids.unique("images"), key_line(src, doc, "images"));
        job.needs = sinks;
        for (image, span) in images {
            let built = task_step(
                ctx,
                src.line(span.start),
                Some(image.to_string()),
                "images",
                &["google-cloud-build/images"],
                None,
                None,
            );
            push_step(ctx, &mut job, facts, src, built);
        }
        jobs.push(job);
    }
    jobs
}

/// The command a step runs: its `script`, or its entrypoint (given, or the
/// cloud builder's own: `gcr.io/cloud-builders/docker` runs `docker`) with
/// its `args`. `bash -c '<script>'` is the script.
fn command(step: &Node, builder: Option<&str>) -> Option<String> {
    if let Some(script) = step.get("script").and_then(Node::as_str) {
        return Some(script.to_string());
    }
    let args: Vec<&str> = step
        .get("args")
        .map(Node::strings)
        .unwrap_or_default()
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    let entrypoint = step
        .get("entrypoint")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| builder.and_then(cloud_builder_tool));
    let shell = entrypoint
        .as_deref()
        .is_some_and(|e| matches!(e.rsplit('/').next(), Some("bash" | "sh")));
    if shell
        && let Some((flag, rest)) = args.split_first()
        && flag.starts_with('-')
        && flag.contains('c')
    {
        return Some(rest.join(" "));
    }
    let mut words: Vec<&str> = entrypoint.iter().map(String::as_str).collect();
    words.extend(args);
    (!words.is_empty()).then(|| words.join(" "))
}

/// The tool a Google cloud builder image runs by default.
fn cloud_builder_tool(builder: &str) -> Option<String> {
    let name = crate::catalog::image_name(builder);
    let (prefix, tool) = name.rsplit_once('/')?;
    prefix.ends_with("cloud-builders").then(|| tool.to_string())
}

/// A JSON value as a located YAML node (JSON being YAML's flow subset).
fn from_json(value: &ast::Value<'_>, depth: usize) -> Node {
    let scalar = |text: String, plain: bool, start: usize, end: usize| Node {
        value: Value::Scalar(Scalar { text, plain }),
        span: Span::new(start, end),
        tag: None,
    };
    if depth > MAX_JSON_DEPTH {
        return scalar(String::new(), true, 0, 0);
    }
    match value {
        ast::Value::StringLit(s) => scalar(s.value.to_string(), false, s.range.start, s.range.end),
        ast::Value::NumberLit(n) => scalar(n.value.to_string(), true, n.range.start, n.range.end),
        ast::Value::BooleanLit(b) => scalar(b.value.to_string(), true, b.range.start, b.range.end),
        ast::Value::NullKeyword(n) => scalar("null".to_string(), true, n.range.start, n.range.end),
        ast::Value::Array(a) => Node {
            value: Value::Seq(a.elements.iter().map(|e| from_json(e, depth + 1)).collect()),
            span: Span::new(a.range.start, a.range.end),
            tag: None,
        },
        ast::Value::Object(o) => Node {
            value: Value::Map(
                o.properties
                    .iter()
                    .map(|p| {
                        let key = match &p.name {
                            ast::ObjectPropName::String(s) => {
                                scalar(s.value.to_string(), false, s.range.start, s.range.end)
                            }
                            ast::ObjectPropName::Word(w) => {
                                scalar(w.value.to_string(), false, w.range.start, w.range.end)
                            }
                        };
                        (key, from_json(&p.value, depth + 1))
                    })
                    .collect(),
            ),
            span: Span::new(o.range.start, o.range.end),
            tag: None,
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

    #[test]
    fn steps_wait_for_every_earlier_step_unless_they_say() {
        let text = r#"steps:
  - name: python:3.12
    id: test
    entrypoint: bash
    args: ['-c', 'pip install -r requirements.txt && pytest -q']
    dir: api
  - name: gcr.io/cloud-builders/docker
    id: build
    args: ['build', '-t', 'gcr.io/$PROJECT_ID/api:$SHORT_SHA', 'api']
    waitFor: ['-']
  - name: gcr.io/google.com/cloudsdktool/cloud-sdk
    entrypoint: gcloud
    args: [run, deploy, api, --image, 'gcr.io/$PROJECT_ID/api:$SHORT_SHA']
  - name: aquasec/trivy
    script: trivy image gcr.io/$PROJECT_ID/api:$SHORT_SHA
    waitFor: [build]
images: ['gcr.io/$PROJECT_ID/api:$SHORT_SHA']
"#;
        let facts = run(detect, FileKind::CloudBuild, &[("cloudbuild.yaml", text)]);
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("test".to_string(), 2, ids(&[])),
                ("build".to_string(), 7, ids(&[])),
                ("step-2".to_string(), 11, ids(&["build", "test"])),
                ("step-3".to_string(), 14, ids(&["build"])),
                ("images".to_string(), 17, ids(&["step-2", "step-3"])),
            ]
        );
        let test = job(p, "test");
        assert_eq!(stages(test), ["test"]);
        assert_eq!(test.directory.as_deref(), Some("api"));
        assert_eq!(
            test.steps[0].run.as_deref(),
            Some("pip install -r requirements.txt && pytest -q")
        );
        let build = job(p, "build");
        assert_eq!(
            build.steps[0].run.as_deref().unwrap().split(' ').next(),
            Some("docker")
        );
        assert_eq!(stages(build), ["build"]);
        assert_eq!(stages(job(p, "step-2")), ["deploy"]);
        assert_eq!(stages(job(p, "step-3")), ["security"]);
        assert_eq!(stages(job(p, "images")), ["release"]);
        assert!(detected(&facts, "docker", "run: docker build"));
    }

    #[test]
    fn json_configs_are_read_with_their_lines() {
        let text = "{\n  \"steps\": [\n    {\"name\": \"gcr.io/cloud-builders/npm\", \"args\": [\"test\"]},\n    {\"name\": \"gcr.io/cloud-builders/gke-deploy\", \"args\": [\"run\", \"--filename=k8s/\"]}\n  ]\n}\n";
        let facts = run(detect, FileKind::CloudBuild, &[("cloudbuild.json", text)]);
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("step-0".to_string(), 3, ids(&[])),
                ("step-1".to_string(), 4, ids(&["step-0"])),
            ]
        );
        assert_eq!(p.jobs[0].steps[0].run.as_deref(), Some("npm test"));
        assert_eq!(stages(&p.jobs[0]), ["test"]);
        assert_eq!(stages(&p.jobs[1]), ["deploy"]);
    }

    #[test]
    fn bad_json_is_a_problem() {
        let facts = run(
            detect,
            FileKind::CloudBuild,
            &[("cloudbuild.json", "{\"steps\": [}")],
        );
        assert_eq!(facts.problems.len(), 1);
        assert!(facts.pipelines.is_empty());
    }
}
