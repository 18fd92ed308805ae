//! Community-service behaviours, one module per behaviour: what an episode in a service means
//! for the patient. The `setting` of a `[community.<name>]` table picks the behaviour
//! ([`Setting`]); the handlers of `model::sim` ask it at two hook points and carry out its
//! decision:
//!
//! | hook point | called when | decision |
//! |---|---|---|
//! | [`episode_start`](Behaviour::episode_start) | a patient takes a place (the episode's length already drawn) | where the patient lives during the episode |
//! | [`episode_end`](Behaviour::episode_end) | the episode reaches its end | how the patient gets home |
//!
//! A patient living at home during an episode keeps their events at home: an admission or
//! a death ends the episode early and frees the place.
//!
//! # Registering a behaviour
//!
//! One module implementing [`Behaviour`], and one line in the `behaviours!` list below,
//! which declares the [`Setting`] variant (its `snake_case` name is the one in
//! `manifest.json`) and dispatches to the module with a `match`: static dispatch, no
//! allocation.

pub mod bed;
pub mod home;
pub mod long_stay;

use serde::{Deserialize, Serialize};

/// What a community-service behaviour decides at its hook points.
pub trait Behaviour {
    /// An episode starts.
    fn episode_start() -> EpisodeStart;

    /// An episode ends at its drawn length.
    fn episode_end() -> EpisodeEnd;
}

/// Where a patient lives during an episode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EpisodeStart {
    /// In the service (a bed): no events at home until the episode ends.
    InService,
    /// At home: counted at home, with events at home (which can end the episode early).
    AtHome,
    /// In the service, with events there (the service's own death hazard, exacerbations
    /// that can lead to an admission, the place held meanwhile).
    Resident,
}

/// How a patient gets home at the end of an episode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EpisodeEnd {
    /// Leaves the service for home: counted at home, with a new event at home.
    GoHome,
    /// Already at home, with an event at home pending: only the state changes.
    AlreadyHome,
    /// A resident (with an event pending in the service) leaves for home: the pending
    /// event is cancelled and a new one drawn at home.
    LeaveResidence,
}

/// Declares [`Setting`] and its dispatch from the list of behaviours.
macro_rules! behaviours {
    ($($(#[$doc:meta])* $variant:ident => $behaviour:ty,)*) => {
        /// Where a community service's patients are: the behaviour of its episodes.
        /// The same enum reads the scenario's `setting` key, so a new behaviour needs no
        /// change to the scenario schema.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Setting {
            $($(#[$doc])* $variant,)*
        }

        impl Setting {
            /// Hook point: see [`Behaviour::episode_start`].
            #[inline]
            pub fn episode_start(self) -> EpisodeStart {
                match self {
                    $(Setting::$variant => <$behaviour as Behaviour>::episode_start(),)*
                }
            }

            /// Hook point: see [`Behaviour::episode_end`].
            #[inline]
            pub fn episode_end(self) -> EpisodeEnd {
                match self {
                    $(Setting::$variant => <$behaviour as Behaviour>::episode_end(),)*
                }
            }
        }
    };
}

behaviours! {
    /// In a bed (intermediate care beds, a care home): no exacerbations while there.
    Bed => bed::Bed,
    /// At home with visits (an early supported discharge team, a step-up team, a care
    /// package): the patient holds a caseload place but lives at home, so they can
    /// exacerbate, be admitted (which ends the episode and frees the place) or die.
    Home => home::Home,
    /// A long-stay placement (a permanent care-home place): residents live there, can die
    /// at the service's own hazard, exacerbate and be admitted (their place held for
    /// `hold_days`), and leave alive only at the end of a long drawn stay.
    LongStay => long_stay::LongStay,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_has_its_behaviour_and_manifest_name() {
        assert_eq!(Setting::Bed.episode_start(), EpisodeStart::InService);
        assert_eq!(Setting::Bed.episode_end(), EpisodeEnd::GoHome);
        assert_eq!(Setting::Home.episode_start(), EpisodeStart::AtHome);
        assert_eq!(Setting::Home.episode_end(), EpisodeEnd::AlreadyHome);
        assert_eq!(serde_json::to_string(&Setting::Bed).unwrap(), r#""bed""#);
        assert_eq!(serde_json::to_string(&Setting::Home).unwrap(), r#""home""#);
        assert_eq!(Setting::LongStay.episode_start(), EpisodeStart::Resident);
        assert_eq!(Setting::LongStay.episode_end(), EpisodeEnd::LeaveResidence);
        assert_eq!(
            serde_json::to_string(&Setting::LongStay).unwrap(),
            r#""long_stay""#
        );
    }
}
