//! `[policy.integrated_funding]`: its table and checks, building
//! [`IntegratedFunding`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::{DischargeCoordination, IntegratedFunding};
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
    /// Longest delayed discharge in the bed before coordination moves the patient to
    /// `interim_service`, days (default: no limit).
    pub max_delay_days: Option<f64>,
    /// The interim ("discharge to assess") service a patient moves to at the delay limit,
    /// still waiting for the service they need; required with `max_delay_days`.
    pub interim_service: Option<String>,
    /// Report all costs as one pooled budget (default true).
    pub pool_budgets: Option<bool>,
}

impl RawIntegratedFunding {
    /// `max_delay_days` with its `interim_service`: both or neither. A limit with nowhere
    /// to go would send patients home without the care they wait for.
    fn max_delay(
        &self,
        base: &str,
        ck: &mut Checker,
        cx: &Context,
    ) -> Option<DischargeCoordination> {
        match (self.max_delay_days, &self.interim_service) {
            (None, None) => None,
            (None, Some(_)) => {
                ck.fail(
                    &format!("{base}.interim_service"),
                    "needs max_delay_days: the days a delayed discharge keeps its bed before moving to the interim service",
                );
                None
            }
            (Some(d), interim) => {
                let field = format!("{base}.interim_service");
                if interim.is_none() {
                    ck.fail(
                        &field,
                        "missing: max_delay_days needs a named, costed interim service (discharge to assess) to receive patients at the limit, e.g. interim_service = \"discharge_to_assess\"; a limit with nowhere to go would drop their need",
                    );
                    return None;
                }
                let limit_days = ck.number(
                    &format!("{base}.max_delay_days"),
                    d,
                    "at least 0 and at most 36500 (days)",
                    |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
                );
                let interim = ck.service(&field, interim, cx.services);
                Some(DischargeCoordination {
                    limit_days,
                    interim,
                })
            }
        }
    }
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
            max_delay: self.max_delay(&base, ck, cx),
            pool_budgets: self.pool_budgets.unwrap_or(true),
        });
    }
}
