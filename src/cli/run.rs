//! `caresim run`, `caresim compare`, `caresim sweep` and `caresim merge`: journaled,
//! resumable, shardable runs, all through one pipeline ([`execute`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use caresim::experiment::adaptive::{self, PRECISION_METRICS, Precision};
use caresim::experiment::journal::{self, Header, Journal, JournalError};
use caresim::experiment::sweep::{self, Sweep, SweepError};
use caresim::experiment::{Plan, RunError, RunResult, budget, run_plan, shards};
use caresim::output::guard::{self, FolderKind};
use caresim::output::layout;
use caresim::output::{self, Compared, FinishError, Results, RunInfo};
use caresim::scenario::{self, Scenario};

use super::args::{ExecArgs, MergeArgs, Reps, RepsArgs, RunArgs, Shard, SweepArgs};
use super::progress::Bar;
use super::{Failure, output_failure, thread_count};

/// Map a run error to its exit code: invalid sampled or swept values are input errors.
pub(super) fn run_failure(e: RunError) -> Failure {
    match e {
        RunError::Params { .. } => Failure::Input(e.into()),
        RunError::Sink(e) => match e.downcast::<JournalError>() {
            Ok(j) => Failure::Run(anyhow::Error::from(j).context("writing the journal")),
            Err(e) => Failure::Run(e),
        },
        e => Failure::Run(e.into()),
    }
}

pub(super) fn journal_failure(e: JournalError) -> Failure {
    if e.is_input() {
        Failure::Input(e.into())
    } else {
        Failure::Run(e.into())
    }
}

fn finish_failure(e: FinishError) -> Failure {
    match e {
        FinishError::Output(e) => output_failure(e),
        FinishError::Records(_) | FinishError::Params(_) => Failure::Input(e.into()),
        FinishError::Journal(e) => journal_failure(e),
    }
}

fn sweep_failure(e: SweepError) -> Failure {
    Failure::Input(e.into())
}

/// Items of shard `s` of `items`: a contiguous, deterministic slice.
pub(super) fn shard_range(items: u64, s: Option<Shard>) -> (u64, u64) {
    match s {
        None => (0, items),
        Some(Shard { index, count }) => (
            items * u64::from(index - 1) / u64::from(count),
            items * u64::from(index) / u64::from(count),
        ),
    }
}

/// The most work items (points × replications) one command runs.
const MAX_ITEMS: u64 = 100_000_000;

