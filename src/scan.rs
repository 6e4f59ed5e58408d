//! One scan, start to end: walk the tree, read the files detectors need (in
//! parallel), run every detector, and assemble the [`Stack`].

use std::path::Path;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::detect::assemble::{AssembleInput, assemble};
use crate::detect::ci::steps::StepRules;
use crate::detect::{DETECTORS, DetectContext, Facts};
use crate::error::{Error, Result};
use crate::model::{Problem, Stack, Team, TeamSource};
use crate::read::Reader;
use crate::source::SourceFile;
use crate::walk::{self, FileKind, WalkOutput};

/// How a scan runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// The team size from the configuration, if it sets one.
    pub team_size: Option<u32>,
    /// Ask git for the team size (off in tests, whose fixtures live inside
    /// this project's own history).
    pub use_git: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            team_size: None,
            use_git: true,
        }
    }
}

/// Scan `root` with default options. `root_display` is how the root is shown
/// in the output (the path as the user gave it).
pub fn scan(root: &Path, root_display: &str, catalog: &Catalog) -> Result<Stack> {
    scan_with(root, root_display, catalog, ScanOptions::default())
}

/// Scan `root`.
pub fn scan_with(
    root: &Path,
    root_display: &str,
    catalog: &Catalog,
    options: ScanOptions,
) -> Result<Stack> {
    let meta = std::fs::metadata(root).map_err(|source| Error::Io {
        path: root.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory {
            path: root.to_path_buf(),
        });
    }

    // `git log` runs while the tree is scanned: on a long history it takes as
    // long as the scan itself.
    let (team, collected) = rayon::join(|| team(root, options), || collect_facts(root, catalog));
    let (walked, facts) = collected?;
    let root_name = root
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "root".to_string());
    let input = AssembleInput {
        root_display,
        root_name: &root_name,
        catalog,
        walk: &walked,
    };
    let mut stack = assemble(&input, facts);
    stack.team = team;
    Ok(stack)
}

fn team(root: &Path, options: ScanOptions) -> Team {
    if let Some(size) = options.team_size {
        return Team {
            size: Some(size),
            source: TeamSource::Config,
        };
    }
    if options.use_git
        && let Ok(size) = crate::git::team_size(root)
    {
        return Team {
            size: Some(size),
            source: TeamSource::Git,
        };
    }
    Team {
        size: None,
        source: TeamSource::Unknown,
    }
}

/// Everything the detectors found under `root`, before assembly: for tests
/// and tools that want the raw facts.
pub fn collect_facts(root: &Path, catalog: &Catalog) -> Result<(WalkOutput, Facts)> {
    // The step rules load while the tree is walked.
    let (ci_steps, walked) = rayon::join(StepRules::builtin, || walk::walk(root, catalog));
    let ci_steps = ci_steps?;
    let reader = Reader::new(root);

    let wanted = |kind: FileKind| DETECTORS.iter().any(|d| d.kinds.contains(&kind));
    let reads: Vec<(FileKind, std::result::Result<SourceFile, Problem>)> = walked
        .files
        .par_iter()
        .filter(|f| f.kind.needs_content() && wanted(f.kind))
        .map(|f| (f.kind, reader.read_at(&f.path, &f.abs)))
        .collect();

    let mut facts = Facts::default();
    let mut sources: Vec<(FileKind, SourceFile)> = Vec::with_capacity(reads.len());
    for (kind, read) in reads {
        match read {
            Ok(src) => sources.push((kind, src)),
            Err(problem) => facts.problems.push(problem),
        }
    }

    let ctx = DetectContext {
        catalog,
        walk: &walked,
        reader: &reader,
        ci_steps: &ci_steps,
    };
    let found: Vec<Facts> = DETECTORS
        .par_iter()
        .map(|detector| {
            let files: Vec<(FileKind, &SourceFile)> = sources
                .iter()
                .filter(|(kind, _)| detector.kinds.contains(kind))
                .map(|(kind, src)| (*kind, src))
                .collect();
            if files.is_empty() {
                Facts::default()
            } else {
                (detector.run)(&ctx, &files)
            }
        })
        .collect();
    for f in found {
        facts.extend(f);
    }

    Ok((walked, facts))
}
