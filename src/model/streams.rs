//! Named random-number streams: one per random process, so that a change in how one process
//! draws numbers (a policy lever that draws an extra number) does not shift the draws of the
//! others (ixa's `define_rng!`).

use rand_pcg::Pcg64Mcg;

/// A random process of the model. The discriminant is part of the seed derivation: never
/// renumber a variant, only append new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Times and kinds of events at home (reviews, exacerbations).
    Home = 0,
    /// Whether an exacerbation becomes an admission request.
    Admission = 1,
    /// Acute lengths of stay.
    AcuteLos = 2,
    /// Where a patient goes at discharge.
    Discharge = 3,
    /// Community lengths of stay.
    CommunityLos = 4,
    /// Lengths of out-of-area stays.
    DiversionLos = 5,
    /// Counts of routine reviews.
    Reviews = 6,
    /// Whether a stay ends in death.
    HospitalDeath = 7,
    /// Arrival times of new patients.
    Incidence = 8,
    /// Patient attributes: tier and age band of new patients, frailty.
    Population = 9,
    /// Counts of outpatient referrals and attendances.
    Outpatients = 10,
    /// Whether an admission is eligible for early supported discharge.
    EarlyDischarge = 11,
    /// Whether an admission request is offered step-up care instead.
    Avoidance = 12,
}

impl Stream {
    /// Every stream, in discriminant order.
    pub const ALL: [Stream; 13] = [
        Stream::Home,
        Stream::Admission,
        Stream::AcuteLos,
        Stream::Discharge,
        Stream::CommunityLos,
        Stream::DiversionLos,
        Stream::Reviews,
        Stream::HospitalDeath,
        Stream::Incidence,
        Stream::Population,
        Stream::Outpatients,
        Stream::EarlyDischarge,
        Stream::Avoidance,
    ];

    /// Stable name (for documentation and diagnostics).
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Home => "home",
            Stream::Admission => "admission",
            Stream::AcuteLos => "acute_los",
            Stream::Discharge => "discharge",
            Stream::CommunityLos => "community_los",
            Stream::DiversionLos => "diversion_los",
            Stream::Reviews => "reviews",
            Stream::HospitalDeath => "hospital_death",
            Stream::Incidence => "incidence",
            Stream::Population => "population",
            Stream::Outpatients => "outpatients",
            Stream::EarlyDischarge => "early_discharge",
            Stream::Avoidance => "avoidance",
        }
    }
}

/// The 128-bit seeds of every stream of one replication, indexed by [`Stream`].
///
/// Built by `experiment::seed` from (base seed, point, replication, stream); the model only
/// consumes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSeeds(pub [u128; Stream::ALL.len()]);

/// The generators of one replication.
///
/// `Pcg64Mcg` is a named, portable generator (its output is fixed by its specification, unlike
/// `SmallRng`/`StdRng`), fast, and 16 bytes of state.
#[derive(Clone, Debug)]
pub struct Streams {
    /// See [`Stream::Home`].
    pub home: Pcg64Mcg,
    /// See [`Stream::Admission`].
    pub admission: Pcg64Mcg,
    /// See [`Stream::AcuteLos`].
    pub acute_los: Pcg64Mcg,
    /// See [`Stream::Discharge`].
    pub discharge: Pcg64Mcg,
    /// See [`Stream::CommunityLos`].
    pub community_los: Pcg64Mcg,
    /// See [`Stream::DiversionLos`].
    pub diversion_los: Pcg64Mcg,
    /// See [`Stream::Reviews`].
    pub reviews: Pcg64Mcg,
    /// See [`Stream::HospitalDeath`].
    pub hospital_death: Pcg64Mcg,
    /// See [`Stream::Incidence`].
    pub incidence: Pcg64Mcg,
    /// See [`Stream::Population`].
    pub population: Pcg64Mcg,
    /// See [`Stream::Outpatients`].
    pub outpatients: Pcg64Mcg,
    /// See [`Stream::EarlyDischarge`].
    pub early_discharge: Pcg64Mcg,
    /// See [`Stream::Avoidance`].
    pub avoidance: Pcg64Mcg,
}

impl Streams {
    /// Generators seeded from `seeds`.
    pub fn new(seeds: &StreamSeeds) -> Self {
        let g = |s: Stream| Pcg64Mcg::new(seeds.0[s as usize]);
        Streams {
            home: g(Stream::Home),
            admission: g(Stream::Admission),
            acute_los: g(Stream::AcuteLos),
            discharge: g(Stream::Discharge),
            community_los: g(Stream::CommunityLos),
            diversion_los: g(Stream::DiversionLos),
            reviews: g(Stream::Reviews),
            hospital_death: g(Stream::HospitalDeath),
            incidence: g(Stream::Incidence),
            population: g(Stream::Population),
            outpatients: g(Stream::Outpatients),
            early_discharge: g(Stream::EarlyDischarge),
            avoidance: g(Stream::Avoidance),
        }
    }
}
