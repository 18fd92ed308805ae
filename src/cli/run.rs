//! `caresim run`, `caresim sweep` and `caresim merge`: journaled, resumable, shardable runs.

use std::path::{Path, PathBuf};
use std::time::Instant;

use caresim::experiment::journal::{self, Header, Journal, JournalError};
use caresim::experiment::sweep::{self, Sweep, SweepError};
use caresim::experiment::{Plan, RunError, RunResult, run_plan};
use caresim::output::{self, FinishError, OutputError, Results, RunInfo};
use caresim::scenario::{self, Scenario};
use caresim::stats::Welford;

use super::args::{ExecArgs, MergeArgs, Reps, RunArgs, Shard, SweepArgs};
use super::progress::Bar;
use super::{Failure, thread_count};

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

fn journal_failure(e: JournalError) -> Failure {
    match e {
        JournalError::Changed { .. } => Failure::Input(e.into()),
        e => Failure::Run(e.into()),
    }
}

fn finish_failure(e: FinishError) -> Failure {
    match e {
        FinishError::Output(OutputError::Exists(_)) | FinishError::Records(_) => {
            Failure::Input(e.into())
        }
        e => Failure::Run(anyhow::Error::from(e).context("writing results")),
    }
}

fn sweep_failure(e: SweepError) -> Failure {
    Failure::Input(e.into())
}

/// `path` with `suffix` appended to its last component.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    path.with_file_name(format!("{name}{suffix}"))
}

/// The hidden journal folder of a result folder: `.<name>.journal` beside it.
fn journal_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    out.with_file_name(format!(".{name}.journal"))
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

/// The metrics `--reps auto` makes precise.
const PRECISION_METRICS: [&str; 3] = ["admissions", "acute_bed_days", "total_cost"];

/// How `execute` decides the number of replications.
enum Count {
    Fixed,
    Auto { precision: f64 },
}

/// Run `plan` under `header` into `out` (or, for a shard, into the shard folder).
fn execute(
    plan: &mut Plan,
    header: Header,
    out: &Path,
    exec: &ExecArgs,
    count: Count,
) -> Result<(), Failure> {
    let final_dir = match exec.shard {
        Some(s) => with_suffix(out, &format!(".shard-{}-of-{}", s.index, s.count)),
        None => out.to_path_buf(),
    };
    // Refuse before spending the run's time, not after.
    if final_dir.exists() && !exec.force {
        return Err(Failure::Input(OutputError::Exists(final_dir).into()));
    }
    let jdir = journal_dir(&final_dir);
    let (start, end) = header.range;
    let mut journal = Journal::open(&jdir, header, exec.force).map_err(journal_failure)?;
    let threads = thread_count(exec.threads);
    let reused = journal.done;
    if reused > 0 && !exec.quiet {
        errln!(
            "resuming: {reused} of {} replications already done ({})",
            end - start,
            jdir.display()
        );
    }
    let started = Instant::now();
    let sink = |r: RunResult, journal: &mut Journal| -> anyhow::Result<()> {
        journal.append(&r)?;
        Ok(())
    };
    let used_reps = match count {
        Count::Fixed => {
            let bar = Bar::new(end - start, exec.quiet);
            bar.skip(reused);
            run_plan(plan, start + reused..end, threads, &bar, |r| {
                sink(r, &mut journal)
            })
            .map_err(run_failure)?;
            bar.finish();
            plan.replications
        }
        Count::Auto { precision } => {
            let cap = u64::from(plan.replications);
            let names = caresim::model::Tally::metric_names(&plan.points[0].params);
            let keys: Vec<usize> = PRECISION_METRICS
                .iter()
                .filter_map(|m| names.iter().position(|n| n == m))
                .collect();
            let mut acc = vec![Welford::default(); keys.len()];
            let track = |r: &RunResult, acc: &mut Vec<Welford>| {
                let values = r.tally.metric_values(&plan.points[0].params);
                for (w, &k) in acc.iter_mut().zip(&keys) {
                    w.push(values[k]);
                }
            };
            for r in journal::records(&jdir).map_err(journal_failure)? {
                track(&r.map_err(journal_failure)?, &mut acc);
            }
            let bar = Bar::new(cap, exec.quiet);
            bar.skip(reused);
            // Batch boundaries 10, 20, 40, ... depend on nothing but the count, so the
            // replications used are the same however the run was interrupted or threaded.
            let mut boundary = 10u64.min(cap);
            loop {
                let done = journal.done;
                if done < boundary {
                    run_plan(plan, done..boundary, threads, &bar, |r| {
                        track(&r, &mut acc);
                        sink(r, &mut journal)
                    })
                    .map_err(run_failure)?;
                }
                let precise = acc.iter().all(|w| {
                    w.summary()
                        .ci95_half_width
                        .is_some_and(|h| h <= precision * w.mean().abs())
                });
                if precise || boundary >= cap {
                    break;
                }
                boundary = (boundary * 2).min(cap);
            }
            bar.finish();
            let used = journal.done as u32;
            if !exec.quiet {
                let reached = acc.iter().all(|w| {
                    w.summary()
                        .ci95_half_width
                        .is_some_and(|h| h <= precision * w.mean().abs())
                });
                errln!(
                    "--reps auto: {used} replications ({}: 95% CI half-width {} {:.1}% of the mean for {})",
                    if reached {
                        "precise enough"
                    } else {
                        "cap reached"
                    },
                    if reached { "within" } else { "still above" },
                    precision * 100.0,
                    PRECISION_METRICS.join(", ")
                );
            }
            used
        }
    };
    journal.sync().map_err(journal_failure)?;
    let wall = started.elapsed().as_secs_f64();
    if let Some(s) = exec.shard {
        // A finished shard is its journal, renamed into place for `caresim merge`.
        if final_dir.exists() {
            std::fs::remove_dir_all(&final_dir)
                .map_err(|e| Failure::Run(anyhow::Error::from(e).context("replacing")))?;
        }
        std::fs::rename(&jdir, &final_dir)
            .map_err(|e| Failure::Run(anyhow::Error::from(e).context("renaming the shard")))?;
        if !exec.quiet {
            errln!(
                "shard {}/{}: items {start}..{end} in {wall:.2} s -> {}",
                s.index,
                s.count,
                final_dir.display()
            );
        }
        return Ok(());
    }
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
    let results = output::from_journals(
        &final_dir,
        exec.force,
        plan,
        std::slice::from_ref(&jdir),
        &info,
    )
    .map_err(finish_failure)?;
    std::fs::remove_dir_all(&jdir)
        .map_err(|e| Failure::Run(anyhow::Error::from(e).context("removing the journal")))?;
    if !exec.quiet {
        print_headline(plan, used_reps, wall, &final_dir, results.as_ref());
    }
    super::charts(&final_dir, exec.no_charts, exec.quiet)
}

