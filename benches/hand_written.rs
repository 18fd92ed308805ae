//! The reference model (`scenarios/reference_chronic_flow.toml`) as one hand-written,
//! single-purpose loop: the limit caresim's event loop is measured against (issue 16).
//!
//! It is what a careful programmer would write for this one model and nothing else, using
//! the same ideas caresim uses, so the difference in speed is what caresim's generality
//! costs (cells, streams per patient, hook points, generations, recorders), not a
//! difference in algorithm:
//!
//! * a calendar queue of its own ([`Calendar`]): buckets of a fixed width in days, sized
//!   to the population so that each holds a few dozen to a few hundred events, covering
//!   the whole horizon (an event after the horizon never fires, so it is dropped rather
//!   than queued); only the bucket being drained is sorted;
//! * one pending event per patient (an exacerbation at home, the end of an acute stay, the
//!   end of a community stay; none while waiting for a bed or for a place), each a
//!   16-byte struct;
//! * struct-of-arrays patient state (where each patient is, since when they wait);
//! * one `Pcg64Mcg` stream;
//! * routine reviews, as in caresim, are not events: their count is one
//!   Poisson(review rate × person-days at home) draw at the end.
//!
//! The model, exactly as caresim runs the reference scenario: a closed cohort, no deaths,
//! everyone at home and every bed free at day 0, no warm-up. Exacerbations at home at rate
//! 0.5/365 per day; each is an admission request with probability 0.3, else an urgent
//! contact (and the patient stays home). A request takes a free acute bed, else waits in a
//! FIFO line (not at home). Stays are lognormal (mean 7, sd 7 days). At the end of a stay
//! 40% need community care (a bed-based service: not at home), exponential stays of mean
//! 14 days in a fixed number of places; with no free place the patient keeps the acute bed
//! (a delayed discharge, FIFO) until one frees. Acute bed-days count every occupied bed,
//! delays included.
//!
//! `tests/integration/hand_written.rs` keeps it honest: its outputs agree with caresim's
//! on the same model within confidence intervals.

#![allow(
    dead_code,
    reason = "included by both the benchmark and its honesty test, which use different parts"
)]

use std::collections::VecDeque;

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, Poisson, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// The model's parameters (see the module docs); [`Model::reference`] is the reference
/// scenario's.
#[derive(Clone, Copy, Debug)]
pub struct Model {
    /// Patients in the closed cohort.
    pub patients: u32,
    /// Acute beds.
    pub beds: u32,
    /// Community care places.
    pub places: u32,
    /// Length of the run, days (statistics from day 0).
    pub horizon_days: f64,
    /// Exacerbations per patient-day at home.
    pub exacerbation_rate_per_day: f64,
    /// Probability that an exacerbation is an admission request.
    pub admit: f64,
    /// Mean acute stay, days (lognormal).
    pub los_mean_days: f64,
    /// Standard deviation of the acute stay, days.
    pub los_sd_days: f64,
    /// Share of stays ending in community care.
    pub community_share: f64,
    /// Mean community stay, days (exponential).
    pub community_mean_days: f64,
    /// Routine reviews per patient-day at home.
    pub review_rate_per_day: f64,
}

impl Model {
    /// The reference scenario with `patients`, `beds` and `places` (100,000, 340 and 250
    /// in `scenarios/reference_chronic_flow.toml`; 1,000,000, 3,400 and 2,500 in
    /// `benches/reference_1m.toml`).
    pub const fn reference(patients: u32, beds: u32, places: u32) -> Self {
        Model {
            patients,
            beds,
            places,
            horizon_days: 3650.0,
            exacerbation_rate_per_day: 0.5 / 365.0,
            admit: 0.3,
            los_mean_days: 7.0,
            los_sd_days: 7.0,
            community_share: 0.4,
            community_mean_days: 14.0,
            review_rate_per_day: 1.0 / 91.25,
        }
    }
}

/// What one replication counts (names as in caresim's tally).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outputs {
    /// Exacerbations at home.
    pub exacerbations: u64,
    /// Exacerbations managed without admission.
    pub urgent_contacts: u64,
    /// Patients put in an acute bed (at once or after waiting).
    pub admissions: u64,
    /// Days waited for a bed by those admitted.
    pub wait_days_total: f64,
    /// Stays that kept the bed waiting for a community place.
    pub delayed_discharges: u64,
    /// Occupied acute bed-days, delays included.
    pub acute_bed_days: f64,
    /// Occupied community place-days.
    pub community_days: f64,
    /// Person-days at home.
    pub home_days: f64,
    /// Routine reviews: Poisson(review rate × person-days at home).
    pub reviews: u64,
}

