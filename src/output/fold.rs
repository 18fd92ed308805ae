//! Folding replication results into summaries, one result at a time: Welford accumulators
//! per metric, per group metric and per day, so memory does not grow with replications.
//! Results are folded in item order, so the summaries are the same for any thread count.

use crate::experiment::RunResult;
use crate::model::{Params, Tally};
use crate::stats::{Summary, Welford};

/// Occupancy of one pool at the end of one day, across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct DayRow {
    /// Day number (1 = the end of the first day).
    pub day: usize,
    /// `acute` or `community_<service>`.
    pub series: String,
    /// Capacity in force at the census (beds or places), mean over replications: it varies
    /// by day under a `schedule`, and by replication when the capacity is uncertain.
    pub capacity: f64,
    /// Summary across replications (mean and its 95% CI, sd).
    pub summary: Summary,
}

impl DayRow {
    /// The band holding ~95% of replications, from the mean and sd (normal approximation,
    /// kept within 0 and the capacity, which occupancy cannot leave): (low, high).
    pub fn band95(&self) -> (f64, f64) {
        let s = &self.summary;
        let h = 1.96 * s.sd.unwrap_or(0.0);
        let top = self.capacity.max(s.max);
        ((s.mean - h).max(0.0), (s.mean + h).min(top))
    }
}

/// Everything summarised from one point's replications.
#[derive(Clone, Debug)]
pub struct Results {
    /// Metric names, in [`Tally::for_each_metric`] order.
    pub names: Vec<String>,
    /// One summary per metric.
    pub summaries: Vec<Summary>,
    /// `by_group.csv` rows: condition, age band, metric, summary.
    pub groups: Vec<(String, String, &'static str, Summary)>,
    /// `timeseries.csv` rows.
    pub timeseries: Vec<DayRow>,
    /// `by_year.csv`: the additive metrics by observed year; `None` when some replication
    /// has no values by year (results recorded before they existed), so that the years
    /// shown always add up to the totals.
    pub by_year: Option<ByYear>,
}

/// Summaries of the additive metrics by observed year, across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct ByYear {
    /// Metric names, in [`Tally::by_year_names`] order.
    pub names: Vec<String>,
    /// `years[y][m]`: the summary of metric `names[m]` in observed year `y + 1` (in the
    /// metric's unit, per year; the last year may be a part of one).
    pub years: Vec<Vec<Summary>>,
}

impl ByYear {
    /// Observed years.
    pub fn len(&self) -> usize {
        self.years.len()
    }

    /// Whether no year was observed.
    pub fn is_empty(&self) -> bool {
        self.years.is_empty()
    }

    /// `(year, metric, summary)` in file order: year-major, years numbered from 1, metrics
    /// in [`Tally::by_year_names`] order.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &str, &Summary)> {
        self.years.iter().enumerate().flat_map(move |(y, year)| {
            self.names
                .iter()
                .zip(year)
                .map(move |(m, s)| (y + 1, m.as_str(), s))
        })
    }
}

/// The values by year of `t` if they are complete: at least one year, each with one value
/// per name of `width` names (a tally recorded before values by year existed has none).
pub fn year_values(t: &Tally, width: usize) -> Option<&[Vec<f64>]> {
    (!t.years.is_empty() && t.years.iter().all(|y| y.len() == width)).then_some(&t.years[..])
}

/// The running fold of one point's results.
#[derive(Debug)]
pub struct Fold<'p> {
    params: &'p Params,
    names: Vec<String>,
    metrics: Vec<Welford>,
    groups: Vec<Vec<(&'static str, Welford)>>,
    series: Vec<String>,
    days: Vec<Welford>,
    /// Sum over replications of the capacity in force at each census, laid out as `days`.
    capacity: Vec<f64>,
    day_count: Option<usize>,
    values: Vec<f64>,
    /// Names of the metrics by year.
    year_names: Vec<String>,
    /// `years[y][m]`: metric `m` in year `y + 1`, across replications.
    years: Vec<Vec<Welford>>,
    /// Whether every replication pushed so far had complete values by year, the same
    /// number of years as the first.
    years_complete: bool,
}

