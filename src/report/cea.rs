//! The cost-effectiveness section of a comparison with QALYs: each alternative's
//! discounted ΔQALYs and Δcost with paired CIs, its ICER or quadrant, its net monetary
//! benefit at the threshold with its CI, the probability that it is cost-effective there, and
//! the EVPI when the parameters are uncertain (`cost_effectiveness.csv`, `ceac.csv`,
//! `evpi.csv`).

use super::Block;
use crate::chart::{CeResults, Kind, money, percent, signed, thousands};
use crate::output::schema::CostEffectivenessRow;

/// `x (lo to hi)` written by `f`, or just `x` without a CI.
fn with_ci(x: f64, lo: Option<f64>, hi: Option<f64>, f: &dyn Fn(f64) -> String) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) if lo != x || hi != x => {
            format!("{} ({} to {})", f(x), f(lo), f(hi))
        }
        _ => f(x),
    }
}

/// QALYs with a sign, to two decimals.
fn qalys(x: f64) -> String {
    signed(x, |a| thousands(a, 2))
}

/// Money with a sign.
fn signed_money(x: f64) -> String {
    signed(x, money)
}

/// The ICER with the quadrant, or the quadrant alone.
fn icer_cell(r: &CostEffectivenessRow) -> String {
    r.icer.map_or_else(
        || r.quadrant.clone(),
        |i| format!("£{} per QALY ({})", thousands(i, 0), r.quadrant),
    )
}

/// The section, for a comparison with cost-effectiveness files (nothing otherwise).
pub(super) fn section(kind: &Kind) -> Vec<Block> {
    let Kind::Compare {
        arms,
        cost_effectiveness: Some(ce),
        ..
    } = kind
    else {
        return Vec::new();
    };
    let Some(threshold) = ce.threshold() else {
        return Vec::new();
    };
    let lambda = format!("£{}", thousands(threshold, 0));
    let mut doc = vec![
        Block::Heading(2, "Cost-effectiveness".into()),
        Block::Para(format!(
            "Alternative minus {}, paired by replication, in QALYs and costs discounted at the scenario's rate, for the population simulated over the observed period. The ICER is the ratio of the mean differences, given for a trade-off; otherwise the quadrant is named (dominant: no fewer QALYs for no more cost). The net monetary benefit is {lambda} × ΔQALYs − Δcost per replication (the base scenario's threshold, {lambda} per QALY), with its paired 95% CI; the probability of being cost-effective is the share of replications in which it is positive (ties count half). Costs from three perspectives: activity (every service used, at its unit cost), budget (the capacity funded) and payment (what the commissioner pays). The acceptability curve over thresholds from £0 to £100,000 per QALY is in `ceac.csv` and the charts.",
            arms[0].name
        )),
        table(ce, &lambda),
    ];
    doc.extend(evpi(ce, threshold, &lambda));
    doc
}

/// One row per alternative × perspective.
fn table(ce: &CeResults, lambda: &str) -> Block {
    let header = vec![
        "alternative".to_string(),
        "costs".into(),
        "ΔQALYs (95% CI)".into(),
        "Δcost (95% CI)".into(),
        "ICER or quadrant".into(),
        format!("net monetary benefit at {lambda} (95% CI)"),
        format!("P(cost-effective at {lambda})"),
    ];
    let rows = ce
        .rows
        .iter()
        .map(|r| {
            vec![
                r.alternative.clone(),
                r.perspective.clone(),
                with_ci(
                    r.delta_qalys,
                    r.delta_qalys_ci95_low,
                    r.delta_qalys_ci95_high,
                    &qalys,
                ),
                with_ci(
                    r.delta_cost,
                    r.delta_cost_ci95_low,
                    r.delta_cost_ci95_high,
                    &signed_money,
                ),
                icer_cell(r),
                with_ci(r.nmb, r.nmb_ci95_low, r.nmb_ci95_high, &signed_money),
                percent(r.probability_cost_effective),
            ]
        })
        .collect();
    Block::Table(header, rows)
}

/// The EVPI at the threshold and its maximum over the grid, with uncertain parameters.
fn evpi(ce: &CeResults, threshold: f64, lambda: &str) -> Option<Block> {
    let rows = ce.evpi.as_ref()?;
    let at = rows.iter().find(|r| r.threshold == threshold)?;
    let max = rows
        .iter()
        .max_by(|a, b| a.evpi.total_cmp(&b.evpi))
        .unwrap_or(at);
    Some(Block::Para(format!(
        "Expected value of perfect information (activity costs, every arm): {} at {lambda} per QALY, at most {} (at £{} per QALY) over the thresholds of `evpi.csv`, for the population simulated. It is the mean over replications of the best arm's net benefit minus the best mean net benefit. Each replication is one draw of the uncertain parameters but also one run of a stochastic model, so this EVPI also contains Monte Carlo noise and overstates the value of knowing the parameters.",
        money(at.evpi),
        money(max.evpi),
        thousands(max.threshold, 0)
    )))
}
