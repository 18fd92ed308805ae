//! The run, compare, sweep and merge pipeline: load the files, plan the points ×
//! replications, run them through the journal on worker threads, fold the journal into the
//! result folder with its charts, and say what was written.
//!
//! A front end builds a [`Request`] (what to run, where, with what options), hands it to
//! [`execute`] with a [`Monitor`] (its progress bar and its way of showing [`Notice`]s) and
//! gets back an [`Outcome`]: the folder written, the results, the points with no steady
//! state, the timing. [`merge()`] folds the folders of a sharded run the same way. Every
//! failure is an [`Error`], which says whether it is bad input.
//!
//! Every way of producing the same records — any thread count, interrupted and resumed,
//! sharded and merged — ends in the same fold, so their result files are byte-identical.
//!
//! Running the small bundled scenario into a temporary folder:
//!
//! ```
//! use caresim::experiment::pipeline::{self, Experiment, Produced, Replications, Request, Unwatched};
//!
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
//! let dir = tempfile::tempdir().unwrap();
//! let request = Request {
//!     experiment: Experiment::Run {
//!         scenario: root.join("scenarios/reference_chronic_flow_small.toml"),
//!         replications: Replications::Fixed(Some(2)),
//!     },
//!     seed: Some(1),
//!     threads: 1,
//!     out: Some(dir.path().join("results")),
//!     force: false,
//!     shard: None,
//!     charts: false,
//!     command: vec!["example".into()],
//! };
//! let outcome = pipeline::execute(&request, &Unwatched).expect("a valid scenario");
//! assert_eq!(outcome.replications, 2);
//! assert!(outcome.folder.join("summary.csv").is_file());
//! assert!(matches!(outcome.produced, Produced::Results(_)));
//! ```

mod journaled;
mod merge;
mod monitor;
mod outcome;
mod request;

use std::path::Path;

pub use journaled::MAX_THREADS_PER_CORE;
pub use merge::{Merged, merge};
pub use monitor::{Monitor, Notice, Unwatched};
pub use outcome::{Outcome, Produced, Timing, UnstablePoint};
pub use request::{Experiment, MergeRequest, Replications, Request};

use self::journaled::Count;
use crate::Error;
use crate::experiment::Plan;
use crate::experiment::shards::Shard;
use crate::experiment::sweep;
use crate::output::layout;
use crate::scenario::{self, Scenario};

/// Run `request` through its journal into its result folder (or shard folder), telling
/// `monitor` how it goes.
///
/// # Errors
/// Bad input (a scenario or sweep file, options that do not fit together, a result or
/// journal folder that may not be used, a run too large for the memory) before anything
/// runs; an invalid sampled or swept value while running; a failure of running or writing.
/// [`Error::is_input`] tells them apart.
pub fn execute(request: &Request, monitor: &dyn Monitor) -> Result<Outcome, Error> {
    match &request.experiment {
        Experiment::Run {
            scenario,
            replications,
        } => run(request, scenario, *replications, monitor),
        Experiment::Compare {
            scenarios,
            replications,
        } => compare(request, scenarios, *replications, monitor),
        Experiment::Sweep {
            sweep,
            replications,
        } => run_sweep(request, sweep, *replications, monitor),
    }
}

/// Replications (the cap with `auto`), how they are counted, and the precision a journal
/// records (with `auto` only), from `replications` (`default` when not given).
fn count_of(
    replications: Replications,
    default: u32,
    shard: Option<Shard>,
) -> Result<(u32, Count, Option<f64>), Error> {
    match replications {
        Replications::Fixed(n) => Ok((n.unwrap_or(default), Count::Fixed, None)),
        Replications::Auto { precision, max } => {
            if !(precision > 0.0 && precision < 1.0) {
                return Err(Error::Input(format!(
                    "--precision must be a fraction in (0, 1), got {precision}"
                )));
            }
            if shard.is_some() {
                return Err(Error::Input(
                    "--reps auto decides the count as it goes, so it cannot be split into --shard slices; give a number of replications".into(),
                ));
            }
            Ok((max, Count::Auto { precision }, Some(precision)))
        }
    }
}

