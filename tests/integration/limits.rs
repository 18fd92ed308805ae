//! Numbers that pass a sign check but cannot be simulated (issue 10, items 3 and 4):
//! `validate` refuses each with a located message.

use crate::util::{caresim, fixture, stderr};

fn errors_of(name: &str) -> String {
    let o = caresim(
        &fixture(""),
        &["validate", "--message-format", "short", name],
    );
    assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    stderr(&o)
}

fn assert_all(e: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(e.contains(w), "missing\n  {w}\nin\n{e}");
    }
    assert_eq!(e.lines().count(), wanted.len(), "{e}");
}

#[test]
fn refuses_parameter_distributions_that_cannot_be_sampled() {
    assert_all(
        &errors_of("extreme_psa.toml"),
        &[
            "error: extreme_psa.toml:5:16: acute.bed_day_cost: gamma sd must be at least mean / 10000 (4e-2) and at most 100 × mean (4e4); gamma shape (mean/sd)² must be in [1e-4, 1e8], got sd 1e-200 for mean 400",
            "error: extreme_psa.toml:8:9: conditions.copd.admit: beta sd must be in [1.118e-4, 0.4951] for mean 0.5 (shape parameters α = inf and β = inf must be in [0.01, 1e7]), got 1e-200",
            "error: extreme_psa.toml:9:26: conditions.copd.exacerbations_per_year: lognormal sd must be greater than 0 and at most 100 × mean (1e2), got sd 1e300 for mean 1",
        ],
    );
}

#[test]
fn refuses_durations_rates_and_horizons_that_cannot_be_simulated() {
    assert_all(
        &errors_of("extreme_values.toml"),
        &[
            "error: extreme_values.toml:5:16: simulation.horizon_days: must be at most 36,500 days (100 years), got 1e308",
            "error: extreme_values.toml:11:53: community.intermediate_care.los.sd_days: sd_days must be at least mean_days / 10000 (0.0014) and at most 100 × mean_days (1400)",
            "error: extreme_values.toml:8:14: population.frailty_cv: must be 0 (everyone alike) or between 0.001 and 10",
            "error: extreme_values.toml:14:26: conditions.copd.exacerbations_per_year: must be at least 0 and at most 1000 (per patient-year), got 1e300",
            "error: extreme_values.toml:15:41: conditions.copd.los.mean_days: mean_days must be at most 36500 days (100 years), got 1e300",
        ],
    );
}

#[test]
fn refuses_more_patients_than_a_replication_can_number() {
    assert_all(
        &errors_of("too_many_patients.toml"),
        &[
            "error: too_many_patients.toml:5:25: conditions.copd.new_patients_per_year: patients ever alive would be about 10,958,906,110 (2000 at the start + 10,958,904,110 new over 400 days), more than the 4,250,000,000 one replication can hold",
        ],
    );
}

/// Every documented length-of-stay form (`fixed`, `empirical`, `weibull`, in acute and
/// community stays) is accepted next to a parameter distribution (issue 11, defect 2: `fixed` was
/// taken for a parameter distribution).
#[test]
fn documented_stay_forms_are_not_taken_for_parameter_distributions() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("fixed_stays.toml");
    let o = caresim(dir.path(), &["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = caresim(
        dir.path(),
        &[
            "run",
            f.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let runs = std::fs::read_to_string(dir.path().join("out/runs.csv")).unwrap();
    assert!(
        runs.starts_with("replication,psa.acute.bed_day_cost,"),
        "{runs}"
    );
    // A misspelt duration name is reported as a duration, with its suggestion.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!(
            "extends = {:?}\n[conditions.copd]\nlos = {{ dist = \"fixd\", days = 3.0 }}\n",
            f.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("`fixed`"), "{}", stderr(&o));
    // A Weibull stay whose sd is out of proportion is refused at its location.
    std::fs::write(
        &bad,
        format!(
            "extends = {:?}\n[community.care_home]\nlos = {{ dist = \"weibull\", mean_days = 450.0, sd_days = 0.01 }}\n",
            f.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("bad.toml:3:56: community.care_home.los.sd_days: sd_days must be at least mean_days / 1000 (0.45)"),
        "{}",
        stderr(&o)
    );
}
