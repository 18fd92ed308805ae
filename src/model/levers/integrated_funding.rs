//! `[policy.integrated_funding]`: a pooled health and social care budget. Acute beds are
//! closed and their bed-day cost buys places in a community service, delayed discharges
//! can be moved after a limit to a named, costed interim service ("discharge to assess"),
//! and costs can be reported under one pooled payer. An assumed cut in every stay
//! (`los_factor`) is a separate, labelled assumption, neutral by default.
//!
//! Hook points: [`delay_started`](Rule::delay_started) (the delay limit) and
//! [`delay_limit_reached`](Rule::delay_limit_reached) (the interim service).

use serde::{Deserialize, Serialize};

use rand::RngExt;

use super::{Lever, Rule, Uptake};
use crate::engine::Days;
use crate::model::params::{CapacityChange, CapacityLevel, Params};
use crate::model::streams::Streams;

/// `[policy.integrated_funding]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegratedFunding {
    /// Acute beds closed; their bed-day cost buys places in `service`.
    pub beds_converted: u32,
    /// Service receiving the money (index; required when `beds_converted > 0`).
    pub service: Option<usize>,
    /// Multiplier on every acute length of stay (coordinated, "discharge to assess" care).
    pub los_factor: f64,
    /// Longest delayed discharge before coordination moves the patient to the interim
    /// service, days, with that service (index); both or neither.
    pub max_delay: Option<DischargeCoordination>,
    /// Report every cost under one pooled payer.
    pub pool_budgets: bool,
    /// The pooled budget's holder moving money to where the blockage is (`None`: capacity
    /// stays as converted).
    pub controller: Option<BudgetController>,
    /// How the pooled budget reaches its full effect (`None`: from day 0). Converted beds
    /// close one at a time, bed k of n when the curve reaches (k − ½)/n, each buying its
    /// places then; discharge to assess applies to a delay starting at t with probability
    /// the curve's value at t; the controller starts its reviews once the curve reaches ½.
    pub uptake: Option<Uptake>,
}

impl IntegratedFunding {
    /// Places bought in a service costing `day_cost` per place-day with the money of
    /// `beds_converted` beds at `bed_day_cost`: rounded down, so the budget never grows.
    pub fn places_bought(&self, bed_day_cost: f64, day_cost: f64) -> u32 {
        places_for(self.beds_converted, bed_day_cost, day_cost)
    }

    /// With an uptake curve: close the converted beds one at a time and buy each one's
    /// places at once, as `add` changes merged into the acute and service schedules
    /// (validation refuses schedules there that set a capacity, which would undo them).
    fn convert_over_time(&self, params: &mut Params, uptake: Uptake) {
        let n = self.beds_converted;
        let bed_day_cost = params.acute.bed_day_cost;
        let mut acute = Vec::new();
        let mut service = Vec::new();
        let day_cost = self.service.map(|s| params.services[s].day_cost);
        for k in 1..=n {
            let day = uptake.time_of((f64::from(k) - 0.5) / f64::from(n)).max(0.0);
            acute.push(CapacityChange {
                day,
                level: CapacityLevel::Add { add: -1 },
            });
            if let Some(day_cost) = day_cost {
                let places = places_for(k, bed_day_cost, day_cost)
                    - places_for(k - 1, bed_day_cost, day_cost);
                if places > 0 {
                    service.push(CapacityChange {
                        day,
                        level: CapacityLevel::Add {
                            add: i32::try_from(places).unwrap_or(i32::MAX),
                        },
                    });
                }
            }
        }
        merge_changes(&mut params.acute.schedule.changes, acute);
        if let Some(s) = self.service {
            merge_changes(&mut params.services[s].schedule.changes, service);
        }
    }
}

/// Places of a service costing `day_cost` per place-day that the money of `beds` beds at
/// `bed_day_cost` buys: rounded down, so the budget never grows.
fn places_for(beds: u32, bed_day_cost: f64, day_cost: f64) -> u32 {
    if day_cost <= 0.0 {
        return 0;
    }
    (f64::from(beds) * bed_day_cost / day_cost + 1e-9).floor() as u32
}

/// Merge `extra` into `changes` in order of day (a change on the same day as an existing
/// one comes after it).
fn merge_changes(changes: &mut Vec<CapacityChange>, extra: Vec<CapacityChange>) {
    changes.extend(extra);
    changes.sort_by(|a, b| a.day.total_cmp(&b.day));
}

