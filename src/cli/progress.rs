//! The progress bar: indicatif, ticked once per finished replication.

use std::io::IsTerminal;

use caresim::experiment::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar for `total` replications.
    pub fn new(total: u64, quiet: bool) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} replications, {per_sec}, ETA {eta}",
                )
                .expect("valid template"),
            );
            b
        };
        Bar(bar)
    }

    /// Count `n` replications done before this invocation (a resumed run).
    pub fn skip(&self, n: u64) {
        self.0.inc(n);
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress for Bar {
    fn run_done(&self) {
        self.0.inc(1);
    }
}
