//! Experiments: replications of a scenario, their seeds, and running them in parallel; sweep
//! files, shard sets and their progress, cluster time limits, the run budget, the `--reps auto` rule, and the pipeline that takes a
//! request (run, compare, sweep, merge) to a finished result folder ([`pipeline`]).

pub mod adaptive;
pub mod budget;
pub mod journal;
pub mod pipeline;
pub mod plan;
pub mod runner;
pub mod seed;
pub mod shards;
pub mod status;
pub mod sweep;
pub mod timing;

pub use plan::{Plan, Point};
pub use runner::{NoProgress, Progress, RunError, RunResult, run, run_plan};
pub use seed::{replication_seeds, stream_seed};
