//! `[policy.care_management]` with a `target`: targeted case management, as Evercare and
//! the community matrons did it. Patients of the targeted conditions qualify during the run,
//! at the admission request that makes their recent use reach the target (at least
//! `admissions` emergency admission requests within the last `within_days` days, the
//! request itself included); a qualifying patient is enrolled if the caseload has a free
//! place (first come, first served; no waiting list), and stays enrolled for
//! `enrolment_days` (or until death), when the place frees. While enrolled, their
//! exacerbation rate and admission probability are multiplied, at a cost per enrolled
//! patient-day.
//!
//! Enrolment draws no random numbers: with multipliers 1 every other process sees exactly
//! the same numbers as without the lever (common random numbers), so a paired comparison
//! shows exactly zero effect on admissions and bed-days, while the enrolled group's own
//! admissions fall after enrolment (regression to the mean: they were selected on a run of
//! admissions, partly chance and partly frailty). The metrics count both.
//!
//! Hook points: [`admission_requested`](Rule::admission_requested) (qualification),
//! [`exacerbation_factor`](Rule::exacerbation_factor) and
//! [`admit_factor`](Rule::admit_factor) (the effects while enrolled). The handler
//! (`model::enrolment`) keeps the caseload and the counts.

use serde::{Deserialize, Serialize};

use super::{Rule, Uptake};
use crate::engine::Days;
use crate::model::event::PatientId;
use crate::model::patients::PatientTable;

/// Length of the windows before and after enrolment in which the regression-to-the-mean
/// metrics count an enrolled patient's admission requests, days.
pub const FOLLOW_UP_DAYS: Days = 365.0;

/// Who qualifies for targeted care management, validated.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Target {
    /// Admission requests within the window that qualify (the request itself included),
    /// 1 ..= [`HISTORY_LEN`](crate::model::patients::HISTORY_LEN).
    pub admissions: u32,
    /// The window, days.
    pub within_days: Days,
    /// Places on the caseload (patients enrolled at once).
    pub caseload: u32,
    /// How long a patient stays enrolled, days (`None`: until death).
    pub enrolment_days: Option<Days>,
}

/// Targeted care management as the model runs it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CareManagementRule {
    /// Whether each condition (in [`Params::conditions`](crate::model::Params::conditions)
    /// order) is targeted.
    pub targeted: Vec<bool>,
    /// Who qualifies, the caseload and the length of enrolment.
    pub target: Target,
    /// Multiplier on the exacerbation rate while enrolled.
    pub exacerbation_multiplier: f64,
    /// Multiplier on the probability that an exacerbation is admitted, while enrolled.
    pub admit_multiplier: f64,
    /// Cost per enrolled patient-year (charged per enrolled patient-day).
    pub cost_per_patient_year: f64,
    /// How the caseload is recruited (`None`: in full from day 0): the places in force at
    /// t are the caseload × the curve's value, rounded to the nearest place. Patients
    /// already enrolled keep their places; no random number is drawn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptake: Option<Uptake>,
}

impl CareManagementRule {
    /// Places on the caseload in force at `now` (days).
    #[inline]
    pub fn caseload_at(&self, now: Days) -> f64 {
        let full = f64::from(self.target.caseload);
        match self.uptake {
            None => full,
            Some(u) => (full * u.at(now)).round(),
        }
    }
}

impl Rule for CareManagementRule {
    /// A patient of a targeted condition, not enrolled, whose admission requests within the
    /// window (this one included, already in their history) reach the target.
    #[inline]
    fn admission_requested(
        &self,
        p: PatientId,
        condition: usize,
        now: Days,
        patients: &PatientTable,
    ) -> bool {
        if !self.targeted[condition] {
            return false;
        }
        let h = patients.history(p);
        !h.enrolled(now) && h.count_within(now, self.target.within_days) >= self.target.admissions
    }

    /// The multiplier while enrolled at `now`; its bound over a spell at home (`None`) is
    /// max(1, multiplier) for a patient with an open enrolment record (enrolled at their
    /// last admission request or since), which stays valid when the enrolment ends at home.
    #[inline]
    fn exacerbation_factor(&self, p: PatientId, patients: &PatientTable, now: Option<Days>) -> f64 {
        let m = self.exacerbation_multiplier;
        if m == 1.0 {
            return 1.0;
        }
        let h = patients.history(p);
        match now {
            Some(t) if h.enrolled(t) => m,
            None if h.record_open() => m.max(1.0),
            _ => 1.0,
        }
    }

