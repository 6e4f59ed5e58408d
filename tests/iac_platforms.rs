//! Facts from Terraform, Serverless Framework, SAM and platform files
//! (Procfile, fly.toml), collected over the fixture repositories with the
//! built-in catalog and checked value by value.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{fixture_facts as facts, function_rows};
use stacklint::catalog::Catalog;
use stacklint::detect::Facts;
use stacklint::model::ServiceOrigin;

/// Detections as (technology, path, line, reason), sorted.
fn detections(catalog: &Catalog, facts: &Facts) -> Vec<(String, String, u32, String)> {
    let mut out: Vec<_> = facts
        .detections
        .iter()
        .map(|d| {
            (
                catalog.get(d.tech).id.clone(),
                d.path.clone(),
                d.line,
                d.reason.clone(),
            )
        })
        .collect();
    out.sort();
    out
}

fn has(found: &[(String, String, u32, String)], id: &str, path: &str, line: u32, reason: &str) {
    let wanted = (id.to_string(), path.to_string(), line, reason.to_string());
    assert!(found.contains(&wanted), "missing {wanted:?} in {found:#?}");
}

#[test]
fn terraform_aws() {
    let (catalog, facts) = facts("terraform-aws");
    let mut providers = facts.terraform.providers.clone();
    providers.sort();
    assert_eq!(providers, ["aws", "aws", "random"]);

    let mut resources: Vec<(&str, &str, &str, &str, u32)> = facts
        .terraform
        .resources
        .iter()
        .map(|r| {
            (
                r.path.as_str(),
                r.mode.as_str(),
                r.resource_type.as_str(),
                r.name.as_str(),
                r.line,
            )
        })
        .collect();
    resources.sort();
    assert_eq!(
        resources,
        [
            (
                "infra/database.tf",
                "resource",
                "aws_db_instance",
                "orders",
                6
            ),
            (
                "infra/database.tf",
                "resource",
                "aws_db_subnet_group",
                "orders",
                1
            ),
            (
                "infra/database.tf",
                "resource",
                "aws_elasticache_replication_group",
                "sessions",
                20
            ),
            (
                "infra/database.tf",
                "resource",
                "random_password",
                "redis",
                30
            ),
            (
                "infra/lambda.tf",
                "data",
                "aws_iam_policy_document",
                "assume_lambda",
                1
            ),
            (
                "infra/lambda.tf",
                "resource",
                "aws_iam_role",
                "exporter",
                11
            ),
            (
                "infra/lambda.tf",
                "resource",
                "aws_lambda_event_source_mapping",
                "exporter",
                33
            ),
            (
                "infra/lambda.tf",
                "resource",
                "aws_lambda_function",
                "exporter",
                17
            ),
            (
                "infra/queues.tf",
                "resource",
                "aws_dynamodb_table",
                "idempotency",
                7
            ),
            (
                "infra/queues.tf",
                "resource",
                "aws_sqs_queue",
                "order_events",
                1
            ),
        ]
    );

    let db = facts
        .terraform
        .resources
        .iter()
        .find(|r| r.resource_type == "aws_db_instance")
        .unwrap();
    let public = &db.attributes["publicly_accessible"];
    assert_eq!((public.value.as_str(), public.line), ("true", 15));
    assert_eq!(db.attributes["engine"].value, "postgres");
    assert_eq!(db.attributes["allocated_storage"].value, "50");
    // Written as references: not literals, so not attributes.
    assert!(!db.attributes.contains_key("password"));
    assert!(!db.attributes.contains_key("db_subnet_group_name"));

    let modules: Vec<(&str, Option<&str>, &str, u32)> = facts
        .terraform
        .modules
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.source.as_deref(),
                m.path.as_str(),
                m.line,
            )
        })
        .collect();
    assert_eq!(
        modules,
        [(
            "vpc",
            Some("terraform-aws-modules/vpc/aws"),
            "infra/main.tf",
            32
        )]
    );

    assert_eq!(
        function_rows(&facts.functions),
        [(
            "orders-exporter",
            17,
            Some("python3.12"),
            Some(900),
            Some(23),
            Some(3008),
            Some(24)
        )]
    );
    let exporter = &facts.functions[0];
    assert_eq!(
        (exporter.platform.as_str(), exporter.source.as_str()),
        ("aws-lambda", "terraform")
    );

    let found = detections(&catalog, &facts);
    has(&found, "aws", "infra/main.tf", 5, "provider aws");
    has(&found, "aws", "infra/main.tf", 22, "provider aws");
    has(
        &found,
        "postgresql",
        "infra/database.tf",
        8,
        "engine \"postgres\" in aws_db_instance.orders",
    );
    has(
        &found,
        "redis",
        "infra/database.tf",
        23,
        "engine \"redis\" in aws_elasticache_replication_group.sessions",
    );
    has(
        &found,
        "sqs",
        "infra/queues.tf",
        1,
        "resource aws_sqs_queue.order_events",
    );
    has(
        &found,
        "dynamodb",
        "infra/queues.tf",
        7,
        "resource aws_dynamodb_table.idempotency",
    );
    has(
        &found,
        "aws-lambda",
        "infra/lambda.tf",
        17,
        "resource aws_lambda_function.exporter",
    );

    // The unclosed block in legacy/ is a problem; the scan went on.
    let problems: Vec<(&str, u32)> = facts
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.line))
        .collect();
    assert_eq!(problems.len(), 1, "{:?}", facts.problems);
    assert_eq!(problems[0].0, "legacy/bastion.tf");
}

