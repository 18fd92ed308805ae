//! `[population]` and `[tiers.*]`: who the patients are drawn from, and the risk tiers
//! they are split into.

use super::{is_band_name, is_identifier};
use crate::model::TierParams;
use crate::scenario::checker::{
    Checker, MAX_FRAILTY_CV, MAX_PEOPLE, MIN_FRAILTY_CV, MIN_INTERVAL_DAYS,
};
use crate::scenario::schema::RawScenario;

/// `[population]`, checked.
pub(super) struct Population {
    /// Each age band's name and people, in name order; one band `all` of 0 people when the
    /// scenario names none.
    pub(super) band_people: Vec<(String, f64)>,
    /// Whether the scenario names age bands.
    pub(super) has_bands: bool,
    /// The age bands' names, in order.
    pub(super) band_names: Vec<String>,
    /// Coefficient of variation of the gamma frailty (0: everyone alike).
    pub(super) frailty_cv: f64,
    /// `catchment` as given, people.
    pub(super) catchment_given: Option<f64>,
    /// People in all age bands.
    pub(super) band_total: f64,
}

impl Population {
    /// People served: the catchment as given, else the people in the age bands, else the
    /// `total_patients` at the start (at least 1).
    pub(super) fn catchment(&self, total_patients: u64) -> f64 {
        self.catchment_given
            .unwrap_or(if self.has_bands && self.band_total > 0.0 {
                self.band_total
            } else {
                total_patients.max(1) as f64
            })
    }
}

/// `[population]`: age bands and their people, frailty, catchment.
pub(super) fn population(ck: &mut Checker, raw: &RawScenario) -> Population {
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
    Population {
        band_people,
        has_bands,
        band_names,
        frailty_cv,
        catchment_given,
        band_total,
    }
}

/// `[tiers.*]`: each tier in name order with its share of every cohort (the shares per
/// condition are filled in by [`per_condition`] once the conditions are known).
pub(super) fn tiers(ck: &mut Checker, raw: &RawScenario) -> (Vec<TierParams>, Vec<f64>) {
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
            enrolment: None,
        });
    }
    if !tiers.is_empty() {
        let total: f64 = tier_shares.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            ck.fail("tiers", format!("tier shares must sum to 1, got {total}"));
        }
    }
    (tiers, tier_shares)
}

/// The tiers with each one's share repeated for each of `conditions` conditions, or the
/// neutral tier when the scenario defines none.
pub(super) fn per_condition(
    mut tiers: Vec<TierParams>,
    tier_shares: &[f64],
    conditions: usize,
) -> Vec<TierParams> {
    if tiers.is_empty() {
        tiers.push(TierParams::neutral(conditions));
    } else {
        for (tier, share) in tiers.iter_mut().zip(tier_shares) {
            tier.shares = vec![*share; conditions];
        }
    }
    tiers
}
