//! Home-based services (an early supported discharge team, a step-up team, a care package):
//! the patient holds a caseload place but lives at home, with events at home, so an
//! admission or a death ends the episode early and frees the place; at its end they are
//! already home.

use super::{Behaviour, EpisodeEnd, EpisodeStart};

/// The home-based behaviour.
#[derive(Clone, Copy, Debug)]
pub struct Home;

impl Behaviour for Home {
    #[inline]
    fn episode_start() -> EpisodeStart {
        EpisodeStart::AtHome
    }

    #[inline]
    fn episode_end() -> EpisodeEnd {
        EpisodeEnd::AlreadyHome
    }
}
