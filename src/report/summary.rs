//! The report's opening and its results: the title, what was run, the warning about
//! results with no steady state, and the table of key results with their CIs.

use super::{Block, Folder, MARK};
use crate::chart::{self, Arm, Kind, money, thousands};
use crate::model::catalogue;

/// The title, the scenario's description, and what was run: replications, days, warm-up,
/// seed.
pub(super) fn opening(folder: &Folder) -> Vec<Block> {
    let manifest = &folder.manifest;
    let sc = &manifest.scenario;
    let name = &sc.name;
    // A folder written before titles existed: the title made from the name.
    let title = if sc.title.is_empty() {
        crate::scenario::title_from_name(name)
    } else {
        sc.title.clone()
    };
    let title = match &folder.kind {
        Kind::Run(_) => format!("caresim report: {title}"),
        Kind::Compare { arms, .. } => format!(
            "caresim report: {} alternative{} compared with {}",
            arms.len() - 1,
            if arms.len() == 2 { "" } else { "s" },
            title
        ),
        Kind::Sweep { points, .. } => {
            format!("caresim report: sweep of {name} ({} points)", points.len())
        }
    };
    let (horizon, warmup) = (sc.params.horizon_days, sc.params.warmup_days);
    let (reps, seed) = (manifest.replications, manifest.seed);
    vec![
        Block::Heading(1, title),
        Block::Para(sc.description.clone()),
        Block::Para(format!(
            "{reps} replication{} of {} simulated days each ({} of warm-up excluded from every statistic), base seed {seed}. Counts and costs are totals over the {} observed days; ranges are 95% confidence intervals of the mean across replications (Student's t).",
            if reps == 1 { "" } else { "s" },
            thousands(horizon, 0),
            thousands(warmup, 0),
            thousands(horizon - warmup, 0)
        )),
    ]
}

/// The warning about runs, arms or sweep points with replications that reached no steady
/// state (issue 11, defect 7), if any: which, which pools, in what share of replications,
/// and what it means.
pub(super) fn unstable_warning(kind: &Kind, flagged: &[chart::Flagged]) -> Option<Block> {
    if flagged.is_empty() {
        return None;
    }
    let items = flagged
        .iter()
        .map(|f| {
            format!(
                "{}: no steady state in {} of replications (by pool: {})",
                f.label,
                chart::percent(f.unstable.share),
                f.unstable.pools_text()
            )
        })
        .collect();
    let (what, then) = match kind {
        Kind::Run(_) => ("This run", ""),
        Kind::Compare { .. } => (
            "Some arms of this comparison",
            " Differences from such an arm grow with the horizon too.",
        ),
        Kind::Sweep { points, .. } => (
            if flagged.len() == points.len() {
                "Every point of this sweep"
            } else {
                "Some points of this sweep"
            },
            " Read the sweep for where the flag clears.",
        ),
    };
    Some(Block::Warning(
        format!("{MARK}No steady state: results that grow with the horizon"),
        items,
        format!(
            "{what} had replications in which a pool (the acute beds or a community service) never reached a steady state: it was full on at least 99% of the census days of the last third of the observed period, and its mean waiting line in the second half of that third was at least 5% and one patient longer than in the first. Demand there exceeds capacity, so its waits, delays and bed-days (and the costs that follow them) depend on the horizon — a longer run gives larger numbers — not on the system, and their confidence intervals describe the run length. Do not read them as the system's performance: compare stable alternatives, or add capacity (beds or places) until the flag clears.{then} Marked {MARK}in the tables and charts below; `unstable` and `unstable_<pool>` in `runs.csv` give each replication's flags."
        ),
    ))
}

/// Mark the rows (first cell) and columns (header) of the result `tables` that name a
/// `flagged` arm or sweep point; a sweep's point table also gains the share of replications
/// with no steady state.
pub(super) fn mark_unstable(tables: &mut [Block], kind: &Kind, flagged: &[chart::Flagged]) {
    if flagged.is_empty() {
        return;
    }
    let names: Vec<String> = match kind {
        Kind::Sweep { .. } => flagged.iter().map(|f| f.index.to_string()).collect(),
        _ => flagged.iter().map(|f| f.label.clone()).collect(),
    };
    for b in tables {
        let Block::Table(header, rows) = b else {
            continue;
        };
        for h in header.iter_mut().skip(1) {
            if names.contains(h) {
                h.insert_str(0, MARK);
            }
        }
        let sweep =
            matches!(kind, Kind::Sweep { .. }) && header.first().is_some_and(|h| h == "point");
        if sweep {
            header.push("no steady state (share of replications)".into());
        }
        for row in rows.iter_mut() {
            let Some(first) = row.first_mut() else {
                continue;
            };
            let hit = flagged.iter().zip(&names).find(|(_, n)| *n == first);
            if sweep {
                let share = hit.map_or("none".to_string(), |(f, _)| {
                    format!(
                        "{} ({})",
                        chart::percent(f.unstable.share),
                        f.unstable.pools_text()
                    )
                });
                if hit.is_some() {
                    first.insert_str(0, MARK);
                }
                row.push(share);
            } else if hit.is_some() {
                first.insert_str(0, MARK);
            }
        }
    }
}

