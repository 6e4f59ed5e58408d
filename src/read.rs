//! Reading a file of the scanned tree, safely: bounded in size, never through a
//! symlink that leaves the root, and only as UTF-8 text. Every failure is a
//! [`Problem`] that names the file, so the scan can go on without it.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::Problem;
use crate::source::SourceFile;
use crate::walk::MAX_FILE_SIZE;

/// Reads files under one root.
#[derive(Debug, Clone)]
pub struct Reader {
    root: PathBuf,
    /// The canonical root, to check where symlinks lead.
    canonical_root: Option<PathBuf>,
}

impl Reader {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            canonical_root: root.canonicalize().ok(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Read `rel` (relative to the root, `/`-separated).
    pub fn read(&self, rel: &str) -> Result<SourceFile, Problem> {
        let abs = self.root.join(rel);
        self.read_at(rel, &abs)
    }

    /// Whether `rel` names a regular file under the root (symlinks that stay
    /// inside the root count).
    pub fn exists(&self, rel: &str) -> bool {
        let abs = self.root.join(rel);
        match std::fs::symlink_metadata(&abs) {
            Ok(meta) if meta.is_file() => true,
            Ok(meta) if meta.file_type().is_symlink() => self.inside_root(&abs),
            _ => false,
        }
    }

    /// Read a file whose absolute path the walk already knows.
    pub fn read_at(&self, rel: &str, abs: &Path) -> Result<SourceFile, Problem> {
        let problem = |message: String| Problem {
            path: rel.to_string(),
            line: 1,
            column: 1,
            message,
        };
        if rel.split('/').any(|c| c == "..") {
            return Err(problem("path leaves the scanned directory".into()));
        }
        let meta =
            std::fs::symlink_metadata(abs).map_err(|e| problem(format!("cannot read: {e}")))?;
        if meta.file_type().is_symlink() && !self.inside_root(abs) {
            return Err(problem(
                "symlink points outside the scanned directory; not followed".into(),
            ));
        }
        let file = std::fs::File::open(abs).map_err(|e| problem(format!("cannot read: {e}")))?;
        let meta = file
            .metadata()
            .map_err(|e| problem(format!("cannot read: {e}")))?;
        if !meta.is_file() {
            return Err(problem("not a regular file".into()));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(problem(format!(
                "file is {} bytes, over the {} MiB limit; not read",
                meta.len(),
                MAX_FILE_SIZE / (1024 * 1024)
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        // Bound the read too: the file may grow between stat and read.
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| problem(format!("cannot read: {e}")))?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(problem(format!(
                "file is over the {} MiB limit; not read",
                MAX_FILE_SIZE / (1024 * 1024)
            )));
        }
        decode(rel, bytes)
    }

    fn inside_root(&self, abs: &Path) -> bool {
        match (&self.canonical_root, abs.canonicalize()) {
            (Some(root), Ok(target)) => target.starts_with(root),
            _ => false,
        }
    }
}

/// Text from bytes: UTF-8 (with or without BOM). UTF-16 with a BOM is decoded
/// too, since Windows tools write it; anything else is a problem.
fn decode(rel: &str, bytes: Vec<u8>) -> Result<SourceFile, Problem> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let little = bytes[0] == 0xFF;
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        return String::from_utf16(&units)
            .map(|text| SourceFile::new(rel, text))
            .map_err(|_| Problem {
                path: rel.to_string(),
                line: 1,
                column: 1,
                message: "not valid UTF-16 text".into(),
            });
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(nul) = text.find('\0') {
                let src = SourceFile::new(rel, text.clone());
                let pos = src.position(nul);
                return Err(Problem {
                    path: rel.to_string(),
                    line: pos.line,
                    column: pos.column,
                    message: "binary file (contains a NUL byte); not parsed".into(),
                });
            }
            Ok(SourceFile::new(rel, text))
        }
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            let src = SourceFile::new(rel, prefix.into_owned());
            let pos = src.position(valid);
            Err(Problem {
                path: rel.to_string(),
                line: pos.line,
                column: pos.column,
                message: format!("not valid UTF-8 (invalid byte at offset {valid})"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_the_position() {
        let err = decode("a.txt", b"ok\n\xffbad".to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.message.contains("UTF-8"));
    }

    #[test]
    fn binary_files_are_refused() {
        let err = decode("package.json", b"{\0}".to_vec()).unwrap_err();
        assert!(err.message.contains("binary"));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "{}".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        assert_eq!(decode("a.json", bytes).unwrap().text, "{}");
    }
}
