//! Dockerfiles: each becomes a [`model::Dockerfile`] (stages, base images,
//! the user and health check in effect at the end) and its base images are
//! technology evidence (`FROM nginx:1.27` is NGINX).

use crate::detect::{DetectContext, Facts};
use crate::model::{DockerStage, Dockerfile};
use crate::parse::dockerfile::{self, ImageSource};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        match dockerfile::parse(src) {
            Ok(parsed) => {
                let model = to_model(src, &parsed);
                for (stage, parsed_stage) in model.stages.iter().zip(&parsed.stages) {
                    if stage.base_stage.is_some() || stage.scratch || stage.unresolved {
                        continue;
                    }
                    for tech in ctx.catalog.match_image(&stage.image) {
                        facts.detect(
                            tech,
                            src,
                            parsed_stage.base.span.start,
                            format!("base image {}", stage.image),
                        );
                    }
                }
                facts.dockerfiles.push(model);
            }
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    facts
}

fn to_model(src: &SourceFile, parsed: &dockerfile::Dockerfile) -> Dockerfile {
    let stages: Vec<DockerStage> = parsed
        .stages
        .iter()
        .map(|stage| {
            let from_line = stage.from_instruction().map_or_else(
                || src.line(stage.base.span.start),
                |i| src.line(i.span.start),
            );
            let image = stage
                .base
                .resolved
                .clone()
                .unwrap_or_else(|| stage.base.text.clone());
            let (image_name, tag, digest) = match &stage.base.source {
                ImageSource::Image(reference) => (
                    reference.name.clone(),
                    reference.tag.clone(),
                    reference.digest.clone(),
                ),
                _ => (image.clone(), None, None),
            };
            let base_stage = match stage.base.source {
                ImageSource::Stage(index) => Some(
                    parsed
                        .stages
                        .get(index)
                        .and_then(|s| s.name.as_ref().map(|n| n.text.clone()))
                        .unwrap_or_else(|| index.to_string()),
                ),
                _ => None,
            };
            DockerStage {
                name: stage.name.as_ref().map(|n| n.text.clone()),
                line: from_line,
                image,
                image_name,
                tag,
                digest,
                unresolved: matches!(stage.base.source, ImageSource::Unresolved),
                base_stage,
                scratch: matches!(stage.base.source, ImageSource::Scratch),
                user: stage.user.as_ref().map(|u| u.text.clone()),
                user_line: stage
                    .user
                    .as_ref()
                    .map(|u| src.line(u.instruction_span.start)),
            }
        })
        .collect();

    let final_stage = parsed.final_stage();
    let user = final_stage.and_then(|s| s.effective_user(parsed));
    let healthcheck = final_stage.and_then(|s| s.effective_healthcheck(parsed));
    Dockerfile {
        path: src.path.clone(),
        user: user.map(|u| u.text.clone()),
        user_line: user.map(|u| src.line(u.instruction_span.start)),
        runs_as_root: user.is_none_or(|u| u.is_root()),
        health_check: healthcheck.is_some_and(|h| !h.disabled),
        health_check_line: healthcheck.map(|h| src.line(h.span.start)),
        exposes: final_stage
            .map(|s| s.exposes.iter().map(|p| p.text.clone()).collect())
            .unwrap_or_default(),
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::testing;

    fn run(text: &str) -> Facts {
        let catalog = testing::catalog(
            "category = \"proxy\"\n[[technology]]\nid = \"nginx\"\nname = \"NGINX\"\nimages = [\"nginx\"]\n",
        );
        testing::run(
            detect,
            &catalog,
            &[(FileKind::Dockerfile, "web/Dockerfile", text)],
        )
    }

    #[test]
    fn multi_stage_builds_keep_the_final_user_and_health_check() {
        let facts = run(
            "ARG NODE=20\nFROM node:${NODE}-alpine AS build\nUSER node\nRUN npm ci\n\nFROM build AS test\nRUN npm test\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\nHEALTHCHECK CMD wget -q -O- localhost || exit 1\nEXPOSE 8080\n",
        );
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let file = &facts.dockerfiles[0];
        assert_eq!(file.stages.len(), 3);
        assert_eq!(file.stages[0].image, "node:20-alpine");
        assert_eq!(file.stages[0].tag.as_deref(), Some("20-alpine"));
        assert_eq!(file.stages[1].base_stage.as_deref(), Some("build"));
        assert_eq!(file.stages[2].line, 9);
        assert!(file.runs_as_root, "the final stage sets no USER");
        assert!(file.health_check);
        assert_eq!(file.health_check_line, Some(11));
        assert_eq!(file.exposes, ["8080"]);
        assert_eq!(facts.detections.len(), 1);
        assert_eq!(facts.detections[0].line, 9);
        assert_eq!(facts.detections[0].reason, "base image nginx:1.27-alpine");
    }

    #[test]
    fn a_user_inherited_through_stages_counts() {
        let facts = run(
            "FROM python:3.12-slim AS base\nUSER 1000\nFROM base\nCMD [\"python\", \"app.py\"]\n",
        );
        let file = &facts.dockerfiles[0];
        assert_eq!(file.user.as_deref(), Some("1000"));
        assert_eq!(file.user_line, Some(2));
        assert!(!file.runs_as_root);
    }

    #[test]
    fn user_root_and_disabled_health_checks_count_as_such() {
        let facts = run("FROM alpine:3.20\nUSER root\nHEALTHCHECK NONE\n");
        let file = &facts.dockerfiles[0];
        assert!(file.runs_as_root);
        assert!(!file.health_check);
    }

    #[test]
    fn a_broken_dockerfile_is_a_problem() {
        let facts = run("FROM alpine\nRUNN echo\n");
        assert!(facts.dockerfiles.is_empty());
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].line, 2);
    }
}
