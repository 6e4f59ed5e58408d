//! Renderers. They consume the model (and, for `check`, findings) and nothing
//! else: no renderer reads or parses a file.

pub mod stack;
pub mod style;
