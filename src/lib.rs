//! stacklint: a linter for a repository's backend architecture.
//!
//! The pipeline runs one way: [`walk`] lists and classifies files, [`parse`]
//! turns them into located trees, [`detect`] turns those into facts using the
//! [`catalog`], and the facts are assembled into the [`model::Stack`] that
//! [`report`] renders.

#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod catalog;
pub mod cli;
pub mod config;
pub mod detect;
pub mod error;
pub mod git;
pub mod model;
pub mod parse;
pub mod read;
pub mod report;
pub mod scan;
pub mod source;
pub mod walk;
