//! Compose and dotenv facts, asserted directly on `collect_facts` over the
//! compose fixture repositories and small trees written by each test. The
//! catalog is written inline so that these tests do not move with the
//! built-in catalog.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{fixture, write};
use stacklint::catalog::Catalog;
use stacklint::detect::{Facts, ServiceFact};

const CATALOG: &str = r#"category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
images = ["postgres"]
urls = ["postgres", "postgresql"]
env = ["POSTGRES_"]
[[technology]]
id = "redis"
name = "Redis"
images = ["redis"]
urls = ["redis"]
env = ["REDIS_"]
[[technology]]
id = "rabbitmq"
name = "RabbitMQ"
images = ["rabbitmq"]
urls = ["amqp"]
env = ["RABBITMQ_"]
[[technology]]
id = "nginx"
name = "nginx"
images = ["nginx"]
[[technology]]
id = "sentry"
name = "Sentry"
env = ["SENTRY_"]
"#;

fn catalog() -> Catalog {
    common::catalog_of(&[CATALOG])
}

fn facts(root: &Path) -> Facts {
    common::facts(root, &catalog())
}

fn temp_facts(files: &[(&str, &str)]) -> Facts {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    facts(dir.path())
}

fn service<'a>(facts: &'a Facts, path: &str, name: &str) -> &'a ServiceFact {
    facts
        .services
        .iter()
        .find(|s| s.path == path && s.name == name)
        .unwrap_or_else(|| panic!("no service {name} in {path}: {:#?}", facts.services))
}

/// (path, name, line) of every service, in order.
fn service_rows(facts: &Facts) -> Vec<(&str, &str, u32)> {
    facts
        .services
        .iter()
        .map(|s| (s.path.as_str(), s.name.as_str(), s.line))
        .collect()
}

fn env(service: &ServiceFact) -> Vec<(&str, Option<&str>, u32)> {
    service
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_deref(), e.line))
        .collect()
}

/// (technology id, path, line, reason) of every detection.
fn detections(facts: &Facts) -> Vec<(String, String, u32, String)> {
    let catalog = catalog();
    facts
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
        .collect()
}

fn problems(facts: &Facts) -> Vec<(&str, u32, &str)> {
    facts
        .problems
        .iter()
        .map(|p| (p.path.as_str(), p.line, p.message.as_str()))
        .collect()
}

#[test]
fn microservices_every_service_of_every_compose_file() {
    let facts = facts(&fixture("compose-microservices"));
    assert!(facts.problems.is_empty(), "{:#?}", facts.problems);
    let names = service_rows(&facts);
    // `node-service` in compose.base.yml is a template others extend: not a service.
    assert_eq!(
        names,
        [
            ("docker-compose.override.yml", "orders", 3),
            ("docker-compose.override.yml", "payments", 6),
            ("docker-compose.override.yml", "db", 10),
            ("docker-compose.yml", "gateway", 13),
            ("docker-compose.yml", "orders", 24),
            ("docker-compose.yml", "payments", 45),
            ("docker-compose.yml", "catalog", 59),
            ("docker-compose.yml", "notifications", 69),
            ("docker-compose.yml", "db", 79),
            ("docker-compose.yml", "cache", 90),
            ("docker-compose.yml", "queue", 95),
            ("docker-compose.yml", "adminer", 102),
        ]
    );
}

