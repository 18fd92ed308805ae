//! The charts themselves, by kind of result: a run's (and each arm's) occupancy, bed-days,
//! costs, delays and waits ([`run`], [`occupancy`]), a comparison's changes from the base
//! ([`compare`]) and its cost-effectiveness with QALYs ([`cea`]), a sweep's line, tornado,
//! heat map or bars ([`sweep`]). This module holds what they share: the palette, text sizes, the PNG frame, the note on results with no
//! steady state, row and column labels, the legend, and horizontal bars.

mod cea;
mod compare;
mod occupancy;
mod run;
mod sweep;

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::data::{Arm, Estimate, Kind, SweepPoint, percent, point_label};
use super::{ChartError, HEIGHT, WIDTH};
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
fn note(flagged: &[(String, super::Unstable)]) -> Note {
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
    let flagged: Vec<_> = arms
        .iter()
        .filter_map(|a| Some((a.name.clone(), a.unstable()?)))
        .collect();
    note(&flagged)
}

/// The note under a chart of sweep `points` (see [`note`]).
fn points_note(columns: &[String], points: &[SweepPoint]) -> Note {
    let flagged: Vec<_> = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((point_label(i, columns, &p.values), p.unstable()?)))
        .collect();
    note(&flagged)
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

/// The frame of a horizontal bar chart with one row per arm: the value axis labelled
/// `x_desc` with ticks written by `fmt`, no row ticks or row grid (the rows are labelled by
/// [`row_labels`]).
pub(super) fn bar_mesh(
    chart: &mut Chart2d<'_, '_>,
    x_desc: &str,
    fmt: &dyn Fn(f64) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
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
    Ok(())
}

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
        Kind::Run(arm) => run::scenario_charts(std::slice::from_ref(arm), dir, &mut files)?,
        Kind::Compare {
            arms,
            changes,
            by_year,
            cost_effectiveness,
        } => {
            run::scenario_charts(arms, dir, &mut files)?;
            files.push(compare::forest(arms, changes, dir)?);
            files.push(compare::ce_plane(arms, dir)?);
            files.extend(compare::budget_impact_by_year(arms, by_year, dir)?);
            // Results with QALYs: their acceptability curve and plane in £ against QALYs.
            if let Some(ce) = cost_effectiveness {
                files.extend(cea::ceac(arms, ce, dir)?);
                files.extend(cea::ce_plane_qalys(arms, ce, dir)?);
            }
        }
        Kind::Sweep {
            name,
            columns,
            design,
            points,
        } => sweep::sweep_charts(name, columns, *design, points, dir, &mut files)?,
    }
    Ok(files)
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

/// Horizontal bars with 95% CI error bars, one per scenario (the first at the top).
fn bars(
    root: &Area,
    arms: &[Arm],
    title: &str,
    x_desc: &str,
    metric: &str,
    fmt: &dyn Fn(f64) -> String,
) -> Result<(), Box<dyn std::error::Error>> {
    // A name the catalogue does not know is a programming error, caught by the chart tests,
    // not an empty bar.
    let metric = catalogue::metric(metric).name;
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
    bar_mesh(&mut chart, x_desc, fmt)?;
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
