//! `[conditions.*]`: the chronic-disease cohorts, their rates by age band, their discharge
//! routes into community services, and the limit on patients one replication can number.

use std::collections::BTreeMap;

use super::is_identifier;
use super::population::Population;
use crate::engine::DAYS_PER_YEAR;
use crate::model::dist::show_count;
use crate::model::{BandParams, ConditionParams, DischargeRoute, apportion};
use crate::scenario::checker::{
    Checker, MAX_HORIZON_DAYS, MAX_LOS_MULTIPLIER, MAX_PATIENTS_EVER, MAX_PER_YEAR,
    MIN_INTERVAL_DAYS,
};
use crate::scenario::schema::{RawCondition, RawScenario};

/// `[conditions.*]`: every condition in name order, and the patients of all cohorts at the
/// start. `services` numbers the community services (discharge routes name them);
/// `horizon_days` bounds the new patients of the whole run.
pub(super) fn conditions(
    ck: &mut Checker,
    raw: &RawScenario,
    population: &Population,
    services: &BTreeMap<&str, usize>,
    horizon_days: f64,
) -> (Vec<ConditionParams>, u64) {
    let conditions_raw = raw.conditions.clone().unwrap_or_default();
    if conditions_raw.is_empty() {
        ck.fail(
            "conditions",
            "missing: at least one [conditions.<name>] table with patients, exacerbations_per_year, admit and los",
        );
    }
    let mut conditions = Vec::new();
    let mut total_patients: u64 = 0;
    for (cname, c) in &conditions_raw {
        let joint = raw
            .multimorbidity
            .as_ref()
            .and_then(|m| m.joint_prevalence.as_ref());
        let (condition, patients) = condition(ck, cname, c, population, services, joint);
        total_patients += patients;
        conditions.push(condition);
    }
    patients_fit(
        ck,
        &conditions,
        total_patients,
        horizon_days,
        !conditions_raw.is_empty(),
    );
    (conditions, total_patients)
}

