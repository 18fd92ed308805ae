//! `caresim compare`: what makes arms comparable, and the terminal summary of paired
//! differences. The comparison itself runs through the journaled pipeline of `run`
//! (`super::run::compare`).

use std::path::Path;

use caresim::experiment::Plan;
use caresim::output::Compared;
use caresim::scenario::Scenario;

use super::{Failure, human};

/// Paired differences of totals mean something only over the same window and population:
/// every arm must share the base's horizon, warm-up and catchment.
///
/// # Errors
/// An input error naming each arm and key that differs.
pub(super) fn check_comparable(scenarios: &[Scenario]) -> Result<(), Failure> {
    let base = &scenarios[0];
    let mut problems = Vec::new();
    for s in &scenarios[1..] {
        let (b, a) = (&base.params, &s.params);
        let keys = [
            ("simulation.horizon_days", b.horizon_days, a.horizon_days),
            ("simulation.warmup_days", b.warmup_days, a.warmup_days),
            (
                "population.catchment",
                b.population.catchment,
                a.population.catchment,
            ),
        ];
        for (key, bv, av) in keys {
            if bv != av {
                problems.push(format!(
                    "{}: {key}: is {av} where the base {} has {bv}; compared arms must share the horizon, warm-up and catchment so that their totals cover the same days and people",
                    s.files[0].path.display(),
                    base.files[0].path.display()
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(anyhow::anyhow!(problems.join("\n"))))
    }
}

/// Print the headline paired differences of a finished comparison.
pub(super) fn print_comparison(plan: &Plan, c: &Compared, reps: u32, wall: f64, out: &Path) {
    errln!(
        "compare: {} arms × {reps} replications (seed {}) in {wall:.2} s -> {}",
        c.arms.len(),
        plan.seed,
        out.display()
    );
    // Arms with replications that never reached a steady state: their waits and delays
    // measure the horizon, and so do their differences.
    let mut warned = false;
    for (i, arm) in c.arms.iter().enumerate() {
        type Mean = fn(&caresim::stats::Difference) -> f64;
        let (diffs, of): (_, Mean) = if i == 0 {
            (&c.differences[0], |d| d.base.mean)
        } else {
            (&c.differences[i - 1], |d| d.alternative.mean)
        };
        let names: Vec<String> = diffs.iter().map(|d| d.metric.clone()).collect();
        let pools = super::run::unstable_pools(&names, |k| of(&diffs[k]));
        if !pools.is_empty() {
            errln!("warning: {arm}: no steady state: {pools}");
            warned = true;
        }
    }
    if warned {
        errln!("{}", super::run::UNSTABLE_MEANING);
    }
    errln!("base {}:", c.arms[0]);
    for (arm, diffs) in c.arms[1..].iter().zip(&c.differences) {
        errln!("{} − {} (paired 95% CI):", arm, c.arms[0]);
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
                "  {:<18} {:>12} -> {:>12}  {:>12}{ci}{rel}",
                d.metric,
                human(d.base.mean),
                human(d.alternative.mean),
                format!("{sign}{}", human(d.difference.mean)),
            );
        }
    }
}
