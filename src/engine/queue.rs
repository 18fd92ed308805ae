//! The future-event list: a two-level calendar queue with FIFO order for equal times.
//!
//! # Why a calendar queue, and why two levels
//!
//! A binary heap of all pending events costs `O(log n)` cache-missing comparisons per
//! operation; with one pending event per patient that is a 3 MB heap at 100,000 patients and
//! a 32 MB heap at 1,000,000. A calendar queue (Brown, CACM 1988) splits time into buckets of
//! fixed width: a push appends to the bucket of its time (`O(1)`, no comparison), and only
//! the bucket being drained is sorted, while it is small and in cache.
//!
//! One level of buckets has two costs at scale, both measured with `perf` on the reference
//! model at 1,000,000 patients (issue 16): a push appends to the tail of one of thousands of
//! buckets, and those tails (one cache line each) no longer stay in cache, so every push
//! missed (26% of the run); and events beyond the ring waited in an overflow heap whose
//! sift-downs missed too (15%). So this queue has two levels, like a ladder queue (Tang, Goh
//! & Thng, ACM TOMACS 2005):
//!
//! * **fine** buckets, each `width` days wide, cover the current *coarse* bucket only; the
//!   one being drained is sorted;
//! * **coarse** buckets, each `F · width` days wide (`F` fine buckets), hold the rest of the
//!   future unordered, as chains of fixed-size blocks (so their memory follows the events
//!   they hold, not the largest a bucket ever was); when the fine buckets are used up, the
//!   next coarse bucket is dealt into them in one sequential pass;
//! * events beyond the coarse ring wait in an overflow heap; a queue that knows its
//!   **horizon** (the run never handles an event after it) sizes the ring to cover it and
//!   drops events after it, so the heap is never used in a run.
//!
//! With `F` and the number of coarse buckets both near the square root of the number of fine
//! buckets, the tails a push can touch (a few thousand lines) stay in the L2 cache, and each
//! event is moved at most twice. Drained blocks and bucket vectors are reused, so after
//! warm-up the queue performs no allocation.
//!
//! # Ordering
//!
//! Events are popped by increasing time; events with equal time come out in the order they
//! were pushed (like SimPy's `eid` or nexosim's epoch). Every bucket holds its events in push
//! order, and buckets are sorted stably by time, so no sequence number is stored per event
//! (entries are 16 bytes for an 8-byte event); only the overflow heap numbers its entries.
//! Times must be finite and non-negative, and an event may not be scheduled before the time
//! of the last popped event (the simulation never schedules into the past).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::Days;

/// One event popped from the queue: its time and the model's payload.
#[derive(Clone, Copy, Debug)]
pub struct Scheduled<E> {
    /// When the event fires, in days.
    pub time: Days,
    /// What happens (the model's event type).
    pub event: E,
}

/// A bucket entry: 16 bytes for an 8-byte event.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    /// `time.to_bits()`: for finite non-negative floats the bit pattern orders like the value,
    /// and an integer comparison is cheaper than `f64::total_cmp`.
    time_bits: u64,
    event: E,
}

/// An overflow-heap entry, numbered so that equal times leave the heap in push order.
#[derive(Clone, Copy, Debug)]
struct Far<E> {
    time_bits: u64,
    seq: u64,
    event: E,
}

impl<E> Far<E> {
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.time_bits, self.seq)
    }
}

impl<E> PartialEq for Far<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for Far<E> {}
impl<E> PartialOrd for Far<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Far<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap and the smallest key must come out first.
        other.key().cmp(&self.key())
    }
}

/// Entries per block of a coarse bucket: 4 KB blocks of 16-byte entries, so that a
/// half-filled last block per bucket wastes little.
const BLOCK: usize = 256;

/// Most fine buckets per coarse bucket, and most coarse buckets, [`EventQueue::with_hint`]
/// builds: the tails a push can touch (one cache line each, plus their headers) stay within
/// a 512 KB L2 cache.
pub const MAX_BUCKETS_PER_LEVEL: usize = 1 << 12;

/// Events a fine bucket holds when it is drained, on average ([`EventQueue::with_hint`]):
/// tuned on `benches/engine.rs` (the reference model at 100,000 and 1,000,000 patients).
const EVENTS_PER_BUCKET: f64 = 64.0;

