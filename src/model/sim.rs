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
//!
//! The handlers change a [`World`] (the replication's state, in `model::world`). Policy
//! levers and community-service behaviours act only at named hook points, listed in
//! [`levers`](super::levers) and [`services`](super::services): a handler asks the hook
//! for a decision (a step-up place, a shorter stay, a supported discharge, a delay limit, a
//! risk factor; where a patient lives during an episode) and carries it out here.

use rand::RngExt;
use rand_distr::{Distribution, Exp1};

use super::economics::AcutePayment;
use super::event::{Event, EventKind, PatientId};
use super::levers::{
    CapacityMove, CapacityReview, EarlyWhenFull, SupportedDischarge, apply_odds_ratio,
};
use super::params::{Onward, Params, Payer, ServiceWhenFull, WhenFull};
use super::patients::{
    CareState, FLAG_AWAITING, FLAG_EARLY_ELIGIBLE, FLAG_EARLY_SUPPORTED, FLAG_HOLDING, FLAG_LAPSED,
    FLAG_ROUTE_DRAWN, FLAG_UNSUPPORTED, FLAG_WAITING_FOR_EARLY,
};
use super::services::{EpisodeEnd, EpisodeStart};
use super::streams::{Stream, StreamSeeds};
use super::tally::Tally;
use super::trends::Trends;
use super::world::ReviewCensus;
pub use super::world::{
    FINE_WAIT_DAYS, UNSTABLE_FULL_SHARE, UNSTABLE_LINE_GROWTH, WAIT_BIN_DAYS, World,
};
use crate::engine::{self, DAYS_PER_YEAR, Days, EventQueue, Scheduled};

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

/// Why a patient leaves where they live (see `World::leave_where_living`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaving {
    /// Admitted to hospital (a care-home resident's place is held).
    Admission,
    /// Died.
    Death,
    /// Moved to step-up care instead of admission.
    StepUp,
    /// Their episode of unmet need ended.
    NeedEnds,
    /// A place freed in the service they waited for at home.
    PlaceFound,
}

/// An admission request this soon after the last discharge counts as a readmission, days.
pub const READMISSION_WINDOW_DAYS: Days = 30.0;

/// A reusable simulator for one parameter set: allocate once per thread, run many
/// replications (each run clears and reuses every buffer).
#[derive(Debug)]
pub struct Sim<'p> {
    queue: EventQueue<Event>,
    world: World<'p>,
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

/// The index whose cumulative weight first exceeds `u` (uniform in [0, total)), the last
/// one if none does.
fn pick_index(u: f64, weights: impl Iterator<Item = f64>) -> usize {
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
}

impl<'p> Sim<'p> {
    /// Allocate a simulator sized for `params` (queue, patient table, lines).
    pub fn new(params: &'p Params) -> Self {
        Sim {
            queue: EventQueue::with_hint(
                params.home_event_rate_per_day(),
                params.total_patients(),
                params.horizon_days,
            ),
            world: World::new(params),
        }
    }

    /// Keep every person's slot in the patient table instead of reusing the slots of the
    /// dead (see [`PatientTable::keep_slots`](super::patients::PatientTable::keep_slots)):
    /// for tests and diagnostics.
    pub fn keep_slots(&mut self, on: bool) {
        self.world.patients.keep_slots(on);
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
        engine::run_until_looking_ahead(
            &mut self.queue,
            params.horizon_days,
            |queue, ev, ahead| {
                if let Some(ahead) = ahead {
                    // Both records, even for a candidate at home, which reads only the hot
                    // one unless it becomes an admission: measured faster at 100,000 and
                    // 1,000,000 patients and no slower at national scale.
                    world.patients.prefetch(ahead.patient);
                }
                world.handle(queue, ev);
                recorder.event_handled(ev.time, world);
            },
        );
        self.world.finish(params.horizon_days)
    }

    /// Clear every buffer and place the cohort at home with its first events scheduled.
    fn reset(&mut self, seeds: &StreamSeeds) {
        let params = self.world.params;
        let w = &mut self.world;
        self.queue.clear();
        w.clear(seeds);
        if params.warmup_days > 0.0 {
            self.queue
                .push(params.warmup_days, Event::system(EventKind::WarmupEnd));
        }
        if params.horizon_days >= 1.0 {
            self.queue.push(1.0, Event::system(EventKind::DayEnd));
        }
        let first_year_end = params.warmup_days + DAYS_PER_YEAR;
        if first_year_end < params.horizon_days {
            self.queue
                .push(first_year_end, Event::system(EventKind::YearEnd));
        }
        match &params.persons {
            // Each condition's cohort, one record per patient.
            None => {
                for (c, cond) in params.conditions.iter().enumerate() {
                    for (b, band) in cond.bands.iter().enumerate() {
                        let shares = params.tiers.iter().map(|t| t.shares[c]);
                        for (t, &count) in apportion(band.patients, shares).iter().enumerate() {
                            let cell = w.cell_of(0, c, b, t);
                            for _ in 0..count {
                                w.add_starting(&mut self.queue, cell);
                            }
                        }
                    }
                }
            }
            // Persons by set, their tiers by the shares of their main condition.
            Some(persons) => {
                for (b, sets) in persons.start.iter().enumerate() {
                    for &(set, n) in sets {
                        let lead = super::world::main_condition(params, set);
                        let shares = params.tiers.iter().map(|t| t.shares[lead]);
                        for (t, &count) in apportion(n, shares).iter().enumerate() {
                            let cell = w.cell_of(set, lead, b, t);
                            for _ in 0..count {
                                w.add_starting(&mut self.queue, cell);
                            }
                        }
                    }
                }
                if let Some(e) = &persons.entrants {
                    for b in 0..e.per_day.len() {
                        w.schedule_entrant(&mut self.queue, b, 0.0);
                    }
                }
            }
        }
        w.place_starting_residents(&mut self.queue);
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
        if let Some(c) = &params.levers.budget_controller
            && c.every_days <= params.horizon_days
        {
            self.queue
                .push(c.every_days, Event::system(EventKind::CapacityReview));
        }
    }
}

