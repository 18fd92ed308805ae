//! A time limit for each shard of a cluster run, from a short timing run on this machine.
//!
//! A few replications spread over the plan (its first, middle and last items, so a sweep's
//! points of different sizes are sampled) run one at a time on one thread. The slowest sets
//! the pace: a shard of `m` replications on `c` CPUs runs `⌈m ÷ c⌉` rounds of them, so
//!
//! ```text
//! limit = 2 × slowest × ⌈m ÷ c⌉ + 5 minutes, rounded up to whole minutes
//! ```
//!
//! The factor 2 covers slower cluster cores, threads that do not scale perfectly (two
//! threads ran 1.6-2.0 times as fast as one here; README "Scale") and replications slower
//! than those sampled; the 5 minutes cover start-up, folding and writing the shard.

use std::time::{Duration, Instant};

use super::plan::Plan;
use super::runner::{NoProgress, RunError, run_plan};

/// Replications timed at most.
pub const SAMPLES: u64 = 3;

/// The safety factor on the computing time.
pub const SAFETY_FACTOR: f64 = 2.0;

/// Fixed allowance per shard for start-up, folding and writing, seconds.
pub const OVERHEAD_SECONDS: f64 = 300.0;

/// What the timing run measured and the limit it gives.
#[derive(Clone, Debug)]
pub struct TimeEstimate {
    /// Replications timed.
    pub sampled: u64,
    /// Wall time of the slowest of them, seconds.
    pub slowest_seconds: f64,
    /// Replications of the largest shard.
    pub per_shard: u64,
    /// The limit, whole minutes.
    pub minutes: u64,
}

impl TimeEstimate {
    /// The limit in Slurm's syntax: `HH:MM:00`, or `D-HH:MM:00` from a day on.
    pub fn slurm(&self) -> String {
        slurm_minutes(self.minutes)
    }
}

/// `minutes` in Slurm's time syntax: `HH:MM:00`, or `D-HH:MM:00` from a day on.
pub fn slurm_minutes(minutes: u64) -> String {
    let (days, rest) = (minutes / 1440, minutes % 1440);
    let (h, m) = (rest / 60, rest % 60);
    if days > 0 {
        format!("{days}-{h:02}:{m:02}:00")
    } else {
        format!("{h:02}:{m:02}:00")
    }
}

/// Fixed allowance of the merge job for start-up, loading the scenario, the summaries and
/// the charts, seconds.
pub const MERGE_OVERHEAD_SECONDS: f64 = 300.0;

/// The merge job's allowance per replication (work item), seconds: it reads each record of
/// the shards' journals once. Measured here: 0.6 ms per replication of
/// `reference_chronic_flow_small` (22 kB records) and 2 ms of `nhs_2003_baseline` (70 kB
/// records), 35-40 MB/s of JSON; 10 ms leaves room for larger records and a slow shared
/// file system.
pub const MERGE_SECONDS_PER_ITEM: f64 = 0.01;

/// The merge job's allowance per shard, seconds: opening and checking each shard's folder
/// (a few metadata operations, slow on a busy shared file system).
pub const MERGE_SECONDS_PER_SHARD: f64 = 0.1;

/// The merge job's time limit for `items` replications in `shards` shards, whole minutes:
/// [`MERGE_OVERHEAD_SECONDS`] + [`MERGE_SECONDS_PER_ITEM`] × items +
/// [`MERGE_SECONDS_PER_SHARD`] × shards, rounded up to the minute. The merge's work grows
/// with the records it reads, not with how long the replications took to run.
pub fn merge_minutes(items: u64, shards: u32) -> u64 {
    let seconds = MERGE_OVERHEAD_SECONDS
        + MERGE_SECONDS_PER_ITEM * items as f64
        + MERGE_SECONDS_PER_SHARD * f64::from(shards);
    ((seconds / 60.0).ceil() as u64).clamp(1, 365 * 1440)
}

