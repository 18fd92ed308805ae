//! Validated model parameters: plain numbers in model units, built by `scenario` and read by
//! the simulation. Rates are per day, durations in days, costs in the scenario's currency
//! (£ in the bundled scenarios).

use serde::Serialize;

use super::dist::Duration;
use super::economics::{EconomicsParams, PaymentParams};
use super::levers::LeverParams;
use super::persons::{AgeingParams, PersonsParams};
use super::services::Setting;
use super::trends::Trends;
use crate::engine::Days;

/// What happens to an admission request when every acute bed is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WhenFull {
    /// Wait, first come first served, for the next free bed; the wait is recorded.
    Queue,
    /// Admit out of area: counted and costed, no local bed used. The patient is away for a
    /// stay drawn from their condition's length of stay, then returns home.
    Divert,
}

/// The acute hospital.
#[derive(Clone, Debug, Serialize)]
pub struct AcuteParams {
    /// Staffed acute beds.
    pub beds: u32,
    /// Rule for requests when all beds are taken.
    pub when_full: WhenFull,
    /// Cost per occupied acute bed-day, delayed-discharge days included.
    pub bed_day_cost: f64,
    /// Cost per diverted (out-of-area) admission.
    pub diversion_cost: f64,
    /// Changes of the number of beds over time.
    pub schedule: Schedule,
}

/// Who pays for a setting's care (costs are reported per payer as well as per setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Payer {
    /// The acute hospital trust: bed-days, diversions, outpatients.
    Hospital,
    /// Community health services.
    Community,
    /// General practice: reviews, urgent contacts, tier management.
    PrimaryCare,
    /// Local-authority social care.
    SocialCare,
    /// One pooled health and social care budget (`[policy.integrated_funding]` with
    /// `pool_budgets = true`): every cost is reported here and the other payers show 0.
    Pooled,
}

impl Payer {
    /// Every payer, in reporting order.
    pub const ALL: [Payer; 5] = [
        Payer::Hospital,
        Payer::Community,
        Payer::PrimaryCare,
        Payer::SocialCare,
        Payer::Pooled,
    ];

    /// Name of the payer's cost metric.
    pub fn cost_metric(self) -> &'static str {
        match self {
            Payer::Hospital => "payer_hospital_cost",
            Payer::Community => "payer_community_cost",
            Payer::PrimaryCare => "payer_primary_care_cost",
            Payer::SocialCare => "payer_social_care_cost",
            Payer::Pooled => "payer_pooled_cost",
        }
    }
}

/// A community service (intermediate care beds, early supported discharge team, ...).
#[derive(Clone, Debug, Serialize)]
pub struct ServiceParams {
    /// Identifier used in `discharge` tables and metric names (`community_days_<name>`).
    pub name: String,
    /// Places (beds or caseload slots).
    pub capacity: u32,
    /// Length of stay in the service.
    pub los: Duration,
    /// Cost per occupied place-day.
    pub day_cost: f64,
    /// Whose budget pays for it.
    pub payer: Payer,
    /// Bed-based or home-based: the behaviour of its episodes.
    pub setting: Setting,
    /// Changes of capacity over time.
    pub schedule: Schedule,
    /// Where a patient who needs the service waits when it is full.
    pub when_full: ServiceWhenFull,
    /// What follows while a need for the service is unmet or waited for at home.
    pub unmet: NeedConsequences,
    /// A further service some patients need at the end of an episode (e.g. a care home
    /// after intermediate care); `None`: everyone goes home.
    pub onward: Option<Onward>,
    /// Long-stay placements only (`setting = "long_stay"`): residents' death and
    /// exacerbation rates and how long their place is held while they are in hospital.
    pub residents: Option<Residents>,
    /// Multiplier on the patient's utility during an episode of the service (1 = none).
    pub utility_multiplier: f64,
}

/// Where a patient who needs a full service waits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ServiceWhenFull {
    /// A medically fit patient keeps the acute bed (a delayed discharge) until a place
    /// frees. A patient who needs the service from home or from another service waits at
    /// home on its list.
    #[default]
    KeepBed,
    /// The patient goes home and waits there on the service's list ("discharge to assess"):
    /// no acute bed is held; the wait at home counts in `home_waiting_days`, with the
    /// service's [`NeedConsequences`].
    WaitAtHome,
}

