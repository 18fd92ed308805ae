//! England at national scale (issue 15 item 6): `scenarios/england_2003.toml` is the NHS
//! baseline with every count of people, places and arrivals × 200 and nothing else changed,
//! so that one replication is 200 times the baseline's work and a national-scale run tells
//! the same story per patient.
//!
//! The file `extends` the baseline and overrides only count keys, so a change of a rate,
//! stay or cost in the baseline reaches England by itself. What can go wrong is a *count*
//! the baseline gains (a capacity, an entrant projection, a block payment) that England
//! forgets to scale: then England is no longer the baseline × 200, silently. So the test
//! compares every resolved parameter of the two, with the list of count parameters kept
//! explicit here: a count must be 200 × the baseline's, anything else identical, and a
//! failure names the parameter's path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use caresim::model::units;
use caresim::scenario::{self, Scenario};
use serde_json::Value;

use crate::util::{caresim, stderr};

/// England's 65+ (~8 million) over the baseline PCT's (40,000).
const SCALE: f64 = 200.0;

/// How a count parameter may differ from exactly [`SCALE`] × the baseline's.
#[derive(Clone, Copy, Debug)]
enum Count {
    /// Given directly in the file (or a fixed conversion of it, per year to per day): 200 ×
    /// the baseline's up to floating-point rounding.
    Given,
    /// A whole number derived from a share × people (a prevalence cohort per band): 200 ×
    /// the baseline's rounded count may differ from the rounded 200 × share × people by up
    /// to 200.
    Rounded,
}

/// Every parameter pattern (as [`units::parameters`] names it, list items as `*`) that is a
/// number of people, places, beds, patients or residents, arrivals per unit time, or a sum
/// of money per year for the whole population: the parameters that scale with the
/// population. Anything not here must be identical in the two scenarios. A new count key
/// belongs here *and* scaled in `scenarios/england_2003.toml`.
const COUNTS: &[(&str, Count)] = &[
    ("population.catchment", Count::Given),
    ("acute.beds", Count::Given),
    ("acute.schedule.changes.*.capacity", Count::Given),
    ("acute.schedule.changes.*.add", Count::Given),
    ("services.*.capacity", Count::Given),
    ("services.*.schedule.changes.*.capacity", Count::Given),
    ("services.*.schedule.changes.*.add", Count::Given),
    ("services.*.residents.at_start", Count::Given),
    // Prevalence × band people, or `patients`/`patients_by_age` split by band people.
    ("conditions.*.bands.*.patients", Count::Rounded),
    ("conditions.*.new_patients_per_day", Count::Given),
    ("persons.entrants.per_day.*", Count::Given),
    // A block contract is a sum per year for the whole population (capitation's price per
    // person-year is not a count).
    ("payment.acute.per_year", Count::Given),
    // Levers, in case the baseline ever carries one: caseloads, bed floors and steps,
    // waiting-list thresholds and yearly totals grow with the population.
    ("levers.care_management.target.caseload", Count::Given),
    ("levers.budget_controller.step_beds", Count::Given),
    ("levers.budget_controller.min_beds", Count::Given),
    ("levers.budget_controller.threshold", Count::Given),
    ("levers.outreach_cost_per_year", Count::Given),
];

/// The keys `england_2003.toml` may set itself (`*` is one table key: a service, a
/// condition, an age band): its own name and replications, and the scenario-file keys of
/// the counts above. Setting any other key, even to the baseline's value, would stop it
/// following the baseline.
const OWN_KEYS: &[&str] = &[
    "extends",
    "scenario.name",
    "scenario.title",
    "scenario.description",
    "simulation.replications",
    "population.catchment",
    "population.age_bands.*",
    "population.entrants_per_year.*",
    "acute.beds",
    "acute.schedule",
    "community.*.capacity",
    "community.*.residents_at_start",
    "community.*.schedule",
    "conditions.*.patients",
    "conditions.*.patients_by_age.*",
    "conditions.*.new_patients_per_year",
    "payment.block_per_year",
];

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn load(name: &str) -> Scenario {
    scenario::load(&path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Whether `base` and `england` (one leaf each: a number, or a list of numbers) are
/// `count` × [`SCALE`] apart; `None` when they are, else why not.
fn scaled(base: &Value, england: &Value, count: Count) -> Option<String> {
    match (base, england) {
        (Value::Array(b), Value::Array(e)) if b.len() == e.len() => b
            .iter()
            .zip(e)
            .enumerate()
            .find_map(|(i, (b, e))| scaled(b, e, count).map(|why| format!("item {i}: {why}"))),
        (Value::Number(b), Value::Number(e)) => {
            let (b, e) = (b.as_f64().unwrap(), e.as_f64().unwrap());
            let want = SCALE * b;
            let tolerance = match count {
                Count::Given => 1e-9 * want.abs().max(1.0),
                Count::Rounded => SCALE,
            };
            let within = match count {
                Count::Given => "",
                Count::Rounded => " ± 200",
            };
            ((e - want).abs() > tolerance)
                .then(|| format!("{e} is not {SCALE} × {b} = {want}{within}"))
        }
        _ => Some(format!("{england} is not a scaled copy of {base}")),
    }
}

/// Whether `pattern` (dotted) matches `glob`, where a `*` in `glob` is any one segment.
fn matches(glob: &str, pattern: &str) -> bool {
    let (g, p): (Vec<_>, Vec<_>) = (glob.split('.').collect(), pattern.split('.').collect());
    g.len() == p.len() && g.iter().zip(&p).all(|(g, p)| *g == "*" || g == p)
}

/// Every leaf key of a TOML table, dotted (an array is a leaf: a schedule is one value).
fn toml_keys(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => toml_keys(&key, t, out),
            _ => out.push(key),
        }
    }
}

