//! The state of one replication apart from the event queue: the patient table, the pools,
//! the time integrals, the wait histogram, the stability check, the random streams and the
//! tally. The handlers that change it are in `model::sim`; this module builds, clears and
//! reads it (closing the integrals into the [`Tally`], checking conservation).
//!
//! Most of its fields are `pub(super)` for the handlers (the wait histogram is private to
//! this module); the public ones are what a [`Recorder`](super::sim::Recorder) may read
//! after each event.

use rand::RngExt;
use rand_distr::{Distribution, Gamma, Poisson};

use super::economics::{DelayReimbursement, discounted_days};
use super::event::{Event, EventKind, PatientId};
use super::params::{Params, Payer};
use super::patients::{CareState, FLAG_AWAITING, FLAG_HOLDING, PatientTable};
use super::streams::{PatientRng, Stream, StreamSeeds, Streams};
use super::tally::Tally;
use crate::engine::{Days, DiscountClock, DiscountedIntegral, EventQueue, Pool, TimeIntegral};

/// Resolution of the wait-for-a-bed histogram behind `p95_wait_days` for waits up to
/// [`FINE_WAIT_DAYS`], days.
pub const WAIT_BIN_DAYS: Days = 0.01;
/// Waits up to this long are binned at [`WAIT_BIN_DAYS`]; longer ones (only an overloaded
/// system has them) in whole days up to the horizon, so no wait is ever capped, days.
pub const FINE_WAIT_DAYS: Days = 365.0;
/// Number of fine bins (index 1 ..= this cover (0, [`FINE_WAIT_DAYS`]]).
const FINE_WAIT_BINS: usize = 36_500;

/// The histogram bin of a positive wait: fine bins of [`WAIT_BIN_DAYS`] up to
/// [`FINE_WAIT_DAYS`], then one bin per day.
#[inline]
fn wait_bin(wait: Days) -> usize {
    if wait <= FINE_WAIT_DAYS {
        (wait / WAIT_BIN_DAYS).ceil() as usize
    } else {
        FINE_WAIT_BINS + (wait - FINE_WAIT_DAYS).ceil() as usize
    }
}

/// The upper edge of wait bin `i`, days.
fn wait_bin_edge(i: usize) -> Days {
    if i <= FINE_WAIT_BINS {
        i as f64 * WAIT_BIN_DAYS
    } else {
        FINE_WAIT_DAYS + (i - FINE_WAIT_BINS) as f64
    }
}

/// Share of the census days of the stability window a pool must be full on to be flagged
/// unstable.
pub const UNSTABLE_FULL_SHARE: f64 = 0.99;
/// Relative growth of the mean waiting line from the first to the second half of the
/// stability window that, with the pool full, flags it unstable.
pub const UNSTABLE_LINE_GROWTH: f64 = 0.05;

/// Constants of one cell — a condition × age band × risk tier — derived from [`Params`]
/// once per simulation. Every patient belongs to one cell.
#[derive(Clone, Debug)]
pub(super) struct Cell {
    /// Index into [`Params::conditions`].
    pub(super) condition: u16,
    /// Condition × age band index (the rows of `by_group.csv`).
    pub(super) group: u16,
    /// Index into [`Params::tiers`].
    pub(super) tier: u16,
    /// Index into [`PopulationParams::age_bands`](super::params::PopulationParams::age_bands).
    pub(super) band: u16,
    /// Exacerbations per day at home before frailty, history and season.
    pub(super) exacerbation_rate: f64,
    /// Death hazard at home, per day.
    pub(super) death_rate: f64,
    /// Probability that an exacerbation becomes an admission request (tier applied).
    pub(super) admit: f64,
    /// Routine reviews per day at home.
    pub(super) review_rate: f64,
    /// Outpatient referrals per day at home.
    pub(super) outpatient_rate: f64,
    /// Multiplier on sampled acute lengths of stay.
    pub(super) los_multiplier: f64,
    /// Probability that an acute stay ends in death.
    pub(super) in_hospital_death: f64,
    /// Exacerbation-rate multiplier per prior admission.
    pub(super) admission_multiplier: f64,
    /// Prior admissions count only within this many days (∞: every admission since the
    /// start, the lifetime count).
    pub(super) history_days: Days,
    /// Exacerbation-rate multiplier inside the post-discharge window.
    pub(super) post_discharge_multiplier: f64,
    /// Length of that window, days.
    pub(super) post_discharge_days: Days,
    /// Peak seasonal multiplier × post-discharge bound: the thinning headroom.
    pub(super) headroom: f64,
    /// No deaths, season, history or post-discharge effect: every candidate event at home
    /// is an exacerbation, and no draw is needed to classify it.
    pub(super) simple: bool,
    /// Utility at home: the band's baseline × the condition's multiplier.
    pub(super) utility: f64,
    /// QALYs lost with each emergency admission (beyond the time in the bed).
    pub(super) admission_qaly_loss: f64,
    /// Mean extra outpatient attendances per referral (attendances per referral − 1).
    pub(super) extra_attendances: f64,
    /// The conditions held, a bit mask over [`Params::conditions`] (with
    /// `[multimorbidity]`; otherwise the one condition's bit, or 0 beyond 16 conditions).
    pub(super) set: u16,
    /// Number of conditions held (1 without `[multimorbidity]`).
    pub(super) count: u8,
    /// Onset of conditions not held, per day (0 without `[multimorbidity]`).
    pub(super) onset_rate: f64,
    /// With several conditions: the cumulative shares of the exacerbation rate by
    /// condition, a range of [`World::mixes`] (which condition an exacerbation is of).
    pub(super) exacerbation_mix: (u32, u32),
    /// The cumulative shares of the onset rate by condition not held, a range of
    /// [`World::mixes`].
    pub(super) onset_mix: (u32, u32),
}

/// The index of cell (`pair`, band, tier), where `pair` is a condition (one record per
/// condition) or a (set, lead) pair: pair-major, then band, then tier, so that moving up one
/// age band adds the number of tiers.
#[inline]
fn cell_index(pair: usize, band: usize, bands: usize, tier: usize, tiers: usize) -> usize {
    (pair * bands + band) * tiers + tier
}

