//! Cost-effectiveness of alternatives against a base arm run with common random numbers.
//!
//! Everything here is a pure function of the per-replication paired increments of one
//! alternative over the base: `ΔQ_r = Q_alt,r − Q_base,r` (discounted QALYs) and
//! `ΔC_r = C_alt,r − C_base,r` (discounted cost, £), `r = 1..n`, in replication order.
//!
//! - The ICER is computed from the means, `ICER = mean(ΔC) / mean(ΔQ)` (£ per QALY), and only
//!   reported for a trade-off (see [`Quadrant`]): a ratio of a dominant or dominated
//!   alternative (negative, or with ΔQ = 0) does not rank alternatives.
//! - The incremental net monetary benefit at a threshold λ (£ per QALY) is, per replication,
//!   `NMB_r(λ) = λ ΔQ_r − ΔC_r` (£); its mean and 95% CI are those of paired differences
//!   (Student's t over the replications, as [`super::paired`]).
//! - The cost-effectiveness acceptability curve (CEAC) is `P(λ) = P(NMB_r(λ) > 0)` over a
//!   grid of λ, with an exact tie (`NMB_r = 0`) counted as half (see
//!   [`probability_cost_effective`]).
//! - With several arms `j` (the base `j = 0`, with increments 0), the probability that arm
//!   `j` has the highest net benefit `NB_j,r(λ) = λ ΔQ_j,r − ΔC_j,r`, and the expected value of
//!   perfect information `EVPI(λ) = E_r[max_j NB_j,r] − max_j E_r[NB_j,r]` (£ for the
//!   population simulated over the observed period). Net benefits relative to the base give
//!   the same EVPI as absolute ones: the base's own net benefit is added to every arm in a
//!   replication and cancels.

use super::summary::{Summary, Welford};

/// The upper end of the default threshold grid of the CEAC, £ per QALY.
pub const GRID_MAX: f64 = 100_000.0;
/// The step of the default threshold grid, £ per QALY.
pub const GRID_STEP: f64 = 1_000.0;

/// The paired increments of one alternative over the base, one value per replication in
/// replication order (the same length).
#[derive(Clone, Copy, Debug)]
pub struct Increments<'a> {
    /// ΔQ_r, discounted QALYs.
    pub qalys: &'a [f64],
    /// ΔC_r, discounted cost, £.
    pub cost: &'a [f64],
}

impl Increments<'_> {
    /// The replications paired (the shorter of the two, should they differ).
    fn len(&self) -> usize {
        self.qalys.len().min(self.cost.len())
    }

    /// `NMB_r(λ) = λ ΔQ_r − ΔC_r`, £, for each replication.
    fn nmb(&self, lambda: f64) -> impl Iterator<Item = f64> + '_ {
        self.qalys
            .iter()
            .zip(self.cost)
            .map(move |(q, c)| lambda * q - c)
    }
}

/// Where an alternative's mean increments fall on the cost-effectiveness plane (ΔQ across,
/// ΔC up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quadrant {
    /// ΔQ > 0 and ΔC > 0 (north-east): more QALYs for more cost; the ICER is the price of a
    /// QALY gained.
    MoreForMore,
    /// ΔQ < 0 and ΔC < 0 (south-west): cheaper but fewer QALYs; the ICER is the saving per
    /// QALY forgone (cost-effective when it exceeds the threshold).
    LessForLess,
    /// ΔQ ≥ 0 and ΔC ≤ 0, not both 0: at least as many QALYs for no more cost.
    Dominant,
    /// ΔQ ≤ 0 and ΔC ≥ 0, not both 0: no more QALYs for at least as much cost.
    Dominated,
    /// ΔQ = 0 and ΔC = 0: no difference.
    NoDifference,
}

