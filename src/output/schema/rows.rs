//! The rows of the CSV result files and the JSON summaries: their columns, units and
//! formats. See the [module overview](super) for which file each type is.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use serde::ser::SerializeTuple;
use serde::{Deserialize, Serialize, Serializer};

use crate::scenario::Scenario;
use crate::scenario::policy::evidence::{Grade, describe};

use super::{
    CsvTable, PlainCells, ReadError, check_columns, number_at, open_csv, plain, plain_opt,
};
use crate::model::catalogue;
use crate::output::DayRow;
use crate::stats::{Difference, Summary};

/// Mean and 95% CI as (mean, low, high); the mean itself for an absent CI end.
fn estimate(mean: f64, low: Option<f64>, high: Option<f64>) -> (f64, f64, f64) {
    (mean, low.unwrap_or(mean), high.unwrap_or(mean))
}

/// One metric's summary across replications: a row of `summary.csv`, and the tail of a
/// `sweep.csv` row. Values are in the metric's unit (see [`catalogue`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// Metric name, a [`catalogue`] entry.
    pub metric: String,
    /// Mean across replications, in the metric's unit.
    #[serde(serialize_with = "plain")]
    pub mean: f64,
    /// Sample standard deviation across replications (empty with one replication).
    #[serde(serialize_with = "plain_opt")]
    pub sd: Option<f64>,
    /// Lower end of the 95% CI of the mean (Student's t); empty with one replication.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Half-width of the 95% CI of the mean.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_half_width: Option<f64>,
    /// Smallest value of a replication.
    #[serde(serialize_with = "plain")]
    pub min: f64,
    /// Largest value of a replication.
    #[serde(serialize_with = "plain")]
    pub max: f64,
    /// Replications.
    pub n: u64,
}

impl CsvTable for SummaryRow {
    const FILE: &'static str = "summary.csv";
    const COLUMNS: &'static [&'static str] = &[
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
}

impl SummaryRow {
    /// The row of `metric` summarised as `s`.
    pub fn new(metric: &str, s: &Summary) -> Self {
        SummaryRow {
            metric: metric.to_string(),
            mean: s.mean,
            sd: s.sd,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            ci95_half_width: s.ci95_half_width,
            min: s.min,
            max: s.max,
            n: s.n,
        }
    }

    /// Mean and 95% CI (the mean for an absent CI).
    pub fn estimate(&self) -> (f64, f64, f64) {
        estimate(self.mean, self.ci95_low, self.ci95_high)
    }
}

/// One metric of one condition × age band: a row of `by_group.csv`. Values are in the
/// metric's unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// Condition name.
    pub condition: String,
    /// Age band name (`all` without age bands).
    pub age_band: String,
    /// Group metric name (`admissions`, `acute_bed_days`, …).
    pub metric: String,
    /// Mean across replications.
    #[serde(serialize_with = "plain")]
    pub mean: f64,
    /// Sample standard deviation (empty with one replication).
    #[serde(serialize_with = "plain_opt")]
    pub sd: Option<f64>,
    /// Lower end of the 95% CI of the mean.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Replications.
    pub n: u64,
}

impl CsvTable for GroupRow {
    const FILE: &'static str = "by_group.csv";
    const COLUMNS: &'static [&'static str] = &[
        "condition",
        "age_band",
        "metric",
        "mean",
        "sd",
        "ci95_low",
        "ci95_high",
        "n",
    ];
}

impl GroupRow {
    /// The row of `metric` for `condition` × `age_band`, summarised as `s`.
    pub fn new(condition: &str, age_band: &str, metric: &str, s: &Summary) -> Self {
        GroupRow {
            condition: condition.to_string(),
            age_band: age_band.to_string(),
            metric: metric.to_string(),
            mean: s.mean,
            sd: s.sd,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            n: s.n,
        }
    }
}