/// What follows while a patient's need for a service is unmet (at home without it) or
/// waited for at home. Multipliers of 1 and no escalation change no rate and no path; the
/// cost per day defaults (in the scenario) to the service's own day cost, the replacement
/// cost of the care not received, and is reported apart from `total_cost`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NeedConsequences {
    /// Multiplier on the exacerbation rate while the need is unmet or waited for (≥ 0).
    pub exacerbation_multiplier: f64,
    /// Multiplier on the death hazard while the need is unmet or waited for (≥ 0).
    pub death_multiplier: f64,
    /// Cost per day of unmet or waited-for need, borne outside the services (informal
    /// care, emergency social care): reported as `unmet_need_cost`, not in `total_cost`.
    pub cost_per_day: f64,
    /// Probability that an unmet need, at its end, leaves the patient needing
    /// [`escalate_to`](Self::escalate_to) (a higher level of care).
    pub escalation_probability: f64,
    /// The higher level of care, an index into [`Params::services`].
    pub escalate_to: Option<usize>,
    /// Multiplier on the patient's utility while the need is unmet or waited for at home
    /// (1 = no loss of quality of life).
    pub utility_multiplier: f64,
}

impl NeedConsequences {
    /// No consequence at all.
    pub const NONE: NeedConsequences = NeedConsequences {
        exacerbation_multiplier: 1.0,
        death_multiplier: 1.0,
        cost_per_day: 0.0,
        escalation_probability: 0.0,
        escalate_to: None,
        utility_multiplier: 1.0,
    };

    /// Whether the multipliers change any rate.
    pub fn changes_rates(&self) -> bool {
        self.exacerbation_multiplier != 1.0 || self.death_multiplier != 1.0
    }
}

/// A further service needed at the end of an episode, with its probability.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Onward {
    /// Index into [`Params::services`].
    pub service: usize,
    /// Probability that an episode ends needing it.
    pub probability: f64,
}

/// Residents of a long-stay placement (a care home): they live there until they die, are
/// discharged at the end of their drawn stay, or lose their place while in hospital.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Residents {
    /// Death hazard of residents, per day, by age band (in
    /// [`PopulationParams::age_bands`] order); it replaces the condition's rate.
    pub death_rate_per_day: Vec<f64>,
    /// Multiplier on a resident's exacerbation rate, relative to living at home.
    pub exacerbation_multiplier: f64,
    /// Days a resident's place is held while they are in hospital; then it is released.
    pub hold_days: Days,
    /// Residents at the start of a replication, drawn at random from the starting cohort.
    pub at_start: u32,
}

/// Unit costs of primary care.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PrimaryCareParams {
    /// Cost per routine review.
    pub review_cost: f64,
    /// Cost per urgent contact (an exacerbation managed without admission).
    pub urgent_contact_cost: f64,
}

/// Where a patient goes at the end of an acute stay, other than home.
#[derive(Clone, Debug, Serialize)]
pub struct DischargeRoute {
    /// Index into [`Params::services`].
    pub service: usize,
    /// Probability of needing that service.
    pub probability: f64,
}

