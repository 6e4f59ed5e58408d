//! The operations half of the built-in catalog (observability, cloud, containers,
//! orchestration, IaC, serverless, CI, testing, lint, security scanning, ...):
//! concrete names from every ecosystem resolve to the right technology through
//! the public matching API, and look-alike names do not.
#![allow(clippy::unwrap_used)]

mod common;

use common::builtin_catalog as catalog;
use stacklint::catalog::{Catalog, TechId};
use stacklint::model::Ecosystem;

/// The catalog files this part of the catalog owns.
const OWNED_CATEGORIES: &[&str] = &[
    "logging",
    "metrics",
    "tracing",
    "apm",
    "error-tracking",
    "health",
    "cloud",
    "container",
    "orchestration",
    "proxy",
    "iac",
    "serverless",
    "ci",
    "testing",
    "lint",
    "security-scan",
    "dependency-updates",
    "load-testing",
    "monorepo",
    "build",
];

fn ids(catalog: &Catalog, found: impl IntoIterator<Item = TechId>) -> Vec<String> {
    let mut out: Vec<String> = found
        .into_iter()
        .map(|t| catalog.get(t).id.clone())
        .collect();
    out.sort();
    out
}

/// Asserts that `found` names `expected` (other technologies may come too).
#[track_caller]
fn assert_has(catalog: &Catalog, what: &str, found: Vec<TechId>, expected: &str) {
    let found = ids(catalog, found);
    assert!(
        found.iter().any(|id| id == expected),
        "{what}: expected {expected}, got {found:?}"
    );
}

/// Asserts that `found` is exactly `expected`.
#[track_caller]
fn assert_exactly(catalog: &Catalog, what: &str, found: Vec<TechId>, expected: &[&str]) {
    let found = ids(catalog, found);
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected, "{what}");
}

