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
        #[derive(Clone, Debug, Default, Deserialize)]
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
) -> Policies {
    let mut out = Policies::default();
    if let Some(policy) = policy {
        let cx = Context {
            conditions,
            services,
            beds,
            long_stay,
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