impl Quadrant {
    /// The quadrant of mean increments `delta_qalys` (QALYs) and `delta_cost` (£). A NaN
    /// increment (a metric missing) is no difference on that axis.
    pub fn of(delta_qalys: f64, delta_cost: f64) -> Self {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let sign = |x: f64| x.partial_cmp(&0.0).unwrap_or(Equal);
        match (sign(delta_qalys), sign(delta_cost)) {
            (Greater, Greater) => Quadrant::MoreForMore,
            (Less, Less) => Quadrant::LessForLess,
            (Equal, Equal) => Quadrant::NoDifference,
            (Greater | Equal, Less | Equal) => Quadrant::Dominant,
            (Less | Equal, Greater | Equal) => Quadrant::Dominated,
        }
    }

    /// How the report and `cost_effectiveness.csv` name it.
    pub fn label(self) -> &'static str {
        match self {
            Quadrant::MoreForMore => "trade-off: more QALYs for more cost",
            Quadrant::LessForLess => "cheaper but fewer QALYs",
            Quadrant::Dominant => "dominant",
            Quadrant::Dominated => "dominated",
            Quadrant::NoDifference => "no difference",
        }
    }

    /// Whether it is a trade-off (north-east or south-west), where the ICER is reported.
    pub fn is_trade_off(self) -> bool {
        matches!(self, Quadrant::MoreForMore | Quadrant::LessForLess)
    }
}

/// The incremental cost-effectiveness ratio of mean increments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Icer {
    /// The quadrant of the mean increments.
    pub quadrant: Quadrant,
    /// `mean(ΔC) / mean(ΔQ)`, £ per QALY, for a trade-off only (`None` otherwise: for a
    /// dominant, dominated or identical alternative a ratio says nothing the quadrant does
    /// not, and with ΔQ = 0 it is undefined).
    pub ratio: Option<f64>,
}

/// The ICER of mean increments `delta_qalys` (QALYs) and `delta_cost` (£): the ratio of the
/// means, not the mean of per-replication ratios (which is unstable when ΔQ_r is near 0).
pub fn icer(delta_qalys: f64, delta_cost: f64) -> Icer {
    let quadrant = Quadrant::of(delta_qalys, delta_cost);
    Icer {
        quadrant,
        // A trade-off has ΔQ ≠ 0, so the ratio is finite.
        ratio: quadrant.is_trade_off().then(|| delta_cost / delta_qalys),
    }
}

/// Mean and 95% CI of the paired incremental net monetary benefit at threshold `lambda`
/// (£ per QALY): the summary of `NMB_r = λ ΔQ_r − ΔC_r` (£) over the replications.
///
/// With ΔQ_r = 0 in every replication (an alternative that changes no outcome under common
/// random numbers) `NMB_r = −ΔC_r` exactly, so the mean is exactly `−mean(ΔC)`.
pub fn paired_nmb(lambda: f64, inc: Increments) -> Summary {
    let mut w = Welford::default();
    for x in inc.nmb(lambda) {
        w.push(x);
    }
    w.summary()
}

/// The probability that the alternative is cost-effective at threshold `lambda` (£ per
/// QALY): the share of replications with `NMB_r(λ) > 0`, an exact tie `NMB_r = 0` counting
/// as half. Counting ties as half makes an alternative identical to the base (ΔQ_r = ΔC_r = 0)
/// a coin toss rather than certainly not cost-effective, puts the step of a deterministic
/// CEAC exactly at 0.5 at the ICER, and agrees with [`probability_best`] for two arms. NaN
/// with no replications.
pub fn probability_cost_effective(lambda: f64, inc: Increments) -> f64 {
    let n = inc.len();
    if n == 0 {
        return f64::NAN;
    }
    let score: f64 = inc
        .nmb(lambda)
        .map(|x| {
            if x > 0.0 {
                1.0
            } else if x == 0.0 {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    score / n as f64
}

/// The CEAC of one alternative: [`probability_cost_effective`] at each threshold of `grid`
/// (£ per QALY). It rises with λ in every replication with ΔQ_r > 0 and falls in every one
/// with ΔQ_r < 0, so it is monotone when the increments of QALYs share one sign.
pub fn ceac(grid: &[f64], inc: Increments) -> Vec<f64> {
    grid.iter()
        .map(|&l| probability_cost_effective(l, inc))
        .collect()
}

/// The default grid of thresholds, £ per QALY: 0 to [`GRID_MAX`] in steps of
/// [`GRID_STEP`], with `threshold` (the scenario's) inserted in order when it is not on it.
/// A threshold that is not finite or is negative is left out.
pub fn threshold_grid(threshold: f64) -> Vec<f64> {
    let steps = (GRID_MAX / GRID_STEP).round() as usize;
    let mut grid: Vec<f64> = (0..=steps).map(|i| i as f64 * GRID_STEP).collect();
    if threshold.is_finite() && threshold >= 0.0 && !grid.contains(&threshold) {
        let at = grid.partition_point(|&g| g < threshold);
        grid.insert(at, threshold);
    }
    grid
}

/// Net benefit of each arm relative to the base in replication `r` at `lambda`: the base's
/// 0 first, then each alternative's `λ ΔQ_j,r − ΔC_j,r`.
fn net_benefits<'a>(
    lambda: f64,
    arms: &'a [Increments<'a>],
    r: usize,
) -> impl Iterator<Item = f64> + 'a {
    std::iter::once(0.0).chain(arms.iter().map(move |a| lambda * a.qalys[r] - a.cost[r]))
}

