//! Results by year: `by_year.csv` of a run (one row per observed year × additive metric,
//! whose years add up to the totals in `summary.csv`) and `by_year_differences.csv` of a
//! comparison (paired differences by year, adding up to `comparison.csv`'s), with the
//! budget-impact chart and the report's tables.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use caresim::model::catalogue;

use crate::util::{caresim, fixture, stderr};

/// The rows of a CSV file as column → cell maps, and its header.
fn table(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn num(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = `{}` is not a number", row[column]))
}

/// `a` equals `b` to 1e-9 of `scale` (at least 1).
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.abs().max(1.0)
}

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

#[test]
fn a_runs_years_add_up_to_its_totals() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    ok(&caresim(
        dir.path(),
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "3",
            "--quiet",
            "--out",
            "r",
        ],
    ));
    let out = dir.path().join("r");
    let (header, rows) = table(&out.join("by_year.csv"));
    assert_eq!(
        header,
        ["year", "metric", "mean", "sd", "ci95_low", "ci95_high", "n"]
    );
    let (_, summary) = table(&out.join("summary.csv"));
    let additive: Vec<&str> = summary
        .iter()
        .map(|r| r["metric"].as_str())
        .filter(|m| catalogue::by_year(m))
        .collect();
    // The fixture observes 370 days: a whole year and a part of one.
    let years = 2;
    assert_eq!(rows.len(), years * additive.len());
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        // Year-major, years from 1, metrics in summary.csv's order.
        assert_eq!(r["year"], (i / additive.len() + 1).to_string());
        assert_eq!(r["metric"], additive[i % additive.len()]);
        assert_eq!(r["n"], "3");
        let (mean, lo, hi) = (num(r, "mean"), num(r, "ci95_low"), num(r, "ci95_high"));
        assert!(lo <= mean && mean <= hi, "{r:?}");
        // A stock's years are its levels: the last is the run's.
        let m = additive[i % additive.len()];
        if catalogue::is_stock(m) {
            sums.insert(m, mean);
        } else {
            *sums.entry(m).or_default() += mean;
        }
    }
    for s in &summary {
        let m = s["metric"].as_str();
        let Some(&sum) = sums.get(m) else {
            assert!(!catalogue::by_year(m), "{m} has no values by year");
            continue;
        };
        let total = num(s, "mean");
        assert!(
            close(sum, total, total),
            "{m}: years add up to {sum}, total {total}"
        );
    }
    for m in [
        "qalys",
        "discounted_total_cost",
        "payment_payer_hospital_cost",
    ] {
        assert!(sums.contains_key(m), "{m} by year");
    }
    // The report shows the key metrics by year.
    ok(&caresim(dir.path(), &["report", "r"]));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("### By year"), "{md}");
    assert!(
        md.contains("| result (mean and 95% CI) | year 1 | year 2 |"),
        "{md}"
    );
}

