//! One plan run through its journal: check the target, open (or resume) the journal, run
//! the missing items, fold the journal into the result folder with its charts, put it in
//! place, remove the journal. A shard stops after running: its journal is its folder.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::outcome::{self, Outcome, Produced, Timing};
use super::{Monitor, Notice, Request};
use crate::Error;
use crate::experiment::adaptive::{self, Precision};
use crate::experiment::journal::{self, Header, Journal};
use crate::experiment::shards::{self, Shard};
use crate::experiment::sweep::Sweep;
use crate::experiment::{Plan, budget, run_plan};
use crate::model::Params;
use crate::output::guard::{self, FolderKind};
use crate::output::{self, RunInfo, layout};
use crate::scenario::Scenario;

/// The most work items (points × replications) one command runs.
const MAX_ITEMS: u64 = 100_000_000;

/// Most worker threads per core a request may ask for: more only adds switching.
pub const MAX_THREADS_PER_CORE: usize = 8;

/// How the number of replications is decided.
#[derive(Clone, Copy, Debug)]
pub(super) enum Count {
    /// The plan's replications.
    Fixed,
    /// Batches until each precision metric's 95% CI half-width is within `precision` of
    /// its mean, up to the plan's replications (see [`adaptive`]).
    Auto {
        /// The largest half-width accepted, as a fraction of the mean.
        precision: f64,
    },
}

/// What a journal records about a run: everything that must match to resume it or merge
/// its shards.
pub(super) fn header(
    scenario_path: &Path,
    plan: &Plan,
    precision: Option<f64>,
    sweep: Option<&Sweep>,
    shard: Option<Shard>,
) -> Header {
    let scenario = plan.scenario;
    Header {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_path: scenario_path.to_path_buf(),
        scenario_sha256: scenario.files.iter().map(|f| f.sha256.clone()).collect(),
        scenario_name: scenario.name.clone(),
        seed: plan.seed,
        replications: plan.replications,
        precision,
        sweep: sweep.map(|s| (s.path.clone(), s.sha256.clone())),
        points: plan.points.iter().map(|p| p.values.clone()).collect(),
        items: plan.items(),
        shard: shard.map(|s| (s.index, s.count)),
        range: shards::range(plan.items(), shard),
        arms: plan
            .arms
            .iter()
            .map(|s| {
                (
                    s.files[0].path.clone(),
                    s.files.iter().map(|f| f.sha256.clone()).collect(),
                )
            })
            .collect(),
        // Absolute (current_dir is), so that merge can find the files from anywhere.
        working_dir: std::env::current_dir().ok(),
    }
}

/// The inputs a run reads (every scenario file of every arm, the sweep file): folders
/// holding them are never replaced.
fn inputs_of(plan: &Plan, sweep: Option<&Path>) -> Vec<PathBuf> {
    let scenarios: Vec<&Scenario> = if plan.is_comparison() {
        plan.arms.clone()
    } else {
        vec![plan.scenario]
    };
    scenarios
        .iter()
        .flat_map(|s| s.files.iter().map(|f| f.path.clone()))
        .chain(sweep.map(Path::to_path_buf))
        .collect()
}

/// Worker threads: `requested`, or one per core for 0; never more than the `items` to run.
///
/// # Errors
/// More than [`MAX_THREADS_PER_CORE`] per core.
fn thread_count(requested: usize, items: u64) -> Result<usize, Error> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let limit = cores * MAX_THREADS_PER_CORE;
    if requested > limit {
        return Err(Error::Input(format!(
            "--threads {requested}: at most {limit} on this machine ({MAX_THREADS_PER_CORE} per core, {cores} cores); 0 means one per core"
        )));
    }
    let threads = if requested == 0 { cores } else { requested };
    Ok(threads
        .min(usize::try_from(items).unwrap_or(usize::MAX))
        .max(1))
}

