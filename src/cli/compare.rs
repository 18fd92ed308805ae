//! `caresim compare`: the terminal summary of paired differences. The comparison itself
//! runs through the library's journaled pipeline (`caresim::experiment::pipeline`).

use caresim::experiment::pipeline::Outcome;
use caresim::output::Compared;

use super::human;
use super::run::{UNSTABLE_MEANING, pools_text};

/// Print the headline paired differences of a finished comparison.
pub(super) fn print_comparison(o: &Outcome, c: &Compared) {
    errln!(
        "compare: {} arms × {} replications (seed {}) in {:.2} s -> {}",
        c.arms.len(),
        o.replications,
        o.seed,
        o.timing.wall_seconds,
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
    errln!("base {}: evidence: {}", c.arms[0], c.evidence[0]);
    for ((arm, diffs), evidence) in c.arms[1..].iter().zip(&c.differences).zip(&c.evidence[1..]) {
        errln!("{} − {} (paired 95% CI):", arm, c.arms[0]);
        errln!("  evidence: {evidence} (levers_evidence.csv)");
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
            errln!(
                "  {:<29} {:>12} -> {:>12}  {:>12}{ci}{rel}",
                d.metric,
                human(d.base.mean),
                human(d.alternative.mean),
                format!("{sign}{}", human(d.difference.mean)),
            );
        }
    }
}
