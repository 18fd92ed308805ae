//! Numbers you can put in a report (issue 11): derived metrics from each replication's own
//! sampled values, whole-number keys under uncertainty, the capacity in force each day,
//! unstable systems flagged, readmissions after an out-of-area stay.

use std::collections::HashMap;
use std::path::Path;

use crate::util::{caresim, fixture, run_fixture, stderr};

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// Every row of a CSV file, as column → number (non-numeric cells are left out).
fn rows(path: &Path) -> Vec<HashMap<String, f64>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .filter_map(|(h, v)| v.parse::<f64>().ok().map(|v| (h.clone(), v)))
                .collect()
        })
        .collect()
}

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: {got} in runs.csv, {want} from the sampled values"
    );
}

/// `valid.toml` observes 400 − 30 days.
const OBSERVED_DAYS: f64 = 370.0;

/// The accounting identities of `tests/fixtures/psa_prices.toml` in every row of a
/// `runs.csv`: each cost is the replication's own sampled price × its own days or counts,
/// each per-1,000 rate uses its own catchment, and whole-number keys are whole.
fn check_psa_prices_rows(runs: &Path) {
    let rows = rows(runs);
    assert!(!rows.is_empty());
    let mut prices = Vec::new();
    for r in &rows {
        let v = |k: &str| {
            *r.get(k)
                .unwrap_or_else(|| panic!("no column {k} in {}", runs.display()))
        };
        let (bed_day_cost, beds) = (v("psa.acute.bed_day_cost"), v("psa.acute.beds"));
        let (day_cost, places) = (
            v("psa.community.intermediate_care.day_cost"),
            v("psa.community.intermediate_care.capacity"),
        );
        prices.push(bed_day_cost);
        close(
            "acute_cost",
            v("acute_cost"),
            bed_day_cost * v("acute_bed_days"),
        );
        close(
            "community_cost_intermediate_care",
            v("community_cost_intermediate_care"),
            day_cost * v("community_days_intermediate_care"),
        );
        close(
            "primary_care_cost",
            v("primary_care_cost"),
            v("psa.primary_care.review_cost") * v("reviews")
                + v("psa.primary_care.urgent_contact_cost") * v("urgent_contacts"),
        );
        let person_years = v("psa.population.catchment") * OBSERVED_DAYS / 365.0;
        close(
            "admissions_per_1000",
            v("admissions_per_1000"),
            v("admissions") * 1000.0 / person_years,
        );
        close(
            "bed_days_per_1000",
            v("bed_days_per_1000"),
            v("acute_bed_days") * 1000.0 / person_years,
        );
        close(
            "capacity_cost",
            v("capacity_cost"),
            (bed_day_cost * beds + day_cost * places) * OBSERVED_DAYS,
        );
        assert_eq!(beds.fract(), 0.0, "beds used are whole: {beds}");
        assert!((15.0..=26.0).contains(&beds), "{beds}");
        assert_eq!(places.fract(), 0.0, "places used are whole: {places}");
        assert!((6.0..=14.0).contains(&places), "{places}");
    }
    prices.dedup();
    assert!(prices.len() > 1, "the price is sampled per replication");
}

#[test]
fn derived_metrics_use_each_replications_sampled_values_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture("psa_prices.toml");
    let s = f.to_str().unwrap();
    // run
    run_fixture(
        d,
        "psa_prices.toml",
        &["--reps", "5", "--no-charts", "--out", "run"],
    );
    check_psa_prices_rows(&d.join("run/runs.csv"));
    // compare: both arms
    ok(&caresim(
        d,
        &[
            "compare",
            s,
            s,
            "--reps",
            "4",
            "--quiet",
            "--no-charts",
            "--out",
            "cmp",
        ],
    ));
    check_psa_prices_rows(&d.join("cmp/psa_prices/runs.csv"));
    check_psa_prices_rows(&d.join("cmp/psa_prices_2/runs.csv"));
    // sweep
    std::fs::write(
        d.join("sweep.toml"),
        format!(
            "scenario = {s:?}\nreplications = 3\n\n[parameters]\n\"conditions.copd.admit\" = [0.2, 0.4]\n"
        ),
    )
    .unwrap();
    ok(&caresim(
        d,
        &[
            "sweep",
            "sweep.toml",
            "--quiet",
            "--no-charts",
            "--out",
            "sweep",
        ],
    ));
    check_psa_prices_rows(&d.join("sweep/runs.csv"));
    // shards merged, and the single run they must equal
    for i in 1..=2 {
        ok(&caresim(
            d,
            &[
                "run",
                s,
                "--reps",
                "5",
                "--quiet",
                "--out",
                "res",
                "--shard",
                &format!("{i}/2"),
            ],
        ));
    }
    ok(&caresim(
        d,
        &[
            "merge",
            "res.shard-1-of-2",
            "res.shard-2-of-2",
            "--out",
            "merged",
            "--quiet",
            "--no-charts",
        ],
    ));
    check_psa_prices_rows(&d.join("merged/runs.csv"));
    assert_eq!(
        std::fs::read(d.join("merged/runs.csv")).unwrap(),
        std::fs::read(d.join("run/runs.csv")).unwrap()
    );
    // The summary folds the same per-replication costs: its mean acute cost is theirs.
    let runs = rows(&d.join("run/runs.csv"));
    let mean = runs.iter().map(|r| r["acute_cost"]).sum::<f64>() / runs.len() as f64;
    let mut summary = csv::Reader::from_path(d.join("run/summary.csv")).unwrap();
    let acute = summary
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "acute_cost")
        .unwrap();
    close("summary acute_cost mean", acute[1].parse().unwrap(), mean);
}

