//! Running a CI detector over a temporary tree or a lone file, with the
//! built-in catalog and step rules, for the providers' unit tests; and a test
//! that every provider reads any prefix of its fixture pipeline without
//! panicking.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use crate::catalog::Catalog;
use crate::detect::Facts;
use crate::detect::ci::steps::StepRules;
use crate::detect::testing;
pub use crate::detect::testing::DetectFn;
use crate::model::{Job, Pipeline};
use crate::source::SourceFile;
use crate::walk::FileKind;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().unwrap())
}

fn steps() -> &'static StepRules {
    static STEPS: OnceLock<StepRules> = OnceLock::new();
    STEPS.get_or_init(|| StepRules::builtin().unwrap())
}

/// Write `files` to a temporary directory, walk it, and run `detect` on
/// the files the walk classifies as `kind`.
pub fn run(detect: DetectFn, kind: FileKind, files: &[(&str, &str)]) -> Facts {
    testing::run_tree(detect, catalog(), steps(), &[kind], files)
}

/// Run `detect` on one file given as text (no tree around it).
pub fn run_source(detect: DetectFn, kind: FileKind, path: &str, text: &str) -> Facts {
    static EMPTY: OnceLock<(tempfile::TempDir, crate::walk::WalkOutput)> = OnceLock::new();
    let (dir, walk) = EMPTY.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let walk = crate::walk::walk(dir.path(), catalog());
        (dir, walk)
    });
    let sources = [(kind, SourceFile::new(path, text))];
    testing::detect_sources(detect, catalog(), steps(), walk, dir.path(), &sources)
}

/// The only pipeline found.
pub fn pipeline(facts: &Facts) -> &Pipeline {
    assert_eq!(facts.pipelines.len(), 1, "{:#?}", facts.pipelines);
    &facts.pipelines[0]
}

pub fn job<'p>(pipeline: &'p Pipeline, id: &str) -> &'p Job {
    pipeline
        .jobs
        .iter()
        .find(|j| j.id == id)
        .unwrap_or_else(|| panic!("no job {id} in {:#?}", pipeline.jobs))
}

/// (id, line, needs) of every job, in order.
pub fn graph(pipeline: &Pipeline) -> Vec<(String, u32, Vec<String>)> {
    pipeline
        .jobs
        .iter()
        .map(|j| (j.id.clone(), j.line, j.needs.clone()))
        .collect()
}

/// Owned ids, for comparing with a job's `needs`.
pub fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Stage names of a job.
pub fn stages(job: &Job) -> Vec<&'static str> {
    job.stages.iter().map(|s| s.as_str()).collect()
}

/// Whether a technology was detected with evidence reason `reason`.
/// Whether `tech` was detected with a reason that starts with `reason`.
pub fn detected(facts: &Facts, tech: &str, reason: &str) -> bool {
    let id = catalog().id_of(tech).unwrap();
    facts
        .detections
        .iter()
        .any(|d| d.tech == id && d.reason.starts_with(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_of_the_fixture_pipelines_reads_without_panicking() {
        use crate::detect::ci::{
            azure, bitbucket, buildkite, circleci, cloudbuild, codebuild, drone, jenkins, travis,
        };
        use crate::walk::FileKind;
        let repos = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/repos");
        let cases = [
            (
                circleci::detect as DetectFn,
                FileKind::CircleCi,
                "circleci-pipeline/.circleci/config.yml",
            ),
            (
                azure::detect,
                FileKind::AzurePipelines,
                "azure-pipelines-app/azure-pipelines.yml",
            ),
            (
                jenkins::detect,
                FileKind::Jenkinsfile,
                "jenkins-pipeline/Jenkinsfile",
            ),
            (
                bitbucket::detect,
                FileKind::BitbucketPipelines,
                "bitbucket-pipelines-app/bitbucket-pipelines.yml",
            ),
            (travis::detect, FileKind::TravisCi, "travis-app/.travis.yml"),
            (
                buildkite::detect,
                FileKind::Buildkite,
                "buildkite-pipeline/.buildkite/pipeline.yml",
            ),
            (
                cloudbuild::detect,
                FileKind::CloudBuild,
                "cloudbuild-app/cloudbuild.yaml",
            ),
            (
                codebuild::detect,
                FileKind::CodeBuild,
                "codebuild-app/buildspec.yml",
            ),
            (drone::detect, FileKind::Drone, "drone-app/.drone.yml"),
        ];
        for (detect, kind, rel) in cases {
            let text = std::fs::read_to_string(format!("{repos}/{rel}")).unwrap();
            let name = rel.rsplit('/').next().unwrap_or(rel);
            for cut in (0..text.len()).step_by(5) {
                let prefix = text.get(..cut).unwrap_or("");
                let _ = run_source(detect, kind, name, prefix);
                // The same text with its brackets and quotes swapped around.
                let mangled: String = prefix
                    .chars()
                    .map(|c| match c {
                        '{' => '[',
                        '[' => '{',
                        '\'' => '"',
                        ':' => ' ',
                        other => other,
                    })
                    .collect();
                let _ = run_source(detect, kind, name, &mangled);
            }
        }
    }
}
