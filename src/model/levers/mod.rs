//! Policy levers, one module per lever: the validated lever (built by
//! `scenario::policy` from its `[policy.<lever>]` table), how it transforms the base
//! [`Params`] ([`Lever::apply`]), and, for a lever that needs the model's own mechanisms, its
//! run-time rule ([`Rule`]), which the patient-flow handlers consult at named hook points.
//!
//! Every lever is an exact no-op at its neutral settings (enrolled share 0, multipliers 1,
//! costs 0, nothing converted): the transformed parameters are then identical to the base,
//! so a neutral policy reproduces the base results bit for bit.
//!
//! # Registering a lever
//!
//! A new lever is two files, `scenario/policy/<lever>.rs` (its TOML table and checks) and
//! `model/levers/<lever>.rs` (this layer), each declared with a `pub mod` line in its
//! `mod.rs`, plus one line in each layer's list: `policy_tables!` in `scenario::policy` and
//! `levers!` below, which declares [`Policies`] (the validated levers, in the order they are
//! applied, which is the order of [`LeverParams::applied`]). A lever that needs the model's
//! own mechanisms also adds its rule to `lever_rules!` ([`LeverParams`], the rules in the
//! order their fields appear in `manifest.json`, so a new rule goes at the end); a lever that
//! only changes numbers (programmes, outreach) has no rule. A new *kind* of decision adds a
//! hook: a method of [`Rule`], its dispatch in `lever_rules!`, and the handler in
//! `model::sim` that carries it out.
//!
//! # Hook points
//!
//! The handlers of `model::sim` call these methods of [`LeverParams`], the struct of optional
//! rules; each asks every rule present, in `lever_rules!` order. A rule implements only the hooks it
//! uses: the others are the trait's no-op defaults, so they, and every rule that is `None`,
//! cost nothing in the event loop (static dispatch, no allocation). Hooks only read the
//! patient table and draw from the lever's own named stream; they return a decision, and
//! the handler carries it out.
//!
//! | hook point | called when | decision | first / combined |
//! |---|---|---|---|
//! | [`admission_request`](LeverParams::admission_request) | an exacerbation becomes an admission request | a community service to offer the patient a place in instead of a bed (taken if a place is free) | first `Some` |
//! | [`admitted`](LeverParams::admitted) | a patient is put in an acute bed, with the stay drawn | a shorter stay; the stay is marked for an early point | first `Some` |
//! | [`fit_for_discharge`](LeverParams::fit_for_discharge) | a marked stay reaches its early point (alive) | the service supporting the discharge and what to do when it is full | first `Some` |
//! | [`delay_started`](LeverParams::delay_started) | a medically fit patient starts waiting in their bed for a community place | a time limit, days | first `Some` |
//! | [`delay_limit_reached`](LeverParams::delay_limit_reached) | that limit is reached | an interim service to move the patient to (if it has a place), still waiting for the service they need | first `Some` |
//! | [`usual_route_eligible`](LeverParams::usual_route_eligible) | a stay marked for an early point has its usual discharge route drawn (at admission) | whether that route keeps the patient eligible | first `Some`, else true |
//! | [`supported_onward_odds_ratio`](LeverParams::supported_onward_odds_ratio) | an early supported discharge episode ends | the odds ratio on the usual route's onward destination | first `Some`, else 1 |
//! | [`post_discharge_factor`](LeverParams::post_discharge_factor) | the exacerbation rate is taken inside the post-discharge window (and its bound, each time a candidate event at home is drawn) | a multiplier on the post-discharge multiplier | product |
//! | [`admission_requested`](LeverParams::admission_requested) | an admission request is recorded (in the patient's history, when kept), after any step-up offer | whether the patient qualifies for enrolment (enrolled if the caseload has a place) | any |
//! | [`exacerbation_factor`](LeverParams::exacerbation_factor) | the exacerbation rate is taken at a time, or bounded over a spell at home | a multiplier on the exacerbation rate (its bound must not change during a spell at home) | product |
//! | [`admit_factor`](LeverParams::admit_factor) | an exacerbation is classified (admission request or urgent contact) | a multiplier on the admission probability | product |
//!
//! Each lever with a rule also defines what its mechanism counts (e.g.
//! [`EarlyDischargeCounts`]) and the metric names of those counts; [`LeverCounts`] gathers
//! them into the [`Tally`](super::Tally), and the handlers that carry a decision out count
//! it there.

