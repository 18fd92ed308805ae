//! The charts only a comparison has: the change of each key metric from the base (a forest
//! plot), the cost-effectiveness plane, and the budget impact by year and payer.

use std::path::Path;

use plotters::prelude::*;

use super::{
    AXIS, Area, FONT, LEGEND, TICKS, TITLE, arms_note, colour, column_labels, label_width, legend,
    marked, row_labels,
};
use crate::chart::data::{Arm, Change, Estimate};
use crate::chart::{ChartError, HEIGHT, money, thousands};
use crate::model::Payer;
use crate::model::catalogue;
use crate::output::schema::YearDifferenceRow;

/// The key metrics of the forest plot: (metric, short label), from the catalogue.
fn forest_rows() -> [(&'static str, &'static str); 5] {
    catalogue::KEY_CHANGES.map(|m| (m, catalogue::metric(m).short))
}

/// Change from the base with 95% CIs, one row per alternative × key metric.
pub(super) fn forest(arms: &[Arm], changes: &[Change], dir: &Path) -> Result<String, ChartError> {
    let alts: Vec<&str> = arms[1..].iter().map(|a| a.name.as_str()).collect();
    let mut rows: Vec<(String, usize, Estimate)> = Vec::new();
    let forest_rows = forest_rows();
    for (k, (metric, _)) in forest_rows.iter().enumerate() {
        for alt in &alts {
            let relative = changes
                .iter()
                .find(|c| c.alternative == *alt && c.metric == *metric)
                .and_then(|c| c.relative);
            if let Some(r) = relative {
                rows.push((alt.to_string(), k, (r.0 * 100.0, r.1 * 100.0, r.2 * 100.0)));
            }
        }
    }
    let n = rows.len().max(1);
    let height = HEIGHT.max(240 + 40 * n as u32);
    // An unbounded CI (the base mean not clearly different from 0) has no bar: the point is
    // drawn with a note, and the axis spans the finite ends only.
    let bounded = |e: &Estimate| e.1.is_finite() && e.2.is_finite();
    arms_note(arms).png(dir, "change_vs_base.png", height, |root| {
        let ends = |e: &Estimate| if bounded(e) { (e.1, e.2) } else { (e.0, e.0) };
        let lo = rows.iter().map(|r| ends(&r.2).0).fold(0.0, f64::min);
        let hi = rows.iter().map(|r| ends(&r.2).1).fold(0.0, f64::max);
        let pad = ((hi - lo) * 0.08).max(1.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Change from {} (paired 95% CI)", arms[0].name),
                (FONT, TITLE - 6),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(label_width(alts.iter().map(|a| a.len())))
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .x_desc("change from the base, % of the base mean")
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS - 2))
            .x_label_formatter(&|v| format!("{}%", thousands(*v, 0)))
            .y_label_formatter(&|_| String::new())
            .y_labels(0)
            .y_labels(n)
            .light_line_style(WHITE)
            .disable_y_mesh()
            .draw()?;
        row_labels(
            root,
            &chart,
            lo - pad,
            &rows
                .iter()
                .enumerate()
                .map(|(i, r)| ((n - 1 - i) as f64, r.0.clone()))
                .collect::<Vec<_>>(),
        )?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, (n as f64 - 0.5))],
            BLACK.stroke_width(2),
        )))?;
        for (k, (_, label)) in forest_rows.iter().enumerate() {
            let c = colour(k);
            let mine: Vec<(usize, Estimate)> = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.1 == k)
                .map(|(i, r)| (n - 1 - i, r.2))
                .collect();
            if mine.is_empty() {
                continue;
            }
            chart.draw_series(mine.iter().filter(|(_, e)| bounded(e)).map(|&(row, e)| {
                ErrorBar::new_horizontal(row as f64, e.1, e.0, e.2, c.stroke_width(3), 16)
            }))?;
            chart.draw_series(mine.iter().filter(|(_, e)| !bounded(e)).map(|&(row, e)| {
                use plotters::style::text_anchor::{HPos, Pos, VPos};
                // On the side of the point with more room.
                let (text, side) = if e.0 < f64::midpoint(lo, hi) {
                    ("   95% CI unbounded", HPos::Left)
                } else {
                    ("95% CI unbounded   ", HPos::Right)
                };
                Text::new(
                    text,
                    (e.0, row as f64),
                    (FONT, TICKS - 2)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(side, VPos::Center)),
                )
            }))?;
            chart
                .draw_series(
                    mine.iter()
                        .map(|&(row, e)| Circle::new((e.0, (row as f64)), 7, c.filled())),
                )?
                .label(*label)
                .legend(move |(x, y)| Circle::new((x + 10, y), 7, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok(())
    })
}

