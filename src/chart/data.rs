//! Reading saved result folders back for charts and reports, through the result-file types
//! of [`crate::output::schema`].

use std::collections::BTreeMap;
use std::path::Path;

use super::ChartError;
use crate::experiment::sweep::Design;
use crate::output::schema::{
    CeacRow, ComparisonRow, CostEffectivenessRow, CsvTable, EvpiRow, Manifest, ReadError,
    RunsColumns, SummaryRow, SweepColumns, TimeseriesRow, YearDifferenceRow, YearRow, read_table,
};

/// Mean and 95% CI (low, high; the mean itself when there is no CI).
pub type Estimate = (f64, f64, f64);

/// One pool's daily census across replications.
#[derive(Clone, Debug)]
pub struct Series {
    /// `acute` or `community_<service>`.
    pub name: String,
    /// Day numbers.
    pub days: Vec<f64>,
    /// Mean occupancy.
    pub mean: Vec<f64>,
    /// Lower edge of the band where ~95% of replications lie.
    pub low: Vec<f64>,
    /// Upper edge.
    pub high: Vec<f64>,
    /// Capacity at the start of each day.
    pub capacity: Vec<f64>,
}

/// One scenario's results.
#[derive(Clone, Debug)]
pub struct Arm {
    /// Scenario (arm) name.
    pub name: String,
    /// The scenario's human title, for chart titles.
    pub title: String,
    /// Warm-up days at the start of the daily series (excluded from every statistic).
    pub warmup_days: f64,
    /// Metric → mean and 95% CI.
    pub summary: BTreeMap<String, Estimate>,
    /// Daily census per pool.
    pub series: Vec<Series>,
    /// `runs.csv`: metric → value per replication.
    pub runs: BTreeMap<String, Vec<f64>>,
    /// `runs.csv`: uncertain parameter (key path) → its value sampled in each replication
    /// (empty without uncertain parameters).
    pub sampled: BTreeMap<String, Vec<f64>>,
    /// `by_year.csv` rows, year-major (empty for results without values by year).
    pub by_year: Vec<YearRow>,
}

/// One row of `comparison.csv`.
#[derive(Clone, Debug)]
pub struct Change {
    /// Alternative arm.
    pub alternative: String,
    /// Metric.
    pub metric: String,
    /// Mean difference and its 95% CI.
    pub difference: Estimate,
    /// Relative change and its 95% CI (fractions), if the base mean is not 0. An unbounded CI
    /// (empty relative CI cells beside a difference CI) is `(−∞, ∞)`.
    pub relative: Option<Estimate>,
}

/// A comparison's cost-effectiveness files (see [`crate::stats::cea`]).
#[derive(Clone, Debug)]
pub struct CeResults {
    /// `cost_effectiveness.csv`: each alternative × cost perspective.
    pub rows: Vec<CostEffectivenessRow>,
    /// `ceac.csv`: each alternative × threshold (activity perspective).
    pub ceac: Vec<CeacRow>,
    /// `evpi.csv`, written only with uncertain parameters.
    pub evpi: Option<Vec<EvpiRow>>,
}

impl CeResults {
    /// The base scenario's willingness-to-pay threshold, £ per QALY (that of every row).
    pub fn threshold(&self) -> Option<f64> {
        self.rows.first().map(|r| r.threshold)
    }

    /// The activity-perspective row of `alternative`.
    pub fn activity(&self, alternative: &str) -> Option<&CostEffectivenessRow> {
        self.rows
            .iter()
            .find(|r| r.alternative == alternative && r.perspective == "activity")
    }
}

/// One point of a sweep.
#[derive(Clone, Debug)]
pub struct SweepPoint {
    /// Swept values, in column order.
    pub values: Vec<f64>,
    /// Metric → mean and 95% CI.
    pub metrics: BTreeMap<String, Estimate>,
}