/// The main condition of `set`: the one with the most expected admission requests per
/// patient-year (the lowest index among equals).
pub(super) fn main_condition(params: &Params, set: u16) -> usize {
    let mut best = (usize::MAX, f64::NEG_INFINITY);
    for c in super::persons::members(set) {
        let cond = &params.conditions[c];
        let load = cond.exacerbation_rate_per_day * cond.admit;
        if load > best.1 {
            best = (c, load);
        }
    }
    best.0
}

/// The tier of each (tier split from, programmes enrolled in) when programmes have uptake
/// curves (empty otherwise).
fn tier_lookup(params: &Params) -> Vec<u32> {
    let programmes = params.levers.programme_uptake.len();
    if programmes == 0 {
        return Vec::new();
    }
    let bases = params
        .tiers
        .iter()
        .filter_map(|t| t.enrolment.map(|(b, _)| b + 1))
        .max()
        .unwrap_or(0);
    let mut of = vec![u32::MAX; bases << programmes];
    for (t, tier) in params.tiers.iter().enumerate() {
        if let Some((base, mask)) = tier.enrolment {
            of[(base << programmes) | mask as usize] = t as u32;
        }
    }
    of
}

/// The first (set, lead) pair index of each set: `offsets[set] + rank of lead in set`.
fn pair_offsets(conditions: usize) -> Vec<u32> {
    let mut offsets = Vec::with_capacity(1 << conditions);
    let mut next = 0u32;
    for set in 0..1u32 << conditions {
        offsets.push(next);
        next += set.count_ones();
    }
    offsets
}

/// The state of one replication apart from the event queue (split so that the engine's
/// [`run_until`](crate::engine::run_until) can lend the queue to the handlers).
#[derive(Debug)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent switches of features that are off in most scenarios, read per event"
)]
pub struct World<'p> {
    /// The parameters of every replication.
    pub(super) params: &'p Params,
    /// Every cell, indexed by [`Hot::cell`](super::patients::Hot::cell).
    pub(super) cells: Vec<Cell>,
    /// Cumulative discharge probabilities per condition: `(threshold, service)`.
    pub(super) routes: Vec<Vec<(f64, u16)>>,
    /// Cumulative shares and conditions, ranges of which the cells name
    /// ([`Cell::exacerbation_mix`], [`Cell::onset_mix`]).
    pub(super) mixes: Vec<(f64, u16)>,
    /// With `[multimorbidity]`: the first (set, lead) pair of each set (see `cell_of`).
    pub(super) pair_offsets: Vec<u32>,
    /// With programme uptake curves: the tier of each (tier split from, programmes
    /// enrolled in), at `(base << programmes) | mask` (see
    /// [`TierParams::enrolment`](super::params::TierParams::enrolment)).
    pub(super) tier_of: Vec<u32>,
    /// Distribution of the frailty multiplier (`None`: everyone 1).
    pub(super) frailty: Option<Gamma<f64>>,
    /// Patients, struct-of-arrays.
    pub patients: PatientTable,
    /// Acute beds; the line holds patients waiting for a bed.
    pub acute: Pool<PatientId>,
    /// Community services; each line holds delayed discharges waiting for that service.
    pub services: Vec<Pool<PatientId>>,
    /// Number of delayed discharges in acute beds, integrated over time.
    pub delayed: TimeIntegral,
    /// Patients at home per cell, integrated over time (person-days at home).
    pub at_home: Vec<DiscountedIntegral>,
    /// Patients alive per tier, integrated over time.
    pub alive_by_tier: Vec<DiscountedIntegral>,
    /// Patients at home with an unmet need, per service, integrated over time.
    pub unmet: Vec<DiscountedIntegral>,
    /// Patients waiting at home on each service's list, integrated over time.
    pub home_waiting: Vec<DiscountedIntegral>,
    /// Every need for a community service since the start of the replication (warm-up
    /// included), by how it ended so far.
    pub needs: NeedLedger,
    /// The daily censuses since the pooled budget controller's last review, and its credit.
    pub(super) review: ReviewCensus,
    /// Patients enrolled in targeted care management, integrated over time (their
    /// level is the caseload in use).
    pub enrolled: DiscountedIntegral,
    /// The utility of everyone alive, integrated over time (utility-days), kept only when
    /// utilities are given (`quality_on`).
    pub quality: DiscountedIntegral,
    /// Whether utilities differ from 1 somewhere, so that changes of state change quality.
    pub(super) quality_on: bool,
    /// Continuous discount rate, per day (0: none).
    pub(super) discount_rate: f64,
    /// The discount weight of the moment being simulated (from time 0), shared by the
    /// integrals that change at it.
    pub(super) clock: DiscountClock,
    /// `e^{δ · warm-up}`: rebases weights from time 0 to the end of the warm-up.
    pub(super) rebase: f64,
    /// The marks of each observed year's end.
    pub(super) years: YearBook,
    /// Whether a service changes rates where patients are, or a trend changes rates at
    /// home by year ([`Trends::rates_at_home`](super::trends::Trends::rates_at_home)): the
    /// candidate events at home then take the general path.
    pub(super) varying: bool,
    /// Whether any trend is given (`[trends]`), so that the handlers look at them at all.
    pub(super) trends_on: bool,
    /// Whether persons hold sets of conditions (`[multimorbidity]`): counts by number of
    /// conditions are kept per event only then (otherwise everyone holds one).
    pub(super) persons_on: bool,
    /// Whether some enrolment programme has an uptake curve.
    pub(super) uptake_on: bool,
    /// Whether a lever enrols patients during the run (targeted care management), so that
    /// the enrolment hooks are asked at all.
    pub(super) enrolment_rule: bool,
    /// Immediate admissions (wait 0) and positive waits in bins of [`WAIT_BIN_DAYS`].
    wait_zero: u64,
    wait_bins: Vec<u32>,
    /// Start of statistics (0, or the end of warm-up), days.
    pub(super) stats_from: Days,
    /// The stability check of every pool (acute first, then each service), over the last
    /// third of the observed period.
    pub(super) stability: Vec<Stability>,
    /// Census days from which the stability check counts, days.
    pub(super) stability_from: Days,
    /// Whether any capacity follows a schedule (then the census records capacity too).
    pub(super) scheduled: bool,
    /// The shared random streams (the per-patient ones are keyed from them).
    pub(super) streams: Streams,
    /// Counts since the end of warm-up.
    pub tally: Tally,
}

