//! One replication of the patient-flow model: the event handlers.
//!
//! ```text
//!            review (cost)                 exacerbation
//!   Home ─────────────────► Home    Home ───────────────► urgent contact ─► Home
//!                                          │ p = admit
//!                                          ▼
//!                         bed free? ──yes──► Acute ──end of stay──► route ─► Home
//!                            │ no                                     │ service s
//!              queue ◄───────┴──────► divert (OutOfArea ─► Home)      ▼
//!        WaitingForBed (FIFO)                             place free? ─yes─► Community(s) ─► Home
//!                                                             │ no
//!                                                             ▼
//!                                               DelayedDischarge(s) (keeps the bed, FIFO)
//! ```
//!
//! Exacerbations and deaths at home are events: each patient at home has exactly one pending
//! candidate event (memoryless, so it is redrawn on every return home), drawn at the summed
//! rate of death and the *peak* exacerbation rate. When it fires, it is a death, an
//! exacerbation, or — with probability 1 − (rate now / peak rate) — nothing, and the next
//! candidate is drawn. This is thinning (Lewis & Shedler 1979): exact for a seasonal rate,
//! with no daily approximation, and with no rejections at all when rates are constant.
//!
//! A patient's exacerbation rate is the product of their cell's rate (condition × age band ×
//! risk tier), their frailty, the history multiplier to the power of their prior admissions,
//! the post-discharge multiplier inside the window after a discharge, and the season. The
//! candidate rate is a bound on that product (peak season, post-discharge multiplier) plus
//! the death hazard; each patient's bound is fixed while they are at home, so thinning stays
//! exact.
//!
//! Readmissions within 30 days are admission requests (local or diverted) within 30 days of
//! the patient's last discharge from an acute bed, local or out of area.
//!
//! Routine reviews are *not* events. A review changes no state, so given the time each
//! condition's cohort spends at home, the number of reviews is exactly
//! Poisson(review rate × person-days at home): the model integrates person-days at home per
//! cell and draws the count once per replication from its own stream. This is the same
//! distribution an event per review gives, at a sixth of the events of the reference
//! scenario (reviews are 89% of its home events). Outpatient referrals are counted the same
//! way; each referral leads to 1 + Poisson(attendances per referral − 1) attendances.

use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma, Poisson};

use super::event::{Event, EventKind, PatientId};
use super::params::{EarlyWhenFull, Params, Setting, WhenFull};
use super::patients::{
    CareState, FLAG_EARLY_ELIGIBLE, FLAG_UNSUPPORTED, FLAG_WAITING_FOR_EARLY, PatientTable,
};
use super::streams::{PatientRng, Stream, StreamSeeds, Streams};
use super::tally::Tally;
use crate::engine::{self, Days, EventQueue, Pool, Scheduled, TimeIntegral};

/// Sees the world after every handled event: the model says what happened; a recorder
/// decides what to keep (simmer's monitors). [`Sim`] is generic over the recorder, so the
/// default [`NoTrace`] costs nothing in the event loop.
pub trait Recorder {
    /// Called after the event at `now` (days) has been handled.
    fn event_handled(&mut self, now: Days, world: &World<'_>);
}

/// Records nothing; compiled away.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Recorder for NoTrace {
    #[inline(always)]
    fn event_handled(&mut self, _now: Days, _world: &World<'_>) {}
}

/// An admission request this soon after the last discharge counts as a readmission, days.
pub const READMISSION_WINDOW_DAYS: Days = 30.0;

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
struct Cell {
    condition: u16,
    /// Condition × age band index (the rows of `by_group.csv`).
    group: u16,
    tier: u16,
    /// Exacerbations per day at home before frailty, history and season.
    exacerbation_rate: f64,
    death_rate: f64,
    admit: f64,
    review_rate: f64,
    outpatient_rate: f64,
    los_multiplier: f64,
    in_hospital_death: f64,
    admission_multiplier: f64,
    post_discharge_multiplier: f64,
    post_discharge_days: Days,
    /// Peak seasonal multiplier × post-discharge bound: the thinning headroom.
    headroom: f64,
    /// No deaths, season, history or post-discharge effect: every candidate event at home
    /// is an exacerbation, and no draw is needed to classify it.
    simple: bool,
}

/// The state of one replication apart from the event queue (split so that the engine's
/// [`run_until`](engine::run_until) can lend the queue to the handlers).
#[derive(Debug)]
pub struct World<'p> {
    params: &'p Params,
    cells: Vec<Cell>,
    /// Cumulative discharge probabilities per condition: `(threshold, service)`.
    routes: Vec<Vec<(f64, u16)>>,
    frailty: Option<Gamma<f64>>,
    /// Patients, struct-of-arrays.
    pub patients: PatientTable,
    /// Acute beds; the line holds patients waiting for a bed.
    pub acute: Pool<PatientId>,
    /// Community services; each line holds delayed discharges waiting for that service.
    pub services: Vec<Pool<PatientId>>,
    /// Number of delayed discharges in acute beds, integrated over time.
    pub delayed: TimeIntegral,
    /// Patients at home per cell, integrated over time (person-days at home).
    pub at_home: Vec<TimeIntegral>,
    /// Patients alive per tier, integrated over time.
    pub alive_by_tier: Vec<TimeIntegral>,
    /// Immediate admissions (wait 0) and positive waits in bins of [`WAIT_BIN_DAYS`].
    wait_zero: u64,
    wait_bins: Vec<u32>,
    /// Start of statistics (0, or the end of warm-up), days.
    stats_from: Days,
    /// The stability check of every pool (acute first, then each service), over the last
    /// third of the observed period.
    stability: Vec<Stability>,
    /// Census days from which the stability check counts, days.
    stability_from: Days,
    /// Whether any capacity follows a schedule (then the census records capacity too).
    scheduled: bool,
    streams: Streams,
    /// Counts since the end of warm-up.
    pub tally: Tally,
}

