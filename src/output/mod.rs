//! Result files: `runs.csv`, `summary.csv`, `summary.json`, `by_group.csv`,
//! `timeseries.csv`, `by_year.csv`, `comparison.csv/json`, `by_year_differences.csv`,
//! `cost_effectiveness.csv`, `ceac.csv`, `evpi.csv`, `sweep.csv`, `manifest.json`,
//! `timing.json`, each written through its type in [`schema`], which the charts and the
//! report read back.
//!
//! A result folder appears whole or not at all: files are written into a staging folder
//! beside the target, each through a temporary file and a rename, and the staging folder is
//! renamed onto the target last. An existing folder is replaced only with `force`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::scenario::Scenario;
use crate::stats::Difference;

pub mod cea;
pub mod finish;
pub mod fold;
pub mod guard;
pub mod layout;
pub mod schema;
pub use cea::CostEffectiveness;
pub use finish::{Compared, FinishError, Folded, comparison_from_journals, from_journals};
pub use fold::{ByYear, DayRow, Fold, Results, year_values};
use schema::{
    AlternativeJson, CeacRow, ComparisonJson, ComparisonRow, CostEffectivenessRow, CsvTable,
    EvidenceRow, EvpiRow, GroupRow, RunRow, RunsColumns, SummaryJson, SummaryRow, SweepColumns,
    SweepRow, TimeseriesRow, YearDifferenceRow, YearRow, table_bytes,
};
pub use schema::{Manifest, RunInfo};

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The target folder exists (a caresim folder) and `force` was not given.
    #[error("{} already exists; use --force to replace it", .0.display())]
    Exists(PathBuf),
    /// The target exists and is not caresim's to replace.
    #[error(
        "{} cannot be a caresim result folder: {reason}; choose another --out",
        path.display()
    )]
    NotOurs {
        /// The target.
        path: PathBuf,
        /// Why it must not be replaced.
        reason: String,
    },
    /// Drawing the charts failed.
    #[error("drawing charts: {0}")]
    Charts(#[source] Box<crate::chart::ChartError>),
    /// A file system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("writing", "creating").
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// CSV encoding failed.
    #[error("encoding CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

pub(crate) fn io_err<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// `runs.csv`, written one row at a time (see [`RunsColumns`]).
pub struct RunsCsv {
    w: csv::Writer<fs::File>,
    path: PathBuf,
}

impl RunsCsv {
    /// Create `path` with `columns`.
    ///
    /// # Errors
    /// If the file cannot be created.
    pub fn create(path: &Path, columns: &RunsColumns) -> Result<Self, OutputError> {
        let file = fs::File::create(path).map_err(io_err("creating", path))?;
        let mut w = schema::writer(file);
        w.write_record(columns.header())?;
        Ok(RunsCsv {
            w,
            path: path.to_path_buf(),
        })
    }

    /// Append one replication's row.
    ///
    /// # Errors
    /// If writing fails.
    pub fn row(&mut self, row: &RunRow) -> Result<(), OutputError> {
        self.w.serialize(row)?;
        Ok(())
    }

    /// Flush and sync the file.
    ///
    /// # Errors
    /// If flushing fails.
    pub fn finish(mut self) -> Result<(), OutputError> {
        self.w.flush().map_err(io_err("writing", &self.path))?;
        let f = self
            .w
            .into_inner()
            .map_err(|e| OutputError::Csv(csv::Error::from(e.into_error())))?;
        f.sync_all().map_err(io_err("syncing", &self.path))
    }
}

/// One arm of a comparison, as run (kept in memory: its rows are paired with the base's).
pub struct Arm<'a> {
    /// Folder name of the arm's results (the scenario name, made unique).
    pub name: String,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its summaries.
    pub results: Results,
    /// Its `runs.csv` rows: replication, sampled values, metric values.
    pub rows: Vec<(u32, Vec<f64>, Vec<f64>)>,
    /// How it was run.
    pub info: RunInfo,
}

