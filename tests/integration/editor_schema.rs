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

/// A key of a schema whose value is not a table: a number, a distribution, a text, a
/// choice, a flag, or a list or map of them.
#[derive(Debug)]
struct Leaf {
    /// Dotted path, `<name>` for a table's named entries and `[]` for a list's.
    path: String,
    /// The key's own name.
    name: String,
    /// Whether it holds numbers (which have a unit).
    numeric: bool,
    /// Its doc, on one line.
    doc: String,
    /// Whether the schema gives a `default`.
    has_default: bool,
    /// Whether its table's schema lists it as `required` (a distribution's `mean_days`).
    required: bool,
    /// One value or several.
    shape: Shape,
}

/// Whether a key holds one value, which a fixed default is the schema's `default` of, or
/// a list or map of them (whose default is per element).
#[derive(Debug, PartialEq)]
enum Shape {
    One,
    Many,
}

/// `v` itself, or what its `$ref` (or a lone `allOf` branch) points at.
fn resolved<'a>(v: &'a serde_json::Value, defs: &'a serde_json::Value) -> &'a serde_json::Value {
    let mut v = v;
    for _ in 0..8 {
        if let Some(r) = v.get("$ref").and_then(|r| r.as_str()) {
            v = &defs[r.trim_start_matches("#/definitions/")];
        } else if let Some([one]) = v.get("allOf").and_then(|a| a.as_array()).map(Vec::as_slice)
            && v.get("properties").is_none()
        {
            v = one;
        } else {
            break;
        }
    }
    v
}

/// Whether `v` is a number, a number-or-distribution, or a list or map of them.
fn holds_numbers(v: &serde_json::Value, defs: &serde_json::Value) -> bool {
    let r = resolved(v, defs);
    match r.get("type").and_then(|t| t.as_str()) {
        Some("number" | "integer") => true,
        Some("array") => holds_numbers(&r["items"], defs),
        Some("object") if r.get("properties").is_none() => r
            .get("additionalProperties")
            .is_some_and(|ap| holds_numbers(ap, defs)),
        _ => r
            .get("anyOf")
            .and_then(|a| a.as_array())
            .is_some_and(|branches| {
                branches
                    .iter()
                    .any(|b| b["$ref"] == "#/definitions/ParamDist")
                    && branches.iter().any(|b| holds_numbers(b, defs))
            }),
    }
}

/// The tables `v` stands for: itself, a map's values, a list's items, the branches of a
/// tagged union (a distribution of durations).
fn tables_in<'a>(
    v: &'a serde_json::Value,
    defs: &'a serde_json::Value,
) -> Vec<(&'a serde_json::Value, &'static str)> {
    let r = resolved(v, defs);
    if r.get("properties").is_some() {
        return vec![(r, "")];
    }
    let branches: Vec<_> = ["oneOf", "anyOf"]
        .iter()
        .filter_map(|k| r.get(*k).and_then(|b| b.as_array()))
        .flatten()
        .map(|b| resolved(b, defs))
        .filter(|b| b.get("properties").is_some())
        .map(|b| (b, ""))
        .collect();
    if !branches.is_empty() {
        return branches;
    }
    match r.get("type").and_then(|t| t.as_str()) {
        Some("object") => r
            .get("additionalProperties")
            .map(|ap| {
                tables_in(ap, defs)
                    .into_iter()
                    .map(|(t, _)| (t, ".<name>"))
                    .collect()
            })
            .unwrap_or_default(),
        Some("array") => tables_in(&r["items"], defs)
            .into_iter()
            .map(|(t, _)| (t, "[]"))
            .collect(),
        _ => Vec::new(),
    }
}

