//! `[policy.care_management]`, `[policy.self_management]`, `[policy.telehealth]`: their
//! table and checks, each building a [`Programme`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::{Programme, Programmes};
use crate::scenario::checker::Checker;

/// `[policy.care_management]`, `[policy.self_management]`, `[policy.telehealth]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgramme {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Targeted conditions (default: all).
    pub conditions: Option<Vec<String>>,
    /// Share of each targeted cohort enrolled, [0, 1] (required).
    pub share: Option<f64>,
    /// Multiplier on the exacerbation rate of the enrolled (default 1).
    pub exacerbation_multiplier: Option<f64>,
    /// Multiplier on their admission probability (default 1).
    pub admit_multiplier: Option<f64>,
    /// Cost per enrolled patient-year (default 0).
    pub cost_per_patient_year: Option<f64>,
}

impl PolicyTable for RawProgramme {
    /// Adds the programme after those of the tables checked before it.
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        let programme = Programme {
            name: name.to_string(),
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &self.conditions,
                cx.conditions,
                true,
            ),
            share: ck.share(
                &format!("{base}.share"),
                self.share,
                "the share of each targeted cohort enrolled",
            ),
            exacerbation_multiplier: ck.non_negative(
                &format!("{base}.exacerbation_multiplier"),
                self.exacerbation_multiplier,
                1.0,
            ),
            admit_multiplier: ck.non_negative(
                &format!("{base}.admit_multiplier"),
                self.admit_multiplier,
                1.0,
            ),
            cost_per_patient_year: ck.cost(
                &format!("{base}.cost_per_patient_year"),
                self.cost_per_patient_year,
            ),
        };
        out.programmes
            .get_or_insert_with(Programmes::default)
            .0
            .push(programme);
    }
}
