//! The command-line front end: arguments, subcommands, progress, exit codes.

pub mod args;
pub mod progress;

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use caresim::experiment;
use caresim::output::{self, Arm, OutputError, RunInfo, Table};
use caresim::scenario::{self, ScenarioError};
use caresim::stats::{Difference, paired_differences};

use args::{CompareArgs, RunArgs, ValidateArgs};
use progress::Bar;

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// Bad input (arguments, scenario): exit code 2.
    Input(anyhow::Error),
    /// Run or I/O failure: exit code 1.
    Run(anyhow::Error),
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Self {
        Failure::Input(e.into())
    }
}

fn thread_count(requested: usize) -> usize {
    if requested == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        requested
    }
}

fn output_failure(e: OutputError) -> Failure {
    match e {
        OutputError::Exists(_) => Failure::Input(e.into()),
        e => Failure::Run(anyhow::Error::from(e).context("writing results")),
    }
}

/// `caresim run`.
pub fn run(args: &RunArgs) -> Result<(), Failure> {
    let scenario = scenario::load(&args.scenario)?;
    let reps = args.reps.unwrap_or(scenario.replications);
    let seed = args.seed.unwrap_or(scenario.seed);
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    // Refuse before spending the run's time, not after.
    if out_dir.exists() && !args.force {
        return Err(Failure::Input(OutputError::Exists(out_dir).into()));
    }
    let threads = thread_count(args.threads);
    let bar = Bar::new(u64::from(reps), args.quiet);
    let started = Instant::now();
    let results = experiment::run(&scenario.params, seed, reps, threads, &bar)
        .context("starting worker threads")
        .map_err(Failure::Run)?;
    let wall = started.elapsed().as_secs_f64();
    bar.finish();
    let table = Table::new(&scenario, &results);
    let info = RunInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: std::env::args().collect(),
        seed,
        replications: reps,
        threads,
        wall_time_seconds: wall,
    };
    output::write(&out_dir, args.force, &scenario, &table, &info).map_err(output_failure)?;
    if !args.quiet {
        print_headline(&scenario.name, reps, wall, &table, &out_dir);
    }
    Ok(())
}

fn print_headline(name: &str, reps: u32, wall: f64, table: &Table, out: &Path) {
    let summaries = table.summaries();
    eprintln!(
        "{name}: {reps} replications in {wall:.2} s -> {}",
        out.display()
    );
    for key in [
        "admissions",
        "acute_bed_days",
        "delayed_bed_days",
        "mean_wait_days",
        "mean_acute_occupancy",
        "total_cost",
    ] {
        if let Some(i) = table.names.iter().position(|n| n == key) {
            let s = summaries[i];
            match s.ci95_half_width {
                Some(h) => eprintln!("  {key:<22} {:>16.3} ± {:.3}", s.mean, h),
                None => eprintln!("  {key:<22} {:>16.3}", s.mean),
            }
        }
    }
}

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
        // Every arm gets the same seed and replications: common random numbers.
        let results = experiment::run(&s.params, seed, reps, threads, &bar)
            .context("starting worker threads")
            .map_err(Failure::Run)?;
        let mut name = s.name.clone();
        let mut k = 2;
        while arms.iter().any(|a| a.name == name) {
            name = format!("{}_{k}", s.name);
            k += 1;
        }
        arms.push(Arm {
            name,
            scenario: s,
            table: Table::new(s, &results),
            info: RunInfo {
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                command: std::env::args().collect(),
                seed,
                replications: reps,
                threads,
                wall_time_seconds: started.elapsed().as_secs_f64(),
            },
        });
    }
    bar.finish();
    let rows = |t: &Table| t.rows.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let base_rows = rows(&arms[0].table);
    let differences: Vec<Vec<Difference>> = arms[1..]
        .iter()
        .map(|a| {
            paired_differences(
                &arms[0].table.names,
                &base_rows,
                &a.table.names,
                &rows(&a.table),
            )
        })
        .collect();
    output::write_comparison(&out_dir, args.force, &arms, &differences).map_err(output_failure)?;
    if !args.quiet {
        eprintln!(
            "compare: {} arms × {reps} replications (seed {seed}) -> {}",
            arms.len(),
            out_dir.display()
        );
        eprintln!("base {}:", arms[0].name);
        for (arm, diffs) in arms[1..].iter().zip(&differences) {
            eprintln!("{} − {} (paired 95% CI):", arm.name, arms[0].name);
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
                eprintln!(
                    "  {:<18} {:>12} -> {:>12}  {:>12}{ci}{rel}",
                    d.metric,
                    human(d.base.mean),
                    human(d.alternative.mean),
                    format!("{sign}{}", human(d.difference.mean)),
                );
            }
        }
    }
    Ok(())
}

/// A number with as many decimals as its size needs: 3 below 10, 1 below 1,000, else 0.
fn human(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// `caresim validate`.
pub fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let mut failed: Vec<String> = Vec::new();
    for f in &args.files {
        let checked = if args.resolved {
            scenario::resolved_toml(f).map(|t| {
                println!("# {}\n{t}", f.display());
            })
        } else {
            scenario::load(f).map(|s| {
                println!(
                    "{}: ok ({}, {} patients, {} conditions, {} community services)",
                    f.display(),
                    s.name,
                    s.params.total_patients(),
                    s.params.conditions.len(),
                    s.params.services.len()
                );
            })
        };
        if let Err(e) = checked {
            failed.push(e.to_string());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow::anyhow!(failed.join("\n"))))
    }
}
