//! Paired differences between two arms run with common random numbers.
//!
//! Replication `r` of every arm uses the same random streams, so arm-to-arm noise largely
//! cancels in `alternative_r − base_r`. The 95% CI of the mean difference is taken over
//! those paired differences (Student's t, n − 1 df); the unpaired (Welch) half-width that
//! independent runs of the same size would give is reported beside it, to show what pairing
//! bought.
//!
//! The 95% CI of the relative change `mean(alternative) / mean(base) − 1` is Fieller's
//! interval for the ratio of the two paired means (see [`Difference::relative_ci95`]):
//! dividing the difference's CI by the base mean would treat the base mean as known, and
//! gives intervals below −100% for quantities that cannot be negative.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::summary::{Summary, Welford, t_975};

/// One metric of one alternative against the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Metric name.
    pub metric: String,
    /// The base arm's summary.
    pub base: Summary,
    /// The alternative's summary.
    pub alternative: Summary,
    /// Summary of `alternative − base` per replication (its mean and 95% CI).
    pub difference: Summary,
    /// Mean difference / base mean (`None` when the base mean is 0).
    pub relative_change: Option<f64>,
    /// The 95% CI of the relative change: Fieller's interval for the ratio of the paired
    /// means θ = mean(alternative) / mean(base), minus 1.
    ///
    /// Fieller's interval is the set of θ for which `ā − θ b̄` is not significantly different
    /// from 0 (Student's t, n − 1 df, with the variance of `ā − θ b̄` from the paired
    /// variances and covariance). Unlike the difference's CI divided by the base mean, it
    /// accounts for the uncertainty of the base mean, and when every value of both arms is
    /// ≥ 0 (a quantity that cannot be negative) it is cut at θ = 0, so it never goes below
    /// −100%. It always contains `relative_change`.
    ///
    /// `None` with fewer than two replications, when the base mean is 0, and when the
    /// interval is unbounded: the base mean is not significantly different from 0, so the
    /// data are consistent with arbitrarily large ratios. Then `relative_change` is `Some`
    /// and `difference.ci95_half_width` is `Some` (see [`Difference::relative_ci95_unbounded`]).
    pub relative_ci95: Option<(f64, f64)>,
    /// Half-width of the 95% CI of the difference had the arms been run independently
    /// (Welch), for comparison with `difference.ci95_half_width`.
    pub unpaired_ci95_half_width: Option<f64>,
}

impl Difference {
    /// Whether the relative change has a point estimate but its 95% CI is unbounded (the
    /// base mean is not significantly different from 0), as opposed to absent for want of
    /// replications.
    pub fn relative_ci95_unbounded(&self) -> bool {
        self.relative_change.is_some()
            && self.relative_ci95.is_none()
            && self.difference.ci95_half_width.is_some()
    }
}

/// Paired differences of every metric: the base's metrics in order, then any only the
/// alternative has. A metric missing from an arm (a community service it does not have)
/// counts as 0 there. Rows are replications, in the same order in both arms.
///
/// # Panics
/// If the arms have different numbers of rows (they are run with the same replications).
pub fn paired_differences(
    base_names: &[String],
    base_rows: &[Vec<f64>],
    alt_names: &[String],
    alt_rows: &[Vec<f64>],
) -> Vec<Difference> {
    assert_eq!(
        base_rows.len(),
        alt_rows.len(),
        "paired arms need the same replications"
    );
    let mut names: Vec<&String> = base_names.iter().collect();
    names.extend(alt_names.iter().filter(|n| !base_names.contains(n)));
    names
        .into_iter()
        .map(|name| {
            let bi = base_names.iter().position(|n| n == name);
            let ai = alt_names.iter().position(|n| n == name);
            let value = |row: &Vec<f64>, i: Option<usize>| i.map_or(0.0, |i| row[i]);
            let (mut b, mut a, mut d) =
                (Welford::default(), Welford::default(), Welford::default());
            let mut pair = Pairs::default();
            for (br, ar) in base_rows.iter().zip(alt_rows) {
                let (x, y) = (value(br, bi), value(ar, ai));
                b.push(x);
                a.push(y);
                d.push(y - x);
                pair.push(y, x);
            }
            let (base, alternative, difference) = (b.summary(), a.summary(), d.summary());
            let relative_change = (base.mean != 0.0).then(|| difference.mean / base.mean);
            let nonnegative = base.min >= 0.0 && alternative.min >= 0.0;
            let relative_ci95 = relative_change.and_then(|r| {
                let (lo, hi) = pair.fieller_ratio_ci95(nonnegative)?;
                // Fieller's interval contains ā / b̄ exactly; keep the reported point estimate
                // inside it despite rounding (and, cut at −100%, inside that cut).
                let lo = (lo - 1.0).min(r);
                let lo = if nonnegative { lo.max(-1.0) } else { lo };
                Some((lo, (hi - 1.0).max(r)))
            });
            Difference {
                metric: name.clone(),
                relative_change,
                relative_ci95,
                unpaired_ci95_half_width: welch_half_width(&base, &alternative),
                base,
                alternative,
                difference,
            }
        })
        .collect()
}

