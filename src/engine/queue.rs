//! The future-event list: a calendar queue with FIFO order for equal times.
//!
//! # Why a calendar queue
//!
//! A binary heap of all pending events costs `O(log n)` cache-missing comparisons per
//! operation; with one pending event per patient that is a 3 MB heap at 100,000 patients and
//! a 32 MB heap at 1,000,000, and the throughput falls as the heap leaves the caches (issue 2
//! quotes ~10M events/s at 100k patients falling to ~4M/s at 1M). A calendar queue (Brown,
//! CACM 1988) splits time into buckets of fixed width: a push appends to the bucket of its
//! time (`O(1)`, no comparison), and only the bucket being drained is ordered, in a small heap
//! that stays in L1/L2 cache. `benches/engine.rs` measures both on the reference model.
//!
//! # Layout
//!
//! * a ring of `n` buckets (`n` a power of two) covers the *window* `[cur, cur + n)` of
//!   bucket numbers, where bucket number `k` holds times in `[k·w, (k+1)·w)`;
//! * the *current* bucket is a binary heap keyed by `(time, seq)`;
//! * events beyond the window wait in an *overflow* heap and move into the ring as the
//!   window advances (each event moves at most once).
//!
//! Bucket vectors are swapped with the drained heap's allocation instead of being freed, so
//! after warm-up the queue performs no allocation at all.
//!
//! # Ordering
//!
//! Events are popped by increasing time; events with equal time come out in the order they
//! were pushed (a sequence number breaks ties, like SimPy's `eid` or nexosim's epoch). Times
//! must be finite and non-negative, and an event may not be scheduled before the time of the
//! last popped event (the simulation never schedules into the past).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::time::Days;

/// One scheduled event: its time, its FIFO sequence number and the model's payload.
#[derive(Clone, Copy, Debug)]
pub struct Scheduled<E> {
    /// When the event fires, in days.
    pub time: Days,
    /// Insertion counter: equal times fire in push order.
    pub seq: u64,
    /// What happens (the model's event type).
    pub event: E,
}

/// Heap entry ordered so that `BinaryHeap` (a max-heap) pops the *earliest* `(time, seq)`.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    /// `time.to_bits()`: for finite non-negative floats the bit pattern orders like the value,
    /// and an integer comparison is cheaper than `f64::total_cmp`.
    time_bits: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline]
    fn key(&self) -> (u64, u64) {
        (self.time_bits, self.seq)
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the smallest key is the heap's maximum.
        other.key().cmp(&self.key())
    }
}

/// Largest ring [`EventQueue::with_hint`] builds, in buckets: 4,096 bucket tails (64 bytes
/// each) and headers (24 bytes) stay within a 512 KB L2 cache.
pub const RING_BUCKETS: usize = 1 << 12;

/// A monotone priority queue of events keyed by time, FIFO among equal times.
///
/// | operation | cost |
/// |---|---|
/// | [`push`](Self::push) | `O(1)` into a future bucket; `O(log k)` into the current bucket of `k` events; `O(log m)` into an overflow of `m` far-future events |
/// | [`pop`](Self::pop) | `O(log k)` amortised, plus `O(k)` to heapify each bucket once |
/// | [`clear`](Self::clear) | `O(n)` buckets, keeping every allocation for reuse |
#[derive(Debug)]
pub struct EventQueue<E> {
    /// Bucket width, days.
    width: Days,
    /// `1 / width`, so that bucketing is a multiplication.
    inv_width: f64,
    /// `buckets.len() - 1`; the ring length is a power of two.
    mask: u64,
    buckets: Vec<Vec<Entry<E>>>,
    /// Events in the ring outside the current bucket.
    in_ring: usize,
    /// Bucket number of the current bucket.
    cur: u64,
    /// The current bucket, sorted by descending `(time, seq)`: the next event is last.
    current: Vec<Entry<E>>,
    /// Events at or beyond bucket `cur + buckets.len()`.
    overflow: BinaryHeap<Entry<E>>,
    next_seq: u64,
    /// Time of the last popped event (events may not be scheduled before it).
    now: Days,
}

