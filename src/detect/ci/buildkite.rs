//! Buildkite: `.buildkite/*.yml`. Command steps (and trigger steps, which
//! start another pipeline) are jobs, id'd by `key`, else `label`, else
//! `step-<n>`. A `wait` makes every later step need the steps since the
//! previous wait; a `block` does the same and is a manual gate, not a job (who
//! depends on it depends on what it waits for); `input` steps only collect
//! data. `depends_on` (a key, a list, or `{step: key}` items) adds edges;
//! naming a `group` means its steps. Group steps get the group's
//! `depends_on`, and waits inside a group order only the group. `plugins`
//! (`docker-compose#v5.0.0`) are actions, also classified per option they are
//! given (`buildkite-plugins/docker-compose/push`).

use std::collections::BTreeMap;

use crate::detect::ci::jobs::{
    JobCap, JobIds, command_list, finish_pipeline, line_of, new_job, parse_yaml, push_step,
    resolve_gates, through_gates,
};
use crate::detect::ci::{command_step, task_step};
use crate::detect::{DetectContext, Facts};
use crate::model::Job;
use crate::parse::yaml::Node;
use crate::source::SourceFile;
use crate::walk::FileKind;

/// Groups cannot nest in Buildkite; this bounds hostile files anyway.
const MAX_DEPTH: usize = 8;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let Some(docs) = parse_yaml(src, &mut facts) else {
            continue;
        };
        let Some(doc) = docs.first() else {
            continue;
        };
        // `steps:` at the top, or (older files) the list of steps itself.
        let Some(steps) = doc.get("steps").or_else(|| doc.is_seq().then_some(doc)) else {
            continue;
        };
        let mut builder = Builder {
            ctx,
            src,
            facts: &mut facts,
            ids: JobIds::default(),
            cap: JobCap::default(),
            jobs: Vec::new(),
            depends: Vec::new(),
            gates: BTreeMap::new(),
            groups: BTreeMap::new(),
            count: 0,
        };
        builder.list(steps, &[], &[], 0);
        let jobs = builder.link();
        finish_pipeline(ctx, &mut facts, "buildkite", src, jobs);
    }
    facts
}

struct Builder<'a, 'c> {
    ctx: &'a DetectContext<'c>,
    src: &'a SourceFile,
    facts: &'a mut Facts,
    ids: JobIds,
    /// Jobs and gates read so far.
    cap: JobCap,
    jobs: Vec<Job>,
    /// Explicit `depends_on` of each job (by index), as written.
    depends: Vec<Vec<String>>,
    /// Block and input steps by key → what they wait for.
    gates: BTreeMap<String, Vec<String>>,
    /// Group keys → their jobs.
    groups: BTreeMap<String, Vec<String>>,
    /// Steps seen, for `step-<n>` ids.
    count: usize,
}

/// `depends_on: x`, `[x, y]`, `[{step: x, allow_failure: true}]`.
fn depends_on(step: &Node) -> Vec<String> {
    let Some(node) = step.get("depends_on") else {
        return Vec::new();
    };
    let items: &[Node] = if node.is_seq() {
        node.seq()
    } else {
        std::slice::from_ref(node)
    };
    items
        .iter()
        .filter_map(|i| i.as_str().or_else(|| i.get("step")?.as_str()))
        .map(str::to_string)
        .collect()
}

fn text<'n>(step: &'n Node, keys: &[&str]) -> Option<&'n str> {
    keys.iter().find_map(|k| step.get(k).and_then(Node::as_str))
}

