//! The `briefs` binary: parse flags, dispatch, map errors to exit codes.
//! Everything else lives in the library (`src/lib.rs`).

mod cli;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for usage, query and fatal errors.
const EXIT_ERROR: u8 = 2;

/// The message of the last panic, kept by the panic hook.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

fn run(cli: cli::Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        cli::Command::Index(args) => commands::index(args),
        cli::Command::Search(args) => commands::search(args),
        cli::Command::Facets(args) => commands::facets(args),
        cli::Command::Export(args) => commands::export(args),
        cli::Command::Show(args) => commands::show(args),
        cli::Command::Stats(args) => commands::stats(args),
        cli::Command::Serve(args) => commands::serve(args),
        cli::Command::Eval(args) => commands::eval(args),
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
    // A panic is a bug or a damaged index file tantivy asserts on. The
    // library turns the ones it expects into errors; the hook only keeps
    // the message, which is reported if a panic reaches the top.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown cause".to_string());
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(message);
        }
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
        Err(_) => {
            let message = LAST_PANIC
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_else(|| "unknown cause".into());
            report(&format!(
                "error: briefs stopped unexpectedly ({message}); if the index is damaged, \
                 `briefs index --check` says so and `briefs index` repairs it"
            ));
            ExitCode::from(EXIT_ERROR)
        }
    }
}
