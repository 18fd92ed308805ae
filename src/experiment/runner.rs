//! Running replications in parallel. rayon lives here and nowhere else.
//!
//! Work is a list of items, (point, replication) pairs in point-major order. Items are run
//! in chunks: each chunk in parallel, its results handed on in item order. So whatever the
//! thread count, results arrive in the same order and anything folded from them is
//! byte-identical; and memory holds one chunk of results, not the whole run.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::plan::Plan;
use super::seed::replication_seeds;
use crate::model::{Params, Sim, Tally};
use crate::scenario::ScenarioError;

/// Told when each replication finishes (ticked once per replication, never per event).
///
/// The [`pipeline`](super::pipeline) also says when a run's replications start and when
/// they are all done, so that a progress bar can be drawn for just that stretch.
pub trait Progress: Sync {
    /// One more replication is done.
    fn run_done(&self);

    /// Replications are about to run: `total` to count, `done` of them already finished
    /// (by an interrupted run that is being resumed). Nothing by default.
    fn start(&self, total: u64, done: u64) {
        let _ = (total, done);
    }

    /// Replication `replication` of point `point` (an arm of a comparison, a point of a
    /// sweep) is starting on some worker thread; called once per replication, never per
    /// event. Nothing by default.
    fn run_started(&self, point: u32, replication: u32) {
        let _ = (point, replication);
    }

    /// Every replication is done. Nothing by default.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn run_done(&self) {}
}

/// The outcome of one replication of one point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Point index (0 without a sweep).
    #[serde(default)]
    pub point: u32,
    /// Replication index (0-based); its random streams derive from it.
    pub replication: u32,
    /// Sampled values of the uncertain parameters, in [`Scenario::uncertain`](crate::scenario::Scenario::uncertain) order.
    #[serde(default)]
    pub sampled: Vec<f64>,
    /// What it counted.
    pub tally: Tally,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The worker threads could not be started.
    #[error("starting worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// A sampled or swept parameter set is invalid.
    // The problems name the replication and sit at the parameter's place in the file; they
    // are this error's whole message, and not also its source (which would print them twice).
    #[error("{problems}")]
    Params {
        /// Point index.
        point: u32,
        /// Replication index.
        replication: u32,
        /// The problems.
        problems: ScenarioError,
    },
    /// The consumer of results failed (writing the journal).
    #[error("{0}")]
    Sink(#[from] anyhow::Error),
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
                    RunResult {
                        point: 0,
                        replication,
                        sampled: Vec::new(),
                        tally,
                    }
                },
            )
            .collect()
    }))
}

/// Run items `items` of `plan` on `threads` threads (0 = one per core), handing each result
/// to `sink` in item order.
///
/// # Errors
/// An invalid sampled parameter set (the first in item order), thread start-up, or the
/// sink's error; results before the failing item have been handed on.
pub fn run_plan(
    plan: &Plan,
    items: Range<u64>,
    threads: usize,
    progress: &dyn Progress,
    mut sink: impl FnMut(RunResult) -> anyhow::Result<()>,
) -> Result<(), RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let workers = pool.current_num_threads();
    // Results are handed on in item order a chunk at a time, and each chunk ends with every
    // thread waiting for the slowest replication: 16 items per thread keep that wait small
    // (with 4, two threads ran 64 baseline replications only ~1.5-1.9 times as fast as one;
    // issue 16) while holding few results in memory.
    let chunk = (workers as u64 * 16).max(1);
    // One simulator per worker thread, kept across chunks (allocated once, not per chunk);
    // the lock is taken once per replication and never contended (a worker uses only its
    // own).
    let sims: Vec<Mutex<Option<(u32, Sim<'_>)>>> = (0..workers).map(|_| Mutex::new(None)).collect();
    let mut start = items.start;
    while start < items.end {
        let end = (start + chunk).min(items.end);
        let results: Vec<Result<RunResult, RunError>> = pool.install(|| {
            (start..end)
                .into_par_iter()
                .map(|item| {
                    let worker = rayon::current_thread_index().unwrap_or(0) % workers;
                    let mut cached = sims[worker]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let (point, replication) = plan.item(item);
                    progress.run_started(point, replication);
                    let r = run_item(plan, item, &mut cached);
                    progress.run_done();
                    r
                })
                .collect()
        });
        for r in results {
            sink(r?)?;
        }
        start = end;
    }
    Ok(())
}

/// Run one item, reusing the worker's simulator when the point has fixed parameters.
fn run_item<'p>(
    plan: &'p Plan,
    item: u64,
    cached: &mut Option<(u32, Sim<'p>)>,
) -> Result<RunResult, RunError> {
    let (point, replication) = plan.item(item);
    let seeds = replication_seeds(plan.seed, replication);
    let (params, sampled) =
        plan.params(point, replication)
            .map_err(|problems| RunError::Params {
                point,
                replication,
                problems,
            })?;
    let tally = match params {
        Cow::Borrowed(p) => {
            if cached.as_ref().is_none_or(|(cp, _)| *cp != point) {
                *cached = Some((point, Sim::new(p)));
            }
            let (_, sim) = cached.as_mut().expect("set above");
            sim.run(&seeds)
        }
        Cow::Owned(p) => Sim::new(&p).run(&seeds),
    };
    Ok(RunResult {
        point,
        replication,
        sampled,
        tally,
    })
}
