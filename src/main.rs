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
        cli::Command::Serve(args) => commands::serve(args),
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

/// Writes a line to stderr, ignoring failure: with stderr closed or on a
/// full disk there is nowhere left to report to, and `eprintln!` would panic.
fn report(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn main() -> ExitCode {
    // A panic is a bug or a damaged index file tantivy asserts on: say so in
    // one line (through the writer above) and exit like any other error.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("unknown cause");
        report(&format!(
            "error: briefs stopped unexpectedly ({message}); if the index is damaged, \
             `briefs index --check` says so and `briefs index` repairs it"
        ));
    }));
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
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            report(&format!("error: {err:#}"));
            ExitCode::from(EXIT_ERROR)
        }
        Err(_) => ExitCode::from(EXIT_ERROR),
    }
}
