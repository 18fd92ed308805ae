//! `caresim run`, `caresim compare`, `caresim sweep` and `caresim merge`: the arguments made
//! into a [`pipeline`] request, and what the pipeline says and produced, printed.

use std::sync::OnceLock;

use caresim::Error;
use caresim::experiment::Progress;
use caresim::experiment::adaptive::PRECISION_METRICS;
use caresim::experiment::pipeline::{
    self, Experiment, MergeRequest, Monitor, Notice, Outcome, Produced, Replications, Request,
};
use caresim::output::{Folded, Results};

use super::args::{CompareArgs, ExecArgs, MergeArgs, Reps, RepsArgs, RunArgs, SweepArgs};
use super::progress::Bar;

/// The terminal watching a pipeline: a progress bar while replications run, the notices
/// as they come; with `--quiet`, a hidden bar and no notices.
struct Terminal {
    quiet: bool,
    /// Made when the replications start (their number is known only then).
    bar: OnceLock<Bar>,
}

impl Terminal {
    fn new(quiet: bool) -> Self {
        Terminal {
            quiet,
            bar: OnceLock::new(),
        }
    }
}

impl Progress for Terminal {
    fn run_done(&self) {
        if let Some(bar) = self.bar.get() {
            bar.run_done();
        }
    }

    fn start(&self, total: u64, done: u64) {
        let bar = Bar::new(total, self.quiet);
        bar.skip(done);
        let _ = self.bar.set(bar);
    }

    fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish();
        }
    }
}

impl Monitor for Terminal {
    fn notice(&self, notice: &Notice<'_>) {
        if self.quiet {
            return;
        }
        match *notice {
            Notice::SweepPlanned {
                points,
                replications,
                items,
            } => errln!("sweep: {points} points × {replications} replications = {items} runs"),
            Notice::Budget(warning) => errln!("warning: {warning}"),
            Notice::Resuming {
                done,
                total,
                journal,
            } => errln!(
                "resuming: {done} of {total} replications already done ({})",
                journal.display()
            ),
            Notice::AutoStopped {
                replications,
                reached,
                precision,
                points,
            } => errln!(
                "--reps auto: {replications} replications ({}: 95% CI half-width {} {:.1}% of the mean for {}{})",
                if reached {
                    "precise enough"
                } else {
                    "cap reached"
                },
                if reached { "within" } else { "still above" },
                precision * 100.0,
                PRECISION_METRICS.join(", "),
                if points > 1 { ", in every arm" } else { "" }
            ),
            _ => {}
        }
    }
}

/// The request for `experiment` with the shared options `exec`.
fn request(experiment: Experiment, exec: &ExecArgs) -> Request {
    Request {
        experiment,
        seed: exec.seed,
        threads: exec.threads,
        out: exec.out.clone(),
        force: exec.force,
        shard: exec.shard,
        charts: !exec.no_charts,
        command: std::env::args().collect(),
    }
}

/// `--reps` (a number, `auto` with `--precision` and `--max-reps`, or the default).
fn replications(args: &RepsArgs) -> Replications {
    match args.reps {
        None => Replications::Fixed(None),
        Some(Reps::Fixed(n)) => Replications::Fixed(Some(n)),
        Some(Reps::Auto) => Replications::Auto {
            precision: args.precision,
            max: args.max_reps,
        },
    }
}

/// Run `request`, then print what it produced (unless `quiet`).
fn execute(request: &Request, quiet: bool) -> Result<(), Error> {
    let outcome = pipeline::execute(request, &Terminal::new(quiet))?;
    if !quiet {
        report_done(&outcome);
    }
    Ok(())
}

/// `caresim run`.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    let experiment = Experiment::Run {
        scenario: args.scenario.clone(),
        replications: replications(&args.count),
    };
    execute(&request(experiment, &args.exec), args.exec.quiet)
}

