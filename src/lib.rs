//! caresim: a fast, reproducible discrete-event simulator of a chronic-care health economy.
//!
//! People with chronic conditions move between home, primary care, acute beds and community
//! services; a scenario (a TOML file) sets the population, capacities, stays, costs and
//! policy levers; replications of it are run in parallel and folded into summaries with
//! confidence intervals. The `caresim` binary is a thin layer over this library.
//!
//! The layers, from the bottom:
//! - [`engine`]: simulated time, the calendar event queue, capacity pools, time integrals;
//! - [`model`]: the validated parameters ([`model::Params`]), one replication of the
//!   patient-flow model ([`model::Sim`] running the handlers over a [`model::World`]), the
//!   policy levers ([`model::levers`], consulted at named hook points) and community-service
//!   behaviours ([`model::services`]), what a replication counts ([`model::Tally`]) and the
//!   metric catalogue ([`model::catalogue`]);
//! - [`scenario`]: reading, merging (`extends`) and validating scenario files (one checker
//!   per table, one per `[policy.*]` lever), with every problem located at its
//!   `file:line:col`;
//! - [`experiment`]: plans of points × replications, seeds, parallel runs, journals, sweeps,
//!   the run budget and the `--reps auto` rule, and the [`experiment::pipeline`] that takes
//!   a run, comparison or sweep from its files to its result folder (failing with one
//!   [`Error`] that says whether the input was bad);
//! - [`stats`], [`output`], [`chart`], [`report`]: summaries and paired differences, result
//!   files (one type per file in [`output::schema`], used to write and to read them), PNG
//!   charts, HTML/Markdown reports.
//!
//! Running a bundled scenario in-process and reading a metric:
//!
//! ```
//! use std::path::Path;
//!
//! let root = Path::new(env!("CARGO_MANIFEST_DIR"));
//! let scenario = caresim::scenario::load(&root.join("scenarios/reference_chronic_flow_small.toml"))
//!     .expect("a valid scenario");
//! // Two replications with base seed 1, on one thread; each depends only on
//! // (parameters, seed, replication), so the numbers are the same on any machine.
//! let results = caresim::experiment::run(&scenario.params, 1, 2, 1, &caresim::experiment::NoProgress)
//!     .expect("threads start");
//! let names = caresim::model::Tally::metric_names(&scenario.params);
//! let admissions = names.iter().position(|n| n == "admissions").unwrap();
//! for r in &results {
//!     let values = r.tally.metric_values(&scenario.params);
//!     assert!(values[admissions] > 0.0);
//! }
//! ```
#![warn(missing_docs)]

pub mod build_info;
pub mod chart;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod stats;

pub use error::Error;
