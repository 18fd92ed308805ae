//! The cost-effectiveness files of a comparison: `cost_effectiveness.csv`, `ceac.csv` and
//! `evpi.csv` (see [`crate::stats::cea`] for the formulas). QALYs and costs are the
//! discounted ones, costs in £, thresholds in £ per QALY; every amount is for the population
//! simulated over the observed period.

use serde::{Deserialize, Serialize};

use super::{CsvTable, plain, plain_opt};

/// One alternative against the base from one cost perspective: a row of
/// `cost_effectiveness.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostEffectivenessRow {
    /// The base arm's folder name.
    pub base: String,
    /// The alternative's folder name.
    pub alternative: String,
    /// Whose costs: `activity` (every service used, at its unit cost: `discounted_total_cost`),
    /// `budget` (the capacity funded: `discounted_budget_cost`) or `payment` (what the
    /// commissioner pays: `discounted_payment_cost`).
    pub perspective: String,
    /// Mean paired ΔQALYs (discounted), QALYs.
    #[serde(serialize_with = "plain")]
    pub delta_qalys: f64,
    /// Lower end of its 95% CI (empty with one replication).
    #[serde(serialize_with = "plain_opt")]
    pub delta_qalys_ci95_low: Option<f64>,
    /// Upper end of its 95% CI.
    #[serde(serialize_with = "plain_opt")]
    pub delta_qalys_ci95_high: Option<f64>,
    /// Mean paired Δcost (discounted), £.
    #[serde(serialize_with = "plain")]
    pub delta_cost: f64,
    /// Lower end of its 95% CI, £.
    #[serde(serialize_with = "plain_opt")]
    pub delta_cost_ci95_low: Option<f64>,
    /// Upper end of its 95% CI, £.
    #[serde(serialize_with = "plain_opt")]
    pub delta_cost_ci95_high: Option<f64>,
    /// ICER from the means, £ per QALY: only for a trade-off (empty otherwise; see
    /// `quadrant`).
    #[serde(serialize_with = "plain_opt")]
    pub icer: Option<f64>,
    /// Where the means fall: `trade-off: more QALYs for more cost`, `cheaper but fewer
    /// QALYs`, `dominant`, `dominated` or `no difference`.
    pub quadrant: String,
    /// The willingness-to-pay threshold of the base scenario, £ per QALY.
    #[serde(serialize_with = "plain")]
    pub threshold: f64,
    /// Mean paired incremental net monetary benefit at the threshold, £.
    #[serde(serialize_with = "plain")]
    pub nmb: f64,
    /// Lower end of its 95% CI, £.
    #[serde(serialize_with = "plain_opt")]
    pub nmb_ci95_low: Option<f64>,
    /// Upper end of its 95% CI, £.
    #[serde(serialize_with = "plain_opt")]
    pub nmb_ci95_high: Option<f64>,
    /// Share of replications in which the alternative is cost-effective at the threshold
    /// (NMB > 0, ties as half).
    #[serde(serialize_with = "plain")]
    pub probability_cost_effective: f64,
    /// Replications paired.
    pub n: u64,
}

impl CsvTable for CostEffectivenessRow {
    const FILE: &'static str = "cost_effectiveness.csv";
    const COLUMNS: &'static [&'static str] = &[
        "base",
        "alternative",
        "perspective",
        "delta_qalys",
        "delta_qalys_ci95_low",
        "delta_qalys_ci95_high",
        "delta_cost",
        "delta_cost_ci95_low",
        "delta_cost_ci95_high",
        "icer",
        "quadrant",
        "threshold",
        "nmb",
        "nmb_ci95_low",
        "nmb_ci95_high",
        "probability_cost_effective",
        "n",
    ];
}

/// One point of an alternative's cost-effectiveness acceptability curve (activity
/// perspective): a row of `ceac.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CeacRow {
    /// The alternative's folder name.
    pub alternative: String,
    /// Willingness to pay, £ per QALY.
    #[serde(serialize_with = "plain")]
    pub threshold: f64,
    /// Share of replications in which the alternative's net monetary benefit over the base
    /// is > 0 (ties as half).
    #[serde(serialize_with = "plain")]
    pub probability_cost_effective: f64,
    /// Share of replications in which the alternative has the highest net benefit of all
    /// arms (ties shared). The base's share is 1 minus the alternatives' sum.
    #[serde(serialize_with = "plain")]
    pub probability_best: f64,
}

impl CsvTable for CeacRow {
    const FILE: &'static str = "ceac.csv";
    const COLUMNS: &'static [&'static str] = &[
        "alternative",
        "threshold",
        "probability_cost_effective",
        "probability_best",
    ];
}

/// The expected value of perfect information at one threshold (activity perspective, all
/// arms): a row of `evpi.csv`, written only when the scenarios have uncertain parameters.
/// With stochastic replications it also holds the model's Monte Carlo noise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvpiRow {
    /// Willingness to pay, £ per QALY.
    #[serde(serialize_with = "plain")]
    pub threshold: f64,
    /// EVPI, £ for the population simulated over the observed period.
    #[serde(serialize_with = "plain")]
    pub evpi: f64,
}

impl CsvTable for EvpiRow {
    const FILE: &'static str = "evpi.csv";
    const COLUMNS: &'static [&'static str] = &["threshold", "evpi"];
}