/// The cumulative values of the additive metrics at the end of each observed year, and what
/// of each cell's time at home the review and referral draws have used so far.
#[derive(Clone, Debug, Default)]
pub(super) struct YearBook {
    /// Cumulative additive metric values at each year's end.
    pub(super) marks: Vec<Vec<f64>>,
    /// Per cell: person-days at home, undiscounted and discounted, already drawn from.
    pub(super) drawn: Vec<[f64; 2]>,
    /// Per column of the values by year: whether it is a stock at the year's end
    /// ([`catalogue::is_stock`](super::catalogue::is_stock)) rather than a sum over the year.
    pub(super) stock: Vec<bool>,
}

/// What the pooled budget's controller has counted since its last review (sums over daily
/// censuses), and the money it holds that is not yet worth a whole place.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct ReviewCensus {
    pub(super) days: u32,
    pub(super) waiting_for_service: f64,
    pub(super) waiting_for_bed: f64,
    pub(super) idle_places: f64,
    /// Place-days per day of money held back (a fraction of a place), places.
    pub(super) credit: f64,
}

/// The ledger of needs for community services: every need created ends as received, is
/// waiting (in an acute bed, at home on the service's list, or in an interim service), is
/// unmet (an episode at home without the service, ongoing or ended), or was superseded
/// (the patient died, was readmitted, or took their usual route at the usual discharge
/// date while waiting) — never dropped. [`World::check_conservation`] checks the sum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeedLedger {
    /// Needs created (a discharge route, an onward or escalated need, early supported
    /// discharge, step-up care).
    pub created: u64,
    /// Needs met by a place.
    pub received: u64,
    /// Needs recorded as unmet (episodes at home without the service).
    pub unmet: u64,
    /// Needs ended while waiting by death, readmission or the usual route.
    pub superseded: u64,
}

/// The census of one pool over the stability window (the last third of the observed
/// period): a pool that is full on nearly every day of the window while its waiting line
/// grows has no steady state, and its waits and delays measure the horizon, not the system.
/// Growth is judged on the mean line of each half of the window, not on two single days, so
/// that a saturated but stable line (one that patients leave, as delayed discharges do at
/// their usual discharge date) is not flagged for its day-to-day noise.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Stability {
    census_days: u32,
    full_days: u32,
    /// Sum of the waiting line and census days in the first and second half of the window.
    line_sum: [f64; 2],
    half_days: [u32; 2],
}

impl Stability {
    /// Count one census of a pool with `in_use` of `capacity` taken and `line` waiting, in
    /// half `half` (0 or 1) of the window.
    #[inline]
    pub(super) fn census(&mut self, in_use: u32, capacity: u32, line: usize, half: usize) {
        self.census_days += 1;
        self.full_days += u32::from(in_use >= capacity);
        self.line_sum[half] += line as f64;
        self.half_days[half] += 1;
    }

    /// Fewest census days the check needs before it flags anything.
    const MIN_DAYS: u32 = 30;

    /// Whether the pool looks unstable: full on [`UNSTABLE_FULL_SHARE`] of the window's days
    /// and its mean waiting line in the second half longer than in the first by at least
    /// [`UNSTABLE_LINE_GROWTH`] and one patient.
    fn unstable(&self) -> bool {
        if self.census_days < Self::MIN_DAYS || self.half_days.contains(&0) {
            return false;
        }
        let first = self.line_sum[0] / f64::from(self.half_days[0]);
        let second = self.line_sum[1] / f64::from(self.half_days[1]);
        f64::from(self.full_days) >= UNSTABLE_FULL_SHARE * f64::from(self.census_days)
            && second >= (first * (1.0 + UNSTABLE_LINE_GROWTH)).max(first + 1.0)
    }
}

/// Every cell of `params`, pair-major (a condition, or with `[multimorbidity]` a (set,
/// lead) pair in set order), then age band, then tier; and the cumulative shares the cells
/// of several conditions name.
fn build_cells(params: &Params) -> (Vec<Cell>, Vec<(f64, u16)>) {
    let peak = params.seasonality.map_or(1.0, |s| s.max_multiplier());
    let mut cells = Vec::new();
    let mut mixes = Vec::new();
    if params.persons.is_some() {
        let k = params.conditions.len();
        for set in 1..1u32 << k {
            for lead in super::persons::members(set as u16) {
                push_cells(params, &mut cells, &mut mixes, set as u16, lead, peak);
            }
        }
    } else {
        for c in 0..params.conditions.len() {
            let set = if c < 16 { 1u16 << c } else { 0 };
            push_cells(params, &mut cells, &mut mixes, set, c, peak);
        }
    }
    (cells, mixes)
}

