//! Agreement with queueing theory, each within the 95% confidence interval of the
//! simulated mean across replications.

use caresim::model::{Duration, WhenFull};

use crate::util::{assert_within_ci, queue_model, summary_of};

/// Erlang B blocking probability for `c` servers and offered load `a` (recursive form).
fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang C probability of waiting.
fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

#[test]
fn mmc_mean_wait_matches_erlang_c() {
    // λ = 1.6/day, mean stay 5 days (μ = 0.2), c = 10 beds: ρ = 0.8.
    let (lambda, mean_los, c) = (1.6, 5.0, 10);
    let params = queue_model(
        lambda,
        c,
        Duration::exponential(mean_los).unwrap(),
        WhenFull::Queue,
    );
    let s = summary_of(&params, 2026, 30, |t| {
        t.wait_days_total / t.admissions as f64
    });
    let a = lambda * mean_los;
    let wq = erlang_c(c, a) / (f64::from(c) / mean_los - lambda);
    assert!((wq - 1.0230).abs() < 1e-3, "Erlang C sanity: {wq}");
    assert_within_ci("mean wait (days)", &s, wq);
}

#[test]
fn loss_system_blocking_matches_erlang_b() {
    let (lambda, mean_los, c) = (1.6, 5.0, 10);
    let params = queue_model(
        lambda,
        c,
        Duration::exponential(mean_los).unwrap(),
        WhenFull::Divert,
    );
    let s = summary_of(&params, 2026, 30, |t| {
        t.diversions as f64 / t.admission_requests as f64
    });
    let b = erlang_b(c, lambda * mean_los);
    assert!((b - 0.1217).abs() < 1e-3, "Erlang B sanity: {b}");
    assert_within_ci("blocking probability", &s, b);
}

#[test]
fn ample_capacity_occupancy_is_arrival_rate_times_mean_stay() {
    // M/G/∞: mean occupancy = λ E[S] whatever the stay distribution (here lognormal).
    let (lambda, mean_los) = (1.6, 5.0);
    let params = queue_model(
        lambda,
        10_000,
        Duration::lognormal(mean_los, 8.0).unwrap(),
        WhenFull::Queue,
    );
    let s = summary_of(&params, 2026, 30, |t| t.acute_bed_days / t.observed_days);
    assert_within_ci("mean occupancy (beds)", &s, lambda * mean_los);
    let waits = summary_of(&params, 2026, 2, |t| t.wait_days_total);
    assert_eq!(waits.max, 0.0, "nobody waits when beds are ample");
}

#[test]
fn mean_stay_matches_the_length_of_stay_distribution() {
    let params = queue_model(
        1.6,
        10_000,
        Duration::lognormal(7.0, 7.0).unwrap(),
        WhenFull::Queue,
    );
    let s = summary_of(&params, 2026, 30, |t| {
        t.stay_days_total / t.stays_ended as f64
    });
    assert_within_ci("mean stay (days)", &s, 7.0);
}

#[test]
fn warmup_is_excluded_from_counts_and_integrals() {
    // 500 warm-up days of 20,500: admissions estimate λ × 20,000, not λ × 20,500.
    let params = queue_model(
        1.6,
        10_000,
        Duration::exponential(5.0).unwrap(),
        WhenFull::Queue,
    );
    let s = summary_of(&params, 2026, 30, |t| t.admissions as f64);
    assert_within_ci("admissions after warm-up", &s, 1.6 * 20_000.0);
    let observed = summary_of(&params, 2026, 2, |t| t.observed_days);
    assert_eq!(observed.max, 20_000.0);
}