/// One additive metric in one observed year, across replications: a row of `by_year.csv`.
/// Values are in the metric's unit, within that year (year 1 starts at the end of the
/// warm-up; the last year may be a part of one). For every metric the means over the years
/// add up to its mean in `summary.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearRow {
    /// Observed year, from 1.
    pub year: usize,
    /// Metric name, a [`catalogue`] entry (an additive one: see `catalogue::is_additive`).
    pub metric: String,
    /// Mean across replications.
    #[serde(serialize_with = "plain")]
    pub mean: f64,
    /// Sample standard deviation (empty with one replication).
    #[serde(serialize_with = "plain_opt")]
    pub sd: Option<f64>,
    /// Lower end of the 95% CI of the mean (Student's t), as in `summary.csv`.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Replications.
    pub n: u64,
}

impl CsvTable for YearRow {
    const FILE: &'static str = "by_year.csv";
    const COLUMNS: &'static [&'static str] =
        &["year", "metric", "mean", "sd", "ci95_low", "ci95_high", "n"];
}

impl YearRow {
    /// The row of `metric` in observed `year`, summarised as `s`.
    pub fn new(year: usize, metric: &str, s: &Summary) -> Self {
        YearRow {
            year,
            metric: metric.to_string(),
            mean: s.mean,
            sd: s.sd,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            n: s.n,
        }
    }

    /// Mean and 95% CI (the mean for an absent CI).
    pub fn estimate(&self) -> (f64, f64, f64) {
        estimate(self.mean, self.ci95_low, self.ci95_high)
    }
}

/// One additive metric of one alternative against the base in one observed year, paired by
/// replication: a row of `by_year_differences.csv` (of a payer's cost, the budget impact in
/// that year). Values are differences alternative − base in the metric's unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearDifferenceRow {
    /// The alternative arm's folder name.
    pub alternative: String,
    /// Observed year, from 1.
    pub year: usize,
    /// Metric name, a [`catalogue`] entry.
    pub metric: String,
    /// Mean of alternative − base per replication.
    #[serde(serialize_with = "plain")]
    pub mean: f64,
    /// Standard deviation of the paired differences (empty with one replication).
    #[serde(serialize_with = "plain_opt")]
    pub sd: Option<f64>,
    /// Lower end of the 95% CI of the mean difference (Student's t), as in
    /// `comparison.csv`.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean difference.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Paired replications.
    pub n: u64,
}

impl CsvTable for YearDifferenceRow {
    const FILE: &'static str = "by_year_differences.csv";
    const COLUMNS: &'static [&'static str] = &[
        "alternative",
        "year",
        "metric",
        "mean",
        "sd",
        "ci95_low",
        "ci95_high",
        "n",
    ];
}

impl YearDifferenceRow {
    /// The row of difference `d` of arm `alternative` from the base in observed `year`.
    pub fn new(alternative: &str, year: usize, d: &Difference) -> Self {
        YearDifferenceRow {
            alternative: alternative.to_string(),
            year,
            metric: d.metric.clone(),
            mean: d.difference.mean,
            sd: d.difference.sd,
            ci95_low: d.difference.ci95_low,
            ci95_high: d.difference.ci95_high,
            n: d.difference.n,
        }
    }

    /// The mean difference and its 95% CI (the mean for an absent CI).
    pub fn difference(&self) -> (f64, f64, f64) {
        estimate(self.mean, self.ci95_low, self.ci95_high)
    }
}

/// One pool's occupancy at the end of one day across replications: a row of
/// `timeseries.csv`. Occupancy and capacity are in beds (acute) or places (a service).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeseriesRow {
    /// Day number (1 = the end of the first day), days.
    pub day: usize,
    /// `acute` or `community_<service>`.
    pub series: String,
    /// Capacity in force at the census, mean over replications (beds or places).
    #[serde(serialize_with = "plain")]
    pub capacity: f64,
    /// Mean occupancy (beds or places).
    #[serde(serialize_with = "plain")]
    pub mean: f64,
    /// Lower end of the 95% CI of the mean occupancy.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean occupancy.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Lower edge of the band holding ~95% of replications (see [`DayRow::band95`]).
    #[serde(serialize_with = "plain")]
    pub band95_low: f64,
    /// Upper edge of that band.
    #[serde(serialize_with = "plain")]
    pub band95_high: f64,
    /// Replications.
    pub n: u64,
}

