//! The chronic-care patient-flow model (PRODUCT.md "The model"): patients at home with
//! reviews and exacerbations, acute beds, community services, delayed discharges and costs.
//!
//! [`Params`] holds validated parameters; [`Sim`] runs replications of them and returns a
//! [`Tally`], whose [`Tally::for_each_metric`] defines every output metric.

pub mod catalogue;
pub mod dist;
pub mod event;
pub mod params;
pub mod patients;
pub mod policy;
pub mod sim;
pub mod streams;
pub mod tally;

pub use dist::{Duration, DurationError};
pub use event::{Event, EventKind, PatientId};
pub use params::{
    AcuteParams, AvoidanceRule, BandParams, CapacityChange, ConditionParams, DischargeRoute,
    EarlyDischargeRule, EarlyWhenFull, LeverParams, Params, Payer, PopulationParams,
    PrimaryCareParams, Schedule, Seasonality, ServiceParams, Setting, Shortening, TierParams,
    WhenFull,
};
pub use patients::{CareState, PatientTable};
pub use policy::Policies;
pub use sim::{NoTrace, Recorder, Sim, World, apportion};
pub use streams::{Stream, StreamSeeds, Streams};
pub use tally::Tally;
