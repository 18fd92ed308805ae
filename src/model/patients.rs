//! Patient state: a hot and a cold record per patient, indexed by [`PatientId`].
//!
//! The event loop visits patients in random order, so in large cohorts every record an event
//! touches is a cache miss. The hot record (32 bytes, half a cache line) holds everything a
//! candidate event at home reads — the generation, cell, random-number counter, frailty,
//! state, last discharge and prior admissions — so that the commonest events (an
//! exacerbation handled in primary care, a rejected thinning candidate) cost one miss; the
//! cold record (16 bytes) holds what only changes of state read and write (measured on
//! `benches/engine.rs` and the England-scale run, issue 16).

use super::event::PatientId;
use crate::engine::Days;

/// Where a patient is. `u16` payloads index [`Params::services`](super::params::Params).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CareState {
    /// At home: reviews and exacerbations happen.
    Home,
    /// Waiting for an acute bed (FIFO).
    WaitingForBed,
    /// In an acute bed, not yet medically fit.
    Acute,
    /// Medically fit, holding an acute bed while waiting for a place in a community service.
    DelayedDischarge(u16),
    /// In a community service.
    Community(u16),
    /// At home with a need for this service that goes unmet (an unsupported early
    /// discharge): counted in `unmet_need_days` until the need's drawn length ends.
    Unmet(u16),
    /// At home on this service's waiting list (`when_full = "wait_at_home"`, or a need
    /// arising at home): counted in `home_waiting_days` until a place frees.
    WaitingAtHome(u16),
    /// Admitted out of area because no local bed was free (`when_full = "divert"`).
    OutOfArea,
    /// Died (at home or in hospital); no further events.
    Dead,
}

/// The fields an event at home reads (and most others): 32 bytes, aligned so that a record
/// is one cache line's half and never straddles two. At national scale every record an
/// event touches is a cache miss; with all that a candidate at home needs in this record, a
/// candidate costs one miss, not two (issue 16).
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(32))]
pub struct Hot {
    /// Time of the last discharge from an acute bed (−∞ if never), days.
    pub last_discharge: Days,
    /// Random numbers drawn so far from the patient's own streams (see
    /// [`PatientRng`](super::streams::PatientRng)).
    pub draws: u32,
    /// The person's number in order of creation (0 for the first of the starting cohort):
    /// their random streams are keyed by it, not by the slot, so that the k-th person
    /// draws the same numbers in every arm of a comparison wherever they are stored.
    pub serial: u32,
    /// Individual multiplier on the exacerbation rate (1 without frailty).
    pub frailty: f32,
    /// Current state.
    pub state: CareState,
    /// Generation counter (wrapping), bumped whenever pending events of the patient become
    /// invalid. 16 bits suffice: a stale event could only be mistaken for a live one after
    /// 65,536 bumps while it is pending, and a patient's home event is pending for one spell
    /// at home, which at most one bump (leaving home) can end. A reused slot keeps counting
    /// from its last occupant's value, so their stale events stay stale.
    pub generation: u16,
    /// Occupants of this slot before the current one (wrapping): events that outlive a
    /// change of state (ageing, enrolment) carry it and are ignored when the person they
    /// were scheduled for has died and the slot holds someone else.
    pub incarnation: u16,
    /// Cell (condition × age band × tier); see `sim.rs`.
    pub cell: u16,
    /// Emergency admission requests so far (saturating).
    pub prior_admissions: u16,
}

/// The fields read only on admission, discharge and other changes of state: 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cold {
    /// Time the patient entered the current state (start of a wait, or admission: a delayed
    /// discharge keeps its admission time), days.
    pub since: Days,
    /// Days between the early-discharge point and the usual end of the current stay, for a
    /// patient eligible for early supported discharge.
    pub slack: f32,
    /// Policy-lever marks, see the `FLAG_*` constants.
    pub flags: u8,
    /// A service the patient is linked to, plus 1 (0 = none): the long-stay place held
    /// while they are in hospital ([`FLAG_HOLDING`]), the service awaited during an interim
    /// episode ([`FLAG_AWAITING`]), or the usual discharge route drawn at admission
    /// ([`FLAG_ROUTE_DRAWN`]; 0 = home). At most one at a time; fits the record's padding.
    pub link: u8,
}