/// Paired differences by year: for each observed year both arms have, the
/// [`paired_differences`] of the arms' values in that year. `base_years[r][y]` is
/// replication `r`'s values in year `y + 1`, one per name of `base_names` (likewise for the
/// alternative). Years only one arm observed (a longer horizon) are left out: a year
/// against nothing is no difference.
///
/// Empty when the arms have different numbers of replications or a replication's years
/// are not all of its names' width (results that cannot be paired year by year).
pub fn paired_differences_by_year(
    base_names: &[String],
    base_years: &[Vec<Vec<f64>>],
    alt_names: &[String],
    alt_years: &[Vec<Vec<f64>>],
) -> Vec<Vec<Difference>> {
    let complete = |names: &[String], reps: &[Vec<Vec<f64>>]| {
        reps.iter()
            .all(|r| r.iter().all(|year| year.len() == names.len()))
    };
    if base_years.len() != alt_years.len()
        || base_years.is_empty()
        || !complete(base_names, base_years)
        || !complete(alt_names, alt_years)
    {
        return Vec::new();
    }
    let years = base_years
        .iter()
        .chain(alt_years)
        .map(Vec::len)
        .min()
        .unwrap_or(0);
    (0..years)
        .map(|y| {
            let rows = |reps: &[Vec<Vec<f64>>]| -> Vec<Vec<f64>> {
                reps.iter().map(|r| r[y].clone()).collect()
            };
            paired_differences(base_names, &rows(base_years), alt_names, &rows(alt_years))
        })
        .collect()
}

/// Running means, sums of squared deviations and co-moment of pairs `(a, b)`, updated in
/// one pass (the bivariate form of Welford's update), for the variances and covariance
/// Fieller's interval needs without storing the values.
#[derive(Clone, Copy, Debug, Default)]
struct Pairs {
    n: u64,
    mean_a: f64,
    mean_b: f64,
    /// Σ (a − ā)².
    m2_a: f64,
    /// Σ (b − b̄)².
    m2_b: f64,
    /// Σ (a − ā)(b − b̄).
    c_ab: f64,
}

impl Pairs {
    /// Add one pair.
    fn push(&mut self, a: f64, b: f64) {
        self.n += 1;
        let n = self.n as f64;
        let (da, db) = (a - self.mean_a, b - self.mean_b);
        self.mean_a += da / n;
        self.mean_b += db / n;
        // The old deviation of one times the new deviation of the other: exact sums of
        // (co)products of deviations from the running means (Welford 1962; Pébay 2008).
        self.m2_a += da * (a - self.mean_a);
        self.m2_b += db * (b - self.mean_b);
        self.c_ab += da * (b - self.mean_b);
    }

