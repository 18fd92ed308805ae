//! `[economics]` and `[payment]`: utilities, discounting and the threshold; how the
//! commissioner pays the acute hospital, and delayed-discharge reimbursement. Also the
//! `evidence` of the tables outside `[policy.*]` that may grade their settings.

use crate::model::economics::{DEFAULT_THRESHOLD, NICE_DISCOUNT_RATE};
use crate::model::{AcutePayment, DelayReimbursement, EconomicsParams, PaymentParams};
use crate::scenario::checker::{Checker, MAX_COST, MAX_DISCOUNT_RATE, MAX_HORIZON_DAYS, unknown};
use crate::scenario::policy::evidence::{EffectEvidence, check_table};
use crate::scenario::schema::{RawAcuteMechanism, RawPayment, RawScenario};
use crate::scenario::uncertain::Uncertain;

/// `[economics]`, with one baseline utility per age band of `bands`. Utilities count as
/// given when any utility key of the scenario is set (`[economics]` utilities or acute
/// multiplier, a condition's, service's or unmet need's multiplier, an admission's QALY
/// loss): without any, QALYs are life-years and the quality integral is not kept.
pub(super) fn economics(ck: &mut Checker, raw: &RawScenario, bands: &[String]) -> EconomicsParams {
    let e = raw.economics.clone().unwrap_or_default();
    let discount_rate = ck.number(
        "economics.discount_rate",
        e.discount_rate.unwrap_or(NICE_DISCOUNT_RATE),
        "a rate per year in [0, 0.2] (0.035 = 3.5%, the NICE reference case)",
        |x| (0.0..=MAX_DISCOUNT_RATE).contains(&x),
    );
    let utility_by_band = match (e.utility, &e.utility_by_age) {
        (Some(_), Some(_)) => {
            ck.fail(
                "economics.utility_by_age",
                "give only one of utility (everyone) and utility_by_age (one per age band)",
            );
            vec![1.0; bands.len()]
        }
        (Some(u), None) => vec![ck.utility("economics.utility", u); bands.len()],
        (None, Some(table)) => {
            let by_band = ck.by_age(
                "economics.utility_by_age",
                &Some(table.clone()),
                bands,
                f64::NAN,
            );
            bands
                .iter()
                .zip(by_band)
                .map(|(band, u)| {
                    let field = format!("economics.utility_by_age.{band}");
                    if u.is_nan() && !table.contains_key(band) {
                        ck.fail(
                            &field,
                            format!(
                                "missing: a utility for every age band ({}), or one utility for everyone",
                                bands.join(", ")
                            ),
                        );
                        1.0
                    } else {
                        ck.utility(&field, u)
                    }
                })
                .collect()
        }
        (None, None) => vec![1.0; bands.len()],
    };
    let threshold = ck.number(
        "economics.threshold",
        e.threshold.unwrap_or(DEFAULT_THRESHOLD),
        "greater than 0 (£ per QALY)",
        |x| x > 0.0,
    );
    let threshold = ck.at_most("economics.threshold", threshold, MAX_COST, " (£ per QALY)");
    let acute_utility_multiplier = ck.utility_multiplier(
        "economics.acute_utility_multiplier",
        e.acute_utility_multiplier,
    );
    EconomicsParams {
        discount_rate,
        utility_by_band,
        threshold,
        acute_utility_multiplier,
        utilities_given: utilities_given(raw),
    }
}

/// Whether any key that changes a utility or costs QALYs is set.
fn utilities_given(raw: &RawScenario) -> bool {
    let economics = raw.economics.as_ref().is_some_and(|e| {
        e.utility.is_some() || e.utility_by_age.is_some() || e.acute_utility_multiplier.is_some()
    });
    let conditions = raw
        .conditions
        .iter()
        .flatten()
        .any(|(_, c)| c.utility_multiplier.is_some() || c.admission_qaly_loss.is_some());
    let services = raw.community.iter().flatten().any(|(_, s)| {
        s.utility_multiplier.is_some()
            || s.unmet
                .as_ref()
                .is_some_and(|u| u.utility_multiplier.is_some())
    });
    economics || conditions || services
}

