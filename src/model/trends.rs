//! Secular trends (`[trends]`): per-year multipliers on rates and stays, so that a ten-year
//! plan is a trajectory rather than ten copies of one year.
//!
//! Year 1 of a trend is the first observed year (from the end of the warm-up); the warm-up
//! runs at year 1's values, so that the system settles where the plan starts, and after the
//! list ends its last value holds. Rates that vary in time are sampled exactly by thinning
//! against the trend's largest value, as the season is.

use serde::Serialize;

use crate::engine::{DAYS_PER_YEAR, Days};

/// One trend: a multiplier per observed year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trend {
    /// Multipliers for observed years 1, 2, ... (each > 0).
    pub by_year: Vec<f64>,
}

impl Trend {
    /// The multiplier at time `t` (days from the start of the run), with the observed
    /// period starting at `warmup` days.
    #[inline]
    pub fn at(&self, t: Days, warmup: Days) -> f64 {
        let year = ((t - warmup) / DAYS_PER_YEAR).floor().max(0.0) as usize;
        self.by_year[year.min(self.by_year.len() - 1)]
    }

    /// The largest multiplier (the thinning bound).
    pub fn max(&self) -> f64 {
        self.by_year.iter().copied().fold(0.0, f64::max)
    }
}

/// Every trend of a scenario; `None` where nothing changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trends {
    /// × every exacerbation rate at home.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exacerbations: Option<Trend>,
    /// × the probability that an exacerbation is admitted (capped at 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admissions: Option<Trend>,
    /// × every death hazard (at home, in a care home) and the in-hospital death probability
    /// (capped at 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deaths: Option<Trend>,
    /// × the arrival rate of new patients (`new_patients_per_year`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incidence: Option<Trend>,
    /// × the onset rates among the living (`onset_per_year_by_age`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onset: Option<Trend>,
    /// × every acute length of stay drawn (at admission).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acute_los: Option<Trend>,
    /// × every community length of stay drawn (at the start of an episode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub community_los: Option<Trend>,
}

impl Trends {
    /// Whether any rate at home varies by year (then the event loop thins for it).
    pub fn rates_at_home(&self) -> bool {
        self.exacerbations.is_some() || self.deaths.is_some() || self.onset.is_some()
    }

    /// The multiplier of `trend` at `t`, 1 without it.
    #[inline]
    pub fn factor(trend: &Option<Trend>, t: Days, warmup: Days) -> f64 {
        trend.as_ref().map_or(1.0, |tr| tr.at(t, warmup))
    }

    /// The largest multiplier of `trend`, 1 without it.
    #[inline]
    pub fn bound(trend: &Option<Trend>) -> f64 {
        trend.as_ref().map_or(1.0, Trend::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_count_from_the_end_of_the_warm_up_and_the_last_holds() {
        let t = Trend {
            by_year: vec![1.0, 1.5, 2.0],
        };
        assert_eq!(t.at(0.0, 365.0), 1.0);
        assert_eq!(t.at(364.9, 365.0), 1.0);
        assert_eq!(t.at(365.0 + 365.0, 365.0), 1.5);
        assert_eq!(t.at(365.0 + 800.0, 365.0), 2.0);
        assert_eq!(t.at(1e6, 365.0), 2.0);
        assert_eq!(t.max(), 2.0);
    }
}