impl CsvTable for TimeseriesRow {
    const FILE: &'static str = "timeseries.csv";
    const COLUMNS: &'static [&'static str] = &[
        "day",
        "series",
        "capacity",
        "mean",
        "ci95_low",
        "ci95_high",
        "band95_low",
        "band95_high",
        "n",
    ];
}

impl TimeseriesRow {
    /// The row of the folded `day`.
    pub fn new(day: &DayRow) -> Self {
        let s = &day.summary;
        let (band95_low, band95_high) = day.band95();
        TimeseriesRow {
            day: day.day,
            series: day.series.clone(),
            capacity: day.capacity,
            mean: s.mean,
            ci95_low: s.ci95_low,
            ci95_high: s.ci95_high,
            band95_low,
            band95_high,
            n: s.n,
        }
    }
}

/// One metric of one alternative against the base, paired by replication: a row of
/// `comparison.csv`. Means and differences are in the metric's unit; relative changes are
/// fractions (0.1 = +10%).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    /// The base arm's folder name.
    pub base: String,
    /// The alternative arm's folder name.
    pub alternative: String,
    /// Metric name, a [`catalogue`] entry.
    pub metric: String,
    /// The base's mean.
    #[serde(serialize_with = "plain")]
    pub base_mean: f64,
    /// The alternative's mean.
    #[serde(serialize_with = "plain")]
    pub alternative_mean: f64,
    /// Mean of alternative − base per replication.
    #[serde(serialize_with = "plain")]
    pub difference_mean: f64,
    /// Standard deviation of the paired differences.
    #[serde(serialize_with = "plain_opt")]
    pub difference_sd: Option<f64>,
    /// Lower end of the 95% CI of the mean difference.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean difference.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_high: Option<f64>,
    /// Half-width of the 95% CI of the mean difference.
    #[serde(serialize_with = "plain_opt")]
    pub ci95_half_width: Option<f64>,
    /// Mean difference / base mean, a fraction (empty when the base mean is 0).
    #[serde(serialize_with = "plain_opt")]
    pub relative_change: Option<f64>,
    /// Lower end of the 95% CI of the relative change (Fieller); empty when unbounded, as
    /// with fewer than two replications.
    #[serde(serialize_with = "plain_opt")]
    pub relative_ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the relative change.
    #[serde(serialize_with = "plain_opt")]
    pub relative_ci95_high: Option<f64>,
    /// Half-width of the 95% CI of the difference had the arms been run independently.
    #[serde(serialize_with = "plain_opt")]
    pub unpaired_ci95_half_width: Option<f64>,
    /// Paired replications.
    pub n: u64,
}

impl CsvTable for ComparisonRow {
    const FILE: &'static str = "comparison.csv";
    const COLUMNS: &'static [&'static str] = &[
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
    ];
}

/// One graded setting of a lever of one arm of a comparison (or, with `setting`, `grade` and
/// `value` empty, a lever applied without evidence): a row of `levers_evidence.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceRow {
    /// The arm's folder name.
    pub arm: String,
    /// The `[policy.<lever>]` table.
    pub lever: String,
    /// The setting graded (a key of that table).
    pub setting: String,
    /// Its value as written (the mean when it is a distribution).
    pub value: String,
    /// `S`, `S2`, `R` or `E` (the domain brief's tags).
    pub grade: Option<Grade>,
    /// Its distribution in words when it is sampled once per replication, else empty.
    pub distribution: String,
    /// Where the value comes from.
    pub source: String,
}

impl CsvTable for EvidenceRow {
    const FILE: &'static str = "levers_evidence.csv";
    const COLUMNS: &'static [&'static str] = &[
        "arm",
        "lever",
        "setting",
        "value",
        "grade",
        "distribution",
        "source",
    ];
}

