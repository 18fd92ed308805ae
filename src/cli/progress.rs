//! The progress bar: indicatif, ticked once per finished replication.

use std::io::IsTerminal;
use std::time::Duration;

use caresim::experiment::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The widest line the bar draws, so that it fits a standard 80-column terminal.
pub const WIDTH: usize = 80;

/// How often the bar is redrawn between replications: a replication of a large scenario
/// can take minutes, and a bar whose clock stands still looks hung.
const STEADY_TICK: Duration = Duration::from_millis(250);

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
pub struct Bar(ProgressBar);

impl Bar {
    /// A bar for `total` runs, `done` of them already finished by an interrupted run
    /// (shown as done, but not counted in the rate or the ETA), each run named `unit`
    /// (e.g. `replications`, or `runs, 3 arms` for a comparison).
    pub fn new(total: u64, done: u64, quiet: bool, unit: &str) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        bar.set_style(style(total, unit));
        bar.set_message(unit.to_string());
        // Runs reused from a journal took no time in this invocation: the estimator must
        // start from them, not count them as done in the first instant (which would show a
        // huge rate and an ETA near zero). Record the position, then restart the estimate.
        bar.set_position(done);
        bar.tick();
        bar.reset_eta();
        if !bar.is_hidden() {
            bar.enable_steady_tick(STEADY_TICK);
        }
        Bar(bar)
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The bar's style for `total` runs named `unit`.
fn style(total: u64, unit: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{elapsed_precise}} {{bar:{}}} {{pos}}/{{len}} {{msg}} {{per_sec:1}} ETA {{eta}}",
        bar_width(total, unit)
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Columns for the bar itself: what the other fields of [`style`]'s template leave of
/// [`WIDTH`] at their widest (elapsed `HH:MM:SS` 8, the rate `123,456.7/s` 11, the ETA
/// (`59s`, `12m`) 4, the counts as wide as `total`, the spinner and separators 12), at
/// least 5.
fn bar_width(total: u64, unit: &str) -> usize {
    let digits = total.max(1).ilog10() as usize + 1;
    let fixed = 12 + 8 + 11 + 4 + 2 * digits + unit.chars().count();
    WIDTH.saturating_sub(fixed).max(5)
}

impl Progress for Bar {
    fn run_done(&self) {
        self.0.inc(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The widest line the template can draw, laid out as the template lays it out.
    #[test]
    fn the_bar_fits_in_80_columns() {
        for (total, unit) in [
            (1_u64, "replications"),
            (1_000_000, "replications"),
            (3_000_000, "runs, 3 arms"),
            (100_000_000, "runs, 13 points"),
        ] {
            let digits = "9".repeat(total.ilog10() as usize + 1);
            let line = format!(
                "⠁ 00:00:00 {} {digits}/{digits} {unit} 123,456.7/s ETA 100y",
                "#".repeat(bar_width(total, unit))
            );
            assert_eq!(line.chars().count(), WIDTH, "{line}");
        }
    }

    /// A resumed run's reused replications are shown but do not make the rate: after 900
    /// reused and one run in about 0.2 s, the rate is a few per second, not thousands.
    #[test]
    fn reused_runs_do_not_count_toward_the_rate() {
        let bar = Bar::new(1000, 900, true, "replications");
        std::thread::sleep(Duration::from_millis(200));
        bar.run_done();
        assert_eq!(bar.0.position(), 901);
        let rate = bar.0.per_sec();
        assert!(rate < 50.0, "rate {rate}/s counts the reused runs");
    }
}
