//! Experiments: replications of a scenario, their seeds, and running them in parallel.

pub mod runner;
pub mod seed;

pub use runner::{NoProgress, Progress, RunResult, run};
pub use seed::{replication_seeds, stream_seed};
