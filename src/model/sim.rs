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
//! Readmissions within 30 days are admission requests (local or diverted) within 30 days of
//! the patient's last discharge from an acute bed.
//!
//! Routine reviews are *not* events. A review changes no state, so given the time each
//! condition's cohort spends at home, the number of reviews is exactly
//! Poisson(review rate × person-days at home): the model integrates person-days at home per
//! condition and draws the count once per replication from its own stream. This is the same
//! distribution an event per review gives, at a sixth of the events of the reference
//! scenario (reviews are 89% of its home events).

use rand::RngExt;

use super::dist::Duration;
use super::event::{Event, EventKind, PatientId};
use super::params::{Params, WhenFull};
use super::patients::{CareState, PatientTable};
use super::recorder::{NoTrace, Recorder};
use super::streams::{Stream, StreamSeeds, Streams};
use super::tally::Tally;
use crate::engine::{self, Days, EventQueue, Pool, Scheduled, TimeIntegral};
use rand_distr::{Distribution, Exp1, Poisson};

/// An admission request this soon after the last discharge counts as a readmission, days.
pub const READMISSION_WINDOW_DAYS: Days = 30.0;

/// Per-condition constants derived from [`Params`] once per simulation.
#[derive(Clone, Debug)]
struct ConditionRates {
    /// Exacerbations per day at home (yearly mean, before seasonality).
    exacerbation_rate: f64,
    /// Deaths per day at home.
    death_rate: f64,
    /// Rate of candidate events at home: death rate + peak exacerbation rate, per day.
    candidate_rate: f64,
    /// True when every candidate is an exacerbation (no deaths, no seasonality), so no draw
    /// is needed to classify it.
    always_exacerbation: bool,
    /// Probability of dying at the end of an acute stay.
    in_hospital_death: f64,
    /// Admission probability per exacerbation.
    admit: f64,
    /// Cumulative discharge probabilities: `(threshold, service)`; a draw below the first
    /// threshold goes to that service, and so on; above the last, home.
    routes: Vec<(f64, u16)>,
}

/// The state of one replication apart from the event queue (split so that the engine's
/// [`run_until`](engine::run_until) can lend the queue to the handlers).
#[derive(Debug)]
pub struct World<'p> {
    params: &'p Params,
    rates: Vec<ConditionRates>,
    /// Patients, struct-of-arrays.
    pub patients: PatientTable,
    /// Acute beds; the line holds patients waiting for a bed.
    pub acute: Pool<PatientId>,
    /// Community services; each line holds delayed discharges waiting for that service.
    pub services: Vec<Pool<PatientId>>,
    /// Number of delayed discharges in acute beds, integrated over time.
    pub delayed: TimeIntegral,
    /// Patients at home per condition, integrated over time (person-days at home).
    pub at_home: Vec<TimeIntegral>,
    streams: Streams,
    /// Counts since the end of warm-up.
    pub tally: Tally,
}

/// A reusable simulator for one parameter set: allocate once per thread, run many
/// replications (each run clears and reuses every buffer).
#[derive(Debug)]
pub struct Sim<'p> {
    queue: EventQueue<Event>,
    world: World<'p>,
}

impl<'p> Sim<'p> {
    /// Allocate a simulator sized for `params` (queue, patient table, lines).
    pub fn new(params: &'p Params) -> Self {
        let n = params.total_patients();
        let rates = params
            .conditions
            .iter()
            .map(|c| {
                let mut cumulative = 0.0;
                let peak = params.seasonality.map_or(1.0, |s| s.max_multiplier());
                ConditionRates {
                    exacerbation_rate: c.exacerbation_rate_per_day,
                    death_rate: c.death_rate_per_day,
                    candidate_rate: c.death_rate_per_day + c.exacerbation_rate_per_day * peak,
                    always_exacerbation: c.death_rate_per_day == 0.0 && peak == 1.0,
                    in_hospital_death: c.in_hospital_death,
                    admit: c.admit,
                    routes: c
                        .discharge
                        .iter()
                        .map(|r| {
                            cumulative += r.probability;
                            (cumulative, r.service as u16)
                        })
                        .collect(),
                }
            })
            .collect();
        let mut patients = PatientTable::default();
        patients.reset(params.expected_patients());
        let zero_seeds = StreamSeeds([0; Stream::ALL.len()]);
        Sim {
            queue: EventQueue::with_hint(params.home_event_rate_per_day(), n),
            world: World {
                params,
                rates,
                patients,
                acute: Pool::new(params.acute.beds, 1024),
                services: params
                    .services
                    .iter()
                    .map(|s| Pool::new(s.capacity, 1024))
                    .collect(),
                delayed: TimeIntegral::default(),
                at_home: vec![TimeIntegral::default(); params.conditions.len()],
                streams: Streams::new(&zero_seeds),
                tally: Tally::new(params),
            },
        }
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
        for (h, c) in w.at_home.iter_mut().zip(&params.conditions) {
            *h = TimeIntegral::default();
            h.set(0.0, c.patients as f64);
        }
        w.tally.clear();
        if params.warmup_days > 0.0 {
            self.queue
                .push(params.warmup_days, Event::system(EventKind::WarmupEnd));
        }
        for (c, cond) in params.conditions.iter().enumerate() {
            for _ in 0..cond.patients {
                let p = w.patients.push(c as u16);
                w.schedule_home_event(&mut self.queue, p, 0.0);
            }
        }
        for c in 0..params.conditions.len() {
            w.schedule_new_patient(&mut self.queue, c, 0.0);
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
            _ => {}
        }
        if event.generation != self.patients.generation[p.index()] {
            return;
        }
        match event.kind {
            EventKind::AtHome => self.on_at_home(q, p, now),
            EventKind::EndOfStay => self.on_end_of_stay(q, p, now),
            EventKind::EndOfCommunity => self.on_end_of_community(q, p, now),
            EventKind::EndOfDiversion => self.go_home(q, p, now),
            EventKind::WarmupEnd | EventKind::NewPatient => unreachable!("handled above"),
        }
    }