/// `[conditions.<cname>]`, and its patients at the start.
fn condition(
    ck: &mut Checker,
    cname: &str,
    c: &RawCondition,
    population: &Population,
    services: &BTreeMap<&str, usize>,
    joint: Option<&BTreeMap<String, BTreeMap<String, f64>>>,
) -> (ConditionParams, u64) {
    let base = format!("conditions.{cname}");
    if !is_identifier(cname) {
        ck.fail(
            &base,
            format!("condition names must be lowercase letters, digits and `_`, starting with a letter, got {cname:?}"),
        );
    }
    let band_patients = match joint {
        Some(joint) => cohort_from_joint(ck, &base, cname, c, population, joint),
        None => cohort(ck, &base, c, population),
    };
    let patients = band_patients.iter().map(|&n| u64::from(n)).sum::<u64>();
    let review_rate_per_day = match c.review_interval_days {
        None => 0.0,
        Some(d) => {
            1.0 / ck.number(
                &format!("{base}.review_interval_days"),
                d,
                "at least 0.01 (days)",
                |x| x >= MIN_INTERVAL_DAYS,
            )
        }
    };
    let per_year = ck
        .required(
            &format!("{base}.exacerbations_per_year"),
            &c.exacerbations_per_year,
            "exacerbations per patient-year",
        )
        .unwrap_or(0.0);
    let per_year = ck.number(
        &format!("{base}.exacerbations_per_year"),
        per_year,
        "at least 0 and at most 1000 (per patient-year)",
        |x| (0.0..=MAX_PER_YEAR).contains(&x),
    );
    let admit = ck
        .required(
            &format!("{base}.admit"),
            &c.admit,
            "the probability that an exacerbation is admitted",
        )
        .unwrap_or(0.0);
    let admit = ck.number(
        &format!("{base}.admit"),
        admit,
        "a probability in [0, 1]",
        |x| (0.0..=1.0).contains(&x),
    );
    let los = ck.duration(&format!("{base}.los"), &c.los);
    let discharge = discharge_routes(ck, &base, c, services);
    let bands = bands(ck, &base, c, &population.band_names, &band_patients);
    let outpatient_referrals_per_day = per_year_rate(
        ck,
        &base,
        "outpatient_referrals_per_year",
        c.outpatient_referrals_per_year,
    );
    let attendances_per_referral = ck.number(
        &format!("{base}.attendances_per_referral"),
        c.attendances_per_referral.unwrap_or(1.0),
        "at least 1 and at most 1000",
        |x| (1.0..=MAX_PER_YEAR).contains(&x),
    );
    let first_event_admission_share = ck.number(
        &format!("{base}.first_event_admission_share"),
        c.first_event_admission_share.unwrap_or(0.0),
        "a share of new patients in [0, 1]",
        |x| (0.0..=1.0).contains(&x),
    );
    // Compounded per prior admission: at most 10, or a few admissions make the rate
    // astronomical.
    let admission_multiplier = ck.non_negative(
        &format!("{base}.admission_multiplier"),
        c.admission_multiplier,
        1.0,
    );
    ck.at_most(
        &format!("{base}.admission_multiplier"),
        admission_multiplier,
        10.0,
        " (compounded per prior admission)",
    );
    let admission_history_days = c.admission_history_days.map(|d| {
        let field = format!("{base}.admission_history_days");
        let d = ck.number(&field, d, "at least 1 (days)", |x| x >= 1.0);
        ck.at_most(&field, d, MAX_HORIZON_DAYS, " days (100 years)")
    });
    let post_discharge_multiplier = ck.non_negative(
        &format!("{base}.post_discharge_multiplier"),
        c.post_discharge_multiplier,
        1.0,
    );
    let post_discharge_days = ck.number(
        &format!("{base}.post_discharge_days"),
        c.post_discharge_days.unwrap_or(0.0),
        "at least 0",
        |x| x >= 0.0,
    );
    ck.at_most(
        &format!("{base}.post_discharge_days"),
        post_discharge_days,
        MAX_HORIZON_DAYS,
        " days (100 years)",
    );
    let new_patients_per_day =
        per_year_rate(ck, &base, "new_patients_per_year", c.new_patients_per_year);
    let in_hospital_death = ck.number(
        &format!("{base}.in_hospital_death"),
        c.in_hospital_death.unwrap_or(0.0),
        "a probability in [0, 1]",
        |x| (0.0..=1.0).contains(&x),
    );
    let condition = ConditionParams {
        bands,
        in_hospital_death,
        new_patients_per_day,
        admission_multiplier,
        admission_history_days,
        post_discharge_multiplier,
        post_discharge_days,
        outpatient_referrals_per_day,
        attendances_per_referral,
        name: cname.to_string(),
        review_rate_per_day,
        exacerbation_rate_per_day: per_year / DAYS_PER_YEAR,
        admit,
        los,
        discharge,
        utility_multiplier: ck
            .utility_multiplier(&format!("{base}.utility_multiplier"), c.utility_multiplier),
        admission_qaly_loss: ck.number(
            &format!("{base}.admission_qaly_loss"),
            c.admission_qaly_loss.unwrap_or(0.0),
            "at least 0 and below 1 (QALYs lost per emergency admission; a whole QALY is a year in full health)",
            |x| (0.0..1.0).contains(&x),
        ),
        first_event_admission_share,
    };
    (condition, patients)
}

