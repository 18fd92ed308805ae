//! Evidence as data (issue 13, item 6): every lever setting of the bundled policy library
//! is graded with its source; the grades reach `manifest.json`, a comparison's
//! `levers_evidence.csv` and printout, and the report.

use std::fs;
use std::path::Path;

use caresim::output::schema::Manifest;
use caresim::scenario::{self, Grade, ParamDist};

use crate::util::{caresim, fixture, run_fixture, stderr};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_bundled_lever_is_graded_and_estimates_with_a_range_are_sampled() {
    let dir = root().join("scenarios/policies");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    for path in &files {
        let s = scenario::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for lever in &s.params.levers.applied {
            assert!(
                s.evidence.iter().any(|e| &e.lever == lever),
                "{}: lever {lever} has no evidence",
                path.display()
            );
        }
        for e in &s.evidence {
            assert!(!e.source.trim().is_empty());
            // A sampled setting is graded an estimate, and its value is the distribution's mean.
            if let Some(d) = e.dist {
                assert_eq!(e.grade, Grade::E, "{}: {}", path.display(), e.key);
                assert_eq!(e.value.parse::<f64>().unwrap(), d.mean());
            }
        }
    }
    let s = scenario::load(&dir.join("integrated_funding_assumed_los.toml")).unwrap();
    let los = s.evidence.iter().find(|e| e.key == "los_factor").unwrap();
    assert_eq!(
        los.dist,
        Some(ParamDist::Triangular {
            min: 0.7,
            mode: 0.9,
            max: 0.9
        })
    );
    assert!(
        s.uncertain
            .iter()
            .any(|u| u.path == "policy.integrated_funding.los_factor")
    );
    let s = scenario::load(&dir.join("early_discharge.toml")).unwrap();
    let eligible = s.evidence.iter().find(|e| e.key == "eligible").unwrap();
    assert_eq!(
        (eligible.grade, eligible.value.as_str()),
        (Grade::S, "0.48")
    );
    assert!(eligible.source.contains("ESD Trialists"));
}

#[test]
fn the_manifest_records_the_evidence_and_older_manifests_still_read() {
    let dir = tempfile::tempdir().unwrap();
    run_fixture(dir.path(), "evidence_levers_short.toml", &["--reps", "2"]);
    let out = dir.path().join("output/evidence_levers_short");
    let text = fs::read_to_string(out.join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let evidence = json["scenario"]["evidence"].as_array().unwrap();
    let los = evidence
        .iter()
        .find(|e| e["key"] == "los_factor")
        .expect("los_factor graded");
    assert_eq!(los["lever"], "integrated_funding");
    assert_eq!(los["grade"], "E");
    assert_eq!(los["dist"]["dist"], "triangular");
    assert!(los["source"].as_str().unwrap().contains("0.7-0.9"));
    let m = Manifest::read(&out).unwrap();
    assert_eq!(m.scenario.evidence.len(), evidence.len());
    // The lever's settings, then the economic values the baseline grades (issue 14) and its
    // persons' settings (issue 15).
    assert!(m.scenario.evidence.iter().all(|e| {
        e.lever == "integrated_funding"
            || ["economics", "payment", "conditions.", "multimorbidity"]
                .iter()
                .any(|t| e.lever.starts_with(t))
    }));
    assert!(m.scenario.evidence.iter().any(|e| e.lever == "economics"));

    // A folder written before evidence was recorded has no such key: it reads as none.
    let mut old = json.clone();
    old["scenario"].as_object_mut().unwrap().remove("evidence");
    fs::write(out.join("manifest.json"), old.to_string()).unwrap();
    assert!(Manifest::read(&out).unwrap().scenario.evidence.is_empty());

    // A scenario without levers writes no evidence key at all.
    run_fixture(dir.path(), "valid.toml", &["--reps", "1"]);
    let plain = fs::read_to_string(dir.path().join("output/valid/manifest.json")).unwrap();
    assert!(!plain.contains("\"evidence\""));
}

#[test]
fn compare_and_its_report_show_each_arms_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let base = fixture("golden_nhs_short.toml");
    let alt = fixture("evidence_levers_short.toml");
    let o = caresim(
        dir.path(),
        &[
            "compare",
            base.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--reps",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        printed.contains("base golden_nhs_short: evidence: no levers"),
        "{printed}"
    );
    assert!(
        printed.contains(
            "  evidence: 4 graded settings: 4 E (1 sampled as distributions) (levers_evidence.csv)"
        ),
        "{printed}"
    );
    let csv = fs::read_to_string(out.join("levers_evidence.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("arm,lever,setting,value,grade,distribution,source")
    );
    let los = lines
        .find(|l| l.contains(",los_factor,"))
        .expect("los_factor row");
    assert!(
        los.starts_with(
            "evidence_levers_short,integrated_funding,los_factor,0.8333333333333334,E,\
             \"triangular 0.7–0.9, mode 0.9\","
        ),
        "{los}"
    );

    let r = caresim(dir.path(), &["report", out.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    // A comparison describes each arm: the alternative's own levers with their grades and
    // sources, and what it changes from the base; the summary names the estimates.
    assert!(md.contains("## The scenarios compared"), "{md}");
    assert!(md.contains("## Summary"), "{md}");
    assert!(
        md.contains("Rests on 4 settings graded as an estimate [E]"),
        "{md}"
    );
    assert!(md.contains("What it changes from the base ("), "{md}");
    assert!(md.contains(
        "| integrated_funding | los_factor | 0.8333 (triangular 0.7–0.9, mode 0.9) | E | brief §5"
    ));
    assert!(md.contains("| integrated_funding | beds_converted | 10 | E | Torbay"));
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("The scenarios compared"));
}
