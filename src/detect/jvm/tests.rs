use super::*;
use crate::detect::testing::manifest;
use crate::detect::{Manifest, ManifestRole};
use crate::model::DependencyScope;

fn sources(files: &[(&str, &str)]) -> Vec<SourceFile> {
    files
        .iter()
        .map(|(path, text)| SourceFile::new(*path, *text))
        .collect()
}

fn maven(files: &[(&str, &str)]) -> Facts {
    let srcs = sources(files);
    let refs: Vec<&SourceFile> = srcs.iter().collect();
    let mut facts = Facts::default();
    maven::detect(&refs, &mut facts);
    facts
}

fn gradle(files: &[(&str, &str)]) -> Facts {
    let srcs = sources(files);
    let of = |suffixes: &[&str]| -> Vec<&SourceFile> {
        srcs.iter()
            .filter(|s| suffixes.iter().any(|x| s.path.ends_with(x)))
            .collect()
    };
    let mut facts = Facts::default();
    gradle::detect(
        &gradle::Files {
            builds: of(&["build.gradle", "build.gradle.kts"]),
            settings: of(&["settings.gradle", "settings.gradle.kts"]),
            catalogs: of(&[".versions.toml"]),
        },
        &mut facts,
    );
    facts
}

/// Owned, unlike `testing::deps`: the expected values are written `.into()`.
fn deps(manifest: &Manifest) -> Vec<(String, DependencyScope, u32)> {
    manifest
        .dependencies
        .iter()
        .map(|d| (d.name.clone(), d.scope, d.line))
        .collect()
}

const PARENT: &str = r#"<project>
  <groupId>com.acme</groupId>
  <artifactId>shop-parent</artifactId>
  <version>1.4.0</version>
  <packaging>pom</packaging>
  <properties><db.group>org.postgresql</db.group></properties>
  <modules>
    <module>api</module>
    <module>./libs/common/</module>
    <module>../outside</module>
  </modules>
</project>"#;

const CHILD: &str = r#"<project>
  <parent>
    <groupId>com.acme</groupId>
    <artifactId>shop-parent</artifactId>
    <version>1.4.0</version>
  </parent>
  <artifactId>${project.parent.artifactId}-api</artifactId>
  <dependencies>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>common</artifactId>
      <version>${project.version}</version>
    </dependency>
    <dependency>
      <groupId>${db.group}</groupId>
      <artifactId>postgresql</artifactId>
      <scope>runtime</scope>
    </dependency>
    <dependency>
      <groupId>org.springframework.boot</groupId>
      <artifactId>spring-boot-starter-test</artifactId>
      <scope>test</scope>
      <optional>true</optional>
    </dependency>
    <dependency><artifactId>no-group</artifactId></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-compiler-plugin</artifactId></plugin>
    </plugins>
  </build>
</project>"#;

#[test]
fn maven_children_see_their_parents_properties() {
    let facts = maven(&[("pom.xml", PARENT), ("api/pom.xml", CHILD)]);
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let parent = manifest(&facts, "pom.xml");
    assert_eq!(parent.name.as_deref(), Some("shop-parent"));
    assert_eq!(parent.role, ManifestRole::Package);
    assert_eq!(parent.workspace_members, ["api", "libs/common"]);
    let api = manifest(&facts, "api/pom.xml");
    assert_eq!(api.name.as_deref(), Some("shop-parent-api"));
    assert_eq!(
        deps(api),
        [
            ("com.acme:shop-parent".into(), DependencyScope::Runtime, 2),
            ("com.acme:common".into(), DependencyScope::Runtime, 9),
            (
                "org.postgresql:postgresql".into(),
                DependencyScope::Runtime,
                14
            ),
            (
                "org.springframework.boot:spring-boot-starter-test".into(),
                DependencyScope::Dev,
                19
            ),
            (
                "org.apache.maven.plugins:maven-compiler-plugin".into(),
                DependencyScope::Dev,
                29
            ),
        ]
    );
}

