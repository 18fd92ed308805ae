//! The summary at the top of a comparison's report, in sentences a board can read: for each
//! alternative what changes in bed-days, delays, unmet need, health and cost (under each
//! costing perspective), with 95% CIs, its net monetary benefit and ICER, and the caveats
//! that decide the answer (effects graded as estimates, arms with no steady state).
//!
//! Every number comes from `comparison.csv` and `cost_effectiveness.csv`; a change whose CI
//! includes 0 is written as "no clear change", never as a saving.

use super::arms::ArmRecord;
use super::{Block, Folder};
use crate::chart::{Arm, Change, Kind, money, percent, signed, thousands};
use crate::output::schema::CostEffectivenessRow;
use crate::scenario::Grade;

/// A figure in words, with its sign as a verb: `saves 12,831 acute bed-days (5.0% of the
/// base; 95% CI 4.3% to 5.6%)`, or `no clear change in …` when its CI includes 0.
fn change_phrase(c: &Change, what: &str, money_: bool) -> String {
    let (d, lo, hi) = c.difference;
    let amount = |x: f64| {
        if money_ {
            money(x.abs())
        } else {
            thousands(x.abs(), 0)
        }
    };
    let signed = |x: f64| signed(x, amount);
    let ci = match c.relative {
        Some((r, rl, rh)) if rl.is_finite() && rh.is_finite() => {
            format!(" ({}, 95% CI {} to {})", pct(r), pct(rl), pct(rh))
        }
        _ => format!(" (95% CI {} to {})", signed(lo), signed(hi)),
    };
    if lo <= 0.0 && hi >= 0.0 {
        if d == 0.0 && lo == 0.0 && hi == 0.0 {
            return format!("makes no change to {what}");
        }
        return format!(
            "makes no clear difference to {what} ({}, 95% CI {} to {})",
            signed(d),
            signed(lo),
            signed(hi)
        );
    }
    let verb = if d < 0.0 { "saves" } else { "adds" };
    format!("{verb} {} {what}{ci}", amount(d))
}

/// A signed percentage with a true minus sign.
fn pct(x: f64) -> String {
    signed(x, |a| format!("{:.1}%", a * 100.0))
}

/// QALYs in words: `gains 13.4 QALYs (95% CI −5.6 to +32.5)`.
fn qaly_phrase(r: &CostEffectivenessRow) -> String {
    let q = |x: f64| signed(x, |a| format!("{a:.1}"));
    let (lo, hi) = (
        r.delta_qalys_ci95_low.unwrap_or(r.delta_qalys),
        r.delta_qalys_ci95_high.unwrap_or(r.delta_qalys),
    );
    if r.delta_qalys == 0.0 && lo == 0.0 && hi == 0.0 {
        return "makes no change to QALYs".into();
    }
    if lo <= 0.0 && hi >= 0.0 {
        return format!(
            "makes no clear difference to QALYs ({}, 95% CI {} to {})",
            q(r.delta_qalys),
            q(lo),
            q(hi)
        );
    }
    let verb = if r.delta_qalys > 0.0 {
        "gains"
    } else {
        "loses"
    };
    format!(
        "{verb} {:.1} QALYs (95% CI {} to {})",
        r.delta_qalys.abs(),
        q(lo),
        q(hi)
    )
}

/// What a costing perspective counts, in words.
fn perspective_words(p: &str) -> &str {
    match p {
        "activity" => "the services used",
        "budget" => "the capacity funded",
        "payment" => "what the commissioner pays",
        other => other,
    }
}

/// The cost under one perspective: `costs £1.4m less counting the services used (−£1.4m,
/// 95% CI −£2.2m to −£0.7m)`.
fn cost_phrase(r: &CostEffectivenessRow) -> String {
    let (lo, hi) = (
        r.delta_cost_ci95_low.unwrap_or(r.delta_cost),
        r.delta_cost_ci95_high.unwrap_or(r.delta_cost),
    );
    let m = |x: f64| signed(x, money);
    let what = perspective_words(&r.perspective);
    if r.delta_cost == 0.0 && lo == 0.0 && hi == 0.0 {
        return format!("makes no change to the cost of {what}");
    }
    let ci = format!("({}, 95% CI {} to {})", m(r.delta_cost), m(lo), m(hi));
    if lo <= 0.0 && hi >= 0.0 {
        format!("makes no clear difference to the cost of {what} {ci}")
    } else {
        let how = if r.delta_cost < 0.0 { "less" } else { "more" };
        format!(
            "costs {} {how} counting {what} {ci}",
            money(r.delta_cost.abs())
        )
    }
}

/// The net monetary benefit and what it means at the threshold.
fn ce_phrase(r: &CostEffectivenessRow) -> String {
    let lambda = format!("£{}", thousands(r.threshold, 0));
    let nmb = |x: f64| signed(x, money);
    let verdict = match (r.icer, r.quadrant.as_str()) {
        (Some(i), q) => format!("at an ICER of £{} per QALY ({q})", thousands(i, 0)),
        (None, "dominant") => "dominant (no fewer QALYs for no more cost, in the means)".into(),
        (None, "dominated") => "dominated (no more QALYs for no less cost, in the means)".into(),
        (None, q) => q.to_string(),
    };
    format!(
        "At {lambda} per QALY (activity costs) it is {verdict}, with a net monetary benefit of {} (95% CI {} to {}); it is cost-effective in {} of replications.",
        nmb(r.nmb),
        nmb(r.nmb_ci95_low.unwrap_or(r.nmb)),
        nmb(r.nmb_ci95_high.unwrap_or(r.nmb)),
        percent(r.probability_cost_effective)
    )
}