/// Replications of one scenario.
fn run(
    request: &Request,
    path: &Path,
    replications: Replications,
    monitor: &dyn Monitor,
) -> Result<Outcome, Error> {
    let scenario = scenario::load(path)?;
    let seed = request.seed.unwrap_or(scenario.seed);
    let (reps, count, precision) = count_of(replications, scenario.replications, request.shard)?;
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| layout::run_folder(&scenario.name));
    let mut plan = Plan::single(&scenario, seed, reps);
    let header = journaled::header(path, &plan, precision, None, request.shard);
    journaled::run(&mut plan, header, &out, request, count, None, monitor)
}

/// The arms of a comparison as the points of one plan, through the same journaled run.
fn compare(
    request: &Request,
    paths: &[std::path::PathBuf],
    replications: Replications,
    monitor: &dyn Monitor,
) -> Result<Outcome, Error> {
    if paths.len() < 2 {
        return Err(Error::Input(
            "compare needs a base scenario and at least one alternative".into(),
        ));
    }
    // Load every scenario first: a typo in the last file must not cost the first runs.
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        match scenario::load(p) {
            Ok(s) => scenarios.push(s),
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Scenario(scenario::ScenarioError::new(problems)));
    }
    check_comparable(&scenarios)?;
    let base = &scenarios[0];
    let (reps, count, precision) = count_of(replications, base.replications, request.shard)?;
    if reps < 2 {
        return Err(Error::Input(format!(
            "compare needs at least 2 replications for confidence intervals, got {reps} (set --reps)"
        )));
    }
    let seed = request.seed.unwrap_or(base.seed);
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| layout::compare_folder(&base.name));
    // Every arm gets the same seed and replications: common random numbers (and the same
    // sampled values of any uncertain parameter the arms share).
    let mut plan = Plan::compare(&scenarios, seed, reps);
    let header = journaled::header(&paths[0], &plan, precision, None, request.shard);
    journaled::run(&mut plan, header, &out, request, count, None, monitor)
}

/// Paired differences of totals mean something only over the same window and population:
/// every arm must share the base's horizon, warm-up and catchment.
///
/// # Errors
/// An input error naming each arm and key that differs.
fn check_comparable(scenarios: &[Scenario]) -> Result<(), Error> {
    let base = &scenarios[0];
    let mut problems = Vec::new();
    for s in &scenarios[1..] {
        let (b, a) = (&base.params, &s.params);
        let keys = [
            ("simulation.horizon_days", b.horizon_days, a.horizon_days),
            ("simulation.warmup_days", b.warmup_days, a.warmup_days),
            (
                "population.catchment",
                b.population.catchment,
                a.population.catchment,
            ),
        ];
        for (key, bv, av) in keys {
            if bv != av {
                problems.push(format!(
                    "{}: {key}: is {av} where the base {} has {bv}; compared arms must share the horizon, warm-up and catchment so that their totals cover the same days and people",
                    s.files[0].path.display(),
                    base.files[0].path.display()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(problems.join("\n")))
    }
}

/// Every point of a sweep file.
fn run_sweep(
    request: &Request,
    path: &Path,
    replications: Option<u32>,
    monitor: &dyn Monitor,
) -> Result<Outcome, Error> {
    let sweep = sweep::load(path)?;
    let seed = request.seed.or(sweep.seed).unwrap_or(sweep.scenario.seed);
    let reps = replications
        .or(sweep.replications)
        .unwrap_or(sweep.scenario.replications);
    let mut plan = sweep.plan(seed, reps)?;
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| layout::sweep_folder(&sweep.path, &sweep.scenario.name));
    let header = journaled::header(
        &sweep.scenario.files[0].path,
        &plan,
        None,
        Some(&sweep),
        request.shard,
    );
    monitor.notice(&Notice::SweepPlanned {
        points: plan.points.len(),
        replications: reps,
        items: plan.items(),
    });
    journaled::run(
        &mut plan,
        header,
        &out,
        request,
        Count::Fixed,
        Some(sweep.path.as_path()),
        monitor,
    )
}
