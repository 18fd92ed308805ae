//! Rules between keys that the parser checks and a JSON Schema can state: within one table
//! ([`all`]), keys that exclude each other, keys that need another, keys a choice refuses or
//! needs; and a few between tables ([`across_tables`]).
//!
//! Each file is checked alone, so a rule is stated only where the parser refuses every
//! file that breaks it: a key a file writes is always in the scenario the parser checks
//! (`unset` removes only what the bases set), so "not both" holds for any file; but a
//! derived file may leave a needed key to its base, so "needs" rules hold only for a file
//! that extends none (see [`Rule::needs_base`]). A list item is replaced whole by a
//! derived file, so its rules hold for every file. What depends on other tables, on values
//! (a share's sum, an escalation probability above 0) or on the base chain is checked by
//! `caresim validate` only (README, "Editor help").

use serde_json::{Map, Value, json};

use crate::scenario::schema::RawAcuteMechanism;
use crate::scenario::validate::{MECHANISM_KEYS, mechanism_name};

/// A rule between keys of one table (a `Raw*` struct's definition).
#[derive(Clone, Debug)]
pub enum Rule {
    /// At most one of these keys.
    AtMostOne(Vec<&'static str>),
    /// Exactly one of these keys (in a list item, which is never merged with a base's).
    ExactlyOne(Vec<&'static str>),
    /// At least one of these keys, in a file that extends none.
    OneRequired(Vec<&'static str>),
    /// In a file that extends none, the first key needs each of the others.
    Needs(&'static str, Vec<&'static str>),
    /// When `key` is written as `value`, these keys are refused.
    Refuses {
        /// The choosing key.
        key: &'static str,
        /// Its value.
        value: &'static str,
        /// The keys that choice refuses.
        keys: Vec<&'static str>,
    },
    /// In a file that extends none: when `key` is written as `value`, these keys are
    /// required.
    Requires {
        /// The choosing key.
        key: &'static str,
        /// Its value.
        value: &'static str,
        /// The keys that choice needs.
        keys: Vec<&'static str>,
    },
    /// In a file that extends none: without `key` (its default choice), these keys are
    /// refused.
    RefusedWithout {
        /// The choosing key.
        key: &'static str,
        /// The keys its default refuses.
        keys: Vec<&'static str>,
    },
}

impl Rule {
    /// Whether the rule holds only in a file that extends none (a base may set what it
    /// needs).
    pub fn needs_base(&self) -> bool {
        matches!(
            self,
            Rule::OneRequired(_)
                | Rule::Needs(..)
                | Rule::Requires { .. }
                | Rule::RefusedWithout { .. }
        )
    }

    /// The keys the rule names.
    pub fn keys(&self) -> Vec<&'static str> {
        match self {
            Rule::AtMostOne(keys) | Rule::ExactlyOne(keys) | Rule::OneRequired(keys) => {
                keys.clone()
            }
            Rule::Needs(key, keys)
            | Rule::Refuses { key, keys, .. }
            | Rule::Requires { key, keys, .. }
            | Rule::RefusedWithout { key, keys } => {
                std::iter::once(*key).chain(keys.iter().copied()).collect()
            }
        }
    }

    /// The rule as a JSON Schema (draft-07) of the table.
    pub fn schema(&self) -> Value {
        let required = |k: &str| json!({ "required": [k] });
        let refused = |keys: &[&str]| {
            let none: Map<String, Value> = keys
                .iter()
                .map(|k| ((*k).to_string(), json!(false)))
                .collect();
            json!({ "properties": none })
        };
        match self {
            Rule::AtMostOne(keys) => {
                let pairs: Vec<Value> = keys
                    .iter()
                    .enumerate()
                    .flat_map(|(i, a)| {
                        keys[i + 1..]
                            .iter()
                            .map(move |b| json!({ "not": { "required": [a, b] } }))
                    })
                    .collect();
                json!({ "allOf": pairs })
            }
            Rule::ExactlyOne(keys) => {
                json!({ "oneOf": keys.iter().map(|k| required(k)).collect::<Vec<_>>() })
            }
            Rule::OneRequired(keys) => {
                json!({ "anyOf": keys.iter().map(|k| required(k)).collect::<Vec<_>>() })
            }
            Rule::Needs(key, keys) => json!({ "dependencies": { *key: keys } }),
            Rule::Refuses { key, value, keys } => json!({
                "if": { "properties": { *key: { "const": value } }, "required": [key] },
                "then": refused(keys),
            }),
            Rule::Requires { key, value, keys } => json!({
                "if": { "properties": { *key: { "const": value } }, "required": [key] },
                "then": { "required": keys },
            }),
            Rule::RefusedWithout { key, keys } => json!({
                "if": { "not": { "required": [key] } },
                "then": refused(keys),
            }),
        }
    }
}

/// Rules between tables of a scenario file, as schemas of the whole file, with whether
/// each holds only in a file that extends none: a joint prevalence given directly refuses
/// the conditions' own cohort keys; `population.entrants_per_year` and a condition's
/// `onset_per_year_by_age` need `[multimorbidity]`.
pub fn across_tables() -> Vec<(bool, Value)> {
    let cohort: Map<String, Value> = ["patients", "patients_by_age", "prevalence"]
        .iter()
        .map(|k| ((*k).to_string(), json!(false)))
        .collect();
    vec![
        (
            false,
            json!({
                "if": {
                    "properties": { "multimorbidity": { "required": ["joint_prevalence"] } },
                    "required": ["multimorbidity"],
                },
                "then": {
                    "properties": {
                        "conditions": { "additionalProperties": { "properties": cohort } },
                    },
                },
            }),
        ),
        (
            true,
            json!({
                "if": {
                    "properties": { "population": { "required": ["entrants_per_year"] } },
                    "required": ["population"],
                },
                "then": { "required": ["multimorbidity"] },
            }),
        ),
        (
            true,
            json!({
                "if": {
                    "not": {
                        "properties": {
                            "conditions": {
                                "additionalProperties": {
                                    "not": { "required": ["onset_per_year_by_age"] },
                                },
                            },
                        },
                    },
                },
                "then": { "required": ["multimorbidity"] },
            }),
        ),
    ]
}

/// The forms of `uptake` and the keys each takes (`policy::RawUptake`).
const UPTAKE_FORMS: [(&str, &[&str]); 3] = [
    ("step", &["day"]),
    ("linear", &["start_day", "full_day"]),
    ("logistic", &["midpoint_day", "scale_days"]),
];

/// The keys of every uptake form.
const UPTAKE_KEYS: [&str; 5] = ["day", "start_day", "full_day", "midpoint_day", "scale_days"];

/// The payment mechanisms, with the key each requires whatever the conditions.
const MECHANISMS: [(RawAcuteMechanism, &[&str]); 4] = [
    (RawAcuteMechanism::Activity, &[]),
    (RawAcuteMechanism::Tariff, &["excess_bed_day_price"]),
    (RawAcuteMechanism::Block, &["block_per_year"]),
    (
        RawAcuteMechanism::Capitation,
        &["capitation_per_person_year"],
    ),
];

/// Every rule, with the definition (the `Raw*` struct's name) it applies to.
pub fn all() -> Vec<(&'static str, Rule)> {
    let mut rules = vec![
        (
            "RawCondition",
            Rule::AtMostOne(vec!["patients", "patients_by_age", "prevalence"]),
        ),
        (
            "RawEconomics",
            Rule::AtMostOne(vec!["utility", "utility_by_age"]),
        ),
        (
            "RawSeasonality",
            Rule::AtMostOne(vec!["monthly", "amplitude"]),
        ),
        (
            "RawSeasonality",
            Rule::AtMostOne(vec!["monthly", "peak_day"]),
        ),
        (
            "RawSeasonality",
            Rule::OneRequired(vec!["amplitude", "monthly"]),
        ),
        (
            "RawTrend",
            Rule::AtMostOne(vec!["by_year", "annual_change"]),
        ),
        (
            "RawMultimorbidity",
            Rule::AtMostOne(vec!["joint_prevalence", "odds_ratio"]),
        ),
        (
            "RawMultimorbidity",
            Rule::AtMostOne(vec!["joint_prevalence", "odds_ratios"]),
        ),
        ("RawBedChange", Rule::ExactlyOne(vec!["beds", "add"])),
        ("RawPlaceChange", Rule::ExactlyOne(vec!["capacity", "add"])),
        (
            "RawEarlyDischarge",
            Rule::AtMostOne(vec!["days_shorter", "los_factor"]),
        ),
        (
            "RawEarlyDischarge",
            Rule::OneRequired(vec!["days_shorter", "los_factor"]),
        ),
        ("RawProgramme", Rule::AtMostOne(vec!["share", "target"])),
        ("RawProgramme", Rule::OneRequired(vec!["share", "target"])),
        ("RawProgramme", Rule::Needs("caseload", vec!["target"])),
        (
            "RawProgramme",
            Rule::Needs("enrolment_days", vec!["target"]),
        ),
        ("RawProgramme", Rule::Needs("target", vec!["caseload"])),
        (
            "RawIntegratedFunding",
            Rule::Needs("max_delay_days", vec!["interim_service"]),
        ),
        (
            "RawIntegratedFunding",
            Rule::Needs("interim_service", vec!["max_delay_days"]),
        ),
    ];
    for (form, takes) in UPTAKE_FORMS {
        let refused: Vec<&'static str> = UPTAKE_KEYS
            .iter()
            .copied()
            .filter(|k| !takes.contains(k))
            .collect();
        rules.push((
            "RawUptake",
            Rule::Refuses {
                key: "form",
                value: form,
                keys: refused,
            },
        ));
        rules.push((
            "RawUptake",
            Rule::Requires {
                key: "form",
                value: form,
                keys: takes.to_vec(),
            },
        ));
    }
    let owned_by = |m: RawAcuteMechanism| -> Vec<&'static str> {
        MECHANISM_KEYS
            .iter()
            .filter(|(_, owner)| *owner != m)
            .map(|(k, _)| *k)
            .collect()
    };
    for (mechanism, needs) in MECHANISMS {
        let value = mechanism_name(mechanism);
        rules.push((
            "RawPayment",
            Rule::Refuses {
                key: "acute",
                value,
                keys: owned_by(mechanism),
            },
        ));
        if !needs.is_empty() {
            rules.push((
                "RawPayment",
                Rule::Requires {
                    key: "acute",
                    value,
                    keys: needs.to_vec(),
                },
            ));
        }
    }
    rules.push((
        "RawPayment",
        Rule::RefusedWithout {
            key: "acute",
            keys: owned_by(RawAcuteMechanism::Activity),
        },
    ));
    rules
}
