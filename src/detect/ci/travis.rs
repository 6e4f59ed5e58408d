//! Travis CI: `.travis.yml`. The root configuration is one job, `test`
//! (Travis's default stage), when it has a `script` or nothing else runs;
//! `jobs.include` (or `matrix.include`) adds jobs, each inheriting the root's
//! phases it does not set and the stage of the job before it. Stages run in
//! the order `stages:` gives (else in order of appearance) and the jobs of a
//! stage need every job of the stage before. Phase commands are steps;
//! `deploy` providers are actions (`travis-ci/deploy/heroku`): inside a job
//! they are its steps, at the root they are a `deploy` job after everything.
//! `services` (postgresql, redis...) and database `addons` are CI services.

use std::collections::HashMap;

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_list, finish_pipeline, key_line, line_of, new_job, parse_yaml_map,
    push_step,
};
use crate::detect::ci::{command_step, task_step};
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

/// The phases whose commands run on success, in order.
const PHASES: &[&str] = &[
    "before_install",
    "install",
    "before_script",
    "script",
    "after_success",
    "after_script",
];
/// Database addons Travis starts beside the job.
const DATABASE_ADDONS: &[&str] = &["postgresql", "mariadb"];
const DEFAULT_STAGE: &str = "test";
/// The stage of a root-level `deploy` (a name no user stage has: stage names
/// are read lowercased).
const ROOT_DEPLOY: &str = "(ROOT DEPLOY)";

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        if let Some(doc) = parse_yaml_map(src, &mut facts) {
            services(ctx, src, &doc, &mut facts);
            let jobs = jobs(ctx, src, &doc, &mut facts);
            finish_pipeline(ctx, &mut facts, "travis-ci", src, jobs);
        }
    }
    facts
}

fn services(ctx: &DetectContext<'_>, src: &SourceFile, doc: &Node, facts: &mut Facts) {
    let listed = doc.get("services").map(Node::strings).unwrap_or_default();
    let addons = doc
        .get("addons")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| Some((k.as_str()?, k.span)))
        .filter(|(name, _)| DATABASE_ADDONS.contains(name));
    for (name, span) in listed.into_iter().chain(addons) {
        // Travis names services by package (`redis-server` in old configs).
        let base = name.strip_suffix("-server").unwrap_or(name);
        let techs = match ctx.catalog.id_of(base) {
            Some(tech) => vec![tech],
            None => ctx.catalog.match_image(base),
        };
        for tech in techs {
            facts.detect(tech, src, span.start, format!("CI service {name}"));
        }
    }
}

fn jobs(ctx: &DetectContext<'_>, src: &SourceFile, doc: &Node, facts: &mut Facts) -> Vec<Job> {
    let includes = doc
        .path(&["jobs", "include"])
        .or_else(|| doc.path(&["matrix", "include"]))
        .map(Node::seq)
        .unwrap_or_default();
    let mut ids = JobIds::default();
    let mut cap = JobCap::default();
    // Jobs by stage, and stages in order of appearance.
    let mut staged: HashMap<String, Vec<Job>> = HashMap::new();
    let mut seen: Vec<String> = Vec::new();
    let mut add = |stage: &str, job: Job| {
        if !staged.contains_key(stage) {
            seen.push(stage.to_string());
        }
        staged.entry(stage.to_string()).or_default().push(job);
    };
    if includes.is_empty() || doc.get("script").is_some() {
        let line = PHASES
            .iter()
            .find(|p| doc.get(p).is_some())
            .map_or(1, |p| key_line(src, doc, p));
        let mut job = new_job(ids.unique(DEFAULT_STAGE), line);
        phases(ctx, src, facts, doc, None, &mut job);
        cap.admit(facts, src, 0);
        add(DEFAULT_STAGE, job);
    }
    let mut stage = DEFAULT_STAGE.to_string();
    let mut per_stage: HashMap<String, usize> = HashMap::new();
    for item in includes {
        if !cap.admit(facts, src, item.span.start) {
            break;
        }
        if let Some(name) = item.get("stage").and_then(Node::as_str) {
            stage = name.to_ascii_lowercase();
        }
        let name = item.get("name").and_then(Node::as_str);
        let n = per_stage.entry(stage.clone()).or_default();
        *n += 1;
        let wanted = match name {
            Some(name) => name.to_string(),
            None => format!("{stage}/{n}"),
        };
        let mut job = new_job(ids.unique(&wanted), line_of(src, item));
        job.name = name.map(str::to_string);
        phases(ctx, src, facts, item, Some(doc), &mut job);
        if let Some(deploy) = item.get("deploy") {
            deploys(ctx, src, facts, deploy, &mut job);
        }
        add(&stage, job);
    }
    // `stages:` gives the order; stages it does not list follow as they appear.
    let mut order: Vec<String> = doc
        .get("stages")
        .map(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.as_str().or_else(|| s.get("name")?.as_str()))
        .map(str::to_ascii_lowercase)
        .collect();
    order.extend(seen);
    if let Some((key, deploy)) = doc.entry("deploy") {
        let mut job = new_job(ids.unique("deploy"), line_of(src, key));
        deploys(ctx, src, facts, deploy, &mut job);
        if !job.steps.is_empty() {
            // After every stage, whatever the stages are called.
            order.push(ROOT_DEPLOY.to_string());
            staged.insert(ROOT_DEPLOY.to_string(), vec![job]);
        }
    }
    // Jobs of a stage need every job of the closest earlier stage with jobs.
    let mut before: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for stage in &order {
        let Some(jobs) = staged.remove(stage) else {
            continue;
        };
        let ids: Vec<String> = jobs.iter().map(|job| job.id.clone()).collect();
        for mut job in jobs {
            job.needs = before.clone();
            out.push(job);
        }
        before = ids;
    }
    out.sort_by_key(|j| j.line);
    out
}