/// One chronic condition's cohort and its clinical course.
#[derive(Clone, Debug, Serialize)]
pub struct ConditionParams {
    /// Identifier (`copd`, `heart_failure`, ...).
    pub name: String,
    /// The cohort by age band, in [`PopulationParams::age_bands`] order.
    pub bands: Vec<BandParams>,
    /// Routine primary-care reviews per day while at home (0 = none).
    pub review_rate_per_day: f64,
    /// Exacerbations per day while at home.
    pub exacerbation_rate_per_day: f64,
    /// Probability that an exacerbation becomes an admission request.
    pub admit: f64,
    /// Acute length of stay (until medically fit for discharge).
    pub los: Duration,
    /// Probability of dying in hospital, per acute stay (decided at the end of the stay).
    pub in_hospital_death: f64,
    /// New patients arriving at home, per day (Poisson; 0 = closed cohort).
    pub new_patients_per_day: f64,
    /// Community services needed at discharge, with probabilities summing to at most 1;
    /// the remainder go home.
    pub discharge: Vec<DischargeRoute>,
    /// Exacerbation-rate multiplier per prior emergency admission (1 = no history effect).
    pub admission_multiplier: f64,
    /// Only admissions within this many days count as prior admissions for
    /// `admission_multiplier` (at most [`HISTORY_LEN`](super::patients::HISTORY_LEN) of
    /// them); `None`: every admission since the start of the run (lifetime). Recorded only
    /// when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission_history_days: Option<Days>,
    /// Exacerbation-rate multiplier during the window after a discharge (1 = none).
    pub post_discharge_multiplier: f64,
    /// Length of that window, days.
    pub post_discharge_days: Days,
    /// Outpatient referrals per day while at home.
    pub outpatient_referrals_per_day: f64,
    /// Mean outpatient attendances per referral (≥ 1).
    pub attendances_per_referral: f64,
    /// Multiplier on the age band's baseline utility for a patient with this condition
    /// (`conditions.<c>.utility_multiplier`; 1 without `[economics]` utilities).
    pub utility_multiplier: f64,
    /// QALYs lost with each emergency admission beyond the time in the bed (the acute
    /// event's decrement after discharge), QALYs per admission.
    pub admission_qaly_loss: f64,
    /// Share of new patients (incidence) whose first event is acute and arrives as an
    /// admission request rather than at home (a first stroke); 0 = everyone arrives at home.
    pub first_event_admission_share: f64,
}

impl ConditionParams {
    /// Patients at the start, all bands.
    pub fn patients(&self) -> u64 {
        self.bands.iter().map(|b| u64::from(b.patients)).sum()
    }
}

/// One age band of one condition's cohort.
#[derive(Clone, Debug, Serialize)]
pub struct BandParams {
    /// Patients at the start.
    pub patients: u32,
    /// Death hazard at home, per day.
    pub death_rate_per_day: f64,
    /// Multiplier on sampled acute lengths of stay (Ham: NHS stays rise with age).
    pub los_multiplier: f64,
}

/// The population served.
#[derive(Clone, Debug, Serialize)]
pub struct PopulationParams {
    /// People served (the denominator of per-1,000 rates).
    pub catchment: f64,
    /// Age-band names (one band `all` when none are given).
    pub age_bands: Vec<String>,
    /// Coefficient of variation of each patient's gamma frailty multiplier on the
    /// exacerbation rate (mean 1); 0 = everyone alike.
    pub frailty_cv: f64,
    /// Band ages, when people age between bands during the run (`None`: they stay in the
    /// band they started in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ageing: Option<AgeingParams>,
}

/// A risk tier of the Kaiser pyramid (supported self-care, disease management, case
/// management), applied within every condition and age band.
#[derive(Clone, Debug, Serialize)]
pub struct TierParams {
    /// Identifier (`<tier>+<programme>+...` for tiers made by enrolment levers).
    pub name: String,
    /// Share of each condition's cohort in the tier, in [`Params::conditions`] order (for
    /// each condition the shares of all tiers sum to 1).
    pub shares: Vec<f64>,
    /// Multiplier on the exacerbation rate.
    pub exacerbation_multiplier: f64,
    /// Multiplier on the admission probability (capped at probability 1).
    pub admit_multiplier: f64,
    /// Routine reviews per day at home, replacing the condition's when given.
    pub review_rate_per_day: Option<f64>,
    /// Management cost per patient-year alive in the tier.
    pub management_cost_per_year: f64,
    /// For tiers split by enrolment programmes with uptake curves: (index of the tier it
    /// was split from, bit mask of the programmes enrolled in, by their place in
    /// [`LeverParams::programme_uptake`](super::levers::LeverParams::programme_uptake)).
    #[serde(skip)]
    pub enrolment: Option<(usize, u32)>,
}

impl TierParams {
    /// The tier used when a scenario defines none: everyone in each of `conditions`
    /// conditions, with no effect and no cost.
    pub fn neutral(conditions: usize) -> Self {
        TierParams {
            name: "all".into(),
            shares: vec![1.0; conditions],
            exacerbation_multiplier: 1.0,
            admit_multiplier: 1.0,
            review_rate_per_day: None,
            management_cost_per_year: 0.0,
            enrolment: None,
        }
    }
}

