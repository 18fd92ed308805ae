//! The checker every semantic check reports through (each problem located at the key that
//! holds it), and the limits of scenario values.

use std::collections::BTreeMap;

use super::Problem;
use super::load::Sources;
use super::schema::RawDuration;
use crate::model::dist::{show_count, show_number};
use crate::model::{CapacityChange, CapacityLevel, Duration, DurationError, Schedule};

/// `known` as a readable list, with the closest match to `name` suggested.
pub(super) fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    let hint = super::suggest::hint(name, known.iter().copied());
    format!(
        "no {what} named `{name}`; defined: {}{hint}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )
}

/// Collects problems with their locations.
pub(super) struct Checker<'a> {
    pub(super) sources: &'a Sources,
    pub(super) problems: Vec<Problem>,
}

impl Checker<'_> {
    pub(super) fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.problems
            .push(self.sources.problem(field, message.into()));
    }

    pub(super) fn required<T: Clone>(
        &mut self,
        field: &str,
        v: &Option<T>,
        what: &str,
    ) -> Option<T> {
        if v.is_none() {
            self.fail(field, format!("missing: {what}"));
        }
        v.clone()
    }

    /// A finite number satisfying `ok`, else a problem stating `rule`.
    pub(super) fn number(
        &mut self,
        field: &str,
        v: f64,
        rule: &str,
        ok: impl Fn(f64) -> bool,
    ) -> f64 {
        if !(v.is_finite() && ok(v)) {
            self.fail(field, format!("must be {rule}, got {}", show_number(v)));
        }
        v
    }

    /// An optional number ≥ 0 with a default, at most [`MAX_MULTIPLIER`] (these are
    /// multipliers and similar factors: larger ones make every rate absurd).
    pub(super) fn non_negative(&mut self, field: &str, v: Option<f64>, default: f64) -> f64 {
        let v = self.number(field, v.unwrap_or(default), "at least 0", |x| x >= 0.0);
        self.at_most(field, v, MAX_MULTIPLIER, "")
    }

    /// `v`, with a problem when it is a finite number above `max` (non-finite and
    /// negative numbers are reported by the caller's own rule). `unit` follows the bound in
    /// the message, e.g. " days (100 years)".
    pub(super) fn at_most(&mut self, field: &str, v: f64, max: f64, unit: &str) -> f64 {
        if v.is_finite() && v > max {
            self.fail(
                field,
                format!(
                    "must be at most {}{unit}, got {}",
                    show_count(max),
                    show_number(v)
                ),
            );
        }
        v
    }

    /// A community service named at `field`, as its index in `services` (0, with a
    /// problem, when missing or unknown).
    pub(super) fn service(
        &mut self,
        field: &str,
        name: &Option<String>,
        services: &BTreeMap<&str, usize>,
    ) -> usize {
        let Some(name) = self.required(field, name, "the name of a [community.<name>] service")
        else {
            return 0;
        };
        services.get(name.as_str()).copied().unwrap_or_else(|| {
            let known: Vec<&str> = services.keys().copied().collect();
            self.fail(field, unknown("community service", &name, &known));
            0
        })
    }

    /// A `*_by_age` table: every key must be an age band; returns one value per band,
    /// `default` for unlisted bands.
    pub(super) fn by_age<T: Copy>(
        &mut self,
        field: &str,
        table: &Option<BTreeMap<String, T>>,
        bands: &[String],
        default: T,
    ) -> Vec<T> {
        let mut out = vec![default; bands.len()];
        for (k, v) in table.iter().flatten() {
            match bands.iter().position(|b| b == k) {
                Some(i) => out[i] = *v,
                None => self.fail(
                    &format!("{field}.{k}"),
                    format!(
                        "no age band named `{k}`; defined in [population] age_bands: {}",
                        bands.join(", ")
                    ),
                ),
            }
        }
        out
    }

    /// A capacity schedule of `table` (`acute` or `community.<name>`) starting from
    /// `start` places, each change `(day, set, add)` giving exactly one of `set` (key
    /// `set_key`) or `add`: days ≥ 0 in increasing order, the capacity in force between 1
    /// and [`MAX_CAPACITY`] after every change, an optional repeat period longer than the
    /// last day (only for changes that set the capacity: repeated additions would grow
    /// without end).
    pub(super) fn schedule(
        &mut self,
        table: &str,
        (start, set_key): (u32, &str),
        changes: &[(f64, Option<u32>, Option<i64>)],
        repeat: Option<f64>,
    ) -> Schedule {
        let field = format!("{table}.schedule");
        if changes.len() > usize::from(u16::MAX) {
            self.fail(
                &field,
                format!("at most 65,535 changes, got {}", changes.len()),
            );
        }
        let mut last = -1.0;
        let mut level = i64::from(start);
        let mut out = Vec::with_capacity(changes.len());
        for (i, &(day, set, add)) in changes.iter().enumerate() {
            let entry = format!("{field}[{i}]");
            if !(day.is_finite() && day >= 0.0 && day > last) {
                self.fail(
                    &format!("{entry}.day"),
                    format!("days must be at least 0 and increasing, got {day} after {last}"),
                );
            }
            last = day;
            let change = match (set, add) {
                (Some(capacity), None) => {
                    level = i64::from(capacity);
                    CapacityLevel::Set { capacity }
                }
                (None, Some(add)) => {
                    level += add;
                    CapacityLevel::Add {
                        add: add.clamp(-i64::from(MAX_CAPACITY), i64::from(MAX_CAPACITY)) as i32,
                    }
                }
                (set, _) => {
                    let found = if set.is_some() { "both" } else { "neither" };
                    self.fail(
                        &entry,
                        format!(
                            "give `{set_key}` (the number from then on) or `add` (added to the number in force), found {found}"
                        ),
                    );
                    continue;
                }
            };
            if level < 1 {
                self.fail(
                    &entry,
                    format!("the capacity must stay at least 1, it would be {level} on day {day}"),
                );
            } else if level > i64::from(MAX_CAPACITY) {
                self.fail(
                    &entry,
                    format!(
                        "the capacity must stay at most {}, it would be {level} on day {day}",
                        show_count(f64::from(MAX_CAPACITY))
                    ),
                );
            }
            out.push(CapacityChange { day, level: change });
        }
        let repeat_days = repeat.map(|r| {
            let key = format!("{table}.schedule_repeat_days");
            if out
                .iter()
                .any(|c| matches!(c.level, CapacityLevel::Add { .. }))
            {
                self.fail(
                    &key,
                    "a repeating schedule must set capacities: repeated `add` changes would grow without end",
                );
            }
            self.number(
                &key,
                r,
                &format!("at least 1 day and greater than the last scheduled day ({last})"),
                |x| x > last && x >= 1.0,
            )
        });
        Schedule {
            changes: out,
            repeat_days,
        }
    }

    /// A cost (£ or another currency unit): at least 0, at most the largest cost accepted.
    pub(super) fn cost(&mut self, field: &str, v: Option<f64>) -> f64 {
        let v = v.unwrap_or(0.0);
        let v = self.number(field, v, "a cost of at least 0", |x| x >= 0.0);
        self.at_most(field, v, MAX_COST, "")
    }

    /// A capacity (beds, places): at least 1, at most [`MAX_CAPACITY`].
    pub(super) fn at_least_one(&mut self, field: &str, v: Option<u32>, what: &str) -> u32 {
        match self.required(field, &v, what) {
            Some(0) => {
                self.fail(field, "must be at least 1, got 0");
                1
            }
            Some(n) if n > MAX_CAPACITY => {
                self.fail(
                    field,
                    format!(
                        "must be at most {}, got {n}",
                        show_count(f64::from(MAX_CAPACITY))
                    ),
                );
                n
            }
            Some(n) => n,
            None => 1,
        }
    }

    pub(super) fn duration(&mut self, field: &str, raw: &Option<RawDuration>) -> Duration {
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
            RawDuration::Weibull { mean_days, sd_days } => Duration::weibull(mean_days, sd_days),
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

/// Longest simulated horizon, days (100 years).
pub const MAX_HORIZON_DAYS: f64 = crate::model::dist::MAX_DURATION_DAYS;
/// Most replications a scenario may ask for.
pub const MAX_REPLICATIONS: u32 = 1_000_000;
/// Most beds or places of one pool.
pub const MAX_CAPACITY: u32 = 10_000_000;
/// Most people in a catchment or age band.
pub const MAX_PEOPLE: f64 = 1e10;
/// Most patients one replication can number (patient ids are 32-bit), cohort and
/// incidence together, with 1% to spare for chance (2³² − 1 = 4,294,967,295).
pub const MAX_PATIENTS_EVER: f64 = 4_250_000_000.0;
/// Largest per patient-year rate (exacerbations, deaths, outpatient referrals) and number
/// of attendances per referral.
pub const MAX_PER_YEAR: f64 = 1000.0;
/// Largest multiplier (tier and programme effects, history and post-discharge
/// multipliers, seasonal multipliers).
pub const MAX_MULTIPLIER: f64 = 1000.0;
/// Largest age-band multiplier on lengths of stay.
pub const MAX_LOS_MULTIPLIER: f64 = 100.0;
/// Largest unit cost.
pub const MAX_COST: f64 = 1e12;
/// Shortest interval between routine reviews, days.
pub const MIN_INTERVAL_DAYS: f64 = 0.01;
/// Smallest non-zero frailty coefficient of variation (gamma shape 1/cv² at most 10⁶).
pub const MIN_FRAILTY_CV: f64 = 1e-3;
/// Largest frailty coefficient of variation (gamma shape at least 0.01).
pub const MAX_FRAILTY_CV: f64 = 10.0;
/// Largest utility multiplier (conditions, services, unmet need, the acute bed). A
/// multiplier scales the age band's population norm; above 1 it says the state is better
/// than the norm (a norm that includes the ill), and the norms of the over-65s (~0.7–0.8)
/// × 1.5 already pass full health, so larger factors can only be slips.
pub const MAX_UTILITY_MULTIPLIER: f64 = 1.5;
/// Utilities must be above this: the worst state of the UK EQ-5D-3L tariff is −0.594
/// (Dolan 1997); lower values are slips (a decrement typed as a utility).
pub const MIN_UTILITY: f64 = -0.6;
/// Largest discount rate per year: NICE's sensitivity range is 0–6%, and rates of 20% and
/// more make a ten-year horizon almost worthless; a 3.5 typed for 0.035 is caught.
pub const MAX_DISCOUNT_RATE: f64 = 0.2;

impl Checker<'_> {
    /// An optional utility multiplier in [0, [`MAX_UTILITY_MULTIPLIER`]], default 1.
    pub(super) fn utility_multiplier(&mut self, field: &str, v: Option<f64>) -> f64 {
        self.number(
            field,
            v.unwrap_or(1.0),
            "a utility multiplier in [0, 1.5] (1 = no change; above 1.5 the over-65s' norms pass full health)",
            |x| (0.0..=MAX_UTILITY_MULTIPLIER).contains(&x),
        )
    }

    /// A utility: at most 1 (full health), above [`MIN_UTILITY`].
    pub(super) fn utility(&mut self, field: &str, v: f64) -> f64 {
        self.number(
            field,
            v,
            "a utility of at most 1 (full health) and above -0.6 (the worst EQ-5D-3L state is -0.594)",
            |x| x > MIN_UTILITY && x <= 1.0,
        )
    }
}
