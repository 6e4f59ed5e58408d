use super::*;

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.3.1</version>
    <relativePath/> <!-- from the repository -->
  </parent>
  <groupId>com.acme</groupId>
  <artifactId>
    shop
  </artifactId>
  <packaging>pom</packaging>
  <properties>
    <kafka.group>org.springframework.kafka</kafka.group>
  </properties>
  <modules>
    <module>api</module>
    <module>worker/pom.xml</module>
  </modules>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>org.pinned</groupId>
        <artifactId>pinned</artifactId>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>${kafka.group}</groupId>
      <artifactId>spring-kafka</artifactId>
    </dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <scope>test</scope>
    </dependency>
    <dependency>
      <groupId>com.h2database</groupId>
      <artifactId><![CDATA[h2]]></artifactId>
      <optional> true </optional>
    </dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin><artifactId>maven-surefire-plugin</artifactId></plugin>
      </plugins>
    </pluginManagement>
    <plugins>
      <plugin>
        <groupId>org.springframework.boot</groupId>
        <artifactId>spring-boot-maven-plugin</artifactId>
      </plugin>
    </plugins>
  </build>
  <profiles>
    <profile>
      <id>e2e</id>
      <modules><module>e2e-tests</module></modules>
      <dependencies>
        <dependency>
          <groupId>org.testcontainers</groupId>
          <artifactId>postgresql</artifactId>
        </dependency>
      </dependencies>
    </profile>
  </profiles>
</project>
"#;

#[test]
fn coordinates_parent_and_modules() {
    let src = SourceFile::new("pom.xml", POM);
    let pom = parse(&src).unwrap();
    assert_eq!(pom.group_id.unwrap().value, "com.acme");
    let artifact = pom.artifact_id.unwrap();
    assert_eq!(artifact.value, "shop");
    assert_eq!(src.line(artifact.span.start), 12);
    assert_eq!(pom.packaging.unwrap().value, "pom");
    let parent = pom.parent.unwrap();
    assert_eq!(
        parent.artifact_id.unwrap().value,
        "spring-boot-starter-parent"
    );
    assert_eq!(parent.relative_path.as_deref(), Some(""));
    assert_eq!(src.line(parent.span.start), 5);
    let modules: Vec<&str> = pom.modules.iter().map(|m| m.value.as_str()).collect();
    assert_eq!(modules, ["api", "worker/pom.xml", "e2e-tests"]);
    assert_eq!(
        pom.properties,
        [(
            "kafka.group".to_string(),
            "org.springframework.kafka".to_string()
        )]
    );
}

#[test]
fn dependencies_keep_scope_optional_and_section() {
    let src = SourceFile::new("pom.xml", POM);
    let pom = parse(&src).unwrap();
    let deps: Vec<(String, Option<&str>, bool, Section)> = pom
        .dependencies
        .iter()
        .map(|d| {
            (
                d.artifact_id.as_ref().unwrap().value.clone(),
                d.scope.as_deref(),
                d.optional,
                d.section,
            )
        })
        .collect();
    assert_eq!(
        deps,
        [
            ("spring-kafka".into(), None, false, Section::Project),
            (
                "junit-jupiter".into(),
                Some("test"),
                false,
                Section::Project
            ),
            ("h2".into(), None, true, Section::Project),
            ("postgresql".into(), None, false, Section::Profile),
        ]
    );
    assert_eq!(
        pom.dependencies[0].group_id.as_ref().unwrap().value,
        "${kafka.group}"
    );
    assert_eq!(src.line(pom.dependencies[0].span.start), 32);
    let plugins: Vec<(Option<&str>, &str, Section)> = pom
        .plugins
        .iter()
        .map(|p| {
            (
                p.group_id.as_ref().map(|g| g.value.as_str()),
                p.artifact_id.as_ref().unwrap().value.as_str(),
                p.section,
            )
        })
        .collect();
    assert_eq!(
        plugins,
        [
            (
                Some("org.springframework.boot"),
                "spring-boot-maven-plugin",
                Section::Project
            ),
            (None, "maven-surefire-plugin", Section::PluginManagement),
        ]
    );
}

#[test]
fn interpolation_is_bounded() {
    let lookup = |name: &str| -> Option<String> {
        match name {
            "a" => Some("${b}-x".into()),
            "b" => Some("core".into()),
            "self" => Some("${self}".into()),
            "twice" => Some("${twice}${twice}".into()),
            _ => None,
        }
    };
    assert_eq!(interpolate("${a}", &lookup), "core-x");
    assert_eq!(interpolate("p-${unknown}-${b", &lookup), "p-${unknown}-${b");
    // A self reference stops at the depth limit; doubling stops at the length limit.
    assert!(interpolate("${self}", &lookup).contains("${self}"));
    assert!(interpolate("${twice}", &lookup).len() <= MAX_EXPANDED_LEN);
}

#[test]
fn xml_errors_point_at_the_line() {
    let src = SourceFile::new(
        "pom.xml",
        "<project>\n  <groupId>x</artifactId>\n</project>",
    );
    let err = parse(&src).unwrap_err();
    let pos = src.position(err.offset);
    assert_eq!(pos.line, 2);
    assert!(
        err.message.contains("groupId") && !err.message.contains(" at 2:"),
        "{}",
        err.message
    );
}

#[test]
fn a_byte_order_mark_shifts_positions() {
    let src = SourceFile::new(
        "pom.xml",
        "\u{feff}<project><artifactId>a</artifactId></project>",
    );
    let pom = parse(&src).unwrap();
    assert_eq!(src.slice(pom.artifact_id.unwrap().span), "a");
    let src = SourceFile::new("pom.xml", "\u{feff}<project><</project>");
    let err = parse(&src).unwrap_err();
    // roxmltree stops at the second `<`; the BOM is one more character of line 1.
    assert_eq!(&src.text[err.offset..], "</project>");
    assert_eq!(src.position(err.offset).column, 12);
}

#[test]
fn dtds_and_other_roots_are_refused() {
    let bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><project>&lol;</project>";
    assert!(parse(&SourceFile::new("pom.xml", bomb)).is_err());
    let err = parse(&SourceFile::new("pom.xml", "<settings/>")).unwrap_err();
    assert!(err.message.contains("<project>"));
}

#[test]
fn deep_nesting_is_an_error_or_ignored_not_a_crash() {
    let text = format!(
        "<project>{}{}</project>",
        "<a>".repeat(50_000),
        "</a>".repeat(50_000)
    );
    let _ = parse(&SourceFile::new("pom.xml", text));
}
