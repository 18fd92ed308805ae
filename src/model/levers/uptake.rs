//! Uptake curves: how a lever reaches its full effect over time (a step, a linear ramp or a
//! logistic curve), so that a ten-year plan starts where the system is.
//!
//! An enrolment programme's curve is the share of its eventual enrolees enrolled by each
//! time: every enrolee draws a uniform number v from their own stream and enrols when the
//! curve reaches v (until then they are in the tier without the programme, at its rates and
//! costs). A share lever's curve (step-up care, early supported discharge) scales its share
//! of eligible admissions at each time. Either way the effect at time t is the curve's value
//! times the full effect.

use serde::Serialize;

use crate::engine::Days;

/// An uptake curve over absolute time (days from the start of the run).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Uptake {
    /// Nothing before `day`, everything from it.
    Step {
        /// When the lever takes full effect, days.
        day: Days,
    },
    /// From 0 at `start_day` to full at `full_day`, linearly.
    Linear {
        /// When uptake starts, days.
        start_day: Days,
        /// When it is complete, days (after `start_day`).
        full_day: Days,
    },
    /// `1 / (1 + exp(−(t − midpoint_day) / scale_days))`: half at the midpoint.
    Logistic {
        /// When half the effect is reached, days.
        midpoint_day: Days,
        /// Days over which the curve rises by a factor e in odds (> 0).
        scale_days: Days,
    },
}

impl Uptake {
    /// The share of the full effect in force at `t` (days), in [0, 1].
    pub fn at(&self, t: Days) -> f64 {
        match *self {
            Uptake::Step { day } => {
                if t >= day {
                    1.0
                } else {
                    0.0
                }
            }
            Uptake::Linear {
                start_day,
                full_day,
            } => ((t - start_day) / (full_day - start_day)).clamp(0.0, 1.0),
            Uptake::Logistic {
                midpoint_day,
                scale_days,
            } => 1.0 / (1.0 + (-(t - midpoint_day) / scale_days).exp()),
        }
    }

    /// The time at which the curve reaches `v` (in (0, 1)): an enrolee's enrolment time.
    pub fn time_of(&self, v: f64) -> Days {
        match *self {
            Uptake::Step { day } => day,
            Uptake::Linear {
                start_day,
                full_day,
            } => start_day + v * (full_day - start_day),
            Uptake::Logistic {
                midpoint_day,
                scale_days,
            } => {
                let v = v.clamp(1e-300, 1.0 - 1e-16);
                midpoint_day + scale_days * (v / (1.0 - v)).ln()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_curve_is_inverted_by_its_enrolment_time() {
        let curves = [
            Uptake::Step { day: 100.0 },
            Uptake::Linear {
                start_day: 100.0,
                full_day: 500.0,
            },
            Uptake::Logistic {
                midpoint_day: 300.0,
                scale_days: 50.0,
            },
        ];
        for c in curves {
            for v in [0.1, 0.5, 0.9] {
                let t = c.time_of(v);
                assert!(c.at(t + 1e-9) >= v - 1e-9, "{c:?} {v}");
                if !matches!(c, Uptake::Step { .. }) {
                    assert!((c.at(t) - v).abs() < 1e-9, "{c:?} {v}");
                }
            }
        }
        let linear = curves[1];
        assert_eq!(linear.at(0.0), 0.0);
        assert_eq!(linear.at(300.0), 0.5);
        assert_eq!(linear.at(1000.0), 1.0);
        assert!((curves[2].at(300.0) - 0.5).abs() < 1e-15);
    }
}
