//! What a pipeline tells its caller while it works.

use std::path::Path;

use crate::experiment::Progress;

/// Watches a pipeline: ticked per replication (through [`Progress`], whose `start` and
/// `finish` bracket the replications run) and told [`Notice`]s as they happen, so that a
/// front end can show them in order, before the run's outcome is known.
pub trait Monitor: Progress {
    /// Something worth telling the user happened.
    fn notice(&self, notice: &Notice<'_>);
}

/// Something a pipeline says while it works, in the order it happens.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notice<'a> {
    /// A sweep's plan is made (before any check of its result folder).
    SweepPlanned {
        /// Points of the sweep.
        points: usize,
        /// Replications per point.
        replications: u32,
        /// Runs in all (points × replications).
        items: u64,
    },
    /// A warning from the run budget, before anything runs (e.g. a run that may take
    /// hours), in words.
    Budget(&'a str),
    /// An unfinished journal of the same run is resumed.
    Resuming {
        /// Replications already in it.
        done: u64,
        /// Replications the run (or shard) has in all.
        total: u64,
        /// The journal folder.
        journal: &'a Path,
    },
    /// `--reps auto` has stopped adding replications.
    AutoStopped {
        /// Replications per point used.
        replications: u32,
        /// Whether the precision was reached (else the cap was).
        reached: bool,
        /// The precision asked for, as a fraction of the mean.
        precision: f64,
        /// Points (arms) of the plan.
        points: usize,
    },
}

/// A [`Monitor`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unwatched;

impl Progress for Unwatched {
    fn run_done(&self) {}
}

impl Monitor for Unwatched {
    fn notice(&self, _: &Notice<'_>) {}
}
