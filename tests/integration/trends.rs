//! Trends and uptake curves (issue 15 item 4): per-year multipliers on rates and stays, and
//! levers that reach their full effect over time.

use std::path::Path;

use caresim::experiment::replication_seeds;
use caresim::model::{Params, Sim, Tally};

use crate::util::{caresim, stderr};

const BASE: &str = "[scenario]\nname = \"t\"\n[simulation]\nhorizon_days = 1825.0\nwarmup_days = 365.0\n\
    [acute]\nbeds = 100000\n[community.step_up]\ncapacity = 100000\n\
    los = { dist = \"fixed\", days = 1.0 }\nday_cost = 10.0\n\
    [conditions.copd]\npatients = 4000\nexacerbations_per_year = 1.0\nadmit = 0.5\n\
    los = { dist = \"fixed\", days = 0.5 }\nnew_patients_per_year = 2000.0\n";

fn load(dir: &Path, extra: &str) -> Params {
    let file = dir.join("t.toml");
    std::fs::write(&file, format!("{BASE}{extra}")).unwrap();
    caresim::scenario::load(&file).unwrap().params
}

/// Mean over `reps` replications of `metric` in each observed year.
fn by_year(p: &Params, metric: &str, reps: u32) -> Vec<f64> {
    let names = Tally::by_year_names(p);
    let i = names.iter().position(|n| n == metric).unwrap();
    let mut sim = Sim::new(p);
    let mut out: Vec<f64> = Vec::new();
    for r in 0..reps {
        let t = sim.run(&replication_seeds(11, r));
        out.resize(t.years.len(), 0.0);
        for (y, year) in t.years.iter().enumerate() {
            out[y] += year[i] / f64::from(reps);
        }
    }
    out
}

fn close(got: f64, expected: f64, what: &str) {
    // Poisson-like counts: 4 standard errors, and at least 1.
    let tol = 4.0 * expected.max(1.0).sqrt();
    assert!(
        (got - expected).abs() < tol,
        "{what}: {got} vs {expected} ± {tol}"
    );
}

#[test]
fn year_totals_follow_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let trend = [1.0, 1.5, 2.0, 0.5];
    let flat = load(dir.path(), "");
    let trended = load(
        dir.path(),
        "[trends]\nexacerbations = { by_year = [1.0, 1.5, 2.0, 0.5] }\n\
         incidence = { by_year = [1.0, 0.5, 2.0, 1.0] }\n",
    );
    let base = by_year(&flat, "exacerbations", 1);
    let got = by_year(&trended, "exacerbations", 1);
    assert_eq!(got.len(), 4);
    // The cohort grows with incidence; exacerbations per patient-year follow the trend.
    let per_patient = |p: &Params, v: &[f64]| -> Vec<f64> {
        let alive = by_year(p, "life_years", 1);
        v.iter().zip(alive).map(|(x, a)| x / a).collect()
    };
    let (b, g) = (per_patient(&flat, &base), per_patient(&trended, &got));
    for y in 0..4 {
        let ratio = g[y] / b[y];
        assert!(
            (ratio - trend[y]).abs() < 0.06 * trend[y],
            "year {}: ×{ratio}",
            y + 1
        );
    }
    let arrivals = by_year(&trended, "new_patients", 1);
    for (y, m) in [1.0, 0.5, 2.0, 1.0].iter().enumerate() {
        close(
            arrivals[y],
            2000.0 * m,
            &format!("new patients, year {}", y + 1),
        );
    }
}

#[test]
fn a_stay_trend_lengthens_the_stays_of_its_year() {
    let dir = tempfile::tempdir().unwrap();
    let p = load(
        dir.path(),
        "[trends]\nacute_los = { by_year = [1.0, 3.0] }\n",
    );
    let days = by_year(&p, "acute_bed_days", 1);
    let admissions = by_year(&p, "admissions", 1);
    assert!(
        (days[0] / admissions[0] - 0.5).abs() < 0.01,
        "{}",
        days[0] / admissions[0]
    );
    for y in 1..4 {
        // From year 2 on the last value holds: 0.5 days × 3.
        assert!(
            (days[y] / admissions[y] - 1.5).abs() < 0.02,
            "year {}",
            y + 1
        );
    }
}

