//! Joining every detector's facts into one [`Stack`]: components from
//! manifests, technologies from dependencies, marker files and detections
//! (each with its evidence and the components it was seen in), and languages.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, TechId};
use crate::detect::components::{self, Draft};
use crate::detect::{Detection, Facts, services};
use crate::model::{
    Ci, DependencyScope, Evidence, Kubernetes, Language, Pipeline, Problem, STACK_SCHEMA, Stack,
    Stage, Team, TeamSource, Technology, Terraform,
};
use crate::walk::WalkOutput;

/// Inputs that are not facts: how to name the root, what the user passed.
pub struct AssembleInput<'a> {
    /// The scanned path as the user gave it, for `root`.
    pub root_display: &'a str,
    /// The root directory's own name, for a root component without a name.
    pub root_name: &'a str,
    pub catalog: &'a Catalog,
    pub walk: &'a WalkOutput,
}

pub fn assemble(input: &AssembleInput<'_>, mut facts: Facts) -> Stack {
    let catalog = input.catalog;
    let mut drafts = components::build(&facts.manifests, input.walk, catalog, input.root_name);

    let (runtime_deps, dev_deps) = dependency_detections(&facts, catalog);
    // What a component runs with, as its manifests declare it, decides its
    // kind: a test-only dependency on Express does not make a library a
    // server, nor does a `serverless.yml` or a `*.tf` file in its directory
    // make it infrastructure.
    let dirs: Vec<String> = drafts.iter().map(|d| d.dir.clone()).collect();
    let owners = components::Owners::new(&dirs);
    let mut runtime_techs: Vec<BTreeSet<TechId>> = vec![BTreeSet::new(); drafts.len()];
    let runtime_implied = implied_detections(&runtime_deps, catalog);
    for det in runtime_deps.iter().chain(&runtime_implied) {
        if let Some(owner) = owners.owner(&det.path) {
            runtime_techs[owner].insert(det.tech);
        }
    }
    let mut detections = std::mem::take(&mut facts.detections);
    detections.extend(runtime_deps);
    detections.extend(runtime_implied);
    detections.extend(marker_detections(input.walk, catalog));
    detections.extend(language_detections(&drafts, input.walk, catalog));
    detections.extend(dev_deps);
    // Implications of everything (markers, images, dev dependencies); those
    // of runtime dependencies come out again identical and are deduplicated.
    let implied = implied_detections(&detections, catalog);
    detections.extend(implied);
    detections.sort();
    detections.dedup();

    let mut techs: BTreeMap<TechId, (BTreeSet<Evidence>, BTreeSet<usize>)> = BTreeMap::new();
    for det in &detections {
        let slot = techs.entry(det.tech).or_default();
        slot.0.insert(Evidence {
            path: det.path.clone(),
            line: det.line,
            reason: det.reason.clone(),
        });
        let owner = owners.owner(&det.path);
        let is_language = catalog.get(det.tech).category == "language";
        // A language belongs to the components written in it, not to whatever
        // component its first file happens to sit in.
        if let Some(owner) = owner
            && !is_language
        {
            slot.1.insert(owner);
        }
    }
    for (i, draft) in drafts.iter().enumerate() {
        if let Some(lang) = catalog.id_of(&draft.language) {
            techs.entry(lang).or_default().1.insert(i);
        }
    }
    for (tech, (_, owners)) in &techs {
        for owner in owners {
            drafts[*owner]
                .technologies
                .insert(catalog.get(*tech).id.clone());
        }
    }
    for (draft, runtime) in drafts.iter_mut().zip(&runtime_techs) {
        draft.kind = components::classify_kind(draft, runtime, catalog);
    }
    let services = services::build(&facts, &mut drafts, catalog, input.root_name);

    let mut technologies: Vec<Technology> = techs
        .into_iter()
        .filter(|(_, (evidence, _))| !evidence.is_empty())
        .map(|(tech, (evidence, owners))| {
            let def = catalog.get(tech);
            let mut names: Vec<String> = owners.iter().map(|i| drafts[*i].name.clone()).collect();
            names.sort();
            names.dedup();
            Technology {
                id: def.id.clone(),
                name: def.name.clone(),
                category: def.category.clone(),
                evidence: evidence.into_iter().collect(),
                components: names,
            }
        })
        .collect();
    technologies.sort_by(|a, b| a.id.cmp(&b.id));

    let ci = ci_model(std::mem::take(&mut facts.pipelines));
    let mut functions = std::mem::take(&mut facts.functions);
    functions.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    let mut dockerfiles = std::mem::take(&mut facts.dockerfiles);
    dockerfiles.sort_by(|a, b| a.path.cmp(&b.path));
    let kubernetes = sorted_kubernetes(std::mem::take(&mut facts.kubernetes));
    let terraform = sorted_terraform(std::mem::take(&mut facts.terraform));

    let mut problems: Vec<Problem> = facts.problems;
    problems.extend(input.walk.problems.iter().cloned());
    problems.sort();
    problems.dedup();

    Stack {
        schema: STACK_SCHEMA.to_string(),
        root: input.root_display.to_string(),
        languages: languages(input.walk, catalog),
        technologies,
        components: drafts.into_iter().map(Draft::into_component).collect(),
        services,
        ci,
        team: Team {
            size: None,
            source: TeamSource::Unknown,
        },
        problems,
        functions,
        dockerfiles,
        kubernetes,
        terraform,
    }
}