#[test]
fn packages_of_every_ecosystem_resolve() {
    let c = catalog();
    let cases: &[(Ecosystem, &str, &str)] = &[
        // npm
        (Ecosystem::Node, "pino-http", "pino"),
        (Ecosystem::Node, "@opentelemetry/sdk-node", "opentelemetry"),
        (Ecosystem::Node, "dd-trace", "datadog"),
        (Ecosystem::Node, "prom-client", "prometheus"),
        (Ecosystem::Node, "@nestjs/terminus", "terminus"),
        (Ecosystem::Node, "@aws-sdk/client-s3", "aws"),
        (Ecosystem::Node, "@google-cloud/storage", "gcp"),
        (Ecosystem::Node, "@azure/identity", "azure"),
        (Ecosystem::Node, "@types/aws-lambda", "aws-lambda"),
        (
            Ecosystem::Node,
            "@cloudflare/workers-types",
            "cloudflare-workers",
        ),
        (Ecosystem::Node, "aws-cdk-lib", "aws-cdk"),
        (Ecosystem::Node, "@pulumi/aws", "pulumi"),
        (Ecosystem::Node, "@typescript-eslint/parser", "eslint"),
        (Ecosystem::Node, "@stylistic/eslint-plugin", "eslint"),
        (Ecosystem::Node, "@playwright/test", "playwright"),
        (
            Ecosystem::Node,
            "@testcontainers/postgresql",
            "testcontainers",
        ),
        (Ecosystem::Node, "@nx/workspace", "nx"),
        (Ecosystem::Node, "@types/k6", "k6"),
        // PyPI, compared after PEP 503 normalisation
        (Ecosystem::Python, "OpenTelemetry_SDK", "opentelemetry"),
        (Ecosystem::Python, "sentry-sdk[fastapi]", "sentry"),
        (
            Ecosystem::Python,
            "Django-Health-Check",
            "django-health-check",
        ),
        (Ecosystem::Python, "prometheus_client", "prometheus"),
        (
            Ecosystem::Python,
            "python_json_logger",
            "python-json-logger",
        ),
        (Ecosystem::Python, "boto3", "aws"),
        (Ecosystem::Python, "google.cloud.storage", "gcp"),
        (Ecosystem::Python, "azure-functions", "azure-functions"),
        (Ecosystem::Python, "aws_lambda_powertools", "aws-lambda"),
        (Ecosystem::Python, "pytest-asyncio", "pytest"),
        (Ecosystem::Python, "Locust", "locust"),
        (Ecosystem::Python, "ruff", "ruff"),
        // Go module paths
        (Ecosystem::Go, "go.uber.org/zap", "zap"),
        (Ecosystem::Go, "github.com/rs/zerolog", "zerolog"),
        (
            Ecosystem::Go,
            "github.com/prometheus/client_golang",
            "prometheus",
        ),
        (
            Ecosystem::Go,
            "go.opentelemetry.io/otel/sdk",
            "opentelemetry",
        ),
        (
            Ecosystem::Go,
            "github.com/getsentry/sentry-go/otel",
            "sentry",
        ),
        (
            Ecosystem::Go,
            "github.com/aws/aws-sdk-go-v2/service/s3",
            "aws",
        ),
        (Ecosystem::Go, "github.com/aws/aws-lambda-go", "aws-lambda"),
        (Ecosystem::Go, "github.com/stretchr/testify", "testify"),
        (
            Ecosystem::Go,
            "github.com/testcontainers/testcontainers-go/modules/postgres",
            "testcontainers",
        ),
        (Ecosystem::Go, "k8s.io/client-go", "kubernetes"),
        // crates, `-` and `_` folded
        (Ecosystem::Rust, "tracing-subscriber", "tracing"),
        (Ecosystem::Rust, "opentelemetry_sdk", "opentelemetry"),
        (Ecosystem::Rust, "aws-sdk-s3", "aws"),
        (Ecosystem::Rust, "lambda_runtime", "aws-lambda"),
        (Ecosystem::Rust, "sentry-tracing", "sentry"),
        (Ecosystem::Rust, "kube", "kubernetes"),
        // Maven and Gradle: coordinates, Gradle plugin ids, Maven plugins
        (Ecosystem::Jvm, "ch.qos.logback:logback-classic", "logback"),
        (
            Ecosystem::Jvm,
            "org.apache.logging.log4j:log4j-core",
            "log4j2",
        ),
        (
            Ecosystem::Jvm,
            "io.micrometer:micrometer-registry-prometheus",
            "micrometer",
        ),
        (
            Ecosystem::Jvm,
            "io.micrometer:micrometer-registry-prometheus",
            "prometheus",
        ),
        (
            Ecosystem::Jvm,
            "io.opentelemetry.instrumentation:opentelemetry-spring-boot-starter",
            "opentelemetry",
        ),
        (Ecosystem::Jvm, "org.junit.jupiter:junit-jupiter", "junit"),
        (Ecosystem::Jvm, "com.google.cloud.tools.jib", "jib"),
        (
            Ecosystem::Jvm,
            "com.google.cloud.tools:jib-maven-plugin",
            "jib",
        ),
        (Ecosystem::Jvm, "software.amazon.awssdk:s3", "aws"),
        (
            Ecosystem::Jvm,
            "org.testcontainers:postgresql",
            "testcontainers",
        ),
        (Ecosystem::Jvm, "org.sonarqube", "sonarqube"),
        (Ecosystem::Jvm, "io.gitlab.arturbosch.detekt", "detekt"),
        // NuGet, case-insensitive
        (Ecosystem::Dotnet, "Serilog.AspNetCore", "serilog"),
        (Ecosystem::Dotnet, "serilog.sinks.console", "serilog"),
        (
            Ecosystem::Dotnet,
            "AspNetCore.HealthChecks.NpgSql",
            "aspnet-healthchecks",
        ),
        (
            Ecosystem::Dotnet,
            "Microsoft.Azure.Functions.Worker",
            "azure-functions",
        ),
        (Ecosystem::Dotnet, "AWSSDK.S3", "aws"),
        (Ecosystem::Dotnet, "Amazon.Lambda.Core", "aws-lambda"),
        (
            Ecosystem::Dotnet,
            "OpenTelemetry.Extensions.Hosting",
            "opentelemetry",
        ),
        (Ecosystem::Dotnet, "xunit.runner.visualstudio", "xunit"),
        (Ecosystem::Dotnet, "NUnit3TestAdapter", "nunit"),
        (Ecosystem::Dotnet, "MSTest.TestFramework", "mstest"),
        // RubyGems
        (Ecosystem::Ruby, "sentry-ruby", "sentry"),
        (Ecosystem::Ruby, "Lograge", "lograge"),
        (Ecosystem::Ruby, "rails_semantic_logger", "semantic-logger"),
        (Ecosystem::Ruby, "rspec-rails", "rspec"),
        (Ecosystem::Ruby, "newrelic_rpm", "newrelic"),
        (Ecosystem::Ruby, "aws-sdk-s3", "aws"),
        (Ecosystem::Ruby, "skylight", "skylight"),
        // Composer, case-insensitive
        (Ecosystem::Php, "monolog/monolog", "monolog"),
        (Ecosystem::Php, "phpunit/phpunit", "phpunit"),
        (Ecosystem::Php, "sentry/sentry-laravel", "sentry"),
        (Ecosystem::Php, "Bref/Bref", "aws-lambda"),
        (Ecosystem::Php, "phpstan/phpstan", "phpstan"),
        // Hex
        (Ecosystem::Elixir, "opentelemetry_phoenix", "opentelemetry"),
        (Ecosystem::Elixir, "sentry", "sentry"),
        (Ecosystem::Elixir, "credo", "credo"),
        (Ecosystem::Elixir, "ex_aws_s3", "aws"),
    ];
    for (eco, name, expected) in cases {
        assert_has(
            &c,
            &format!("{eco} package {name}"),
            c.match_package(*eco, name),
            expected,
        );
    }
}