#[test]
fn a_comparisons_paired_differences_by_year_add_up_to_its_differences() {
    let dir = tempfile::tempdir().unwrap();
    let (base, alt) = (fixture("valid.toml"), fixture("variant.toml"));
    ok(&caresim(
        dir.path(),
        &[
            "compare",
            base.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--reps",
            "3",
            "--quiet",
            "--out",
            "c",
        ],
    ));
    let out = dir.path().join("c");
    let (header, rows) = table(&out.join("by_year_differences.csv"));
    assert_eq!(
        header,
        [
            "alternative",
            "year",
            "metric",
            "mean",
            "sd",
            "ci95_low",
            "ci95_high",
            "n"
        ]
    );
    let (_, comparison) = table(&out.join("comparison.csv"));
    let alternative = &comparison[0]["alternative"];
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for r in &rows {
        assert_eq!(&r["alternative"], alternative);
        assert_eq!(r["n"], "3");
        let m = r["metric"].as_str();
        if catalogue::is_stock(m) {
            sums.insert(m, num(r, "mean"));
        } else {
            *sums.entry(m).or_default() += num(r, "mean");
        }
    }
    let additive = comparison
        .iter()
        .filter(|c| catalogue::by_year(&c["metric"]))
        .count();
    assert_eq!(rows.len(), 2 * additive);
    for c in &comparison {
        let m = c["metric"].as_str();
        let Some(&sum) = sums.get(m) else {
            assert!(!catalogue::by_year(m), "{m} has no differences by year");
            continue;
        };
        let (d, scale) = (
            num(c, "difference_mean"),
            num(c, "base_mean")
                .abs()
                .max(num(c, "alternative_mean").abs()),
        );
        assert!(
            close(sum, d, scale),
            "{m}: years add up to {sum}, total {d}"
        );
    }
    // Each arm has its own table by year.
    for arm in fs::read_dir(&out).unwrap() {
        let arm = arm.unwrap().path();
        if arm.join("summary.csv").is_file() {
            assert!(arm.join("by_year.csv").is_file(), "{}", arm.display());
        }
    }
    assert!(out.join("charts/budget_impact_by_year.png").is_file());
    ok(&caresim(dir.path(), &["report", "c"]));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("### Budget impact by year"), "{md}");
    // The results show what each payer pays; the other perspectives are in the appendix,
    // after the parameters, in the same form.
    let (body, appendix) = md
        .split_once("## Appendix: budget impact under the other costing perspectives")
        .expect("an appendix with the other perspectives");
    let budget = body
        .split("### Budget impact by year")
        .nth(1)
        .unwrap()
        .split("\n#")
        .next()
        .unwrap();
    assert!(
        appendix.contains("### activity: the services used, priced")
            && appendix.contains("### budget: the capacity funded"),
        "{appendix}"
    );
    // Every payer row and the all-payers row; the years of each row add up to its "all
    // years" cell (means of paired differences add), up to the rounding of the display.
    let rows: Vec<&str> = budget
        .lines()
        .filter(|l| l.starts_with("| variant |"))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.starts_with("| variant | all payers |")),
        "{budget}"
    );
    let money = |c: &str| -> f64 {
        let t = c
            .trim()
            .trim_end_matches('°')
            .trim()
            .replace(['£', ','], "")
            .replace('−', "-");
        let (n, scale) = match t.strip_suffix('m') {
            Some(n) => (n.to_string(), 1e6),
            None => t
                .strip_suffix('k')
                .map_or((t.clone(), 1.0), |n| (n.to_string(), 1e3)),
        };
        n.trim_start_matches('+').parse::<f64>().unwrap() * scale
    };
    for r in &rows {
        let cells: Vec<&str> = r.trim_matches('|').split('|').collect();
        let years: f64 = cells[2..cells.len() - 1].iter().map(|c| money(c)).sum();
        let all = money(cells[cells.len() - 1]);
        assert!(
            (years - all).abs() <= 0.01 * all.abs() + 1_000.0 * (cells.len() as f64),
            "{r}: years add to {years}, all years {all}"
        );
        assert!(
            cells[2..].iter().all(|c| {
                let c = c.trim();
                c.starts_with(['+', '−']) || c.starts_with("£0")
            }),
            "every difference signed: {r}"
        );
    }
}

#[test]
fn results_without_values_by_year_have_no_tables_and_no_chart() {
    let dir = tempfile::tempdir().unwrap();
    let (base, alt) = (fixture("valid.toml"), fixture("variant.toml"));
    ok(&caresim(
        dir.path(),
        &[
            "compare",
            base.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
            "c",
        ],
    ));
    // As a folder written before values by year existed: the files are simply absent, and
    // charts and the report do without them.
    let out = dir.path().join("c");
    fs::remove_file(out.join("by_year_differences.csv")).unwrap();
    for arm in fs::read_dir(&out).unwrap() {
        let by_year = arm.unwrap().path().join("by_year.csv");
        if by_year.is_file() {
            fs::remove_file(by_year).unwrap();
        }
    }
    ok(&caresim(dir.path(), &["plot", "c"]));
    assert!(out.join("charts/ce_plane.png").is_file());
    assert!(!out.join("charts/budget_impact_by_year.png").exists());
    ok(&caresim(dir.path(), &["report", "c"]));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("Budget impact by year"), "{md}");
}
