//! The Rust, Go and .NET fixture repositories scanned with a small inline
//! catalog: dependencies reach technologies through the catalog, and each
//! component gets the kind and tests its own files say. (The fixture
//! snapshots use the built-in catalog, which may not list these yet.)
#![allow(clippy::unwrap_used)]

mod common;

use common::component;
use stacklint::model::{ComponentKind, Stack};

/// One catalog file per category.
const CATALOG: &[&str] = &[
    r#"category = "language"
[[technology]]
id = "rust"
name = "Rust"
extensions = ["rs"]
[[technology]]
id = "go"
name = "Go"
extensions = ["go"]
[[technology]]
id = "csharp"
name = "C#"
extensions = ["cs"]
"#,
    r#"category = "framework"
[[technology]]
id = "axum"
name = "axum"
packages.cargo = ["axum"]
[[technology]]
id = "chi"
name = "chi"
packages.go = ["github.com/go-chi/chi", "github.com/go-chi/chi/v*"]
[[technology]]
id = "aspnet-core"
name = "ASP.NET Core"
packages.nuget = ["Microsoft.NET.Sdk.Web"]
"#,
    r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
packages.go = ["github.com/jackc/pgx*", "github.com/jackc/puddle*"]
packages.nuget = ["Npgsql*"]
"#,
    r#"category = "metrics"
[[technology]]
id = "prometheus"
name = "Prometheus"
packages.cargo = ["metrics-exporter-prometheus"]
packages.go = ["github.com/prometheus/client_golang"]
"#,
    r#"category = "testing"
[[technology]]
id = "xunit"
name = "xUnit.net"
packages.nuget = ["xunit"]
"#,
];

fn scan(fixture: &str) -> Stack {
    common::scan(&common::fixture(fixture), &common::catalog_of(CATALOG))
}

fn evidence_lines(stack: &Stack, tech: &str) -> Vec<(String, u32)> {
    stack
        .technologies
        .iter()
        .find(|t| t.id == tech)
        .map(|t| {
            t.evidence
                .iter()
                .map(|e| (e.path.clone(), e.line))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn cargo_workspace_members_are_a_server_a_tool_and_a_library() {
    let stack = scan("cargo-workspace");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    let api = component(&stack, "acme-api");
    assert_eq!(api.kind, ComponentKind::Server);
    assert!(api.has_tests);
    assert_eq!(api.workspace.as_deref(), Some("."));
    assert_eq!(api.technologies, ["axum", "prometheus", "rust"]);
    // The renamed dependency is found by its real name, on its own line.
    assert_eq!(
        evidence_lines(&stack, "prometheus"),
        [("crates/api/Cargo.toml".to_string(), 20)]
    );
    assert_eq!(component(&stack, "acme-cli").kind, ComponentKind::Tool);
    assert_eq!(component(&stack, "acme-core").kind, ComponentKind::Library);
}

#[test]
fn go_service_ignores_indirect_requirements() {
    let stack = scan("go-service");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    let service = component(&stack, "orders-service");
    assert_eq!(service.kind, ComponentKind::Server);
    assert!(service.has_tests);
    assert_eq!(service.lockfile.as_deref(), Some("go.sum"));
    // puddle is only an indirect requirement (and a replace target).
    assert_eq!(
        evidence_lines(&stack, "postgresql"),
        [("go.mod".to_string(), 9)]
    );
    assert_eq!(
        service.technologies,
        ["chi", "go", "postgresql", "prometheus"]
    );
}

#[test]
fn dotnet_api_maps_the_web_sdk_and_keeps_tests_apart() {
    let stack = scan("dotnet-api");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    let api = component(&stack, "Acme.Orders.Api");
    assert_eq!(api.kind, ComponentKind::Server);
    assert_eq!(api.technologies, ["aspnet-core", "csharp", "postgresql"]);
    assert_eq!(api.lockfile.as_deref(), Some("src/Api/packages.lock.json"));
    let tests = component(&stack, "Api.Tests");
    assert_eq!(tests.technologies, ["csharp", "xunit"]);
    assert_eq!(
        evidence_lines(&stack, "aspnet-core"),
        [("src/Api/Api.csproj".to_string(), 1)]
    );
}
