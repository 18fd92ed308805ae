//! The scenario file format, as parsed: every table denies unknown keys, every key is
//! optional here (required keys are checked in [`validate`](super::validate), which can then
//! report *all* missing keys at once with their locations), and the doc comment of each field
//! is the reference for the key: meaning, unit, default. The `[policy.*]` tables are in
//! their levers' modules ([`policy`](super::policy)), next to their checks.
//!
//! Durations are days, rates per year or per day as named, costs in the scenario's currency
//! (£ at the price year stated in the scenario's description, for the bundled scenarios).

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::policy::RawPolicy;
pub use super::policy::evidence::RawEvidenceTable;

/// A whole scenario file (before `extends` is resolved, each file alone parses as this).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Path of a base scenario, relative to this file. This file's keys override the
    /// base's, table by table; a distribution table replaces the base's whole. Default:
    /// none (the file stands alone and sets every required key).
    pub extends: Option<String>,
    /// Dotted key paths (`seasonality.amplitude`, `population.patients`) removed from what
    /// the files this one extends set, before this file's keys are merged: how a variant
    /// replaces a key by one that excludes it (`monthly` for `amplitude`). Default: none.
    #[serde(default)]
    pub unset: Vec<String>,
    /// Name and description.
    #[schemars(extend("x-required" = true))]
    pub scenario: Option<RawMeta>,
    /// Horizon, warm-up, replications, seed.
    #[schemars(extend("x-required" = true))]
    pub simulation: Option<RawSimulation>,
    /// The acute hospital.
    #[schemars(extend("x-required" = true))]
    pub acute: Option<RawAcute>,
    /// Primary-care unit costs.
    pub primary_care: Option<RawPrimaryCare>,
    /// Community services by name (`[community.intermediate_care]`).
    pub community: Option<BTreeMap<String, RawService>>,
    /// Chronic-disease cohorts by condition name (`[conditions.copd]`).
    #[schemars(extend("x-required" = true))]
    pub conditions: Option<BTreeMap<String, RawCondition>>,
    /// A winter peak in exacerbation rates. Default: none.
    pub seasonality: Option<RawSeasonality>,
    /// Catchment, age bands, frailty. Default: catchment = patients, one band, no frailty.
    pub population: Option<RawPopulation>,
    /// Risk tiers by name (`[tiers.case_management]`). Default: one tier with no effect.
    pub tiers: Option<BTreeMap<String, RawTier>>,
    /// Outpatient unit cost.
    pub outpatients: Option<RawOutpatients>,
    /// Policy levers, each a transformation of the parameters above; the tables are in
    /// [`scenario::policy`](super::policy), one module per lever.
    pub policy: Option<RawPolicy>,
    /// Utilities, discounting and the willingness-to-pay threshold. Default: the NICE
    /// discount rate, utility 1 everywhere (QALYs = life-years), £20,000 per QALY.
    pub economics: Option<RawEconomics>,
    /// How the commissioner pays the acute hospital, and delayed-discharge reimbursement.
    /// Default: the hospital is paid its activity cost, no reimbursement.
    pub payment: Option<RawPayment>,
    /// Persons with sets of conditions instead of one record per condition. Default: none
    /// (each condition's cohort is its own patients).
    pub multimorbidity: Option<RawMultimorbidity>,
    /// Per-year multipliers on rates and stays (a secular trend). Default: none.
    pub trends: Option<RawTrends>,
    /// Parameter tables in CSV files, expanded into the keys they stand for when the file
    /// is read (see [`RawTables`](super::tables::RawTables)).
    pub tables: Option<super::tables::RawTables>,
}

/// `[trends]`: each key a trend on one kind of rate or stay. Year 1 is the first observed
/// year (after the warm-up, which runs at year 1's values); the last year's value holds
/// after the list ends.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrends {
    /// × every exacerbation rate at home.
    pub exacerbations: Option<RawTrend>,
    /// × the probability that an exacerbation is admitted (capped at 1).
    pub admissions: Option<RawTrend>,
    /// × every death hazard and the in-hospital death probability (capped at 1).
    pub deaths: Option<RawTrend>,
    /// × the arrival rate of new patients.
    pub incidence: Option<RawTrend>,
    /// × the onset rates among the living (`[multimorbidity]`).
    pub onset: Option<RawTrend>,
    /// × every acute length of stay.
    pub acute_los: Option<RawTrend>,
    /// × every community length of stay.
    pub community_los: Option<RawTrend>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// One trend: `{ by_year = [1.0, 1.02, 1.04] }` (a multiplier per observed year, each in
