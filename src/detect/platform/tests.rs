//! Tests of the platform detector on in-memory files.

use super::functions::time_span_seconds;
use super::*;
use crate::detect::cloudformation::tests::detect_with;
use crate::detect::testing::{detections, function_rows};

fn run(files: &[(FileKind, &str, &str)]) -> Facts {
    detect_with(detect, files).1
}

fn problems(facts: &Facts) -> Vec<(&str, u32)> {
    facts
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.line))
        .collect()
}

#[test]
fn procfile_processes_are_services_of_their_directory() {
    let text = "web: gunicorn app.wsgi\n# comment\nworker: celery -A app worker\nrelease: ./manage.py migrate\noops\n";
    let facts = run(&[(FileKind::Procfile, "backend/Procfile", text)]);
    let services: Vec<(&str, u32, Option<&str>, ServiceOrigin)> = facts
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.line,
                s.build_context.as_deref(),
                s.origin,
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            ("web", 1, Some("backend"), ServiceOrigin::Procfile),
            ("worker", 3, Some("backend"), ServiceOrigin::Procfile),
            ("release", 4, Some("backend"), ServiceOrigin::Procfile),
        ]
    );
    assert_eq!(problems(&facts), [("backend/Procfile", 5)]);
}

#[test]
fn fly_app_with_checks_ports_and_dockerfile() {
    let text = r#"app = "orders"
[build]
  dockerfile = "../docker/api.Dockerfile"
[env]
  LOG_LEVEL = "info"
[http_service]
  internal_port = 8080
  [[http_service.checks]]
    path = "/healthz"
"#;
    let facts = run(&[(FileKind::FlyToml, "services/api/fly.toml", text)]);
    let s = &facts.services[0];
    assert_eq!(
        (s.name.as_str(), s.line, s.origin),
        ("orders", 1, ServiceOrigin::Platform)
    );
    assert_eq!(s.build_context.as_deref(), Some("services/api"));
    assert_eq!(
        s.dockerfile.as_deref(),
        Some("services/docker/api.Dockerfile")
    );
    assert_eq!(s.health_check, Some(true));
    assert_eq!(s.ports, ["8080"]);
    assert_eq!(s.env[0].name, "LOG_LEVEL");
    assert_eq!(s.env[0].line, 5);
}

#[test]
fn fly_app_without_name_or_checks_and_a_broken_one() {
    let facts = run(&[
        (
            FileKind::FlyToml,
            "fly.toml",
            "[build]\n  image = \"flyio/hellofly:latest\"\n",
        ),
        (FileKind::FlyToml, "bad/fly.toml", "app = \"x\"\n[build\n"),
        (
            FileKind::FlyToml,
            "escape/fly.toml",
            "[build]\ndockerfile = \"../../Dockerfile\"\n",
        ),
    ]);
    let s = &facts.services[0];
    assert_eq!(s.name, "app");
    assert_eq!(s.image.as_deref(), Some("flyio/hellofly:latest"));
    assert_eq!((s.dockerfile.as_deref(), s.health_check), (None, None));
    assert_eq!(facts.services[1].dockerfile, None);
    assert_eq!(
        problems(&facts),
        [("bad/fly.toml", 2), ("escape/fly.toml", 2)]
    );
}

#[test]
fn app_engine_services_with_checks_and_scaling() {
    let text = "runtime: python312\nservice: api\nreadiness_check:\n  path: /ready\nmanual_scaling:\n  instances: 3\nenv_variables:\n  DJANGO_SETTINGS_MODULE: app.settings\n";
    let facts = run(&[
        (FileKind::AppYaml, "api/app.yaml", text),
        (FileKind::AppYaml, "app.yaml", "runtime: nodejs20\n"),
        (
            FileKind::AppYaml,
            "config/app.yaml",
            "name: not app engine\n",
        ),
        (
            FileKind::AppYaml,
            "legacy/app.yaml",
            "runtime: go\nhealth_check:\n  enable_health_check: false\n",
        ),
    ]);
    let got: Vec<_> = facts
        .services
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.line,
                s.build_context.as_deref(),
                s.health_check,
                s.replicas,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("api", 2, Some("api"), Some(true), Some(3)),
            ("default", 1, Some(""), None, None),
            ("default", 1, Some("legacy"), Some(false), None),
        ]
    );
    assert_eq!(facts.services[0].env[0].name, "DJANGO_SETTINGS_MODULE");
}