/// The key results reported (the catalogue's [`REPORT_KEY`](catalogue::REPORT_KEY)), with
/// their labels and how to show them.
fn key() -> impl Iterator<Item = (&'static str, &'static str, Fmt)> {
    catalogue::REPORT_KEY
        .into_iter()
        .map(|m| (m, catalogue::metric(m).label, fmt_of(m)))
}

/// How the report writes the numbers of metric `m`, from the catalogue.
pub(super) fn fmt_of(m: &str) -> Fmt {
    match catalogue::metric(m).format {
        catalogue::Format::Count => Fmt::Count,
        catalogue::Format::Money => Fmt::Money,
        catalogue::Format::Small | catalogue::Format::Share => Fmt::Small,
    }
}

/// How a metric's numbers are written in the report.
#[derive(Clone, Copy)]
pub(super) enum Fmt {
    Count,
    Small,
    Money,
}

/// `v` written as `f` says.
fn show(v: f64, f: Fmt) -> String {
    match f {
        Fmt::Count => thousands(v, 0),
        Fmt::Small => thousands(v, 2),
        Fmt::Money => money(v),
    }
}

/// `v` written as `f` says, with an explicit `+` when it is above 0 and does not show as 0
/// (a difference).
pub(super) fn show_signed(v: f64, f: Fmt) -> String {
    chart::signed(v, |size| show(size, f))
}

/// A difference and its 95% CI, every number signed: `+12 (−3 to +27)`.
pub(super) fn signed_with_ci(e: (f64, f64, f64), f: Fmt) -> String {
    if e.1 == e.0 && e.2 == e.0 {
        show_signed(e.0, f)
    } else {
        format!(
            "{} ({} to {})",
            show_signed(e.0, f),
            show_signed(e.1, f),
            show_signed(e.2, f)
        )
    }
}

/// A mean and its 95% CI: `12 (10 to 14)`, or the mean alone when there is no CI.
pub(super) fn with_ci(e: (f64, f64, f64), f: Fmt) -> String {
    if e.1 == e.0 && e.2 == e.0 {
        show(e.0, f)
    } else {
        format!("{} ({} to {})", show(e.0, f), show(e.1, f), show(e.2, f))
    }
}

/// The key results of each of `arms` (one column each), with their 95% CIs, and the
/// replications with no steady state when any arm had them.
pub(super) fn results_table(arms: &[&Arm]) -> Block {
    let mut header = vec!["result (over the observed period; mean and 95% CI)".to_string()];
    header.extend(arms.iter().map(|a| a.name.clone()));
    let mut rows = key()
        .filter(|(m, _, _)| arms.iter().any(|a| a.summary.contains_key(*m)))
        .map(|(m, label, f)| {
            let mut row = vec![label.to_string()];
            row.extend(
                arms.iter()
                    .map(|a| a.summary.get(m).map_or("—".into(), |e| with_ci(*e, f))),
            );
            row
        })
        .collect::<Vec<_>>();
    // Replications with no steady state, when any arm had them.
    if arms.iter().any(|a| a.unstable().is_some()) {
        let mut row = vec!["replications with no steady state (by pool)".to_string()];
        row.extend(arms.iter().map(|a| {
            a.unstable().map_or("none".into(), |u| {
                format!("{MARK}{} ({})", chart::percent(u.share), u.pools_text())
            })
        }));
        rows.push(row);
    }
    if arms.len() == 1 {
        return Block::Table(header, rows);
    }
    // Several arms: one row per arm and one column per result, the CI under the mean, so
    // that the table splits into parts that fit a page by results, each comparing every
    // arm (see `layout`).
    let mut t_header = vec!["scenario (mean and 95% CI over the observed period)".to_string()];
    t_header.extend(rows.iter().map(|r| r[0].clone()));
    let t_rows = (0..arms.len())
        .map(|i| {
            let mut row = vec![header[i + 1].clone()];
            row.extend(rows.iter().map(|r| r[i + 1].replacen(" (", "\n(", 1)));
            row
        })
        .collect();
    Block::Table(t_header, t_rows)
}
