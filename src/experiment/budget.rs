//! Refusing the impossible before starting: estimates of the patients, events and memory of
//! one replication from the resolved parameters, and the check of a whole run (points ×
//! replications on some threads) against the machine's available memory.
//!
//! The estimates are honest upper-ish figures, not worst cases: patients ever alive assume
//! nobody dies; events count every candidate event at home at the peak (seasonal,
//! post-discharge) rate, plus the events of each admission; memory uses the sizes of the
//! real per-patient records and queue entries. `tests/integration/budget.rs` compares them
//! with measured runs.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use caresim::experiment::budget;
//! let s = caresim::scenario::load("scenarios/reference_chronic_flow.toml".as_ref())?;
//! let warnings = budget::check(&[&s.params], 100, 1, 8, budget::available_memory())?;
//! for w in warnings {
//!     eprintln!("warning: {w}");
//! }
//! # Ok(()) }
//! ```

use crate::engine::{DAYS_PER_YEAR, Scheduled, TimeIntegral};
use crate::model::dist::show_count;
use crate::model::patients::{Cold, Hot};
use crate::model::tally::GroupTally;
use crate::model::{Event, Params, Tally};
use crate::stats::Welford;

/// *Estimated* events (as [`estimate`] counts them) handled per second by one thread.
///
/// Measured with a release build, one thread, on a busy 2-core VM: `caresim run
/// scenarios/nhs_2003_baseline.toml --threads 1` takes 0.18 s per replication for 387k
/// handled events (2.2M events/s; 549k estimated, 3.1M estimated events/s), and
/// `reference_chronic_flow_small.toml` 0.063 s for 145k (2.3M/s; 164k estimated). Rounded
/// down, so that run-time warnings err on the long side.
pub const EVENTS_PER_SECOND_PER_THREAD: f64 = 2.0e6;

/// A run estimated to take longer than this (wall clock, seconds) gets a warning.
pub const LONG_RUN_SECONDS: f64 = 600.0;

/// Memory the process needs apart from replications: code, thread stacks, rayon, buffers
/// (a whole `caresim run` of `nhs_2003_baseline.toml` on one thread peaks at 24 MB RSS).
pub const BASE_MEMORY_BYTES: u64 = 32 << 20;

/// Bytes per person in the calendar queue: two 16-byte entries (a candidate at home and an
/// ageing event may both be pending; blocks and buckets are partly filled), an upper bound
/// (see [`EventQueue::with_hint`](crate::engine::EventQueue)). Persons ever created count,
/// though the patient table reuses the slots of the dead: the estimate errs high.
const QUEUE_BYTES_PER_PENDING: usize = 2 * std::mem::size_of::<Scheduled<Event>>();

/// Bytes per patient record: hot and cold records, with the table's 10% headroom.
const PATIENT_BYTES: f64 = 1.1 * (std::mem::size_of::<Hot>() + std::mem::size_of::<Cold>()) as f64;

/// Fine buckets of the wait histogram (`sim.rs`: 365 days in 0.01-day bins), `u32` each;
/// one more bucket per day of horizon beyond 365 days.
const FINE_WAIT_HISTOGRAM_BYTES: usize = 36_501 * 4;

/// Events each admission request adds besides the exacerbation that caused it: end of stay,
/// then (for some) an end of a community episode, a delay time limit or a diversion.
const EVENTS_PER_ADMISSION: f64 = 2.0;

/// What one replication of a parameter set needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Patients ever in the patient table: the starting cohort plus every new patient of
    /// the horizon (warm-up included).
    pub patients_ever: f64,
    /// Events handled, expected.
    pub events_per_replication: f64,
    /// Peak memory of one replication in flight (patient table, event queue, histograms,
    /// its tally with the daily census), bytes.
    pub memory_bytes_per_replication: u64,
    /// Memory per point kept for the whole run (the per-day summaries behind
    /// `timeseries.csv`, per-group summaries), bytes.
    pub memory_bytes_per_point: u64,
    /// Size of one replication's result (its tally), bytes: results wait in memory in chunks
    /// of a few per thread.
    pub result_bytes: u64,
    /// The scenario keys that drive the estimates, with their values, largest driver first
    /// (`conditions.copd.patients`, `conditions.copd.new_patients_per_year`,
    /// `simulation.horizon_days`, ...).
    pub drivers: Vec<(String, f64)>,
}