#[test]
fn digitalocean_app_spec_services_workers_and_databases() {
    let text = r#"name: shop
services:
  - name: api
    source_dir: backend
    dockerfile_path: backend/Dockerfile
    http_port: 8000
    instance_count: 2
    health_check:
      http_path: /health
    envs:
      - key: DATABASE_URL
        value: ${db.DATABASE_URL}
      - key: API_TOKEN
        type: SECRET
        value: EV[1:abc:def]
workers:
  - name: jobs
    image:
      registry_type: DOCR
      repository: shop-jobs
      tag: "1.4"
  - source_dir: nameless
  - name: escapee
    source_dir: ../outside
databases:
  - name: db
    engine: MYSQL
"#;
    let (catalog, facts) = detect_with(detect, &[(FileKind::AppYaml, ".do/app.yaml", text)]);
    let api = &facts.services[0];
    assert_eq!((api.name.as_str(), api.line), ("api", 3));
    assert_eq!(api.build_context.as_deref(), Some("backend"));
    assert_eq!(api.dockerfile.as_deref(), Some("backend/Dockerfile"));
    assert_eq!((api.health_check, api.replicas), (Some(true), Some(2)));
    assert_eq!(api.ports, ["8000"]);
    let env: Vec<(&str, Option<&str>)> = api
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_deref()))
        .collect();
    assert_eq!(
        env,
        [
            ("DATABASE_URL", Some("${db.DATABASE_URL}")),
            ("API_TOKEN", None)
        ]
    );
    let jobs = &facts.services[1];
    assert_eq!(jobs.image.as_deref(), Some("shop-jobs:1.4"));
    assert_eq!(
        (jobs.build_context.as_deref(), jobs.health_check),
        (Some(""), None)
    );
    assert_eq!(facts.services[2].build_context, None);
    assert_eq!(
        problems(&facts),
        [(".do/app.yaml", 22), (".do/app.yaml", 24)]
    );
    assert_eq!(
        detections(&catalog, &facts),
        [(
            "mysql".to_string(),
            27,
            "engine \"MYSQL\" in database db".to_string()
        )]
    );
}

#[test]
fn vercel_functions_with_limits() {
    let text = r#"{
  "functions": {
    "api/**/*.ts": { "maxDuration": 60, "memory": 1024 },
    "api/legacy.php": { "runtime": "vercel-php@0.7.1" },
    "api/bad.js": 5
  }
}"#;
    let facts = run(&[(FileKind::VercelJson, "web/vercel.json", text)]);
    let got = function_rows(&facts.functions);
    assert_eq!(
        got,
        [
            (
                "api/**/*.ts",
                3,
                None,
                Some(60),
                Some(3),
                Some(1024),
                Some(3)
            ),
            (
                "api/legacy.php",
                4,
                Some("vercel-php@0.7.1"),
                None,
                None,
                None,
                None
            ),
        ]
    );
    assert!(facts.functions.iter().all(|f| f.platform == "vercel"));
    assert_eq!(problems(&facts), [("web/vercel.json", 5)]);
}

#[test]
fn azure_function_apps_from_host_json() {
    let facts = run(&[
        (
            FileKind::HostJson,
            "functions/orders/host.json",
            "{\n  // comments are fine here\n  \"version\": \"2.0\",\n  \"functionTimeout\": \"00:10:00\"\n}\n",
        ),
        (
            FileKind::HostJson,
            "functions/billing/host.json",
            "{ \"version\": \"2.0\" }",
        ),
        (
            FileKind::HostJson,
            "functions/premium/host.json",
            "{ \"functionTimeout\": \"-1\" }",
        ),
        (
            FileKind::HostJson,
            "functions/bad/host.json",
            "{ \"functionTimeout\": \"ten minutes\" }",
        ),
    ]);
    let got: Vec<(&str, Option<u64>, Option<u32>)> = facts
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.timeout_seconds, f.timeout_line))
        .collect();
    assert_eq!(
        got,
        [
            ("orders", Some(600), Some(4)),
            ("billing", None, None),
            ("premium", None, Some(1)),
            ("bad", None, Some(1)),
        ]
    );
    assert!(
        facts
            .functions
            .iter()
            .all(|f| f.platform == "azure-functions")
    );
    assert_eq!(problems(&facts), [("functions/bad/host.json", 1)]);
}

#[test]
fn time_spans() {
    assert_eq!(time_span_seconds("00:05:00"), Some(300));
    assert_eq!(time_span_seconds("01:30"), Some(5400));
    assert_eq!(time_span_seconds("1.02:00:00"), Some(93_600));
    assert_eq!(time_span_seconds("00:00:30.500"), Some(30));
    assert_eq!(time_span_seconds("-1"), None);
    assert_eq!(time_span_seconds("00:61:00"), None);
    assert_eq!(time_span_seconds("1:2:3:4"), None);
    assert_eq!(time_span_seconds("99999999999999999.00:00:00"), None);
}

#[test]
fn validity_only_files() {
    let facts = run(&[
        (
            FileKind::CdkJson,
            "cdk.json",
            "{\"app\": \"npx ts-node bin/app.ts\"}",
        ),
        (FileKind::CdkJson, "bad/cdk.json", "{\"app\": }"),
        (
            FileKind::PulumiYaml,
            "Pulumi.yaml",
            "name: infra\nruntime:\n  name: python\n",
        ),
        (FileKind::PulumiYaml, "bad/Pulumi.yaml", "name: [x\n"),
        (
            FileKind::NetlifyToml,
            "netlify.toml",
            "[build]\ncommand = \"npm run build\"\n[functions]\ndirectory = \"netlify/functions\"\n",
        ),
        (FileKind::NetlifyToml, "bad/netlify.toml", "[build\n"),
    ]);
    let paths: Vec<&str> = facts.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["bad/cdk.json", "bad/Pulumi.yaml", "bad/netlify.toml"]
    );
    assert!(facts.services.is_empty() && facts.functions.is_empty());
}