#[test]
fn packages_are_claimed_only_by_what_they_are() {
    let c = catalog();
    assert_exactly(
        &c,
        "@sentry/node",
        c.match_package(Ecosystem::Node, "@sentry/node"),
        &["sentry"],
    );
    assert_exactly(
        &c,
        "dd-trace",
        c.match_package(Ecosystem::Node, "dd-trace"),
        &["datadog"],
    );
    assert_exactly(
        &c,
        "spring-boot-starter-actuator",
        c.match_package(
            Ecosystem::Jvm,
            "org.springframework.boot:spring-boot-starter-actuator",
        ),
        &["spring-boot", "spring-boot-actuator"],
    );
    // A build tool published by Vercel is not the Vercel platform.
    assert_exactly(
        &c,
        "@vercel/ncc",
        c.match_package(Ecosystem::Node, "@vercel/ncc"),
        &[],
    );
    // `serverless-http` adapts an app to Lambda; it is not the Serverless Framework.
    assert!(
        !ids(&c, c.match_package(Ecosystem::Node, "serverless-http"))
            .contains(&"serverless-framework".to_string())
    );
    // Jib's group lies under com.google.cloud but Jib is not Google Cloud.
    assert_exactly(
        &c,
        "jib plugin",
        c.match_package(Ecosystem::Jvm, "com.google.cloud.tools:jib-maven-plugin"),
        &["jib"],
    );
    // DataDog publishes unrelated Go libraries too.
    assert_exactly(
        &c,
        "github.com/DataDog/zstd",
        c.match_package(Ecosystem::Go, "github.com/DataDog/zstd"),
        &[],
    );
    // Ecosystems do not leak into each other.
    assert_exactly(
        &c,
        "pypi name under npm",
        c.match_package(Ecosystem::Node, "sentry-sdk"),
        &[],
    );
    assert_exactly(
        &c,
        "pino as a gem",
        c.match_package(Ecosystem::Ruby, "pino"),
        &[],
    );
}

#[test]
fn images_resolve_with_tags_digests_and_registries() {
    let c = catalog();
    let cases: &[(&str, &str)] = &[
        ("prom/prometheus:v2.53.0", "prometheus"),
        ("quay.io/prometheus/node-exporter:latest", "prometheus"),
        ("grafana/grafana-oss:11.1.0", "grafana"),
        ("grafana/loki:3.1.0", "loki"),
        (
            "otel/opentelemetry-collector-contrib:0.104.0",
            "opentelemetry",
        ),
        ("jaegertracing/all-in-one:1.58", "jaeger"),
        ("openzipkin/zipkin", "zipkin"),
        ("docker.io/library/nginx:1.27-alpine", "nginx"),
        ("nginxinc/nginx-unprivileged:stable", "nginx"),
        ("traefik:v3.1", "traefik"),
        ("envoyproxy/envoy:v1.31-latest", "envoy"),
        ("caddy:2-alpine", "caddy"),
        ("haproxy:3.0@sha256:0123abcd", "haproxy"),
        ("gcr.io/datadoghq/agent:7", "datadog"),
        ("localstack/localstack:3", "localstack"),
        (
            "mcr.microsoft.com/azure-functions/dotnet-isolated:4",
            "azure-functions",
        ),
        ("public.ecr.aws/lambda/python:3.12", "aws-lambda"),
        ("mcr.microsoft.com/playwright:v1.45.0-jammy", "playwright"),
        ("cypress/included:13.13.0", "cypress"),
        ("hashicorp/terraform:1.9", "terraform"),
        ("aquasec/trivy:0.54.1", "trivy"),
        ("docker:27-dind", "docker"),
    ];
    for (image, expected) in cases {
        assert_has(
            &c,
            &format!("image {image}"),
            c.match_image(image),
            expected,
        );
    }
    for near_miss in [
        "ghcr.io/acme/nginx-proxy:1",
        "ghcr.io/acme/prometheus-exporter",
        "acme/traefik-config",
        "traefik/whoami",
        "registry.example.com/team/sentry-relay-config",
        "nginx-unit",
        "kong/httpbin",
    ] {
        assert_exactly(&c, near_miss, c.match_image(near_miss), &[]);
    }
}

