//! The built-in catalog, part A (languages, frameworks, datastores, queues,
//! ORMs, APIs, auth, AI, frontend, CLI and the other application categories):
//! concrete lookups through the public API across every ecosystem, near-misses
//! that must not match, and the data conventions of these files (sorted ids,
//! one owner per extension and URL scheme, no accidental double claims).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::builtin_catalog as catalog;
use common::contract::REQUIRED;
use stacklint::catalog::{Catalog, TechId};
use stacklint::model::Ecosystem;

/// The catalog files this part owns, by category.
const PART_A: &[&str] = &[
    "language",
    "framework",
    "database",
    "cache",
    "queue",
    "job-queue",
    "search",
    "orm",
    "migrations",
    "api",
    "app-server",
    "auth",
    "ai",
    "frontend",
    "cli",
    "payments",
    "email",
    "realtime",
    "storage",
    "feature-flags",
    "secrets",
];

/// The contract ids (shared/spec/TECHNOLOGIES.md) of part A's categories.
fn contract() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    REQUIRED
        .iter()
        .filter(|(category, _)| PART_A.contains(category))
}

/// Packages that truly belong to two technologies of this part: a framework's
/// module dedicated to one store or provider (`Aspire.Npgsql`, an EF Core
/// provider, `MassTransit.RabbitMQ`, `langchain-openai`), or a known pair.
/// A one-id group allows any package that id shares; anything else claimed
/// twice is a mistake.
const SHARED_OWNERS: &[&[&str]] = &[
    &["dotnet-aspire"],
    &["entity-framework"],
    &["langchain"],
    &["vercel-ai-sdk"],
    &["masstransit"],
    &["flysystem"],
    &["flyway"],
    &["quarkus"],
    &["spring-ai"],
    // Every Spring Boot starter is Spring Boot, and many also name another technology.
    &["spring-boot"],
    &["langchain4j"],
    &["llamaindex"],
    &["semantic-kernel"],
    &["omniauth", "auth0"],
    &["passport", "jwt"],
    &["anthropic", "aws-bedrock"],
    &["anthropic", "vertex-ai"],
];

fn ids(catalog: &Catalog, techs: Vec<TechId>) -> BTreeSet<String> {
    techs
        .into_iter()
        .map(|t| catalog.get(t).id.clone())
        .collect()
}

/// Ids of this part's technologies (so near-miss checks ignore what the other
/// part may legitimately match).
fn part_a_ids(catalog: &Catalog) -> BTreeSet<String> {
    catalog
        .technologies()
        .iter()
        .filter(|t| PART_A.contains(&t.category.as_str()))
        .map(|t| t.id.clone())
        .collect()
}

#[test]
fn every_contract_id_of_part_a_exists_with_its_category() {
    let catalog = catalog();
    for (category, list) in contract() {
        for id in list.split_whitespace() {
            let tech = catalog
                .id_of(id)
                .unwrap_or_else(|| panic!("contract id {id} is missing"));
            assert_eq!(catalog.get(tech).category, *category, "category of {id}");
        }
    }
}

#[test]
fn part_a_adds_many_technologies_beyond_the_contract() {
    let catalog = catalog();
    let contract: usize = contract()
        .map(|(_, ids)| ids.split_whitespace().count())
        .sum();
    let ours = part_a_ids(&catalog).len();
    assert!(
        ours >= contract + 150,
        "part A has {ours} technologies, {contract} of them from the contract"
    );
}

