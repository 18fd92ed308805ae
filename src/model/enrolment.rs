//! The handler side of targeted care management (`[policy.care_management]` with a
//! `target`; the rule is in [`levers::care_management`](super::levers::care_management)):
//! at each admission request, the follow-up counts and the qualification (hook point
//! `admission_requested`), enrolment while the caseload has a place, and the place freed at
//! the end of the enrolment or at death.
//!
//! Nothing here draws a random number, and the rates of a patient change only through the
//! rule's factors, which the handlers read: with multipliers 1 the lever changes no other
//! result.

use super::event::{Event, EventKind, PatientId};
use super::levers::FOLLOW_UP_DAYS;
use super::world::World;
use crate::engine::{Days, EventQueue};

impl World<'_> {
    /// `p` of `condition` made an admission request at `now`, already recorded in their
    /// history: count it in a running follow-up, close an ended enrolment's record, and
    /// enrol the patient if they qualify and the caseload has a place.
    pub(super) fn on_admission_requested(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        condition: usize,
        now: Days,
    ) {
        let Some(rule) = &self.params.levers.care_management else {
            return;
        };
        let stats_from = self.stats_from;
        let counts = &mut self.tally.levers.care_management;
        let h = self.patients.history_mut(p);
        if h.followed_from >= stats_from
            && now > h.followed_from
            && now - h.followed_from <= FOLLOW_UP_DAYS
        {
            counts.enrolled_admissions_after_365d += 1;
        }
        if h.record_open() && now > h.enrolled_until {
            // The enrolment ended (its place freed then): the patient's rate bound at home
            // no longer needs to allow for it.
            h.enrolled_until = f64::NEG_INFINITY;
        }
        // Hook point `admission_requested`: does the patient qualify?
        if !self
            .params
            .levers
            .admission_requested(p, condition, now, &self.patients)
        {
            return;
        }
        if self.enrolled.level() >= rule.caseload_at(now) {
            self.tally.levers.care_management.enrolment_no_place += 1;
            return;
        }
        let weight = self.weight(now);
        self.enrolled.add_at(now, weight, 1.0);
        let until = rule
            .target
            .enrolment_days
            .map_or(f64::INFINITY, |d| now + d);
        let horizon = self.params.horizon_days;
        let counts = &mut self.tally.levers.care_management;
        counts.enrolled_patients += 1;
        let h = self.patients.history_mut(p);
        h.enrolled_until = until;
        // Followed up when both windows fit in the run and no follow-up is running.
        if now >= FOLLOW_UP_DAYS
            && now + FOLLOW_UP_DAYS <= horizon
            && now >= stats_from
            && now - h.followed_from > FOLLOW_UP_DAYS
        {
            h.followed_from = now;
            counts.enrolled_followed_up += 1;
            counts.enrolled_admissions_before_365d +=
                u64::from(h.count_within(now, FOLLOW_UP_DAYS));
        }
        if until.is_finite() {
            q.push(until, self.person_event(EventKind::EnrolmentEnd, p));
        }
    }

    /// An enrolment reaches its end at `now`: its place frees (stale when the patient died
    /// or was enrolled again meanwhile).
    pub(super) fn on_enrolment_end(&mut self, p: PatientId, now: Days) {
        if self.patients.history(p).enrolled_until == now {
            let weight = self.weight(now);
            self.enrolled.add_at(now, weight, -1.0);
        }
    }

    /// `p` died at `now`: an enrolment ends and its place frees.
    pub(super) fn end_enrolment_at_death(&mut self, p: PatientId, now: Days) {
        let h = self.patients.history_mut(p);
        if h.enrolled(now) {
            h.enrolled_until = f64::NEG_INFINITY;
            let weight = self.weight(now);
            self.enrolled.add_at(now, weight, -1.0);
        }
    }
}