/// (0, 100]) or `{ annual_change = 0.02 }` (compound: year y is (1 + change)^(y − 1), for
/// every observed year; in (−0.5, 1]). Exactly one of the two.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrend {
    /// Multipliers (ratios) for observed years 1, 2, ..., each in (0, 100]. Exactly one of
    /// `by_year` and `annual_change` is required.
    pub by_year: Option<Vec<f64>>,
    /// Compound change per year, a fraction (0.02 = 2% a year), in (−0.5, 1]. Exactly one
    /// of `by_year` and `annual_change` is required.
    pub annual_change: Option<f64>,
}

/// `[multimorbidity]`: each person holds a set of the conditions, drawn at the start from
/// the joint prevalence of maximum entropy with each condition's prevalence in each age
/// band (its cohort ÷ the band's people) and each pair's odds ratio of co-occurrence; one
/// death per person; conditions acquired during the run (`conditions.<c>.onset_per_year_by_age`).
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMultimorbidity {
    /// Odds ratio of co-occurrence of every pair of conditions not in `odds_ratios`
    /// (1 = independent). Default 1. In (0, 100].
    pub odds_ratio: Option<f64>,
    /// Odds ratios of particular pairs, keyed `"<condition>+<condition>"`
    /// (`{ "copd+heart_failure" = 2.5 }`). In (0, 100]. Default: `odds_ratio` for every
    /// pair. Not with `joint_prevalence`.
    pub odds_ratios: Option<BTreeMap<String, f64>>,
    /// Deaths per person-year of people without any of the conditions, by age band: a
    /// person's death hazard is this plus, for each condition held, the condition's
    /// `deaths_per_year_by_age` above it. Default 0 (each condition's hazard is all
    /// excess). Each in [0, 1000].
    pub background_deaths_per_year_by_age: Option<BTreeMap<String, f64>>,
    /// Multiplier on an acute length of stay for each condition held beyond the first
    /// (1.05: 5% longer per extra condition). Default 1. In (0, 10].
    pub extra_condition_los_multiplier: Option<f64>,
    /// The joint prevalence given directly, by age band: the share of the band's people
    /// holding exactly each set of conditions (`{ "75_84" = { "copd" = 0.04,
    /// "copd+heart_failure" = 0.01, none = 0.6 } }`), `none` for no condition (default: the
    /// rest). Each band's shares sum to 1. The conditions' cohorts then come from it (give
    /// them no `patients`, `patients_by_age` or `prevalence`), and `odds_ratio(s)` are not
    /// used. Usually read from a CSV: `[tables] joint_prevalence`.
    pub joint_prevalence: Option<BTreeMap<String, BTreeMap<String, f64>>>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `[economics]`: the outcome side of a cost-effectiveness analysis.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEconomics {
    /// Discount rate for costs and QALYs, per year (0.035 = 3.5%). Default 0.035 (NICE
    /// reference case). In [0, 0.2].
    pub discount_rate: Option<f64>,
    /// Baseline utility of everyone (1 = full health, 0 = dead, below 0 worse than dead).
    /// At most 1 and above −0.6. Default 1. Not with `utility_by_age`.
    pub utility: Option<f64>,
    /// Baseline utility by age band (`{ "65_74" = 0.78, "75_84" = 0.73 }`), one for every
    /// band. Default: `utility` in every band. Not with `utility`.
    pub utility_by_age: Option<BTreeMap<String, f64>>,
    /// Willingness to pay for one QALY, £ per QALY, for net monetary benefit. Default
    /// 20,000. > 0.
    pub threshold: Option<f64>,
    /// Multiplier on utility while in an acute bed (waiting, admitted, delayed or out of
    /// area). Default 1. In [0, 1.5].
    pub acute_utility_multiplier: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `payment.acute`: how the acute hospital is paid.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawAcuteMechanism {
    /// Its activity cost: occupied bed-days × `acute.bed_day_cost` (default).
    Activity,
    /// Payment by Results: a tariff per spell with a trim point and an excess bed-day price.
    Tariff,
    /// A block contract: a fixed sum per year.
    Block,
    /// Capitation: a sum per person with a chronic condition, per year alive.
    Capitation,
}

/// `[payment]`: the payment perspective of the costs.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPayment {
    /// `"activity"` (default), `"tariff"`, `"block"` or `"capitation"`.
    pub acute: Option<RawAcuteMechanism>,
    /// Tariff only: £ per spell, paid when the patient leaves the bed. Required unless
    /// every condition has its own in `by_condition`. ≥ 0.
    pub spell_tariff: Option<f64>,
    /// Tariff only: the trim point, days of a spell covered by the tariff. Required unless
    /// every condition has its own in `by_condition`. In [0, 36,500].
    pub trim_days: Option<f64>,
    /// Tariff only (required): £ per bed-day beyond the trim point. ≥ 0.
    pub excess_bed_day_price: Option<f64>,
    /// Tariff only: per-condition `spell_tariff` and `trim_days`
    /// (`[payment.by_condition.stroke]`), overriding the ones above.
    pub by_condition: Option<BTreeMap<String, RawConditionTariff>>,
    /// Block only (required): £ per year, whatever the activity. ≥ 0.
    pub block_per_year: Option<f64>,
    /// Capitation only (required): £ per person with a chronic condition per year alive.
    /// ≥ 0.
    pub capitation_per_person_year: Option<f64>,
    /// Reimbursement from social care to the NHS for delayed discharges. Default: none.
    pub delayed_discharge: Option<RawDelayedDischarge>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `[payment.by_condition.<c>]`: one condition's tariff.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConditionTariff {
    /// £ per spell. Default: `payment.spell_tariff`. ≥ 0.
    pub spell_tariff: Option<f64>,
    /// Trim point, days. Default: `payment.trim_days`. In [0, 36,500].
    pub trim_days: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `[payment.delayed_discharge]`: Community Care (Delayed Discharges) Act 2003
/// reimbursement, for delays waiting for a service with `payer = "social_care"`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDelayedDischarge {
    /// Required. £ per delayed day beyond the assessment window. ≥ 0.
    #[schemars(extend("x-required" = true))]
    pub per_day: Option<f64>,
    /// Required. Days of each delay not reimbursed (the assessment window). In [0, 365].
    #[schemars(extend("x-required" = true))]
    pub assessment_days: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `[population]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPopulation {
    /// People served: the denominator of `bed_days_per_1000` and `admissions_per_1000`.
    /// Default: the sum of `age_bands`, else the number of patients at the start.
    pub catchment: Option<f64>,
    /// People in each age band (`{ "65_74" = 18000, "75_84" = 12000, "85_plus" = 4000 }`).
    /// Band names key the `*_by_age` tables; populations split `patients` and scale
    /// `prevalence`. Default: one band `all`.
    pub age_bands: Option<BTreeMap<String, f64>>,
    /// Coefficient of variation of an individual gamma frailty multiplier (mean 1) on each
    /// patient's exacerbation rate: frequent admitters and regression to the mean emerge.
    /// Default 0 (everyone alike). ≥ 0.
    pub frailty_cv: Option<f64>,
    /// Each age band's lowest age, years (`{ "65_74" = 65, "75_84" = 75, "85_plus" = 85 }`),
    /// one for every band, increasing in band-name order: people then age during the run,
    /// moving to the next band at exact times (ages at the start uniform within the band;
    /// the last band is open). Default: no ageing (everyone stays in their band).
    pub band_start_ages: Option<BTreeMap<String, f64>>,
    /// People entering each age band per year (turning 65, moving in), by simulated year
    /// from the start of the run (`{ "65_74" = [520, 530, 545] }`; the last year's number
    /// holds after the list ends); they enter at the band's start age. Only those with at
    /// least one condition (drawn from the band's joint prevalence) are modelled. Needs
    /// `[multimorbidity]`. Default: nobody enters. Each ≥ 0.
    pub entrants_per_year: Option<BTreeMap<String, Vec<f64>>>,
}

/// `[tiers.<name>]`: a level of the Kaiser pyramid.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTier {
    /// Required. Share of every cohort in this tier; shares sum to 1.
    #[schemars(extend("x-required" = true))]
    pub share: Option<f64>,
    /// Multiplier on exacerbation rates. Default 1. ≥ 0.
    pub exacerbation_multiplier: Option<f64>,
    /// Multiplier on admission probabilities (capped at 1). Default 1. ≥ 0.
    pub admit_multiplier: Option<f64>,
    /// Mean days between routine reviews, replacing the condition's. Default: the
    /// condition's.
    pub review_interval_days: Option<f64>,
    /// £ per patient-year alive in the tier (care or case management). Default 0. ≥ 0.
    pub management_cost_per_year: Option<f64>,
}

/// `[outpatients]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOutpatients {
    /// £ per outpatient attendance (paid by the hospital). Default 0. ≥ 0.
    pub attendance_cost: Option<f64>,
}

/// `payer`: whose budget pays for a community service.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawPayer {
    /// The acute hospital trust.
    Hospital,
    /// Community health services (default).
    Community,
    /// General practice.
    PrimaryCare,
    /// Local-authority social care.
    SocialCare,
}

/// `[seasonality]`: either a cosine — exacerbation rates × `1 + amplitude × cos(2π (t −
/// peak_day) / 365)`, which averages 1 over a year — or 12 `monthly` multipliers.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSeasonality {
    /// Relative swing above and below the yearly mean, a fraction of it in [0, 1) (0.25 =
    /// peak 25% above the mean, trough 25% below). Required unless `monthly` is given;
    /// not with `monthly`.
    pub amplitude: Option<f64>,
    /// Twelve multipliers (≥ 0), one per month of 365/12 days of each simulated year,
    /// instead of `amplitude`/`peak_day`. Their mean is the yearly mean multiplier.
    /// Default: none (the `amplitude` curve). Not with `amplitude` or `peak_day`.
    pub monthly: Option<Vec<f64>>,
    /// Day of the simulated year (0 = the first day of the run) when exacerbations peak,
    /// in [0, 365). Default 0. Not with `monthly`.
    pub peak_day: Option<f64>,
}