/// Estimate what one replication of `params` needs.
pub fn estimate(params: &Params) -> Estimate {
    let horizon = params.horizon_days.max(0.0);
    let peak_season = params.seasonality.map_or(1.0, |s| s.max_multiplier());
    let mut patients_start = 0.0;
    let mut arrivals = 0.0;
    let mut home_events = 0.0;
    let mut admissions = 0.0;
    // Each condition's cohort and incidence, as patient-days at home (nobody leaving).
    let mut cohort_drivers: Vec<(String, f64, f64)> = Vec::new(); // (key, value, patients)
    for (c, cond) in params.conditions.iter().enumerate() {
        let start = cond.patients() as f64;
        let new = cond.new_patients_per_day * horizon;
        patients_start += start;
        arrivals += new;
        // Present on average over the horizon: the cohort, and half the newcomers.
        let present_days = (start + new / 2.0) * horizon;
        let post = cond.post_discharge_multiplier.max(1.0);
        let death: f64 = if start > 0.0 {
            cond.bands
                .iter()
                .map(|b| f64::from(b.patients) * b.death_rate_per_day)
                .sum::<f64>()
                / start
        } else {
            cond.bands
                .iter()
                .map(|b| b.death_rate_per_day)
                .fold(0.0, f64::max)
        };
        for tier in &params.tiers {
            let share = tier.shares.get(c).copied().unwrap_or(0.0);
            let exacerbations = cond.exacerbation_rate_per_day * tier.exacerbation_multiplier;
            let candidates = exacerbations * peak_season * post + death;
            home_events += share * present_days * candidates;
            admissions += share
                * present_days
                * exacerbations
                * (cond.admit * tier.admit_multiplier).min(1.0);
        }
        let base = format!("conditions.{}", cond.name);
        cohort_drivers.push((format!("{base}.patients"), start, start));
        if cond.new_patients_per_day > 0.0 {
            cohort_drivers.push((
                format!("{base}.new_patients_per_year"),
                cond.new_patients_per_day * DAYS_PER_YEAR,
                new,
            ));
        }
    }
    // With `[multimorbidity]` the table holds persons, not one record per condition, and
    // people entering the population arrive besides each condition's first diagnoses (at
    // the highest yearly rate: an upper bound).
    if let Some(persons) = &params.persons {
        patients_start = persons.persons() as f64;
        if let Some(e) = &persons.entrants {
            arrivals += (0..e.per_day.len())
                .map(|b| e.max_rate(b) * persons.with_conditions(b) * horizon)
                .sum::<f64>();
        }
    }
    let schedule_events: f64 = std::iter::once(&params.acute.schedule)
        .chain(params.services.iter().map(|s| &s.schedule))
        .map(|s| {
            let repeats = s
                .repeat_days
                .filter(|r| *r > 0.0)
                .map_or(1.0, |r| (horizon / r).ceil().max(1.0));
            s.changes.len() as f64 * repeats
        })
        .sum();
    let events = home_events
        + admissions * EVENTS_PER_ADMISSION
        + arrivals
        + horizon // the midnight census
        + schedule_events;
    let patients_ever = patients_start + arrivals;

    let width = 1 + params.services.len();
    let days = horizon.floor() as usize;
    let cells = params.conditions.len() * params.population.age_bands.len() * params.tiers.len();
    let scheduled = std::iter::once(&params.acute.schedule)
        .chain(params.services.iter().map(|s| &s.schedule))
        .any(|s| !s.changes.is_empty());
    // The daily census of occupancy, and of capacity when a schedule changes it.
    let census_series = if scheduled { 2 } else { 1 };
    // The values by year: one row per observed year (and the part after the last) of the
    // additive metrics, held twice (the cumulative marks and the tally's years).
    let observed_years = (params.observed_days() / DAYS_PER_YEAR).floor() as usize + 1;
    let additive_metrics = Tally::by_year_names(params).len();
    let tally_bytes = std::mem::size_of::<Tally>()
        + census_series * days * width * std::mem::size_of::<f32>()
        + params.groups() * std::mem::size_of::<GroupTally>()
        + (2 * params.services.len() + params.tiers.len()) * 8 * 2
        + 2 * observed_years * additive_metrics * 8;
    let per_replication = patients_ever * PATIENT_BYTES
        + (patients_start + arrivals).max(1.0) * QUEUE_BYTES_PER_PENDING as f64
        + (FINE_WAIT_HISTOGRAM_BYTES
            + (horizon - crate::model::sim::FINE_WAIT_DAYS).max(0.0) as usize * 4
            + cells * (std::mem::size_of::<TimeIntegral>() + 128)
            + tally_bytes) as f64;
    let per_point = days * width * (std::mem::size_of::<Welford>() + 8)
        + params.groups() * 8 * (std::mem::size_of::<Welford>() + 16);

    let mut drivers: Vec<(String, f64)> = Vec::new();
    cohort_drivers.sort_by(|a, b| b.2.total_cmp(&a.2));
    drivers.extend(
        cohort_drivers
            .into_iter()
            .filter(|d| d.2 > 0.0)
            .map(|(k, v, _)| (k, v)),
    );
    drivers.push(("simulation.horizon_days".into(), horizon));
    Estimate {
        patients_ever,
        events_per_replication: events,
        memory_bytes_per_replication: saturating_u64(per_replication),
        memory_bytes_per_point: per_point as u64,
        result_bytes: tally_bytes as u64,
        drivers,
    }
}

