//! Every parser on arbitrary input: the first byte picks the format, the rest
//! is the file. A parser may return an error; it must never panic, hang or
//! report a position outside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stacklint::parse::{self, ParseError};
use stacklint::source::SourceFile;

fn check(src: &SourceFile, result: Result<(), ParseError>) {
    if let Err(err) = result {
        assert!(
            err.offset <= src.text.len(),
            "error offset {} past the end",
            err.offset
        );
        let problem = err.to_problem(src);
        assert!(problem.line >= 1 && problem.column >= 1);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let src = SourceFile::new("fuzz", text);
    let ok = |_: &dyn std::any::Any| ();
    match selector % 23 {
        0 => check(&src, parse::package_json::parse(&src).map(|v| ok(&v))),
        1 => check(
            &src,
            parse::package_json::parse_composer(&src).map(|v| ok(&v)),
        ),
        2 => check(&src, parse::yaml::parse(&src).map(|v| ok(&v))),
        3 => check(&src, parse::dockerfile::parse(&src).map(|v| ok(&v))),
        4 => {
            let _ = parse::requirements::parse(&src);
        }
        5 => {
            let _ = parse::pyproject::parse(&src);
        }
        6 => {
            let _ = parse::cargo_toml::parse(&src);
        }
        7 => {
            let _ = parse::go_mod::parse(&src);
        }
        8 => {
            let _ = parse::go_mod::parse_work(&src);
        }
        9 => {
            let _ = parse::pom::parse(&src);
        }
        10 => {
            let _ = parse::gradle::parse_build(&src);
        }
        11 => {
            let _ = parse::version_catalog::parse(&src);
        }
        12 => {
            let _ = parse::gemfile::parse(&src);
        }
        13 => {
            let _ = parse::mix_exs::parse(&src);
        }
        14 => {
            let _ = parse::dotnet_project::parse(&src);
        }
        15 => {
            let _ = parse::hcl::parse(&src);
        }
        16 => {
            let _ = parse::dotenv::parse(&src);
        }
        17 => {
            let _ = parse::procfile::parse(&src);
        }
        18 => {
            let _ = parse::setup_cfg::parse(&src);
        }
        19 => {
            let _ = parse::setup_py::parse(&src);
        }
        20 => {
            let _ = parse::pipfile::parse(&src);
        }
        21 => {
            let _ = parse::gradle::settings::parse_settings(&src);
        }
        _ => {
            let _ = parse::fly_toml::parse(&src);
        }
    }
});