    #[inline]
    fn push(&self, q: &mut EventQueue<Event>, time: Days, p: PatientId, kind: EventKind) {
        q.push(
            time,
            Event {
                patient: p,
                generation: self.patients.generation[p.index()],
                kind,
            },
        );
    }

    /// Draw the patient's next candidate event at home.
    #[inline]
    fn schedule_home_event(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let rate = self.rates[self.patients.condition[p.index()] as usize].candidate_rate;
        if rate <= 0.0 {
            return;
        }
        let gap: f64 = Exp1.sample(&mut self.streams.home);
        self.push(q, now + gap / rate, p, EventKind::AtHome);
    }

    /// Classify a candidate event at home: death, exacerbation, or nothing (thinning).
    fn on_at_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let r = &self.rates[self.patients.condition[p.index()] as usize];
        if r.always_exacerbation {
            return self.on_exacerbation(q, p, now);
        }
        let u = self.streams.home.random::<f64>() * r.candidate_rate;
        let season = self.params.seasonality.map_or(1.0, |s| s.multiplier(now));
        if u < r.death_rate {
            self.die_at_home(p, now);
        } else if u < r.death_rate + r.exacerbation_rate * season {
            self.on_exacerbation(q, p, now);
        } else {
            self.schedule_home_event(q, p, now);
        }
    }

    fn die_at_home(&mut self, p: PatientId, now: Days) {
        self.tally.deaths_home += 1;
        self.at_home[self.patients.condition[p.index()] as usize].add(now, -1.0);
        self.patients.state[p.index()] = CareState::Dead;
        self.patients.generation[p.index()] = self.patients.generation[p.index()].wrapping_add(1);
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

    fn on_new_patient(&mut self, q: &mut EventQueue<Event>, c: usize, now: Days) {
        self.tally.new_patients += 1;
        let p = self.patients.push(c as u16);
        self.at_home[c].add(now, 1.0);
        self.schedule_home_event(q, p, now);
        self.schedule_new_patient(q, c, now);
    }

    fn on_exacerbation(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.exacerbations += 1;
        let admit = self.rates[self.patients.condition[p.index()] as usize].admit;
        if self.streams.admission.random::<f64>() >= admit {
            self.tally.urgent_contacts += 1;
            self.schedule_home_event(q, p, now);
            return;
        }
        self.tally.admission_requests += 1;
        if now - self.patients.last_discharge[p.index()] <= READMISSION_WINDOW_DAYS {
            self.tally.readmissions_30d += 1;
        }
        // Leaving home: any other pending home event of this patient is now stale.
        self.patients.generation[p.index()] = self.patients.generation[p.index()].wrapping_add(1);
        self.at_home[self.patients.condition[p.index()] as usize].add(now, -1.0);
        if self.acute.try_seize(now) {
            self.admit(q, p, now, 0.0);
            return;
        }
        match self.params.acute.when_full {
            WhenFull::Queue => {
                self.patients.state[p.index()] = CareState::WaitingForBed;
                self.patients.since[p.index()] = now;
                self.acute.enqueue(p);
            }
            WhenFull::Divert => {
                self.tally.diversions += 1;
                self.patients.state[p.index()] = CareState::OutOfArea;
                let los = self
                    .condition_los(p)
                    .sample(&mut self.streams.diversion_los);
                self.push(q, now + los, p, EventKind::EndOfDiversion);
            }
        }
    }

    #[inline]
    fn condition_los(&self, p: PatientId) -> &'p Duration {
        &self.params.conditions[self.patients.condition[p.index()] as usize].los
    }

    /// Put `p` in the bed already seized for them, after waiting `wait` days.
    fn admit(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days, wait: Days) {
        self.tally.admissions += 1;
        self.tally.wait_days_total += wait;
        self.patients.state[p.index()] = CareState::Acute;
        self.patients.since[p.index()] = now;
        let los = self.condition_los(p).sample(&mut self.streams.acute_los);
        self.push(q, now + los, p, EventKind::EndOfStay);
    }

    fn on_end_of_stay(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.stays_ended += 1;
        self.tally.stay_days_total += now - self.patients.since[p.index()];
        let r = &self.rates[self.patients.condition[p.index()] as usize];
        if r.in_hospital_death > 0.0
            && self.streams.hospital_death.random::<f64>() < r.in_hospital_death
        {
            self.tally.deaths_hospital += 1;
            self.leave_acute(q, p, now);
            self.patients.state[p.index()] = CareState::Dead;
            return;
        }
        let routes = &r.routes;
        let service = if routes.is_empty() {
            None
        } else {
            let u = self.streams.discharge.random::<f64>();
            routes.iter().find(|(t, _)| u < *t).map(|&(_, s)| s)
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
                    self.tally.delayed_discharges += 1;
                    self.patients.state[p.index()] = CareState::DelayedDischarge(s);
                    self.services[s as usize].enqueue(p);
                    self.delayed.add(now, 1.0);
                }
            }
        }
    }

    /// `p` leaves their acute bed (discharged or dead); the bed goes to the first patient
    /// waiting, if any.
    fn leave_acute(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.tally.bed_stays += 1;
        self.tally.bed_stay_days_total += now - self.patients.since[p.index()];
        self.patients.last_discharge[p.index()] = now;
        self.acute.release(now);
        if let Some(next) = self.acute.next_waiter(now) {
            let wait = now - self.patients.since[next.index()];
            self.admit(q, next, now, wait);
        }
    }

    /// Start an episode in community service `s`, whose place is already seized.
    fn enter_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, s: u16, now: Days) {
        self.patients.state[p.index()] = CareState::Community(s);
        let los = self.params.services[s as usize]
            .los
            .sample(&mut self.streams.community_los);
        self.push(q, now + los, p, EventKind::EndOfCommunity);
    }

    fn on_end_of_community(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        let CareState::Community(s) = self.patients.state[p.index()] else {
            unreachable!("end of community for a patient not in community care");
        };
        let pool = &mut self.services[s as usize];
        pool.release(now);
        self.go_home(q, p, now);
        // The freed place goes to the longest-delayed discharge, whose acute bed then goes
        // to the first patient waiting for one.
        if let Some(next) = self.services[s as usize].next_waiter(now) {
            self.delayed.add(now, -1.0);
            self.leave_acute(q, next, now);
            self.enter_community(q, next, s, now);
        }
    }

    fn go_home(&mut self, q: &mut EventQueue<Event>, p: PatientId, now: Days) {
        self.patients.state[p.index()] = CareState::Home;
        self.at_home[self.patients.condition[p.index()] as usize].add(now, 1.0);
        self.schedule_home_event(q, p, now);
    }

    /// Start statistics afresh: counts to zero, integrals from now.
    fn on_warmup_end(&mut self, now: Days) {
        self.tally.clear();
        self.acute.reset_stats(now);
        for s in &mut self.services {
            s.reset_stats(now);
        }
        self.delayed.reset(now);
        for h in &mut self.at_home {
            h.reset(now);
        }
    }

    /// Close the integrals at `end` and return the tally.
    fn finish(&mut self, end: Days) -> Tally {
        let t = &mut self.tally;
        t.acute_bed_days = self.acute.occupancy().area_until(end);
        t.peak_acute_occupancy = self.acute.occupancy().peak();
        t.days_over_85pct_occupancy = self.acute.high_occupancy().area_until(end);
        t.days_at_full_occupancy = self.acute.full().area_until(end);
        t.patients_at_end = self
            .patients
            .state
            .iter()
            .filter(|s| **s != CareState::Dead)
            .count() as u64;
        t.delayed_bed_days = self.delayed.area_until(end);
        for (d, s) in t.community_days.iter_mut().zip(&self.services) {
            *d = s.occupancy().area_until(end);
        }
        t.observed_days = self.params.observed_days();
        // Reviews: Poisson(rate × person-days at home) per condition (see the module docs).
        for (h, c) in self.at_home.iter().zip(&self.params.conditions) {
            let mean = c.review_rate_per_day * h.area_until(end);
            if mean > 0.0 {
                let n: f64 = Poisson::new(mean)
                    .expect("finite positive mean")
                    .sample(&mut self.streams.reviews);
                t.reviews += n as u64;
            }
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
        for s in &self.patients.state {
            match *s {
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
        if self.acute.in_use() > self.acute.capacity() {
            return Err("acute beds above capacity".into());
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
            if community[k] != pool.in_use() || pool.in_use() > pool.capacity() {
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
