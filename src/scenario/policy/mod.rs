//! The `[policy.*]` tables, one module per lever: its TOML table (a `Raw*` struct denying
//! unknown keys) and its checks, which build the validated lever of
//! [`crate::model::levers`]. This module holds what the levers' checks share (targeted
//! conditions, a named service, shares, factors) and the list of tables.
//!
//! # Registering a lever
//!
//! One line in the `policy_tables!` list below: the key under `[policy]`, and the table's
//! type. The list declares [`RawPolicy`] (so the key is known to the parser) and checks the
//! tables in its order, which is the order of the problems reported.
//!
//! Every table also has the key `evidence` (a field `evidence:`
//! [`evidence::RawEvidenceTable`] in its `Raw*` struct), checked here for all levers alike
//! by `evidence()`; a lever's own checks ignore it.

pub mod admission_avoidance;
pub mod early_discharge;
pub mod evidence;
pub mod integrated_funding;
pub mod programmes;
pub mod specialist_outreach;

use std::collections::BTreeMap;

use serde::Deserialize;

use super::checker::{Checker, unknown};
use crate::model::Policies;
use crate::model::levers::Uptake;

/// What a lever's checks may look names up in.
struct Context<'a> {
    /// Condition names, in [`Params::conditions`](crate::model::Params::conditions) order.
    conditions: &'a [&'a str],
    /// Community services by name, with their index.
    services: &'a BTreeMap<&'a str, usize>,
    /// Acute beds of the base scenario.
    beds: u32,
    /// Names of the long-stay services (care homes).
    long_stay: &'a [&'a str],
    /// Days of warm-up: uptake days count from its end.
    warmup_days: f64,
}

/// A `[policy.<name>]` table.
trait PolicyTable {
    /// Check the table (found at key `policy.<name>`), reporting through `ck`, and put the
    /// lever it builds into `out`.
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies);
}

