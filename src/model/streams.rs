//! Named random-number streams: one per random process, so that a change in how one process
//! draws numbers (a policy lever that draws an extra number) does not shift the draws of the
//! others (ixa's `define_rng!`).
//!
//! The processes of a patient's own course (events at home, admission, lengths of stay,
//! discharge route, death in hospital) draw from that patient's counter-based
//! [`PatientRng`] under the process's key; the rest from shared [`Streams`] generators.

use rand_pcg::Pcg64Mcg;

/// A random process of the model. The discriminant is part of the seed derivation: never
/// renumber a variant, only append new ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
#[non_exhaustive]
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
    /// Values of uncertain parameters (probabilistic sensitivity analysis), drawn once per
    /// replication, each from its own generator keyed by the parameter's path.
    Psa = 13,
    /// Whether a delayed discharge is coordinated (discharge to assess) while the pooled
    /// budget is taken up.
    Coordination = 14,
}

impl Stream {
    /// Every stream, in discriminant order.
    pub const ALL: [Stream; 15] = [
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
        Stream::Psa,
        Stream::Coordination,
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
            Stream::Psa => "psa",
            Stream::Coordination => "coordination",
        }
    }
}

/// The 128-bit seeds of every stream of one replication, indexed by [`Stream`].
///
/// Built by `experiment::seed` from (base seed, point, replication, stream); the model only
/// consumes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamSeeds(pub [u128; Stream::ALL.len()]);

/// The shared generators of one replication: processes whose draws are not tied to one
/// patient's history (arrivals, new patients' attributes, end-of-run counts, lever draws).
///
/// `Pcg64Mcg` is a named, portable generator (its output is fixed by its specification, unlike
/// `SmallRng`/`StdRng`), fast, and 16 bytes of state.
#[derive(Clone, Debug)]
pub struct Streams {
    /// See [`Stream::Reviews`].
    pub reviews: Pcg64Mcg,
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
    /// See [`Stream::Coordination`].
    pub coordination: Pcg64Mcg,
    /// Keys of the per-patient processes, indexed by [`Stream`] (see [`PatientRng`]).
    pub keys: [u64; Stream::ALL.len()],
}

impl Streams {
    /// Generators and keys seeded from `seeds`.
    pub fn new(seeds: &StreamSeeds) -> Self {
        let g = |s: Stream| Pcg64Mcg::new(seeds.0[s as usize]);
        Streams {
            reviews: g(Stream::Reviews),
            incidence: g(Stream::Incidence),
            population: g(Stream::Population),
            outpatients: g(Stream::Outpatients),
            early_discharge: g(Stream::EarlyDischarge),
            avoidance: g(Stream::Avoidance),
            coordination: g(Stream::Coordination),
            keys: seeds.0.map(|s| (s >> 64) as u64 ^ s as u64),
        }
    }
}

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective mix of 64 bits.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The golden-ratio increment of SplitMix64.
pub const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The random numbers of one patient: a counter-based generator, the `counter`-th output of
/// SplitMix64 at position `(patient, counter)` under the key of a purpose ([`Stream`]).
///
/// Why per patient: with one generator per purpose shared by everyone, the k-th number goes
/// to whoever happens to draw k-th, so as soon as a policy changes one patient's path every
/// later draw moves to someone else and the arms of a comparison decorrelate. Here a
/// patient's n-th number is the same in every arm, whatever the other patients do, so
/// common random numbers stay synchronised patient by patient (the per-entity streams of
/// Law & Kelton, "Simulation Modeling and Analysis", §11.2).
#[derive(Debug)]
pub struct PatientRng<'a> {
    /// Purpose key.
    pub key: u64,
    /// `patient << 32`.
    pub patient: u64,
    /// The patient's draw counter (advanced by every number drawn).
    pub counter: &'a mut u32,
}

impl rand::TryRng for PatientRng<'_> {
    type Error = std::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        self.try_next_u64().map(|x| (x >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let n = self.patient | u64::from(*self.counter);
        *self.counter = self.counter.wrapping_add(1);
        Ok(mix64(
            self.key
                .wrapping_add(n.wrapping_add(1).wrapping_mul(GOLDEN)),
        ))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let x = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&x[..chunk.len()]);
        }
        Ok(())
    }
}
