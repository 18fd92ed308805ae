//! The benchmark limit kept honest (issue 16): the hand-written loop of the reference model
//! in `benches/hand_written.rs` models what caresim models. Its constants are the reference
//! scenario's, and on the same (scaled-down) model its admissions, acute bed-days, reviews,
//! urgent contacts and delayed discharges agree with caresim's across replications; a loop
//! admitting 10% more often would not.

#[path = "../../benches/hand_written.rs"]
mod hand_written_loop;

use std::path::Path;

use caresim::experiment::{self, NoProgress};
use caresim::model::{Duration, Params, ServiceWhenFull, Setting, Tally, WhenFull};
use caresim::scenario;
use caresim::stats::{Summary, Welford};
use hand_written_loop::{Model, Outputs};

/// The reference scenario's parameters.
fn reference() -> Params {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference_chronic_flow.toml");
    scenario::load(&path).expect("bundled scenario").params
}

#[test]
fn the_loop_has_the_reference_scenarios_parameters() {
    let p = reference();
    let r = Model::reference(100_000, 340, 250);
    assert_eq!(p.horizon_days, r.horizon_days);
    assert_eq!(p.warmup_days, 0.0, "the loop counts from day 0");
    assert_eq!(p.acute.beds, r.beds);
    assert_eq!(p.acute.when_full, WhenFull::Queue);
    assert!(p.seasonality.is_none());
    assert_eq!(p.population.frailty_cv, 0.0);
    assert_eq!(p.conditions.len(), 1);
    let c = &p.conditions[0];
    assert_eq!(c.bands.len(), 1);
    assert_eq!(c.bands[0].patients, r.patients);
    assert_eq!(c.bands[0].death_rate_per_day, 0.0, "no deaths at home");
    assert_eq!(c.bands[0].los_multiplier, 1.0);
    assert_eq!(c.in_hospital_death, 0.0, "no deaths in hospital");
    assert_eq!(c.new_patients_per_day, 0.0, "a closed cohort");
    assert!((c.exacerbation_rate_per_day - r.exacerbation_rate_per_day).abs() < 1e-15);
    assert!((c.review_rate_per_day - r.review_rate_per_day).abs() < 1e-15);
    assert_eq!(c.admit, r.admit);
    assert_eq!(c.admission_multiplier, 1.0);
    assert_eq!(c.post_discharge_multiplier, 1.0);
    let Duration::Lognormal {
        mean_days, sd_days, ..
    } = c.los
    else {
        panic!("lognormal stays expected, got {:?}", c.los);
    };
    assert_eq!((mean_days, sd_days), (r.los_mean_days, r.los_sd_days));
    assert_eq!(c.discharge.len(), 1);
    assert_eq!(c.discharge[0].probability, r.community_share);
    assert_eq!(p.services.len(), 1);
    let s = &p.services[c.discharge[0].service];
    assert_eq!(s.capacity, r.places);
    assert_eq!(s.setting, Setting::Bed, "community care is not at home");
    assert_eq!(s.when_full, ServiceWhenFull::KeepBed, "delayed discharges");
    assert!(s.onward.is_none() && s.residents.is_none());
    let Duration::Exponential { mean_days } = s.los else {
        panic!("exponential community stays expected, got {:?}", s.los);
    };
    assert_eq!(mean_days, r.community_mean_days);
}

/// Replications of each, and the size of the scaled model (a fifth of the reference: fast
/// enough in a debug build, with the same bed and place loads).
const REPS: u32 = 8;
const PATIENTS: u32 = 20_000;
const BEDS: u32 = 68;
const PLACES: u32 = 50;

/// Mean and standard error of `xs`.
fn mean_se(xs: impl Iterator<Item = f64>) -> Summary {
    let mut w = Welford::default();
    for x in xs {
        w.push(x);
    }
    w.summary()
}

/// The difference of means in combined standard errors.
fn z(a: &Summary, b: &Summary) -> f64 {
    let var = |s: &Summary| s.sd.expect("several replications").powi(2) / s.n as f64;
    (a.mean - b.mean) / (var(a) + var(b)).sqrt()
}

/// The metrics compared: name, from caresim's tally, from the loop's outputs.
type Metric = (&'static str, fn(&Tally) -> f64, fn(&Outputs) -> f64);
const METRICS: [Metric; 5] = [
    (
        "admissions",
        |t| t.admissions as f64,
        |o| o.admissions as f64,
    ),
    ("acute_bed_days", |t| t.acute_bed_days, |o| o.acute_bed_days),
    ("reviews", |t| t.reviews as f64, |o| o.reviews as f64),
    (
        "urgent_contacts",
        |t| t.urgent_contacts as f64,
        |o| o.urgent_contacts as f64,
    ),
    (
        "delayed_discharges",
        |t| t.delayed_discharges as f64,
        |o| o.delayed_discharges as f64,
    ),
];

/// `REPS` replications of the loop on `m`.
fn loop_runs(m: &Model) -> Vec<Outputs> {
    (1..=u64::from(REPS))
        .map(|rep| hand_written_loop::run_model(m, 7_000 + rep))
        .collect()
}

#[test]
fn hand_written_loop_agrees_with_caresim_within_ci() {
    let mut p = reference();
    p.conditions[0].bands[0].patients = PATIENTS;
    p.acute.beds = BEDS;
    p.services[0].capacity = PLACES;
    let tallies: Vec<Tally> = experiment::run(&p, 20_030_101, REPS, 0, &NoProgress)
        .expect("runs")
        .into_iter()
        .map(|r| r.tally)
        .collect();
    let m = Model::reference(PATIENTS, BEDS, PLACES);
    let outs = loop_runs(&m);
    for (name, of_tally, of_loop) in METRICS {
        let a = mean_se(tallies.iter().map(of_tally));
        let b = mean_se(outs.iter().map(of_loop));
        let z = z(&a, &b);
        eprintln!(
            "{name}: caresim {:.1} ± {:.1}, loop {:.1} ± {:.1}, z = {z:.2}",
            a.mean,
            a.sd.unwrap_or(0.0),
            b.mean,
            b.sd.unwrap_or(0.0)
        );
        assert!(
            z.abs() < 4.0,
            "{name}: caresim mean {} vs hand-written {} differ by {z:.2} standard errors",
            a.mean,
            b.mean
        );
    }
    // The comparison has the power to catch a loop that admits 10% more often.
    let wrong = loop_runs(&Model {
        admit: m.admit * 1.1,
        ..m
    });
    let a = mean_se(tallies.iter().map(|t| t.admissions as f64));
    let b = mean_se(wrong.iter().map(|o| o.admissions as f64));
    let z = z(&a, &b);
    eprintln!("admissions with admit × 1.1: z = {z:.2}");
    assert!(z.abs() > 4.0, "admit × 1.1 not detected: z = {z:.2}");
}
