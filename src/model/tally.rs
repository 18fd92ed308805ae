//! What one replication counts, and the metrics derived from it.
//!
//! Metric names are defined once, in [`Tally::for_each_metric`]: that name is the CSV column
//! and the JSON key; its label, unit and format are in the metric catalogue
//! ([`catalogue`](super::catalogue)). Costs are in the scenario's currency.

use serde::{Deserialize, Serialize};

use super::costs::{CostBasis, Costs};
use super::levers::LeverCounts;
use super::params::{Params, Payer};
use super::services::Setting;
use crate::engine::{DAYS_PER_YEAR, Days};

/// Raw counts and time integrals of one replication, after warm-up. Serialisable: it is
/// what a run's journal stores per replication.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// Deaths of long-stay residents (in a care home).
    #[serde(default)]
    pub deaths_in_care: u64,
    /// The unmet-need ledger: days and episodes of unmet need, days waited at home.
    #[serde(default)]
    pub needs: NeedCounts,
    /// New patients (incidence).
    pub new_patients: u64,
    /// New patients, and onsets among the living (`[multimorbidity]`), whose first event was
    /// an admission request (`first_event_admission_share`); each also counts as an
    /// exacerbation.
    #[serde(default)]
    pub first_event_requests: u64,
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
    /// 95th percentile of the wait for a bed over admissions, days (0.01-day resolution).
    pub p95_wait_days: f64,
    /// Outpatient referrals.
    pub outpatient_referrals: u64,
    /// Outpatient attendances.
    pub outpatient_attendances: u64,
    /// Patient-days alive in each risk tier (for management costs).
    pub tier_days: Vec<f64>,
    /// What the levers' mechanisms count (avoided admissions, early and coordinated
    /// discharges), defined in each lever's module.
    #[serde(flatten)]
    pub levers: LeverCounts,
    /// Acute bed-days provided (capacity integrated over time, occupied or not).
    pub acute_capacity_days: f64,
    /// Place-days provided per community service.
    pub community_capacity_days: Vec<f64>,
    /// Counts by (condition, age band) group, in [`Params::groups`] order.
    pub groups: Vec<GroupTally>,
    /// Occupancy at the end of each day (the midnight census), day-major: for day `d`,
    /// `[acute, service 0, service 1, ...]`. Covers the whole horizon, warm-up included.
    pub daily_occupancy: Vec<f32>,
    /// Capacity in force at each daily census, laid out as `daily_occupancy`; recorded only
    /// when a `schedule` changes some capacity (empty otherwise: capacity is the base).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub daily_capacity: Vec<f32>,
    /// Per pool (acute first, then each community service): whether it never reached a
    /// steady state — full on at least 99% of the census days of the last third of the
    /// observed period, with its mean waiting line in the second half of that third at least
    /// 5% and one patient longer than in the first.
    /// Empty in results recorded before the check existed.
    #[serde(default)]
    pub unstable_pools: Vec<bool>,
    /// Values by observed year (year 1 starts at the end of the warm-up; the last may be
    /// part of a year) of every additive metric, in [`Tally::by_year_names`] order. For
    /// every additive metric the total is the sum of these, in year order, exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub years: Vec<Vec<f64>>,
    /// Utility-days lived (the quality-weighted time integral of the living; person-days
    /// alive when no utilities are given).
    #[serde(default)]
    pub quality_days: f64,
    /// QALYs lost with emergency admissions beyond the time in the bed.
    #[serde(default)]
    pub qaly_losses: f64,
    /// What the commissioner paid the acute hospital per spell ended (tariff and excess
    /// bed-days), £; 0 unless the payment mechanism is a tariff.
    #[serde(default)]
    pub spell_payment: f64,
    /// Delayed days in acute beds waiting for a service paid by social care, beyond the
    /// reimbursement's assessment window (0 without reimbursement).
    #[serde(default)]
    pub reimbursed_days: f64,
    /// The priced and outcome quantities again, discounted to the end of the warm-up.
    #[serde(default)]
    pub discounted: Discounted,
    /// Persons alive at the end by number of conditions held (1, 2, 3 or more).
    #[serde(default)]
    pub persons_by_count: [u64; 3],
    /// Admissions to a local bed by the number of conditions the person held (1, 2, 3+).
    #[serde(default)]
    pub admissions_by_count: [u64; 3],
    /// Deaths by the number of conditions the person held (1, 2, 3+).
    #[serde(default)]
    pub deaths_by_count: [u64; 3],
    /// Conditions acquired by living persons (`[multimorbidity]` onset).
    #[serde(default)]
    pub condition_onsets: u64,
    /// Persons who entered the population (`[population.entrants_per_year]`).
    #[serde(default)]
    pub entrants: u64,
    /// Moves of living persons to the next age band (`population.band_start_ages`).
    #[serde(default)]
    pub band_moves: u64,
}