/// One replication of the reference model with `n` patients, `beds` acute beds and
/// `places` community places, seeded with `seed`.
pub fn run(n: u32, beds: u32, places: u32, seed: u64) -> Outputs {
    run_model(&Model::reference(n, beds, places), seed)
}

/// An event: when, whose, and what (16 bytes).
#[derive(Clone, Copy, Debug)]
struct Ev {
    time: f64,
    patient: u32,
    kind: Kind,
}

impl Ev {
    /// Order key: time (the bit pattern of a non-negative float orders like its value),
    /// then patient, so that the run does not depend on the order of a sort.
    #[inline]
    fn key(&self) -> (u64, u32) {
        (self.time.to_bits(), self.patient)
    }
}

/// The one pending event a patient can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An exacerbation at home.
    Exacerbation,
    /// The end of an acute stay (medically fit).
    EndOfStay,
    /// The end of a community stay.
    EndOfCommunity,
}

/// Where a patient is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Home,
    WaitingForBed,
    Acute,
    Delayed,
    Community,
}

/// Largest number of buckets: their headers and tails stay within the L2 cache.
const MAX_BUCKETS: usize = 1 << 13;
/// Events a bucket holds when it is drained, at most populations (fewer buckets than
/// [`MAX_BUCKETS`] would need).
const EVENTS_PER_BUCKET: f64 = 64.0;

/// A calendar queue over `[0, horizon]`: bucket `k` holds the events in
/// `[k·width, (k+1)·width)` unordered; the bucket being drained is sorted, latest first,
/// so the next event is its last element. Drained buckets' allocations are reused.
struct Calendar {
    inv_width: f64,
    horizon: f64,
    buckets: Vec<Vec<Ev>>,
    /// Bucket number being drained (`current` holds its events).
    cur: usize,
    current: Vec<Ev>,
    spare: Vec<Vec<Ev>>,
}

impl Calendar {
    /// A calendar for `events_per_day` events firing per day until `horizon`.
    fn new(events_per_day: f64, horizon: f64) -> Self {
        let width = (EVENTS_PER_BUCKET / events_per_day).max(horizon / MAX_BUCKETS as f64);
        let n = (horizon / width) as usize + 1;
        Calendar {
            inv_width: 1.0 / width,
            horizon,
            buckets: (0..n).map(|_| Vec::new()).collect(),
            cur: 0,
            current: Vec::new(),
            spare: Vec::new(),
        }
    }

    #[inline]
    fn push(&mut self, ev: Ev) {
        if ev.time > self.horizon {
            return;
        }
        let b = (ev.time * self.inv_width) as usize;
        if b <= self.cur {
            // Into the bucket being drained: keep it sorted, latest first.
            let key = ev.key();
            let at = self.current.partition_point(|e| e.key() > key);
            self.current.insert(at, ev);
            return;
        }
        let bucket = &mut self.buckets[b];
        if bucket.capacity() == 0
            && let Some(v) = self.spare.pop()
        {
            *bucket = v;
        }
        bucket.push(ev);
    }

    #[inline]
    fn pop(&mut self) -> Option<Ev> {
        loop {
            if let Some(ev) = self.current.pop() {
                return Some(ev);
            }
            self.cur += 1;
            let next = std::mem::take(self.buckets.get_mut(self.cur)?);
            let drained = std::mem::replace(&mut self.current, next);
            if drained.capacity() > 0 {
                self.spare.push(drained);
            }
            self.current
                .sort_unstable_by_key(|e| std::cmp::Reverse(e.key()));
        }
    }
}

/// The replication's state: patients as parallel arrays, the pools, the lines and the
/// running totals.
struct Loop<'m> {
    m: &'m Model,
    rng: Pcg64Mcg,
    cal: Calendar,
    /// Where each patient is.
    place: Vec<Place>,
    /// When each patient waiting for a bed started waiting.
    since: Vec<f64>,
    mu: f64,
    sigma: f64,
    beds_used: u32,
    places_used: u32,
    bed_line: VecDeque<u32>,
    place_line: VecDeque<u32>,
    out: Outputs,
}