/// `[scenario]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Required. Identifier of the scenario: letters, digits, `_` and `-`. Names the output
    /// folder `output/<name>/`.
    #[schemars(extend("x-required" = true))]
    pub name: Option<String>,
    /// A short human title for charts and reports ("Early supported discharge for
    /// stroke"). Default: the name with `_` as spaces, capitalised.
    pub title: Option<String>,
    /// Free text shown in reports. Default: empty.
    pub description: Option<String>,
}

/// `[simulation]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// Required. Simulated days per replication, warm-up included. Must be > 0.
    #[schemars(extend("x-required" = true))]
    pub horizon_days: Option<f64>,
    /// Days at the start excluded from every statistic. Default 0; must be < `horizon_days`.
    pub warmup_days: Option<f64>,
    /// Replications when `--reps` is not given. Default 100; at least 1.
    pub replications: Option<u32>,
    /// Base random seed when `--seed` is not given. Default 1.
    pub seed: Option<u64>,
}

/// `when_full`: what happens to an admission request when every bed is taken.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawWhenFull {
    /// Wait FIFO for a bed.
    Queue,
    /// Admit out of area.
    Divert,
}

/// `[acute]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawAcute {
    /// Required. Staffed acute beds, at least 1.
    #[schemars(extend("x-required" = true))]
    pub beds: Option<u32>,
    /// `"queue"` (default: wait FIFO, the wait is recorded) or `"divert"` (out-of-area
    /// admission, counted and costed; the patient is away for a stay, using no local bed).
    pub when_full: Option<RawWhenFull>,
    /// £ per occupied acute bed-day, delayed-discharge days included. Default 0. ≥ 0.
    pub bed_day_cost: Option<f64>,
    /// £ per diversion (a diverted, out-of-area admission). Default 0. ≥ 0.
    pub diversion_cost: Option<f64>,
    /// Changes of the number of beds: `[{ day = 300, beds = 380 }, { day = 420, beds = 340 }]`
    /// sets the number; `[{ day = 365, add = 2 }]` adds to the number in force (planned
    /// growth that follows a sweep of `beds`, converted beds and a budget controller's
    /// moves). A cut takes effect as patients leave; nobody is evicted. Default: none.
    pub schedule: Option<Vec<RawBedChange>>,
    /// Repeat `schedule` every this many days (365 for a yearly winter plan). Default: no
    /// repeat.
    pub schedule_repeat_days: Option<f64>,
}