/// The quantities that costs and outcomes are made of, each discounted continuously at the
/// scenario's rate to the end of the warm-up: time integrals exactly over each interval,
/// events at their time, reviews and referrals (Poisson draws over time at home) by the
/// discounted share of that time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Discounted {
    /// Occupied acute bed-days.
    pub acute_bed_days: f64,
    /// Acute bed-days provided.
    pub acute_capacity_days: f64,
    /// Occupied place-days per service.
    pub community_days: Vec<f64>,
    /// Place-days provided per service.
    pub community_capacity_days: Vec<f64>,
    /// Patient-days alive per tier.
    pub tier_days: Vec<f64>,
    /// Patient-days enrolled in targeted care management.
    pub enrolled_days: f64,
    /// Patient-days of unmet need per service.
    pub unmet_days: Vec<f64>,
    /// Patient-days waited at home per service.
    pub home_waiting_days: Vec<f64>,
    /// Routine reviews.
    pub reviews: f64,
    /// Urgent contacts.
    pub urgent_contacts: f64,
    /// Out-of-area admissions.
    pub diversions: f64,
    /// Outpatient attendances.
    pub outpatient_attendances: f64,
    /// Days observed (for costs per year: outreach, block contracts).
    pub observed_days: f64,
    /// Utility-days lived.
    pub quality_days: f64,
    /// QALYs lost with admissions.
    pub qaly_losses: f64,
    /// Tariff payments per spell, £.
    pub spell_payment: f64,
    /// Reimbursed delayed days.
    pub reimbursed_days: f64,
}

impl Discounted {
    /// Zeroed, one slot per service and tier.
    fn new(services: usize, tiers: usize) -> Self {
        Discounted {
            community_days: vec![0.0; services],
            community_capacity_days: vec![0.0; services],
            unmet_days: vec![0.0; services],
            home_waiting_days: vec![0.0; services],
            tier_days: vec![0.0; tiers],
            ..Discounted::default()
        }
    }

    /// Zero every value, keeping the allocations.
    fn clear(&mut self) {
        let mut vecs = [
            std::mem::take(&mut self.community_days),
            std::mem::take(&mut self.community_capacity_days),
            std::mem::take(&mut self.tier_days),
            std::mem::take(&mut self.unmet_days),
            std::mem::take(&mut self.home_waiting_days),
        ];
        for v in &mut vecs {
            v.fill(0.0);
        }
        let [
            community_days,
            community_capacity_days,
            tier_days,
            unmet_days,
            home_waiting_days,
        ] = vecs;
        *self = Discounted {
            community_days,
            community_capacity_days,
            tier_days,
            unmet_days,
            home_waiting_days,
            ..Discounted::default()
        };
    }
}

/// What the unmet-need ledger counts after warm-up, per community service (in
/// [`Params::services`] order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NeedCounts {
    /// Patient-days at home with a need for the service unmet.
    pub unmet_days: Vec<f64>,
    /// Episodes of unmet need started.
    pub unmet_episodes: Vec<u64>,
    /// Patient-days waited at home on the service's list.
    pub home_waiting_days: Vec<f64>,
}

impl NeedCounts {
    /// Zeroed, one slot per service.
    fn new(services: usize) -> Self {
        NeedCounts {
            unmet_days: vec![0.0; services],
            unmet_episodes: vec![0; services],
            home_waiting_days: vec![0.0; services],
        }
    }

    /// Zero every count, keeping the allocations.
    fn clear(&mut self) {
        self.unmet_days.fill(0.0);
        self.unmet_episodes.fill(0);
        self.home_waiting_days.fill(0.0);
    }
}

/// Counts of one (condition, age band) group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupTally {
    /// Emergency admissions to a local bed.
    pub admissions: u64,
    /// Acute bed-days (after warm-up), delayed days included.
    pub acute_bed_days: f64,
    /// Patients who left an acute bed.
    pub bed_stays: u64,
    /// Their days from admission to leaving the bed.
    pub bed_stay_days_total: f64,
    /// Admission requests within 30 days of a discharge.
    pub readmissions_30d: u64,
    /// Deaths at home.
    pub deaths_home: u64,
    /// Deaths in hospital.
    pub deaths_hospital: u64,
    /// Deaths of care-home residents.
    #[serde(default)]
    pub deaths_in_care: u64,
    /// Patients alive at the end.
    pub patients_at_end: u64,
}

