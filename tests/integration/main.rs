//! The integration tests: one binary, one module per area (ripgrep's layout).
#![allow(
    clippy::items_after_statements,
    reason = "test-local recorders and helpers are declared next to their one use"
)]
#![allow(
    clippy::naive_bytecount,
    reason = "counting a journal's lines in a test does not need the bytecount crate"
)]
#![allow(
    clippy::trivially_copy_pass_by_ref,
    reason = "pixel predicates take what image's iterators yield"
)]

mod budget;
mod by_year;
mod calibration;
mod catalogue;
mod charts;
mod cli;
mod code_shape;
mod conservation;
mod conventions;
mod cost_effectiveness;
mod economics;
mod economics_keys;
mod editor_schema;
mod england;
mod evidence;
mod experiments;
mod features;
mod first_events;
mod first_hour;
mod formats;
mod fuzz;
mod golden;
mod hand_written;
mod honest_numbers;
mod limits;
mod message_format;
mod needs;
mod occupancy_charts;
mod persons;
mod policy;
mod queueing;
mod relative_ci;
mod report_safety;
mod reproducibility;
mod safety;
mod scenario_errors;
mod semantics;
mod slots;
mod slurm_safety;
mod slurm_submit;
mod tables;
mod targeting;
mod trends;
mod unstable_marks;
mod util;
