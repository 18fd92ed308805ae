//! `[policy.early_discharge]`: its table and checks, building
//! [`EarlyDischarge`].

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::{EarlyDischarge, EarlyWhenFull, Shortening};
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS, MAX_MULTIPLIER};

/// `[policy.early_discharge]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEarlyDischarge {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Targeted conditions (required).
    #[schemars(extend("x-required" = true))]
    pub conditions: Option<Vec<String>>,
    /// Share of targeted admissions eligible, [0, 1] (required).
    #[schemars(extend("x-required" = true))]
    pub eligible: Option<f64>,
    /// Days earlier than the usual discharge. One of `days_shorter` and `los_factor` is
    /// required, not both.
    pub days_shorter: Option<f64>,
    /// Multiplier on the stay, (0, 1]. One of `days_shorter` and `los_factor` is required,
    /// not both.
    pub los_factor: Option<f64>,
    /// Supporting community service (required).
    #[schemars(extend("x-required" = true))]
    pub service: Option<String>,
    /// `wait` (default) or `discharge_unsupported`.
    pub when_full: Option<RawEarlyWhenFull>,
    /// Post-discharge risk multiplier after an unsupported discharge, ≥ 1 (default 1: the
    /// consequences of going without the team are the service's `unmet` table).
    pub unsupported_post_discharge_multiplier: Option<f64>,
    /// Usual discharge routes that keep a patient eligible: `"home"` and service names.
    /// Default: home and every service that is not a long-stay placement.
    pub eligible_routes: Option<Vec<String>>,
    /// Odds ratio on the usual route's onward destination (institutional care) at the end
    /// of a supported episode, > 0 (default 1; the ESD trials: 0.75).
    pub institutional_odds_ratio: Option<f64>,
    /// How the eligible share reaches its full value over time (see [`super::RawUptake`]);
    /// default: in full from the start.
    pub uptake: Option<super::RawUptake>,
}

/// `when_full` of `[policy.early_discharge]`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawEarlyWhenFull {
    /// Keep the bed until a place frees or the usual discharge date.
    Wait,
    /// Go home without support.
    DischargeUnsupported,
}

impl RawEarlyDischarge {
    /// `days_shorter` or `los_factor`: exactly one.
    fn shortening(&self, base: &str, ck: &mut Checker) -> Shortening {
        match (self.days_shorter, self.los_factor) {
            (Some(d), None) => Shortening::Days(ck.number(
                &format!("{base}.days_shorter"),
                d,
                "at least 0 and at most 36500 (days)",
                |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
            )),
            (None, Some(f)) => {
                Shortening::Factor(ck.factor(&format!("{base}.los_factor"), Some(f)))
            }
            (None, None) => {
                ck.fail(
                    &format!("{base}.days_shorter"),
                    "missing: how much shorter the stay is, as days_shorter or los_factor",
                );
                Shortening::Factor(1.0)
            }
            (Some(_), Some(_)) => {
                ck.fail(base, "give either days_shorter or los_factor, not both");
                Shortening::Factor(1.0)
            }
        }
    }
}

impl RawEarlyDischarge {
    /// `eligible_routes` as flags: index 0 home, 1 + k service k.
    fn eligible_routes(&self, base: &str, ck: &mut Checker, cx: &Context) -> Vec<bool> {
        let field = format!("{base}.eligible_routes");
        let mut out = vec![false; 1 + cx.services.len()];
        let Some(names) = &self.eligible_routes else {
            out[0] = true;
            for (&name, &k) in cx.services {
                out[1 + k] = !cx.long_stay.contains(&name);
            }
            return out;
        };
        if names.is_empty() {
            ck.fail(
                &field,
                "must name at least one route: \"home\" or a service",
            );
        }
        for name in names {
            if name == "home" {
                if cx.services.contains_key("home") {
                    ck.fail(
                        &field,
                        "`home` is ambiguous here: it means going home, and a service is also named `home`; rename the service",
                    );
                }
                out[0] = true;
            } else if let Some(&k) = cx.services.get(name.as_str()) {
                out[1 + k] = true;
            } else {
                let mut known: Vec<&str> = vec!["home"];
                known.extend(cx.services.keys().copied());
                ck.fail(
                    &field,
                    crate::scenario::checker::unknown("route", name, &known),
                );
            }
        }
        out
    }
}

impl PolicyTable for RawEarlyDischarge {
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        let shortening = self.shortening(&base, ck);
        out.early_discharge = Some(EarlyDischarge {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &self.conditions,
                cx.conditions,
                false,
            ),
            eligible: ck.share(
                &format!("{base}.eligible"),
                self.eligible,
                "the share of targeted admissions eligible",
            ),
            shortening,
            service: ck.service(&format!("{base}.service"), &self.service, cx.services),
            when_full: match self.when_full.unwrap_or(RawEarlyWhenFull::Wait) {
                RawEarlyWhenFull::Wait => EarlyWhenFull::Wait,
                RawEarlyWhenFull::DischargeUnsupported => EarlyWhenFull::DischargeUnsupported,
            },
            unsupported_multiplier: ck.number(
                &format!("{base}.unsupported_post_discharge_multiplier"),
                self.unsupported_post_discharge_multiplier.unwrap_or(1.0),
                "at least 1 and at most 1000",
                |x| (1.0..=MAX_MULTIPLIER).contains(&x),
            ),
            eligible_routes: self.eligible_routes(&base, ck, cx),
            institutional_odds_ratio: ck.number(
                &format!("{base}.institutional_odds_ratio"),
                self.institutional_odds_ratio.unwrap_or(1.0),
                "greater than 0 and at most 1000",
                |x| x > 0.0 && x <= MAX_MULTIPLIER,
            ),
            uptake: ck.uptake(&format!("{base}.uptake"), &self.uptake, cx.warmup_days),
        });
    }
}
