//! Occupancy over the run: each arm's daily mean with the band of 95% of replications, and
//! the capacity in force each day.

use std::path::Path;

use plotters::prelude::*;

use super::{
    AXIS, Area, Chart2d, FONT, LEGEND, Mark, TICKS, TITLE, arms_note, colour, marked,
    with_side_legend,
};
use crate::chart::data::{Arm, Series};
use crate::chart::{ChartError, HEIGHT, thousands};

/// More arms than this are drawn as small multiples, one panel per arm, rather than
/// overlaid: five bands over each other are already unreadable.
const OVERLAY_MAX: usize = 4;

/// Panels per row of the small multiples.
const COLUMNS: usize = 3;

/// Height of one small-multiple panel, pixels.
const PANEL: u32 = 430;

/// Height of the small multiples' heading (title and key), pixels.
const MULTIPLES_HEAD: u32 = 170;

/// The warm-up's shade: a light grey under everything.
const WARMUP: RGBColor = RGBColor(225, 225, 225);

/// Days in a year on the time axis.
const YEAR: f64 = 365.0;

/// One arm's series on a chart: its colour, the arm and the series.
type Found<'a> = (RGBColor, &'a Arm, &'a Series);

/// A line chart of the daily `series` (e.g. `acute`) of every arm that has it, with its
/// capacity in force as a step line, on a time axis in years with the warm-up shaded,
/// into `dir/file`: one chart with a side legend for up to [`OVERLAY_MAX`] arms, small
/// multiples beyond.
pub(super) fn occupancy(
    arms: &[Arm],
    series: &str,
    title: &str,
    y_desc: &str,
    dir: &Path,
    file: &str,
) -> Result<String, ChartError> {
    let found: Vec<Found> = arms
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            a.series
                .iter()
                .find(|s| s.name == series)
                .map(|s| (colour(i), a, s))
        })
        .collect();
    let frame = Frame {
        years: found
            .iter()
            .filter_map(|(_, _, s)| s.days.last().copied())
            .fold(1.0, f64::max)
            / YEAR,
        top: found
            .iter()
            .flat_map(|(_, _, s)| s.high.iter().chain(&s.capacity).copied())
            .fold(1.0, f64::max)
            * 1.08,
        warmup: found.first().map_or(0.0, |(_, a, _)| a.warmup_days) / YEAR,
        y_desc,
    };
    let title = match arms {
        [one] => format!("{}: {}", one.title, title.to_lowercase()),
        [base, ..] => format!(
            "{title}: {} and {} alternatives",
            base.title,
            arms.len() - 1
        ),
        [] => title.to_string(),
    };
    if found.len() > OVERLAY_MAX {
        return multiples(arms, &found, &frame, &title, dir, file);
    }
    let single = found.len() == 1;
    let mut entries: Vec<(String, Mark)> = Vec::new();
    for &(c, arm, _) in &found {
        entries.push(if single {
            ("mean across replications".to_string(), Mark::Line(c))
        } else {
            (marked(&arm.name, arm.unstable().is_some()), Mark::Line(c))
        });
    }
    entries.push((
        "range of 95% of replications".to_string(),
        Mark::Block(tint(found.first().map_or(BLACK, |f| f.0), 0.3)),
    ));
    entries.push((
        if single {
            "capacity in force"
        } else {
            "capacity in force (dashed, each arm's colour)"
        }
        .to_string(),
        Mark::Dashed(BLACK),
    ));
    entries.push((
        "warm-up (not in any statistic)".to_string(),
        Mark::Block(WARMUP),
    ));
    arms_note(arms).png(dir, file, HEIGHT, |root| {
        let main = with_side_legend(root, &entries)?;
        let mut chart = frame.chart(&main, &title, TITLE - 6, 30)?;
        for &(c, _, s) in &found {
            band(&mut chart, s, c)?;
        }
        // Lines over every band, so that no scenario's band tints another's line.
        for &(c, _, s) in &found {
            line_and_capacity(&mut chart, s, c, if single { BLACK } else { c })?;
        }
        Ok(())
    })
}

/// `c` at opacity `a` over white, as one opaque colour (a legend swatch of a band).
fn tint(c: RGBColor, a: f64) -> RGBColor {
    let over = |v: u8| (f64::from(v) * a + 255.0 * (1.0 - a)).round() as u8;
    RGBColor(over(c.0), over(c.1), over(c.2))
}

