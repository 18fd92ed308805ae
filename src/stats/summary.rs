//! Welford's online mean and variance, and 95% confidence intervals by Student's t.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Running count, mean and sum of squared deviations (Welford 1962), mergeable
/// (Chan et al. 1979) so that partial results can be combined deterministically.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
    min: f64,
    max: f64,
}

impl Welford {
    /// Add one observation.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        if self.n == 1 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Combine with another accumulator, as if all its observations had been pushed here.
    pub fn merge(&mut self, other: &Welford) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        self.mean += d * other.n as f64 / n as f64;
        self.m2 += other.m2 + d * d * self.n as f64 * other.n as f64 / n as f64;
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Observations.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Sample standard deviation (n − 1 denominator); `None` below two observations.
    pub fn sd(&self) -> Option<f64> {
        (self.n >= 2).then(|| (self.m2 / (self.n - 1) as f64).sqrt())
    }

    /// The summary of what was pushed.
    pub fn summary(&self) -> Summary {
        let sd = self.sd();
        let half = sd.map(|sd| t_975(self.n - 1) * sd / (self.n as f64).sqrt());
        Summary {
            n: self.n,
            mean: self.mean,
            sd,
            ci95_low: half.map(|h| self.mean - h),
            ci95_high: half.map(|h| self.mean + h),
            ci95_half_width: half,
            min: self.min,
            max: self.max,
        }
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (df ≥ 1).
pub fn t_975(df: u64) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df ≥ 1 is a valid t distribution")
        .inverse_cdf(0.975)
}

/// Mean, spread and 95% confidence interval of one metric across replications.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Replications.
    pub n: u64,
    /// Mean across replications.
    pub mean: f64,
    /// Sample standard deviation; absent with one replication.
    pub sd: Option<f64>,
    /// Lower end of the 95% CI of the mean (Student's t, n − 1 df).
    pub ci95_low: Option<f64>,
    /// Upper end of the 95% CI of the mean.
    pub ci95_high: Option<f64>,
    /// Half-width of the 95% CI.
    pub ci95_half_width: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// The `q` quantile (0 ≤ q ≤ 1) of `sorted` (ascending, non-empty), interpolating linearly
/// between order statistics (Hyndman & Fan type 7, R's default).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Summarise each column of `rows` (rows are replications, columns metrics), in row order.
pub fn summarize(rows: &[Vec<f64>], columns: usize) -> Vec<Summary> {
    let mut acc = vec![Welford::default(); columns];
    for row in rows {
        for (a, &x) in acc.iter_mut().zip(row) {
            a.push(x);
        }
    }
    acc.iter().map(Welford::summary).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t_975(1) - 12.706).abs() < 1e-3);
        assert!((t_975(9) - 2.262).abs() < 1e-3);
        assert!((t_975(99) - 1.984).abs() < 1e-3);
    }

    #[test]
    fn ci_of_known_sample() {
        let rows: Vec<Vec<f64>> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|&x| vec![x])
            .collect();
        let s = summarize(&rows, 1)[0];
        assert_eq!(s.mean, 5.0);
        let sd = (32.0f64 / 7.0).sqrt();
        assert!((s.sd.unwrap() - sd).abs() < 1e-12);
        let h = 2.364_624 * sd / 8f64.sqrt();
        assert!((s.ci95_half_width.unwrap() - h).abs() < 1e-5);
        assert_eq!((s.min, s.max), (2.0, 9.0));
    }

    #[test]
    fn quantiles_interpolate() {
        let xs = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert_eq!(quantile(&xs, 0.975), 4.9);
        assert_eq!(quantile(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn single_value_has_no_sd() {
        let s = summarize(&[vec![3.0]], 1)[0];
        assert_eq!(s.sd, None);
        assert_eq!(s.ci95_low, None);
    }

    proptest! {
        #[test]
        fn merge_equals_two_pass(xs in proptest::collection::vec(-1e6f64..1e6, 2..100), split in 0usize..100) {
            let split = split.min(xs.len());
            let (mut a, mut b) = (Welford::default(), Welford::default());
            xs[..split].iter().for_each(|&x| a.push(x));
            xs[split..].iter().for_each(|&x| b.push(x));
            a.merge(&b);
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            prop_assert!((a.mean() - mean).abs() <= 1e-9 * (1.0 + mean.abs()));
            prop_assert!((a.sd().unwrap() - var.sqrt()).abs() <= 1e-6 * (1.0 + var.sqrt()));
            prop_assert_eq!(a.count(), xs.len() as u64);
        }
    }
}