#[test]
fn platform_and_tool_files_are_markers() {
    let c = catalog();
    let cases: &[(&str, &str)] = &[
        // CI providers
        (".github/workflows/ci.yml", "github-actions"),
        (".github/workflows/release.yaml", "github-actions"),
        (".gitlab-ci.yml", "gitlab-ci"),
        (".circleci/config.yml", "circleci"),
        ("azure-pipelines.yml", "azure-pipelines"),
        ("Jenkinsfile", "jenkins"),
        ("bitbucket-pipelines.yml", "bitbucket-pipelines"),
        (".travis.yml", "travis-ci"),
        (".buildkite/pipeline.yml", "buildkite"),
        ("cloudbuild.yaml", "google-cloud-build"),
        ("buildspec.yml", "aws-codebuild"),
        (".drone.yml", "drone"),
        // platforms
        ("Procfile", "heroku"),
        ("fly.toml", "fly-io"),
        ("vercel.json", "vercel"),
        ("apps/web/vercel.json", "vercel"),
        ("netlify.toml", "netlify"),
        ("app.yaml", "gcp"),
        ("services/frontend/app.yaml", "gcp"),
        (".do/app.yaml", "digitalocean"),
        ("firebase.json", "firebase"),
        ("wrangler.toml", "cloudflare"),
        ("wrangler.toml", "cloudflare-workers"),
        ("supabase/config.toml", "supabase"),
        // IaC and serverless
        ("infra/main.tf", "terraform"),
        ("infra/.terraform.lock.hcl", "terraform"),
        ("infra/main.tofu", "opentofu"),
        ("Pulumi.yaml", "pulumi"),
        ("Pulumi.production.yaml", "pulumi"),
        ("cdk.json", "aws-cdk"),
        ("samconfig.toml", "aws-sam"),
        ("infra/main.bicep", "bicep"),
        ("serverless.yml", "serverless-framework"),
        ("ansible.cfg", "ansible"),
        ("crossplane.yaml", "crossplane"),
        ("host.json", "azure-functions"),
        // containers and orchestration
        ("Dockerfile", "docker"),
        ("deploy/Dockerfile.prod", "docker"),
        ("api.Dockerfile", "docker"),
        ("compose.yaml", "docker-compose"),
        ("docker-compose.override.yml", "docker-compose"),
        ("charts/api/Chart.yaml", "helm"),
        ("k8s/overlays/prod/kustomization.yaml", "kustomize"),
        ("skaffold.yaml", "skaffold"),
        ("Tiltfile", "tilt"),
        ("deploy/nginx.conf", "nginx"),
        ("Caddyfile", "caddy"),
        // lint, test, security, dependency updates, monorepo, build
        (".eslintrc.cjs", "eslint"),
        ("eslint.config.mjs", "eslint"),
        (".prettierrc", "prettier"),
        ("biome.json", "biome"),
        ("ruff.toml", "ruff"),
        (".golangci.yml", "golangci-lint"),
        (".pre-commit-config.yaml", "pre-commit"),
        (".rubocop.yml", "rubocop"),
        ("phpstan.neon.dist", "phpstan"),
        (".tflint.hcl", "tflint"),
        ("jest.config.ts", "jest"),
        ("vitest.config.mts", "vitest"),
        ("playwright.config.ts", "playwright"),
        ("tests/conftest.py", "pytest"),
        ("phpunit.xml.dist", "phpunit"),
        (".rspec", "rspec"),
        ("loadtest/locustfile.py", "locust"),
        ("perf/checkout.jmx", "jmeter"),
        (".github/dependabot.yml", "dependabot"),
        ("renovate.json", "renovate"),
        (".github/renovate.json5", "renovate"),
        (".github/codeql/codeql-config.yml", "codeql"),
        (".semgrep.yml", "semgrep"),
        (".gitleaks.toml", "gitleaks"),
        (".trivyignore", "trivy"),
        ("sonar-project.properties", "sonarqube"),
        ("deny.toml", "cargo-deny"),
        ("nx.json", "nx"),
        ("turbo.json", "turborepo"),
        ("MODULE.bazel", "bazel"),
        ("pom.xml", "maven"),
        ("build.gradle.kts", "gradle"),
        ("src/main/resources/logback-spring.xml", "logback"),
        ("newrelic.js", "newrelic"),
        ("sentry.client.config.ts", "sentry"),
    ];
    for (path, expected) in cases {
        assert_has(&c, &format!("file {path}"), c.match_file(path), expected);
    }
}