/// How `execute` decides the number of replications.
enum Count {
    Fixed,
    Auto { precision: f64 },
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

/// What a finished run produced, for the terminal.
enum Done {
    Shard,
    Results(output::Folded),
    Compared(Compared),
}

/// Run `plan` under `header` into `out` (or, for a shard, into the shard folder), through
/// the journal: check the target, open (or resume) the journal, run the missing items, fold
/// the journal into the result folder with its charts, put it in place, remove the journal.
fn execute(
    plan: &mut Plan,
    header: Header,
    out: &Path,
    exec: &ExecArgs,
    count: Count,
    sweep_file: Option<&Path>,
) -> Result<(), Failure> {
    let final_dir = match exec.shard {
        Some(s) => layout::shard_folder(out, s.index, s.count),
        None => out.to_path_buf(),
    };
    let kind = if exec.shard.is_some() {
        FolderKind::Journal
    } else {
        FolderKind::Results
    };
    // Refuse before spending the run's time, not after.
    let inputs = inputs_of(plan, sweep_file);
    let input_refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    guard::check_target(&final_dir, exec.force, kind, &input_refs).map_err(output_failure)?;
    if plan.items() > MAX_ITEMS {
        return Err(Failure::Input(anyhow::anyhow!(
            "{} points × {} replications = {} runs is more than caresim runs in one command ({MAX_ITEMS}); use fewer replications or points, or split the work",
            plan.points.len(),
            plan.replications,
            plan.items()
        )));
    }
    if let Some(s) = exec.shard {
        if u64::from(s.count) > plan.items() {
            return Err(Failure::Input(anyhow::anyhow!(
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
        guard::check_target(out, true, FolderKind::Results, &input_refs).map_err(output_failure)?;
    }
    let threads = thread_count(exec.threads, plan.items())?;
    let (start, end) = header.range;
    // Memory and time, estimated from the resolved parameters, before anything starts.
    let params: Vec<&caresim::model::Params> = plan.points.iter().map(|p| &p.params).collect();
    let points = plan.points.len() as u64;
    let warnings = budget::check(
        &params,
        (end - start).div_ceil(points),
        points,
        threads,
        budget::available_memory(),
    )
    .map_err(|m| Failure::Input(anyhow::anyhow!(m)))?;
    if !exec.quiet {
        for w in warnings {
            errln!("warning: {w}");
        }
    }
    let jdir = layout::journal_folder(&final_dir);
    let mut journal = Journal::open(&jdir, header, exec.force).map_err(journal_failure)?;
    let reused = journal.done;
    if reused > 0 && !exec.quiet {
        errln!(
            "resuming: {reused} of {} replications already done ({})",
            end - start,
            jdir.display()
        );
    }
    let started = Instant::now();
    let ran = run_items(plan, &mut journal, exec, count, threads, start, end);
    let used_reps = match ran {
        Ok(n) => n,
        Err(e) => {
            // A journal of bad input can never be finished: the corrected rerun must not
            // find it in its way.
            if matches!(e, Failure::Input(_)) {
                let _ = journal.remove();
            }
            return Err(e);
        }
    };
    journal.sync().map_err(journal_failure)?;
    let wall = started.elapsed().as_secs_f64();
    let done = if exec.shard.is_some() {
        // A finished shard is its journal, renamed into place for `caresim merge`.
        guard::replace_dir(&jdir, &final_dir, FolderKind::Journal).map_err(output_failure)?;
        drop(journal);
        Done::Shard
    } else {
        plan.replications = used_reps;
        let info = RunInfo {
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            command: std::env::args().collect(),
            seed: plan.seed,
            replications: used_reps,
            threads,
            wall_time_seconds: wall,
            replications_reused: reused,
        };
        let done = finish(
            plan,
            &final_dir,
            exec.force,
            !exec.no_charts,
            std::slice::from_ref(&jdir),
            &info,
        )?;
        journal.remove().map_err(journal_failure)?;
        done
    };
    if !exec.quiet {
        match &done {
            Done::Shard => {
                let s = exec.shard.expect("a shard");
                errln!(
                    "shard {}/{}: items {start}..{end} in {wall:.2} s -> {}",
                    s.index,
                    s.count,
                    final_dir.display()
                );
            }
            _ => report_done(plan, &done, used_reps, wall, &final_dir, exec.no_charts),
        }
    }
    Ok(())
}

/// Run the items of `start..end` the journal does not hold yet; returns the replications
/// per point used.
fn run_items(
    plan: &Plan,
    journal: &mut Journal,
    exec: &ExecArgs,
    count: Count,
    threads: usize,
    start: u64,
    end: u64,
) -> Result<u32, Failure> {
    let reused = journal.done;
    let jdir = journal.dir().to_path_buf();
    let sink = |r: RunResult, journal: &mut Journal| -> anyhow::Result<()> {
        journal.append(&r)?;
        Ok(())
    };
    match count {
        Count::Fixed => {
            let bar = Bar::new(end - start, exec.quiet);
            bar.skip(reused);
            run_plan(plan, start + reused..end, threads, &bar, |r| {
                sink(r, journal)
            })
            .map_err(run_failure)?;
            bar.finish();
            Ok(plan.replications)
        }
        Count::Auto { precision } => {
            let points = plan.points.len() as u64;
            let cap = u64::from(plan.replications);
            let mut acc = Precision::new(plan, precision);
            for r in journal::records(&jdir).map_err(journal_failure)? {
                acc.push(plan, &r.map_err(journal_failure)?)?;
            }
            let bar = Bar::new(cap * points, exec.quiet);
            bar.skip(reused);
            // Items are replication-major for several points (a comparison), so each batch
            // is a contiguous run of items.
            let mut boundary = adaptive::next_boundary(None, cap);
            loop {
                let done = journal.done;
                if done < boundary * points {
                    run_plan(plan, done..boundary * points, threads, &bar, |r| {
                        acc.push(plan, &r)?;
                        sink(r, journal)
                    })
                    .map_err(run_failure)?;
                }
                if acc.reached() || boundary >= cap {
                    break;
                }
                boundary = adaptive::next_boundary(Some(boundary), cap);
            }
            bar.finish();
            let used = (journal.done / points) as u32;
            if !exec.quiet {
                let reached = acc.reached();
                errln!(
                    "--reps auto: {used} replications ({}: 95% CI half-width {} {:.1}% of the mean for {}{})",
                    if reached {
                        "precise enough"
                    } else {
                        "cap reached"
                    },
                    if reached { "within" } else { "still above" },
                    precision * 100.0,
                    PRECISION_METRICS.join(", "),
                    if points > 1 { ", in every arm" } else { "" }
                );
            }
            Ok(used)
        }
    }
}

/// Fold the journals of `plan` into the result folder `out` (charts included).
fn finish(
    plan: &Plan,
    out: &Path,
    force: bool,
    charts: bool,
    journals: &[PathBuf],
    info: &RunInfo,
) -> Result<Done, Failure> {
    if plan.is_comparison() {
        output::comparison_from_journals(out, force, plan, journals, info, charts)
            .map(Done::Compared)
            .map_err(finish_failure)
    } else {
        output::from_journals(out, force, plan, journals, info, charts)
            .map(Done::Results)
            .map_err(finish_failure)
    }
}

/// Print what a finished run or comparison produced.
fn report_done(plan: &Plan, done: &Done, reps: u32, wall: f64, out: &Path, no_charts: bool) {
    match done {
        Done::Shard => {}
        Done::Results(folded) => {
            let results = match folded {
                output::Folded::Run(r) => Some(r),
                output::Folded::Sweep(_) => None,
            };
            print_headline(plan, reps, wall, out, results);
            warn_unstable_points(plan, folded);
        }
        Done::Compared(c) => super::compare::print_comparison(plan, c, reps, wall, out),
    }
    if !no_charts {
        let n = std::fs::read_dir(out.join("charts")).map_or(0, |d| {
            d.filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
            })
            .count()
        });
        errln!("  {n} charts -> {}", out.join("charts").display());
    }
}

fn header(
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
        range: shard_range(plan.items(), shard),
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
    }
}

/// Replications (the cap with `auto`), how they are counted, and the `--precision` a
/// journal records (with `auto` only), from `--reps` (default `default_reps`).
fn count_of(
    args: &RepsArgs,
    default_reps: u32,
    shard: Option<Shard>,
) -> Result<(u32, Count, Option<f64>), Failure> {
    match args.reps.unwrap_or(Reps::Fixed(default_reps)) {
        Reps::Fixed(n) => Ok((n, Count::Fixed, None)),
        Reps::Auto => {
            let precision = args.precision;
            if !(precision > 0.0 && precision < 1.0) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "--precision must be a fraction in (0, 1), got {precision}"
                )));
            }
            if shard.is_some() {
                return Err(Failure::Input(anyhow::anyhow!(
                    "--reps auto decides the count as it goes, so it cannot be split into --shard slices; give a number of replications"
                )));
            }
            Ok((args.max_reps, Count::Auto { precision }, Some(precision)))
        }
    }
}

