//! People, not condition records: each person holds a *set* of chronic conditions
//! (`[multimorbidity]`), dies once, can acquire further conditions, ages between bands and
//! enters the population from a projection.
//!
//! A person's set is a bit mask over [`Params::conditions`](super::Params) (at most
//! [`MAX_CONDITIONS`] conditions). The starting cohort is drawn from a joint prevalence by
//! age band: the maximum-entropy distribution over the 2^K sets with each condition's
//! prevalence in the band and each pair's odds ratio of co-occurrence (a quadratic
//! exponential family, fitted by iterative proportional fitting of the one- and two-way
//! margins; [`fit_joint`]).
//!
//! In the event loop a person is one cell per (set, *lead* condition, age band, tier): the
//! set gives the summed exacerbation rate, the combined death hazard and the onset rate of
//! conditions not yet held; the lead is the condition of the person's latest exacerbation
//! (at the start, the one with the most expected admissions), and decides what follows an
//! admission (admission probability, length of stay, in-hospital death, discharge routes,
//! the post-discharge window) and to which condition admissions, stays and deaths are
//! attributed in `by_group.csv`.

use serde::Serialize;

use crate::engine::Days;

/// Most conditions a scenario with `[multimorbidity]` can have: cells are counted in `u16`
/// and there are K·2^(K−1) (set, lead) pairs.
pub const MAX_CONDITIONS: usize = 8;

/// Ageing: band `b` spans `start_age[b] .. start_age[b + 1]` years; the last band is open.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgeingParams {
    /// Each band's lowest age, years, increasing, in band order.
    pub start_age: Vec<f64>,
}

impl AgeingParams {
    /// Days a person spends in band `b` from its start, or `None` for the open last band.
    pub fn band_days(&self, b: usize) -> Option<Days> {
        let next = *self.start_age.get(b + 1)?;
        Some((next - self.start_age[b]) * crate::engine::DAYS_PER_YEAR)
    }
}

/// Persons entering the population (turning 65, moving in), by band and year of the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntrantParams {
    /// People entering each band per day, by simulated year from time 0 (`[band][year]`;
    /// the last year's rate holds after the table ends). All people: only those with at
    /// least one condition are modelled (see [`PersonsParams::with_conditions`]).
    pub per_day: Vec<Vec<f64>>,
}

impl EntrantParams {
    /// People entering band `b` per day at time `t` (days).
    pub fn rate(&self, b: usize, t: Days) -> f64 {
        let years = &self.per_day[b];
        let y = (t / crate::engine::DAYS_PER_YEAR).floor().max(0.0) as usize;
        years.get(y).or(years.last()).copied().unwrap_or(0.0)
    }

    /// Highest entry rate of band `b` over the run, per day (the thinning bound).
    pub fn max_rate(&self, b: usize) -> f64 {
        self.per_day[b].iter().copied().fold(0.0, f64::max)
    }
}

/// Validated `[multimorbidity]` parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonsParams {
    /// Joint distribution of condition sets by band (`[band][set]`, 2^K shares summing to
    /// 1; set 0 is "none of these conditions"). Derived: not in the manifest.
    #[serde(skip)]
    pub joint: Vec<Vec<f64>>,
    /// Persons at the start by band and set (`[band]` of `(set, persons)`, sets with at
    /// least one condition). Derived: not in the manifest.
    #[serde(skip)]
    pub start: Vec<Vec<(u16, u32)>>,
    /// Odds ratio of co-occurrence of each pair of conditions (`[c][d]`, symmetric; the
    /// diagonal unused).
    pub odds_ratios: Vec<Vec<f64>>,
    /// Death hazard of people without any of the conditions, per day, by band. A person's
    /// hazard is this plus, for each condition they hold, the condition's excess over it.
    pub background_death_rate_per_day: Vec<f64>,
    /// Onset of each condition among living persons without it, per day (`[condition][band]`).
    pub onset_rate_per_day: Vec<Vec<f64>>,
    /// Multiplier on an acute stay per condition held beyond the first (1 = none).
    pub extra_condition_los_multiplier: f64,
    /// People entering the population during the run (`None`: nobody).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrants: Option<EntrantParams>,
}