fn header(
    scenario_path: &Path,
    scenario: &Scenario,
    plan: &Plan,
    precision: Option<f64>,
    sweep: Option<&Sweep>,
    shard: Option<Shard>,
) -> Header {
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
    }
}

/// `caresim run`.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let seed = args.exec.seed.unwrap_or(scenario.seed);
    let (reps, count) = match args.reps.unwrap_or(Reps::Fixed(scenario.replications)) {
        Reps::Fixed(n) => (n, Count::Fixed),
        Reps::Auto => {
            if !(args.precision > 0.0 && args.precision < 1.0) {
                return Err(Failure::Input(anyhow::anyhow!(
                    "--precision must be a fraction in (0, 1), got {}",
                    args.precision
                )));
            }
            if args.exec.shard.is_some() {
                return Err(Failure::Input(anyhow::anyhow!(
                    "--reps auto decides the count as it goes, so it cannot be split into --shard slices; give a number of replications"
                )));
            }
            (
                args.max_reps,
                Count::Auto {
                    precision: args.precision,
                },
            )
        }
    };
    let out = args
        .exec
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    let mut plan = Plan::single(&scenario, seed, reps);
    let precision = matches!(count, Count::Auto { .. }).then_some(args.precision);
    let h = header(
        &args.scenario,
        &scenario,
        &plan,
        precision,
        None,
        args.exec.shard,
    );
    execute(&mut plan, h, &out, &args.exec, count)
}

/// Default result folder of a sweep.
fn sweep_out(sweep: &Sweep) -> PathBuf {
    let stem = sweep
        .path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| sweep.scenario.name.clone());
    Path::new("output").join(format!("sweep_{stem}"))
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
    let out = args.exec.out.clone().unwrap_or_else(|| sweep_out(&sweep));
    let h = header(
        &sweep.scenario.files[0].path,
        &sweep.scenario,
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
    execute(&mut plan, h, &out, &args.exec, Count::Fixed)
}