/// Every leaf key of `schema`, walking tables, maps of tables and lists of tables.
fn leaves(schema: &serde_json::Value) -> Vec<Leaf> {
    fn walk(
        table: &serde_json::Value,
        defs: &serde_json::Value,
        prefix: &str,
        out: &mut Vec<Leaf>,
    ) {
        let Some(props) = table.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for (name, p) in props {
            let path = format!("{prefix}{name}");
            let r = resolved(p, defs);
            // A tag (`dist = "gamma"`) names its table's form: nothing to describe.
            if r.get("const").is_some() {
                continue;
            }
            let tables = tables_in(p, defs);
            if tables.is_empty() {
                let doc = p.get("description").or_else(|| r.get("description"));
                out.push(Leaf {
                    path,
                    name: name.clone(),
                    numeric: holds_numbers(p, defs),
                    doc: doc
                        .and_then(|d| d.as_str())
                        .unwrap_or_default()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    has_default: p.get("default").is_some() || r.get("default").is_some(),
                    required: table["required"]
                        .as_array()
                        .is_some_and(|req| req.iter().any(|k| k == name)),
                    shape: if matches!(
                        r.get("type").and_then(|t| t.as_str()),
                        Some("array" | "object")
                    ) {
                        Shape::Many
                    } else {
                        Shape::One
                    },
                });
            } else {
                for (t, suffix) in tables {
                    walk(t, defs, &format!("{path}{suffix}."), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(schema, &schema["definitions"], "", &mut out);
    // A map of tables reached through several unions lists its keys once.
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out.dedup_by(|a, b| a.path == b.path && a.doc == b.doc);
    out
}

/// Words that state a unit: a duration, money, a rate, a dimensionless kind, a count.
const UNIT_WORDS: [&str; 27] = [
    "days",
    "fraction",
    "ratio",
    "a count",
    "day of",
    "years",
    "£",
    "per year",
    "-year",
    "probability",
    "share",
    "multiplier",
    "odds ratio",
    "utility",
    "qalys",
    "beds",
    "places",
    "patients",
    "people",
    "persons",
    "residents",
    "attendances",
    "sessions",
    "replications",
    "random seed",
    "coefficient of variation",
    "the swept key's unit",
];

/// What is missing from a leaf's doc: a unit (for numbers), one that its name implies,
/// its default or that it is required, and the schema `default` of a fixed default.
fn doc_gaps(leaf: &Leaf) -> Vec<&'static str> {
    let doc = leaf.doc.to_lowercase();
    let name = leaf.name.as_str();
    let has = |w: &str| doc.contains(w);
    let mut gaps = Vec::new();
    if leaf.doc.is_empty() {
        return vec!["no doc"];
    }
    if leaf.numeric {
        if !UNIT_WORDS.iter().any(|w| has(w)) {
            gaps.push("no unit");
        }
        let implied: [(bool, &[&str], &'static str); 7] = [
            (
                name.ends_with("_days") || name == "day" || name.ends_with("_day"),
                &["day"],
                "a `_days` key without `days`",
            ),
            (
                name.contains("per_year"),
                &["year"],
                "a `per_year` key without `year`",
            ),
            (
                ["cost", "price", "tariff", "capitation", "block"]
                    .iter()
                    .any(|w| name.contains(w))
                    || name == "per_day",
                &["£"],
                "money without `£`",
            ),
            (
                name.contains("multiplier") || name.ends_with("_factor") || name == "by_year",
                &["multiplier"],
                "a multiplier not called one",
            ),
            (
                ["probability", "share", "prevalence", "eligible"]
                    .iter()
                    .any(|w| name.contains(w))
                    || ["admit", "in_hospital_death"].contains(&name),
                &["probability", "share"],
                "a probability not called a probability or share",
            ),
            (
                name.contains("odds_ratio"),
                &["odds ratio"],
                "an odds ratio not called one",
            ),
            (
                ["beds", "capacity", "caseload", "patients", "residents"]
                    .iter()
                    .any(|w| name.contains(w)),
                &["beds", "places", "patients", "residents"],
                "a count without what it counts",
            ),
        ];
        for (applies, words, gap) in implied {
            if applies && !words.iter().any(|w| has(w)) {
                gaps.push(gap);
            }
        }
        let probability = ["probability", "share", "prevalence", "eligible"]
            .iter()
            .any(|w| name.contains(w))
            || ["admit", "in_hospital_death"].contains(&name);
        if probability && !has("[0, 1]") && !has("sum to 1") {
            gaps.push("a probability without its range [0, 1]");
        }
    }
    if !has("default") && !has("required") && !leaf.required {
        gaps.push("neither its default nor that it is required");
    }
    // A fixed default (`Default 0`, `"queue"` (default)) is the schema's `default` too.
    let fixed = doc.match_indices("default").any(|(i, _)| {
        let after = doc[i + "default".len()..].trim_start_matches([' ', ':']);
        let before = doc[..i].trim_end_matches([' ', '(']);
        after.starts_with(|c: char| c.is_ascii_digit() || c == '−')
            || after.starts_with("true")
            || after.starts_with("false")
            || (before.ends_with("\"`") || before.ends_with('`')) && doc[..i].ends_with('(')
            || before.ends_with("\"`") && doc[..i].ends_with("` (")
    });
    if fixed && leaf.shape == Shape::One && !leaf.has_default {
        gaps.push("a fixed default the schema does not give as `default`");
    }
    gaps
}

#[test]
fn every_key_states_its_unit_and_its_default_or_that_it_is_required() {
    let mut gaps = Vec::new();
    let mut checked = 0;
    for (kind, schema) in [
        ("scenario", json_schema::scenario()),
        ("sweep", sweep::json_schema()),
    ] {
        for leaf in leaves(&schema) {
            checked += 1;
            for gap in doc_gaps(&leaf) {
                gaps.push(format!("{kind}: {}: {gap}: {:?}", leaf.path, leaf.doc));
            }
        }
    }
    assert!(checked > 150, "only {checked} keys found");
    assert!(
        gaps.is_empty(),
        "{} keys' docs lack something:\n{}",
        gaps.len(),
        gaps.join("\n")
    );
}

#[test]
fn a_key_whose_doc_loses_its_unit_or_default_is_listed() {
    let leaf = |name: &str, numeric: bool, doc: &str, has_default: bool| Leaf {
        path: name.into(),
        name: name.into(),
        numeric,
        doc: doc.into(),
        has_default,
        required: false,
        shape: Shape::One,
    };
    let ok = leaf("hold_days", true, "Days a place is held. Default 14.", true);
    assert_eq!(doc_gaps(&ok), Vec::<&str>::new());
    let unitless = leaf("hold", true, "How long a place is held. Default 14.", true);
    assert_eq!(doc_gaps(&unitless), vec!["no unit"]);
    let no_days = leaf(
        "hold_days",
        true,
        "Places held for a while. Default 14.",
        true,
    );
    assert_eq!(doc_gaps(&no_days), vec!["a `_days` key without `days`"]);
    let no_pound = leaf("day_cost", true, "Cost per place-day. Default 0.", true);
    assert_eq!(doc_gaps(&no_pound), vec!["no unit", "money without `£`"]);
    let no_default = leaf("hold_days", true, "Days a place is held.", false);
    assert_eq!(
        doc_gaps(&no_default),
        vec!["neither its default nor that it is required"]
    );
    let not_in_schema = leaf(
        "hold_days",
        true,
        "Days a place is held. Default 14.",
        false,
    );
    assert_eq!(
        doc_gaps(&not_in_schema),
        vec!["a fixed default the schema does not give as `default`"]
    );
    let choice = leaf(
        "when_full",
        false,
        "`\"queue\"` (default) or `\"divert\"`.",
        false,
    );
    assert_eq!(
        doc_gaps(&choice),
        vec!["a fixed default the schema does not give as `default`"]
    );
    let share = leaf("share", true, "Share enrolled (required).", false);
    assert_eq!(
        doc_gaps(&share),
        vec!["a probability without its range [0, 1]"]
    );
}

/// `valid.toml` with `edit` applied: each `(old, new)` replaces the first `old` (`""`
/// appends `new` at the end).
fn valid_with(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(fixture("valid.toml")).unwrap();
    for (old, new) in edits {
        if old.is_empty() {
            text.push('\n');
            text.push_str(new);
            text.push('\n');
        } else {
            assert!(text.contains(old), "{old:?} not in valid.toml");
            text = text.replacen(old, new, 1);
        }
    }
    text
}

/// The schema's complaints about `text` (a scenario file), each with where in the schema
/// it comes from (`.../RawCondition/allOf/...`).
fn scenario_schema_errors(text: &str, (scenario, _): &(Validator, Validator)) -> Vec<String> {
    let table: toml::Table = text.parse().unwrap();
    let value = serde_json::to_value(&table).unwrap();
    scenario
        .iter_errors(&value)
        .map(|e| {
            format!(
                "{} [{} = {}]: {e}",
                e.instance_path(),
                e.evaluation_path(),
                e.schema_path()
            )
        })
        .collect()
}

/// Replacements in a file's text: `(old, new)`.
type Edits = &'static [(&'static str, &'static str)];

/// Files breaking one rule between keys (`caresim::scenario::json_schema::rules`), each
/// with a fragment of the parser's message and of the schema's (where the rule sits).
const CROSS_KEY: [(&str, Edits, &str, &str); 23] = [
    (
        "patients and prevalence",
        &[("patients = 2000", "patients = 2000\nprevalence = 0.05")],
        "give only one of patients, patients_by_age and prevalence",
        "RawCondition/allOf",
    ),
    (
        "utility and utility_by_age",
        &[(
            "",
            "[economics]\nutility = 0.8\nutility_by_age = { all = 0.7 }",
        )],
        "give only one of utility",
        "RawEconomics/allOf",
    ),
    (
        "monthly and amplitude",
        &[(
            "",
            "[seasonality]\namplitude = 0.2\nmonthly = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
        )],
        "give either monthly or amplitude/peak_day, not both",
        "RawSeasonality/allOf",
    ),
    (
        "monthly and peak_day",
        &[(
            "",
            "[seasonality]\npeak_day = 10.0\nmonthly = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
        )],
        "give either monthly or amplitude/peak_day, not both",
        "RawSeasonality/allOf",
    ),
    (
        "neither amplitude nor monthly",
        &[("", "[seasonality]\npeak_day = 10.0")],
        "seasonality.amplitude: missing",
        "seasonality/allOf",
    ),
    (
        "by_year and annual_change",
        &[(
            "",
            "[trends.deaths]\nby_year = [1.0, 1.1]\nannual_change = 0.01",
        )],
        "exactly one of by_year",
        "RawTrend/allOf",
    ),
    (
        "beds and add in one change",
        &[(
            "beds = 20",
            "beds = 20\nschedule = [{ day = 10.0, beds = 30, add = 2 }]",
        )],
        "found both",
        "RawBedChange/allOf",
    ),
    (
        "neither beds nor add",
        &[("beds = 20", "beds = 20\nschedule = [{ day = 10.0 }]")],
        "found neither",
        "RawBedChange/allOf",
    ),
    (
        "capacity and add in one change",
        &[(
            "day_cost = 150.0",
            "day_cost = 150.0\nschedule = [{ day = 5.0, capacity = 3, add = 1 }]",
        )],
        "found both",
        "RawPlaceChange/allOf",
    ),
    (
        "days_shorter and los_factor",
        &[(
            "",
            "[policy.early_discharge]\nconditions = [\"copd\"]\neligible = 0.5\nservice = \"intermediate_care\"\ndays_shorter = 2.0\nlos_factor = 0.8",
        )],
        "give either days_shorter or los_factor, not both",
        "RawEarlyDischarge/allOf",
    ),
    (
        "neither days_shorter nor los_factor",
        &[(
            "",
            "[policy.early_discharge]\nconditions = [\"copd\"]\neligible = 0.5\nservice = \"intermediate_care\"",
        )],
        "as days_shorter or los_factor",
        "early_discharge/allOf",
    ),
    (
        "share and target",
        &[(
            "",
            "[policy.care_management]\nshare = 0.2\ntarget = { admissions = 2, within_days = 365.0 }\ncaseload = 10",
        )],
        "give either `share` (random enrolment at the start) or `target`",
        "RawProgramme/allOf",
    ),
    (
        "caseload without target",
        &[("", "[policy.care_management]\nshare = 0.2\ncaseload = 10")],
        "only with `target`",
        "dependencies",
    ),
    (
        "target without caseload",
        &[(
            "",
            "[policy.care_management]\ntarget = { admissions = 2, within_days = 365.0 }",
        )],
        "policy.care_management.caseload: missing",
        "dependencies",
    ),
    (
        "max_delay_days without interim_service",
        &[("", "[policy.integrated_funding]\nmax_delay_days = 5.0")],
        "interim_service: missing",
        "dependencies",
    ),
    (
        "a key of another uptake form",
        &[(
            "",
            "[policy.care_management]\nshare = 0.2\nuptake = { form = \"step\", day = 10.0, start_day = 0.0 }",
        )],
        "not a setting of a step uptake",
        "RawUptake/allOf",
    ),
    (
        "a key its uptake form needs",
        &[(
            "",
            "[policy.care_management]\nshare = 0.2\nuptake = { form = \"linear\", start_day = 0.0 }",
        )],
        "full_day: missing",
        "uptake/allOf",
    ),
    (
        "a key of another payment mechanism",
        &[(
            "",
            "[payment]\nacute = \"block\"\nblock_per_year = 1000000.0\nspell_tariff = 3000.0",
        )],
        "applies only to acute = \"tariff\"",
        "RawPayment/allOf",
    ),
    (
        "a key its payment mechanism needs",
        &[("", "[payment]\nacute = \"block\"")],
        "block_per_year: missing",
        "payment/allOf",
    ),
    (
        "a condition's cohort with a joint prevalence",
        &[(
            "",
            "[multimorbidity]\njoint_prevalence = { all = { copd = 0.05, none = 0.95 } }",
        )],
        "the cohort comes from multimorbidity.joint_prevalence",
        "/conditions/copd/patients [/allOf",
    ),
    (
        "entrants without [multimorbidity]",
        &[("", "[population]\nentrants_per_year = { all = [10.0] }")],
        "entrants need [multimorbidity]",
        "\"multimorbidity\" is a required property",
    ),
    (
        "onset without [multimorbidity]",
        &[(
            "patients = 2000",
            "patients = 2000\nonset_per_year_by_age = { all = 0.01 }",
        )],
        "onset among the living needs [multimorbidity]",
        "\"multimorbidity\" is a required property",
    ),
    (
        "a tariff key under the default mechanism",
        &[("", "[payment]\nspell_tariff = 3000.0")],
        "but the mechanism is \"activity\"",
        "payment/allOf",
    ),
];

#[test]
fn files_breaking_a_rule_between_keys_are_rejected_by_the_parser_and_the_schema() {
    let validators = validators();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    for (what, edits, parser_says, schema_at) in CROSS_KEY {
        let text = valid_with(edits);
        std::fs::write(&path, &text).unwrap();
        let parsed = caresim::scenario::load(&path);
        let message = match parsed {
            Ok(_) => panic!("{what}: the parser accepts\n{text}"),
            Err(e) => format!("{e:#}"),
        };
        assert!(
            message.contains(parser_says),
            "{what}: the parser says {message}"
        );
        let errors = scenario_schema_errors(&text, &validators);
        assert!(
            errors.iter().any(|e| e.contains(schema_at)),
            "{what}: expected a complaint from {schema_at:?}, got {errors:#?}"
        );
    }
}

#[test]
fn a_derived_file_may_leave_to_its_base_what_a_rule_needs() {
    let validators = validators();
    let dir = tempfile::tempdir().unwrap();
    let base = valid_with(&[
        ("", "[seasonality]\namplitude = 0.2"),
        (
            "",
            "[policy.care_management]\ntarget = { admissions = 2, within_days = 365.0 }\ncaseload = 10",
        ),
        (
            "",
            "[payment]\nacute = \"block\"\nblock_per_year = 1000000.0",
        ),
    ]);
    std::fs::write(dir.path().join("base.toml"), &base).unwrap();
    // Each would break a rule in a file that extends none; the base supplies what it needs,
    // or `unset` removes the base's key that this file's excludes.
    let derived = [
        "[seasonality]\npeak_day = 30.0",
        "[policy.care_management]\ncaseload = 20",
        "[payment]\nacute = \"block\"",
        "[payment]\nblock_per_year = 2000000.0",
        "unset = [\"seasonality.amplitude\"]\n[seasonality]\nmonthly = [1.2, 1.2, 1.1, 1.0, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2]",
        "unset = [\"conditions.copd.patients\"]\n[population]\ncatchment = 40000.0\n[conditions.copd]\nprevalence = 0.05",
    ];
    let path = dir.path().join("derived.toml");
    for text in derived {
        let text = format!("extends = \"base.toml\"\n{text}\n");
        std::fs::write(&path, &text).unwrap();
        if let Err(e) = caresim::scenario::load(&path) {
            panic!("the parser refuses\n{text}\n{e:#}");
        }
        let errors = scenario_schema_errors(&text, &validators);
        assert!(errors.is_empty(), "{text}\n{errors:#?}");
    }
}