/// The current stay is eligible for early supported discharge (cleared at its early point).
pub const FLAG_EARLY_ELIGIBLE: u8 = 1;
/// Delayed at the early point, waiting for an early-supported-discharge place.
pub const FLAG_WAITING_FOR_EARLY: u8 = 2;
/// The last discharge was an unsupported early discharge (raised post-discharge risk).
pub const FLAG_UNSUPPORTED: u8 = 4;
/// A long-stay resident in hospital whose place ([`Cold::link`]) is held for them.
pub const FLAG_HOLDING: u8 = 8;
/// In an interim service ("discharge to assess") awaiting the service in [`Cold::link`].
pub const FLAG_AWAITING: u8 = 16;
/// The usual discharge route of the current stay was drawn at admission ([`Cold::link`]).
pub const FLAG_ROUTE_DRAWN: u8 = 32;
/// In an early-supported-discharge episode (its end applies the lever's odds ratio to the
/// usual route's onward destination).
pub const FLAG_EARLY_SUPPORTED: u8 = 64;
/// A long-stay resident in hospital whose held place ([`Cold::link`]) was released: they
/// need a place again at discharge.
pub const FLAG_LAPSED: u8 = 128;

/// Admission times a [`History`] keeps: admissions older than the last this many do not
/// count in a window (a patient with more admissions than this within a window counts this
/// many).
pub const HISTORY_LEN: usize = 8;

/// A patient's recent admission requests and enrolment in targeted care management: a
/// side column of the [`PatientTable`], allocated only when a feature needs it (a windowed
/// history multiplier, `conditions.<c>.admission_history_days`, or targeted enrolment,
/// `policy.care_management.target`), so that the 32-byte [`Cold`] record does not grow.
/// 48 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct History {
    /// Times of the last [`HISTORY_LEN`] admission requests, newest first, rounded down to
    /// `f32` (−∞: none), days.
    pub admissions: [f32; HISTORY_LEN],
    /// End of the current or last enrolment (+∞: until death), days; −∞ when never
    /// enrolled, or when the last enrolment has ended and the patient has made an admission
    /// request since (the record is closed: see [`History::record_open`]). Enrolled while
    /// `now < enrolled_until`.
    pub enrolled_until: f64,
    /// Enrolment time whose before/after admissions are being counted (the follow-up
    /// window of the regression-to-the-mean metrics), days; −∞: none.
    pub followed_from: f64,
}

impl Default for History {
    fn default() -> Self {
        History {
            admissions: [f32::NEG_INFINITY; HISTORY_LEN],
            enrolled_until: f64::NEG_INFINITY,
            followed_from: f64::NEG_INFINITY,
        }
    }
}

impl History {
    /// Record an admission request at `now` (days): the oldest kept time drops out.
    #[inline]
    pub fn record(&mut self, now: Days) {
        self.admissions.copy_within(0..HISTORY_LEN - 1, 1);
        // Rounded down, so that a kept time is never later than the request itself.
        let t = now as f32;
        self.admissions[0] = if f64::from(t) > now { t.next_down() } else { t };
    }

    /// Admission requests in the last `days` days before `now` (strictly after
    /// `now − days`, up to and including `now`), at most [`HISTORY_LEN`].
    #[inline]
    pub fn count_within(&self, now: Days, days: Days) -> u32 {
        let from = now - days;
        self.admissions
            .iter()
            .take_while(|&&t| f64::from(t) > from)
            .count() as u32
    }

    /// The most admission requests [`count_within`](Self::count_within) can give for `days`
    /// at any time from the latest request on: those within `days` of the latest. It
    /// changes only at a request, so a rate bound built on it is fixed during a spell at
    /// home.
    #[inline]
    pub fn count_bound(&self, days: Days) -> u32 {
        match self.admissions[0] {
            t if t == f32::NEG_INFINITY => 0,
            t => self.count_within(f64::from(t), days),
        }
    }

    /// Whether the patient is enrolled at `now`.
    #[inline]
    pub fn enrolled(&self, now: Days) -> bool {
        now < self.enrolled_until
    }

    /// Whether an enrolment record is open: enrolled now, or enrolled since the last
    /// admission request. Changes only at admission requests and deaths, so a rate bound
    /// built on it is fixed during a spell at home.
    #[inline]
    pub fn record_open(&self) -> bool {
        self.enrolled_until > f64::NEG_INFINITY
    }
}

/// Every living patient of a replication: a hot and a cold record per patient, indexed by
/// [`PatientId`] (a slot), and the optional [`History`] column.
///
/// The slot of a patient who dies is [released](Self::release) and given to the next person
/// created, so the table grows with the most people alive at once, not with everyone ever
/// created (issue 16: at national scale, 3.3 million alive of 6.4 million created). Free
/// slots read as [`CareState::Dead`].
#[derive(Clone, Debug, Default)]
pub struct PatientTable {
    /// Hot records.
    pub hot: Vec<Hot>,
    /// Cold records.
    pub cold: Vec<Cold>,
    /// Admission histories (empty unless [`PatientTable::keep_history`] was set).
    pub history: Vec<History>,
    /// Whether the table keeps a [`History`] per patient.
    keep_history: bool,
    /// Slots released by the dead, reused last-in first-out.
    free: Vec<u32>,
    /// Keep every person's slot (no reuse): for tests that compare the two.
    keep_slots: bool,
    /// Persons created since the last [`reset`](Self::reset) (the next serial number).
    created: u32,
}

