//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caresim::model::{AcuteParams, ConditionParams, Duration, Params, PrimaryCareParams, WhenFull};

/// Path of a fixture in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Run the `caresim` binary with `args` in `dir`.
pub fn caresim(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caresim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("caresim runs")
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A single-condition model that is an M/M/c (or M/G/c) queue at the acute beds: patients
/// are many and rarely ill, so admission requests are Poisson with rate
/// `arrivals_per_day`; every exacerbation is an admission request; nobody needs
/// community care; no reviews.
pub fn queue_model(arrivals_per_day: f64, beds: u32, los: Duration, when_full: WhenFull) -> Params {
    // Large enough that the handful of patients in hospital barely thins the arrivals.
    let patients = 200_000u32;
    Params {
        horizon_days: 20_500.0,
        warmup_days: 500.0,
        acute: AcuteParams {
            beds,
            when_full,
            bed_day_cost: 0.0,
            diversion_cost: 0.0,
        },
        services: vec![],
        primary_care: PrimaryCareParams::default(),
        conditions: vec![ConditionParams {
            name: "arrivals".into(),
            patients,
            review_rate_per_day: 0.0,
            exacerbation_rate_per_day: arrivals_per_day / f64::from(patients),
            admit: 1.0,
            los,
            death_rate_per_day: 0.0,
            in_hospital_death: 0.0,
            new_patients_per_day: 0.0,
            discharge: vec![],
        }],
        seasonality: None,
    }
}