/// The replications every arm has.
fn common_len(arms: &[Increments]) -> usize {
    arms.iter().map(Increments::len).min().unwrap_or(0)
}

/// The probability that each arm has the highest net benefit at threshold `lambda` (£ per
/// QALY): the base first (its increments are 0), then the alternatives of `arms` in order.
/// A tie for the highest is shared equally among the tied arms, so the probabilities sum
/// to 1. NaN for every arm with no replications.
pub fn probability_best(lambda: f64, arms: &[Increments]) -> Vec<f64> {
    let n = common_len(arms);
    let mut wins = vec![0.0; arms.len() + 1];
    if n == 0 {
        return vec![f64::NAN; wins.len()];
    }
    for r in 0..n {
        let best = net_benefits(lambda, arms, r).fold(f64::NEG_INFINITY, f64::max);
        let tied = net_benefits(lambda, arms, r).filter(|&x| x == best).count();
        for (w, x) in wins.iter_mut().zip(net_benefits(lambda, arms, r)) {
            if x == best {
                *w += 1.0 / tied as f64;
            }
        }
    }
    wins.iter().map(|w| w / n as f64).collect()
}

/// The expected value of perfect information at threshold `lambda` (£ per QALY), £ for the
/// population simulated: `EVPI = E_r[max_j NB_j,r] − max_j E_r[NB_j,r]`, the base included
/// (its net benefit 0), the expectations being means over the replications.
///
/// It is ≥ 0 (the mean of the maxima is at least the maximum of the means), and exactly 0
/// when one arm has the highest net benefit in every replication: both terms are then sums
/// of the same numbers in the same order. Rounding can leave a difference of a few ulps below
/// 0, which is reported as 0. NaN with no replications.
///
/// With stochastic replications each replication's net benefits also carry the model's
/// Monte Carlo noise, not just the parameters' uncertainty, so this overstates the value of
/// learning the parameters (by less the more patients are simulated).
pub fn evpi(lambda: f64, arms: &[Increments]) -> f64 {
    let n = common_len(arms);
    if n == 0 {
        return f64::NAN;
    }
    let mut sum_max = 0.0;
    let mut sums = vec![0.0; arms.len() + 1];
    for r in 0..n {
        let mut best = f64::NEG_INFINITY;
        for (s, x) in sums.iter_mut().zip(net_benefits(lambda, arms, r)) {
            *s += x;
            best = best.max(x);
        }
        sum_max += best;
    }
    let n = n as f64;
    let best_mean = sums.iter().map(|s| s / n).fold(f64::NEG_INFINITY, f64::max);
    (sum_max / n - best_mean).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc<'a>(qalys: &'a [f64], cost: &'a [f64]) -> Increments<'a> {
        Increments { qalys, cost }
    }

    #[test]
    fn quadrants_are_named_with_care_for_zero() {
        assert_eq!(Quadrant::of(1.0, 5.0), Quadrant::MoreForMore);
        assert_eq!(Quadrant::of(-1.0, -5.0), Quadrant::LessForLess);
        assert_eq!(Quadrant::of(1.0, -5.0), Quadrant::Dominant);
        assert_eq!(Quadrant::of(-1.0, 5.0), Quadrant::Dominated);
        // On an axis: ΔQ = 0 with a saving dominates, with a cost is dominated; no ratio.
        assert_eq!(Quadrant::of(0.0, -5.0), Quadrant::Dominant);
        assert_eq!(Quadrant::of(0.0, 5.0), Quadrant::Dominated);
        assert_eq!(Quadrant::of(2.0, 0.0), Quadrant::Dominant);
        assert_eq!(Quadrant::of(-2.0, 0.0), Quadrant::Dominated);
        assert_eq!(Quadrant::of(0.0, 0.0), Quadrant::NoDifference);
        assert_eq!(Quadrant::of(-0.0, 0.0), Quadrant::NoDifference);
        assert_eq!(Quadrant::of(f64::NAN, f64::NAN), Quadrant::NoDifference);
        assert_eq!(
            Quadrant::MoreForMore.label(),
            "trade-off: more QALYs for more cost"
        );
        assert_eq!(Quadrant::LessForLess.label(), "cheaper but fewer QALYs");
        assert_eq!(Quadrant::Dominant.label(), "dominant");
        assert_eq!(Quadrant::Dominated.label(), "dominated");
    }

    #[test]
    fn the_icer_is_the_ratio_of_means_for_trade_offs_only() {
        let i = icer(2.0, 30_000.0);
        assert_eq!(i.quadrant, Quadrant::MoreForMore);
        assert_eq!(i.ratio, Some(15_000.0));
        assert_eq!(icer(-2.0, -50_000.0).ratio, Some(25_000.0));
        assert_eq!(icer(2.0, -1.0).ratio, None);
        assert_eq!(icer(-2.0, 1.0).ratio, None);
        assert_eq!(icer(0.0, 1.0).ratio, None);
        assert_eq!(icer(0.0, 0.0).ratio, None);
    }

    #[test]
    fn a_deterministic_ceac_is_monotone_and_crosses_one_half_at_the_icer() {
        // ΔQ = 2 and ΔC = £30,000 in every replication: ICER £15,000 per QALY.
        let (q, c) = ([2.0; 5], [30_000.0; 5]);
        let grid = threshold_grid(20_000.0);
        let p = ceac(&grid, inc(&q, &c));
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
        let icer = icer(2.0, 30_000.0).ratio.unwrap();
        for (l, p) in grid.iter().zip(&p) {
            let want = if *l < icer {
                0.0
            } else if *l > icer {
                1.0
            } else {
                0.5
            };
            assert_eq!(*p, want, "at £{l}");
        }
        // The first threshold at which it reaches 0.5 is the ICER.
        let crossing = grid.iter().zip(&p).find(|(_, p)| **p >= 0.5).unwrap().0;
        assert_eq!(*crossing, icer);
    }

    #[test]
    fn a_ceac_with_symmetric_cost_noise_crosses_one_half_at_the_icer() {
        // ΔQ = 1 everywhere, ΔC = £10,000 ± symmetric noise: the median NMB is 0 at λ = ICER.
        let q = [1.0; 6];
        let c = [7_000.0, 9_000.0, 9_500.0, 10_500.0, 11_000.0, 13_000.0];
        let icer = icer(1.0, c.iter().sum::<f64>() / 6.0).ratio.unwrap();
        assert_eq!(icer, 10_000.0);
        let grid = threshold_grid(icer);
        let p = ceac(&grid, inc(&q, &c));
        assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
        let at = |l: f64| p[grid.iter().position(|g| *g == l).unwrap()];
        assert_eq!(at(icer), 0.5);
        assert!(at(9_000.0) < 0.5 && at(11_000.0) > 0.5);
    }

    #[test]
    fn the_grid_holds_the_threshold_in_order() {
        let g = threshold_grid(20_000.0);
        assert_eq!(g.len(), 101);
        assert_eq!((g[0], g[100]), (0.0, 100_000.0));
        let g = threshold_grid(25_500.0);
        assert_eq!(g.len(), 102);
        assert!(g.windows(2).all(|w| w[0] < w[1]));
        assert!(g.contains(&25_500.0));
        assert_eq!(threshold_grid(f64::NAN).len(), 101);
    }

    #[test]
    fn a_zero_effect_alternative_has_nmb_exactly_minus_its_cost() {
        let q = [0.0; 4];
        let c = [120.5, -33.25, 7.0, 1e6 / 3.0];
        let nmb = paired_nmb(20_000.0, inc(&q, &c));
        let mut w = Welford::default();
        for x in c {
            w.push(x);
        }
        let cost = w.summary();
        assert_eq!(nmb.mean, -cost.mean);
        assert_eq!(nmb.ci95_low, cost.ci95_high.map(|h| -h));
        assert_eq!(nmb.ci95_half_width, cost.ci95_half_width);
    }

    #[test]
    fn the_nmb_ci_is_that_of_paired_differences() {
        let q = [0.1, 0.2, 0.3];
        let c = [1_000.0, 3_000.0, 2_000.0];
        let s = paired_nmb(10_000.0, inc(&q, &c));
        // NMB_r = 0, −1,000, 1,000.
        assert!(s.mean.abs() < 1e-9);
        let t = super::super::summary::t_975(2);
        assert!((s.ci95_half_width.unwrap() - t * 1_000.0 / 3f64.sqrt()).abs() < 1e-6);
    }

    #[test]
    fn evpi_is_zero_when_one_arm_is_always_best() {
        // The alternative beats the base in every replication, a second one never does.
        let (q1, c1) = ([0.5, 0.7, 0.2, 0.9], [100.0, 50.0, 300.0, 10.0]);
        let (q2, c2) = ([0.1, 0.0, -0.1, 0.2], [900.0, 800.0, 700.0, 1_000.0]);
        let arms = [inc(&q1, &c1), inc(&q2, &c2)];
        assert_eq!(evpi(20_000.0, &arms), 0.0);
        assert_eq!(probability_best(20_000.0, &arms), vec![0.0, 1.0, 0.0]);
    }

    #[test]
    fn evpi_is_positive_when_the_best_arm_changes() {
        // At λ = 1: NB of the alternative is +1 or −1 by replication; the base 0.
        let (q, c) = ([2.0, 0.0], [1.0, 1.0]);
        let arms = [inc(&q, &c)];
        // E[max] = (1 + 0) / 2 = 0.5; max of means = max(0, 0) = 0.
        assert_eq!(evpi(1.0, &arms), 0.5);
        assert_eq!(probability_best(1.0, &arms), vec![0.5, 0.5]);
        // Non-negative everywhere on the grid, for a noisy three-arm case.
        let (q2, c2) = ([1.0, -0.5], [30_000.0, -9_000.0]);
        let arms = [inc(&q, &c), inc(&q2, &c2)];
        for l in threshold_grid(20_000.0) {
            assert!(evpi(l, &arms) >= 0.0);
            let p = probability_best(l, &arms);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn two_arms_agree_with_the_pairwise_probability() {
        let q = [0.2, -0.1, 0.0, 0.4, 0.0];
        let c = [1_000.0, -4_000.0, 0.0, 9_000.0, 500.0];
        for l in threshold_grid(20_000.0) {
            let pair = probability_cost_effective(l, inc(&q, &c));
            let best = probability_best(l, &[inc(&q, &c)]);
            assert_eq!(pair, best[1], "at £{l}");
        }
    }

    #[test]
    fn no_replications_give_nan_not_a_panic() {
        let empty = inc(&[], &[]);
        assert!(probability_cost_effective(1.0, empty).is_nan());
        assert!(evpi(1.0, &[empty]).is_nan());
        assert!(probability_best(1.0, &[empty]).iter().all(|p| p.is_nan()));
        assert_eq!(paired_nmb(1.0, empty).n, 0);
    }
}
