//! Results by year: a run's key metrics in each observed year (`by_year.csv`) and a
//! comparison's budget impact by year, each payer's paired cost difference in each year
//! (`by_year_differences.csv`). Results without values by year get neither.

use super::Block;
use super::summary::{Fmt, with_ci};
use crate::chart::{Arm, Kind};
use crate::model::{Payer, catalogue};
use crate::output::schema::YearDifferenceRow;

/// The metrics of a run's table by year, those the results have, in this order.
const BY_YEAR_KEY: [&str; 5] = [
    "admissions",
    "acute_bed_days",
    "total_cost",
    "deaths",
    "qalys",
];

/// The costing perspectives of the budget-impact table: (name, payer metric prefix).
const PERSPECTIVES: [(&str, &str); 3] = [
    ("activity", ""),
    ("budget", "budget_"),
    ("payment", "payment_"),
];

/// The label and number format of metric `m` from the catalogue (its name and plain
/// numbers for a metric the catalogue does not know, as in results of a newer caresim).
fn label_fmt(m: &str) -> (String, Fmt) {
    catalogue::lookup(m).map_or((m.to_string(), Fmt::Small), |i| {
        let fmt = match i.format {
            catalogue::Format::Count => Fmt::Count,
            catalogue::Format::Money => Fmt::Money,
            catalogue::Format::Small | catalogue::Format::Share => Fmt::Small,
        };
        (i.label, fmt)
    })
}

/// The header of a table by year: `first`, then `year 1` .. `year n`.
fn header(first: &str, years: usize) -> Vec<String> {
    std::iter::once(first.to_string())
        .chain((1..=years).map(|y| format!("year {y}")))
        .collect()
}

/// A run's key metrics by observed year, with their 95% CIs (nothing without
/// `by_year.csv`).
pub(super) fn run_section(arm: &Arm) -> Vec<Block> {
    let years = arm.by_year.iter().map(|r| r.year).max().unwrap_or(0);
    let rows: Vec<Vec<String>> = BY_YEAR_KEY
        .iter()
        .filter(|m| arm.by_year.iter().any(|r| r.metric == **m))
        .map(|m| {
            let (label, fmt) = label_fmt(m);
            let mut row = vec![label];
            row.extend((1..=years).map(|y| {
                arm.by_year
                    .iter()
                    .find(|r| r.year == y && r.metric == *m)
                    .map_or("—".into(), |r| with_ci(r.estimate(), fmt))
            }));
            row
        })
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Heading(3, "By year".into()),
        Block::Para(
            "Each observed year (year 1 starts at the end of the warm-up; the last year may be a part of one): mean and 95% CI across replications. The years add up to the totals above; every additive metric is in `by_year.csv`.".into(),
        ),
        Block::Table(header("result (mean and 95% CI)", years), rows),
    ]
}

/// A comparison's budget impact by year: for each alternative, costing perspective and
/// payer with a cost difference, the paired difference from the base in each year, with
/// its 95% CI (nothing without `by_year_differences.csv`).
pub(super) fn budget_impact_section(kind: &Kind) -> Vec<Block> {
    let Kind::Compare { arms, by_year, .. } = kind else {
        return Vec::new();
    };
    let years = by_year.iter().map(|r| r.year).max().unwrap_or(0);
    let mut rows = Vec::new();
    for alt in &arms[1..] {
        for (perspective, prefix) in PERSPECTIVES {
            for payer in Payer::ALL {
                let metric = format!("{prefix}{}", payer.cost_metric());
                let mine: Vec<&YearDifferenceRow> = by_year
                    .iter()
                    .filter(|r| r.alternative == alt.name && r.metric == metric)
                    .collect();
                // A payer with no difference in any year (the pooled budget when budgets
                // are not pooled) is left out.
                if mine
                    .iter()
                    .all(|r| r.mean == 0.0 && r.sd.is_none_or(|s| s == 0.0))
                {
                    continue;
                }
                let (label, fmt) = label_fmt(&metric);
                let mut row = vec![alt.name.clone(), perspective.to_string(), label];
                row.extend((1..=years).map(|y| {
                    mine.iter()
                        .find(|r| r.year == y)
                        .map_or("—".into(), |r| with_ci(r.difference(), fmt))
                }));
                rows.push(row);
            }
        }
    }
    if rows.is_empty() {
        return Vec::new();
    }
    let mut head = vec!["alternative".to_string(), "perspective".to_string()];
    head.extend(header("payer cost (difference, mean and 95% CI)", years));
    vec![
        Block::Heading(3, "Budget impact by year".into()),
        Block::Para(format!(
            "Each payer's cost, alternative minus {}, paired by replication, in each observed year (year 1 starts at the end of the warm-up; the last year may be a part of one), from three perspectives: activity (what each payer's services did, priced), budget (what each payer budgets for) and payment (what each payer pays under the payment rules). Payers with no difference are left out; every additive metric is in `by_year_differences.csv`.",
            arms[0].name
        )),
        Block::Table(head, rows),
    ]
}
