//! Result files: `runs.csv`, `summary.csv`, `summary.json`, `manifest.json`.
//!
//! A result folder appears whole or not at all: files are written into a staging folder
//! beside the target, each through a temporary file and a rename, and the staging folder is
//! renamed onto the target last. An existing folder is replaced only with `force`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::experiment::RunResult;
use crate::model::Tally;
use crate::scenario::Scenario;
use crate::stats::{Difference, Summary, Welford, quantile, summarize};

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The target folder exists and `force` was not given.
    #[error("{} already exists; use --force to replace it", .0.display())]
    Exists(PathBuf),
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

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// How a run was made, for `manifest.json`: enough to reproduce it exactly.
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
    /// Wall-clock time of the simulation, seconds.
    pub wall_time_seconds: f64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'static str,
    #[serde(flatten)]
    run: &'a RunInfo,
    scenario: &'a Scenario,
}

#[derive(Serialize)]
struct SummaryJson<'a> {
    scenario: &'a str,
    replications: u32,
    seed: u64,
    metrics: serde_json::Map<String, serde_json::Value>,
}

/// Metric names and one row of values per replication, in replication order, with the
/// per-group summaries and the daily occupancy series.
pub struct Table {
    /// Column names (metrics).
    pub names: Vec<String>,
    /// One row per replication.
    pub rows: Vec<(u32, Vec<f64>)>,
    /// `by_group.csv` rows: condition, age band, metric, summary across replications.
    pub groups: Vec<(String, String, &'static str, Summary)>,
    /// `timeseries.csv` rows.
    pub timeseries: Vec<DayRow>,
}

/// Occupancy of one pool at the end of one day, across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct DayRow {
    /// Day number (1 = the end of the first day).
    pub day: usize,
    /// `acute` or `community_<service>`.
    pub series: String,
    /// Capacity at the start (beds or places).
    pub capacity: u32,
    /// Summary across replications (mean and its 95% CI).
    pub summary: Summary,
    /// 2.5th percentile across replications.
    pub p2_5: f64,
    /// 97.5th percentile across replications.
    pub p97_5: f64,
}