/// One replication of `m`, seeded with `seed`.
pub fn run_model(m: &Model, seed: u64) -> Outputs {
    let n = m.patients as usize;
    let sigma2 = (1.0 + (m.los_sd_days / m.los_mean_days).powi(2)).ln();
    let rate = m.exacerbation_rate_per_day;
    // Events per day: exacerbations, then the stays they lead to.
    let per_day = f64::from(m.patients) * rate * (1.0 + m.admit * (1.0 + m.community_share));
    let mut s = Loop {
        m,
        rng: Pcg64Mcg::seed_from_u64(seed),
        cal: Calendar::new(per_day.max(1e-9), m.horizon_days),
        place: vec![Place::Home; n],
        since: vec![0.0; n],
        mu: m.los_mean_days.ln() - sigma2 / 2.0,
        sigma: sigma2.sqrt(),
        beds_used: 0,
        places_used: 0,
        bed_line: VecDeque::new(),
        place_line: VecDeque::new(),
        out: Outputs::default(),
    };
    // Occupancy integrals as Σ change × (horizon − time): no work per event.
    s.out.home_days = f64::from(m.patients) * m.horizon_days;
    for p in 0..m.patients {
        s.schedule_exacerbation(p, 0.0);
    }
    while let Some(ev) = s.cal.pop() {
        let (t, p) = (ev.time, ev.patient);
        match ev.kind {
            Kind::Exacerbation => s.on_exacerbation(p, t),
            Kind::EndOfStay => s.on_end_of_stay(p, t),
            Kind::EndOfCommunity => s.on_end_of_community(p, t),
        }
    }
    let mean = s.out.home_days * m.review_rate_per_day;
    if mean > 0.0 {
        let k: f64 = Poisson::new(mean).expect("finite mean").sample(&mut s.rng);
        s.out.reviews = k as u64;
    }
    s.out
}

impl Loop<'_> {
    #[inline]
    fn left(&self, t: f64) -> f64 {
        self.m.horizon_days - t
    }

    #[inline]
    fn schedule_exacerbation(&mut self, p: u32, t: f64) {
        let gap: f64 = Exp1.sample(&mut self.rng);
        self.cal.push(Ev {
            time: t + gap / self.m.exacerbation_rate_per_day,
            patient: p,
            kind: Kind::Exacerbation,
        });
    }

    #[inline]
    fn on_exacerbation(&mut self, p: u32, t: f64) {
        self.out.exacerbations += 1;
        if self.rng.random::<f64>() >= self.m.admit {
            self.out.urgent_contacts += 1;
            return self.schedule_exacerbation(p, t);
        }
        self.out.home_days -= self.left(t);
        if self.beds_used < self.m.beds {
            self.beds_used += 1;
            self.out.acute_bed_days += self.left(t);
            self.admit(p, t);
        } else {
            self.place[p as usize] = Place::WaitingForBed;
            self.since[p as usize] = t;
            self.bed_line.push_back(p);
        }
    }

    /// Put `p` in a bed already taken for them.
    #[inline]
    fn admit(&mut self, p: u32, t: f64) {
        self.out.admissions += 1;
        self.place[p as usize] = Place::Acute;
        let z: f64 = StandardNormal.sample(&mut self.rng);
        let los = (self.mu + self.sigma * z).exp();
        self.cal.push(Ev {
            time: t + los,
            patient: p,
            kind: Kind::EndOfStay,
        });
    }

    #[inline]
    fn on_end_of_stay(&mut self, p: u32, t: f64) {
        if self.rng.random::<f64>() >= self.m.community_share {
            self.leave_bed(t);
            return self.go_home(p, t);
        }
        if self.places_used < self.m.places {
            self.leave_bed(t);
            self.enter_community(p, t);
        } else {
            self.out.delayed_discharges += 1;
            self.place[p as usize] = Place::Delayed;
            self.place_line.push_back(p);
        }
    }

    #[inline]
    fn on_end_of_community(&mut self, p: u32, t: f64) {
        self.places_used -= 1;
        self.out.community_days -= self.left(t);
        self.go_home(p, t);
        if let Some(q) = self.place_line.pop_front() {
            self.leave_bed(t);
            self.enter_community(q, t);
        }
    }

    /// A bed frees: the first patient waiting for one takes it.
    #[inline]
    fn leave_bed(&mut self, t: f64) {
        if let Some(q) = self.bed_line.pop_front() {
            self.out.wait_days_total += t - self.since[q as usize];
            self.admit(q, t);
        } else {
            self.beds_used -= 1;
            self.out.acute_bed_days -= self.left(t);
        }
    }

    /// `p` takes a free community place.
    #[inline]
    fn enter_community(&mut self, p: u32, t: f64) {
        self.places_used += 1;
        self.out.community_days += self.left(t);
        self.place[p as usize] = Place::Community;
        let l: f64 = Exp1.sample(&mut self.rng);
        self.cal.push(Ev {
            time: t + l * self.m.community_mean_days,
            patient: p,
            kind: Kind::EndOfCommunity,
        });
    }

    #[inline]
    fn go_home(&mut self, p: u32, t: f64) {
        self.place[p as usize] = Place::Home;
        self.out.home_days += self.left(t);
        self.schedule_exacerbation(p, t);
    }
}