/// The keys of `[payment]` that belong to one mechanism only, with that mechanism.
pub(crate) const MECHANISM_KEYS: [(&str, RawAcuteMechanism); 6] = [
    ("spell_tariff", RawAcuteMechanism::Tariff),
    ("trim_days", RawAcuteMechanism::Tariff),
    ("excess_bed_day_price", RawAcuteMechanism::Tariff),
    ("by_condition", RawAcuteMechanism::Tariff),
    ("block_per_year", RawAcuteMechanism::Block),
    ("capitation_per_person_year", RawAcuteMechanism::Capitation),
];

/// A mechanism as written in `payment.acute`.
pub(crate) fn mechanism_name(m: RawAcuteMechanism) -> &'static str {
    match m {
        RawAcuteMechanism::Activity => "activity",
        RawAcuteMechanism::Tariff => "tariff",
        RawAcuteMechanism::Block => "block",
        RawAcuteMechanism::Capitation => "capitation",
    }
}

/// `[payment]`: the acute mechanism (a tariff per condition of `conditions`, in order) and
/// the delayed-discharge reimbursement. Keys of another mechanism than the one chosen are
/// refused: they would silently do nothing.
pub(super) fn payment(ck: &mut Checker, raw: &RawScenario, conditions: &[&str]) -> PaymentParams {
    let Some(p) = &raw.payment else {
        return PaymentParams::default();
    };
    let mechanism = p.acute.unwrap_or(RawAcuteMechanism::Activity);
    let given = [
        p.spell_tariff.is_some(),
        p.trim_days.is_some(),
        p.excess_bed_day_price.is_some(),
        p.by_condition.is_some(),
        p.block_per_year.is_some(),
        p.capitation_per_person_year.is_some(),
    ];
    for ((key, owner), _) in MECHANISM_KEYS.iter().zip(given).filter(|(_, g)| *g) {
        if *owner != mechanism {
            ck.fail(
                &format!("payment.{key}"),
                format!(
                    "applies only to acute = \"{}\", but the mechanism is \"{}\"",
                    mechanism_name(*owner),
                    mechanism_name(mechanism)
                ),
            );
        }
    }
    let acute = match mechanism {
        RawAcuteMechanism::Activity => AcutePayment::Activity,
        RawAcuteMechanism::Tariff => tariff(ck, p, conditions),
        RawAcuteMechanism::Block => AcutePayment::Block {
            per_year: required_cost(
                ck,
                "payment.block_per_year",
                p.block_per_year,
                "£ per year of the block contract",
            ),
        },
        RawAcuteMechanism::Capitation => AcutePayment::Capitation {
            per_person_year: required_cost(
                ck,
                "payment.capitation_per_person_year",
                p.capitation_per_person_year,
                "£ per person with a chronic condition per year alive",
            ),
        },
    };
    let delayed_discharge = p.delayed_discharge.as_ref().map(|d| DelayReimbursement {
        per_day: required_cost(
            ck,
            "payment.delayed_discharge.per_day",
            d.per_day,
            "£ per delayed day after the assessment window (£100 outside London in 2003/04)",
        ),
        assessment_days: {
            let field = "payment.delayed_discharge.assessment_days";
            let v = ck
                .required(
                    field,
                    &d.assessment_days,
                    "days of each delay not reimbursed (the assessment window)",
                )
                .unwrap_or(0.0);
            ck.number(field, v, "at least 0 and at most 365 (days)", |x| {
                (0.0..=365.0).contains(&x)
            })
        },
    });
    PaymentParams {
        acute,
        delayed_discharge,
    }
}

/// A required cost (≥ 0, at most [`MAX_COST`]); `what` says what it is when missing.
fn required_cost(ck: &mut Checker, field: &str, v: Option<f64>, what: &str) -> f64 {
    if ck.required(field, &v, what).is_none() {
        return 0.0;
    }
    ck.cost(field, v)
}

/// A trim point, days: at least 0, at most 100 years.
fn trim(ck: &mut Checker, field: &str, v: f64) -> f64 {
    let v = ck.number(field, v, "at least 0 (days)", |x| x >= 0.0);
    ck.at_most(field, v, MAX_HORIZON_DAYS, " days (100 years)")
}

