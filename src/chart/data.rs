//! Reading saved result folders back for charts and reports.

use std::collections::BTreeMap;
use std::path::Path;

use super::ChartError;

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
    /// Metric → mean and 95% CI.
    pub summary: BTreeMap<String, Estimate>,
    /// Daily census per pool.
    pub series: Vec<Series>,
    /// `runs.csv`: metric → value per replication.
    pub runs: BTreeMap<String, Vec<f64>>,
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
pub enum Kind {
    /// One scenario (`caresim run`).
    Run(Arm),
    /// A comparison: the base first, then the alternatives, and the paired changes.
    Compare {
        /// Arms, base first.
        arms: Vec<Arm>,
        /// `comparison.csv` rows.
        changes: Vec<Change>,
    },
    /// A sweep.
    Sweep {
        /// Scenario name.
        name: String,
        /// Swept key paths.
        columns: Vec<String>,
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

/// A CSV file as named columns of text.
struct Csv {
    path: std::path::PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Csv {
    fn read(path: &Path) -> Result<Self, ChartError> {
        let err = |message: String| ChartError::Data {
            path: path.to_path_buf(),
            message,
        };
        let mut r = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
        let header = r
            .headers()
            .map_err(|e| err(e.to_string()))?
            .iter()
            .map(String::from)
            .collect();
        let rows = r
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| err(e.to_string()))?;
        Ok(Csv {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    fn col(&self, name: &str) -> Result<usize, ChartError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ChartError::Data {
                path: self.path.clone(),
                message: format!("no column `{name}`"),
            })
    }

    fn num(&self, row: &csv::StringRecord, i: usize) -> Result<Option<f64>, ChartError> {
        let t = &row[i];
        if t.is_empty() {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| ChartError::Data {
            path: self.path.clone(),
            message: format!("`{t}` is not a number"),
        })
    }
}

/// Mean and CI from columns of `row` (the mean when the CI is empty).
fn estimate(
    c: &Csv,
    row: &csv::StringRecord,
    mean: usize,
    lo: usize,
    hi: usize,
) -> Result<Estimate, ChartError> {
    let m = c.num(row, mean)?.unwrap_or(f64::NAN);
    Ok((
        m,
        c.num(row, lo)?.unwrap_or(m),
        c.num(row, hi)?.unwrap_or(m),
    ))
}

fn summary(dir: &Path) -> Result<BTreeMap<String, Estimate>, ChartError> {
    let c = Csv::read(&dir.join("summary.csv"))?;
    let (m, mean, lo, hi) = (
        c.col("metric")?,
        c.col("mean")?,
        c.col("ci95_low")?,
        c.col("ci95_high")?,
    );
    c.rows
        .iter()
        .map(|r| Ok((r[m].to_string(), estimate(&c, r, mean, lo, hi)?)))
        .collect()
}

fn series(dir: &Path) -> Result<Vec<Series>, ChartError> {
    let c = Csv::read(&dir.join("timeseries.csv"))?;
    let (day, name, cap, mean, lo, hi) = (
        c.col("day")?,
        c.col("series")?,
        c.col("capacity")?,
        c.col("mean")?,
        c.col("band95_low")?,
        c.col("band95_high")?,
    );
    let mut out: Vec<Series> = Vec::new();
    for r in &c.rows {
        let i = match out.iter().position(|s| s.name == r[name]) {
            Some(i) => i,
            None => {
                out.push(Series {
                    name: r[name].to_string(),
                    days: Vec::new(),
                    mean: Vec::new(),
                    low: Vec::new(),
                    high: Vec::new(),
                    capacity: Vec::new(),
                });
                out.len() - 1
            }
        };
        let s = &mut out[i];
        s.days.push(c.num(r, day)?.unwrap_or(0.0));
        s.capacity.push(c.num(r, cap)?.unwrap_or(0.0));
        let m = c.num(r, mean)?.unwrap_or(0.0);
        s.mean.push(m);
        s.low.push(c.num(r, lo)?.unwrap_or(m));
        s.high.push(c.num(r, hi)?.unwrap_or(m));
    }
    Ok(out)
}

fn runs(dir: &Path) -> Result<BTreeMap<String, Vec<f64>>, ChartError> {
    let c = Csv::read(&dir.join("runs.csv"))?;
    let mut out = BTreeMap::new();
    for (i, h) in c.header.iter().enumerate() {
        let values = c
            .rows
            .iter()
            .map(|r| c.num(r, i).map(|v| v.unwrap_or(f64::NAN)))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(h.clone(), values);
    }
    Ok(out)
}

/// Read one scenario's result folder.
fn arm(dir: &Path, name: String) -> Result<Arm, ChartError> {
    Ok(Arm {
        name,
        summary: summary(dir)?,
        series: series(dir)?,
        runs: runs(dir)?,
    })
}

fn scenario_name(dir: &Path) -> Result<String, ChartError> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| ChartError::Data {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| ChartError::Data {
        path: path.clone(),
        message: e.to_string(),
    })?;
    Ok(v["scenario"]["name"]
        .as_str()
        .unwrap_or("scenario")
        .to_string())
}

/// Read the result folder `dir`: a comparison, a sweep, or a single run.
///
/// # Errors
/// If the folder holds no results or a file is malformed.
pub fn load_kind(dir: &Path) -> Result<Kind, ChartError> {
    if dir.join("comparison.csv").is_file() {
        let c = Csv::read(&dir.join("comparison.csv"))?;
        let (b, a, m) = (c.col("base")?, c.col("alternative")?, c.col("metric")?);
        let (d, dl, dh) = (
            c.col("difference_mean")?,
            c.col("ci95_low")?,
            c.col("ci95_high")?,
        );
        let (r, rl, rh) = (
            c.col("relative_change")?,
            c.col("relative_ci95_low")?,
            c.col("relative_ci95_high")?,
        );
        let mut names: Vec<String> = Vec::new();
        let mut changes = Vec::new();
        for row in &c.rows {
            if names.is_empty() {
                names.push(row[b].to_string());
            }
            if !names.contains(&row[a].to_string()) {
                names.push(row[a].to_string());
            }
            changes.push(Change {
                alternative: row[a].to_string(),
                metric: row[m].to_string(),
                difference: estimate(&c, row, d, dl, dh)?,
                relative: match c.num(row, r)? {
                    Some(v) if c.num(row, rl)?.is_none() && c.num(row, dl)?.is_some() => {
                        Some((v, f64::NEG_INFINITY, f64::INFINITY))
                    }
                    Some(_) => Some(estimate(&c, row, r, rl, rh)?),
                    None => None,
                },
            });
        }
        let arms = names
            .into_iter()
            .map(|n| arm(&dir.join(&n), n))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Kind::Compare { arms, changes });
    }
    if dir.join("sweep.csv").is_file() {
        let c = Csv::read(&dir.join("sweep.csv"))?;
        let (p, m) = (c.col("point")?, c.col("metric")?);
        let columns: Vec<String> = c.header[p + 1..m].to_vec();
        let (mean, lo, hi) = (c.col("mean")?, c.col("ci95_low")?, c.col("ci95_high")?);
        let mut points: Vec<SweepPoint> = Vec::new();
        for row in &c.rows {
            let idx: usize = row[p].parse().unwrap_or(0);
            if idx == points.len() {
                points.push(SweepPoint {
                    values: (p + 1..m)
                        .map(|i| c.num(row, i).map(|v| v.unwrap_or(f64::NAN)))
                        .collect::<Result<_, _>>()?,
                    metrics: BTreeMap::new(),
                });
            }
            if let Some(pt) = points.get_mut(idx) {
                pt.metrics
                    .insert(row[m].to_string(), estimate(&c, row, mean, lo, hi)?);
            }
        }
        return Ok(Kind::Sweep {
            name: scenario_name(dir)?,
            columns,
            points,
        });
    }
    if dir.join("summary.csv").is_file() {
        return Ok(Kind::Run(arm(dir, scenario_name(dir)?)?));
    }
    Err(ChartError::NotResults(dir.to_path_buf()))
}
