//! Issue 14's scenario keys: `[economics]`, `[payment]` and the utility keys of conditions
//! and services: every problem located at once, the bundled values read back as written,
//! a variant that switches the payment mechanism, and PSA on a new key.

use std::path::Path;

use caresim::model::{AcutePayment, DelayReimbursement};
use caresim::scenario::Grade;

use crate::util::{caresim, fixture, stderr};

/// `caresim validate` on a fixture: its stderr, asserting exit code 2.
fn errors_of(name: &str) -> String {
    let o = caresim(
        &fixture(""),
        &["validate", "--message-format", "short", name],
    );
    assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    stderr(&o)
}

/// Each of `lines` in `errors`, and no other error.
fn assert_errors(errors: &str, lines: &[&str]) {
    for line in lines {
        assert!(
            errors.contains(&format!("error: {line}\n")),
            "missing {line:?} in:\n{errors}"
        );
    }
    assert_eq!(errors.lines().count(), lines.len(), "{errors}");
}

const MULTIPLIER: &str = "must be a utility multiplier in [0, 1.5] (1 = no change; above 1.5 the over-65s' norms pass full health)";

#[test]
fn reports_every_economics_problem_at_its_key() {
    let e = errors_of("economics_errors.toml");
    assert_errors(
        &e,
        &[
            "economics_errors.toml:19:1: economics.utilty: unknown field `utilty`, expected one of `discount_rate`, `utility`, `utility_by_age`, `threshold`, `acute_utility_multiplier`, `evidence`; did you mean `utility`?",
            &format!(
                "economics_errors.toml:27:22: community.intermediate_care.unmet.utility_multiplier: {MULTIPLIER}, got 1.6"
            ),
            &format!(
                "economics_errors.toml:23:22: conditions.copd.utility_multiplier: {MULTIPLIER}, got -0.1"
            ),
            "economics_errors.toml:24:23: conditions.copd.admission_qaly_loss: must be at least 0 and below 1 (QALYs lost per emergency admission; a whole QALY is a year in full health), got 1",
            "economics_errors.toml:20:21: economics.evidence.discount: no setting `discount` in [economics] to grade; set there: acute_utility_multiplier, discount_rate, threshold, utility, utility_by_age",
            "economics_errors.toml:14:17: economics.discount_rate: must be a rate per year in [0, 0.2] (0.035 = 3.5%, the NICE reference case), got 3.5",
            "economics_errors.toml:16:18: economics.utility_by_age: give only one of utility (everyone) and utility_by_age (one per age band)",
            "economics_errors.toml:17:13: economics.threshold: must be greater than 0 (£ per QALY), got 0",
            &format!(
                "economics_errors.toml:18:28: economics.acute_utility_multiplier: {MULTIPLIER}, got 2"
            ),
        ],
    );
}

#[test]
fn refuses_keys_of_another_payment_mechanism_and_missing_ones() {
    let e = errors_of("payment_errors.toml");
    assert_errors(
        &e,
        &[
            "payment_errors.toml:10:16: payment.spell_tariff: applies only to acute = \"tariff\", but the mechanism is \"block\"",
            "payment_errors.toml:11:24: payment.excess_bed_day_price: applies only to acute = \"tariff\", but the mechanism is \"block\"",
            "payment_errors.toml:8:2: payment.block_per_year: missing: £ per year of the block contract",
            "payment_errors.toml:14:11: payment.delayed_discharge.per_day: must be a cost of at least 0, got -100",
            "payment_errors.toml:13:10: payment.delayed_discharge.assessment_days: missing: days of each delay not reimbursed (the assessment window)",
        ],
    );
}

#[test]
fn reports_every_tariff_and_band_utility_problem() {
    let e = errors_of("tariff_errors.toml");
    assert_errors(
        &e,
        &[
            "tariff_errors.toml:24:1: payment.by_condition.copd.trim_day: unknown field `trim_day`, expected one of `spell_tariff`, `trim_days`, `evidence`; did you mean `trim_days`?",
            "tariff_errors.toml:14:30: economics.utility_by_age.65_74: must be a utility of at most 1 (full health) and above -0.6 (the worst EQ-5D-3L state is -0.594), got -0.7",
            "tariff_errors.toml:14:1: economics.utility_by_age.75_plus: missing: a utility for every age band (65_74, 75_plus), or one utility for everyone",
            "tariff_errors.toml:20:1: payment.by_condition.copdd: no condition named `copdd`; defined: copd; did you mean `copd`?",
            "tariff_errors.toml:16:2: payment.spell_tariff: missing: £ per spell (or a spell_tariff for every condition in [payment.by_condition.<c>])",
            "tariff_errors.toml:18:13: payment.trim_days: must be at least 0 (days), got -1",
            "tariff_errors.toml:16:2: payment.excess_bed_day_price: missing: £ per bed-day beyond the trim point",
        ],
    );
}