#[test]
fn look_alike_files_are_not_markers() {
    let c = catalog();
    // DigitalOcean's app spec has the same file name as App Engine's.
    assert!(
        !ids(&c, c.match_file(".do/app.yaml")).contains(&"gcp".to_string()),
        ".do/app.yaml is DigitalOcean, not App Engine"
    );
    // GitHub reads workflows only from the root `.github/workflows/`, not nested.
    assert_exactly(
        &c,
        "nested workflow",
        c.match_file("docs/.github/workflows/ci.yml"),
        &[],
    );
    for path in [
        "docs/workflows/ci.yml",
        "config.yml",
        "values.yaml",
        "templates/deployment.yaml",
        "main.tf.bak",
        "terraform.md",
        "Procfile.dev",
        ".github/dependabot.yml.orig",
        "README.md",
        "src/index.ts",
        "Makefile",
        "settings.py",
        ".env",
        "data.json",
    ] {
        assert_exactly(&c, path, c.match_file(path), &[]);
    }
}

#[test]
fn env_vars_resolve_by_longest_prefix() {
    let c = catalog();
    let id_of = |var: &str| c.match_env(var).map(|t| c.get(t).id.clone());
    let cases: &[(&str, &str)] = &[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "opentelemetry"),
        ("SENTRY_DSN", "sentry"),
        ("DD_AGENT_HOST", "datadog"),
        ("NEW_RELIC_LICENSE_KEY", "newrelic"),
        ("AWS_REGION", "aws"),
        ("AWS_LAMBDA_FUNCTION_NAME", "aws-lambda"),
        ("AWS_XRAY_DAEMON_ADDRESS", "aws-xray"),
        (
            "APPLICATIONINSIGHTS_CONNECTION_STRING",
            "azure-application-insights",
        ),
        ("ELASTIC_APM_SERVER_URL", "elastic-apm"),
        ("GOOGLE_CLOUD_PROJECT", "gcp"),
        ("SUPABASE_URL", "supabase"),
        ("PULUMI_ACCESS_TOKEN", "pulumi"),
    ];
    for (var, expected) in cases {
        assert_eq!(id_of(var).as_deref(), Some(*expected), "env {var}");
    }
    assert_ne!(id_of("DDOS_PROTECTION").as_deref(), Some("datadog"));
    assert_ne!(id_of("FLYWAY_URL").as_deref(), Some("fly-io"));
}

