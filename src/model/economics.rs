//! Health-economic and payment parameters: utilities for quality-adjusted life-years, the
//! discount rate, the willingness-to-pay threshold, and how the commissioner pays the acute
//! hospital (the payment perspective of the costs).
//!
//! Outcomes are exact time integrals: a patient alive accrues their utility per day, which is
//! the baseline utility of their age band × their condition's multiplier × the multiplier of
//! where they are (an acute bed, a community service, at home with an unmet or waited-for
//! need). Discounting is continuous: a flow at time `t` (years from the end of the warm-up)
//! is weighted by `(1 + r)^−t`, integrated exactly over each interval between events.

use serde::Serialize;

use crate::engine::{DAYS_PER_YEAR, Days};

/// The NICE reference-case discount rate for costs and outcomes, per year (NICE PMG9 §5).
pub const NICE_DISCOUNT_RATE: f64 = 0.035;
/// The default willingness-to-pay threshold, £ per QALY (the lower end of NICE's range).
pub const DEFAULT_THRESHOLD: f64 = 20_000.0;

/// Utilities, discounting and the threshold (`[economics]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EconomicsParams {
    /// Discount rate for costs and outcomes, per year (0.035 = 3.5%).
    pub discount_rate: f64,
    /// Baseline utility per age band, in [`PopulationParams::age_bands`](super::PopulationParams::age_bands)
    /// order (1 = full health, 0 = dead; may be below 0 for states worse than death).
    pub utility_by_band: Vec<f64>,
    /// Willingness to pay for one QALY, £ (for net monetary benefit).
    pub threshold: f64,
    /// Multiplier on utility while in an acute bed (waiting for a bed, admitted, delayed,
    /// or out of area).
    pub acute_utility_multiplier: f64,
    /// Whether utilities were given: without them every utility is 1, QALYs equal
    /// life-years, and the quality integral is not kept (outcomes "off").
    pub utilities_given: bool,
}

impl EconomicsParams {
    /// The defaults without an `[economics]` table: the NICE rate, utility 1 everywhere,
    /// £20,000 per QALY.
    pub fn neutral(bands: usize) -> Self {
        EconomicsParams {
            discount_rate: NICE_DISCOUNT_RATE,
            utility_by_band: vec![1.0; bands],
            threshold: DEFAULT_THRESHOLD,
            acute_utility_multiplier: 1.0,
            utilities_given: false,
        }
    }

    /// The continuous discount rate per day, `ln(1 + r) / 365`.
    pub fn rate_per_day(&self) -> f64 {
        self.discount_rate.ln_1p() / DAYS_PER_YEAR
    }
}

/// How the commissioner pays the acute hospital (`[payment]`): the payment perspective.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mechanism")]
#[non_exhaustive]
pub enum AcutePayment {
    /// The hospital is paid its activity cost: occupied bed-days at the bed-day price (the
    /// payment perspective then equals the activity perspective for acute care).
    Activity,
    /// Payment by Results: a tariff per spell (paid when the patient leaves the bed), plus
    /// an excess bed-day price for each day of the spell beyond its trim point.
    Tariff {
        /// Tariff per spell, £, per condition (in [`Params::conditions`](super::Params::conditions) order).
        per_spell: Vec<f64>,
        /// Trim point per condition, days: spell days beyond it are paid at
        /// [`excess_day_price`](AcutePayment::Tariff::excess_day_price).
        trim_days: Vec<Days>,
        /// Price per excess bed-day, £.
        excess_day_price: f64,
    },
    /// A block contract: a fixed sum per year whatever the activity, £ per year.
    Block {
        /// £ per year.
        per_year: f64,
    },
    /// Capitation: a sum per person with a chronic condition alive, £ per person-year.
    Capitation {
        /// £ per person-year alive.
        per_person_year: f64,
    },
}

/// Reimbursement from social care to the NHS for delayed discharges (Community Care
/// (Delayed Discharges) Act 2003): a price per day a patient waits in an acute bed for a
/// service paid by social care, after an assessment window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DelayReimbursement {
    /// £ per delayed day beyond the window (£100 outside London in 2003/04).
    pub per_day: f64,
    /// Days of each delay that are not reimbursed (the assessment window).
    pub assessment_days: Days,
}

/// The payment perspective (`[payment]`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PaymentParams {
    /// How the acute hospital is paid.
    pub acute: AcutePayment,
    /// Delayed-discharge reimbursement, if in force.
    pub delayed_discharge: Option<DelayReimbursement>,
}

impl Default for PaymentParams {
    fn default() -> Self {
        PaymentParams {
            acute: AcutePayment::Activity,
            delayed_discharge: None,
        }
    }
}

/// The discount factor `e^{−δ t}` of time `t` days after `origin`, for a rate `δ` per day.
#[inline]
pub fn discount_factor(rate_per_day: f64, origin: Days, t: Days) -> f64 {
    if rate_per_day == 0.0 {
        1.0
    } else {
        (-rate_per_day * (t - origin)).exp()
    }
}

/// `∫ₐᵇ e^{−δ (t − origin)} dt`, days: the discounted length of `[a, b]` (`b − a` when the
/// rate is 0).
pub fn discounted_days(rate_per_day: f64, origin: Days, a: Days, b: Days) -> f64 {
    if rate_per_day == 0.0 {
        b - a
    } else {
        discount_factor(rate_per_day, origin, a) * -(-rate_per_day * (b - a)).exp_m1()
            / rate_per_day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounted_days_match_the_closed_form() {
        let r = EconomicsParams::neutral(1).rate_per_day();
        // One year from the origin: (1 − 1/1.035) / ln(1.035) years.
        let year = discounted_days(r, 0.0, 0.0, 365.0) / 365.0;
        let expected = (1.0 - 1.0 / 1.035) / 1.035_f64.ln();
        assert!((year - expected).abs() < 1e-12, "{year} vs {expected}");
        // The second year is worth 1/1.035 of the first.
        let second = discounted_days(r, 0.0, 365.0, 730.0) / 365.0;
        assert!((second * 1.035 - year).abs() < 1e-12);
        assert_eq!(discounted_days(0.0, 0.0, 3.0, 10.5), 7.5);
    }
}
