//! Result files: `runs.csv`, `summary.csv`, `summary.json`, `manifest.json`.
//!
//! A result folder appears whole or not at all: files are written into a staging folder
//! beside the target, each through a temporary file and a rename, and the staging folder is
//! renamed onto the target last. An existing folder is replaced only with `force`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::experiment::Point;
use crate::scenario::Scenario;
use crate::stats::{Difference, Summary};

pub mod finish;
pub mod fold;
pub mod guard;
pub mod layout;
pub use finish::{Compared, FinishError, Folded, comparison_from_journals, from_journals};
pub use fold::{DayRow, Fold, Results};

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

/// What makes results reproducible, for `manifest.json`: the same for every way of
/// producing the same results (any thread count, interrupted and resumed, sharded and
/// merged), so the manifest is byte-identical too.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest<'a> {
    /// Always `caresim`.
    pub tool: &'static str,
    /// caresim version.
    pub tool_version: &'static str,
    /// Base seed used.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Sweep points (absent for a single run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<&'a [Point]>,
    /// The scenario: files with hashes, resolved parameters, uncertain parameters.
    pub scenario: &'a Scenario,
}

impl<'a> Manifest<'a> {
    /// The manifest of `scenario` run with `seed` and `replications`.
    pub fn new(scenario: &'a Scenario, seed: u64, replications: u32) -> Self {
        Manifest {
            tool: "caresim",
            tool_version: env!("CARGO_PKG_VERSION"),
            seed,
            replications,
            points: None,
            scenario,
        }
    }
}

/// How this invocation ran, for `timing.json` (differs between equivalent runs).
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// caresim version.
    pub tool_version: String,
    /// Command line as given.
    pub command: Vec<String>,
    /// Base seed used.
    pub seed: u64,
    /// Replications run.
    pub replications: u32,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// Wall-clock time of the simulation in this invocation, seconds.
    pub wall_time_seconds: f64,
    /// Replications found finished in the journal and not rerun (resumed runs, merges).
    pub replications_reused: u64,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    replications: u32,
    seed: u64,
    metrics: serde_json::Map<String, serde_json::Value>,
}

/// `runs.csv`, written one row at a time.
pub struct RunsCsv {
    w: csv::Writer<fs::File>,
    path: PathBuf,
    record: Vec<String>,
}

impl RunsCsv {
    /// Create `path` with columns: each swept key, `replication`, `psa.<key>` for each
    /// uncertain parameter, then the metrics.
    ///
    /// # Errors
    /// If the file cannot be created.
    pub fn create(
        path: &Path,
        point_columns: &[String],
        uncertain: &[String],
        metrics: &[String],
    ) -> Result<Self, OutputError> {
        let file = fs::File::create(path).map_err(io_err("creating", path))?;
        let mut w = csv::Writer::from_writer(file);
        let mut header: Vec<String> = point_columns.to_vec();
        header.push("replication".into());
        header.extend(uncertain.iter().map(|u| format!("psa.{u}")));
        header.extend(metrics.iter().cloned());
        w.write_record(&header)?;
        Ok(RunsCsv {
            w,
            path: path.to_path_buf(),
            record: Vec::new(),
        })
    }

    /// Append one replication's row.
    ///
    /// # Errors
    /// If writing fails.
    pub fn row(
        &mut self,
        point_values: &[f64],
        replication: u32,
        sampled: &[f64],
        metrics: &[f64],
    ) -> Result<(), OutputError> {
        self.record.clear();
        self.record
            .extend(point_values.iter().map(|v| v.to_string()));
        self.record.push(replication.to_string());
        self.record.extend(sampled.iter().map(|v| v.to_string()));
        self.record.extend(metrics.iter().map(|v| v.to_string()));
        self.w.write_record(&self.record)?;
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

#[derive(Serialize)]
struct ComparisonJson<'a> {
    base: &'a str,
    seed: u64,
    replications: u32,
    alternatives: Vec<AlternativeJson<'a>>,
}

#[derive(Serialize)]
struct AlternativeJson<'a> {
    name: &'a str,
    metrics: &'a [Difference],
}