impl<E: Copy> EventQueue<E> {
    /// A queue tuned for about `events_per_day` events firing per simulated day while about
    /// `pending` events wait in it (one per patient, typically).
    ///
    /// The ring spans twice the mean time an event waits in the queue (`pending /
    /// events_per_day`), which keeps ~86% of exponentially-spaced events out of the overflow
    /// heap while bounding memory to about two entries per pending event. Buckets hold ~128
    /// events when drained, unless that would need more than [`RING_BUCKETS`] buckets; then
    /// buckets widen instead, because a ring whose bucket tails no longer fit in the L2 cache
    /// makes every push a cache miss. Both numbers were tuned on `benches/engine.rs` (the
    /// reference model at 100,000 and 1,000,000 patients). Non-positive or non-finite hints
    /// fall back to one bucket per day.
    pub fn with_hint(events_per_day: f64, pending: usize) -> Self {
        const EVENTS_PER_BUCKET: f64 = 128.0;
        if !(events_per_day.is_finite() && events_per_day > 0.0) {
            return Self::new(1.0, 512, pending);
        }
        let span = 2.0 * pending.max(1) as f64 / events_per_day;
        let mut width = (EVENTS_PER_BUCKET / events_per_day).clamp(1e-6, 365.0);
        // Clamped before rounding up: a tiny event rate makes the span astronomical, and
        // `next_power_of_two` of a saturated `usize` overflows.
        let buckets = (span / width).ceil().clamp(16.0, 2.0 * RING_BUCKETS as f64);
        let mut n = (buckets as usize).next_power_of_two();
        if n > RING_BUCKETS {
            n = RING_BUCKETS;
            width = (span / n as f64).clamp(1e-6, 365.0);
        }
        Self::new(width, n, pending)
    }

    /// A queue with buckets `width` days wide in a ring of `buckets` (rounded up to a power of
    /// two), with room for `capacity` pending events in the overflow heap.
    ///
    /// # Panics
    /// If `width` is not finite and positive.
    pub fn new(width: Days, buckets: usize, capacity: usize) -> Self {
        assert!(
            width.is_finite() && width > 0.0,
            "bucket width must be positive"
        );
        let n = buckets.max(1).next_power_of_two();
        EventQueue {
            width,
            inv_width: 1.0 / width,
            mask: (n - 1) as u64,
            buckets: (0..n).map(|_| Vec::new()).collect(),
            in_ring: 0,
            cur: 0,
            current: Vec::new(),
            overflow: BinaryHeap::with_capacity(capacity / 8),
            next_seq: 0,
            now: 0.0,
        }
    }

    /// Bucket width in days.
    pub fn bucket_width(&self) -> Days {
        self.width
    }

