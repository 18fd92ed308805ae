//! The schema's types write the bytes result files have always had, and read back what
//! they wrote; a missing or unknown column, or another result format, is a clear error.

use std::borrow::Cow;
use std::path::Path;

use super::*;
use crate::experiment::sweep::Design;
use crate::model::units;
use crate::stats::Summary;

fn summary(mean: f64, ci: bool) -> Summary {
    Summary {
        n: if ci { 3 } else { 1 },
        mean,
        sd: ci.then_some(0.5),
        ci95_low: ci.then_some(mean - 1.0),
        ci95_high: ci.then_some(mean + 1.0),
        ci95_half_width: ci.then_some(1.0),
        min: mean - 2.0,
        max: mean + 2.0,
    }
}

/// The header serde writes for one row of `R`: the struct's field names.
fn serde_header<R: CsvTable>(row: R) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(row).unwrap();
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    text.lines().next().unwrap().to_string()
}

#[test]
fn each_tables_columns_are_its_fields() {
    let s = summary(1.0, true);
    assert_eq!(
        serde_header(SummaryRow::new("admissions", &s)),
        SummaryRow::COLUMNS.join(",")
    );
    assert_eq!(
        serde_header(GroupRow::new("copd", "all", "admissions", &s)),
        GroupRow::COLUMNS.join(",")
    );
    let day = crate::output::DayRow {
        day: 1,
        series: "acute".into(),
        capacity: 20.0,
        summary: s,
    };
    assert_eq!(
        serde_header(TimeseriesRow::new(&day)),
        TimeseriesRow::COLUMNS.join(",")
    );
    let d = crate::stats::Difference {
        metric: "admissions".into(),
        base: s,
        alternative: s,
        difference: s,
        relative_change: Some(0.0),
        relative_ci95: None,
        unpaired_ci95_half_width: None,
    };
    assert_eq!(
        serde_header(ComparisonRow::new("a", "b", &d)),
        ComparisonRow::COLUMNS.join(",")
    );
    assert_eq!(
        serde_header(YearRow::new(1, "admissions", &s)),
        YearRow::COLUMNS.join(",")
    );
    assert_eq!(
        serde_header(YearDifferenceRow::new("b", 1, &d)),
        YearDifferenceRow::COLUMNS.join(",")
    );
}

#[test]
fn tables_by_year_read_back_what_they_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        YearRow::new(1, "admissions", &summary(603.0, true)),
        YearRow::new(2, "total_cost", &summary(1.5e7, false)),
    ];
    let bytes = table_bytes(rows.clone()).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "year,metric,mean,sd,ci95_low,ci95_high,n\n\
         1,admissions,603,0.5,602,604,3\n\
         2,total_cost,15000000,,,,1\n"
    );
    write(dir.path(), YearRow::FILE, &bytes);
    assert_eq!(read_table::<YearRow>(dir.path()).unwrap(), rows);
    assert_eq!(rows[1].estimate(), (1.5e7, 1.5e7, 1.5e7));
    let d = crate::stats::Difference {
        metric: "payer_hospital_cost".into(),
        base: summary(10.0, true),
        alternative: summary(12.0, true),
        difference: summary(-2.0, true),
        relative_change: Some(-0.2),
        relative_ci95: None,
        unpaired_ci95_half_width: Some(3.0),
    };
    let rows = vec![YearDifferenceRow::new("alt", 3, &d)];
    write(
        dir.path(),
        YearDifferenceRow::FILE,
        &table_bytes(rows.clone()).unwrap(),
    );
    let read = read_table::<YearDifferenceRow>(dir.path()).unwrap();
    assert_eq!(read, rows);
    assert_eq!(read[0].difference(), (-2.0, -3.0, -1.0));
    assert_eq!((read[0].year, read[0].n), (3, 3));
}

#[test]
fn numbers_are_written_as_rust_prints_them() {
    let rows = [
        SummaryRow::new("admissions", &summary(603.0, true)),
        SummaryRow::new("mean_wait_days", &summary(0.1 + 0.2, false)),
    ];
    let text = String::from_utf8(table_bytes(rows).unwrap()).unwrap();
    assert_eq!(
        text,
        "metric,mean,sd,ci95_low,ci95_high,ci95_half_width,min,max,n\n\
         admissions,603,0.5,602,604,1,601,605,3\n\
         mean_wait_days,0.30000000000000004,,,,,-1.7,2.3,1\n"
    );
    // A file with no rows still has its header.
    let empty = table_bytes(Vec::<GroupRow>::new()).unwrap();
    assert_eq!(
        empty,
        b"condition,age_band,metric,mean,sd,ci95_low,ci95_high,n\n"
    );
}