/// Everything checked before a run spends any time, in order: the folders it will write,
/// its size, its shard, its threads, its memory and time (warnings told to `monitor`).
/// Returns the worker threads.
fn check_before_running(
    plan: &Plan,
    range: (u64, u64),
    out: &Path,
    final_dir: &Path,
    request: &Request,
    sweep_file: Option<&Path>,
    monitor: &dyn Monitor,
) -> Result<usize, Error> {
    let kind = if request.shard.is_some() {
        FolderKind::Journal
    } else {
        FolderKind::Results
    };
    // Refuse before spending the run's time, not after.
    let inputs = inputs_of(plan, sweep_file);
    let input_refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    guard::check_target(final_dir, request.force, kind, &input_refs)
        .map_err(Error::writing_results)?;
    if plan.items() > MAX_ITEMS {
        return Err(Error::Input(format!(
            "{} points × {} replications = {} runs is more than caresim runs in one command ({MAX_ITEMS}); use fewer replications or points, or split the work",
            plan.points.len(),
            plan.replications,
            plan.items()
        )));
    }
    if let Some(s) = request.shard {
        if u64::from(s.count) > plan.items() {
            return Err(Error::Input(format!(
                "--shard {}/{}: {} shards for {} runs (points × replications); use at most {} shards",
                s.index,
                s.count,
                s.count,
                plan.items(),
                plan.items()
            )));
        }
        // `merge` will write `out` (with --force on a cluster): refuse now a folder it could
        // never replace, rather than after every shard has run.
        guard::check_target(out, true, FolderKind::Results, &input_refs)
            .map_err(Error::writing_results)?;
    }
    let threads = thread_count(request.threads, plan.items())?;
    let (start, end) = range;
    // Memory and time, estimated from the resolved parameters, before anything starts.
    let params: Vec<&Params> = plan.points.iter().map(|p| &p.params).collect();
    let points = plan.points.len() as u64;
    let warnings = budget::check(
        &params,
        (end - start).div_ceil(points),
        points,
        threads,
        budget::available_memory(),
    )
    .map_err(Error::Input)?;
    for w in &warnings {
        monitor.notice(&Notice::Budget(w));
    }
    Ok(threads)
}

/// Run `plan` under `header` into `out` (or, for a shard, into the shard folder), through
/// the journal: check the target, open (or resume) the journal, run the missing items, fold
/// the journal into the result folder with its charts, put it in place, remove the journal.
pub(super) fn run(
    plan: &mut Plan,
    header: Header,
    out: &Path,
    request: &Request,
    count: Count,
    sweep_file: Option<&Path>,
    monitor: &dyn Monitor,
) -> Result<Outcome, Error> {
    let final_dir = match request.shard {
        Some(s) => layout::shard_folder(out, s.index, s.count),
        None => out.to_path_buf(),
    };
    let (start, end) = header.range;
    let threads = check_before_running(
        plan,
        header.range,
        out,
        &final_dir,
        request,
        sweep_file,
        monitor,
    )?;
    let jdir = layout::journal_folder(&final_dir);
    let mut journal = Journal::open(&jdir, header, request.force)?;
    let reused = journal.done;
    if reused > 0 {
        monitor.notice(&Notice::Resuming {
            done: reused,
            total: end - start,
            journal: &jdir,
        });
    }
    let started = Instant::now();
    let used_reps = match run_items(plan, &mut journal, count, threads, monitor) {
        Ok(n) => n,
        Err(e) => {
            // A journal of bad input can never be finished: the corrected rerun must not
            // find it in its way.
            if e.is_input() {
                let _ = journal.remove();
            }
            return Err(e);
        }
    };
    journal.sync()?;
    let timing = Timing {
        wall_seconds: started.elapsed().as_secs_f64(),
        threads,
        reused,
    };
    if let Some(shard) = request.shard {
        // A finished shard is its journal, renamed into place for `merge`.
        guard::replace_dir(&jdir, &final_dir, FolderKind::Journal)
            .map_err(Error::writing_results)?;
        drop(journal);
        return Ok(Outcome {
            folder: final_dir,
            produced: Produced::Shard {
                shard,
                items: (start, end),
            },
            scenario: plan.scenario.name.clone(),
            points: plan.points.len(),
            seed: plan.seed,
            replications: used_reps,
            items: plan.items(),
            timing,
            unstable: Vec::new(),
            charts: None,
        });
    }
    plan.replications = used_reps;
    let info = RunInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: request.command.clone(),
        seed: plan.seed,
        replications: used_reps,
        threads,
        wall_time_seconds: timing.wall_seconds,
        replications_reused: reused,
    };
    let produced = finish(
        plan,
        &final_dir,
        request.force,
        request.charts,
        std::slice::from_ref(&jdir),
        &info,
    )?;
    journal.remove()?;
    Ok(finished(plan, final_dir, produced, timing, request.charts))
}

