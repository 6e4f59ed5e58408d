use super::*;

fn build(path: &str, text: &str) -> (SourceFile, GradleBuild) {
    let src = SourceFile::new(path, text);
    let build = parse_build(&src).unwrap();
    (src, build)
}

fn modules(build: &GradleBuild) -> Vec<(String, String)> {
    build
        .dependencies
        .iter()
        .filter_map(|d| match &d.notation {
            Notation::Module { group, name } => {
                Some((d.configuration.clone(), format!("{group}:{name}")))
            }
            Notation::Catalog(_) => None,
        })
        .collect()
}

fn plugin_ids(build: &GradleBuild) -> Vec<String> {
    build
        .plugins
        .iter()
        .map(|p| match &p.plugin {
            PluginRef::Id(id) => id.clone(),
            PluginRef::Catalog(a) => format!("{}.{}", a.catalog, a.path.join(".")),
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect()
}

#[test]
fn groovy_legacy_notations() {
    let text = r#"
buildscript {
    dependencies {
        classpath "org.springframework.boot:spring-boot-gradle-plugin:2.7.18"
    }
}
apply plugin: 'java'
apply plugin: "org.springframework.boot"

dependencies {
    compile 'org.postgresql:postgresql:42.2.5'
    compile group: 'com.google.guava', name: 'guava', version: '31.1-jre'
    compile(group: 'org.slf4j', name: 'slf4j-api')
    testCompile "junit:junit:4.13.2", 'org.mockito:mockito-core:4.0.0'
    runtime files('libs/legacy.jar')
    compile fileTree(dir: 'libs', include: ['*.jar'])
    compile project(':common')
    compile('com.fasterxml.jackson.core:jackson-databind:2.15.0') {
        exclude group: 'org.yaml', module: 'snakeyaml'
    }
    compile([
        'io.micrometer:micrometer-core:1.12.0',
        'not-a-coordinate',
    ])
}
"#;
    let (src, build) = build("build.gradle", text);
    assert_eq!(
        modules(&build),
        pairs(&[
            (
                "classpath",
                "org.springframework.boot:spring-boot-gradle-plugin"
            ),
            ("compile", "org.postgresql:postgresql"),
            ("compile", "com.google.guava:guava"),
            ("compile", "org.slf4j:slf4j-api"),
            ("testCompile", "junit:junit"),
            ("testCompile", "org.mockito:mockito-core"),
            ("compile", "com.fasterxml.jackson.core:jackson-databind"),
            ("compile", "io.micrometer:micrometer-core"),
        ])
    );
    assert_eq!(plugin_ids(&build), ["java", "org.springframework.boot"]);
    let postgres = &build.dependencies[1];
    assert_eq!(src.line(postgres.span.start), 11);
    assert_eq!(
        src.slice(postgres.span),
        "'org.postgresql:postgresql:42.2.5'"
    );
}

#[test]
fn kotlin_dsl_plugins_and_catalog_accessors() {
    let text = r#"
plugins {
    alias(libs.plugins.spring.boot)
    alias(libs.plugins.kotlin.spring) apply false
    kotlin("jvm") version "1.9.24"
    kotlin("plugin.spring")
    id("com.google.cloud.tools.jib") version "3.4.3"
    `java-library`
    application
    id 'groovy'
}

dependencies {
    implementation(platform(libs.spring.boot.bom))
    implementation(libs.spring.boot.starter.web)
    implementation(libs.bundles.observability)
    implementation(kotlin("reflect"))
    implementation(libs.jackson.kotlin.get())
    "developmentOnly"("org.springframework.boot:spring-boot-devtools")
    add("runtimeOnly", "org.postgresql:postgresql")
    testImplementation(libs.spring.boot.starter.test) {
        exclude(group = "org.junit.vintage")
    }
    implementation(group = "io.projectreactor", name = "reactor-core", version = "3.6.0")
    implementation(project(":core"))
    implementation(libs.versions.kotlin.get())
}
"#;
    let (_, build) = build("app/build.gradle.kts", text);
    assert_eq!(
        plugin_ids(&build),
        [
            "libs.plugins.spring.boot",
            "libs.plugins.kotlin.spring",
            "org.jetbrains.kotlin.jvm",
            "org.jetbrains.kotlin.plugin.spring",
            "com.google.cloud.tools.jib",
            "java-library",
            "application",
            "groovy",
        ]
    );
    assert!(build.plugins[0].applied);
    assert!(!build.plugins[1].applied);
    let accessors: Vec<String> = build
        .dependencies
        .iter()
        .filter_map(|d| match &d.notation {
            Notation::Catalog(a) => Some(format!("{} {}", d.configuration, a.path.join("."))),
            Notation::Module { .. } => None,
        })
        .collect();
    assert_eq!(
        accessors,
        [
            "implementation spring.boot.bom",
            "implementation spring.boot.starter.web",
            "implementation bundles.observability",
            "implementation jackson.kotlin",
            "testImplementation spring.boot.starter.test",
            "implementation versions.kotlin",
        ]
    );
    assert_eq!(
        modules(&build),
        pairs(&[
            ("implementation", "org.jetbrains.kotlin:kotlin-reflect"),
            (
                "developmentOnly",
                "org.springframework.boot:spring-boot-devtools"
            ),
            ("runtimeOnly", "org.postgresql:postgresql"),
            ("implementation", "io.projectreactor:reactor-core"),
        ])
    );
}

#[test]
fn blocks_for_other_projects_keep_their_target() {
    let text = r#"
allprojects {
    apply(plugin = "java")
}
subprojects {
    apply plugin: 'kotlin'
    dependencies { implementation "org.slf4j:slf4j-api:2.0.9" }
}
project(':web') {
    dependencies { implementation 'org.webjars:jquery:3.7.1' }
}
dependencies { api("com.acme:shared:1.0") }
"#;
    let (_, build) = build("build.gradle", text);
    let targets: Vec<Target> = build.dependencies.iter().map(|d| d.target).collect();
    assert_eq!(targets, [Target::Subprojects, Target::Others, Target::This]);
    let plugin_targets: Vec<Target> = build.plugins.iter().map(|p| p.target).collect();
    assert_eq!(plugin_targets, [Target::AllProjects, Target::Subprojects]);
}

#[test]
fn test_blocks_mark_their_dependencies() {
    let text = r#"
testing {
    suites {
        val integrationTest by registering(JvmTestSuite::class) {
            dependencies { implementation("org.testcontainers:postgresql:1.19.0") }
        }
    }
}
kotlin {
    sourceSets {
        commonMain.dependencies { implementation("io.ktor:ktor-client-core:2.3.0") }
        jvmTest.dependencies { implementation(kotlin("test")) }
    }
}
"#;
    let (_, build) = build("build.gradle.kts", text);
    let flags: Vec<bool> = build.dependencies.iter().map(|d| d.in_test_block).collect();
    assert_eq!(flags, [true, false, true]);
}

#[test]
fn version_pins_are_not_dependencies() {
    let text = r#"
dependencyManagement {
    dependencies { dependency 'org.x:pinned:1.0' }
}
dependencies {
    constraints { implementation("org.y:pinned:2.0") }
    implementation "org.z:used"
}
"#;
    let (_, build) = build("build.gradle", text);
    assert_eq!(modules(&build), pairs(&[("implementation", "org.z:used")]));
}

#[test]
fn dependencies_under_control_flow_still_count() {
    let text = "dependencies {\n  if (useH2) {\n    runtimeOnly 'com.h2database:h2'\n  } else {\n    runtimeOnly 'org.postgresql:postgresql'\n  }\n}";
    let (_, build) = build("build.gradle", text);
    assert_eq!(build.dependencies.len(), 2);
}

#[test]
fn braces_inside_strings_do_not_end_the_block() {
    let text = r#"
dependencies {
    implementation "org.a:b:${versions["b}"]}"   // a } in a comment
    /* } */ implementation 'org.c:d:1'
}
tasks.register("x") { doLast { println("}") } }
"#;
    let (_, build) = build("build.gradle", text);
    assert_eq!(
        modules(&build),
        pairs(&[("implementation", "org.a:b"), ("implementation", "org.c:d")])
    );
}

#[test]
fn statements_continue_over_commas_and_chained_calls() {
    let trees = tokens::tree("a 'x',\n  'y'\nb()\n  .c()\nd", 0, Dialect::Groovy).unwrap();
    let statements = statements(&trees);
    assert_eq!(statements.len(), 3);
    assert_eq!(statements[0].len(), 4);
}

#[test]
fn coordinates_need_a_group_and_a_name() {
    assert_eq!(module_coordinates("g:a:1@jar"), Some(("g", "a")));
    assert_eq!(module_coordinates("g:a"), Some(("g", "a")));
    assert_eq!(module_coordinates("g"), None);
    assert_eq!(module_coordinates(":a"), None);
}

#[test]
fn a_syntax_error_is_located() {
    let src = SourceFile::new("build.gradle", "plugins {\n  id 'java'\n");
    let err = parse_build(&src).unwrap_err();
    assert_eq!(src.line(err.offset), 1);
}

#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    let text = "\u{feff}dependencies {\r\n  implementation 'org.a:b:1'\r\n}\r\n";
    let (src, build) = build("build.gradle", text);
    assert_eq!(src.slice(build.dependencies[0].span), "'org.a:b:1'");
}

#[test]
fn hostile_input_never_panics() {
    // A small deterministic generator over the characters the scanner cares about.
    let alphabet: Vec<char> = "{}()[]'\"$\\/*\n ;,.:=`-@?abcé1".chars().collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = usize::try_from(next() % 48).unwrap();
        let text: String = (0..len)
            .map(|_| alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()])
            .collect();
        for path in ["build.gradle", "settings.gradle.kts"] {
            let src = SourceFile::new(path, text.clone());
            let _ = parse_build(&src);
            let _ = parse_settings(&src);
        }
    }
}

#[test]
fn blank_lines_cost_linear_time() {
    let text = format!(
        "dependencies {{{}implementation 'a:b'\n}}",
        "\n".repeat(1_000_000)
    );
    let (_, build) = build("build.gradle", &text);
    assert_eq!(build.dependencies.len(), 1);
}
