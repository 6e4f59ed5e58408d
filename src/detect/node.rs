//! Node.js packages: `package.json` (npm, yarn, pnpm and bun workspaces) and
//! `pnpm-workspace.yaml`.

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::package_json::{self, DependencyGroup};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    for (kind, src) in files {
        match kind {
            FileKind::PackageJson => package(src, &mut facts),
            FileKind::PnpmWorkspace => pnpm_workspace(src, &mut facts),
            _ => {}
        }
    }
    facts
}

fn package(src: &SourceFile, facts: &mut Facts) {
    let pkg = match package_json::parse(src) {
        Ok(pkg) => pkg,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Node, ManifestRole::Package);
    manifest.name = pkg.name.map(|(name, _)| name).filter(|n| !n.is_empty());
    manifest.executable = pkg.bin;
    manifest.workspace_members = pkg.workspaces.into_iter().map(|(glob, _)| glob).collect();
    manifest.dependencies = pkg
        .dependencies
        .iter()
        .map(|dep| Dependency {
            name: dep.name.clone(),
            scope: match dep.group {
                DependencyGroup::Dependencies | DependencyGroup::PeerDependencies => {
                    DependencyScope::Runtime
                }
                DependencyGroup::DevDependencies => DependencyScope::Dev,
                DependencyGroup::OptionalDependencies => DependencyScope::Optional,
            },
            path: src.path.clone(),
            line: src.line(dep.span.start),
        })
        .collect();
    facts.manifests.push(manifest);
}

/// `pnpm-workspace.yaml`: its `packages` globs make the directory a workspace root.
fn pnpm_workspace(src: &SourceFile, facts: &mut Facts) {
    let docs = match crate::parse::yaml::parse(src) {
        Ok(docs) => docs,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Node, ManifestRole::Supplement);
    for doc in &docs {
        for item in doc.get("packages").map(|p| p.seq()).unwrap_or_default() {
            if let Some(glob) = item.as_str() {
                match glob.strip_prefix('!') {
                    Some(excluded) => manifest.workspace_exclude.push(excluded.to_string()),
                    None => manifest.workspace_members.push(glob.to_string()),
                }
            }
        }
    }
    facts.manifests.push(manifest);
}