fn saturating_u64(x: f64) -> u64 {
    if x.is_finite() && x >= 0.0 {
        x.min(u64::MAX as f64) as u64
    } else {
        u64::MAX
    }
}

/// The machine's available memory, bytes: `MemAvailable` of `/proc/meminfo` on Linux;
/// `None` elsewhere or when it cannot be read (then [`check`] skips the memory check).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let kib: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => kib.checked_mul(1024),
        Some(_) => None,
    }
}

/// Estimated peak memory of a run, bytes: every replication in flight at once (at most
/// `threads`, at most the items), the results waiting in a chunk, the summaries of every
/// point, and the process's own [`BASE_MEMORY_BYTES`].
fn run_memory(estimates: &[Estimate], replications: u64, points: u64, threads: usize) -> f64 {
    let items = replications.saturating_mul(points).max(1);
    let concurrent = (threads.max(1) as u64).min(items) as f64;
    let worst = estimates
        .iter()
        .map(|e| e.memory_bytes_per_replication as f64)
        .fold(0.0, f64::max);
    let result = estimates
        .iter()
        .map(|e| e.result_bytes as f64)
        .fold(0.0, f64::max);
    let per_point = estimates
        .iter()
        .map(|e| e.memory_bytes_per_point as f64)
        .fold(0.0, f64::max);
    // The runner collects chunks of 4 items per thread before handing them on.
    let chunk = (4.0 * concurrent).min(items as f64);
    BASE_MEMORY_BYTES as f64 + concurrent * worst + chunk * result + points as f64 * per_point
}