/// `caresim compare`: the arms as the points of one plan, through the same journaled
/// pipeline as `run`.
pub fn compare(args: &CompareArgs) -> Result<(), Error> {
    let experiment = Experiment::Compare {
        scenarios: args.scenarios.clone(),
        replications: replications(&args.count),
    };
    execute(&request(experiment, &args.exec), args.exec.quiet)
}

/// `caresim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<(), Error> {
    let experiment = Experiment::Sweep {
        sweep: args.sweep.clone(),
        replications: args.reps,
    };
    execute(&request(experiment, &args.exec), args.exec.quiet)
}

/// `caresim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), Error> {
    let merged = pipeline::merge(&MergeRequest {
        shards: args.shards.clone(),
        out: args.out.clone(),
        force: args.force,
        charts: !args.no_charts,
        command: std::env::args().collect(),
    })?;
    if !args.quiet {
        let o = &merged.outcome;
        errln!(
            "merged {} shards ({} replications) in {:.2} s -> {}",
            merged.shards,
            o.items,
            o.timing.wall_seconds,
            o.folder.display()
        );
        report_done(o);
    }
    Ok(())
}

/// Print what a finished run, comparison, sweep or shard produced.
fn report_done(o: &Outcome) {
    match &o.produced {
        Produced::Shard {
            shard,
            items: (start, end),
        } => {
            errln!(
                "shard {}/{}: items {start}..{end} in {:.2} s -> {}",
                shard.index,
                shard.count,
                o.timing.wall_seconds,
                o.folder.display()
            );
        }
        Produced::Results(folded) => {
            let results = match folded {
                Folded::Run(r) => Some(r),
                Folded::Sweep(_) => None,
            };
            print_headline(o, results);
            warn_unstable_points(o);
        }
        Produced::Compared(c) => super::compare::print_comparison(o, c),
    }
    if let Some(n) = o.charts {
        errln!("  {n} charts -> {}", o.folder.join("charts").display());
    }
}

/// Unstable pools with the share of replications, e.g. `acute beds 100%, intermediate_care
/// 35%`.
pub(super) fn pools_text(pools: &[(String, f64)]) -> String {
    pools
        .iter()
        .map(|(pool, share)| {
            let pool = if pool == "acute" { "acute beds" } else { pool };
            format!("{pool} {}", caresim::chart::percent(*share))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an unstable pool means, said once after the warnings.
pub(super) const UNSTABLE_MEANING: &str = "  (full on at least 99% of the days of the last third of the observed period with its waiting line still growing: it has no steady state, so its waits, delays and bed-days grow with the horizon and describe the run length, not the system; see `unstable` in runs.csv)";

/// Warn about every point (or the run) with replications that never reached a steady state.
fn warn_unstable_points(o: &Outcome) {
    if o.unstable.is_empty() {
        return;
    }
    for u in &o.unstable {
        let at = if u.values.is_empty() {
            o.scenario.clone()
        } else {
            let set: Vec<String> = u.values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("point {} ({})", u.point, set.join(", "))
        };
        errln!(
            "warning: {at}: no steady state in {} of replications: {}",
            caresim::chart::percent(u.share),
            pools_text(&u.pools)
        );
    }
    errln!("{UNSTABLE_MEANING}");
}

fn print_headline(o: &Outcome, results: Option<&Results>) {
    let points = if o.points > 1 {
        format!("{} points × ", o.points)
    } else {
        String::new()
    };
    errln!(
        "{}: {points}{} replications in {:.2} s -> {}",
        o.scenario,
        o.replications,
        o.timing.wall_seconds,
        o.folder.display()
    );
    let Some(results) = results else {
        return;
    };
    for (name, s) in results.names.iter().zip(&results.summaries) {
        if caresim::model::catalogue::RUN_HEADLINE.contains(&name.as_str()) {
            match s.ci95_half_width {
                Some(h) => errln!("  {name:<22} {:>16.3} ± {h:.3}", s.mean),
                None => errln!("  {name:<22} {:>16.3}", s.mean),
            }
        }
    }
}
