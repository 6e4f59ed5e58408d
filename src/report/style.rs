//! Terminal styles shared by the pretty renderers. Output is written with
//! ANSI codes; `anstream` strips them when color is off.

use anstyle::{AnsiColor, Style};

pub const HEADING: Style = Style::new().bold().underline();
pub const NAME: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();
pub const PATH: Style = AnsiColor::Cyan.on_default();
pub const GOOD: Style = AnsiColor::Green.on_default();
pub const WARN: Style = AnsiColor::Yellow.on_default();
pub const BAD: Style = AnsiColor::Red.on_default().bold();

/// `text` wrapped in `style`.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}