/// Base capacity of every pool of `params`: acute, then each service.
fn base_capacities(params: &Params) -> impl Iterator<Item = f64> + '_ {
    std::iter::once(f64::from(params.acute.beds))
        .chain(params.services.iter().map(|s| f64::from(s.capacity)))
}

impl<'p> Fold<'p> {
    /// An empty fold for results of the point with parameters `params` (each replication's
    /// own parameters come with its result).
    pub fn new(params: &'p Params) -> Self {
        let series: Vec<String> = std::iter::once("acute".to_string())
            .chain(
                params
                    .services
                    .iter()
                    .map(|s| format!("community_{}", s.name)),
            )
            .collect();
        let names = Tally::metric_names(params);
        Fold {
            params,
            metrics: vec![Welford::default(); names.len()],
            names,
            groups: vec![Vec::new(); params.groups()],
            series,
            days: Vec::new(),
            capacity: Vec::new(),
            day_count: None,
            values: Vec::new(),
            year_names: Tally::by_year_names(params),
            years: Vec::new(),
            years_complete: true,
        }
    }

    /// Metric names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Add one result, run with `params` (the point's parameters with this replication's
    /// sampled values: every derived metric, such as a cost, uses them); returns its metric
    /// values (a `runs.csv` row).
    pub fn push(&mut self, r: &RunResult, params: &Params) -> &[f64] {
        let t = &r.tally;
        self.values.clear();
        t.for_each_metric(params, |_, v| self.values.push(v));
        for (w, &v) in self.metrics.iter_mut().zip(&self.values) {
            w.push(v);
        }
        for (acc, g) in self.groups.iter_mut().zip(&t.groups) {
            let mut i = 0;
            g.for_each_metric(|name, v| {
                if acc.len() == i {
                    acc.push((name, Welford::default()));
                }
                acc[i].1.push(v);
                i += 1;
            });
        }
        let width = self.series.len();
        let days = *self
            .day_count
            .get_or_insert(t.daily_occupancy.len() / width);
        if self.days.is_empty() {
            self.days = vec![Welford::default(); days * width];
            self.capacity = vec![0.0; days * width];
        }
        for (w, &x) in self
            .days
            .iter_mut()
            .zip(&t.daily_occupancy[..(days * width).min(t.daily_occupancy.len())])
        {
            w.push(f64::from(x));
        }
        self.push_years(t);
        if t.daily_capacity.len() == t.daily_occupancy.len() {
            for (sum, &k) in self.capacity.iter_mut().zip(&t.daily_capacity) {
                *sum += f64::from(k);
            }
        } else {
            let base: Vec<f64> = base_capacities(params).collect();
            for (i, sum) in self.capacity.iter_mut().enumerate() {
                *sum += base[i % width];
            }
        }
        &self.values
    }

    /// Add the values by year of `t`, or mark the years incomplete if it has none (or a
    /// different number of years or metrics from the others): a partial table whose years
    /// no longer add up to the totals would mislead.
    fn push_years(&mut self, t: &Tally) {
        if !self.years_complete {
            return;
        }
        let width = self.year_names.len();
        let Some(years) = year_values(t, width) else {
            self.years_complete = false;
            return;
        };
        // The first replication sets the number of years (never 0: see `year_values`).
        if self.years.is_empty() {
            self.years = vec![vec![Welford::default(); width]; years.len()];
        }
        if self.years.len() != years.len() {
            self.years_complete = false;
            return;
        }
        for (acc, values) in self.years.iter_mut().zip(years) {
            for (w, &v) in acc.iter_mut().zip(values) {
                w.push(v);
            }
        }
    }

