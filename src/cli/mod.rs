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
pub use compare::compare;
pub use report::report;
pub use run::{merge, run, sweep};
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

/// Draw the charts of the result folder `dir` (unless `skip`), naming the folder on stderr.
fn charts(dir: &Path, skip: bool, quiet: bool) -> Result<(), Failure> {
    if skip {
        return Ok(());
    }
    let files = caresim::chart::plot(dir)
        .map_err(|e| Failure::Run(anyhow::Error::from(e).context("drawing charts")))?;
    if !quiet {
        errln!(
            "  {} charts -> {}",
            files.len(),
            dir.join("charts").display()
        );
    }
    Ok(())
}

/// `caresim plot`.
pub fn plot(args: &PlotArgs) -> Result<(), Failure> {
    let files = caresim::chart::plot(&args.dir).map_err(|e| match e {
        caresim::chart::ChartError::NotResults(_) | caresim::chart::ChartError::Data { .. } => {
            Failure::Input(e.into())
        }
        e => Failure::Run(e.into()),
    })?;
    for f in files {
        outln!("{}", f.display());
    }
    Ok(())
}

/// Worker threads: `requested`, or one per core for 0.
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
                    outln!(
                        "{}: ok ({}, {} patients, {} conditions, {} community services)",
                        f.display(),
                        s.name,
                        s.params.total_patients(),
                        s.params.conditions.len(),
                        s.params.services.len()
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