pub mod admission_avoidance;
pub mod care_management;
pub mod early_discharge;
pub mod integrated_funding;
pub mod programmes;
pub mod specialist_outreach;
pub mod uptake;

use serde::{Deserialize, Serialize};

use super::event::PatientId;
use super::params::Params;
use super::patients::PatientTable;
use super::streams::Streams;
use crate::engine::Days;

pub use admission_avoidance::{AdmissionAvoidance, AvoidanceCounts, AvoidanceRule};
pub use care_management::{CareManagementCounts, CareManagementRule, FOLLOW_UP_DAYS, Target};
pub use early_discharge::{
    EarlyDischarge, EarlyDischargeCounts, EarlyDischargeRule, EarlyWhenFull, Shortening,
    apply_odds_ratio,
};
pub use integrated_funding::{
    BudgetController, CapacityMove, CapacityReview, CoordinationCounts, DischargeCoordination,
    IntegratedFunding,
};
pub use programmes::{Programme, Programmes};
pub use specialist_outreach::SpecialistOutreach;
pub use uptake::Uptake;

/// A validated lever: a transformation of the base parameters.
pub trait Lever {
    /// Transform `params` (the base, with the levers registered before this one applied)
    /// and record the lever's table name(s) in [`LeverParams::applied`].
    fn apply(&self, params: &mut Params);
}

/// A lever's run-time rule: its answers at the hook points (see the module docs). Every
/// hook defaults to "no decision".
pub trait Rule {
    /// Patient `p` of `condition` (index into [`Params::conditions`]) makes an admission
    /// request: a community service (index into [`Params::services`]) to offer step-up care
    /// in instead. The request is admitted as usual when that service has no free place.
    #[inline]
    fn admission_request(
        &self,
        _p: PatientId,
        _condition: usize,
        _now: Days,
        _patients: &PatientTable,
        _streams: &mut Streams,
    ) -> Option<usize> {
        None
    }

    /// A patient of `condition` is admitted with a stay of `los` days: a shorter stay, days,
    /// ending at an early point where [`fit_for_discharge`](Rule::fit_for_discharge) decides.
    #[inline]
    fn admitted(
        &self,
        _condition: usize,
        _los: Days,
        _now: Days,
        _streams: &mut Streams,
    ) -> Option<Days> {
        None
    }

    /// A stay shortened by [`admitted`](Rule::admitted) reaches its early point.
    #[inline]
    fn fit_for_discharge(&self) -> Option<SupportedDischarge> {
        None
    }

    /// A delayed discharge starts at `now` (days): the longest it may last, days.
    #[inline]
    fn delay_started(&self, _now: Days, _streams: &mut Streams) -> Option<Days> {
        None
    }

    /// A delayed discharge reached the limit of [`delay_started`](Rule::delay_started): the
    /// interim service (index into [`Params::services`]) the patient moves to, if it has a
    /// place, while still waiting for the service they need.
    #[inline]
    fn delay_limit_reached(&self) -> Option<usize> {
        None
    }

    /// A stay marked by [`admitted`](Rule::admitted) has its usual discharge route drawn
    /// (`None`: home; else a service index): whether that route makes the patient eligible.
    #[inline]
    fn usual_route_eligible(&self, _route: Option<usize>) -> Option<bool> {
        None
    }

    /// An early supported discharge episode ends: the odds ratio applied to the
    /// probability of the usual route's onward destination (e.g. a care home).
    #[inline]
    fn supported_onward_odds_ratio(&self) -> Option<f64> {
        None
    }

    /// Multiplier on patient `p`'s post-discharge exacerbation multiplier (≥ 1).
    #[inline]
    fn post_discharge_factor(&self, _p: PatientId, _patients: &PatientTable) -> f64 {
        1.0
    }

    /// Patient `p` of `condition` made an admission request at `now` (days), already in
    /// their history when the table keeps one: whether they qualify for enrolment.
    #[inline]
    fn admission_requested(
        &self,
        _p: PatientId,
        _condition: usize,
        _now: Days,
        _patients: &PatientTable,
    ) -> bool {
        false
    }

    /// Multiplier on patient `p`'s exacerbation rate at `now` (days); with `now` `None`, a
    /// bound on it over the patient's current spell at home, which must not change during
    /// that spell (thinning draws candidates at the bound).
    #[inline]
    fn exacerbation_factor(
        &self,
        _p: PatientId,
        _patients: &PatientTable,
        _now: Option<Days>,
    ) -> f64 {
        1.0
    }

