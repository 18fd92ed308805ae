//! The crate's one error type: every module's error, and whether a failure is the user's to
//! fix (bad input) or a failure of running or writing.
//!
//! Each module keeps its own error type, which says precisely what went wrong there
//! ([`ScenarioError`], [`JournalError`], [`OutputError`], ...). [`Error`] wraps them for
//! callers that run a whole command (the [`pipeline`](crate::experiment::pipeline), the
//! `caresim` binary), and [`Error::is_input`] is the one place that decides which failures
//! are bad input: the binary's exit code 2, against 1 for a run or I/O failure.
//!
//! Wrapping never changes a message: every wrapped error displays as itself and has the same
//! chain of causes, and [`Error::While`] adds a leading "what was being done" the way a
//! context line would (`writing results: creating …: No space left on device`).

use std::io;

use crate::chart::ChartError;
use crate::experiment::RunError;
use crate::experiment::journal::JournalError;
use crate::experiment::shards::ShardSetError;
use crate::experiment::sweep::SweepError;
use crate::output::{FinishError, OutputError};
use crate::report::ReportError;
use crate::scenario::{Problem, ScenarioError};

/// Why a caresim command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bad input said in words: options that do not fit together, a file changed since a
    /// shard ran, arms that cannot be compared.
    #[error("{0}")]
    Input(String),
    /// A scenario file (or a sampled or swept value) is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A sweep file is invalid.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A run journal cannot be used, or reading or writing it failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Running replications failed (a failing journal write is told apart: see the
    /// `From<RunError>` impl).
    #[error(transparent)]
    Run(RunError),
    /// The shard folders given to merge are not one complete run.
    #[error(transparent)]
    ShardSet(#[from] ShardSetError),
    /// The result files could not be folded from the journals (their records or
    /// parameters; a journal or output failure is told as such: see the `From<FinishError>`
    /// impl).
    #[error(transparent)]
    Finish(FinishError),
    /// A result folder cannot be used, or writing it failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Charts could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A file system operation failed.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// A failure while doing something, said first ("writing results"): always a run or I/O
    /// failure, never bad input.
    #[error("{doing}")]
    While {
        /// What was being done, e.g. "writing the journal".
        doing: String,
        /// What failed.
        #[source]
        source: Box<Error>,
    },
}

impl Error {
    /// `source`, said to have happened while `doing` something (a run or I/O failure).
    pub fn while_doing(doing: impl Into<String>, source: impl Into<Error>) -> Self {
        Error::While {
            doing: doing.into(),
            source: Box::new(source.into()),
        }
    }

    /// An output error met while writing results: a folder that may not be replaced is bad
    /// input and said as it is; anything else failed "writing results".
    pub fn writing_results(e: OutputError) -> Self {
        if output_is_input(&e) {
            Error::Output(e)
        } else {
            Error::while_doing("writing results", e)
        }
    }

    /// The located problems this error consists of, when it is nothing but problems of
    /// scenario or sweep files (or of values sampled or swept into a scenario): each has its
    /// file and, mostly, its line and column, so it can be shown with the line it is on.
    /// `None` for every other error (bad options, folders, run failures).
    pub fn problems(&self) -> Option<&[Problem]> {
        match self {
            Error::Scenario(e)
            | Error::Sweep(SweepError::File(e) | SweepError::Scenario(e))
            | Error::Run(RunError::Params { problems: e, .. }) => Some(&e.problems),
            _ => None,
        }
    }

    /// Whether the failure is the user's to fix — arguments, a scenario or sweep file, a
    /// result or journal folder that is not caresim's or belongs to another run — rather
    /// than a failure of running or writing (a full disk, a thread that would not start).
    pub fn is_input(&self) -> bool {
        match self {
            Error::Input(_) | Error::Scenario(_) | Error::Sweep(_) => true,
            Error::Journal(e) => e.is_input(),
            Error::Run(e) => matches!(e, RunError::Params { .. }),
            Error::ShardSet(e) => match e {
                ShardSetError::Input(_) => true,
                ShardSetError::Journal(e) => e.is_input(),
            },
            Error::Finish(e) => match e {
                FinishError::Output(e) => output_is_input(e),
                FinishError::Journal(e) => e.is_input(),
                FinishError::Records(_) | FinishError::Params(_) => true,
            },
            Error::Output(e) => output_is_input(e),
            Error::Chart(e) => chart_is_input(e),
            Error::Report(e) => match e {
                ReportError::Chart(e) => chart_is_input(e),
                ReportError::File { .. } => false,
            },
            Error::Io(_) | Error::While { .. } => false,
        }
    }
}

/// A result folder that exists (without `--force`) or is not caresim's to replace.
fn output_is_input(e: &OutputError) -> bool {
    matches!(e, OutputError::Exists(_) | OutputError::NotOurs { .. })
}

/// A folder without results, a malformed result file, or a charts folder holding files
/// caresim did not draw.
fn chart_is_input(e: &ChartError) -> bool {
    matches!(
        e,
        ChartError::NotResults(_) | ChartError::Data { .. } | ChartError::Foreign { .. }
    )
}

impl From<RunError> for Error {
    /// A failing journal write (the results' sink) is told as such: "writing the journal:
    /// …"; every other run error as it is.
    fn from(e: RunError) -> Self {
        match e {
            RunError::Sink(e) => match e.downcast::<JournalError>() {
                Ok(j) => Error::while_doing("writing the journal", j),
                Err(e) => Error::Run(RunError::Sink(e)),
            },
            e => Error::Run(e),
        }
    }
}

impl From<FinishError> for Error {
    /// Writing the folder fails as [`Error::writing_results`]; the rest as it is.
    fn from(e: FinishError) -> Self {
        match e {
            FinishError::Output(e) => Error::writing_results(e),
            FinishError::Journal(e) => Error::Journal(e),
            e => Error::Finish(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The causes of `e`, each displayed, as the binary prints them.
    fn chain(e: &Error) -> Vec<String> {
        let mut out = Vec::new();
        let mut cause: Option<&dyn std::error::Error> = Some(e);
        while let Some(c) = cause {
            out.push(c.to_string());
            cause = c.source();
        }
        out
    }

    #[test]
    fn a_refused_folder_is_input_and_a_failed_write_is_not() {
        let exists = Error::writing_results(OutputError::Exists(PathBuf::from("out")));
        assert!(exists.is_input());
        assert_eq!(
            chain(&exists),
            ["out already exists; use --force to replace it"]
        );
        let io = OutputError::Io {
            action: "creating",
            path: PathBuf::from("out"),
            source: io::Error::other("disk full"),
        };
        let failed = Error::writing_results(io);
        assert!(!failed.is_input());
        assert_eq!(
            chain(&failed),
            ["writing results", "creating out: disk full", "disk full"]
        );
    }

    #[test]
    fn a_failing_journal_write_is_a_run_failure_said_as_such() {
        let j = JournalError::Io {
            action: "writing",
            path: PathBuf::from("j"),
            source: io::Error::other("gone"),
        };
        let e = Error::from(RunError::Sink(anyhow::Error::from(j)));
        assert!(!e.is_input());
        assert_eq!(chain(&e)[..2], ["writing the journal", "writing j: gone"]);
        // A busy journal met when opening it is the user's to sort out.
        let busy = Error::from(JournalError::Busy {
            dir: PathBuf::from("j"),
        });
        assert!(busy.is_input());
    }
}
