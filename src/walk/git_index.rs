//! File sizes from git's index (`.git/index`), so that language statistics
//! need no `stat` for tracked files: the index records every tracked file's
//! size as of the last `git add` or `git status`. On a large checkout this
//! replaces tens of thousands of system calls with one read.
//!
//! Only the plain on-disk format is read (versions 2, 3 and 4); anything else
//! (a split index, a truncated or corrupt file, a worktree whose `.git` is a
//! file) gives `None` and the walk falls back to `stat`. A size can be stale
//! for a file changed since git last looked at it: fine for statistics.

use std::io::Read;
use std::path::Path;

/// Indexes larger than this are not read (a 100,000-file index is ~10 MiB).
const MAX_INDEX_SIZE: u64 = 64 * 1024 * 1024;

/// Tracked files' sizes, looked up by path: the paths in one string and the
/// entries sorted by path, as git keeps them (no hashing, one allocation).
#[derive(Debug, Default)]
pub struct IndexSizes {
    paths: String,
    /// (start, end) of the path in `paths`, and the size.
    entries: Vec<(u32, u32, u32)>,
}

impl IndexSizes {
    fn path(&self, entry: &(u32, u32, u32)) -> &str {
        self.paths
            .get(entry.0 as usize..entry.1 as usize)
            .unwrap_or("")
    }

    /// The size git recorded for `path`, if it tracks it.
    pub fn get(&self, path: &str) -> Option<u64> {
        self.entries
            .binary_search_by(|e| self.path(e).cmp(path))
            .ok()
            .and_then(|i| self.entries.get(i))
            .map(|e| u64::from(e.2))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Tracked files' sizes by path relative to `root`, when `root` is the top of
/// a git checkout with a readable index.
pub fn sizes(root: &Path) -> Option<IndexSizes> {
    let git = root.join(".git");
    if !std::fs::symlink_metadata(&git).ok()?.is_dir() {
        return None;
    }
    let index = git.join("index");
    let meta = std::fs::symlink_metadata(&index).ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEX_SIZE {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()?);
    std::fs::File::open(&index)
        .ok()?
        .take(MAX_INDEX_SIZE)
        .read_to_end(&mut bytes)
        .ok()?;
    parse(&bytes)
}

/// A cursor over the index bytes that never reads past the end.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u16(&mut self) -> Option<u16> {
        let b = self.take(2)?;
        Some(u16::from_be_bytes([b[0], b[1]]))
    }

    /// Bytes up to (not including) the next NUL, which is consumed.
    fn until_nul(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.at..)?;
        let len = rest.iter().position(|b| *b == 0)?;
        let out = &rest[..len];
        self.at += len + 1;
        Some(out)
    }

    /// Git's offset varint (index v4 path compression).
    fn varint(&mut self) -> Option<usize> {
        let mut byte = *self.take(1)?.first()?;
        let mut value = usize::from(byte & 0x7f);
        while byte & 0x80 != 0 {
            byte = *self.take(1)?.first()?;
            value = value
                .checked_add(1)?
                .checked_mul(128)?
                .checked_add(usize::from(byte & 0x7f))?;
        }
        Some(value)
    }
}

