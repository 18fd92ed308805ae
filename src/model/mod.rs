//! The chronic-care patient-flow model (PRODUCT.md "The model"): patients at home with
//! reviews and exacerbations, acute beds, community services, delayed discharges and costs.
//!
//! [`Params`] holds validated parameters; [`Sim`] runs replications of them and returns a
//! [`Tally`], whose [`Tally::for_each_metric`] defines every output metric.
//!
//! - [`sim`]: the patient-flow event handlers and the [`Sim`] that runs them;
//! - [`world`]: the state of one replication ([`World`]): patient table, pools, integrals;
//! - [`levers`]: each policy lever's transformation of [`Params`] and run-time rule, consulted
//!   by the handlers at named hook points;
//! - [`services`]: each community-service behaviour ([`Setting`]), with its hook points;
//! - [`params`], [`patients`], [`event`], [`streams`], [`dist`]: parameters, patient records,
//!   events, named random streams, duration distributions;
//! - [`tally`], [`catalogue`]: what a replication counts, and the metrics made of it.

pub mod catalogue;
pub mod costs;
pub mod dist;
pub mod economics;
mod enrolment;
pub mod event;
pub mod levers;
pub mod params;
pub mod patients;
pub mod persons;
pub mod services;
pub mod sim;
pub mod streams;
pub mod tally;
pub mod trends;
pub mod units;
pub mod world;

pub use dist::{Duration, DurationError};
pub use economics::{AcutePayment, DelayReimbursement, EconomicsParams, PaymentParams};
pub use event::{Event, EventKind, PatientId};
pub use levers::{
    AvoidanceRule, EarlyDischargeRule, EarlyWhenFull, LeverCounts, LeverParams, Policies,
    Shortening,
};
pub use params::{
    AcuteParams, BandParams, CapacityChange, CapacityLevel, ConditionParams, DischargeRoute,
    NeedConsequences, Onward, Params, Payer, PopulationParams, PrimaryCareParams, Residents,
    Schedule, Seasonality, ServiceParams, ServiceWhenFull, TierParams, WhenFull,
};
pub use patients::{CareState, PatientTable};
pub use persons::{AgeingParams, EntrantParams, PersonsParams};
pub use services::Setting;
pub use sim::{NoTrace, Recorder, Sim, apportion};
pub use streams::{Stream, StreamSeeds, Streams};
pub use tally::Tally;
pub use trends::{Trend, Trends};
pub use world::World;
