//! Parameter tables from CSV files (issue 15 item 5): the same scenario written with tables
//! and with TOML keys resolves to the same parameters; problems in a table are located at
//! its cells; `extends` and PSA work with them.

use std::path::Path;

use caresim::scenario;

use crate::util::{caresim, fixture, stderr};

fn params_json(path: &Path) -> serde_json::Value {
    serde_json::to_value(&scenario::load(path).unwrap().params).unwrap()
}

#[test]
fn tables_resolve_to_the_keys_they_stand_for() {
    let tables = params_json(&fixture("tables/persons_base.toml"));
    let inline = params_json(&fixture("tables/persons_inline.toml"));
    assert_eq!(tables, inline);
    // And the model sees them: entrants, trends and the joint table are in force.
    assert!(tables["persons"]["entrants"].is_object());
    assert!(tables["trends"]["acute_los"]["by_year"].is_array());
    let s = scenario::load(&fixture("tables/persons_base.toml")).unwrap();
    let persons = s.params.persons.as_ref().unwrap();
    // 1% of 6,000 and 2% of 4,000 hold both conditions.
    let both: u32 = persons
        .start
        .iter()
        .flatten()
        .filter(|(set, _)| *set == 0b11)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(both, 60 + 80);
    // Every CSV file is part of the scenario's identity (hashed in results and journals).
    let names: Vec<String> = s
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for csv in [
        "conditions_by_age.csv",
        "joint.csv",
        "entrants.csv",
        "trends.csv",
    ] {
        assert!(names.iter().any(|n| n == csv), "{names:?}");
    }
}

/// Copy the table fixtures to a temporary folder, replace `file`'s text, and validate.
fn validate_with(file: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let src = fixture("tables");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join(file), text).unwrap();
    let o = caresim(dir.path(), &["validate", "persons_base.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    stderr(&o)
}

#[test]
fn problems_in_a_table_are_located_at_their_cells() {
    let e = validate_with(
        "conditions_by_age.csv",
        "condition,band,deaths_per_year,los_multiplier,onset_per_year,colour\n\
         copd,65_74,0.04,1.0,lots,red\n\
         copd,75_84,-0.08,1.2,0.008,red\n\
         heart_failure,65_74,0.08,,0.004,red\n\
         heart_failure,95_plus,0.12,1.1,0.01,red\n\
         copd,65_74,0.04,1.0,0.005,red\n",
    );
    // Reading: an unknown column, a value that is not a number, a repeated row.
    assert!(e.contains("conditions_by_age.csv:1:"), "{e}");
    assert!(e.contains("unknown column `colour`"), "{e}");
    assert!(
        e.contains(
            "conditions_by_age.csv:2:21: tables.conditions_by_age: expected a number, got \"lots\""
        ),
        "{e}"
    );
    assert!(
        e.contains("copd in band 65_74 again (first on line 2)"),
        "{e}"
    );
    // Checking: a rate out of range, a band that does not exist — at the cell that set them.
    assert!(e.contains("conditions_by_age.csv:3:12: conditions.copd.deaths_per_year_by_age.75_84: must be at least 0"), "{e}");
    assert!(e.contains("conditions_by_age.csv:5:"), "{e}");
    assert!(e.contains("no age band named `95_plus`"), "{e}");
}

#[test]
fn problems_in_tables_by_year_are_located_at_their_cells() {
    let e = validate_with(
        "trends.csv",
        "year,exacerbations,pace\n1,1.0,1\n2,-1.0,1\n3,1.1,1\n",
    );
    assert!(
        e.contains("trends.csv:1:20: tables.trends: unknown column `pace`"),
        "{e}"
    );
    assert!(
        e.contains("trends.csv:3:3: trends.exacerbations.by_year[1]: must be a multiplier above 0"),
        "{e}"
    );
    let e = validate_with("entrants.csv", "year,65_74\n1,400\n3,420\n");
    assert!(e.contains("entrants.csv:3:1: tables.entrants: years must run 1, 2, 3, ... in order: expected 2, got \"3\""), "{e}");
    let e = validate_with("joint.csv", "band,conditions,share\n65_74,copd+gout,0.1\n");
    assert!(e.contains("joint.csv:2:"), "{e}");
    assert!(
        e.contains(
            "multimorbidity.joint_prevalence.65_74.copd+gout: a set of different conditions"
        ),
        "{e}"
    );
}

#[test]
fn a_key_in_both_the_file_and_its_table_is_refused() {
    let text = std::fs::read_to_string(fixture("tables/persons_base.toml"))
        .unwrap()
        .replace(
            "[conditions.copd]\n",
            "[conditions.copd]\ndeaths_per_year_by_age = { \"65_74\" = 0.05 }\n",
        );
    let e = validate_with("persons_base.toml", &text);
    assert!(e.contains("conditions_by_age.csv:3:"), "{e}");
    assert!(
        e.contains("conditions.copd.deaths_per_year_by_age.65_74: set both here and in"),
        "{e}"
    );
}

#[test]
fn a_derived_file_overrides_a_base_table_value_by_value() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture("tables")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::create_dir(dir.path().join("variant")).unwrap();
    std::fs::write(
        dir.path().join("variant/v.toml"),
        "extends = \"../persons_base.toml\"\n[conditions.copd.deaths_per_year_by_age]\n\"75_84\" = 0.1\n",
    )
    .unwrap();
    let base = scenario::load(&dir.path().join("persons_base.toml"))
        .unwrap()
        .params;
    let v = scenario::load(&dir.path().join("variant/v.toml"))
        .unwrap()
        .params;
    let rate =
        |p: &caresim::model::Params, b: usize| p.conditions[0].bands[b].death_rate_per_day * 365.0;
    assert!((rate(&base, 1) - 0.08).abs() < 1e-12);
    assert!((rate(&v, 1) - 0.1).abs() < 1e-12);
    // The rest of the base's table stays.
    assert!((rate(&v, 0) - 0.04).abs() < 1e-12);
}

#[test]
fn a_psa_run_samples_around_tables() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture("tables")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("psa.toml"),
        "extends = \"persons_base.toml\"\n[conditions.copd]\n\
         admit = { dist = \"uniform\", min = 0.1, max = 0.3 }\n",
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            "psa.toml",
            "--reps",
            "3",
            "--no-charts",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(
        manifest.contains("conditions_by_age.csv"),
        "the tables are among the scenario's files"
    );
    let runs = std::fs::read_to_string(dir.path().join("out/runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 4);
}
