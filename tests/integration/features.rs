//! Model features beyond the core flow (issue 3), each shown doing what it was given.

use caresim::experiment::replication_seeds;
use caresim::model::{Duration, Params, Recorder, Seasonality, Sim, WhenFull, World};

use crate::util::{assert_within_ci, queue_model, summary_of};

/// A cohort of `n` who are never admitted (admit = 0), so everyone is always at home.
fn home_cohort(n: u32, exacerbations_per_day: f64) -> Params {
    let mut p = queue_model(
        1.0,
        10,
        Duration::exponential(5.0).unwrap(),
        WhenFull::Queue,
    );
    p.warmup_days = 0.0;
    p.horizon_days = 3650.0;
    let c = &mut p.conditions[0];
    c.bands[0].patients = n;
    c.exacerbation_rate_per_day = exacerbations_per_day;
    c.admit = 0.0;
    p
}

/// Counts exacerbations by time of year (in 12 equal bins) from the tally's running count.
struct ByYearBin {
    last: u64,
    bins: [u64; 12],
}

impl Recorder for ByYearBin {
    fn event_handled(&mut self, now: f64, world: &World<'_>) {
        let n = world.tally.exacerbations;
        if n > self.last {
            let bin = ((now % 365.0) / 365.0 * 12.0) as usize;
            self.bins[bin.min(11)] += n - self.last;
            self.last = n;
        }
    }
}

#[test]
fn seasonality_produces_the_winter_peak_it_was_given() {
    let mut p = home_cohort(20_000, 1.0 / 365.0);
    p.seasonality = Some(Seasonality {
        amplitude: 0.4,
        peak_day: 15.0,
    });
    let mut sim = Sim::new(&p);
    let mut rec = ByYearBin {
        last: 0,
        bins: [0; 12],
    };
    let t = sim.run_recorded(&replication_seeds(1, 0), &mut rec);
    // Expected share of each bin: the integral of the multiplier over the bin / 365.
    let s = p.seasonality.unwrap();
    let total = t.exacerbations as f64;
    for (b, &count) in rec.bins.iter().enumerate() {
        let steps = 1000;
        let width = 365.0 / 12.0;
        let mean_mult: f64 = (0..steps)
            .map(|i| s.multiplier(b as f64 * width + (i as f64 + 0.5) * width / steps as f64))
            .sum::<f64>()
            / steps as f64;
        let expected = total * mean_mult / 12.0;
        // Poisson counts of ~16,000: 4 sd ≈ 2%.
        assert!(
            (count as f64 - expected).abs() < 4.0 * expected.sqrt(),
            "bin {b}: {count} exacerbations, expected {expected:.0}"
        );
    }
    // The yearly mean is unchanged: ~20,000 a year for 10 years.
    assert!(
        (total - 200_000.0).abs() < 4.0 * 200_000f64.sqrt(),
        "{total}"
    );
    let peak = rec.bins[0] as f64;
    let trough = rec.bins[6] as f64;
    assert!(peak / trough > 2.0, "winter {peak} vs summer {trough}");
}

#[test]
fn deaths_at_home_follow_the_hazard() {
    // Constant hazard 0.1/year for 10 years: expected survivors N e^{-1}.
    let mut p = home_cohort(10_000, 0.0);
    p.conditions[0].bands[0].death_rate_per_day = 0.1 / 365.0;
    let s = summary_of(&p, 77, 20, |t| t.patients_at_end as f64);
    assert_within_ci("survivors", &s, 10_000.0 * (-1.0f64).exp());
    let deaths = summary_of(&p, 77, 20, |t| {
        t.deaths_home as f64 + t.patients_at_end as f64
    });
    assert_eq!(
        (deaths.min, deaths.max),
        (10_000.0, 10_000.0),
        "conservation"
    );
}

#[test]
fn incidence_balancing_deaths_keeps_the_cohort_size() {
    // Deaths 0.1/year × 10,000 = 1,000 deaths a year, balanced by 1,000 new patients a year.
    let mut p = home_cohort(10_000, 0.5 / 365.0);
    p.conditions[0].bands[0].death_rate_per_day = 0.1 / 365.0;
    p.conditions[0].new_patients_per_day = 1000.0 / 365.0;
    let s = summary_of(&p, 77, 20, |t| t.patients_at_end as f64);
    assert_within_ci("cohort size at 10 years", &s, 10_000.0);
    let born = summary_of(&p, 77, 20, |t| t.new_patients as f64);
    assert_within_ci("new patients", &born, 10_000.0);
}

#[test]
fn in_hospital_deaths_occur_with_the_given_probability() {
    let mut p = queue_model(
        1.6,
        10_000,
        Duration::exponential(5.0).unwrap(),
        WhenFull::Queue,
    );
    p.conditions[0].in_hospital_death = 0.1;
    let s = summary_of(&p, 77, 20, |t| {
        t.deaths_hospital as f64 / t.stays_ended as f64
    });
    assert_within_ci("in-hospital death share", &s, 0.1);
}

#[test]
fn readmissions_match_the_memoryless_probability() {
    // Admission rate r per day at home, memoryless: each discharge is followed by a
    // readmission within 30 days with probability 1 − e^{−30 r}. In steady state (after
    // warm-up) readmissions per discharge estimate exactly that.
    let mut p = queue_model(
        1.0,
        10_000,
        Duration::exponential(5.0).unwrap(),
        WhenFull::Queue,
    );
    let r = 1.0 / 100.0;
    p.conditions[0].bands[0].patients = 2_000;
    p.conditions[0].exacerbation_rate_per_day = r;
    p.horizon_days = 5_500.0;
    let s = summary_of(&p, 77, 20, |t| {
        t.readmissions_30d as f64 / t.bed_stays as f64
    });
    assert_within_ci("readmissions per discharge", &s, 1.0 - (-30.0 * r).exp());
}

#[test]
fn days_full_never_exceed_days_over_85pct_or_the_run() {
    let p = queue_model(
        1.6,
        10,
        Duration::exponential(5.0).unwrap(),
        WhenFull::Queue,
    );
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(5, 0));
    assert!(t.days_at_full_occupancy > 0.0);
    assert!(t.days_at_full_occupancy <= t.days_over_85pct_occupancy);
    assert!(t.days_over_85pct_occupancy <= t.observed_days);
}
