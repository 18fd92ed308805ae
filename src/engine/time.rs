//! Simulation time.
//!
//! The clock is continuous and measured in days, like every duration in a scenario file
//! (`horizon_days`, `mean_days`, ...). A plain `f64` keeps the hot loop free of conversions;
//! the alias documents the unit at every use (hyperfine's `Second` does the same).

/// A point in simulated time or a duration, in days since the start of the replication.
pub type Days = f64;

/// Days in one year, used to turn yearly rates (`exacerbations_per_year`) into daily ones.
///
/// A fixed 365 keeps yearly and daily parameters exactly interconvertible (1/730 per day is
/// exactly 0.5 per year); leap days are below the precision of any rate in the domain brief.
pub const DAYS_PER_YEAR: Days = 365.0;
