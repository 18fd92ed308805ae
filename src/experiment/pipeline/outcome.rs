//! What a pipeline produced: the folder written, its results, the points with no steady
//! state, and how long it took.

use std::path::{Path, PathBuf};

use crate::experiment::Plan;
use crate::experiment::shards::Shard;
use crate::output::{Compared, Folded};
use crate::stats::Difference;

/// What a finished run, comparison, sweep, shard or merge produced.
#[derive(Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// The folder written: the result folder, or a shard's folder.
    pub folder: PathBuf,
    /// What the folder holds.
    pub produced: Produced,
    /// The scenario's name (the base's, for a comparison).
    pub scenario: String,
    /// Points of the plan: 1 for a run, the arms of a comparison, a sweep's points.
    pub points: usize,
    /// Base seed.
    pub seed: u64,
    /// Replications per point used (with `--reps auto`, where the rule stopped).
    pub replications: u32,
    /// Work items folded (points × replications); a shard's own items are in
    /// [`Produced::Shard`].
    pub items: u64,
    /// Time and threads.
    pub timing: Timing,
    /// Points (arms) with replications that never reached a steady state, in point order;
    /// empty for a shard.
    pub unstable: Vec<UnstablePoint>,
    /// Charts drawn into `<folder>/charts/` (PNG files), when charts were asked for; `None`
    /// for a shard or without charts.
    pub charts: Option<usize>,
}

/// What a result folder holds.
// Not `#[non_exhaustive]`: a front end must say something for every kind of result.
#[derive(Debug)]
pub enum Produced {
    /// One shard of a run: its journal, put in place for `merge`.
    Shard {
        /// Which shard.
        shard: Shard,
        /// The items `start..end` it ran.
        items: (u64, u64),
    },
    /// A run's or sweep's summaries.
    Results(Folded),
    /// A comparison's paired differences.
    Compared(Compared),
}

/// How long a pipeline took, and on how many threads.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Timing {
    /// Wall-clock time of running the replications (of folding, for a merge), seconds.
    pub wall_seconds: f64,
    /// Worker threads (0 for a merge, which runs nothing).
    pub threads: usize,
    /// Replications found already done (in a resumed journal; every one, for a merge).
    pub reused: u64,
}

/// A point (sweep point, arm, or the run) with replications that never reached a steady
/// state: their waits, delays and bed-days grow with the horizon.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UnstablePoint {
    /// The point's index (the arm's, for a comparison; 0 for a run).
    pub point: usize,
    /// The point's swept values as (key path, value); empty for a run or an arm.
    pub values: Vec<(String, f64)>,
    /// Share of its replications with no steady state in some pool (0 to 1).
    pub share: f64,
    /// Each pool with no steady state in some replication, as named in the metrics
    /// (`acute`, or a community service's name), with its share of replications.
    pub pools: Vec<(String, f64)>,
}

/// The pools among the metrics `names` with no steady state in some replication, with the
/// share of replications (`means(i)` of metric `i`, `unstable_<pool>`).
fn unstable_pools(names: &[String], means: impl Fn(usize) -> f64) -> Vec<(String, f64)> {
    names
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let pool = n.strip_prefix("unstable_")?;
            let share = means(i);
            (share > 0.0).then(|| (pool.to_string(), share))
        })
        .collect()
}

/// The points of a run or sweep of `plan` whose replications (some of them) never reached a
/// steady state.
pub(super) fn unstable_points(plan: &Plan, folded: &Folded) -> Vec<UnstablePoint> {
    folded
        .unstable_points()
        .into_iter()
        .map(|(i, values, share)| {
            let results = match folded {
                Folded::Run(r) => r,
                Folded::Sweep(points) => &points[i].1,
            };
            let keys = plan.points[i].values.iter().map(|(k, _)| k.clone());
            UnstablePoint {
                point: i,
                values: keys.zip(values.iter().copied()).collect(),
                share,
                pools: unstable_pools(&results.names, |k| results.summaries[k].mean),
            }
        })
        .collect()
}

/// The arms of a comparison with a pool that never reached a steady state in some
/// replication.
pub(super) fn unstable_arms(c: &Compared) -> Vec<UnstablePoint> {
    type Mean = fn(&Difference) -> f64;
    c.arms
        .iter()
        .enumerate()
        .filter_map(|(i, _)| {
            // The base's values are in every difference; an alternative's in its own.
            let (diffs, of): (_, Mean) = if i == 0 {
                (c.differences.first()?, |d| d.base.mean)
            } else {
                (c.differences.get(i - 1)?, |d| d.alternative.mean)
            };
            let names: Vec<String> = diffs.iter().map(|d| d.metric.clone()).collect();
            let pools = unstable_pools(&names, |k| of(&diffs[k]));
            if pools.is_empty() {
                return None;
            }
            let share = diffs
                .iter()
                .find(|d| d.metric == "unstable")
                .map_or(0.0, of);
            Some(UnstablePoint {
                point: i,
                values: Vec::new(),
                share,
                pools,
            })
        })
        .collect()
}

/// PNG files in `<folder>/charts/`; 0 when there is no such folder.
pub(super) fn charts_in(folder: &Path) -> usize {
    std::fs::read_dir(folder.join("charts")).map_or(0, |d| {
        d.filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
        })
        .count()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_the_unstable_metrics_with_a_share() {
        let names: Vec<String> = ["unstable", "unstable_acute", "admissions", "unstable_home"]
            .map(String::from)
            .into();
        let means = [0.5, 0.25, 600.0, 0.0];
        assert_eq!(
            unstable_pools(&names, |i| means[i]),
            [("acute".to_string(), 0.25)]
        );
    }
}