    /// The summaries of everything pushed.
    pub fn finish(&self) -> Results {
        let mut groups = Vec::new();
        for (g, acc) in self.groups.iter().enumerate() {
            let (condition, band) = self.params.group_names(g);
            groups.extend(
                acc.iter()
                    .map(|(m, w)| (condition.to_string(), band.to_string(), *m, w.summary())),
            );
        }
        let width = self.series.len();
        let timeseries = self
            .days
            .iter()
            .enumerate()
            .map(|(i, w)| DayRow {
                day: i / width + 1,
                series: self.series[i % width].clone(),
                capacity: self.capacity[i] / w.count() as f64,
                summary: w.summary(),
            })
            .collect();
        Results {
            names: self.names.clone(),
            summaries: self.metrics.iter().map(Welford::summary).collect(),
            groups,
            timeseries,
            by_year: (self.years_complete && !self.years.is_empty()).then(|| ByYear {
                names: self.year_names.clone(),
                years: self
                    .years
                    .iter()
                    .map(|y| y.iter().map(Welford::summary).collect())
                    .collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid.toml");
        crate::scenario::load(&path).unwrap().params
    }

    /// A replication whose values by year are `years` (each row filled with one value per
    /// metric by year, `row[m] = base + m`).
    fn result(params: &Params, replication: u32, years: &[f64]) -> RunResult {
        let width = Tally::by_year_names(params).len();
        let mut tally = Tally::new(params);
        tally.years = years
            .iter()
            .map(|&base| (0..width).map(|m| base + m as f64).collect())
            .collect();
        RunResult {
            point: 0,
            replication,
            sampled: Vec::new(),
            tally,
        }
    }

    #[test]
    fn years_are_summarised_like_the_totals() {
        let params = params();
        let mut fold = Fold::new(&params);
        for (r, years) in [[1.0, 10.0], [3.0, 20.0], [5.0, 60.0]].iter().enumerate() {
            fold.push(&result(&params, r as u32, years), &params);
        }
        let by_year = fold.finish().by_year.expect("every replication has years");
        assert_eq!(by_year.names, Tally::by_year_names(&params));
        assert_eq!(by_year.len(), 2);
        let (first, second) = (&by_year.years[0], &by_year.years[1]);
        assert_eq!((first[0].mean, first[0].n), (3.0, 3));
        assert_eq!(first[2].mean, 5.0);
        assert_eq!(second[0].mean, 30.0);
        // The same CI method as summary.csv.
        let mut w = Welford::default();
        for x in [10.0, 20.0, 60.0] {
            w.push(x);
        }
        assert_eq!(second[0], w.summary());
        // Rows are year-major, years from 1, metrics in by-year order.
        let rows: Vec<(usize, &str)> = by_year.rows().map(|(y, m, _)| (y, m)).collect();
        assert_eq!(rows.len(), 2 * by_year.names.len());
        assert_eq!(rows[0], (1, by_year.names[0].as_str()));
        assert_eq!(rows[by_year.names.len()], (2, by_year.names[0].as_str()));
    }

    #[test]
    fn a_replication_without_years_leaves_no_table() {
        let params = params();
        // Results recorded before values by year existed: none at all.
        let mut fold = Fold::new(&params);
        fold.push(&result(&params, 0, &[]), &params);
        fold.push(&result(&params, 1, &[]), &params);
        assert_eq!(fold.finish().by_year, None);
        // One replication without them, after others with them.
        let mut fold = Fold::new(&params);
        fold.push(&result(&params, 0, &[1.0]), &params);
        fold.push(&result(&params, 1, &[]), &params);
        assert_eq!(fold.finish().by_year, None);
        // A different number of years. (A year short of metrics cannot be pushed: the
        // tally's totals are the sums of its years.)
        let mut fold = Fold::new(&params);
        fold.push(&result(&params, 0, &[1.0, 2.0]), &params);
        fold.push(&result(&params, 1, &[1.0]), &params);
        assert_eq!(fold.finish().by_year, None);
    }
}
