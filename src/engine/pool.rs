//! Capacity pools (beds, places, caseload slots) with a FIFO waiting line, and time integrals.

use std::collections::VecDeque;

use super::time::Days;

/// The integral over time of a piecewise-constant level (occupancy, people waiting).
///
/// Updated only when the level changes, never per day: the area between two changes is
/// `level × elapsed`. Time before [`reset`](Self::reset) is not counted, which is how a
/// warm-up period is excluded from statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TimeIntegral {
    level: f64,
    last: Days,
    area: f64,
    peak: f64,
}

impl TimeIntegral {
    /// Current level.
    #[inline]
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Change the level at time `now` (days), accumulating the area since the last change.
    #[inline]
    pub fn set(&mut self, now: Days, level: f64) {
        debug_assert!(
            now >= self.last,
            "time went backwards: {now} < {}",
            self.last
        );
        self.area += self.level * (now - self.last);
        self.last = now;
        self.level = level;
        if level > self.peak {
            self.peak = level;
        }
    }

    /// Add `delta` to the level at time `now`.
    #[inline]
    pub fn add(&mut self, now: Days, delta: f64) {
        self.set(now, self.level + delta);
    }

    /// Forget the area and peak before `now`, keeping the level (end of warm-up).
    pub fn reset(&mut self, now: Days) {
        self.area = 0.0;
        self.last = now;
        self.peak = self.level;
    }

    /// Area from the last reset up to `now` (level × days, e.g. bed-days).
    #[inline]
    pub fn area_until(&self, now: Days) -> f64 {
        self.area + self.level * (now - self.last)
    }

    /// Highest level since the last reset.
    pub fn peak(&self) -> f64 {
        self.peak
    }
}

/// A [`TimeIntegral`] that also keeps its area discounted continuously at a rate δ per
/// day: `∫ level(t) e^{−δt} dt`, exactly, since over each interval of constant level the
/// weight integrates to `e^{−δt₀}(1 − e^{−δ(t₁−t₀)})/δ`. At rate 0 it is the plain
/// integral, and its discounted area is the plain area.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DiscountedIntegral {
    plain: TimeIntegral,
    /// The discount rate δ per day (0: not discounted, and nothing below is kept).
    rate: f64,
    /// `1 / δ` (a multiplication per change instead of a division).
    inverse_rate: f64,
    /// `e^{−δ · last}`, kept by multiplication from one change to the next.
    weight: f64,
    /// `∫ level(t) e^{−δt} dt` since the last reset, with t in days from time 0.
    discounted: f64,
}

impl DiscountedIntegral {
    /// At level 0 from time 0, discounted at `rate` per day (0: not discounted).
    pub fn new(rate: f64) -> Self {
        DiscountedIntegral {
            rate,
            inverse_rate: if rate == 0.0 { 0.0 } else { 1.0 / rate },
            weight: 1.0,
            ..DiscountedIntegral::default()
        }
    }

    /// Current level.
    #[inline]
    pub fn level(&self) -> f64 {
        self.plain.level
    }

    /// Change the level at time `now` (days), accumulating both areas since the last
    /// change.
    #[inline]
    pub fn set(&mut self, now: Days, level: f64) {
        // Nothing accrues between changes at the same moment (a cohort placed at time 0, a
        // bed freed and taken again).
        if self.rate != 0.0 && now != self.plain.last {
            let decay = exp_m1(-self.rate * (now - self.plain.last));
            self.discounted -= self.plain.level * self.weight * decay * self.inverse_rate;
            self.weight += self.weight * decay;
        }
        self.plain.set(now, level);
    }

    /// Add `delta` to the level at time `now`.
    #[inline]
    pub fn add(&mut self, now: Days, delta: f64) {
        self.set(now, self.plain.level + delta);
    }

    /// Add `delta` to the level at time `now`, whose weight `e^{−δ now}` the caller has
    /// from a [`DiscountClock`] (shared by every integral that changes at that moment).
    #[inline]
    pub fn add_at(&mut self, now: Days, weight: f64, delta: f64) {
        if self.rate != 0.0 {
            // ∫ e^{−δt} dt over [last, now] = (e^{−δ last} − e^{−δ now}) / δ.
            self.discounted += self.plain.level * (self.weight - weight) * self.inverse_rate;
            self.weight = weight;
        }
        self.plain.set(now, self.plain.level + delta);
    }

    /// Forget both areas and the peak before `now`, keeping the level (end of warm-up).
    pub fn reset(&mut self, now: Days) {
        self.set(now, self.plain.level);
        self.plain.reset(now);
        self.discounted = 0.0;
    }

    /// Area from the last reset up to `now` (level × days).
    #[inline]
    pub fn area_until(&self, now: Days) -> f64 {
        self.plain.area_until(now)
    }

