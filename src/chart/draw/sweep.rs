//! A sweep's charts, one per swept metric: a tornado for a one-way design, a line over the
//! values of one swept key, a heat map over two, bars of every point over more.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use super::{
    AXIS, Area, FONT, Note, TICKS, TITLE, WARN, bar_height, bars, colour, column_labels,
    label_width, legend, marked, points_note, row_labels,
};
use crate::chart::data::{Arm, Estimate, SweepPoint};
use crate::chart::{ChartError, HEIGHT, WIDTH, money, number, thousands};
use crate::experiment::sweep::Design;
use crate::model::catalogue;

/// Metrics drawn for sweeps, from the catalogue: (metric, label with unit, money?).
fn swept() -> [(&'static str, String, bool); 3] {
    catalogue::SWEPT.map(|m| {
        let info = catalogue::metric(m);
        let money = info.format == catalogue::Format::Money;
        let unit = if money { ", £" } else { "" };
        (
            m,
            format!("{} over the observed period{unit}", info.label),
            money,
        )
    })
}

/// A swept value as written: `70`, `0.25`, `1,500`.
fn value(v: f64) -> String {
    if v.fract() == 0.0 {
        thousands(v, 0)
    } else {
        let t = format!("{v:.4}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn fmt_metric(money_: bool) -> impl Fn(f64) -> String {
    move |v| if money_ { money(v) } else { number(v) }
}

/// One chart of a sweep: the sweep, the metric drawn and the file it is drawn into.
#[derive(Clone, Copy)]
struct SweepChart<'a> {
    /// The scenario's name.
    name: &'a str,
    /// The swept keys.
    columns: &'a [String],
    /// The points, in the sweep's order.
    points: &'a [SweepPoint],
    /// The metric drawn.
    metric: &'a str,
    /// Its label, with the unit.
    label: &'a str,
    /// How its values are written.
    f: &'a dyn Fn(f64) -> String,
    /// The charts folder.
    dir: &'a Path,
    /// The chart's file name.
    file: &'a str,
}

/// Every chart of the sweep `name` over `columns`, into `dir`; their names are added to
/// `files`.
pub(super) fn sweep_charts(
    name: &str,
    columns: &[String],
    design: Design,
    points: &[SweepPoint],
    dir: &Path,
    files: &mut Vec<String>,
) -> Result<(), ChartError> {
    // A one-way design of one key is a line over its values like a grid's.
    let one_way = design == Design::OneWay && columns.len() > 1;
    let flags = points_note(columns, points);
    for (metric, label, is_money) in swept() {
        let file = format!("sweep_{metric}.png");
        let f = fmt_metric(is_money);
        let chart = SweepChart {
            name,
            columns,
            points,
            metric,
            label: &label,
            f: &f,
            dir,
            file: &file,
        };
        files.push(if one_way {
            tornado(chart)?
        } else if columns.len() == 1 {
            line(chart, &flags)?
        } else if columns.len() == 2 {
            heatmap(chart)?
        } else {
            point_bars(chart, &flags)?
        });
    }
    Ok(())
}

/// The metric's mean and 95% CI over the values of the one swept key, points with no
/// steady state ringed.
fn line(c: SweepChart, flags: &Note) -> Result<String, ChartError> {
    let SweepChart {
        name,
        columns,
        points,
        metric,
        label,
        f,
        dir,
        file,
    } = c;
    let get = |p: &SweepPoint, m: &str| {
        p.metrics
            .get(m)
            .copied()
            .unwrap_or((f64::NAN, f64::NAN, f64::NAN))
    };
    flags.png(dir, file, HEIGHT, |root| {
        let xs: Vec<f64> = points.iter().map(|p| p.values[0]).collect();
        let es: Vec<Estimate> = points.iter().map(|p| get(p, metric)).collect();
        let (x0, x1) = (
            xs.iter().copied().fold(f64::INFINITY, f64::min),
            xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        let y1 = es.iter().map(|e| e.2).fold(0.0, f64::max) * 1.1;
        let y0 = es
            .iter()
            .map(|e| e.1)
            .fold(f64::INFINITY, f64::min)
            .min(0.0);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "{name}: {} over {}",
                    label.split(" over").next().unwrap_or(label),
                    columns[0]
                ),
                (FONT, TITLE - 6),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(x0..x1.max(x0 + 1e-9), y0..y1.max(1.0))?;
        chart
            .configure_mesh()
            .x_desc(columns[0].as_str())
            .y_desc(label)
            .axis_desc_style((FONT, AXIS))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| value(*v))
            .y_label_formatter(&|v| f(*v))
            .draw()?;
        let c = colour(0);
        let band: Vec<(f64, f64)> = xs
            .iter()
            .zip(&es)
            .map(|(&x, e)| (x, e.2))
            .chain(xs.iter().zip(&es).rev().map(|(&x, e)| (x, e.1)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2))))?
            .label("95% CI of the mean")
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.mix(0.3).filled())
            });
        chart
            .draw_series(LineSeries::new(
                xs.iter().zip(&es).map(|(&x, e)| (x, e.0)),
                c.stroke_width(3),
            ))?
            .label("mean across replications")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(4)));
        chart.draw_series(
            xs.iter()
                .zip(&es)
                .map(|(&x, e)| Circle::new((x, e.0), 6, c.filled())),
        )?;
        // Points with no steady state: a red ring round the mean.
        let unsteady: Vec<(f64, f64)> = points
            .iter()
            .zip(xs.iter().zip(&es))
            .filter(|(p, _)| p.unstable().is_some())
            .map(|(_, (&x, e))| (x, e.0))
            .collect();
        if !unsteady.is_empty() {
            chart
                .draw_series(
                    unsteady
                        .iter()
                        .map(|&p| Circle::new(p, 15, WARN.stroke_width(4))),
                )?
                .label("no steady state in some replications")
                .legend(|(x, y)| Circle::new((x + 10, y), 9, WARN.stroke_width(3)));
        }
        legend(&mut chart, SeriesLabelPosition::MiddleRight)?;
        Ok(())
    })
}

