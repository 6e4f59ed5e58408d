//! Tests of the CloudFormation detector on in-memory templates.

use super::*;
use crate::detect::testing::{self, DetectFn, detections};

pub(crate) const CATALOG: &str = r#"category = "database"
[[technology]]
id = "mysql"
name = "MySQL"
engines = ["mysql", "aurora-mysql"]
[[technology]]
id = "postgresql"
name = "PostgreSQL"
urls = ["postgres", "postgresql"]
[[technology]]
id = "redis"
name = "Redis"
engines = ["redis"]
[[technology]]
id = "dynamodb"
name = "DynamoDB"
cloudformation = ["AWS::DynamoDB::*"]
[[technology]]
id = "cloudformation"
name = "AWS CloudFormation"
cloudformation = ["AWS::*"]
[[technology]]
id = "aws-sam"
name = "AWS SAM"
cloudformation = ["AWS::Serverless::*"]
[[technology]]
id = "aws-lambda"
name = "AWS Lambda"
[[technology]]
id = "serverless-offline"
name = "Serverless Offline"
packages.npm = ["serverless-offline"]
[[technology]]
id = "sentry"
name = "Sentry"
env = ["SENTRY_"]
"#;

/// Run a detector with [`CATALOG`] on in-memory files; the catalog comes
/// back to name the detections.
pub(crate) fn detect_with(run: DetectFn, files: &[(FileKind, &str, &str)]) -> (Catalog, Facts) {
    let catalog = testing::catalog(CATALOG);
    let facts = testing::run(run, &catalog, files);
    (catalog, facts)
}

fn d(id: &str, line: u32, reason: &str) -> (String, u32, String) {
    (id.to_string(), line, reason.to_string())
}

const SAM: &str = r#"AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables:
        SENTRY_DSN: !Ref SentryDsn
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      MemorySize: 512
      Environment:
        Variables:
          DATABASE_URL: !Sub "mysql://${Db.Endpoint.Address}/app"
          CACHE_URL: postgres://app:s3cret@cache:5432/app
  Report:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: nightly-report
      Runtime: nodejs20.x
      Timeout: !Ref ReportTimeout
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      MasterUserPassword: !Ref DbPassword
"#;

#[test]
fn sam_template_functions_globals_and_engines() {
    let (catalog, facts) = detect_with(detect, &[(FileKind::Yaml, "template.yaml", SAM)]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let api = &facts.functions[0];
    assert_eq!(
        (
            api.name.as_str(),
            api.source.as_str(),
            api.platform.as_str(),
            api.line
        ),
        ("Api", "sam", "aws-lambda", 11)
    );
    assert_eq!(api.runtime.as_deref(), Some("python3.12"));
    // Timeout from Globals (its line there), memory from the function.
    assert_eq!((api.timeout_seconds, api.timeout_line), (Some(10), Some(6)));
    assert_eq!((api.memory_mb, api.memory_line), (Some(512), Some(15)));
    let report = &facts.functions[1];
    assert_eq!(report.name, "nightly-report");
    // Globals do not apply to plain Lambda resources; `!Ref` is unknown.
    assert_eq!(
        (report.timeout_seconds, report.timeout_line),
        (None, Some(25))
    );
    assert_eq!((report.memory_mb, report.memory_line), (Some(128), None));
    assert_eq!(
        detections(&catalog, &facts),
        [
            d("aws-sam", 2, "transform AWS::Serverless-2016-10-31"),
            d("aws-sam", 11, "resource Api (AWS::Serverless::Function)"),
            d(
                "cloudformation",
                11,
                "resource Api (AWS::Serverless::Function)"
            ),
            d(
                "cloudformation",
                20,
                "resource Report (AWS::Lambda::Function)"
            ),
            d("cloudformation", 26, "resource Db (AWS::RDS::DBInstance)"),
            d("mysql", 29, "Engine \"mysql\" in Db"),
            d("postgresql", 19, "connection URL in CACHE_URL"),
            d("sentry", 9, "environment SENTRY_DSN"),
        ]
    );
    assert!(!format!("{facts:?}").contains("s3cret"));
}

#[test]
fn plain_json_template_with_intrinsics_as_maps() {
    let text = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Orders": { "Type": "AWS::DynamoDB::Table" },
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "java21",
        "Timeout": "60",
        "MemorySize": { "Ref": "Memory" }
      }
    },
    "Cache": { "Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {} }
  }
}"#;
    let (catalog, facts) = detect_with(
        detect,
        &[(FileKind::JsonTemplate, "stack.template.json", text)],
    );
    let f = &facts.functions[0];
    assert_eq!(
        (f.source.as_str(), f.name.as_str()),
        ("cloudformation", "Fn")
    );
    assert_eq!((f.timeout_seconds, f.timeout_line), (Some(60), Some(9)));
    assert_eq!((f.memory_mb, f.memory_line), (None, Some(10)));
    assert_eq!(
        detections(&catalog, &facts),
        [
            d("cloudformation", 2, "AWSTemplateFormatVersion"),
            d(
                "cloudformation",
                4,
                "resource Orders (AWS::DynamoDB::Table)"
            ),
            d("cloudformation", 5, "resource Fn (AWS::Lambda::Function)"),
            d(
                "cloudformation",
                13,
                "resource Cache (AWS::ElastiCache::ReplicationGroup)"
            ),
            d("dynamodb", 4, "resource Orders (AWS::DynamoDB::Table)"),
            d("redis", 13, "Engine \"redis\" (default) in Cache"),
        ]
    );
}