#[test]
fn serverless_app() {
    let (catalog, facts) = facts("serverless-app");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(
        function_rows(&facts.functions),
        [
            (
                "createInvoice",
                29,
                Some("nodejs20.x"),
                Some(10),
                Some(9),
                Some(256),
                Some(10)
            ),
            (
                "getInvoice",
                35,
                Some("nodejs20.x"),
                Some(10),
                Some(9),
                Some(128),
                Some(37)
            ),
            (
                "renderPdf",
                42,
                Some("nodejs20.x"),
                Some(300),
                Some(44),
                Some(2048),
                Some(45)
            ),
        ]
    );
    assert!(
        facts
            .functions
            .iter()
            .all(|f| f.platform == "aws-lambda" && f.source == "serverless")
    );
    let found = detections(&catalog, &facts);
    has(&found, "aws-lambda", "serverless.yml", 5, "provider aws");
    has(
        &found,
        "sentry",
        "serverless.yml",
        13,
        "environment SENTRY_DSN",
    );
    has(
        &found,
        "serverless-framework",
        "serverless.yml",
        25,
        "plugin serverless-esbuild",
    );
    has(
        &found,
        "dynamodb",
        "serverless.yml",
        53,
        "resource InvoicesTable (AWS::DynamoDB::Table)",
    );
    has(
        &found,
        "sqs",
        "serverless.yml",
        64,
        "resource RenderQueue (AWS::SQS::Queue)",
    );
}

#[test]
fn sam_app() {
    let (catalog, facts) = facts("sam-app");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(
        function_rows(&facts.functions),
        [
            (
                "OrdersFunction",
                25,
                Some("python3.12"),
                Some(15),
                Some(16),
                Some(256),
                Some(17)
            ),
            (
                // `!Sub` names are unknown: the logical id stands in.
                "MonthlyReportFunction",
                37,
                Some("python3.12"),
                Some(600),
                Some(43),
                Some(1769),
                Some(44)
            ),
        ]
    );
    assert!(
        facts
            .functions
            .iter()
            .all(|f| f.platform == "aws-lambda" && f.source == "sam")
    );
    let found = detections(&catalog, &facts);
    has(
        &found,
        "aws-sam",
        "template.yaml",
        2,
        "transform AWS::Serverless-2016-10-31",
    );
    has(
        &found,
        "mysql",
        "template.yaml",
        55,
        "Engine \"mysql\" in OrdersDatabase",
    );
    has(
        &found,
        "aws-lambda",
        "template.yaml",
        25,
        "resource OrdersFunction (AWS::Serverless::Function)",
    );
    assert!(
        !found
            .iter()
            .any(|d| d.0 == "cloudformation" && d.3 == "AWSTemplateFormatVersion")
    );
}

