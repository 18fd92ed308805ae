//! Events of the patient-flow model.

/// Index of a patient in the [`PatientTable`](super::patients::PatientTable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatientId(pub u32);

impl PatientId {
    /// Position in the patient table's columns.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What happens when an event fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
#[non_exhaustive]
pub enum EventKind {
    /// A candidate event of a patient at home: an exacerbation (an admission request or an
    /// urgent contact), a death, or, when rates vary over time, a candidate rejected by
    /// thinning.
    AtHome,
    /// A new patient arrives (incidence); `patient` holds the condition index.
    NewPatient,
    /// The end of a day: the midnight census of every pool.
    DayEnd,
    /// A scheduled capacity change: `patient` holds the pool (0 = acute beds, 1 + k =
    /// community service k), `generation` the index of the change in its schedule.
    CapacityChange,
    /// The end of an acute stay: the patient is medically fit for discharge.
    EndOfStay,
    /// The end of a community-service episode.
    EndOfCommunity,
    /// The end of an out-of-area (diverted) admission.
    EndOfDiversion,
    /// The end of the warm-up period: statistics start here.
    WarmupEnd,
    /// A delayed discharge reaches its time limit: the usual discharge date of a patient
    /// waiting for early supported discharge, or the discharge-coordination limit. Stale
    /// (ignored) when the delay has already ended.
    DelayTimeout,
    /// The end of an episode of unmet need at home (its drawn length). Stale when an
    /// admission or a death ended it first.
    EndOfUnmet,
    /// A review of capacity by the pooled budget's controller (a system event).
    CapacityReview,
    /// The end of the time a long-stay resident's place is held while they are in
    /// hospital: the place is released. Stale when they returned (or died) first.
    HoldEnd,
    /// The end of a patient's enrolment in targeted care management (`patient`; a system
    /// event, so that an admission does not cancel it): their caseload place frees. Stale
    /// when they died first, or were enrolled again.
    EnrolmentEnd,
    /// The end of an observed year (from the end of the warm-up): the cumulative values
    /// of the additive metrics are marked for the results by year.
    YearEnd,
    /// A person reaches the next age band's start age (`patient`; not cancelled by changes
    /// of state, ignored when they died first).
    Ageing,
    /// A candidate entrant to the population (`patient` holds the age band; thinned to
    /// the year's rate).
    Entrant,
    /// A patient enrols in an enrolment programme with an uptake curve (`tag` holds the
    /// programme's bit; ignored when they died first).
    Enrol,
}

/// A scheduled event: 8 bytes, `Copy`, so the queue moves it without allocation.
///
/// `gen` implements lazy cancellation: an event whose `gen` differs from the patient's
/// current generation was cancelled (the patient left the state it was scheduled for) and
/// is skipped when popped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Who it concerns (ignored by system events such as [`EventKind::WarmupEnd`]).
    pub patient: PatientId,
    /// The patient's generation when the event was scheduled; for events that outlive
    /// changes of state ([`EventKind::Ageing`], [`EventKind::Enrol`],
    /// [`EventKind::EnrolmentEnd`]) the slot's incarnation
    /// ([`Hot::incarnation`](super::patients::Hot::incarnation)).
    pub generation: u16,
    /// What happens.
    pub kind: EventKind,
    /// A small payload in what would be padding: the programme of an [`EventKind::Enrol`].
    pub tag: u8,
}

impl Event {
    /// An event that concerns no patient.
    pub fn system(kind: EventKind) -> Self {
        Event {
            patient: PatientId(u32::MAX),
            generation: 0,
            kind,
            tag: 0,
        }
    }
}
