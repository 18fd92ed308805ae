//! The charts themselves.

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use super::data::{Arm, Change, Estimate, Kind, Series, SweepPoint, percent, point_label};
use super::{ChartError, HEIGHT, WIDTH, money, number, thousands};
use crate::model::catalogue;

/// Okabe & Ito's colour-blind-safe palette (black last).
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

const FONT: &str = "sans-serif";
const TITLE: u32 = 44;
const AXIS: u32 = 30;
const TICKS: u32 = 24;
const LEGEND: u32 = 24;

/// The mark of results with replications that reached no steady state: a red that no
/// palette colour is near.
pub const WARN: RGBColor = RGBColor(204, 0, 0);

/// What the mark means, in legends and notes.
const UNSTEADY: &str = "no steady state in some replications (results grow with the horizon)";

/// The prefix of a label (row, legend entry, note) marked as having no steady state; row
/// labels starting with it are drawn in [`WARN`].
const MARK: &str = "⚠ ";

/// How many flagged results a note names one by one.
const NOTE_ITEMS: usize = 4;

/// Height of one line of a note, pixels.
const NOTE_LINE: u32 = 34;

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

fn fail(path: &Path, e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Draw one PNG of `height` with `f`, then encode it.
fn png(
    dir: &Path,
    file: &str,
    height: u32,
    f: impl FnOnce(&Area) -> Result<(), Box<dyn std::error::Error>>,
) -> Result<String, ChartError> {
    let path = dir.join(file);
    {
        let root = BitMapBackend::new(&path, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&path, e))?;
        f(&root).map_err(|e| fail(&path, e))?;
        root.present().map_err(|e| fail(&path, e))?;
    }
    Ok(file.to_string())
}

/// The note under a chart naming `flagged` (label, share of replications, pools) results
/// with no steady state, one line each after a heading; empty when there are none.
fn note(flagged: Vec<(String, super::Unstable)>) -> Note {
    if flagged.is_empty() {
        return Note(Vec::new());
    }
    let mut lines = vec![format!("{MARK}{UNSTEADY}:")];
    for (label, u) in flagged.iter().take(NOTE_ITEMS) {
        lines.push(format!(
            "      {label}: {} of replications ({})",
            percent(u.share),
            u.pools_text()
        ));
    }
    if flagged.len() > NOTE_ITEMS {
        lines.push(format!("      and {} more", flagged.len() - NOTE_ITEMS));
    }
    Note(lines)
}

/// The note under a chart of `arms` (see [`note`]).
fn arms_note(arms: &[Arm]) -> Note {
    note(
        arms.iter()
            .filter_map(|a| Some((a.name.clone(), a.unstable()?)))
            .collect(),
    )
}

/// The note under a chart of sweep `points` (see [`note`]).
fn points_note(columns: &[String], points: &[SweepPoint]) -> Note {
    note(
        points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((point_label(i, columns, &p.values), p.unstable()?)))
            .collect(),
    )
}

/// Lines of a note in [`WARN`] under a chart: which results reached no steady state.
struct Note(Vec<String>);

impl Note {
    /// [`png`], the note's lines added below what `f` draws (the chart grows by their
    /// height); just [`png`] when there are none.
    fn png(
        &self,
        dir: &Path,
        file: &str,
        height: u32,
        f: impl FnOnce(&Area) -> Result<(), Box<dyn std::error::Error>>,
    ) -> Result<String, ChartError> {
        let lines = &self.0;
        if lines.is_empty() {
            return png(dir, file, height, f);
        }
        let strip = 20 + NOTE_LINE * lines.len() as u32;
        png(dir, file, height + strip, |root| {
            let (main, foot) = root.split_vertically(height);
            f(&main)?;
            for (i, line) in lines.iter().enumerate() {
                foot.draw(&Text::new(
                    line.clone(),
                    (40, NOTE_LINE as i32 * i as i32),
                    (FONT, LEGEND).into_font().color(&WARN),
                ))?;
            }
            Ok(())
        })
    }
}

/// `name`, marked when `flagged`.
fn marked(name: &str, flagged: bool) -> String {
    if flagged {
        format!("{MARK}{name}")
    } else {
        name.to_string()
    }
}