/// What a result folder holds.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Kind {
    /// One scenario (`caresim run`).
    Run(Arm),
    /// A comparison: the base first, then the alternatives, and the paired changes.
    Compare {
        /// Arms, base first.
        arms: Vec<Arm>,
        /// `comparison.csv` rows.
        changes: Vec<Change>,
        /// `by_year_differences.csv` rows: each alternative's paired differences by year
        /// (empty for results without values by year).
        by_year: Vec<YearDifferenceRow>,
        /// The cost-effectiveness files; `None` in a folder without them (written by a
        /// caresim without QALYs).
        cost_effectiveness: Option<CeResults>,
    },
    /// A sweep.
    Sweep {
        /// Scenario name.
        name: String,
        /// Swept key paths.
        columns: Vec<String>,
        /// How the points were formed, as the manifest records it.
        design: Design,
        /// Points in order.
        points: Vec<SweepPoint>,
    },
}

/// Replications that never reached a steady state, read from the `unstable` metrics: some
/// pool was full on at least 99% of the census days of the last third of the observed period
/// with its waiting line still growing, so waits, delays and bed-days grow with the horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct Unstable {
    /// Share of replications with any pool flagged (the mean of `unstable`).
    pub share: f64,
    /// Each flagged pool (`acute beds`, or a community service's name) with the share of
    /// replications in which it was flagged; acute beds first.
    pub pools: Vec<(String, f64)>,
}

impl Unstable {
    /// The flags among `metrics` (metric → mean and CI); `None` when no replication was
    /// flagged or the results predate the flags.
    pub fn of(metrics: &BTreeMap<String, Estimate>) -> Option<Unstable> {
        let share = metrics.get("unstable").map_or(0.0, |e| e.0);
        if share.is_nan() || share <= 0.0 {
            return None;
        }
        let mut pools: Vec<(String, f64)> = metrics
            .iter()
            .filter_map(|(m, e)| {
                let pool = m.strip_prefix("unstable_")?;
                (e.0 > 0.0).then(|| (pool.to_string(), e.0))
            })
            .collect();
        // Acute beds first, then the services in name order.
        pools.sort_by_key(|(p, _)| p != "acute");
        for (p, _) in &mut pools {
            if p == "acute" {
                *p = "acute beds".into();
            }
        }
        Some(Unstable { share, pools })
    }