impl PersonsParams {
    /// Persons at the start, all bands.
    pub fn persons(&self) -> u64 {
        self.start
            .iter()
            .flatten()
            .map(|&(_, n)| u64::from(n))
            .sum()
    }

    /// The share of band `b` with at least one of the conditions.
    pub fn with_conditions(&self, b: usize) -> f64 {
        1.0 - self.joint[b][0]
    }

    /// The combined death hazard of set `set` in band `b`, per day, from each condition's
    /// hazard in the band (`condition_rates[c]`).
    pub fn death_rate(&self, set: u16, b: usize, condition_rates: &[f64]) -> f64 {
        let background = self.background_death_rate_per_day[b];
        background
            + members(set)
                .map(|c| (condition_rates[c] - background).max(0.0))
                .sum::<f64>()
    }
}

/// The conditions in `set`, in index order.
pub fn members(set: u16) -> impl Iterator<Item = usize> {
    (0..16).filter(move |c| set & (1 << c) != 0)
}

/// The probability that two conditions of prevalence `p1` and `p2` co-occur, given their
/// odds ratio (Plackett 1965).
pub fn pair_joint(p1: f64, p2: f64, odds_ratio: f64) -> f64 {
    if (odds_ratio - 1.0).abs() < 1e-12 {
        return p1 * p2;
    }
    let s = 1.0 + (p1 + p2) * (odds_ratio - 1.0);
    let disc = (s * s - 4.0 * odds_ratio * (odds_ratio - 1.0) * p1 * p2).max(0.0);
    (s - disc.sqrt()) / (2.0 * (odds_ratio - 1.0))
}

/// Why a joint distribution could not be fitted.
#[derive(Clone, Debug, PartialEq)]
pub struct FitError {
    /// Largest difference left between a fitted and a target margin.
    pub residual: f64,
}

/// The distribution over the 2^K condition sets with the given prevalences (`p[c]`) and
/// pairwise odds ratios (`odds[c][d]`, `c < d` read), of maximum entropy: iterative
/// proportional fitting of the one- and two-way margins from independence. With every
/// odds ratio 1 it is the product of the margins.
///
/// # Errors
/// The margins cannot all hold at once (the fit's largest residual stays above 10⁻⁹).
pub fn fit_joint(p: &[f64], odds: &[Vec<f64>]) -> Result<Vec<f64>, FitError> {
    let k = p.len();
    let n = 1usize << k;
    let mut joint: Vec<f64> = (0..n)
        .map(|s| {
            (0..k)
                .map(|c| if s & (1 << c) != 0 { p[c] } else { 1.0 - p[c] })
                .product()
        })
        .collect();
    let pairs: Vec<(usize, usize, [f64; 4])> = (0..k)
        .flat_map(|c| (c + 1..k).map(move |d| (c, d)))
        .filter(|&(c, d)| (odds[c][d] - 1.0).abs() > 1e-12)
        .map(|(c, d)| {
            let both = pair_joint(p[c], p[d], odds[c][d]);
            // Index: bit 0 = has c, bit 1 = has d.
            (
                c,
                d,
                [1.0 - p[c] - p[d] + both, p[c] - both, p[d] - both, both],
            )
        })
        .collect();
    if pairs.is_empty() {
        return Ok(joint);
    }
    let mut residual = f64::INFINITY;
    for _ in 0..5_000 {
        residual = 0.0;
        for (c, &target) in p.iter().enumerate() {
            let has: f64 = (0..n).filter(|s| s & (1 << c) != 0).map(|s| joint[s]).sum();
            residual = residual.max((has - target).abs());
            let (up, down) = (ratio(target, has), ratio(1.0 - target, 1.0 - has));
            for (s, x) in joint.iter_mut().enumerate() {
                *x *= if s & (1 << c) != 0 { up } else { down };
            }
        }
        for &(c, d, target) in &pairs {
            let index =
                |s: usize| usize::from(s & (1 << c) != 0) | usize::from(s & (1 << d) != 0) << 1;
            let mut mass = [0.0; 4];
            for (s, x) in joint.iter().enumerate() {
                mass[index(s)] += x;
            }
            let scale: Vec<f64> = (0..4)
                .map(|i| {
                    residual = residual.max((mass[i] - target[i]).abs());
                    ratio(target[i], mass[i])
                })
                .collect();
            for (s, x) in joint.iter_mut().enumerate() {
                *x *= scale[index(s)];
            }
        }
        if residual < 1e-12 {
            break;
        }
    }
    if residual > 1e-9 {
        return Err(FitError { residual });
    }
    Ok(joint)
}

