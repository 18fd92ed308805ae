//! `[policy.specialist_outreach]`: its table and checks, building
//! [`SpecialistOutreach`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::SpecialistOutreach;
use crate::scenario::checker::Checker;

/// `[policy.specialist_outreach]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpecialistOutreach {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Targeted conditions (default: all).
    pub conditions: Option<Vec<String>>,
    /// Multiplier on outpatient referrals, [0, 1] (required).
    #[schemars(extend("x-required" = true))]
    pub referral_factor: Option<f64>,
    /// Multiplier on the admission probability (default 1), ≥ 0.
    pub admit_multiplier: Option<f64>,
    /// Outreach sessions per year (default 0).
    pub sessions_per_year: Option<f64>,
    /// £ per outreach session (default 0), ≥ 0.
    pub cost_per_session: Option<f64>,
    /// Not supported: refused with the reason (outreach acts from the start).
    pub uptake: Option<super::RawUptake>,
}

impl PolicyTable for RawSpecialistOutreach {
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        if self.uptake.is_some() {
            ck.fail(
                &format!("{base}.uptake"),
                "specialist outreach has no uptake curve: it changes the outpatient referral rates, which are drawn as counts over each year at home, so it acts from the start; to phase it in, compare arms with and without it by year (by_year_differences.csv)",
            );
        }
        let factor = ck
            .required(
                &format!("{base}.referral_factor"),
                &self.referral_factor,
                "the multiplier on outpatient referrals, e.g. 0.2",
            )
            .unwrap_or(1.0);
        out.specialist_outreach = Some(SpecialistOutreach {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &self.conditions,
                cx.conditions,
                true,
            ),
            referral_factor: ck.number(
                &format!("{base}.referral_factor"),
                factor,
                "a factor in [0, 1]",
                |x| (0.0..=1.0).contains(&x),
            ),
            admit_multiplier: ck.non_negative(
                &format!("{base}.admit_multiplier"),
                self.admit_multiplier,
                1.0,
            ),
            sessions_per_year: ck.number(
                &format!("{base}.sessions_per_year"),
                self.sessions_per_year.unwrap_or(0.0),
                "at least 0 and at most 1,000,000",
                |x| (0.0..=1e6).contains(&x),
            ),
            cost_per_session: ck.cost(&format!("{base}.cost_per_session"), self.cost_per_session),
        });
    }
}
