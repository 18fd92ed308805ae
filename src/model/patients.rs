//! Patient state as struct-of-arrays: one column per attribute, indexed by [`PatientId`].
//!
//! Columns keep the event loop's working set small (a handler touches only the columns it
//! needs) and cost 32 bytes per patient.

use super::event::PatientId;
use crate::engine::Days;

/// Where a patient is. `u16` payloads index [`Params::services`](super::params::Params).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Admitted out of area because no local bed was free (`when_full = "divert"`).
    OutOfArea,
    /// Died (at home or in hospital); no further events.
    Dead,
}

/// Struct-of-arrays table of patients.
#[derive(Clone, Debug, Default)]
pub struct PatientTable {
    /// Cell (condition × age band × tier) of each patient; see `sim.rs`.
    pub cell: Vec<u16>,
    /// Individual multiplier on the exacerbation rate (1 without frailty).
    pub frailty: Vec<f32>,
    /// Emergency admissions so far (saturating).
    pub prior_admissions: Vec<u16>,
    /// Current state.
    pub state: Vec<CareState>,
    /// Generation counter, bumped whenever pending events of the patient become invalid.
    pub generation: Vec<u32>,
    /// Time the patient entered the current state (start of a wait, or admission: a delayed
    /// discharge keeps its admission time), days.
    pub since: Vec<Days>,
    /// Time of the last discharge from an acute bed (−∞ if never), days.
    pub last_discharge: Vec<Days>,
}

impl PatientTable {
    /// Number of patients.
    pub fn len(&self) -> usize {
        self.state.len()
    }

    /// True when there are no patients.
    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }

    /// Empty the table, keeping its allocations, and reserve room for `n` patients.
    pub fn reset(&mut self, n: usize) {
        self.cell.clear();
        self.frailty.clear();
        self.prior_admissions.clear();
        self.state.clear();
        self.generation.clear();
        self.since.clear();
        self.last_discharge.clear();
        self.last_discharge.reserve(n);
        self.cell.reserve(n);
        self.frailty.reserve(n);
        self.prior_admissions.reserve(n);
        self.state.reserve(n);
        self.generation.reserve(n);
        self.since.reserve(n);
    }

    /// Add a patient at home in `cell` with `frailty`, returning its id.
    pub fn push(&mut self, cell: u16, frailty: f32) -> PatientId {
        let id = PatientId(self.state.len() as u32);
        self.cell.push(cell);
        self.frailty.push(frailty);
        self.prior_admissions.push(0);
        self.state.push(CareState::Home);
        self.generation.push(0);
        self.since.push(0.0);
        self.last_discharge.push(f64::NEG_INFINITY);
        id
    }
}