#[test]
fn terraform_and_cloudformation_types_resolve() {
    let c = catalog();
    let tf: &[(&str, &str)] = &[
        ("aws_lambda_function", "aws-lambda"),
        ("aws_lambda_function", "aws"),
        ("awscc_s3_bucket", "aws"),
        ("aws_ecs_service", "aws-ecs"),
        ("aws_eks_cluster", "aws-eks"),
        ("aws_lb", "aws-elb"),
        ("aws_xray_sampling_rule", "aws-xray"),
        ("google_container_cluster", "google-kubernetes-engine"),
        ("google_cloud_run_v2_service", "google-cloud-run"),
        ("google_cloudfunctions2_function", "google-cloud-functions"),
        ("google_sql_database_instance", "gcp"),
        ("azurerm_kubernetes_cluster", "azure-kubernetes-service"),
        ("azurerm_linux_function_app", "azure-functions"),
        ("cloudflare_workers_script", "cloudflare-workers"),
        ("helm_release", "helm"),
        ("kubernetes_deployment", "kubernetes"),
        ("datadog_monitor", "datadog"),
        ("digitalocean_app", "digitalocean"),
    ];
    for (ty, expected) in tf {
        assert_has(
            &c,
            &format!("terraform {ty}"),
            c.match_terraform_resource(ty),
            expected,
        );
    }
    for (provider, expected) in [
        ("aws", "aws"),
        ("azurerm", "azure"),
        ("google-beta", "gcp"),
        ("cloudflare", "cloudflare"),
        ("kubernetes", "kubernetes"),
        ("helm", "helm"),
    ] {
        assert_has(
            &c,
            &format!("provider {provider}"),
            c.match_terraform_provider(provider),
            expected,
        );
    }
    assert_exactly(
        &c,
        "unknown provider",
        c.match_terraform_provider("random"),
        &[],
    );
    assert_exactly(
        &c,
        "a resource whose prefix only looks like aws",
        c.match_terraform_resource("awsx_thing"),
        &[],
    );

    let cfn: &[(&str, &str)] = &[
        ("AWS::Serverless::Function", "aws-lambda"),
        ("AWS::Serverless::Function", "aws-sam"),
        ("AWS::Lambda::Function", "aws-lambda"),
        ("AWS::Lambda::Function", "cloudformation"),
        ("AWS::ECS::Service", "aws-ecs"),
        ("AWS::ApiGatewayV2::Api", "aws-api-gateway"),
        ("AWS::S3::Bucket", "aws"),
        ("Datadog::Monitors::Monitor", "datadog"),
    ];
    for (ty, expected) in cfn {
        assert_has(
            &c,
            &format!("cloudformation {ty}"),
            c.match_cloudformation(ty),
            expected,
        );
    }
    assert_exactly(
        &c,
        "custom resource",
        c.match_cloudformation("Custom::SeedDatabase"),
        &[],
    );
}

#[test]
fn helm_charts_resolve() {
    let c = catalog();
    for (chart, expected) in [
        ("kube-prometheus-stack", "prometheus"),
        ("grafana", "grafana"),
        ("ingress-nginx", "ingress-nginx"),
        ("cert-manager", "cert-manager"),
        ("argo-cd", "argocd"),
        ("opentelemetry-collector", "opentelemetry"),
        ("datadog", "datadog"),
    ] {
        assert_has(
            &c,
            &format!("chart {chart}"),
            c.match_helm_chart(chart),
            expected,
        );
    }
}

#[test]
fn products_imply_their_cloud() {
    let c = catalog();
    for (id, implied) in [
        ("aws-lambda", "aws"),
        ("aws-cdk", "aws"),
        ("aws-sam", "aws"),
        ("google-cloud-functions", "gcp"),
        ("azure-functions", "azure"),
        ("cloudflare-workers", "cloudflare"),
        ("bicep", "azure"),
        ("aws-eks", "kubernetes"),
    ] {
        let tech = c.id_of(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            c.get(tech).implies.iter().any(|i| i == implied),
            "{id} should imply {implied}"
        );
    }
}

#[test]
fn owned_files_are_sorted_and_every_entry_has_a_signal() {
    let c = catalog();
    for category in OWNED_CATEGORIES {
        let techs: Vec<_> = c
            .technologies()
            .iter()
            .filter(|t| t.category == *category)
            .collect();
        assert!(!techs.is_empty(), "no technology in {category}");
        let listed: Vec<&str> = techs.iter().map(|t| t.id.as_str()).collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        assert_eq!(listed, sorted, "{category}.toml is not sorted by id");
        for tech in techs {
            let signals = tech.packages.values().map(Vec::len).sum::<usize>()
                + tech.images.len()
                + tech.files.len()
                + tech.env.len()
                + tech.urls.len()
                + tech.engines.len()
                + tech.terraform.len()
                + tech.terraform_providers.len()
                + tech.cloudformation.len()
                + tech.helm_charts.len();
            assert!(signals > 0, "{} can never be detected", tech.id);
        }
    }
}

#[test]
fn the_owned_part_is_large() {
    let c = catalog();
    let owned = c
        .technologies()
        .iter()
        .filter(|t| OWNED_CATEGORIES.contains(&t.category.as_str()))
        .count();
    assert!(owned >= 300, "only {owned} technologies in this part");
}
