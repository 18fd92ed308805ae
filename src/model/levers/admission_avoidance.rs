//! `[policy.admission_avoidance]`: step-up community care instead of admission. A share of
//! the targeted conditions' admission requests, from patients at home, is offered a place in
//! a step-up service; a free place takes the patient instead of an acute bed.
//!
//! Hook point: [`admission_request`](Rule::admission_request) (one draw from the `avoidance`
//! stream per offer).

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::{Lever, Rule};
use crate::engine::Days;
use crate::model::event::PatientId;
use crate::model::params::Params;
use crate::model::patients::{CareState, PatientTable};
use crate::model::streams::Streams;

/// `[policy.admission_avoidance]`, validated: see [`AvoidanceRule`].
#[derive(Clone, Debug, PartialEq)]
pub struct AdmissionAvoidance {
    /// Whether each condition is targeted.
    pub targeted: Vec<bool>,
    /// Share of targeted admission requests offered to the step-up service.
    pub share: f64,
    /// Step-up service (index).
    pub service: usize,
    /// How the share reaches its full value over time (`None`: from the start).
    pub uptake: Option<super::Uptake>,
}

impl Lever for AdmissionAvoidance {
    /// Switch the rule on when any request can be offered step-up care.
    fn apply(&self, params: &mut Params) {
        if self.share > 0.0 && self.targeted.iter().any(|&t| t) {
            params.levers.admission_avoidance = Some(AvoidanceRule {
                share_by_condition: self
                    .targeted
                    .iter()
                    .map(|&t| if t { self.share } else { 0.0 })
                    .collect(),
                service: self.service,
                uptake: self.uptake,
            });
        }
        params.levers.applied.push("admission_avoidance".into());
    }
}

/// `[policy.admission_avoidance]` as the model runs it.
#[derive(Clone, Debug, Serialize)]
pub struct AvoidanceRule {
    /// Probability that an admission request is offered to the step-up service, per
    /// condition (0 = not targeted).
    pub share_by_condition: Vec<f64>,
    /// Index into [`Params::services`] of the step-up service.
    pub service: usize,
    /// The share's uptake curve: at time t the share is × its value (`None`: full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptake: Option<super::Uptake>,
}

impl Rule for AvoidanceRule {
    /// The step-up service, with the condition's probability, for a patient at home (not
    /// already in a community service); no draw otherwise.
    #[inline]
    fn admission_request(
        &self,
        p: PatientId,
        condition: usize,
        now: Days,
        patients: &PatientTable,
        streams: &mut Streams,
    ) -> Option<usize> {
        let share = self.share_by_condition[condition] * self.uptake.map_or(1.0, |u| u.at(now));
        if share == 0.0
            || patients.hot(p).state != CareState::Home
            || streams.avoidance.random::<f64>() >= share
        {
            return None;
        }
        Some(self.service)
    }
}

/// What admission avoidance counts in one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvoidanceCounts {
    /// Admission requests taken by a step-up service instead.
    pub admissions_avoided: u64,
}

impl AvoidanceCounts {
    /// Call `f(name, value)` for each count, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        f("admissions_avoided", self.admissions_avoided as f64);
    }
}
