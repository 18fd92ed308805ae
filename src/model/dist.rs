//! Length-of-stay distributions, parameterised the way analysts report stays (mean and sd in
//! days) and converted once, at validation, to the parameters the samplers need.

use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Exp1, Gamma, StandardNormal};
use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use crate::engine::Days;

/// A distribution of durations in days (length of stay in a bed or service).
///
/// Serialises to the same tagged form a scenario uses (`{ dist = "lognormal", mean_days = 7,
/// sd_days = 7 }`), so the manifest records exactly what was simulated.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "dist", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Duration {
    /// Exponential with the given mean (memoryless; the M in M/M/c).
    Exponential {
        /// Mean, days.
        mean_days: Days,
    },
    /// Log-normal with the given mean and standard deviation of the duration itself.
    Lognormal {
        /// Mean, days.
        mean_days: Days,
        /// Standard deviation, days.
        sd_days: Days,
        /// Mean of the underlying normal: `ln(mean) - sigma²/2`.
        #[serde(skip)]
        mu: f64,
        /// Standard deviation of the underlying normal: `sqrt(ln(1 + sd²/mean²))`.
        #[serde(skip)]
        sigma: f64,
    },
    /// Gamma with the given mean and standard deviation (shape `mean²/sd²`).
    Gamma {
        /// Mean, days.
        mean_days: Days,
        /// Standard deviation, days.
        sd_days: Days,
        /// The sampler built from the mean and sd when the duration is validated.
        #[serde(skip)]
        sampler: GammaSampler,
    },
    /// Weibull with the given mean and standard deviation of the duration. Its shape `k`
    /// follows from the coefficient of variation: `k < 1` (sd > mean) is a falling hazard —
    /// most stays short, a long tail, as in permanent care-home placements — and `k > 1` a
    /// rising one.
    Weibull {
        /// Mean, days.
        mean_days: Days,
        /// Standard deviation, days.
        sd_days: Days,
        /// Shape `k`, solved from `sd / mean` when the duration is validated.
        #[serde(skip)]
        shape: f64,
        /// Scale `λ = mean / Γ(1 + 1/k)`, days.
        #[serde(skip)]
        scale: f64,
    },
    /// Always the same duration.
    Fixed {
        /// Duration, days.
        days: Days,
    },
    /// An empirical table: one of `values_days`, drawn with probability proportional to
    /// `weights` (equal weights when none are given).
    Empirical {
        /// The possible durations, days.
        values_days: Vec<Days>,
        /// Relative frequency of each value.
        weights: Vec<f64>,
        /// The draw table built from the values and weights when validated.
        #[serde(skip)]
        index: EmpiricalIndex,
    },
}

/// Wrapper so that `Duration` can derive `Debug`/`Clone` around rand_distr's sampler.
#[derive(Clone, Debug)]
pub struct GammaSampler(Gamma<f64>);

/// Wrapper around the weighted index of an empirical table.
#[derive(Clone, Debug)]
pub struct EmpiricalIndex(WeightedIndex<f64>);

