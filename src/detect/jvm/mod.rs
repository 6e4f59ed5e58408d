//! JVM builds: Maven (`pom.xml`) and Gradle (build scripts, settings scripts
//! and version catalogs). The detector receives every JVM file at once, so a
//! POM can read its parent's properties and a build script can resolve the
//! catalog accessors and project names its build root defines.
//!
//! Dependencies are named `groupId:artifactId`; build plugins are dependencies
//! too, in the `dev` scope (Gradle plugins by id, Maven plugins by
//! coordinate), so that later rules can see, say, that Jib builds an image.

mod gradle;
mod maven;

use crate::detect::{DetectContext, Facts};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(_ctx: &DetectContext<'_>, files: &[(FileKind, &SourceFile)]) -> Facts {
    let mut facts = Facts::default();
    let of_kind = |kind: FileKind| -> Vec<&SourceFile> {
        files
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, src)| *src)
            .collect()
    };
    maven::detect(&of_kind(FileKind::PomXml), &mut facts);
    gradle::detect(
        &gradle::Files {
            builds: of_kind(FileKind::BuildGradle),
            settings: of_kind(FileKind::SettingsGradle),
            catalogs: of_kind(FileKind::VersionCatalog),
        },
        &mut facts,
    );
    facts
}

/// A workspace member glob for a directory relative to the workspace root,
/// or `None` when the directory is the root itself or lies outside it.
fn member_glob(workspace_dir: &str, member: &str) -> Option<String> {
    let full = crate::detect::join_path(workspace_dir, member)?;
    let rel = crate::detect::components::relative_to(&full, workspace_dir)?;
    (!rel.is_empty()).then(|| globset::escape(rel))
}

#[cfg(test)]
mod tests;
