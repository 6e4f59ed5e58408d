//! PHP: Composer's `composer.json`. `require` is needed at run time,
//! `require-dev` only in development. Platform requirements on PHP itself and
//! on Composer's plugin/runtime API say nothing about the stack and are left
//! out; `ext-*` requirements are kept (`ext-pgsql` says PostgreSQL,
//! `ext-redis` Redis).

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::package_json::{self, DependencyGroup};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        if *kind == FileKind::ComposerJson {
            read_composer(src, &mut facts);
        }
    }
    facts
}

fn read_composer(src: &SourceFile, facts: &mut Facts) {
    let composer = match package_json::parse_composer(src) {
        Ok(composer) => composer,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Php, ManifestRole::Package);
    // `vendor/package`; without one the directory name is used.
    manifest.name = composer
        .name
        .map(|(name, _)| name.trim().to_string())
        .filter(|n| !n.is_empty());
    manifest.executable = composer.bin;
    manifest.dependencies = composer
        .dependencies
        .iter()
        .filter(|dep| !is_php_platform(&dep.name))
        .map(|dep| Dependency {
            name: dep.name.clone(),
            scope: match dep.group {
                DependencyGroup::DevDependencies => DependencyScope::Dev,
                _ => DependencyScope::Runtime,
            },
            path: src.path.clone(),
            line: src.line(dep.span.start),
        })
        .collect();
    facts.manifests.push(manifest);
}

/// Requirements on the PHP runtime or Composer itself (`php`, `php-64bit`,
/// `hhvm`, `composer-plugin-api`, `composer-runtime-api`). Composer compares
/// package names case-insensitively.
fn is_php_platform(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase();
    name == "php"
        || name.starts_with("php-")
        || name == "hhvm"
        || name == "composer"
        || name == "composer-plugin-api"
        || name == "composer-runtime-api"
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::detect::testing::deps;

    fn facts(text: &str) -> Facts {
        let src = SourceFile::new("api/composer.json", text);
        let mut facts = Facts::default();
        read_composer(&src, &mut facts);
        facts
    }

    #[test]
    fn platform_requirements_are_dropped_but_extensions_kept() {
        let facts = facts(
            r#"{
  "name": "acme/api",
  "require": {
    "php": "^8.2",
    "PHP-64bit": "*",
    "composer-plugin-api": "^2.0",
    "ext-pgsql": "*",
    "laravel/framework": "^11.0"
  },
  "require-dev": { "phpunit/phpunit": "^11.0" },
  "bin": ["bin/acme"]
}"#,
        );
        let manifest = &facts.manifests[0];
        assert_eq!(manifest.name.as_deref(), Some("acme/api"));
        assert_eq!(manifest.dir, "api");
        assert!(manifest.executable);
        let deps = deps(manifest);
        assert_eq!(
            deps,
            [
                ("ext-pgsql", DependencyScope::Runtime, 7),
                ("laravel/framework", DependencyScope::Runtime, 8),
                ("phpunit/phpunit", DependencyScope::Dev, 10),
            ]
        );
    }

    #[test]
    fn without_a_name_the_directory_names_the_component() {
        let facts = facts(r#"{"name": "  ", "require": {}}"#);
        assert_eq!(facts.manifests[0].name, None);
        assert!(!facts.manifests[0].executable);
    }

    #[test]
    fn a_syntax_error_is_a_problem_with_its_position() {
        let facts = facts("{\n  \"require\": {\n    \"a/b\": \"1\",\n  }\n}");
        assert!(facts.manifests.is_empty());
        let problem = &facts.problems[0];
        assert_eq!(problem.path, "api/composer.json");
        // The trailing comma is the error.
        assert_eq!(problem.line, 3);
    }
}
