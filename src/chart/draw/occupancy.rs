//! Occupancy over the run: each arm's daily mean with the band of 95% of replications, and
//! the capacity in force each day.

use std::path::Path;

use plotters::prelude::*;

use super::{AXIS, Chart2d, FONT, TICKS, TITLE, arms_note, colour, legend, marked};
use crate::chart::data::{Arm, Series};
use crate::chart::{ChartError, HEIGHT, thousands};

/// A line chart of the daily `series` (e.g. `acute`) of every arm that has it, with its
/// capacity, into `dir/file`.
pub(super) fn occupancy(
    arms: &[Arm],
    series: &str,
    title: &str,
    y_desc: &str,
    dir: &Path,
    file: &str,
) -> Result<String, ChartError> {
    let found: Vec<(usize, &Arm, &Series)> = arms
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            a.series
                .iter()
                .find(|s| s.name == series)
                .map(|s| (i, a, s))
        })
        .collect();
    arms_note(arms).png(dir, file, HEIGHT, |root| {
        let days = found
            .iter()
            .filter_map(|(_, _, s)| s.days.last().copied())
            .fold(1.0, f64::max);
        let top = found
            .iter()
            .flat_map(|(_, _, s)| s.high.iter().chain(&s.capacity).copied())
            .fold(1.0, f64::max)
            * 1.08;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, TITLE))
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(130)
            .build_cartesian_2d(0.0..days, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("day of the run (warm-up included)")
            .y_desc(y_desc)
            .axis_desc_style((FONT, AXIS))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| thousands(*v, 0))
            .y_label_formatter(&|v| thousands(*v, 0))
            .light_line_style(WHITE)
            .draw()?;
        let single = found.len() == 1;
        for &(i, _, s) in &found {
            let c = colour(i);
            let band: Vec<(f64, f64)> = s
                .days
                .iter()
                .zip(&s.high)
                .map(|(&d, &h)| (d, h))
                .chain(s.days.iter().zip(&s.low).rev().map(|(&d, &l)| (d, l)))
                .collect();
            let band_series =
                chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18))))?;
            if single {
                band_series
                    .label("range of 95% of replications")
                    .legend(move |(x, y)| {
                        Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.mix(0.3).filled())
                    });
            }
        }
        // Lines over every band, so that no scenario's band tints another's line.
        for &(i, arm, s) in &found {
            let c = colour(i);
            let label = if single {
                "mean across replications".to_string()
            } else {
                marked(&arm.name, arm.unstable().is_some())
            };
            daily_line(&chart, &s.days, &s.mean, c)?;
            chart
                .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            // One scenario: capacity in black, as its legend shows; several: each in its colour.
            let cap_colour = if single { BLACK } else { c };
            let cap = chart.draw_series(DashedLineSeries::new(
                steps(&s.days, &s.capacity),
                12,
                8,
                cap_colour.stroke_width(2),
            ))?;
            if single || i == found[0].0 {
                cap.label(if single {
                    "capacity"
                } else {
                    "capacity (dashed)"
                })
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2))
                });
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// Draw the daily series `values` (one per day of `days`) as a line that keeps to the data:
/// reduced per pixel column to what a 1-px line through every day draws ([`envelope`]), then
/// stroked 1 px wide four times, shifted by a pixel right, down or both, so 2 px thick.
/// Thick polylines' mitred joins overshoot sharp peaks by several pixels (issue 11,
/// defect 6); this line never rises above the highest value it passes through nor falls
/// more than a pixel below the lowest.
fn daily_line(
    chart: &Chart2d,
    days: &[f64],
    values: &[f64],
    c: RGBColor,
) -> Result<(), Box<dyn std::error::Error>> {
    let area = chart.plotting_area();
    let (bx, by) = area.get_base_pixel();
    let (right, bottom) = (
        area.get_x_axis_pixel_range().end - 1,
        area.get_y_axis_pixel_range().end - 1,
    );
    let pixels: Vec<(i32, i32)> = days
        .iter()
        .zip(values)
        .map(|(&d, &v)| chart.backend_coord(&(d, v)))
        .collect();
    let line = envelope(&pixels);
    let canvas = area.strip_coord_spec();
    // A shift that would leave the plotting area is not made.
    let shift = |v: i32, d: i32, end: i32| if v + d <= end { v + d } else { v };
    for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        let path: Vec<(i32, i32)> = line
            .iter()
            .map(|&(x, y)| (shift(x, dx, right) - bx, shift(y, dy, bottom) - by))
            .collect();
        canvas.draw(&PathElement::new(path, c.stroke_width(1)))?;
    }
    Ok(())
}

/// `points` (pixels, in day order) reduced to what a 1-px line through all of them draws:
/// where several days share a pixel column, only the column's first, lowest, highest and
/// last points, in day order, so the line spans exactly the column's min/max envelope and
/// joins the next column from its last day. With fewer days than columns, every point.
fn envelope(points: &[(i32, i32)]) -> Vec<(i32, i32)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < points.len() {
        let x = points[start].0;
        let end = start + points[start..].iter().take_while(|p| p.0 == x).count();
        let column = &points[start..end];
        let by_y = |i: &usize| column[*i].1;
        let low = (0..column.len()).min_by_key(by_y).unwrap_or(0);
        let high = (0..column.len()).max_by_key(by_y).unwrap_or(0);
        let mut keep = [0, low, high, column.len() - 1];
        keep.sort_unstable();
        let mut last = None;
        for i in keep {
            if last != Some(i) {
                out.push(column[i]);
                last = Some(i);
            }
        }
        start = end;
    }
    out
}

/// The capacity in force each day as a step line: level until the first day with another
/// capacity, then straight up or down on that day (issue 11, defect 4). `capacity` may vary
/// every day (a schedule, or a mean across replications of uncertain capacity).
fn steps(days: &[f64], capacity: &[f64]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (&d, &k) in days.iter().zip(capacity) {
        match out.last() {
            None => out.push((d, k)),
            Some(&(_, before)) if before != k => {
                out.push((d, before));
                out.push((d, k));
            }
            Some(_) => {}
        }
    }
    if let (Some(&d), Some(&(x, k))) = (days.last(), out.last())
        && x != d
    {
        out.push((d, k));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_keeps_each_columns_first_lowest_highest_and_last_point() {
        // Fewer days than columns: unchanged.
        let thin = [(0, 5), (3, 1), (6, 9)];
        assert_eq!(envelope(&thin), thin);
        // Column 0 holds five days; its extremes in day order, then column 1 as it is.
        let dense = [(0, 5), (0, 9), (0, 2), (0, 7), (0, 6), (1, 4)];
        assert_eq!(envelope(&dense), [(0, 5), (0, 9), (0, 2), (0, 6), (1, 4)]);
        assert!(envelope(&[]).is_empty());
    }

    #[test]
    fn capacity_is_a_step_line_changing_on_the_day_it_changes() {
        let days = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(
            steps(&days, &[68.0, 68.0, 80.0, 80.0, 80.0]),
            [(1.0, 68.0), (3.0, 68.0), (3.0, 80.0), (5.0, 80.0)]
        );
        // Changing on the last day, and a fractional mean across replications.
        assert_eq!(
            steps(&days[..3], &[20.0, 20.0, 24.5]),
            [(1.0, 20.0), (3.0, 20.0), (3.0, 24.5)]
        );
        assert_eq!(steps(&[1.0], &[5.0]), [(1.0, 5.0)]);
    }
}