    /// `∫ level(t) e^{−δt} dt` from the last reset up to `now`, t in days from time 0 (the
    /// caller rebases it to its own origin); the plain area when not discounted.
    pub fn discounted_until(&self, now: Days) -> f64 {
        if self.rate == 0.0 {
            return self.area_until(now);
        }
        let decay = exp_m1(-self.rate * (now - self.plain.last));
        self.discounted - self.plain.level * self.weight * decay / self.rate
    }

    /// Highest level since the last reset.
    pub fn peak(&self) -> f64 {
        self.plain.peak
    }
}

/// The discount weight `e^{−δt}` (t in days from time 0) of the moment being simulated,
/// computed once per moment and shared by every [`DiscountedIntegral`] that changes then
/// (through [`DiscountedIntegral::add_at`]): from the weight of the start of the day by a
/// short series, so that no exponential is taken per event.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DiscountClock {
    rate: f64,
    day_start: Days,
    day_weight: f64,
    time: Days,
    weight: f64,
}

impl DiscountClock {
    /// A clock at time 0 for a rate `rate` per day (0: every weight is 1).
    pub fn new(rate: f64) -> Self {
        DiscountClock {
            rate,
            day_start: 0.0,
            day_weight: 1.0,
            time: 0.0,
            weight: 1.0,
        }
    }

    /// A new day starts at `now`.
    pub fn start_day(&mut self, now: Days) {
        self.day_start = now;
        self.day_weight = (-self.rate * now).exp();
    }

    /// `e^{−δ now}`.
    #[inline]
    pub fn weight(&mut self, now: Days) -> f64 {
        if self.rate == 0.0 {
            return 1.0;
        }
        if now != self.time {
            self.time = now;
            let since_day_start = now - self.day_start;
            self.weight = if (0.0..=5.0).contains(&since_day_start) {
                self.day_weight * (1.0 + exp_m1(-self.rate * since_day_start))
            } else {
                (-self.rate * now).exp()
            };
        }
        self.weight
    }
}

/// `e^x − 1` for `x ≤ 0`: by its Taylor series for the small `|x|` of the intervals between
/// events — three terms for `|x| < 10⁻⁵` (most changes of a busy integral; the fourth term
/// is below 10⁻¹⁶ of the result), five for `|x| < 10⁻³` (the sixth below 10⁻¹⁸) — else by
/// the library. Measured (callgrind, reference_chronic_flow): the library's `expm1` on every
/// change of a discounted integral cost 5% of the event loop.
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    if x > -1e-5 {
        x * (1.0 + x * (0.5 + x * (1.0 / 6.0)))
    } else if x > -1e-3 {
        x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x / 120.0))))
    } else {
        x.exp_m1()
    }
}

/// A pool of identical units (acute beds, community places) with a FIFO line of waiters.
///
/// The pool only counts: who holds a unit is the model's business. `W` is what waits in
/// the line (a patient id). Occupancy is kept as a [`DiscountedIntegral`].
///
/// Capacity may be lowered below the number of units in use; the pool then admits nobody
/// until enough units have been released (a cut never evicts).
#[derive(Clone, Debug)]
pub struct Pool<W> {
    capacity: u32,
    in_use: u32,
    line: VecDeque<W>,
    occupancy: DiscountedIntegral,
    /// Units in use above which the pool counts as highly occupied.
    high_level: u32,
    /// Time integral of "in use > high level" (days highly occupied).
    high: TimeIntegral,
    /// Time integral of "every unit in use" (days full).
    full: TimeIntegral,
    /// Units in use above capacity after a cut, still to be released.
    excess: u32,
    /// Time integral of capacity (unit-days provided, used or not).
    provided: DiscountedIntegral,
    /// Discount rate per day of the occupancy and capacity integrals (0: none).
    discount: f64,
}

impl<W> Pool<W> {
    /// An empty pool of `capacity` units whose line has room for `line_capacity` waiters
    /// before it first allocates.
    pub fn new(capacity: u32, line_capacity: usize) -> Self {
        Pool {
            capacity,
            in_use: 0,
            line: VecDeque::with_capacity(line_capacity),
            occupancy: DiscountedIntegral::default(),
            high_level: Self::high_level_for(capacity),
            high: TimeIntegral::default(),
            full: TimeIntegral::default(),
            excess: 0,
            provided: DiscountedIntegral {
                plain: TimeIntegral {
                    level: f64::from(capacity),
                    ..TimeIntegral::default()
                },
                ..DiscountedIntegral::default()
            },
            discount: 0.0,
        }
    }

    /// Discount the occupancy and capacity integrals at `rate` per day from the next
    /// [`clear`](Self::clear) on.
    pub fn discount(&mut self, rate: f64) {
        self.discount = rate;
    }

