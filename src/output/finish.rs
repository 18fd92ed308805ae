//! Final result files from journals: the records of a run (or of its shards, in order) are
//! folded one at a time into the result folder. Every way of producing the same records —
//! any thread count, resumed after an interruption, sharded and merged — goes through this
//! one function, which is why their result files are byte-identical.

use std::path::PathBuf;

use super::schema::{RunRow, RunsColumns};
use super::{
    Arm, Fold, Manifest, OutputError, Results, RunInfo, RunsCsv, draw_charts, write_atomically,
    write_comparison, write_json, write_summaries, write_sweep_csv,
};
use crate::experiment::journal::{self, JournalError};
use crate::experiment::{Plan, RunResult};
use crate::model::Params;
use crate::stats::{Difference, paired_differences, paired_differences_by_year};

/// Why the final files could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FinishError {
    /// Writing failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A journal could not be read.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The records are not exactly the expected items, in order.
    #[error("{0}")]
    Records(String),
    /// A replication's parameters could not be rebuilt (the scenario changed under the
    /// journal; the journal's checks normally catch that first).
    #[error("{0}")]
    Params(#[from] crate::scenario::ScenarioError),
}

/// Fold the records of `journals` (in order; together exactly items `0..points ×
/// replications` of `plan`) into the result folder `out`.
///
/// A plain run (one point) gets `runs.csv`, `summary.csv/json`, `by_group.csv`,
/// `timeseries.csv`; a sweep gets `runs.csv` (swept values first) and `sweep.csv`. Both get
/// `manifest.json` (identical for identical results) and `timing.json` (this invocation).
///
/// With `charts`, the charts are drawn into the folder before it is put in place.
///
/// Returns the summaries: of the run, or of each sweep point (without time series).
///
/// # Errors
/// If `out` exists and `force` is false (or it is not caresim's to replace), a record is
/// missing, duplicated, out of order or fails verification, or a file cannot be read or
/// written. Nothing is left half-written.
pub fn from_journals(
    out: &std::path::Path,
    force: bool,
    plan: &Plan,
    journals: &[PathBuf],
    info: &RunInfo,
    charts: bool,
) -> Result<Folded, FinishError> {
    let mut results = None;
    write_atomically(out, force, |dir: &std::path::Path| {
        results = Some(fold_into(dir, plan, journals, info)?);
        if charts {
            draw_charts(dir)?;
        }
        Ok::<(), FinishError>(())
    })?;
    Ok(results.expect("set when the folder was written"))
}

/// The summaries folded from a run's journals.
#[derive(Debug)]
pub enum Folded {
    /// A plain run.
    Run(Results),
    /// A sweep: each point's values (in the order of its swept keys) and summaries (without
    /// the time series).
    Sweep(Vec<(Vec<f64>, Results)>),
}

impl Folded {
    /// The share of replications of each point that never reached a steady state (the
    /// mean of the `unstable` metric), with the point's index and swept values.
    pub fn unstable_points(&self) -> Vec<(usize, &[f64], f64)> {
        let share = |r: &Results| {
            r.names
                .iter()
                .position(|n| n == "unstable")
                .map_or(0.0, |i| r.summaries[i].mean)
        };
        match self {
            Folded::Run(r) => vec![(0, &[][..], share(r))],
            Folded::Sweep(points) => points
                .iter()
                .enumerate()
                .map(|(i, (v, r))| (i, v.as_slice(), share(r)))
                .collect(),
        }
        .into_iter()
        .filter(|(_, _, s)| *s > 0.0)
        .collect()
    }
}

/// One replication of an arm: replication, sampled values, metric values.
type ArmRow = (u32, Vec<f64>, Vec<f64>);

