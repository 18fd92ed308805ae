//! The `caresim` binary: parse arguments, dispatch, map failures to exit codes
//! (0 ok, 1 run or I/O failure, 2 bad input; listed for users in `cli::args::EXIT_CODES`).

#[macro_use]
mod cli;

use std::process::ExitCode;

use caresim::Error;
use cli::args::Command;
use cli::diagnostic::chain;

fn main() -> ExitCode {
    let args = cli::args::parse(); // clap exits with code 2 on bad arguments
    let outcome = match &args.command {
        Command::Run(a) => cli::run(a),
        Command::Compare(a) => cli::compare(a),
        Command::Sweep(a) => cli::sweep(a),
        Command::Merge(a) => cli::merge(a),
        Command::Slurm(a) => cli::slurm(a),
        Command::Status(a) => cli::status(a),
        Command::Plot(a) => cli::plot(a),
        Command::Report(a) => cli::report(a),
        Command::Validate(a) => cli::validate(a),
        Command::Completions(a) => {
            cli::completions(a);
            Ok(())
        }
        Command::Man(a) => cli::man(a),
        Command::Metrics(a) => cli::metrics(a),
        Command::Schema(a) => {
            cli::schema(a);
            Ok(())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_input() => {
            cli::diagnostic::print(&e, args.message_format);
            ExitCode::from(2)
        }
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            cli::diagnostic::print(&e, args.message_format);
            ExitCode::from(1)
        }
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