impl Builder<'_, '_> {
    /// Add the steps of `list`; `barrier` is what they wait for implicitly,
    /// `group_depends` what their group depends on. Returns the jobs added.
    fn list(
        &mut self,
        list: &Node,
        barrier: &[String],
        group_depends: &[String],
        depth: usize,
    ) -> Vec<String> {
        let mut barrier = barrier.to_vec();
        let mut since: Vec<String> = Vec::new();
        let mut added = Vec::new();
        if depth > MAX_DEPTH {
            return added;
        }
        for item in list.seq() {
            if self.cap.is_full() {
                // Record the cut once, then stop.
                self.cap.admit(self.facts, self.src, item.span.start);
                break;
            }
            self.count += 1;
            let kind = item
                .as_str()
                .or_else(|| text(item, &["type"]))
                .unwrap_or("");
            let is = |key: &str| item.get(key).is_some() || kind == key;
            if is("wait") || kind == "waiter" {
                if !since.is_empty() {
                    barrier = std::mem::take(&mut since);
                }
            } else if is("block") || kind == "manual" || is("input") {
                let blocks = !is("input");
                if let Some(key) = text(item, &["key", "id", "identifier"])
                    && self.cap.admit(self.facts, self.src, item.span.start)
                {
                    let mut waits = depends_on(item);
                    if blocks {
                        waits.extend(if since.is_empty() {
                            barrier.clone()
                        } else {
                            since.clone()
                        });
                    }
                    self.gates.insert(key.to_string(), waits);
                }
                if blocks && !since.is_empty() {
                    barrier = std::mem::take(&mut since);
                }
            } else if let Some(inner) = item.get("group").and(item.get("steps")) {
                let mut depends = group_depends.to_vec();
                depends.extend(depends_on(item));
                let jobs = self.list(inner, &barrier, &depends, depth + 1);
                if let Some(key) = text(item, &["key", "id", "identifier"]) {
                    self.groups.insert(key.to_string(), jobs.clone());
                }
                since.extend(jobs.iter().cloned());
                added.extend(jobs);
            } else if item.is_map() {
                if !self.cap.admit(self.facts, self.src, item.span.start) {
                    break;
                }
                let Some(mut job) = self.job(item) else {
                    continue;
                };
                job.needs = barrier.clone();
                let mut depends = group_depends.to_vec();
                depends.extend(depends_on(item));
                self.depends.push(depends);
                since.push(job.id.clone());
                added.push(job.id.clone());
                self.jobs.push(job);
            }
        }
        added
    }

    /// A command or trigger step as a job.
    fn job(&mut self, step: &Node) -> Option<Job> {
        let trigger = text(step, &["trigger"]);
        let commands = ["command", "commands", "script"]
            .iter()
            .find_map(|k| step.get(k));
        let plugins = step.get("plugins");
        if trigger.is_none() && commands.is_none() && plugins.is_none() {
            return None;
        }
        let label = text(step, &["label", "name"]);
        let wanted = text(step, &["key", "id", "identifier"])
            .or(label)
            .or(trigger)
            .map_or_else(|| format!("step-{}", self.count), str::to_string);
        let mut job = new_job(self.ids.unique(&wanted), line_of(self.src, step));
        job.name = label.or(trigger).map(str::to_string);
        if let Some(trigger) = trigger {
            let uses = format!("trigger: {trigger}");
            let built = task_step(
                self.ctx,
                line_of(self.src, step),
                None,
                &uses,
                &[],
                None,
                None,
            );
            push_step(self.ctx, &mut job, self.facts, self.src, built);
        }
        for (line, run) in commands
            .map(|c| command_list(self.src, c))
            .unwrap_or_default()
        {
            push_step(
                self.ctx,
                &mut job,
                self.facts,
                self.src,
                command_step(self.ctx, line, None, run, None),
            );
        }
        if let Some(plugins) = plugins {
            self.plugins(plugins, &mut job);
        }
        Some(job)
    }

    fn plugins(&mut self, plugins: &Node, job: &mut Job) {
        // A list of `name` / `{name: options}`, or one mapping of them.
        let entries: Vec<(&Node, Option<&Node>)> = if plugins.is_map() {
            plugins
                .entries()
                .iter()
                .map(|(k, v)| (k, Some(v)))
                .collect()
        } else {
            plugins
                .seq()
                .iter()
                .filter_map(|item| match item.entries().first() {
                    Some((k, v)) => Some((k, Some(v))),
                    None => item.is_scalar().then_some((item, None)),
                })
                .collect()
        };
        for (name, options) in entries {
            let Some(written) = name.as_str() else {
                continue;
            };
            let reference = plugin_reference(written);
            let mut references = vec![reference.clone()];
            for (option, _) in options.map(Node::entries).unwrap_or_default() {
                if let Some(option) = option.as_str() {
                    references.push(format!("{reference}/{option}"));
                }
            }
            let references: Vec<&str> = references.iter().map(String::as_str).collect();
            let line = line_of(self.src, name);
            let built = task_step(self.ctx, line, None, written, &references, None, None);
            push_step(self.ctx, job, self.facts, self.src, built);
        }
    }