/// Parse an index file: path → size for every entry at stage 0.
pub fn parse(bytes: &[u8]) -> Option<IndexSizes> {
    let mut cur = Cursor { bytes, at: 0 };
    if cur.take(4)? != b"DIRC" {
        return None;
    }
    let version = cur.u32()?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = usize::try_from(cur.u32()?).ok()?;
    // Each entry takes at least 62 bytes: a count the file cannot hold is corrupt.
    if count > bytes.len() / 62 {
        return None;
    }
    let mut sizes = IndexSizes {
        paths: String::with_capacity(count * 32),
        entries: Vec::with_capacity(count),
    };
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = cur.at;
        // ctime, mtime (8 + 8), dev, ino, mode, uid, gid (5 × 4).
        cur.take(36)?;
        let size = cur.u32()?;
        cur.take(20)?; // object id (SHA-1)
        let flags = cur.u16()?;
        if version >= 3 && flags & 0x4000 != 0 {
            cur.u16()?; // extended flags
        }
        if version == 4 {
            let strip = cur.varint()?;
            let keep = previous.len().checked_sub(strip)?;
            let suffix = cur.until_nul()?;
            previous.truncate(keep);
            previous.extend_from_slice(suffix);
        } else {
            previous.clear();
            previous.extend_from_slice(cur.until_nul()?);
            // Entries are padded with NULs to a multiple of 8 bytes.
            let len = cur.at - start;
            let padded = len.div_ceil(8) * 8;
            cur.take(padded - len)?;
        }
        let stage = (flags >> 12) & 0x3;
        if stage == 0
            && let Ok(text) = std::str::from_utf8(&previous)
        {
            let begin = u32::try_from(sizes.paths.len()).ok()?;
            sizes.paths.push_str(text);
            let end = u32::try_from(sizes.paths.len()).ok()?;
            sizes.entries.push((begin, end, size));
        }
    }
    // A split index keeps most entries in a shared file: not read here.
    if cur.bytes.get(cur.at..cur.at + 4) == Some(b"link") {
        return None;
    }
    // Git sorts entries by path bytes; make sure before searching.
    let sorted = sizes
        .entries
        .windows(2)
        .all(|w| sizes.path(&w[0]) <= sizes.path(&w[1]));
    if !sorted {
        let IndexSizes { paths, mut entries } = sizes;
        entries.sort_by(|a, b| {
            let pa = paths.get(a.0 as usize..a.1 as usize).unwrap_or("");
            let pb = paths.get(b.0 as usize..b.1 as usize).unwrap_or("");
            pa.cmp(pb)
        });
        sizes = IndexSizes { paths, entries };
    }
    Some(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn repo_with_index(version: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        std::fs::create_dir_all(dir.path().join("src/nested/deeper")).unwrap();
        std::fs::write(dir.path().join("README.md"), "hello\n").unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
        std::fs::write(
            dir.path().join("src/nested/deeper/lib.rs"),
            "x".repeat(1000),
        )
        .unwrap();
        std::fs::write(dir.path().join("src/nested/mod.rs"), "").unwrap();
        git(dir.path(), &["update-index", "--index-version", version]);
        git(dir.path(), &["add", "."]);
        git(dir.path(), &["update-index", "--index-version", version]);
        dir
    }

    #[test]
    fn sizes_of_tracked_files_in_every_index_version() {
        for version in ["2", "3", "4"] {
            let dir = repo_with_index(version);
            let sizes = sizes(dir.path()).unwrap_or_else(|| panic!("index v{version} not read"));
            assert_eq!(sizes.get("README.md"), Some(6), "v{version}");
            assert_eq!(sizes.get("src/main.rs"), Some(13), "v{version}");
            assert_eq!(
                sizes.get("src/nested/deeper/lib.rs"),
                Some(1000),
                "v{version}"
            );
            assert_eq!(sizes.get("src/nested/mod.rs"), Some(0), "v{version}");
            assert_eq!(sizes.len(), 4, "v{version}");
        }
    }

    #[test]
    fn anything_else_is_none_and_never_a_panic() {
        assert!(parse(b"").is_none());
        assert!(parse(b"DIRC\0\0\0\x05\0\0\0\0").is_none());
        assert!(parse(b"DIRC\0\0\0\x02\xff\xff\xff\xff").is_none());
        let dir = repo_with_index("2");
        let bytes = std::fs::read(dir.path().join(".git/index")).unwrap();
        for len in 0..bytes.len() {
            let _ = parse(&bytes[..len]);
        }
        let mut flipped = bytes.clone();
        for i in (12..flipped.len()).step_by(7) {
            flipped[i] ^= 0x5a;
            let _ = parse(&flipped);
        }
        let plain = tempfile::tempdir().unwrap();
        assert!(sizes(plain.path()).is_none());
    }
}