#[test]
fn maven_parent_cycles_and_mismatches_stop_the_chain() {
    let a = "<project><parent><groupId>g</groupId><artifactId>b</artifactId>\
             <relativePath>../b</relativePath></parent><artifactId>a</artifactId>\
             <dependencies><dependency><groupId>${x}</groupId><artifactId>y</artifactId>\
             </dependency></dependencies></project>";
    let b = "<project><parent><groupId>g</groupId><artifactId>a</artifactId>\
             <relativePath>../a/pom.xml</relativePath></parent><artifactId>b</artifactId>\
             <properties><x>${x}</x></properties></project>";
    let facts = maven(&[("a/pom.xml", a), ("b/pom.xml", b)]);
    let names: Vec<String> = deps(manifest(&facts, "a/pom.xml"))
        .into_iter()
        .map(|d| d.0)
        .collect();
    assert_eq!(names, ["g:b", "${x}:y"]);
    // The default `../pom.xml` is not the parent when it declares another artifact.
    let other = "<project><artifactId>unrelated</artifactId>\
                 <properties><x>z</x></properties></project>";
    let facts = maven(&[
        ("pom.xml", other),
        ("a/pom.xml", &a.replace("../b", "../pom.xml")),
    ]);
    assert_eq!(
        deps(manifest(&facts, "a/pom.xml"))[1].0,
        "${x}:y",
        "an unrelated POM's properties must not apply"
    );
}

#[test]
fn maven_errors_are_problems_and_the_scan_goes_on() {
    let facts = maven(&[
        ("bad/pom.xml", "<project>\n<oops></project>"),
        ("pom.xml", PARENT),
    ]);
    assert_eq!(facts.problems.len(), 1);
    assert_eq!(facts.problems[0].path, "bad/pom.xml");
    assert_eq!(facts.problems[0].line, 2);
    assert_eq!(facts.manifests.len(), 1);
}

const SETTINGS: &str = r#"rootProject.name = "orders"
include(":app", ":libs:core", ":web")
project(":web").projectDir = file("frontend/web-app")
"#;

const CATALOG: &str = r#"[libraries]
spring-boot-starter-web = { module = "org.springframework.boot:spring-boot-starter-web" }
micrometer-prometheus = "io.micrometer:micrometer-registry-prometheus:1.13.0"
otel-api = { group = "io.opentelemetry", name = "opentelemetry-api" }
missing = { version = "1" }

[bundles]
observability = ["micrometer-prometheus", "otel-api", "not-a-library"]

[plugins]
spring-boot = { id = "org.springframework.boot", version = "3.3.1" }
kotlin-jvm = "org.jetbrains.kotlin.jvm:2.0.0"
"#;

const APP: &str = r#"plugins {
    alias(libs.plugins.spring.boot)
    alias(libs.plugins.kotlin.jvm)
    alias(libs.plugins.unknown)
    application
}
dependencies {
    implementation(libs.spring.boot.starter.web)
    implementation(libs.bundles.observability)
    implementation(libs.not.in.catalog)
    implementation(deps.something)
    implementation(project(":libs:core"))
    annotationProcessor("org.mapstruct:mapstruct-processor:1.5.5.Final")
    testImplementation("org.junit.jupiter:junit-jupiter")
}
"#;

