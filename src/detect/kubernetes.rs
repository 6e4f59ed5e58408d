//! Placeholder until the kubernetes detector lands; it reports nothing.

use crate::detect::{DetectContext, Facts};
use crate::source::SourceFile;
use crate::walk::FileKind;

pub fn detect(_ctx: &DetectContext<'_>, _files: &[(FileKind, &SourceFile)]) -> Facts {
    Facts::default()
}