/// One entry of `acute.schedule`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBedChange {
    /// Required. The simulated day the change takes effect, days from the start of the
    /// run (warm-up included), ≥ 0.
    pub day: f64,
    /// Beds from then on (≥ 1). Required unless `add` is given; not with `add`.
    pub beds: Option<u32>,
    /// Beds added to the number in force (negative: closed). Required unless `beds` is
    /// given; not with `beds`.
    pub add: Option<i64>,
}

/// One entry of `community.<service>.schedule`.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPlaceChange {
    /// Required. The simulated day the change takes effect, days from the start of the
    /// run (warm-up included), ≥ 0.
    pub day: f64,
    /// Places from then on (≥ 1). Required unless `add` is given; not with `add`.
    pub capacity: Option<u32>,
    /// Places added to the number in force (negative: removed). Required unless
    /// `capacity` is given; not with `capacity`.
    pub add: Option<i64>,
}

/// `[primary_care]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPrimaryCare {
    /// £ per routine review. Default 0. ≥ 0.
    pub review_cost: Option<f64>,
    /// £ per urgent contact (an exacerbation not admitted). Default 0. ≥ 0.
    pub urgent_contact_cost: Option<f64>,
}

/// `[community.<name>]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// Required. Places (beds or caseload slots), at least 1.
    #[schemars(extend("x-required" = true))]
    pub capacity: Option<u32>,
    /// Required. Length of an episode in the service (a distribution table).
    #[schemars(extend("x-required" = true))]
    pub los: Option<RawDuration>,
    /// £ per occupied place-day. Default 0. ≥ 0.
    pub day_cost: Option<f64>,
    /// Whose budget pays: `"community"` (default), `"social_care"`, `"hospital"` or
    /// `"primary_care"`.
    pub payer: Option<RawPayer>,
    /// `"bed"` (default), `"home"` or `"long_stay"`: a home-based service's patients live
    /// at home during the episode (they can exacerbate, be admitted or die, which frees the
    /// place); a long-stay placement's residents live in it with their own death hazard
    /// and can be admitted, their place held for `hold_days`.
    pub setting: Option<crate::model::Setting>,
    /// Changes of capacity: `[{ day = 300, capacity = 60 }]` sets it, `[{ day = 365, add =
    /// 5 }]` adds to the capacity in force. Default: none.
    pub schedule: Option<Vec<RawPlaceChange>>,
    /// Repeat `schedule` every this many days. Default: no repeat.
    pub schedule_repeat_days: Option<f64>,
    /// `"keep_bed"` (default: a medically fit patient keeps the acute bed until a place
    /// frees) or `"wait_at_home"` (goes home onto the service's waiting list).
    pub when_full: Option<RawServiceWhenFull>,
    /// What follows while a need for this service is unmet or waited for at home.
    /// Default: no consequence but the ledger.
    pub unmet: Option<RawNeedConsequences>,
    /// A further service some patients need at the end of an episode:
    /// `{ service = "care_home", probability = 0.1 }`. Default: none.
    pub onward: Option<RawOnward>,
    /// Long-stay only: residents' deaths per resident-year (all age bands). Default 0.
    pub resident_deaths_per_year: Option<f64>,
    /// Long-stay only: residents' deaths per resident-year by age band, overriding
    /// `resident_deaths_per_year`. Default: `resident_deaths_per_year` in every band.
    pub resident_deaths_per_year_by_age: Option<BTreeMap<String, f64>>,
    /// Long-stay only: multiplier on residents' exacerbation rates. Default 1. ≥ 0.
    pub resident_exacerbation_multiplier: Option<f64>,
    /// Long-stay only: days a resident's place is held while they are in hospital.
    /// Default 14. In [0, 36,500].
    pub hold_days: Option<f64>,
    /// Long-stay only: residents at the start, drawn at random from the starting cohort
    /// (so that a service whose stays last years starts near its steady state). At most
    /// `capacity`. Default 0.
    pub residents_at_start: Option<u32>,
    /// Multiplier on the patient's utility during an episode of the service. Default 1.
    /// In [0, 1.5].
    pub utility_multiplier: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `when_full` of a `[community.<name>]` service.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawServiceWhenFull {
    /// Keep the acute bed (a delayed discharge).
    KeepBed,
    /// Go home onto the service's waiting list.
    WaitAtHome,
}