impl World<'_> {
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
            // Events of a person that outlive changes of state: ignored once the slot holds
            // someone else (its incarnation moved on when they died).
            EventKind::Ageing | EventKind::Enrol | EventKind::EnrolmentEnd
                if event.generation != self.patients.hot(p).incarnation =>
            {
                return;
            }
            EventKind::EnrolmentEnd => return self.on_enrolment_end(p, now),
            EventKind::CapacityChange => {
                return self.on_capacity_change(q, p.0 as usize, event.generation as usize, now);
            }
            EventKind::CapacityReview => return self.on_capacity_review(q, now),
            EventKind::Ageing => return self.on_ageing(q, p, now),
            EventKind::Entrant => return self.on_entrant(q, p.0 as usize, now),
            EventKind::Enrol => return self.on_enrol(q, p, usize::from(event.tag), now),
            EventKind::YearEnd => {
                self.mark_year(now);
                if now + DAYS_PER_YEAR < self.params.horizon_days {
                    q.push(now + DAYS_PER_YEAR, Event::system(EventKind::YearEnd));
                }
                return;
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
                EventKind::AtHome
                    | EventKind::EndOfCommunity
                    | EventKind::DelayTimeout
                    | EventKind::EndOfUnmet
                    | EventKind::HoldEnd
            ) || event.generation == self.patients.hot(p).generation,
            "a stay-ending event was cancelled: {event:?}"
        );
        let live = |w: &Self| event.generation == w.patients.hot(p).generation;
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
                self.patients.hot_mut(p).last_discharge = now;
                if self.patients.cold(p).flags & (FLAG_HOLDING | FLAG_LAPSED) != 0 {
                    self.back_to_residence(q, p, false, now);
                } else {
                    self.go_home(q, p, now);
                }
            }
            EventKind::EndOfUnmet => {
                if live(self) {
                    self.on_end_of_unmet(q, p, now);
                }
            }
            EventKind::HoldEnd => {
                if live(self) {
                    self.on_hold_end(q, p, now);
                }
            }
            EventKind::WarmupEnd
            | EventKind::NewPatient
            | EventKind::DayEnd
            | EventKind::CapacityChange
            | EventKind::EnrolmentEnd
            | EventKind::YearEnd
            | EventKind::Ageing
            | EventKind::Entrant
            | EventKind::Enrol
            | EventKind::CapacityReview => {
                unreachable!("handled above")
            }
        }
    }

    /// Move each long-stay service's `residents_at_start` from the starting cohort (drawn
    /// uniformly, without replacement, from the population stream) into the service.
    fn place_starting_residents(&mut self, q: &mut EventQueue<Event>) {
        let n = self.patients.len();
        for (s, service) in self.params.services.iter().enumerate() {
            let Some(residents) = &service.residents else {
                continue;
            };
            // Draws that find someone already placed are retried; the cap only guards
            // against a cohort with too few people at home (validation keeps
            // `at_start` within capacity).
            let mut placed = 0;
            let mut draws = 0usize;
            while placed < residents.at_start && draws < 100 * n {
                draws += 1;
                let p = PatientId(self.streams.population.random_range(0..n as u32));
                if self.patients.hot(p).state != CareState::Home {
                    continue;
                }
                if !self.services[s].try_seize(0.0) {
                    break;
                }
                self.patients.cancel_pending(p);
                self.leave_where_living(q, p, Leaving::StepUp, 0.0);
                self.enter_community(q, p, s as u16, 0.0);
                placed += 1;
            }
        }
    }

    /// Add a patient at home in `cell` at `now` and schedule their first event.
    fn add_patient(&mut self, q: &mut EventQueue<Event>, cell: usize, now: Days) -> PatientId {
        let frailty = self
            .frailty
            .map_or(1.0, |g| g.sample(&mut self.streams.population) as f32);
        let p = self.patients.push(cell as u16, frailty);
        let w = self.weight(now);
        self.at_home[cell].add_at(now, w, 1.0);
        self.alive_by_tier[self.cells[cell].tier as usize].add_at(now, w, 1.0);
        if self.quality_on {
            let u = self.utility(&self.cells[cell], CareState::Home);
            self.quality.add_at(now, w, u);
        }
        self.schedule_home_event(q, p, now);
        p
    }

    /// Add a patient of the starting cohort in `cell`: with ageing, their age uniform
    /// within the band (its remaining time drawn from the population stream).
    fn add_starting(&mut self, q: &mut EventQueue<Event>, cell: usize) {
        let p = self.add_patient(q, cell, 0.0);
        self.schedule_ageing(q, p, 0.0, true);
        if self.uptake_on {
            self.start_enrolment(q, p, 0.0);
        }
    }

    /// With programme uptake curves: each programme of `p`'s tier that has a curve enrols
    /// them when the curve reaches a uniform number from their own stream; until then they
    /// are in the tier without it (moved there now, their candidate at home redrawn).
    fn start_enrolment(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        if !self.uptake_on {
            return;
        }
        let params = self.params;
        let uptake = &params.levers.programme_uptake;
        let Some((base, mask)) = params.tiers[self.cell(p).tier as usize].enrolment else {
            return;
        };
        let mut enrolled = mask;
        for (k, curve) in uptake.iter().enumerate() {
            let Some(curve) = curve else { continue };
            if mask & (1 << k) == 0 {
                continue;
            }
            let at = curve.time_of(self.uniform(p, Stream::Population));
            if at > now {
                enrolled &= !(1 << k);
                if at < params.horizon_days {
                    let mut ev = self.person_event(EventKind::Enrol, p);
                    ev.tag = k as u8;
                    q.push(at, ev);
                }
            }
        }
        if enrolled != mask {
            let to = self.tier_of[(base << uptake.len()) | enrolled as usize] as usize;
            self.move_tier(p, to, now);
            self.redraw_at_home(q, p, now);
        }
    }

    /// `p`'s uptake time of programme `k` has come: they move to the tier with it.
    fn on_enrol(&mut self, q: &mut EventQueue<Event>, p: PatientId, k: usize, now: Days) {
        let state = self.patients.hot(p).state;
        if state == CareState::Dead {
            return;
        }
        let params = self.params;
        let Some((base, mask)) = params.tiers[self.cell(p).tier as usize].enrolment else {
            return;
        };
        let programmes = params.levers.programme_uptake.len();
        let to = self.tier_of[(base << programmes) | (mask | 1 << k) as usize] as usize;
        self.move_tier(p, to, now);
        self.redraw_at_home(q, p, now);
    }

    /// `p`'s rates changed (a band, a tier): at home, their pending candidate is redrawn at
    /// the new rates; elsewhere they apply from the next candidate.
    fn redraw_at_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        if self.patients.hot(p).state == CareState::Home {
            self.patients.cancel_pending(p);
            self.schedule_home_event(q, p, now);
        }
    }

    /// With ageing, schedule `p`'s move to the next band: after the rest of their band's
    /// span, all of it for someone entering at the band's start age, a uniform share of it
    /// for someone whose age within the band is unknown (`anywhere`).
    fn schedule_ageing(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        now: Days,
        anywhere: bool,
    ) {
        let Some(ageing) = &self.params.population.ageing else {
            return;
        };
        let band = self.cell(p).band as usize;
        let Some(span) = ageing.band_days(band) else {
            return;
        };
        let left = if anywhere {
            span * (1.0 - self.streams.population.random::<f64>())
        } else {
            span
        };
        if now + left < self.params.horizon_days {
            q.push(now + left, self.person_event(EventKind::Ageing, p));
        }
    }

    /// `p` reaches the next band's start age: their cell moves up a band (rates, stays
    /// and utility change now). At home, their pending candidate is redrawn at the new
    /// rates; elsewhere the new rates apply from their next candidate event.
    fn on_ageing(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let state = self.patients.hot(p).state;
        if state == CareState::Dead {
            return;
        }
        let cell = self.patients.hot(p).cell as usize;
        // Cells are pair-major, then band, then tier: the next band is `tiers` further.
        self.move_cell(p, cell + self.params.tiers.len(), now);
        self.tally.band_moves += 1;
        self.redraw_at_home(q, p, now);
        self.schedule_ageing(q, p, now, false);
    }

    /// Schedule the next candidate entrant to band `b` (thinned from the band's highest
    /// yearly rate of entrants with a condition).
    fn schedule_entrant(&mut self, q: &mut EventQueue<Event>, b: usize, now: Days) {
        let Some(persons) = &self.params.persons else {
            return;
        };
        let Some(e) = &persons.entrants else {
            return;
        };
        let rate = e.max_rate(b) * persons.with_conditions(b);
        if rate > 0.0 {
            let gap: f64 = Exp1.sample(&mut self.streams.incidence);
            if now + gap / rate < self.params.horizon_days {
                let mut ev = Event::system(EventKind::Entrant);
                ev.patient = PatientId(b as u32);
                q.push(now + gap / rate, ev);
            }
        }
    }

    /// A candidate entrant to band `b`: kept with the year's share of the highest rate,
    /// their set drawn from the band's joint prevalence among those with a condition, their
    /// tier by their main condition's shares; they enter at the band's start age.
    fn on_entrant(&mut self, q: &mut EventQueue<Event>, b: usize, now: Days) {
        let params = self.params;
        let Some(persons) = &params.persons else {
            return;
        };
        let Some(e) = &persons.entrants else {
            return;
        };
        let keep = e.rate(b, now) / e.max_rate(b);
        if self.streams.incidence.random::<f64>() < keep {
            let joint = &persons.joint[b];
            let u = self.streams.population.random::<f64>() * persons.with_conditions(b);
            let mut acc = 0.0;
            let mut set = joint.len() - 1;
            for (s, share) in joint.iter().enumerate().skip(1) {
                acc += share;
                if u < acc {
                    set = s;
                    break;
                }
            }
            let set = set as u16;
            let lead = super::world::main_condition(params, set);
            let u_tier = self.streams.population.random::<f64>();
            let tier = pick_index(u_tier, params.tiers.iter().map(|t| t.shares[lead]));
            let cell = self.cell_of(set, lead, b, tier);
            let p = self.add_patient(q, cell, now);
            self.tally.entrants += 1;
            self.schedule_ageing(q, p, now, false);
            self.start_enrolment(q, p, now);
        }
        self.schedule_entrant(q, b, now);
    }

    /// Move `p` to `state` at `now`, keeping the quality-weighted count of the living.
    #[inline]
    fn set_state(&mut self, p: PatientId, state: CareState, now: Days) {
        let old = std::mem::replace(&mut self.patients.hot_mut(p).state, state);
        if self.quality_on {
            self.shift_quality(p, old, state, now);
        }
    }

    /// The change of `p`'s utility from `old` to `new`, in the quality integral.
    #[inline(never)]
    fn shift_quality(&mut self, p: PatientId, old: CareState, new: CareState, now: Days) {
        let cell = &self.cells[self.patients.hot(p).cell as usize];
        let change = self.utility(cell, new) - self.utility(cell, old);
        if change != 0.0 {
            let weight = self.weight(now);
            self.quality.add_at(now, weight, change);
        }
    }

    /// The patient's exacerbation rate apart from the season and the post-discharge window,
    /// at `now`, or (`None`) its bound over the current spell at home: cell rate ×
    /// frailty × history multiplier^prior admissions × the levers' factor (enrolment).
    // Measured (callgrind, reference_chronic_flow, 1 replication): left to `#[inline]`,
    // the compiler stops inlining it into its three callers and `Sim::run` costs 3.5% more
    // instructions (490.8M against 474.1M).
    #[allow(clippy::inline_always)]
    #[inline(always)]
    fn base_rate(&self, p: PatientId, now: Option<Days>) -> f64 {
        let c = self.cell(p);
        let mut r = c.exacerbation_rate * self.frailty_of(p);
        if c.admission_multiplier != 1.0 {
            r *= self.history_factor(p, c, now);
        }
        // Only an enrolment rule has this hook: without one, not even a check per event.
        if self.enrolment_rule {
            r *= self
                .params
                .levers
                .exacerbation_factor(p, &self.patients, now);
        }
        r
    }

    /// The history multiplier^prior admissions: every admission since the start (the
    /// lifetime count), or only those within the condition's window at `now`. The window's
    /// bound over a spell at home (`now` `None`) counts those within the window of the last
    /// admission, which no later count exceeds (1 for a multiplier below 1).
    #[inline]
    fn history_factor(&self, p: PatientId, c: &super::world::Cell, now: Option<Days>) -> f64 {
        let m = c.admission_multiplier;
        if c.history_days == f64::INFINITY {
            return m.powi(i32::from(self.patients.hot(p).prior_admissions));
        }
        let h = self.patients.history(p);
        let k = match now {
            Some(t) => h.count_within(t, c.history_days),
            None if m > 1.0 => h.count_bound(c.history_days),
            None => 0,
        };
        m.powi(k as i32)
    }

    /// The patient's exacerbation rate at `now` without the season: the base rate ×
    /// post-discharge multiplier in the window.
    #[inline]
    fn personal_rate(&self, p: PatientId, now: Days) -> f64 {
        let c = self.cell(p);
        let r = self.base_rate(p, Some(now));
        if now - self.patients.hot(p).last_discharge <= c.post_discharge_days {
            r * c.post_discharge_multiplier * self.post_discharge_factor(p)
        } else {
            r
        }
    }

    /// The levers' extra post-discharge multiplier for `p` (hook point
    /// `post_discharge_factor`: an unsupported early discharge raises it; 1 for everyone
    /// else, and whenever no lever changes it).
    #[inline]
    fn post_discharge_factor(&self, p: PatientId) -> f64 {
        self.params.levers.post_discharge_factor(p, &self.patients)
    }

    /// The patient's candidate rate at home: a bound on death + exacerbation rates that is
    /// constant while they stay at home.
    #[inline]
    fn candidate_rate(&self, p: PatientId) -> f64 {
        let c = self.cell(p);
        if self.varying {
            return self.candidate_rate_in_state(p, c);
        }
        let bound = self.base_rate(p, None) * c.headroom;
        // In a `simple` cell every candidate is an exacerbation, so the bound must be exact;
        // such cells have no post-discharge effect for the levers' factor to raise.
        if c.simple {
            bound + c.death_rate
        } else {
            bound * self.post_discharge_factor(p) + c.death_rate + c.onset_rate
        }
    }

    /// [`candidate_rate`](Self::candidate_rate) where some service changes rates (kept
    /// out of line so that the common case stays as lean as before such services existed).
    #[inline(never)]
    fn candidate_rate_in_state(&self, p: PatientId, c: &super::world::Cell) -> f64 {
        let (multiplier, death) = self.rates_here(p, c);
        let bound = self.base_rate(p, None) * c.headroom * multiplier;
        if !self.trends_on {
            return if c.simple {
                bound + death
            } else {
                bound * self.post_discharge_factor(p) + death + c.onset_rate
            };
        }
        self.candidate_bound_trended(p, c, bound, death)
    }

    /// [`candidate_rate_in_state`](Self::candidate_rate_in_state) with trends, from the
    /// exacerbation bound and death hazard before them: each rate at its largest value over
    /// the run.
    #[inline(never)]
    fn candidate_bound_trended(
        &self,
        p: PatientId,
        c: &super::world::Cell,
        bound: f64,
        death: f64,
    ) -> f64 {
        let trends = &self.params.trends;
        let bound = bound * Trends::bound(&trends.exacerbations);
        let death = death * Trends::bound(&trends.deaths);
        if c.simple {
            bound + death
        } else {
            bound * self.post_discharge_factor(p)
                + death
                + c.onset_rate * Trends::bound(&trends.onset)
        }
    }

    /// Where `p` lives now, the multiplier on their exacerbation rate and their death
    /// hazard, per day: (1, the cell's hazard) except where a service changes them
    /// ([`Params::rates_depend_on_state`]). Asked only on the general path (such a service,
    /// or a trend), so that the common case does not look at the state.
    #[inline]
    fn rates_here(&self, p: PatientId, c: &super::world::Cell) -> (f64, f64) {
        let services = &self.params.services;
        match self.patients.hot(p).state {
            CareState::Unmet(s) | CareState::WaitingAtHome(s) => {
                let u = &services[s as usize].unmet;
                (u.exacerbation_multiplier, c.death_rate * u.death_multiplier)
            }
            CareState::Community(s) => match &services[s as usize].residents {
                Some(r) => (
                    r.exacerbation_multiplier,
                    r.death_rate_per_day[c.band as usize],
                ),
                None => (1.0, c.death_rate),
            },
            _ => (1.0, c.death_rate),
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
        if self.varying {
            return self.on_candidate_in_state(q, p, now);
        }
        let c = self.cell(p);
        if c.simple {
            return self.on_exacerbation(q, p, now);
        }
        let (death, onset) = (c.death_rate, c.onset_rate);
        self.resolve_candidate(q, p, death, onset, 1.0, now);
    }

    /// Thinning of a candidate at home (rates constant over the year): death at `death`,
    /// an onset at `onset`, an exacerbation at the personal rate × the season ×
    /// `multiplier` (the rates of where the patient lives), else a rejected candidate and
    /// the next one drawn.
    #[inline]
    fn resolve_candidate(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        death: f64,
        onset: f64,
        multiplier: f64,
        now: Days,
    ) {
        let leave = death + onset;
        let u = self.uniform(p, Stream::Home) * self.candidate_rate(p);
        let season = self.params.seasonality.map_or(1.0, |s| s.multiplier(now));
        if u < death {
            self.die_where_living(q, p, now);
        } else if u < leave {
            self.on_onset(q, p, (u - death) / (leave - death), now);
        } else if u < leave + self.personal_rate(p, now) * season * multiplier {
            self.on_exacerbation(q, p, now);
        } else {
            self.schedule_home_event(q, p, now);
        }
    }

    /// `p` acquires a condition they did not hold (chosen by its onset rate with `u`,
    /// uniform in [0, 1)): their cell moves to the larger set, keeping their lead
    /// condition, and their next candidate is drawn at the new rates — or, with the
    /// condition's `first_event_admission_share`, the onset is an acute first event: an
    /// admission request for it.
    #[inline(never)]
    fn on_onset(&mut self, q: &mut EventQueue<Event>, p: PatientId, u: f64, now: Days) {
        let c = self.cell(p);
        let (set, lead, band, tier) = (c.set, c.condition, c.band, c.tier);
        let condition = self.pick(c.onset_mix, u);
        let to = self.cell_of(
            set | (1 << condition),
            usize::from(lead),
            usize::from(band),
            usize::from(tier),
        );
        self.move_cell(p, to, now);
        self.tally.condition_onsets += 1;
        // An acute first event (a first stroke in someone with other conditions): the onset
        // is their first exacerbation of it, an admission request, from their own stream.
        let share = self.params.conditions[condition].first_event_admission_share;
        if share > 0.0 && self.uniform(p, Stream::Admission) < share {
            let first = self.cell_of(
                set | (1 << condition),
                condition,
                usize::from(band),
                usize::from(tier),
            );
            self.move_cell(p, first, now);
            self.tally.exacerbations += 1;
            self.tally.first_event_requests += 1;
            let group = self.cells[first].group as usize;
            return self.request_admission(q, p, condition, group, now);
        }
        self.schedule_home_event(q, p, now);
    }

    /// [`on_at_home`](Self::on_at_home) where some service changes rates (the rates of
    /// where the patient lives: at home, with a need unmet or waited for, in a care home),
    /// or a trend changes them by year.
    #[inline(never)]
    fn on_candidate_in_state(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        if self.trends_on {
            return self.on_candidate_trended(q, p, now);
        }
        let c = self.cell(p);
        let (multiplier, death) = self.rates_here(p, c);
        let onset = c.onset_rate;
        self.resolve_candidate(q, p, death, onset, multiplier, now);
    }

    /// [`on_candidate_in_state`](Self::on_candidate_in_state) with trends: each rate below
    /// its largest value over the run leaves a gap of rejected candidates after its own
    /// range (thinning).
    #[inline(never)]
    fn on_candidate_trended(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let c = self.cell(p);
        let (multiplier, death) = self.rates_here(p, c);
        let onset = c.onset_rate;
        let (trends, warmup) = (&self.params.trends, self.params.warmup_days);
        let death_now = death * Trends::factor(&trends.deaths, now, warmup);
        let death_bound = death * Trends::bound(&trends.deaths);
        let onset_now = onset * Trends::factor(&trends.onset, now, warmup);
        let onset_bound = death_bound + onset * Trends::bound(&trends.onset);
        let u = self.uniform(p, Stream::Home) * self.candidate_rate(p);
        let season = self.params.seasonality.map_or(1.0, |s| s.multiplier(now))
            * Trends::factor(&trends.exacerbations, now, warmup);
        if u < death_now {
            self.die_where_living(q, p, now);
        } else if u < death_bound {
            self.schedule_home_event(q, p, now);
        } else if u < death_bound + onset_now {
            self.on_onset(q, p, (u - death_bound) / onset_now, now);
        } else if u < onset_bound {
            self.schedule_home_event(q, p, now);
        } else if u < onset_bound + self.personal_rate(p, now) * season * multiplier {
            self.on_exacerbation(q, p, now);
        } else {
            self.schedule_home_event(q, p, now);
        }
    }

    /// A death where the patient lives: at home (with or without a home-based service, a
    /// need unmet or waited for), or as a long-stay resident in a care home.
    fn die_where_living(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let cell = self.patients.hot(p).cell as usize;
        if self.is_resident(p) {
            self.tally.deaths_in_care += 1;
            self.tally.groups[self.cells[cell].group as usize].deaths_in_care += 1;
        } else {
            self.tally.deaths_home += 1;
            self.tally.groups[self.cells[cell].group as usize].deaths_home += 1;
        }
        self.leave_where_living(q, p, Leaving::Death, now);
        self.die(q, p, now);
    }

    /// Whether `p` is a long-stay resident in their place.
    fn is_resident(&self, p: PatientId) -> bool {
        matches!(self.patients.hot(p).state,
            CareState::Community(s) if self.params.services[s as usize].residents.is_some())
    }

    /// `p` leaves where they live, for `why`: out of the count at home, out of any unmet
    /// or waiting state (a need waited for is superseded), giving up a home-based place
    /// (offered to the service's line) — or, for a long-stay resident admitted to
    /// hospital, holding their place for the service's `hold_days`.
    fn leave_where_living(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        why: Leaving,
        now: Days,
    ) {
        let cell = self.patients.hot(p).cell as usize;
        match self.patients.hot(p).state {
            CareState::Home => {
                let weight = self.weight(now);
                self.at_home[cell].add_at(now, weight, -1.0);
            }
            CareState::Community(s) => {
                if let Some(residents) = &self.params.services[s as usize].residents {
                    if why == Leaving::Admission {
                        return self.hold_place(q, p, s, residents.hold_days, now);
                    }
                } else {
                    let weight = self.weight(now);
                    self.at_home[cell].add_at(now, weight, -1.0);
                }
                let cold = self.patients.cold_mut(p);
                if cold.flags & FLAG_AWAITING != 0 {
                    // In a home-based interim service, still waiting for another service.
                    cold.flags &= !FLAG_AWAITING;
                    cold.link = 0;
                    self.needs.superseded += 1;
                }
                self.services[s as usize].release(now);
                self.serve_service_line(q, s, now);
            }
            CareState::Unmet(s) => {
                let weight = self.weight(now);
                self.at_home[cell].add_at(now, weight, -1.0);
                let weight = self.weight(now);
                self.unmet[s as usize].add_at(now, weight, -1.0);
            }
            CareState::WaitingAtHome(s) => {
                let weight = self.weight(now);
                self.at_home[cell].add_at(now, weight, -1.0);
                let weight = self.weight(now);
                self.home_waiting[s as usize].add_at(now, weight, -1.0);
                // A place found has already taken them off the line (and counted the need
                // received); otherwise the need waited for is closed here.
                if why != Leaving::PlaceFound {
                    self.services[s as usize].remove_waiter(&p);
                    self.needs.superseded += 1;
                }
            }
            _ => {}
        }
    }

    /// A resident of long-stay service `s` is admitted: their place stays taken for
    /// `hold_days` (an event releases it then), and the end of their stay is kept.
    fn hold_place(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        s: u16,
        hold_days: Days,
        now: Days,
    ) {
        let cold = self.patients.cold_mut(p);
        cold.flags |= FLAG_HOLDING;
        cold.link = (s + 1) as u8;
        self.push(q, now + hold_days, p, EventKind::HoldEnd);
    }

    /// The hold on a hospitalised resident's place ends: the place goes to the service's
    /// line; the patient will need a place again at discharge.
    fn on_hold_end(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let cold = self.patients.cold_mut(p);
        if cold.flags & FLAG_HOLDING == 0 {
            return;
        }
        cold.flags = (cold.flags & !FLAG_HOLDING) | FLAG_LAPSED;
        let s = u16::from(cold.link) - 1;
        self.services[s as usize].release(now);
        self.serve_service_line(q, s, now);
    }

    /// A long-stay resident leaves hospital (an acute bed when `from_bed`, else another
    /// hospital): back to their held place while their stay lasts; if their place lapsed,
    /// they need one again.
    fn back_to_residence(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        from_bed: bool,
        now: Days,
    ) {
        let cold = self.patients.cold_mut(p);
        let s = u16::from(cold.link) - 1;
        let holding = cold.flags & FLAG_HOLDING != 0;
        cold.flags &= !(FLAG_HOLDING | FLAG_LAPSED);
        cold.link = 0;
        let stay_end = f64::from(cold.slack);
        if !holding {
            self.needs.created += 1;
            if from_bed {
                self.need_from_bed(q, p, s, now);
            } else {
                self.need_away_from_bed(q, p, s, now);
            }
            return;
        }
        if from_bed {
            self.leave_acute(q, p, now);
        }
        self.patients.cancel_pending(p);
        if stay_end > now {
            self.set_state(p, CareState::Community(s), now);
            self.schedule_home_event(q, p, now);
            self.push(q, stay_end, p, EventKind::EndOfCommunity);
        } else {
            // The stay ended while they were away: the place is free, they go home.
            self.services[s as usize].release(now);
            self.serve_service_line(q, s, now);
            self.go_home(q, p, now);
        }
    }

    fn die(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        if self.params.levers.care_management.is_some() {
            self.end_enrolment_at_death(p, now);
        }
        let c = self.cell(p);
        let (tier, count) = (c.tier as usize, usize::from(c.count).clamp(1, 3));
        if self.persons_on {
            self.tally.deaths_by_count[count - 1] += 1;
        }
        let weight = self.weight(now);
        self.alive_by_tier[tier].add_at(now, weight, -1.0);
        self.set_state(p, CareState::Dead, now);
        let cold = self.patients.cold_mut(p);
        if cold.flags & FLAG_HOLDING != 0 {
            cold.flags &= !FLAG_HOLDING;
            let s = u16::from(cold.link) - 1;
            self.services[s as usize].release(now);
            self.serve_service_line(q, s, now);
        }
        self.patients.cancel_pending(p);
        self.patients.release(p);
    }

    /// Schedule the next new patient of condition `c`, if the condition has incidence.
    fn schedule_new_patient(&mut self, q: &mut EventQueue<Event>, c: usize, now: Days) {
        let rate = self.params.conditions[c].new_patients_per_day
            * Trends::bound(&self.params.trends.incidence);
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
        // A trend in incidence thins the arrivals drawn at its largest value.
        if let Some(t) = &self.params.trends.incidence
            && self.streams.incidence.random::<f64>() * t.max()
                >= t.at(now, self.params.warmup_days)
        {
            return self.schedule_new_patient(q, c, now);
        }
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
        let set = if c < 16 { 1 << c } else { 0 };
        let cell = self.cell_of(set, c, band, tier);
        let p = self.add_patient(q, cell, now);
        self.schedule_ageing(q, p, now, true);
        if self.uptake_on {
            self.start_enrolment(q, p, now);
        }
        // An acute first event (a first stroke): the new patient's first exacerbation is an
        // admission request, drawn from their own admission stream.
        let share = self.params.conditions[c].first_event_admission_share;
        if share > 0.0 && self.uniform(p, Stream::Admission) < share {
            self.tally.exacerbations += 1;
            self.tally.first_event_requests += 1;
            let group = self.cells[cell].group as usize;
            self.request_admission(q, p, c, group, now);
        }
        self.schedule_new_patient(q, c, now);
    }

    fn on_exacerbation(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.exacerbations += 1;
        if self.persons_on && self.cell(p).count > 1 {
            self.attribute_exacerbation(p, now);
        }
        let c = self.cell(p);
        let (admit, group, condition) = (c.admit, c.group as usize, c.condition as usize);
        // Hook point `admit_factor`: enrolment may change the admission probability.
        let mut admit = if self.enrolment_rule {
            admit * self.params.levers.admit_factor(p, &self.patients, now)
        } else {
            admit
        };
        if self.trends_on {
            admit = self.admit_trend(admit, now);
        }
        if self.uniform(p, Stream::Admission) >= admit {
            self.tally.urgent_contacts += 1;
            self.tally.discounted.urgent_contacts += self.discount_at(now);
            self.schedule_home_event(q, p, now);
            return;
        }
        self.request_admission(q, p, condition, group, now);
    }

    /// `admit` × the admission trend at `now` (capped at 1).
    #[inline(never)]
    fn admit_trend(&self, admit: f64, now: Days) -> f64 {
        match &self.params.trends.admissions {
            Some(t) => (admit * t.at(now, self.params.warmup_days)).min(1.0),
            None => admit,
        }
    }

    /// The condition of an exacerbation of `p`, who holds several: drawn by each
    /// condition's share of their exacerbation rate (every other factor of the rate is the
    /// person's, common to all), it becomes their lead (see [`super::persons`]).
    #[inline(never)]
    fn attribute_exacerbation(&mut self, p: PatientId, now: Days) {
        let u = self.uniform(p, Stream::Home);
        let c = self.cell(p);
        let (set, band, tier, mix) = (c.set, c.band, c.tier, c.exacerbation_mix);
        let lead = self.pick(mix, u);
        let to = self.cell_of(set, lead, usize::from(band), usize::from(tier));
        self.move_cell(p, to, now);
    }

    /// An exacerbation (or an acute first event) of `p`, of `condition` in `group`, becomes an
    /// admission request: step-up care if a lever offers it, else a bed, the line or another
    /// hospital.
    #[inline]
    fn request_admission(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        condition: usize,
        group: usize,
        now: Days,
    ) {
        // Hook point `admission_request`: a lever may offer a community place instead (not
        // to a care-home resident).
        if let Some(service) = self.params.levers.admission_request(
            p,
            condition,
            now,
            &self.patients,
            &mut self.streams,
        ) && !self.is_resident(p)
            && self.services[service].try_seize(now)
        {
            return self.step_up(q, p, service, now);
        }
        self.tally.admission_requests += 1;
        if now - self.patients.hot(p).last_discharge <= READMISSION_WINDOW_DAYS {
            self.tally.readmissions_30d += 1;
            self.tally.groups[group].readmissions_30d += 1;
        }
        let k = &mut self.patients.hot_mut(p).prior_admissions;
        *k = k.saturating_add(1);
        if self.patients.has_history() {
            self.patients.history_mut(p).record(now);
            // Hook point `admission_requested`: enrolment in targeted care management.
            self.on_admission_requested(q, p, condition, now);
        }
        // Leaving home: any other pending home event of this patient is now stale.
        self.patients.cancel_pending(p);
        self.leave_where_living(q, p, Leaving::Admission, now);
        if self.acute.try_seize(now) {
            self.admit(q, p, now, 0.0);
            return;
        }
        match self.params.acute.when_full {
            WhenFull::Queue => {
                self.set_state(p, CareState::WaitingForBed, now);
                self.patients.cold_mut(p).since = now;
                self.acute.enqueue(p);
            }
            WhenFull::Divert => {
                self.tally.diversions += 1;
                self.tally.discounted.diversions += self.discount_at(now);
                self.set_state(p, CareState::OutOfArea, now);
                let los = self.sample_los(p, Stream::DiversionLos, now);
                self.push(q, now + los, p, EventKind::EndOfDiversion);
            }
        }
    }

    /// Step-up care instead of admission: `p` (living at home) takes the place already
    /// seized for them in community service `service`, giving up any home-based place they
    /// held.
    fn step_up(&mut self, q: &mut EventQueue<Event>, p: PatientId, service: usize, now: Days) {
        self.tally.levers.admission_avoidance.admissions_avoided += 1;
        self.needs.created += 1;
        self.needs.received += 1;
        self.patients.cancel_pending(p);
        self.leave_where_living(q, p, Leaving::StepUp, now);
        self.enter_community(q, p, service as u16, now);
    }

    /// An acute length of stay for `p`: their condition's distribution × their age band's
    /// multiplier, drawn from `stream` (acute or out-of-area stays).
    #[inline]
    fn sample_los(&mut self, p: PatientId, stream: Stream, now: Days) -> Days {
        let c = self.cell(p);
        let (condition, mult) = (c.condition as usize, c.los_multiplier);
        let params = self.params;
        let los = params.conditions[condition]
            .los
            .sample(&mut self.rng(p, stream))
            * mult;
        if self.trends_on {
            los * Trends::factor(&params.trends.acute_los, now, params.warmup_days)
        } else {
            los
        }
    }

    /// The community-stay trend's multiplier at `now` (1 without one).
    #[inline]
    fn community_los_trend(&self, now: Days) -> f64 {
        if self.trends_on {
            Trends::factor(
                &self.params.trends.community_los,
                now,
                self.params.warmup_days,
            )
        } else {
            1.0
        }
    }

    /// Put `p` in the bed already seized for them, after waiting `wait` days.
    fn admit(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days, wait: Days) {
        self.tally.admissions += 1;
        self.tally.wait_days_total += wait;
        self.record_wait(wait);
        let c = self.cell(p);
        let (group, condition, loss) = (
            c.group as usize,
            c.condition as usize,
            c.admission_qaly_loss,
        );
        self.tally.groups[group].admissions += 1;
        if self.persons_on {
            let class = usize::from(self.cell(p).count).clamp(1, 3) - 1;
            self.tally.admissions_by_count[class] += 1;
        }
        if loss > 0.0 {
            self.tally.qaly_losses += loss;
            self.tally.discounted.qaly_losses += loss * self.discount_at(now);
        }
        self.set_state(p, CareState::Acute, now);
        self.patients.cold_mut(p).since = now;
        let mut los = self.sample_los(p, Stream::AcuteLos, now);
        // Hook point `admitted`: a lever may shorten the stay to an early point (not for a
        // care-home resident, who goes back to their home).
        if self.patients.cold(p).flags & (FLAG_HOLDING | FLAG_LAPSED) == 0
            && let Some(early) = self
                .params
                .levers
                .admitted(condition, los, now, &mut self.streams)
        {
            // The usual route is drawn now, once: it decides eligibility (hook point
            // `usual_route_eligible`) and is the route taken if the patient leaves by it.
            let route = self.draw_route(p, condition);
            let cold = self.patients.cold_mut(p);
            cold.flags |= FLAG_ROUTE_DRAWN;
            cold.link = route.map_or(0, |s| (s + 1) as u8);
            if self
                .params
                .levers
                .usual_route_eligible(route.map(usize::from))
            {
                let cold = self.patients.cold_mut(p);
                cold.slack = (los - early) as f32;
                cold.flags |= FLAG_EARLY_ELIGIBLE;
                los = early;
            }
        }
        self.push(q, now + los, p, EventKind::EndOfStay);
    }

    fn on_end_of_stay(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.stays_ended += 1;
        self.tally.stay_days_total += now - self.patients.cold(p).since;
        let c = self.cell(p);
        let (condition, mut death, group) = (c.condition as usize, c.in_hospital_death, c.group);
        if self.trends_on
            && let Some(t) = &self.params.trends.deaths
        {
            death = (death * t.at(now, self.params.warmup_days)).min(1.0);
        }
        if death > 0.0 && self.uniform(p, Stream::HospitalDeath) < death {
            self.tally.deaths_hospital += 1;
            self.tally.groups[group as usize].deaths_hospital += 1;
            self.patients.cold_mut(p).flags &= !FLAG_EARLY_ELIGIBLE;
            self.leave_acute(q, p, now);
            self.die(q, p, now);
            return;
        }
        let cold = self.patients.cold_mut(p);
        if cold.flags & FLAG_EARLY_ELIGIBLE != 0 {
            cold.flags &= !FLAG_EARLY_ELIGIBLE;
            return self.discharge_early(q, p, condition, now);
        }
        self.route_discharge(q, p, condition, now);
    }

    /// The early point of an eligible stay (hook point `fit_for_discharge`): supported
    /// discharge if the service has a place, else wait for one or go home unsupported.
    fn discharge_early(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        condition: usize,
        now: Days,
    ) {
        let Some(SupportedDischarge { service, when_full }) =
            self.params.levers.fit_for_discharge()
        else {
            // Only a lever marks a stay eligible, so one decides; without one (a broken
            // invariant), the usual route in release builds.
            debug_assert!(false, "a stay marked for early discharge without a lever");
            return self.route_discharge(q, p, condition, now);
        };
        // The need for the supporting service replaces the usual route's.
        self.needs.created += 1;
        if self.services[service].try_seize(now) {
            self.needs.received += 1;
            self.tally.levers.early_discharge.early_supported_discharges += 1;
            self.leave_acute(q, p, now);
            let cold = self.patients.cold_mut(p);
            cold.flags = (cold.flags & !FLAG_ROUTE_DRAWN) | FLAG_EARLY_SUPPORTED;
            self.enter_community(q, p, service as u16, now);
            return;
        }
        match when_full {
            EarlyWhenFull::DischargeUnsupported => {
                self.tally.levers.early_discharge.unsupported_discharges += 1;
                self.leave_acute(q, p, now);
                let cold = self.patients.cold_mut(p);
                cold.flags = (cold.flags & !FLAG_ROUTE_DRAWN) | FLAG_UNSUPPORTED;
                cold.link = 0;
                self.start_unmet(q, p, service as u16, now);
            }
            EarlyWhenFull::Wait => {
                let cold = self.patients.cold_mut(p);
                let usual_end = now + f64::from(cold.slack);
                cold.flags |= FLAG_WAITING_FOR_EARLY;
                self.begin_delay(q, p, service as u16, now);
                self.push(q, usual_end, p, EventKind::DelayTimeout);
            }
        }
    }

    /// The usual discharge of a medically fit patient still in their bed: a care-home
    /// resident goes back to their place; anyone else home, or to a community service from
    /// the condition's discharge routes (the route drawn at admission, if it was).
    fn route_discharge(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        condition: usize,
        now: Days,
    ) {
        let cold = self.patients.cold_mut(p);
        if cold.flags & (FLAG_HOLDING | FLAG_LAPSED) != 0 {
            return self.back_to_residence(q, p, true, now);
        }
        let service = if cold.flags & FLAG_ROUTE_DRAWN != 0 {
            cold.flags &= !FLAG_ROUTE_DRAWN;
            let route = u16::from(cold.link).checked_sub(1);
            cold.link = 0;
            route
        } else {
            self.draw_route(p, condition)
        };
        match service {
            None => {
                self.leave_acute(q, p, now);
                self.go_home(q, p, now);
            }
            Some(s) => {
                self.needs.created += 1;
                self.need_from_bed(q, p, s, now);
            }
        }
    }

    /// The usual discharge route of a stay of `condition`: `None` home, else a service.
    /// One draw from the patient's discharge stream, only when the condition has routes.
    fn draw_route(&mut self, p: PatientId, condition: usize) -> Option<u16> {
        if self.routes[condition].is_empty() {
            return None;
        }
        let u = self.uniform(p, Stream::Discharge);
        self.routes[condition]
            .iter()
            .find(|(t, _)| u < *t)
            .map(|&(_, s)| s)
    }

    /// `p`, medically fit in their bed, needs service `s` (the need already in the
    /// ledger): a place now, else keep the bed (a delayed discharge) or go home onto the
    /// service's list, as the service says.
    fn need_from_bed(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        if self.services[s as usize].try_seize(now) {
            self.needs.received += 1;
            self.leave_acute(q, p, now);
            self.enter_community(q, p, s, now);
            return;
        }
        match self.params.services[s as usize].when_full {
            ServiceWhenFull::KeepBed => self.begin_delay(q, p, s, now),
            ServiceWhenFull::WaitAtHome => {
                self.leave_acute(q, p, now);
                self.wait_at_home(q, p, s, now);
            }
        }
    }

    /// `p`, not in an acute bed nor counted at home (leaving a service or another
    /// hospital, or having just left home), needs service `s` (the need already in the
    /// ledger): a place now, else they wait at home on its list.
    fn need_away_from_bed(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        if self.services[s as usize].try_seize(now) {
            self.needs.received += 1;
            self.enter_community(q, p, s, now);
        } else {
            self.wait_at_home(q, p, s, now);
        }
    }

    /// `p` (not counted at home) goes home onto service `s`'s waiting list.
    fn wait_at_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.services[s as usize].enqueue(p);
        let weight = self.weight(now);
        self.home_waiting[s as usize].add_at(now, weight, 1.0);
        self.arrive_home(q, p, CareState::WaitingAtHome(s), now);
    }

    /// `p` (not counted at home) goes home with their need for service `s` unmet, for an
    /// episode's length drawn from the service's stay.
    fn start_unmet(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.needs.unmet += 1;
        self.tally.needs.unmet_episodes[s as usize] += 1;
        let weight = self.weight(now);
        self.unmet[s as usize].add_at(now, weight, 1.0);
        let los = self.params.services[s as usize]
            .los
            .sample(&mut self.rng(p, Stream::CommunityLos))
            * self.community_los_trend(now);
        self.arrive_home(q, p, CareState::Unmet(s), now);
        self.push(q, now + los, p, EventKind::EndOfUnmet);
    }

    /// An episode of unmet need reaches its end: the patient may now need a higher level of
    /// care (the service's escalation), else they are simply at home.
    fn on_end_of_unmet(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::Unmet(s) = self.patients.hot(p).state else {
            return;
        };
        let unmet = &self.params.services[s as usize].unmet;
        if unmet.escalate_to.is_none() && !unmet.changes_rates() {
            // Nothing changes at home: the pending event there stays valid.
            let weight = self.weight(now);
            self.unmet[s as usize].add_at(now, weight, -1.0);
            self.set_state(p, CareState::Home, now);
            return;
        }
        self.leave_where_living(q, p, Leaving::NeedEnds, now);
        if let Some(higher) = unmet.escalate_to
            && unmet.escalation_probability > 0.0
            && self.uniform(p, Stream::Discharge) < unmet.escalation_probability
        {
            self.patients.cancel_pending(p);
            self.needs.created += 1;
            return self.need_away_from_bed(q, p, higher as u16, now);
        }
        self.arrive_home(q, p, CareState::Home, now);
    }

    /// `p`, not counted at home, arrives home in `state` (home, unmet need, waiting for a
    /// service): counted at home, with a new event there (any pending one is stale, since
    /// the rates may differ).
    fn arrive_home(
        &mut self,
        q: &mut EventQueue<Event>,
        p: PatientId,
        state: CareState,
        now: Days,
    ) {
        self.patients.cancel_pending(p);
        self.set_state(p, state, now);
        let weight = self.weight(now);
        self.at_home[self.patients.hot(p).cell as usize].add_at(now, weight, 1.0);
        self.schedule_home_event(q, p, now);
    }

    /// `p`, medically fit, keeps their bed waiting for a place in service `s`.
    fn begin_delay(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.tally.delayed_discharges += 1;
        self.set_state(p, CareState::DelayedDischarge(s), now);
        if self.reimbursed(s) {
            // While delayed, the last-discharge time holds the start of the delay (it is
            // read only at home, and set again when the patient leaves the bed).
            self.patients.hot_mut(p).last_discharge = now;
        }
        self.services[s as usize].enqueue(p);
        self.delayed.add(now, 1.0);
        // Hook point `delay_started`: a lever may limit the delay.
        if let Some(limit) = self.params.levers.delay_started(now, &mut self.streams) {
            self.push(q, now + limit, p, EventKind::DelayTimeout);
        }
    }

    /// Whether delays waiting for service `s` are reimbursed by social care.
    #[inline]
    fn reimbursed(&self, s: u16) -> bool {
        self.params.payment.delayed_discharge.is_some()
            && self.params.services[s as usize].payer == Payer::SocialCare
    }

    /// The delay of `p` ends (a place, or a time limit): pending time limits go stale.
    fn end_delay(&mut self, p: PatientId, now: Days) {
        self.delayed.add(now, -1.0);
        if let CareState::DelayedDischarge(s) = self.patients.hot(p).state
            && self.reimbursed(s)
            && let Some(r) = &self.params.payment.delayed_discharge
        {
            let (days, discounted) = self.reimbursable(r, self.patients.hot(p).last_discharge, now);
            self.tally.reimbursed_days += days;
            self.tally.discounted.reimbursed_days += discounted;
        }
        self.patients.cancel_pending(p);
    }

    /// A delay reached a time limit: the usual discharge date of a patient waiting for early
    /// supported discharge (who then leaves by the usual route), or the coordination limit
    /// (who then moves to the interim service if it has a place, still waiting for `s`;
    /// else keeps waiting in the bed).
    fn on_delay_timeout(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::DelayedDischarge(s) = self.patients.hot(p).state else {
            return;
        };
        if self.patients.cold(p).flags & FLAG_WAITING_FOR_EARLY != 0 {
            self.services[s as usize].remove_waiter(&p);
            self.end_delay(p, now);
            self.needs.superseded += 1;
            self.patients.cold_mut(p).flags &= !FLAG_WAITING_FOR_EARLY;
            let condition = self.cell(p).condition as usize;
            return self.route_discharge(q, p, condition, now);
        }
        // Hook point `delay_limit_reached`: the interim service, if it has a place.
        let Some(interim) = self.params.levers.delay_limit_reached() else {
            return;
        };
        if !self.services[interim].try_seize(now) {
            self.tally.levers.integrated_funding.interim_full_at_limit += 1;
            return;
        }
        self.services[s as usize].remove_waiter(&p);
        self.end_delay(p, now);
        self.tally.levers.integrated_funding.coordinated_discharges += 1;
        self.leave_acute(q, p, now);
        let cold = self.patients.cold_mut(p);
        cold.flags |= FLAG_AWAITING;
        cold.link = (s + 1) as u8;
        self.enter_community(q, p, interim as u16, now);
    }

    /// Give free places of service `s` to its delayed discharges, longest first; each freed
    /// acute bed goes to the first patient waiting for one.
    fn serve_service_line(&mut self, q: &mut EventQueue<Event>, s: u16, now: Days) {
        while let Some(next) = self.services[s as usize].next_waiter(now) {
            self.needs.received += 1;
            if let CareState::WaitingAtHome(_) = self.patients.hot(next).state {
                self.leave_where_living(q, next, Leaving::PlaceFound, now);
                self.patients.cancel_pending(next);
                self.enter_community(q, next, s, now);
                continue;
            }
            self.end_delay(next, now);
            let cold = self.patients.cold_mut(next);
            if cold.flags & FLAG_WAITING_FOR_EARLY != 0 {
                cold.flags = (cold.flags & !(FLAG_WAITING_FOR_EARLY | FLAG_ROUTE_DRAWN))
                    | FLAG_EARLY_SUPPORTED;
                self.tally.levers.early_discharge.early_supported_discharges += 1;
            }
            self.leave_acute(q, next, now);
            self.enter_community(q, next, s, now);
        }
    }

    /// `p` leaves their acute bed (discharged or dead); the bed goes to the first patient
    /// waiting, if any.
    fn leave_acute(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let since = self.patients.cold(p).since;
        self.tally.bed_stays += 1;
        self.tally.bed_stay_days_total += now - since;
        let g =
            &mut self.tally.groups[self.cells[self.patients.hot(p).cell as usize].group as usize];
        g.bed_stays += 1;
        g.bed_stay_days_total += now - since;
        g.acute_bed_days += now - since.max(self.stats_from);
        if let AcutePayment::Tariff {
            per_spell,
            trim_days,
            excess_day_price,
        } = &self.params.payment.acute
        {
            let c = self.cells[self.patients.hot(p).cell as usize].condition as usize;
            let excess = (now - since - trim_days[c]).max(0.0);
            let paid = per_spell[c] + excess * excess_day_price;
            self.tally.spell_payment += paid;
            self.tally.discounted.spell_payment += paid * self.discount_at(now);
        }
        self.patients.hot_mut(p).last_discharge = now;
        self.patients.cold_mut(p).flags &= !FLAG_UNSUPPORTED;
        self.acute.release(now);
        if let Some(next) = self.acute.next_waiter(now) {
            let wait = now - self.patients.cold(next).since;
            self.admit(q, next, now, wait);
        }
    }

    /// Start an episode in community service `s`, whose place is already seized (hook point
    /// `episode_start` of the service's behaviour: a patient living at home meanwhile keeps
    /// their events at home).
    fn enter_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.set_state(p, CareState::Community(s), now);
        let service = &self.params.services[s as usize];
        let los = service.los.sample(&mut self.rng(p, Stream::CommunityLos))
            * self.community_los_trend(now);
        match service.setting.episode_start() {
            EpisodeStart::InService => {}
            EpisodeStart::AtHome => {
                let weight = self.weight(now);
                self.at_home[self.patients.hot(p).cell as usize].add_at(now, weight, 1.0);
                self.schedule_home_event(q, p, now);
            }
            EpisodeStart::Resident => {
                // The end of the stay outlives a hospital admission (the event does not).
                self.patients.cold_mut(p).slack = (now + los) as f32;
                self.schedule_home_event(q, p, now);
            }
        }
        self.push(q, now + los, p, EventKind::EndOfCommunity);
    }

    /// The end of an episode (hook point `episode_end` of the service's behaviour); the
    /// freed place goes to the service's delayed discharges.
    ///
    /// What comes next: the service awaited from an interim service; else an onward
    /// service with its probability (after early supported discharge, the usual route's
    /// onward destination with the lever's odds ratio); else home.
    fn on_end_of_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::Community(s) = self.patients.hot(p).state else {
            unreachable!("end of community for a patient not in community care");
        };
        self.services[s as usize].release(now);
        let service = &self.params.services[s as usize];
        let next = self.next_need(p, service.onward);
        match (next, service.setting.episode_end()) {
            (None, EpisodeEnd::AlreadyHome) => self.set_state(p, CareState::Home, now),
            (None, EpisodeEnd::GoHome) => self.go_home(q, p, now),
            (None, EpisodeEnd::LeaveResidence) => self.arrive_home(q, p, CareState::Home, now),
            (Some(t), end) => {
                if end == EpisodeEnd::AlreadyHome {
                    let weight = self.weight(now);
                    self.at_home[self.patients.hot(p).cell as usize].add_at(now, weight, -1.0);
                }
                self.patients.cancel_pending(p);
                self.need_away_from_bed(q, p, t, now);
            }
        }
        self.serve_service_line(q, s, now);
    }

    /// The service `p` needs at the end of an episode (the need counted in the ledger when
    /// new), with `onward` the ending service's own onward route.
    fn next_need(&mut self, p: PatientId, onward: Option<Onward>) -> Option<u16> {
        let cold = self.patients.cold_mut(p);
        let flags = cold.flags;
        let link = cold.link;
        if flags & FLAG_AWAITING != 0 {
            cold.flags &= !FLAG_AWAITING;
            cold.link = 0;
            return Some(u16::from(link) - 1);
        }
        let onward = if flags & FLAG_EARLY_SUPPORTED != 0 {
            cold.flags &= !FLAG_EARLY_SUPPORTED;
            cold.link = 0;
            // The usual route's onward destination, its odds changed by the lever.
            let usual = usize::from(link).checked_sub(1)?;
            let o = self.params.services[usual].onward?;
            let ratio = self.params.levers.supported_onward_odds_ratio();
            Onward {
                probability: apply_odds_ratio(o.probability, ratio),
                ..o
            }
        } else {
            onward?
        };
        if onward.probability > 0.0 && self.uniform(p, Stream::Discharge) < onward.probability {
            self.needs.created += 1;
            Some(onward.service as u16)
        } else {
            None
        }
    }

    fn go_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.set_state(p, CareState::Home, now);
        let weight = self.weight(now);
        self.at_home[self.patients.hot(p).cell as usize].add_at(now, weight, 1.0);
        self.schedule_home_event(q, p, now);
    }

    /// The midnight census: record the occupancy of every pool (and its capacity, when a
    /// schedule changes it), count the stability window, schedule the next day.
    fn on_day_end(&mut self, q: &mut EventQueue<Event>, now: Days) {
        self.clock.start_day(now);
        let series = &mut self.tally.daily_occupancy;
        series.push(self.acute.in_use() as f32);
        series.extend(self.services.iter().map(|s| s.in_use() as f32));
        if self.scheduled {
            let capacity = &mut self.tally.daily_capacity;
            capacity.push(self.acute.capacity() as f32);
            capacity.extend(self.services.iter().map(|s| s.capacity() as f32));
        }
        if let Some(c) = &self.params.levers.budget_controller {
            let service = &self.services[c.service];
            let r = &mut self.review;
            r.days += 1;
            r.waiting_for_service += service.waiting() as f64;
            r.waiting_for_bed += self.acute.waiting() as f64;
            r.idle_places += f64::from(service.capacity().saturating_sub(service.in_use()));
        }
        if now > self.stability_from {
            let middle = f64::midpoint(self.stability_from, self.params.horizon_days);
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
        let level = schedule.changes[index].level;
        if let Some(every) = schedule.repeat_days {
            push_capacity_change(q, now + every, pool, index);
        }
        if pool == 0 {
            let capacity = level.after(self.acute.capacity());
            self.acute.set_capacity(now, capacity);
            while let Some(next) = self.acute.next_waiter(now) {
                let wait = now - self.patients.cold(next).since;
                self.admit(q, next, now, wait);
            }
        } else {
            let s = pool - 1;
            let capacity = level.after(self.services[s].capacity());
            self.services[s].set_capacity(now, capacity);
            self.serve_service_line(q, s as u16, now);
        }
    }

    /// The pooled budget's review: from the means of the daily censuses since the last one,
    /// move a step of beds' money into places of the service, or places' money back into
    /// beds, at cost parity (money short of a whole place is kept as credit, so the
    /// capacity budget never grows); a rise serves the waiting line at once.
    fn on_capacity_review(&mut self, q: &mut EventQueue<Event>, now: Days) {
        let Some(c) = self.params.levers.budget_controller else {
            return;
        };
        if now + c.every_days <= self.params.horizon_days {
            q.push(now + c.every_days, Event::system(EventKind::CapacityReview));
        }
        let days = f64::from(self.review.days.max(1));
        let review = CapacityReview {
            waiting_for_service: self.review.waiting_for_service / days,
            waiting_for_bed: self.review.waiting_for_bed / days,
            idle_places: self.review.idle_places / days,
            beds: self.acute.capacity(),
        };
        let credit = self.review.credit;
        self.review = ReviewCensus {
            credit,
            ..ReviewCensus::default()
        };
        // Before the pooled budget's uptake reaches one half, a review only starts a
        // new period.
        if c.active_from.is_some_and(|from| now < from) {
            return;
        }
        let s = c.service;
        let places_per_bed = self.params.acute.bed_day_cost / self.params.services[s].day_cost;
        let worth = places_per_bed * f64::from(c.step_beds);
        let places = self.services[s].capacity();
        // Places a move back to beds must give up: whole places, and never the last one.
        let given_up = (worth - credit - 1e-9).ceil().max(0.0);
        let decision = match c.decide(&review, given_up) {
            CapacityMove::ToAcute if f64::from(places) <= given_up => CapacityMove::Stay,
            d => d,
        };
        match decision {
            CapacityMove::Stay => {}
            CapacityMove::ToCommunity => {
                let total = credit + worth;
                let bought = (total + 1e-9).floor();
                self.review.credit = total - bought;
                self.tally.levers.integrated_funding.moves_to_community += 1;
                self.acute.set_capacity(now, review.beds - c.step_beds);
                self.services[s].set_capacity(now, places + bought as u32);
                self.serve_service_line(q, s as u16, now);
            }
            CapacityMove::ToAcute => {
                self.review.credit = credit + given_up - worth;
                self.tally.levers.integrated_funding.moves_to_acute += 1;
                self.services[s].set_capacity(now, places - given_up as u32);
                self.acute.set_capacity(now, review.beds + c.step_beds);
                while let Some(next) = self.acute.next_waiter(now) {
                    let wait = now - self.patients.cold(next).since;
                    self.admit(q, next, now, wait);
                }
            }
        }
    }

    /// Start statistics afresh: counts to zero, integrals from now.
    fn on_warmup_end(&mut self, now: Days) {
        self.restart_statistics(now);
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
            tag: 0,
        },
    );
}