    /// Fieller's 95% CI for θ = ā / b̄, or `None` if it is unbounded or n < 2.
    ///
    /// With `v_xy` = sample (co)variance / n and t the 0.975 quantile of Student's t with
    /// n − 1 df, the interval is the set of θ with
    /// `(ā − θ b̄)² ≤ t² (v_aa − 2θ v_ab + θ² v_bb)`, i.e. `A θ² − 2 B θ + C ≤ 0` with
    /// `A = b̄² − t² v_bb`, `B = ā b̄ − t² v_ab`, `C = ā² − t² v_aa`: if `A > 0` (b̄ is
    /// significantly different from 0) it is `[(B − √(B² − AC)) / A, (B + √(B² − AC)) / A]`,
    /// otherwise the whole line or two half-lines, unbounded. With `nonnegative` (every value
    /// ≥ 0, so θ ≥ 0) it is cut at 0.
    fn fieller_ratio_ci95(&self, nonnegative: bool) -> Option<(f64, f64)> {
        if self.n < 2 {
            return None;
        }
        let (n, df) = (self.n as f64, (self.n - 1) as f64);
        let (v_aa, v_bb, v_ab) = (self.m2_a / df / n, self.m2_b / df / n, self.c_ab / df / n);
        let t2 = t_975(self.n - 1).powi(2);
        let (a, b) = (self.mean_a, self.mean_b);
        let big_a = b * b - t2 * v_bb;
        if big_a <= 0.0 || !big_a.is_finite() {
            return None;
        }
        let big_b = a * b - t2 * v_ab;
        // B² − AC multiplied out, so that the ā²b̄² terms cancel exactly rather than in
        // rounding (with no variance it is exactly 0 and the interval is the point ā / b̄).
        // It is ≥ 0 whenever A > 0: the quadratic is ≤ 0 at θ = ā / b̄.
        let disc = t2
            * ((b * b * v_aa - 2.0 * a * b * v_ab + a * a * v_bb)
                - t2 * (v_aa * v_bb - v_ab * v_ab));
        let root = disc.max(0.0).sqrt();
        let (lo, hi) = ((big_b - root) / big_a, (big_b + root) / big_a);
        Some(if nonnegative {
            (lo.max(0.0), hi.max(0.0))
        } else {
            (lo, hi)
        })
    }
}