impl EvidenceRow {
    /// The rows of arm `arm` run with `scenario`: each graded setting, then each lever
    /// applied without any.
    pub fn of(arm: &str, scenario: &Scenario) -> Vec<Self> {
        let mut rows: Vec<EvidenceRow> = scenario
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                arm: arm.to_string(),
                lever: e.lever.clone(),
                setting: e.key.clone(),
                value: e.value.clone(),
                grade: Some(e.grade),
                distribution: e.dist.as_ref().map(describe).unwrap_or_default(),
                source: e.source.clone(),
            })
            .collect();
        for lever in ungraded(scenario) {
            rows.push(EvidenceRow {
                arm: arm.to_string(),
                lever: lever.to_string(),
                setting: String::new(),
                value: String::new(),
                grade: None,
                distribution: String::new(),
                source: "no evidence given".into(),
            });
        }
        rows
    }
}

/// The levers `scenario` applies without grading any of their settings.
pub fn ungraded(scenario: &Scenario) -> Vec<&str> {
    scenario
        .params
        .levers
        .applied
        .iter()
        .map(String::as_str)
        .filter(|l| !scenario.evidence.iter().any(|e| e.lever == *l))
        .collect()
}

impl ComparisonRow {
    /// The row of difference `d` of arm `alternative` from arm `base`.
    pub fn new(base: &str, alternative: &str, d: &Difference) -> Self {
        ComparisonRow {
            base: base.to_string(),
            alternative: alternative.to_string(),
            metric: d.metric.clone(),
            base_mean: d.base.mean,
            alternative_mean: d.alternative.mean,
            difference_mean: d.difference.mean,
            difference_sd: d.difference.sd,
            ci95_low: d.difference.ci95_low,
            ci95_high: d.difference.ci95_high,
            ci95_half_width: d.difference.ci95_half_width,
            relative_change: d.relative_change,
            relative_ci95_low: d.relative_ci95.map(|r| r.0),
            relative_ci95_high: d.relative_ci95.map(|r| r.1),
            unpaired_ci95_half_width: d.unpaired_ci95_half_width,
            n: d.difference.n,
        }
    }

    /// The mean difference and its 95% CI (the mean for an absent CI).
    pub fn difference(&self) -> (f64, f64, f64) {
        estimate(self.difference_mean, self.ci95_low, self.ci95_high)
    }

    /// The relative change and its 95% CI, if the base mean is not 0. An unbounded CI (empty
    /// relative CI cells beside a difference CI) is `(−∞, ∞)`.
    pub fn relative(&self) -> Option<(f64, f64, f64)> {
        let r = self.relative_change?;
        if self.relative_ci95_low.is_none() && self.ci95_low.is_some() {
            return Some((r, f64::NEG_INFINITY, f64::INFINITY));
        }
        Some(estimate(r, self.relative_ci95_low, self.relative_ci95_high))
    }
}

/// The columns of `runs.csv`: each swept key (a sweep), `replication`, `psa.<key>` for
/// each uncertain parameter, then every metric.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunsColumns {
    /// Swept key paths, in the sweep's key order (none for a run).
    pub point: Vec<String>,
    /// Uncertain parameters' key paths (the columns are `psa.<path>`).
    pub uncertain: Vec<String>,
    /// Metric names, [`catalogue`] entries, in `Tally::for_each_metric` order.
    pub metrics: Vec<String>,
}

/// The column between a point's values and the sampled values.
const REPLICATION: &str = "replication";
/// Prefix of the sampled values' columns.
const PSA: &str = "psa.";

impl RunsColumns {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "runs.csv";

    /// The header line's cells.
    pub fn header(&self) -> Vec<String> {
        let mut header = self.point.clone();
        header.push(REPLICATION.into());
        header.extend(self.uncertain.iter().map(|u| format!("{PSA}{u}")));
        header.extend(self.metrics.iter().cloned());
        header
    }

