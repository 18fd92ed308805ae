//! The `caresim` binary: parse arguments, dispatch, map failures to exit codes
//! (0 ok, 1 run or I/O failure, 2 bad arguments or scenario).

#[macro_use]
mod cli;

use std::process::ExitCode;

use clap::Parser;

use caresim::Error;
use cli::args::{Cli, Command};

fn main() -> ExitCode {
    let args = Cli::parse(); // clap exits with code 2 on bad arguments
    let outcome = match &args.command {
        Command::Run(a) => cli::run(a),
        Command::Compare(a) => cli::compare(a),
        Command::Sweep(a) => cli::sweep(a),
        Command::Merge(a) => cli::merge(a),
        Command::Slurm(a) => cli::slurm(a),
        Command::Plot(a) => cli::plot(a),
        Command::Report(a) => cli::report(a),
        Command::Validate(a) => cli::validate(a),
        Command::Schema(a) => {
            cli::schema(a);
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_input() => {
            report(&e);
            ExitCode::from(2)
        }
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            report(&e);
            ExitCode::from(1)
        }
    }
}

/// `e` and its causes, outermost first.
fn chain(e: &Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e as &(dyn std::error::Error + 'static)), |c| {
        c.source()
    })
}

fn report(e: &Error) {
    // The chain of causes, each once: many errors already say their cause in their own
    // message, and printing it again would double it.
    let mut text = String::new();
    for cause in chain(e) {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    // One problem per line, each prefixed, so multi-problem scenario errors stay readable.
    for line in text.lines() {
        errln!("error: {line}");
    }
}

fn is_broken_pipe(e: &Error) -> bool {
    chain(e).any(|c| {
        // An I/O error is in the chain as itself, or wrapped whole (displayed as itself).
        let io = c
            .downcast_ref::<std::io::Error>()
            .or_else(|| match c.downcast_ref::<Error>() {
                Some(Error::Io(io)) => Some(io),
                _ => None,
            });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
