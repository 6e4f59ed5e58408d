//! Serverless Framework (`serverless.yml`): its functions with their runtime,
//! timeout and memory (a function's own setting, else the provider's, else
//! the framework's default on AWS: 6 seconds and 1024 MB), the platform they
//! run on (by provider name), plugins, environment variables, and the
//! CloudFormation resources under `resources.Resources`.
//!
//! `${...}` variables are resolved by the framework at deploy time: a value
//! holding one is unknown (it keeps its line), never guessed.

use crate::catalog::Catalog;
use crate::detect::cloudformation::resources::{self, ResourceContext};
use crate::detect::{DetectContext, Facts};
use crate::model::{Ecosystem, Function};
use crate::parse::yaml::{self, Node};
use crate::source::SourceFile;
use crate::walk::FileKind;

/// The framework's defaults for AWS functions.
const AWS_TIMEOUT_SECONDS: u64 = 6;
const AWS_MEMORY_MB: u64 = 1024;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (_, src) in files {
        match yaml::parse(src) {
            Ok(docs) => {
                if let Some(doc) = docs.first() {
                    read(ctx.catalog, src, doc, &mut facts);
                }
            }
            Err(err) => facts.problems.push(err.to_problem(src)),
        }
    }
    facts
}

/// The technology id of the platform a provider deploys functions to.
fn platform_of(provider: &str) -> Option<&'static str> {
    match provider {
        "aws" => Some("aws-lambda"),
        "google" => Some("google-cloud-functions"),
        "azure" => Some("azure-functions"),
        _ => None,
    }
}

fn read(catalog: &Catalog, src: &SourceFile, doc: &Node, facts: &mut Facts) {
    // `provider: aws` (old short form) or `provider: {name: aws, ...}`.
    let provider_node = doc.get("provider");
    let provider = provider_node.filter(|p| p.is_map());
    let name_node = provider_node.and_then(|p| if p.is_map() { p.get("name") } else { Some(p) });
    let provider_name = name_node.and_then(|n| resources::literal(n, true));
    let platform = provider_name.and_then(platform_of);
    if let (Some(name), Some(node), Some(platform)) = (provider_name, name_node, platform)
        && let Some(tech) = catalog.id_of(platform)
    {
        facts.detect(tech, src, node.span.start, format!("provider {name}"));
    }

    if let Some(environment) = provider.and_then(|p| p.get("environment")) {
        resources::environment_variables(catalog, src, environment, true, facts);
    }
    plugins(catalog, src, doc.get("plugins"), facts);

    let defaults = match provider_name {
        Some("aws") => (Some(AWS_TIMEOUT_SECONDS), Some(AWS_MEMORY_MB)),
        _ => (None, None),
    };
    let runtime_default = provider
        .and_then(|p| p.get("runtime"))
        .and_then(|r| resources::literal(r, true));
    for (key, function) in function_entries(doc.get("functions")) {
        let Some(name) = key.as_str() else { continue };
        let layers = [Some(function), provider];
        let timeout = seconds_setting(src, &layers, defaults.0);
        let memory = resources::setting(src, &layers, "memorySize", defaults.1, true);
        let runtime = function
            .get("runtime")
            .and_then(|r| resources::literal(r, true))
            .or(runtime_default)
            // A container image function has no runtime of its own.
            .filter(|_| function.get("image").is_none() || function.get("runtime").is_some());
        facts.functions.push(Function {
            name: name.to_string(),
            platform: platform.or(provider_name).unwrap_or("unknown").to_string(),
            source: "serverless".to_string(),
            path: src.path.clone(),
            line: src.line(key.span.start),
            runtime: runtime.map(str::to_string),
            timeout_seconds: timeout.0,
            timeout_line: timeout.1,
            memory_mb: memory.0,
            memory_line: memory.1,
        });
        if let Some(environment) = function.get("environment") {
            resources::environment_variables(catalog, src, environment, true, facts);
        }
    }

    if let Some(cfn) = doc.path(&["resources", "Resources"]) {
        let context = ResourceContext {
            source: "serverless",
            globals: None,
            variables: true,
        };
        resources::read(catalog, src, cfn, &context, facts);
    }
}

/// `functions` is a map of name → function; a list of such maps is merged.
fn function_entries(functions: Option<&Node>) -> Vec<(&Node, &Node)> {
    let Some(functions) = functions else {
        return Vec::new();
    };
    let maps: Vec<&Node> = if functions.is_seq() {
        functions.seq().iter().collect()
    } else {
        vec![functions]
    };
    maps.into_iter()
        .flat_map(|map| map.entries().iter().map(|(k, v)| (k, v)))
        .filter(|(_, v)| v.is_map())
        .collect()
}

