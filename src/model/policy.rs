//! Policy levers as transformations of the base parameters.
//!
//! A policy scenario is a base scenario plus `[policy.<lever>]` tables. Each lever here is
//! validated (by `scenario`) into one of the types below and then *applied* to the base
//! [`Params`]: most levers only change numbers (tier shares and multipliers, outpatient
//! rates, capacities, lengths of stay); early discharge, admission avoidance and discharge
//! coordination also switch on mechanisms of the model, described in [`LeverParams`](super::params::LeverParams).
//!
//! Every lever is an exact no-op at its neutral settings (enrolled share 0, multipliers 1,
//! costs 0, nothing converted): the transformed parameters are then identical to the base,
//! so a neutral policy reproduces the base results bit for bit.

use super::params::{
    AvoidanceRule, EarlyDischargeRule, EarlyWhenFull, Params, Shortening, TierParams,
};
use crate::engine::Days;

/// An enrolment programme (`care_management`, `self_management`, `telehealth`): a share of
/// the targeted cohorts is enrolled and has its exacerbation rate and admission probability
/// multiplied, at a cost per enrolled patient-year.
#[derive(Clone, Debug, PartialEq)]
pub struct Programme {
    /// Lever name (becomes part of tier names).
    pub name: String,
    /// Whether each condition (in [`Params::conditions`] order) is targeted.
    pub targeted: Vec<bool>,
    /// Share of each targeted cohort enrolled, in [0, 1].
    pub share: f64,
    /// Multiplier on the exacerbation rate of enrolled patients.
    pub exacerbation_multiplier: f64,
    /// Multiplier on the probability that an exacerbation is admitted.
    pub admit_multiplier: f64,
    /// Cost per enrolled patient-year alive.
    pub cost_per_patient_year: f64,
}

impl Programme {
    /// True when enrolment changes nothing (nobody enrolled, or no effect and no cost).
    pub fn is_neutral(&self) -> bool {
        self.share == 0.0
            || !self.targeted.iter().any(|&t| t)
            || (self.exacerbation_multiplier == 1.0
                && self.admit_multiplier == 1.0
                && self.cost_per_patient_year == 0.0)
    }
}

/// `[policy.early_discharge]`: see [`EarlyDischargeRule`].
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
}

/// `[policy.integrated_funding]`: a pooled budget.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegratedFunding {
    /// Acute beds closed; their bed-day cost buys places in `service`.
    pub beds_converted: u32,
    /// Service receiving the money (index; required when `beds_converted > 0`).
    pub service: Option<usize>,
    /// Multiplier on every acute length of stay (coordinated, "discharge to assess" care).
    pub los_factor: f64,
    /// Longest delayed discharge before coordination sends the patient home, days.
    pub max_delay_days: Option<Days>,
    /// Report every cost under one pooled payer.
    pub pool_budgets: bool,
}

impl IntegratedFunding {
    /// Places bought in a service costing `day_cost` per place-day with the money of
    /// `beds_converted` beds at `bed_day_cost`: rounded down, so the budget never grows.
    pub fn places_bought(&self, bed_day_cost: f64, day_cost: f64) -> u32 {
        if day_cost <= 0.0 {
            return 0;
        }
        (f64::from(self.beds_converted) * bed_day_cost / day_cost + 1e-9).floor() as u32
    }
}

/// `[policy.admission_avoidance]`: see [`AvoidanceRule`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdmissionAvoidance {
    /// Whether each condition is targeted.
    pub targeted: Vec<bool>,
    /// Share of targeted admission requests offered to the step-up service.
    pub share: f64,
    /// Step-up service (index).
    pub service: usize,
}

/// `[policy.specialist_outreach]`: specialists working in primary care.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecialistOutreach {
    /// Whether each condition is targeted.
    pub targeted: Vec<bool>,
    /// Multiplier on outpatient referrals of targeted conditions.
    pub referral_factor: f64,
    /// Multiplier on the admission probability of targeted conditions (only when outreach
    /// is bundled with other care; 1 otherwise).
    pub admit_multiplier: f64,
    /// Outreach sessions per year.
    pub sessions_per_year: f64,
    /// Cost per session.
    pub cost_per_session: f64,
}

