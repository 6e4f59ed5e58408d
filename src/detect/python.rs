//! Python packages: `pyproject.toml` (PEP 621, PEP 735 groups, Poetry, PDM,
//! uv and its workspaces), requirements files (with their `-r` includes),
//! `Pipfile`, `setup.cfg` and `setup.py`. Each file becomes a python
//! [`Manifest`] whose dependencies keep the name as written, a scope, and the
//! file and line that declare them; syntax errors become problems.
//!
//! Roles: a pyproject.toml or setup.cfg that only configures tools (ruff,
//! flake8, pytest) is a supplement and makes no component by itself; a uv
//! workspace root without a project only declares its members.

mod requirements_files;

use crate::detect::{DetectContext, Facts, Manifest, ManifestRole};
use crate::model::{Dependency, DependencyScope, Ecosystem};
use crate::parse::ParseError;
use crate::parse::pyproject::{self, Section};
use crate::parse::{pipfile, setup_cfg, setup_py};
use crate::source::{SourceFile, Span};
use crate::walk::FileKind;

use requirements_files::RequirementsFiles;

pub fn detect(ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let listed = files
        .iter()
        .filter(|(kind, _)| *kind == FileKind::Requirements)
        .map(|(_, src)| *src);
    let mut requirements = RequirementsFiles::new(ctx, listed);
    for (kind, src) in files {
        match kind {
            FileKind::PyProject => pyproject(src, &mut facts),
            FileKind::Requirements => requirements.manifest(src, &mut facts),
            FileKind::Pipfile => pipfile(src, &mut facts),
            FileKind::SetupCfg => setup_cfg(src, &mut facts),
            FileKind::SetupPy => setup_py(src, &mut facts),
            _ => {}
        }
    }
    facts
}

/// At most this many syntax errors are listed per file; a file that is not
/// what its name says would otherwise give one per line.
const MAX_ERRORS_PER_FILE: usize = 20;

/// Record a file's syntax errors as problems, the first [`MAX_ERRORS_PER_FILE`]
/// of them and then how many more there are.
fn report_errors(src: &SourceFile, errors: &[ParseError], facts: &mut Facts) {
    facts.problems.extend(
        errors
            .iter()
            .take(MAX_ERRORS_PER_FILE)
            .map(|e| e.to_problem(src)),
    );
    if let Some(last) = errors.get(MAX_ERRORS_PER_FILE) {
        let more = errors.len() - MAX_ERRORS_PER_FILE;
        facts.problem_at(
            src,
            last.offset,
            format!("{more} more syntax errors in this file are not listed"),
        );
    }
}

fn dependency(src: &SourceFile, name: &str, span: Span, scope: DependencyScope) -> Dependency {
    Dependency {
        name: name.to_string(),
        scope,
        path: src.path.clone(),
        line: src.line(span.start),
    }
}

fn non_empty(name: Option<(String, Span)>) -> Option<String> {
    name.map(|(name, _)| name).filter(|n| !n.trim().is_empty())
}

fn pyproject(src: &SourceFile, facts: &mut Facts) {
    let parsed = match pyproject::parse(src) {
        Ok(parsed) => parsed,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    report_errors(src, &parsed.errors, facts);
    let role = if parsed.declares_project {
        ManifestRole::Package
    } else if parsed.uv_workspace.is_some() {
        ManifestRole::WorkspaceOnly
    } else {
        ManifestRole::Supplement
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, role);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    if let Some(workspace) = parsed.uv_workspace {
        manifest.workspace_members = workspace.members.into_iter().map(|(g, _)| g).collect();
        manifest.workspace_exclude = workspace.exclude.into_iter().map(|(g, _)| g).collect();
    }
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = match dep.section {
                Section::Project | Section::Poetry => DependencyScope::Runtime,
                Section::ProjectOptional | Section::PoetryOptional => DependencyScope::Optional,
                Section::DependencyGroup
                | Section::PoetryGroup
                | Section::PdmDev
                | Section::UvDev => DependencyScope::Dev,
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn pipfile(src: &SourceFile, facts: &mut Facts) {
    let parsed = match pipfile::parse(src) {
        Ok(parsed) => parsed,
        Err(err) => {
            facts.problems.push(err.to_problem(src));
            return;
        }
    };
    report_errors(src, &parsed.errors, facts);
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, ManifestRole::Package);
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = if dep.dev {
                DependencyScope::Dev
            } else {
                DependencyScope::Runtime
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn setup_cfg(src: &SourceFile, facts: &mut Facts) {
    let parsed = setup_cfg::parse(src);
    report_errors(src, &parsed.errors, facts);
    let role = if parsed.name.is_some() || parsed.has_install_requires {
        ManifestRole::Package
    } else {
        ManifestRole::Supplement
    };
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, role);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|dep| {
            let scope = match dep.group {
                setup_cfg::CfgGroup::Install => DependencyScope::Runtime,
                setup_cfg::CfgGroup::Extra => DependencyScope::Optional,
                setup_cfg::CfgGroup::Tests => DependencyScope::Dev,
            };
            dependency(src, &dep.name, dep.span, scope)
        })
        .collect();
    facts.manifests.push(manifest);
}

fn setup_py(src: &SourceFile, facts: &mut Facts) {
    let parsed = setup_py::parse(src);
    report_errors(src, &parsed.errors, facts);
    let mut manifest = Manifest::new(&src.path, Ecosystem::Python, ManifestRole::Package);
    manifest.name = non_empty(parsed.name);
    manifest.executable = parsed.executable;
    manifest.dependencies = parsed
        .dependencies
        .iter()
        .map(|(name, span)| dependency(src, name, *span, DependencyScope::Runtime))
        .collect();
    facts.manifests.push(manifest);
}

#[cfg(test)]
mod tests;