/// The CI section: pipelines by path, providers and stages over all jobs.
fn ci_model(mut pipelines: Vec<Pipeline>) -> Ci {
    pipelines.sort_by(|a, b| (&a.path, &a.provider).cmp(&(&b.path, &b.provider)));
    let providers: BTreeSet<String> = pipelines.iter().map(|p| p.provider.clone()).collect();
    let stages: BTreeSet<Stage> = pipelines
        .iter()
        .flat_map(|p| p.jobs.iter().flat_map(|j| j.stages.iter().copied()))
        .collect();
    Ci {
        providers: providers.into_iter().collect(),
        stages: stages.into_iter().collect(),
        pipelines,
    }
}

fn sorted_kubernetes(mut k: Kubernetes) -> Kubernetes {
    k.manifests.sort();
    k.manifests.dedup();
    k.workloads
        .sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    k.services
        .sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    for list in [
        &mut k.ingresses,
        &mut k.config_maps,
        &mut k.secrets,
        &mut k.autoscalers,
    ] {
        list.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
    }
    k
}

fn sorted_terraform(mut t: Terraform) -> Terraform {
    t.providers.sort();
    t.providers.dedup();
    t.resources
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    t.modules
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    t
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Technologies of declared dependencies: (runtime and optional, dev-only).
fn dependency_detections(facts: &Facts, catalog: &Catalog) -> (Vec<Detection>, Vec<Detection>) {
    let mut runtime = Vec::new();
    let mut dev = Vec::new();
    for manifest in &facts.manifests {
        for dep in &manifest.dependencies {
            for tech in catalog.match_package(manifest.ecosystem, &dep.name) {
                let detection = Detection {
                    tech,
                    path: dep.path.clone(),
                    line: dep.line,
                    reason: format!("dependency {} in {}", dep.name, file_name(&dep.path)),
                };
                if dep.scope == DependencyScope::Dev {
                    dev.push(detection);
                } else {
                    runtime.push(detection);
                }
            }
        }
    }
    (runtime, dev)
}

fn marker_detections(walk: &WalkOutput, catalog: &Catalog) -> Vec<Detection> {
    walk.markers
        .iter()
        .map(|(path, tech)| Detection {
            tech: *tech,
            path: path.clone(),
            line: 1,
            reason: format!("file {}", file_name(path)),
        })
        .filter(|d| catalog.get(d.tech).category != "language")
        .collect()
}

/// Languages are technologies too: from the components written in them, and
/// from source files for languages no component declares.
fn language_detections(drafts: &[Draft], walk: &WalkOutput, catalog: &Catalog) -> Vec<Detection> {
    let mut out = Vec::new();
    for draft in drafts {
        let Some(tech) = catalog.id_of(&draft.language) else {
            continue;
        };
        if let Some(manifest) = draft.manifests.first() {
            out.push(Detection {
                tech,
                path: manifest.clone(),
                line: 1,
                reason: format!("{} component {}", draft.language, draft.name),
            });
        }
    }
    for (tech, (files, _)) in &walk.languages {
        if let Some(first) = walk.language_first_file.get(tech) {
            out.push(Detection {
                tech: *tech,
                path: first.clone(),
                line: 1,
                reason: format!(
                    "{files} {} file{}",
                    catalog.get(*tech).name,
                    if *files == 1 { "" } else { "s" }
                ),
            });
        }
    }
    out
}

/// `django` brings `django-orm`: implied technologies share the evidence of the
/// technology that implies them, transitively.
fn implied_detections(detections: &[Detection], catalog: &Catalog) -> Vec<Detection> {
    let mut out = Vec::new();
    for det in detections {
        let mut stack: Vec<(TechId, String)> = vec![(det.tech, catalog.get(det.tech).id.clone())];
        let mut seen = BTreeSet::from([det.tech]);
        while let Some((tech, via)) = stack.pop() {
            for implied in &catalog.get(tech).implies {
                let Some(implied) = catalog.id_of(implied) else {
                    continue;
                };
                if seen.insert(implied) {
                    out.push(Detection {
                        tech: implied,
                        path: det.path.clone(),
                        line: det.line,
                        reason: format!("comes with {via} ({})", det.reason),
                    });
                    stack.push((implied, catalog.get(implied).id.clone()));
                }
            }
        }
    }
    out
}

fn languages(walk: &WalkOutput, catalog: &Catalog) -> Vec<Language> {
    let mut out: Vec<Language> = walk
        .languages
        .iter()
        .map(|(tech, (files, bytes))| Language {
            id: catalog.get(*tech).id.clone(),
            files: *files,
            bytes: *bytes,
        })
        .collect();
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.id.cmp(&b.id)));
    out
}