/// What every occupancy panel shares: its extent, warm-up and axis name.
struct Frame<'a> {
    /// The run's length, years.
    years: f64,
    /// The top of the value axis.
    top: f64,
    /// The warm-up, years.
    warmup: f64,
    /// The value axis's name.
    y_desc: &'a str,
}

impl Frame<'_> {
    /// The axes on `area`, titled `caption`, with the warm-up shaded.
    fn chart<'a, 'b>(
        &self,
        area: &'a Area<'b>,
        caption: &str,
        size: u32,
        margin: u32,
    ) -> Result<Chart2d<'a, 'b>, Box<dyn std::error::Error>> {
        let mut chart = ChartBuilder::on(area)
            .caption(caption, (FONT, size))
            .margin(margin)
            .x_label_area_size(80)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..self.years, 0.0..self.top)?;
        chart
            .configure_mesh()
            .x_desc("year of the run")
            .y_desc(self.y_desc)
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| thousands(*v, usize::from(self.years < 3.0)))
            .y_label_formatter(&|v| thousands(*v, 0))
            .light_line_style(WHITE)
            .draw()?;
        if self.warmup > 0.0 {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, 0.0), (self.warmup, self.top)],
                WARMUP.filled(),
            )))?;
        }
        Ok(chart)
    }
}

/// The band where 95% of replications lie, faint in `c`.
fn band(chart: &mut Chart2d, s: &Series, c: RGBColor) -> Result<(), Box<dyn std::error::Error>> {
    let band: Vec<(f64, f64)> = s
        .days
        .iter()
        .zip(&s.high)
        .map(|(&d, &h)| (d / YEAR, h))
        .chain(
            s.days
                .iter()
                .zip(&s.low)
                .rev()
                .map(|(&d, &l)| (d / YEAR, l)),
        )
        .collect();
    chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18))))?;
    Ok(())
}

/// The mean in `c` and the capacity in force, dashed in `cap`.
fn line_and_capacity(
    chart: &mut Chart2d,
    s: &Series,
    c: RGBColor,
    cap: RGBColor,
) -> Result<(), Box<dyn std::error::Error>> {
    let years: Vec<f64> = s.days.iter().map(|d| d / YEAR).collect();
    daily_line(chart, &years, &s.mean, c)?;
    chart.draw_series(DashedLineSeries::new(
        steps(&years, &s.capacity),
        12,
        8,
        cap.stroke_width(2),
    ))?;
    Ok(())
}

/// Small multiples: one panel per arm (its band, mean and capacity), the base's mean in grey
/// in every other panel for reference, all on one scale; the key in the heading.
fn multiples(
    arms: &[Arm],
    found: &[Found],
    frame: &Frame,
    title: &str,
    dir: &Path,
    file: &str,
) -> Result<String, ChartError> {
    let rows = found.len().div_ceil(COLUMNS);
    let height = MULTIPLES_HEAD + PANEL * rows as u32;
    let base = found[0];
    arms_note(arms).png(dir, file, height, |root| {
        let (head, body) = root.split_vertically(MULTIPLES_HEAD);
        head.draw(&Text::new(title.to_string(), (40, 20), (FONT, TITLE - 6).into_font()))?;
        let key = [
            "Each panel: that arm's mean across replications (line), the range of 95% of replications (band) and the capacity in force (dashed);".to_string(),
            format!(
                "grey line: {}'s mean, for reference; grey shade: the warm-up, in no statistic. One scale for every panel.",
                base.1.name
            ),
        ];
        for (i, k) in key.iter().enumerate() {
            head.draw(&Text::new(
                k.clone(),
                (40, 86 + 34 * i as i32),
                (FONT, LEGEND - 2).into_font(),
            ))?;
        }
        let panels = body.split_evenly((rows, COLUMNS));
        for (area, &(c, arm, s)) in panels.iter().zip(found) {
            let caption = marked(&arm.name, arm.unstable().is_some());
            let mut chart = frame.chart(area, &caption, AXIS - 2, 14)?;
            band(&mut chart, s, c)?;
            if !std::ptr::eq(arm, base.1) {
                let years: Vec<f64> = base.2.days.iter().map(|d| d / YEAR).collect();
                daily_line(&chart, &years, &base.2.mean, RGBColor(150, 150, 150))?;
            }
            line_and_capacity(&mut chart, s, c, BLACK)?;
        }
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
