//! Running replications in parallel. rayon lives here and nowhere else.

use rayon::prelude::*;

use super::seed::replication_seeds;
use crate::model::{Params, Sim, Tally};

/// Told when each replication finishes (ticked once per replication, never per event).
pub trait Progress: Sync {
    /// One more replication is done.
    fn run_done(&self);
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn run_done(&self) {}
}

/// The outcome of one replication.
#[derive(Clone, Debug, PartialEq)]
pub struct RunResult {
    /// Replication index (0-based); its random streams derive from it.
    pub replication: u32,
    /// What it counted.
    pub tally: Tally,
}

/// Run replications `0..replications` of `params` with base seed `seed` on `threads`
/// threads (0 = one per core). Results come back in replication order whatever the thread
/// count, and each depends only on (params, seed, replication).
///
/// # Errors
/// If the thread pool cannot be created.
pub fn run(
    params: &Params,
    seed: u64,
    replications: u32,
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<RunResult>, rayon::ThreadPoolBuildError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    Ok(pool.install(|| {
        (0..replications)
            .into_par_iter()
            .map_init(
                || Sim::new(params),
                |sim, replication| {
                    let tally = sim.run(&replication_seeds(seed, replication));
                    progress.run_done();
                    RunResult { replication, tally }
                },
            )
            .collect()
    }))
}