/// A monotone priority queue of events keyed by time, FIFO among equal times.
///
/// | operation | cost |
/// |---|---|
/// | [`push`](Self::push) | `O(1)` into a future bucket; `O(k)` into the bucket of `k` events being drained; `O(log m)` into an overflow of `m` far-future events |
/// | [`pop`](Self::pop) | `O(1)`, plus a stable sort of each fine bucket and a pass over each coarse bucket, once |
/// | [`clear`](Self::clear) | `O(buckets)`, keeping every allocation for reuse |
#[derive(Debug)]
pub struct EventQueue<E> {
    /// Fine bucket width, days.
    width: Days,
    /// `1 / width`, so that bucketing is a multiplication.
    inv_width: f64,
    /// log2 of the fine buckets per coarse bucket.
    shift: u32,
    /// Fine buckets: those of the current coarse bucket, indexed by fine number mod `F`.
    fine: Vec<Vec<Entry<E>>>,
    /// Events in the fine buckets (not counting the current one).
    in_fine: usize,
    /// Fine bucket number of the current bucket.
    cur: u64,
    /// The current bucket's events, sorted by time (FIFO among equal times); the next event
    /// is at `head`.
    current: Vec<Entry<E>>,
    /// Position of the next event in `current`.
    head: usize,
    /// Coarse buckets of the ring after the current one: chains of blocks of at most
    /// [`BLOCK`] entries, indexed by coarse number mod their count.
    coarse: Vec<Vec<Vec<Entry<E>>>>,
    /// Events in the coarse buckets.
    in_coarse: usize,
    /// Coarse bucket number of the current fine buckets.
    cur_coarse: u64,
    /// Emptied blocks, for reuse.
    spare: Vec<Vec<Entry<E>>>,
    /// Events at or beyond coarse bucket `cur_coarse + coarse.len()`.
    overflow: BinaryHeap<Far<E>>,
    next_seq: u64,
    /// Events after this time are dropped (never popped), days; +∞: none.
    horizon: Days,
    /// Time of the last popped event (events may not be scheduled before it).
    now: Days,
}

impl<E: Copy> EventQueue<E> {
    /// A queue tuned for about `events_per_day` events firing per simulated day while about
    /// `pending` events wait in it (one per patient, typically), for a run that handles no
    /// event after `horizon` days (`f64::INFINITY`: no horizon; events after it are dropped).
    ///
    /// Fine buckets hold about 64 events when drained. With a finite horizon the coarse
    /// buckets cover all of it (no overflow); otherwise they cover twice the mean time an
    /// event waits (`pending / events_per_day`). The fine buckets per coarse bucket and the
    /// coarse buckets are both about the square root of the fine buckets needed, at most
    /// [`MAX_BUCKETS_PER_LEVEL`] each (fine buckets widen beyond that). Non-positive or
    /// non-finite rates fall back to one bucket per day.
    pub fn with_hint(events_per_day: f64, pending: usize, horizon: Days) -> Self {
        let finite = horizon.is_finite() && horizon >= 0.0;
        if !(events_per_day.is_finite() && events_per_day > 0.0) {
            return Self::new(1.0, 64, 64).with_horizon(horizon);
        }
        let span = if finite {
            horizon.max(1.0)
        } else {
            2.0 * pending.max(1) as f64 / events_per_day
        };
        let mut width = (EVENTS_PER_BUCKET / events_per_day).clamp(1e-6, 365.0);
        // Clamped before rounding: a tiny event rate makes the count astronomical.
        let max = MAX_BUCKETS_PER_LEVEL as f64;
        let needed = (span / width).ceil().clamp(1.0, max * max);
        let per_coarse = (needed.sqrt() as usize)
            .next_power_of_two()
            .clamp(16, MAX_BUCKETS_PER_LEVEL);
        let mut coarse = ((needed / per_coarse as f64).ceil() as usize + 1).next_power_of_two();
        if coarse > MAX_BUCKETS_PER_LEVEL {
            coarse = MAX_BUCKETS_PER_LEVEL;
            width = (span / ((coarse - 1) * per_coarse) as f64).clamp(1e-6, 365.0);
        }
        Self::new(width, per_coarse, coarse.max(2)).with_horizon(horizon)
    }

    /// A queue with fine buckets `width` days wide, `per_coarse` of them per coarse bucket
    /// and `coarse` coarse buckets (both rounded up to powers of two; at least 2 coarse), and
    /// no horizon.
    ///
    /// # Panics
    /// If `width` is not finite and positive.
    pub fn new(width: Days, per_coarse: usize, coarse: usize) -> Self {
        assert!(
            width.is_finite() && width > 0.0,
            "bucket width must be positive"
        );
        let per_coarse = per_coarse.max(1).next_power_of_two();
        let coarse = coarse.max(2).next_power_of_two();
        EventQueue {
            width,
            inv_width: 1.0 / width,
            shift: per_coarse.trailing_zeros(),
            fine: (0..per_coarse).map(|_| Vec::new()).collect(),
            in_fine: 0,
            cur: 0,
            current: Vec::new(),
            head: 0,
            coarse: (0..coarse).map(|_| Vec::new()).collect(),
            in_coarse: 0,
            cur_coarse: 0,
            spare: Vec::new(),
            overflow: BinaryHeap::new(),
            next_seq: 0,
            horizon: f64::INFINITY,
            now: 0.0,
        }
    }