/// `caresim run`.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let seed = args.exec.seed.unwrap_or(scenario.seed);
    let (reps, count, precision) = count_of(&args.count, scenario.replications, args.exec.shard)?;
    let out = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| layout::run_folder(&scenario.name));
    let mut plan = Plan::single(&scenario, seed, reps);
    let h = header(&args.scenario, &plan, precision, None, args.exec.shard);
    execute(&mut plan, h, &out, &args.exec, count, None)
}

/// `caresim compare`: the arms as the points of one plan, through the same journaled
/// pipeline as `run`.
pub fn compare(args: &super::args::CompareArgs) -> Result<(), Failure> {
    // Load every scenario first: a typo in the last file must not cost the first runs.
    let mut scenarios = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    for p in &args.scenarios {
        match scenario::load(p) {
            Ok(s) => scenarios.push(s),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Failure::Input(anyhow::anyhow!(problems.join("\n"))));
    }
    super::compare::check_comparable(&scenarios)?;
    let base = &scenarios[0];
    let (reps, count, precision) = count_of(&args.count, base.replications, args.exec.shard)?;
    if reps < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "compare needs at least 2 replications for confidence intervals, got {reps} (set --reps)"
        )));
    }
    let seed = args.exec.seed.unwrap_or(base.seed);
    let out = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| layout::compare_folder(&base.name));
    // Every arm gets the same seed and replications: common random numbers (and the same
    // sampled values of any uncertain parameter the arms share).
    let mut plan = Plan::compare(&scenarios, seed, reps);
    let h = header(&args.scenarios[0], &plan, precision, None, args.exec.shard);
    execute(&mut plan, h, &out, &args.exec, count, None)
}