/// `[community.<name>.unmet]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNeedConsequences {
    /// Multiplier on the exacerbation rate while the need is unmet or waited for. Default 1.
    /// ≥ 0.
    pub exacerbation_multiplier: Option<f64>,
    /// Multiplier on the death hazard while the need is unmet or waited for. Default 1. ≥ 0.
    pub death_multiplier: Option<f64>,
    /// £ per day of unmet or waited-for need (informal or emergency care), reported as
    /// `unmet_need_cost`. Default: the service's `day_cost` (the replacement cost). ≥ 0.
    pub cost_per_day: Option<f64>,
    /// Probability that an unmet need ends needing `escalate_to`, in [0, 1]. Default 0.
    pub escalation_probability: Option<f64>,
    /// The higher level of care (a service name); required with an escalation probability.
    pub escalate_to: Option<String>,
    /// Multiplier on the patient's utility while the need is unmet or waited for at home.
    /// Default 1. In [0, 1.5].
    pub utility_multiplier: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// `onward` of a `[community.<name>]` service.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOnward {
    /// Required. The further service (a name).
    #[schemars(extend("x-required" = true))]
    pub service: Option<String>,
    /// Required. Probability that an episode ends needing it, in [0, 1].
    #[schemars(extend("x-required" = true))]
    pub probability: Option<f64>,
}

