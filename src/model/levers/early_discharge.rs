//! `[policy.early_discharge]`: early supported discharge, as the trials found it. A share
//! of the targeted conditions' admissions is eligible, among patients whose usual discharge
//! route (drawn at admission) is one the scenario lists (home, rehabilitation), not those
//! needing a care home. Their stay is shortened, and at the early point the patient leaves
//! with a place in a supporting community service (an early supported discharge team),
//! which replaces the usual route's service; at the end of that episode, the probability
//! of the usual route's onward destination (institutional care) is changed by an odds ratio
//! (the trials' OR 0.75 on death or institutional care), not removed. When the team is full
//! the patient either keeps the bed until a place frees (at the latest the usual discharge
//! date, then the usual route) or goes home unsupported: the need for the team is then
//! recorded as unmet at home for an episode's length, with the team's `unmet` consequences.
//!
//! Hook points: [`admitted`](Rule::admitted) (eligibility, drawn from the `early_discharge`
//! stream, and the shorter stay), [`usual_route_eligible`](Rule::usual_route_eligible),
//! [`fit_for_discharge`](Rule::fit_for_discharge),
//! [`supported_onward_odds_ratio`](Rule::supported_onward_odds_ratio) and
//! [`post_discharge_factor`](Rule::post_discharge_factor).

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::{Lever, Rule, SupportedDischarge};
use crate::engine::Days;
use crate::model::event::PatientId;
use crate::model::params::Params;
use crate::model::patients::{FLAG_UNSUPPORTED, PatientTable};
use crate::model::streams::Streams;

/// `[policy.early_discharge]`, validated: see [`EarlyDischargeRule`].
#[derive(Clone, Debug, PartialEq)]
pub struct EarlyDischarge {
    /// Whether each condition is targeted.
    pub targeted: Vec<bool>,
    /// Share of targeted admissions eligible.
    pub eligible: f64,
    /// How the stay is shortened.
    pub shortening: Shortening,
    /// Supporting community service (index).
    pub service: usize,
    /// Rule when the service is full.
    pub when_full: EarlyWhenFull,
    /// Post-discharge risk multiplier after an unsupported early discharge.
    pub unsupported_multiplier: f64,
    /// Usual routes that keep a patient eligible: index 0 home, 1 + k service k.
    pub eligible_routes: Vec<bool>,
    /// Odds ratio on the usual route's onward destination at the end of a supported
    /// episode.
    pub institutional_odds_ratio: f64,
    /// How the eligible share reaches its full value over time (`None`: from the start).
    pub uptake: Option<super::Uptake>,
}

impl Lever for EarlyDischarge {
    /// Switch the rule on when anyone can be eligible.
    fn apply(&self, params: &mut Params) {
        if self.eligible > 0.0 && self.targeted.iter().any(|&t| t) {
            params.levers.early_discharge = Some(EarlyDischargeRule {
                eligible_by_condition: self
                    .targeted
                    .iter()
                    .map(|&t| if t { self.eligible } else { 0.0 })
                    .collect(),
                shortening: self.shortening,
                service: self.service,
                when_full: self.when_full,
                unsupported_multiplier: self.unsupported_multiplier,
                eligible_routes: self.eligible_routes.clone(),
                institutional_odds_ratio: self.institutional_odds_ratio,
                uptake: self.uptake,
            });
        }
        params.levers.applied.push("early_discharge".into());
    }
}

/// How an early discharge shortens the acute stay of an eligible patient.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Shortening {
    /// Discharge this many days earlier (never before 1 day, or the whole stay if shorter).
    Days(Days),
    /// Multiply the stay by this factor in (0, 1].
    Factor(f64),
}

impl Shortening {
    /// The shortened stay for a stay of `los` days.
    #[inline]
    pub fn apply(self, los: Days) -> Days {
        match self {
            Shortening::Days(d) => (los - d).max(los.min(1.0)),
            Shortening::Factor(f) => los * f,
        }
    }
}

/// What happens at the early-discharge point when the supporting service has no place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EarlyWhenFull {
    /// Stay in the acute bed (a delayed discharge) until a place frees, or until the date
    /// the patient would have left without the scheme, whichever comes first.
    Wait,
    /// Go home without support at the early date: the need for the supporting service is
    /// recorded as unmet for an episode's length (with the service's `unmet`
    /// consequences), and the post-discharge exacerbation risk is multiplied by
    /// [`EarlyDischargeRule::unsupported_multiplier`].
    DischargeUnsupported,
}

