//! `[policy.integrated_funding]`: a pooled health and social care budget. Acute beds are
//! closed and their bed-day cost buys places in a community service, acute stays are
//! shortened by coordinated ("discharge to assess") care, delayed discharges can be capped,
//! and costs can be reported under one pooled payer.
//!
//! Hook point: [`delay_started`](Rule::delay_started) (the delay limit).

use serde::{Deserialize, Serialize};

use super::{Lever, Rule};
use crate::engine::Days;
use crate::model::params::Params;

/// `[policy.integrated_funding]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegratedFunding {
    /// Acute beds closed; their bed-day cost buys places in `service`.
    pub beds_converted: u32,
    /// Service receiving the money (index; required when `beds_converted > 0`).
    pub service: Option<usize>,
    /// Multiplier on every acute length of stay (coordinated, "discharge to assess" care).
    pub los_factor: f64,
    /// Longest delayed discharge before coordination sends the patient home, days.
    pub max_delay_days: Option<Days>,
    /// Report every cost under one pooled payer.
    pub pool_budgets: bool,
}

impl IntegratedFunding {
    /// Places bought in a service costing `day_cost` per place-day with the money of
    /// `beds_converted` beds at `bed_day_cost`: rounded down, so the budget never grows.
    pub fn places_bought(&self, bed_day_cost: f64, day_cost: f64) -> u32 {
        if day_cost <= 0.0 {
            return 0;
        }
        (f64::from(self.beds_converted) * bed_day_cost / day_cost + 1e-9).floor() as u32
    }
}

impl Lever for IntegratedFunding {
    /// Close beds, buy community places with their money, shorten stays, cap delays.
    fn apply(&self, params: &mut Params) {
        if self.beds_converted > 0 {
            let bed_day_cost = params.acute.bed_day_cost;
            params.acute.beds = params.acute.beds.saturating_sub(self.beds_converted).max(1);
            for change in &mut params.acute.schedule.changes {
                change.capacity = change.capacity.saturating_sub(self.beds_converted).max(1);
            }
            if let Some(s) = self.service {
                let service = &mut params.services[s];
                let places = self.places_bought(bed_day_cost, service.day_cost);
                service.capacity = service.capacity.saturating_add(places);
                for change in &mut service.schedule.changes {
                    change.capacity = change.capacity.saturating_add(places);
                }
            }
        }
        if self.los_factor != 1.0 {
            for band in params.conditions.iter_mut().flat_map(|c| &mut c.bands) {
                band.los_multiplier *= self.los_factor;
            }
        }
        params.levers.max_delay_days = self
            .max_delay_days
            .map(|limit_days| DischargeCoordination { limit_days });
        params.levers.pooled_budget = self.pool_budgets;
        params.levers.applied.push("integrated_funding".into());
    }
}

/// Discharge coordination as the model runs it: a delayed discharge waits at most
/// `limit_days`, then goes home with interim support. Recorded in `manifest.json` as the
/// bare number of days.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct DischargeCoordination {
    /// Longest delayed discharge, days.
    pub limit_days: Days,
}

impl Rule for DischargeCoordination {
    #[inline]
    fn delay_started(&self) -> Option<Days> {
        Some(self.limit_days)
    }
}

/// What discharge coordination counts in one replication.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoordinationCounts {
    /// Delayed discharges sent home by discharge coordination at the delay limit
    /// (`integrated_funding.max_delay_days`).
    pub coordinated_discharges: u64,
}

impl CoordinationCounts {
    /// Call `f(name, value)` for each count, in result-column order.
    pub fn for_each_metric(&self, f: &mut impl FnMut(&str, f64)) {
        f("coordinated_discharges", self.coordinated_discharges as f64);
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
            max_delay_days: None,
            pool_budgets: true,
        };
        assert_eq!(f.places_bought(230.0, 120.0), 19); // 2,300 / 120 = 19.17
        assert!(f64::from(f.places_bought(230.0, 120.0)) * 120.0 <= 2300.0);
        assert_eq!(f.places_bought(200.0, 100.0), 20);
    }

    #[test]
    fn the_delay_limit_is_recorded_as_a_number() {
        let rule = Some(DischargeCoordination { limit_days: 3.0 });
        assert_eq!(serde_json::to_string(&rule).unwrap(), "3.0");
    }
}