/// `timeout`: seconds as a number, or as `60s` (the Google provider's form).
fn seconds_setting(
    src: &SourceFile,
    layers: &[Option<&Node>],
    default: Option<u64>,
) -> resources::Setting {
    for layer in layers.iter().flatten() {
        if let Some((key, value)) = layer.entry("timeout") {
            let seconds = resources::literal(value, true)
                .map(|t| t.trim().trim_end_matches('s'))
                .and_then(|t| t.parse().ok());
            return (seconds, Some(src.line(key.span.start)));
        }
    }
    (default, None)
}

/// Plugins are npm packages: `plugins: [a, b]` or `plugins: {modules: [a, b]}`.
fn plugins(catalog: &Catalog, src: &SourceFile, plugins: Option<&Node>, facts: &mut Facts) {
    let Some(plugins) = plugins else { return };
    let list = plugins.get("modules").unwrap_or(plugins);
    for (plugin, span) in list.strings() {
        for tech in catalog.match_package(Ecosystem::Node, plugin) {
            facts.detect(tech, src, span.start, format!("plugin {plugin}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::cloudformation::tests::detect_with;
    use crate::detect::testing::{detections, function_rows};

    const SERVERLESS: &str = r#"service: orders
frameworkVersion: "3"
provider:
  name: aws
  runtime: nodejs20.x
  timeout: 10
  environment:
    SENTRY_DSN: ${ssm:/orders/sentry-dsn}
plugins:
  - serverless-offline
functions:
  create:
    handler: src/create.handler
  report:
    handler: src/report.handler
    timeout: 900
    memorySize: 3008
  dynamic:
    image: ${self:custom.image}
    timeout: ${self:custom.timeout}
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-orders
"#;

    #[test]
    fn functions_inherit_provider_settings_with_their_lines() {
        let (catalog, facts) = detect_with(
            detect,
            &[(FileKind::Serverless, "serverless.yml", SERVERLESS)],
        );
        assert!(facts.problems.is_empty(), "{:?}", facts.problems);
        let got = function_rows(&facts.functions);
        assert_eq!(
            got,
            [
                (
                    "create",
                    12,
                    Some("nodejs20.x"),
                    Some(10),
                    Some(6),
                    Some(1024),
                    None
                ),
                (
                    "report",
                    14,
                    Some("nodejs20.x"),
                    Some(900),
                    Some(16),
                    Some(3008),
                    Some(17)
                ),
                ("dynamic", 18, None, None, Some(20), Some(1024), None),
            ]
        );
        assert!(facts.functions.iter().all(|f| f.platform == "aws-lambda"));
        assert!(facts.functions.iter().all(|f| f.source == "serverless"));
        let found = detections(&catalog, &facts);
        assert!(found.contains(&(
            "dynamodb".to_string(),
            23,
            "resource OrdersTable (AWS::DynamoDB::Table)".to_string()
        )));
        assert!(found.contains(&(
            "sentry".to_string(),
            8,
            "environment SENTRY_DSN".to_string()
        )));
        assert!(found.contains(&("aws-lambda".to_string(), 4, "provider aws".to_string())));
        assert!(found.contains(&(
            "serverless-offline".to_string(),
            10,
            "plugin serverless-offline".to_string()
        )));
    }

    #[test]
    fn other_providers_and_short_forms() {
        let text = "service: x\nprovider: google\nfunctions:\n  hello:\n    handler: hello\n    timeout: 120s\n";
        let (_, facts) = detect_with(detect, &[(FileKind::Serverless, "serverless.yml", text)]);
        let f = &facts.functions[0];
        assert_eq!(f.platform, "google-cloud-functions");
        assert_eq!((f.timeout_seconds, f.timeout_line), (Some(120), Some(6)));
        // No framework default outside AWS.
        assert_eq!((f.memory_mb, f.memory_line), (None, None));
        let text = "provider:\n  name: ${opt:cloud}\nfunctions:\n  - a:\n      handler: a\n  - b:\n      handler: b\n";
        let (_, facts) = detect_with(detect, &[(FileKind::Serverless, "serverless.yml", text)]);
        let names: Vec<(&str, &str)> = facts
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.platform.as_str()))
            .collect();
        assert_eq!(names, [("a", "unknown"), ("b", "unknown")]);
    }

    #[test]
    fn a_broken_file_is_a_problem() {
        let (_, facts) = detect_with(
            detect,
            &[(FileKind::Serverless, "serverless.yml", "service: [x\n")],
        );
        assert_eq!(facts.problems.len(), 1);
        assert!(facts.functions.is_empty());
    }
}
