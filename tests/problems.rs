//! Bad input never stops a scan: each unreadable or unparseable file becomes a
//! problem naming the file and position, and everything else is still found.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::Path;

use stacklint::model::Stack;

fn scan(dir: &Path) -> Stack {
    common::scan(dir, &common::builtin_catalog())
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

#[test]
fn a_manifest_over_the_size_cap_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = b"{\"name\": \"big\", \"description\": \"".to_vec();
    big.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    big.extend(b"\"}");
    write(dir.path(), "big/package.json", &big);
    write(dir.path(), "ok/package.json", b"{\"name\": \"ok\"}");
    let stack = scan(dir.path());
    assert_eq!(stack.problems.len(), 1);
    assert_eq!(stack.problems[0].path, "big/package.json");
    assert!(
        stack.problems[0].message.contains("MiB limit"),
        "{}",
        stack.problems[0].message
    );
    assert_eq!(stack.components.len(), 1);
}

#[test]
fn deeply_nested_json_is_a_problem_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("{\"name\": \"deep\", \"x\": ");
    text.push_str(&"[".repeat(200_000));
    write(dir.path(), "package.json", text.as_bytes());
    let stack = scan(dir.path());
    assert_eq!(stack.problems.len(), 1);
    assert_eq!(stack.problems[0].path, "package.json");
}

#[test]
fn an_empty_manifest_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", b"");
    let stack = scan(dir.path());
    assert_eq!(stack.problems.len(), 1);
    assert!(stack.problems[0].message.contains("empty"));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "package.json",
        b"{\"name\": \"secret-outside\"}",
    );
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("app")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("package.json"),
        dir.path().join("app/package.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked-dir")).unwrap();
    let stack = scan(dir.path());
    assert!(stack.components.is_empty(), "{:?}", stack.components);
    assert_eq!(stack.problems.len(), 1);
    assert!(
        stack.problems[0].message.contains("outside"),
        "{}",
        stack.problems[0].message
    );
}

#[cfg(unix)]
#[test]
fn symlinks_inside_the_root_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "real/package.json", b"{\"name\": \"real\"}");
    fs::create_dir_all(dir.path().join("alias")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("real/package.json"),
        dir.path().join("alias/package.json"),
    )
    .unwrap();
    let stack = scan(dir.path());
    assert!(stack.problems.is_empty(), "{:?}", stack.problems);
    assert_eq!(stack.components.len(), 2);
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_file_names_do_not_stop_the_scan() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    fs::create_dir_all(dir.path().join(name)).unwrap();
    fs::write(
        dir.path().join(name).join("package.json"),
        b"{\"name\": \"cafe\"}",
    )
    .unwrap();
    let stack = scan(dir.path());
    assert_eq!(stack.components.len(), 1);
    assert_eq!(stack.components[0].name, "cafe");
    assert!(stack.components[0].path.starts_with("caf"));
}

#[test]
fn dependency_directories_are_never_scanned() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "package.json", b"{\"name\": \"app\"}");
    write(
        dir.path(),
        "node_modules/left-pad/package.json",
        b"{\"name\": \"left-pad\"}",
    );
    write(
        dir.path(),
        "vendor/acme/lib/composer.json",
        b"{\"name\": \"acme/lib\"}",
    );
    write(
        dir.path(),
        ".venv/lib/site/pyproject.toml",
        b"[project]\nname = \"x\"\n",
    );
    let stack = scan(dir.path());
    assert_eq!(stack.components.len(), 1);
    assert_eq!(stack.components[0].name, "app");
}

#[test]
fn gitignored_files_are_skipped_without_a_git_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", b"generated/\n");
    write(dir.path(), "package.json", b"{\"name\": \"app\"}");
    write(
        dir.path(),
        "generated/package.json",
        b"{\"name\": \"generated\"}",
    );
    let stack = scan(dir.path());
    assert_eq!(stack.components.len(), 1);
}

#[test]
fn hidden_files_are_scanned_but_git_internals_are_not() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".tools/package.json", b"{\"name\": \"tools\"}");
    write(
        dir.path(),
        ".git/package.json",
        b"{\"name\": \"not-a-component\"}",
    );
    let stack = scan(dir.path());
    let names: Vec<&str> = stack.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tools"]);
}

#[test]
fn test_fixtures_are_not_part_of_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Cargo.toml",
        b"[package]\nname = \"tool\"\nversion = \"0.1.0\"\n",
    );
    write(
        dir.path(),
        "tests/fixtures/app/package.json",
        b"{\"name\": \"sample\"}",
    );
    write(dir.path(), "pkg/testdata/Dockerfile", b"FROM alpine\n");
    let stack = scan(dir.path());
    let names: Vec<&str> = stack.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tool"]);
    assert!(stack.dockerfiles.is_empty());
}
