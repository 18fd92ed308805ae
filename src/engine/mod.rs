//! The discrete-event engine: simulated time, the future-event list, capacity pools.
//!
//! The engine knows nothing of patients, costs, files or threads. The model owns an
//! [`EventQueue`] of its own `Copy` event type and drives it with [`run_until`]; the
//! dispatch is a plain `match` in the model, never a boxed closure per event.

pub mod pool;
pub mod queue;
pub mod time;

pub use pool::{DiscountClock, DiscountedIntegral, Pool, TimeIntegral, exp_m1};
pub use queue::{EventQueue, Scheduled};
pub use time::{DAYS_PER_YEAR, Days};

/// Pop events in time order and hand each to `handle` until the queue is empty or the next
/// event is after `until` (days). Returns the number of events handled.
///
/// Events at exactly `until` are handled. Events after it stay in the queue.
#[inline]
pub fn run_until<E: Copy>(
    queue: &mut EventQueue<E>,
    until: Days,
    mut handle: impl FnMut(&mut EventQueue<E>, Scheduled<E>),
) -> u64 {
    let mut handled = 0;
    while let Some(t) = queue.peek_time() {
        if t > until {
            break;
        }
        let ev = queue.pop().expect("peeked event");
        handle(queue, ev);
        handled += 1;
    }
    handled
}
