//! The `Resources` section of a CloudFormation or SAM template, or of a
//! `serverless.yml`: each resource's technology (by `Type`), the engine of
//! managed databases, and Lambda functions with their runtime, timeout and
//! memory.
//!
//! Only literals are values: an intrinsic function (`!Ref`, `!GetAtt`,
//! `!Sub`, `!If`, or `{"Ref": ...}` in JSON), and in Serverless files a
//! `${...}` variable, is unknown until deployment; the setting keeps its line
//! but not a guessed value.

use crate::catalog::Catalog;
use crate::detect::{Facts, connection};
use crate::model::Function;
use crate::parse::yaml::Node;
use crate::source::SourceFile;

/// Lambda's defaults when a template sets nothing: 3 seconds, 128 MB.
const LAMBDA_TIMEOUT_SECONDS: u64 = 3;
const LAMBDA_MEMORY_MB: u64 = 128;

/// Resource types whose `Engine` property names a database engine, and the
/// engine used when it is left out (`None`: required, or taken from a cluster).
const ENGINE_TYPES: &[(&str, Option<&str>)] = &[
    ("AWS::RDS::DBInstance", None),
    ("AWS::RDS::DBCluster", None),
    ("AWS::RDS::GlobalCluster", None),
    ("AWS::ElastiCache::CacheCluster", None),
    ("AWS::ElastiCache::ReplicationGroup", Some("redis")),
    ("AWS::ElastiCache::ServerlessCache", None),
    ("AWS::MemoryDB::Cluster", Some("redis")),
];

const FUNCTION_TYPES: [&str; 2] = ["AWS::Serverless::Function", "AWS::Lambda::Function"];

/// How the resources of one file are read.
pub(crate) struct ResourceContext<'a> {
    /// `Function.source`: `sam`, `cloudformation` or `serverless`.
    pub source: &'static str,
    /// SAM `Globals.Function`: defaults for every function.
    pub globals: Option<&'a Node>,
    /// `${...}` in a string is a variable (Serverless), not text.
    pub variables: bool,
}

impl ResourceContext<'_> {
    /// The text of a literal scalar: no tag (`!Ref`...), not a mapping
    /// (`{"Ref": ...}`), no unresolved variable.
    pub fn literal<'n>(&self, node: &'n Node) -> Option<&'n str> {
        literal(node, self.variables)
    }
}

/// The text of a literal scalar (`variables`: `${...}` makes it unknown).
pub(crate) fn literal(node: &Node, variables: bool) -> Option<&str> {
    if node.tag.as_deref().is_some_and(|t| !t.starts_with("!!")) {
        return None;
    }
    let text = node.as_str()?;
    (!(variables && text.contains("${"))).then_some(text)
}

/// A literal whole number (CloudFormation also takes `"30"`).
pub(crate) fn literal_u64(node: &Node, variables: bool) -> Option<u64> {
    literal(node, variables)?.trim().parse().ok()
}

/// A setting: its value (`None` when unknown) and line (`None` for a default).
pub(crate) type Setting = (Option<u64>, Option<u32>);

/// The first of `layers` that sets `key`, else `default`.
pub(crate) fn setting(
    src: &SourceFile,
    layers: &[Option<&Node>],
    key: &str,
    default: Option<u64>,
    variables: bool,
) -> Setting {
    for layer in layers.iter().flatten() {
        if let Some((key_node, value)) = layer.entry(key) {
            return (
                literal_u64(value, variables),
                Some(src.line(key_node.span.start)),
            );
        }
    }
    (default, None)
}

pub(crate) fn read(
    catalog: &Catalog,
    src: &SourceFile,
    resources: &Node,
    context: &ResourceContext<'_>,
    facts: &mut Facts,
) {
    for (key, resource) in resources.entries() {
        let Some(logical_id) = key.as_str() else {
            continue;
        };
        let Some(resource_type) = resource.get("Type").and_then(|t| context.literal(t)) else {
            facts.problem_at(
                src,
                key.span.start,
                format!("resource `{logical_id}` has no `Type`"),
            );
            continue;
        };
        let offset = key.span.start;
        for tech in catalog.match_cloudformation(resource_type) {
            facts.detect(
                tech,
                src,
                offset,
                format!("resource {logical_id} ({resource_type})"),
            );
        }
        let properties = resource.get("Properties");
        engine(catalog, src, key, resource_type, properties, context, facts);
        if FUNCTION_TYPES.contains(&resource_type) {
            let function = function(src, key, logical_id, resource_type, properties, context);
            facts.functions.push(function);
            environment(catalog, src, properties, context, facts);
        }
    }
}