#[test]
fn other_yaml_files_are_ignored_silently() {
    let kube = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let broken = "key: [unclosed\n";
    let mentions = "notes: \"AWS::S3::Bucket in Resources\"\n";
    let (_, facts) = detect_with(
        detect,
        &[
            (FileKind::Yaml, "k8s/cm.yaml", kube),
            (FileKind::Yaml, "broken.yaml", broken),
            (FileKind::Yaml, "notes.yaml", mentions),
        ],
    );
    assert!(facts.detections.is_empty());
    assert!(facts.problems.is_empty());
}

#[test]
fn a_template_recognised_by_its_resources_alone() {
    let text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Bad:\n    Properties: {}\n";
    let (catalog, facts) = detect_with(detect, &[(FileKind::Yaml, "infra/queue.yml", text)]);
    assert_eq!(
        detections(&catalog, &facts),
        [
            d("cloudformation", 1, "CloudFormation resources"),
            d("cloudformation", 2, "resource Queue (AWS::SQS::Queue)"),
        ]
    );
    assert_eq!(facts.problems[0].line, 4);
    assert_eq!(facts.problems[0].message, "resource `Bad` has no `Type`");
}

#[test]
fn a_broken_template_is_a_problem() {
    let text = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  A: [\n";
    let (_, facts) = detect_with(detect, &[(FileKind::Yaml, "template.yaml", text)]);
    assert_eq!(facts.problems.len(), 1);
    assert_eq!(facts.problems[0].path, "template.yaml");
    let text = "{\"AWSTemplateFormatVersion\": \"2010-09-09\",}";
    let (_, facts) = detect_with(detect, &[(FileKind::JsonTemplate, "template.json", text)]);
    assert_eq!(facts.problems.len(), 1);
}

#[test]
fn transform_lists_and_aurora_instances() {
    let text = r#"Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Instance:
    Type: AWS::RDS::DBInstance
    Properties:
      DBClusterIdentifier: !Ref Cluster
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-mysql
"#;
    let (catalog, facts) = detect_with(detect, &[(FileKind::Yaml, "t.yaml", text)]);
    let found = detections(&catalog, &facts);
    assert!(found.contains(&d("aws-sam", 1, "transform AWS::Serverless-2016-10-31")));
    assert!(found.contains(&d("mysql", 10, "Engine \"aurora-mysql\" in Cluster")));
    assert_eq!(found.iter().filter(|x| x.0 == "mysql").count(), 1);
}