#[test]
fn uncertain_whole_number_keys_run_and_record_the_value_used() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture("psa_prices.toml");
    run_fixture(
        d,
        "psa_prices.toml",
        &["--reps", "6", "--no-charts", "--out", "o"],
    );
    let runs = rows(&d.join("o/runs.csv"));
    let beds: Vec<f64> = runs.iter().map(|r| r["psa.acute.beds"]).collect();
    // A number key with a whole mean (`mean = 400.0`) is not taken for a whole-number key:
    // its draws keep their fractions (they were rounded before issue 11).
    assert!(
        runs.iter()
            .all(|r| r["psa.acute.bed_day_cost"].fract() != 0.0),
        "bed-day cost draws are not rounded"
    );
    // The capacity column of the first day is the mean of the beds used.
    let ts = rows(&d.join("o/timeseries.csv"));
    let first_acute = ts
        .iter()
        .find(|r| r["day"] == 1.0 && r.get("capacity").is_some())
        .unwrap();
    close(
        "mean capacity on day 1",
        first_acute["capacity"],
        beds.iter().sum::<f64>() / beds.len() as f64,
    );
    // The validated base parameters hold the rounded mean (uniform 15-26: 20.5 -> 21).
    let s = caresim::scenario::load(&f).unwrap();
    assert_eq!(s.params.acute.beds, 21);
    assert_eq!(s.params.services[0].capacity, 10);
    assert_eq!(s.params.acute.bed_day_cost, 400.0);
}

#[test]
fn timeseries_capacity_follows_the_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_fixture(
        d,
        "winter_beds.toml",
        &["--reps", "2", "--no-charts", "--out", "o"],
    );
    let mut r = csv::Reader::from_path(d.join("o/timeseries.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (day, series, capacity) = (col("day"), col("series"), col("capacity"));
    let mut seen = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[series] != "acute" {
            continue;
        }
        let d: f64 = rec[day].parse().unwrap();
        // The census at the end of day d sees the changes made at days 300 and 360 of
        // every 365.
        let want = if (300.0..360.0).contains(&(d % 365.0)) {
            26.0
        } else {
            20.0
        };
        assert_eq!(rec[capacity].parse::<f64>().unwrap(), want, "day {d}");
        seen += 1;
    }
    assert_eq!(seen, 400);
}

#[test]
fn a_system_without_a_steady_state_is_flagged_and_a_stable_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = fixture("overloaded.toml");
    let o = caresim(
        d,
        &[
            "run",
            f.to_str().unwrap(),
            "--reps",
            "3",
            "--no-charts",
            "--out",
            "o",
        ],
    );
    ok(&o);
    for r in rows(&d.join("o/runs.csv")) {
        assert_eq!(
            r["unstable"], 1.0,
            "2 places for a demand of ~4 never settle"
        );
    }
    let printed = String::from_utf8_lossy(&o.stdout).into_owned() + &stderr(&o);
    assert!(
        printed.contains("no steady state"),
        "the printout warns: {printed}"
    );
    // A stable system (the NHS baseline) is never flagged.
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/nhs_2003_baseline.toml");
    ok(&caresim(
        d,
        &[
            "run",
            base.to_str().unwrap(),
            "--reps",
            "4",
            "--quiet",
            "--no-charts",
            "--out",
            "b",
        ],
    ));
    for r in rows(&d.join("b/runs.csv")) {
        assert_eq!(r["unstable"], 0.0);
    }
}

#[test]
fn readmissions_after_an_out_of_area_stay_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_fixture(
        d,
        "diverting.toml",
        &["--reps", "4", "--no-charts", "--out", "o"],
    );
    let runs = rows(&d.join("o/runs.csv"));
    let total = |k: &str| runs.iter().map(|r| r[k]).sum::<f64>();
    // Most stays are out of area.
    assert!(total("diversions") > 3.0 * total("admissions"));
    let requests = total("admission_requests");
    let readmitted = total("readmissions_30d");
    // 0.3 requests a year at the base rate, × 10 for 30 days after a stay: at least
    // 1 − exp(−0.3 × 10 × 30 / 365) ≈ 22% of stays are followed by a request within 30
    // days (fewer die first). Counting only local stays gave 0.5%.
    let stays = total("admissions") + total("diversions");
    assert!(
        readmitted > 0.12 * stays,
        "{readmitted} readmissions after {stays} stays ({requests} requests)"
    );
}

#[test]
fn waits_longer_than_a_year_are_measured_not_capped() {
    use caresim::model::{Duration, Sim, WhenFull};
    // Two requests a day for one bed with a one-day stay: the line grows by a patient a
    // day, and the last admissions of 2,000 days have waited for most of 1,000 days.
    let mut p = crate::util::queue_model(
        2.0,
        1,
        Duration::Exponential { mean_days: 1.0 },
        WhenFull::Queue,
    );
    p.horizon_days = 2_000.0;
    p.warmup_days = 0.0;
    let seeds = caresim::experiment::replication_seeds(1, 0);
    let t = Sim::new(&p).run(&seeds);
    assert!(t.p95_wait_days > 700.0, "p95 wait {}", t.p95_wait_days);
    assert!(t.unstable_pools[0], "the bed is unstable");
}