/// The caveats of one alternative: its estimate-graded settings that the base does not
/// have, and its replications with no steady state.
fn caveats(arm: &Arm, record: Option<&ArmRecord>, base: Option<&ArmRecord>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rec) = record {
        let estimates: Vec<String> = rec
            .own_evidence(base)
            .filter(|e| e.grade == Grade::E)
            .map(|e| format!("`{}.{}`", e.lever, e.key))
            .collect();
        if !estimates.is_empty() {
            out.push(format!(
                "Rests on {} setting{} graded as an estimate [E], not a published figure: {} (see \"The scenarios compared\").",
                estimates.len(),
                if estimates.len() == 1 { "" } else { "s" },
                estimates.join(", ")
            ));
        }
    }
    if let Some(u) = arm.unstable() {
        out.push(format!(
            "⚠ No steady state in {} of its replications ({}): its waits, delays and bed-days grow with the run's length, so read them as a system that cannot cope, not as its performance.",
            percent(u.share),
            u.pools_text()
        ));
    }
    out
}

/// The summary of a comparison (nothing for a run or a sweep).
pub(super) fn section(folder: &Folder, records: &[ArmRecord]) -> Vec<Block> {
    let Kind::Compare {
        arms,
        changes,
        cost_effectiveness,
        ..
    } = &folder.kind
    else {
        return Vec::new();
    };
    let params = &folder.manifest.scenario.params;
    let years = (params.horizon_days - params.warmup_days) / 365.0;
    let reps = folder.manifest.replications;
    let base = &arms[0];
    let find = |alt: &str, m: &str| {
        changes
            .iter()
            .find(|c| c.alternative == alt && c.metric == m)
    };
    let ce_rows = |alt: &str| -> Vec<&CostEffectivenessRow> {
        cost_effectiveness
            .iter()
            .flat_map(|ce| ce.rows.iter())
            .filter(|r| r.alternative == alt)
            .collect()
    };
    let mut doc = vec![
        Block::Heading(2, "Summary".into()),
        Block::Para(format!(
            "{} alternative{} compared with **{}** over {} observed year{} ({} replication{} of each, paired by replication with common random numbers). Ranges are 95% confidence intervals; a change whose interval includes zero is written as \"no clear change\". Bed-days and costs are totals for the population simulated over the whole period.",
            arms.len() - 1,
            if arms.len() == 2 { "" } else { "s" },
            base.title,
            thousands(years, usize::from(years.fract() > 0.05)),
            if (years - 1.0).abs() < 0.05 { "" } else { "s" },
            reps,
            if reps == 1 { "" } else { "s" },
        )),
    ];
    if let Some(best) = arms[1..]
        .iter()
        .filter_map(|a| {
            ce_rows(&a.name)
                .into_iter()
                .find(|r| r.perspective == "activity")
                .map(|r| (a, r))
        })
        .max_by(|x, y| x.1.nmb.total_cmp(&y.1.nmb))
    {
        let estimates = records
            .iter()
            .find(|r| r.name == best.0.name)
            .map_or(0, |r| {
                r.own_evidence(records.first())
                    .filter(|e| e.grade == Grade::E)
                    .count()
            });
        let caveat = if estimates > 0 {
            format!(
                ", though it rests on {estimates} setting{} graded as an estimate [E]",
                if estimates == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        doc.push(Block::Para(format!(
            "At £{} per QALY, the alternative with the highest expected net monetary benefit (activity costs) is **{}** ({}{caveat}); {} of the {} alternatives are cost-effective in more than half of the replications.",
            thousands(best.1.threshold, 0),
            best.0.title,
            if best.1.nmb > 0.0 {
                format!("+{}", money(best.1.nmb))
            } else {
                money(best.1.nmb)
            },
            arms[1..]
                .iter()
                .filter(|a| ce_rows(&a.name)
                    .iter()
                    .any(|r| r.perspective == "activity" && r.probability_cost_effective > 0.5))
                .count(),
            arms.len() - 1
        )));
    }
    let base_record = records.first();
    let mut items = Vec::new();
    for arm in &arms[1..] {
        let mut parts = Vec::new();
        for (m, what, money_) in [
            ("acute_bed_days", "acute bed-days", false),
            ("delayed_bed_days", "delayed-discharge bed-days", false),
            ("unmet_need_days", "days with a need for care unmet", false),
        ] {
            if let Some(c) = find(&arm.name, m) {
                parts.push(change_phrase(c, what, money_));
            }
        }
        let rows = ce_rows(&arm.name);
        if let Some(r) = rows.iter().find(|r| r.perspective == "activity") {
            parts.push(qaly_phrase(r));
        }
        if rows.is_empty() {
            if let Some(c) = find(&arm.name, "total_cost") {
                parts.push(change_phrase(c, "total cost", true));
            }
        } else {
            parts.extend(rows.iter().map(|r| cost_phrase(r)));
        }
        let mut text = format!(
            "**{}** (`{}`): over {} years it {}.",
            arm.title,
            arm.name,
            thousands(years, usize::from(years.fract() > 0.05)),
            parts.join("; ")
        );
        if let Some(r) = rows.iter().find(|r| r.perspective == "activity") {
            text.push(' ');
            text.push_str(&ce_phrase(r));
        }
        let record = records.iter().find(|r| r.name == arm.name);
        for c in caveats(arm, record, base_record) {
            text.push(' ');
            text.push_str(&c);
        }
        items.push(text);
    }
    doc.push(Block::Summary(items));
    doc.push(Block::Para(
        "Costs from three perspectives: activity (every service used, at its unit cost), budget (the capacity funded, used or not) and payment (what the commissioner pays under the payment rules). QALYs and the costs beside them are discounted at the scenario's rate; bed-days are not.".into(),
    ));
    doc
}