impl PatientTable {
    /// Number of slots (the most patients alive at once so far).
    pub fn len(&self) -> usize {
        self.hot.len()
    }

    /// Persons created since the last [`reset`](Self::reset), dead or alive.
    pub fn created(&self) -> usize {
        self.created as usize
    }

    /// True when there are no slots.
    pub fn is_empty(&self) -> bool {
        self.hot.is_empty()
    }

    /// Empty the table, keeping its allocations, and reserve room for `n` patients.
    pub fn reset(&mut self, n: usize) {
        self.hot.clear();
        self.cold.clear();
        self.history.clear();
        self.free.clear();
        self.created = 0;
        self.hot.reserve(n);
        self.cold.reserve(n);
        if self.keep_history {
            self.history.reserve(n);
        }
        self.advise();
    }

    /// Keep a [`History`] per patient (from the next [`reset`](Self::reset) on; the table
    /// must be empty).
    pub fn keep_history(&mut self, on: bool) {
        debug_assert!(self.is_empty(), "history switched on a table in use");
        self.keep_history = on;
    }

    /// Whether the table keeps a [`History`] per patient.
    #[inline]
    pub fn has_history(&self) -> bool {
        self.keep_history
    }

    /// Patient `p`'s history (only when [`has_history`](Self::has_history)).
    #[inline]
    pub fn history(&self, p: PatientId) -> &History {
        &self.history[p.index()]
    }

    /// Patient `p`'s history, to change (only when [`has_history`](Self::has_history)).
    #[inline]
    pub fn history_mut(&mut self, p: PatientId) -> &mut History {
        &mut self.history[p.index()]
    }

    /// Add a patient at home in `cell` with `frailty`, in the slot of someone who died if
    /// there is one, returning its id.
    pub fn push(&mut self, cell: u16, frailty: f32) -> PatientId {
        let serial = self.created;
        self.created += 1;
        let cold = Cold {
            since: 0.0,
            slack: 0.0,
            flags: 0,
            link: 0,
        };
        let hot = |generation: u16, incarnation: u16| Hot {
            last_discharge: f64::NEG_INFINITY,
            draws: 0,
            serial,
            frailty,
            state: CareState::Home,
            generation,
            incarnation,
            cell,
            prior_admissions: 0,
        };
        if let Some(slot) = self.free.pop() {
            let i = slot as usize;
            let old = self.hot[i];
            self.hot[i] = hot(old.generation, old.incarnation.wrapping_add(1));
            self.cold[i] = cold;
            if self.keep_history {
                self.history[i] = History::default();
            }
            return PatientId(slot);
        }
        let id = PatientId(self.hot.len() as u32);
        let grows = self.hot.len() == self.hot.capacity();
        self.hot.push(hot(0, 0));
        self.cold.push(cold);
        if self.keep_history {
            self.history.push(History::default());
        }
        if grows {
            self.advise();
        }
        id
    }

    /// Ask for huge pages for the columns (see [`crate::engine::advise_huge_pages`]): the
    /// table is visited in random order.
    fn advise(&self) {
        crate::engine::advise_huge_pages(&self.hot);
        crate::engine::advise_huge_pages(&self.cold);
        crate::engine::advise_huge_pages(&self.history);
    }

    /// Give the slot of `p`, who has died (state [`CareState::Dead`], no pending event
    /// that is not stale), to the next person created.
    #[inline]
    pub fn release(&mut self, p: PatientId) {
        debug_assert_eq!(self.hot(p).state, CareState::Dead, "a living slot released");
        if !self.keep_slots {
            self.free.push(p.0);
        }
    }

    /// Keep every person's slot to the end of the run instead of reusing the slots of the
    /// dead (memory then grows with persons created). Results are the same either way up
    /// to the order of floating-point sums over the table; tests compare the two.
    pub fn keep_slots(&mut self, on: bool) {
        self.keep_slots = on;
    }

    /// Every slot, in id order (free slots are [`CareState::Dead`]).
    pub fn iter(&self) -> impl Iterator<Item = (&Hot, &Cold)> {
        self.hot.iter().zip(&self.cold)
    }

    /// Patient `p`'s hot record.
    #[inline]
    pub fn hot(&self, p: PatientId) -> &Hot {
        &self.hot[p.index()]
    }

    /// Patient `p`'s hot record, to change.
    #[inline]
    pub fn hot_mut(&mut self, p: PatientId) -> &mut Hot {
        &mut self.hot[p.index()]
    }

