//! The integration tests: one binary, one module per area (ripgrep's layout).

mod budget;
mod calibration;
mod catalogue;
mod charts;
mod cli;
mod conservation;
mod experiments;
mod features;
mod formats;
mod fuzz;
mod golden;
mod honest_numbers;
mod limits;
mod occupancy_charts;
mod policy;
mod queueing;
mod relative_ci;
mod report_safety;
mod reproducibility;
mod safety;
mod scenario_errors;
mod semantics;
mod slurm_safety;
mod unstable_marks;
mod util;
