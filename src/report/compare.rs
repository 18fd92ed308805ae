//! The comparison section: each alternative's paired change from the base in the key
//! metrics, and how often it saves bed-days, money or both across replications.

use std::collections::BTreeMap;

use super::Block;
use super::summary::{fmt_of, signed_with_ci};
use crate::chart::{Arm, Kind, signed};
use crate::model::catalogue;

/// The change table and the cost-effectiveness table of a comparison (nothing for another
/// kind of folder).
pub(super) fn section(kind: &Kind) -> Vec<Block> {
    let Kind::Compare { arms, .. } = kind else {
        return Vec::new();
    };
    vec![
        Block::Heading(2, format!("Change from the base, {}", arms[0].title)),
        Block::Para(
            "Alternative minus base, paired by replication (common random numbers), with the 95% CI of the mean difference and the relative change with its 95% CI (Fieller's interval for the ratio of the means, which allows for the uncertainty of the base mean; unbounded when the base mean is not clearly different from 0).".into(),
        ),
        change_table(kind),
        // Across replications (each a draw of the uncertain parameters, if any).
        Block::Heading(3, "Cost-effectiveness across replications".into()),
        Block::Para(
            "Share of the paired replications in which each alternative saves acute bed-days, saves money, or both without leaving more need unmet. Money here is the total cost plus the cost of unmet and waited-for need (informal or emergency care, `unmet_need_cost`), so a saving made by leaving patients without the care they need is not counted as one. Bed-days are not a health outcome, so \"both\" is not dominance in the health-economic sense (QALYs, when the results have them, are in the cost-effectiveness section). With uncertain parameters each replication is one draw of them, so these are probabilistic sensitivity results (see the cost-effectiveness plane).".into(),
        ),
        dominance_table(arms),
    ]
}

/// Each alternative's change in the catalogue's [`KEY_CHANGES`](catalogue::KEY_CHANGES):
/// the difference with its CI and the relative change with its CI (a comparison's `kind`).
fn change_table(kind: &Kind) -> Block {
    let Kind::Compare { arms, changes, .. } = kind else {
        return Block::Table(Vec::new(), Vec::new());
    };
    let mut header = vec!["alternative".to_string()];
    let metrics = catalogue::KEY_CHANGES;
    header.extend(
        metrics
            .iter()
            .map(|m| catalogue::metric(m).label.to_string()),
    );
    let rows = arms[1..]
        .iter()
        .map(|a| {
            let mut row = vec![a.name.clone()];
            for m in metrics {
                let cell = changes
                    .iter()
                    .find(|c| c.alternative == a.name && c.metric == m)
                    .map_or("—".into(), |c| {
                        let rel = c.relative.map(relative).unwrap_or_default();
                        format!("{}{rel}", signed_with_ci(c.difference, fmt_of(m)))
                    });
                row.push(cell);
            }
            row
        })
        .collect();
    Block::Table(header, rows)
}

/// A relative change and its CI, as percentages, on a line of its own:
/// `+1.5% (−0.5% to +3.4%)`.
fn relative(r: (f64, f64, f64)) -> String {
    let pct = |x: f64| signed(x, |a| format!("{:.1}%", a * 100.0));
    if r.1.is_finite() && r.2.is_finite() {
        format!("\n{} ({} to {})", pct(r.0), pct(r.1), pct(r.2))
    } else {
        format!("\n{} (CI unbounded)", pct(r.0))
    }
}

/// The share of paired replications in which each alternative saves acute bed-days, money
/// (total cost plus the cost of unmet need), or both with no more unmet-need days.
fn dominance_table(arms: &[Arm]) -> Block {
    let col = |r: &BTreeMap<String, Vec<f64>>, m: &str| r.get(m).cloned().unwrap_or_default();
    // Money borne by anyone: services, plus informal or emergency care for unmet need (a
    // column older folders lack: then 0).
    let money = |r: &BTreeMap<String, Vec<f64>>| {
        let total = col(r, catalogue::CE_AXES[1]);
        let unmet = col(r, "unmet_need_cost");
        total
            .iter()
            .enumerate()
            .map(|(i, t)| t + unmet.get(i).copied().unwrap_or(0.0))
            .collect::<Vec<f64>>()
    };
    let base_runs = &arms[0].runs;
    let effect = catalogue::CE_AXES[0];
    let (bb, bc, bu) = (
        col(base_runs, effect),
        money(base_runs),
        col(base_runs, "unmet_need_days"),
    );
    let rows = arms[1..]
        .iter()
        .map(|a| {
            let (ab, ac, au) = (
                col(&a.runs, effect),
                money(&a.runs),
                col(&a.runs, "unmet_need_days"),
            );
            let n = bb.len().min(ab.len()).max(1) as f64;
            let mut counts = [0usize; 3];
            for i in 0..bb.len().min(ab.len()) {
                let saves_beds = ab[i] < bb[i];
                let saves_money = ac[i] < bc[i];
                let no_more_unmet =
                    au.get(i).copied().unwrap_or(0.0) <= bu.get(i).copied().unwrap_or(0.0);
                counts[0] += usize::from(saves_beds);
                counts[1] += usize::from(saves_money);
                counts[2] += usize::from(saves_beds && saves_money && no_more_unmet);
            }
            let pct = |k: usize| format!("{:.0}%", 100.0 * counts[k] as f64 / n);
            vec![a.name.clone(), pct(0), pct(1), pct(2)]
        })
        .collect();
    Block::Table(
        vec![
            "alternative".into(),
            "saves bed-days".into(),
            "saves money (incl. unmet need)".into(),
            "both, no more unmet need".into(),
        ],
        rows,
    )
}
