//! Serverless functions Terraform deploys: `aws_lambda_function`,
//! `google_cloudfunctions_function` (1st gen) and
//! `google_cloudfunctions2_function` (2nd gen), with their runtime, timeout
//! and memory. A setting left out takes the provider's documented default
//! (with no line); a setting written as an expression is unknown (with its
//! line), never a guess.

use crate::model::Function;
use crate::parse::hcl::{Block, Body};
use crate::source::SourceFile;

/// Per resource type: platform, timeout default (seconds), memory default (MB).
const AWS_LAMBDA: (&str, u64, u64) = ("aws-lambda", 3, 128);
const GOOGLE_FUNCTIONS: (&str, u64, u64) = ("google-cloud-functions", 60, 256);

/// A setting as a function reads it: its value (`None` when unknown) and the
/// line where it is written (`None` when it is the default).
type Setting = (Option<u64>, Option<u32>);

pub(super) fn function(
    src: &SourceFile,
    block: &Block,
    resource_type: &str,
    name: &str,
) -> Option<Function> {
    let body = &block.body;
    let (platform, timeout, memory, runtime, name_attribute) = match resource_type {
        "aws_lambda_function" => (
            AWS_LAMBDA.0,
            number(src, body, "timeout", AWS_LAMBDA.1),
            number(src, body, "memory_size", AWS_LAMBDA.2),
            literal(body, "runtime"),
            "function_name",
        ),
        "google_cloudfunctions_function" => (
            GOOGLE_FUNCTIONS.0,
            number(src, body, "timeout", GOOGLE_FUNCTIONS.1),
            number(src, body, "available_memory_mb", GOOGLE_FUNCTIONS.2),
            literal(body, "runtime"),
            "name",
        ),
        "google_cloudfunctions2_function" => {
            let build = body.blocks_named("build_config").next();
            let service = body.blocks_named("service_config").next();
            let timeout = service.map_or((Some(GOOGLE_FUNCTIONS.1), None), |s| {
                number(src, &s.body, "timeout_seconds", GOOGLE_FUNCTIONS.1)
            });
            let memory = service.map_or((Some(GOOGLE_FUNCTIONS.2), None), |s| {
                memory_setting(src, &s.body, "available_memory", GOOGLE_FUNCTIONS.2)
            });
            (
                GOOGLE_FUNCTIONS.0,
                timeout,
                memory,
                build.and_then(|b| literal(&b.body, "runtime")),
                "name",
            )
        }
        _ => return None,
    };
    Some(Function {
        name: literal(body, name_attribute).unwrap_or_else(|| name.to_string()),
        platform: platform.to_string(),
        source: "terraform".to_string(),
        path: src.path.clone(),
        line: src.line(block.span.start),
        runtime,
        timeout_seconds: timeout.0,
        timeout_line: timeout.1,
        memory_mb: memory.0,
        memory_line: memory.1,
    })
}

/// A literal string attribute.
fn literal(body: &Body, key: &str) -> Option<String> {
    body.attribute(key)
        .and_then(|a| a.value.as_str())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A whole-number attribute, or `default` when it is left out.
fn number(src: &SourceFile, body: &Body, key: &str, default: u64) -> Setting {
    match body.attribute(key) {
        Some(attr) => (attr.value.as_u64(), Some(src.line(attr.key_span.start))),
        None => (Some(default), None),
    }
}

/// A memory size such as `"512M"` or `"1Gi"` in MB, or `default_mb` when it
/// is left out.
fn memory_setting(src: &SourceFile, body: &Body, key: &str, default_mb: u64) -> Setting {
    match body.attribute(key) {
        Some(attr) => (
            attr.value.as_str().and_then(memory_mb),
            Some(src.line(attr.key_span.start)),
        ),
        None => (Some(default_mb), None),
    }
}

/// Cloud Functions memory (`256M`, `512Mi`, `1G`, `1Gi`, `131072k`) in MB.
/// Like the Cloud console, `M` and `Mi` (and `G` and `Gi`) are both counted
/// as the platform's memory tiers are named: 1G is 1024 MB. A bare number is
/// bytes.
pub(super) fn memory_mb(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(digits_end);
    let amount: u64 = digits.parse().ok()?;
    match unit.trim() {
        "" => Some(amount / (1024 * 1024)),
        "k" | "K" | "Ki" => Some(amount / 1024),
        "M" | "Mi" => Some(amount),
        "G" | "Gi" => amount.checked_mul(1024),
        _ => None,
    }
}
