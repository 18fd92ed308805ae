//! Semantic checks: required keys, ranges, cross-references. Every problem is collected,
//! located in the file that set (or should have set) the key, and reported together.

use std::collections::BTreeMap;

use super::load::Sources;
use super::schema::{RawPayer, RawScenario, RawSetting, RawWhenFull};
use super::{Scenario, ScenarioError, ScenarioFile};
use crate::engine::DAYS_PER_YEAR;
use crate::model::dist::show_count;
use crate::model::{
    AcuteParams, BandParams, ConditionParams, DischargeRoute, LeverParams, Params, Payer,
    PopulationParams, PrimaryCareParams, Seasonality, ServiceParams, Setting, TierParams, WhenFull,
    apportion,
};

use super::checker::Checker;
pub use super::checker::{
    MAX_CAPACITY, MAX_COST, MAX_FRAILTY_CV, MAX_HORIZON_DAYS, MAX_LOS_MULTIPLIER, MAX_MULTIPLIER,
    MAX_PATIENTS_EVER, MAX_PEOPLE, MAX_PER_YEAR, MAX_REPLICATIONS, MIN_FRAILTY_CV,
    MIN_INTERVAL_DAYS,
};

fn is_band_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
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
    ck.at_most(
        "simulation.horizon_days",
        horizon,
        MAX_HORIZON_DAYS,
        " days (100 years)",
    );
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
    } else if replications > MAX_REPLICATIONS {
        ck.fail(
            "simulation.replications",
            format!(
                "must be at most {}, got {replications}",
                show_count(f64::from(MAX_REPLICATIONS))
            ),
        );
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
        schedule: ck.schedule(
            "acute",
            acute
                .schedule
                .iter()
                .flatten()
                .map(|c| (c.day, c.beds))
                .collect(),
            acute.schedule_repeat_days,
        ),
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
            schedule: ck.schedule(
                &base,
                s.schedule
                    .iter()
                    .flatten()
                    .map(|c| (c.day, c.capacity))
                    .collect(),
                s.schedule_repeat_days,
            ),
            payer: match s.payer.unwrap_or(RawPayer::Community) {
                RawPayer::Hospital => Payer::Hospital,
                RawPayer::Community => Payer::Community,
                RawPayer::PrimaryCare => Payer::PrimaryCare,
                RawPayer::SocialCare => Payer::SocialCare,
            },
            setting: match s.setting.unwrap_or(RawSetting::Bed) {
                RawSetting::Bed => Setting::Bed,
                RawSetting::Home => Setting::Home,
            },
        });
    }
    let service_index: BTreeMap<&str, usize> = community
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();

    // [population]
    let pop = raw.population.clone().unwrap_or_default();
    let band_people: Vec<(String, f64)> = match &pop.age_bands {
        Some(bands) if !bands.is_empty() => bands
            .iter()
            .map(|(name, &people)| {
                let field = format!("population.age_bands.{name}");
                if !is_band_name(name) {
                    ck.fail(
                        &field,
                        format!("age band names must be letters, digits and `_`, got {name:?}"),
                    );
                }
                (
                    name.clone(),
                    ck.number(
                        &field,
                        people,
                        "a number of people at least 0 and at most 10,000,000,000",
                        |x| (0.0..=MAX_PEOPLE).contains(&x),
                    ),
                )
            })
            .collect(),
        _ => vec![("all".to_string(), 0.0)],
    };
    let has_bands = pop.age_bands.as_ref().is_some_and(|b| !b.is_empty());
    let band_names: Vec<String> = band_people.iter().map(|(n, _)| n.clone()).collect();
    let frailty_cv = ck.number(
        "population.frailty_cv",
        pop.frailty_cv.unwrap_or(0.0),
        "0 (everyone alike) or between 0.001 and 10 (gamma frailty with shape 1/cv² in [0.01, 1e6])",
        |x| x == 0.0 || (MIN_FRAILTY_CV..=MAX_FRAILTY_CV).contains(&x),
    );
    let catchment_given = pop.catchment.map(|c| {
        ck.number(
            "population.catchment",
            c,
            "a number of people greater than 0 and at most 10,000,000,000",
            |x| x > 0.0 && x <= MAX_PEOPLE,
        )
    });
    let band_total: f64 = band_people.iter().map(|(_, p)| p).sum();

    // [tiers.*]
    let mut tiers = Vec::new();
    let mut tier_shares = Vec::new();
    for (tname, t) in raw.tiers.iter().flatten() {
        let base = format!("tiers.{tname}");
        if !is_identifier(tname) {
            ck.fail(&base, format!("tier names must be lowercase letters, digits and `_`, starting with a letter, got {tname:?}"));
        }
        let share = ck
            .required(
                &format!("{base}.share"),
                &t.share,
                "the tier's share of each cohort",
            )
            .unwrap_or(0.0);
        let share = ck.number(&format!("{base}.share"), share, "a share in [0, 1]", |x| {
            (0.0..=1.0).contains(&x)
        });
        tier_shares.push(share);
        tiers.push(TierParams {
            name: tname.clone(),
            // One share per condition, filled in once the conditions are known.
            shares: Vec::new(),
            exacerbation_multiplier: ck.non_negative(
                &format!("{base}.exacerbation_multiplier"),
                t.exacerbation_multiplier,
                1.0,
            ),
            admit_multiplier: ck.non_negative(
                &format!("{base}.admit_multiplier"),
                t.admit_multiplier,
                1.0,
            ),
            review_rate_per_day: t.review_interval_days.map(|d| {
                1.0 / ck.number(
                    &format!("{base}.review_interval_days"),
                    d,
                    "at least 0.01 (days)",
                    |x| x >= MIN_INTERVAL_DAYS,
                )
            }),
            management_cost_per_year: ck.cost(
                &format!("{base}.management_cost_per_year"),
                t.management_cost_per_year,
            ),
        });
    }
    if !tiers.is_empty() {
        let total: f64 = tier_shares.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            ck.fail("tiers", format!("tier shares must sum to 1, got {total}"));
        }
    }

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
        // Patients by age band: exactly one of patients, patients_by_age, prevalence.
        let given = [
            c.patients.is_some(),
            c.patients_by_age.is_some(),
            c.prevalence.is_some(),
        ];
        let band_patients: Vec<u32> = match given.iter().filter(|g| **g).count() {
            0 => {
                ck.fail(
                    &format!("{base}.patients"),
                    "missing: the cohort size, as patients, patients_by_age or prevalence",
                );
                vec![0; band_names.len()]
            }
            1 => {
                if let Some(n) = c.patients {
                    if has_bands && band_total > 0.0 {
                        apportion(n, band_people.iter().map(|(_, p)| p / band_total))
                    } else {
                        let mut v = vec![0; band_names.len()];
                        v[0] = n;
                        v
                    }
                } else if c.patients_by_age.is_some() {
                    ck.by_age(
                        &format!("{base}.patients_by_age"),
                        &c.patients_by_age,
                        &band_names,
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
                    if has_bands {
                        band_people
                            .iter()
                            .map(|(_, people)| (prev * people).round() as u32)
                            .collect()
                    } else {
                        match catchment_given {
                            Some(catch) => vec![(prev * catch).round() as u32],
                            None => {
                                ck.fail(
                                    &format!("{base}.prevalence"),
                                    "needs [population] catchment or age_bands to count patients",
                                );
                                vec![0]
                            }
                        }
                    }
                }
            }
            _ => {
                ck.fail(
                    &base,
                    "give only one of patients, patients_by_age and prevalence",
                );
                vec![0; band_names.len()]
            }
        };
        total_patients += band_patients.iter().map(|&n| u64::from(n)).sum::<u64>();
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
                    let hint = super::suggest::hint(target, known.iter().copied());
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
        // Per patient-year rates are at most MAX_PER_YEAR; a cohort's new patients per year
        // are bounded below by the number of patients the simulator can number.
        let per_year_rate = |ck: &mut Checker, key: &str, v: Option<f64>| {
            let v = v.unwrap_or(0.0);
            let field = format!("{base}.{key}");
            let v = ck.number(&field, v, "at least 0 (per year)", |x| x >= 0.0);
            if key != "new_patients_per_year" {
                ck.at_most(&field, v, MAX_PER_YEAR, " (per patient-year)");
            }
            v / DAYS_PER_YEAR
        };
        let death_rate_per_day = per_year_rate(&mut ck, "deaths_per_year", c.deaths_per_year);
        let deaths_by_age = ck.by_age(
            &format!("{base}.deaths_per_year_by_age"),
            &c.deaths_per_year_by_age,
            &band_names,
            death_rate_per_day * DAYS_PER_YEAR,
        );
        let los_by_age = ck.by_age(
            &format!("{base}.los_multiplier_by_age"),
            &c.los_multiplier_by_age,
            &band_names,
            1.0,
        );
        let bands: Vec<BandParams> = band_names
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
            .collect();
        let outpatient_referrals_per_day = per_year_rate(
            &mut ck,
            "outpatient_referrals_per_year",
            c.outpatient_referrals_per_year,
        );
        let attendances_per_referral = ck.number(
            &format!("{base}.attendances_per_referral"),
            c.attendances_per_referral.unwrap_or(1.0),
            "at least 1 and at most 1000",
            |x| (1.0..=MAX_PER_YEAR).contains(&x),
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
            per_year_rate(&mut ck, "new_patients_per_year", c.new_patients_per_year);
        let in_hospital_death = ck.number(
            &format!("{base}.in_hospital_death"),
            c.in_hospital_death.unwrap_or(0.0),
            "a probability in [0, 1]",
            |x| (0.0..=1.0).contains(&x),
        );
        conditions.push(ConditionParams {
            bands,
            in_hospital_death,
            new_patients_per_day,
            admission_multiplier,
            post_discharge_multiplier,
            post_discharge_days,
            outpatient_referrals_per_day,
            attendances_per_referral,
            name: cname.clone(),
            review_rate_per_day,
            exacerbation_rate_per_day: per_year / DAYS_PER_YEAR,
            admit,
            los,
            discharge,
        });
    }
    // Patients are numbered with 32 bits: the cohort plus the new patients of the whole
    // horizon must fit, with room for chance (a Poisson count's sd is tiny at this scale).
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
    } else if !conditions_raw.is_empty() && total_patients == 0 && ck.problems.is_empty() {
        ck.fail(
            "conditions",
            "at least one patient is needed, got 0 in all conditions",
        );
    }

    // [seasonality]
    let seasonality = raw
        .seasonality
        .as_ref()
        .map(|s| match (&s.monthly, s.amplitude) {
            (Some(months), None) => {
                if s.peak_day.is_some() {
                    ck.fail(
                        "seasonality.peak_day",
                        "give either monthly or amplitude/peak_day, not both",
                    );
                }
                let mut multipliers = [1.0; 12];
                if months.len() != 12 {
                    ck.fail(
                        "seasonality.monthly",
                        format!(
                            "must list 12 multipliers, one per month, got {}",
                            months.len()
                        ),
                    );
                }
                for (i, &m) in months.iter().take(12).enumerate() {
                    multipliers[i] =
                        ck.number("seasonality.monthly", m, "multipliers of at least 0", |x| {
                            x >= 0.0
                        });
                    ck.at_most("seasonality.monthly", m, MAX_MULTIPLIER, "");
                }
                Seasonality::Monthly { multipliers }
            }
            (Some(_), Some(_)) => {
                ck.fail(
                    "seasonality",
                    "give either monthly or amplitude/peak_day, not both",
                );
                Seasonality::Monthly {
                    multipliers: [1.0; 12],
                }
            }
            (None, amplitude) => {
                let amplitude = ck
                    .required(
                        "seasonality.amplitude",
                        &amplitude,
                        "the relative winter swing, e.g. 0.2 (or 12 monthly multipliers)",
                    )
                    .unwrap_or(0.0);
                Seasonality::Cosine {
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
            }
        });

    if tiers.is_empty() {
        tiers.push(TierParams::neutral(conditions.len()));
    } else {
        for (tier, share) in tiers.iter_mut().zip(&tier_shares) {
            tier.shares = vec![*share; conditions.len()];
        }
    }
    let condition_names: Vec<&str> = conditions.iter().map(|c| c.name.as_str()).collect();
    let policies =
        super::policy::check(&mut ck, &raw.policy, &condition_names, &service_index, beds);
    let catchment = catchment_given.unwrap_or(if has_bands && band_total > 0.0 {
        band_total
    } else {
        total_patients.max(1) as f64
    });
    let outpatient_attendance_cost = ck.cost(
        "outpatients.attendance_cost",
        raw.outpatients.as_ref().and_then(|o| o.attendance_cost),
    );

    if !ck.problems.is_empty() {
        return Err(ScenarioError::new(ck.problems));
    }
    let mut params = Params {
        horizon_days: horizon,
        warmup_days: warmup,
        acute,
        services,
        primary_care,
        conditions,
        seasonality,
        population: PopulationParams {
            catchment,
            age_bands: band_names,
            frailty_cv,
        },
        tiers,
        outpatient_attendance_cost,
        levers: LeverParams::default(),
    };
    policies.apply(&mut params);
    let cells = params.conditions.len() * params.population.age_bands.len() * params.tiers.len();
    if cells > usize::from(u16::MAX) {
        ck.fail(
            "conditions",
            format!(
                "at most 65,535 condition × age band × tier combinations (enrolment levers multiply tiers), got {cells}"
            ),
        );
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
        params,
        uncertain: sources.uncertain.clone(),
        sources: std::sync::Arc::new(sources.clone()),
    })
}