#[test]
fn england_is_the_baseline_with_every_count_times_200() {
    for (pattern, _) in COUNTS {
        assert!(
            units::unit(pattern).is_some(),
            "{pattern} is not a parameter in PARAMETER_UNITS (renamed?)"
        );
    }
    let base = load("nhs_2003_baseline.toml");
    let england = load("england_2003.toml");
    let (bt, et) = (
        serde_json::to_value(&base.params).unwrap(),
        serde_json::to_value(&england.params).unwrap(),
    );
    let leaves = |t| {
        units::parameters(t)
            .into_iter()
            .map(|p| (p.path, (p.pattern, p.value)))
            .collect::<BTreeMap<_, _>>()
    };
    let (bl, el) = (leaves(&bt), leaves(&et));
    let only = |a: &BTreeMap<String, _>, b: &BTreeMap<String, _>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        (only(&bl, &el), only(&el, &bl)),
        (vec![], vec![]),
        "parameters only in the baseline, only in England: the same tree is expected"
    );
    let mut problems = Vec::new();
    let mut counts = 0;
    for (path, (pattern, b)) in &bl {
        let e = el[path].1;
        match COUNTS.iter().find(|(p, _)| p == pattern) {
            Some((_, count)) => {
                counts += 1;
                if let Some(why) = scaled(b, e, *count) {
                    problems.push(format!("{path} (a count, × {SCALE}): {why}"));
                }
            }
            None if *b != e => problems.push(format!(
                "{path} ({pattern}): baseline {b}, England {e}; not in the test's COUNTS, so it \
                 must be equal (if it is a count, add it to COUNTS and scale it in \
                 england_2003.toml)"
            )),
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // catchment, beds, 2 capacities, residents, 6 conditions × (3 bands + incidence)
    assert!(counts >= 29, "only {counts} count parameters compared");

    // The work of a replication: patients at the start and events per day at home.
    let ratio = |e: f64, b: f64| e / b / SCALE - 1.0;
    let patients = ratio(
        england.params.total_patients() as f64,
        base.params.total_patients() as f64,
    );
    assert!(patients.abs() < 1e-3, "patients: {patients:+e} off × 200");
    let events = ratio(
        england.params.home_event_rate_per_day(),
        base.params.home_event_rate_per_day(),
    );
    assert!(events.abs() < 1e-3, "events per day: {events:+e} off × 200");

    // Its own identity; the same seed and horizon as the baseline.
    assert_eq!(england.name, "england_2003");
    assert_ne!(england.description, base.description);
    assert!(england.replications < base.replications);
    assert_eq!(england.seed, base.seed);
    assert!(england.files[1].path.ends_with("nhs_2003_baseline.toml"));
}

#[test]
fn england_sets_only_count_keys_so_it_follows_the_baseline() {
    let text = std::fs::read_to_string(path("england_2003.toml")).unwrap();
    let table: toml::Table = text.parse().unwrap();
    assert_eq!(
        table.get("extends").and_then(toml::Value::as_str),
        Some("nhs_2003_baseline.toml")
    );
    let mut keys = Vec::new();
    toml_keys("", &table, &mut keys);
    let foreign: Vec<_> = keys
        .iter()
        .filter(|k| !OWN_KEYS.iter().any(|g| matches(g, k)))
        .collect();
    assert!(
        foreign.is_empty(),
        "england_2003.toml sets keys other than counts, which then stop following the \
         baseline: {foreign:?}"
    );
}

#[test]
fn england_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = caresim(root, &["validate", "scenarios/england_2003.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
}
