//! `caresim schema`: the JSON Schemas for editors agree with the parser. Every bundled
//! scenario and sweep file validates; every fixture the parser accepts validates; every
//! fixture the parser rejects for a reason a schema can see (an unknown key, a wrong type, a
//! missing required key, an unknown distribution, a value out of a documented range) is
//! rejected; and the committed `schema/*.schema.json` are what `caresim schema` prints.

use std::path::{Path, PathBuf};

use caresim::experiment::sweep;
use caresim::scenario::json_schema;
use caresim::scenario::load::FileKind;
use jsonschema::Validator;

use crate::util::{caresim, fixture, stderr};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Validators of the scenario and sweep schemas, checked against their meta-schema.
fn validators() -> (Validator, Validator) {
    let build = |schema: &serde_json::Value| {
        jsonschema::meta::validate(schema).expect("a valid draft-07 schema");
        jsonschema::validator_for(schema).expect("schema compiles")
    };
    (
        build(&json_schema::scenario()),
        build(&sweep::json_schema()),
    )
}

/// The file at `path` as JSON, and whether it is a sweep file.
fn as_json(path: &Path) -> (serde_json::Value, bool) {
    let text = std::fs::read_to_string(path).unwrap();
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let kind = FileKind::of(&table);
    (
        serde_json::to_value(&table).unwrap(),
        kind == FileKind::Sweep,
    )
}

/// The schema's complaints about the file at `path` (empty when it validates).
fn schema_errors(path: &Path, (scenario, sweep): &(Validator, Validator)) -> Vec<String> {
    let (value, is_sweep) = as_json(path);
    let validator = if is_sweep { sweep } else { scenario };
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The `*.toml` files directly in `dir`, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_bundled_scenario_and_sweep_validates_against_the_schema() {
    let validators = validators();
    let scenarios = Path::new(ROOT).join("scenarios");
    let mut checked = 0;
    for sub in ["", "policies", "psa", "sweeps", "variants"] {
        for path in toml_files(&scenarios.join(sub)) {
            let errors = schema_errors(&path, &validators);
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} bundled files found");
}

/// Fixtures the parser rejects for a reason the schema can see, each with a fragment of
/// the schema's complaint.
const REJECTED: [(&str, &str); 13] = [
    ("unknown_key.toml", "bedz"),
    ("wrong_type.toml", "/acute/beds"),
    ("missing_field.toml", "\"beds\" is a required property"),
    ("unknown_dist.toml", "/conditions/copd/los"),
    ("many_problems.toml", "bogus"),
    ("mixed_problems.toml", "bed_day_cost"),
    ("economics_errors.toml", "utilty"),
    ("evidence_errors.toml", "sorce"),
    ("tariff_errors.toml", "trim_day"),
    ("psa_bad.toml", "/conditions/copd/exacerbations_per_year"),
    ("sweep_many_problems.toml", "replicatons"),
    ("out_of_range.toml", "/conditions/copd/admit"),
    (
        "targeting_errors.toml",
        "/policy/care_management/target/within_days",
    ),
];

#[test]
fn fixtures_rejected_for_a_schema_reason_are_rejected_by_the_schema() {
    let validators = validators();
    for (name, fragment) in REJECTED {
        let path = fixture(name);
        let out = caresim(&fixture(""), &["validate", name]);
        assert_eq!(out.status.code(), Some(2), "{name}: the parser accepts it");
        let errors = schema_errors(&path, &validators);
        assert!(
            errors.iter().any(|e| e.contains(fragment)),
            "{name}: expected a complaint containing {fragment:?}, got {errors:#?}"
        );
    }
}

#[test]
fn fixtures_the_parser_accepts_validate_against_the_schema() {
    let validators = validators();
    let mut accepted = 0;
    for dir in [fixture(""), fixture("tables")] {
        for path in toml_files(&dir) {
            // Not TOML (malformed.toml): the parser rejects it, nothing to compare.
            let Ok(table) = std::fs::read_to_string(&path)
                .unwrap()
                .parse::<toml::Table>()
            else {
                continue;
            };
            let parsed = if FileKind::of(&table) == FileKind::Sweep {
                sweep::load(&path).is_ok()
            } else {
                caresim::scenario::load(&path).is_ok()
            };
            if parsed {
                let errors = schema_errors(&path, &validators);
                assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
                accepted += 1;
            }
        }
    }
    assert!(accepted >= 20, "only {accepted} fixtures parsed");
}

#[test]
fn a_file_that_extends_another_may_leave_required_keys_to_its_base() {
    let validators = validators();
    let dir = tempfile::tempdir().unwrap();
    let derived = dir.path().join("derived.toml");
    // `[acute]` without `beds`: fine when a base sets them, missing when nothing does.
    std::fs::write(
        &derived,
        "extends = \"base.toml\"\n[acute]\nwhen_full = \"divert\"\n",
    )
    .unwrap();
    assert_eq!(schema_errors(&derived, &validators), Vec::<String>::new());
    std::fs::write(
        &derived,
        "[scenario]\nname = \"x\"\n[acute]\nwhen_full = \"divert\"\n",
    )
    .unwrap();
    let errors = schema_errors(&derived, &validators).join("\n");
    for missing in ["\"beds\"", "\"simulation\"", "\"conditions\""] {
        assert!(errors.contains(missing), "{missing} not reported: {errors}");
    }
}

#[test]
fn the_committed_schemas_are_what_caresim_schema_prints() {
    for kind in ["scenario", "sweep"] {
        let out = caresim(Path::new(ROOT), &["schema", kind]);
        assert!(out.status.success(), "{}", stderr(&out));
        let path = Path::new(ROOT).join(format!("schema/{kind}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == String::from_utf8_lossy(&out.stdout),
            "{} is stale: regenerate it with `caresim schema {kind} > {}`",
            path.display(),
            path.display()
        );
    }
    let default = caresim(Path::new(ROOT), &["schema"]);
    let scenario = caresim(Path::new(ROOT), &["schema", "scenario"]);
    assert_eq!(default.stdout, scenario.stdout);
}