#[test]
fn the_baseline_economics_and_payment_come_out_as_written() {
    let s = caresim::scenario::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/nhs_2003_baseline.toml"
    )))
    .unwrap();
    let p = &s.params;
    assert_eq!(p.population.age_bands, ["65_74", "75_84", "85_plus"]);
    assert_eq!(p.economics.discount_rate, 0.035);
    assert_eq!(p.economics.utility_by_band, [0.78, 0.73, 0.68]);
    assert_eq!(p.economics.threshold, 20_000.0);
    assert_eq!(p.economics.acute_utility_multiplier, 0.8);
    assert!(p.economics.utilities_given);
    let by_name = |n: &str| p.conditions.iter().find(|c| c.name == n).unwrap();
    for (name, multiplier, loss) in [
        ("asthma", 0.93, 0.005),
        ("chd", 0.88, 0.005),
        ("copd", 0.87, 0.01),
        ("diabetes", 0.90, 0.005),
        ("heart_failure", 0.82, 0.01),
        ("stroke", 0.80, 0.02),
    ] {
        assert_eq!(by_name(name).utility_multiplier, multiplier, "{name}");
        assert_eq!(by_name(name).admission_qaly_loss, loss, "{name}");
    }
    // Conditions in name order: asthma, chd, copd, diabetes, heart_failure, stroke.
    assert_eq!(
        p.payment.acute,
        AcutePayment::Tariff {
            per_spell: vec![1350.0, 1350.0, 1350.0, 1350.0, 1350.0, 4000.0],
            trim_days: vec![10.0, 12.0, 22.0, 20.0, 28.0, 68.0],
            excess_day_price: 190.0,
        }
    );
    assert_eq!(
        p.payment.delayed_discharge,
        Some(DelayReimbursement {
            per_day: 100.0,
            assessment_days: 2.0,
        })
    );
    // Services without utility keys are neutral.
    assert!(p.services.iter().all(|s| s.utility_multiplier == 1.0));
    assert!(p.services.iter().all(|s| s.unmet.utility_multiplier == 1.0));
    // Every bundled economic value is graded, and listed with the scenario's evidence.
    let graded = |table: &str, key: &str| {
        s.evidence
            .iter()
            .find(|e| e.lever == table && e.key == key)
            .unwrap_or_else(|| panic!("{table}.{key} not graded"))
            .grade
    };
    assert_eq!(graded("economics", "discount_rate"), Grade::S);
    assert_eq!(graded("economics", "utility_by_age"), Grade::R);
    assert_eq!(graded("economics", "acute_utility_multiplier"), Grade::E);
    assert_eq!(graded("payment", "spell_tariff"), Grade::E);
    assert_eq!(
        graded("payment.by_condition.stroke", "spell_tariff"),
        Grade::E
    );
    assert_eq!(graded("payment.delayed_discharge", "per_day"), Grade::S2);
    for c in [
        "asthma",
        "chd",
        "copd",
        "diabetes",
        "heart_failure",
        "stroke",
    ] {
        graded(&format!("conditions.{c}"), "utility_multiplier");
        graded(&format!("conditions.{c}"), "admission_qaly_loss");
    }
}

#[test]
fn a_scenario_without_economics_is_neutral() {
    let s = caresim::scenario::load(&fixture("valid.toml")).unwrap();
    assert_eq!(
        s.params.economics,
        caresim::model::EconomicsParams::neutral(1)
    );
    assert_eq!(s.params.payment, caresim::model::PaymentParams::default());
    assert!(s.evidence.is_empty());
}

#[test]
fn a_variant_switches_the_payment_mechanism_and_samples_a_utility() {
    let s = caresim::scenario::load(&fixture("payment_block_variant.toml")).unwrap();
    assert_eq!(
        s.params.payment.acute,
        AcutePayment::Block {
            per_year: 5_000_000.0
        }
    );
    // The base's reimbursement is kept; its tariff keys and their grades are gone.
    assert!(s.params.payment.delayed_discharge.is_some());
    assert!(
        !s.evidence
            .iter()
            .any(|e| e.lever == "payment" && e.key == "spell_tariff")
    );
    let copd = s
        .params
        .conditions
        .iter()
        .position(|c| c.name == "copd")
        .unwrap();
    assert_eq!(s.params.conditions[copd].utility_multiplier, 0.87);
    let path = "conditions.copd.utility_multiplier";
    assert!(s.uncertain.iter().any(|u| u.path == path));
    let drawn = s.params_with(&[(path, 0.8)]).unwrap();
    assert_eq!(drawn.conditions[copd].utility_multiplier, 0.8);
    let e = s.params_with(&[(path, 1.7)]).unwrap_err();
    assert!(e.to_string().contains(path), "{e}");
}