    /// `acute beds 100%, intermediate_care 33%`: the flagged pools with the share of
    /// replications in which each was flagged.
    pub fn pools_text(&self) -> String {
        self.pools
            .iter()
            .map(|(p, s)| format!("{p} {}", percent(*s)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A share as a whole percentage, never rounded to 0% or 100% when it is neither.
pub fn percent(share: f64) -> String {
    let p = (share * 100.0).round();
    let p = if share > 0.0 && p == 0.0 {
        1.0
    } else if share < 1.0 && p == 100.0 {
        99.0
    } else {
        p
    };
    format!("{p:.0}%")
}

impl Arm {
    /// This scenario's replications with no steady state, if any.
    pub fn unstable(&self) -> Option<Unstable> {
        Unstable::of(&self.summary)
    }
}

impl SweepPoint {
    /// This point's replications with no steady state, if any.
    pub fn unstable(&self) -> Option<Unstable> {
        Unstable::of(&self.metrics)
    }
}

/// A run, comparison arm or sweep point with replications that reached no steady state.
#[derive(Clone, Debug, PartialEq)]
pub struct Flagged {
    /// Its position: 0 for a run, the arm's (base first) or the point's index.
    pub index: usize,
    /// How people name it: the scenario or arm, or `point 0 (acute.beds = 70, …)`.
    pub label: String,
    /// Which pools, in what share of replications.
    pub unstable: Unstable,
}

/// `point 3 (acute.beds = 70, community.intermediate_care.capacity = 6)`.
pub fn point_label(index: usize, columns: &[String], values: &[f64]) -> String {
    let set: Vec<String> = columns
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{c} = {v}"))
        .collect();
    format!("point {index} ({})", set.join(", "))
}

/// Every run, arm or sweep point of `kind` with replications that reached no steady state,
/// in order: what the charts mark and the report warns about.
pub fn flagged(kind: &Kind) -> Vec<Flagged> {
    let arms = |arms: &[Arm]| -> Vec<Flagged> {
        arms.iter()
            .enumerate()
            .filter_map(|(index, a)| {
                Some(Flagged {
                    index,
                    label: a.name.clone(),
                    unstable: a.unstable()?,
                })
            })
            .collect()
    };
    match kind {
        Kind::Run(a) => arms(std::slice::from_ref(a)),
        Kind::Compare { arms: a, .. } => arms(a),
        Kind::Sweep {
            columns, points, ..
        } => points
            .iter()
            .enumerate()
            .filter_map(|(index, p)| {
                Some(Flagged {
                    index,
                    label: point_label(index, columns, &p.values),
                    unstable: p.unstable()?,
                })
            })
            .collect(),
    }
}

impl From<ReadError> for ChartError {
    fn from(e: ReadError) -> Self {
        ChartError::Data {
            path: e.path().to_path_buf(),
            message: e.message(),
        }
    }
}

/// `summary.csv`: metric → mean and 95% CI.
fn summary(dir: &Path) -> Result<BTreeMap<String, Estimate>, ChartError> {
    let rows: Vec<SummaryRow> = read_table(dir)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.metric.clone(), r.estimate()))
        .collect())
}

/// `timeseries.csv`: each pool's daily census, pools in order of first appearance.
fn series(dir: &Path) -> Result<Vec<Series>, ChartError> {
    let rows: Vec<TimeseriesRow> = read_table(dir)?;
    let mut out: Vec<Series> = Vec::new();
    for r in rows {
        let i = if let Some(i) = out.iter().position(|s| s.name == r.series) {
            i
        } else {
            out.push(Series {
                name: r.series.clone(),
                days: Vec::new(),
                mean: Vec::new(),
                low: Vec::new(),
                high: Vec::new(),
                capacity: Vec::new(),
            });
            out.len() - 1
        };
        let s = &mut out[i];
        s.days.push(r.day as f64);
        s.capacity.push(r.capacity);
        s.mean.push(r.mean);
        s.low.push(r.band95_low);
        s.high.push(r.band95_high);
    }
    Ok(out)
}

/// `runs.csv` of a run or arm (no swept keys): metric → value per replication.
/// `runs.csv`: each metric's values, and each uncertain parameter's sampled values, by
/// replication.
type Runs = (BTreeMap<String, Vec<f64>>, BTreeMap<String, Vec<f64>>);

fn runs(dir: &Path) -> Result<Runs, ChartError> {
    let (columns, rows) = RunsColumns::read(dir, &[])?;
    let metrics = columns
        .metrics
        .iter()
        .enumerate()
        .map(|(i, m)| (m.clone(), rows.iter().map(|r| r.metrics[i]).collect()))
        .collect();
    let sampled = columns
        .uncertain
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), rows.iter().map(|r| r.sampled[i]).collect()))
        .collect();
    Ok((metrics, sampled))
}

/// The rows of `dir/<R::FILE>`, or none when the folder has no such file (a file only some
/// results have, such as `by_year.csv`).
fn optional_table<R: CsvTable>(dir: &Path) -> Result<Vec<R>, ChartError> {
    if dir.join(R::FILE).is_file() {
        Ok(read_table(dir)?)
    } else {
        Ok(Vec::new())
    }
}

/// Read one scenario's result folder, named `name`; returns it with its manifest.
fn arm(dir: &Path, name: Option<String>) -> Result<(Arm, Manifest), ChartError> {
    let manifest = Manifest::read(dir)?;
    let title = if manifest.scenario.title.is_empty() {
        crate::scenario::title_from_name(&manifest.scenario.name)
    } else {
        manifest.scenario.title.clone()
    };
    let (runs, sampled) = runs(dir)?;
    let arm = Arm {
        name: name.unwrap_or_else(|| manifest.scenario.name.clone()),
        title,
        warmup_days: manifest.scenario.params.warmup_days,
        summary: summary(dir)?,
        series: series(dir)?,
        runs,
        sampled,
        by_year: optional_table(dir)?,
    };
    Ok((arm, manifest))
}

