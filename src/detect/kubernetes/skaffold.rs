//! skaffold: the images a `skaffold.yaml` builds (`build.artifacts`, also in
//! `profiles` and in every document of a multi-config file), with the tool
//! that builds them and the directory of the code they are built from.

use crate::detect::{Facts, ImageBuild, join_path, parent_dir};
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;

/// Builders that make an image without a Dockerfile, by artifact key.
const BUILDERS: &[(&str, &str)] = &[("jib", "jib"), ("ko", "ko"), ("buildpacks", "buildpacks")];

/// Read a skaffold configuration into image builds.
pub(super) fn detect(src: &SourceFile, facts: &mut Facts) {
    match yaml::parse(src) {
        Ok(docs) => from_docs(&docs, src, facts),
        Err(err) => facts.problems.push(err.to_problem(src)),
    }
}

/// Whether a parsed document is a skaffold configuration (for files not
/// named `skaffold.yaml`).
pub(super) fn is_skaffold(doc: &Node) -> bool {
    doc.get("apiVersion")
        .and_then(Node::as_str)
        .is_some_and(|api| api.starts_with("skaffold/"))
}

/// Image builds of the documents of a skaffold configuration.
pub(super) fn from_docs(docs: &[Node], src: &SourceFile, facts: &mut Facts) {
    let mut builds: Vec<ImageBuild> = Vec::new();
    for doc in docs {
        let profiles = doc.get("profiles").map(Node::seq).unwrap_or_default();
        let builds_of =
            std::iter::once(doc.get("build")).chain(profiles.iter().map(|p| p.get("build")));
        for build in builds_of.flatten() {
            for artifact in build.get("artifacts").map(Node::seq).unwrap_or_default() {
                if let Some(found) = artifact_build(artifact, src)
                    && !builds.iter().any(|b| {
                        (&b.image, &b.context, &b.tool)
                            == (&found.image, &found.context, &found.tool)
                    })
                {
                    builds.push(found);
                }
            }
        }
    }
    facts.image_builds.extend(builds);
}

fn artifact_build(artifact: &Node, src: &SourceFile) -> Option<ImageBuild> {
    if !artifact.is_map() {
        return None;
    }
    let dir = parent_dir(&src.path);
    let context_written = artifact
        .get("context")
        .and_then(Node::as_str)
        .unwrap_or(".");
    // A context that leaves the root is not code of this repository.
    let context = join_path(dir, context_written)?;
    let tool = BUILDERS
        .iter()
        .find(|(key, _)| artifact.get(key).is_some())
        .map_or("skaffold", |(_, tool)| tool);
    // Docker (the default builder) and kaniko build from a Dockerfile.
    let dockerfile = if tool == "skaffold"
        && artifact.get("bazel").is_none()
        && artifact.get("custom").is_none()
    {
        let written = ["docker", "kaniko"]
            .iter()
            .find_map(|k| artifact.path(&[k, "dockerfile"]).and_then(Node::as_str))
            .unwrap_or("Dockerfile");
        join_path(&context, written)
    } else {
        None
    };
    Some(ImageBuild {
        tool: tool.to_string(),
        image: artifact
            .get("image")
            .and_then(Node::as_str)
            .filter(|i| !i.is_empty())
            .map(str::to_string),
        context,
        dockerfile,
        path: src.path.clone(),
        line: src.line(artifact.span.start),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builds(path: &str, text: &str) -> Facts {
        let mut facts = Facts::default();
        detect(&SourceFile::new(path, text), &mut facts);
        facts
    }

    #[test]
    fn artifacts_give_tool_context_and_dockerfile() {
        let text = "apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n    - image: ghcr.io/acme/api\n      context: services/api\n      docker:\n        dockerfile: Dockerfile.prod\n    - image: ghcr.io/acme/worker\n      context: ../worker\n      jib: {}\n    - image: web\nprofiles:\n  - name: prod\n    build:\n      artifacts:\n        - image: web\n        - image: ghcr.io/acme/fn\n          context: fn\n          ko: {}\n";
        let facts = builds("deploy/skaffold.yaml", text);
        let got: Vec<_> = facts
            .image_builds
            .iter()
            .map(|b| {
                (
                    b.tool.as_str(),
                    b.image.as_deref(),
                    b.context.as_str(),
                    b.dockerfile.as_deref(),
                    b.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "skaffold",
                    Some("ghcr.io/acme/api"),
                    "deploy/services/api",
                    Some("deploy/services/api/Dockerfile.prod"),
                    5
                ),
                ("jib", Some("ghcr.io/acme/worker"), "worker", None, 9),
                (
                    "skaffold",
                    Some("web"),
                    "deploy",
                    Some("deploy/Dockerfile"),
                    12
                ),
                ("ko", Some("ghcr.io/acme/fn"), "deploy/fn", None, 18),
            ]
        );
    }

    #[test]
    fn contexts_outside_the_root_and_bad_yaml() {
        let facts = builds(
            "skaffold.yaml",
            "build:\n  artifacts:\n    - image: x\n      context: ../..\n",
        );
        assert!(facts.image_builds.is_empty());
        let facts = builds("skaffold.yaml", "build: [\n");
        assert_eq!(facts.problems.len(), 1);
        assert_eq!(facts.problems[0].path, "skaffold.yaml");
    }
}