/// `[policy.early_discharge]` as the model runs it.
#[derive(Clone, Debug, Serialize)]
pub struct EarlyDischargeRule {
    /// Probability that an admission is eligible, per condition (0 = not targeted).
    pub eligible_by_condition: Vec<f64>,
    /// How the eligible stay is shortened.
    pub shortening: Shortening,
    /// Index into [`Params::services`] of the supporting service (e.g. an ESD team).
    pub service: usize,
    /// Rule when that service is full.
    pub when_full: EarlyWhenFull,
    /// Extra multiplier on the post-discharge exacerbation multiplier after an unsupported
    /// early discharge (≥ 1).
    pub unsupported_multiplier: f64,
    /// Usual discharge routes that keep a patient eligible: index 0 home, 1 + k service k.
    pub eligible_routes: Vec<bool>,
    /// Odds ratio on the probability of the usual route's onward destination at the end of
    /// a supported episode (1 = the same as usual care).
    pub institutional_odds_ratio: f64,
    /// The eligible share's uptake curve: at time t the share is × its value (`None`: full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptake: Option<super::Uptake>,
}

/// `p` with its odds multiplied by `ratio` (p = 0 or 1 stay as they are).
#[inline]
pub fn apply_odds_ratio(p: f64, ratio: f64) -> f64 {
    if p <= 0.0 || p >= 1.0 || ratio == 1.0 {
        return p;
    }
    let odds = p / (1.0 - p) * ratio;
    odds / (1.0 + odds)
}

impl Rule for EarlyDischargeRule {
    /// Eligible with the condition's probability (one draw, only for targeted conditions):
    /// the stay shortened.
    #[inline]
    fn admitted(
        &self,
        condition: usize,
        los: Days,
        now: Days,
        streams: &mut Streams,
    ) -> Option<Days> {
        let eligible =
            self.eligible_by_condition[condition] * self.uptake.map_or(1.0, |u| u.at(now));
        (eligible > 0.0 && streams.early_discharge.random::<f64>() < eligible)
            .then(|| self.shortening.apply(los))
    }

    #[inline]
    fn usual_route_eligible(&self, route: Option<usize>) -> Option<bool> {
        let i = route.map_or(0, |s| s + 1);
        Some(self.eligible_routes.get(i).copied().unwrap_or(false))
    }

    #[inline]
    fn supported_onward_odds_ratio(&self) -> Option<f64> {
        Some(self.institutional_odds_ratio)
    }

    #[inline]
    fn fit_for_discharge(&self) -> Option<SupportedDischarge> {
        Some(SupportedDischarge {
            service: self.service,
            when_full: self.when_full,
        })
    }

    /// The unsupported multiplier while the last discharge was an unsupported early one.
    #[inline]
    fn post_discharge_factor(&self, p: PatientId, patients: &PatientTable) -> f64 {
        if patients.cold(p).flags & FLAG_UNSUPPORTED != 0 {
            self.unsupported_multiplier
        } else {
            1.0
        }
    }
}

/// What early discharge counts in one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyDischargeCounts {
    /// Eligible patients discharged early with support, at once or after waiting for a
    /// place.
    pub early_supported_discharges: u64,
    /// Eligible patients sent home early without support (`discharge_unsupported`).
    pub unsupported_discharges: u64,
}

impl EarlyDischargeCounts {
    /// Call `f(name, value)` for each count, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        f(
            "early_supported_discharges",
            self.early_supported_discharges as f64,
        );
        f("unsupported_discharges", self.unsupported_discharges as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::apply_odds_ratio;

    #[test]
    fn an_odds_ratio_changes_the_odds_not_the_probability() {
        // p = 0.2: odds 0.25; × 0.75 = 0.1875; p = 0.1875 / 1.1875.
        let p = apply_odds_ratio(0.2, 0.75);
        assert!((p - 0.1875 / 1.1875).abs() < 1e-15);
        assert_eq!(apply_odds_ratio(0.0, 0.75), 0.0);
        assert_eq!(apply_odds_ratio(1.0, 0.75), 1.0);
        assert_eq!(apply_odds_ratio(0.3, 1.0), 0.3);
    }
}