/// Seasonal variation of exacerbation rates: a multiplier on every exacerbation rate as a
/// function of the day of the simulated year (day 0 = the first day of the run).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Seasonality {
    /// `1 + amplitude × cos(2π (t − peak_day) / 365)`: averages 1 over a year.
    Cosine {
        /// Relative swing above and below the yearly mean, in [0, 1).
        amplitude: f64,
        /// Day of the year at which the rate peaks.
        peak_day: Days,
    },
    /// One multiplier per month of 365/12 days.
    Monthly {
        /// Multipliers for months 1..12 of each simulated year.
        multipliers: [f64; 12],
    },
}

impl Seasonality {
    /// Rate multiplier at time `t` (days).
    #[inline]
    pub fn multiplier(&self, t: Days) -> f64 {
        match self {
            Seasonality::Cosine {
                amplitude,
                peak_day,
            } => {
                1.0 + amplitude
                    * (std::f64::consts::TAU * (t - peak_day) / crate::engine::DAYS_PER_YEAR).cos()
            }
            Seasonality::Monthly { multipliers } => {
                let day = t.rem_euclid(crate::engine::DAYS_PER_YEAR);
                let month = (day / (crate::engine::DAYS_PER_YEAR / 12.0)) as usize;
                multipliers[month.min(11)]
            }
        }
    }

    /// Largest multiplier over the year (the bound used for thinning).
    pub fn max_multiplier(&self) -> f64 {
        match self {
            Seasonality::Cosine { amplitude, .. } => 1.0 + amplitude,
            Seasonality::Monthly { multipliers } => multipliers.iter().copied().fold(0.0, f64::max),
        }
    }
}

/// A change of capacity at a given day (extra winter beds, a closure, planned growth).
/// A cut takes effect as patients leave; nobody is evicted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CapacityChange {
    /// When the change takes effect, days.
    pub day: Days,
    /// The capacity from then on, or the places added to the capacity in force.
    #[serde(flatten)]
    pub level: CapacityLevel,
}

/// What a [`CapacityChange`] does to the capacity in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CapacityLevel {
    /// Set the capacity (beds or places) from then on, whatever it was: a budget
    /// controller's moves are overridden, so a pool with a controller cannot have one.
    Set {
        /// Beds or places from then on (≥ 1).
        capacity: u32,
    },
    /// Add places (negative: remove them) to the capacity in force, so that planned growth
    /// composes with a sweep of the starting capacity, converted beds and a budget
    /// controller's moves. The capacity never falls below 1.
    Add {
        /// Beds or places added (negative: removed).
        add: i32,
    },
}

impl CapacityLevel {
    /// The capacity after this change, from the capacity in force `current` (at least 1).
    pub fn after(self, current: u32) -> u32 {
        match self {
            CapacityLevel::Set { capacity } => capacity,
            CapacityLevel::Add { add } => {
                (i64::from(current) + i64::from(add)).clamp(1, i64::from(u32::MAX)) as u32
            }
        }
    }
}

/// A capacity schedule: changes at given days, optionally repeating.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Schedule {
    /// Changes in order of day.
    pub changes: Vec<CapacityChange>,
    /// Repeat the whole list every this many days (e.g. 365 for a winter plan).
    pub repeat_days: Option<Days>,
}

impl Schedule {
    /// Whether some change sets the capacity (rather than adding to it): such a change
    /// undoes whatever moved the capacity before it.
    pub fn sets_capacity(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c.level, CapacityLevel::Set { .. }))
    }
}