/// `caresim merge`.
pub fn merge(args: &MergeArgs) -> Result<(), Failure> {
    let bad = |m: String| Failure::Input(anyhow::anyhow!(m));
    let mut shards: Vec<(Header, PathBuf)> = Vec::new();
    for dir in &args.shards {
        let h = journal::read_header(dir).map_err(|e| {
            bad(format!(
                "{} is not a shard folder of `caresim run --shard` ({e})",
                dir.display()
            ))
        })?;
        if h.shard.is_none() {
            return Err(bad(format!(
                "{} is the journal of a whole run, not a shard",
                dir.display()
            )));
        }
        shards.push((h, dir.clone()));
    }
    let (first, first_dir) = shards[0].clone();
    let count = first.shard.expect("checked").1;
    for (h, dir) in &shards[1..] {
        let d = first.differences(h);
        if !d.is_empty() {
            return Err(bad(format!(
                "{} and {} are shards of different runs: {}",
                first_dir.display(),
                dir.display(),
                d.join("; ")
            )));
        }
        if h.shard.expect("checked").1 != count {
            return Err(bad(format!(
                "{} is one of {} shards, {} one of {count}",
                dir.display(),
                h.shard.expect("checked").1,
                first_dir.display()
            )));
        }
    }
    shards.sort_by_key(|(h, _)| h.shard.expect("checked").0);
    for pair in shards.windows(2) {
        if pair[0].0.shard == pair[1].0.shard {
            return Err(bad(format!(
                "shard {}/{count} is given twice: {} and {}",
                pair[0].0.shard.expect("checked").0,
                pair[0].1.display(),
                pair[1].1.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| {
            !shards
                .iter()
                .any(|(h, _)| h.shard.expect("checked").0 == *i)
        })
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(bad(format!("missing shard(s) {}", missing.join(", "))));
    }
    for (h, dir) in &shards {
        let done = journal::count(dir).map_err(journal_failure)?;
        let want = h.range.1 - h.range.0;
        if done != want {
            return Err(bad(format!(
                "shard {}/{count} in {} is incomplete: {done} of {want} replications; rerun its command to finish it",
                h.shard.expect("checked").0,
                dir.display()
            )));
        }
    }
    // Rebuild the plan from the scenario (and sweep) the shards ran, checking they have not
    // changed since.
    let changed = |what: &Path| {
        bad(format!(
            "{} has changed since the shards ran (its SHA-256 differs); merge needs the files the shards used",
            what.display()
        ))
    };
    let (sweep, scenario) = match &first.sweep {
        Some((path, sha)) => {
            let s = sweep::load(path).map_err(sweep_failure)?;
            if &s.sha256 != sha {
                return Err(changed(path));
            }
            (Some(s), None)
        }
        None => (None, Some(scenario::load(&first.scenario_path)?)),
    };
    let scenario_ref = sweep.as_ref().map_or_else(
        || scenario.as_ref().expect("one of the two"),
        |s| &s.scenario,
    );
    let hashes: Vec<String> = scenario_ref
        .files
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    if hashes != first.scenario_sha256 {
        return Err(changed(&first.scenario_path));
    }
    let mut plan = match &sweep {
        Some(s) => s.plan(first.seed, first.replications)?,
        None => Plan::single(scenario_ref, first.seed, first.replications),
    };
    plan.replications = first.replications;
    let out = args.out.clone().unwrap_or_else(|| {
        let name = first_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = name
            .rsplit_once(".shard-")
            .map_or(name.as_str(), |(b, _)| b)
            .to_string();
        first_dir.with_file_name(base)
    });
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
    output::from_journals(&out, args.force, &plan, &dirs, &info).map_err(finish_failure)?;
    if !args.quiet {
        errln!(
            "merged {count} shards ({} replications) in {:.2} s -> {}",
            plan.items(),
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    super::charts(&out, args.no_charts, args.quiet)
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
        if [
            "admissions",
            "acute_bed_days",
            "delayed_bed_days",
            "mean_wait_days",
            "mean_acute_occupancy",
            "total_cost",
        ]
        .contains(&name.as_str())
        {
            match s.ci95_half_width {
                Some(h) => errln!("  {name:<22} {:>16.3} ± {h:.3}", s.mean),
                None => errln!("  {name:<22} {:>16.3}", s.mean),
            }
        }
    }
}