/// `[conditions.<name>]`
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    /// Patients with the condition at the start, split across age bands by band population.
    /// Exactly one of `patients`, `patients_by_age` and `prevalence` is required.
    pub patients: Option<u32>,
    /// Patients at the start by age band (`{ "65_74" = 900, "75_84" = 700 }`); unlisted
    /// bands have none. One of `patients`, `patients_by_age` and `prevalence` is required
    /// (none when `multimorbidity.joint_prevalence` gives the cohorts).
    pub patients_by_age: Option<BTreeMap<String, u32>>,
    /// Share of the population with the condition, applied to each band's population (or
    /// to the catchment without bands). In [0, 1]. One of `patients`, `patients_by_age`
    /// and `prevalence` is required (none when `multimorbidity.joint_prevalence` gives
    /// the cohorts).
    pub prevalence: Option<f64>,
    /// Death hazard at home per patient-year by age band, overriding `deaths_per_year`.
    /// Default: `deaths_per_year` in every band.
    pub deaths_per_year_by_age: Option<BTreeMap<String, f64>>,
    /// Multiplier on acute lengths of stay by age band. Default 1.
    pub los_multiplier_by_age: Option<BTreeMap<String, f64>>,
    /// Exacerbation-rate multiplier per prior emergency admission (COPD: 357 days between
    /// the 1st and 2nd admission falling to 19 after 8 suggests ~1.5). Default 1. In [0, 10]
    /// (it compounds).
    pub admission_multiplier: Option<f64>,
    /// Count only admissions within this many days for `admission_multiplier` (a window, so
    /// that a high-risk flag decays; at most 8 admissions count). Default: every prior
    /// admission. ≥ 1.
    pub admission_history_days: Option<f64>,
    /// Exacerbation-rate multiplier for `post_discharge_days` after each discharge.
    /// Default 1. ≥ 0.
    pub post_discharge_multiplier: Option<f64>,
    /// Length of the raised-risk window after a discharge, days. Default 0. In [0, 36,500].
    pub post_discharge_days: Option<f64>,
    /// Outpatient referrals per patient-year at home (Poisson). Default 0. In [0, 1000].
    pub outpatient_referrals_per_year: Option<f64>,
    /// Mean outpatient attendances per referral (1 + Poisson). Default 1. In [1, 1000].
    pub attendances_per_referral: Option<f64>,
    /// Share of new patients arriving as an admission request (an acute first event).
    /// Default 0. In [0, 1].
    pub first_event_admission_share: Option<f64>,
    /// Onset of the condition among living persons without it, per person-year by age band
    /// (needs `[multimorbidity]`): they acquire it at home and keep their other conditions.
    /// Default 0. Each in [0, 1000].
    pub onset_per_year_by_age: Option<BTreeMap<String, f64>>,
    /// Mean days between routine primary-care reviews while at home (Poisson). Default: no
    /// reviews. Must be > 0.
    pub review_interval_days: Option<f64>,
    /// Required. Exacerbations per patient-year at home (Poisson; 1 year = 365 days). ≥ 0.
    #[schemars(extend("x-required" = true))]
    pub exacerbations_per_year: Option<f64>,
    /// Required. Probability that an exacerbation becomes an emergency admission request;
    /// otherwise it is an urgent primary-care contact. In [0, 1].
    #[schemars(extend("x-required" = true))]
    pub admit: Option<f64>,
    /// Required. Acute length of stay until medically fit (a distribution table).
    #[schemars(extend("x-required" = true))]
    pub los: Option<RawDuration>,
    /// Deaths per patient-year at home (a constant hazard). Default 0. ≥ 0.
    pub deaths_per_year: Option<f64>,
    /// Probability that an acute stay ends in death. Default 0. In [0, 1].
    pub in_hospital_death: Option<f64>,
    /// New patients per year arriving at home (Poisson incidence; an open cohort). Default 0.
    /// ≥ 0.
    pub new_patients_per_year: Option<f64>,
    /// Probability of needing each community service at discharge, by service name
    /// (`{ intermediate_care = 0.25 }`); each in [0, 1], summing to at most 1; the remainder go
    /// home. Default: everyone goes home.
    pub discharge: Option<BTreeMap<String, f64>>,
    /// Multiplier on the age band's baseline utility (`[economics]`) for a patient with the
    /// condition. Default 1. In [0, 1.5].
    pub utility_multiplier: Option<f64>,
    /// QALYs lost with each emergency admission beyond the time in the bed (the acute
    /// event's lasting decrement), QALYs per admission. Default 0. In [0, 1).
    pub admission_qaly_loss: Option<f64>,
    /// Evidence for the settings: see [`RawEvidenceTable`].
    pub evidence: RawEvidenceTable,
}