/// Half-width of the Welch 95% CI of a difference of two independent means.
fn welch_half_width(a: &Summary, b: &Summary) -> Option<f64> {
    let (sa, sb) = (a.sd?, b.sd?);
    let (va, vb) = (sa * sa / a.n as f64, sb * sb / b.n as f64);
    let se = (va + vb).sqrt();
    if se == 0.0 {
        return Some(0.0);
    }
    let df = (va + vb).powi(2) / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0));
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    Some(t * se)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn identical_arms_differ_by_exactly_zero() {
        let rows = vec![vec![1.0, 5.0], vec![2.0, 7.0], vec![4.0, 6.0]];
        let d = paired_differences(&names(&["a", "b"]), &rows, &names(&["a", "b"]), &rows);
        for m in &d {
            assert_eq!(m.difference.mean, 0.0);
            assert_eq!(m.difference.ci95_half_width, Some(0.0));
            assert_eq!(m.relative_change, Some(0.0));
        }
    }

    #[test]
    fn pairing_removes_shared_noise() {
        // alt = base + 1 exactly: the paired CI is zero wide, the unpaired one is not.
        let base: Vec<Vec<f64>> = [3.0, 9.0, 1.0, 7.0].iter().map(|&x| vec![x]).collect();
        let alt: Vec<Vec<f64>> = base.iter().map(|r| vec![r[0] + 1.0]).collect();
        let d = &paired_differences(&names(&["x"]), &base, &names(&["x"]), &alt)[0];
        assert_eq!(d.difference.mean, 1.0);
        assert_eq!(d.difference.ci95_half_width, Some(0.0));
        assert!(d.unpaired_ci95_half_width.unwrap() > 3.0);
        assert_eq!(d.relative_change, Some(0.2));
    }

    #[test]
    fn metrics_missing_from_one_arm_count_as_zero() {
        let base = vec![vec![1.0], vec![1.0]];
        let alt = vec![vec![1.0, 4.0], vec![1.0, 6.0]];
        let d = paired_differences(&names(&["a"]), &base, &names(&["a", "esd"]), &alt);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].metric, "esd");
        assert_eq!(d[1].difference.mean, 5.0);
        assert_eq!(d[1].relative_change, None);
    }

    fn column(v: &[f64]) -> Vec<Vec<f64>> {
        v.iter().map(|&x| vec![x]).collect()
    }

    fn one(base: &[f64], alt: &[f64]) -> Difference {
        let x = names(&["x"]);
        paired_differences(&x, &column(base), &x, &column(alt)).remove(0)
    }

    #[test]
    fn fieller_interval_matches_the_closed_form() {
        let (base, alt) = ([10.0, 12.0, 9.0, 14.0, 11.0], [8.0, 11.0, 7.0, 12.0, 8.0]);
        let d = one(&base, &alt);
        // The closed form from two-pass moments.
        let n = 5.0;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
        let (ma, mb) = (mean(&alt), mean(&base));
        let cov = |x: &[f64], mx: f64, y: &[f64], my: f64| {
            x.iter()
                .zip(y)
                .map(|(x, y)| (x - mx) * (y - my))
                .sum::<f64>()
                / (n - 1.0)
                / n
        };
        let (vaa, vbb, vab) = (
            cov(&alt, ma, &alt, ma),
            cov(&base, mb, &base, mb),
            cov(&alt, ma, &base, mb),
        );
        let t2 = t_975(4).powi(2);
        let (a, b, c) = (mb * mb - t2 * vbb, ma * mb - t2 * vab, ma * ma - t2 * vaa);
        let root = (b * b - a * c).sqrt();
        let (lo, hi) = d.relative_ci95.unwrap();
        assert!((lo - ((b - root) / a - 1.0)).abs() < 1e-12, "{lo}");
        assert!((hi - ((b + root) / a - 1.0)).abs() < 1e-12, "{hi}");
        // By hand (40-digit arithmetic): ā = 9.2, b̄ = 11.2, s_aa = 4.7, s_bb = 3.7,
        // s_ab = 3.95, t = 2.7764451051977944.
        assert!((lo - -0.286_445_724_051_823_5).abs() < 1e-9, "{lo}");
        assert!((hi - -0.094_150_058_629_292_8).abs() < 1e-9, "{hi}");
        assert!((d.relative_change.unwrap() - (9.2 / 11.2 - 1.0)).abs() < 1e-15);
        // Wider below and narrower above than the difference's CI / base mean
        // ([−25.70%, −10.02%]), which ignores the base mean's uncertainty.
        let (old_lo, old_hi) = (
            d.difference.ci95_low.unwrap() / 11.2,
            d.difference.ci95_high.unwrap() / 11.2,
        );
        assert!(lo < old_lo && hi > old_hi);
    }

    #[test]
    fn a_nonnegative_quantity_never_falls_below_minus_100_percent() {
        // The alternative removes it entirely: exactly −100%, not [−132%, −68%].
        let base = [0.3, 0.1, 0.25, 0.2, 0.15];
        let d = one(&base, &[0.0; 5]);
        assert_eq!(d.relative_change, Some(-1.0));
        assert_eq!(d.relative_ci95, Some((-1.0, -1.0)));
        // Nearly removes it, noisily: the interval for θ would reach below 0; it is cut there.
        let d = one(&[5.0, 6.0, 5.0, 6.0], &[0.0, 0.0, 0.0, 1.0]);
        let (lo, hi) = d.relative_ci95.unwrap();
        assert_eq!(lo, -1.0);
        assert!(hi > d.relative_change.unwrap());
        // The same numbers shifted negative are not cut.
        let d = one(&[5.0, 6.0, 5.0, 6.0], &[0.0, 0.0, -0.5, 1.0]);
        assert!(d.relative_ci95.unwrap().0 < -1.0);
    }

    #[test]
    fn a_base_mean_indistinguishable_from_zero_gives_no_interval() {
        let d = one(&[1.0, -1.0, 2.0, -2.0, 0.5], &[2.0, 1.0, 3.0, 0.0, 1.5]);
        assert!((d.relative_change.unwrap() - 14.0).abs() < 1e-12);
        assert_eq!(d.relative_ci95, None);
        assert!(d.relative_ci95_unbounded());
        // Too few replications is not "unbounded".
        let d = one(&[1.0], &[2.0]);
        assert_eq!(d.relative_ci95, None);
        assert!(!d.relative_ci95_unbounded());
    }

    #[test]
    fn no_variance_collapses_to_the_point() {
        let d = one(&[4.0; 3], &[3.0; 3]);
        assert_eq!(d.relative_ci95, Some((-0.25, -0.25)));
    }

    #[test]
    fn fieller_interval_covers_the_true_ratio_95_percent_of_the_time() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, StandardNormal};
        // Correlated normal pairs: b ~ N(10, 2²), a ~ N(6, 1.5²), correlation 0.7; θ = 0.6.
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
        let (experiments, n, rho) = (2000, 20, 0.7_f64);
        let mut covered = 0;
        for _ in 0..experiments {
            let mut p = Pairs::default();
            for _ in 0..n {
                let z1: f64 = StandardNormal.sample(&mut rng);
                let z2: f64 = StandardNormal.sample(&mut rng);
                let b = 10.0 + 2.0 * z1;
                let a = 6.0 + 1.5 * (rho * z1 + (1.0 - rho * rho).sqrt() * z2);
                p.push(a, b);
            }
            let (lo, hi) = p.fieller_ratio_ci95(false).unwrap();
            if lo <= 0.6 && 0.6 <= hi {
                covered += 1;
            }
        }
        let coverage = f64::from(covered) / f64::from(experiments);
        assert!((0.93..=0.97).contains(&coverage), "coverage {coverage}");
    }

    /// Replication-major values by year: `reps[r][y]` is one value per metric.
    fn by_year(reps: &[&[&[f64]]]) -> Vec<Vec<Vec<f64>>> {
        reps.iter()
            .map(|r| r.iter().map(|y| y.to_vec()).collect())
            .collect()
    }

    #[test]
    fn differences_by_year_pair_each_year() {
        let n = names(&["cost", "beds"]);
        let base = by_year(&[&[&[10.0, 1.0], &[20.0, 2.0]], &[&[12.0, 1.0], &[22.0, 4.0]]]);
        let alt = by_year(&[&[&[9.0, 1.0], &[25.0, 2.0]], &[&[10.0, 2.0], &[26.0, 4.0]]]);
        let d = paired_differences_by_year(&n, &base, &n, &alt);
        assert_eq!(d.len(), 2);
        // Year 1 is exactly the paired differences of the year-1 values.
        let year1 = paired_differences(
            &n,
            &[vec![10.0, 1.0], vec![12.0, 1.0]],
            &n,
            &[vec![9.0, 1.0], vec![10.0, 2.0]],
        );
        assert_eq!(d[0], year1);
        assert_eq!(d[0][0].difference.mean, -1.5);
        assert_eq!(d[1][0].difference.mean, 4.5);
        assert_eq!(d[1][1].difference.mean, 0.0);
        assert_eq!(d[1][0].difference.n, 2);
    }

    #[test]
    fn differences_by_year_cover_the_years_both_arms_have() {
        let n = names(&["cost"]);
        let base = by_year(&[&[&[1.0]], &[&[2.0]]]);
        let alt = by_year(&[&[&[1.0], &[5.0]], &[&[3.0], &[6.0]]]);
        assert_eq!(paired_differences_by_year(&n, &base, &n, &alt).len(), 1);
        // Nothing to pair: no years, other replications, or a year of the wrong width.
        let none = by_year(&[&[], &[]]);
        assert!(paired_differences_by_year(&n, &none, &n, &alt).is_empty());
        assert!(paired_differences_by_year(&n, &base[..1], &n, &alt).is_empty());
        let wide = by_year(&[&[&[1.0, 2.0]], &[&[2.0, 3.0]]]);
        assert!(paired_differences_by_year(&n, &wide, &n, &alt).is_empty());
    }
}
