//! The cost-effectiveness of a comparison's alternatives, from the arms' per-replication
//! metrics (paired by replication under common random numbers): the rows of
//! `cost_effectiveness.csv`, `ceac.csv` and, with uncertain parameters, `evpi.csv`. The
//! formulas are in [`crate::stats::cea`].

use super::Arm;
use super::schema::{CeacRow, CostEffectivenessRow, EvpiRow};
use crate::stats::Welford;
use crate::stats::cea::{self, Increments};

/// The outcome metric: QALYs discounted at the scenario's `economics.discount_rate`.
pub const QALYS: &str = "discounted_qalys";

/// The cost perspectives: (name, the discounted cost metric, £). The first, the activity
/// perspective, is the one of the CEAC, the EVPI and the charts.
pub const PERSPECTIVES: [(&str, &str); 3] = [
    ("activity", "discounted_total_cost"),
    ("budget", "discounted_budget_cost"),
    ("payment", "discounted_payment_cost"),
];

/// A comparison's cost-effectiveness results.
#[derive(Clone, Debug, Default)]
pub struct CostEffectiveness {
    /// One row per alternative × perspective whose metrics both arms have.
    pub rows: Vec<CostEffectivenessRow>,
    /// The CEAC of each alternative (activity perspective), alternatives in order.
    pub ceac: Vec<CeacRow>,
    /// The EVPI curve (activity perspective), when any arm has uncertain parameters.
    pub evpi: Option<Vec<EvpiRow>>,
    /// The base scenario's threshold, £ per QALY.
    pub threshold: f64,
}

impl CostEffectiveness {
    /// The EVPI at the scenario's threshold, £, if computed.
    pub fn evpi_at_threshold(&self) -> Option<f64> {
        self.evpi
            .as_ref()?
            .iter()
            .find(|r| r.threshold == self.threshold)
            .map(|r| r.evpi)
    }
}

/// `alternative_r − base_r` of `metric` for each replication, or `None` if either arm lacks
/// it (results of a model without it).
fn increments(base: &Arm, alt: &Arm, metric: &str) -> Option<Vec<f64>> {
    let at = |a: &Arm| a.results.names.iter().position(|n| n == metric);
    let (bi, ai) = (at(base)?, at(alt)?);
    Some(
        base.rows
            .iter()
            .zip(&alt.rows)
            .map(|(b, a)| {
                a.2.get(ai).copied().unwrap_or(f64::NAN) - b.2.get(bi).copied().unwrap_or(f64::NAN)
            })
            .collect(),
    )
}

/// The summary of values, with its 95% CI.
fn summary(values: &[f64]) -> crate::stats::Summary {
    let mut w = Welford::default();
    for &x in values {
        w.push(x);
    }
    w.summary()
}

/// The row of one alternative from one perspective at `threshold` (£ per QALY).
fn row(
    base: &str,
    alternative: &str,
    perspective: &str,
    threshold: f64,
    inc: Increments,
) -> CostEffectivenessRow {
    let (q, c) = (summary(inc.qalys), summary(inc.cost));
    let icer = cea::icer(q.mean, c.mean);
    let nmb = cea::paired_nmb(threshold, inc);
    CostEffectivenessRow {
        base: base.to_string(),
        alternative: alternative.to_string(),
        perspective: perspective.to_string(),
        delta_qalys: q.mean,
        delta_qalys_ci95_low: q.ci95_low,
        delta_qalys_ci95_high: q.ci95_high,
        delta_cost: c.mean,
        delta_cost_ci95_low: c.ci95_low,
        delta_cost_ci95_high: c.ci95_high,
        icer: icer.ratio,
        quadrant: icer.quadrant.label().to_string(),
        threshold,
        nmb: nmb.mean,
        nmb_ci95_low: nmb.ci95_low,
        nmb_ci95_high: nmb.ci95_high,
        probability_cost_effective: cea::probability_cost_effective(threshold, inc),
        n: q.n,
    }
}

/// The cost-effectiveness of `arms[1..]` against `arms[0]`, or `None` when the arms lack
/// the discounted QALYs (a model without outcomes): then no cost-effectiveness file is
/// written. The threshold is the base scenario's `economics.threshold`.
pub fn analyse(arms: &[Arm]) -> Option<CostEffectiveness> {
    let (base, alts) = arms.split_first()?;
    let threshold = base.scenario.params.economics.threshold;
    let qalys: Vec<Vec<f64>> = alts
        .iter()
        .map(|a| increments(base, a, QALYS))
        .collect::<Option<_>>()?;
    let mut out = CostEffectiveness {
        threshold,
        ..CostEffectiveness::default()
    };
    for (p, (perspective, metric)) in PERSPECTIVES.iter().enumerate() {
        let Some(costs) = alts
            .iter()
            .map(|a| increments(base, a, metric))
            .collect::<Option<Vec<_>>>()
        else {
            continue;
        };
        let incs: Vec<Increments> = qalys
            .iter()
            .zip(&costs)
            .map(|(q, c)| Increments { qalys: q, cost: c })
            .collect();
        for (alt, inc) in alts.iter().zip(&incs) {
            out.rows
                .push(row(&base.name, &alt.name, perspective, threshold, *inc));
        }
        if p == 0 {
            let grid = cea::threshold_grid(threshold);
            out.ceac = ceac_rows(alts, &incs, &grid);
            let uncertain = arms.iter().any(|a| !a.scenario.uncertain.is_empty());
            out.evpi = uncertain.then(|| {
                grid.iter()
                    .map(|&l| EvpiRow {
                        threshold: l,
                        evpi: cea::evpi(l, &incs),
                    })
                    .collect()
            });
        }
    }
    // Rows by alternative, then perspective, as the report reads them.
    out.rows.sort_by_key(|r| {
        alts.iter()
            .position(|a| a.name == r.alternative)
            .unwrap_or(usize::MAX)
    });
    Some(out)
}

/// The CEAC rows of `alts` (their increments `incs`) over `grid`: by alternative, then
/// threshold.
fn ceac_rows(alts: &[Arm], incs: &[Increments], grid: &[f64]) -> Vec<CeacRow> {
    let best: Vec<Vec<f64>> = grid
        .iter()
        .map(|&l| cea::probability_best(l, incs))
        .collect();
    alts.iter()
        .zip(incs)
        .enumerate()
        .flat_map(|(j, (alt, inc))| {
            grid.iter().zip(&best).map(move |(&l, b)| CeacRow {
                alternative: alt.name.clone(),
                threshold: l,
                probability_cost_effective: cea::probability_cost_effective(l, *inc),
                probability_best: b[j + 1],
            })
        })
        .collect()
}