/// A finished comparison, for the terminal summary.
#[derive(Debug)]
pub struct Compared {
    /// Folder name of each arm (the first is the base).
    pub arms: Vec<String>,
    /// Each alternative's paired differences from the base (`differences[i]` belongs to
    /// `arms[i + 1]`).
    pub differences: Vec<Vec<Difference>>,
    /// Each arm's evidence in a line: its graded lever settings counted by grade (the other
    /// graded settings are left to `levers_evidence.csv`), and its
    /// levers applied without evidence (see `levers_evidence.csv`).
    pub evidence: Vec<String>,
    /// The alternatives' cost-effectiveness (`None` when the model has no QALYs).
    pub cost_effectiveness: Option<super::CostEffectiveness>,
}

/// `12 graded settings: 5 S, 1 S2, 6 E (4 sampled as distributions); no evidence for
/// telehealth`, or `no levers` for an arm that applies none.
fn evidence_line(scenario: &crate::scenario::Scenario) -> String {
    if scenario.params.levers.applied.is_empty() {
        return "no levers".into();
    }
    // The levers' evidence only: the economic values' grades are in the manifest, the
    // report and `levers_evidence.csv`, but this line is about the levers compared.
    let levers: Vec<_> = scenario
        .evidence
        .iter()
        .filter(|e| scenario.params.levers.applied.contains(&e.lever))
        .cloned()
        .collect();
    let line = crate::scenario::policy::evidence::tally(&levers);
    let ungraded = super::schema::ungraded(scenario);
    if ungraded.is_empty() {
        line
    } else {
        format!("{line}; no evidence for {}", ungraded.join(", "))
    }
}

/// Every record of `journals`, checked to be exactly the items of `plan` in order, handed
/// to `each` with the parameters that replication ran with (its own sampled values of the
/// uncertain parameters: every derived metric, such as a cost from a sampled price, must
/// use them) and the values used (integer keys rounded), for `runs.csv`.
fn for_each_record(
    plan: &Plan,
    journals: &[PathBuf],
    mut each: impl FnMut(RunResult, &Params, Vec<f64>) -> Result<(), FinishError>,
) -> Result<(), FinishError> {
    let mut expected: u64 = 0;
    for path in journals {
        for record in journal::records(path)? {
            let r = record?;
            let (point, replication) = plan.item(expected);
            if expected >= plan.items() || (r.point, r.replication) != (point, replication) {
                return Err(FinishError::Records(format!(
                    "{}: found point {} replication {} where point {point} replication {replication} was expected (a shard is missing, repeated or out of order)",
                    path.display(),
                    r.point,
                    r.replication
                )));
            }
            let (params, used) = plan.params(point, replication)?;
            each(r, &params, used)?;
            expected += 1;
        }
    }
    if expected != plan.items() {
        return Err(FinishError::Records(format!(
            "the journals hold {expected} of {} replications",
            plan.items()
        )));
    }
    Ok(())
}

