//! Team size from git: distinct non-bot authors of the last 90 days, never a
//! wrong number (a shallow clone or no git at all is unknown).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use stacklint::catalog::Catalog;
use stacklint::model::TeamSource;
use stacklint::scan::{ScanOptions, scan_with};

fn git(dir: &Path, args: &[&str], envs: &[(&str, &str)]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .envs(envs.iter().copied())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?} failed");
}

fn commit(dir: &Path, file: &str, name: &str, email: &str, days_ago: i64) {
    std::fs::write(dir.join(file), format!("{name} {days_ago}\n")).unwrap();
    git(dir, &["add", file], &[]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let date = format!("{} +0000", now - days_ago * 86_400);
    git(
        dir,
        &["commit", "-q", "-m", "change"],
        &[
            ("GIT_AUTHOR_NAME", name),
            ("GIT_AUTHOR_EMAIL", email),
            ("GIT_AUTHOR_DATE", &date),
            ("GIT_COMMITTER_NAME", name),
            ("GIT_COMMITTER_EMAIL", email),
            ("GIT_COMMITTER_DATE", &date),
        ],
    );
}

fn team(dir: &Path) -> (Option<u32>, TeamSource) {
    let catalog = Catalog::builtin().unwrap();
    let stack = scan_with(dir, ".", &catalog, ScanOptions::default()).unwrap();
    (stack.team.size, stack.team.source)
}

/// Commits in the order they landed (git's `--since` walks back from HEAD by
/// commit date, as real histories are ordered).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"], &[]);
    commit(dir.path(), "a.txt", "Ada Lovelace", "ada@example.com", 200);
    commit(dir.path(), "c.txt", "Old Timer", "old@example.com", 120);
    commit(dir.path(), "b.txt", "Grace Hopper", "grace@example.com", 30);
    commit(dir.path(), "a.txt", "Ada Lovelace", "ada@example.com", 10);
    commit(dir.path(), "b.txt", "grace hopper", "grace@home.example", 3);
    commit(
        dir.path(),
        "d.txt",
        "dependabot[bot]",
        "49699333+dependabot[bot]@users.noreply.github.com",
        2,
    );
    commit(
        dir.path(),
        "e.txt",
        "renovate[bot]",
        "29139614+renovate[bot]@users.noreply.github.com",
        1,
    );
    dir
}

#[test]
fn distinct_people_of_the_last_90_days_without_bots() {
    let dir = repo();
    assert_eq!(team(dir.path()), (Some(2), TeamSource::Git));
}

#[test]
fn a_shallow_clone_is_unknown() {
    let dir = repo();
    let clone = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1"])
        .arg(format!("file://{}", dir.path().display()))
        .arg(clone.path().join("shallow"))
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        team(&clone.path().join("shallow")),
        (None, TeamSource::Unknown)
    );
}

#[test]
fn no_git_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "hello\n").unwrap();
    assert_eq!(team(dir.path()), (None, TeamSource::Unknown));
}

#[test]
fn the_config_wins_over_git() {
    let dir = repo();
    let catalog = Catalog::builtin().unwrap();
    let options = ScanOptions {
        team_size: Some(7),
        use_git: true,
    };
    let stack = scan_with(dir.path(), ".", &catalog, options).unwrap();
    assert_eq!(
        (stack.team.size, stack.team.source),
        (Some(7), TeamSource::Config)
    );
}

#[test]
fn repository_hooks_and_fsmonitor_are_never_run() {
    let dir = repo();
    let marker = dir.path().join("pwned");
    let script = dir.path().join("evil.sh");
    std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let script_path = script.display().to_string();
    git(dir.path(), &["config", "core.fsmonitor", &script_path], &[]);
    git(dir.path(), &["config", "core.pager", &script_path], &[]);
    git(dir.path(), &["config", "log.showSignature", "true"], &[]);
    git(dir.path(), &["config", "gpg.program", &script_path], &[]);
    assert_eq!(team(dir.path()).1, TeamSource::Git);
    assert!(
        !marker.exists(),
        "a command from the repository's git config ran"
    );
}