#[test]
fn a_flat_trend_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = load(dir.path(), "");
    let b = load(
        dir.path(),
        "[trends]\nexacerbations = { by_year = [1.0, 1.0] }\nacute_los = { annual_change = 0.0 }\n",
    );
    let ta = Sim::new(&a).run(&replication_seeds(3, 0));
    let tb = Sim::new(&b).run(&replication_seeds(3, 0));
    assert_eq!(ta, tb);
}

/// Everyone with COPD enrolled, and enrolment stops their exacerbations: with a linear
/// uptake over the first two observed years, year 1 keeps 3/4 of the exacerbations, year 2
/// a quarter (half of the effect at the midpoint, day 365), and from year 3 none.
#[test]
fn a_linear_uptake_reaches_half_the_effect_at_its_midpoint_and_all_of_it_once_ramped() {
    let dir = tempfile::tempdir().unwrap();
    let closed = "[policy.telehealth]\nshare = 1.0\nexacerbation_multiplier = 0.0\n\
                  cost_per_patient_year = 365.0\n";
    let base = load(dir.path(), "");
    let ramped = load(
        dir.path(),
        &format!("{closed}uptake = {{ form = \"linear\", start_day = 0, full_day = 730 }}\n"),
    );
    let full = load(dir.path(), closed);
    let ex = by_year(&base, "exacerbations", 2);
    let alive = by_year(&base, "life_years", 2);
    let got = by_year(&ramped, "exacerbations", 2);
    let got_alive = by_year(&ramped, "life_years", 2);
    for (y, kept) in [(0, 0.75), (1, 0.25)] {
        let expected = ex[y] / alive[y] * got_alive[y] * kept;
        close(got[y], expected, &format!("year {}", y + 1));
    }
    // Once ramped: the full effect (none at all, as with enrolment from the start).
    assert_eq!(got[2], 0.0);
    assert_eq!(got[3], 0.0);
    assert_eq!(by_year(&full, "exacerbations", 1)[0], 0.0);
    // Enrolled person-days (the programme's cost, £1 a day) by year: 1/4 of year 1's
    // person-days, 3/4 of year 2's, all from year 3.
    let cost = by_year(&ramped, "management_cost", 2);
    for (y, share) in [(0, 0.25), (1, 0.75), (2, 1.0)] {
        let days = got_alive[y] * 365.0;
        assert!(
            (cost[y] / days - share).abs() < 0.02,
            "year {}: {} enrolled",
            y + 1,
            cost[y] / days
        );
    }
}

#[test]
fn a_step_uptake_switches_a_share_lever_on_at_its_day() {
    let dir = tempfile::tempdir().unwrap();
    let p = load(
        dir.path(),
        "[policy.admission_avoidance]\nshare = 1.0\nservice = \"step_up\"\n\
         uptake = { form = \"step\", day = 365 }\n",
    );
    let avoided = by_year(&p, "admissions_avoided", 1);
    let admissions = by_year(&p, "admissions", 1);
    assert_eq!(avoided[0], 0.0);
    assert!(admissions[0] > 0.0);
    for y in 1..4 {
        assert!(avoided[y] > 0.0);
        assert_eq!(admissions[y], 0.0, "year {}", y + 1);
    }
}

#[test]
fn bad_trends_and_uptakes_are_reported_at_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        format!(
            "{BASE}[trends]\nexacerbations = {{ by_year = [1.0, -2.0] }}\n\
             deaths = {{ by_year = [1.0], annual_change = 0.1 }}\n\
             acute_los = {{ annual_change = 3.0 }}\n\
             [policy.telehealth]\nshare = 0.5\nuptake = {{ form = \"linear\", start_day = 100, full_day = 50 }}\n\
             [policy.admission_avoidance]\nshare = 0.5\nservice = \"step_up\"\n\
             uptake = {{ form = \"sigmoid\" }}\n\
             [policy.specialist_outreach]\nreferral_factor = 0.5\n\
             uptake = {{ form = \"step\", day = 10 }}\n\
             [policy.integrated_funding]\nlos_factor = 0.9\n\
             uptake = {{ form = \"step\", day = 10 }}\n"
        ),
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    for key in [
        "trends.exacerbations.by_year[1]",
        "trends.deaths",
        "trends.acute_los.annual_change",
        "policy.telehealth.uptake.full_day",
        "policy.admission_avoidance.uptake.form",
        "policy.specialist_outreach.uptake",
        "policy.integrated_funding.uptake",
    ] {
        assert!(
            e.contains(&format!(": {key}: ")),
            "{key} not reported:\n{e}"
        );
    }
}
