//! `[policy.integrated_funding]`: its table and checks, building
//! [`IntegratedFunding`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::IntegratedFunding;
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS};

/// `[policy.integrated_funding]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIntegratedFunding {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Acute beds converted (default 0).
    pub beds_converted: Option<u32>,
    /// Community service that receives their cost as places.
    pub service: Option<String>,
    /// Multiplier on acute lengths of stay, (0, 1] (default 1).
    pub los_factor: Option<f64>,
    /// Longest delayed discharge before coordination sends the patient home, days (default:
    /// no limit).
    pub max_delay_days: Option<f64>,
    /// Report all costs as one pooled budget (default true).
    pub pool_budgets: Option<bool>,
}

impl PolicyTable for RawIntegratedFunding {
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        let beds = cx.beds;
        let beds_converted = self.beds_converted.unwrap_or(0);
        if beds_converted >= beds {
            ck.fail(
                &format!("{base}.beds_converted"),
                format!("must be less than acute.beds ({beds}), got {beds_converted}"),
            );
        }
        let service = match (&self.service, beds_converted) {
            (None, 0) => None,
            (name, _) => Some(ck.service(&format!("{base}.service"), name, cx.services)),
        };
        out.integrated_funding = Some(IntegratedFunding {
            beds_converted,
            service,
            los_factor: ck.factor(&format!("{base}.los_factor"), self.los_factor),
            max_delay_days: self.max_delay_days.map(|d| {
                ck.number(
                    &format!("{base}.max_delay_days"),
                    d,
                    "at least 0 and at most 36500 (days)",
                    |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
                )
            }),
            pool_budgets: self.pool_budgets.unwrap_or(true),
        });
    }
}