impl GroupTally {
    /// Call `f(name, value)` for each group metric, always in the same order.
    pub fn for_each_metric(&self, mut f: impl FnMut(&'static str, f64)) {
        f("admissions", self.admissions as f64);
        f("acute_bed_days", self.acute_bed_days);
        f(
            "mean_los_days",
            if self.bed_stays > 0 {
                self.bed_stay_days_total / self.bed_stays as f64
            } else {
                0.0
            },
        );
        f("readmissions_30d", self.readmissions_30d as f64);
        f("deaths_home", self.deaths_home as f64);
        f("deaths_hospital", self.deaths_hospital as f64);
        f("deaths_in_care", self.deaths_in_care as f64);
        f(
            "deaths",
            (self.deaths_home + self.deaths_hospital + self.deaths_in_care) as f64,
        );
        f("patients_at_end", self.patients_at_end as f64);
    }
}

/// The metrics by number of conditions held: persons alive at the end, admissions,
/// deaths; for 1, 2 and 3 or more conditions.
const COUNT_SUFFIXES: [(&str, &str, &str); 3] = [
    (
        "persons_1_condition",
        "admissions_1_condition",
        "deaths_1_condition",
    ),
    (
        "persons_2_conditions",
        "admissions_2_conditions",
        "deaths_2_conditions",
    ),
    (
        "persons_3_plus_conditions",
        "admissions_3_plus_conditions",
        "deaths_3_plus_conditions",
    ),
];

impl Tally {
    /// A zeroed tally with one slot per community service.
    pub fn new(params: &Params) -> Self {
        Tally {
            community_days: vec![0.0; params.services.len()],
            community_capacity_days: vec![0.0; params.services.len()],
            tier_days: vec![0.0; params.tiers.len()],
            groups: vec![GroupTally::default(); params.groups()],
            needs: NeedCounts::new(params.services.len()),
            discounted: Discounted::new(params.services.len(), params.tiers.len()),
            ..Tally::default()
        }
    }

    /// Zero every count, keeping the per-service and per-group allocations. The daily
    /// occupancy series is kept: it covers the warm-up too.
    pub fn clear(&mut self) {
        let mut days = std::mem::take(&mut self.community_days);
        days.fill(0.0);
        let mut provided = std::mem::take(&mut self.community_capacity_days);
        provided.fill(0.0);
        let mut tiers = std::mem::take(&mut self.tier_days);
        tiers.fill(0.0);
        let mut groups = std::mem::take(&mut self.groups);
        groups.fill(GroupTally::default());
        let daily = std::mem::take(&mut self.daily_occupancy);
        let capacity = std::mem::take(&mut self.daily_capacity);
        let mut needs = std::mem::take(&mut self.needs);
        needs.clear();
        let mut discounted = std::mem::take(&mut self.discounted);
        discounted.clear();
        *self = Tally {
            needs,
            discounted,
            daily_capacity: capacity,
            community_days: days,
            community_capacity_days: provided,
            tier_days: tiers,
            groups,
            daily_occupancy: daily,
            ..Tally::default()
        };
    }

    /// Call `f(name, value)` for every metric, always in the same order.
    ///
    /// This is the single definition of metric names and formulas (the costs of the three
    /// perspectives are in [`Costs::of`]). When the tally has values by year, the total of
    /// every additive metric is their sum in year order, so that years add up to it exactly.
    pub fn for_each_metric(&self, params: &Params, mut f: impl FnMut(&str, f64)) {
        // Years that do not fit the metrics (rows of unequal length, or fewer values than
        // additive metrics: a record of another version) are not used for the metrics they
        // lack, whose totals are then the tally's own. No names are built for the check.
        let width = self.years.first().map_or(0, Vec::len);
        if width == 0 || self.years.iter().any(|y| y.len() != width) {
            return self.for_each_raw_metric(params, f);
        }
        let mut column = 0;
        self.for_each_raw_metric(params, |name, value| {
            if super::catalogue::is_additive(name) {
                let total = if column < width {
                    self.years.iter().fold(0.0, |sum, year| sum + year[column])
                } else {
                    value
                };
                column += 1;
                f(name, total);
            } else {
                // A stock's years are its levels at each year's end; the run's is its own.
                column += usize::from(super::catalogue::is_stock(name));
                f(name, value);
            }
        });
    }