#[test]
fn microservices_own_services_build_from_their_directories() {
    let facts = facts(&fixture("compose-microservices"));
    let orders = service(&facts, "docker-compose.yml", "orders");
    assert_eq!(orders.image, None);
    assert_eq!(orders.build_context.as_deref(), Some("services/orders"));
    assert_eq!(
        orders.dockerfile.as_deref(),
        Some("services/orders/Dockerfile")
    );
    assert_eq!(orders.depends_on, ["db", "cache", "queue"]);
    assert_eq!(
        env(orders),
        [
            ("NODE_ENV", Some("production"), 28),
            ("PORT", Some("3000"), 29),
            (
                "DATABASE_URL",
                Some("postgres://orders:orders@db:5432/orders"),
                30
            ),
            ("REDIS_URL", Some("redis://cache:6379/0"), 31),
            ("AMQP_URL", Some("amqp://guest:guest@queue:5672"), 32),
        ]
    );
    assert_eq!(orders.health_check, Some(true));
    assert!(orders.ports.is_empty());

    let payments = service(&facts, "docker-compose.yml", "payments");
    assert_eq!(payments.build_context.as_deref(), Some("services/payments"));
    assert_eq!(
        payments.dockerfile.as_deref(),
        Some("services/payments/Dockerfile")
    );
    assert_eq!(payments.depends_on, ["db"]);
    assert_eq!(
        env(payments),
        [
            (
                "DATABASE_URL",
                Some("postgres://payments:payments@db:5432/payments"),
                54
            ),
            ("PAYMENT_PROVIDER", Some("stripe"), 55),
            ("WORKERS", Some("4"), 56),
        ]
    );
    assert_eq!(payments.health_check, None);

    let catalog = service(&facts, "docker-compose.yml", "catalog");
    assert_eq!(catalog.replicas, Some(2));
    assert_eq!(catalog.depends_on, ["cache"]);
}

#[test]
fn microservices_extends_merges_the_base_service() {
    let facts = facts(&fixture("compose-microservices"));
    let notifications = service(&facts, "docker-compose.yml", "notifications");
    assert_eq!(
        notifications.build_context.as_deref(),
        Some("services/notifications")
    );
    // NODE_ENV and LOG_LEVEL come from compose.base.yml (their lines there).
    assert_eq!(
        env(notifications),
        [
            ("NODE_ENV", Some("production"), 6),
            ("LOG_LEVEL", Some("info"), 7),
            ("AMQP_URL", Some("amqp://guest:guest@queue:5672"), 75),
            ("SMTP_HOST", Some("mail.internal"), 76),
        ]
    );
    assert_eq!(notifications.health_check, Some(true));
    assert_eq!(notifications.depends_on, ["queue"]);
}

#[test]
fn microservices_third_party_services_and_overrides() {
    let facts = facts(&fixture("compose-microservices"));
    let db = service(&facts, "docker-compose.yml", "db");
    assert_eq!(db.image.as_deref(), Some("postgres:16-alpine"));
    assert_eq!(db.build_context, None);
    assert_eq!(db.health_check, Some(true));
    let gateway = service(&facts, "docker-compose.yml", "gateway");
    assert_eq!(gateway.image.as_deref(), Some("nginx:1.27-alpine"));
    assert_eq!(gateway.depends_on, ["orders", "catalog"]);
    assert_eq!(gateway.ports, ["80:80"]);
    let queue = service(&facts, "docker-compose.yml", "queue");
    assert_eq!(queue.health_check, Some(true));
    let adminer = service(&facts, "docker-compose.yml", "adminer");
    assert_eq!(adminer.profiles, ["debug"]);
    assert_eq!(adminer.ports, ["8081:8080"]);

    let override_file = "docker-compose.override.yml";
    assert_eq!(
        service(&facts, override_file, "orders").ports,
        ["3000:3000"]
    );
    assert_eq!(
        service(&facts, override_file, "payments").ports,
        ["8000:8000"]
    );
    let db = service(&facts, override_file, "db");
    assert_eq!(db.ports, ["127.0.0.1:5432:5432"]);
    assert_eq!(db.image, None);
}

#[test]
fn microservices_detections_name_images_variables_and_urls() {
    let facts = facts(&fixture("compose-microservices"));
    let found = detections(&facts);
    let expected = [
        ("nginx", 15, "image nginx:1.27-alpine"),
        ("postgresql", 30, "connection URL in DATABASE_URL"),
        ("redis", 31, "connection URL in REDIS_URL"),
        ("redis", 31, "environment REDIS_URL"),
        ("rabbitmq", 32, "connection URL in AMQP_URL"),
        ("postgresql", 54, "connection URL in DATABASE_URL"),
        ("rabbitmq", 75, "connection URL in AMQP_URL"),
        ("postgresql", 80, "image postgres:16-alpine"),
        ("postgresql", 83, "environment POSTGRES_PASSWORD"),
        ("redis", 91, "image redis:7-alpine"),
        ("rabbitmq", 96, "image rabbitmq:3.13-management"),
    ];
    for (tech, line, reason) in expected {
        let item = (
            tech.to_string(),
            "docker-compose.yml".to_string(),
            line,
            reason.to_string(),
        );
        assert!(found.contains(&item), "{item:?} not in {found:#?}");
    }
    assert!(
        found
            .iter()
            .all(|(_, path, _, _)| path == "docker-compose.yml")
    );
    for (_, _, _, reason) in &found {
        assert!(
            !reason.contains("://") && !reason.contains("guest"),
            "{reason}"
        );
    }
}

