//! What one replication counts, and the metrics derived from it.
//!
//! Metric names are defined once, in [`Tally::for_each_metric`]: that name is the CSV column,
//! the JSON key and (later) the chart label. Costs are in the scenario's currency.

use super::params::Params;
use crate::engine::Days;

/// Raw counts and time integrals of one replication, after warm-up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Emergency admissions to a local acute bed.
    pub admissions: u64,
    /// Exacerbations that became admission requests (admitted, queued or diverted).
    pub admission_requests: u64,
    /// Requests admitted out of area because every bed was taken.
    pub diversions: u64,
    /// Exacerbations at home.
    pub exacerbations: u64,
    /// Routine primary-care reviews.
    pub reviews: u64,
    /// Exacerbations managed in primary care without admission.
    pub urgent_contacts: u64,
    /// Sum over admissions of the wait for a bed, days.
    pub wait_days_total: f64,
    /// Acute stays that ended medically fit (discharge ready).
    pub stays_ended: u64,
    /// Sum of the medically-necessary part of those stays, days.
    pub stay_days_total: f64,
    /// Admission requests within 30 days of the patient's last discharge from an acute bed.
    pub readmissions_30d: u64,
    /// Deaths at home.
    pub deaths_home: u64,
    /// Deaths in hospital.
    pub deaths_hospital: u64,
    /// New patients (incidence).
    pub new_patients: u64,
    /// Patients alive at the end of the run (whatever their state).
    pub patients_at_end: u64,
    /// Patients who left an acute bed (alive or dead), delayed discharges included.
    pub bed_stays: u64,
    /// Sum of those stays from admission to leaving the bed, days.
    pub bed_stay_days_total: f64,
    /// Days with more than 85% of acute beds occupied.
    pub days_over_85pct_occupancy: f64,
    /// Days with every acute bed occupied.
    pub days_at_full_occupancy: f64,
    /// Discharges that were delayed for want of a community place.
    pub delayed_discharges: u64,
    /// Occupied acute bed-days (delayed days included).
    pub acute_bed_days: f64,
    /// Acute bed-days of medically fit patients waiting for a community place.
    pub delayed_bed_days: f64,
    /// Highest number of acute beds occupied at once.
    pub peak_acute_occupancy: f64,
    /// Occupied place-days per community service, in [`Params::services`] order.
    pub community_days: Vec<f64>,
    /// Days over which the integrals were taken (horizon − warm-up).
    pub observed_days: Days,
}

impl Tally {
    /// A zeroed tally with one slot per community service.
    pub fn new(params: &Params) -> Self {
        Tally {
            community_days: vec![0.0; params.services.len()],
            ..Tally::default()
        }
    }

    /// Zero every count, keeping the per-service allocation.
    pub fn clear(&mut self) {
        let mut days = std::mem::take(&mut self.community_days);
        days.iter_mut().for_each(|d| *d = 0.0);
        *self = Tally {
            community_days: days,
            ..Tally::default()
        };
    }

    /// Call `f(name, value)` for every metric, always in the same order.
    ///
    /// This is the single definition of metric names and formulas.
    pub fn for_each_metric(&self, params: &Params, mut f: impl FnMut(&str, f64)) {
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let primary_care_contacts = self.reviews + self.urgent_contacts;
        let community_days: f64 = self.community_days.iter().sum();
        let acute_cost = self.acute_bed_days * params.acute.bed_day_cost;
        let community_costs = params
            .services
            .iter()
            .zip(&self.community_days)
            .map(|(s, d)| s.day_cost * d);
        let community_cost: f64 = community_costs.clone().sum();
        let primary_care_cost = self.reviews as f64 * params.primary_care.review_cost
            + self.urgent_contacts as f64 * params.primary_care.urgent_contact_cost;
        let diversion_cost = self.diversions as f64 * params.acute.diversion_cost;

        f("admissions", self.admissions as f64);
        f("admission_requests", self.admission_requests as f64);
        f("diversions", self.diversions as f64);
        f("acute_bed_days", self.acute_bed_days);
        f("delayed_bed_days", self.delayed_bed_days);
        f("delayed_discharges", self.delayed_discharges as f64);
        f(
            "mean_wait_days",
            ratio(self.wait_days_total, self.admissions as f64),
        );
        f(
            "mean_stay_days",
            ratio(self.stay_days_total, self.stays_ended as f64),
        );
        f(
            "mean_los_days",
            ratio(self.bed_stay_days_total, self.bed_stays as f64),
        );
        f("readmissions_30d", self.readmissions_30d as f64);
        f("deaths_home", self.deaths_home as f64);
        f("deaths_hospital", self.deaths_hospital as f64);
        f("new_patients", self.new_patients as f64);
        f("patients_at_end", self.patients_at_end as f64);
        f("community_days", community_days);
        f("primary_care_contacts", primary_care_contacts as f64);
        f("reviews", self.reviews as f64);
        f("urgent_contacts", self.urgent_contacts as f64);
        f("exacerbations", self.exacerbations as f64);
        f(
            "mean_acute_occupancy",
            ratio(self.acute_bed_days, self.observed_days),
        );
        f("peak_acute_occupancy", self.peak_acute_occupancy);
        f("days_over_85pct_occupancy", self.days_over_85pct_occupancy);
        f("days_at_full_occupancy", self.days_at_full_occupancy);
        f("acute_cost", acute_cost);
        f("community_cost", community_cost);
        f("primary_care_cost", primary_care_cost);
        f("diversion_cost", diversion_cost);
        f(
            "total_cost",
            acute_cost + community_cost + primary_care_cost + diversion_cost,
        );
        let mut name = String::new();
        for ((service, days), cost) in params
            .services
            .iter()
            .zip(&self.community_days)
            .zip(community_costs)
        {
            name.clear();
            name.push_str("community_days_");
            name.push_str(&service.name);
            f(&name, *days);
            name.clear();
            name.push_str("community_cost_");
            name.push_str(&service.name);
            f(&name, cost);
        }
    }

    /// Metric names, in [`for_each_metric`](Self::for_each_metric) order.
    pub fn metric_names(params: &Params) -> Vec<String> {
        let mut names = Vec::new();
        Tally::new(params).for_each_metric(params, |n, _| names.push(n.to_owned()));
        names
    }

    /// Metric values, in [`for_each_metric`](Self::for_each_metric) order.
    pub fn metric_values(&self, params: &Params) -> Vec<f64> {
        let mut values = Vec::new();
        self.for_each_metric(params, |_, v| values.push(v));
        values
    }
}