/// A distribution of durations, tagged by `dist`. Every variant denies unknown keys.
#[derive(Clone, Debug, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum RawDuration {
    /// `{ dist = "exponential", mean_days = 14.0 }`
    Exponential {
        /// Mean, days (> 0).
        mean_days: f64,
    },
    /// `{ dist = "lognormal", mean_days = 7.0, sd_days = 7.0 }` (mean and sd of the stay
    /// itself, not of its logarithm).
    Lognormal {
        /// Mean, days (> 0).
        mean_days: f64,
        /// Standard deviation, days (> 0).
        sd_days: f64,
    },
    /// `{ dist = "gamma", mean_days = 10.0, sd_days = 4.0 }`
    Gamma {
        /// Mean, days (> 0).
        mean_days: f64,
        /// Standard deviation, days (> 0).
        sd_days: f64,
    },
    /// `{ dist = "weibull", mean_days = 450.0, sd_days = 600.0 }` (mean and sd of the stay;
    /// sd above the mean gives a falling hazard and a long tail, as in care-home stays)
    Weibull {
        /// Mean, days (> 0).
        mean_days: f64,
        /// Standard deviation, days (> 0).
        sd_days: f64,
    },
    /// `{ dist = "fixed", days = 3.0 }`
    Fixed {
        /// Duration, days (≥ 0).
        days: f64,
    },
    /// `{ dist = "empirical", values_days = [1, 2, 5], weights = [5, 3, 2] }`: one of the
    /// values, with probability proportional to its weight (equal weights if omitted).
    Empirical {
        /// Possible durations, days (≥ 0).
        values_days: Vec<f64>,
        /// Relative frequencies, ratios (≥ 0, not all 0), one per value. Default: equal.
        #[serde(default)]
        weights: Vec<f64>,
    },
}