    /// The multiplier while enrolled at `now`.
    #[inline]
    fn admit_factor(&self, p: PatientId, patients: &PatientTable, now: Days) -> f64 {
        let m = self.admit_multiplier;
        if m != 1.0 && patients.history(p).enrolled(now) {
            m
        } else {
            1.0
        }
    }
}

/// What targeted care management counts in one replication (after warm-up).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CareManagementCounts {
    /// Patients enrolled.
    pub enrolled_patients: u64,
    /// Qualifying patients not enrolled because the caseload was full.
    pub enrolment_no_place: u64,
    /// Patient-days enrolled.
    pub enrolled_days: f64,
    /// Enrolments followed up: those whose windows of [`FOLLOW_UP_DAYS`] before and after
    /// enrolment both lie within the run (the enrolment after warm-up), and that start no
    /// sooner than [`FOLLOW_UP_DAYS`] after the patient's last followed-up enrolment.
    pub enrolled_followed_up: u64,
    /// Admission requests of the followed-up enrolments in the [`FOLLOW_UP_DAYS`] up to
    /// and including the qualifying one (at most
    /// [`HISTORY_LEN`](crate::model::patients::HISTORY_LEN) each).
    pub enrolled_admissions_before_365d: u64,
    /// Their admission requests in the [`FOLLOW_UP_DAYS`] after enrolment (enrolled or
    /// not by then).
    pub enrolled_admissions_after_365d: u64,
}

impl CareManagementCounts {
    /// Call `f(name, value)` for each count, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        f("enrolled_patients", self.enrolled_patients as f64);
        f("enrolment_no_place", self.enrolment_no_place as f64);
        f("enrolled_days", self.enrolled_days);
        f("enrolled_followed_up", self.enrolled_followed_up as f64);
        f(
            "enrolled_admissions_before_365d",
            self.enrolled_admissions_before_365d as f64,
        );
        f(
            "enrolled_admissions_after_365d",
            self.enrolled_admissions_after_365d as f64,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(exacerbation_multiplier: f64) -> CareManagementRule {
        CareManagementRule {
            targeted: vec![true, false],
            target: Target {
                admissions: 2,
                within_days: 395.0,
                caseload: 1,
                enrolment_days: Some(365.0),
            },
            exacerbation_multiplier,
            admit_multiplier: 0.5,
            cost_per_patient_year: 650.0,
            uptake: None,
        }
    }

    #[test]
    fn qualification_needs_the_target_within_the_window() {
        let r = rule(1.0);
        let mut t = PatientTable::default();
        t.keep_history(true);
        t.reset(2);
        let p = t.push(0, 1.0);
        t.history_mut(p).record(10.0);
        assert!(!r.admission_requested(p, 0, 10.0, &t), "one admission");
        t.history_mut(p).record(500.0);
        assert!(!r.admission_requested(p, 0, 500.0, &t), "490 days apart");
        t.history_mut(p).record(800.0);
        assert!(r.admission_requested(p, 0, 800.0, &t), "300 days apart");
        assert!(
            !r.admission_requested(p, 1, 800.0, &t),
            "condition not targeted"
        );
        t.history_mut(p).enrolled_until = 900.0;
        assert!(!r.admission_requested(p, 0, 850.0, &t), "already enrolled");
    }

    #[test]
    fn effects_apply_while_enrolled_and_bounds_hold_after() {
        let mut t = PatientTable::default();
        t.keep_history(true);
        t.reset(1);
        let p = t.push(0, 1.0);
        for m in [0.5, 2.0] {
            let r = rule(m);
            t.history_mut(p).enrolled_until = f64::NEG_INFINITY;
            assert_eq!(r.exacerbation_factor(p, &t, Some(5.0)), 1.0);
            assert_eq!(r.exacerbation_factor(p, &t, None), 1.0);
            t.history_mut(p).enrolled_until = 100.0;
            assert_eq!(r.exacerbation_factor(p, &t, Some(50.0)), m);
            assert_eq!(r.exacerbation_factor(p, &t, Some(150.0)), 1.0);
            assert_eq!(r.admit_factor(p, &t, 50.0), 0.5);
            assert_eq!(r.admit_factor(p, &t, 150.0), 1.0);
            let bound = r.exacerbation_factor(p, &t, None);
            assert!(bound >= m && bound >= 1.0);
        }
    }
}