/// One bar per point (mean and 95% CI), for sweeps over more than two keys.
fn point_bars(c: SweepChart, flags: &Note) -> Result<String, ChartError> {
    let SweepChart {
        name,
        columns,
        points,
        metric,
        label,
        f,
        dir,
        file,
    } = c;
    let arms: Vec<Arm> = points
        .iter()
        .enumerate()
        .map(|(i, p)| Arm {
            name: format!(
                "{i}: {}",
                p.values
                    .iter()
                    .map(|v| number(*v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            title: String::new(),
            warmup_days: 0.0,
            summary: p.metrics.clone(),
            series: Vec::new(),
            runs: std::collections::BTreeMap::default(),
            sampled: std::collections::BTreeMap::default(),
            by_year: Vec::new(),
        })
        .collect();
    flags.png(dir, file, bar_height(arms.len()), |root| {
        bars(
            root,
            &arms,
            &format!("{name}: sweep points ({})", columns.join(", ")),
            label,
            metric,
            f,
        )
    })
}

/// The one-way sensitivity of the metric: each key's low and high values' change from the
/// base, the widest swing at the top.
fn tornado(c: SweepChart) -> Result<String, ChartError> {
    let SweepChart {
        name,
        columns,
        points,
        metric,
        label,
        f,
        dir,
        file,
    } = c;
    let get = |p: &SweepPoint| p.metrics.get(metric).map_or(f64::NAN, |e| e.0);
    let base = get(&points[0]);
    // Widest swing at the top.
    let mut bars: Vec<(String, f64, f64, f64, f64)> = (0..columns.len())
        .map(|k| {
            let (lo, hi) = (&points[1 + 2 * k], &points[2 + 2 * k]);
            (
                columns[k].clone(),
                lo.values[k],
                get(lo) - base,
                hi.values[k],
                get(hi) - base,
            )
        })
        .collect();
    bars.sort_by(|a, b| {
        (b.2.abs().max(b.4.abs()))
            .total_cmp(&a.2.abs().max(a.4.abs()))
            .then(a.0.cmp(&b.0))
    });
    let n = bars.len();
    // Which swept values' points reached no steady state: (parameter, low?, high?).
    let unsteady = |k: usize, side: usize| points[1 + 2 * k + side].unstable().is_some();
    let flagged_at: Vec<[bool; 2]> = bars
        .iter()
        .map(|b| {
            let k = columns.iter().position(|c| *c == b.0).unwrap_or(0);
            [unsteady(k, 0), unsteady(k, 1)]
        })
        .collect();
    points_note(columns, points).png(dir, file, bar_height(n), |root| {
        let m = bars
            .iter()
            .map(|b| b.2.abs().max(b.4.abs()))
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.35;
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "{name}: one-way sensitivity of {}",
                    label.split(" over").next().unwrap_or(label)
                ),
                (FONT, TITLE - 8),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(label_width(bars.iter().map(|b| b.0.len())))
            .build_cartesian_2d(-m..m, -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .x_desc(format!(
                "change from the base ({}), {}",
                f(base),
                label.split(" over").next().unwrap_or(label)
            ))
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| f(*v))
            .y_label_formatter(&|_| String::new())
            .y_labels(0)
            .disable_y_mesh()
            .draw()?;
        row_labels(
            root,
            &chart,
            -m,
            &bars
                .iter()
                .enumerate()
                .map(|(i, b)| ((n - 1 - i) as f64, b.0.clone()))
                .collect::<Vec<_>>(),
        )?;
        let (cl, ch) = (colour(0), colour(1));
        for (side, c, text) in [(0, cl, "low value"), (1, ch, "high value")] {
            chart
                .draw_series(bars.iter().enumerate().map(|(i, b)| {
                    let row = n - 1 - i;
                    let v = if side == 0 { b.2 } else { b.4 };
                    let mut r = Rectangle::new(
                        [(0.0, (row as f64 - 0.5)), (v, (row as f64 + 0.5))],
                        c.filled(),
                    );
                    r.set_margin(14, 14, 0, 0);
                    r
                }))?
                .label(text)
                .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.filled()));
            chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (at, v) = if side == 0 { (b.1, b.2) } else { (b.3, b.4) };
                // Low values label left of zero unless their bar goes right, high values
                // right unless their bar goes left, so the two never collide.
                let right = if side == 0 { v > 0.0 } else { v >= 0.0 };
                let x = if right {
                    v.max(0.0) + m * 0.01
                } else {
                    v.min(0.0) - m * 0.01 - m * 0.14
                };
                let flagged = flagged_at[i][side];
                Text::new(
                    marked(&format!("at {}", value(at)), flagged),
                    (x, ((n - 1 - i) as f64)),
                    (FONT, TICKS - 2)
                        .into_font()
                        .color(if flagged { &WARN } else { &BLACK }),
                )
            }))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, (n as f64 - 0.5))],
            BLACK.stroke_width(2),
        )))?;
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// The metric over a grid of two swept keys, one shaded cell per point, with a colour
/// scale; points with no steady state framed in red.
fn heatmap(c: SweepChart) -> Result<String, ChartError> {
    let SweepChart {
        name,
        columns,
        points,
        metric,
        label,
        f,
        dir,
        file,
    } = c;
    let uniq = |k: usize| {
        let mut v: Vec<f64> = points.iter().map(|p| p.values[k]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
    };
    let (xs, ys) = (uniq(0), uniq(1));
    let values: Vec<(usize, usize, f64)> = points
        .iter()
        .map(|p| {
            (
                xs.iter().position(|&x| x == p.values[0]).unwrap_or(0),
                ys.iter().position(|&y| y == p.values[1]).unwrap_or(0),
                p.metrics.get(metric).map_or(f64::NAN, |e| e.0),
            )
        })
        .collect();
    let lo = values.iter().map(|v| v.2).fold(f64::INFINITY, f64::min);
    let hi = values.iter().map(|v| v.2).fold(f64::NEG_INFINITY, f64::max);
    let unsteady: Vec<bool> = points.iter().map(|p| p.unstable().is_some()).collect();
    let mut flags = points_note(columns, points);
    if let Some(head) = flags.0.first_mut() {
        *head = format!("{}, framed in red:", head.trim_end_matches(':'));
    }
    flags.png(dir, file, HEIGHT, |root| {
        let (plot, legend) = root.split_horizontally(WIDTH - 260);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!("{name}: {}", label.split(" over").next().unwrap_or(label)),
                (FONT, TITLE - 8),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.5..(xs.len() as f64 - 0.5), -0.5..(ys.len() as f64 - 0.5))?;
        chart
            .configure_mesh()
            .x_desc(columns[0].as_str())
            .y_desc(columns[1].as_str())
            .axis_desc_style((FONT, AXIS))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&|_| String::new())
            .y_labels(0)
            .disable_mesh()
            .draw()?;
        column_labels(
            &plot,
            &chart,
            -0.5,
            &xs.iter()
                .enumerate()
                .map(|(i, x)| (i as f64, value(*x)))
                .collect::<Vec<_>>(),
        )?;
        row_labels(
            &plot,
            &chart,
            -0.5,
            &ys.iter()
                .enumerate()
                .map(|(j, y)| (j as f64, value(*y)))
                .collect::<Vec<_>>(),
        )?;
        chart.draw_series(values.iter().map(|&(i, j, v)| {
            Rectangle::new(
                [
                    (i as f64 - 0.5, j as f64 - 0.5),
                    (i as f64 + 0.5, j as f64 + 0.5),
                ],
                shade(v, lo, hi).filled(),
            )
        }))?;
        // Cells with no steady state: a red frame inside the cell and the mark by the value.
        chart.draw_series(values.iter().zip(&unsteady).filter(|(_, u)| **u).map(
            |(&(i, j, _), _)| {
                let mut r = Rectangle::new(
                    [
                        (i as f64 - 0.5, j as f64 - 0.5),
                        (i as f64 + 0.5, j as f64 + 0.5),
                    ],
                    WARN.stroke_width(8),
                );
                r.set_margin(6, 6, 6, 6);
                r
            },
        ))?;
        chart.draw_series(values.iter().zip(&unsteady).map(|(&(i, j, v), &u)| {
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            let ink = if t > 0.6 { BLACK } else { WHITE };
            Text::new(
                marked(&f(v), u),
                (i as f64, j as f64),
                (FONT, TICKS)
                    .into_font()
                    .color(&ink)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            )
        }))?;
        colour_scale(&legend, label, (lo, hi), f)?;
        Ok(())
    })
}