/// The cohort's patients at the start in each age band, from exactly one of `patients`
/// (split by the bands' people), `patients_by_age` and `prevalence` (× the bands' people or
/// the catchment).
/// A condition's patients by band from a joint prevalence given directly: the band's people
/// × the shares of the sets that hold it. Its own cohort keys are then refused.
fn cohort_from_joint(
    ck: &mut Checker,
    base: &str,
    cname: &str,
    c: &RawCondition,
    population: &Population,
    joint: &BTreeMap<String, BTreeMap<String, f64>>,
) -> Vec<u32> {
    for (key, given) in [
        ("patients", c.patients.is_some()),
        ("patients_by_age", c.patients_by_age.is_some()),
        ("prevalence", c.prevalence.is_some()),
    ] {
        if given {
            ck.fail(
                &format!("{base}.{key}"),
                "the cohort comes from multimorbidity.joint_prevalence: give one or the other",
            );
        }
    }
    population
        .band_people
        .iter()
        .map(|(band, people)| {
            let share: f64 = joint
                .get(band)
                .into_iter()
                .flatten()
                .filter(|(set, _)| set.split('+').any(|n| n == cname))
                .map(|(_, s)| s)
                .sum();
            (share * people).round().clamp(0.0, f64::from(u32::MAX)) as u32
        })
        .collect()
}

fn cohort(ck: &mut Checker, base: &str, c: &RawCondition, population: &Population) -> Vec<u32> {
    let band_names = &population.band_names;
    let band_people = &population.band_people;
    let given = [
        c.patients.is_some(),
        c.patients_by_age.is_some(),
        c.prevalence.is_some(),
    ];
    match given.iter().filter(|g| **g).count() {
        0 => {
            ck.fail(
                &format!("{base}.patients"),
                "missing: the cohort size, as patients, patients_by_age or prevalence",
            );
            vec![0; band_names.len()]
        }
        1 => {
            if let Some(n) = c.patients {
                if population.has_bands && population.band_total > 0.0 {
                    apportion(
                        n,
                        band_people.iter().map(|(_, p)| p / population.band_total),
                    )
                } else {
                    let mut v = vec![0; band_names.len()];
                    v[0] = n;
                    v
                }
            } else if c.patients_by_age.is_some() {
                ck.by_age(
                    &format!("{base}.patients_by_age"),
                    &c.patients_by_age,
                    band_names,
                    0,
                )
            } else {
                let prev = c.prevalence.unwrap_or(0.0);
                let prev = ck.number(
                    &format!("{base}.prevalence"),
                    prev,
                    "a share in [0, 1]",
                    |x| (0.0..=1.0).contains(&x),
                );
                if population.has_bands {
                    band_people
                        .iter()
                        .map(|(_, people)| (prev * people).round() as u32)
                        .collect()
                } else if let Some(catch) = population.catchment_given {
                    vec![(prev * catch).round() as u32]
                } else {
                    ck.fail(
                        &format!("{base}.prevalence"),
                        "needs [population] catchment or age_bands to count patients",
                    );
                    vec![0]
                }
            }
        }
        _ => {
            ck.fail(
                base,
                "give only one of patients, patients_by_age and prevalence",
            );
            vec![0; band_names.len()]
        }
    }
}

