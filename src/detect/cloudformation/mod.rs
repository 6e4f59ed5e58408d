//! CloudFormation and SAM templates, in YAML or JSON.
//!
//! Most YAML files are not templates (the Kubernetes detector reads the same
//! files): a cheap text check comes first, then a parsed document counts as a
//! template when it has `AWSTemplateFormatVersion`, the SAM `Transform`, or a
//! `Resources` map whose entries have an `AWS::` `Type`. Anything else is
//! ignored silently. A template gives the `aws-sam` or `cloudformation`
//! technology, its resources' technologies, database engines, and Lambda
//! functions (see [`resources`], also used for `serverless.yml`).

pub(crate) mod resources;
#[cfg(test)]
pub(crate) mod tests;

use crate::catalog::Catalog;
use crate::detect::{DetectContext, Facts};
use crate::parse::json::Strictness;
use crate::parse::yaml::Node;
use crate::parse::{json_node, yaml};
use crate::source::SourceFile;
use crate::walk::FileKind;

use resources::ResourceContext;

/// The transform that makes a template a SAM template.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        if !might_be_template(&src.text) {
            continue;
        }
        let docs = match kind {
            FileKind::JsonTemplate => {
                json_node::parse(src, Strictness::Strict).map(|doc| doc.into_iter().collect())
            }
            _ => yaml::parse(src),
        };
        match docs {
            Ok(docs) => {
                for doc in docs.iter().filter(|doc| is_template(doc)) {
                    read_template(ctx.catalog, src, doc, &mut facts);
                }
            }
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    facts
}

/// Whether the text can hold a template at all: a format version, or
/// resources typed `AWS::...` (the SAM transform has `AWS::` too).
fn might_be_template(text: &str) -> bool {
    text.contains("AWSTemplateFormatVersion")
        || (text.contains("AWS::") && text.contains("Resources"))
}

fn is_template(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || is_sam(doc)
        || doc.get("Resources").is_some_and(|resources| {
            resources.entries().iter().any(|(_, resource)| {
                resource
                    .get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|ty| ty.starts_with("AWS::"))
            })
        })
}

/// The `Transform` entry naming SAM (`Transform` is one name or a list).
fn sam_transform(doc: &Node) -> Option<&Node> {
    let transform = doc.get("Transform")?;
    if transform.as_str() == Some(SAM_TRANSFORM) {
        return Some(transform);
    }
    transform
        .seq()
        .iter()
        .find(|t| t.as_str() == Some(SAM_TRANSFORM))
}

fn is_sam(doc: &Node) -> bool {
    sam_transform(doc).is_some()
}

fn read_template(catalog: &Catalog, src: &SourceFile, doc: &Node, facts: &mut Facts) {
    let sam = sam_transform(doc);
    if let Some(transform) = sam {
        if let Some(tech) = catalog.id_of("aws-sam") {
            facts.detect(
                tech,
                src,
                transform.span.start,
                format!("transform {SAM_TRANSFORM}"),
            );
        }
    } else if let Some(tech) = catalog.id_of("cloudformation") {
        let (offset, reason) = match doc.entry("AWSTemplateFormatVersion") {
            Some((key, _)) => (key.span.start, "AWSTemplateFormatVersion"),
            None => (
                doc.entry("Resources")
                    .map_or(doc.span.start, |(key, _)| key.span.start),
                "CloudFormation resources",
            ),
        };
        facts.detect(tech, src, offset, reason);
    }
    let Some(resources) = doc.get("Resources") else {
        return;
    };
    // SAM's `Globals` section; plain CloudFormation has none.
    let globals = sam.and(doc.path(&["Globals", "Function"]));
    if let Some(variables) = globals.and_then(|g| g.path(&["Environment", "Variables"])) {
        resources::environment_variables(catalog, src, variables, false, facts);
    }
    let context = ResourceContext {
        source: if sam.is_some() {
            "sam"
        } else {
            "cloudformation"
        },
        globals,
        variables: false,
    };
    resources::read(catalog, src, resources, &context, facts);
}