    /// Multiplier on patient `p`'s probability that an exacerbation at `now` (days) is
    /// admitted.
    #[inline]
    fn admit_factor(&self, _p: PatientId, _patients: &PatientTable, _now: Days) -> f64 {
        1.0
    }
}

/// The decision at [`fit_for_discharge`](LeverParams::fit_for_discharge): discharge with a
/// place in `service`, or follow `when_full` when it has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedDischarge {
    /// Index into [`Params::services`] of the supporting service.
    pub service: usize,
    /// What happens when that service is full.
    pub when_full: EarlyWhenFull,
}

/// Declares [`Policies`] from the list of validated levers, in the order applied.
macro_rules! levers {
    ($($(#[$doc:meta])* $field:ident: $lever:ty,)*) => {
        /// Every lever of a scenario, validated (`None`: the scenario has no table for it).
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct Policies {
            $($(#[$doc])* pub $field: Option<$lever>,)*
        }

        impl Policies {
            /// Apply every lever present to `params` (the base), in a fixed order.
            pub fn apply(&self, params: &mut Params) {
                $(if let Some(lever) = &self.$field {
                    lever.apply(params);
                })*
            }
        }
    };
}

levers! {
    /// Pooled budget, converted beds, coordinated discharge.
    integrated_funding: IntegratedFunding,
    /// Care management, self-management, telehealth.
    programmes: Programmes,
    /// Specialist outreach.
    specialist_outreach: SpecialistOutreach,
    /// Step-up care instead of admission.
    admission_avoidance: AdmissionAvoidance,
    /// Early supported discharge.
    early_discharge: EarlyDischarge,
}

/// Declares [`LeverParams`], the struct of optional rules, and its hook points, from the
/// list of rules.
macro_rules! lever_rules {
    ($($(#[$doc:meta])* $field:ident: $rule:ty,)*) => {
        /// Lever mechanisms in the model itself: each lever's run-time rule (`None` when the
        /// lever is absent or neutral), and the numbers levers set for the tally. Recorded in
        /// `manifest.json` with its fields in this order.
        #[derive(Clone, Debug, Default, Serialize)]
        pub struct LeverParams {
            $($(#[$doc])* pub $field: Option<$rule>,)*
            /// Report every cost under one pooled payer.
            pub pooled_budget: bool,
            /// Fixed cost of specialist outreach sessions, per year (paid by the hospital).
            pub outreach_cost_per_year: f64,
            /// Names of the `[policy.*]` tables applied, in the order applied.
            pub applied: Vec<String>,
            /// The pooled budget's controller (integrated funding): a periodic review of
            /// capacity, not a hook point; `model::sim` runs it.
            pub budget_controller: Option<BudgetController>,
            /// Uptake curves of the enrolment programmes that split the tiers, by their bit
            /// in [`TierParams::enrolment`](super::params::TierParams::enrolment) (`None`:
            /// enrolled from the start); empty when no programme has a curve.
            #[serde(skip_serializing_if = "Vec::is_empty")]
            pub programme_uptake: Vec<Option<Uptake>>,
        }

        impl LeverParams {
            /// Hook point: see [`Rule::admission_request`]; the first rule's offer.
            #[inline]
            pub fn admission_request(
                &self,
                p: PatientId,
                condition: usize,
                now: Days,
                patients: &PatientTable,
                streams: &mut Streams,
            ) -> Option<usize> {
                $(if let Some(rule) = &self.$field
                    && let Some(service) = rule.admission_request(p, condition, now, patients, streams)
                {
                    return Some(service);
                })*
                None
            }

            /// Hook point: see [`Rule::admitted`]; the first rule's shorter stay, days.
            #[inline]
            pub fn admitted(
                &self,
                condition: usize,
                los: Days,
                now: Days,
                streams: &mut Streams,
            ) -> Option<Days> {
                $(if let Some(rule) = &self.$field
                    && let Some(early) = rule.admitted(condition, los, now, streams)
                {
                    return Some(early);
                })*
                None
            }

            /// Hook point: see [`Rule::fit_for_discharge`]; the first rule's decision.
            #[inline]
            pub fn fit_for_discharge(&self) -> Option<SupportedDischarge> {
                $(if let Some(rule) = &self.$field
                    && let Some(decision) = rule.fit_for_discharge()
                {
                    return Some(decision);
                })*
                None
            }

            /// Hook point: see [`Rule::delay_started`]; the first rule's limit, days.
            #[inline]
            pub fn delay_started(&self, now: Days, streams: &mut Streams) -> Option<Days> {
                $(if let Some(rule) = &self.$field
                    && let Some(limit) = rule.delay_started(now, streams)
                {
                    return Some(limit);
                })*
                None
            }

            /// Hook point: see [`Rule::delay_limit_reached`]; the first rule's interim service.
            #[inline]
            pub fn delay_limit_reached(&self) -> Option<usize> {
                $(if let Some(rule) = &self.$field
                    && let Some(service) = rule.delay_limit_reached()
                {
                    return Some(service);
                })*
                None
            }

            /// Hook point: see [`Rule::usual_route_eligible`]; the first rule's answer (true
            /// when no rule answers).
            #[inline]
            pub fn usual_route_eligible(&self, route: Option<usize>) -> bool {
                $(if let Some(rule) = &self.$field
                    && let Some(eligible) = rule.usual_route_eligible(route)
                {
                    return eligible;
                })*
                true
            }

            /// Hook point: see [`Rule::supported_onward_odds_ratio`]; the first rule's odds
            /// ratio (1 when no rule answers).
            #[inline]
            pub fn supported_onward_odds_ratio(&self) -> f64 {
                $(if let Some(rule) = &self.$field
                    && let Some(ratio) = rule.supported_onward_odds_ratio()
                {
                    return ratio;
                })*
                1.0
            }

            /// Hook point: see [`Rule::post_discharge_factor`]; the product over the rules.
            #[inline]
            pub fn post_discharge_factor(&self, p: PatientId, patients: &PatientTable) -> f64 {
                let mut factor = 1.0;
                $(if let Some(rule) = &self.$field {
                    factor *= rule.post_discharge_factor(p, patients);
                })*
                factor
            }

            /// Hook point: see [`Rule::admission_requested`]; whether any rule enrols.
            #[inline]
            pub fn admission_requested(
                &self,
                p: PatientId,
                condition: usize,
                now: Days,
                patients: &PatientTable,
            ) -> bool {
                $(if let Some(rule) = &self.$field
                    && rule.admission_requested(p, condition, now, patients)
                {
                    return true;
                })*
                false
            }

            /// Hook point: see [`Rule::exacerbation_factor`]; the product over the rules.
            #[inline]
            pub fn exacerbation_factor(
                &self,
                p: PatientId,
                patients: &PatientTable,
                now: Option<Days>,
            ) -> f64 {
                let mut factor = 1.0;
                $(if let Some(rule) = &self.$field {
                    factor *= rule.exacerbation_factor(p, patients, now);
                })*
                factor
            }

            /// Hook point: see [`Rule::admit_factor`]; the product over the rules.
            #[inline]
            pub fn admit_factor(&self, p: PatientId, patients: &PatientTable, now: Days) -> f64 {
                let mut factor = 1.0;
                $(if let Some(rule) = &self.$field {
                    factor *= rule.admit_factor(p, patients, now);
                })*
                factor
            }
        }
    };
}

lever_rules! {
    /// Early supported discharge.
    early_discharge: EarlyDischargeRule,
    /// Step-up care instead of admission.
    admission_avoidance: AvoidanceRule,
    /// Discharge coordination: a delayed discharge waits at most this long in its bed, then
    /// moves to the interim service while still waiting (`None` = waits as long as it
    /// takes).
    max_delay_days: DischargeCoordination,
    /// Targeted care management (enrolment by recent admissions, up to a caseload).
    /// Recorded only when present, so that manifests without it are unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    care_management: CareManagementRule,
}

/// What the levers' mechanisms count in one replication, one part per lever; each part's
/// keys are kept at the top level of the tally's JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeverCounts {
    /// Step-up care instead of admission.
    #[serde(flatten)]
    pub admission_avoidance: AvoidanceCounts,
    /// Early supported discharge.
    #[serde(flatten)]
    pub early_discharge: EarlyDischargeCounts,
    /// Discharge coordination (integrated funding).
    #[serde(flatten)]
    pub integrated_funding: CoordinationCounts,
    /// Targeted care management.
    #[serde(flatten)]
    pub care_management: CareManagementCounts,
}

impl LeverCounts {
    /// Call `f(name, value)` for each lever's counts, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        self.admission_avoidance.for_each_metric(f);
        self.early_discharge.for_each_metric(f);
        self.integrated_funding.for_each_metric(f);
        self.care_management.for_each_metric(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::streams::{Stream, StreamSeeds};

    #[test]
    fn without_rules_no_hook_decides_anything() {
        let levers = LeverParams::default();
        let mut patients = PatientTable::default();
        let p = patients.push(0, 1.0);
        let mut streams = Streams::new(&StreamSeeds([7; Stream::ALL.len()]));
        let before = streams.clone();
        assert_eq!(
            levers.admission_request(p, 0, 0.0, &patients, &mut streams),
            None
        );
        assert_eq!(levers.admitted(0, 5.0, 0.0, &mut streams), None);
        assert_eq!(levers.fit_for_discharge(), None);
        assert_eq!(levers.delay_started(0.0, &mut streams), None);
        assert_eq!(levers.delay_limit_reached(), None);
        assert!(levers.usual_route_eligible(Some(3)));
        assert_eq!(levers.supported_onward_odds_ratio(), 1.0);
        assert_eq!(levers.post_discharge_factor(p, &patients), 1.0);
        assert!(!levers.admission_requested(p, 0, 5.0, &patients));
        assert_eq!(levers.exacerbation_factor(p, &patients, None), 1.0);
        assert_eq!(levers.exacerbation_factor(p, &patients, Some(5.0)), 1.0);
        assert_eq!(levers.admit_factor(p, &patients, 5.0), 1.0);
        // No draw either: the streams of the other processes are untouched.
        assert_eq!(format!("{streams:?}"), format!("{before:?}"));
    }

    #[test]
    fn lever_params_keep_the_manifest_field_order() {
        let json = serde_json::to_string(&LeverParams::default()).unwrap();
        assert_eq!(
            json,
            r#"{"early_discharge":null,"admission_avoidance":null,"max_delay_days":null,"pooled_budget":false,"outreach_cost_per_year":0.0,"applied":[],"budget_controller":null}"#
        );
    }

    #[test]
    fn each_rule_answers_at_its_own_hook_points() {
        let mut patients = PatientTable::default();
        let p = patients.push(0, 1.0);
        let mut streams = Streams::new(&StreamSeeds([7; Stream::ALL.len()]));
        let levers = LeverParams {
            early_discharge: Some(EarlyDischargeRule {
                eligible_by_condition: vec![1.0],
                shortening: Shortening::Days(2.0),
                service: 1,
                when_full: EarlyWhenFull::Wait,
                unsupported_multiplier: 3.0,
                eligible_routes: vec![true, false],
                institutional_odds_ratio: 0.75,
                uptake: None,
            }),
            admission_avoidance: Some(AvoidanceRule {
                share_by_condition: vec![1.0],
                service: 0,
                uptake: None,
            }),
            max_delay_days: Some(DischargeCoordination {
                limit_days: 4.0,
                interim: 2,
                uptake: None,
            }),
            ..LeverParams::default()
        };
        assert_eq!(
            levers.admission_request(p, 0, 0.0, &patients, &mut streams),
            Some(0)
        );
        assert_eq!(levers.admitted(0, 5.0, 0.0, &mut streams), Some(3.0));
        assert_eq!(
            levers.fit_for_discharge(),
            Some(SupportedDischarge {
                service: 1,
                when_full: EarlyWhenFull::Wait
            })
        );
        assert_eq!(levers.delay_started(0.0, &mut streams), Some(4.0));
        // With an uptake curve, a delay is coordinated with probability its value: never
        // before a step, always after it, about half the time at a linear ramp's midpoint.
        let ramp = |uptake| LeverParams {
            max_delay_days: Some(DischargeCoordination {
                limit_days: 4.0,
                interim: 2,
                uptake: Some(uptake),
            }),
            ..LeverParams::default()
        };
        let step = ramp(Uptake::Step { day: 10.0 });
        assert_eq!(step.delay_started(9.9, &mut streams), None);
        assert_eq!(step.delay_started(10.0, &mut streams), Some(4.0));
        let linear = ramp(Uptake::Linear {
            start_day: 0.0,
            full_day: 100.0,
        });
        let coordinated = (0..10_000)
            .filter(|_| linear.delay_started(50.0, &mut streams).is_some())
            .count();
        assert!((4_800..=5_200).contains(&coordinated), "{coordinated}");
        assert_eq!(levers.delay_limit_reached(), Some(2));
        assert!(levers.usual_route_eligible(None));
        assert!(!levers.usual_route_eligible(Some(0)));
        assert_eq!(levers.supported_onward_odds_ratio(), 0.75);
        assert_eq!(levers.post_discharge_factor(p, &patients), 1.0);
        patients.cold_mut(p).flags |= crate::model::patients::FLAG_UNSUPPORTED;
        assert_eq!(levers.post_discharge_factor(p, &patients), 3.0);
    }
}