fn gb(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

/// Check a run before starting it: `params_of_points` are the parameters of each point
/// (one for a plain run; the sweep points or compared arms otherwise; with uncertain
/// parameters, their means), run `replications` times each — `points` points in all (the
/// parameters may be a sample of them, e.g. the two ends of a sweep range: the largest
/// estimate stands for every point) — on `threads` worker threads (0 = one per core).
///
/// # Errors
/// A refusal when the estimated peak memory exceeds `available_memory` (bytes, from
/// [`available_memory`]; `None` skips the check), naming the keys that drive the estimate,
/// the estimate and the memory available.
///
/// Returns warnings (possibly none): a run estimated to take longer than
/// [`LONG_RUN_SECONDS`] at [`EVENTS_PER_SECOND_PER_THREAD`].
pub fn check(
    params_of_points: &[&Params],
    replications: u64,
    points: u64,
    threads: usize,
    available_memory: Option<u64>,
) -> Result<Vec<String>, String> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    } else {
        threads
    };
    let estimates: Vec<Estimate> = params_of_points.iter().map(|p| estimate(p)).collect();
    let Some(biggest) = estimates
        .iter()
        .max_by_key(|e| e.memory_bytes_per_replication)
    else {
        return Ok(Vec::new());
    };
    let points = points.max(1);
    let drivers = |e: &Estimate| {
        e.drivers
            .iter()
            .take(4)
            .map(|(k, v)| format!("{k} = {}", show_count(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let memory = run_memory(&estimates, replications, points, threads);
    if let Some(available) = available_memory
        && memory > available as f64
    {
        let items = replications.saturating_mul(points).max(1);
        let concurrent = (threads as u64).min(items);
        return Err(format!(
            "this run needs about {} of memory but {} is available: {} replication{} at once × {} each ({} patients ever alive per replication; driven by {}); lower the patients, new_patients_per_year or horizon_days, or run fewer threads (--threads)",
            gb(memory),
            gb(available as f64),
            concurrent,
            if concurrent == 1 { "" } else { "s" },
            gb(biggest.memory_bytes_per_replication as f64),
            show_count(biggest.patients_ever.round()),
            drivers(biggest),
        ));
    }
    let mut warnings = Vec::new();
    let events_per_point = estimates
        .iter()
        .map(|e| e.events_per_replication)
        .sum::<f64>()
        / estimates.len() as f64;
    let total_events = events_per_point * replications as f64 * points as f64;
    let items = replications.saturating_mul(points).max(1);
    let parallel = (threads as u64).min(items) as f64;
    let seconds = total_events / EVENTS_PER_SECOND_PER_THREAD / parallel;
    if seconds > LONG_RUN_SECONDS {
        let slowest = estimates
            .iter()
            .max_by(|a, b| {
                a.events_per_replication
                    .total_cmp(&b.events_per_replication)
            })
            .unwrap_or(biggest);
        warnings.push(format!(
            "this run may take about {} on {} thread{}: {} events per replication × {} replication{} × {} point{} (driven by {}); --reps, a shorter horizon or more threads make it shorter",
            duration(seconds),
            parallel,
            if parallel == 1.0 { "" } else { "s" },
            show_count(slowest.events_per_replication.round()),
            replications,
            if replications == 1 { "" } else { "s" },
            points,
            if points == 1 { "" } else { "s" },
            drivers(slowest),
        ));
    }
    Ok(warnings)
}

fn duration(seconds: f64) -> String {
    if seconds < 3600.0 {
        format!("{:.0} minutes", (seconds / 60.0).ceil())
    } else if seconds < 48.0 * 3600.0 {
        format!("{:.1} hours", seconds / 3600.0)
    } else {
        format!("{:.0} days", seconds / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_available() {
        let text = "MemTotal:       16314424 kB\nMemFree:  1 kB\nMemAvailable:   8000000 kB\n";
        assert_eq!(parse_meminfo(text), Some(8_192_000_000));
        assert_eq!(parse_meminfo("MemTotal: 5 kB\n"), None);
    }

    #[test]
    fn formats_numbers_and_durations() {
        assert_eq!(show_count(1_000_000_000.0), "1,000,000,000");
        assert_eq!(show_count(1e20), "1e20");
        assert_eq!(duration(900.0), "15 minutes");
        assert_eq!(duration(7200.0), "2.0 hours");
    }
}
