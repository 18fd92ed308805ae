//! Final result files from journals: the records of a run (or of its shards, in order) are
//! folded one at a time into the result folder. Every way of producing the same records —
//! any thread count, resumed after an interruption, sharded and merged — goes through this
//! one function, which is why their result files are byte-identical.

use std::path::PathBuf;

use super::{
    Fold, Manifest, OutputError, Results, RunInfo, RunsCsv, write_atomically, write_json,
    write_summaries, write_sweep_csv,
};
use crate::experiment::Plan;
use crate::experiment::journal::{self, JournalError};

/// Why the final files could not be written.
#[derive(Debug, thiserror::Error)]
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
}

/// Fold the records of `journals` (in order; together exactly items `0..points ×
/// replications` of `plan`) into the result folder `out`.
///
/// A plain run (one point) gets `runs.csv`, `summary.csv/json`, `by_group.csv`,
/// `timeseries.csv`; a sweep gets `runs.csv` (swept values first) and `sweep.csv`. Both get
/// `manifest.json` (identical for identical results) and `timing.json` (this invocation).
///
/// Returns the summaries of a plain run (`None` for a sweep).
///
/// # Errors
/// If `out` exists and `force` is false, a record is missing, duplicated or out of order, or
/// a file cannot be read or written. Nothing is left half-written.
pub fn from_journals(
    out: &std::path::Path,
    force: bool,
    plan: &Plan,
    journals: &[PathBuf],
    info: &RunInfo,
) -> Result<Option<Results>, FinishError> {
    let mut results = None;
    write_atomically(out, force, |dir: &std::path::Path| {
        results = fold_into(dir, plan, journals, info)?;
        Ok::<(), FinishError>(())
    })?;
    Ok(results)
}

fn fold_into(
    dir: &std::path::Path,
    plan: &Plan,
    journals: &[PathBuf],
    info: &RunInfo,
) -> Result<Option<Results>, FinishError> {
    let sweep = plan.points.len() > 1 || !plan.points[0].values.is_empty();
    let columns: Vec<String> = plan.points[0]
        .values
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    let uncertain: Vec<String> = plan
        .scenario
        .uncertain
        .iter()
        .map(|u| u.path.clone())
        .collect();
    let mut fold = Fold::new(&plan.points[0].params);
    let mut runs = RunsCsv::create(&dir.join("runs.csv"), &columns, &uncertain, fold.names())?;
    let mut finished: Vec<(Vec<f64>, Results)> = Vec::new();
    let mut expected: u64 = 0;
    let mut point_values: Vec<f64> = plan.points[0].values.iter().map(|(_, v)| *v).collect();
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
            if r.replication == 0 && r.point > 0 {
                let done =
                    std::mem::replace(&mut fold, Fold::new(&plan.points[point as usize].params));
                let mut results = done.finish();
                results.timeseries.clear();
                finished.push((std::mem::take(&mut point_values), results));
                point_values = plan.points[point as usize]
                    .values
                    .iter()
                    .map(|(_, v)| *v)
                    .collect();
            }
            let values = fold.push(&r);
            runs.row(&point_values, r.replication, &r.sampled, values)?;
            expected += 1;
        }
    }
    if expected != plan.items() {
        return Err(FinishError::Records(format!(
            "the journals hold {expected} of {} replications",
            plan.items()
        )));
    }
    runs.finish()?;
    let mut manifest = Manifest::new(plan.scenario, plan.seed, plan.replications);
    if sweep {
        let mut results = fold.finish();
        results.timeseries.clear();
        finished.push((point_values, results));
        manifest.points = Some(&plan.points);
        write_sweep_csv(&dir.join("sweep.csv"), &columns, &finished)?;
        write_json(&dir.join("manifest.json"), &manifest)?;
        write_json(&dir.join("timing.json"), info)?;
        Ok(None)
    } else {
        let results = fold.finish();
        write_summaries(dir, &plan.scenario.name, &manifest, &results, info)?;
        Ok(Some(results))
    }
}