/// Everything one replication needs, validated.
#[derive(Clone, Debug, Serialize)]
pub struct Params {
    /// Simulated time, days (statistics cover `warmup_days..horizon_days`).
    pub horizon_days: Days,
    /// Leading period excluded from statistics, days.
    pub warmup_days: Days,
    /// The acute hospital.
    pub acute: AcuteParams,
    /// Community services, in scenario order.
    pub services: Vec<ServiceParams>,
    /// Primary-care unit costs.
    pub primary_care: PrimaryCareParams,
    /// Chronic-disease cohorts, in scenario order.
    pub conditions: Vec<ConditionParams>,
    /// Winter peak of exacerbations (none when absent).
    pub seasonality: Option<Seasonality>,
    /// Catchment, age bands, frailty.
    pub population: PopulationParams,
    /// Risk tiers (one tier `all` with no effect when none are given).
    pub tiers: Vec<TierParams>,
    /// Cost per outpatient attendance.
    pub outpatient_attendance_cost: f64,
    /// Levers that need the model's own mechanisms (the others only change the numbers
    /// above); all `None`/neutral without `[policy.*]` tables.
    pub levers: LeverParams,
    /// Utilities, discounting and the willingness-to-pay threshold.
    pub economics: EconomicsParams,
    /// How the commissioner pays the acute hospital, and delayed-discharge reimbursement.
    pub payment: PaymentParams,
    /// People with sets of conditions (`[multimorbidity]`); `None`: every patient is one
    /// condition's record, as before persons existed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persons: Option<PersonsParams>,
    /// Per-year multipliers on rates and stays (`[trends]`; none by default).
    #[serde(skip_serializing_if = "is_flat")]
    pub trends: Trends,
}

/// Whether no trend is given (nothing to show in the manifest).
fn is_flat(t: &Trends) -> bool {
    *t == Trends::default()
}

impl Params {
    /// Number of (condition, age band) groups: the rows of `by_group.csv`.
    pub fn groups(&self) -> usize {
        self.conditions.len() * self.population.age_bands.len()
    }

    /// `(condition name, age band name)` of group `g`.
    pub fn group_names(&self, g: usize) -> (&str, &str) {
        let bands = self.population.age_bands.len();
        (
            &self.conditions[g / bands].name,
            &self.population.age_bands[g % bands],
        )
    }

    /// Total patients (persons, with `[multimorbidity]`) at the start of a replication.
    pub fn total_patients(&self) -> usize {
        match &self.persons {
            Some(persons) => persons.persons() as usize,
            None => self.conditions.iter().map(|c| c.patients() as usize).sum(),
        }
    }

    /// Days over which statistics are collected (`horizon − warm-up`).
    pub fn observed_days(&self) -> Days {
        self.horizon_days - self.warmup_days
    }

    /// Expected events per day when everyone is at home: a hint for sizing the event queue.
    pub fn home_event_rate_per_day(&self) -> f64 {
        self.conditions
            .iter()
            .flat_map(|c| {
                c.bands.iter().map(|b| {
                    f64::from(b.patients) * (c.exacerbation_rate_per_day + b.death_rate_per_day)
                })
            })
            .sum()
    }

    /// Whether any service changes a patient's rates where they are (long-stay residents,
    /// unmet or waited-for needs with multipliers): when not, the event loop never looks.
    pub fn rates_depend_on_state(&self) -> bool {
        self.services
            .iter()
            .any(|s| s.residents.is_some() || s.unmet.changes_rates())
    }

    /// Whether patients need an admission [`History`](super::patients::History): a
    /// condition counts prior admissions in a window, or care management targets by
    /// recent use.
    pub fn keeps_history(&self) -> bool {
        self.levers.care_management.is_some()
            || self
                .conditions
                .iter()
                .any(|c| c.admission_history_days.is_some())
    }

    /// Expected patients ever in the table: the starting cohort plus expected incidence,
    /// with 10% headroom (for reserving memory once).
    pub fn expected_patients(&self) -> usize {
        let arrivals: f64 = self
            .conditions
            .iter()
            .map(|c| c.new_patients_per_day * self.horizon_days)
            .sum();
        let entrants: f64 = self
            .persons
            .as_ref()
            .and_then(|p| p.entrants.as_ref().map(|e| (p, e)))
            .map_or(0.0, |(p, e)| {
                (0..e.per_day.len())
                    .map(|b| e.max_rate(b) * p.with_conditions(b) * self.horizon_days)
                    .sum()
            });
        self.total_patients() + ((arrivals + entrants) * 1.1) as usize
    }
}
