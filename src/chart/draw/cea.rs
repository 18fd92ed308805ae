//! The cost-effectiveness charts of a comparison with QALYs: the acceptability curve
//! (`ceac.png`) and the cost-effectiveness plane in £ against QALYs (`ce_plane_qalys.png`).
//! Both are in the activity perspective with discounted QALYs and costs, as `ceac.csv`.

use std::path::Path;

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    AXIS, Area, FAINT, FONT, Mark, TICKS, TITLE, arms_note, colour, diamond, marked,
    with_side_legend,
};
use crate::chart::data::{Arm, CeResults};
use crate::chart::{ChartError, HEIGHT, money, number, thousands};
use crate::output::cea::{PERSPECTIVES, QALYS};

/// The threshold line's colour: a grey no palette colour is near.
const THRESHOLD: RGBColor = RGBColor(110, 110, 110);

/// The legend entry of the threshold line at `l`, £ per QALY.
fn threshold_entry(l: f64) -> (String, Mark) {
    (
        format!("threshold £{}/QALY", thousands(l, 0)),
        Mark::Dashed(THRESHOLD),
    )
}

/// The CEAC: the probability that each alternative is cost-effective against the base
/// (NMB > 0) at each willingness-to-pay threshold, with the scenario's threshold marked.
/// `None` when the folder has no CEAC rows.
pub(super) fn ceac(arms: &[Arm], ce: &CeResults, dir: &Path) -> Result<Option<String>, ChartError> {
    if ce.ceac.is_empty() {
        return Ok(None);
    }
    let lines: Vec<(String, Vec<(f64, f64)>)> = arms[1..]
        .iter()
        .map(|a| {
            let points = ce
                .ceac
                .iter()
                .filter(|r| r.alternative == a.name)
                .map(|r| (r.threshold, r.probability_cost_effective))
                .collect();
            (marked(&a.name, a.unstable().is_some()), points)
        })
        .collect();
    let x_max = ce
        .ceac
        .iter()
        .map(|r| r.threshold)
        .fold(0.0, f64::max)
        .max(1.0);
    let threshold = ce.threshold();
    let mut entries: Vec<(String, Mark)> = lines
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.clone(), Mark::Line(colour(i + 1))))
        .collect();
    entries.extend(threshold.map(threshold_entry));
    let file = arms_note(arms).png(dir, "ceac.png", HEIGHT, |root| {
        let main = with_side_legend(root, &entries)?;
        let mut chart = ChartBuilder::on(&main)
            .caption(
                format!("Cost-effectiveness acceptability against {}", arms[0].title),
                (FONT, TITLE - 8),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("willingness to pay, £ per QALY (discounted)")
            .y_desc("probability cost-effective (NMB > 0)")
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| format!("£{}", thousands(*v, 0)))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 0.5), (x_max, 0.5)],
            6,
            6,
            BLACK.mix(0.4).stroke_width(1),
        )))?;
        if let Some(l) = threshold {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(l, 0.0), (l, 1.0)],
                10,
                6,
                THRESHOLD.stroke_width(3),
            )))?;
        }
        for (i, (_, points)) in lines.iter().enumerate() {
            let c = colour(i + 1);
            chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(4)))?;
        }
        Ok(())
    })?;
    Ok(Some(file))
}

/// Each alternative's paired (ΔQALYs, Δcost £) per replication, activity perspective;
/// `None` when the arms' `runs.csv` lack the metrics.
fn increments(arms: &[Arm]) -> Option<Vec<Vec<(f64, f64)>>> {
    let cost = PERSPECTIVES[0].1;
    let base = &arms[0].runs;
    let (bq, bc) = (base.get(QALYS)?, base.get(cost)?);
    arms[1..]
        .iter()
        .map(|a| {
            let (aq, ac) = (a.runs.get(QALYS)?, a.runs.get(cost)?);
            Some(
                bq.iter()
                    .zip(aq)
                    .zip(bc.iter().zip(ac))
                    .map(|((b0, b1), (c0, c1))| (b1 - b0, c1 - c0))
                    .filter(|(q, c)| q.is_finite() && c.is_finite())
                    .collect(),
            )
        })
        .collect()
}