    /// The columns of a header read from `path`, whose swept keys must be `point`.
    ///
    /// # Errors
    /// No `replication` column, swept keys other than `point`, or a metric column that is
    /// not in the catalogue.
    pub fn parse(path: &Path, header: &[String], point: &[String]) -> Result<Self, ReadError> {
        let Some(r) = header.iter().position(|h| h == REPLICATION) else {
            return Err(ReadError::malformed(path, "no column `replication`"));
        };
        let keys: Vec<&str> = point.iter().map(String::as_str).collect();
        check_columns(path, &header[..r], &keys)?;
        let sampled = header[r + 1..]
            .iter()
            .take_while(|h| h.starts_with(PSA))
            .count();
        let metrics = &header[r + 1 + sampled..];
        if let Some(unknown) = metrics.iter().find(|m| catalogue::lookup(m).is_none()) {
            return Err(ReadError::malformed(
                path,
                format!("unknown column `{unknown}` (not a metric caresim writes)"),
            ));
        }
        Ok(RunsColumns {
            point: point.to_vec(),
            uncertain: header[r + 1..r + 1 + sampled]
                .iter()
                .map(|h| h[PSA.len()..].to_string())
                .collect(),
            metrics: metrics.to_vec(),
        })
    }

    /// Read `dir/runs.csv`, whose swept keys must be `point`: its columns and rows.
    ///
    /// # Errors
    /// If the file cannot be read, its columns are not those expected, or a cell is not a
    /// number.
    pub fn read(dir: &Path, point: &[String]) -> Result<(Self, Vec<RunRow<'static>>), ReadError> {
        let path = dir.join(Self::FILE);
        let (header, mut reader) = open_csv(&path)?;
        let columns = Self::parse(&path, &header, point)?;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ReadError::malformed(&path, e))?;
            rows.push(columns.row(&path, &record)?);
        }
        Ok((columns, rows))
    }

    /// The row `record` of `path`.
    fn row(&self, path: &Path, record: &csv::StringRecord) -> Result<RunRow<'static>, ReadError> {
        let numbers = |from: usize, count: usize| -> Result<Vec<f64>, ReadError> {
            (from..from + count)
                .map(|i| number_at(path, record, i))
                .collect()
        };
        let k = self.point.len();
        let replication = record.get(k).unwrap_or("");
        Ok(RunRow {
            point: Cow::Owned(numbers(0, k)?),
            replication: replication.parse().map_err(|_| {
                ReadError::malformed(path, format!("`{replication}` is not a replication number"))
            })?,
            sampled: Cow::Owned(numbers(k + 1, self.uncertain.len())?),
            metrics: Cow::Owned(numbers(k + 1 + self.uncertain.len(), self.metrics.len())?),
        })
    }
}

/// One replication: a row of `runs.csv` (see [`RunsColumns`]). Values are in each
/// column's unit: the swept keys' and uncertain parameters' (see the manifest's parameter
/// units), the metrics' (see [`catalogue`]).
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow<'a> {
    /// The point's swept values (integer keys rounded as the model used them).
    pub point: Cow<'a, [f64]>,
    /// Replication number, from 0.
    pub replication: u32,
    /// The values sampled for the uncertain parameters.
    pub sampled: Cow<'a, [f64]>,
    /// The metrics' values.
    pub metrics: Cow<'a, [f64]>,
}

impl Serialize for RunRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(4)?;
        t.serialize_element(&PlainCells(&self.point))?;
        t.serialize_element(&self.replication)?;
        t.serialize_element(&PlainCells(&self.sampled))?;
        t.serialize_element(&PlainCells(&self.metrics))?;
        t.end()
    }
}

/// The columns of `sweep.csv`: `point`, each swept key, then the columns of a
/// [`SummaryRow`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepColumns {
    /// Swept key paths, in the sweep's key order.
    pub keys: Vec<String>,
}

impl SweepColumns {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "sweep.csv";

    /// The header line's cells.
    pub fn header(&self) -> Vec<String> {
        let mut header = vec!["point".to_string()];
        header.extend(self.keys.iter().cloned());
        header.extend(SummaryRow::COLUMNS.iter().map(ToString::to_string));
        header
    }

