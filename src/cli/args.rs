//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// caresim: a fast, reproducible discrete-event simulator of a chronic-care health economy.
///
/// Scenario files are TOML (see README.md for every key). Exit codes: 0 ok, 1 run or I/O
/// failure, 2 bad arguments or scenario.
#[derive(Debug, Parser)]
#[command(name = "caresim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run replications of one scenario and write results to output/<name>/.
    Run(RunArgs),
    /// Run a base scenario and alternatives with common random numbers and write each
    /// alternative's difference from the base, paired by replication, with 95% CIs.
    Compare(CompareArgs),
    /// Parse and check scenario files without running them.
    Validate(ValidateArgs),
}

/// `caresim compare`
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario, then one or more alternatives (TOML).
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// Replications of every arm [default: the base scenario's simulation.replications].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..))]
    pub reps: Option<u32>,
    /// Base random seed of every arm [default: the base scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; 0 = one per core. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Result folder [default: output/compare_<base name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `caresim run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Replications [default: the scenario's simulation.replications].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub reps: Option<u32>,
    /// Base random seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; 0 = one per core. Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Result folder [default: output/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// No progress bar and no summary on the terminal.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `caresim validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print each scenario as resolved after `extends`.
    #[arg(long)]
    pub resolved: bool,
}
