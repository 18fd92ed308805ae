//! `caresim compare`: the terminal summary of paired differences. The comparison itself
//! runs through the library's journaled pipeline (`caresim::experiment::pipeline`).

use caresim::chart::{money, thousands};
use caresim::experiment::pipeline::Outcome;
use caresim::output::schema::CostEffectivenessRow;
use caresim::output::{Compared, CostEffectiveness};

use super::human;
use super::run::{UNSTABLE_MEANING, pools_text};

/// Print the headline paired differences of a finished comparison.
pub(super) fn print_comparison(o: &Outcome, c: &Compared) {
    outln!(
        "compare: {} × {} (seed {}){} -> {}",
        super::count(c.arms.len() as u64, "arm", "arms"),
        super::count(u64::from(o.replications), "replication", "replications"),
        o.seed,
        super::run::took(o),
        o.folder.display()
    );
    // Arms with replications that never reached a steady state: their waits and delays
    // measure the horizon, and so do their differences.
    for u in &o.unstable {
        let arm = c.arms.get(u.point).map_or("", String::as_str);
        errln!("warning: {arm}: no steady state: {}", pools_text(&u.pools));
    }
    if !o.unstable.is_empty() {
        errln!("{UNSTABLE_MEANING}");
    }
    outln!("base {}: evidence: {}", c.arms[0], c.evidence[0]);
    for ((arm, diffs), evidence) in c.arms[1..].iter().zip(&c.differences).zip(&c.evidence[1..]) {
        outln!("{} − {} (paired 95% CI):", arm, c.arms[0]);
        outln!("  evidence: {evidence} (levers_evidence.csv)");
        for d in diffs
            .iter()
            .filter(|d| caresim::model::catalogue::COMPARE_HEADLINE.contains(&d.metric.as_str()))
        {
            let ci = d
                .difference
                .ci95_half_width
                .map(|h| format!(" ± {}", human(h)))
                .unwrap_or_default();
            let rel = match (d.relative_change, d.relative_ci95) {
                (Some(r), Some((lo, hi))) => format!(
                    "  {:+.1}% [{:+.1}%, {:+.1}%]",
                    r * 100.0,
                    lo * 100.0,
                    hi * 100.0
                ),
                (Some(r), None) if d.relative_ci95_unbounded() => {
                    format!("  {:+.1}% [CI unbounded]", r * 100.0)
                }
                (Some(r), None) => format!("  {:+.1}%", r * 100.0),
                _ => String::new(),
            };
            let sign = if d.difference.mean >= 0.0 { "+" } else { "" };
            outln!(
                "  {:<29} {:>12} -> {:>12}  {:>12}{ci}{rel}",
                d.metric,
                human(d.base.mean),
                human(d.alternative.mean),
                format!("{sign}{}", human(d.difference.mean)),
            );
        }
    }
    // Results without QALYs, or without the activity cost, have nothing to print here.
    if let Some(ce) = &c.cost_effectiveness
        && ce.rows.iter().any(|r| r.perspective == "activity")
    {
        print_cost_effectiveness(ce);
    }
}

/// The cost-effectiveness of each alternative from the activity perspective, at the
/// scenario's threshold, and the EVPI there when the parameters are uncertain.
fn print_cost_effectiveness(ce: &CostEffectiveness) {
    outln!(
        "cost-effectiveness at {}/QALY (discounted; activity costs; cost_effectiveness.csv, ceac.csv):",
        money(ce.threshold)
    );
    for r in ce.rows.iter().filter(|r| r.perspective == "activity") {
        outln!("  {}: {}", r.alternative, ce_line(r));
    }
    if let Some(evpi) = ce.evpi_at_threshold() {
        outln!(
            "  EVPI {} for the population simulated (evpi.csv; includes Monte Carlo noise)",
            money(evpi)
        );
    }
}

/// `ΔQALYs +1.2 [0.8, 1.6], Δcost +£12k [£9k, £15k], ICER £9,800/QALY, NMB £12k [..],
/// P(cost-effective) 63%`.
fn ce_line(r: &CostEffectivenessRow) -> String {
    let ci = |lo: Option<f64>, hi: Option<f64>, f: &dyn Fn(f64) -> String| match (lo, hi) {
        (Some(lo), Some(hi)) => format!(" [{}, {}]", f(lo), f(hi)),
        _ => String::new(),
    };
    let q = |x: f64| format!("{x:+.3}");
    let m = |x: f64| {
        let s = money(x);
        if x > 0.0 { format!("+{s}") } else { s }
    };
    let icer = r.icer.map_or_else(
        || r.quadrant.clone(),
        |i| format!("ICER £{}/QALY ({})", thousands(i, 0), r.quadrant),
    );
    format!(
        "ΔQALYs {}{}, Δcost {}{}, {icer}, NMB {}{}, P(cost-effective) {:.0}%",
        q(r.delta_qalys),
        ci(r.delta_qalys_ci95_low, r.delta_qalys_ci95_high, &q),
        m(r.delta_cost),
        ci(r.delta_cost_ci95_low, r.delta_cost_ci95_high, &m),
        m(r.nmb),
        ci(r.nmb_ci95_low, r.nmb_ci95_high, &m),
        r.probability_cost_effective * 100.0
    )
}