/// Incremental cost against bed-days saved, one point per replication and alternative.
pub(super) fn ce_plane(arms: &[Arm], dir: &Path) -> Result<String, ChartError> {
    let base = &arms[0];
    let get = |a: &Arm, m: &str| a.runs.get(m).cloned().unwrap_or_default();
    let [effect, cost] = catalogue::CE_AXES;
    let (bb, bc) = (get(base, effect), get(base, cost));
    let clouds: Vec<Vec<(f64, f64)>> = arms[1..]
        .iter()
        .map(|a| {
            let (ab, ac) = (get(a, effect), get(a, cost));
            bb.iter()
                .zip(&ab)
                .zip(bc.iter().zip(&ac))
                .map(|((b0, b1), (c0, c1))| (b0 - b1, c1 - c0))
                .collect()
        })
        .collect();
    arms_note(arms).png(dir, "ce_plane.png", HEIGHT, |root| {
        let all = clouds.iter().flatten();
        let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for &(x, y) in all {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        let (px, py) = (((x1 - x0) * 0.08).max(1.0), ((y1 - y0) * 0.08).max(1.0));
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Cost-effectiveness plane against {} (one point per replication)",
                    base.name
                ),
                (FONT, TITLE - 8),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d((x0 - px)..(x1 + px), (y0 - py)..(y1 + py))?;
        chart
            .configure_mesh()
            .x_desc("acute bed-days saved over the observed period")
            .y_desc("incremental cost, £")
            .axis_desc_style((FONT, AXIS))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| thousands(*v, 0))
            .y_label_formatter(&|v| money(*v))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0 - px, 0.0), (x1 + px, 0.0)],
            BLACK.stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, y0 - py), (0.0, y1 + py)],
            BLACK.stroke_width(2),
        )))?;
        for (i, (cloud, arm)) in clouds.iter().zip(&arms[1..]).enumerate() {
            let c = colour(i);
            chart
                .draw_series(
                    cloud
                        .iter()
                        .map(|&p| Circle::new(p, 5, c.mix(0.75).filled())),
                )?
                .label(marked(&arm.name, arm.unstable().is_some()))
                .legend(move |(x, y)| Circle::new((x + 10, y), 7, c.filled()));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// The perspectives the budget-impact chart shows, one panel each: (title, the payer cost
/// metric's prefix). Activity prices what each payer's services did; payments are what
/// each payer paid under the payment rules (metrics results written before payments
/// existed lack: then that panel is left out).
const PERSPECTIVES: [(&str, &str); 2] = [("activity cost", ""), ("payments", "payment_")];

/// `payer_hospital_cost` → `hospital`: a payer's name in legends.
fn payer_name(p: Payer) -> String {
    p.cost_metric()
        .trim_start_matches("payer_")
        .trim_end_matches("_cost")
        .replace('_', " ")
}

/// One bar of the budget-impact chart: the payer's index in [`Payer::ALL`], the year, the
/// mean difference and its 95% CI, £.
type YearBar = (usize, usize, Estimate);

/// The bars of alternative `alt` in perspective `prefix`: each payer's paired difference in
/// each year.
fn year_bars(by_year: &[YearDifferenceRow], alt: &str, prefix: &str) -> Vec<YearBar> {
    by_year
        .iter()
        .filter(|r| r.alternative == alt)
        .filter_map(|r| {
            let k = Payer::ALL
                .iter()
                .position(|p| r.metric == format!("{prefix}{}", p.cost_metric()))?;
            Some((k, r.year, r.difference()))
        })
        .collect()
}

/// Budget impact by year: each alternative's paired difference from the base in each
/// payer's cost, by observed year, bars grouped by payer with 95% CIs; one row of panels per
/// alternative, the activity perspective and (when recorded) payments side by side. `None`
/// when the results have no payer costs by year (results written before they existed).
pub(super) fn budget_impact_by_year(
    arms: &[Arm],
    by_year: &[YearDifferenceRow],
    dir: &Path,
) -> Result<Option<String>, ChartError> {
    let alts: Vec<&Arm> = arms[1..].iter().collect();
    // cells[i][j]: alternative i, perspective j.
    let cells: Vec<Vec<Vec<YearBar>>> = alts
        .iter()
        .map(|a| {
            PERSPECTIVES
                .iter()
                .map(|(_, prefix)| year_bars(by_year, &a.name, prefix))
                .collect()
        })
        .collect();
    let shown: Vec<usize> = (0..PERSPECTIVES.len())
        .filter(|&j| cells.iter().any(|row| !row[j].is_empty()))
        .collect();
    if alts.is_empty() || !shown.contains(&0) {
        return Ok(None);
    }
    let all = || {
        cells
            .iter()
            .flat_map(|row| shown.iter().flat_map(|&j| &row[j]))
    };
    let years = all().map(|b| b.1).max().unwrap_or(1);
    // A payer with no cost difference anywhere (the pooled budget when it is not pooled)
    // gets no bar and no legend entry; with none at all, every payer is shown at 0.
    let mut payers: Vec<usize> = (0..Payer::ALL.len())
        .filter(|&k| all().any(|b| b.0 == k && (b.2.0 != 0.0 || b.2.1 != b.2.2)))
        .collect();
    if payers.is_empty() {
        payers = (0..Payer::ALL.len()).collect();
    }
    // Each alternative's row on its own scale (its two perspectives share it): a pooled
    // budget's transfers between payers are ten times any other arm's differences, and on
    // one scale would flatten them to nothing.
    let row_range = |i: usize| {
        let (lo, hi) = shown
            .iter()
            .flat_map(|&j| &cells[i][j])
            .fold((0.0f64, 0.0f64), |(lo, hi), b| {
                (lo.min(b.2.1.min(b.2.0)), hi.max(b.2.2.max(b.2.0)))
            });
        let pad = ((hi - lo) * 0.08).max(1.0);
        (lo - pad, hi + pad)
    };
    let head = 150;
    let height = HEIGHT.max(head + 520 * alts.len() as u32);
    let file = "budget_impact_by_year.png";
    let drawn = arms_note(arms).png(dir, file, height, |root| {
        let (top, grid) = root.split_vertically(head);
        top.draw(&Text::new(
            format!(
                "Budget impact by year and payer: alternative − {} (paired 95% CI)",
                arms[0].name
            ),
            (40, 20),
            (FONT, TITLE - 8).into_font(),
        ))?;
        // The legend above the panels, outside every plotting area.
        let mut x = 40;
        for &k in &payers {
            let c = colour(k);
            top.draw(&Rectangle::new([(x, 92), (x + 28, 116)], c.filled()))?;
            let name = payer_name(Payer::ALL[k]);
            top.draw(&Text::new(
                name.clone(),
                (x + 38, 92),
                (FONT, LEGEND).into_font(),
            ))?;
            x += 70 + 15 * name.chars().count() as i32;
        }
        let panels = grid.split_evenly((alts.len(), shown.len()));
        for (p, area) in panels.iter().enumerate() {
            let (i, j) = (p / shown.len(), shown[p % shown.len()]);
            let title = format!(
                "{}: {}",
                marked(&alts[i].name, alts[i].unstable().is_some()),
                PERSPECTIVES[j].0
            );
            year_panel(area, &title, &cells[i][j], &payers, years, row_range(i))?;
        }
        Ok(())
    })?;
    Ok(Some(drawn))
}

/// One panel of the budget-impact chart: `bars` grouped by year (`years` of them), one bar
/// per payer of `payers` with its 95% CI, on a £ axis over `range`, with a zero line.
fn year_panel(
    area: &Area,
    title: &str,
    bars: &[YearBar],
    payers: &[usize],
    years: usize,
    range: (f64, f64),
) -> Result<(), Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, AXIS))
        .margin(24)
        .x_label_area_size(80)
        .y_label_area_size(150)
        .build_cartesian_2d(0.5..(years as f64 + 0.5), range.0..range.1)?;
    chart
        .configure_mesh()
        .x_desc("observed year")
        .y_desc("difference in cost, £")
        .axis_desc_style((FONT, AXIS - 6))
        .label_style((FONT, TICKS))
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(&|v| money(*v))
        .disable_x_mesh()
        .light_line_style(WHITE)
        .draw()?;
    let labels: Vec<(f64, String)> = (1..=years).map(|y| (y as f64, y.to_string())).collect();
    column_labels(area, &chart, range.0, &labels)?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.5, 0.0), (years as f64 + 0.5, 0.0)],
        BLACK.stroke_width(2),
    )))?;
    let width = 0.8 / payers.len().max(1) as f64;
    for (slot, &k) in payers.iter().enumerate() {
        let c = colour(k);
        let mine: Vec<(f64, Estimate)> = bars
            .iter()
            .filter(|b| b.0 == k)
            .map(|b| (b.1 as f64 - 0.4 + width * (slot as f64 + 0.5), b.2))
            .collect();
        chart.draw_series(mine.iter().map(|&(x, e)| {
            Rectangle::new(
                [(x - width * 0.45, 0.0), (x + width * 0.45, e.0)],
                c.mix(0.85).filled(),
            )
        }))?;
        chart.draw_series(
            mine.iter()
                .filter(|(_, e)| e.1 != e.2)
                .map(|&(x, e)| ErrorBar::new_vertical(x, e.1, e.0, e.2, BLACK.stroke_width(2), 10)),
        )?;
    }
    Ok(())
}
