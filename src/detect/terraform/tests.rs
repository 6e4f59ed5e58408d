//! Tests of the Terraform detector on in-memory files with a small catalog.

use super::functions::memory_mb;
use super::*;
use crate::catalog::Catalog;
use crate::detect::testing::{self, detections};

const CATALOG: &str = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
engines = ["postgres", "aurora-postgresql", "POSTGRES_*"]
[[technology]]
id = "redis"
name = "Redis"
engines = ["redis"]
[[technology]]
id = "dynamodb"
name = "DynamoDB"
terraform = ["aws_dynamodb_*"]
[[technology]]
id = "aws"
name = "AWS"
terraform_providers = ["aws"]
terraform = ["aws_*"]
[[technology]]
id = "aws-lambda"
name = "AWS Lambda"
terraform = ["aws_lambda_*"]
"#;

fn detect_files(files: &[(&str, &str)]) -> (Catalog, Facts) {
    let catalog = testing::catalog(CATALOG);
    let files: Vec<(FileKind, &str, &str)> = files
        .iter()
        .map(|(path, text)| (FileKind::Terraform, *path, *text))
        .collect();
    let facts = testing::run(detect, &catalog, &files);
    (catalog, facts)
}

#[test]
fn providers_from_required_providers_and_provider_blocks() {
    let text = r#"terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    amazon = {
      source = "hashicorp/aws"
    }
    random = "~> 3.0"
  }
}

provider "aws" {
  region = "eu-west-1"
}
"#;
    let (catalog, facts) = detect_files(&[("infra/main.tf", text)]);
    assert_eq!(
        facts.terraform.providers,
        ["aws", "amazon", "random", "aws"]
    );
    assert_eq!(
        detections(&catalog, &facts),
        [
            ("aws".to_string(), 4, "provider aws".to_string()),
            ("aws".to_string(), 8, "provider amazon".to_string()),
            ("aws".to_string(), 15, "provider aws".to_string()),
        ]
    );
    assert!(facts.problems.is_empty());
}

#[test]
fn resources_keep_literal_attributes_and_never_secrets() {
    let text = r#"resource "aws_db_instance" "main" {
  identifier          = "orders"
  engine              = "postgres"
  engine_version      = "16.3"
  allocated_storage   = 20
  publicly_accessible = true
  username            = "app"
  password            = "hunter2-literal"
  master_password     = var.db_password
  db_name             = "${var.prefix}orders"
  tags                = { team = "core" }
}

data "aws_dynamodb_table" "legacy" {
  name = "legacy"
}
"#;
    let (catalog, facts) = detect_files(&[("main.tf", text)]);
    let db = &facts.terraform.resources[0];
    assert_eq!(
        (
            db.mode.as_str(),
            db.resource_type.as_str(),
            db.name.as_str(),
            db.line
        ),
        ("resource", "aws_db_instance", "main", 1)
    );
    let attrs: Vec<(&str, &str, u32)> = db
        .attributes
        .iter()
        .map(|(k, a)| (k.as_str(), a.value.as_str(), a.line))
        .collect();
    assert_eq!(
        attrs,
        [
            ("allocated_storage", "20", 5),
            ("engine", "postgres", 3),
            ("engine_version", "16.3", 4),
            ("identifier", "orders", 2),
            ("publicly_accessible", "true", 6),
            ("username", "app", 7),
        ]
    );
    let debug = format!("{facts:?}");
    assert!(!debug.contains("hunter2"), "a literal password leaked");
    let data = &facts.terraform.resources[1];
    assert_eq!((data.mode.as_str(), data.line), ("data", 14));
    assert_eq!(
        detections(&catalog, &facts),
        [
            (
                "aws".to_string(),
                1,
                "resource aws_db_instance.main".to_string()
            ),
            (
                "aws".to_string(),
                14,
                "data aws_dynamodb_table.legacy".to_string()
            ),
            (
                "dynamodb".to_string(),
                14,
                "data aws_dynamodb_table.legacy".to_string()
            ),
            (
                "postgresql".to_string(),
                3,
                "engine \"postgres\" in aws_db_instance.main".to_string()
            ),
        ]
    );
}

#[test]
fn engines_default_computed_and_google_versions() {
    let text = r#"resource "aws_elasticache_replication_group" "cache" {
  description = "sessions"
}
resource "aws_rds_cluster" "computed" {
  engine = var.engine
}
resource "google_sql_database_instance" "main" {
  database_version = "POSTGRES_15"
}
"#;
    let (catalog, facts) = detect_files(&[("db.tf", text)]);
    let engines: Vec<(String, u32, String)> = detections(&catalog, &facts)
        .into_iter()
        .filter(|(id, _, _)| id != "aws")
        .collect();
    assert_eq!(
        engines,
        [
            (
                "postgresql".to_string(),
                8,
                "database_version \"POSTGRES_15\" in google_sql_database_instance.main".to_string()
            ),
            (
                "redis".to_string(),
                1,
                "engine \"redis\" (default) in aws_elasticache_replication_group.cache".to_string()
            ),
        ]
    );
}