#[test]
fn heroku_app() {
    let (_, facts) = facts("heroku-app");
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let services: Vec<(&str, ServiceOrigin, &str, u32, Option<&str>)> = facts
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.origin,
                s.path.as_str(),
                s.line,
                s.build_context.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("web", ServiceOrigin::Procfile, "Procfile", 2, Some("")),
            ("worker", ServiceOrigin::Procfile, "Procfile", 3, Some("")),
            ("release", ServiceOrigin::Procfile, "Procfile", 4, Some("")),
        ]
    );
}

#[test]
fn fly_app() {
    let (_, facts) = facts("fly-app");
    let fly: Vec<_> = facts
        .services
        .iter()
        .filter(|s| s.origin == ServiceOrigin::Platform)
        .collect();
    assert_eq!(fly.len(), 1, "{:?}", facts.services);
    let app = fly[0];
    assert_eq!(
        (app.name.as_str(), app.path.as_str(), app.line),
        ("linkshort", "fly.toml", 2)
    );
    assert_eq!(app.build_context.as_deref(), Some(""));
    assert_eq!(app.dockerfile.as_deref(), Some("Dockerfile"));
    assert_eq!(app.image, None);
    assert_eq!(app.health_check, Some(true));
    assert_eq!(app.ports, ["8080"]);
    let env: Vec<(&str, Option<&str>, u32)> = app
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_deref(), e.line))
        .collect();
    assert_eq!(
        env,
        [("PORT", Some("8080"), 11), ("LOG_FORMAT", Some("json"), 12)]
    );
}

/// Every prefix of every fixture file (an editor's half-saved file, a
/// truncated download) gives facts or problems, never a panic.
#[test]
fn truncated_files_never_panic() {
    use stacklint::detect::ci::steps::StepRules;
    use stacklint::detect::{DetectContext, cloudformation, platform, serverless, terraform};
    use stacklint::read::Reader;
    use stacklint::source::SourceFile;
    use stacklint::walk::{FileKind, WalkOutput};

    let catalog = Catalog::builtin().unwrap();
    let walk = WalkOutput::default();
    let reader = Reader::new(Path::new("."));
    let steps = StepRules::empty();
    let ctx = DetectContext {
        catalog: &catalog,
        walk: &walk,
        reader: &reader,
        ci_steps: &steps,
    };
    type Run = fn(&DetectContext<'_>, &[(FileKind, &SourceFile)]) -> Facts;
    let cases: [(&str, &str, FileKind, Run); 6] = [
        (
            "terraform-aws",
            "infra/database.tf",
            FileKind::Terraform,
            terraform::detect,
        ),
        (
            "terraform-aws",
            "infra/main.tf",
            FileKind::Terraform,
            terraform::detect,
        ),
        (
            "serverless-app",
            "serverless.yml",
            FileKind::Serverless,
            serverless::detect,
        ),
        (
            "sam-app",
            "template.yaml",
            FileKind::Yaml,
            cloudformation::detect,
        ),
        (
            "heroku-app",
            "Procfile",
            FileKind::Procfile,
            platform::detect,
        ),
        ("fly-app", "fly.toml", FileKind::FlyToml, platform::detect),
    ];
    for (fixture, path, kind, run) in cases {
        let text = std::fs::read_to_string(common::fixture(fixture).join(path)).unwrap();
        for (cut, _) in text.char_indices() {
            let src = SourceFile::new(path, &text[..cut]);
            let _ = run(&ctx, &[(kind, &src)]);
        }
    }
    let inline: [(&str, &str, FileKind); 3] = [
        (
            "vercel.json",
            "{\"functions\": {\"api/*.ts\": {\"maxDuration\": 60, \"memory\": 1024}}}",
            FileKind::VercelJson,
        ),
        (
            "host.json",
            "{\"version\": \"2.0\", \"functionTimeout\": \"1.00:10:00\"}",
            FileKind::HostJson,
        ),
        (
            ".do/app.yaml",
            "services:\n  - name: api\n    source_dir: ../..\n    image: {repository: x, tag: \"1\"}\ndatabases:\n  - engine: PG\n",
            FileKind::AppYaml,
        ),
    ];
    for (path, text, kind) in inline {
        for (cut, _) in text.char_indices() {
            let src = SourceFile::new(path, &text[..cut]);
            let _ = platform::detect(&ctx, &[(kind, &src)]);
        }
    }
}