/// `acute = "tariff"`: each condition's tariff and trim point (its own in
/// `by_condition`, else the table's), and the excess bed-day price.
fn tariff(ck: &mut Checker, p: &RawPayment, conditions: &[&str]) -> AcutePayment {
    let by_condition = p.by_condition.clone().unwrap_or_default();
    for name in by_condition.keys() {
        if !conditions.contains(&name.as_str()) {
            ck.fail(
                &format!("payment.by_condition.{name}"),
                unknown("condition", name, conditions),
            );
        }
    }
    let own = |pick: fn(&crate::scenario::schema::RawConditionTariff) -> Option<f64>| {
        conditions
            .iter()
            .map(|c| by_condition.get(*c).and_then(pick))
            .collect::<Vec<_>>()
    };
    let own_tariff = own(|t| t.spell_tariff);
    let own_trim = own(|t| t.trim_days);
    // The table's values are needed only by the conditions without their own.
    if own_tariff.iter().any(Option::is_none) && p.spell_tariff.is_none() {
        ck.fail(
            "payment.spell_tariff",
            "missing: £ per spell (or a spell_tariff for every condition in [payment.by_condition.<c>])",
        );
    }
    if own_trim.iter().any(Option::is_none) && p.trim_days.is_none() {
        ck.fail(
            "payment.trim_days",
            "missing: the trim point, days of a spell the tariff covers (or a trim_days for every condition in [payment.by_condition.<c>])",
        );
    }
    let spell_tariff = p
        .spell_tariff
        .map(|v| ck.cost("payment.spell_tariff", Some(v)));
    let trim_days = p.trim_days.map(|v| trim(ck, "payment.trim_days", v));
    let per_spell = conditions
        .iter()
        .zip(own_tariff)
        .map(|(c, v)| match v {
            Some(v) => ck.cost(&format!("payment.by_condition.{c}.spell_tariff"), Some(v)),
            None => spell_tariff.unwrap_or(0.0),
        })
        .collect();
    let trim_days = conditions
        .iter()
        .zip(own_trim)
        .map(|(c, v)| match v {
            Some(v) => trim(ck, &format!("payment.by_condition.{c}.trim_days"), v),
            None => trim_days.unwrap_or(0.0),
        })
        .collect();
    AcutePayment::Tariff {
        per_spell,
        trim_days,
        excess_day_price: required_cost(
            ck,
            "payment.excess_bed_day_price",
            p.excess_bed_day_price,
            "£ per bed-day beyond the trim point",
        ),
    }
}

/// The `evidence` of the tables outside `[policy.*]` that may grade their settings, in
/// this order: `[economics]`, `[payment]` (then its `by_condition` tables and
/// `delayed_discharge`), each `[conditions.<c>]`, each `[community.<s>]` then its `unmet`.
pub(super) fn evidence(
    ck: &mut Checker,
    raw: &RawScenario,
    uncertain: &[Uncertain],
    out: &mut Vec<EffectEvidence>,
) {
    let mut tables = Vec::new();
    if let Some(e) = &raw.economics {
        tables.push(("economics".to_string(), &e.evidence));
    }
    if let Some(p) = &raw.payment {
        tables.push(("payment".to_string(), &p.evidence));
        for (c, t) in p.by_condition.iter().flatten() {
            tables.push((format!("payment.by_condition.{c}"), &t.evidence));
        }
        if let Some(d) = &p.delayed_discharge {
            tables.push(("payment.delayed_discharge".to_string(), &d.evidence));
        }
    }
    for (c, t) in raw.conditions.iter().flatten() {
        tables.push((format!("conditions.{c}"), &t.evidence));
    }
    if let Some(m) = &raw.multimorbidity {
        tables.push(("multimorbidity".to_string(), &m.evidence));
    }
    if let Some(t) = &raw.trends {
        tables.push(("trends".to_string(), &t.evidence));
    }
    for (s, t) in raw.community.iter().flatten() {
        tables.push((format!("community.{s}"), &t.evidence));
        if let Some(u) = &t.unmet {
            tables.push((format!("community.{s}.unmet"), &u.evidence));
        }
    }
    for (base, evidence) in tables {
        check_table(ck, &base, &base, evidence, uncertain, out);
    }
}