/// Write a comparison into `dir`: every arm's result files in `dir/<arm name>/` (the first
/// arm is the base), and `comparison.csv` / `comparison.json` with each alternative's paired
/// differences from the base (`differences[i]` belongs to `arms[i + 1]`).
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
    charts: bool,
) -> Result<(), OutputError> {
    write_atomically(dir, force, |staging: &Path| -> Result<(), OutputError> {
        for arm in arms {
            let sub = staging.join(&arm.name);
            fs::create_dir_all(&sub).map_err(io_err("creating", &sub))?;
            let uncertain: Vec<String> = arm
                .scenario
                .uncertain
                .iter()
                .map(|u| u.path.clone())
                .collect();
            let mut runs =
                RunsCsv::create(&sub.join("runs.csv"), &[], &uncertain, &arm.results.names)?;
            for (rep, sampled, values) in &arm.rows {
                runs.row(&[], *rep, sampled, values)?;
            }
            runs.finish()?;
            let manifest = Manifest::new(arm.scenario, arm.info.seed, arm.info.replications);
            write_summaries(&sub, &arm.scenario.name, &manifest, &arm.results, &arm.info)?;
        }
        let base = &arms[0];
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "base",
            "alternative",
            "metric",
            "base_mean",
            "alternative_mean",
            "difference_mean",
            "difference_sd",
            "ci95_low",
            "ci95_high",
            "ci95_half_width",
            "relative_change",
            "relative_ci95_low",
            "relative_ci95_high",
            "unpaired_ci95_half_width",
            "n",
        ])?;
        for (arm, diffs) in arms[1..].iter().zip(differences) {
            for d in diffs {
                w.write_record([
                    base.name.clone(),
                    arm.name.clone(),
                    d.metric.clone(),
                    d.base.mean.to_string(),
                    d.alternative.mean.to_string(),
                    d.difference.mean.to_string(),
                    opt(d.difference.sd),
                    opt(d.difference.ci95_low),
                    opt(d.difference.ci95_high),
                    opt(d.difference.ci95_half_width),
                    opt(d.relative_change),
                    // Empty when unbounded (see `Difference::relative_ci95`), as with n < 2.
                    opt(d.relative_ci95.map(|r| r.0)),
                    opt(d.relative_ci95.map(|r| r.1)),
                    opt(d.unpaired_ci95_half_width),
                    d.difference.n.to_string(),
                ])?;
            }
        }
        atomic_write(&staging.join("comparison.csv"), &csv_bytes(w)?)?;
        let json = ComparisonJson {
            base: &base.name,
            seed: base.info.seed,
            replications: base.info.replications,
            alternatives: arms[1..]
                .iter()
                .zip(differences)
                .map(|(arm, diffs)| AlternativeJson {
                    name: &arm.name,
                    metrics: diffs,
                })
                .collect(),
        };
        atomic_write(&staging.join("comparison.json"), &pretty_json(&json)?)?;
        if charts {
            draw_charts(staging)?;
        }
        Ok(())
    })
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

fn opt(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Write the summary files of one point's results into the existing folder `dir`:
/// `summary.csv`, `summary.json`, `by_group.csv`, `timeseries.csv`, `manifest.json` and
/// `timing.json` (`runs.csv` is written alongside, row by row, with [`RunsCsv`]).
///
/// # Errors
/// If a file cannot be written.
pub fn write_summaries(
    dir: &Path,
    name: &str,
    manifest: &Manifest,
    results: &Results,
    info: &RunInfo,
) -> Result<(), OutputError> {
    // summary.csv and summary.json
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(SUMMARY_COLUMNS)?;
    let mut metrics = serde_json::Map::new();
    for (metric, s) in results.names.iter().zip(&results.summaries) {
        w.write_record(summary_record(metric, s))?;
        metrics.insert(metric.clone(), serde_json::to_value(s)?);
    }
    atomic_write(&dir.join("summary.csv"), &csv_bytes(w)?)?;
    let json = SummaryJson {
        scenario: name,
        replications: manifest.replications,
        seed: manifest.seed,
        metrics,
    };
    atomic_write(&dir.join("summary.json"), &pretty_json(&json)?)?;

    // by_group.csv
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "condition",
        "age_band",
        "metric",
        "mean",
        "sd",
        "ci95_low",
        "ci95_high",
        "n",
    ])?;
    for (condition, band, metric, s) in &results.groups {
        w.write_record([
            condition.clone(),
            band.clone(),
            metric.to_string(),
            s.mean.to_string(),
            opt(s.sd),
            opt(s.ci95_low),
            opt(s.ci95_high),
            s.n.to_string(),
        ])?;
    }
    atomic_write(&dir.join("by_group.csv"), &csv_bytes(w)?)?;

    // timeseries.csv
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "day",
        "series",
        "capacity",
        "mean",
        "ci95_low",
        "ci95_high",
        "band95_low",
        "band95_high",
        "n",
    ])?;
    for row in &results.timeseries {
        let s = &row.summary;
        let (lo, hi) = row.band95();
        w.write_record([
            row.day.to_string(),
            row.series.clone(),
            row.capacity.to_string(),
            s.mean.to_string(),
            opt(s.ci95_low),
            opt(s.ci95_high),
            lo.to_string(),
            hi.to_string(),
            s.n.to_string(),
        ])?;
    }
    atomic_write(&dir.join("timeseries.csv"), &csv_bytes(w)?)?;

    atomic_write(&dir.join("manifest.json"), &pretty_json(manifest)?)?;
    atomic_write(&dir.join("timing.json"), &pretty_json(info)?)
}

/// Columns of a summary row, as written by [`summary_record`].
const SUMMARY_COLUMNS: [&str; 9] = [
    "metric",
    "mean",
    "sd",
    "ci95_low",
    "ci95_high",
    "ci95_half_width",
    "min",
    "max",
    "n",
];

/// A `summary.csv` row.
fn summary_record(metric: &str, s: &Summary) -> [String; 9] {
    [
        metric.to_string(),
        s.mean.to_string(),
        opt(s.sd),
        opt(s.ci95_low),
        opt(s.ci95_high),
        opt(s.ci95_half_width),
        s.min.to_string(),
        s.max.to_string(),
        s.n.to_string(),
    ]
}

/// Write `sweep.csv`: one row per point × metric, the point's swept values first.
///
/// # Errors
/// If the file cannot be written.
pub fn write_sweep_csv(
    path: &Path,
    columns: &[String],
    points: &[(Vec<f64>, Results)],
) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(columns.iter().cloned());
    header.extend(SUMMARY_COLUMNS.map(String::from));
    w.write_record(&header)?;
    for (i, (values, results)) in points.iter().enumerate() {
        for (metric, s) in results.names.iter().zip(&results.summaries) {
            let mut rec: Vec<String> = vec![i.to_string()];
            rec.extend(values.iter().map(|v| v.to_string()));
            rec.extend(summary_record(metric, s));
            w.write_record(&rec)?;
        }
    }
    atomic_write(path, &csv_bytes(w)?)
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
