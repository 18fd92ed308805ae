//! caresim: a fast, reproducible discrete-event simulator of a chronic-care health economy.
pub mod chart;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod stats;
