//! Long-stay placements (a permanent care-home place): the resident lives in the service
//! with events there — they can die (at the service's own hazard by age band) or exacerbate
//! and be admitted, their place held for a while meanwhile — and leave it alive only at the
//! end of their drawn stay (a temporary placement, a move home), when they go home.

use super::{Behaviour, EpisodeEnd, EpisodeStart};

/// The long-stay behaviour.
#[derive(Clone, Copy, Debug)]
pub struct LongStay;

impl Behaviour for LongStay {
    #[inline]
    fn episode_start() -> EpisodeStart {
        EpisodeStart::Resident
    }

    #[inline]
    fn episode_end() -> EpisodeEnd {
        EpisodeEnd::LeaveResidence
    }
}