/// The census of one pool over the stability window (the last third of the observed
/// period): a pool that is full on nearly every day of the window while its waiting line
/// grows has no steady state, and its waits and delays measure the horizon, not the system.
/// Growth is judged on the mean line of each half of the window, not on two single days, so
/// that a saturated but stable line (one that patients leave, as delayed discharges do at
/// their usual discharge date) is not flagged for its day-to-day noise.
#[derive(Clone, Copy, Debug, Default)]
struct Stability {
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
    fn census(&mut self, in_use: u32, capacity: u32, line: usize, half: usize) {
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

/// A reusable simulator for one parameter set: allocate once per thread, run many
/// replications (each run clears and reuses every buffer).
#[derive(Debug)]
pub struct Sim<'p> {
    queue: EventQueue<Event>,
    world: World<'p>,
}

fn build_cells(params: &Params) -> Vec<Cell> {
    let peak = params.seasonality.map_or(1.0, |s| s.max_multiplier());
    let bands = params.population.age_bands.len();
    let mut cells = Vec::new();
    for (c, cond) in params.conditions.iter().enumerate() {
        for (b, band) in cond.bands.iter().enumerate() {
            for (t, tier) in params.tiers.iter().enumerate() {
                let pd = cond.post_discharge_multiplier.max(1.0);
                let simple = band.death_rate_per_day == 0.0
                    && peak == 1.0
                    && cond.admission_multiplier == 1.0
                    && (cond.post_discharge_multiplier == 1.0 || cond.post_discharge_days == 0.0);
                cells.push(Cell {
                    condition: c as u16,
                    group: (c * bands + b) as u16,
                    tier: t as u16,
                    exacerbation_rate: cond.exacerbation_rate_per_day
                        * tier.exacerbation_multiplier,
                    death_rate: band.death_rate_per_day,
                    admit: (cond.admit * tier.admit_multiplier).min(1.0),
                    review_rate: tier.review_rate_per_day.unwrap_or(cond.review_rate_per_day),
                    outpatient_rate: cond.outpatient_referrals_per_day,
                    los_multiplier: band.los_multiplier,
                    in_hospital_death: cond.in_hospital_death,
                    admission_multiplier: cond.admission_multiplier,
                    post_discharge_multiplier: cond.post_discharge_multiplier,
                    post_discharge_days: cond.post_discharge_days,
                    headroom: peak * pd,
                    simple,
                });
            }
        }
    }
    cells
}

/// Split `n` by `shares` (summing to 1) into whole numbers summing to `n`, by largest
/// remainder, so that a cohort's tiers have exactly their shares up to rounding.
pub fn apportion(n: u32, shares: impl Iterator<Item = f64>) -> Vec<u32> {
    let exact: Vec<f64> = shares.map(|s| s * f64::from(n)).collect();
    let mut counts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut left = n - counts.iter().sum::<u32>().min(n);
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if left == 0 {
            break;
        }
        counts[i] += 1;
        left -= 1;
    }
    counts
}

impl<'p> Sim<'p> {
    /// Allocate a simulator sized for `params` (queue, patient table, lines).
    pub fn new(params: &'p Params) -> Self {
        let n = params.total_patients();
        let cells = build_cells(params);
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
        patients.reset(params.expected_patients());
        let zero_seeds = StreamSeeds([0; Stream::ALL.len()]);
        let n_cells = cells.len();
        Sim {
            queue: EventQueue::with_hint(params.home_event_rate_per_day(), n),
            world: World {
                params,
                cells,
                routes,
                frailty,
                patients,
                acute: Pool::new(params.acute.beds, 1024),
                services: params
                    .services
                    .iter()
                    .map(|s| Pool::new(s.capacity, 1024))
                    .collect(),
                delayed: TimeIntegral::default(),
                at_home: vec![TimeIntegral::default(); n_cells],
                alive_by_tier: vec![TimeIntegral::default(); params.tiers.len()],
                wait_zero: 0,
                wait_bins: vec![0; wait_bin(params.horizon_days.max(FINE_WAIT_DAYS)) + 1],
                stats_from: 0.0,
                stability: vec![Stability::default(); 1 + params.services.len()],
                stability_from: params.horizon_days - params.observed_days() / 3.0,
                scheduled: std::iter::once(&params.acute.schedule)
                    .chain(params.services.iter().map(|s| &s.schedule))
                    .any(|s| !s.changes.is_empty()),
                streams: Streams::new(&zero_seeds),
                tally: Tally::new(params),
            },
        }
    }