impl Lever for IntegratedFunding {
    /// Close beds, buy community places with their money, shorten stays, cap delays.
    fn apply(&self, params: &mut Params) {
        if let (Some(uptake), true) = (self.uptake, self.beds_converted > 0) {
            self.convert_over_time(params, uptake);
        } else if self.beds_converted > 0 {
            let bed_day_cost = params.acute.bed_day_cost;
            params.acute.beds = params.acute.beds.saturating_sub(self.beds_converted).max(1);
            // Changes that set a level lose the converted beds too; changes that add to
            // the level in force keep adding (to the converted level).
            for change in &mut params.acute.schedule.changes {
                if let CapacityLevel::Set { capacity } = &mut change.level {
                    *capacity = capacity.saturating_sub(self.beds_converted).max(1);
                }
            }
            if let Some(s) = self.service {
                let service = &mut params.services[s];
                let places = self.places_bought(bed_day_cost, service.day_cost);
                service.capacity = service.capacity.saturating_add(places);
                for change in &mut service.schedule.changes {
                    if let CapacityLevel::Set { capacity } = &mut change.level {
                        *capacity = capacity.saturating_add(places);
                    }
                }
            }
        }
        if self.los_factor != 1.0 {
            for band in params.conditions.iter_mut().flat_map(|c| &mut c.bands) {
                band.los_multiplier *= self.los_factor;
            }
        }
        params.levers.max_delay_days = self.max_delay.map(|m| DischargeCoordination {
            uptake: self.uptake,
            ..m
        });
        params.levers.pooled_budget = self.pool_budgets;
        params.levers.budget_controller = self.controller.map(|c| BudgetController {
            active_from: self.uptake.map(|u| u.time_of(0.5).max(0.0)),
            ..c
        });
        params.levers.applied.push("integrated_funding".into());
    }
}

/// Discharge coordination ("discharge to assess") as the model runs it: a delayed
/// discharge keeps its bed at most `limit_days`; then, if the interim service has a place,
/// the patient moves there and goes on waiting for the service they need (taking it at the
/// end of the interim episode if it has a place, else waiting at home on its list). With
/// no interim place the patient keeps waiting in the bed. No need is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DischargeCoordination {
    /// Longest delayed discharge in the bed, days.
    pub limit_days: Days,
    /// The interim service, an index into [`Params::services`].
    pub interim: usize,
    /// The pooled budget's uptake: a delay starting at t is coordinated with probability
    /// the curve's value at t (`None`: every delay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptake: Option<Uptake>,
}

impl Rule for DischargeCoordination {
    #[inline]
    fn delay_started(&self, now: Days, streams: &mut Streams) -> Option<Days> {
        match self.uptake {
            None => Some(self.limit_days),
            Some(u) => {
                let share = u.at(now);
                (share > 0.0 && streams.coordination.random::<f64>() < share)
                    .then_some(self.limit_days)
            }
        }
    }

    #[inline]
    fn delay_limit_reached(&self) -> Option<usize> {
        Some(self.interim)
    }
}

/// The pooled budget as a mechanism: one budget-holder who, every review period, moves
/// money between acute beds and places in one community service, at cost parity (a bed-day
/// buys bed-day cost ÷ place-day cost place-days), in response to what the period measured:
/// patients waiting for the service (in acute beds or at home) call for places; patients
/// waiting for a bed, with places left idle, call for beds. The capacity budget stays
/// constant: money not yet worth a whole place is carried as a credit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BudgetController {
    /// The community service money moves to and from, an index into [`Params::services`].
    pub service: usize,
    /// Days between reviews.
    pub every_days: Days,
    /// Beds moved at a review.
    pub step_beds: u32,
    /// Fewest acute beds the controller leaves.
    pub min_beds: u32,
    /// Mean number waiting (for the service, or for a bed) over a period that triggers a
    /// move, patients.
    pub threshold: f64,
    /// Day from which reviews may move money (the pooled budget's uptake reaching one
    /// half); earlier reviews only start a new period. `None`: from the first review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_from: Option<Days>,
}

/// What a review period measured (means of the daily censuses since the last review).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CapacityReview {
    /// Patients waiting for the service (delayed in acute beds or waiting at home).
    pub waiting_for_service: f64,
    /// Patients waiting for an acute bed.
    pub waiting_for_bed: f64,
    /// Idle places of the service.
    pub idle_places: f64,
    /// Acute beds now.
    pub beds: u32,
}

