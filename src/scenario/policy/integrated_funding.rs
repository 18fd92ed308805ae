//! `[policy.integrated_funding]`: its table and checks, building
//! [`IntegratedFunding`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::{BudgetController, DischargeCoordination, IntegratedFunding, Uptake};
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS};

/// `[policy.integrated_funding]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIntegratedFunding {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Acute beds converted (default 0).
    pub beds_converted: Option<u32>,
    /// Community service that receives their cost as places; required with
    /// `beds_converted` above 0.
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
    /// The budget-holder's controller: `{ service = "social_care", every_days = 28,
    /// step_beds = 1, min_beds = 60, threshold = 1.0 }`. Default: none.
    pub controller: Option<RawController>,
    /// How the pooled budget is taken up over time (see [`super::RawUptake`]): converted
    /// beds close one by one, discharge to assess covers a growing share of delays, the
    /// controller starts at half. Default: everything from day 0.
    pub uptake: Option<super::RawUptake>,
}

/// `controller` of `[policy.integrated_funding]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawController {
    /// Required. The community service money moves to and from (a name).
    #[schemars(extend("x-required" = true))]
    pub service: Option<String>,
    /// Days between reviews (default 28).
    pub every_days: Option<f64>,
    /// Beds moved at a review (default 1).
    pub step_beds: Option<u32>,
    /// Fewest acute beds left (default half the beds after conversion).
    pub min_beds: Option<u32>,
    /// Mean number of patients waiting over a period that triggers a move (default 1).
    pub threshold: Option<f64>,
}

/// The controller of a pooled budget with `beds` acute beds after conversion.
fn controller(
    c: &RawController,
    field: &str,
    beds: u32,
    ck: &mut Checker,
    cx: &Context,
) -> BudgetController {
    let service = ck.service(&format!("{field}.service"), &c.service, cx.services);
    let step_beds = c.step_beds.unwrap_or(1);
    if step_beds == 0 || step_beds >= beds.max(1) {
        ck.fail(
            &format!("{field}.step_beds"),
            format!("must be at least 1 and below the acute beds ({beds}), got {step_beds}"),
        );
    }
    let min_beds = c.min_beds.unwrap_or(beds / 2).max(1);
    if min_beds > beds {
        ck.fail(
            &format!("{field}.min_beds"),
            format!("must be at most the acute beds after conversion ({beds}), got {min_beds}"),
        );
    }
    BudgetController {
        service,
        every_days: ck.number(
            &format!("{field}.every_days"),
            c.every_days.unwrap_or(28.0),
            "at least 1 and at most 36500 (days)",
            |x| (1.0..=MAX_HORIZON_DAYS).contains(&x),
        ),
        step_beds,
        min_beds,
        threshold: ck.number(
            &format!("{field}.threshold"),
            c.threshold.unwrap_or(1.0),
            "greater than 0 and at most 1000000 (patients)",
            |x| x > 0.0 && x <= 1e6,
        ),
        active_from: None,
    }
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
                    uptake: None,
                })
            }
        }
    }
}

impl RawIntegratedFunding {
    /// The uptake curve, refused with an assumed stay cut: `los_factor` is an assumption
    /// about every stay, not a mechanism with a take-up; a cut growing over the years is a
    /// trend (`trends.acute_los`).
    fn uptake(&self, base: &str, ck: &mut Checker, cx: &Context) -> Option<Uptake> {
        let field = format!("{base}.uptake");
        let uptake = ck.uptake(&field, &self.uptake, cx.warmup_days)?;
        if self.los_factor.is_some_and(|f| f != 1.0) {
            ck.fail(
                &field,
                "an assumed stay cut (los_factor) has no uptake curve: keep los_factor = 1 and ramp the cut with per-year multipliers in trends.acute_los",
            );
        }
        Some(uptake)
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
            controller: self.controller.as_ref().map(|c| {
                controller(
                    c,
                    &format!("{base}.controller"),
                    beds.saturating_sub(beds_converted),
                    ck,
                    cx,
                )
            }),
            pool_budgets: self.pool_budgets.unwrap_or(true),
            uptake: self.uptake(&base, ck, cx),
        });
    }
}