    /// Number of pending events.
    #[inline]
    pub fn len(&self) -> usize {
        self.current.len() + self.in_ring + self.overflow.len()
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

    /// Schedule `event` at `time` (days). Equal times fire in push order.
    ///
    /// `time` must be finite and not before [`now`](Self::now) (checked in debug builds).
    #[inline]
    pub fn push(&mut self, time: Days, event: E) {
        debug_assert!(
            time.is_finite() && time >= self.now,
            "event scheduled at {time} before now {}",
            self.now
        );
        let entry = Entry {
            time_bits: time.to_bits(),
            seq: self.next_seq,
            event,
        };
        self.next_seq += 1;
        let bucket = self.bucket_of(time);
        if bucket <= self.cur {
            self.insert_current(entry);
        } else if bucket - self.cur <= self.mask {
            self.buckets[(bucket & self.mask) as usize].push(entry);
            self.in_ring += 1;
        } else {
            self.overflow.push(entry);
        }
    }

    /// Remove and return the earliest event, or `None` when the queue is empty.
    #[inline]
    pub fn pop(&mut self) -> Option<Scheduled<E>> {
        if self.current.is_empty() && !self.advance() {
            return None;
        }
        let e = self.current.pop()?;
        let time = f64::from_bits(e.time_bits);
        self.now = time;
        Some(Scheduled {
            time,
            seq: e.seq,
            event: e.event,
        })
    }

    /// Time of the earliest pending event, without removing it.
    pub fn peek_time(&mut self) -> Option<Days> {
        if self.current.is_empty() && !self.advance() {
            return None;
        }
        self.current.last().map(|e| f64::from_bits(e.time_bits))
    }

    /// Move to the next non-empty bucket and make it current. Returns false if the queue is
    /// empty. Called only when the current bucket is empty.
    #[cold]
    fn advance(&mut self) -> bool {
        loop {
            if self.in_ring == 0 {
                // Nothing in the ring: jump straight to the overflow's earliest bucket.
                match self.overflow.peek() {
                    None => return false,
                    Some(e) => {
                        let b = self.bucket_of(f64::from_bits(e.time_bits));
                        self.cur = b.max(self.cur.saturating_add(1));
                    }
                }
            } else {
                self.cur = self.cur.saturating_add(1);
            }
            // The window now ends at cur + n - 1: pull in overflow events that fit. (Times
            // beyond 2⁶⁴ buckets saturate to the last bucket number: no overflow.)
            let end = self.cur.saturating_add(self.mask);
            while let Some(e) = self.overflow.peek() {
                let b = self.bucket_of(f64::from_bits(e.time_bits));
                if b > end {
                    break;
                }
                let e = self.overflow.pop().expect("peeked");
                if b <= self.cur {
                    self.insert_current(e);
                } else {
                    self.buckets[(b & self.mask) as usize].push(e);
                    self.in_ring += 1;
                }
            }
            let slot = (self.cur & self.mask) as usize;
            if !self.buckets[slot].is_empty() {
                self.in_ring -= self.buckets[slot].len();
                if self.current.is_empty() {
                    // Swap allocations: the drained vector becomes the slot's: no allocation.
                    std::mem::swap(&mut self.current, &mut self.buckets[slot]);
                } else {
                    // Overflow events for this very bucket were pulled in above: merge.
                    let bucket = &mut self.buckets[slot];
                    self.current.extend_from_slice(bucket);
                    bucket.clear();
                }
                // Descending, so that the earliest event is popped from the end in O(1).
                self.current.sort_unstable_by_key(|e| Reverse(e.key()));
            }
            if !self.current.is_empty() {
                return true;
            }
        }
    }

    /// Insert into the sorted current bucket, after every entry with a smaller key.
    #[inline]
    fn insert_current(&mut self, entry: Entry<E>) {
        let key = entry.key();
        // Descending order: skip entries with larger keys (they fire later).
        let at = self.current.partition_point(|e| e.key() > key);
        self.current.insert(at, entry);
    }

    /// Remove every pending event and reset the clock to 0, keeping all allocations.
    pub fn clear(&mut self) {
        for b in &mut self.buckets {
            b.clear();
        }
        self.current.clear();
        self.overflow.clear();
        self.in_ring = 0;
        self.cur = 0;
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
        let mut q = EventQueue::with_hint(10.0, 100);
        q.push(3.0, 1);
        q.push(30.0, 2);
        assert_eq!(q.pop().unwrap().event, 1);
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.now(), 0.0);
        q.push(0.5, 3);
        assert_eq!(q.pop().unwrap().time, 0.5);
    }

    proptest! {
        /// Interleaved pushes (never before `now`) and pops give the same sequence as a
        /// reference sort by (time, push order).
        #[test]
        fn matches_reference_order(
            ops in proptest::collection::vec((0.0f64..200.0, any::<bool>()), 1..400),
            width in 0.01f64..20.0,
            ring in 1usize..64,
        ) {
            let mut q = EventQueue::new(width, ring, 0);
            let mut reference: Vec<(f64, u64, u32)> = Vec::new();
            let mut seq = 0u64;
            let mut popped = Vec::new();
            let mut expected = Vec::new();
            for (i, (dt, pop)) in ops.into_iter().enumerate() {
                if pop {
                    if let Some(s) = q.pop() { popped.push((s.time, s.event)); }
                    if !reference.is_empty() {
                        reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                        let (t, _, id) = reference.remove(0);
                        expected.push((t, id));
                    }
                } else {
                    // Round to create many exact ties.
                    let t = q.now() + (dt * 4.0).round() / 4.0;
                    q.push(t, i as u32);
                    reference.push((t, seq, i as u32));
                    seq += 1;
                }
            }
            popped.extend(drain(&mut q));
            reference.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            expected.extend(reference.into_iter().map(|(t, _, id)| (t, id)));
            prop_assert_eq!(popped, expected);
        }
    }
}
