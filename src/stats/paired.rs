//! Paired differences between two arms run with common random numbers.
//!
//! Replication `r` of every arm uses the same random streams, so arm-to-arm noise largely
//! cancels in `alternative_r − base_r`. The 95% CI of the mean difference is taken over
//! those paired differences (Student's t, n − 1 df); the unpaired (Welch) half-width that
//! independent runs of the same size would give is reported beside it, to show what pairing
//! bought.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::summary::{Summary, Welford};

/// One metric of one alternative against the base.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    /// The 95% CI of the relative change (the CI of the difference / base mean).
    pub relative_ci95: Option<(f64, f64)>,
    /// Half-width of the 95% CI of the difference had the arms been run independently
    /// (Welch), for comparison with `difference.ci95_half_width`.
    pub unpaired_ci95_half_width: Option<f64>,
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
            for (br, ar) in base_rows.iter().zip(alt_rows) {
                let (x, y) = (value(br, bi), value(ar, ai));
                b.push(x);
                a.push(y);
                d.push(y - x);
            }
            let (base, alternative, difference) = (b.summary(), a.summary(), d.summary());
            let relative = |x: f64| (base.mean != 0.0).then(|| x / base.mean);
            let relative_ci95 = match (difference.ci95_low, difference.ci95_high) {
                (Some(lo), Some(hi)) if base.mean != 0.0 => {
                    let (lo, hi) = (lo / base.mean, hi / base.mean);
                    Some((lo.min(hi), lo.max(hi)))
                }
                _ => None,
            };
            Difference {
                metric: name.clone(),
                relative_change: relative(difference.mean),
                relative_ci95,
                unpaired_ci95_half_width: welch_half_width(&base, &alternative),
                base,
                alternative,
                difference,
            }
        })
        .collect()
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
        v.iter().map(|s| s.to_string()).collect()
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
}
