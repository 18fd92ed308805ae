//! The `--reps auto` stopping rule: replications are added in batches (10, then doubling,
//! up to a cap) until the 95% CI half-width of each [`PRECISION_METRICS`] is within a
//! fraction of its mean, in every point.
//!
//! Batch boundaries depend on nothing but the count, so the replications used are the same
//! however a run was interrupted, resumed or threaded.

use super::{Plan, RunResult};
use crate::model::Tally;
use crate::scenario::ScenarioError;
use crate::stats::Welford;

/// The metrics `--reps auto` makes precise (the catalogue's list).
pub const PRECISION_METRICS: [&str; 3] = crate::model::catalogue::PRECISION;

/// Replications in the first batch.
const FIRST_BATCH: u64 = 10;

/// The replication count after which the stopping rule is next checked: 10, then doubling,
/// never beyond `cap`. `None` starts the sequence.
pub fn next_boundary(boundary: Option<u64>, cap: u64) -> u64 {
    boundary.map_or(FIRST_BATCH, |b| b * 2).min(cap)
}

/// Running means and variances of the [`PRECISION_METRICS`] of every point of a plan.
#[derive(Debug)]
pub struct Precision {
    /// Per point: (metric index in the point's metric list, its accumulator).
    points: Vec<Vec<(usize, Welford)>>,
    /// Largest CI half-width accepted, as a fraction of the mean.
    precision: f64,
}

impl Precision {
    /// Nothing counted yet, for the points of `plan`, to reach `precision` (a fraction).
    pub fn new(plan: &Plan, precision: f64) -> Self {
        let points = plan
            .points
            .iter()
            .map(|p| {
                let names = Tally::metric_names(&p.params);
                PRECISION_METRICS
                    .iter()
                    .filter_map(|m| names.iter().position(|n| n == m))
                    .map(|k| (k, Welford::default()))
                    .collect()
            })
            .collect();
        Precision { points, precision }
    }

    /// Count one result, its metrics derived with the replication's own parameters.
    ///
    /// # Errors
    /// If the replication's parameters cannot be rebuilt (they were valid when it ran).
    pub fn push(&mut self, plan: &Plan, r: &RunResult) -> Result<(), ScenarioError> {
        let (params, _) = plan.params(r.point, r.replication)?;
        let values = r.tally.metric_values(&params);
        for (k, w) in &mut self.points[r.point as usize] {
            w.push(values[*k]);
        }
        Ok(())
    }

    /// Every tracked metric of every point is within the precision of its mean.
    pub fn reached(&self) -> bool {
        self.points.iter().flatten().all(|(_, w)| {
            w.summary()
                .ci95_half_width
                .is_some_and(|h| h <= self.precision * w.mean().abs())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_double_from_ten_up_to_the_cap() {
        let mut seen = Vec::new();
        let mut b = None;
        loop {
            let next = next_boundary(b, 100);
            seen.push(next);
            if next >= 100 {
                break;
            }
            b = Some(next);
        }
        assert_eq!(seen, [10, 20, 40, 80, 100]);
        assert_eq!(next_boundary(None, 4), 4);
    }
}
