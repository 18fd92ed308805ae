//! What a pipeline is asked to do: the experiment, its options, and where its results go.

use std::path::PathBuf;

use crate::experiment::shards::Shard;

/// What to run.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Experiment {
    /// Replications of one scenario file.
    Run {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// How many replications.
        replications: Replications,
    },
    /// A base scenario and alternatives, every arm with the same seed and replications
    /// (common random numbers), folded into paired differences from the base.
    Compare {
        /// The base scenario file, then the alternatives (at least one).
        scenarios: Vec<PathBuf>,
        /// How many replications of every arm (at least 2).
        replications: Replications,
    },
    /// Every point of a sweep file.
    Sweep {
        /// The sweep file (TOML).
        sweep: PathBuf,
        /// Replications per point; `None`: the sweep file's, else its scenario's.
        replications: Option<u32>,
    },
}

/// How many replications a run or comparison has.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Replications {
    /// This many per point; `None`: the (base) scenario's `simulation.replications`.
    Fixed(Option<u32>),
    /// Batches of 10, 10, 20, 40, ... until the 95% CI half-width of each
    /// [`PRECISION_METRICS`](crate::experiment::adaptive::PRECISION_METRICS) is within
    /// `precision` (a fraction of the mean, in (0, 1)) in every arm, or `max` replications.
    Auto {
        /// The largest CI half-width accepted, as a fraction of the mean.
        precision: f64,
        /// The most replications to run.
        max: u32,
    },
}

/// A run, comparison or sweep to run through the journal into a result folder.
///
/// The fields mirror the command line of `caresim run`, `compare` and `sweep`.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// What to run.
    pub experiment: Experiment,
    /// Base random seed; `None`: the sweep file's, else the (base) scenario's.
    pub seed: Option<u64>,
    /// Worker threads; 0 = one per core. Results do not depend on it.
    pub threads: usize,
    /// The result folder; `None`: the command's default (see
    /// [`layout`](crate::output::layout)).
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists, and discard an unfinished run's journal that
    /// does not match this one.
    pub force: bool,
    /// Run only this shard of the work items, into the shard folder beside the result
    /// folder, for [`merge`](super::merge()) to fold.
    pub shard: Option<Shard>,
    /// Draw the charts into the result folder.
    pub charts: bool,
    /// The command line that asked for the run, recorded in `timing.json`.
    pub command: Vec<String>,
}

/// Shard folders to fold into the result of the whole run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeRequest {
    /// The shard folders (every shard of one run, in any order).
    pub shards: Vec<PathBuf>,
    /// The result folder; `None`: the folder the shards were named after.
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists.
    pub force: bool,
    /// Draw the charts into the result folder.
    pub charts: bool,
    /// The command line that asked for the merge, recorded in `timing.json`.
    pub command: Vec<String>,
}
