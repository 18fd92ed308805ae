//! The unit of every resolved parameter, as the manifest's parameter tree names it: one
//! table, looked up by key path, where a list item is `*` (`services.*.capacity`), so that
//! the report does not guess units from key names. A test checks that every parameter of
//! every bundled scenario is in the table.
//!
//! Rates are per day, durations in days, costs in the scenario's currency (£ in the
//! bundled scenarios). An empty unit is a name, a choice, a flag or a list.

use serde_json::Value;

/// (key path, unit) of every parameter. A list of numbers or names is one parameter; a
/// list of tables is one entry per key of its items; an empty list of tables is its own
/// path.
pub const PARAMETER_UNITS: &[(&str, &str)] = &[
    ("horizon_days", "days"),
    ("warmup_days", "days"),
    ("acute.beds", "beds"),
    ("acute.when_full", ""),
    ("acute.bed_day_cost", "£ per occupied bed-day"),
    ("acute.diversion_cost", "£ per diversion"),
    ("acute.schedule.changes", ""),
    ("acute.schedule.changes.*.day", "days"),
    // As the report has always labelled it (a bed count here, places for a service).
    ("acute.schedule.changes.*.capacity", "places"),
    ("acute.schedule.changes.*.add", "places"),
    ("acute.schedule.repeat_days", "days"),
    ("services", ""),
    ("services.*.name", ""),
    ("services.*.capacity", "places"),
    ("services.*.los.dist", ""),
    ("services.*.los.mean_days", "days"),
    ("services.*.los.sd_days", "days"),
    // As the report has always labelled a fixed stay (no unit shown).
    ("services.*.los.days", ""),
    ("services.*.los.values_days", "days"),
    ("services.*.los.weights", ""),
    ("services.*.day_cost", "£ per occupied place-day"),
    ("services.*.payer", ""),
    ("services.*.setting", ""),
    ("services.*.schedule.changes", ""),
    ("services.*.schedule.changes.*.day", "days"),
    ("services.*.schedule.changes.*.capacity", "places"),
    ("services.*.schedule.changes.*.add", "places"),
    ("services.*.schedule.repeat_days", "days"),
    ("services.*.when_full", ""),
    ("services.*.unmet.exacerbation_multiplier", "ratio"),
    ("services.*.unmet.death_multiplier", "ratio"),
    ("services.*.unmet.cost_per_day", "£ per day of unmet need"),
    ("services.*.unmet.escalation_probability", "probability"),
    ("services.*.unmet.escalate_to", ""),
    ("services.*.unmet.utility_multiplier", "ratio"),
    ("services.*.utility_multiplier", "ratio"),
    ("services.*.onward", ""),
    ("services.*.onward.service", ""),
    ("services.*.onward.probability", "probability"),
    ("services.*.residents", ""),
    ("services.*.residents.death_rate_per_day", "per day"),
    ("services.*.residents.exacerbation_multiplier", "ratio"),
    ("services.*.residents.hold_days", "days"),
    ("services.*.residents.at_start", "residents"),
    ("primary_care.review_cost", "£ per review"),
    ("primary_care.urgent_contact_cost", "£ per contact"),
    ("conditions", ""),
    ("conditions.*.name", ""),
    ("conditions.*.bands", ""),
    ("conditions.*.bands.*.patients", "patients"),
    ("conditions.*.bands.*.death_rate_per_day", "per day"),
    ("conditions.*.bands.*.los_multiplier", "ratio"),
    ("conditions.*.review_rate_per_day", "per day"),
    ("conditions.*.exacerbation_rate_per_day", "per day"),
    ("conditions.*.admit", "probability"),
    ("conditions.*.los.dist", ""),
    ("conditions.*.los.mean_days", "days"),
    ("conditions.*.los.sd_days", "days"),
    ("conditions.*.los.days", ""),
    ("conditions.*.los.values_days", "days"),
    ("conditions.*.los.weights", ""),
    ("conditions.*.in_hospital_death", "probability"),
    ("conditions.*.new_patients_per_day", "per day"),
    ("conditions.*.discharge", ""),
    ("conditions.*.discharge.*.service", ""),
    ("conditions.*.discharge.*.probability", "probability"),
    ("conditions.*.admission_multiplier", "ratio"),
    ("conditions.*.post_discharge_multiplier", "ratio"),
    ("conditions.*.post_discharge_days", "days"),
    ("conditions.*.admission_history_days", "days"),
    ("conditions.*.outpatient_referrals_per_day", "per day"),
    ("conditions.*.attendances_per_referral", "attendances"),
    ("conditions.*.utility_multiplier", "ratio"),
    ("conditions.*.admission_qaly_loss", "QALYs per admission"),
    (
        "conditions.*.first_event_admission_share",
        "share of new patients",
    ),
    ("economics", ""),
    ("economics.discount_rate", "per year"),
    ("economics.utility_by_band", "utility (1 = full health)"),
    ("economics.threshold", "£ per QALY"),
    ("economics.acute_utility_multiplier", "ratio"),
    ("economics.utilities_given", ""),
    ("payment", ""),
    ("payment.acute", ""),
    ("payment.acute.mechanism", ""),
    ("payment.acute.per_spell", "£ per spell"),
    ("payment.acute.trim_days", "days"),
    ("payment.acute.excess_day_price", "£ per excess bed-day"),
    ("payment.acute.per_year", "£ per year"),
    ("payment.acute.per_person_year", "£ per person-year"),
    ("payment.delayed_discharge", ""),
    ("payment.delayed_discharge.per_day", "£ per delayed day"),
    ("payment.delayed_discharge.assessment_days", "days"),
    ("seasonality", ""),
    ("seasonality.form", ""),
    ("seasonality.amplitude", "ratio"),
    ("seasonality.peak_day", "days"),
    ("seasonality.multipliers", ""),
    ("population.catchment", "people"),
    ("population.age_bands", ""),
    ("population.frailty_cv", "ratio"),
    ("population.ageing", ""),
    ("population.ageing.start_age", "years"),
    ("persons", ""),
    ("persons.odds_ratios.*", "odds ratio"),
    ("persons.background_death_rate_per_day", "per day"),
    ("persons.onset_rate_per_day.*", "per day"),
    ("persons.extra_condition_los_multiplier", "ratio"),
    ("persons.entrants", ""),
    ("persons.entrants.per_day.*", "people per day"),
    ("tiers", ""),
    ("tiers.*.name", ""),
    ("tiers.*.shares", "share of the cohort"),
    ("tiers.*.exacerbation_multiplier", "ratio"),
    ("tiers.*.admit_multiplier", "ratio"),
    ("tiers.*.review_rate_per_day", "per day"),
    ("tiers.*.management_cost_per_year", "£ per patient-year"),
    ("outpatient_attendance_cost", "£ per attendance"),
    ("levers.early_discharge", ""),
    (
        "levers.early_discharge.eligible_by_condition",
        "probability",
    ),
    // As the report has always labelled them (no unit shown).
    ("levers.early_discharge.shortening.days", ""),
    ("levers.early_discharge.shortening.factor", ""),
    ("levers.early_discharge.service", ""),
    ("levers.early_discharge.when_full", ""),
    ("levers.early_discharge.unsupported_multiplier", "ratio"),
    ("levers.admission_avoidance", ""),
    (
        "levers.admission_avoidance.share_by_condition",
        "probability",
    ),
    ("levers.admission_avoidance.service", ""),
    ("levers.max_delay_days", ""),
    ("levers.max_delay_days.limit_days", "days"),
    ("levers.max_delay_days.interim", ""),
    ("levers.early_discharge.eligible_routes", ""),
    (
        "levers.early_discharge.institutional_odds_ratio",
        "odds ratio",
    ),
    ("levers.care_management", ""),
    ("levers.care_management.targeted", ""),
    ("levers.care_management.target.admissions", "admissions"),
    ("levers.care_management.target.within_days", "days"),
    ("levers.care_management.target.caseload", "places"),
    ("levers.care_management.target.enrolment_days", "days"),
    ("levers.care_management.exacerbation_multiplier", "ratio"),
    ("levers.care_management.admit_multiplier", "ratio"),
    (
        "levers.care_management.cost_per_patient_year",
        "£ per patient-year",
    ),
    ("levers.pooled_budget", ""),
    ("levers.outreach_cost_per_year", "£ per year"),
    ("levers.applied", ""),
    ("trends", ""),
    (
        "trends.exacerbations.by_year",
        "multiplier by observed year",
    ),
    ("trends.admissions.by_year", "multiplier by observed year"),
    ("trends.deaths.by_year", "multiplier by observed year"),
    ("trends.incidence.by_year", "multiplier by observed year"),
    ("trends.onset.by_year", "multiplier by observed year"),
    ("trends.acute_los.by_year", "multiplier by observed year"),
    (
        "trends.community_los.by_year",
        "multiplier by observed year",
    ),
    ("levers.admission_avoidance.uptake.form", ""),
    ("levers.admission_avoidance.uptake.day", "days"),
    ("levers.admission_avoidance.uptake.start_day", "days"),
    ("levers.admission_avoidance.uptake.full_day", "days"),
    ("levers.admission_avoidance.uptake.midpoint_day", "days"),
    ("levers.admission_avoidance.uptake.scale_days", "days"),
    ("levers.early_discharge.uptake.form", ""),
    ("levers.early_discharge.uptake.day", "days"),
    ("levers.early_discharge.uptake.start_day", "days"),
    ("levers.early_discharge.uptake.full_day", "days"),
    ("levers.early_discharge.uptake.midpoint_day", "days"),
    ("levers.early_discharge.uptake.scale_days", "days"),
    ("levers.programme_uptake.*.form", ""),
    (
        "levers.programme_uptake.*.day",
        "days from the start of the run",
    ),
    ("levers.programme_uptake.*.start_day", "days"),
    ("levers.programme_uptake.*.full_day", "days"),
    ("levers.programme_uptake.*.midpoint_day", "days"),
    ("levers.programme_uptake.*.scale_days", "days"),
    ("levers.programme_uptake", ""),
    ("levers.programme_uptake.*", ""),
    ("levers.budget_controller", ""),
    ("levers.budget_controller.service", ""),
    ("levers.budget_controller.every_days", "days"),
    ("levers.budget_controller.step_beds", "beds"),
    ("levers.budget_controller.min_beds", "beds"),
    ("levers.budget_controller.threshold", "patients"),
];

