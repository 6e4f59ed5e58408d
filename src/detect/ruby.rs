//! Ruby: Bundler's `Gemfile` (or `gems.rb`). Gems of the `development` and
//! `test` groups are development dependencies; every other group is needed at
//! run time. A Gemfile that calls `gemspec` belongs to a gem (a library),
//! which needs nothing special: it is a component like any other.

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::gemfile;
use crate::source::SourceFile;
use crate::walk::FileKind;

/// Groups whose gems are not installed in production (`bundle config set
/// without development:test` is the conventional deployment).
const DEV_GROUPS: [&str; 2] = ["development", "test"];

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        if *kind == FileKind::Gemfile {
            read_gemfile(src, &mut facts);
        }
    }
    facts
}

fn read_gemfile(src: &SourceFile, facts: &mut Facts) {
    let parsed = gemfile::parse(src);
    facts
        .problems
        .extend(parsed.errors.iter().map(|err| err.to_problem(src)));
    // The directory name names the component: a Gemfile declares no name.
    let mut manifest = Manifest::new(&src.path, Ecosystem::Ruby, ManifestRole::Package);
    manifest.dependencies = parsed
        .gems
        .iter()
        .map(|gem| Dependency {
            name: gem.name.clone(),
            scope: scope(&gem.groups),
            path: src.path.clone(),
            line: src.line(gem.span.start),
        })
        .collect();
    facts.manifests.push(manifest);
}

/// A gem is a development dependency when every group it is in is one.
fn scope(groups: &[String]) -> DependencyScope {
    if !groups.is_empty() && groups.iter().all(|g| DEV_GROUPS.contains(&g.as_str())) {
        DependencyScope::Dev
    } else {
        DependencyScope::Runtime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn only_development_and_test_groups_are_dev() {
        assert_eq!(scope(&[]), DependencyScope::Runtime);
        assert_eq!(scope(&groups(&["test"])), DependencyScope::Dev);
        assert_eq!(
            scope(&groups(&["development", "test"])),
            DependencyScope::Dev
        );
        assert_eq!(
            scope(&groups(&["development", "production"])),
            DependencyScope::Runtime
        );
        assert_eq!(scope(&groups(&["ci"])), DependencyScope::Runtime);
    }
}
