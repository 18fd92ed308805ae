//! `[policy.specialist_outreach]`: specialists working in primary care. Outpatient referrals
//! (and, when outreach is bundled with other care, admissions) of the targeted conditions
//! fall, at a fixed cost per session. Numbers only: no run-time rule.

use super::Lever;
use crate::model::params::Params;

/// `[policy.specialist_outreach]`, validated.
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

impl Lever for SpecialistOutreach {
    /// Scale the targeted conditions' referrals and admission probabilities (capped at 1);
    /// add the sessions' yearly cost.
    fn apply(&self, params: &mut Params) {
        for (cond, _) in params
            .conditions
            .iter_mut()
            .zip(&self.targeted)
            .filter(|(_, t)| **t)
        {
            cond.outpatient_referrals_per_day *= self.referral_factor;
            cond.admit = (cond.admit * self.admit_multiplier).min(1.0);
        }
        params.levers.outreach_cost_per_year += self.sessions_per_year * self.cost_per_session;
        params.levers.applied.push("specialist_outreach".into());
    }
}
