//! The relative change's CI in `comparison.csv` (Fieller's interval for the ratio of the
//! paired means): never below −100% for quantities that cannot be negative, and containing
//! the point estimate.

use std::path::Path;

use crate::util::{caresim, stderr};

#[test]
fn relative_cis_of_nonnegative_metrics_stay_above_minus_100_percent() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name)
            .to_str()
            .unwrap()
            .to_string()
    };
    let (base, alt) = (
        crate::util::fixture("tight_beds.toml")
            .to_str()
            .unwrap()
            .to_string(),
        scenario("kaiser_style.toml"),
    );
    // Ten replications of the baseline with 70 beds: waits in every replication, so the
    // base's mean wait is clearly above 0 and its interval bounded.
    let o = caresim(
        dir.path(),
        &[
            "compare",
            &base,
            &alt,
            "--reps",
            "10",
            "--quiet",
            "--no-charts",
            "--out",
            "cmp",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut reader = csv::Reader::from_path(dir.path().join("cmp/comparison.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let num = |rec: &csv::StringRecord, name: &str| -> Option<f64> {
        let t = &rec[col(name)];
        (!t.is_empty()).then(|| t.parse().unwrap())
    };
    let mut wait = None;
    for rec in reader.records() {
        let rec = rec.unwrap();
        let metric = rec[col("metric")].to_string();
        // Every other metric is a count, duration, share, cost or outcome: ≥ 0. A margin
        // or a net benefit can be negative, and its ratio's CI unbounded below.
        let signed = caresim::model::catalogue::lookup(&metric).is_some_and(|m| m.can_be_negative);
        if let Some(lo) = num(&rec, "relative_ci95_low").filter(|_| !signed) {
            assert!(lo >= -1.0, "{metric}: relative CI from {lo} (below −100%)");
        }
        if metric == "mean_wait_days" {
            wait = Some((
                num(&rec, "relative_change").expect("a base mean wait above 0"),
                num(&rec, "relative_ci95_low").expect("a bounded interval"),
                num(&rec, "relative_ci95_high").expect("a bounded interval"),
            ));
        }
    }
    let (r, lo, hi) = wait.expect("a mean_wait_days row");
    assert!(
        lo <= r && r <= hi,
        "mean_wait_days: {r} outside its CI [{lo}, {hi}]"
    );
}