/// A controller's decision at a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapacityMove {
    /// Close beds and buy places with their money.
    ToCommunity,
    /// Give up places and open beds with their money.
    ToAcute,
    /// Leave capacity as it is.
    Stay,
}

impl BudgetController {
    /// The move a review calls for: places when the service's line is at the threshold and
    /// beds can close; beds when the bed line is at the threshold and enough places idle
    /// (`places_per_step`, the places a step of beds is worth) to pay for them.
    pub fn decide(&self, r: &CapacityReview, places_per_step: f64) -> CapacityMove {
        if r.waiting_for_service >= self.threshold && r.beds >= self.min_beds + self.step_beds {
            CapacityMove::ToCommunity
        } else if r.waiting_for_bed >= self.threshold && r.idle_places >= places_per_step {
            CapacityMove::ToAcute
        } else {
            CapacityMove::Stay
        }
    }
}

/// What discharge coordination counts in one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordinationCounts {
    /// Delayed discharges moved to the interim service at the delay limit
    /// (`integrated_funding.max_delay_days`).
    pub coordinated_discharges: u64,
    /// Delayed discharges that reached the limit with the interim service full, and went
    /// on waiting in their bed.
    #[serde(default)]
    pub interim_full_at_limit: u64,
    /// Reviews at which the budget controller moved beds' money into community places.
    #[serde(default)]
    pub moves_to_community: u64,
    /// Reviews at which it moved places' money back into beds.
    #[serde(default)]
    pub moves_to_acute: u64,
}

impl CoordinationCounts {
    /// Call `f(name, value)` for each count, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        f("coordinated_discharges", self.coordinated_discharges as f64);
        f("interim_full_at_limit", self.interim_full_at_limit as f64);
        f(
            "capacity_moves_to_community",
            self.moves_to_community as f64,
        );
        f("capacity_moves_to_acute", self.moves_to_acute as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converted_beds_buy_places_without_growing_the_budget() {
        let f = IntegratedFunding {
            beds_converted: 10,
            service: Some(0),
            los_factor: 1.0,
            max_delay: None,
            pool_budgets: true,
            controller: None,
            uptake: None,
        };
        assert_eq!(f.places_bought(230.0, 120.0), 19); // 2,300 / 120 = 19.17
        assert!(f64::from(f.places_bought(230.0, 120.0)) * 120.0 <= 2300.0);
        assert_eq!(f.places_bought(200.0, 100.0), 20);
    }

    #[test]
    fn the_controller_moves_money_to_the_blockage_and_keeps_its_floor() {
        let c = BudgetController {
            service: 0,
            every_days: 28.0,
            step_beds: 1,
            min_beds: 60,
            threshold: 1.0,
            active_from: None,
        };
        let review = |service: f64, bed: f64, idle: f64, beds: u32| CapacityReview {
            waiting_for_service: service,
            waiting_for_bed: bed,
            idle_places: idle,
            beds,
        };
        assert_eq!(
            c.decide(&review(2.0, 0.0, 0.0, 80), 3.0),
            CapacityMove::ToCommunity
        );
        // At the floor, no bed closes.
        assert_eq!(
            c.decide(&review(2.0, 0.0, 0.0, 60), 3.0),
            CapacityMove::Stay
        );
        // A bed line with places idle enough to pay for a bed: back to beds.
        assert_eq!(
            c.decide(&review(0.0, 1.5, 3.5, 70), 3.0),
            CapacityMove::ToAcute
        );
        // Not enough idle places to pay for a bed.
        assert_eq!(
            c.decide(&review(0.0, 1.5, 2.0, 70), 3.0),
            CapacityMove::Stay
        );
        assert_eq!(
            c.decide(&review(0.5, 0.5, 9.0, 70), 3.0),
            CapacityMove::Stay
        );
    }

    #[test]
    fn the_delay_limit_is_recorded_with_its_interim_service() {
        let rule = Some(DischargeCoordination {
            limit_days: 3.0,
            interim: 1,
            uptake: None,
        });
        assert_eq!(
            serde_json::to_string(&rule).unwrap(),
            r#"{"limit_days":3.0,"interim":1}"#
        );
    }
}