    /// Share of capacity above which a pool counts as highly occupied (the NHS's 85% bed
    /// occupancy warning level).
    pub const HIGH_OCCUPANCY: f64 = 0.85;

    fn high_level_for(capacity: u32) -> u32 {
        (f64::from(capacity) * Self::HIGH_OCCUPANCY).floor() as u32
    }

    /// Record the new number in use at `now` in every integral.
    #[inline]
    fn changed(&mut self, now: Days) {
        self.occupancy.set(now, f64::from(self.in_use));
        self.high
            .set(now, f64::from(u8::from(self.in_use > self.high_level)));
        self.full
            .set(now, f64::from(u8::from(self.in_use >= self.capacity)));
    }

    /// Units the pool may have in use.
    #[inline]
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// Units in use now.
    #[inline]
    pub fn in_use(&self) -> u32 {
        self.in_use
    }

    /// True unless the pool holds more units than its capacity allows. Only a capacity cut
    /// can put it above capacity, and then only by the units in use at the cut, which drain
    /// as they are released.
    pub fn within_capacity(&self) -> bool {
        self.in_use <= self.capacity + self.excess
    }

    /// True when a unit can be taken now.
    #[inline]
    pub fn has_free(&self) -> bool {
        self.in_use < self.capacity
    }

    /// Take a unit at `now` if one is free. Returns whether it was taken.
    #[inline]
    pub fn try_seize(&mut self, now: Days) -> bool {
        if self.has_free() {
            self.in_use += 1;
            self.changed(now);
            true
        } else {
            false
        }
    }

    /// Give back a unit at `now`.
    ///
    /// The caller then offers the freed unit to the head of the line (see
    /// [`next_waiter`](Self::next_waiter)): keeping that step in the model lets it do the
    /// patient-side bookkeeping in the same handler, so a release always precedes the seize
    /// it enables at the same instant.
    #[inline]
    pub fn release(&mut self, now: Days) {
        debug_assert!(self.in_use > 0, "release from an empty pool");
        self.in_use -= 1;
        self.excess = self.excess.saturating_sub(1);
        self.changed(now);
    }

    /// Change capacity at `now`. Units in use above the new capacity are not taken away.
    pub fn set_capacity(&mut self, now: Days, capacity: u32) {
        self.capacity = capacity;
        self.excess = self.in_use.saturating_sub(capacity);
        self.high_level = Self::high_level_for(capacity);
        self.provided.set(now, f64::from(capacity));
        self.changed(now);
    }

    /// Join the back of the line.
    #[inline]
    pub fn enqueue(&mut self, waiter: W) {
        self.line.push_back(waiter);
    }

    /// If a unit is free and someone waits, seize the unit for the head of the line at `now`
    /// and return them.
    #[inline]
    pub fn next_waiter(&mut self, now: Days) -> Option<W> {
        if self.has_free() && !self.line.is_empty() {
            let w = self.line.pop_front();
            self.in_use += 1;
            self.changed(now);
            w
        } else {
            None
        }
    }

    /// Take `waiter` out of the line wherever it is (it gave up waiting). Returns whether
    /// it was there. `O(line length)`: for rare departures, not the usual flow.
    pub fn remove_waiter(&mut self, waiter: &W) -> bool
    where
        W: PartialEq,
    {
        match self.line.iter().position(|w| w == waiter) {
            Some(i) => {
                self.line.remove(i);
                true
            }
            None => false,
        }
    }

    /// Number waiting in the line.
    #[inline]
    pub fn waiting(&self) -> usize {
        self.line.len()
    }

    /// Time integral of units in use (unit-days) and its peak.
    #[inline]
    pub fn occupancy(&self) -> &DiscountedIntegral {
        &self.occupancy
    }

    /// Time integral of being highly occupied (more than 85% of capacity in use): the
    /// area is days.
    pub fn high_occupancy(&self) -> &TimeIntegral {
        &self.high
    }

    /// Time integral of being full (every unit in use): the area is days.
    pub fn full(&self) -> &TimeIntegral {
        &self.full
    }

    /// Time integral of capacity: the unit-days provided, occupied or not.
    pub fn provided(&self) -> &DiscountedIntegral {
        &self.provided
    }

    /// Start counting occupancy afresh at `now` (end of warm-up).
    pub fn reset_stats(&mut self, now: Days) {
        self.provided.reset(now);
        self.occupancy.reset(now);
        self.high.reset(now);
        self.full.reset(now);
    }