/// Write a comparison into `dir`: every arm's result files in `dir/<arm name>/` (the first
/// arm is the base), `comparison.csv` / `comparison.json` with each alternative's paired
/// differences from the base (`differences[i]` belongs to `arms[i + 1]`),
/// `by_year_differences.csv` with them by observed year (`by_year[i][y]`: alternative
/// `arms[i + 1]` in year `y + 1`; the file is left out when no alternative has any),
/// `levers_evidence.csv` with the evidence for every arm's levers, and, given the
/// cost-effectiveness `ce`, `cost_effectiveness.csv`, `ceac.csv` and (with uncertain
/// parameters) `evpi.csv`.
///
/// With `charts`, the charts are drawn before the folder is put in place.
///
/// # Errors
/// If `dir` exists and `force` is false (or it is not caresim's to replace), or any file
/// cannot be written.
pub fn write_comparison(
    dir: &Path,
    force: bool,
    arms: &[Arm],
    differences: &[Vec<Difference>],
    by_year: &[Vec<Vec<Difference>>],
    ce: Option<&CostEffectiveness>,
    charts: bool,
) -> Result<(), OutputError> {
    write_atomically(dir, force, |staging: &Path| -> Result<(), OutputError> {
        for arm in arms {
            let sub = staging.join(&arm.name);
            fs::create_dir_all(&sub).map_err(io_err("creating", &sub))?;
            let columns = RunsColumns {
                point: Vec::new(),
                uncertain: arm
                    .scenario
                    .uncertain
                    .iter()
                    .map(|u| u.path.clone())
                    .collect(),
                metrics: arm.results.names.clone(),
            };
            let mut runs = RunsCsv::create(&sub.join(RunsColumns::FILE), &columns)?;
            for (replication, sampled, metrics) in &arm.rows {
                runs.row(&RunRow {
                    point: (&[][..]).into(),
                    replication: *replication,
                    sampled: sampled.into(),
                    metrics: metrics.into(),
                })?;
            }
            runs.finish()?;
            let manifest = Manifest::new(arm.scenario, arm.info.seed, arm.info.replications);
            write_summaries(&sub, &arm.scenario.name, &manifest, &arm.results, &arm.info)?;
        }
        let base = &arms[0];
        let rows = arms[1..].iter().zip(differences).flat_map(|(arm, diffs)| {
            diffs
                .iter()
                .map(|d| ComparisonRow::new(&base.name, &arm.name, d))
        });
        atomic_write(&staging.join(ComparisonRow::FILE), &table_bytes(rows)?)?;
        // Results without values by year (recorded before they existed) get no file rather
        // than an empty one, as `by_year.csv`.
        if by_year.iter().any(|years| !years.is_empty()) {
            let rows = arms[1..].iter().zip(by_year).flat_map(|(arm, years)| {
                years.iter().enumerate().flat_map(move |(y, diffs)| {
                    diffs
                        .iter()
                        .map(move |d| YearDifferenceRow::new(&arm.name, y + 1, d))
                })
            });
            atomic_write(&staging.join(YearDifferenceRow::FILE), &table_bytes(rows)?)?;
        }
        let evidence = arms
            .iter()
            .flat_map(|arm| EvidenceRow::of(&arm.name, arm.scenario));
        atomic_write(&staging.join(EvidenceRow::FILE), &table_bytes(evidence)?)?;
        let json = ComparisonJson {
            base: base.name.clone(),
            seed: base.info.seed,
            replications: base.info.replications,
            alternatives: arms[1..]
                .iter()
                .zip(differences)
                .map(|(arm, diffs)| AlternativeJson {
                    name: arm.name.clone(),
                    metrics: diffs.clone(),
                })
                .collect(),
        };
        atomic_write(&staging.join(ComparisonJson::FILE), &pretty_json(&json)?)?;
        if let Some(ce) = ce {
            write_cost_effectiveness(staging, ce)?;
        }
        if charts {
            draw_charts(staging)?;
        }
        Ok(())
    })
}

/// Write the cost-effectiveness files of a comparison into `dir`.
fn write_cost_effectiveness(dir: &Path, ce: &CostEffectiveness) -> Result<(), OutputError> {
    let rows = ce.rows.iter().cloned();
    atomic_write(&dir.join(CostEffectivenessRow::FILE), &table_bytes(rows)?)?;
    let rows = ce.ceac.iter().cloned();
    atomic_write(&dir.join(CeacRow::FILE), &table_bytes(rows)?)?;
    if let Some(evpi) = &ce.evpi {
        atomic_write(
            &dir.join(EvpiRow::FILE),
            &table_bytes(evpi.iter().cloned())?,
        )?;
    }
    Ok(())
}

/// Fill a new result folder `dir` and put it in place whole: `fill` writes into a uniquely
/// named staging folder beside `dir` (charts included), the staging folder gets the
/// caresim marker, and only then is it renamed onto `dir`. A failure or a kill at any point
/// leaves `dir` as it was (a killed run may leave a hidden `.<name>.partial-*` folder,
/// which blocks nothing and which the next write of `dir` removes). An existing `dir` is
/// replaced only with `force`, and only if it is a caresim result folder (see
/// [`guard::check_target`]).
///
/// # Errors
/// If `dir` may not be replaced, `fill` fails, or a file operation fails.
pub fn write_atomically<E: From<OutputError>>(
    dir: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    guard::check_target(dir, force, guard::FolderKind::Results, &[])?;
    let parent = guard::parent_of(dir);
    fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
    // Removed on drop, so every early return cleans up after itself.
    let staging = guard::shared(
        tempfile::Builder::new().prefix(&format!(".{}.partial-", guard::file_name(dir))),
        0o777,
    )
    .tempdir_in(parent)
    .map_err(io_err("creating a staging folder in", parent))?;
    guard::write_marker(staging.path(), guard::FolderKind::Staging)?;
    guard::remove_stale_staging(dir);
    fill(staging.path())?;
    guard::write_marker(staging.path(), guard::FolderKind::Results)?;
    let path = staging.keep();
    guard::replace_dir(&path, dir, guard::FolderKind::Results).inspect_err(|_| {
        let _ = fs::remove_dir_all(&path);
    })?;
    Ok(())
}