fn write(dir: &Path, file: &str, bytes: &[u8]) {
    std::fs::write(dir.join(file), bytes).unwrap();
}

#[test]
fn tables_read_back_what_they_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        SummaryRow::new("admissions", &summary(603.0, true)),
        SummaryRow::new("total_cost", &summary(1.5e7, false)),
    ];
    write(
        dir.path(),
        SummaryRow::FILE,
        &table_bytes(rows.clone()).unwrap(),
    );
    assert_eq!(read_table::<SummaryRow>(dir.path()).unwrap(), rows);
    assert_eq!(rows[1].estimate(), (1.5e7, 1.5e7, 1.5e7));

    let d = crate::stats::Difference {
        metric: "admissions".into(),
        base: summary(10.0, true),
        alternative: summary(12.0, true),
        difference: summary(2.0, true),
        relative_change: Some(0.2),
        relative_ci95: None,
        unpaired_ci95_half_width: Some(3.0),
    };
    let rows = vec![ComparisonRow::new("base", "alt", &d)];
    write(
        dir.path(),
        ComparisonRow::FILE,
        &table_bytes(rows.clone()).unwrap(),
    );
    let read = read_table::<ComparisonRow>(dir.path()).unwrap();
    assert_eq!(read, rows);
    // No relative CI beside a difference CI: unbounded.
    assert_eq!(
        read[0].relative(),
        Some((0.2, f64::NEG_INFINITY, f64::INFINITY))
    );
}

#[test]
fn a_missing_or_unknown_column_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        SummaryRow::FILE,
        b"metric,mean,sd,ci95_low,ci95_high,min,max,n\nadmissions,1,,,,1,1,1\n",
    );
    let e = read_table::<SummaryRow>(dir.path())
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("summary.csv: no column `ci95_half_width`"),
        "{e}"
    );
    write(
        dir.path(),
        SummaryRow::FILE,
        b"metric,mean,sd,ci95_low,ci95_high,ci95_half_width,min,max,n,extra\n",
    );
    let e = read_table::<SummaryRow>(dir.path())
        .unwrap_err()
        .to_string();
    assert!(e.contains("summary.csv: unknown column `extra`"), "{e}");
}

#[test]
fn runs_csv_has_a_fixed_head_and_named_lists() {
    let dir = tempfile::tempdir().unwrap();
    let columns = RunsColumns {
        point: vec!["acute.beds".into()],
        uncertain: vec!["conditions.copd.admit".into()],
        metrics: vec![
            "admissions".into(),
            "community_days_intermediate_care".into(),
        ],
    };
    let mut w = writer(Vec::new());
    w.write_record(columns.header()).unwrap();
    let row = RunRow {
        point: Cow::Owned(vec![15.0]),
        replication: 2,
        sampled: Cow::Owned(vec![0.25]),
        metrics: Cow::Owned(vec![564.0, 0.1 + 0.2]),
    };
    w.serialize(&row).unwrap();
    let bytes = w.into_inner().unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "acute.beds,replication,psa.conditions.copd.admit,admissions,community_days_intermediate_care\n\
         15,2,0.25,564,0.30000000000000004\n"
    );
    write(dir.path(), RunsColumns::FILE, &bytes);
    let keys = vec!["acute.beds".to_string()];
    let (read_columns, rows) = RunsColumns::read(dir.path(), &keys).unwrap();
    assert_eq!(read_columns, columns);
    assert_eq!(rows, vec![row]);
    // The swept keys must be the manifest's; metrics must be metrics.
    let e = RunsColumns::read(dir.path(), &[]).unwrap_err().to_string();
    assert!(
        e.ends_with("runs.csv: unknown column `acute.beds` (expected )"),
        "{e}"
    );
    write(
        dir.path(),
        RunsColumns::FILE,
        b"replication,admisions\n0,1\n",
    );
    let e = RunsColumns::read(dir.path(), &[]).unwrap_err().to_string();
    assert!(e.contains("runs.csv: unknown column `admisions`"), "{e}");
}