/// `x` for a message: as Rust prints it, except very large or very small magnitudes in
/// scientific notation (`1e300`, not 301 digits).
pub fn show_number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !a.is_finite() || (1e-5..1e16).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// A count for a message: whole numbers below 10¹⁵ with thousands separators
/// (`1,000,000,000`), anything else as [`show_number`].
pub fn show_count(x: f64) -> String {
    if !(x.is_finite() && x.abs() < 1e15 && x.fract() == 0.0) {
        return show_number(x);
    }
    let digits = (x.abs() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0.0 { format!("-{out}") } else { out }
}

/// Longest duration a distribution may have as its mean, sd or value, days: 100 years (the
/// longest horizon a scenario may simulate). Keeps every sampled time finite.
pub const MAX_DURATION_DAYS: Days = 36_500.0;

/// Largest coefficient of variation (sd / mean) of a log-normal or gamma duration: beyond
/// it nearly every draw is 0 and a few are astronomically long.
pub const MAX_DURATION_CV: f64 = 100.0;

/// Smallest coefficient of variation of a gamma duration (gamma shape `1/cv²` at most
/// 10⁸): a smaller sd is a fixed duration, `{ dist = "fixed", days = ... }`.
pub const MIN_GAMMA_CV: f64 = 1e-4;

/// Smallest coefficient of variation of a Weibull duration (shape about 1,300): a smaller
/// sd is a fixed duration, `{ dist = "fixed", days = ... }`.
pub const MIN_WEIBULL_CV: f64 = 1e-3;

/// Weibull shape `k` whose coefficient of variation is `cv`: the root of
/// `Γ(1 + 2/k) / Γ(1 + 1/k)² − 1 = cv²`, which falls as `k` grows, by bisection on `ln k`
/// (to machine precision; `cv` within [[`MIN_WEIBULL_CV`], [`MAX_DURATION_CV`]] puts the
/// root inside the bracket).
fn weibull_shape(cv: f64) -> f64 {
    let cv2 = |k: f64| (ln_gamma(1.0 + 2.0 / k) - 2.0 * ln_gamma(1.0 + 1.0 / k)).exp_m1();
    let (mut lo, mut hi) = (0.01_f64.ln(), 1e5_f64.ln());
    for _ in 0..200 {
        let mid = f64::midpoint(lo, hi);
        if cv2(mid.exp()) > cv * cv {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    f64::midpoint(lo, hi).exp()
}

/// Why a duration could not be built. The scenario layer turns these into located messages.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// A mean, sd or fixed value that is not a finite number in range.
    #[error("{what} must be {rule}, got {}", show_number(*value))]
    OutOfRange {
        /// Which key (`mean_days`, `sd_days`, `days`).
        what: &'static str,
        /// The rule, e.g. "greater than 0".
        rule: String,
        /// The value given.
        value: f64,
    },
    /// An empirical table that cannot be sampled.
    #[error("{0}")]
    BadTable(String),
}

fn positive(what: &'static str, value: f64) -> Result<f64, DurationError> {
    if value.is_finite() && value > 0.0 && value <= MAX_DURATION_DAYS {
        Ok(value)
    } else if value > MAX_DURATION_DAYS {
        Err(too_long(what, value))
    } else {
        Err(DurationError::OutOfRange {
            what,
            rule: "a finite number greater than 0".into(),
            value,
        })
    }
}

fn non_negative(what: &'static str, value: f64) -> Result<f64, DurationError> {
    if value.is_finite() && (0.0..=MAX_DURATION_DAYS).contains(&value) {
        Ok(value)
    } else if value > MAX_DURATION_DAYS {
        Err(too_long(what, value))
    } else {
        Err(DurationError::OutOfRange {
            what,
            rule: "a finite number at least 0".into(),
            value,
        })
    }
}

fn too_long(what: &'static str, value: f64) -> DurationError {
    DurationError::OutOfRange {
        what,
        rule: format!("at most {MAX_DURATION_DAYS} days (100 years)"),
        value,
    }
}

/// `sd` within `[min_cv × mean, MAX_DURATION_CV × mean]`.
fn spread(mean: f64, sd: f64, min_cv: f64, why: &str) -> Result<f64, DurationError> {
    let cv = sd / mean;
    if (min_cv..=MAX_DURATION_CV).contains(&cv) {
        Ok(sd)
    } else {
        let low = if min_cv > 0.0 {
            format!("at least mean_days / {} ({})", 1.0 / min_cv, mean * min_cv)
        } else {
            "greater than 0".to_string()
        };
        Err(DurationError::OutOfRange {
            what: "sd_days",
            rule: format!(
                "{low} and at most {MAX_DURATION_CV} × mean_days ({}){why}",
                mean * MAX_DURATION_CV
            ),
            value: sd,
        })
    }
}

/// Most entries an empirical table may have.
pub const MAX_TABLE_ENTRIES: usize = 1_000_000;

impl Duration {
    /// Exponential with mean `mean_days` (> 0).
    ///
    /// # Errors
    /// If the mean is not finite and positive.
    pub fn exponential(mean_days: Days) -> Result<Self, DurationError> {
        Ok(Duration::Exponential {
            mean_days: positive("mean_days", mean_days)?,
        })
    }

    /// Log-normal with mean `mean_days` (> 0) and sd `sd_days` (> 0, at most
    /// [`MAX_DURATION_CV`] × the mean).
    ///
    /// # Errors
    /// If either is not finite and positive, longer than [`MAX_DURATION_DAYS`], or the sd
    /// is too large for the mean.
    pub fn lognormal(mean_days: Days, sd_days: Days) -> Result<Self, DurationError> {
        let mean = positive("mean_days", mean_days)?;
        let sd = spread(mean, positive("sd_days", sd_days)?, 0.0, "")?;
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        Ok(Duration::Lognormal {
            mean_days: mean,
            sd_days: sd,
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        })
    }

    /// Gamma with mean `mean_days` (> 0) and sd `sd_days` (between [`MIN_GAMMA_CV`] and
    /// [`MAX_DURATION_CV`] times the mean).
    ///
    /// # Errors
    /// If either is not finite and positive, longer than [`MAX_DURATION_DAYS`], or the sd
    /// is out of proportion with the mean (a gamma shape that cannot be sampled).
    pub fn gamma(mean_days: Days, sd_days: Days) -> Result<Self, DurationError> {
        let mean = positive("mean_days", mean_days)?;
        let sd = spread(
            mean,
            positive("sd_days", sd_days)?,
            MIN_GAMMA_CV,
            " (gamma shape (mean/sd)² in [1e-4, 1e8]; for a nearly constant stay use { dist = \"fixed\", days = ... })",
        )?;
        let shape = (mean / sd).powi(2);
        let scale = sd * sd / mean;
        let g = Gamma::new(shape, scale)
            .map_err(|e| DurationError::BadTable(format!("gamma parameters: {e}")))?;
        Ok(Duration::Gamma {
            mean_days: mean,
            sd_days: sd,
            sampler: GammaSampler(g),
        })
    }

    /// Weibull with mean `mean_days` (> 0) and sd `sd_days` (between [`MIN_WEIBULL_CV`] and
    /// [`MAX_DURATION_CV`] times the mean).
    ///
    /// # Errors
    /// If either is not finite and positive, longer than [`MAX_DURATION_DAYS`], or the sd
    /// is out of proportion with the mean.
    pub fn weibull(mean_days: Days, sd_days: Days) -> Result<Self, DurationError> {
        let mean = positive("mean_days", mean_days)?;
        let sd = spread(
            mean,
            positive("sd_days", sd_days)?,
            MIN_WEIBULL_CV,
            " (Weibull shape about 0.12 to 1,300; for a nearly constant stay use { dist = \"fixed\", days = ... })",
        )?;
        let shape = weibull_shape(sd / mean);
        let scale = mean / ln_gamma(1.0 + 1.0 / shape).exp();
        Ok(Duration::Weibull {
            mean_days: mean,
            sd_days: sd,
            shape,
            scale,
        })
    }

    /// Always `days` (≥ 0).
    ///
    /// # Errors
    /// If `days` is negative or not finite.
    pub fn fixed(days: Days) -> Result<Self, DurationError> {
        Ok(Duration::Fixed {
            days: non_negative("days", days)?,
        })
    }

    /// One of `values_days` (each ≥ 0) with probability proportional to `weights` (each ≥ 0,
    /// not all 0, as many as values); equal weights when `weights` is empty.
    ///
    /// # Errors
    /// If the table is empty, a value or weight is out of range, or the lengths differ.
    pub fn empirical(values_days: Vec<Days>, weights: Vec<f64>) -> Result<Self, DurationError> {
        if values_days.is_empty() {
            return Err(DurationError::BadTable(
                "values_days must list at least one duration".into(),
            ));
        }
        for &v in &values_days {
            non_negative("values_days", v)?;
        }
        let weights = if weights.is_empty() {
            vec![1.0; values_days.len()]
        } else {
            weights
        };
        if weights.len() != values_days.len() {
            return Err(DurationError::BadTable(format!(
                "weights must have one entry per value: {} values, {} weights",
                values_days.len(),
                weights.len()
            )));
        }
        if values_days.len() > MAX_TABLE_ENTRIES {
            return Err(DurationError::BadTable(format!(
                "values_days must list at most {MAX_TABLE_ENTRIES} durations, got {}",
                values_days.len()
            )));
        }
        for &w in &weights {
            if !(w.is_finite() && (0.0..=1e12).contains(&w)) {
                return Err(DurationError::OutOfRange {
                    what: "weights",
                    rule: "a finite number in [0, 1e12] (relative frequencies)".into(),
                    value: w,
                });
            }
        }
        let index = WeightedIndex::new(weights.iter().copied())
            .map_err(|_| DurationError::BadTable("weights must not all be 0".into()))?;
        Ok(Duration::Empirical {
            values_days,
            weights,
            index: EmpiricalIndex(index),
        })
    }

    /// The distribution's mean, days.
    pub fn mean_days(&self) -> Days {
        match self {
            Duration::Exponential { mean_days }
            | Duration::Lognormal { mean_days, .. }
            | Duration::Gamma { mean_days, .. }
            | Duration::Weibull { mean_days, .. } => *mean_days,
            Duration::Fixed { days } => *days,
            Duration::Empirical {
                values_days,
                weights,
                ..
            } => {
                let total: f64 = weights.iter().sum();
                values_days
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| v * w)
                    .sum::<f64>()
                    / total
            }
        }
    }

    /// Draw one duration, days.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Days {
        match self {
            Duration::Exponential { mean_days } => {
                let e: f64 = Exp1.sample(rng);
                e * mean_days
            }
            Duration::Lognormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Duration::Gamma { sampler, .. } => sampler.0.sample(rng),
            Duration::Weibull { shape, scale, .. } => {
                // Inverse transform: λ (−ln U)^(1/k), with −ln U an Exp(1) draw.
                let e: f64 = Exp1.sample(rng);
                scale * e.powf(shape.recip())
            }
            Duration::Fixed { days } => *days,
            Duration::Empirical {
                values_days, index, ..
            } => values_days[index.0.sample(rng)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn moments(d: &Duration, n: usize) -> (f64, f64) {
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt())
    }

    #[test]
    fn lognormal_matches_requested_mean_and_sd() {
        let (m, s) = moments(&Duration::lognormal(7.0, 7.0).unwrap(), 400_000);
        assert!((m - 7.0).abs() < 0.05, "mean {m}");
        assert!((s - 7.0).abs() < 0.2, "sd {s}");
    }

    #[test]
    fn gamma_matches_requested_mean_and_sd() {
        let (m, s) = moments(&Duration::gamma(10.0, 4.0).unwrap(), 200_000);
        assert!((m - 10.0).abs() < 0.05, "mean {m}");
        assert!((s - 4.0).abs() < 0.05, "sd {s}");
    }

    #[test]
    fn weibull_matches_requested_mean_and_sd() {
        // A care-home-like stay (sd above the mean, shape < 1) and a peaked one (shape > 1).
        for (mean, sd, n, tol) in [(450.0, 600.0, 400_000, 0.03), (10.0, 3.0, 200_000, 0.01)] {
            let d = Duration::weibull(mean, sd).unwrap();
            let (m, s) = moments(&d, n);
            assert!((m / mean - 1.0).abs() < tol, "mean {m} for {mean}");
            assert!((s / sd - 1.0).abs() < 2.0 * tol, "sd {s} for {sd}");
        }
        // The shapes the limits allow, as the error message states them.
        assert!(
            (0.1..0.15).contains(&weibull_shape(MAX_DURATION_CV)),
            "{}",
            weibull_shape(MAX_DURATION_CV)
        );
        assert!(
            (1_000.0..1_500.0).contains(&weibull_shape(MIN_WEIBULL_CV)),
            "{}",
            weibull_shape(MIN_WEIBULL_CV)
        );
        // Shape 1 is the exponential: cv 1.
        let Duration::Weibull { shape, scale, .. } = Duration::weibull(14.0, 14.0).unwrap() else {
            unreachable!()
        };
        assert!(
            (shape - 1.0).abs() < 1e-9 && (scale - 14.0).abs() < 1e-7,
            "{shape} {scale}"
        );
    }

    #[test]
    fn exponential_mean() {
        let (m, s) = moments(&Duration::exponential(14.0).unwrap(), 200_000);
        assert!((m - 14.0).abs() < 0.15, "mean {m}");
        assert!((s - 14.0).abs() < 0.2, "sd {s}");
    }

    #[test]
    fn empirical_draws_only_listed_values_in_proportion() {
        let d = Duration::empirical(vec![1.0, 5.0], vec![3.0, 1.0]).unwrap();
        assert_eq!(d.mean_days(), 2.0);
        let (m, _) = moments(&d, 100_000);
        assert!((m - 2.0).abs() < 0.03, "mean {m}");
    }

    #[test]
    fn refuses_what_cannot_be_sampled_and_samples_finite_times_at_the_bounds() {
        assert!(Duration::gamma(400.0, 1e-200).is_err());
        assert!(Duration::gamma(7.0, 7.0e3).is_err());
        assert!(Duration::lognormal(7.0, 1e300).is_err());
        assert!(Duration::exponential(1e300).is_err());
        assert!(Duration::fixed(36_501.0).is_err());
        assert!(Duration::empirical(vec![1.0, 2.0], vec![1e308, 1e308]).is_err());
        let e = Duration::gamma(400.0, 1e-200).unwrap_err().to_string();
        assert!(
            e.contains("sd_days must be at least mean_days / 10000"),
            "{e}"
        );
        let mut rng = Pcg64Mcg::seed_from_u64(9);
        for mean in [1e-9, 1.0, MAX_DURATION_DAYS] {
            for d in [
                Duration::gamma(mean, mean * MIN_GAMMA_CV),
                Duration::gamma(mean, mean * MAX_DURATION_CV),
                Duration::lognormal(mean, mean * MAX_DURATION_CV),
                Duration::weibull(mean, mean * MIN_WEIBULL_CV),
                Duration::weibull(mean, mean * MAX_DURATION_CV),
                Duration::lognormal(mean, mean * 1e-300),
                Duration::exponential(mean),
            ]
            .into_iter()
            .flatten()
            {
                for _ in 0..5_000 {
                    let x = d.sample(&mut rng);
                    assert!(x.is_finite() && x >= 0.0, "{d:?} drew {x}");
                    assert!(x * 100.0 + 36_500.0 < 1e300, "{d:?} drew {x}");
                }
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Duration::exponential(0.0).is_err());
        assert!(Duration::lognormal(7.0, -1.0).is_err());
        assert!(Duration::weibull(7.0, 7e-4).is_err());
        assert!(Duration::weibull(7.0, 7.0e3).is_err());
        assert!(Duration::fixed(f64::NAN).is_err());
        assert!(Duration::empirical(vec![], vec![]).is_err());
        assert!(Duration::empirical(vec![1.0], vec![1.0, 2.0]).is_err());
        assert!(Duration::empirical(vec![1.0, 2.0], vec![0.0, 0.0]).is_err());
    }
}
