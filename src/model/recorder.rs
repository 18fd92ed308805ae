//! Observers of a replication. The model says what happened; a recorder decides what to keep
//! (simmer's monitors). `Sim` is generic over the recorder, so the default [`NoTrace`] costs
//! nothing in the event loop.

use super::sim::World;
use crate::engine::Days;

/// Sees the world after every handled event.
pub trait Recorder {
    /// Called after the event at `now` (days) has been handled.
    fn event_handled(&mut self, now: Days, world: &World<'_>);
}

/// Records nothing; compiled away.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Recorder for NoTrace {
    #[inline(always)]
    fn event_handled(&mut self, _now: Days, _world: &World<'_>) {}
}
