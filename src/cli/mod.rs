//! The command-line front end: arguments, subcommands, progress, exit codes.

#[macro_use]
pub mod term;
pub mod args;
mod compare;
pub mod diagnostic;
mod docs;
mod metrics;
pub mod progress;
mod report;
mod run;
mod slurm;
mod status;

use caresim::Error;
use caresim::experiment::sweep::{self, SweepError};
use caresim::scenario::load::FileKind;
use caresim::scenario::{self, Problem, ScenarioError};

use std::path::Path;

use args::{PlotArgs, SchemaArgs, SchemaKind, ValidateArgs};
pub use docs::{completions, man};
pub use metrics::metrics;
pub use report::report;
pub use run::{compare, merge, run, sweep};
pub use slurm::slurm;
pub use status::status;

/// `dir` must be a result folder caresim made (it holds the marker), because `plot` and
/// `report` write into it.
pub(crate) fn check_results_folder(dir: &Path) -> Result<(), Error> {
    // Say first what is plainly wrong: a typo in the folder's name is the likeliest cause.
    if !dir.exists() {
        return Err(Error::Input(format!(
            "{} does not exist: give a result folder written by caresim run, compare, sweep or merge (the last line they print)",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Err(Error::Input(format!(
            "{} is a file, not a folder: give a result folder written by caresim run, compare, sweep or merge",
            dir.display()
        )));
    }
    if caresim::output::guard::marker(dir) == Some(caresim::output::guard::FolderKind::Results) {
        return Ok(());
    }
    Err(Error::Input(format!(
        "{} is not a result folder written by caresim run, compare, sweep or merge (it has no {} marker); caresim writes only into folders it made",
        dir.display(),
        caresim::output::guard::MARKER
    )))
}

/// `caresim plot`.
pub fn plot(args: &PlotArgs) -> Result<(), Error> {
    check_results_folder(&args.dir)?;
    let files = caresim::chart::plot(&args.dir)?;
    for f in files {
        outln!("{}", f.display());
    }
    Ok(())
}

/// `n` and the noun that agrees with it: `1 replication`, `2 replications`, `0 charts`.
pub(crate) fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

/// `caresim schema`: the JSON Schema of a file format, pretty-printed (the committed
/// `schema/<kind>.schema.json` files are this output).
pub fn schema(args: &SchemaArgs) {
    let schema = match args.kind {
        SchemaKind::Scenario => scenario::json_schema::scenario(),
        SchemaKind::Sweep => sweep::json_schema(),
    };
    // Serialising a `Value` cannot fail: its keys are strings.
    let text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    outln!("{text}");
}

/// `caresim validate`: scenario and sweep files, each recognised by its keys.
pub fn validate(args: &ValidateArgs) -> Result<(), Error> {
    // Check a sweep file and every one of its points; with `resolved`, print its scenario
    // after `extends`.
    fn validate_sweep(f: &Path, resolved: bool) -> Result<(), ScenarioError> {
        let s = sweep::load(f).map_err(SweepError::into_problems)?;
        let plan = s.plan(s.seed.unwrap_or(s.scenario.seed), 1)?;
        if resolved {
            let t = scenario::resolved_toml(&s.scenario.files[0].path)?;
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

    // Every file's problems, reported together as one scenario error (each located).
    let mut failed: Vec<Problem> = Vec::new();
    for f in &args.files {
        let checked = if FileKind::of_file(f) == FileKind::Sweep {
            validate_sweep(f, args.resolved)
        } else if args.resolved {
            scenario::resolved_toml(f).map(|t| {
                outln!("# {}\n{t}", f.display());
            })
        } else {
            scenario::load(f).map(|s| {
                outln!(
                    "{}: ok ({}, {} patients, {}, {})",
                    f.display(),
                    s.name,
                    s.params.total_patients(),
                    count(s.params.conditions.len() as u64, "condition", "conditions"),
                    count(
                        s.params.services.len() as u64,
                        "community service",
                        "community services"
                    )
                );
            })
        };
        if let Err(e) = checked {
            failed.extend(e.problems);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::Scenario(ScenarioError::new(failed)))
    }
}