    /// [`for_each_metric`](Self::for_each_metric) from the tally's own counts.
    ///
    /// It is long because it is one flat listing: its order is the column order of every
    /// result file, which one list shows at a glance and split pieces would hide.
    fn for_each_raw_metric(&self, params: &Params, mut f: impl FnMut(&str, f64)) {
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let primary_care_contacts = self.reviews + self.urgent_contacts;
        let community_days: f64 = self.community_days.iter().sum();
        let costs = Costs::of(&CostBasis::undiscounted(self), params);
        let discounted = Costs::of(&CostBasis::discounted(self), params);
        let unmet_need_days: f64 = self.needs.unmet_days.iter().sum();
        let home_waiting_days: f64 = self.needs.home_waiting_days.iter().sum();
        let unmet_need_episodes: u64 = self.needs.unmet_episodes.iter().sum();
        // Bed-days in acute and bed-based post-acute services (Ham's caveat: NHS bed-days
        // include intermediate care, US figures exclude skilled-nursing days).
        let post_acute_bed_days: f64 = params
            .services
            .iter()
            .zip(&self.community_days)
            .filter(|(s, _)| s.setting == Setting::Bed)
            .map(|(_, d)| d)
            .sum();
        // Per 1,000 catchment population per year.
        let per_1000_year = |x: f64| {
            ratio(
                x * 1000.0,
                params.population.catchment * self.observed_days / DAYS_PER_YEAR,
            )
        };
        let life_years = self.tier_days.iter().sum::<f64>() / DAYS_PER_YEAR;
        let discounted_life_years = self.discounted.tier_days.iter().sum::<f64>() / DAYS_PER_YEAR;
        let qalys = self.quality_days / DAYS_PER_YEAR - self.qaly_losses;
        let discounted_qalys =
            self.discounted.quality_days / DAYS_PER_YEAR - self.discounted.qaly_losses;

        f("admissions", self.admissions as f64);
        f("admission_requests", self.admission_requests as f64);
        f("admissions_per_1000", per_1000_year(self.admissions as f64));
        f("diversions", self.diversions as f64);
        f("acute_bed_days", self.acute_bed_days);
        f("bed_days_per_1000", per_1000_year(self.acute_bed_days));
        f("delayed_bed_days", self.delayed_bed_days);
        f("delayed_discharges", self.delayed_discharges as f64);
        f(
            "acute_and_post_acute_bed_days",
            self.acute_bed_days + post_acute_bed_days,
        );
        f("home_waiting_days", home_waiting_days);
        f("unmet_need_days", unmet_need_days);
        f("unmet_need_episodes", unmet_need_episodes as f64);
        f(
            "mean_wait_days",
            ratio(self.wait_days_total, self.admissions as f64),
        );
        f("p95_wait_days", self.p95_wait_days);
        // 1 in a replication that never reached a steady state (its mean over replications
        // is the share of such replications).
        let flag = |unstable: bool| if unstable { 1.0 } else { 0.0 };
        let unstable_pool = |i: usize| flag(self.unstable_pools.get(i).copied().unwrap_or(false));
        f("unstable", flag(self.unstable_pools.iter().any(|&u| u)));
        f("unstable_acute", unstable_pool(0));
        f(
            "mean_stay_days",
            ratio(self.stay_days_total, self.stays_ended as f64),
        );
        f(
            "mean_los_days",
            ratio(self.bed_stay_days_total, self.bed_stays as f64),
        );
        f("readmissions_30d", self.readmissions_30d as f64);
        self.levers.for_each_metric(&mut f);
        f("deaths_home", self.deaths_home as f64);
        f("deaths_hospital", self.deaths_hospital as f64);
        f("deaths_in_care", self.deaths_in_care as f64);
        f("new_patients", self.new_patients as f64);
        f("first_event_requests", self.first_event_requests as f64);
        f("patients_at_end", self.patients_at_end as f64);
        let [one, two, more] = self.persons_by_count;
        f("persons", (one + two + more) as f64);
        f("persons_multimorbid", (two + more) as f64);
        for (suffix, k) in COUNT_SUFFIXES.iter().zip(0..) {
            f(suffix.0, self.persons_by_count[k] as f64);
            f(suffix.1, self.admissions_by_count[k] as f64);
            f(suffix.2, self.deaths_by_count[k] as f64);
        }
        f("condition_onsets", self.condition_onsets as f64);
        f("entrants", self.entrants as f64);
        f("band_moves", self.band_moves as f64);
        f("community_days", community_days);
        f("primary_care_contacts", primary_care_contacts as f64);
        f("reviews", self.reviews as f64);
        f("urgent_contacts", self.urgent_contacts as f64);
        f("exacerbations", self.exacerbations as f64);
        f("outpatient_referrals", self.outpatient_referrals as f64);
        f("outpatient_attendances", self.outpatient_attendances as f64);
        f(
            "mean_acute_occupancy",
            ratio(self.acute_bed_days, self.observed_days),
        );
        f("peak_acute_occupancy", self.peak_acute_occupancy);
        f("days_over_85pct_occupancy", self.days_over_85pct_occupancy);
        f("days_at_full_occupancy", self.days_at_full_occupancy);
        f("acute_cost", costs.acute);
        f("community_cost", costs.community);
        f("primary_care_cost", costs.primary_care);
        f("diversion_cost", costs.diversion);
        f("outpatient_cost", costs.outpatient);
        f("management_cost", costs.management);
        f("outreach_cost", costs.outreach);
        f("total_cost", costs.total);
        f("capacity_cost", costs.capacity);
        f("unmet_need_cost", costs.unmet_need);
        for (payer, cost) in Payer::ALL.iter().zip(costs.activity_by_payer) {
            f(payer.cost_metric(), cost);
        }
        // Outcomes.
        f(
            "deaths",
            (self.deaths_home + self.deaths_hospital + self.deaths_in_care) as f64,
        );
        f("life_years", life_years);
        f("qalys", qalys);
        f("discounted_life_years", discounted_life_years);
        f("discounted_qalys", discounted_qalys);
        // The three costing perspectives: activity, capacity (the budget), payment.
        f("discounted_total_cost", discounted.total);
        f("budget_cost", costs.budget);
        f("discounted_budget_cost", discounted.budget);
        f("acute_payment", costs.acute_payment);
        f("delayed_discharge_reimbursement", costs.reimbursement);
        f(
            "acute_provider_margin",
            costs.acute_payment + costs.reimbursement - costs.acute,
        );
        f("payment_cost", costs.payment);
        f("discounted_payment_cost", discounted.payment);
        f("discounted_unmet_need_cost", discounted.unmet_need);
        f(
            "net_monetary_benefit",
            params.economics.threshold * discounted_qalys - discounted.total,
        );
        let mut name = String::new();
        for (prefix, by_payer) in [
            ("budget_", costs.budget_by_payer),
            ("payment_", costs.payment_by_payer),
        ] {
            for (payer, cost) in Payer::ALL.iter().zip(by_payer) {
                name.clear();
                name.push_str(prefix);
                name.push_str(payer.cost_metric());
                f(&name, cost);
            }
        }
        for (i, (service, days)) in params.services.iter().zip(&self.community_days).enumerate() {
            name.clear();
            name.push_str("community_days_");
            name.push_str(&service.name);
            f(&name, *days);
            name.clear();
            name.push_str("community_cost_");
            name.push_str(&service.name);
            f(&name, service.day_cost * days);
            name.clear();
            name.push_str("unstable_");
            name.push_str(&service.name);
            f(&name, unstable_pool(i + 1));
            let at = |v: &[f64]| v.get(i).copied().unwrap_or(0.0);
            for (prefix, value) in [
                ("unmet_need_days_", at(&self.needs.unmet_days)),
                (
                    "unmet_need_episodes_",
                    self.needs.unmet_episodes.get(i).copied().unwrap_or(0) as f64,
                ),
                ("home_waiting_days_", at(&self.needs.home_waiting_days)),
            ] {
                name.clear();
                name.push_str(prefix);
                name.push_str(&service.name);
                f(&name, value);
            }
        }
    }

