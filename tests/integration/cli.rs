//! The command line as a user drives it.

use std::fs;

use crate::util::{caresim, fixture, stderr};

#[test]
fn run_writes_every_result_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            fixture("valid.toml").to_str().unwrap(),
            "--reps",
            "3",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("output/valid");
    for f in [
        "runs.csv",
        "summary.csv",
        "summary.json",
        "manifest.json",
        "by_group.csv",
        "timeseries.csv",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let runs = fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 4, "header + 3 replications");
    let header = runs.lines().next().unwrap();
    for metric in [
        "admissions",
        "acute_bed_days",
        "delayed_bed_days",
        "mean_wait_days",
        "diversions",
        "community_days",
        "primary_care_contacts",
        "total_cost",
        "mean_acute_occupancy",
        "community_days_intermediate_care",
        "community_cost_intermediate_care",
        "acute_cost",
        "primary_care_cost",
    ] {
        assert!(
            header.split(',').any(|c| c == metric),
            "runs.csv lacks {metric}"
        );
    }
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let adm = &summary["metrics"]["admissions"];
    assert_eq!(adm["n"], 3);
    assert!(adm["ci95_low"].as_f64().unwrap() <= adm["mean"].as_f64().unwrap());
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["replications"], 3);
    assert_eq!(
        manifest["scenario"]["files"][0]["sha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(manifest["scenario"]["params"]["acute"]["beds"], 20);
    assert_eq!(
        manifest["scenario"]["params"]["conditions"][0]["los"]["dist"],
        "lognormal"
    );
    // by_group.csv: one row per condition × age band × group metric.
    let by_group = fs::read_to_string(out.join("by_group.csv")).unwrap();
    assert!(by_group.starts_with("condition,age_band,metric,mean,sd,ci95_low,ci95_high,n\n"));
    assert!(by_group.contains("\ncopd,all,admissions,"), "{by_group}");
    // timeseries.csv: the midnight census of each pool for each of the 400 days.
    let ts = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert_eq!(ts.lines().count(), 1 + 400 * 2);
    assert!(
        ts.contains("\n400,community_intermediate_care,10,"),
        "last day present"
    );
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = fs::read_dir(dir.path().join("output"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, vec!["valid"]);
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("valid.toml");
    let args = [
        "run",
        scenario.to_str().unwrap(),
        "--reps",
        "2",
        "--quiet",
        "--out",
        "res",
    ];
    assert!(caresim(dir.path(), &args).status.success());
    let again = caresim(dir.path(), &args);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = caresim(dir.path(), &forced);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn scenario_errors_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            fixture("out_of_range.toml").to_str().unwrap(),
            "--quiet",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("output").exists());
}

#[test]
fn fails_with_missing_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(dir.path(), &["run", "nope.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("nope.toml: cannot read scenario"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fails_with_zero_replications() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            fixture("valid.toml").to_str().unwrap(),
            "--reps",
            "0",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validate_reports_ok_and_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(
        dir.path(),
        &[
            "validate",
            fixture("valid.toml").to_str().unwrap(),
            fixture("variant.toml").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches(": ok (").count(), 2, "{out}");
    let o = caresim(
        dir.path(),
        &[
            "validate",
            "--resolved",
            fixture("variant.toml").to_str().unwrap(),
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("dist = \"exponential\""), "{out}");
    assert!(
        !out.contains("sd_days"),
        "the variant's distribution replaces the base's: {out}"
    );
    assert!(out.contains("beds = 20"), "inherited from the base: {out}");
}

#[test]
fn bundled_scenarios_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<String> = fs::read_dir(dir.join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let o = caresim(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn reference_scenarios_express_the_specified_model() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = caresim::scenario::load(&dir.join("scenarios/reference_chronic_flow.toml")).unwrap();
    let p = &s.params;
    assert_eq!((p.horizon_days, p.warmup_days), (3650.0, 0.0));
    assert_eq!(p.acute.beds, 340);
    assert_eq!(p.services[0].capacity, 250);
    let c = &p.conditions[0];
    assert_eq!(c.patients(), 100_000);
    assert!((c.review_rate_per_day - 1.0 / 91.25).abs() < 1e-15);
    assert!((c.exacerbation_rate_per_day - 1.0 / 730.0).abs() < 1e-15);
    assert_eq!(c.admit, 0.30);
    assert_eq!(c.discharge[0].probability, 0.40);
    let small =
        caresim::scenario::load(&dir.join("scenarios/reference_chronic_flow_small.toml")).unwrap();
    let q = &small.params;
    assert_eq!(
        (
            q.conditions[0].patients(),
            q.acute.beds,
            q.services[0].capacity
        ),
        (20_000, 68, 50)
    );
    assert_eq!(q.conditions[0].admit, 0.30, "inherited");
}
