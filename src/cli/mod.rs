//! The command-line front end: arguments, subcommands, progress, exit codes.

#[macro_use]
pub mod term;
pub mod args;
mod compare;
pub mod progress;
mod report;
mod run;
mod slurm;

use caresim::experiment::sweep;
use caresim::output::OutputError;
use caresim::scenario::load::FileKind;
use caresim::scenario::{self, ScenarioError};

use std::path::Path;

use args::{PlotArgs, ValidateArgs};
pub use report::report;
pub use run::{compare, merge, run, sweep};
pub use slurm::slurm;

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

/// `dir` must be a result folder caresim made (it holds the marker), because `plot` and
/// `report` write into it.
pub(crate) fn check_results_folder(dir: &Path) -> Result<(), Failure> {
    if caresim::output::guard::marker(dir) == Some(caresim::output::guard::FolderKind::Results) {
        return Ok(());
    }
    Err(Failure::Input(anyhow::anyhow!(
        "{} is not a result folder written by caresim run, compare, sweep or merge (it has no {} marker); caresim writes only into folders it made",
        dir.display(),
        caresim::output::guard::MARKER
    )))
}

/// `caresim plot`.
pub fn plot(args: &PlotArgs) -> Result<(), Failure> {
    check_results_folder(&args.dir)?;
    let files = caresim::chart::plot(&args.dir).map_err(|e| match e {
        caresim::chart::ChartError::NotResults(_)
        | caresim::chart::ChartError::Data { .. }
        | caresim::chart::ChartError::Foreign { .. } => Failure::Input(e.into()),
        e => Failure::Run(e.into()),
    })?;
    for f in files {
        outln!("{}", f.display());
    }
    Ok(())
}

/// Most worker threads per core `--threads` may ask for: more only adds switching.
const MAX_THREADS_PER_CORE: usize = 8;

/// Worker threads: `requested`, or one per core for 0; never more than the `items` to run.
///
/// # Errors
/// More than [`MAX_THREADS_PER_CORE`] per core.
fn thread_count(requested: usize, items: u64) -> Result<usize, Failure> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let limit = cores * MAX_THREADS_PER_CORE;
    if requested > limit {
        return Err(Failure::Input(anyhow::anyhow!(
            "--threads {requested}: at most {limit} on this machine ({MAX_THREADS_PER_CORE} per core, {cores} cores); 0 means one per core"
        )));
    }
    let threads = if requested == 0 { cores } else { requested };
    Ok(threads
        .min(usize::try_from(items).unwrap_or(usize::MAX))
        .max(1))
}

pub(crate) fn output_failure(e: OutputError) -> Failure {
    match e {
        OutputError::Exists(_) | OutputError::NotOurs { .. } => Failure::Input(e.into()),
        e => Failure::Run(anyhow::Error::from(e).context("writing results")),
    }
}

/// A number with as many decimals as its size needs: 3 below 10, 1 below 1,000, else 0.
pub(crate) fn human(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// `caresim validate`: scenario and sweep files, each recognised by its keys.
pub fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    // Check a sweep file and every one of its points; with `resolved`, print its scenario
    // after `extends`.
    fn validate_sweep(f: &Path, resolved: bool) -> Result<(), String> {
        let s = sweep::load(f).map_err(|e| e.to_string())?;
        let plan = s
            .plan(s.seed.unwrap_or(s.scenario.seed), 1)
            .map_err(|e| e.to_string())?;
        if resolved {
            let t =
                scenario::resolved_toml(&s.scenario.files[0].path).map_err(|e| e.to_string())?;
            outln!(
                "# {} (scenario of {})\n{t}",
                s.scenario.files[0].path.display(),
                f.display()
            );
        } else {
            outln!(
                "{}: ok (sweep of {}: {} points)",
                f.display(),
                s.scenario.name,
                plan.points.len()
            );
        }
        Ok(())
    }

    let mut failed: Vec<String> = Vec::new();
    for f in &args.files {
        let checked = if FileKind::of_file(f) == FileKind::Sweep {
            validate_sweep(f, args.resolved)
        } else if args.resolved {
            scenario::resolved_toml(f)
                .map(|t| {
                    outln!("# {}\n{t}", f.display());
                })
                .map_err(|e| e.to_string())
        } else {
            scenario::load(f)
                .map(|s| {
                    let count = |n: usize, one: &str, many: &str| {
                        format!("{n} {}", if n == 1 { one } else { many })
                    };
                    outln!(
                        "{}: ok ({}, {} patients, {}, {})",
                        f.display(),
                        s.name,
                        s.params.total_patients(),
                        count(s.params.conditions.len(), "condition", "conditions"),
                        count(
                            s.params.services.len(),
                            "community service",
                            "community services"
                        )
                    );
                })
                .map_err(|e| e.to_string())
        };
        if let Err(e) = checked {
            failed.push(e);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow::anyhow!(failed.join("\n"))))
    }
}