/// `ecosystem-key name expected-id`, one case a line; `#` starts a comment.
const PACKAGE_MATCHES: &str = "
# PyPI: compared after PEP 503 normalisation, extras dropped.
pypi Psycopg2-Binary postgresql
pypi psycopg[binary,pool] postgresql
pypi asyncpg postgresql
pypi Django django
pypi djangorestframework django-rest-framework
pypi Flask_SQLAlchemy sqlalchemy
pypi uvicorn[standard] uvicorn
pypi celery celery
pypi langchain-openai langchain
pypi langchain-openai openai
pypi llama-index-core llamaindex
pypi opensearch-py opensearch
pypi mysqlclient mysql
pypi pymongo mongodb
pypi hvac vault
npm pg postgresql
npm @nestjs/core nestjs
npm next nextjs
npm @prisma/client prisma
npm ioredis redis
npm bullmq bullmq
npm @temporalio/worker temporal
npm @aws-sdk/client-sqs sqs
npm @aws-sdk/client-s3 aws-s3
npm @trpc/server trpc
npm @clerk/nextjs clerk
npm passport-google-oauth20 passport
npm @anthropic-ai/sdk anthropic
npm @ai-sdk/openai openai
npm @ai-sdk/openai vercel-ai-sdk
npm stripe stripe
npm socket.io socket-io
npm commander commander
npm react-dom react
npm @launchdarkly/node-server-sdk launchdarkly
# Go: module paths; major versions are covered by patterns.
go github.com/jackc/pgx/v5 postgresql
go github.com/lib/pq postgresql
go github.com/gin-gonic/gin gin
go github.com/labstack/echo/v4 echo
go github.com/go-chi/chi/v5 chi
go github.com/gofiber/fiber/v2 fiber
go github.com/redis/go-redis/v9 redis
go gorm.io/gorm gorm
go github.com/spf13/cobra cobra
go go.temporal.io/sdk temporal
go github.com/segmentio/kafka-go kafka
go google.golang.org/grpc grpc
go github.com/golang-migrate/migrate/v4 golang-migrate
go github.com/pressly/goose/v3 goose
go go.mongodb.org/mongo-driver/v2 mongodb
# Cargo: `-` and `_` fold, case-insensitive.
cargo tokio-postgres postgresql
cargo sqlx sqlx
cargo actix_web actix-web
cargo sea-orm sea-orm
cargo clap clap
cargo async-openai openai
cargo rdkafka kafka
cargo Diesel diesel
# Maven and Gradle: coordinates, Gradle plugin ids, Maven plugins.
maven org.postgresql:postgresql postgresql
maven org.springframework.boot:spring-boot-starter-web spring-boot
maven org.springframework.boot spring-boot
maven org.springframework.boot:spring-boot-maven-plugin spring-boot
maven org.springframework.boot:spring-boot-starter-data-jpa spring-data-jpa
maven org.hibernate.orm:hibernate-core hibernate
maven io.quarkus:quarkus-rest quarkus
maven io.quarkus quarkus
maven io.micronaut:micronaut-http-server-netty micronaut
maven io.ktor:ktor-server-netty ktor
maven org.flywaydb:flyway-core flyway
maven org.flywaydb:flyway-database-postgresql postgresql
maven org.liquibase:liquibase-core liquibase
maven redis.clients:jedis redis
maven org.apache.kafka:kafka-clients kafka
maven io.grpc:grpc-netty-shaded grpc
maven info.picocli:picocli picocli
maven org.springframework.boot:spring-boot-starter-security spring-security
maven com.typesafe.play:play_2.13 play
rubygems rails rails
rubygems pg postgresql
rubygems Sidekiq sidekiq
rubygems devise devise
rubygems puma puma
rubygems omniauth-github omniauth
# Composer: packages and platform requirements.
composer laravel/framework laravel
composer ext-pgsql postgresql
composer ext-redis redis
composer ext-mongodb mongodb
composer doctrine/orm doctrine
composer predis/predis redis
composer symfony/framework-bundle symfony
composer Laravel/Horizon laravel-horizon
# NuGet: case-insensitive ids; project SDKs are dependencies too.
nuget Npgsql.EntityFrameworkCore.PostgreSQL postgresql
nuget Npgsql.EntityFrameworkCore.PostgreSQL entity-framework
nuget Microsoft.NET.Sdk.Web aspnet-core
nuget Aspire.AppHost.Sdk dotnet-aspire
nuget stackexchange.redis redis
nuget Hangfire.AspNetCore hangfire
nuget Dapper dapper
nuget MassTransit.RabbitMQ rabbitmq
nuget Microsoft.Data.SqlClient sqlserver
nuget Duende.IdentityServer duende-identityserver
hex phoenix phoenix
hex postgrex postgresql
hex oban oban
hex ecto_sql ecto
";

/// `ecosystem-key name id-it-must-not-be`.
const PACKAGE_NEAR_MISSES: &str = "
npm @types/express express
npm express-rate-limit express
npm redis-mock redis
pypi aiohttp-cors aiohttp
# PaddlePaddle, the deep-learning framework, is not Paddle billing.
pypi paddle paddle
pypi paddlepaddle paddle
# Hibernate Validator is bean validation, not the ORM.
maven org.hibernate.validator:hibernate-validator hibernate
maven com.typesafe.play:play-json_2.13 play
maven io.ktor:ktor-client-core ktor
maven com.auth0:java-jwt auth0
# The test starter is Spring Boot too, but the configuration processor is not a starter.
maven org.springframework.boot:spring-boot-configuration-processor spring-boot
composer symfony/console symfony
composer symfony/http-foundation symfony
go github.com/go-chi/cors chi
go github.com/labstack/echo-contrib echo
go github.com/jackc/puddle/v2 postgresql
nuget Microsoft.AspNetCore.Components.WebAssembly aspnet-core
nuget Microsoft.ML.OnnxRuntime ml-net
nuget Microsoft.EntityFrameworkCore sqlserver
";

