//! The command line: argument parsing, running a command, writing its output,
//! and turning errors into miette reports and exit codes.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::Error;
use crate::report::stack::pretty::PrettyOptions;
use crate::scan::ScanOptions;

/// Exit code for usage errors, bad configuration and internal errors.
pub const EXIT_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "stacklint",
    version,
    about = "Detect a repository's backend stack and check it against architecture advice",
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to use colors (also honours NO_COLOR)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// Print nothing but errors
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Show more detail (evidence for every technology)
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the detected stack: languages, technologies, components, services and CI
    Stack(StackArgs),
    /// Print shell completions
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct StackArgs {
    /// The repository to scan
    #[arg(default_value = ".")]
    pub path: PathBuf,

    /// Output format
    #[arg(long, value_enum, default_value_t = StackFormat::Pretty)]
    pub format: StackFormat,

    /// Write the output to FILE instead of standard output
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read the configuration from FILE instead of PATH/stacklint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any configuration file
    #[arg(long)]
    pub no_config: bool,
}

impl ConfigArgs {
    fn load(&self, root: &std::path::Path) -> Result<Config, Error> {
        if self.no_config {
            Ok(Config::default())
        } else if let Some(path) = &self.config {
            Config::load(path, &[])
        } else {
            Config::discover(root, &[])
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StackFormat {
    /// A readable overview for terminals
    Pretty,
    /// The stack model, schema stacklint/stack/v1
    Json,
    /// Markdown tables
    Markdown,
    /// A Mermaid flowchart of services and the datastores and queues they use
    Mermaid,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with exit 0, usage
            // errors to stderr with exit 2.
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            let handler = miette::GraphicalReportHandler::new_themed(
                if color_enabled(cli.global.color, false) {
                    miette::GraphicalTheme::unicode()
                } else {
                    miette::GraphicalTheme::unicode_nocolor()
                },
            );
            let mut text = String::new();
            if handler.render_report(&mut text, &err).is_err() {
                text = format!("error: {err}");
            }
            let _ = writeln!(std::io::stderr(), "{text}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::Stack(args) => stack(cli, args),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "stacklint", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn stack(cli: &Cli, args: &StackArgs) -> Result<ExitCode, Error> {
    let catalog = Catalog::builtin()?;
    let display = display_path(&args.path);
    let config = args.config.load(&args.path)?;
    let options = ScanOptions {
        team_size: config.team_size,
        use_git: true,
    };
    let stack = crate::scan::scan_with(&args.path, &display, &catalog, options)?;
    let text = match args.format {
        StackFormat::Pretty => crate::report::stack::pretty::render(
            &stack,
            PrettyOptions {
                verbose: cli.global.verbose,
            },
        ),
        StackFormat::Json => crate::report::stack::json::render(&stack),
        StackFormat::Markdown => crate::report::stack::markdown::render(&stack),
        StackFormat::Mermaid => crate::report::stack::mermaid::render(&stack),
    };
    if !cli.global.quiet || args.output.is_some() {
        // Only the pretty format carries styles; the others are written as is.
        let color = (args.format == StackFormat::Pretty).then_some(cli.global.color);
        write_output(&text, args.output.as_deref(), color)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The path as the user wrote it, with `/` separators and no trailing slash.
fn display_path(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let trimmed = text.trim_end_matches('/');
    if trimmed.is_empty() {
        if text.is_empty() {
            ".".to_string()
        } else {
            "/".to_string()
        }
    } else {
        trimmed.to_string()
    }
}

fn color_enabled(choice: ColorChoice, for_file: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !for_file
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::IsTerminal::is_terminal(&std::io::stdout())
        }
    }
}

/// Write the output to a file or stdout. `color` is `None` for plain formats;
/// for styled text it says whether to keep the styles (a file gets them only
/// when forced; stdout when it is a terminal and color is on).
fn write_output(
    text: &str,
    output: Option<&std::path::Path>,
    color: Option<ColorChoice>,
) -> Result<(), Error> {
    match output {
        Some(path) => {
            let body = match color {
                Some(choice) if !color_enabled(choice, true) => {
                    anstream::adapter::strip_str(text).to_string()
                }
                _ => text.to_string(),
            };
            std::fs::write(path, body).map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })
        }
        None => {
            let result = match color {
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(text.as_bytes())
                        .and_then(|()| stdout.flush())
                }
                Some(color) => {
                    let choice = match color {
                        ColorChoice::Always => anstream::ColorChoice::Always,
                        ColorChoice::Never => anstream::ColorChoice::Never,
                        ColorChoice::Auto => anstream::ColorChoice::Auto,
                    };
                    let mut stdout = anstream::AutoStream::new(std::io::stdout().lock(), choice);
                    stdout
                        .write_all(text.as_bytes())
                        .and_then(|()| stdout.flush())
                }
            };
            match result {
                Ok(()) => Ok(()),
                // A closed pipe (`stacklint stack | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(source) => Err(Error::Write {
                    path: PathBuf::from("<stdout>"),
                    source,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn display_paths_use_forward_slashes_without_trailing_slash() {
        assert_eq!(display_path(std::path::Path::new("repo/")), "repo");
        assert_eq!(display_path(std::path::Path::new(".")), ".");
        assert_eq!(display_path(std::path::Path::new("/")), "/");
    }
}
