//! Parsers: one module per file format, each producing a *located* tree where
//! every key and value knows its byte span. Parsers know nothing about
//! technologies or rules; a syntax error is a [`ParseError`] at a byte offset.

pub mod cargo_toml;
pub mod dockerfile;
pub mod dotenv;
pub mod dotnet_project;
pub mod fly_toml;
pub mod gemfile;
pub mod go_mod;
pub mod gradle;
pub mod hcl;
pub mod json;
pub mod json_node;
pub mod mix_exs;
pub mod package_json;
pub mod pep508;
pub mod pipfile;
pub mod pom;
pub mod procfile;
pub mod pyproject;
pub mod requirements;
pub mod setup_cfg;
pub mod setup_py;
pub mod toml;
pub mod version_catalog;
pub mod yaml;

use crate::model::Problem;
use crate::source::SourceFile;

/// A syntax error at a byte offset of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }

    /// The problem this error is in `src`.
    pub fn to_problem(&self, src: &SourceFile) -> Problem {
        let pos = src.position(self.offset);
        Problem {
            path: src.path.clone(),
            line: pos.line,
            column: pos.column,
            message: self.message.clone(),
        }
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}