/// Run the items of the journal's range that it does not hold yet, ticking `monitor`;
/// returns the replications per point used.
fn run_items(
    plan: &Plan,
    journal: &mut Journal,
    count: Count,
    threads: usize,
    monitor: &dyn Monitor,
) -> Result<u32, Error> {
    let reused = journal.done;
    let (start, end) = journal.header.range;
    match count {
        Count::Fixed => {
            monitor.start(end - start, reused);
            run_plan(plan, start + reused..end, threads, monitor, |r| {
                journal.append(&r)?;
                Ok(())
            })?;
            monitor.finish();
            Ok(plan.replications)
        }
        Count::Auto { precision } => run_until_precise(plan, journal, precision, threads, monitor),
    }
}

/// `--reps auto`: count what the journal holds, then add batches (see [`adaptive`]) until
/// the precision or the plan's replications (the cap) is reached; returns the replications
/// per point used.
fn run_until_precise(
    plan: &Plan,
    journal: &mut Journal,
    precision: f64,
    threads: usize,
    monitor: &dyn Monitor,
) -> Result<u32, Error> {
    let reused = journal.done;
    let points = plan.points.len() as u64;
    let cap = u64::from(plan.replications);
    let mut acc = Precision::new(plan, precision);
    for r in journal::records(journal.dir())? {
        acc.push(plan, &r?)?;
    }
    monitor.start(cap * points, reused);
    // Items are replication-major for several points (a comparison), so each batch is a
    // contiguous run of items.
    let mut boundary = adaptive::next_boundary(None, cap);
    loop {
        let done = journal.done;
        if done < boundary * points {
            run_plan(plan, done..boundary * points, threads, monitor, |r| {
                acc.push(plan, &r)?;
                journal.append(&r)?;
                Ok(())
            })?;
        }
        if acc.reached() || boundary >= cap {
            break;
        }
        boundary = adaptive::next_boundary(Some(boundary), cap);
    }
    monitor.finish();
    let used = (journal.done / points) as u32;
    monitor.notice(&Notice::AutoStopped {
        replications: used,
        reached: acc.reached(),
        precision,
        points: plan.points.len(),
    });
    Ok(used)
}

/// Fold the journals of `plan` into the result folder `out` (charts included).
pub(super) fn finish(
    plan: &Plan,
    out: &Path,
    force: bool,
    charts: bool,
    journals: &[PathBuf],
    info: &RunInfo,
) -> Result<Produced, Error> {
    if plan.is_comparison() {
        Ok(Produced::Compared(output::comparison_from_journals(
            out, force, plan, journals, info, charts,
        )?))
    } else {
        Ok(Produced::Results(output::from_journals(
            out, force, plan, journals, info, charts,
        )?))
    }
}

/// The outcome of `plan` folded into `folder`.
pub(super) fn finished(
    plan: &Plan,
    folder: PathBuf,
    produced: Produced,
    timing: Timing,
    charts: bool,
) -> Outcome {
    let unstable = match &produced {
        Produced::Results(folded) => outcome::unstable_points(plan, folded),
        Produced::Compared(c) => outcome::unstable_arms(c),
        Produced::Shard { .. } => Vec::new(),
    };
    let charts = charts.then(|| outcome::charts_in(&folder));
    Outcome {
        folder,
        produced,
        scenario: plan.scenario.name.clone(),
        points: plan.points.len(),
        seed: plan.seed,
        replications: plan.replications,
        items: plan.items(),
        timing,
        unstable,
        charts,
    }
}