/// A comparison folder: its arms (named as `comparison.csv` names them, base first) and the
/// paired changes.
fn comparison(dir: &Path) -> Result<Kind, ChartError> {
    let rows: Vec<ComparisonRow> = read_table(dir)?;
    let mut names: Vec<String> = Vec::new();
    let mut changes = Vec::new();
    for row in rows {
        if names.is_empty() {
            names.push(row.base.clone());
        }
        if !names.contains(&row.alternative) {
            names.push(row.alternative.clone());
        }
        changes.push(Change {
            difference: row.difference(),
            relative: row.relative(),
            alternative: row.alternative,
            metric: row.metric,
        });
    }
    if names.is_empty() {
        return Err(ChartError::Data {
            path: dir.join(ComparisonRow::FILE),
            message: "no rows: the comparison names no arms".into(),
        });
    }
    let arms = names
        .into_iter()
        .map(|n| Ok(arm(&dir.join(&n), Some(n))?.0))
        .collect::<Result<Vec<_>, ChartError>>()?;
    Ok(Kind::Compare {
        arms,
        changes,
        by_year: optional_table(dir)?,
        cost_effectiveness: cost_effectiveness(dir)?,
    })
}

/// A comparison's cost-effectiveness files, if it has them (both `cost_effectiveness.csv`
/// and `ceac.csv`; `evpi.csv` when written).
fn cost_effectiveness(dir: &Path) -> Result<Option<CeResults>, ChartError> {
    if !(dir.join(CostEffectivenessRow::FILE).is_file() && dir.join(CeacRow::FILE).is_file()) {
        return Ok(None);
    }
    let evpi = if dir.join(EvpiRow::FILE).is_file() {
        Some(read_table(dir)?)
    } else {
        None
    };
    Ok(Some(CeResults {
        rows: read_table(dir)?,
        ceac: read_table(dir)?,
        evpi,
    }))
}

/// A sweep folder: its swept keys come from the manifest's sweep design, and `sweep.csv`
/// must have them as columns.
fn sweep(dir: &Path) -> Result<Kind, ChartError> {
    let manifest = Manifest::read(dir)?;
    let Some(design) = manifest.sweep() else {
        return Err(ChartError::Data {
            path: dir.join(Manifest::FILE),
            message: "records no sweep points, but the folder holds sweep.csv".into(),
        });
    };
    let mut points: Vec<SweepPoint> = Vec::new();
    for row in SweepColumns::read(dir, &design.keys)? {
        if row.point == points.len() {
            points.push(SweepPoint {
                values: row.values.into_owned(),
                metrics: BTreeMap::new(),
            });
        }
        if let Some(p) = points.get_mut(row.point) {
            p.metrics
                .insert(row.summary.metric.clone(), row.summary.estimate());
        }
    }
    Ok(Kind::Sweep {
        name: manifest.scenario.name,
        columns: design.keys,
        design: design.design,
        points,
    })
}

/// Read the result folder `dir`: a comparison, a sweep, or a single run.
///
/// Every file is read through its type in [`crate::output::schema`]; a folder of another
/// result format is refused (see [`Manifest::read`]).
///
/// # Errors
/// If the folder holds no results, was written in another result format, or a file is
/// malformed.
pub fn load_kind(dir: &Path) -> Result<Kind, ChartError> {
    if dir.join(ComparisonRow::FILE).is_file() {
        return comparison(dir);
    }
    if dir.join(SweepColumns::FILE).is_file() {
        return sweep(dir);
    }
    if dir.join(SummaryRow::FILE).is_file() {
        return Ok(Kind::Run(arm(dir, None)?.0));
    }
    Err(ChartError::NotResults(dir.to_path_buf()))
}