/// `caresim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<(), Failure> {
    let sweep = sweep::load(&args.sweep).map_err(sweep_failure)?;
    let seed = args.exec.seed.or(sweep.seed).unwrap_or(sweep.scenario.seed);
    let reps = args
        .reps
        .or(sweep.replications)
        .unwrap_or(sweep.scenario.replications);
    let mut plan = sweep.plan(seed, reps)?;
    let out = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| layout::sweep_folder(&sweep.path, &sweep.scenario.name));
    let h = header(
        &sweep.scenario.files[0].path,
        &plan,
        None,
        Some(&sweep),
        args.exec.shard,
    );
    if !args.exec.quiet {
        errln!(
            "sweep: {} points × {reps} replications = {} runs",
            plan.points.len(),
            plan.items()
        );
    }
    execute(
        &mut plan,
        h,
        &out,
        &args.exec,
        Count::Fixed,
        Some(sweep.path.as_path()),
    )
}

/// `caresim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), Failure> {
    let bad = |m: String| Failure::Input(anyhow::anyhow!(m));
    let shards = shards::check_set(&args.shards).map_err(|e| match e {
        shards::ShardSetError::Input(m) => bad(m),
        shards::ShardSetError::Journal(e) => journal_failure(e),
    })?;
    let (first, first_dir) = shards[0].clone();
    let count = first.shard.expect("checked").1;
    // Rebuild the plan from the scenario (and sweep) the shards ran, checking they have not
    // changed since.
    let changed = |what: &Path| {
        bad(format!(
            "{} has changed since the shards ran (its SHA-256 differs); merge needs the files the shards used",
            what.display()
        ))
    };
    let hashes =
        |s: &Scenario| -> Vec<String> { s.files.iter().map(|f| f.sha256.clone()).collect() };
    // The shards name their files as given on their command line, relative to the folder
    // they ran in.
    let load = |path: &Path| {
        scenario::load(path).map_err(|e| {
            let hint = if path.is_relative() && !path.exists() {
                format!(
                    "\n{}: not found from this folder; the shards name their files relative to the folder they ran in: run merge from there",
                    path.display()
                )
            } else {
                String::new()
            };
            Failure::Input(anyhow::anyhow!("{e}{hint}"))
        })
    };
    let mut arms: Vec<Scenario> = Vec::new();
    for (path, sha) in &first.arms {
        let s = load(path)?;
        if &hashes(&s) != sha {
            return Err(changed(path));
        }
        arms.push(s);
    }
    let (sweep, scenario) = match &first.sweep {
        Some((path, sha)) => {
            let s = sweep::load(path).map_err(sweep_failure)?;
            if &s.sha256 != sha {
                return Err(changed(path));
            }
            (Some(s), None)
        }
        None if arms.is_empty() => (None, Some(load(&first.scenario_path)?)),
        None => (None, None),
    };
    let mut plan = match (&sweep, &scenario) {
        (Some(s), _) => s.plan(first.seed, first.replications)?,
        (None, Some(s)) => Plan::single(s, first.seed, first.replications),
        (None, None) => Plan::compare(&arms, first.seed, first.replications),
    };
    if hashes(plan.scenario) != first.scenario_sha256 {
        return Err(changed(&first.scenario_path));
    }
    plan.replications = first.replications;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| layout::merged_folder(&first_dir));
    let started = Instant::now();
    let dirs: Vec<PathBuf> = shards.iter().map(|(_, d)| d.clone()).collect();
    let info = RunInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: std::env::args().collect(),
        seed: plan.seed,
        replications: plan.replications,
        threads: 0,
        wall_time_seconds: 0.0,
        replications_reused: plan.items(),
    };
    let shard_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    guard::check_target(&out, args.force, FolderKind::Results, &shard_refs)
        .map_err(output_failure)?;
    let done = finish(&plan, &out, args.force, !args.no_charts, &dirs, &info)?;
    if !args.quiet {
        errln!(
            "merged {count} shards ({} replications) in {:.2} s -> {}",
            plan.items(),
            started.elapsed().as_secs_f64(),
            out.display()
        );
        let wall = started.elapsed().as_secs_f64();
        report_done(&plan, &done, plan.replications, wall, &out, args.no_charts);
    }
    Ok(())
}

