//! The `briefs` binary: parse flags, dispatch, map errors to exit codes.
//! Everything else lives in the library (`src/lib.rs`).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for usage, query and fatal errors.
const EXIT_ERROR: u8 = 2;

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Index(args) => commands::index(args),
        cli::Command::Search(args) => commands::search(args),
        cli::Command::Facets(args) => commands::facets(args),
        cli::Command::Export(args) => commands::export(args),
        cli::Command::Show(args) => commands::show(args),
        cli::Command::Stats(args) => commands::stats(args),
    }
}

/// `briefs search ... | head` closes stdout early: that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
