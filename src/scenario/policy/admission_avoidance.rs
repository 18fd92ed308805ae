//! `[policy.admission_avoidance]`: its table and checks, building
//! [`AdmissionAvoidance`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::AdmissionAvoidance;
use crate::scenario::checker::Checker;

/// `[policy.admission_avoidance]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAdmissionAvoidance {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Targeted conditions (default: all).
    pub conditions: Option<Vec<String>>,
    /// Share of admission requests offered to the step-up service, [0, 1] (required).
    #[schemars(extend("x-required" = true))]
    pub share: Option<f64>,
    /// Step-up community service (required).
    #[schemars(extend("x-required" = true))]
    pub service: Option<String>,
    /// How the share reaches its full value over time (see [`super::RawUptake`]); default:
    /// in full from the start.
    pub uptake: Option<super::RawUptake>,
}

impl PolicyTable for RawAdmissionAvoidance {
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        out.admission_avoidance = Some(AdmissionAvoidance {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &self.conditions,
                cx.conditions,
                true,
            ),
            share: ck.share(
                &format!("{base}.share"),
                self.share,
                "the share of admission requests offered step-up care",
            ),
            service: ck.service(&format!("{base}.service"), &self.service, cx.services),
            uptake: ck.uptake(&format!("{base}.uptake"), &self.uptake, cx.warmup_days),
        });
    }
}