/// `target / current`, 0 when there is nothing to scale.
fn ratio(target: f64, current: f64) -> f64 {
    if current > 0.0 { target / current } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn margins(joint: &[f64], c: usize, d: usize) -> (f64, f64, f64) {
        let sum = |f: &dyn Fn(usize) -> bool| -> f64 {
            joint
                .iter()
                .enumerate()
                .filter(|(s, _)| f(*s))
                .map(|(_, x)| x)
                .sum()
        };
        (
            sum(&|s| s & (1 << c) != 0),
            sum(&|s| s & (1 << d) != 0),
            sum(&|s| s & (1 << c) != 0 && s & (1 << d) != 0),
        )
    }

    #[test]
    fn independence_is_the_product_of_the_margins() {
        let p = [0.1, 0.2, 0.3];
        let odds = vec![vec![1.0; 3]; 3];
        let j = fit_joint(&p, &odds).unwrap();
        assert!((j.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((j[0b111] - 0.1 * 0.2 * 0.3).abs() < 1e-15);
        assert!((j[0] - 0.9 * 0.8 * 0.7).abs() < 1e-15);
    }

    #[test]
    fn the_fit_holds_every_prevalence_and_odds_ratio() {
        let p = [0.055, 0.07, 0.12, 0.035, 0.15, 0.05];
        let odds: Vec<Vec<f64>> = (0..6)
            .map(|c| (0..6).map(|d| 1.5 + 0.1 * f64::from(c + d)).collect())
            .collect();
        let j = fit_joint(&p, &odds).unwrap();
        for c in 0..6 {
            for d in c + 1..6 {
                let (pc, pd, both) = margins(&j, c, d);
                assert!((pc - p[c]).abs() < 1e-9 && (pd - p[d]).abs() < 1e-9);
                let or = both * (1.0 - pc - pd + both) / ((pc - both) * (pd - both));
                assert!((or - odds[c][d]).abs() < 1e-6, "{c} {d}: {or}");
            }
        }
    }

    #[test]
    fn plackett_reproduces_the_odds_ratio() {
        for (p1, p2, or) in [(0.1, 0.2, 3.0), (0.5, 0.5, 0.5), (0.05, 0.3, 10.0)] {
            let b = pair_joint(p1, p2, or);
            let got = b * (1.0 - p1 - p2 + b) / ((p1 - b) * (p2 - b));
            assert!((got - or).abs() < 1e-9, "{got}");
        }
    }

    #[test]
    fn the_combined_hazard_counts_the_background_once() {
        let params = PersonsParams {
            joint: vec![vec![1.0, 0.0, 0.0, 0.0]],
            start: vec![vec![]],
            odds_ratios: vec![vec![1.0; 2]; 2],
            background_death_rate_per_day: vec![0.01],
            onset_rate_per_day: vec![vec![0.0]; 2],
            extra_condition_los_multiplier: 1.0,
            entrants: None,
        };
        let rates = [0.03, 0.05];
        assert!((params.death_rate(0b01, 0, &rates) - 0.03).abs() < 1e-15);
        assert!((params.death_rate(0b11, 0, &rates) - 0.07).abs() < 1e-15);
    }
}
