//! Terraform (`*.tf`): providers (`required_providers` and `provider`
//! blocks), resources and data sources with their literal attributes,
//! modules, the technologies they provision (by resource type, provider and
//! database engine) and the serverless functions they deploy.
//!
//! Only literals are read: a value that comes from a variable, a reference
//! or a template is unknown until Terraform runs, so it is left out rather
//! than guessed. Attribute values go through `redact::stored_value`, so a
//! literal `password` never reaches the model.

mod functions;
#[cfg(test)]
mod tests;

use crate::catalog::Catalog;
use crate::detect::{DetectContext, Facts, redact};
use crate::model::{Attribute, TerraformModule, TerraformResource};
use crate::parse::hcl::{self, Block, Body};
use crate::source::SourceFile;
use crate::walk::FileKind;

/// Resource types whose attribute names the database engine they run, and
/// the engine the provider uses when the attribute is left out (`None`: the
/// attribute is required).
const ENGINE_ATTRIBUTES: &[(&str, &str, Option<&str>)] = &[
    ("aws_db_instance", "engine", None),
    ("aws_rds_cluster", "engine", None),
    ("aws_rds_cluster_instance", "engine", None),
    ("aws_rds_global_cluster", "engine", None),
    ("aws_elasticache_cluster", "engine", None),
    ("aws_elasticache_replication_group", "engine", Some("redis")),
    ("aws_elasticache_serverless_cache", "engine", None),
    ("aws_memorydb_cluster", "engine", Some("redis")),
    ("aws_docdb_cluster", "engine", Some("docdb")),
    ("aws_docdb_cluster_instance", "engine", Some("docdb")),
    ("google_sql_database_instance", "database_version", None),
    ("digitalocean_database_cluster", "engine", None),
];

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        // `.terraform/` holds the modules and providers `terraform init`
        // downloaded: third-party code, not this repository's infrastructure.
        if src.path.split('/').any(|part| part == ".terraform") {
            continue;
        }
        match hcl::parse(src) {
            Ok(body) => read_file(ctx.catalog, src, &body, &mut facts),
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    facts
}

fn read_file(catalog: &Catalog, src: &SourceFile, body: &Body, facts: &mut Facts) {
    for block in &body.blocks {
        match block.ident.as_str() {
            "terraform" => {
                for required in block.body.blocks_named("required_providers") {
                    for attr in &required.body.attributes {
                        let source = attr.value.get("source").and_then(|s| s.as_str());
                        provider(catalog, src, &attr.key, source, attr.key_span.start, facts);
                    }
                }
            }
            "provider" => match block.labels.first() {
                Some(name) => provider(catalog, src, name, None, block.span.start, facts),
                None => facts.problem_at(src, block.span.start, "`provider` block needs a name"),
            },
            "resource" | "data" => match block.labels.as_slice() {
                [resource_type, name] => {
                    resource(catalog, src, block, resource_type, name, facts);
                }
                _ => facts.problem_at(
                    src,
                    block.span.start,
                    format!("`{}` block needs a type and a name", block.ident),
                ),
            },
            "module" => match block.labels.first() {
                Some(name) => facts.terraform.modules.push(TerraformModule {
                    name: name.clone(),
                    // `git::https://user:token@host/...` sources carry credentials.
                    source: block
                        .body
                        .attribute("source")
                        .and_then(|a| a.value.as_str())
                        .map(redact::redact_value),
                    path: src.path.clone(),
                    line: src.line(block.span.start),
                }),
                None => facts.problem_at(src, block.span.start, "`module` block needs a name"),
            },
            _ => {}
        }
    }
}

/// A provider by its local name; `source` (`hashicorp/aws`) names its type
/// when the local name is an alias the catalog does not know.
fn provider(
    catalog: &Catalog,
    src: &SourceFile,
    name: &str,
    source: Option<&str>,
    offset: usize,
    facts: &mut Facts,
) {
    facts.terraform.providers.push(name.to_string());
    let mut techs = catalog.match_terraform_provider(name);
    if techs.is_empty()
        && let Some(source_type) = source.and_then(|s| s.rsplit('/').next())
    {
        techs = catalog.match_terraform_provider(&source_type.to_ascii_lowercase());
    }
    for tech in techs {
        facts.detect(tech, src, offset, format!("provider {name}"));
    }
}

fn resource(
    catalog: &Catalog,
    src: &SourceFile,
    block: &Block,
    resource_type: &str,
    name: &str,
    facts: &mut Facts,
) {
    let mode = block.ident.as_str();
    let offset = block.span.start;
    for tech in catalog.match_terraform_resource(resource_type) {
        facts.detect(tech, src, offset, format!("{mode} {resource_type}.{name}"));
    }
    let mut attributes = std::collections::BTreeMap::new();
    for attr in &block.body.attributes {
        let Some(text) = attr.value.literal_text() else {
            continue;
        };
        if let Some(value) = redact::stored_value(&attr.key, &text) {
            let line = src.line(attr.key_span.start);
            attributes.insert(attr.key.clone(), Attribute { value, line });
        }
    }
    if mode == "resource" {
        engine(catalog, src, block, resource_type, name, facts);
        if let Some(function) = functions::function(src, block, resource_type, name) {
            facts.functions.push(function);
        }
    }
    facts.terraform.resources.push(TerraformResource {
        mode: mode.to_string(),
        resource_type: resource_type.to_string(),
        name: name.to_string(),
        path: src.path.clone(),
        line: src.line(offset),
        attributes,
    });
}

/// The database engine a managed database resource runs.
fn engine(
    catalog: &Catalog,
    src: &SourceFile,
    block: &Block,
    resource_type: &str,
    name: &str,
    facts: &mut Facts,
) {
    let Some((_, key, default)) = ENGINE_ATTRIBUTES
        .iter()
        .find(|(ty, _, _)| *ty == resource_type)
    else {
        return;
    };
    let (engine, offset, note) = match block.body.attribute(key) {
        // A computed engine (`var.engine`) is unknown: no guess.
        Some(attr) => match attr.value.as_str() {
            Some(engine) => (engine, attr.key_span.start, ""),
            None => return,
        },
        None => match default {
            Some(engine) => (*engine, block.span.start, " (default)"),
            None => return,
        },
    };
    for tech in catalog.match_engine(engine) {
        facts.detect(
            tech,
            src,
            offset,
            format!("{key} \"{engine}\"{note} in {resource_type}.{name}"),
        );
    }
}