    /// Resolve explicit dependencies (groups to their jobs, gates to what
    /// they wait for) and add them to the implicit ones.
    fn link(mut self) -> Vec<Job> {
        let groups = std::mem::take(&mut self.groups);
        let expand = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .flat_map(|name| match groups.get(name) {
                    Some(members) => members.clone(),
                    None => vec![name.clone()],
                })
                .collect()
        };
        let gates: BTreeMap<String, Vec<String>> = self
            .gates
            .iter()
            .map(|(key, waits)| (key.clone(), expand(waits)))
            .collect();
        let gates = resolve_gates(&gates);
        for (job, depends) in self.jobs.iter_mut().zip(&self.depends) {
            job.needs.extend(through_gates(expand(depends), &gates));
        }
        std::mem::take(&mut self.jobs)
    }
}

/// `docker-compose#v5.0.0` → `buildkite-plugins/docker-compose`;
/// `org/name#v1`, `github.com/org/name-buildkite-plugin` → `org/name`.
fn plugin_reference(written: &str) -> String {
    let name = written.split('#').next().unwrap_or(written).trim();
    let name = name.strip_suffix(".git").unwrap_or(name);
    let mut parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    let last = parts.pop().unwrap_or("");
    let last = last.strip_suffix("-buildkite-plugin").unwrap_or(last);
    let org = parts.pop().unwrap_or("buildkite-plugins");
    format!("{org}/{last}").to_ascii_lowercase()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{detected, graph, ids, job, pipeline, run, stages};

    fn scan(text: &str) -> Facts {
        run(
            detect,
            FileKind::Buildkite,
            &[(".buildkite/pipeline.yml", text)],
        )
    }

    #[test]
    fn plugin_names_are_normalised() {
        assert_eq!(
            plugin_reference("docker-compose#v5.0.0"),
            "buildkite-plugins/docker-compose"
        );
        assert_eq!(
            plugin_reference("seek-oss/docker-ecr-publish#v2"),
            "seek-oss/docker-ecr-publish"
        );
        assert_eq!(
            plugin_reference("https://github.com/Acme/lint-buildkite-plugin.git#main"),
            "acme/lint"
        );
    }

    #[test]
    fn waits_blocks_groups_and_depends_on_make_the_graph() {
        let text = r#"steps:
  - label: ":pytest: Tests"
    key: test
    command: pytest -q
    plugins:
      - docker-compose#v5.0.0:
          run: app
  - label: Lint
    commands:
      - ruff check .
      - mypy .
  - wait
  - wait: ~
  - group: ":docker: Images"
    key: images
    steps:
      - label: Build
        plugins:
          - docker-compose#v5.0.0:
              build: app
              push: app
      - command: trivy image app
  - block: ":rocket: Release?"
    key: approve
  - label: Deploy
    command: helm upgrade --install app chart/
    depends_on:
      - step: approve
      - images
  - trigger: deploy-docs
    depends_on: test
  - input: "Notes"
"#;
        let facts = scan(text);
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("test".to_string(), 2, ids(&[])),
                ("Lint".to_string(), 8, ids(&[])),
                ("Build".to_string(), 17, ids(&["Lint", "test"])),
                ("step-7".to_string(), 22, ids(&["Lint", "test"])),
                ("Deploy".to_string(), 25, ids(&["Build", "step-7"])),
                (
                    "deploy-docs".to_string(),
                    30,
                    ids(&["Build", "step-7", "test"])
                ),
            ]
        );
        assert_eq!(stages(job(p, "test")), ["test"]);
        assert_eq!(stages(job(p, "Build")), ["build", "release"]);
        assert_eq!(stages(job(p, "step-7")), ["security"]);
        assert_eq!(stages(job(p, "Deploy")), ["deploy"]);
        assert_eq!(stages(job(p, "deploy-docs")), ["deploy"]);
        assert!(detected(
            &facts,
            "docker-compose",
            "uses: docker-compose#v5.0.0"
        ));
    }

    #[test]
    fn a_bare_list_of_steps_is_a_pipeline() {
        let facts = scan("- command: make test\n- wait\n- command: make deploy\n  label: ship\n");
        let p = pipeline(&facts);
        assert_eq!(
            graph(p),
            [
                ("step-1".to_string(), 1, ids(&[])),
                ("ship".to_string(), 3, ids(&["step-1"])),
            ]
        );
    }
}
