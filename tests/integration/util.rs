//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caresim::experiment::{self, NoProgress};
use caresim::model::{
    AcuteParams, BandParams, ConditionParams, Duration, Params, PopulationParams,
    PrimaryCareParams, Schedule, Tally, TierParams, WhenFull,
};
use caresim::stats::{Summary, Welford};

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

/// Run `caresim run FIXTURE --quiet EXTRA...` in `dir` and assert it succeeded.
pub fn run_fixture(dir: &Path, fixture_name: &str, extra: &[&str]) -> Output {
    let path = fixture(fixture_name);
    let mut args = vec!["run", path.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let o = caresim(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// Summary across `reps` replications (base seed `seed`) of `metric` of each tally.
pub fn summary_of(
    params: &Params,
    seed: u64,
    reps: u32,
    metric: impl Fn(&Tally) -> f64,
) -> Summary {
    let results = experiment::run(params, seed, reps, 0, &NoProgress).unwrap();
    let mut w = Welford::default();
    for r in &results {
        w.push(metric(&r.tally));
    }
    w.summary()
}

/// Assert that `expected` lies in the 95% CI of `s`.
pub fn assert_within_ci(name: &str, s: &Summary, expected: f64) {
    let (lo, hi) = (s.ci95_low.unwrap(), s.ci95_high.unwrap());
    assert!(
        lo <= expected && expected <= hi,
        "{name}: expected {expected} outside the 95% CI [{lo}, {hi}] (mean {})",
        s.mean
    );
}

/// Make the file at `p` executable (mode 755).
pub fn make_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
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
            schedule: Schedule::default(),
        },
        services: vec![],
        primary_care: PrimaryCareParams::default(),
        conditions: vec![ConditionParams {
            name: "arrivals".into(),
            bands: vec![BandParams {
                patients,
                death_rate_per_day: 0.0,
                los_multiplier: 1.0,
            }],
            review_rate_per_day: 0.0,
            exacerbation_rate_per_day: arrivals_per_day / f64::from(patients),
            admit: 1.0,
            los,
            in_hospital_death: 0.0,
            new_patients_per_day: 0.0,
            discharge: vec![],
            admission_multiplier: 1.0,
            admission_history_days: None,
            post_discharge_multiplier: 1.0,
            post_discharge_days: 0.0,
            outpatient_referrals_per_day: 0.0,
            attendances_per_referral: 1.0,
            utility_multiplier: 1.0,
            admission_qaly_loss: 0.0,
            first_event_admission_share: 0.0,
        }],
        seasonality: None,
        population: PopulationParams {
            catchment: f64::from(patients),
            age_bands: vec!["all".into()],
            frailty_cv: 0.0,
            ageing: None,
        },
        tiers: vec![TierParams::neutral(1)],
        outpatient_attendance_cost: 0.0,
        levers: caresim::model::LeverParams::default(),
        economics: caresim::model::EconomicsParams::neutral(1),
        payment: caresim::model::PaymentParams::default(),
        persons: None,
        trends: caresim::model::Trends::default(),
    }
}