type Chart2d<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draw `labels` (row value, text) right-aligned just left of the plotting area, at the
/// rows' heights: category names that plotters' numeric ticks cannot place. Labels marked
/// as having no steady state (starting with [`MARK`]) are drawn in [`WARN`].
fn row_labels(
    area: &Area,
    chart: &Chart2d,
    x_left: f64,
    labels: &[(f64, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (bx, by) = area.get_base_pixel();
    for (y, text) in labels {
        let (px, py) = chart.backend_coord(&(x_left, *y));
        area.draw(&Text::new(
            text.clone(),
            (px - bx - 14, py - by),
            (FONT, TICKS)
                .into_font()
                .color(if text.starts_with(MARK) {
                    &WARN
                } else {
                    &BLACK
                })
                .pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// Draw the series legend of `chart` at `position`, in the charts' common style.
fn legend<'a, 'b: 'a>(
    chart: &mut Chart2d<'a, 'b>,
    position: SeriesLabelPosition,
) -> Result<(), Box<dyn std::error::Error>> {
    chart
        .configure_series_labels()
        .label_font((FONT, LEGEND))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(position)
        .draw()?;
    Ok(())
}

/// Row labels for one bar per scenario, the first at the top; scenarios with no steady
/// state marked.
fn arm_rows(arms: &[Arm]) -> Vec<(f64, String)> {
    let n = arms.len();
    arms.iter()
        .enumerate()
        .map(|(i, a)| ((n - 1 - i) as f64, marked(&a.name, a.unstable().is_some())))
        .collect()
}

/// Draw `labels` (column value, text) centred just below the plotting area.
fn column_labels(
    area: &Area,
    chart: &Chart2d,
    y_bottom: f64,
    labels: &[(f64, String)],
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (bx, by) = area.get_base_pixel();
    for (x, text) in labels {
        let (px, py) = chart.backend_coord(&(*x, y_bottom));
        area.draw(&Text::new(
            text.clone(),
            (px - bx, py - by + 12),
            (FONT, TICKS)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// Every chart for `kind`, into `dir`; returns the file names.
pub fn all(kind: &Kind, dir: &Path) -> Result<Vec<String>, ChartError> {
    let mut files = Vec::new();
    match kind {
        Kind::Run(arm) => scenario_charts(std::slice::from_ref(arm), dir, &mut files)?,
        Kind::Compare { arms, changes } => {
            scenario_charts(arms, dir, &mut files)?;
            files.push(forest(arms, changes, dir)?);
            files.push(ce_plane(arms, dir)?);
        }
        Kind::Sweep {
            name,
            columns,
            points,
        } => sweep_charts(name, columns, points, dir, &mut files)?,
    }
    Ok(files)
}

/// Occupancy, bed-days, costs, delays and waits, for one or more scenarios.
fn scenario_charts(arms: &[Arm], dir: &Path, files: &mut Vec<String>) -> Result<(), ChartError> {
    files.push(occupancy(
        arms,
        "acute",
        "Acute beds occupied",
        "beds occupied (midnight census)",
        dir,
        "acute_occupancy.png",
    )?);
    let services: Vec<String> = arms
        .iter()
        .flat_map(|a| a.series.iter().map(|s| s.name.clone()))
        .filter(|n| n != "acute")
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    for s in services {
        let service = s.trim_start_matches("community_");
        files.push(occupancy(
            arms,
            &s,
            &format!("Community service {service}: places occupied"),
            "places occupied (midnight census)",
            dir,
            &format!("{s}_occupancy.png"),
        )?);
    }
    let height = bar_height(arms.len());
    let flags = arms_note(arms);
    files.push(flags.png(dir, "bed_days_per_1000.png", height, |root| {
        bars(
            root,
            arms,
            "Acute bed-days per 1,000 population per year",
            "bed-days per 1,000 population per year (mean, 95% CI)",
            "bed_days_per_1000",
            &|v| thousands(v, 0),
        )
    })?);
    files.push(costs(arms, dir)?);
    files.push(flags.png(dir, "delays_and_waits.png", height, |root| {
        let (left, right) = root.split_horizontally(WIDTH / 2);
        bars(
            &left,
            arms,
            "Delayed-discharge bed-days",
            "bed-days over the observed period (mean, 95% CI)",
            "delayed_bed_days",
            &|v| thousands(v, 0),
        )?;
        bars(
            &right,
            arms,
            "Mean wait for an acute bed",
            "days per admission (mean, 95% CI)",
            "mean_wait_days",
            &|v| thousands(v, 2),
        )
    })?);
    Ok(())
}

/// Height for a chart with one row per scenario.
fn bar_height(rows: usize) -> u32 {
    HEIGHT.max(220 + 70 * rows as u32)
}

/// Margin above and below each bar, so that bars are at most ~110 px thick.
fn bar_margin(height: u32, rows: usize) -> u32 {
    let row = height.saturating_sub(260) / rows.max(1) as u32;
    (row.saturating_sub(110) / 2).max(12)
}

/// Pixels for a left label area holding `names`.
fn label_width(names: impl Iterator<Item = usize>) -> u32 {
    (names.max().unwrap_or(8) as u32 * 14 + 30).clamp(120, 620)
}

fn occupancy(
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
            .flat_map(|(_, _, s)| s.days.last().copied())
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

/// Horizontal bars with 95% CI error bars, one per scenario (the first at the top).
fn bars(
    root: &Area,
    arms: &[Arm],
    title: &str,
    x_desc: &str,
    metric: &str,
    fmt: &dyn Fn(f64) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = arms.len();
    let thick = bar_margin(root.dim_in_pixel().1, n);
    let est: Vec<Estimate> = arms
        .iter()
        .map(|a| a.summary.get(metric).copied().unwrap_or((0.0, 0.0, 0.0)))
        .collect();
    let top = est
        .iter()
        .map(|e| e.2.max(e.0))
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.25;
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, TITLE - 6))
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(label_width(arms.iter().map(|a| a.name.len() + 2)))
        .build_cartesian_2d(0.0..top, -0.5..(n as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .axis_desc_style((FONT, AXIS - 4))
        .label_style((FONT, TICKS))
        .x_label_formatter(&|v| fmt(*v))
        .y_label_formatter(&|_| String::new())
        .y_labels(0)
        .x_labels(6)
        .disable_y_mesh()
        .light_line_style(WHITE)
        .draw()?;
    row_labels(root, &chart, 0.0, &arm_rows(arms))?;
    for (i, e) in est.iter().enumerate() {
        let row = n - 1 - i;
        let c = colour(i);
        let mut bar = Rectangle::new(
            [(0.0, (row as f64 - 0.5)), (e.0, (row as f64 + 0.5))],
            c.mix(0.85).filled(),
        );
        bar.set_margin(thick, thick, 0, 0);
        chart.draw_series(std::iter::once(bar))?;
        chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
            row as f64,
            e.1,
            e.0,
            e.2,
            BLACK.stroke_width(3),
            24,
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            fmt(e.0),
            (e.2.max(e.0) + top * 0.02, (row as f64)),
            (FONT, TICKS).into_font(),
        )))?;
    }
    Ok(())
}

/// Cost components, stacked, with the total at the end of each bar: (metric, short label),
/// from the catalogue.
fn cost_components() -> [(&'static str, &'static str); 7] {
    catalogue::COST_COMPONENTS.map(|m| (m, catalogue::metric(m).short))
}

fn costs(arms: &[Arm], dir: &Path) -> Result<String, ChartError> {
    let n = arms.len();
    arms_note(arms).png(dir, "cost_by_setting.png", bar_height(n) + 80, |root| {
        let thick = bar_margin(root.dim_in_pixel().1, n);
        let total = |a: &Arm| a.summary.get("total_cost").map_or(0.0, |e| e.0);
        // Room on the right for the totals and the legend.
        let top = arms.iter().map(total).fold(0.0, f64::max).max(1.0) * 1.55;
        let mut chart = ChartBuilder::on(root)
            .caption(
                "Cost by setting (total at the end of each bar)",
                (FONT, TITLE - 6),
            )
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(label_width(arms.iter().map(|a| a.name.len() + 2)))
            .build_cartesian_2d(0.0..top, -0.5..(n as f64 - 0.5))?;
        chart
            .configure_mesh()
            .x_desc("cost over the observed period, £ (mean of replications)")
            .axis_desc_style((FONT, AXIS - 4))
            .label_style((FONT, TICKS))
            .x_label_formatter(&|v| money(*v))
            .y_label_formatter(&|_| String::new())
            .y_labels(0)
            .x_labels(6)
            .disable_y_mesh()
            .light_line_style(WHITE)
            .draw()?;
        row_labels(root, &chart, 0.0, &arm_rows(arms))?;
        let components = cost_components();
        for (k, (metric, label)) in components.iter().enumerate() {
            if arms
                .iter()
                .all(|a| a.summary.get(*metric).is_none_or(|e| e.0 == 0.0))
            {
                continue; // a setting with no cost anywhere: no bar, no legend entry
            }
            let c = colour(k);
            let mut rects = Vec::new();
            for (i, a) in arms.iter().enumerate() {
                let row = n - 1 - i;
                let start: f64 = components[..k]
                    .iter()
                    .map(|(m, _)| a.summary.get(*m).map_or(0.0, |e| e.0))
                    .sum();
                let v = a.summary.get(*metric).map_or(0.0, |e| e.0);
                let mut r = Rectangle::new(
                    [(start, (row as f64 - 0.5)), (start + v, (row as f64 + 0.5))],
                    c.filled(),
                );
                r.set_margin(thick, thick, 0, 0);
                rects.push(r);
            }
            chart
                .draw_series(rects)?
                .label(*label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 20, y + 8)], c.filled()));
        }
        for (i, a) in arms.iter().enumerate() {
            chart.draw_series(std::iter::once(Text::new(
                money(total(a)),
                (total(a) + top * 0.02, ((n - 1 - i) as f64)),
                (FONT, TICKS).into_font(),
            )))?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}

/// The key metrics of the forest plot: (metric, short label), from the catalogue.
fn forest_rows() -> [(&'static str, &'static str); 5] {
    catalogue::KEY_CHANGES.map(|m| (m, catalogue::metric(m).short))
}

/// Change from the base with 95% CIs, one row per alternative × key metric.
fn forest(arms: &[Arm], changes: &[Change], dir: &Path) -> Result<String, ChartError> {
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
                let (text, side) = if e.0 < (lo + hi) / 2.0 {
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
fn ce_plane(arms: &[Arm], dir: &Path) -> Result<String, ChartError> {
    let base = &arms[0];
    let get = |a: &Arm, m: &str| a.runs.get(m).cloned().unwrap_or_default();
    let (bb, bc) = (get(base, "acute_bed_days"), get(base, "total_cost"));
    let clouds: Vec<Vec<(f64, f64)>> = arms[1..]
        .iter()
        .map(|a| {
            let (ab, ac) = (get(a, "acute_bed_days"), get(a, "total_cost"));
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

fn sweep_charts(
    name: &str,
    columns: &[String],
    points: &[SweepPoint],
    dir: &Path,
    files: &mut Vec<String>,
) -> Result<(), ChartError> {
    let get = |p: &SweepPoint, m: &str| {
        p.metrics
            .get(m)
            .copied()
            .unwrap_or((f64::NAN, f64::NAN, f64::NAN))
    };
    let one_way = points.len() == 1 + 2 * columns.len()
        && columns.len() > 1
        && (0..columns.len()).all(|k| {
            [1 + 2 * k, 2 + 2 * k].iter().all(|&i| {
                points[i]
                    .values
                    .iter()
                    .zip(&points[0].values)
                    .enumerate()
                    .all(|(j, (a, b))| j == k || a == b)
            })
        });
    let flags = points_note(columns, points);
    for (metric, label, is_money) in swept() {
        let label = label.as_str();
        let file = format!("sweep_{metric}.png");
        let f = fmt_metric(is_money);
        if one_way {
            files.push(tornado(
                name, columns, points, metric, label, &f, dir, &file,
            )?);
        } else if columns.len() == 1 {
            files.push(flags.png(dir, &file, HEIGHT, |root| {
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
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(4))
                    });
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
            })?);
        } else if columns.len() == 2 {
            files.push(heatmap(
                name, columns, points, metric, label, &f, dir, &file,
            )?);
        } else {
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
                    summary: p.metrics.clone(),
                    series: Vec::new(),
                    runs: Default::default(),
                })
                .collect();
            files.push(flags.png(dir, &file, bar_height(arms.len()), |root| {
                bars(
                    root,
                    &arms,
                    &format!("{name}: sweep points ({})", columns.join(", ")),
                    label,
                    metric,
                    &f,
                )
            })?);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn tornado(
    name: &str,
    columns: &[String],
    points: &[SweepPoint],
    metric: &str,
    label: &str,
    f: &dyn Fn(f64) -> String,
    dir: &Path,
    file: &str,
) -> Result<String, ChartError> {
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

#[allow(clippy::too_many_arguments)]
fn heatmap(
    name: &str,
    columns: &[String],
    points: &[SweepPoint],
    metric: &str,
    label: &str,
    f: &dyn Fn(f64) -> String,
    dir: &Path,
    file: &str,
) -> Result<String, ChartError> {
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
        let shade = |v: f64| {
            let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            ViridisRGB::get_color(t)
        };
        chart.draw_series(values.iter().map(|&(i, j, v)| {
            Rectangle::new(
                [
                    (i as f64 - 0.5, j as f64 - 0.5),
                    (i as f64 + 0.5, j as f64 + 0.5),
                ],
                shade(v).filled(),
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
        // Colour scale, with the metric and unit above it.
        let unit = label.split(" over").next().unwrap_or(label);
        legend.draw(&Text::new(
            unit.split(',').next().unwrap_or(unit).to_string(),
            (20, 110),
            (FONT, TICKS - 2).into_font(),
        ))?;
        let mut scale = ChartBuilder::on(&legend)
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
            let a = lo + (hi - lo) * s as f64 / steps as f64;
            let b = lo + (hi - lo) * (s + 1) as f64 / steps as f64;
            Rectangle::new([(0.0, a), (1.0, b)], shade((a + b) / 2.0).filled())
        }))?;
        Ok(())
    })
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