#[test]
fn sweep_csv_reads_back_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let columns = SweepColumns {
        keys: vec!["acute.beds".into(), "conditions.copd.admit".into()],
    };
    let mut w = writer(Vec::new());
    w.write_record(columns.header()).unwrap();
    let rows = vec![
        SweepRow {
            point: 0,
            values: Cow::Owned(vec![15.0, 0.2]),
            summary: SummaryRow::new("admissions", &summary(400.0, true)),
        },
        SweepRow {
            point: 1,
            values: Cow::Owned(vec![20.0, 0.300_000_000_000_000_04]),
            summary: SummaryRow::new("admissions", &summary(500.0, false)),
        },
    ];
    for r in &rows {
        w.serialize(r).unwrap();
    }
    let bytes = w.into_inner().unwrap();
    assert!(
        String::from_utf8(bytes.clone())
            .unwrap()
            .starts_with("point,acute.beds,conditions.copd.admit,metric,mean,sd,ci95_low,ci95_high,ci95_half_width,min,max,n\n0,15,0.2,admissions,400,0.5,399,401,1,398,402,3\n")
    );
    write(dir.path(), SweepColumns::FILE, &bytes);
    assert_eq!(SweepColumns::read(dir.path(), &columns.keys).unwrap(), rows);
    let e = SweepColumns::read(dir.path(), &columns.keys[..1])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sweep.csv: unknown column `conditions.copd.admit`"),
        "{e}"
    );
}

fn scenario(name: &str) -> crate::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    crate::scenario::load(&path).unwrap()
}

#[test]
fn the_manifest_reads_back_typed() {
    let sc = scenario("tests/fixtures/psa_small.toml");
    let dir = tempfile::tempdir().unwrap();
    let written = Manifest::new(&sc, 7, 3);
    let bytes = serde_json::to_vec_pretty(&written).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.starts_with("{\n  \"tool\": \"caresim\",\n  \"tool_version\": "));
    assert!(text.contains(&format!("\"format_version\": {RESULT_FORMAT},")));
    write(dir.path(), Manifest::FILE, &bytes);
    let m = Manifest::read(dir.path()).unwrap();
    assert_eq!(m.format_version, RESULT_FORMAT);
    assert_eq!(m.tool_commit.as_deref(), crate::build_info::COMMIT);
    assert!(
        text.contains("\"tool_commit\": "),
        "recorded even when unknown (null)"
    );
    assert_eq!((m.seed, m.replications), (7, 3));
    assert_eq!(m.scenario.name, sc.name);
    assert_eq!(m.scenario.files[0].sha256, sc.files[0].sha256);
    assert_eq!(m.scenario.params.acute.beds, sc.params.acute.beds);
    assert_eq!(m.scenario.params.horizon_days, sc.params.horizon_days);
    assert_eq!(m.scenario.params.services.len(), sc.params.services.len());
    assert_eq!(m.scenario.params.levers.applied, sc.params.levers.applied);
    assert_eq!(m.scenario.uncertain.len(), sc.uncertain.len());
    assert_eq!(m.scenario.uncertain[0].dist, sc.uncertain[0].dist);
    assert_eq!(
        m.scenario.params.tree,
        serde_json::to_value(&sc.params).unwrap()
    );
    assert!(m.sweep().is_none());
}

#[test]
fn a_manifest_of_another_format_is_refused_with_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        Manifest::FILE,
        br#"{"tool": "caresim", "tool_version": "9.1.0", "format_version": 6, "columns": []}"#,
    );
    let e = Manifest::read(dir.path()).unwrap_err();
    assert!(
        matches!(e, ReadError::OtherFormat { found: 6, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().ends_with(&format!(
            "manifest.json: written by caresim 9.1.0 in result format 6; this is caresim {}, which reads result format 5: re-run the command that made the folder with this caresim",
            env!("CARGO_PKG_VERSION")
        )),
        "{e}"
    );
    write(dir.path(), Manifest::FILE, br#"{"tool": "other"}"#);
    let e = Manifest::read(dir.path()).unwrap_err().to_string();
    assert!(e.contains("not a caresim manifest"), "{e}");
}

#[test]
fn the_sweep_design_is_recorded_and_read_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, design) in [
        ("tests/fixtures/sweep_small.toml", Design::Grid),
        ("tests/fixtures/sweep_one_way.toml", Design::OneWay),
    ] {
        let sweep = crate::experiment::sweep::load(&root.join(file)).unwrap();
        let plan = sweep.plan(1, 1).unwrap();
        let m = Manifest::new(&sweep.scenario, 1, 1).with_sweep(&plan.points, plan.sweep_design);
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            Manifest::FILE,
            &serde_json::to_vec_pretty(&m).unwrap(),
        );
        let read = Manifest::read(dir.path()).unwrap();
        assert_eq!(read.sweep_design, Some(design), "{file}");
        let recorded = read.sweep().unwrap();
        let keys: Vec<String> = sweep.parameters.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(recorded.keys, keys, "{file}");
        assert_eq!(recorded.design, design, "{file}");
        if design == Design::Grid {
            let values: Vec<Vec<f64>> = sweep.parameters.iter().map(|(_, v)| v.clone()).collect();
            assert_eq!(recorded.values, values, "{file}");
        }
    }
    assert!(SweepDesign::of(&[], Design::Grid).is_none());
}