/// Every lever of a scenario, validated.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policies {
    /// Early supported discharge.
    pub early_discharge: Option<EarlyDischarge>,
    /// Pooled budget.
    pub integrated_funding: Option<IntegratedFunding>,
    /// Care management, self-management, telehealth (in that order when present).
    pub programmes: Vec<Programme>,
    /// Step-up care instead of admission.
    pub admission_avoidance: Option<AdmissionAvoidance>,
    /// Specialist outreach.
    pub specialist_outreach: Option<SpecialistOutreach>,
}

impl Policies {
    /// Apply every lever to `params` (the base), in a fixed order.
    pub fn apply(&self, params: &mut Params) {
        if let Some(f) = &self.integrated_funding {
            apply_integrated_funding(f, params);
            params.levers.applied.push("integrated_funding".into());
        }
        let active: Vec<&Programme> = self.programmes.iter().filter(|p| !p.is_neutral()).collect();
        if !active.is_empty() {
            params.tiers = enrol(&params.tiers, &active, params.conditions.len());
        }
        params
            .levers
            .applied
            .extend(self.programmes.iter().map(|p| p.name.clone()));
        if let Some(o) = &self.specialist_outreach {
            for (cond, _) in params
                .conditions
                .iter_mut()
                .zip(&o.targeted)
                .filter(|(_, t)| **t)
            {
                cond.outpatient_referrals_per_day *= o.referral_factor;
                cond.admit = (cond.admit * o.admit_multiplier).min(1.0);
            }
            params.levers.outreach_cost_per_year += o.sessions_per_year * o.cost_per_session;
            params.levers.applied.push("specialist_outreach".into());
        }
        if let Some(a) = &self.admission_avoidance {
            if a.share > 0.0 && a.targeted.iter().any(|&t| t) {
                params.levers.admission_avoidance = Some(AvoidanceRule {
                    share_by_condition: a
                        .targeted
                        .iter()
                        .map(|&t| if t { a.share } else { 0.0 })
                        .collect(),
                    service: a.service,
                });
            }
            params.levers.applied.push("admission_avoidance".into());
        }
        if let Some(e) = &self.early_discharge {
            if e.eligible > 0.0 && e.targeted.iter().any(|&t| t) {
                params.levers.early_discharge = Some(EarlyDischargeRule {
                    eligible_by_condition: e
                        .targeted
                        .iter()
                        .map(|&t| if t { e.eligible } else { 0.0 })
                        .collect(),
                    shortening: e.shortening,
                    service: e.service,
                    when_full: e.when_full,
                    unsupported_multiplier: e.unsupported_multiplier,
                });
            }
            params.levers.applied.push("early_discharge".into());
        }
    }
}

/// Close beds, buy community places with their money, shorten stays, cap delays.
fn apply_integrated_funding(f: &IntegratedFunding, params: &mut Params) {
    if f.beds_converted > 0 {
        let bed_day_cost = params.acute.bed_day_cost;
        params.acute.beds = params.acute.beds.saturating_sub(f.beds_converted).max(1);
        for change in &mut params.acute.schedule.changes {
            change.capacity = change.capacity.saturating_sub(f.beds_converted).max(1);
        }
        if let Some(s) = f.service {
            let service = &mut params.services[s];
            let places = f.places_bought(bed_day_cost, service.day_cost);
            service.capacity = service.capacity.saturating_add(places);
            for change in &mut service.schedule.changes {
                change.capacity = change.capacity.saturating_add(places);
            }
        }
    }
    if f.los_factor != 1.0 {
        for band in params.conditions.iter_mut().flat_map(|c| &mut c.bands) {
            band.los_multiplier *= f.los_factor;
        }
    }
    params.levers.max_delay_days = f.max_delay_days;
    params.levers.pooled_budget = f.pool_budgets;
}

