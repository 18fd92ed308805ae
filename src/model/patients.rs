//! Patient state: a hot and a cold record per patient, indexed by [`PatientId`].
//!
//! The event loop visits patients in random order. Most events (an exacerbation handled in
//! primary care, a rejected thinning candidate) read only the generation and the cell; state
//! changes also read and write times and the state. With one column per field each field
//! touched cost a cache miss in large cohorts; with one 32-byte record the table left the
//! cache at 100,000 patients. The hot record is 8 bytes. The hot/cold split costs one miss for most events and two for
//! the rest (measured on `benches/engine.rs`).

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

/// The fields every event reads: 8 bytes, so that the hot table of a 60,000-patient cohort
/// (480 KB) stays in a 512 KB L2 cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hot {
    /// Generation counter (wrapping), bumped whenever pending events of the patient become
    /// invalid. 16 bits suffice: a stale event could only be mistaken for a live one after
    /// 65,536 bumps while it is pending, and a patient's home event is pending for one spell
    /// at home, which at most one bump (leaving home) can end.
    pub generation: u16,
    /// Cell (condition × age band × tier); see `sim.rs`.
    pub cell: u16,
    /// Random numbers drawn so far from the patient's own streams (see
    /// [`PatientRng`](super::streams::PatientRng)).
    pub draws: u32,
}

/// The fields read only on admission, discharge and other changes of state: 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cold {
    /// Time the patient entered the current state (start of a wait, or admission: a delayed
    /// discharge keeps its admission time), days.
    pub since: Days,
    /// Time of the last discharge from an acute bed (−∞ if never), days.
    pub last_discharge: Days,
    /// Individual multiplier on the exacerbation rate (1 without frailty).
    pub frailty: f32,
    /// Current state.
    pub state: CareState,
    /// Emergency admission requests so far (saturating).
    pub prior_admissions: u16,
    /// Policy-lever marks, see the `FLAG_*` constants.
    pub flags: u8,
    /// Days between the early-discharge point and the usual end of the current stay, for a
    /// patient eligible for early supported discharge.
    pub slack: f32,
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

/// Every patient of a replication: a hot and a cold record per patient, indexed by
/// [`PatientId`].
#[derive(Clone, Debug, Default)]
pub struct PatientTable {
    /// Hot records.
    pub hot: Vec<Hot>,
    /// Cold records.
    pub cold: Vec<Cold>,
}

impl PatientTable {
    /// Number of patients.
    pub fn len(&self) -> usize {
        self.hot.len()
    }

    /// True when there are no patients.
    pub fn is_empty(&self) -> bool {
        self.hot.is_empty()
    }

    /// Empty the table, keeping its allocations, and reserve room for `n` patients.
    pub fn reset(&mut self, n: usize) {
        self.hot.clear();
        self.cold.clear();
        self.hot.reserve(n);
        self.cold.reserve(n);
    }

    /// Add a patient at home in `cell` with `frailty`, returning its id.
    pub fn push(&mut self, cell: u16, frailty: f32) -> PatientId {
        let id = PatientId(self.hot.len() as u32);
        self.hot.push(Hot {
            generation: 0,
            cell,
            draws: 0,
        });
        self.cold.push(Cold {
            since: 0.0,
            last_discharge: f64::NEG_INFINITY,
            frailty,
            state: CareState::Home,
            prior_admissions: 0,
            flags: 0,
            slack: 0.0,
            link: 0,
        });
        id
    }

    /// All patients, in id order.
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
    fn records_are_8_and_32_bytes() {
        assert_eq!(std::mem::size_of::<Hot>(), 8);
        assert_eq!(std::mem::size_of::<Cold>(), 32);
    }
}