/// Declares [`RawPolicy`] and the loop over its tables from the list of tables.
macro_rules! policy_tables {
    ($($(#[$doc:meta])* $name:ident: $table:ty,)*) => {
        /// `[policy.*]`: one table per lever (PRODUCT.md "Policy levers").
        #[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct RawPolicy {
            $($(#[$doc])* pub $name: Option<$table>,)*
        }

        impl RawPolicy {
            /// Check every table present, in the list's order.
            fn check_each(&self, ck: &mut Checker, cx: &Context, out: &mut Policies) {
                $(if let Some(table) = &self.$name {
                    table.check(stringify!($name), ck, cx, out);
                })*
            }

            /// The `evidence` of every table present, by table name, in the list's order.
            fn evidence_each(&self) -> Vec<(&'static str, &evidence::RawEvidenceTable)> {
                let mut out = Vec::new();
                $(if let Some(table) = &self.$name {
                    out.push((stringify!($name), &table.evidence));
                })*
                out
            }
        }
    };
}

policy_tables! {
    /// Early supported discharge.
    early_discharge: early_discharge::RawEarlyDischarge,
    /// Pooled budget, beds converted into community capacity, coordinated discharge.
    integrated_funding: integrated_funding::RawIntegratedFunding,
    /// Case management of enrolled patients.
    care_management: programmes::RawProgramme,
    /// Supported self-management.
    self_management: programmes::RawProgramme,
    /// Remote monitoring.
    telehealth: programmes::RawProgramme,
    /// Step-up community care instead of admission.
    admission_avoidance: admission_avoidance::RawAdmissionAvoidance,
    /// Specialists working in primary care.
    specialist_outreach: specialist_outreach::RawSpecialistOutreach,
}

/// Check every `[policy.*]` table of `policy` against the scenario's `conditions` (in
/// order), `services` (by name, with their index; `long_stay` names the care homes) and
/// acute `beds`.
pub(super) fn check(
    ck: &mut Checker,
    policy: &Option<RawPolicy>,
    conditions: &[&str],
    services: &BTreeMap<&str, usize>,
    long_stay: &[&str],
    beds: u32,
    warmup_days: f64,
) -> Policies {
    let mut out = Policies::default();
    if let Some(policy) = policy {
        let cx = Context {
            conditions,
            services,
            beds,
            long_stay,
            warmup_days,
        };
        policy.check_each(ck, &cx, &mut out);
    }
    out
}

/// Check the `evidence` of every `[policy.*]` table of `policy`: the graded settings of
/// the levers, in the tables' order and then key order. `uncertain` are the scenario's
/// uncertain parameters.
pub(super) fn evidence(
    ck: &mut Checker,
    policy: &Option<RawPolicy>,
    uncertain: &[super::Uncertain],
) -> Vec<evidence::EffectEvidence> {
    let mut out = Vec::new();
    if let Some(policy) = policy {
        for (lever, table) in policy.evidence_each() {
            evidence::check(ck, lever, table, uncertain, &mut out);
        }
    }
    out
}

/// `uptake = { form = "linear", start_day = 0, full_day = 730 }`: how a lever reaches its
/// full effect, in days from the end of the warm-up (the first observed day is 0; before
/// the curve starts the lever has no effect). `form = "step"` takes `day`; `"linear"` takes
/// `start_day` and `full_day` (after it); `"logistic"` takes `midpoint_day` (half the
/// effect) and `scale_days` (> 0).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUptake {
    /// `"step"`, `"linear"` or `"logistic"` (required).
    #[schemars(extend("x-required" = true, "enum" = ["step", "linear", "logistic"]))]
    pub form: Option<String>,
    /// Required with `form = "step"`: the day the lever takes full effect, days from the
    /// end of the warm-up.
    pub day: Option<f64>,
    /// Required with `form = "linear"`: the day uptake starts, days from the end of the
    /// warm-up.
    pub start_day: Option<f64>,
    /// Required with `form = "linear"`: the day uptake is complete, days from the end of
    /// the warm-up (after `start_day`).
    pub full_day: Option<f64>,
    /// Required with `form = "logistic"`: the day half the effect is reached, days from
    /// the end of the warm-up.
    pub midpoint_day: Option<f64>,
    /// Required with `form = "logistic"`: the days over which the odds of uptake grow by a
    /// factor e, > 0.
    pub scale_days: Option<f64>,
}

impl Checker<'_> {
    /// An uptake curve at `field`, in absolute days (`None` when absent or wrong).
    fn uptake(&mut self, field: &str, raw: &Option<RawUptake>, warmup: f64) -> Option<Uptake> {
        let raw = raw.as_ref()?;
        let day = |ck: &mut Self, key: &str, v: Option<f64>| -> f64 {
            let f = format!("{field}.{key}");
            let v = ck
                .required(&f, &v, "a day, counted from the end of the warm-up")
                .unwrap_or(0.0);
            ck.number(
                &f,
                v,
                "a day from the end of the warm-up, at most 36,500",
                |x| x >= -warmup && x <= 36_500.0,
            ) + warmup
        };
        let given: Vec<&str> = [
            ("day", raw.day.is_some()),
            ("start_day", raw.start_day.is_some()),
            ("full_day", raw.full_day.is_some()),
            ("midpoint_day", raw.midpoint_day.is_some()),
            ("scale_days", raw.scale_days.is_some()),
        ]
        .iter()
        .filter(|(_, g)| *g)
        .map(|(k, _)| *k)
        .collect();
        let allowed: &[&str] = match raw.form.as_deref() {
            Some("step") => &["day"],
            Some("linear") => &["start_day", "full_day"],
            Some("logistic") => &["midpoint_day", "scale_days"],
            other => {
                self.fail(
                    &format!("{field}.form"),
                    format!(
                        "one of \"step\", \"linear\", \"logistic\", got {}",
                        other.map_or("nothing".to_string(), |f| format!("{f:?}"))
                    ),
                );
                return None;
            }
        };
        for key in given.iter().filter(|k| !allowed.contains(k)) {
            self.fail(
                &format!("{field}.{key}"),
                format!(
                    "not a setting of a {} uptake, which takes {}",
                    raw.form.as_deref().unwrap_or_default(),
                    allowed.join(" and ")
                ),
            );
        }
        Some(match raw.form.as_deref() {
            Some("step") => Uptake::Step {
                day: day(self, "day", raw.day),
            },
            Some("linear") => {
                let start_day = day(self, "start_day", raw.start_day);
                let full_day = day(self, "full_day", raw.full_day);
                if full_day <= start_day {
                    self.fail(
                        &format!("{field}.full_day"),
                        format!(
                            "must be after start_day ({}), got {}",
                            start_day - warmup,
                            full_day - warmup
                        ),
                    );
                }
                Uptake::Linear {
                    start_day,
                    full_day,
                }
            }
            _ => {
                let midpoint_day = day(self, "midpoint_day", raw.midpoint_day);
                let f = format!("{field}.scale_days");
                let scale = self
                    .required(
                        &f,
                        &raw.scale_days,
                        "days for the odds of uptake to grow e-fold",
                    )
                    .unwrap_or(1.0);
                let scale_days = self.number(&f, scale, "above 0 and at most 36,500 days", |x| {
                    x > 0.0 && x <= 36_500.0
                });
                Uptake::Logistic {
                    midpoint_day,
                    scale_days,
                }
            }
        })
    }
}

impl Checker<'_> {
    /// A list of condition names → one flag per condition (all when `list` is absent and
    /// `default_all`).
    fn targeted(
        &mut self,
        field: &str,
        list: &Option<Vec<String>>,
        conditions: &[&str],
        default_all: bool,
    ) -> Vec<bool> {
        match list {
            None => {
                if !default_all {
                    self.fail(field, "missing: the targeted conditions, e.g. [\"stroke\"]");
                }
                vec![default_all; conditions.len()]
            }
            Some(names) => {
                if names.is_empty() {
                    self.fail(field, "must name at least one condition");
                }
                let mut out = vec![false; conditions.len()];
                for n in names {
                    match conditions.iter().position(|c| c == n) {
                        Some(i) => out[i] = true,
                        None => self.fail(field, unknown("condition", n, conditions)),
                    }
                }
                out
            }
        }
    }

    /// A required share in [0, 1]; `what` says what it is when missing.
    fn share(&mut self, field: &str, v: Option<f64>, what: &str) -> f64 {
        let v = self.required(field, &v, what).unwrap_or(0.0);
        self.number(field, v, "a share in [0, 1]", |x| (0.0..=1.0).contains(&x))
    }

    /// An optional factor in (0, 1], default 1.
    fn factor(&mut self, field: &str, v: Option<f64>) -> f64 {
        self.number(field, v.unwrap_or(1.0), "a factor in (0, 1]", |x| {
            x > 0.0 && x <= 1.0
        })
    }
}