    /// Patient `p`'s cold record.
    #[inline]
    pub fn cold(&self, p: PatientId) -> &Cold {
        &self.cold[p.index()]
    }

    /// Patient `p`'s cold record, to change.
    #[inline]
    pub fn cold_mut(&mut self, p: PatientId) -> &mut Cold {
        &mut self.cold[p.index()]
    }

    /// Start fetching patient `p`'s hot and cold records into the cache (nothing for an id
    /// outside the table, such as a system event's).
    #[inline]
    pub fn prefetch(&self, p: PatientId) {
        if let (Some(hot), Some(cold)) = (self.hot.get(p.index()), self.cold.get(p.index())) {
            crate::engine::prefetch(hot);
            crate::engine::prefetch(cold);
        }
    }

    /// Make every pending event of patient `p` stale (bump the generation): they left the
    /// state those events were scheduled for.
    #[inline]
    pub fn cancel_pending(&mut self, p: PatientId) {
        let hot = &mut self.hot[p.index()];
        hot.generation = hot.generation.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_32_and_16_bytes() {
        assert_eq!(std::mem::size_of::<Hot>(), 32);
        assert_eq!(std::mem::align_of::<Hot>(), 32);
        assert_eq!(std::mem::size_of::<Cold>(), 16);
        assert_eq!(std::mem::size_of::<History>(), 48);
    }

    #[test]
    fn a_window_counts_the_admissions_inside_it() {
        let mut h = History::default();
        assert_eq!(h.count_within(100.0, 365.0), 0);
        assert_eq!(h.count_bound(365.0), 0);
        for t in [10.0, 300.0, 500.0, 700.5] {
            h.record(t);
        }
        // Strictly after now − days, up to now.
        assert_eq!(h.count_within(700.5, 395.0), 2);
        assert_eq!(h.count_within(700.5, 401.0), 3);
        assert_eq!(h.count_within(700.5, 200.0), 1);
        assert_eq!(h.count_within(705.0, 205.0), 1);
        assert_eq!(h.count_within(705.0, 205.5), 2);
        assert_eq!(h.count_within(2000.0, 365.0), 0);
        // The bound is the count at the latest request, and no count later exceeds it.
        assert_eq!(h.count_bound(401.0), 3);
        for now in [700.5, 750.0, 900.0, 1100.0] {
            assert!(h.count_within(now, 401.0) <= h.count_bound(401.0));
        }
    }

    #[test]
    fn the_history_keeps_the_last_admissions_only() {
        let mut h = History::default();
        for k in 0..20 {
            h.record(f64::from(k));
        }
        assert_eq!(h.count_within(19.0, 1000.0), HISTORY_LEN as u32);
        assert_eq!(h.admissions[0], 19.0);
        assert_eq!(h.admissions[HISTORY_LEN - 1], (20 - HISTORY_LEN) as f32);
    }

    #[test]
    fn recorded_times_are_never_later_than_the_request() {
        let mut h = History::default();
        for now in [0.1, 1_234.567_891_234, 36_499.999_999, 1.0e6 / 3.0] {
            h.record(now);
            assert!(f64::from(h.admissions[0]) <= now);
            assert_eq!(h.count_within(now, 1.0), 1, "{now}");
        }
    }

    #[test]
    fn the_slots_of_the_dead_are_reused_with_new_serials() {
        let mut t = PatientTable::default();
        t.keep_history(true);
        t.reset(4);
        let a = t.push(0, 1.0);
        let b = t.push(1, 2.0);
        t.history_mut(a).record(5.0);
        t.cancel_pending(a);
        t.hot_mut(a).state = CareState::Dead;
        t.release(a);
        let c = t.push(2, 3.0);
        assert_eq!(c, a, "the free slot is taken");
        assert_eq!(t.len(), 2);
        assert_eq!(t.created(), 3);
        let hot = t.hot(c);
        assert_eq!(
            (hot.serial, hot.cell, hot.draws, hot.incarnation),
            (2, 2, 0, 1)
        );
        assert_eq!(hot.generation, 1, "stale events of the dead stay stale");
        assert_eq!(t.hot(c).state, CareState::Home);
        assert_eq!(t.history(c), &History::default());
        assert_eq!(t.hot(b).serial, 1);
        let d = t.push(0, 1.0);
        assert_eq!((d.0, t.hot(d).serial), (2, 3), "no free slot: a new one");
    }

    #[test]
    fn the_history_column_exists_only_when_kept() {
        let mut t = PatientTable::default();
        t.reset(4);
        t.push(0, 1.0);
        assert!(t.history.is_empty());
        let mut t = PatientTable::default();
        t.keep_history(true);
        t.reset(4);
        let p = t.push(0, 1.0);
        assert_eq!(t.history(p), &History::default());
        assert!(!t.history(p).record_open());
    }
}