/// The unit of the parameter at key path `pattern` (list items as `*`), if it is in the
/// table.
pub fn unit(pattern: &str) -> Option<&'static str> {
    PARAMETER_UNITS
        .iter()
        .find(|(p, _)| *p == pattern)
        .map(|(_, u)| *u)
}

/// One parameter of a parameter tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter<'a> {
    /// Dotted path, list items named by their `name` (`services.intermediate_care.capacity`)
    /// or their position (`conditions.copd.bands.0.patients`).
    pub path: String,
    /// The key path in [`PARAMETER_UNITS`] (`services.*.capacity`).
    pub pattern: String,
    /// The value: a number, text, flag, `null`, or a list of them.
    pub value: &'a Value,
}

impl Parameter<'_> {
    /// Its unit from [`PARAMETER_UNITS`] (empty for a parameter not in the table).
    pub fn unit(&self) -> &'static str {
        unit(&self.pattern).unwrap_or("")
    }
}

/// Every parameter of the tree `params` (the manifest's `scenario.params`), in key order.
pub fn parameters(params: &Value) -> Vec<Parameter<'_>> {
    let mut out = Vec::new();
    walk(String::new(), String::new(), params, &mut out);
    out
}

fn walk<'a>(path: String, pattern: String, v: &'a Value, out: &mut Vec<Parameter<'a>>) {
    let join = |a: &str, b: &str| {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                walk(join(&path, k), join(&pattern, k), x, out);
            }
        }
        Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
            for (i, x) in a.iter().enumerate() {
                // Name list items by their `name` when they have one.
                let label = x
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map_or(i.to_string(), String::from);
                walk(join(&path, &label), join(&pattern, "*"), x, out);
            }
        }
        value => out.push(Parameter {
            path,
            pattern,
            value,
        }),
    }
}
