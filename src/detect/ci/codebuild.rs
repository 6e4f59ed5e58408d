//! AWS CodeBuild: `buildspec*.yml`. One build runs the phases `install`,
//! `pre_build`, `build` and `post_build` in order, so the buildspec is one
//! job, `build`, whose steps are the phases' `commands` (and their `finally`
//! commands). Batch builds (`batch:`, which start other buildspecs) are not
//! read.

use crate::detect::ci::command_step;
use crate::detect::ci::jobs::{
    command_list, finish_pipeline, key_line, new_job, parse_yaml_map, push_step,
};
use crate::detect::{DetectContext, Facts};
use crate::source::SourceFile;
use crate::walk::FileKind;

const PHASES: &[&str] = &["install", "pre_build", "build", "post_build"];

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        let Some(doc) = parse_yaml_map(src, &mut facts) else {
            continue;
        };
        let Some(phases) = doc.get("phases") else {
            continue;
        };
        let mut job = new_job("build", key_line(src, &doc, "phases"));
        for phase in PHASES.iter().filter_map(|p| phases.get(p)) {
            for list in [phase.get("commands"), phase.path(&["finally", "commands"])]
                .into_iter()
                .flatten()
            {
                for (line, run) in command_list(src, list) {
                    push_step(
                        ctx,
                        &mut job,
                        &mut facts,
                        src,
                        command_step(ctx, line, None, run, None),
                    );
                }
            }
        }
        finish_pipeline(ctx, &mut facts, "aws-codebuild", src, vec![job]);
    }
    facts
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::detect::ci::jobs::testing::{graph, pipeline, run, stages};

    #[test]
    fn phases_are_the_steps_of_one_job_in_order() {
        let text = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t app .\n  install:\n    runtime-versions: {python: 3.12}\n    commands:\n      - pip install -r requirements.txt\n  pre_build:\n    commands: pytest -q\n    finally:\n      commands: [echo done]\n  post_build:\n    commands:\n      - |\n        docker push app\n        aws ecs update-service --cluster prod --service app --force-new-deployment\n";
        let facts = run(detect, FileKind::CodeBuild, &[("buildspec.yml", text)]);
        let p = pipeline(&facts);
        assert_eq!(graph(p), [("build".to_string(), 2, vec![])]);
        let job = &p.jobs[0];
        let runs: Vec<&str> = job.steps.iter().filter_map(|s| s.run.as_deref()).collect();
        assert_eq!(runs[0], "pip install -r requirements.txt");
        assert_eq!(runs[1], "pytest -q");
        assert_eq!(runs[2], "echo done");
        assert_eq!(runs[3], "docker build -t app .");
        // A block scalar's line is the line its text starts on.
        assert_eq!(job.steps[4].line, 17);
        assert_eq!(stages(job), ["build", "test", "deploy", "release"]);
    }

    #[test]
    fn a_buildspec_without_phases_has_no_pipeline() {
        let facts = run(
            detect,
            FileKind::CodeBuild,
            &[("buildspec.yml", "version: 0.2\nbatch:\n  build-list: []\n")],
        );
        assert!(facts.pipelines.is_empty());
        assert!(facts.problems.is_empty());
    }
}
