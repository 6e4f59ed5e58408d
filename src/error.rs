//! Errors that stop a run (exit code 2). Problems inside scanned files are not
//! errors: they become `problems` in the model and the scan goes on.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a directory", path.display())]
    #[diagnostic(help("pass the root of the repository to scan"))]
    NotADirectory { path: PathBuf },

    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    File(#[from] Box<FileError>),
}

/// An error inside a file stacklint itself reads as configuration: a rule or
/// catalog file, or `stacklint.toml`. It points at the offending position.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
pub struct FileError {
    pub path: String,
    pub message: String,
    #[source_code]
    pub source_code: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl FileError {
    pub fn new(
        path: impl Into<String>,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        let path = path.into();
        let span = span.map(|r| {
            let start = r.start.min(text.len());
            let len = r.end.min(text.len()).saturating_sub(start);
            SourceSpan::new(start.into(), len)
        });
        Self {
            source_code: NamedSource::new(path.clone(), text.to_string()),
            path,
            message: message.into(),
            span,
            label: "here".to_string(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// 1-based line of the error, for tests and plain output.
    pub fn line(&self) -> Option<usize> {
        let src = self.source_code.inner();
        self.span
            .map(|s| src[..s.offset().min(src.len())].matches('\n').count() + 1)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