#[test]
fn single_app_builds_the_root_and_reads_the_example_env() {
    let facts = facts(&fixture("compose-single-app"));
    assert!(facts.problems.is_empty(), "{:#?}", facts.problems);
    let app = service(&facts, "docker-compose.yml", "app");
    assert_eq!(app.line, 2);
    assert_eq!(app.build_context.as_deref(), Some(""));
    assert_eq!(app.dockerfile.as_deref(), Some("Dockerfile"));
    // `.env` is not in the tree (it never is in git): nothing to add.
    assert_eq!(app.env_files, [".env"]);
    assert_eq!(
        env(app),
        [
            (
                "DATABASE_URL",
                Some("postgres://app:app@postgres:5432/app"),
                8
            ),
            ("REDIS_URL", Some("redis://redis:6379"), 9),
        ]
    );
    assert_eq!(app.ports, ["3000:3000"]);
    assert_eq!(app.depends_on, ["postgres", "redis"]);
    assert_eq!(
        service(&facts, "docker-compose.yml", "postgres")
            .image
            .as_deref(),
        Some("postgres:16")
    );
    assert_eq!(
        service(&facts, "docker-compose.yml", "redis").health_check,
        None
    );

    let from_example: Vec<(String, u32, String)> = detections(&facts)
        .into_iter()
        .filter(|(_, path, _, _)| path == ".env.example")
        .map(|(tech, _, line, reason)| (tech, line, reason))
        .collect();
    assert_eq!(
        from_example,
        [
            (
                "postgresql".into(),
                2,
                "connection URL in DATABASE_URL".into()
            ),
            ("redis".into(), 3, "connection URL in REDIS_URL".into()),
            ("redis".into(), 3, "environment REDIS_URL".into()),
            ("sentry".into(), 5, "environment SENTRY_DSN".into()),
        ]
    );
}

#[test]
fn env_files_add_their_variables_with_their_own_lines() {
    let facts = temp_facts(&[
        (
            "web/compose.yaml",
            "services:\n  web:\n    image: acme/web\n    env_file:\n      - app.env\n      - ../shared/web.conf\n      - path: missing.env\n        required: false\n    environment:\n      LOG_LEVEL: debug\n",
        ),
        (
            "web/app.env",
            "# app settings\nLOG_LEVEL=info\nDATABASE_URL=postgres://web@db/web\n",
        ),
        (
            "shared/web.conf",
            "SENTRY_DSN=https://key@sentry.example/1\n",
        ),
    ]);
    assert!(facts.problems.is_empty(), "{:#?}", facts.problems);
    let web = service(&facts, "web/compose.yaml", "web");
    assert_eq!(
        web.env_files,
        ["app.env", "../shared/web.conf", "missing.env"]
    );
    assert_eq!(
        env(web),
        [
            ("DATABASE_URL", Some("postgres://web@db/web"), 3),
            ("SENTRY_DSN", Some("https://key@sentry.example/1"), 1),
            ("LOG_LEVEL", Some("debug"), 10),
        ]
    );
    let found = detections(&facts);
    assert_eq!(
        found,
        [
            (
                "postgresql".to_string(),
                "web/app.env".to_string(),
                3,
                "connection URL in DATABASE_URL".to_string()
            ),
            (
                "sentry".to_string(),
                "shared/web.conf".to_string(),
                1,
                "environment SENTRY_DSN".to_string()
            ),
        ]
    );
}