    /// The state at the end of the last replication (for tests and diagnostics).
    pub fn world(&self) -> &World<'p> {
        &self.world
    }

    /// Run one replication with the given stream seeds and return its tally.
    pub fn run(&mut self, seeds: &StreamSeeds) -> Tally {
        self.run_recorded(seeds, &mut NoTrace)
    }

    /// Run one replication, showing every handled event to `recorder`.
    pub fn run_recorded<R: Recorder>(&mut self, seeds: &StreamSeeds, recorder: &mut R) -> Tally {
        let params = self.world.params;
        self.reset(seeds);
        let world = &mut self.world;
        engine::run_until(&mut self.queue, params.horizon_days, |queue, ev| {
            world.handle(queue, ev);
            recorder.event_handled(ev.time, world);
        });
        self.world.finish(params.horizon_days)
    }

    /// Clear every buffer and place the cohort at home with its first events scheduled.
    fn reset(&mut self, seeds: &StreamSeeds) {
        let params = self.world.params;
        let w = &mut self.world;
        self.queue.clear();
        w.streams = Streams::new(seeds);
        w.patients.reset(params.expected_patients());
        w.acute.clear(params.acute.beds);
        for (pool, s) in w.services.iter_mut().zip(&params.services) {
            pool.clear(s.capacity);
        }
        w.delayed = TimeIntegral::default();
        w.at_home
            .iter_mut()
            .for_each(|h| *h = TimeIntegral::default());
        w.alive_by_tier
            .iter_mut()
            .for_each(|h| *h = TimeIntegral::default());
        w.wait_zero = 0;
        w.wait_bins.iter_mut().for_each(|b| *b = 0);
        w.stats_from = 0.0;
        w.stability
            .iter_mut()
            .for_each(|s| *s = Stability::default());
        w.tally.clear();
        w.tally.daily_occupancy.clear();
        w.tally.daily_capacity.clear();
        if params.warmup_days > 0.0 {
            self.queue
                .push(params.warmup_days, Event::system(EventKind::WarmupEnd));
        }
        if params.horizon_days >= 1.0 {
            self.queue.push(1.0, Event::system(EventKind::DayEnd));
        }
        let tiers = params.tiers.len();
        let bands = params.population.age_bands.len();
        for (c, cond) in params.conditions.iter().enumerate() {
            for (b, band) in cond.bands.iter().enumerate() {
                let counts = apportion(band.patients, params.tiers.iter().map(|t| t.shares[c]));
                for (t, &count) in counts.iter().enumerate() {
                    let cell = (c * bands + b) * tiers + t;
                    for _ in 0..count {
                        w.add_patient(&mut self.queue, cell, 0.0);
                    }
                }
            }
        }
        for c in 0..params.conditions.len() {
            w.schedule_new_patient(&mut self.queue, c, 0.0);
        }
        let schedules = std::iter::once(&params.acute.schedule)
            .chain(params.services.iter().map(|s| &s.schedule));
        for (pool, schedule) in schedules.enumerate() {
            for (i, change) in schedule.changes.iter().enumerate() {
                push_capacity_change(&mut self.queue, change.day, pool, i);
            }
        }
    }
}

impl<'p> World<'p> {
    /// Dispatch one event. Stale events (cancelled by a generation bump) are ignored.
    #[inline]
    fn handle(&mut self, q: &mut EventQueue<Event>, ev: Scheduled<Event>) {
        let Scheduled {
            time: now, event, ..
        } = ev;
        let p = event.patient;
        match event.kind {
            EventKind::WarmupEnd => return self.on_warmup_end(now),
            EventKind::NewPatient => return self.on_new_patient(q, p.0 as usize, now),
            EventKind::DayEnd => return self.on_day_end(q, now),
            EventKind::CapacityChange => {
                return self.on_capacity_change(q, p.0 as usize, event.generation as usize, now);
            }
            _ => {}
        }
        // Events at home, episodes of home-based services (ended early by an admission or a
        // death) and delay time limits (ended early by a place) can be cancelled; acute and
        // out-of-area stays end only by their own event. Checking the generation only where
        // it can differ saves a cache miss per event in large cohorts.
        debug_assert!(
            matches!(
                event.kind,
                EventKind::AtHome | EventKind::EndOfCommunity | EventKind::DelayTimeout
            ) || event.generation == self.patients.hot[p.index()].generation,
            "a stay-ending event was cancelled: {event:?}"
        );
        let live = |w: &Self| event.generation == w.patients.hot[p.index()].generation;
        match event.kind {
            EventKind::AtHome => {
                if live(self) {
                    self.on_at_home(q, p, now);
                }
            }
            EventKind::EndOfStay => self.on_end_of_stay(q, p, now),
            EventKind::EndOfCommunity => {
                if live(self) {
                    self.on_end_of_community(q, p, now);
                }
            }
            EventKind::DelayTimeout => {
                if live(self) {
                    self.on_delay_timeout(q, p, now);
                }
            }
            EventKind::EndOfDiversion => {
                // A stay in another hospital is a discharge like any other: NHS definitions
                // count a readmission to any hospital, and the post-discharge risk applies.
                self.patients.cold[p.index()].last_discharge = now;
                self.go_home(q, p, now)
            }
            EventKind::WarmupEnd
            | EventKind::NewPatient
            | EventKind::DayEnd
            | EventKind::CapacityChange => {
                unreachable!("handled above")
            }
        }
    }

