//! The charts only a comparison has: the change of each key metric from the base (a forest
//! plot), the cost-effectiveness plane, and the budget impact by year and payer.

use std::path::Path;

use plotters::prelude::*;

use super::{
    AXIS, Area, FONT, LEGEND, Mark, TICKS, TITLE, arms_note, colour, column_labels, label_width,
    marked, row_labels, with_side_legend,
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

/// Height of the forest plot's heading, pixels.
const FOREST_HEAD: u32 = 150;

/// Change from the base with 95% CIs: one panel per key metric (each on its own scale, so
/// that a 500% change in delayed bed-days does not flatten a 2% change in bed-days), one
/// row per alternative in its arm colour, in the same order in every panel.
pub(super) fn forest(arms: &[Arm], changes: &[Change], dir: &Path) -> Result<String, ChartError> {
    let alts = &arms[1..];
    let metrics = forest_rows();
    let panel = 150 + 46 * alts.len() as u32;
    let height = FOREST_HEAD + panel * metrics.len() as u32;
    let labels = label_width(alts.iter().map(|a| a.name.chars().count() + 2));
    arms_note(arms).png(dir, "change_vs_base.png", height, |root| {
        let (top, body) = root.split_vertically(FOREST_HEAD);
        top.draw(&Text::new(
            format!("Change from {} (paired 95% CI)", arms[0].title),
            (40, 24),
            (FONT, TITLE - 6).into_font(),
        ))?;
        top.draw(&Text::new(
            "Lower is better for every metric here: a point left of the 0 line is an improvement. Each panel has its own scale.",
            (40, 92),
            (FONT, LEGEND).into_font(),
        ))?;
        for (area, (metric, label)) in body.split_evenly((metrics.len(), 1)).iter().zip(metrics) {
            let rows: Vec<Option<Estimate>> = alts
                .iter()
                .map(|a| {
                    changes
                        .iter()
                        .find(|c| c.alternative == a.name && c.metric == metric)
                        .and_then(|c| c.relative)
                        .map(|r| (r.0 * 100.0, r.1 * 100.0, r.2 * 100.0))
                })
                .collect();
            forest_panel(area, label, alts, &rows, labels)?;
        }
        Ok(())
    })
}

/// One panel of the forest plot: `rows` (each alternative's relative change and its CI,
/// %, if any) for the metric `label`, the first alternative at the top.
fn forest_panel(
    area: &Area,
    label: &str,
    alts: &[Arm],
    rows: &[Option<Estimate>],
    label_area: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    // An unbounded CI (the base mean not clearly different from 0) has no bar: the point is
    // drawn with a note, and the axis spans the finite ends only.
    let bounded = |e: &Estimate| e.1.is_finite() && e.2.is_finite();
    let ends = |e: &Estimate| if bounded(e) { (e.1, e.2) } else { (e.0, e.0) };
    let lo = rows.iter().flatten().map(|e| ends(e).0).fold(0.0, f64::min);
    let hi = rows.iter().flatten().map(|e| ends(e).1).fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.08).max(1.0);
    let n = alts.len();
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{label}: % change from the base"), (FONT, AXIS))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(label_area)
        .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .label_style((FONT, TICKS - 2))
        .x_label_formatter(&|v| format!("{}%", signed(*v)))
        .y_label_formatter(&|_| String::new())
        .y_labels(0)
        .x_labels(8)
        .light_line_style(WHITE)
        .disable_y_mesh()
        .draw()?;
    let names: Vec<(f64, String)> = alts
        .iter()
        .enumerate()
        .map(|(i, a)| ((n - 1 - i) as f64, marked(&a.name, a.unstable().is_some())))
        .collect();
    row_labels(area, &chart, lo - pad, &names)?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, (n as f64 - 0.5))],
        BLACK.stroke_width(2),
    )))?;
    for (i, e) in rows.iter().enumerate() {
        let Some(e) = *e else {
            continue;
        };
        let (c, row) = (colour(i + 1), (n - 1 - i) as f64);
        if bounded(&e) {
            chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                row,
                e.1,
                e.0,
                e.2,
                c.stroke_width(3),
                14,
            )))?;
        } else {
            // On the side of the point with more room.
            let (text, side) = if e.0 < f64::midpoint(lo, hi) {
                ("   95% CI unbounded", HPos::Left)
            } else {
                ("95% CI unbounded   ", HPos::Right)
            };
            chart.draw_series(std::iter::once(Text::new(
                text,
                (e.0, row),
                (FONT, TICKS - 2)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(side, VPos::Center)),
            )))?;
        }
        chart.draw_series(std::iter::once(Circle::new((e.0, row), 8, c.filled())))?;
    }
    Ok(())
}

/// `x` with an explicit `+` when positive and a true minus sign when negative.
fn signed(x: f64) -> String {
    let s = thousands(x.abs(), 0);
    if s.chars().all(|c| c == '0' || c == ',') {
        s
    } else if x > 0.0 {
        format!("+{s}")
    } else {
        format!("\u{2212}{s}")
    }
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
    let entries: Vec<(String, Mark)> = arms[1..]
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                marked(&a.name, a.unstable().is_some()),
                Mark::Point(colour(i + 1)),
            )
        })
        .collect();
    arms_note(arms).png(dir, "ce_plane.png", HEIGHT, |root| {
        let root = &with_side_legend(root, &entries)?;
        let all = clouds.iter().flatten();
        let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        for &(x, y) in all {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        let (px, py) = (((x1 - x0) * 0.08).max(1.0), ((y1 - y0) * 0.08).max(1.0));
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Bed-days and cost against {} (one point per replication)",
                    base.title
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
        for (i, cloud) in clouds.iter().enumerate() {
            let c = colour(i + 1);
            chart.draw_series(
                cloud
                    .iter()
                    .map(|&p| Circle::new(p, 5, c.mix(0.75).filled())),
            )?;
        }
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
                arms[0].title
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
