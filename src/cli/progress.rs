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

/// Columns of the bar's message while a comparison runs, at most: the arm being run and
/// its replication (`integrated_funding #12`), the arm's name shortened with `…` to fit
/// (fewer columns when the counts are very wide; see [`running_width`]).
const RUNNING_WIDTH: usize = 28;

/// A progress bar on stderr, hidden with `--quiet` or when stderr is not a terminal.
pub struct Bar {
    inner: ProgressBar,
    /// The name of each point, shown with the replication being started; empty: the bar
    /// shows its unit only.
    names: Vec<String>,
    /// Columns for a name and its replication.
    running_width: usize,
}

impl Bar {
    /// A bar for `total` runs, `done` of them already finished by an interrupted run
    /// (shown as done, but not counted in the rate or the ETA), each run named `unit`
    /// (e.g. `replications`, or `runs, 3 arms` for a comparison). With `names` (one per
    /// arm of a comparison), the message names the arm whose replication started last.
    pub fn new(total: u64, done: u64, quiet: bool, unit: &str, names: Vec<String>) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr())
        };
        let running_width = running_width(total, unit);
        let message_width = if names.is_empty() {
            unit.chars().count()
        } else {
            running_width
        };
        bar.set_style(style(total, message_width));
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
        Bar {
            inner: bar,
            names,
            running_width,
        }
    }

    /// Replication `replication` (0-based) of point `point` is starting: name it, when the
    /// bar has names. Several threads start replications of different arms; the bar names
    /// the latest.
    pub fn running(&self, point: u32, replication: u32) {
        if let Some(name) = self.names.get(point as usize)
            && !self.inner.is_hidden()
        {
            self.inner
                .set_message(running_text(name, replication, self.running_width));
        }
    }

    /// Remove the bar from the terminal.
    pub fn finish(&self) {
        self.inner.finish_and_clear();
    }
}

/// Columns for the running arm's name and replication with `total` runs: [`RUNNING_WIDTH`],
/// or what leaves the bar its 5 columns within [`WIDTH`], and never less than `unit`.
fn running_width(total: u64, unit: &str) -> usize {
    let digits = total.max(1).ilog10() as usize + 1;
    let others = 12 + 8 + 11 + 4 + 2 * digits + 5;
    RUNNING_WIDTH
        .min(WIDTH.saturating_sub(others))
        .max(unit.chars().count())
}

/// `name #replication` (1-based) in `width` columns, padded so that the bar does not jump
/// as names change; a long name loses its end to `…`, never the replication.
fn running_text(name: &str, replication: u32, width: usize) -> String {
    let number = format!(" #{}", u64::from(replication) + 1);
    let room = width.saturating_sub(number.chars().count());
    let shown: String = if name.chars().count() > room {
        let mut s: String = name.chars().take(room.saturating_sub(1)).collect();
        s.push('…');
        s
    } else {
        name.to_string()
    };
    format!("{:<width$}", format!("{shown}{number}"))
}

/// The bar's style for `total` runs with a message `message_width` columns wide.
fn style(total: u64, message_width: usize) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{elapsed_precise}} {{bar:{}}} {{pos}}/{{len}} {{msg}} {{per_sec:1}} ETA {{eta}}",
        bar_width(total, message_width)
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// Columns for the bar itself: what the other fields of [`style`]'s template leave of
/// [`WIDTH`] at their widest (elapsed `HH:MM:SS` 8, the rate `123,456.7/s` 11, the ETA
/// (`59s`, `12m`) 4, the counts as wide as `total`, the spinner and separators 12, the
/// message `message_width`), at least 5.
fn bar_width(total: u64, message_width: usize) -> usize {
    let digits = total.max(1).ilog10() as usize + 1;
    let fixed = 12 + 8 + 11 + 4 + 2 * digits + message_width;
    WIDTH.saturating_sub(fixed).max(5)
}

impl Progress for Bar {
    fn run_done(&self) {
        self.inner.inc(1);
    }

    fn run_started(&self, point: u32, replication: u32) {
        self.running(point, replication);
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
                "#".repeat(bar_width(total, unit.chars().count()))
            );
            assert_eq!(line.chars().count(), WIDTH, "{line}");
            let width = running_width(total, unit);
            let running = running_text("an_arm_with_a_long_descriptive_name", 9_999, width);
            let line = format!(
                "⠁ 00:00:00 {} {digits}/{digits} {running} 123,456.7/s ETA 100y",
                "#".repeat(bar_width(total, width))
            );
            assert_eq!(line.chars().count(), WIDTH, "{line}");
        }
    }

    /// The running arm's name is cut with `…` so that its replication always shows, and
    /// short names are padded, so the bar keeps its place.
    #[test]
    fn the_running_arm_is_named_within_its_width() {
        assert_eq!(
            running_text("integrated_funding", 11, RUNNING_WIDTH),
            format!("{:<RUNNING_WIDTH$}", "integrated_funding #12")
        );
        let long = running_text(
            "early_supported_discharge_without_support",
            999,
            RUNNING_WIDTH,
        );
        assert_eq!(long.chars().count(), RUNNING_WIDTH);
        assert!(long.ends_with("… #1000"), "{long}");
        let bar = Bar::new(10, 0, true, "runs, 2 arms", vec!["a".into(), "b".into()]);
        bar.run_started(1, 0);
        bar.run_started(7, 0); // no such arm: nothing to name, no panic
    }

    /// A resumed run's reused replications are shown but do not make the rate: after 900
    /// reused and one run in about 0.2 s, the rate is a few per second, not thousands.
    #[test]
    fn reused_runs_do_not_count_toward_the_rate() {
        let bar = Bar::new(1000, 900, true, "replications", Vec::new());
        std::thread::sleep(Duration::from_millis(200));
        bar.run_done();
        assert_eq!(bar.inner.position(), 901);
        let rate = bar.inner.per_sec();
        assert!(rate < 50.0, "rate {rate}/s counts the reused runs");
    }
}
