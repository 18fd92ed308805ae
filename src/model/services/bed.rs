//! Bed-based services (intermediate care beds, a care home): the patient lives in the
//! service for the episode, with no events at home, and goes home at its end.

use super::{Behaviour, EpisodeEnd, EpisodeStart};

/// The bed-based behaviour.
#[derive(Clone, Copy, Debug)]
pub struct Bed;

impl Behaviour for Bed {
    #[inline]
    fn episode_start() -> EpisodeStart {
        EpisodeStart::InService
    }

    #[inline]
    fn episode_end() -> EpisodeEnd {
        EpisodeEnd::GoHome
    }
}