#[test]
fn includes_are_followed_once_and_cycles_stop() {
    let facts = temp_facts(&[
        (
            "compose.yaml",
            "include:\n  - infra/db.yml\n  - path:\n      - infra/cache.yml\n  - compose.tools.yaml\n  - infra/missing.yml\nservices:\n  api:\n    build: .\n",
        ),
        (
            "infra/db.yml",
            "include:\n  - cache.yml\n  - db.yml\n  - ../../outside.yml\nservices:\n  db:\n    image: postgres:16\n",
        ),
        (
            "infra/cache.yml",
            "services:\n  cache:\n    image: redis:7\n    build: ../cache\n",
        ),
        (
            "compose.tools.yaml",
            "services:\n  tools:\n    image: busybox\n",
        ),
    ]);
    let names = service_rows(&facts);
    assert_eq!(
        names,
        [
            ("compose.tools.yaml", "tools", 2),
            ("infra/cache.yml", "cache", 2),
            ("infra/db.yml", "db", 6),
            ("compose.yaml", "api", 8),
        ]
    );
    // Paths in an included file are relative to that file.
    assert_eq!(
        service(&facts, "infra/cache.yml", "cache")
            .build_context
            .as_deref(),
        Some("cache")
    );
    let problems = problems(&facts);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_eq!(problems[0].0, "compose.yaml");
    assert_eq!(problems[0].1, 6);
    assert!(
        problems[0]
            .2
            .starts_with("cannot read included file infra/missing.yml")
    );
    assert_eq!(
        problems[1],
        (
            "infra/db.yml",
            4,
            "included file ../../outside.yml is outside the scanned directory; not read"
        )
    );
}

#[test]
fn extends_chains_merge_and_cycles_are_problems() {
    let facts = temp_facts(&[(
        "docker-compose.yml",
        r#"services:
  base:
    image: node:20
    environment: {LEVEL: base, BASE_ONLY: "1"}
    ports: ["9000"]
  middle:
    extends: base
    environment: {LEVEL: middle}
    healthcheck: {test: ["CMD", "true"]}
  app:
    extends:
      service: middle
    environment: {LEVEL: app}
  loop-a:
    extends: loop-b
  loop-b:
    extends: loop-a
  orphan:
    extends: nowhere
"#,
    )]);
    let app = service(&facts, "docker-compose.yml", "app");
    assert_eq!(app.image.as_deref(), Some("node:20"));
    assert_eq!(app.health_check, Some(true));
    assert_eq!(app.ports, ["9000"]);
    assert_eq!(
        env(app),
        [("BASE_ONLY", Some("1"), 4), ("LEVEL", Some("app"), 13)]
    );
    // Same-file bases are services of their own too. A cycle is reported on
    // the line that closes it, once from each service on it.
    assert_eq!(
        service(&facts, "docker-compose.yml", "base").ports,
        ["9000"]
    );
    assert_eq!(
        problems(&facts),
        [
            (
                "docker-compose.yml",
                15,
                "`extends` cycle: loop-b -> loop-a -> loop-b; not followed"
            ),
            (
                "docker-compose.yml",
                17,
                "`extends` cycle: loop-a -> loop-b -> loop-a; not followed"
            ),
            (
                "docker-compose.yml",
                19,
                "`extends` names service `nowhere`, which docker-compose.yml does not declare"
            ),
        ]
    );
}

#[test]
fn extends_chains_are_bounded() {
    let mut text = String::from("services:\n  s0:\n    image: base\n");
    for i in 1..=12 {
        text.push_str(&format!("  s{i}:\n    extends: s{}\n", i - 1));
    }
    let facts = temp_facts(&[("compose.yaml", &text)]);
    // s8 reaches s0 through 8 extends; s9 and later stop after 8 levels.
    assert_eq!(
        service(&facts, "compose.yaml", "s8").image.as_deref(),
        Some("base")
    );
    assert_eq!(service(&facts, "compose.yaml", "s12").image, None);
    assert!(
        facts
            .problems
            .iter()
            .all(|p| p.message == "`extends` chain deeper than 8; not followed"),
        "{:#?}",
        facts.problems
    );
    assert!(!facts.problems.is_empty());
}