/// The cells of `set` with `lead` as the condition of the latest exacerbation, every age
/// band and tier. Without `[multimorbidity]`, `set` holds only `lead`.
fn push_cells(
    params: &Params,
    cells: &mut Vec<Cell>,
    mixes: &mut Vec<(f64, u16)>,
    set: u16,
    lead: usize,
    peak: f64,
) {
    let bands = params.population.age_bands.len();
    let persons = params.persons.as_ref();
    let held: Vec<usize> = if persons.is_some() {
        super::persons::members(set).collect()
    } else {
        vec![lead]
    };
    let cond = &params.conditions[lead];
    // Cumulative shares of `weights` over `of`, pushed to `mixes`: the range.
    let mut mix = |of: &[usize], weight: &dyn Fn(usize) -> f64| -> (u32, u32) {
        let total: f64 = of.iter().map(|&c| weight(c)).sum();
        let from = mixes.len() as u32;
        if of.len() > 1 && total > 0.0 {
            let mut acc = 0.0;
            for &c in of {
                acc += weight(c);
                mixes.push((acc / total, c as u16));
            }
        }
        (from, mixes.len() as u32)
    };
    let exacerbation_mix = mix(&held, &|c| params.conditions[c].exacerbation_rate_per_day);
    for b in 0..bands {
        let band = &cond.bands[b];
        let not_held: Vec<usize> = match persons {
            Some(_) => (0..params.conditions.len())
                .filter(|c| set & (1 << c) == 0)
                .collect(),
            None => vec![],
        };
        let onset = |c: usize| persons.map_or(0.0, |p| p.onset_rate_per_day[c][b]);
        let onset_rate: f64 = not_held.iter().map(|&c| onset(c)).sum();
        let onset_mix = if onset_rate > 0.0 {
            let from = mixes.len() as u32;
            let mut acc = 0.0;
            for &c in &not_held {
                acc += onset(c);
                mixes.push((acc / onset_rate, c as u16));
            }
            (from, mixes.len() as u32)
        } else {
            (0, 0)
        };
        let (death_rate, extra_los, exacerbation, review, outpatient, extra_attendances, utility) =
            match persons {
                None => (
                    band.death_rate_per_day,
                    1.0,
                    cond.exacerbation_rate_per_day,
                    cond.review_rate_per_day,
                    cond.outpatient_referrals_per_day,
                    cond.attendances_per_referral - 1.0,
                    cond.utility_multiplier,
                ),
                Some(p) => {
                    let of = |f: &dyn Fn(&super::params::ConditionParams) -> f64| -> f64 {
                        held.iter().map(|&c| f(&params.conditions[c])).sum()
                    };
                    let rates: Vec<f64> = params
                        .conditions
                        .iter()
                        .map(|c| c.bands[b].death_rate_per_day)
                        .collect();
                    let referrals = of(&|c| c.outpatient_referrals_per_day);
                    let extra =
                        if held.len() == 1 {
                            cond.attendances_per_referral - 1.0
                        } else if referrals > 0.0 {
                            of(&|c| {
                                c.outpatient_referrals_per_day * (c.attendances_per_referral - 1.0)
                            }) / referrals
                        } else {
                            0.0
                        };
                    (
                        p.death_rate(set, b, &rates),
                        p.extra_condition_los_multiplier.powi(held.len() as i32 - 1),
                        of(&|c| c.exacerbation_rate_per_day),
                        of(&|c| c.review_rate_per_day),
                        referrals,
                        extra,
                        held.iter()
                            .map(|&c| params.conditions[c].utility_multiplier)
                            .product(),
                    )
                }
            };
        for (t, tier) in params.tiers.iter().enumerate() {
            let pd = cond.post_discharge_multiplier.max(1.0);
            // Enrolment that changes the rate makes candidates of enrolled patients
            // rejectable.
            let enrolment_varies = params
                .levers
                .care_management
                .as_ref()
                .is_some_and(|r| r.targeted[lead] && r.exacerbation_multiplier != 1.0);
            let simple = death_rate == 0.0
                && onset_rate == 0.0
                && peak == 1.0
                && cond.admission_multiplier == 1.0
                && !enrolment_varies
                && (cond.post_discharge_multiplier == 1.0 || cond.post_discharge_days == 0.0);
            cells.push(Cell {
                condition: lead as u16,
                group: (lead * bands + b) as u16,
                tier: t as u16,
                band: b as u16,
                exacerbation_rate: exacerbation * tier.exacerbation_multiplier,
                death_rate,
                admit: (cond.admit * tier.admit_multiplier).min(1.0),
                review_rate: tier.review_rate_per_day.unwrap_or(review),
                outpatient_rate: outpatient,
                los_multiplier: band.los_multiplier * extra_los,
                in_hospital_death: cond.in_hospital_death,
                admission_multiplier: cond.admission_multiplier,
                history_days: cond.admission_history_days.unwrap_or(f64::INFINITY),
                post_discharge_multiplier: cond.post_discharge_multiplier,
                post_discharge_days: cond.post_discharge_days,
                headroom: peak * pd,
                simple,
                utility: params
                    .economics
                    .utility_by_band
                    .get(b)
                    .copied()
                    .unwrap_or(1.0)
                    * utility,
                admission_qaly_loss: cond.admission_qaly_loss,
                extra_attendances,
                set,
                count: held.len() as u8,
                onset_rate,
                exacerbation_mix,
                onset_mix,
            });
        }
    }
}

impl<'p> World<'p> {
    /// Allocate the state of a replication of `params` (patient table, pools, integrals,
    /// wait histogram), sized once and reused by every run.
    pub(super) fn new(params: &'p Params) -> Self {
        let (cells, mixes) = build_cells(params);
        let routes = params
            .conditions
            .iter()
            .map(|c| {
                let mut cumulative = 0.0;
                c.discharge
                    .iter()
                    .map(|r| {
                        cumulative += r.probability;
                        (cumulative, r.service as u16)
                    })
                    .collect()
            })
            .collect();
        let cv = params.population.frailty_cv;
        // Validation keeps cv in [0.001, 10]; a cv the sampler cannot take means no frailty.
        let frailty = (cv > 0.0)
            .then(|| Gamma::new(1.0 / (cv * cv), cv * cv).ok())
            .flatten();
        let mut patients = PatientTable::default();
        patients.keep_history(params.keeps_history());
        patients.reset(params.expected_patients());
        let zero_seeds = StreamSeeds([0; Stream::ALL.len()]);
        let n_cells = cells.len();
        let discount_rate = params.economics.rate_per_day();
        let pool = |capacity| {
            let mut pool = Pool::new(capacity, 1024);
            pool.discount(discount_rate);
            pool
        };
        World {
            params,
            cells,
            routes,
            mixes,
            pair_offsets: if params.persons.is_some() {
                pair_offsets(params.conditions.len())
            } else {
                Vec::new()
            },
            tier_of: tier_lookup(params),
            frailty,
            patients,
            acute: pool(params.acute.beds),
            services: params.services.iter().map(|s| pool(s.capacity)).collect(),
            delayed: TimeIntegral::default(),
            at_home: vec![DiscountedIntegral::default(); n_cells],
            alive_by_tier: vec![DiscountedIntegral::default(); params.tiers.len()],
            unmet: vec![DiscountedIntegral::default(); params.services.len()],
            home_waiting: vec![DiscountedIntegral::default(); params.services.len()],
            needs: NeedLedger::default(),
            enrolled: DiscountedIntegral::default(),
            quality: DiscountedIntegral::default(),
            quality_on: params.economics.utilities_given,
            discount_rate,
            clock: DiscountClock::new(discount_rate),
            rebase: (discount_rate * params.warmup_days).exp(),
            years: YearBook {
                stock: Tally::by_year_names(params)
                    .iter()
                    .map(|n| super::catalogue::is_stock(n))
                    .collect(),
                ..YearBook::default()
            },
            varying: params.rates_depend_on_state() || params.trends.rates_at_home(),
            trends_on: params.trends != super::trends::Trends::default(),
            persons_on: params.persons.is_some(),
            uptake_on: !params.levers.programme_uptake.is_empty(),
            enrolment_rule: params.levers.care_management.is_some(),
            review: ReviewCensus::default(),
            wait_zero: 0,
            wait_bins: vec![0; wait_bin(params.horizon_days.max(FINE_WAIT_DAYS)) + 1],
            stats_from: 0.0,
            stability: vec![Stability::default(); 1 + params.services.len()],
            stability_from: params.horizon_days - params.observed_days() / 3.0,
            scheduled: params.levers.budget_controller.is_some()
                || std::iter::once(&params.acute.schedule)
                    .chain(params.services.iter().map(|s| &s.schedule))
                    .any(|s| !s.changes.is_empty()),
            streams: Streams::new(&zero_seeds),
            tally: Tally::new(params),
        }
    }

