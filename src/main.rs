use std::process::ExitCode;

fn main() -> ExitCode {
    stacklint::cli::main()
}
