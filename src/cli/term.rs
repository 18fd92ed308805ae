//! Terminal output that never panics.
//!
//! `println!` and `eprintln!` panic when the reader has gone (`caresim validate … | head`,
//! a closed terminal, a cluster log on a full disk). caresim's results are files, written
//! and renamed into place before anything is printed about them, so a closed pipe only
//! means nobody is listening: like ripgrep, output stops quietly and the command carries on
//! to its normal exit code.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once writing to standard output has failed: later lines are dropped.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write `args` to standard output (flushed); after the first failure, nothing.
pub fn out(args: fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut o = io::stdout().lock();
    if o.write_fmt(args).and_then(|()| o.flush()).is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Write `args` to standard error; a failure is ignored (there is nowhere left to say it).
pub fn err(args: fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// `println!` that never panics: see [`out`].
macro_rules! outln {
    ($($t:tt)*) => { $crate::cli::term::out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `print!` that never panics: see [`out`].
macro_rules! outp {
    ($($t:tt)*) => { $crate::cli::term::out(format_args!($($t)*)) };
}

/// `eprintln!` that never panics: see [`err`].
macro_rules! errln {
    ($($t:tt)*) => { $crate::cli::term::err(format_args!("{}\n", format_args!($($t)*))) };
}
