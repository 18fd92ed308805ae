//! `[multimorbidity]`, `population.band_start_ages` and `population.entrants_per_year`:
//! persons with sets of conditions, ageing between bands, and people entering.

use super::population::Population;
use crate::engine::DAYS_PER_YEAR;
use crate::model::persons::{MAX_CONDITIONS, fit_joint};
use crate::model::{
    AgeingParams, ConditionParams, EntrantParams, PersonsParams, Trend, Trends, apportion,
};
use crate::scenario::checker::{Checker, MAX_PEOPLE, MAX_PER_YEAR};
use crate::scenario::schema::{RawScenario, RawTrend};

/// Largest odds ratio of co-occurrence accepted.
const MAX_ODDS_RATIO: f64 = 100.0;

/// `population.band_start_ages`: every band's lowest age, increasing in band order.
pub(super) fn ageing(
    ck: &mut Checker,
    raw: &RawScenario,
    population: &Population,
) -> Option<AgeingParams> {
    let table = raw.population.as_ref()?.band_start_ages.as_ref()?;
    let field = "population.band_start_ages";
    let bands = &population.band_names;
    if !population.has_bands {
        ck.fail(
            field,
            "ageing needs [population] age_bands to move people between",
        );
        return None;
    }
    let given = ck.by_age(field, &Some(table.clone()), bands, f64::NAN);
    let mut ok = true;
    for (name, &age) in bands.iter().zip(&given) {
        if age.is_nan() {
            ck.fail(
                field,
                format!("missing: the start age of band `{name}` (every band needs one)"),
            );
            ok = false;
        } else {
            ck.number(
                &format!("{field}.{name}"),
                age,
                "an age in [0, 150] years",
                |x| (0.0..=150.0).contains(&x),
            );
        }
    }
    if ok && given.windows(2).any(|w| w[1] <= w[0]) {
        ck.fail(
            field,
            format!(
                "start ages must increase in band order ({}): people move to the next band by name, got {}",
                bands.join(", "),
                given
                    .iter()
                    .map(|a| format!("{a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    Some(AgeingParams { start_age: given })
}

/// `[multimorbidity]` with the conditions' onsets and `population.entrants_per_year`;
/// `None` without the table (each of the others then is an error).
pub(super) fn persons(
    ck: &mut Checker,
    raw: &RawScenario,
    population: &Population,
    conditions: &[ConditionParams],
) -> Option<PersonsParams> {
    let raw_conditions = raw.conditions.clone().unwrap_or_default();
    let entrants_raw = raw
        .population
        .as_ref()
        .and_then(|p| p.entrants_per_year.clone());
    let Some(m) = &raw.multimorbidity else {
        if entrants_raw.is_some() {
            ck.fail(
                "population.entrants_per_year",
                "entrants need [multimorbidity]: their conditions are drawn from its joint prevalence",
            );
        }
        for (name, c) in &raw_conditions {
            if c.onset_per_year_by_age.is_some() {
                ck.fail(
                    &format!("conditions.{name}.onset_per_year_by_age"),
                    "onset among the living needs [multimorbidity] (persons who can hold several conditions)",
                );
            }
        }
        return None;
    };
    let k = conditions.len();
    if k > MAX_CONDITIONS {
        ck.fail(
            "multimorbidity",
            format!("at most {MAX_CONDITIONS} conditions with [multimorbidity], got {k}"),
        );
        return None;
    }
    let bands = &population.band_names;
    // People in each band: the denominators of the prevalences.
    let people: Vec<f64> = if population.has_bands {
        population.band_people.iter().map(|(_, n)| *n).collect()
    } else if let Some(c) = population.catchment_given {
        vec![c]
    } else {
        ck.fail(
            "multimorbidity",
            "persons are drawn from the people of each age band: give [population] age_bands or catchment",
        );
        return None;
    };
    let names: Vec<&str> = conditions.iter().map(|c| c.name.as_str()).collect();
    let odds = odds_ratios(ck, m, &names);
    let background = per_day_by_age(
        ck,
        "multimorbidity.background_deaths_per_year_by_age",
        &m.background_deaths_per_year_by_age,
        bands,
    );
    let extra_los = ck.number(
        "multimorbidity.extra_condition_los_multiplier",
        m.extra_condition_los_multiplier.unwrap_or(1.0),
        "above 0 and at most 10",
        |x| x > 0.0 && x <= 10.0,
    );
    let onset = onsets(ck, &raw_conditions, bands);
    // The joint prevalence of each band, and the persons drawn from it.
    let given = m
        .joint_prevalence
        .as_ref()
        .map(|table| given_joint(ck, table, bands, &names));
    if given.is_some() && (m.odds_ratio.is_some() || m.odds_ratios.is_some()) {
        ck.fail(
            "multimorbidity.odds_ratios",
            "the joint prevalence is given directly (joint_prevalence): odds ratios would not be used; give one or the other",
        );
    }
    let (joint, start) = cohort(ck, given.as_ref(), conditions, bands, &people, &odds)?;
    let entrants = entrants_raw.map(|table| entrants(ck, table, bands));
    Some(PersonsParams {
        joint,
        start,
        odds_ratios: odds,
        background_death_rate_per_day: background,
        onset_rate_per_day: onset,
        extra_condition_los_multiplier: extra_los,
        entrants,
    })
}

/// `multimorbidity.joint_prevalence`: each band's shares of every condition set (`[band][set]`;
/// set 0 is "none", the rest of the band when not listed).
fn given_joint(
    ck: &mut Checker,
    table: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>,
    bands: &[String],
    names: &[&str],
) -> Vec<Vec<f64>> {
    let mut out = vec![vec![0.0; 1 << names.len()]; bands.len()];
    for (band, sets) in table {
        let field = format!("multimorbidity.joint_prevalence.{band}");
        let Some(b) = bands.iter().position(|n| n == band) else {
            ck.fail(
                &field,
                format!(
                    "no age band named `{band}`; defined in [population] age_bands: {}",
                    bands.join(", ")
                ),
            );
            continue;
        };
        let mut none_given = false;
        for (key, &share) in sets {
            let field = format!("{field}.{key}");
            let share = ck.number(&field, share, "a share in [0, 1]", |x| {
                (0.0..=1.0).contains(&x)
            });
            if key == "none" {
                none_given = true;
                out[b][0] = share;
                continue;
            }
            let mut set = 0usize;
            let mut ok = true;
            for part in key.split('+') {
                match names.iter().position(|n| *n == part) {
                    Some(c) if set & (1 << c) == 0 => set |= 1 << c,
                    _ => ok = false,
                }
            }
            if !ok {
                ck.fail(
                    &field,
                    format!(
                        "a set of different conditions as \"<condition>+<condition>...\" or \"none\", got {key:?}; conditions: {}",
                        names.join(", ")
                    ),
                );
                continue;
            }
            out[b][set] = share;
        }
        let listed: f64 = out[b].iter().sum();
        if none_given {
            if (listed - 1.0).abs() > 1e-6 {
                ck.fail(
                    &field,
                    format!("the shares must sum to 1 (none included), got {listed}"),
                );
            }
        } else if listed > 1.0 + 1e-9 {
            ck.fail(
                &field,
                format!("the shares must sum to at most 1, got {listed}"),
            );
        } else {
            out[b][0] = 1.0 - listed;
        }
    }
    for shares in &mut out {
        if shares.iter().all(|&s| s == 0.0) {
            shares[0] = 1.0;
        }
    }
    out
}

/// `[trends]`: each trend's multipliers by observed year (`observed_days` long); a trend
/// that is 1 in every year is no trend.
pub(super) fn trends(ck: &mut Checker, raw: &RawScenario, observed_days: f64) -> Trends {
    let Some(t) = &raw.trends else {
        return Trends::default();
    };
    let years = (observed_days / DAYS_PER_YEAR).ceil().clamp(1.0, 1000.0) as usize;
    let mut one = |name: &str, trend: &Option<RawTrend>| -> Option<Trend> {
        let trend = trend.as_ref()?;
        let field = format!("trends.{name}");
        let by_year = match (&trend.by_year, trend.annual_change) {
            (Some(v), None) => {
                if v.is_empty() {
                    ck.fail(
                        &format!("{field}.by_year"),
                        "at least one year's multiplier",
                    );
                }
                for (i, &x) in v.iter().enumerate() {
                    ck.number(
                        &format!("{field}.by_year[{i}]"),
                        x,
                        "a multiplier above 0 and at most 100",
                        |x| x > 0.0 && x <= 100.0,
                    );
                }
                v.clone()
            }
            (None, Some(g)) => {
                let g = ck.number(
                    &format!("{field}.annual_change"),
                    g,
                    "a change per year above −0.5 and at most 1 (0.02 = +2% a year)",
                    |x| x > -0.5 && x <= 1.0,
                );
                (0..years).map(|y| (1.0 + g).powi(y as i32)).collect()
            }
            _ => {
                ck.fail(
                    &field,
                    "exactly one of by_year (a multiplier per observed year) and annual_change",
                );
                vec![1.0]
            }
        };
        if by_year.is_empty() || by_year.iter().all(|&x| x == 1.0) {
            return None;
        }
        Some(Trend { by_year })
    };
    Trends {
        exacerbations: one("exacerbations", &t.exacerbations),
        admissions: one("admissions", &t.admissions),
        deaths: one("deaths", &t.deaths),
        incidence: one("incidence", &t.incidence),
        onset: one("onset", &t.onset),
        acute_los: one("acute_los", &t.acute_los),
        community_los: one("community_los", &t.community_los),
    }
}

/// `multimorbidity.odds_ratio(s)`: the odds ratio of co-occurrence of each pair of
/// conditions (`[c][d]`, symmetric).
fn odds_ratios(
    ck: &mut Checker,
    m: &crate::scenario::schema::RawMultimorbidity,
    names: &[&str],
) -> Vec<Vec<f64>> {
    let default_or = ck.number(
        "multimorbidity.odds_ratio",
        m.odds_ratio.unwrap_or(1.0),
        "an odds ratio above 0 and at most 100",
        |x| x > 0.0 && x <= MAX_ODDS_RATIO,
    );
    let mut odds = vec![vec![default_or; names.len()]; names.len()];
    for (key, &value) in m.odds_ratios.iter().flatten() {
        let field = format!("multimorbidity.odds_ratios.{key}");
        let parts: Vec<&str> = key.split('+').collect();
        let found: Vec<Option<usize>> = parts
            .iter()
            .map(|p| names.iter().position(|n| n == p))
            .collect();
        match found.as_slice() {
            [Some(a), Some(b)] if a != b => {
                let v = ck.number(&field, value, "an odds ratio above 0 and at most 100", |x| {
                    x > 0.0 && x <= MAX_ODDS_RATIO
                });
                odds[*a][*b] = v;
                odds[*b][*a] = v;
            }
            _ => ck.fail(
                &field,
                format!(
                    "a pair of two different conditions as \"<condition>+<condition>\", got {key:?}; conditions: {}",
                    names.join(", ")
                ),
            ),
        }
    }
    odds
}

/// `conditions.<c>.onset_per_year_by_age`, per day (`[condition][band]`).
fn onsets(
    ck: &mut Checker,
    raw_conditions: &std::collections::BTreeMap<String, crate::scenario::schema::RawCondition>,
    bands: &[String],
) -> Vec<Vec<f64>> {
    raw_conditions
        .iter()
        .map(|(name, c)| {
            let field = format!("conditions.{name}.onset_per_year_by_age");
            per_day_by_age(ck, &field, &c.onset_per_year_by_age, bands)
        })
        .collect()
}

/// `population.entrants_per_year`, per day by band and year.
fn entrants(
    ck: &mut Checker,
    table: std::collections::BTreeMap<String, Vec<f64>>,
    bands: &[String],
) -> EntrantParams {
    let field = "population.entrants_per_year";
    let mut per_year = vec![Vec::new(); bands.len()];
    for (name, years) in table {
        match bands.iter().position(|b| *b == name) {
            Some(i) => per_year[i] = years,
            None => ck.fail(
                &format!("{field}.{name}"),
                format!(
                    "no age band named `{name}`; defined in [population] age_bands: {}",
                    bands.join(", ")
                ),
            ),
        }
    }
    EntrantParams {
        per_day: bands
            .iter()
            .zip(per_year)
            .map(|(band, years)| {
                years
                    .iter()
                    .enumerate()
                    .map(|(y, &v)| {
                        ck.number(
                            &format!("{field}.{band}[{y}]"),
                            v,
                            "a number of people per year at least 0 and at most 10,000,000,000",
                            |x| (0.0..=MAX_PEOPLE).contains(&x),
                        ) / DAYS_PER_YEAR
                    })
                    .collect()
            })
            .collect(),
    }
}

/// Each band's joint prevalence (given, or fitted to the conditions' prevalences and
/// `odds`) and the persons drawn from it (`None` after a problem).
fn cohort(
    ck: &mut Checker,
    given: Option<&Vec<Vec<f64>>>,
    conditions: &[ConditionParams],
    bands: &[String],
    people: &[f64],
    odds: &[Vec<f64>],
) -> Option<JointAndStart> {
    let mut joint = Vec::new();
    let mut start = Vec::new();
    for (b, (band, &n)) in bands.iter().zip(people).enumerate() {
        if let Some(given) = given {
            let persons = n.round().min(f64::from(u32::MAX)) as u32;
            let counts = apportion(persons, given[b].iter().copied());
            start.push(
                counts
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter(|(_, n)| **n > 0)
                    .map(|(set, &n)| (set as u16, n))
                    .collect(),
            );
            joint.push(given[b].clone());
            continue;
        }
        let p: Vec<f64> = conditions
            .iter()
            .map(|c| {
                if n > 0.0 {
                    f64::from(c.bands[b].patients) / n
                } else {
                    0.0
                }
            })
            .collect();
        if let Some((c, share)) = p.iter().enumerate().find(|(_, s)| **s > 1.0) {
            ck.fail(
                &format!("conditions.{}", conditions[c].name),
                format!(
                    "with [multimorbidity] a condition's patients in a band are a share of its people: {} patients in band `{band}` of {n} people ({share:.3})",
                    conditions[c].bands[b].patients
                ),
            );
            return None;
        }
        match fit_joint(&p, odds) {
            Ok(j) => {
                let persons = n.round().min(f64::from(u32::MAX)) as u32;
                let counts = apportion(persons, j.iter().copied());
                start.push(
                    counts
                        .iter()
                        .enumerate()
                        .skip(1)
                        .filter(|(_, n)| **n > 0)
                        .map(|(set, &n)| (set as u16, n))
                        .collect(),
                );
                joint.push(j);
            }
            Err(e) => {
                ck.fail(
                    "multimorbidity.odds_ratios",
                    format!(
                        "the prevalences of band `{band}` and these odds ratios cannot all hold at once (closest fit off by {:.2e}); lower the odds ratios",
                        e.residual
                    ),
                );
                return None;
            }
        }
    }
    Some((joint, start))
}

/// Each band's joint prevalence and persons at the start by set.
type JointAndStart = (Vec<Vec<f64>>, Vec<Vec<(u16, u32)>>);

/// A `*_per_year_by_age` table of rates per person-year at `field` (0 for unlisted bands),
/// each in [0, 1000], as rates per day in band order.
fn per_day_by_age(
    ck: &mut Checker,
    field: &str,
    table: &Option<std::collections::BTreeMap<String, f64>>,
    bands: &[String],
) -> Vec<f64> {
    let by_band = ck.by_age(field, table, bands, 0.0);
    bands
        .iter()
        .zip(by_band)
        .map(|(band, v)| {
            ck.number(
                &format!("{field}.{band}"),
                v,
                "at least 0 and at most 1000 (per person-year)",
                |x| (0.0..=MAX_PER_YEAR).contains(&x),
            ) / DAYS_PER_YEAR
        })
        .collect()
}
