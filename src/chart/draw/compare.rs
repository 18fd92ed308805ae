//! The charts only a comparison has: the change of each key metric from the base (a forest
//! plot) and the cost-effectiveness plane.

use std::path::Path;

use plotters::prelude::*;

use super::{AXIS, FONT, TICKS, TITLE, arms_note, colour, label_width, legend, marked, row_labels};
use crate::chart::data::{Arm, Change, Estimate};
use crate::chart::{ChartError, HEIGHT, money, thousands};
use crate::model::catalogue;

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
