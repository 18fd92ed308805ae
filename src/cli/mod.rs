//! The command-line front end: arguments, subcommands, progress, exit codes.

pub mod args;
pub mod progress;

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use caresim::experiment;
use caresim::output::{self, OutputError, RunInfo, Table};
use caresim::scenario::{self, ScenarioError};

use args::{RunArgs, ValidateArgs};
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
    let threads = if args.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        args.threads
    };
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
    output::write(&out_dir, args.force, &scenario, &table, &info).map_err(|e| match e {
        OutputError::Exists(_) => Failure::Input(e.into()),
        e => Failure::Run(anyhow::Error::from(e).context("writing results")),
    })?;
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
