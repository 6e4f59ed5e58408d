//! Language statistics: files and bytes per language, with sizes from git's
//! index for tracked files and from the file system for the others.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use stacklint::catalog::Catalog;
use stacklint::scan::{ScanOptions, scan_with};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(status.success());
}

fn languages(dir: &Path) -> Vec<(String, u64, u64)> {
    let options = ScanOptions {
        team_size: None,
        use_git: false,
    };
    let stack = scan_with(dir, ".", &Catalog::builtin().unwrap(), options).unwrap();
    stack
        .languages
        .into_iter()
        .map(|l| (l.id, l.files, l.bytes))
        .collect()
}

#[test]
fn tracked_and_untracked_files_count_with_their_sizes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/deep/er")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    std::fs::write(dir.path().join("src/deep/er/lib.rs"), "x".repeat(700)).unwrap();
    std::fs::write(dir.path().join("app.py"), "print('hi')\n").unwrap();
    let before = languages(dir.path());
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    std::fs::write(dir.path().join("src/untracked.rs"), "y".repeat(50)).unwrap();
    let after = languages(dir.path());
    assert_eq!(
        before,
        [("rust".to_string(), 2, 713), ("python".to_string(), 1, 12)]
    );
    assert_eq!(
        after,
        [("rust".to_string(), 3, 763), ("python".to_string(), 1, 12)]
    );
}
