//! The technology ids of the public contract, shared by the catalog tests.

/// The ids `shared/spec/TECHNOLOGIES.md` requires, per category. Kept here so
/// the tests run without the spec checked out; `contract_list_matches_the_spec`
/// (tests/catalog.rs) keeps this copy honest when it is.
pub const REQUIRED: &[(&str, &str)] = &[
    (
        "language",
        "javascript typescript python java kotlin scala go rust csharp fsharp ruby php elixir erlang clojure haskell swift c cpp",
    ),
    (
        "framework",
        "dotnet-aspire express nestjs fastify koa hapi nextjs nuxt adonisjs django fastapi flask starlette aiohttp tornado sanic spring-boot quarkus micronaut ktor vertx dropwizard gin echo fiber chi gorilla-mux actix-web axum rocket warp poem rails sinatra hanami laravel symfony slim aspnet-core phoenix play",
    ),
    (
        "database",
        "postgresql mysql mariadb sqlite sqlserver oracle mongodb cassandra scylladb dynamodb cosmosdb firestore couchdb neo4j cockroachdb clickhouse h2 spanner alloydb",
    ),
    ("cache", "redis memcached valkey hazelcast"),
    (
        "queue",
        "kafka rabbitmq nats sqs sns google-pubsub azure-service-bus pulsar",
    ),
    (
        "job-queue",
        "celery sidekiq bullmq rq dramatiq hangfire temporal resque piscina workerpool agenda",
    ),
    (
        "search",
        "elasticsearch opensearch meilisearch typesense solr algolia",
    ),
    (
        "orm",
        "prisma typeorm sequelize mongoose drizzle knex sqlalchemy django-orm tortoise-orm peewee sqlmodel hibernate spring-data-jpa mybatis jooq gorm ent sqlx diesel sea-orm activerecord eloquent doctrine entity-framework dapper",
    ),
    (
        "migrations",
        "alembic flyway liquibase golang-migrate goose atlas dbmate",
    ),
    (
        "logging",
        "pino winston bunyan structlog loguru python-json-logger zap zerolog logrus tracing log4rs slog logback log4j2 serilog nlog lograge semantic-logger monolog",
    ),
    ("metrics", "prometheus micrometer statsd"),
    (
        "tracing",
        "opentelemetry jaeger zipkin aws-xray elastic-apm honeycomb",
    ),
    (
        "apm",
        "datadog newrelic dynatrace appdynamics scout-apm skylight",
    ),
    (
        "error-tracking",
        "sentry bugsnag rollbar honeybadger airbrake raygun",
    ),
    (
        "health",
        "spring-boot-actuator terminus django-health-check aspnet-healthchecks",
    ),
    (
        "ai",
        "openai anthropic langchain llamaindex aws-bedrock vertex-ai azure-openai huggingface cohere google-genai ollama",
    ),
    (
        "auth",
        "passport authjs keycloak auth0 clerk firebase-auth devise spring-security cognito duende-identityserver",
    ),
    (
        "cloud",
        "aws gcp azure cloudflare vercel netlify heroku fly-io digitalocean firebase supabase",
    ),
    ("container", "docker docker-compose"),
    (
        "orchestration",
        "kubernetes helm kustomize nomad skaffold argocd istio",
    ),
    ("proxy", "nginx traefik envoy caddy haproxy"),
    ("app-server", "gunicorn uvicorn puma unicorn"),
    (
        "iac",
        "terraform opentofu pulumi aws-cdk cloudformation aws-sam bicep serverless-framework ansible crossplane",
    ),
    (
        "serverless",
        "aws-lambda google-cloud-functions azure-functions cloudflare-workers",
    ),
    (
        "ci",
        "github-actions gitlab-ci circleci azure-pipelines jenkins bitbucket-pipelines travis-ci buildkite google-cloud-build aws-codebuild drone",
    ),
    (
        "testing",
        "jest vitest mocha playwright cypress pytest junit testng rspec minitest phpunit xunit nunit mstest testify testcontainers supertest",
    ),
    (
        "lint",
        "eslint prettier biome ruff flake8 pylint black mypy golangci-lint clippy rustfmt checkstyle spotbugs rubocop phpstan php-cs-fixer dotnet-format tflint pre-commit",
    ),
    (
        "security-scan",
        "codeql semgrep snyk trivy grype bandit gosec govulncheck brakeman npm-audit pip-audit cargo-audit cargo-deny osv-scanner dependency-review owasp-dependency-check sonarqube gitleaks trufflehog checkov zizmor bundler-audit safety ossf-scorecard",
    ),
    ("dependency-updates", "dependabot renovate"),
    ("api", "graphql grpc openapi trpc"),
    ("load-testing", "k6 locust artillery gatling jmeter vegeta"),
];