/// Draw the charts of the (staging) result folder `dir` into `dir/charts/`; returns how
/// many were drawn.
///
/// # Errors
/// If drawing fails.
pub fn draw_charts(dir: &Path) -> Result<usize, OutputError> {
    crate::chart::plot(dir)
        .map(|files| files.len())
        .map_err(|e| OutputError::Charts(Box::new(e)))
}

/// Write the summary files of one point's results into the existing folder `dir`:
/// `summary.csv`, `summary.json`, `by_group.csv`, `timeseries.csv`, `by_year.csv` (when
/// every replication has values by year), `manifest.json` and `timing.json` (`runs.csv` is
/// written alongside, row by row, with [`RunsCsv`]).
///
/// # Errors
/// If a file cannot be written.
pub fn write_summaries(
    dir: &Path,
    name: &str,
    manifest: &Manifest<&Scenario>,
    results: &Results,
    info: &RunInfo,
) -> Result<(), OutputError> {
    let summaries = || results.names.iter().zip(&results.summaries);
    let rows = summaries().map(|(metric, s)| SummaryRow::new(metric, s));
    atomic_write(&dir.join(SummaryRow::FILE), &table_bytes(rows)?)?;
    let json = SummaryJson {
        scenario: name.to_string(),
        replications: manifest.replications,
        seed: manifest.seed,
        metrics: summaries().map(|(m, s)| (m.clone(), s.into())).collect(),
    };
    atomic_write(&dir.join(SummaryJson::FILE), &pretty_json(&json)?)?;
    let rows = results
        .groups
        .iter()
        .map(|(condition, band, metric, s)| GroupRow::new(condition, band, metric, s));
    atomic_write(&dir.join(GroupRow::FILE), &table_bytes(rows)?)?;
    let rows = results.timeseries.iter().map(TimeseriesRow::new);
    atomic_write(&dir.join(TimeseriesRow::FILE), &table_bytes(rows)?)?;
    if let Some(by_year) = &results.by_year {
        let rows = by_year.rows().map(|(y, m, s)| YearRow::new(y, m, s));
        atomic_write(&dir.join(YearRow::FILE), &table_bytes(rows)?)?;
    }
    atomic_write(&dir.join(Manifest::FILE), &pretty_json(manifest)?)?;
    atomic_write(&dir.join(RunInfo::FILE), &pretty_json(info)?)
}

/// Write `sweep.csv` into `dir`: one row per point × metric, the point's swept values
/// (in the order of `keys`) first.
///
/// # Errors
/// If the file cannot be written.
pub fn write_sweep_csv(
    dir: &Path,
    keys: &[String],
    points: &[(Vec<f64>, Results)],
) -> Result<(), OutputError> {
    let columns = SweepColumns {
        keys: keys.to_vec(),
    };
    let mut w = schema::writer(Vec::new());
    w.write_record(columns.header())?;
    for (point, (values, results)) in points.iter().enumerate() {
        for (metric, s) in results.names.iter().zip(&results.summaries) {
            w.serialize(SweepRow {
                point,
                values: values.into(),
                summary: SummaryRow::new(metric, s),
            })?;
        }
    }
    atomic_write(&dir.join(SweepColumns::FILE), &csv_bytes(w)?)
}

/// Write `value` as pretty JSON to `path`, atomically.
///
/// # Errors
/// If encoding or writing fails.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), OutputError> {
    atomic_write(path, &pretty_json(value)?)
}

fn csv_bytes(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, OutputError> {
    w.into_inner()
        .map_err(|e| OutputError::Csv(csv::Error::from(e.into_error())))
}

fn pretty_json<T: Serialize>(v: &T) -> Result<Vec<u8>, OutputError> {
    let mut bytes = serde_json::to_vec_pretty(v)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Write `bytes` to `path` through a uniquely named temporary file in the same folder (so
/// no other file is ever touched), synced to disk, then renamed onto `path`: a reader never
/// sees a half-written file, and a crash leaves at most a stray `.caresim-*.tmp` file.
///
/// The caller decides whether `path` may be replaced; this function replaces it.
///
/// # Errors
/// If the temporary file cannot be written or renamed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = guard::shared(
        tempfile::Builder::new().prefix(".caresim-").suffix(".tmp"),
        0o666,
    )
    .tempfile_in(dir)
    .map_err(io_err("creating a temporary file in", dir))?;
    tmp.write_all(bytes)
        .map_err(io_err("writing", tmp.path()))?;
    tmp.as_file().sync_all().map_err(io_err("syncing", path))?;
    tmp.persist(path)
        .map_err(|e| io_err("renaming into", path)(e.error))?;
    Ok(())
}