    #[inline]
    fn push(&self, q: &mut EventQueue<Event>, time: Days, p: PatientId, kind: EventKind) {
        q.push(
            time,
            Event {
                patient: p,
                generation: self.patients.hot[p.index()].generation,
                kind,
            },
        );
    }

    /// Patient `p`'s own random numbers for process `purpose`.
    #[inline]
    fn rng(&mut self, p: PatientId, purpose: Stream) -> PatientRng<'_> {
        PatientRng {
            key: self.streams.keys[purpose as usize],
            patient: u64::from(p.0) << 32,
            counter: &mut self.patients.hot[p.index()].draws,
        }
    }

    /// A uniform number in [0, 1) from patient `p`'s stream for `purpose`.
    #[inline]
    fn uniform(&mut self, p: PatientId, purpose: Stream) -> f64 {
        self.rng(p, purpose).random::<f64>()
    }

    #[inline]
    fn cell(&self, p: PatientId) -> &Cell {
        &self.cells[self.patients.hot[p.index()].cell as usize]
    }

    /// Add a patient at home in `cell` at `now` and schedule their first event.
    fn add_patient(&mut self, q: &mut EventQueue<Event>, cell: usize, now: Days) {
        let frailty = self
            .frailty
            .map_or(1.0, |g| g.sample(&mut self.streams.population) as f32);
        let p = self.patients.push(cell as u16, frailty);
        self.at_home[cell].add(now, 1.0);
        self.alive_by_tier[self.cells[cell].tier as usize].add(now, 1.0);
        self.schedule_home_event(q, p, now);
    }

    /// The patient's frailty multiplier; without frailty the column is all ones and is not
    /// read (one cache miss less per event in large cohorts).
    #[inline]
    fn frailty_of(&self, p: PatientId) -> f64 {
        if self.frailty.is_some() {
            f64::from(self.patients.cold[p.index()].frailty)
        } else {
            1.0
        }
    }

    /// The patient's exacerbation rate apart from time-varying factors: cell rate × frailty ×
    /// history multiplier^prior admissions.
    #[inline]
    fn base_rate(&self, p: PatientId) -> f64 {
        let c = self.cell(p);
        let mut r = c.exacerbation_rate * self.frailty_of(p);
        if c.admission_multiplier != 1.0 {
            r *= c
                .admission_multiplier
                .powi(i32::from(self.patients.cold[p.index()].prior_admissions));
        }
        r
    }

    /// The patient's exacerbation rate at `now` without the season: the base rate ×
    /// post-discharge multiplier in the window.
    #[inline]
    fn personal_rate(&self, p: PatientId, now: Days) -> f64 {
        let c = self.cell(p);
        let r = self.base_rate(p);
        if now - self.patients.cold[p.index()].last_discharge <= c.post_discharge_days {
            r * c.post_discharge_multiplier * self.unsupported_factor(p)
        } else {
            r
        }
    }

    /// The extra post-discharge multiplier of a patient discharged early without support
    /// (1 for everyone else, and whenever early discharge is off).
    #[inline]
    fn unsupported_factor(&self, p: PatientId) -> f64 {
        match &self.params.levers.early_discharge {
            Some(rule) if self.patients.cold[p.index()].flags & FLAG_UNSUPPORTED != 0 => {
                rule.unsupported_multiplier
            }
            _ => 1.0,
        }
    }

    /// The patient's candidate rate at home: a bound on death + exacerbation rates that is
    /// constant while they stay at home.
    #[inline]
    fn candidate_rate(&self, p: PatientId) -> f64 {
        let c = self.cell(p);
        let bound = self.base_rate(p) * c.headroom;
        // In a `simple` cell every candidate is an exacerbation, so the bound must be exact;
        // such cells have no post-discharge effect for the unsupported factor to raise.
        if c.simple {
            bound + c.death_rate
        } else {
            bound * self.unsupported_factor(p) + c.death_rate
        }
    }

    /// Draw the patient's next candidate event at home.
    #[inline]
    fn schedule_home_event(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let rate = self.candidate_rate(p);
        if rate <= 0.0 {
            return;
        }
        let gap: f64 = Exp1.sample(&mut self.rng(p, Stream::Home));
        let at = now + gap / rate;
        // A rate so small (a product of tiny multipliers) that the time overflows: never.
        if at <= f64::MAX {
            self.push(q, at, p, EventKind::AtHome);
        }
    }

    /// Classify a candidate event at home: death, exacerbation, or nothing (thinning).
    fn on_at_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let c = self.cell(p);
        if c.simple {
            return self.on_exacerbation(q, p, now);
        }
        let death = c.death_rate;
        let u = self.uniform(p, Stream::Home) * self.candidate_rate(p);
        let season = self.params.seasonality.map_or(1.0, |s| s.multiplier(now));
        if u < death {
            self.die_at_home(q, p, now);
        } else if u < death + self.personal_rate(p, now) * season {
            self.on_exacerbation(q, p, now);
        } else {
            self.schedule_home_event(q, p, now);
        }
    }

    fn die_at_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.deaths_home += 1;
        let cell = self.patients.hot[p.index()].cell as usize;
        self.tally.groups[self.cells[cell].group as usize].deaths_home += 1;
        self.at_home[cell].add(now, -1.0);
        self.leave_home_service(q, p, now);
        self.die(p, now);
    }

    /// If `p` holds a place in a home-based service, give it up (they were admitted, moved
    /// to step-up care, or died) and offer it to the service's waiting line.
    fn leave_home_service(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        if let CareState::Community(s) = self.patients.cold[p.index()].state {
            self.services[s as usize].release(now);
            self.serve_service_line(q, s, now);
        }
    }

    fn die(&mut self, p: PatientId, now: Days) {
        let tier = self.cell(p).tier as usize;
        self.alive_by_tier[tier].add(now, -1.0);
        self.patients.cold[p.index()].state = CareState::Dead;
        self.patients.hot[p.index()].generation =
            self.patients.hot[p.index()].generation.wrapping_add(1);
    }

    /// Schedule the next new patient of condition `c`, if the condition has incidence.
    fn schedule_new_patient(&mut self, q: &mut EventQueue<Event>, c: usize, now: Days) {
        let rate = self.params.conditions[c].new_patients_per_day;
        if rate > 0.0 {
            let gap: f64 = Exp1.sample(&mut self.streams.incidence);
            let mut ev = Event::system(EventKind::NewPatient);
            ev.patient = PatientId(c as u32);
            q.push(now + gap / rate, ev);
        }
    }

    /// A new patient of condition `c`: age band in proportion to the condition's starting
    /// cohort, tier by the tier shares.
    fn on_new_patient(&mut self, q: &mut EventQueue<Event>, c: usize, now: Days) {
        self.tally.new_patients += 1;
        let cond = &self.params.conditions[c];
        let total = cond.patients().max(1) as f64;
        let pick = |u: f64, weights: &mut dyn Iterator<Item = f64>| {
            let mut acc = 0.0;
            let mut last = 0;
            for (i, w) in weights.enumerate() {
                acc += w;
                last = i;
                if u < acc {
                    return i;
                }
            }
            last
        };
        let u_band = self.streams.population.random::<f64>();
        let band = if cond.patients() == 0 {
            0
        } else {
            pick(
                u_band,
                &mut cond.bands.iter().map(|b| f64::from(b.patients) / total),
            )
        };
        let u_tier = self.streams.population.random::<f64>();
        let tier = pick(u_tier, &mut self.params.tiers.iter().map(|t| t.shares[c]));
        let bands = self.params.population.age_bands.len();
        let cell = (c * bands + band) * self.params.tiers.len() + tier;
        self.add_patient(q, cell, now);
        self.schedule_new_patient(q, c, now);
    }

    fn on_exacerbation(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.exacerbations += 1;
        let cell = self.patients.hot[p.index()].cell as usize;
        let (admit, group) = (self.cells[cell].admit, self.cells[cell].group as usize);
        if self.uniform(p, Stream::Admission) >= admit {
            self.tally.urgent_contacts += 1;
            self.schedule_home_event(q, p, now);
            return;
        }
        if self.try_step_up(q, p, cell, now) {
            return;
        }
        self.tally.admission_requests += 1;
        if now - self.patients.cold[p.index()].last_discharge <= READMISSION_WINDOW_DAYS {
            self.tally.readmissions_30d += 1;
            self.tally.groups[group].readmissions_30d += 1;
        }
        let k = &mut self.patients.cold[p.index()].prior_admissions;
        *k = k.saturating_add(1);
        // Leaving home: any other pending home event of this patient is now stale.
        self.patients.hot[p.index()].generation =
            self.patients.hot[p.index()].generation.wrapping_add(1);
        self.at_home[cell].add(now, -1.0);
        self.leave_home_service(q, p, now);
        if self.acute.try_seize(now) {
            self.admit(q, p, now, 0.0);
            return;
        }
        match self.params.acute.when_full {
            WhenFull::Queue => {
                self.patients.cold[p.index()].state = CareState::WaitingForBed;
                self.patients.cold[p.index()].since = now;
                self.acute.enqueue(p);
            }
            WhenFull::Divert => {
                self.tally.diversions += 1;
                self.patients.cold[p.index()].state = CareState::OutOfArea;
                let los = self.sample_los(p, Stream::DiversionLos);
                self.push(q, now + los, p, EventKind::EndOfDiversion);
            }
        }
    }

    /// Admission avoidance: offer the admission request of `p` (at home, not already in a
    /// community service) to the step-up service. Returns whether it took them.
    fn try_step_up(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        cell: usize,
        now: Days,
    ) -> bool {
        let Some(rule) = &self.params.levers.admission_avoidance else {
            return false;
        };
        let share = rule.share_by_condition[self.cells[cell].condition as usize];
        let service = rule.service;
        if share == 0.0
            || self.patients.cold[p.index()].state != CareState::Home
            || self.streams.avoidance.random::<f64>() >= share
            || !self.services[service].try_seize(now)
        {
            return false;
        }
        self.tally.admissions_avoided += 1;
        self.patients.hot[p.index()].generation =
            self.patients.hot[p.index()].generation.wrapping_add(1);
        self.at_home[cell].add(now, -1.0);
        self.enter_community(q, p, service as u16, now);
        true
    }

    /// An acute length of stay for `p`: their condition's distribution × their age band's
    /// multiplier, drawn from `stream` (acute or out-of-area stays).
    #[inline]
    fn sample_los(&mut self, p: PatientId, stream: Stream) -> Days {
        let c = self.cell(p);
        let (condition, mult) = (c.condition as usize, c.los_multiplier);
        let params = self.params;
        params.conditions[condition]
            .los
            .sample(&mut self.rng(p, stream))
            * mult
    }

    /// Put `p` in the bed already seized for them, after waiting `wait` days.
    fn admit(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days, wait: Days) {
        self.tally.admissions += 1;
        self.tally.wait_days_total += wait;
        if wait > 0.0 {
            let bin = wait_bin(wait).min(self.wait_bins.len() - 1);
            self.wait_bins[bin] += 1;
        } else {
            self.wait_zero += 1;
        }
        let group = self.cell(p).group as usize;
        self.tally.groups[group].admissions += 1;
        self.patients.cold[p.index()].state = CareState::Acute;
        self.patients.cold[p.index()].since = now;
        let mut los = self.sample_los(p, Stream::AcuteLos);
        if let Some(rule) = &self.params.levers.early_discharge {
            let eligible = rule.eligible_by_condition[self.cell(p).condition as usize];
            if eligible > 0.0 && self.streams.early_discharge.random::<f64>() < eligible {
                let early = rule.shortening.apply(los);
                let cold = &mut self.patients.cold[p.index()];
                cold.slack = (los - early) as f32;
                cold.flags |= FLAG_EARLY_ELIGIBLE;
                los = early;
            }
        }
        self.push(q, now + los, p, EventKind::EndOfStay);
    }

    fn on_end_of_stay(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.stays_ended += 1;
        self.tally.stay_days_total += now - self.patients.cold[p.index()].since;
        let c = self.cell(p);
        let (condition, death, group) = (c.condition as usize, c.in_hospital_death, c.group);
        if death > 0.0 && self.uniform(p, Stream::HospitalDeath) < death {
            self.tally.deaths_hospital += 1;
            self.tally.groups[group as usize].deaths_hospital += 1;
            self.patients.cold[p.index()].flags &= !FLAG_EARLY_ELIGIBLE;
            self.leave_acute(q, p, now);
            self.die(p, now);
            return;
        }
        if self.patients.cold[p.index()].flags & FLAG_EARLY_ELIGIBLE != 0 {
            self.patients.cold[p.index()].flags &= !FLAG_EARLY_ELIGIBLE;
            return self.discharge_early(q, p, now);
        }
        self.route_discharge(q, p, condition, now);
    }

    /// The early point of an eligible stay: supported discharge if the service has a place,
    /// else wait for one or go home unsupported.
    fn discharge_early(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let rule = self
            .params
            .levers
            .early_discharge
            .as_ref()
            .expect("only eligible when early discharge is on");
        let s = rule.service;
        if self.services[s].try_seize(now) {
            self.tally.early_supported_discharges += 1;
            self.leave_acute(q, p, now);
            self.enter_community(q, p, s as u16, now);
            return;
        }
        match rule.when_full {
            EarlyWhenFull::DischargeUnsupported => {
                self.tally.unsupported_discharges += 1;
                self.leave_acute(q, p, now);
                self.patients.cold[p.index()].flags |= FLAG_UNSUPPORTED;
                self.go_home(q, p, now);
            }
            EarlyWhenFull::Wait => {
                let usual_end = now + f64::from(self.patients.cold[p.index()].slack);
                self.patients.cold[p.index()].flags |= FLAG_WAITING_FOR_EARLY;
                self.begin_delay(q, p, s as u16, now);
                self.push(q, usual_end, p, EventKind::DelayTimeout);
            }
        }
    }

    /// The usual discharge of a medically fit patient still in their bed: home, or to a
    /// community service drawn from the condition's discharge routes (delayed if full).
    fn route_discharge(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        condition: usize,
        now: Days,
    ) {
        let service = if self.routes[condition].is_empty() {
            None
        } else {
            let u = self.uniform(p, Stream::Discharge);
            self.routes[condition]
                .iter()
                .find(|(t, _)| u < *t)
                .map(|&(_, s)| s)
        };
        match service {
            None => {
                self.leave_acute(q, p, now);
                self.go_home(q, p, now);
            }
            Some(s) => {
                if self.services[s as usize].try_seize(now) {
                    self.leave_acute(q, p, now);
                    self.enter_community(q, p, s, now);
                } else {
                    self.begin_delay(q, p, s, now);
                }
            }
        }
    }

    /// `p`, medically fit, keeps their bed waiting for a place in service `s`.
    fn begin_delay(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.tally.delayed_discharges += 1;
        self.patients.cold[p.index()].state = CareState::DelayedDischarge(s);
        self.services[s as usize].enqueue(p);
        self.delayed.add(now, 1.0);
        if let Some(limit) = self.params.levers.max_delay_days {
            self.push(q, now + limit, p, EventKind::DelayTimeout);
        }
    }

    /// The delay of `p` ends (a place, or a time limit): pending time limits go stale.
    fn end_delay(&mut self, p: PatientId, now: Days) {
        self.delayed.add(now, -1.0);
        self.patients.hot[p.index()].generation =
            self.patients.hot[p.index()].generation.wrapping_add(1);
    }

    /// A delay reached a time limit: the usual discharge date of a patient waiting for early
    /// supported discharge (who then leaves by the usual route), or the coordination limit
    /// (who then goes home with interim support).
    fn on_delay_timeout(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::DelayedDischarge(s) = self.patients.cold[p.index()].state else {
            return;
        };
        self.services[s as usize].remove_waiter(&p);
        self.end_delay(p, now);
        let cold = &mut self.patients.cold[p.index()];
        if cold.flags & FLAG_WAITING_FOR_EARLY != 0 {
            cold.flags &= !FLAG_WAITING_FOR_EARLY;
            let condition = self.cell(p).condition as usize;
            self.route_discharge(q, p, condition, now);
        } else {
            self.tally.coordinated_discharges += 1;
            self.leave_acute(q, p, now);
            self.go_home(q, p, now);
        }
    }

    /// Give free places of service `s` to its delayed discharges, longest first; each freed
    /// acute bed goes to the first patient waiting for one.
    fn serve_service_line(&mut self, q: &mut EventQueue<Event>, s: u16, now: Days) {
        while let Some(next) = self.services[s as usize].next_waiter(now) {
            self.end_delay(next, now);
            let cold = &mut self.patients.cold[next.index()];
            if cold.flags & FLAG_WAITING_FOR_EARLY != 0 {
                cold.flags &= !FLAG_WAITING_FOR_EARLY;
                self.tally.early_supported_discharges += 1;
            }
            self.leave_acute(q, next, now);
            self.enter_community(q, next, s, now);
        }
    }

    /// `p` leaves their acute bed (discharged or dead); the bed goes to the first patient
    /// waiting, if any.
    fn leave_acute(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let since = self.patients.cold[p.index()].since;
        self.tally.bed_stays += 1;
        self.tally.bed_stay_days_total += now - since;
        let g = &mut self.tally.groups
            [self.cells[self.patients.hot[p.index()].cell as usize].group as usize];
        g.bed_stays += 1;
        g.bed_stay_days_total += now - since;
        g.acute_bed_days += now - since.max(self.stats_from);
        let cold = &mut self.patients.cold[p.index()];
        cold.last_discharge = now;
        cold.flags &= !FLAG_UNSUPPORTED;
        self.acute.release(now);
        if let Some(next) = self.acute.next_waiter(now) {
            let wait = now - self.patients.cold[next.index()].since;
            self.admit(q, next, now, wait);
        }
    }

    /// Start an episode in community service `s`, whose place is already seized. In a
    /// home-based service the patient lives at home meanwhile, with events at home.
    fn enter_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.patients.cold[p.index()].state = CareState::Community(s);
        let service = &self.params.services[s as usize];
        let los = service.los.sample(&mut self.rng(p, Stream::CommunityLos));
        if service.setting == Setting::Home {
            self.at_home[self.patients.hot[p.index()].cell as usize].add(now, 1.0);
            self.schedule_home_event(q, p, now);
        }
        self.push(q, now + los, p, EventKind::EndOfCommunity);
    }

    fn on_end_of_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::Community(s) = self.patients.cold[p.index()].state else {
            unreachable!("end of community for a patient not in community care");
        };
        self.services[s as usize].release(now);
        if self.params.services[s as usize].setting == Setting::Home {
            // Already at home, with an event at home pending.
            self.patients.cold[p.index()].state = CareState::Home;
        } else {
            self.go_home(q, p, now);
        }
        self.serve_service_line(q, s, now);
    }

    fn go_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.patients.cold[p.index()].state = CareState::Home;
        self.at_home[self.patients.hot[p.index()].cell as usize].add(now, 1.0);
        self.schedule_home_event(q, p, now);
    }

    /// The midnight census: record the occupancy of every pool (and its capacity, when a
    /// schedule changes it), count the stability window, schedule the next day.
    fn on_day_end(&mut self, q: &mut EventQueue<Event>, now: Days) {
        let series = &mut self.tally.daily_occupancy;
        series.push(self.acute.in_use() as f32);
        series.extend(self.services.iter().map(|s| s.in_use() as f32));
        if self.scheduled {
            let capacity = &mut self.tally.daily_capacity;
            capacity.push(self.acute.capacity() as f32);
            capacity.extend(self.services.iter().map(|s| s.capacity() as f32));
        }
        if now > self.stability_from {
            let middle = (self.stability_from + self.params.horizon_days) / 2.0;
            let half = usize::from(now > middle);
            let pools = std::iter::once(&self.acute).chain(&self.services);
            for (check, pool) in self.stability.iter_mut().zip(pools) {
                check.census(pool.in_use(), pool.capacity(), pool.waiting(), half);
            }
        }
        if now + 1.0 <= self.params.horizon_days {
            q.push(now + 1.0, Event::system(EventKind::DayEnd));
        }
    }

    /// Apply change `index` of pool `pool`'s schedule; a rise serves the waiting line at
    /// once. Schedules the change's next repeat.
    fn on_capacity_change(
        &mut self,
        q: &mut EventQueue<Event>,
        pool: usize,
        index: usize,
        now: Days,
    ) {
        let schedule = if pool == 0 {
            &self.params.acute.schedule
        } else {
            &self.params.services[pool - 1].schedule
        };
        let capacity = schedule.changes[index].capacity;
        if let Some(every) = schedule.repeat_days {
            push_capacity_change(q, now + every, pool, index);
        }
        if pool == 0 {
            self.acute.set_capacity(now, capacity);
            while let Some(next) = self.acute.next_waiter(now) {
                let wait = now - self.patients.cold[next.index()].since;
                self.admit(q, next, now, wait);
            }
        } else {
            let s = pool - 1;
            self.services[s].set_capacity(now, capacity);
            self.serve_service_line(q, s as u16, now);
        }
    }

    /// Start statistics afresh: counts to zero, integrals from now.
    fn on_warmup_end(&mut self, now: Days) {
        self.tally.clear();
        self.stats_from = now;
        self.wait_zero = 0;
        self.wait_bins.iter_mut().for_each(|b| *b = 0);
        self.acute.reset_stats(now);
        for s in &mut self.services {
            s.reset_stats(now);
        }
        self.delayed.reset(now);
        for h in self.at_home.iter_mut().chain(&mut self.alive_by_tier) {
            h.reset(now);
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

    /// Close the integrals at `end` and return the tally.
    fn finish(&mut self, end: Days) -> Tally {
        self.tally.p95_wait_days = self.p95_wait();
        let t = &mut self.tally;
        t.acute_bed_days = self.acute.occupancy().area_until(end);
        t.peak_acute_occupancy = self.acute.occupancy().peak();
        t.days_over_85pct_occupancy = self.acute.high_occupancy().area_until(end);
        t.days_at_full_occupancy = self.acute.full().area_until(end);
        t.delayed_bed_days = self.delayed.area_until(end);
        t.acute_capacity_days = self.acute.provided().area_until(end);
        for (d, s) in t.community_capacity_days.iter_mut().zip(&self.services) {
            *d = s.provided().area_until(end);
        }
        for (d, s) in t.community_days.iter_mut().zip(&self.services) {
            *d = s.occupancy().area_until(end);
        }
        for (d, a) in t.tier_days.iter_mut().zip(&self.alive_by_tier) {
            *d = a.area_until(end);
        }
        t.observed_days = self.params.observed_days();
        t.unstable_pools = self.stability.iter().map(Stability::unstable).collect();
        // Per-group census and the bed-days of stays still open.
        for (hot, cold) in self.patients.iter() {
            let g = &mut t.groups[self.cells[hot.cell as usize].group as usize];
            match cold.state {
                CareState::Dead => continue,
                CareState::Acute | CareState::DelayedDischarge(_) => {
                    g.acute_bed_days += end - cold.since.max(self.stats_from);
                }
                _ => {}
            }
            g.patients_at_end += 1;
            t.patients_at_end += 1;
        }
        // Reviews and outpatient referrals: Poisson(rate × person-days at home) per cell.
        for (h, c) in self.at_home.iter().zip(&self.cells) {
            let days = h.area_until(end);
            t.reviews += poisson(c.review_rate * days, &mut self.streams.reviews);
            let referrals = poisson(c.outpatient_rate * days, &mut self.streams.outpatients);
            let extra = self.params.conditions[c.condition as usize].attendances_per_referral - 1.0;
            t.outpatient_referrals += referrals;
            t.outpatient_attendances +=
                referrals + poisson(referrals as f64 * extra, &mut self.streams.outpatients);
        }
        t.clone()
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
        for (_, cold) in self.patients.iter() {
            match cold.state {
                CareState::Acute => acute += 1,
                CareState::WaitingForBed => waiting += 1,
                CareState::DelayedDischarge(k) => {
                    acute += 1;
                    delayed[k as usize] += 1;
                }
                CareState::Community(k) => community[k as usize] += 1,
                CareState::Home | CareState::OutOfArea | CareState::Dead => {}
            }
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
            if community[k] != pool.in_use() || !pool.within_capacity() {
                return Err(format!(
                    "service {k}: {} patients, {} places in use of {}",
                    community[k],
                    pool.in_use(),
                    pool.capacity()
                ));
            }
            if delayed[k] != pool.waiting() {
                return Err(format!("service {k}: delayed line disagrees"));
            }
        }
        Ok(())
    }

    /// Number of patients (every patient is in exactly one [`CareState`]).
    pub fn patient_count(&self) -> usize {
        self.patients.len()
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

/// Schedule change `index` of pool `pool` at `day`.
fn push_capacity_change(q: &mut EventQueue<Event>, day: Days, pool: usize, index: usize) {
    q.push(
        day,
        Event {
            patient: PatientId(pool as u32),
            generation: index as u16,
            kind: EventKind::CapacityChange,
        },
    );
}