fn engine(
    catalog: &Catalog,
    src: &SourceFile,
    key: &Node,
    resource_type: &str,
    properties: Option<&Node>,
    context: &ResourceContext<'_>,
    facts: &mut Facts,
) {
    let Some((_, default)) = ENGINE_TYPES.iter().find(|(ty, _)| *ty == resource_type) else {
        return;
    };
    let logical_id = key.as_str().unwrap_or_default();
    let (engine, offset, note) = match properties.and_then(|p| p.entry("Engine")) {
        Some((engine_key, value)) => match context.literal(value) {
            Some(engine) => (engine, engine_key.span.start, ""),
            None => return,
        },
        None => match default {
            Some(engine) => (*engine, key.span.start, " (default)"),
            None => return,
        },
    };
    for tech in catalog.match_engine(engine) {
        facts.detect(
            tech,
            src,
            offset,
            format!("Engine \"{engine}\"{note} in {logical_id}"),
        );
    }
}

fn function(
    src: &SourceFile,
    key: &Node,
    logical_id: &str,
    resource_type: &str,
    properties: Option<&Node>,
    context: &ResourceContext<'_>,
) -> Function {
    // Globals apply to SAM functions only, not to plain Lambda resources.
    let globals = context
        .globals
        .filter(|_| resource_type == "AWS::Serverless::Function");
    let layers = [properties, globals];
    let text = |name: &str| {
        layers
            .iter()
            .flatten()
            .find_map(|layer| layer.get(name))
            .and_then(|value| context.literal(value))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let timeout = setting(
        src,
        &layers,
        "Timeout",
        Some(LAMBDA_TIMEOUT_SECONDS),
        context.variables,
    );
    let memory = setting(
        src,
        &layers,
        "MemorySize",
        Some(LAMBDA_MEMORY_MB),
        context.variables,
    );
    Function {
        name: properties
            .and_then(|p| p.get("FunctionName"))
            .and_then(|n| context.literal(n))
            .filter(|n| !n.is_empty())
            .unwrap_or(logical_id)
            .to_string(),
        platform: "aws-lambda".to_string(),
        source: context.source.to_string(),
        path: src.path.clone(),
        line: src.line(key.span.start),
        runtime: text("Runtime"),
        timeout_seconds: timeout.0,
        timeout_line: timeout.1,
        memory_mb: memory.0,
        memory_line: memory.1,
    }
}

/// `Environment.Variables` of a function and of SAM globals: technologies
/// named by variable or by a connection URL.
fn environment(
    catalog: &Catalog,
    src: &SourceFile,
    properties: Option<&Node>,
    context: &ResourceContext<'_>,
    facts: &mut Facts,
) {
    let Some(variables) = properties.and_then(|p| p.path(&["Environment", "Variables"])) else {
        return;
    };
    environment_variables(catalog, src, variables, context.variables, facts);
}

/// Technologies named by environment variables: by the variable's name
/// (`SENTRY_DSN`) or by a literal connection URL in its value. Reasons hold
/// the variable's name only, never its value.
pub(crate) fn environment_variables(
    catalog: &Catalog,
    src: &SourceFile,
    variables: &Node,
    with_variables: bool,
    facts: &mut Facts,
) {
    for (name, value) in variables.entries() {
        let Some(var) = name.as_str() else { continue };
        let offset = name.span.start;
        if let Some(tech) = catalog.match_env(var) {
            facts.detect(tech, src, offset, format!("environment {var}"));
        }
        if let Some(conn) =
            literal(value, with_variables).and_then(|v| connection::parse(catalog, v))
        {
            facts.detect(conn.tech, src, offset, format!("connection URL in {var}"));
        }
    }
}
