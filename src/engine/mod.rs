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

/// Ask the CPU to bring the cache line holding `value` into the cache, without waiting for it.
///
/// The event loop visits patients in random order, so at national scale every record an
/// event touches is a cache miss; fetching the records of an event a few places ahead in
/// the bucket being drained overlaps those misses with the work on the events before it
/// (measured on `benches/engine.rs`, issue 16). A hint only: it never faults, reads nothing
/// the program can see, and does nothing on other architectures.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` only hints the cache; it cannot fault or change memory, and
    // SSE, which it needs, is part of every x86-64 CPU.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(value).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

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
    run_until_looking_ahead(queue, until, |queue, ev, _| handle(queue, ev))
}

/// Ask the kernel to back `buffer`'s allocation (its whole capacity) with 2 MB pages.
///
/// At national scale the patient table is ~100 MB visited in random order: with 4 KB
/// pages nearly every record an event touches also misses the TLB, and the page walk costs
/// as much as the miss itself. Transparent huge pages are usually enabled for memory that
/// asks for them (`madvise` mode); asking cut an England-scale replication's time by ~30%
/// (issue 16). A hint only: it changes no contents, and is ignored where unsupported (other
/// systems, THP disabled, a small buffer).
pub fn advise_huge_pages<T>(buffer: &Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const HUGE: usize = 2 << 20;
        let bytes = buffer.capacity() * std::mem::size_of::<T>();
        if bytes < HUGE {
            return;
        }
        let start = buffer.as_ptr() as usize;
        let from = start.next_multiple_of(PAGE);
        let to = (start + bytes) / PAGE * PAGE;
        if to > from {
            // SAFETY: the range lies inside `buffer`'s live allocation (page-aligned inward)
            // and MADV_HUGEPAGE only changes how the kernel backs it, never its contents;
            // a failure is harmless and ignored.
            unsafe {
                libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buffer;
}

/// Events the loop looks ahead to prefetch what they will touch: far enough for a miss to
/// main memory (~100 ns) to complete during the events before, near enough that the lines
/// are still in the L1 cache when the event comes (tuned on `benches/engine.rs`).
pub const PREFETCH_AHEAD: usize = 8;

/// [`run_until`], also showing `handle` the event [`PREFETCH_AHEAD`] places ahead in the
/// bucket being drained (if there is one), so that it can [`prefetch`] what that event will
/// touch.
#[inline]
pub fn run_until_looking_ahead<E: Copy>(
    queue: &mut EventQueue<E>,
    until: Days,
    mut handle: impl FnMut(&mut EventQueue<E>, Scheduled<E>, Option<E>),
) -> u64 {
    let mut handled = 0;
    while let Some(t) = queue.peek_time() {
        if t > until {
            break;
        }
        let ahead = queue.upcoming(PREFETCH_AHEAD).copied();
        let ev = queue.pop().expect("peeked event");
        handle(queue, ev, ahead);
        handled += 1;
    }
    handled
}