    /// Empty every buffer (keeping its allocation) for a new replication drawing from
    /// `seeds`: no patients, pools at their starting capacities, integrals and counts at 0.
    pub(super) fn clear(&mut self, seeds: &StreamSeeds) {
        let params = self.params;
        self.streams = Streams::new(seeds);
        self.patients.reset(params.expected_patients());
        self.acute.clear(params.acute.beds);
        for (pool, s) in self.services.iter_mut().zip(&params.services) {
            pool.clear(s.capacity);
        }
        self.delayed = TimeIntegral::default();
        // Integrals that are priced or carry outcomes are also discounted.
        let rate = self.discount_rate;
        self.at_home
            .iter_mut()
            .chain(&mut self.alive_by_tier)
            .chain(&mut self.unmet)
            .chain(&mut self.home_waiting)
            .chain([&mut self.enrolled, &mut self.quality])
            .for_each(|h| *h = DiscountedIntegral::new(rate));
        self.needs = NeedLedger::default();
        self.review = ReviewCensus::default();
        self.clock = DiscountClock::new(rate);
        self.years.marks.clear();
        self.years.drawn.clear();
        self.years.drawn.resize(self.cells.len(), [0.0; 2]);
        self.wait_zero = 0;
        self.wait_bins.iter_mut().for_each(|b| *b = 0);
        self.stats_from = 0.0;
        self.stability
            .iter_mut()
            .for_each(|s| *s = Stability::default());
        self.tally.clear();
        self.tally.daily_occupancy.clear();
        self.tally.daily_capacity.clear();
    }

    /// Start statistics afresh at `now` (the end of warm-up): counts to zero, integrals
    /// from now.
    pub(super) fn restart_statistics(&mut self, now: Days) {
        self.tally.clear();
        self.stats_from = now;
        self.wait_zero = 0;
        self.wait_bins.iter_mut().for_each(|b| *b = 0);
        self.acute.reset_stats(now);
        for s in &mut self.services {
            s.reset_stats(now);
        }
        self.delayed.reset(now);
        for h in self
            .at_home
            .iter_mut()
            .chain(&mut self.alive_by_tier)
            .chain(&mut self.unmet)
            .chain(&mut self.home_waiting)
            .chain([&mut self.enrolled, &mut self.quality])
        {
            h.reset(now);
        }
        self.years.drawn.fill([0.0; 2]);
    }

    /// The discount factor at `now`: `(1 + r)^−t` with t in years from the end of the
    /// warm-up.
    #[inline]
    pub(super) fn discount_at(&mut self, now: Days) -> f64 {
        self.clock.weight(now) * self.rebase
    }

    /// The weight `e^{−δ now}` from time 0, for [`DiscountedIntegral::add_at`].
    #[inline]
    pub(super) fn weight(&mut self, now: Days) -> f64 {
        self.clock.weight(now)
    }

    /// The utility of a patient of `cell` in `state`: the cell's utility × the state's
    /// multiplier (0 when dead).
    pub(super) fn utility(&self, cell: &Cell, state: CareState) -> f64 {
        let e = &self.params.economics;
        let services = &self.params.services;
        cell.utility
            * match state {
                CareState::Home => 1.0,
                CareState::Dead => 0.0,
                CareState::Acute
                | CareState::WaitingForBed
                | CareState::DelayedDischarge(_)
                | CareState::OutOfArea => e.acute_utility_multiplier,
                CareState::Community(s) => services[s as usize].utility_multiplier,
                CareState::Unmet(s) | CareState::WaitingAtHome(s) => {
                    services[s as usize].unmet.utility_multiplier
                }
            }
    }

    /// Record a wait for a bed of `wait` days in the histogram behind `p95_wait_days`.
    #[inline]
    pub(super) fn record_wait(&mut self, wait: Days) {
        if wait > 0.0 {
            let bin = wait_bin(wait).min(self.wait_bins.len() - 1);
            self.wait_bins[bin] += 1;
        } else {
            self.wait_zero += 1;
        }
    }

    /// Schedule an event of `kind` for patient `p` at `time`, under their current generation.
    #[inline]
    pub(super) fn push(
        &self,
        q: &mut EventQueue<Event>,
        time: Days,
        p: PatientId,
        kind: EventKind,
    ) {
        q.push(
            time,
            Event {
                patient: p,
                generation: self.patients.hot(p).generation,
                kind,
                tag: 0,
            },
        );
    }

    /// An event of person `p` that outlives their changes of state (not cancelled by a
    /// generation bump): it carries the slot's incarnation instead, so that it is ignored if
    /// they die and the slot goes to someone else first.
    pub(super) fn person_event(&self, kind: EventKind, p: PatientId) -> Event {
        let mut ev = Event::system(kind);
        ev.patient = p;
        ev.generation = self.patients.hot(p).incarnation;
        ev
    }

