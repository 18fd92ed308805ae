//! `caresim compare`: arms run with common random numbers, paired differences.

use std::path::Path;
use std::time::Instant;

use caresim::experiment;
use caresim::output::{self, Arm, Fold, OutputError, RunInfo};
use caresim::stats::{Difference, paired_differences};

use super::args::CompareArgs;
use super::progress::Bar;
use super::{Failure, human, output_failure, thread_count};
use caresim::scenario;

/// The metrics `compare` prints: (name, label).
const COMPARE_HEADLINE: [&str; 8] = [
    "admissions",
    "acute_bed_days",
    "delayed_bed_days",
    "readmissions_30d",
    "mean_wait_days",
    "community_days",
    "total_cost",
    "capacity_cost",
];

/// `caresim compare`.
pub fn compare(args: &CompareArgs) -> Result<(), Failure> {
    // Load every scenario first: a typo in the last file must not cost the first runs.
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| scenario::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let base = &scenarios[0];
    let reps = args.reps.unwrap_or(base.replications);
    if reps < 2 {
        return Err(Failure::Input(anyhow::anyhow!(
            "compare needs at least 2 replications for confidence intervals, got {reps} (set --reps)"
        )));
    }
    let seed = args.seed.unwrap_or(base.seed);
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(format!("compare_{}", base.name)));
    if out_dir.exists() && !args.force {
        return Err(Failure::Input(OutputError::Exists(out_dir).into()));
    }
    let threads = thread_count(args.threads);
    let bar = Bar::new(u64::from(reps) * scenarios.len() as u64, args.quiet);
    let mut arms: Vec<Arm> = Vec::new();
    for s in &scenarios {
        let started = Instant::now();
        // Every arm gets the same seed and replications: common random numbers (and the
        // same sampled values of any uncertain parameter the arms share).
        let plan = experiment::Plan::single(s, seed, reps);
        let mut results = Vec::with_capacity(reps as usize);
        experiment::run_plan(&plan, 0..plan.items(), threads, &bar, |r| {
            results.push(r);
            Ok(())
        })
        .map_err(super::run::run_failure)?;
        let mut name = s.name.clone();
        let mut k = 2;
        while arms.iter().any(|a| a.name == name) {
            name = format!("{}_{k}", s.name);
            k += 1;
        }
        let mut fold = Fold::new(&s.params);
        let rows = results
            .iter()
            .map(|r| (r.replication, r.sampled.clone(), fold.push(r).to_vec()))
            .collect();
        arms.push(Arm {
            name,
            scenario: s,
            results: fold.finish(),
            rows,
            info: RunInfo {
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                command: std::env::args().collect(),
                seed,
                replications: reps,
                threads,
                wall_time_seconds: started.elapsed().as_secs_f64(),
                replications_reused: 0,
            },
        });
    }
    bar.finish();
    let rows = |a: &Arm| a.rows.iter().map(|(_, _, v)| v.clone()).collect::<Vec<_>>();
    let base_rows = rows(&arms[0]);
    let differences: Vec<Vec<Difference>> = arms[1..]
        .iter()
        .map(|a| {
            paired_differences(
                &arms[0].results.names,
                &base_rows,
                &a.results.names,
                &rows(a),
            )
        })
        .collect();
    output::write_comparison(&out_dir, args.force, &arms, &differences).map_err(output_failure)?;
    if !args.quiet {
        errln!(
            "compare: {} arms × {reps} replications (seed {seed}) -> {}",
            arms.len(),
            out_dir.display()
        );
        errln!("base {}:", arms[0].name);
        for (arm, diffs) in arms[1..].iter().zip(&differences) {
            errln!("{} − {} (paired 95% CI):", arm.name, arms[0].name);
            for d in diffs
                .iter()
                .filter(|d| COMPARE_HEADLINE.contains(&d.metric.as_str()))
            {
                let ci = d
                    .difference
                    .ci95_half_width
                    .map(|h| format!(" ± {}", human(h)))
                    .unwrap_or_default();
                let rel = match (d.relative_change, d.relative_ci95) {
                    (Some(r), Some((lo, hi))) => format!(
                        "  {:+.1}% [{:+.1}%, {:+.1}%]",
                        r * 100.0,
                        lo * 100.0,
                        hi * 100.0
                    ),
                    (Some(r), None) => format!("  {:+.1}%", r * 100.0),
                    _ => String::new(),
                };
                let sign = if d.difference.mean >= 0.0 { "+" } else { "" };
                errln!(
                    "  {:<18} {:>12} -> {:>12}  {:>12}{ci}{rel}",
                    d.metric,
                    human(d.base.mean),
                    human(d.alternative.mean),
                    format!("{sign}{}", human(d.difference.mean)),
                );
            }
        }
    }
    super::charts(&out_dir, args.no_charts, args.quiet)
}