#[test]
fn extends_from_another_file_and_unreadable_files() {
    let facts = temp_facts(&[
        (
            "compose.yaml",
            "services:\n  api:\n    extends:\n      file: common/services.yml\n      service: node\n    build: ./api\n  worker:\n    extends:\n      file: common/gone.yml\n      service: node\n",
        ),
        (
            "common/services.yml",
            "services:\n  node:\n    environment:\n      - NODE_ENV=production\n    build: ../base\n",
        ),
    ]);
    let api = service(&facts, "compose.yaml", "api");
    assert_eq!(api.build_context.as_deref(), Some("api"));
    assert_eq!(env(api), [("NODE_ENV", Some("production"), 4)]);
    // The base file is not a compose file of its own: `node` is no service.
    assert_eq!(facts.services.len(), 2);
    let problems = problems(&facts);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!((problems[0].0, problems[0].1), ("compose.yaml", 9));
    assert!(
        problems[0]
            .2
            .starts_with("cannot read `extends` file common/gone.yml"),
        "{}",
        problems[0].2
    );
}

#[test]
fn bad_compose_files_are_problems_and_the_rest_is_read() {
    let facts = temp_facts(&[
        (
            "a/docker-compose.yml",
            "services:\n  web:\n    image: [nginx\n",
        ),
        ("b/docker-compose.yml", "services:\n  - web\n  - db\n"),
        (
            "c/docker-compose.yml",
            "services:\n  broken: just-a-string\n  ok:\n    image: redis:7\n",
        ),
        ("d/docker-compose.yml", "- not\n- a mapping\n"),
        ("e/docker-compose.yml", ""),
        ("f/docker-compose.yml", "services:\n"),
    ]);
    let problems = problems(&facts);
    let located: Vec<(&str, u32)> = problems.iter().map(|p| (p.0, p.1)).collect();
    assert_eq!(
        located,
        [
            ("a/docker-compose.yml", 4),
            ("b/docker-compose.yml", 2),
            ("c/docker-compose.yml", 2),
            ("d/docker-compose.yml", 1),
        ],
        "{problems:#?}"
    );
    assert_eq!(
        problems[1].2,
        "`services` must be a mapping of service names to services"
    );
    assert_eq!(problems[2].2, "service `broken` is not a mapping; skipped");
    assert_eq!(problems[3].2, "a compose file must be a mapping");
    let names: Vec<&str> = facts.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["ok"]);
}

#[test]
fn legacy_files_list_services_at_the_top_level() {
    let facts = temp_facts(&[(
        "docker-compose.yml",
        "web:\n  build: .\n  links:\n    - db:database\n  ports:\n    - \"5000:5000\"\ndb:\n  image: postgres:9.6\n",
    )]);
    let web = service(&facts, "docker-compose.yml", "web");
    assert_eq!(web.depends_on, ["db"]);
    assert_eq!(web.ports, ["5000:5000"]);
    assert_eq!(
        service(&facts, "docker-compose.yml", "db").image.as_deref(),
        Some("postgres:9.6")
    );
}

#[test]
fn dotenv_problems_and_secret_values_stay_out_of_evidence() {
    let facts = temp_facts(&[(
        "deploy/.env.production",
        "POSTGRES_PASSWORD=hunter2\nDATABASE_URL=\"postgres://app:hunter2@db/app\"\nBROKEN LINE\n",
    )]);
    assert_eq!(
        problems(&facts),
        [(
            "deploy/.env.production",
            3,
            "expected `=` after the variable name `BROKEN`"
        )]
    );
    let found = detections(&facts);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|(_, _, _, reason)| !reason.contains("hunter2"))
    );
}

#[test]
fn copying_from_bases_is_bounded() {
    // 100 services extending a base of 5,000 variables would copy 500,000
    // entries: the budget (200,000) stops it, with one problem.
    let mut text = String::from("services:\n  base:\n    image: app\n    environment:\n");
    for i in 0..5_000 {
        text.push_str(&format!("      VAR_{i}: \"{i}\"\n"));
    }
    for i in 0..100 {
        text.push_str(&format!("  s{i}:\n    extends: base\n"));
    }
    let facts = temp_facts(&[("compose.yaml", &text)]);
    assert_eq!(facts.services.len(), 101);
    assert_eq!(service(&facts, "compose.yaml", "s0").env.len(), 5_000);
    assert!(service(&facts, "compose.yaml", "s99").env.is_empty());
    assert_eq!(facts.problems.len(), 1, "{:#?}", facts.problems);
    assert!(
        facts.problems[0]
            .message
            .contains("more than 200000 entries")
    );
}