    /// The same queue dropping every event pushed for a time after `horizon` (days; NaN or
    /// +∞: none): a run that stops there never pops them, so they need no memory.
    #[must_use]
    pub fn with_horizon(mut self, horizon: Days) -> Self {
        self.horizon = if horizon.is_nan() {
            f64::INFINITY
        } else {
            horizon
        };
        self
    }

    /// Fine bucket width in days.
    pub fn bucket_width(&self) -> Days {
        self.width
    }

    /// Number of pending events (not counting those dropped after the horizon).
    #[inline]
    pub fn len(&self) -> usize {
        self.current.len() - self.head + self.in_fine + self.in_coarse + self.overflow.len()
    }

    /// True when no event is pending.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Time of the last popped event (0 before the first pop).
    #[inline]
    pub fn now(&self) -> Days {
        self.now
    }

    #[inline]
    fn bucket_of(&self, time: Days) -> u64 {
        // Saturating float-to-int cast: huge times land in the overflow heap.
        (time * self.inv_width) as u64
    }

    /// Schedule `event` at `time` (days). Equal times fire in push order. An event after
    /// the horizon is dropped.
    ///
    /// `time` must be finite and not before [`now`](Self::now) (checked in debug builds).
    #[inline]
    pub fn push(&mut self, time: Days, event: E) {
        debug_assert!(
            time.is_finite() && time >= self.now,
            "event scheduled at {time} before now {}",
            self.now
        );
        if time > self.horizon {
            return;
        }
        let entry = Entry {
            time_bits: time.to_bits(),
            event,
        };
        let bucket = self.bucket_of(time);
        if bucket <= self.cur {
            self.insert_current(entry);
            return;
        }
        let coarse = bucket >> self.shift;
        if coarse == self.cur_coarse {
            let mask = self.fine.len() as u64 - 1;
            self.fine[(bucket & mask) as usize].push(entry);
            self.in_fine += 1;
        } else if coarse - self.cur_coarse < self.coarse.len() as u64 {
            self.push_coarse(coarse, entry);
        } else {
            self.overflow.push(Far {
                time_bits: entry.time_bits,
                seq: self.next_seq,
                event,
            });
            self.next_seq += 1;
        }
    }

    /// Append to coarse bucket `coarse` (inside the ring), in a new block when its last is full.
    #[inline]
    fn push_coarse(&mut self, coarse: u64, entry: Entry<E>) {
        let mask = self.coarse.len() as u64 - 1;
        let chain = &mut self.coarse[(coarse & mask) as usize];
        match chain.last_mut() {
            Some(block) if block.len() < BLOCK => block.push(entry),
            _ => {
                let mut block = self
                    .spare
                    .pop()
                    .unwrap_or_else(|| Vec::with_capacity(BLOCK));
                block.push(entry);
                chain.push(block);
            }
        }
        self.in_coarse += 1;
    }