/// The phase commands of `config`, falling back to the root's.
fn phases(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    facts: &mut Facts,
    config: &Node,
    root: Option<&Node>,
    job: &mut Job,
) {
    for phase in PHASES {
        let Some(commands) = config.get(phase).or_else(|| root?.get(phase)) else {
            continue;
        };
        for (line, run) in command_list(src, commands) {
            // `script: skip` turns a phase off.
            if matches!(run.trim(), "skip" | "true" | ":") {
                continue;
            }
            push_step(
                ctx,
                job,
                facts,
                src,
                command_step(ctx, line, None, run, None),
            );
        }
    }
}

/// `deploy:` providers (one mapping or a list of them).
fn deploys(
    ctx: &DetectContext<'_>,
    src: &SourceFile,
    facts: &mut Facts,
    deploy: &Node,
    job: &mut Job,
) {
    let list: &[Node] = if deploy.is_map() {
        std::slice::from_ref(deploy)
    } else {
        deploy.seq()
    };
    for provider_config in list {
        let Some(provider) = provider_config.get("provider").and_then(Node::as_str) else {
            continue;
        };
        let reference = format!("travis-ci/deploy/{provider}");
        let command = match provider {
            "script" => provider_config.get("script").and_then(Node::as_str),
            _ => None,
        };
        let built = task_step(
            ctx,
            line_of(src, provider_config),
            None,
            &format!("deploy: {provider}"),
            &[&reference],
            command,
            None,
        );
        push_step(ctx, job, facts, src, built);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

    fn scan(text: &str) -> Facts {
        run(detect, FileKind::TravisCi, &[(".travis.yml", text)])
    }

    #[test]
    fn a_simple_config_is_a_test_job_and_a_deploy_after_it() {
        let text = "language: python\nservices:\n  - postgresql\n  - redis-server\ninstall: pip install -r requirements.txt\nscript:\n  - pytest\ndeploy:\n  provider: heroku\n  app: acme-api\n";
        let facts = scan(text);
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("test".to_string(), 5, ids(&[])),
                ("deploy".to_string(), 8, ids(&["test"])),
            ]
        );
        assert_eq!(stages(job(p, "test")), ["test"]);
        assert_eq!(stages(job(p, "deploy")), ["deploy"]);
        assert!(detected(&facts, "postgresql", "CI service postgresql"));
        assert!(detected(&facts, "redis", "CI service redis-server"));
        assert!(detected(&facts, "heroku", "uses: deploy: heroku"));
    }

    #[test]
    fn included_jobs_follow_the_stage_order_and_inherit_phases() {
        let text = r#"language: node_js
install: npm ci
stages:
  - lint
  - name: test
  - name: deploy
    if: branch = main
jobs:
  include:
    - stage: test
      script: npm test
    - script: npx jest --ci
    - stage: lint
      name: eslint
      script: npx eslint .
    - stage: deploy
      script: skip
      deploy:
        - provider: script
          script: ./scripts/deploy.sh
          on: {branch: main}
        - provider: npm
"#;
        let facts = scan(text);
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("test/1".to_string(), 10, ids(&["eslint"])),
                ("test/2".to_string(), 12, ids(&["eslint"])),
                ("eslint".to_string(), 13, ids(&[])),
                ("deploy/1".to_string(), 16, ids(&["test/1", "test/2"])),
            ]
        );
        // `install` comes from the root.
        assert_eq!(job(p, "test/2").steps.len(), 2);
        assert_eq!(stages(job(p, "test/2")), ["test"]);
        let deploy = job(p, "deploy/1");
        assert_eq!(stages(deploy), ["deploy", "release"]);
        assert_eq!(deploy.steps.len(), 3);
    }
}