    /// Patient `p`'s own random numbers for process `purpose`.
    #[inline]
    pub(super) fn rng(&mut self, p: PatientId, purpose: Stream) -> PatientRng<'_> {
        let hot = self.patients.hot_mut(p);
        PatientRng {
            key: self.streams.keys[purpose as usize],
            patient: u64::from(hot.serial) << 32,
            counter: &mut hot.draws,
        }
    }

    /// A uniform number in [0, 1) from patient `p`'s stream for `purpose`.
    #[inline]
    pub(super) fn uniform(&mut self, p: PatientId, purpose: Stream) -> f64 {
        self.rng(p, purpose).random::<f64>()
    }

    /// The cell of a patient holding `set` (with `[multimorbidity]`; ignored otherwise),
    /// whose latest exacerbation was of `lead`, in age band `band` and tier `tier`.
    pub(super) fn cell_of(&self, set: u16, lead: usize, band: usize, tier: usize) -> usize {
        let pair = if self.pair_offsets.is_empty() {
            lead
        } else {
            let below = u32::from(set) & ((1u32 << lead) - 1);
            self.pair_offsets[usize::from(set)] as usize + below.count_ones() as usize
        };
        cell_index(
            pair,
            band,
            self.params.population.age_bands.len(),
            tier,
            self.params.tiers.len(),
        )
    }

    /// A condition drawn from the cumulative shares `mix` with the uniform number `u`.
    pub(super) fn pick(&self, mix: (u32, u32), u: f64) -> usize {
        let shares = &self.mixes[mix.0 as usize..mix.1 as usize];
        shares
            .iter()
            .find(|(share, _)| u < *share)
            .or(shares.last())
            .map_or(0, |&(_, c)| usize::from(c))
    }

    /// Whether a patient in `state` counts among those at home (in [`World::at_home`]):
    /// at home, with a need unmet or waited for there, or in a home-based service (not in
    /// a bed-based one or a care home).
    pub(super) fn counted_at_home(&self, state: CareState) -> bool {
        match state {
            CareState::Home | CareState::Unmet(_) | CareState::WaitingAtHome(_) => true,
            CareState::Community(s) => {
                self.params.services[s as usize].setting.episode_start()
                    == super::services::EpisodeStart::AtHome
            }
            _ => false,
        }
    }

    /// Move living patient `p` to cell `to` at `now` (another lead condition, a condition
    /// acquired, the next age band), keeping the counts at home and the quality of the
    /// living. Their tier stays.
    pub(super) fn move_cell(&mut self, p: PatientId, to: usize, now: Days) {
        let from = self.patients.hot(p).cell as usize;
        if from == to {
            return;
        }
        let state = self.patients.hot(p).state;
        if self.counted_at_home(state) {
            let w = self.weight(now);
            self.at_home[from].add_at(now, w, -1.0);
            self.at_home[to].add_at(now, w, 1.0);
        }
        if self.quality_on {
            let change =
                self.utility(&self.cells[to], state) - self.utility(&self.cells[from], state);
            if change != 0.0 {
                let w = self.weight(now);
                self.quality.add_at(now, w, change);
            }
        }
        self.patients.hot_mut(p).cell = to as u16;
    }

    /// Move living patient `p` to tier `to` at `now` (an enrolment that reached them):
    /// their count alive by tier and their cell follow.
    pub(super) fn move_tier(&mut self, p: PatientId, to: usize, now: Days) {
        let c = self.cell(p);
        let (from, set, lead, band) = (
            usize::from(c.tier),
            c.set,
            usize::from(c.condition),
            usize::from(c.band),
        );
        if from == to {
            return;
        }
        let w = self.weight(now);
        self.alive_by_tier[from].add_at(now, w, -1.0);
        self.alive_by_tier[to].add_at(now, w, 1.0);
        let cell = self.cell_of(set, lead, band, to);
        self.move_cell(p, cell, now);
    }

    /// The living by number of conditions held (1, 2, 3 or more), into `t`; without
    /// `[multimorbidity]` everyone holds one, and the admissions and deaths by number of
    /// conditions (not counted per event then) are all in the first class.
    pub(super) fn census_persons(&self, t: &mut Tally) {
        if !self.persons_on {
            let alive = self
                .alive_by_tier
                .iter()
                .map(DiscountedIntegral::level)
                .sum::<f64>();
            t.persons_by_count = [alive.round() as u64, 0, 0];
            t.admissions_by_count = [t.admissions, 0, 0];
            t.deaths_by_count = [t.deaths_home + t.deaths_hospital + t.deaths_in_care, 0, 0];
            return;
        }
        t.persons_by_count = [0; 3];
        for (hot, _) in self.patients.iter() {
            if hot.state != CareState::Dead {
                let k = usize::from(self.cells[hot.cell as usize].count).clamp(1, 3);
                t.persons_by_count[k - 1] += 1;
            }
        }
    }

    /// The cell of patient `p`.
    #[inline]
    pub(super) fn cell(&self, p: PatientId) -> &Cell {
        &self.cells[self.patients.hot(p).cell as usize]
    }

    /// The patient's frailty multiplier; without frailty the column is all ones and is not
    /// read (one cache miss less per event in large cohorts).
    #[inline]
    pub(super) fn frailty_of(&self, p: PatientId) -> f64 {
        if self.frailty.is_some() {
            f64::from(self.patients.hot(p).frailty)
        } else {
            1.0
        }
    }

    /// 95th percentile of the waits recorded since warm-up, days (upper edge of its bin).
    fn p95_wait(&self) -> Days {
        let n = self.wait_zero + self.wait_bins.iter().map(|&b| u64::from(b)).sum::<u64>();
        let target = (0.95 * n as f64).ceil() as u64;
        if n == 0 || self.wait_zero >= target {
            return 0.0;
        }
        let mut seen = self.wait_zero;
        for (i, &b) in self.wait_bins.iter().enumerate() {
            seen += u64::from(b);
            if seen >= target {
                return wait_bin_edge(i);
            }
        }
        wait_bin_edge(self.wait_bins.len() - 1)
    }

    /// Draw the reviews and outpatient referrals of each cell's time at home since the last
    /// draw — Poisson(rate × person-days) — into the tally. Their discounted counts are the
    /// draws × the discounted share of that time: the expected discount of events spread
    /// over it in proportion to the number at home.
    fn draw_contacts(&mut self, end: Days) {
        let scale = self.rebase;
        let t = &mut self.tally;
        for ((h, c), drawn) in self
            .at_home
            .iter()
            .zip(&self.cells)
            .zip(&mut self.years.drawn)
        {
            let area = h.area_until(end);
            let discounted = scale * h.discounted_until(end);
            let days = area - drawn[0];
            let share = if days > 0.0 {
                (discounted - drawn[1]) / days
            } else {
                0.0
            };
            *drawn = [area, discounted];
            let reviews = poisson(c.review_rate * days, &mut self.streams.reviews);
            t.reviews += reviews;
            t.discounted.reviews += reviews as f64 * share;
            let referrals = poisson(c.outpatient_rate * days, &mut self.streams.outpatients);
            let extra = c.extra_attendances;
            let attendances =
                referrals + poisson(referrals as f64 * extra, &mut self.streams.outpatients);
            t.outpatient_referrals += referrals;
            t.outpatient_attendances += attendances;
            t.discounted.outpatient_attendances += attendances as f64 * share;
        }
    }

    /// Close every time integral at `end` into `t` (undiscounted and discounted), with the
    /// reimbursable days of delays still open.
    fn close_into(&self, t: &mut Tally, end: Days) {
        let scale = self.rebase;
        let both = |i: &DiscountedIntegral| (i.area_until(end), scale * i.discounted_until(end));
        (t.acute_bed_days, t.discounted.acute_bed_days) = both(self.acute.occupancy());
        (t.acute_capacity_days, t.discounted.acute_capacity_days) = both(self.acute.provided());
        t.peak_acute_occupancy = self.acute.occupancy().peak();
        t.days_over_85pct_occupancy = self.acute.high_occupancy().area_until(end);
        t.days_at_full_occupancy = self.acute.full().area_until(end);
        t.delayed_bed_days = self.delayed.area_until(end);
        let d = &mut t.discounted;
        for (i, s) in self.services.iter().enumerate() {
            (t.community_days[i], d.community_days[i]) = both(s.occupancy());
            (t.community_capacity_days[i], d.community_capacity_days[i]) = both(s.provided());
            (t.needs.unmet_days[i], d.unmet_days[i]) = both(&self.unmet[i]);
            (t.needs.home_waiting_days[i], d.home_waiting_days[i]) = both(&self.home_waiting[i]);
        }
        for (i, a) in self.alive_by_tier.iter().enumerate() {
            (t.tier_days[i], d.tier_days[i]) = both(a);
        }
        (t.levers.care_management.enrolled_days, d.enrolled_days) = both(&self.enrolled);
        (t.quality_days, d.quality_days) = if self.quality_on {
            both(&self.quality)
        } else {
            (t.tier_days.iter().sum(), d.tier_days.iter().sum())
        };
        t.observed_days = end - self.stats_from;
        d.observed_days = discounted_days(
            self.discount_rate,
            self.params.warmup_days,
            self.stats_from,
            end,
        );
        // Delays still open: their reimbursable days so far.
        if let Some(r) = &self.params.payment.delayed_discharge {
            for (hot, _) in self.patients.iter() {
                if let CareState::DelayedDischarge(s) = hot.state
                    && self.params.services[s as usize].payer == Payer::SocialCare
                {
                    let (days, discounted) = self.reimbursable(r, hot.last_discharge, end);
                    t.reimbursed_days += days;
                    t.discounted.reimbursed_days += discounted;
                }
            }
        }
    }

    /// The reimbursable days (undiscounted, discounted) of a delay that started at `start`,
    /// up to `end`: those after the assessment window and after the warm-up.
    pub(super) fn reimbursable(
        &self,
        r: &DelayReimbursement,
        start: Days,
        end: Days,
    ) -> (f64, f64) {
        let from = (start + r.assessment_days).max(self.stats_from);
        if end <= from {
            return (0.0, 0.0);
        }
        (
            end - from,
            discounted_days(self.discount_rate, self.params.warmup_days, from, end),
        )
    }

    /// The end of an observed year: draw its contacts and mark the cumulative values of the
    /// additive metrics.
    pub(super) fn mark_year(&mut self, now: Days) {
        self.draw_contacts(now);
        // The daily series are not part of a year's values: keep them out of the copy.
        let daily = std::mem::take(&mut self.tally.daily_occupancy);
        let capacity = std::mem::take(&mut self.tally.daily_capacity);
        let mut snapshot = self.tally.clone();
        self.tally.daily_occupancy = daily;
        self.tally.daily_capacity = capacity;
        self.close_into(&mut snapshot, now);
        self.census_persons(&mut snapshot);
        let mut values = Vec::new();
        snapshot.additive_values(self.params, &mut values);
        self.years.marks.push(values);
    }

    /// Close the integrals at `end` and return the tally, with its values by year.
    pub(super) fn finish(&mut self, end: Days) -> Tally {
        self.draw_contacts(end);
        let mut t = std::mem::take(&mut self.tally);
        t.p95_wait_days = self.p95_wait();
        self.close_into(&mut t, end);
        t.unstable_pools = self.stability.iter().map(Stability::unstable).collect();
        self.census_persons(&mut t);
        // Per-group census and the bed-days of stays still open.
        for (hot, cold) in self.patients.iter() {
            let g = &mut t.groups[self.cells[hot.cell as usize].group as usize];
            match hot.state {
                CareState::Dead => continue,
                CareState::Acute | CareState::DelayedDischarge(_) => {
                    g.acute_bed_days += end - cold.since.max(self.stats_from);
                }
                _ => {}
            }
            g.patients_at_end += 1;
            t.patients_at_end += 1;
        }
        // Values by year: differences of the cumulative marks (the last year closes here).
        let mut last = Vec::new();
        t.additive_values(self.params, &mut last);
        let mut previous: Option<&Vec<f64>> = None;
        let mut years = Vec::with_capacity(self.years.marks.len() + 1);
        for mark in self.years.marks.iter().chain(std::iter::once(&last)) {
            // Stocks (persons alive at the year's end) are levels, not differences.
            years.push(match previous {
                None => mark.clone(),
                Some(p) => mark
                    .iter()
                    .zip(p)
                    .zip(&self.years.stock)
                    .map(|((m, p), &stock)| if stock { *m } else { m - p })
                    .collect(),
            });
            previous = Some(mark);
        }
        t.years = years;
        self.tally = t.clone();
        t
    }

    /// Check that every patient is in exactly one state and that the pools agree with the
    /// patient table: beds in use = acute + delayed patients, waiting line = waiting
    /// patients, places in use = patients in each service, and no pool above capacity.
    ///
    /// `O(patients)`: for tests and debugging, not the event loop.
    ///
    /// # Errors
    /// A description of the first inconsistency found.
    pub fn check_conservation(&self) -> Result<(), String> {
        let mut acute = 0u32;
        let mut waiting = 0usize;
        let mut delayed = vec![0usize; self.services.len()];
        let mut community = vec![0u32; self.services.len()];
        let mut unmet = vec![0usize; self.services.len()];
        let mut home_waiting = vec![0usize; self.services.len()];
        let mut held = vec![0u32; self.services.len()];
        let mut needs_waiting = 0u64;
        for (hot, cold) in self.patients.iter() {
            if cold.flags & FLAG_HOLDING != 0 {
                held[usize::from(cold.link) - 1] += 1;
            }
            if cold.flags & FLAG_AWAITING != 0 {
                needs_waiting += 1;
            }
            match hot.state {
                CareState::Acute => acute += 1,
                CareState::WaitingForBed => waiting += 1,
                CareState::DelayedDischarge(k) => {
                    acute += 1;
                    delayed[k as usize] += 1;
                    needs_waiting += 1;
                }
                CareState::Community(k) => community[k as usize] += 1,
                CareState::Unmet(k) => unmet[k as usize] += 1,
                CareState::WaitingAtHome(k) => {
                    home_waiting[k as usize] += 1;
                    needs_waiting += 1;
                }
                CareState::Home | CareState::OutOfArea | CareState::Dead => {}
            }
        }
        if self.quality_on {
            let quality: f64 = self
                .patients
                .iter()
                .map(|(hot, _)| self.utility(&self.cells[hot.cell as usize], hot.state))
                .sum();
            if (quality - self.quality.level()).abs() > 1e-6 * quality.abs().max(1.0) {
                return Err(format!(
                    "the quality of the living is {quality}, the integral's level {}",
                    self.quality.level()
                ));
            }
        }
        // Everyone counted at home is in their cell's count (cells move with onset,
        // attribution and ageing).
        let mut at_home = vec![0u32; self.cells.len()];
        for (hot, _) in self.patients.iter() {
            if self.counted_at_home(hot.state) {
                at_home[hot.cell as usize] += 1;
            }
        }
        if let Some(cell) = (0..self.cells.len())
            .find(|&c| (f64::from(at_home[c]) - self.at_home[c].level()).abs() > 1e-6)
        {
            return Err(format!(
                "cell {cell}: {} patients at home, the integral's level {}",
                at_home[cell],
                self.at_home[cell].level()
            ));
        }
        // The living by tier (tiers move with enrolments that reach people during the run).
        let mut alive = vec![0u32; self.alive_by_tier.len()];
        for (hot, _) in self.patients.iter() {
            if hot.state != CareState::Dead {
                alive[self.cells[hot.cell as usize].tier as usize] += 1;
            }
        }
        if let Some(t) = (0..alive.len())
            .find(|&t| (f64::from(alive[t]) - self.alive_by_tier[t].level()).abs() > 1e-6)
        {
            return Err(format!(
                "tier {t}: {} alive, the integral's level {}",
                alive[t],
                self.alive_by_tier[t].level()
            ));
        }
        let n = &self.needs;
        if n.created != n.received + n.unmet + n.superseded + needs_waiting {
            return Err(format!(
                "needs not conserved: {} created, {} received + {} unmet + {} superseded + {needs_waiting} waiting",
                n.created, n.received, n.unmet, n.superseded
            ));
        }
        if acute != self.acute.in_use() {
            return Err(format!(
                "{acute} patients in acute beds but {} beds in use",
                self.acute.in_use()
            ));
        }
        if !self.acute.within_capacity() {
            return Err("acute beds above capacity (beyond a cut's draining excess)".into());
        }
        if waiting != self.acute.waiting() {
            return Err(format!(
                "{waiting} patients waiting but {} in the line",
                self.acute.waiting()
            ));
        }
        let delayed_total: usize = delayed.iter().sum();
        if delayed_total as f64 != self.delayed.level() {
            return Err("delayed-discharge count disagrees with the patient table".into());
        }
        for (k, pool) in self.services.iter().enumerate() {
            if community[k] + held[k] != pool.in_use() || !pool.within_capacity() {
                return Err(format!(
                    "service {k}: {} patients and {} places held, {} places in use of {}",
                    community[k],
                    held[k],
                    pool.in_use(),
                    pool.capacity()
                ));
            }
            if delayed[k] + home_waiting[k] != pool.waiting() {
                return Err(format!("service {k}: waiting line disagrees"));
            }
            if unmet[k] as f64 != self.unmet[k].level()
                || home_waiting[k] as f64 != self.home_waiting[k].level()
            {
                return Err(format!(
                    "service {k}: unmet or home-waiting count disagrees"
                ));
            }
        }
        Ok(())
    }

    /// Patient `p`'s conditions (a bit mask over [`Params::conditions`]; with
    /// `[multimorbidity]`, otherwise their one condition's bit), their age band and the
    /// condition of their latest exacerbation.
    pub fn person(&self, p: PatientId) -> (u16, usize, usize) {
        let c = self.cell(p);
        (c.set, usize::from(c.band), usize::from(c.condition))
    }

    /// Persons created in the replication, dead or alive (every living one is in exactly
    /// one [`CareState`]; the slots of the dead are reused).
    pub fn patient_count(&self) -> usize {
        self.patients.created()
    }
}

/// A Poisson draw with mean `mean` (0 when the mean is not positive). A mean too large for
/// the sampler (above ~1.8e19, or infinite) gives the mean itself, capped at 2⁵³: at that
/// size the Poisson's relative spread is below 10⁻⁹.
fn poisson(mean: f64, rng: &mut rand_pcg::Pcg64Mcg) -> u64 {
    if mean > 0.0 {
        match Poisson::new(mean) {
            Ok(d) => {
                let n: f64 = d.sample(rng);
                n as u64
            }
            Err(_) => mean.min(9_007_199_254_740_992.0) as u64,
        }
    } else {
        0
    }
}