impl Table {
    /// Tabulate run results with the metric definitions of [`Tally`].
    pub fn new(scenario: &Scenario, results: &[RunResult]) -> Self {
        let params = &scenario.params;
        let mut groups = Vec::new();
        for g in 0..params.groups() {
            let (condition, band) = params.group_names(g);
            let mut acc: Vec<(&'static str, Welford)> = Vec::new();
            for r in results {
                let mut i = 0;
                r.tally.groups[g].for_each_metric(|name, v| {
                    if acc.len() == i {
                        acc.push((name, Welford::default()));
                    }
                    acc[i].1.push(v);
                    i += 1;
                });
            }
            groups.extend(
                acc.into_iter()
                    .map(|(m, w)| (condition.to_string(), band.to_string(), m, w.summary())),
            );
        }
        let series: Vec<(String, u32)> = std::iter::once(("acute".to_string(), params.acute.beds))
            .chain(
                params
                    .services
                    .iter()
                    .map(|s| (format!("community_{}", s.name), s.capacity)),
            )
            .collect();
        let days = results
            .iter()
            .map(|r| r.tally.daily_occupancy.len() / series.len())
            .min()
            .unwrap_or(0);
        let mut timeseries = Vec::with_capacity(days * series.len());
        let mut values = Vec::with_capacity(results.len());
        for d in 0..days {
            for (k, (name, capacity)) in series.iter().enumerate() {
                values.clear();
                values.extend(
                    results
                        .iter()
                        .map(|r| f64::from(r.tally.daily_occupancy[d * series.len() + k])),
                );
                let mut w = Welford::default();
                values.iter().for_each(|&v| w.push(v));
                values.sort_by(f64::total_cmp);
                timeseries.push(DayRow {
                    day: d + 1,
                    series: name.clone(),
                    capacity: *capacity,
                    summary: w.summary(),
                    p2_5: quantile(&values, 0.025),
                    p97_5: quantile(&values, 0.975),
                });
            }
        }
        Table {
            names: Tally::metric_names(params),
            rows: results
                .iter()
                .map(|r| (r.replication, r.tally.metric_values(params)))
                .collect(),
            groups,
            timeseries,
        }
    }

    /// Per-metric summaries, in column order.
    pub fn summaries(&self) -> Vec<Summary> {
        let rows: Vec<Vec<f64>> = self.rows.iter().map(|(_, v)| v.clone()).collect();
        summarize(&rows, self.names.len())
    }
}

/// Write every result file of a run into `dir`.
///
/// # Errors
/// If `dir` exists and `force` is false, or any file cannot be written.
pub fn write(
    dir: &Path,
    force: bool,
    scenario: &Scenario,
    table: &Table,
    info: &RunInfo,
) -> Result<(), OutputError> {
    write_atomically(dir, force, |staging| {
        write_files(staging, scenario, table, info)
    })
}

/// One arm of a comparison, as run.
pub struct Arm<'a> {
    /// Folder name of the arm's results (the scenario name, made unique).
    pub name: String,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// Its results.
    pub table: Table,
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
/// # Errors
/// If `dir` exists and `force` is false, or any file cannot be written.
pub fn write_comparison(
    dir: &Path,
    force: bool,
    arms: &[Arm],
    differences: &[Vec<Difference>],
) -> Result<(), OutputError> {
    write_atomically(dir, force, |staging| {
        for arm in arms {
            let sub = staging.join(&arm.name);
            fs::create_dir_all(&sub).map_err(io_err("creating", &sub))?;
            write_files(&sub, arm.scenario, &arm.table, &arm.info)?;
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
        let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
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
        atomic_write(&staging.join("comparison.json"), &pretty_json(&json)?)
    })
}

/// Fill a staging folder beside `dir` with `fill`, then rename it onto `dir`: the folder
/// appears whole or not at all.
fn write_atomically(
    dir: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<(), OutputError>,
) -> Result<(), OutputError> {
    if dir.exists() && !force {
        return Err(OutputError::Exists(dir.to_path_buf()));
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let staging = dir.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_err("removing", &staging))?;
    }
    fs::create_dir_all(&staging).map_err(io_err("creating", &staging))?;
    let result = fill(&staging).and_then(|()| {
        if dir.exists() {
            fs::remove_dir_all(dir).map_err(io_err("replacing", dir))?;
        }
        fs::rename(&staging, dir).map_err(io_err("renaming into", dir))
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn write_files(
    dir: &Path,
    scenario: &Scenario,
    table: &Table,
    info: &RunInfo,
) -> Result<(), OutputError> {
    // runs.csv
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["replication".to_string()];
    header.extend(table.names.iter().cloned());
    w.write_record(&header)?;
    for (rep, values) in &table.rows {
        let mut rec = vec![rep.to_string()];
        rec.extend(values.iter().map(|v| v.to_string()));
        w.write_record(&rec)?;
    }
    atomic_write(&dir.join("runs.csv"), &csv_bytes(w)?)?;

    // summary.csv and summary.json
    let summaries = table.summaries();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "mean",
        "sd",
        "ci95_low",
        "ci95_high",
        "ci95_half_width",
        "min",
        "max",
        "n",
    ])?;
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let mut metrics = serde_json::Map::new();
    for (name, s) in table.names.iter().zip(&summaries) {
        w.write_record([
            name.clone(),
            s.mean.to_string(),
            opt(s.sd),
            opt(s.ci95_low),
            opt(s.ci95_high),
            opt(s.ci95_half_width),
            s.min.to_string(),
            s.max.to_string(),
            s.n.to_string(),
        ])?;
        metrics.insert(name.clone(), serde_json::to_value(s)?);
    }
    atomic_write(&dir.join("summary.csv"), &csv_bytes(w)?)?;
    let json = SummaryJson {
        scenario: &scenario.name,
        replications: info.replications,
        seed: info.seed,
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
    for (condition, band, metric, s) in &table.groups {
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
        "p2_5",
        "p97_5",
        "n",
    ])?;
    for row in &table.timeseries {
        let s = &row.summary;
        w.write_record([
            row.day.to_string(),
            row.series.clone(),
            row.capacity.to_string(),
            s.mean.to_string(),
            opt(s.ci95_low),
            opt(s.ci95_high),
            row.p2_5.to_string(),
            row.p97_5.to_string(),
            s.n.to_string(),
        ])?;
    }
    atomic_write(&dir.join("timeseries.csv"), &csv_bytes(w)?)?;

    // manifest.json
    let manifest = Manifest {
        tool: "caresim",
        run: info,
        scenario,
    };
    atomic_write(&dir.join("manifest.json"), &pretty_json(&manifest)?)?;
    Ok(())
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

/// Write `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file.
///
/// # Errors
/// If the temporary file cannot be written or renamed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(io_err("creating", &tmp))?;
    f.write_all(bytes).map_err(io_err("writing", &tmp))?;
    f.sync_all().map_err(io_err("syncing", &tmp))?;
    fs::rename(&tmp, path).map_err(io_err("renaming into", path))
}
