//! The command line as users see it: help, output formats, errors and exit
//! codes, snapshot-tested with insta-cmd.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn stacklint() -> Command {
    let mut cmd = Command::new(get_cargo_bin("stacklint"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// A copy of a fixture repository outside this project's git history, so the
/// team size does not depend on who committed here lately.
fn fixture_copy(name: &str) -> tempfile::TempDir {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&common::fixture(name), dir.path());
    dir
}

/// `stacklint` run inside a copy of a fixture repository.
fn stacklint_in(dir: &tempfile::TempDir) -> Command {
    let mut cmd = stacklint();
    cmd.current_dir(dir.path());
    cmd
}

#[test]
fn help_lists_the_commands() {
    assert_cmd_snapshot!(stacklint().arg("--help"));
}

#[test]
fn stack_help_lists_the_formats() {
    assert_cmd_snapshot!(stacklint().args(["stack", "--help"]));
}

#[test]
fn stack_pretty() {
    let repo = fixture_copy("pnpm-monorepo");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", ".", "--color", "never"]));
}

#[test]
fn stack_pretty_verbose_shows_evidence() {
    let repo = fixture_copy("pnpm-monorepo");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "-v", "--color", "never"]));
}

#[test]
fn stack_markdown() {
    let repo = fixture_copy("pnpm-monorepo");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "--format", "markdown"]));
}

#[test]
fn stack_pretty_lists_problems() {
    let repo = fixture_copy("broken-manifests");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "--color", "never"]));
}

#[test]
fn config_team_size_is_used_and_bad_config_is_an_error() {
    let repo = fixture_copy("pnpm-monorepo");
    std::fs::write(repo.path().join("stacklint.toml"), "[team]\nsize = 3\n").unwrap();
    let out = stacklint_in(&repo)
        .args(["stack", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["team"]["size"], 3);
    assert_eq!(json["team"]["source"], "config");

    let no_config = stacklint_in(&repo)
        .args(["stack", "--format", "json", "--no-config"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&no_config.stdout).unwrap();
    assert_eq!(json["team"]["source"], "unknown");

    std::fs::write(
        repo.path().join("stacklint.toml"),
        "[team]\nsize = 3\ncolour = \"red\"\n",
    )
    .unwrap();
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "--color", "never"]));
}

#[test]
fn stack_json_goes_to_a_file_with_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stack.json");
    let status = stacklint()
        .args([
            "stack",
            "--format",
            "json",
            "fixtures/repos/pnpm-monorepo",
            "--output",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["schema"], "stacklint/stack/v1");
    assert_eq!(json["root"], "fixtures/repos/pnpm-monorepo");
}

#[test]
fn color_always_styles_and_never_does_not() {
    let styled = stacklint()
        .args(["stack", "fixtures/repos/pnpm-monorepo", "--color", "always"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&styled.stdout).contains("\u{1b}["));
    let plain = stacklint()
        .args(["stack", "fixtures/repos/pnpm-monorepo", "--color", "never"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("\u{1b}["));
}

#[test]
fn quiet_prints_nothing() {
    let out = stacklint()
        .args(["stack", "-q", "fixtures/repos/pnpm-monorepo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_path_is_an_error_with_exit_code_2() {
    assert_cmd_snapshot!(stacklint().args(["stack", "does/not/exist", "--color", "never"]));
}

#[test]
fn a_file_instead_of_a_directory_is_an_error_with_exit_code_2() {
    assert_cmd_snapshot!(stacklint().args(["stack", "Cargo.toml", "--color", "never"]));
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    assert_cmd_snapshot!(stacklint().args(["stack", "--format", "yaml"]));
}

#[test]
fn completions_are_generated() {
    let out = stacklint().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("stacklint"));
}

#[test]
fn stack_mermaid() {
    let repo = fixture_copy("compose-microservices");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "--format", "mermaid"]));
}

#[test]
fn stack_pretty_shows_services_and_ci() {
    let repo = fixture_copy("github-actions-pipeline");
    assert_cmd_snapshot!(stacklint_in(&repo).args(["stack", "--color", "never"]));
}