    /// Remove and return the earliest event, or `None` when the queue is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        if self.head == self.current.len() && !self.advance() {
            return None;
        }
        let e = self.current[self.head];
        self.head += 1;
        let time = f64::from_bits(e.time_bits);
        self.now = time;
        Some(Scheduled {
            time,
            event: e.event,
        })
    }

    /// Time of the earliest pending event, without removing it.
    #[inline]
    pub fn peek_time(&mut self) -> Option<Days> {
        if self.head == self.current.len() && !self.advance() {
            return None;
        }
        Some(f64::from_bits(self.current[self.head].time_bits))
    }

    /// The event `k` places after the next one, if it is already in the bucket being
    /// drained (0: the next event). For prefetching what it will touch: later events of
    /// the current bucket can still be preceded by events pushed meanwhile.
    #[inline]
    pub fn upcoming(&self, k: usize) -> Option<&E> {
        self.current.get(self.head + k).map(|e| &e.event)
    }

    /// Make the next non-empty fine bucket current. Returns false if the queue is empty.
    /// Called only when the current bucket is used up.
    #[cold]
    fn advance(&mut self) -> bool {
        self.current.clear();
        self.head = 0;
        let mask = self.fine.len() as u64 - 1;
        loop {
            if self.in_fine == 0 {
                if !self.next_coarse() {
                    return false;
                }
            } else {
                self.cur += 1;
            }
            let slot = (self.cur & mask) as usize;
            if !self.fine[slot].is_empty() {
                self.in_fine -= self.fine[slot].len();
                // Swap allocations: the drained vector becomes the slot's: no allocation.
                std::mem::swap(&mut self.current, &mut self.fine[slot]);
                // Stable: equal times stay in push order.
                self.current.sort_by_key(|e| e.time_bits);
                return true;
            }
        }
    }

    /// With no fine bucket left, deal the next non-empty coarse bucket (or the overflow's
    /// earliest) into the fine buckets. Returns false if the queue is empty.
    fn next_coarse(&mut self) -> bool {
        let ring = self.coarse.len() as u64;
        if self.in_coarse == 0 {
            // Nothing in the ring: jump straight to the overflow's earliest coarse bucket.
            match self.overflow.peek() {
                None => return false,
                Some(e) => {
                    let c = self.bucket_of(f64::from_bits(e.time_bits)) >> self.shift;
                    self.cur_coarse = c.max(self.cur_coarse + 1);
                }
            }
        } else {
            self.cur_coarse += 1;
        }
        // The ring now ends at cur_coarse + ring - 1: pull in overflow events that fit (in
        // time and push order, before anything can be pushed to the buckets they enter).
        while let Some(e) = self.overflow.peek() {
            let c = self.bucket_of(f64::from_bits(e.time_bits)) >> self.shift;
            if c - self.cur_coarse >= ring {
                break;
            }
            let e = self.overflow.pop().expect("peeked");
            self.push_coarse(
                c,
                Entry {
                    time_bits: e.time_bits,
                    event: e.event,
                },
            );
        }
        // Deal the coarse bucket into the fine ones, in order.
        let mask = self.fine.len() as u64 - 1;
        let slot = (self.cur_coarse & (ring - 1)) as usize;
        let mut chain = std::mem::take(&mut self.coarse[slot]);
        for mut block in chain.drain(..) {
            self.in_coarse -= block.len();
            self.in_fine += block.len();
            for &e in &block {
                let b = self.bucket_of(f64::from_bits(e.time_bits));
                self.fine[(b & mask) as usize].push(e);
            }
            block.clear();
            self.spare.push(block);
        }
        // Keep the chain's allocation for the bucket this slot holds next.
        self.coarse[slot] = chain;
        self.cur = self.cur_coarse << self.shift;
        true
    }

    /// Insert into the current bucket, after every entry at the same or an earlier time.
    #[inline]
    fn insert_current(&mut self, entry: Entry<E>) {
        let t = entry.time_bits;
        let at = self.head + self.current[self.head..].partition_point(|e| e.time_bits <= t);
        self.current.insert(at, entry);
    }

    /// Remove every pending event and reset the clock to 0, keeping all allocations.
    pub fn clear(&mut self) {
        for b in &mut self.fine {
            b.clear();
        }
        for chain in &mut self.coarse {
            for mut block in chain.drain(..) {
                block.clear();
                self.spare.push(block);
            }
        }
        self.current.clear();
        self.head = 0;
        self.overflow.clear();
        self.in_fine = 0;
        self.in_coarse = 0;
        self.cur = 0;
        self.cur_coarse = 0;
        self.next_seq = 0;
        self.now = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn drain(q: &mut EventQueue<u32>) -> Vec<(f64, u32)> {
        std::iter::from_fn(|| q.pop().map(|s| (s.time, s.event))).collect()
    }

    #[test]
    fn pops_in_time_order() {
        let mut q = EventQueue::new(1.0, 8, 0);
        for (t, id) in [(5.5, 1), (0.2, 2), (100.0, 3), (3.0, 4), (0.1, 5)] {
            q.push(t, id);
        }
        assert_eq!(q.len(), 5);
        let ids: Vec<u32> = drain(&mut q).into_iter().map(|(_, id)| id).collect();
        assert_eq!(ids, vec![5, 2, 4, 1, 3]);
        assert!(q.is_empty());
    }

    #[test]
    fn equal_times_are_fifo() {
        let mut q = EventQueue::new(0.5, 4, 0);
        for id in 0..100 {
            q.push(7.25, id);
        }
        // Same time, pushed later from inside the current bucket, still comes after.
        let first = q.pop().unwrap();
        assert_eq!(first.event, 0);
        q.push(7.25, 1000);
        let rest: Vec<u32> = drain(&mut q).into_iter().map(|(_, id)| id).collect();
        let mut expected: Vec<u32> = (1..100).collect();
        expected.push(1000);
        assert_eq!(rest, expected);
    }

    #[test]
    fn overflow_events_come_back_in_order() {
        // Ring of 4 buckets of 1 day: anything past day 4 starts in the overflow heap.
        let mut q = EventQueue::new(1.0, 4, 0);
        for t in [50.0, 10.0, 3.5, 1000.0, 4.0, 0.0] {
            q.push(t, t as u32);
        }
        let times: Vec<f64> = drain(&mut q).into_iter().map(|(t, _)| t).collect();
        assert_eq!(times, vec![0.0, 3.5, 4.0, 10.0, 50.0, 1000.0]);
    }

    #[test]
    fn clear_resets_clock_and_contents() {
        let mut q = EventQueue::with_hint(10.0, 100, f64::INFINITY);
        q.push(3.0, 1);
        q.push(30.0, 2);
        assert_eq!(q.pop().unwrap().event, 1);
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.now(), 0.0);
        q.push(0.5, 3);
        assert_eq!(q.pop().unwrap().time, 0.5);
    }

    #[test]
    fn events_after_the_horizon_are_dropped() {
        let mut q = EventQueue::with_hint(10.0, 100, 50.0);
        for t in [49.0, 50.0, 50.5, 1e9] {
            q.push(t, t as u32);
        }
        assert_eq!(q.len(), 2);
        let times: Vec<f64> = drain(&mut q).into_iter().map(|(t, _)| t).collect();
        assert_eq!(times, vec![49.0, 50.0]);
    }

    #[test]
    fn sizes_follow_the_hint() {
        // 100,000 patients of the reference model over 10 years: fine buckets of ~64
        // events, both levels near the square root of the fine buckets needed.
        let q: EventQueue<u32> = EventQueue::with_hint(195.0, 100_000, 3650.0);
        assert!((q.bucket_width() - 64.0 / 195.0).abs() < 1e-12);
        let fine_needed = 3650.0 / q.bucket_width();
        let covered = (q.fine.len() * (q.coarse.len() - 1)) as f64;
        assert!(covered >= fine_needed, "{covered} < {fine_needed}");
        assert!(q.fine.len() <= MAX_BUCKETS_PER_LEVEL && q.coarse.len() <= MAX_BUCKETS_PER_LEVEL);
        // Too many fine buckets for both levels: they widen, and still cover the horizon.
        let q: EventQueue<u32> = EventQueue::with_hint(1e9, 10, 3650.0);
        let covered = q.bucket_width() * (q.fine.len() * (q.coarse.len() - 1)) as f64;
        assert!(covered >= 3650.0 * (1.0 - 1e-12), "{covered}");
    }

    /// Interleaved pushes (never before `now`) and pops against a reference sort by
    /// (time, push order), dropping events after `horizon`.
    fn check_order(
        ops: Vec<(f64, bool)>,
        mut q: EventQueue<u32>,
        horizon: f64,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut reference: Vec<(f64, u64, u32)> = Vec::new();
        let mut seq = 0u64;
        let mut popped = Vec::new();
        let mut expected = Vec::new();
        for (i, (dt, pop)) in ops.into_iter().enumerate() {
            if pop {
                if let Some(s) = q.pop() {
                    popped.push((s.time, s.event));
                }
                if !reference.is_empty() {
                    reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                    let (t, _, id) = reference.remove(0);
                    expected.push((t, id));
                }
            } else {
                // Round to create many exact ties.
                let t = q.now() + (dt * 4.0).round() / 4.0;
                q.push(t, i as u32);
                if t <= horizon {
                    reference.push((t, seq, i as u32));
                }
                seq += 1;
            }
            prop_assert_eq!(q.len(), reference.len());
        }
        popped.extend(drain(&mut q));
        reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        expected.extend(reference.into_iter().map(|(t, _, id)| (t, id)));
        prop_assert_eq!(popped, expected);
        Ok(())
    }

    proptest! {
        /// Any widths and numbers of buckets, with the overflow heap in use.
        #[test]
        fn matches_reference_order(
            ops in proptest::collection::vec((0.0f64..200.0, any::<bool>()), 1..400),
            width in 0.01f64..20.0,
            per_coarse in 1usize..16,
            coarse in 1usize..8,
        ) {
            check_order(ops, EventQueue::new(width, per_coarse, coarse), f64::INFINITY)?;
        }

        /// Queues sized from a hint, with a horizon.
        #[test]
        fn matches_reference_order_within_a_horizon(
            ops in proptest::collection::vec((0.0f64..200.0, any::<bool>()), 1..400),
            rate in 0.01f64..100.0,
            horizon in 1.0f64..2000.0,
        ) {
            check_order(ops, EventQueue::with_hint(rate, 50, horizon), horizon)?;
        }
    }
}
