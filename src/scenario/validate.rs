//! Semantic checks: required keys, ranges, cross-references. Every problem is collected,
//! located in the file that set (or should have set) the key, and reported together.

use std::collections::BTreeMap;

use super::load::Sources;
use super::schema::{RawDuration, RawScenario, RawWhenFull};
use super::{Problem, Scenario, ScenarioError, ScenarioFile};
use crate::engine::DAYS_PER_YEAR;
use crate::model::{
    AcuteParams, ConditionParams, DischargeRoute, Duration, DurationError, Params,
    PrimaryCareParams, Seasonality, ServiceParams, WhenFull,
};

/// Collects problems with their locations.
struct Checker<'a> {
    sources: &'a Sources,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.problems
            .push(self.sources.problem(field, message.into()));
    }

    fn required<T: Clone>(&mut self, field: &str, v: &Option<T>, what: &str) -> Option<T> {
        if v.is_none() {
            self.fail(field, format!("missing: {what}"));
        }
        v.clone()
    }

    /// A finite number satisfying `ok`, else a problem stating `rule`.
    fn number(&mut self, field: &str, v: f64, rule: &str, ok: impl Fn(f64) -> bool) -> f64 {
        if !(v.is_finite() && ok(v)) {
            self.fail(field, format!("must be {rule}, got {v}"));
        }
        v
    }

    fn cost(&mut self, field: &str, v: Option<f64>) -> f64 {
        let v = v.unwrap_or(0.0);
        self.number(field, v, "a cost of at least 0", |x| x >= 0.0)
    }

    fn at_least_one(&mut self, field: &str, v: Option<u32>, what: &str) -> u32 {
        match self.required(field, &v, what) {
            Some(0) => {
                self.fail(field, "must be at least 1, got 0");
                1
            }
            Some(n) => n,
            None => 1,
        }
    }

    fn duration(&mut self, field: &str, raw: &Option<RawDuration>) -> Duration {
        let fallback = Duration::fixed(0.0).expect("0 is a valid fixed duration");
        let Some(raw) = self.required(
            field,
            raw,
            "a length of stay, e.g. { dist = \"lognormal\", mean_days = 7.0, sd_days = 7.0 }",
        ) else {
            return fallback;
        };
        let built = match raw {
            RawDuration::Exponential { mean_days } => Duration::exponential(mean_days),
            RawDuration::Lognormal { mean_days, sd_days } => {
                Duration::lognormal(mean_days, sd_days)
            }
            RawDuration::Gamma { mean_days, sd_days } => Duration::gamma(mean_days, sd_days),
            RawDuration::Fixed { days } => Duration::fixed(days),
            RawDuration::Empirical {
                values_days,
                weights,
            } => Duration::empirical(values_days, weights),
        };
        built.unwrap_or_else(|e| {
            let sub = match &e {
                DurationError::OutOfRange { what, .. } => format!("{field}.{what}"),
                _ => field.to_string(),
            };
            self.fail(&sub, e.to_string());
            fallback
        })
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Check the merged scenario and build the validated [`Scenario`].
///
/// # Errors
/// Every problem found, each located.
pub fn validate(sources: &Sources) -> Result<Scenario, ScenarioError> {
    let mut ck = Checker {
        sources,
        problems: Vec::new(),
    };
    let raw: &RawScenario = &sources.merged;

    // [scenario]
    let meta = raw.scenario.clone().unwrap_or_default();
    let name = ck
        .required("scenario.name", &meta.name, "a name for the scenario")
        .unwrap_or_default();
    if meta.name.is_some()
        && (name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        ck.fail(
            "scenario.name",
            format!(
                "must be letters, digits, `_` or `-` (it names the output folder), got {name:?}"
            ),
        );
    }

    // [simulation]
    let sim = raw.simulation.clone().unwrap_or_default();
    let horizon = ck
        .required(
            "simulation.horizon_days",
            &sim.horizon_days,
            "days to simulate, e.g. 3650",
        )
        .unwrap_or(1.0);
    let horizon = ck.number("simulation.horizon_days", horizon, "greater than 0", |x| {
        x > 0.0
    });
    let warmup = sim.warmup_days.unwrap_or(0.0);
    let warmup = ck.number(
        "simulation.warmup_days",
        warmup,
        &format!("at least 0 and less than horizon_days ({horizon})"),
        |x| x >= 0.0 && x < horizon,
    );
    let replications = sim.replications.unwrap_or(100);
    if replications == 0 {
        ck.fail("simulation.replications", "must be at least 1, got 0");
    }
    let seed = sim.seed.unwrap_or(1);

    // [acute]
    let acute = raw.acute.clone().unwrap_or_default();
    let beds = ck.at_least_one("acute.beds", acute.beds, "the number of acute beds");
    let acute = AcuteParams {
        beds,
        when_full: match acute.when_full.unwrap_or(RawWhenFull::Queue) {
            RawWhenFull::Queue => WhenFull::Queue,
            RawWhenFull::Divert => WhenFull::Divert,
        },
        bed_day_cost: ck.cost("acute.bed_day_cost", acute.bed_day_cost),
        diversion_cost: ck.cost("acute.diversion_cost", acute.diversion_cost),
    };

    // [primary_care]
    let pc = raw.primary_care.clone().unwrap_or_default();
    let primary_care = PrimaryCareParams {
        review_cost: ck.cost("primary_care.review_cost", pc.review_cost),
        urgent_contact_cost: ck.cost("primary_care.urgent_contact_cost", pc.urgent_contact_cost),
    };

    // [community.*]
    let community = raw.community.clone().unwrap_or_default();
    let mut services = Vec::new();
    for (sname, s) in &community {
        let base = format!("community.{sname}");
        if !is_identifier(sname) {
            ck.fail(
                &base,
                format!("service names must be lowercase letters, digits and `_`, starting with a letter, got {sname:?}"),
            );
        }
        services.push(ServiceParams {
            name: sname.clone(),
            capacity: ck.at_least_one(
                &format!("{base}.capacity"),
                s.capacity,
                "the number of places",
            ),
            los: ck.duration(&format!("{base}.los"), &s.los),
            day_cost: ck.cost(&format!("{base}.day_cost"), s.day_cost),
        });
    }
    let service_index: BTreeMap<&str, usize> = community
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    // [conditions.*]
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
        let base = format!("conditions.{cname}");
        if !is_identifier(cname) {
            ck.fail(
                &base,
                format!("condition names must be lowercase letters, digits and `_`, starting with a letter, got {cname:?}"),
            );
        }
        let patients = ck
            .required(
                &format!("{base}.patients"),
                &c.patients,
                "the number of patients",
            )
            .unwrap_or(0);
        total_patients += u64::from(patients);
        let review_rate_per_day = match c.review_interval_days {
            None => 0.0,
            Some(d) => {
                1.0 / ck.number(
                    &format!("{base}.review_interval_days"),
                    d,
                    "greater than 0 (days)",
                    |x| x > 0.0,
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
            "at least 0",
            |x| x >= 0.0,
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
        let mut discharge = Vec::new();
        let mut total = 0.0;
        for (target, &p) in c.discharge.iter().flatten() {
            let field = format!("{base}.discharge.{target}");
            let p = ck.number(&field, p, "a probability in [0, 1]", |x| {
                (0.0..=1.0).contains(&x)
            });
            total += p;
            match service_index.get(target.as_str()) {
                Some(&service) => discharge.push(DischargeRoute {
                    service,
                    probability: p,
                }),
                None => {
                    let known: Vec<&str> = service_index.keys().copied().collect();
                    let hint = known
                        .iter()
                        .min_by_key(|k| strsim::damerau_levenshtein(k, target))
                        .map(|k| format!("; did you mean `{k}`?"))
                        .unwrap_or_default();
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
        }
        if total > 1.0 + 1e-9 {
            ck.fail(
                &format!("{base}.discharge"),
                format!("probabilities must sum to at most 1 (the rest go home), got {total}"),
            );
        }
        let per_year_rate = |ck: &mut Checker, key: &str, v: Option<f64>| {
            let v = v.unwrap_or(0.0);
            ck.number(&format!("{base}.{key}"), v, "at least 0 (per year)", |x| {
                x >= 0.0
            }) / DAYS_PER_YEAR
        };
        let death_rate_per_day = per_year_rate(&mut ck, "deaths_per_year", c.deaths_per_year);
        let new_patients_per_day =
            per_year_rate(&mut ck, "new_patients_per_year", c.new_patients_per_year);
        let in_hospital_death = ck.number(
            &format!("{base}.in_hospital_death"),
            c.in_hospital_death.unwrap_or(0.0),
            "a probability in [0, 1]",
            |x| (0.0..=1.0).contains(&x),
        );
        conditions.push(ConditionParams {
            death_rate_per_day,
            in_hospital_death,
            new_patients_per_day,
            name: cname.clone(),
            patients,
            review_rate_per_day,
            exacerbation_rate_per_day: per_year / DAYS_PER_YEAR,
            admit,
            los,
            discharge,
        });
    }
    if total_patients > u64::from(u32::MAX) {
        ck.fail(
            "conditions",
            format!("at most {} patients in all, got {total_patients}", u32::MAX),
        );
    } else if !conditions_raw.is_empty() && total_patients == 0 {
        ck.fail(
            "conditions",
            "at least one patient is needed, got 0 in all conditions",
        );
    }

    // [seasonality]
    let seasonality = raw.seasonality.as_ref().map(|s| {
        let amplitude = ck
            .required(
                "seasonality.amplitude",
                &s.amplitude,
                "the relative winter swing, e.g. 0.2",
            )
            .unwrap_or(0.0);
        Seasonality {
            amplitude: ck.number("seasonality.amplitude", amplitude, "in [0, 1)", |x| {
                (0.0..1.0).contains(&x)
            }),
            peak_day: ck.number(
                "seasonality.peak_day",
                s.peak_day.unwrap_or(0.0),
                "a day of the year in [0, 365)",
                |x| (0.0..DAYS_PER_YEAR).contains(&x),
            ),
        }
    });

    if !ck.problems.is_empty() {
        return Err(ScenarioError::new(ck.problems));
    }
    Ok(Scenario {
        name,
        description: meta.description.unwrap_or_default(),
        files: sources
            .files
            .iter()
            .map(|f| ScenarioFile {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
        replications,
        seed,
        params: Params {
            horizon_days: horizon,
            warmup_days: warmup,
            acute,
            services,
            primary_care,
            conditions,
            seasonality,
        },
    })
}