/// `discharge`: the probability of leaving hospital into each community service (`services`
/// numbers them), at most 1 in all.
fn discharge_routes(
    ck: &mut Checker,
    base: &str,
    c: &RawCondition,
    services: &BTreeMap<&str, usize>,
) -> Vec<DischargeRoute> {
    let mut discharge = Vec::new();
    let mut total = 0.0;
    for (target, &p) in c.discharge.iter().flatten() {
        let field = format!("{base}.discharge.{target}");
        let p = ck.number(&field, p, "a probability in [0, 1]", |x| {
            (0.0..=1.0).contains(&x)
        });
        total += p;
        if let Some(&service) = services.get(target.as_str()) {
            discharge.push(DischargeRoute {
                service,
                probability: p,
            });
        } else {
            let known: Vec<&str> = services.keys().copied().collect();
            let hint = crate::scenario::suggest::hint(target, known.iter().copied());
            ck.fail(
                &field,
                format!(
                    "no community service named `{target}`; defined: {}{hint}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            );
        }
    }
    if total > 1.0 + 1e-9 {
        ck.fail(
            &format!("{base}.discharge"),
            format!("probabilities must sum to at most 1 (the rest go home), got {total}"),
        );
    }
    discharge
}

/// The per-year rate at `{base}.{key}` (default 0) as a rate per day. Per patient-year rates
/// are at most [`MAX_PER_YEAR`]; a cohort's new patients per year are bounded instead by the
/// number of patients the simulator can number (see [`patients_fit`]).
fn per_year_rate(ck: &mut Checker, base: &str, key: &str, v: Option<f64>) -> f64 {
    let v = v.unwrap_or(0.0);
    let field = format!("{base}.{key}");
    let v = ck.number(&field, v, "at least 0 (per year)", |x| x >= 0.0);
    if key != "new_patients_per_year" {
        ck.at_most(&field, v, MAX_PER_YEAR, " (per patient-year)");
    }
    v / DAYS_PER_YEAR
}

/// Each age band of the condition: its patients at the start (`band_patients`), its death
/// rate (`deaths_per_year`, overridden by `deaths_per_year_by_age`) and its multiplier on
/// lengths of stay (`los_multiplier_by_age`).
fn bands(
    ck: &mut Checker,
    base: &str,
    c: &RawCondition,
    band_names: &[String],
    band_patients: &[u32],
) -> Vec<BandParams> {
    let death_rate_per_day = per_year_rate(ck, base, "deaths_per_year", c.deaths_per_year);
    let deaths_by_age = ck.by_age(
        &format!("{base}.deaths_per_year_by_age"),
        &c.deaths_per_year_by_age,
        band_names,
        death_rate_per_day * DAYS_PER_YEAR,
    );
    let los_by_age = ck.by_age(
        &format!("{base}.los_multiplier_by_age"),
        &c.los_multiplier_by_age,
        band_names,
        1.0,
    );
    band_names
        .iter()
        .enumerate()
        .map(|(i, name)| BandParams {
            patients: band_patients[i],
            death_rate_per_day: ck.number(
                &format!("{base}.deaths_per_year_by_age.{name}"),
                deaths_by_age[i],
                "at least 0 and at most 1000 (per patient-year)",
                |x| (0.0..=MAX_PER_YEAR).contains(&x),
            ) / DAYS_PER_YEAR,
            los_multiplier: ck.number(
                &format!("{base}.los_multiplier_by_age.{name}"),
                los_by_age[i],
                "greater than 0 and at most 100",
                |x| x > 0.0 && x <= MAX_LOS_MULTIPLIER,
            ),
        })
        .collect()
}

/// Patients are numbered with 32 bits: the cohort (`total_patients`) plus the new patients
/// of the whole horizon must fit, with room for chance (a Poisson count's sd is tiny at this
/// scale); and a scenario with conditions (`any_conditions`) needs at least one patient.
fn patients_fit(
    ck: &mut Checker,
    conditions: &[ConditionParams],
    total_patients: u64,
    horizon: f64,
    any_conditions: bool,
) {
    let arrivals: f64 = conditions
        .iter()
        .map(|c| c.new_patients_per_day * horizon)
        .sum();
    if total_patients > u64::from(u32::MAX) {
        ck.fail(
            "conditions",
            format!("at most {} patients in all, got {total_patients}", u32::MAX),
        );
    } else if total_patients as f64 + arrivals > MAX_PATIENTS_EVER {
        let field = conditions
            .iter()
            .max_by(|a, b| a.new_patients_per_day.total_cmp(&b.new_patients_per_day))
            .map_or("conditions".to_string(), |c| {
                format!("conditions.{}.new_patients_per_year", c.name)
            });
        ck.fail(
            &field,
            format!(
                "patients ever alive would be about {} ({total_patients} at the start + {} new over {horizon} days), more than the {} one replication can hold; lower new_patients_per_year or horizon_days",
                show_count((total_patients as f64 + arrivals).round()),
                show_count(arrivals.round()),
                show_count(MAX_PATIENTS_EVER)
            ),
        );
    } else if any_conditions && total_patients == 0 && ck.problems.is_empty() {
        ck.fail(
            "conditions",
            "at least one patient is needed, got 0 in all conditions",
        );
    }
}