/// Fold the records of a comparison plan (see [`Plan::compare`]) into the result folder
/// `out`: every arm's usual files in `out/<arm>/`, `comparison.csv` / `comparison.json`
/// with the paired differences, `levers_evidence.csv`, and with `charts` the charts, all
/// put in place at once.
///
/// # Errors
/// As [`from_journals`].
pub fn comparison_from_journals(
    out: &std::path::Path,
    force: bool,
    plan: &Plan,
    journals: &[PathBuf],
    info: &RunInfo,
    charts: bool,
) -> Result<Compared, FinishError> {
    let mut folds: Vec<Fold> = plan.points.iter().map(|p| Fold::new(&p.params)).collect();
    let mut rows: Vec<Vec<ArmRow>> = vec![Vec::new(); plan.points.len()];
    // Each arm's values by year per replication, for the paired differences by year (a
    // replication without them leaves an empty list, which pairs with nothing).
    let mut years: Vec<Vec<Vec<Vec<f64>>>> = vec![Vec::new(); plan.points.len()];
    for_each_record(plan, journals, |r, params, used| {
        let p = r.point as usize;
        let values = folds[p].push(&r, params).to_vec();
        rows[p].push((r.replication, used, values));
        years[p].push(r.tally.years);
        Ok(())
    })?;
    let mut arms: Vec<Arm> = Vec::new();
    for (i, (fold, rows)) in folds.into_iter().zip(rows).enumerate() {
        let scenario = plan.scenario_of(i as u32);
        let mut name = scenario.name.clone();
        let mut k = 2;
        // `charts` is the comparison's own chart folder: an arm never takes its name.
        while name == "charts" || arms.iter().any(|a| a.name == name) {
            name = format!("{}_{k}", scenario.name);
            k += 1;
        }
        arms.push(Arm {
            name,
            scenario,
            results: fold.finish(),
            rows,
            info: info.clone(),
        });
    }
    let values = |a: &Arm| a.rows.iter().map(|(_, _, v)| v.clone()).collect::<Vec<_>>();
    let base_rows = values(&arms[0]);
    let differences: Vec<Vec<Difference>> = arms[1..]
        .iter()
        .map(|a| {
            paired_differences(
                &arms[0].results.names,
                &base_rows,
                &a.results.names,
                &values(a),
            )
        })
        .collect();
    let by_year: Vec<Vec<Vec<Difference>>> = arms[1..]
        .iter()
        .zip(&years[1..])
        .map(
            |(a, alt_years)| match (&arms[0].results.by_year, &a.results.by_year) {
                (Some(b), Some(y)) => {
                    paired_differences_by_year(&b.names, &years[0], &y.names, alt_years)
                }
                _ => Vec::new(),
            },
        )
        .collect();
    let cost_effectiveness = super::cea::analyse(&arms);
    write_comparison(
        out,
        force,
        &arms,
        &differences,
        &by_year,
        cost_effectiveness.as_ref(),
        charts,
    )?;
    Ok(Compared {
        cost_effectiveness,
        evidence: arms.iter().map(|a| evidence_line(a.scenario)).collect(),
        arms: arms.into_iter().map(|a| a.name).collect(),
        differences,
    })
}

fn fold_into(
    dir: &std::path::Path,
    plan: &Plan,
    journals: &[PathBuf],
    info: &RunInfo,
) -> Result<Folded, FinishError> {
    let sweep = plan.points.len() > 1 || !plan.points[0].values.is_empty();
    let mut fold = Fold::new(&plan.points[0].params);
    let columns = RunsColumns {
        point: plan.points[0]
            .values
            .iter()
            .map(|(k, _)| k.clone())
            .collect(),
        uncertain: plan
            .scenario
            .uncertain
            .iter()
            .map(|u| u.path.clone())
            .collect(),
        metrics: fold.names().to_vec(),
    };
    let mut runs = RunsCsv::create(&dir.join(RunsColumns::FILE), &columns)?;
    let mut finished: Vec<(Vec<f64>, Results)> = Vec::new();
    let mut point_values: Vec<f64> = plan.points[0].values.iter().map(|(_, v)| *v).collect();
    for_each_record(plan, journals, |r, params, used| {
        let point = r.point as usize;
        if r.replication == 0 && r.point > 0 {
            let done = std::mem::replace(&mut fold, Fold::new(&plan.points[point].params));
            let mut results = done.finish();
            results.timeseries.clear();
            finished.push((std::mem::take(&mut point_values), results));
            point_values = plan.points[point].values.iter().map(|(_, v)| *v).collect();
        }
        let values = fold.push(&r, params);
        runs.row(&RunRow {
            point: point_values.as_slice().into(),
            replication: r.replication,
            sampled: used.as_slice().into(),
            metrics: values.into(),
        })?;
        Ok(())
    })?;
    runs.finish()?;
    let manifest = Manifest::new(plan.scenario, plan.seed, plan.replications);
    if sweep {
        let mut results = fold.finish();
        results.timeseries.clear();
        finished.push((point_values, results));
        let manifest = manifest.with_sweep(&plan.points, plan.sweep_design);
        write_sweep_csv(dir, &columns.point, &finished)?;
        write_json(&dir.join(Manifest::FILE), &manifest)?;
        write_json(&dir.join(RunInfo::FILE), info)?;
        Ok(Folded::Sweep(finished))
    } else {
        let results = fold.finish();
        write_summaries(dir, &plan.scenario.name, &manifest, &results, info)?;
        Ok(Folded::Run(results))
    }
}