/// Split every tier by enrolment in each programme: tier × {enrolled or not} for each
/// programme, with shares multiplied (enrolment is independent across programmes and of the
/// base tier), effects multiplied and costs added. Combinations nobody can be in are
/// dropped.
fn enrol(tiers: &[TierParams], programmes: &[&Programme], conditions: usize) -> Vec<TierParams> {
    let mut out = Vec::new();
    for tier in tiers {
        for mask in 0..(1usize << programmes.len()) {
            let mut t = tier.clone();
            for (k, p) in programmes.iter().enumerate() {
                let enrolled = mask & (1 << k) != 0;
                for (c, share) in t.shares.iter_mut().enumerate().take(conditions) {
                    *share *= match (p.targeted[c], enrolled) {
                        (true, true) => p.share,
                        (true, false) => 1.0 - p.share,
                        (false, true) => 0.0,
                        (false, false) => 1.0,
                    };
                }
                if enrolled {
                    t.name.push('+');
                    t.name.push_str(&p.name);
                    t.exacerbation_multiplier *= p.exacerbation_multiplier;
                    t.admit_multiplier *= p.admit_multiplier;
                    t.management_cost_per_year += p.cost_per_patient_year;
                }
            }
            if t.shares.iter().any(|&s| s > 0.0) {
                out.push(t);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programme(share: f64, targeted: Vec<bool>) -> Programme {
        Programme {
            name: "telehealth".into(),
            targeted,
            share,
            exacerbation_multiplier: 0.8,
            admit_multiplier: 0.9,
            cost_per_patient_year: 100.0,
        }
    }

    #[test]
    fn enrolment_splits_targeted_cohorts_only() {
        let tiers = vec![TierParams::neutral(2)];
        let p = programme(0.25, vec![true, false]);
        let out = enrol(&tiers, &[&p], 2);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].shares, vec![0.75, 1.0]);
        assert_eq!(out[1].shares, vec![0.25, 0.0]);
        assert_eq!(out[1].name, "all+telehealth");
        assert_eq!(out[1].exacerbation_multiplier, 0.8);
        assert_eq!(out[1].management_cost_per_year, 100.0);
        for c in 0..2 {
            let total: f64 = out.iter().map(|t| t.shares[c]).sum();
            assert!((total - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn two_programmes_make_four_tiers_with_product_shares() {
        let tiers = vec![TierParams::neutral(1)];
        let a = programme(0.5, vec![true]);
        let mut b = programme(0.2, vec![true]);
        b.name = "self_management".into();
        let out = enrol(&tiers, &[&a, &b], 1);
        let shares: Vec<f64> = out.iter().map(|t| t.shares[0]).collect();
        assert_eq!(shares, vec![0.4, 0.4, 0.1, 0.1]);
        assert_eq!(out[3].name, "all+telehealth+self_management");
        assert!((out[3].exacerbation_multiplier - 0.64).abs() < 1e-12);
    }

    #[test]
    fn neutral_programmes_are_recognised() {
        assert!(programme(0.0, vec![true]).is_neutral());
        assert!(programme(0.5, vec![false]).is_neutral());
        let mut p = programme(0.5, vec![true]);
        p.exacerbation_multiplier = 1.0;
        p.admit_multiplier = 1.0;
        p.cost_per_patient_year = 0.0;
        assert!(p.is_neutral());
    }

    #[test]
    fn converted_beds_buy_places_without_growing_the_budget() {
        let f = IntegratedFunding {
            beds_converted: 10,
            service: Some(0),
            los_factor: 1.0,
            max_delay_days: None,
            pool_budgets: true,
        };
        assert_eq!(f.places_bought(230.0, 120.0), 19); // 2,300 / 120 = 19.17
        assert!(f64::from(f.places_bought(230.0, 120.0)) * 120.0 <= 2300.0);
        assert_eq!(f.places_bought(200.0, 100.0), 20);
    }
}