/// The pools flagged unstable in `names`/`summaries` with the share of replications, e.g.
/// `acute beds 100%, intermediate_care 35%`; empty when none is.
pub(super) fn unstable_pools(names: &[String], means: impl Fn(usize) -> f64) -> String {
    names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let pool = n.strip_prefix("unstable_")?;
            let share = means(i);
            let pool = if pool == "acute" { "acute beds" } else { pool };
            (share > 0.0).then(|| format!("{pool} {:.0}%", share * 100.0))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What an unstable pool means, said once after the warnings.
pub(super) const UNSTABLE_MEANING: &str = "  (full on at least 99% of the days of the last third of the observed period with its waiting line still growing: it has no steady state, so its waits, delays and bed-days grow with the horizon and describe the run length, not the system; see `unstable` in runs.csv)";

/// Warn about every point (or the run) with replications that never reached a steady state.
fn warn_unstable_points(plan: &Plan, folded: &output::Folded) {
    let flagged = folded.unstable_points();
    if flagged.is_empty() {
        return;
    }
    let results = |i: usize| match folded {
        output::Folded::Run(r) => r,
        output::Folded::Sweep(points) => &points[i].1,
    };
    for (i, values, share) in &flagged {
        let r = results(*i);
        let pools = unstable_pools(&r.names, |k| r.summaries[k].mean);
        let at = if values.is_empty() {
            plan.scenario.name.clone()
        } else {
            let keys = plan.points[*i].values.iter().map(|(k, _)| k);
            let set: Vec<String> = keys
                .zip(*values)
                .map(|(k, v)| format!("{k} = {v}"))
                .collect();
            format!("point {i} ({})", set.join(", "))
        };
        errln!(
            "warning: {at}: no steady state in {:.0}% of replications: {pools}",
            share * 100.0
        );
    }
    errln!("{UNSTABLE_MEANING}");
}

fn print_headline(plan: &Plan, reps: u32, wall: f64, out: &Path, results: Option<&Results>) {
    let points = if plan.points.len() > 1 {
        format!("{} points × ", plan.points.len())
    } else {
        String::new()
    };
    errln!(
        "{}: {points}{reps} replications in {wall:.2} s -> {}",
        plan.scenario.name,
        out.display()
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