/// The non-comment lines of a case table, split on whitespace.
fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
}

fn ecosystem(key: &str) -> Ecosystem {
    Ecosystem::ALL
        .into_iter()
        .find(|e| e.catalog_key() == key)
        .unwrap_or_else(|| panic!("unknown ecosystem key {key}"))
}

#[test]
fn packages_match_across_ecosystems() {
    let catalog = catalog();
    let mut failures = Vec::new();
    for row in rows(PACKAGE_MATCHES) {
        let [key, name, want] = row[..] else {
            panic!("bad row {row:?}");
        };
        let got = ids(&catalog, catalog.match_package(ecosystem(key), name));
        if !got.contains(want) {
            failures.push(format!("{key} {name}: want {want}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lookalike_packages_do_not_match() {
    let catalog = catalog();
    let mut failures = Vec::new();
    for row in rows(PACKAGE_NEAR_MISSES) {
        let [key, name, not_wanted] = row[..] else {
            panic!("bad row {row:?}");
        };
        let got = ids(&catalog, catalog.match_package(ecosystem(key), name));
        if got.contains(not_wanted) {
            failures.push(format!("{key} {name} should not be {not_wanted}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `kind input expected-id` for every other lookup; `-` expects no match
/// (only for `ext`, where the answer is unique).
const LOOKUPS: &str = "
# Images: tag, digest and the implicit docker.io/library/ are ignored.
image postgres:16-alpine postgresql
image docker.io/library/redis:7 redis
image bitnami/postgresql:15 postgresql
image docker.io/bitnami/redis:7.2 redis
image postgis/postgis:16-3.4 postgresql
image mcr.microsoft.com/mssql/server:2022-latest sqlserver
image docker.elastic.co/elasticsearch/elasticsearch:8.13.0 elasticsearch
image quay.io/keycloak/keycloak:24.0 keycloak
image confluentinc/cp-kafka:7.6.0 kafka
image redis/redis-stack-server:latest redis
image valkey/valkey:8-alpine valkey
image rabbitmq:3-management rabbitmq
image mongo:7@sha256:0123abcd mongodb
image temporalio/auto-setup:1.24 temporal
image getmeili/meilisearch:v1.8 meilisearch
image quay.io/minio/minio minio
image ghcr.io/tursodatabase/libsql-server:latest turso
image ollama/ollama ollama
# Marker files: by name anywhere, or by path from the root.
file prisma/schema.prisma prisma
file services/web/next.config.mjs nextjs
file alembic.ini alembic
file backend/manage.py django
file proto/user/v1/user.proto protobuf
file api/openapi.yaml openapi
file db/flyway.conf flyway
file atlas.hcl atlas
file .sops.yaml sops
file frontend/angular.json angular
file src/schema.graphql graphql
file apps/api/nest-cli.json nestjs
file drizzle.config.ts drizzle
file sqlc.yaml sqlc
# Env vars: the longest matching prefix wins (AZURE_OPENAI_ over AZURE_).
env POSTGRES_PASSWORD postgresql
env PGHOST postgresql
env REDIS_URL redis
env OPENAI_API_KEY openai
env AZURE_OPENAI_ENDPOINT azure-openai
env KAFKA_BOOTSTRAP_SERVERS kafka
env STRIPE_SECRET_KEY stripe
env MONGO_INITDB_ROOT_USERNAME mongodb
env VAULT_ADDR vault
# Connection URLs, by scheme (driver suffixes after `+` ignored).
url postgresql+asyncpg://u@db/app postgresql
url postgres://u:p@db:5432/app?sslmode=require postgresql
url r2dbc:postgresql://db/app postgresql
url jdbc:mysql://db:3306/app mysql
url mongodb+srv://cluster0.example.net/app mongodb
url rediss://cache:6380/0 redis
url amqps://mq.internal rabbitmq
url jdbc:sqlserver://db:1433;databaseName=app sqlserver
url sqlite:///data/app.db sqlite
url neo4j+s://graph.example.net neo4j
url bolt://graph:7687 neo4j
url libsql://app-acme.turso.io turso
url s3://bucket/key aws-s3
url clickhouse://ch:9000/default clickhouse
url nats://nats:4222 nats
url kafka://broker:9092 kafka
# Database engines as Terraform, CloudFormation and GCP spell them.
engine postgres postgresql
engine aurora-postgresql postgresql
engine POSTGRES_15 postgresql
engine aurora-mysql mysql
engine MYSQL_8_0 mysql
engine mariadb mariadb
engine sqlserver-ex sqlserver
engine SQLSERVER_2019_STANDARD sqlserver
engine oracle-ee oracle
engine redis redis
engine valkey valkey
engine memcached memcached
engine docdb documentdb
terraform aws_dynamodb_table dynamodb
terraform aws_sqs_queue sqs
terraform aws_sns_topic sns
terraform google_pubsub_topic google-pubsub
terraform azurerm_servicebus_namespace azure-service-bus
terraform aws_msk_cluster kafka
terraform azurerm_postgresql_flexible_server postgresql
terraform aws_s3_bucket aws-s3
terraform aws_cognito_user_pool cognito
terraform google_spanner_instance spanner
terraform google_alloydb_cluster alloydb
terraform azurerm_cosmosdb_account cosmosdb
terraform aws_secretsmanager_secret aws-secrets-manager
cloudformation AWS::DynamoDB::Table dynamodb
cloudformation AWS::SQS::Queue sqs
cloudformation AWS::Cognito::UserPool cognito
cloudformation AWS::S3::Bucket aws-s3
cloudformation AWS::MSK::Cluster kafka
helm postgresql postgresql
helm redis redis
helm kafka kafka
helm rabbitmq rabbitmq
helm mongodb mongodb
helm elasticsearch elasticsearch
# Language statistics; glue, markup and build scripts are not languages.
ext rs rust
ext tsx typescript
ext mjs javascript
ext R r
ext h c
ext hpp cpp
ext vb visual-basic
ext fs fsharp
ext exs elixir
ext kt kotlin
ext sh -
ext sql -
ext kts -
ext gradle -
ext html -
";

/// `kind input`: lookalikes that no technology of this part may claim (the
/// other part may, e.g. a generic env var).
const LOOKUP_NEAR_MISSES: &str = "
image ghcr.io/acme/postgres-backup:1
image acme/postgres
image quay.io/prometheuscommunity/postgres-exporter
image oliver006/redis_exporter
image redis/redisinsight
image mongo-express
image dpage/pgadmin4
file docs/prisma.md
file config/settings.yml
file next.config.md
file manage.pyc
file workspace.yaml
file server.xml
env DB_HOST
env DATABASE_URL
env PORT
env SECRET_KEY
env API_KEY
url https://example.com
# The engine attribute decides these, not the resource type.
terraform aws_db_instance
terraform aws_rds_cluster
terraform google_sql_database_instance
terraform aws_elasticache_cluster
cloudformation AWS::RDS::DBInstance
";

fn lookup(catalog: &Catalog, kind: &str, input: &str) -> BTreeSet<String> {
    let found = match kind {
        "image" => catalog.match_image(input),
        "file" => catalog.match_file(input),
        "env" => catalog.match_env(input).into_iter().collect(),
        "url" => catalog.match_url(input).into_iter().collect(),
        "engine" => catalog.match_engine(input),
        "terraform" => catalog.match_terraform_resource(input),
        "cloudformation" => catalog.match_cloudformation(input),
        "helm" => catalog.match_helm_chart(input),
        "ext" => catalog.language_of_extension(input).into_iter().collect(),
        _ => panic!("unknown lookup kind {kind}"),
    };
    ids(catalog, found)
}

#[test]
fn images_files_env_urls_and_iac_match() {
    let catalog = catalog();
    let mut failures = Vec::new();
    for row in rows(LOOKUPS) {
        let [kind, input, want] = row[..] else {
            panic!("bad row {row:?}");
        };
        let got = lookup(&catalog, kind, input);
        let ok = if want == "-" {
            got.is_empty()
        } else {
            got.contains(want)
        };
        if !ok {
            failures.push(format!("{kind} {input}: want {want}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn lookalikes_match_nothing_of_part_a() {
    let catalog = catalog();
    let ours = part_a_ids(&catalog);
    let mut failures = Vec::new();
    for row in rows(LOOKUP_NEAR_MISSES) {
        let [kind, input] = row[..] else {
            panic!("bad row {row:?}");
        };
        let got = lookup(&catalog, kind, input);
        let mine: Vec<_> = got.intersection(&ours).collect();
        if !mine.is_empty() {
            failures.push(format!("{kind} {input} matched {mine:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn jdbc_urls_without_slashes_match() {
    let catalog = catalog();
    for (url, want) in [
        ("jdbc:h2:mem:testdb", "h2"),
        ("jdbc:sqlite:app.db", "sqlite"),
        ("jdbc:oracle:thin:@db:1521/ORCL", "oracle"),
    ] {
        assert!(lookup(&catalog, "url", url).contains(want), "{url}");
    }
}

#[test]
fn implied_technologies_are_always_true_companions() {
    let catalog = catalog();
    for (id, implied) in [
        ("django", "django-orm"),
        ("rails", "activerecord"),
        ("laravel", "eloquent"),
        ("nextjs", "react"),
        ("nuxt", "vue"),
        ("mongoose", "mongodb"),
        ("sidekiq", "redis"),
        ("bullmq", "redis"),
        ("pg-boss", "postgresql"),
        ("sqlmodel", "sqlalchemy"),
    ] {
        let tech = catalog.get(catalog.id_of(id).unwrap());
        assert!(
            tech.implies.iter().any(|i| i == implied),
            "{id} -> {implied}"
        );
    }
    // A library that supports several stores implies none of them.
    for id in ["celery", "prisma", "sqlalchemy", "hangfire", "agenda"] {
        let tech = catalog.get(catalog.id_of(id).unwrap());
        assert!(tech.implies.is_empty(), "{id} implies {:?}", tech.implies);
    }
}

/// Each extension and URL scheme has one owner: the catalog indexes them in
/// maps, so a second claim would silently replace the first.
#[test]
fn extensions_and_url_schemes_have_one_owner() {
    let catalog = catalog();
    let mut extensions: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut schemes: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for tech in catalog.technologies() {
        for ext in &tech.extensions {
            extensions
                .entry(ext.to_ascii_lowercase())
                .or_default()
                .push(&tech.id);
        }
        for scheme in &tech.urls {
            schemes
                .entry(scheme.to_ascii_lowercase())
                .or_default()
                .push(&tech.id);
        }
    }
    let clashes: Vec<String> = extensions
        .iter()
        .chain(&schemes)
        .filter(|(_, owners)| owners.len() > 1)
        .map(|(key, owners)| format!("{key}: {owners:?}"))
        .collect();
    assert!(clashes.is_empty(), "claimed twice: {clashes:?}");
}

/// A package name that two of this part's technologies claim is a mistake,
/// unless one of them is a known "integration" owner (see [`SHARED_OWNERS`]).
#[test]
fn no_exact_package_is_claimed_twice_by_accident() {
    let catalog = catalog();
    let mut failures = Vec::new();
    for tech in catalog.technologies() {
        if !PART_A.contains(&tech.category.as_str()) {
            continue;
        }
        for (key, names) in &tech.packages {
            let eco = ecosystem(key);
            for name in names.iter().filter(|n| !n.contains('*')) {
                let owners: BTreeSet<String> = ids(&catalog, catalog.match_package(eco, name))
                    .into_iter()
                    .filter(|id| {
                        let t = catalog.get(catalog.id_of(id).unwrap());
                        PART_A.contains(&t.category.as_str())
                    })
                    .collect();
                if owners.len() < 2 {
                    continue;
                }
                let allowed = SHARED_OWNERS.iter().any(|group| {
                    if group.len() == 1 {
                        owners.contains(group[0])
                    } else {
                        group.iter().all(|g| owners.contains(*g))
                    }
                });
                if !allowed {
                    failures.push(format!("{key} {name}: {owners:?}"));
                }
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Part A's files keep their entries sorted by id and open with a comment
/// saying what belongs in the category.
#[test]
fn part_a_files_are_sorted_and_documented() {
    for (path, text) in stacklint::catalog::embedded_rule_files() {
        let Some(stem) = path
            .strip_prefix("technologies/")
            .and_then(|n| n.strip_suffix(".toml"))
        else {
            continue;
        };
        if !PART_A.contains(&stem) {
            continue;
        }
        assert!(text.starts_with("# "), "{path} should start with a comment");
        let ids: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("id = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "{path}: entries should be sorted by id");
    }
}
