//! Cost-effectiveness in `caresim compare` (issue 14, item 4): `cost_effectiveness.csv`,
//! `ceac.csv` and `evpi.csv` agree with the arms' `runs.csv`, the CEAC is monotone where the
//! QALY increments share a sign, a lever that only costs money has ΔQALYs = 0 and a net
//! monetary benefit of exactly minus its cost, and folders without the files still chart and
//! report.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::util::{caresim, fixture, stderr};

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// Rows of a CSV file as column → text.
fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: `{}`", row[col]))
}

/// A metric's values per replication from an arm's `runs.csv`.
fn runs(arm: &Path, metric: &str) -> Vec<f64> {
    let (_, rows) = table(&arm.join("runs.csv"));
    rows.iter().map(|r| num(r, metric)).collect()
}

fn compare(dir: &Path, arms: &[&str], extra: &[&str]) {
    let paths: Vec<String> = arms
        .iter()
        .map(|a| fixture(a).to_str().unwrap().to_string())
        .collect();
    let mut args = vec!["compare"];
    args.extend(paths.iter().map(String::as_str));
    args.extend_from_slice(extra);
    ok(&caresim(dir, &args));
}

#[test]
fn the_ceac_and_cost_effectiveness_files_agree_with_the_replications() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &[
            "golden_nhs_short.toml",
            "cea_levers_psa_short.toml",
            "cea_costly_no_effect.toml",
        ],
        &["--reps", "5", "--quiet", "--out", "cmp"],
    );
    let out = dir.path().join("cmp");
    let base = out.join("golden_nhs_short");
    let (bq, bc) = (
        runs(&base, "discounted_qalys"),
        runs(&base, "discounted_total_cost"),
    );

    let (header, ceac) = table(&out.join("ceac.csv"));
    assert_eq!(
        header,
        [
            "alternative",
            "threshold",
            "probability_cost_effective",
            "probability_best"
        ]
    );
    for alt in ["cea_levers_psa_short", "cea_costly_no_effect"] {
        let rows: Vec<_> = ceac.iter().filter(|r| r["alternative"] == alt).collect();
        assert!(rows.len() >= 101, "{alt}: {} thresholds", rows.len());
        let (aq, ac) = (
            runs(&out.join(alt), "discounted_qalys"),
            runs(&out.join(alt), "discounted_total_cost"),
        );
        let dq: Vec<f64> = aq.iter().zip(&bq).map(|(a, b)| a - b).collect();
        let dc: Vec<f64> = ac.iter().zip(&bc).map(|(a, b)| a - b).collect();
        let p: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| (num(r, "threshold"), num(r, "probability_cost_effective")))
            .collect();
        assert!(p.windows(2).all(|w| w[0].0 < w[1].0), "{alt}: thresholds");
        // Recomputed from the replications: NMB_r = λ ΔQ_r − ΔC_r > 0, ties as half.
        for &(l, prob) in &p {
            let score: f64 = dq
                .iter()
                .zip(&dc)
                .map(|(q, c)| match (l * q - c).partial_cmp(&0.0).unwrap() {
                    std::cmp::Ordering::Greater => 1.0,
                    std::cmp::Ordering::Equal => 0.5,
                    std::cmp::Ordering::Less => 0.0,
                })
                .sum();
            assert!(
                (prob - score / dq.len() as f64).abs() < 1e-12,
                "{alt} at £{l}"
            );
        }
        // Each replication's indicator rises with λ when ΔQ_r > 0 and falls when ΔQ_r < 0.
        if dq.iter().all(|&q| q >= 0.0) {
            assert!(p.windows(2).all(|w| w[0].1 <= w[1].1), "{alt}: {p:?}");
        }
        if dq.iter().all(|&q| q <= 0.0) {
            assert!(p.windows(2).all(|w| w[0].1 >= w[1].1), "{alt}: {p:?}");
        }
    }
    // The alternatives' shares of being best never exceed 1 together (the base has the rest).
    for l in ceac.iter().map(|r| r["threshold"].clone()) {
        let sum: f64 = ceac
            .iter()
            .filter(|r| r["threshold"] == l)
            .map(|r| num(r, "probability_best"))
            .sum();
        assert!(sum <= 1.0 + 1e-12, "at £{l}: {sum}");
    }

    let (_, ce) = table(&out.join("cost_effectiveness.csv"));
    assert_eq!(ce.len(), 6, "two alternatives × three perspectives");
    for r in ce
        .iter()
        .filter(|r| r["alternative"] == "cea_costly_no_effect")
    {
        // Outreach that changes nothing: every event is the base's under common random
        // numbers, so no QALY moves, and the NMB is exactly minus the extra cost.
        assert_eq!(r["delta_qalys"], "0", "{r:?}");
        assert_eq!(num(r, "nmb"), -num(r, "delta_cost"), "{r:?}");
        assert_eq!(
            num(r, "nmb_ci95_low"),
            -num(r, "delta_cost_ci95_high"),
            "{r:?}"
        );
        assert!(num(r, "delta_cost") > 0.0);
        assert_eq!(r["icer"], "");
        assert_eq!(r["quadrant"], "dominated");
        assert_eq!(num(r, "probability_cost_effective"), 0.0);
    }

    let (header, evpi) = table(&out.join("evpi.csv"));
    assert_eq!(header, ["threshold", "evpi"]);
    assert!(evpi.iter().all(|r| num(r, "evpi") >= 0.0), "{evpi:?}");

    for chart in ["ceac.png", "ce_plane_qalys.png"] {
        assert!(out.join("charts").join(chart).is_file(), "{chart} missing");
    }
    ok(&caresim(dir.path(), &["report", "cmp"]));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("\n## Cost-effectiveness\n"));
    assert!(md.contains("Expected value of perfect information"));
}

#[test]
fn without_uncertain_parameters_there_is_no_evpi_and_older_folders_still_chart() {
    let dir = tempfile::tempdir().unwrap();
    compare(
        dir.path(),
        &["golden_nhs_short.toml", "cea_costly_no_effect.toml"],
        &["--reps", "2", "--quiet", "--no-charts", "--out", "cmp"],
    );
    let out = dir.path().join("cmp");
    assert!(out.join("cost_effectiveness.csv").is_file());
    assert!(!out.join("evpi.csv").exists());
    // A folder written before cost-effectiveness: the charts and report simply leave it out.
    fs::remove_file(out.join("cost_effectiveness.csv")).unwrap();
    fs::remove_file(out.join("ceac.csv")).unwrap();
    ok(&caresim(dir.path(), &["plot", "cmp"]));
    assert!(!out.join("charts/ceac.png").exists());
    assert!(out.join("charts/ce_plane.png").is_file());
    ok(&caresim(dir.path(), &["report", "cmp"]));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("\n## Cost-effectiveness\n"));
}