#[test]
fn every_parameter_of_every_bundled_scenario_has_a_unit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [
        "scenarios",
        "scenarios/policies",
        "scenarios/psa",
        "tests/fixtures",
    ] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &files {
        // Fixtures include invalid scenarios and sweep files: only scenarios that load.
        let Ok(sc) = crate::scenario::load(f) else {
            continue;
        };
        let tree = serde_json::to_value(&sc.params).unwrap();
        for p in units::parameters(&tree) {
            assert!(
                units::unit(&p.pattern).is_some(),
                "{}: parameter {} ({}) has no unit in PARAMETER_UNITS",
                f.display(),
                p.path,
                p.pattern
            );
            seen.insert(p.pattern);
        }
    }
    assert!(seen.len() > 60, "{} parameters seen", seen.len());
}

#[test]
fn json_files_read_back_what_they_wrote() {
    let mut metrics = std::collections::BTreeMap::new();
    metrics.insert(
        "admissions".to_string(),
        SummaryEntry::from(&summary(3.0, true)),
    );
    let json = SummaryJson {
        scenario: "valid".into(),
        replications: 3,
        seed: 7,
        metrics,
    };
    let text = serde_json::to_string_pretty(&json).unwrap();
    // The entry's keys in name order, as summary.json has always had them.
    assert!(text.contains("{\n      \"ci95_half_width\": 1.0,\n      \"ci95_high\": 4.0,"));
    assert_eq!(serde_json::from_str::<SummaryJson>(&text).unwrap(), json);
    let info = RunInfo {
        tool_version: "0.2.0".into(),
        command: vec!["caresim".into(), "run".into()],
        seed: 1,
        replications: 2,
        threads: 4,
        wall_time_seconds: 0.5,
        replications_reused: 0,
    };
    let back: RunInfo = serde_json::from_str(&serde_json::to_string(&info).unwrap()).unwrap();
    assert_eq!(back.command, info.command);
}

#[test]
fn the_cost_effectiveness_tables_columns_are_their_fields() {
    let ce = CostEffectivenessRow {
        base: "a".into(),
        alternative: "b".into(),
        perspective: "activity".into(),
        delta_qalys: 1.5,
        delta_qalys_ci95_low: Some(1.0),
        delta_qalys_ci95_high: Some(2.0),
        delta_cost: 1000.0,
        delta_cost_ci95_low: None,
        delta_cost_ci95_high: None,
        icer: None,
        quadrant: "dominated".into(),
        threshold: 20_000.0,
        nmb: -1000.0,
        nmb_ci95_low: None,
        nmb_ci95_high: None,
        probability_cost_effective: 0.5,
        n: 1,
    };
    assert_eq!(
        serde_header(ce.clone()),
        CostEffectivenessRow::COLUMNS.join(",")
    );
    let ceac = CeacRow {
        alternative: "b".into(),
        threshold: 0.0,
        probability_cost_effective: 0.25,
        probability_best: 0.25,
    };
    assert_eq!(serde_header(ceac.clone()), CeacRow::COLUMNS.join(","));
    let evpi = EvpiRow {
        threshold: 0.0,
        evpi: 3.5,
    };
    assert_eq!(serde_header(evpi.clone()), EvpiRow::COLUMNS.join(","));
    // Written and read back, empty cells for absent CI ends and ICERs.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(CostEffectivenessRow::FILE),
        table_bytes([ce.clone()]).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(CeacRow::FILE),
        table_bytes([ceac.clone()]).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(EvpiRow::FILE),
        table_bytes([evpi.clone()]).unwrap(),
    )
    .unwrap();
    assert_eq!(
        read_table::<CostEffectivenessRow>(dir.path()).unwrap(),
        vec![ce]
    );
    assert_eq!(read_table::<CeacRow>(dir.path()).unwrap(), vec![ceac]);
    assert_eq!(read_table::<EvpiRow>(dir.path()).unwrap(), vec![evpi]);
}
