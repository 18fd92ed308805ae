//! Results by year: a run's key metrics in each observed year (`by_year.csv`) and a
//! comparison's budget impact by year, each payer's paired cost difference in each year
//! (`by_year_differences.csv`). Results without values by year get neither.

use super::Block;
use super::summary::{Fmt, with_ci};
use crate::chart::{Arm, Kind, money, signed};
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

/// A comparison's budget impact by year, for the results: the change in what each payer
/// pays (the payment perspective). Nothing without `by_year_differences.csv`.
pub(super) fn budget_impact_section(kind: &Kind) -> Vec<Block> {
    let Kind::Compare { arms, .. } = kind else {
        return Vec::new();
    };
    let Some(table) = budget_table(kind, "payment_", "payment_cost") else {
        return Vec::new();
    };
    vec![
        Block::Heading(3, "Budget impact by year".into()),
        Block::Para(format!(
            "The change in what each payer pays under the payment rules (the payment perspective: each budget holder's spending), alternative minus {}, paired by replication, in each observed year (year 1 starts at the end of the warm-up; the last year may be a part of one) and over all years: mean differences, + spends more, − spends less, and {UNCLEAR} marks a difference whose 95% CI includes 0 (no clear change). Payers with no difference are left out; the payers add up to \"all payers\". The same counting the services used (activity) and the capacity funded (budget) is in the appendix; the chart `budget_impact_by_year.png` draws the 95% CIs, and `by_year_differences.csv` has them for every additive metric.",
            arms[0].name
        )),
        table,
    ]
}

/// The appendix to [`budget_impact_section`]: the budget impact counting the services used
/// (activity) and the capacity funded (budget), in the same form.
pub(super) fn budget_impact_appendix(kind: &Kind) -> Vec<Block> {
    let tables = [
        ("activity: the services used, priced", "", "total_cost"),
        ("budget: the capacity funded", "budget_", "budget_cost"),
    ]
    .into_iter()
    .filter_map(|(title, prefix, total)| {
        budget_table(kind, prefix, total).map(|t| [Block::Heading(3, title.into()), t])
    })
    .flatten()
    .collect::<Vec<_>>();
    if tables.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Block::Heading(
            2,
            "Appendix: budget impact under the other costing perspectives".into(),
        ),
        Block::Para(format!(
            "As \"Budget impact by year\" (payment perspective) in the results: each payer's cost, alternative minus the base, paired by replication, by observed year and over all years, mean differences with {UNCLEAR} where the 95% CI includes 0."
        )),
    ];
    out.extend(tables);
    out
}

/// One budget-impact table: a row per alternative and payer with a difference in some year
/// (payer cost metrics `<prefix>payer_*_cost`) and one for all payers (`total`, their sum),
/// a column per observed year and one for all years; each cell the signed mean difference
/// with [`UNCLEAR`] where its 95% CI includes 0. The mean alone, so that thirteen arms and
/// ten years fit a few printed pages. `None` when there is no row.
fn budget_table(kind: &Kind, prefix: &str, total: &str) -> Option<Block> {
    let Kind::Compare {
        arms,
        changes,
        by_year,
        ..
    } = kind
    else {
        return None;
    };
    let years = by_year.iter().map(|r| r.year).max().unwrap_or(0);
    let cell = |(mean, lo, hi): (f64, f64, f64)| {
        let text = signed(mean, money);
        if lo <= 0.0 && hi >= 0.0 && !(lo == 0.0 && hi == 0.0) {
            format!("{text} {UNCLEAR}")
        } else {
            text
        }
    };
    let mut rows = Vec::new();
    for alt in &arms[1..] {
        let payers = Payer::ALL
            .iter()
            .map(|p| (payer_name(*p), format!("{prefix}{}", p.cost_metric())))
            .chain(std::iter::once(("all payers", total.to_string())));
        for (payer, metric) in payers {
            let mine: Vec<&YearDifferenceRow> = by_year
                .iter()
                .filter(|r| r.alternative == alt.name && r.metric == metric)
                .collect();
            // A payer with no difference in any year (the pooled budget when budgets are
            // not pooled) is left out.
            if mine
                .iter()
                .all(|r| r.mean == 0.0 && r.sd.is_none_or(|s| s == 0.0))
            {
                continue;
            }
            let mut row = vec![alt.name.clone(), payer.to_string()];
            row.extend((1..=years).map(|y| {
                mine.iter()
                    .find(|r| r.year == y)
                    .map_or("—".into(), |r| cell(r.difference()))
            }));
            row.push(
                changes
                    .iter()
                    .find(|c| c.alternative == alt.name && c.metric == metric)
                    .map_or("—".into(), |c| cell(c.difference)),
            );
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return None;
    }
    let mut head = vec!["alternative".to_string(), "payer".to_string()];
    head.extend((1..=years).map(|y| format!("year {y}")));
    head.push("all years".into());
    Some(Block::Table(head, rows))
}

/// The mark of a budget-impact difference whose 95% CI includes 0.
const UNCLEAR: &str = "°";

/// A payer in the words of the budget-impact table.
fn payer_name(p: Payer) -> &'static str {
    match p {
        Payer::Hospital => "acute hospital",
        Payer::Community => "community health services",
        Payer::PrimaryCare => "primary care",
        Payer::SocialCare => "social care",
        Payer::Pooled => "pooled budget",
    }
}