#[test]
fn gradle_settings_catalogs_and_builds_come_together() {
    let facts = gradle(&[
        ("settings.gradle.kts", SETTINGS),
        ("build.gradle.kts", "plugins { java }"),
        ("gradle/libs.versions.toml", CATALOG),
        ("app/build.gradle.kts", APP),
        ("libs/core/build.gradle.kts", "plugins { `java-library` }"),
        ("frontend/web-app/build.gradle", "apply plugin: 'groovy'"),
    ]);
    let settings = manifest(&facts, "settings.gradle.kts");
    assert_eq!(settings.role, ManifestRole::Supplement);
    assert_eq!(
        settings.workspace_members,
        ["app", "libs/core", "frontend/web-app"]
    );
    assert_eq!(
        manifest(&facts, "build.gradle.kts").name.as_deref(),
        Some("orders")
    );
    assert_eq!(
        manifest(&facts, "libs/core/build.gradle.kts")
            .name
            .as_deref(),
        Some("core")
    );
    let web = manifest(&facts, "frontend/web-app/build.gradle");
    assert_eq!(web.name.as_deref(), Some("web"));
    assert_eq!(web.language.as_deref(), Some("groovy"));

    let app = manifest(&facts, "app/build.gradle.kts");
    assert_eq!(app.name.as_deref(), Some("app"));
    assert!(app.executable);
    assert_eq!(app.language.as_deref(), Some("kotlin"));
    assert_eq!(
        deps(app),
        [
            (
                "org.springframework.boot:spring-boot-starter-web".into(),
                DependencyScope::Runtime,
                8
            ),
            (
                "io.micrometer:micrometer-registry-prometheus".into(),
                DependencyScope::Runtime,
                9
            ),
            (
                "io.opentelemetry:opentelemetry-api".into(),
                DependencyScope::Runtime,
                9
            ),
            (
                "org.mapstruct:mapstruct-processor".into(),
                DependencyScope::Dev,
                13
            ),
            (
                "org.junit.jupiter:junit-jupiter".into(),
                DependencyScope::Dev,
                14
            ),
            ("org.springframework.boot".into(), DependencyScope::Dev, 2),
            ("org.jetbrains.kotlin.jvm".into(), DependencyScope::Dev, 3),
            ("application".into(), DependencyScope::Dev, 5),
        ]
    );
    // The catalog entry Gradle would refuse is a problem; unresolved
    // accessors are not.
    assert_eq!(facts.problems.len(), 1, "{:?}", facts.problems);
    assert_eq!(facts.problems[0].path, "gradle/libs.versions.toml");
    assert_eq!(facts.problems[0].line, 5);
}

#[test]
fn gradle_settings_alone_declare_a_workspace_only() {
    let facts = gradle(&[
        (
            "settings.gradle",
            "include 'a', 'b'\nrootProject.name = 'multi'",
        ),
        ("a/build.gradle", "subprojects { apply plugin: 'kotlin' }"),
        ("a/x/build.gradle", ""),
    ]);
    let settings = manifest(&facts, "settings.gradle");
    assert_eq!(settings.role, ManifestRole::WorkspaceOnly);
    assert_eq!(settings.name.as_deref(), Some("multi"));
    assert_eq!(settings.workspace_members, ["a", "b"]);
    // `a` applies Kotlin to its subprojects only.
    assert_eq!(manifest(&facts, "a/build.gradle").language, None);
    assert_eq!(
        manifest(&facts, "a/x/build.gradle").language.as_deref(),
        Some("kotlin")
    );
}

#[test]
fn the_nearest_build_root_catalog_wins() {
    let facts = gradle(&[
        (
            "gradle/libs.versions.toml",
            "[libraries]\nx = \"org.root:x\"",
        ),
        (
            "nested/gradle/libs.versions.toml",
            "[libraries]\nx = \"org.nested:x\"",
        ),
        (
            "nested/app/build.gradle",
            "dependencies { implementation libs.x }",
        ),
        ("app/build.gradle", "dependencies { implementation libs.x }"),
    ]);
    assert_eq!(
        deps(manifest(&facts, "nested/app/build.gradle"))[0].0,
        "org.nested:x"
    );
    assert_eq!(
        deps(manifest(&facts, "app/build.gradle"))[0].0,
        "org.root:x"
    );
}

#[test]
fn gradle_syntax_errors_are_problems() {
    let facts = gradle(&[
        ("build.gradle", "dependencies {\n  implementation 'a:b'\n"),
        ("settings.gradle", "include 'app'"),
    ]);
    assert_eq!(facts.problems.len(), 1);
    assert_eq!(facts.problems[0].line, 1);
    // Without its build script the settings only declare a workspace.
    assert_eq!(
        manifest(&facts, "settings.gradle").role,
        ManifestRole::WorkspaceOnly
    );
}
