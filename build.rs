//! Embeds every file under `rules/` into the binary, so that the built-in catalog
//! and rules travel with it and a test can check the same bytes users get.
//!
//! Each TOML file is also embedded as JSON: parsing 250 KB of TOML is most of a
//! small scan's start-up, JSON reads several times faster. A file that does not
//! convert is embedded as TOML only, so that the program reports the error
//! with its position at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let rules = root.join("rules");
    println!("cargo:rerun-if-changed=rules");

    let mut files = Vec::new();
    collect(&rules, &mut files);
    files.sort();

    let mut out =
        String::from("/// Every file under `rules/`: (path relative to `rules/`, contents).\n");
    out.push_str("pub static RULE_FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        let rel = file.strip_prefix(&rules).expect("under rules/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("write to string");
    }
    out.push_str("];\n");

    out.push_str("/// The same files as JSON, where they converted: (path, JSON).\n");
    out.push_str("pub static RULE_FILES_JSON: &[(&str, &str)] = &[\n");
    for file in &files {
        let rel = file.strip_prefix(&rules).expect("under rules/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let Ok(value) = toml_edit::de::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let Ok(json) = serde_json::to_string(&value) else {
            continue;
        };
        writeln!(out, "    ({rel:?}, {json:?}),").expect("write to string");
    }
    out.push_str("];\n");

    let dest =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("embedded_rules.rs");
    std::fs::write(dest, out).expect("write embedded_rules.rs");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        println!("cargo:rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}