/// The part of the line `y = slope · x` inside `[x0, x1] × [y0, y1]`, if any.
fn clip_ray(slope: f64, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Option<[(f64, f64); 2]> {
    let (lo, hi) = if slope == 0.0 {
        (x0, x1)
    } else {
        let (a, b) = (y0 / slope, y1 / slope);
        (x0.max(a.min(b)), x1.min(a.max(b)))
    };
    (lo < hi).then_some([(lo, slope * lo), (hi, slope * hi)])
}

/// Half-width of a symmetric axis around 0 holding `values` with a margin (1 when they are
/// all 0, so that the quadrants still show).
fn half_range(values: impl Iterator<Item = f64>) -> f64 {
    let m = values.map(f64::abs).fold(0.0, f64::max);
    if m > 0.0 { m * 1.15 } else { 1.0 }
}

/// The cost-effectiveness plane: Δcost (£) against ΔQALYs, each alternative's replications
/// as faint points and its mean as a diamond, the threshold line Δcost = λ ΔQALYs (below it
/// is cost-effective), the quadrants labelled. `None` without the metrics.
pub(super) fn ce_plane_qalys(
    arms: &[Arm],
    ce: &CeResults,
    dir: &Path,
) -> Result<Option<String>, ChartError> {
    let Some(clouds) = increments(arms) else {
        return Ok(None);
    };
    let means: Vec<Option<(f64, f64)>> = arms[1..]
        .iter()
        .map(|a| ce.activity(&a.name).map(|r| (r.delta_qalys, r.delta_cost)))
        .collect();
    let all = || clouds.iter().flatten().chain(means.iter().flatten());
    let xr = half_range(all().map(|p| p.0));
    let yr = half_range(all().map(|p| p.1));
    let threshold = ce.threshold();
    // One entry per arm (its mean's diamond), and one saying what the faint dots are: a
    // legend of two entries per arm overflows the chart's height with a dozen arms.
    let mut entries = Vec::new();
    for (i, arm) in arms[1..].iter().enumerate() {
        let (name, c) = (marked(&arm.name, arm.unstable().is_some()), colour(i + 1));
        entries.push((
            name,
            if means[i].is_some() {
                Mark::Mean(c)
            } else {
                Mark::Dot(c)
            },
        ));
    }
    entries.push((
        "(dots: one replication each)".to_owned(),
        Mark::Dot(THRESHOLD),
    ));
    entries.extend(threshold.map(threshold_entry));
    let file = arms_note(arms).png(dir, "ce_plane_qalys.png", HEIGHT, |root| {
        let main = with_side_legend(root, &entries)?;
        let mut chart = ChartBuilder::on(&main)
            .caption(
                format!("Cost-effectiveness plane against {}", arms[0].title),
                (FONT, TITLE - 8),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(-xr..xr, -yr..yr)?;
        chart
            .configure_mesh()
            .x_desc("incremental QALYs (discounted)")
            .y_desc("incremental cost (discounted), £")
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| number(*v))
            .y_label_formatter(&|v| money(*v))
            .light_line_style(WHITE)
            .draw()?;
        for axis in [[(-xr, 0.0), (xr, 0.0)], [(0.0, -yr), (0.0, yr)]] {
            chart.draw_series(std::iter::once(PathElement::new(
                axis.to_vec(),
                BLACK.stroke_width(2),
            )))?;
        }
        quadrant_labels(&main, &chart, xr, yr)?;
        if let Some(l) = threshold
            && let Some(line) = clip_ray(l, (-xr, xr), (-yr, yr))
        {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                line.to_vec(),
                10,
                6,
                THRESHOLD.stroke_width(3),
            )))?;
        }
        for (i, cloud) in clouds.iter().enumerate() {
            let c = colour(i + 1);
            chart.draw_series(
                cloud
                    .iter()
                    .map(|&p| Circle::new(p, 5, c.mix(FAINT).filled())),
            )?;
        }
        // Means on top of every cloud, so that no arm's points hide another's mean.
        for (i, m) in means.iter().enumerate() {
            if let Some(m) = m {
                let (bx, by) = main.get_base_pixel();
                let (px, py) = chart.backend_coord(m);
                diamond(&main, (px - bx, py - by), colour(i + 1))?;
            }
        }
        Ok(())
    })?;
    Ok(Some(file))
}

/// Name the four quadrants in the corners of the plotting area.
fn quadrant_labels(
    area: &Area,
    chart: &super::Chart2d,
    xr: f64,
    yr: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let (bx, by) = area.get_base_pixel();
    let corners = [
        (xr, yr, HPos::Right, VPos::Top, "more QALYs, more cost"),
        (-xr, yr, HPos::Left, VPos::Top, "dominated"),
        (xr, -yr, HPos::Right, VPos::Bottom, "dominant"),
        (-xr, -yr, HPos::Left, VPos::Bottom, "cheaper, fewer QALYs"),
    ];
    for (x, y, h, v, text) in corners {
        let (px, py) = chart.backend_coord(&(x, y));
        let dx = if matches!(h, HPos::Right) { -12 } else { 12 };
        let dy = if matches!(v, VPos::Top) { 10 } else { -10 };
        area.draw(&Text::new(
            text,
            (px - bx + dx, py - by + dy),
            (FONT, TICKS)
                .into_font()
                .color(&THRESHOLD)
                .pos(Pos::new(h, v)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_line_is_clipped_to_the_plot() {
        // y = 2x in [−1, 1] × [−1, 1]: from (−0.5, −1) to (0.5, 1).
        assert_eq!(
            clip_ray(2.0, (-1.0, 1.0), (-1.0, 1.0)),
            Some([(-0.5, -1.0), (0.5, 1.0)])
        );
        // A shallow line spans the width.
        assert_eq!(
            clip_ray(0.5, (-1.0, 1.0), (-1.0, 1.0)),
            Some([(-1.0, -0.5), (1.0, 0.5)])
        );
        assert_eq!(
            clip_ray(0.0, (-1.0, 1.0), (-3.0, 3.0)),
            Some([(-1.0, 0.0), (1.0, 0.0)])
        );
        assert_eq!(half_range([0.0, -0.0].into_iter()), 1.0);
    }
}
