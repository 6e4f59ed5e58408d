//! The JVM fixture repositories scanned end to end with a small inline
//! catalog, so that technology matching, component kinds, languages and
//! tests are checked whatever the built-in catalog holds.
#![allow(clippy::unwrap_used)]

mod common;

use common::component;
use stacklint::model::{ComponentKind, Stack};

const LANGUAGES: &str = r#"
category = "language"
[[technology]]
id = "java"
name = "Java"
extensions = ["java"]
[[technology]]
id = "kotlin"
name = "Kotlin"
extensions = ["kt", "kts"]
"#;

const FRAMEWORKS: &str = r#"
category = "framework"
[[technology]]
id = "spring-boot"
name = "Spring Boot"
packages.maven = ["org.springframework.boot:spring-boot-starter*", "org.springframework.boot"]
"#;

const DATA: &str = r#"
category = "database"
[[technology]]
id = "postgresql"
name = "PostgreSQL"
packages.maven = ["org.postgresql:postgresql"]
[[technology]]
id = "mysql"
name = "MySQL"
packages.maven = ["mysql:mysql-connector-java", "com.mysql:mysql-connector-j"]
"#;

const QUEUES: &str = r#"
category = "queue"
[[technology]]
id = "kafka"
name = "Apache Kafka"
packages.maven = ["org.springframework.kafka:spring-kafka", "org.apache.kafka:kafka-clients"]
"#;

const BUILD: &str = r#"
category = "build"
[[technology]]
id = "jib"
name = "Jib"
packages.maven = ["com.google.cloud.tools:jib-maven-plugin", "com.google.cloud.tools.jib"]
"#;

fn scan(fixture: &str) -> Stack {
    let catalog = common::catalog_of(&[LANGUAGES, FRAMEWORKS, DATA, QUEUES, BUILD]);
    common::scan(&common::fixture(fixture), &catalog)
}

#[test]
fn maven_modules_are_components_of_the_aggregator() {
    let stack = scan("maven-multimodule");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    let api = component(&stack, "orders-api");
    assert_eq!(api.kind, ComponentKind::Server);
    assert_eq!(api.language, "java");
    assert!(api.has_tests);
    assert_eq!(api.workspace.as_deref(), Some("."));
    assert_eq!(
        api.technologies,
        ["java", "jib", "postgresql", "spring-boot"]
    );
    let worker = component(&stack, "orders-worker");
    assert!(worker.technologies.contains(&"kafka".to_string()));
    let common = component(&stack, "orders-common");
    assert_eq!(common.kind, ComponentKind::Library);
    assert_eq!(common.technologies, ["java"]);
    // The aggregator's parent, spring-boot-starter-parent, is evidence too.
    let spring = stack
        .technologies
        .iter()
        .find(|t| t.id == "spring-boot")
        .unwrap();
    assert!(
        spring
            .evidence
            .iter()
            .any(|e| e.path == "pom.xml" && e.line == 7)
    );
}

#[test]
fn gradle_catalog_accessors_reach_the_catalog() {
    let stack = scan("gradle-kotlin-catalog");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    assert_eq!(stack.components.len(), 2);
    let app = component(&stack, "app");
    assert_eq!(app.kind, ComponentKind::Server);
    assert_eq!(app.language, "kotlin");
    assert!(app.has_tests);
    assert_eq!(
        app.technologies,
        ["jib", "kotlin", "postgresql", "spring-boot"]
    );
    let core = component(&stack, "core");
    assert_eq!(core.kind, ComponentKind::Library);
    assert_eq!(core.language, "kotlin");
}

#[test]
fn legacy_groovy_builds_are_read() {
    let stack = scan("gradle-groovy-legacy");
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    let service = component(&stack, "inventory-service");
    assert_eq!(service.kind, ComponentKind::Server);
    assert_eq!(service.language, "java");
    assert!(service.has_tests);
    assert_eq!(service.manifests, ["build.gradle", "settings.gradle"]);
    assert_eq!(service.technologies, ["java", "mysql", "spring-boot"]);
}