    /// Empty the pool and its line, keeping allocations (between replications).
    pub fn clear(&mut self, capacity: u32) {
        self.capacity = capacity;
        self.high_level = Self::high_level_for(capacity);
        self.in_use = 0;
        self.excess = 0;
        self.line.clear();
        self.occupancy = DiscountedIntegral::new(self.discount);
        self.high = TimeIntegral::default();
        self.full = TimeIntegral::default();
        self.provided = DiscountedIntegral::new(self.discount);
        self.provided.set(0.0, f64::from(capacity));
        self.changed(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_series_for_exp_m1_agrees_with_the_library() {
        for i in 0..=2000 {
            let x = -f64::from(i) * 1e-6;
            let tiny = -f64::from(i) * 1e-9;
            assert!((exp_m1(tiny) - tiny.exp_m1()).abs() <= 4.0 * f64::EPSILON * tiny.abs());
            let (ours, library) = (exp_m1(x), x.exp_m1());
            assert!(
                (ours - library).abs() <= 4.0 * f64::EPSILON * library.abs(),
                "{x}: {ours} vs {library}"
            );
        }
    }
    use proptest::prelude::*;

    #[test]
    fn seizes_until_full_then_refuses() {
        let mut p: Pool<u32> = Pool::new(2, 0);
        assert!(p.try_seize(0.0));
        assert!(p.try_seize(0.0));
        assert!(!p.try_seize(1.0));
        assert_eq!(p.in_use(), 2);
    }

    #[test]
    fn line_is_fifo_and_served_on_release() {
        let mut p: Pool<u32> = Pool::new(1, 4);
        assert!(p.try_seize(0.0));
        p.enqueue(7);
        p.enqueue(8);
        assert_eq!(p.next_waiter(1.0), None, "no free unit yet");
        p.release(2.0);
        assert_eq!(p.next_waiter(2.0), Some(7));
        assert_eq!(p.waiting(), 1);
        assert_eq!(p.in_use(), 1);
    }

    #[test]
    fn occupancy_integrates_unit_days() {
        let mut p: Pool<u32> = Pool::new(3, 0);
        p.try_seize(1.0); // 1 unit from day 1
        p.try_seize(3.0); // 2 units from day 3
        p.release(4.0); // 1 unit from day 4
        // 1×2 + 2×1 + 1×6 = 10 unit-days by day 10
        assert!((p.occupancy().area_until(10.0) - 10.0).abs() < 1e-12);
        assert_eq!(p.occupancy().peak(), 2.0);
    }

    #[test]
    fn counts_days_full_and_highly_occupied() {
        // 20 units: highly occupied above 17 in use, full at 20.
        let mut p: Pool<u32> = Pool::new(20, 0);
        for _ in 0..17 {
            p.try_seize(0.0);
        }
        p.try_seize(2.0); // 18 in use from day 2: high
        p.try_seize(3.0);
        p.try_seize(3.0); // 20 from day 3: full
        p.release(7.0); // 19 from day 7
        p.release(9.0); // 18
        p.release(10.0); // 17 from day 10: not high
        assert_eq!(p.high_occupancy().area_until(12.0), 8.0);
        assert_eq!(p.full().area_until(12.0), 4.0);
    }

    #[test]
    fn reset_excludes_warmup() {
        let mut t = TimeIntegral::default();
        t.set(0.0, 5.0);
        t.reset(10.0);
        assert_eq!(t.area_until(12.0), 10.0);
    }

    #[test]
    fn capacity_cut_never_evicts() {
        let mut p: Pool<u32> = Pool::new(3, 0);
        for _ in 0..3 {
            p.try_seize(0.0);
        }
        p.set_capacity(0.5, 1);
        assert_eq!(p.in_use(), 3, "nobody is evicted");
        assert!(p.within_capacity());
        p.release(1.0);
        assert!(!p.try_seize(1.0), "still above the new capacity");
        p.release(2.0);
        p.release(3.0);
        assert!(p.try_seize(3.0));
        assert!(!p.try_seize(3.0));
    }

    proptest! {
        /// Any sequence of seizes, releases and line operations keeps 0 ≤ in_use ≤ capacity
        /// and serves the line in arrival order.
        #[test]
        fn never_above_capacity(cap in 0u32..6, ops in proptest::collection::vec(0u8..3, 0..200)) {
            let mut p: Pool<u32> = Pool::new(cap, 0);
            let mut next_id = 0u32;
            let mut served = Vec::new();
            for (i, op) in ops.into_iter().enumerate() {
                let now = i as f64;
                match op {
                    0 if !p.try_seize(now) => {
                        p.enqueue(next_id);
                        next_id += 1;
                    }
                    1 if p.in_use() > 0 => {
                        p.release(now);
                        if let Some(w) = p.next_waiter(now) {
                            served.push(w);
                        }
                    }
                    _ => {}
                }
                prop_assert!(p.in_use() <= p.capacity());
                prop_assert!(p.within_capacity());
            }
            prop_assert!(served.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
