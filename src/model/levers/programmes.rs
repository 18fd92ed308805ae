//! `[policy.care_management]`, `[policy.self_management]`, `[policy.telehealth]`: enrolment
//! programmes. A share of the targeted cohorts is enrolled and has its exacerbation rate and
//! admission probability multiplied, at a cost per enrolled patient-year: every risk tier is
//! split by enrolment. Numbers only: no run-time rule.
//!
//! A programme with a [`Target`] (only `care_management`) enrols by recent use instead, as
//! patients qualify during the run, up to a caseload: that is a run-time rule, see
//! [`care_management`](super::care_management).

use super::{CareManagementRule, Lever, Target};
use crate::model::params::{Params, TierParams};

/// One enrolment programme, validated.
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
    /// Enrolment by recent use during the run, instead of a share at the start (`share`
    /// is then 0 and unused).
    pub target: Option<Target>,
    /// When the share's enrolees enrol (`None`: all at the start).
    pub uptake: Option<super::Uptake>,
}

impl Programme {
    /// True when enrolment changes nothing (nobody enrolled, or no effect and no cost). A
    /// targeted programme is neutral only when it targets no condition: its enrolment
    /// counts are results even without effect or cost.
    pub fn is_neutral(&self) -> bool {
        if self.target.is_some() {
            return !self.targeted.iter().any(|&t| t);
        }
        self.share == 0.0
            || !self.targeted.iter().any(|&t| t)
            || (self.exacerbation_multiplier == 1.0
                && self.admit_multiplier == 1.0
                && self.cost_per_patient_year == 0.0)
    }
}

/// Every programme of a scenario, in table order (`care_management`, `self_management`,
/// `telehealth`, those present).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Programmes(pub Vec<Programme>);

impl Lever for Programmes {
    /// Split the tiers by enrolment in the programmes that enrol a share and change
    /// anything; switch on the rule of a targeted programme.
    fn apply(&self, params: &mut Params) {
        for p in self.0.iter().filter(|p| !p.is_neutral()) {
            if let Some(target) = p.target {
                params.levers.care_management = Some(CareManagementRule {
                    targeted: p.targeted.clone(),
                    target,
                    exacerbation_multiplier: p.exacerbation_multiplier,
                    admit_multiplier: p.admit_multiplier,
                    cost_per_patient_year: p.cost_per_patient_year,
                    uptake: p.uptake,
                });
            }
        }
        let active: Vec<&Programme> = self
            .0
            .iter()
            .filter(|p| p.target.is_none() && !p.is_neutral())
            .collect();
        if !active.is_empty() {
            params.tiers = enrol(&params.tiers, &active, params.conditions.len());
            if active.iter().any(|p| p.uptake.is_some()) {
                params.levers.programme_uptake = active.iter().map(|p| p.uptake).collect();
            }
        }
        params
            .levers
            .applied
            .extend(self.0.iter().map(|p| p.name.clone()));
    }
}

/// Split every tier by enrolment in each programme: tier × {enrolled or not} for each
/// programme, with shares multiplied (enrolment is independent across programmes and of the
/// base tier), effects multiplied and costs added. Combinations nobody can be in are
/// dropped.
///
/// With an uptake curve on any programme, every combination is kept (an enrolee waits in the
/// tier without the programme until they enrol) and each tier records where it was split
/// from and its programmes ([`TierParams::enrolment`]).
fn enrol(tiers: &[TierParams], programmes: &[&Programme], conditions: usize) -> Vec<TierParams> {
    let ramped = programmes.iter().any(|p| p.uptake.is_some());
    let mut out = Vec::new();
    for (base, tier) in tiers.iter().enumerate() {
        for mask in 0..(1usize << programmes.len()) {
            let mut t = tier.clone();
            if ramped {
                t.enrolment = Some((base, mask as u32));
            }
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
            if ramped || t.shares.iter().any(|&s| s > 0.0) {
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
            target: None,
            uptake: None,
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
        p.target = Some(Target {
            admissions: 2,
            within_days: 395.0,
            caseload: 10,
            enrolment_days: None,
        });
        assert!(
            !p.is_neutral(),
            "a targeted programme counts its enrolments"
        );
        p.targeted = vec![false];
        assert!(p.is_neutral());
    }
}