/// The heat map's shade of `v` on the scale from `lo` to `hi` (the middle when they are
/// equal).
fn shade(v: f64, lo: f64, hi: f64) -> RGBColor {
    let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
    ViridisRGB::get_color(t)
}

/// The colour scale beside a heat map from `lo` to `hi`, ticks written by `f`, with the
/// metric named by `label` above it.
fn colour_scale(
    legend: &Area,
    label: &str,
    (lo, hi): (f64, f64),
    f: &dyn Fn(f64) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    // Colour scale, with the metric and unit above it.
    let unit = label.split(" over").next().unwrap_or(label);
    legend.draw(&Text::new(
        unit.split(',').next().unwrap_or(unit).to_string(),
        (20, 110),
        (FONT, TICKS - 2).into_font(),
    ))?;
    let mut scale = ChartBuilder::on(legend)
        .margin(40)
        .margin_top(160)
        .y_label_area_size(130)
        .build_cartesian_2d(0.0..1.0, lo..hi.max(lo + 1e-9))?;
    scale
        .configure_mesh()
        .disable_x_axis()
        .disable_mesh()
        .label_style((FONT, TICKS - 2))
        .y_label_formatter(&|v| f(*v))
        .draw()?;
    let steps = 60;
    scale.draw_series((0..steps).map(|s| {
        let a = lo + (hi - lo) * f64::from(s) / f64::from(steps);
        let b = lo + (hi - lo) * f64::from(s + 1) / f64::from(steps);
        Rectangle::new(
            [(0.0, a), (1.0, b)],
            shade(f64::midpoint(a, b), lo, hi).filled(),
        )
    }))?;

    Ok(())
}