    /// Read `dir/sweep.csv`, whose swept keys must be `keys`.
    ///
    /// # Errors
    /// If the file cannot be read, its columns are not those expected, or a row is
    /// malformed.
    pub fn read(dir: &Path, keys: &[String]) -> Result<Vec<SweepRow<'static>>, ReadError> {
        let path = dir.join(Self::FILE);
        let (header, mut reader) = open_csv(&path)?;
        let columns = SweepColumns {
            keys: keys.to_vec(),
        };
        let want = columns.header();
        let want: Vec<&str> = want.iter().map(String::as_str).collect();
        check_columns(&path, &header, &want)?;
        if header != want {
            return Err(ReadError::malformed(
                &path,
                format!("columns out of order (expected {})", want.join(", ")),
            ));
        }
        let tail = csv::StringRecord::from(SummaryRow::COLUMNS.to_vec());
        let k = keys.len();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| ReadError::malformed(&path, e))?;
            let point = record.get(0).unwrap_or("");
            let summary: csv::StringRecord = record.iter().skip(1 + k).collect();
            rows.push(SweepRow {
                point: point.parse().map_err(|_| {
                    ReadError::malformed(&path, format!("`{point}` is not a point number"))
                })?,
                values: Cow::Owned(
                    (1..=k)
                        .map(|i| number_at(&path, &record, i))
                        .collect::<Result<_, _>>()?,
                ),
                summary: summary
                    .deserialize(Some(&tail))
                    .map_err(|e| ReadError::malformed(&path, e))?,
            });
        }
        Ok(rows)
    }
}

/// One metric of one sweep point: a row of `sweep.csv` (see [`SweepColumns`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SweepRow<'a> {
    /// Point number, from 0, in the manifest's order.
    pub point: usize,
    /// The point's swept values, in key order, in each key's unit.
    pub values: Cow<'a, [f64]>,
    /// The metric's summary at this point.
    pub summary: SummaryRow,
}

impl Serialize for SweepRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(3)?;
        t.serialize_element(&self.point)?;
        t.serialize_element(&PlainCells(&self.values))?;
        t.serialize_element(&self.summary)?;
        t.end()
    }
}

/// `summary.json`: the run's summaries by metric name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryJson {
    /// Scenario name.
    pub scenario: String,
    /// Replications.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// Metric name → its summary, in name order.
    pub metrics: BTreeMap<String, SummaryEntry>,
}

impl SummaryJson {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "summary.json";
}

/// One metric's summary in `summary.json`, in the metric's unit. The fields are in name
/// order, as the file has always had them.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryEntry {
    /// Half-width of the 95% CI of the mean (`null` with one replication).
    pub ci95_half_width: Option<f64>,
    /// Upper end of the 95% CI of the mean.
    pub ci95_high: Option<f64>,
    /// Lower end of the 95% CI of the mean.
    pub ci95_low: Option<f64>,
    /// Largest value of a replication.
    pub max: f64,
    /// Mean across replications.
    pub mean: f64,
    /// Smallest value of a replication.
    pub min: f64,
    /// Replications.
    pub n: u64,
    /// Sample standard deviation.
    pub sd: Option<f64>,
}

impl From<&Summary> for SummaryEntry {
    fn from(s: &Summary) -> Self {
        SummaryEntry {
            ci95_half_width: s.ci95_half_width,
            ci95_high: s.ci95_high,
            ci95_low: s.ci95_low,
            max: s.max,
            mean: s.mean,
            min: s.min,
            n: s.n,
            sd: s.sd,
        }
    }
}

/// `comparison.json`: each alternative's paired differences from the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparisonJson {
    /// The base arm's folder name.
    pub base: String,
    /// Base seed.
    pub seed: u64,
    /// Replications per arm.
    pub replications: u32,
    /// The alternatives, in order.
    pub alternatives: Vec<AlternativeJson>,
}

impl ComparisonJson {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "comparison.json";
}

/// One alternative of `comparison.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlternativeJson {
    /// Its folder name.
    pub name: String,
    /// Its difference from the base in each metric (in the metric's unit; relative
    /// changes as fractions).
    pub metrics: Vec<Difference>,
}

/// How this invocation ran: `timing.json` (differs between equivalent runs, so it is not
/// part of what makes results reproducible).
#[derive(Clone, Debug, Serialize, Deserialize)]
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

impl RunInfo {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "timing.json";
}
