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
    /// What the bar counts: `replications`, or `runs, 3 arms` for a comparison.
    unit: String,
    /// The arms of a comparison, by name: their replications run interleaved (every
    /// replication of every arm, then the next), so the bar names the arm whose replication
    /// started last. Empty otherwise.
    arms: Vec<String>,
    /// Made when the replications start (their number is known only then).
    bar: OnceLock<Bar>,
}

impl Terminal {
    fn new(quiet: bool, unit: String, arms: Vec<String>) -> Self {
        Terminal {
            quiet,
            unit,
            arms,
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
        let _ = self.bar.set(Bar::new(
            total,
            done,
            self.quiet,
            &self.unit,
            self.arms.clone(),
        ));
    }

    fn run_started(&self, point: u32, replication: u32) {
        if let Some(bar) = self.bar.get() {
            bar.running(point, replication);
        }
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
            } => errln!(
                "sweep: {} × {} = {}",
                super::count(points as u64, "point", "points"),
                super::count(u64::from(replications), "replication", "replications"),
                super::count(items, "run", "runs")
            ),
            Notice::Budget(warning) => errln!("warning: {warning}"),
            Notice::Resuming {
                done,
                total,
                journal,
            } => errln!(
                "resuming: {done} of {} already done ({})",
                super::count(total, "replication", "replications"),
                journal.display()
            ),
            Notice::AutoStopped {
                replications,
                reached,
                precision,
                points,
            } => errln!(
                "--reps auto: {} ({}: 95% CI half-width {} {:.1}% of the mean for {}{})",
                super::count(u64::from(replications), "replication", "replications"),
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

/// The environment variable giving the worker threads when `--threads` is not given.
pub const THREADS_VAR: &str = "CARESIM_THREADS";

/// The worker threads asked for: `--threads`, else [`THREADS_VAR`] (unset or empty: 0, one
/// per core), read here in the binary since the library never reads the environment.
///
/// # Errors
/// [`Error::Input`] naming the variable, its value and what it may be, when it is not a
/// whole number from 0 to the pipeline's limit (so the message does not blame `--threads`).
fn threads(flag: Option<usize>) -> Result<usize, Error> {
    if let Some(n) = flag {
        return Ok(n);
    }
    let Some(value) = std::env::var_os(THREADS_VAR) else {
        return Ok(0);
    };
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let limit = cores * pipeline::MAX_THREADS_PER_CORE;
    let text = value.to_string_lossy();
    match text.trim().parse::<usize>() {
        _ if text.trim().is_empty() => Ok(0),
        Ok(n) if n <= limit => Ok(n),
        _ => Err(Error::Input(format!(
            "environment variable {THREADS_VAR}={text:?}: expected a whole number of worker threads from 0 (one per core) to {limit} ({} per core, {}); --threads overrides it",
            pipeline::MAX_THREADS_PER_CORE,
            super::count(cores as u64, "core", "cores")
        ))),
    }
}

/// The request for `experiment` with the shared options `exec`.
///
/// # Errors
/// A bad [`THREADS_VAR`] (see [`threads`]).
fn request(experiment: Experiment, exec: &ExecArgs) -> Result<Request, Error> {
    Ok(Request {
        experiment,
        seed: exec.seed,
        threads: threads(exec.threads)?,
        out: exec.out.clone(),
        force: exec.force,
        shard: exec.shard,
        charts: !exec.no_charts,
        command: std::env::args().collect(),
    })
}

/// `--precision` when `--reps auto` does not say otherwise.
const DEFAULT_PRECISION: f64 = 0.05;

/// `--max-reps` when `--reps auto` does not say otherwise.
const DEFAULT_MAX_REPS: u32 = 1000;

/// `--reps` (a number, `auto` with `--precision` and `--max-reps`, or the default).
///
/// # Errors
/// `--precision` or `--max-reps` without `--reps auto`: they would be silently ignored, and
/// a user who gave them expects the run to stop at that precision.
fn replications(args: &RepsArgs) -> Result<Replications, Error> {
    if args.reps != Some(Reps::Auto) {
        let given: Vec<&str> = [
            args.precision.map(|_| "--precision"),
            args.max_reps.map(|_| "--max-reps"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !given.is_empty() {
            let reps = match args.reps {
                Some(Reps::Fixed(n)) => format!("--reps {n} fixes the count"),
                _ => "without --reps, the scenario's simulation.replications is the count".into(),
            };
            return Err(Error::Input(format!(
                "{} applies only with --reps auto, which adds replications until the results are that precise ({reps}); add --reps auto, or drop {}",
                given.join(" and "),
                given.join(" and ")
            )));
        }
    }
    Ok(match args.reps {
        None => Replications::Fixed(None),
        Some(Reps::Fixed(n)) => Replications::Fixed(Some(n)),
        Some(Reps::Auto) => Replications::Auto {
            precision: args.precision.unwrap_or(DEFAULT_PRECISION),
            max: args.max_reps.unwrap_or(DEFAULT_MAX_REPS),
        },
    })
}

/// Warn (on stderr, unless `quiet`) when `--threads` asks for more threads than the
/// machine has cores: allowed (up to the pipeline's limit per core), and the results are
/// the same, but the threads only take turns on the cores, so it is no faster.
fn warn_threads(threads: usize, quiet: bool) {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads > cores && !quiet {
        errln!(
            "warning: --threads {threads} is more than this machine's {}: the threads will take turns on them, so the run will not be faster (the results are the same for any --threads; 0, the default, is one per core)",
            super::count(cores as u64, "core", "cores")
        );
    }
}

/// Run `request`, its progress counted in `unit` (naming `arms` as they run), then print
/// what it produced (unless `quiet`).
fn execute(request: &Request, quiet: bool, unit: String, arms: Vec<String>) -> Result<(), Error> {
    warn_threads(request.threads, quiet);
    let outcome = pipeline::execute(request, &Terminal::new(quiet, unit, arms))?;
    if !quiet {
        report_done(&outcome);
    }
    print_folder(&outcome);
    Ok(())
}

/// The result (or shard) folder alone, as the last line of standard output, even with
/// `--quiet`: so that `dir=$(caresim run ... | tail -1)` finds it whatever was printed
/// before.
fn print_folder(o: &Outcome) {
    outln!("{}", o.folder.display());
}

/// `caresim run`.
pub fn run(args: &RunArgs) -> Result<(), Error> {
    let experiment = Experiment::Run {
        scenario: args.scenario.clone(),
        replications: replications(&args.count)?,
    };
    execute(
        &request(experiment, &args.exec)?,
        args.exec.quiet,
        "replications".into(),
        Vec::new(),
    )
}

/// `caresim compare`: the arms as the points of one plan, through the same journaled
/// pipeline as `run`.
pub fn compare(args: &CompareArgs) -> Result<(), Error> {
    let experiment = Experiment::Compare {
        scenarios: args.scenarios.clone(),
        replications: replications(&args.count)?,
    };
    let unit = format!("runs, {} arms", args.scenarios.len());
    // The arms by file name (a scenario's own name is known only once it is loaded, in the
    // pipeline; the file name is what the user typed).
    let arms = args
        .scenarios
        .iter()
        .map(|p| {
            p.file_stem().map_or_else(
                || p.display().to_string(),
                |s| s.to_string_lossy().into_owned(),
            )
        })
        .collect();
    execute(
        &request(experiment, &args.exec)?,
        args.exec.quiet,
        unit,
        arms,
    )
}

/// `caresim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<(), Error> {
    let experiment = Experiment::Sweep {
        sweep: args.sweep.clone(),
        replications: args.reps,
    };
    execute(
        &request(experiment, &args.exec)?,
        args.exec.quiet,
        "runs".into(),
        Vec::new(),
    )
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
    let o = &merged.outcome;
    if !args.quiet {
        outln!(
            "merged {} ({}) in {:.2} s -> {}",
            super::count(u64::from(merged.shards), "shard", "shards"),
            super::count(o.items, "run", "runs"),
            o.timing.wall_seconds,
            o.folder.display()
        );
        report_done(o);
    }
    print_folder(o);
    Ok(())
}

/// How long `o` took, as ` in 1.23 s`; for a merge, which ran no replication (its shards
/// did, on other machines or at other times), ` from shards, merged in 0.12 s`.
pub(super) fn took(o: &Outcome) -> String {
    // Only a merge runs on no worker thread (a run or shard has at least one).
    if o.timing.threads == 0 {
        format!(" from shards, merged in {:.2} s", o.timing.wall_seconds)
    } else {
        format!(" in {:.2} s", o.timing.wall_seconds)
    }
}

/// Print what a finished run, comparison, sweep or shard produced.
fn report_done(o: &Outcome) {
    match &o.produced {
        Produced::Shard {
            shard,
            items: (start, end),
        } => {
            outln!(
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
    // A note about files, not part of the summary: on stderr with the other notes.
    if let Some(n) = o.charts {
        errln!(
            "{} -> {}",
            super::count(n as u64, "chart", "charts"),
            o.folder.join("charts").display()
        );
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
        format!("{} × ", super::count(o.points as u64, "point", "points"))
    } else {
        String::new()
    };
    outln!(
        "{}: {points}{}{} -> {}",
        o.scenario,
        super::count(u64::from(o.replications), "replication", "replications"),
        took(o),
        o.folder.display()
    );
    let Some(results) = results else {
        return;
    };
    for (name, s) in results.names.iter().zip(&results.summaries) {
        if caresim::model::catalogue::RUN_HEADLINE.contains(&name.as_str()) {
            match s.ci95_half_width {
                Some(h) => outln!("  {name:<22} {:>16.3} ± {h:.3}", s.mean),
                None => outln!("  {name:<22} {:>16.3}", s.mean),
            }
        }
    }
}