#[test]
fn lambda_functions_with_defaults_and_unknown_values() {
    let text = r#"resource "aws_lambda_function" "worker" {
  function_name = "orders-worker"
  runtime       = "python3.12"
  timeout       = 900
  memory_size   = 3008
}

resource "aws_lambda_function" "defaults" {
  function_name = "${var.prefix}-defaults"
  package_type  = "Image"
  timeout       = var.timeout
}
"#;
    let (_, facts) = detect_files(&[("lambda.tf", text)]);
    let f = &facts.functions[0];
    assert_eq!(
        (
            f.name.as_str(),
            f.platform.as_str(),
            f.source.as_str(),
            f.line
        ),
        ("orders-worker", "aws-lambda", "terraform", 1)
    );
    assert_eq!(f.runtime.as_deref(), Some("python3.12"));
    assert_eq!((f.timeout_seconds, f.timeout_line), (Some(900), Some(4)));
    assert_eq!((f.memory_mb, f.memory_line), (Some(3008), Some(5)));
    let d = &facts.functions[1];
    // An interpolated name falls back to the resource name.
    assert_eq!(d.name, "defaults");
    assert_eq!(d.runtime, None);
    // Written as an expression: unknown, but we know where.
    assert_eq!((d.timeout_seconds, d.timeout_line), (None, Some(11)));
    // Left out: the AWS default.
    assert_eq!((d.memory_mb, d.memory_line), (Some(128), None));
}

#[test]
fn google_cloud_functions_both_generations() {
    let text = r#"resource "google_cloudfunctions_function" "v1" {
  name                = "thumbnails"
  runtime             = "nodejs20"
  available_memory_mb = 512
}

resource "google_cloudfunctions2_function" "v2" {
  name = "ingest"
  build_config {
    runtime     = "go122"
    entry_point = "Ingest"
  }
  service_config {
    available_memory = "1Gi"
    timeout_seconds  = 300
  }
}
"#;
    let (_, facts) = detect_files(&[("gcf.tf", text)]);
    let v1 = &facts.functions[0];
    assert_eq!(v1.platform, "google-cloud-functions");
    assert_eq!((v1.timeout_seconds, v1.timeout_line), (Some(60), None));
    assert_eq!((v1.memory_mb, v1.memory_line), (Some(512), Some(4)));
    let v2 = &facts.functions[1];
    assert_eq!(
        (v2.name.as_str(), v2.runtime.as_deref()),
        ("ingest", Some("go122"))
    );
    assert_eq!((v2.timeout_seconds, v2.timeout_line), (Some(300), Some(15)));
    assert_eq!((v2.memory_mb, v2.memory_line), (Some(1024), Some(14)));
}

#[test]
fn memory_units_convert_to_megabytes() {
    assert_eq!(memory_mb("256M"), Some(256));
    assert_eq!(memory_mb("512Mi"), Some(512));
    assert_eq!(memory_mb("2G"), Some(2048));
    assert_eq!(memory_mb("1Gi"), Some(1024));
    assert_eq!(memory_mb("131072k"), Some(128));
    assert_eq!(memory_mb("268435456"), Some(256));
    assert_eq!(memory_mb("lots"), None);
    assert_eq!(memory_mb("1T"), None);
    assert_eq!(memory_mb("99999999999999999999G"), None);
}

#[test]
fn modules_and_malformed_blocks() {
    let text = r#"module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.8.1"
}
module "local" {
  source = "./modules/queue"
}
module "private" {
  source = "git::https://deploy:glpat-s3cr3t@gitlab.example.com/infra/modules.git//db?ref=v2"
}
resource "aws_sqs_queue" {
}
provider {
}
"#;
    let (_, facts) = detect_files(&[("main.tf", text)]);
    let modules: Vec<(&str, Option<&str>, u32)> = facts
        .terraform
        .modules
        .iter()
        .map(|m| (m.name.as_str(), m.source.as_deref(), m.line))
        .collect();
    assert_eq!(
        modules,
        [
            ("vpc", Some("terraform-aws-modules/vpc/aws"), 1),
            ("local", Some("./modules/queue"), 5),
            (
                "private",
                Some("git::https://deploy:****@gitlab.example.com/infra/modules.git//db?ref=v2"),
                8
            ),
        ]
    );
    let problems: Vec<(u32, &str)> = facts
        .problems
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [
            (11, "`resource` block needs a type and a name"),
            (13, "`provider` block needs a name"),
        ]
    );
}

#[test]
fn syntax_errors_are_problems_and_downloaded_modules_are_skipped() {
    let (_, facts) = detect_files(&[
        (
            "broken/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n",
        ),
        (
            "infra/.terraform/modules/vpc/main.tf",
            "resource \"aws_vpc\" \"this\" {}\n",
        ),
        ("empty.tf", ""),
    ]);
    assert_eq!(facts.problems.len(), 1);
    assert_eq!(facts.problems[0].path, "broken/main.tf");
    assert!(facts.problems[0].line >= 2);
    assert!(facts.terraform.resources.is_empty());
}