/// The limit for `shards` shards of `plan` on `cpus` CPUs each, from the slowest replication
/// measured by `time_item` over `SAMPLES` items spread over the plan (see the module docs).
fn estimate_with(
    plan: &Plan,
    shards: u32,
    cpus: u32,
    mut time_item: impl FnMut(u64) -> Result<Duration, RunError>,
) -> Result<TimeEstimate, RunError> {
    let items = plan.items();
    let sampled = SAMPLES.min(items);
    let mut slowest = Duration::ZERO;
    for k in 0..sampled {
        // First, middle(s) and last items.
        let item = if sampled > 1 {
            k * (items - 1) / (sampled - 1)
        } else {
            0
        };
        slowest = slowest.max(time_item(item)?);
    }
    let per_shard = items.div_ceil(u64::from(shards.max(1)));
    let rounds = per_shard.div_ceil(u64::from(cpus.max(1)));
    let seconds = SAFETY_FACTOR * slowest.as_secs_f64() * rounds as f64 + OVERHEAD_SECONDS;
    // Whole minutes; at most Slurm's 365 days (its limits are counted in minutes).
    let minutes = ((seconds / 60.0).ceil() as u64).clamp(1, 365 * 1440);
    Ok(TimeEstimate {
        sampled,
        slowest_seconds: slowest.as_secs_f64(),
        per_shard,
        minutes,
    })
}

/// Time a few replications of `plan` here and give each of its `shards` shards, on `cpus`
/// CPUs, a time limit (see the module docs for the formula).
///
/// # Errors
/// If a sampled replication's parameters are invalid or its thread cannot start.
pub fn estimate(plan: &Plan, shards: u32, cpus: u32) -> Result<TimeEstimate, RunError> {
    estimate_with(plan, shards, cpus, |item| {
        let started = Instant::now();
        run_plan(plan, item..item + 1, 1, &NoProgress, |_| Ok(()))?;
        Ok(started.elapsed())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(minutes: u64) -> String {
        TimeEstimate {
            sampled: 1,
            slowest_seconds: 0.0,
            per_shard: 1,
            minutes,
        }
        .slurm()
    }

    #[test]
    fn limits_are_in_slurm_syntax() {
        assert_eq!(limit(6), "00:06:00");
        assert_eq!(limit(61), "01:01:00");
        assert_eq!(limit(1440), "1-00:00:00");
        assert_eq!(limit(1440 * 2 + 75), "2-01:15:00");
    }

    #[test]
    fn the_merge_limit_grows_with_the_records_read() {
        // 300 + 0.01 × 800 + 0.1 × 8 = 308.8 s -> 6 minutes.
        assert_eq!(merge_minutes(800, 8), 6);
        // 300 + 0.01 × 100 000 + 0.1 × 1000 = 1400 s -> 24 minutes.
        assert_eq!(merge_minutes(100_000, 1000), 24);
        assert_eq!(slurm_minutes(merge_minutes(1, 1)), "00:06:00");
    }

    #[test]
    fn the_limit_follows_the_formula_from_the_slowest_sample() {
        let s = crate::scenario::load("tests/fixtures/valid.toml".as_ref()).unwrap();
        let plan = Plan::single(&s, 1, 10);
        let mut asked = Vec::new();
        // 10 items in 3 shards: 4 in the largest; on 2 CPUs, 2 rounds of the slowest (60 s):
        // 2 × 60 × 2 + 300 = 540 s = 9 minutes.
        let e = estimate_with(&plan, 3, 2, |item| {
            asked.push(item);
            Ok(Duration::from_secs(if item == 4 { 60 } else { 1 }))
        })
        .unwrap();
        assert_eq!(asked, vec![0, 4, 9]);
        assert_eq!((e.per_shard, e.minutes), (4, 9));
        assert!((e.slowest_seconds - 60.0).abs() < 1e-9);
        assert_eq!(e.slurm(), "00:09:00");
    }
}