    /// Metric names, in [`for_each_metric`](Self::for_each_metric) order.
    pub fn metric_names(params: &Params) -> Vec<String> {
        let mut names = Vec::new();
        Tally::new(params).for_each_raw_metric(params, |n, _| names.push(n.to_owned()));
        names
    }

    /// The values of the additive metrics from the tally's own counts (its values by year
    /// ignored), appended to `out` in [`by_year_names`](Self::by_year_names) order.
    pub(super) fn additive_values(&self, params: &Params, out: &mut Vec<f64>) {
        self.for_each_raw_metric(params, |name, value| {
            if super::catalogue::by_year(name) {
                out.push(value);
            }
        });
    }

    /// Names of the metrics reported by year ([`catalogue::is_additive`](super::catalogue::is_additive)),
    /// in [`for_each_metric`](Self::for_each_metric) order: the columns of [`Tally::years`].
    pub fn by_year_names(params: &Params) -> Vec<String> {
        Tally::metric_names(params)
            .into_iter()
            .filter(|n| super::catalogue::by_year(n))
            .collect()
    }

    /// Metric values, in [`for_each_metric`](Self::for_each_metric) order.
    pub fn metric_values(&self, params: &Params) -> Vec<f64> {
        let mut values = Vec::new();
        self.for_each_metric(params, |_, v| values.push(v));
        values
    }
}
