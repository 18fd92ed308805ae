//! The charts themselves, by kind of result: a run's (and each arm's) occupancy, bed-days,
//! costs, delays and waits ([`run`], [`occupancy`]), a comparison's changes from the base
//! ([`compare`]) and its cost-effectiveness with QALYs ([`cea`]), a sweep's line, tornado,
//! heat map or bars ([`sweep`]). This module holds what they share: the palette, text sizes, the PNG frame, the note on results with no
//! steady state, row and column labels, the legend, and horizontal bars.

mod cea;
mod compare;
mod occupancy;
mod psa;
mod run;
mod sweep;

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::data::{Arm, Estimate, Kind, SweepPoint, percent, point_label};
use super::{ChartError, HEIGHT, WIDTH};

use crate::model::catalogue;

/// One colour per arm, in arm order (the base first), the same arm the same colour in every
/// chart: Okabe & Ito's seven colour-blind-safe colours, then Paul Tol's "muted" and "dark"
/// colours that are not near them, 16 in all, so that a comparison of up to 16 arms never
/// repeats a colour (`tests::the_palette_has_sixteen_distinct_colours` checks the distance
/// between every pair in CIELAB). Black, grey and red are kept for capacity, thresholds
/// and warnings.
const PALETTE: [RGBColor; 16] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(153, 153, 51),  // olive
    RGBColor(51, 34, 136),   // indigo
    RGBColor(136, 34, 85),   // wine
    RGBColor(17, 119, 51),   // green
    RGBColor(221, 204, 119), // sand
    RGBColor(170, 68, 153),  // purple
    RGBColor(102, 51, 0),    // brown
    RGBColor(0, 190, 190),   // cyan
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 68, 136),    // dark blue
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

/// The colour of arm (or series) `i`; distinct for the first 16.
pub(super) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Mark {
    /// A line of the colour.
    Line(RGBColor),
    /// A dashed line of the colour.
    Dashed(RGBColor),
    /// A faint dot (replications).
    Dot(RGBColor),
    /// A large filled diamond with a black edge (a mean).
    Mean(RGBColor),
    /// A filled circle (a point estimate).
    Point(RGBColor),
    /// A filled square (a bar or band).
    Block(RGBColor),
}

/// Opacity of a replication's point: faint, so that the means stand out.
const FAINT: f64 = 0.45;

/// Characters per line of a legend entry before it wraps: long arm names wrap onto a
/// second line rather than widen the strip past a third of the chart.
const LEGEND_CHARS: usize = 30;

/// Pixels per character of the legend font (DejaVu Sans at [`LEGEND`], widest lower-case
/// text measured ~12.5): what the strip is sized by.
const LEGEND_CHAR_PX: u32 = 13;

/// `label` broken at spaces and underscores into lines of at most `width` characters (a
/// word longer than that is cut).
fn wrap(label: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Break after an underscore as after a space, keeping the underscore (a scenario name).
    let mut word = String::new();
    let flush = |line: &mut String, word: &str, lines: &mut Vec<String>| {
        if !line.is_empty() && line.chars().count() + word.chars().count() > width {
            lines.push(std::mem::take(line).trim_end().to_string());
        }
        let mut rest: &str = word;
        while rest.chars().count() > width {
            let cut = rest
                .char_indices()
                .nth(width)
                .map_or(rest.len(), |(i, _)| i);
            lines.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
        line.push_str(rest);
    };
    for ch in label.chars() {
        word.push(ch);
        if ch == ' ' || ch == '_' {
            flush(&mut line, &word, &mut lines);
            word.clear();
        }
    }
    flush(&mut line, &word, &mut lines);
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Width of the legend strip right of the plotting area for `entries`, pixels: legends
/// stay off the data, and long names wrap (see [`wrap`]) rather than run off the chart.
fn strip_width(entries: &[(String, Mark)]) -> u32 {
    let chars = entries
        .iter()
        .flat_map(|(l, _)| wrap(l, LEGEND_CHARS))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    (90 + LEGEND_CHAR_PX * chars as u32).clamp(280, WIDTH / 3)
}

/// Split `root` into the plotting part and a legend strip on its right for `entries`, and
/// draw the legend there: the data can never be under the legend.
fn with_side_legend<'a>(
    root: &Area<'a>,
    entries: &[(String, Mark)],
) -> Result<Area<'a>, Box<dyn std::error::Error>> {
    let (main, strip) = root.split_horizontally(WIDTH - strip_width(entries));
    side_legend(&strip, entries)?;
    Ok(main)
}

/// Draw `entries` as a legend at the top of `area` (the strip beside a chart), each label
/// wrapped at [`LEGEND_CHARS`].
fn side_legend(area: &Area, entries: &[(String, Mark)]) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::element::DashedPathElement;
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (x, line, gap) = (20, 30, 12);
    let mut y = 110;
    for (label, mark) in entries {
        match *mark {
            Mark::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + 40, y)],
                    c.stroke_width(4),
                ))?;
            }
            Mark::Dashed(c) => {
                area.draw(&DashedPathElement::new(
                    vec![(x, y), (x + 40, y)],
                    8,
                    5,
                    c.stroke_width(3),
                ))?;
            }
            Mark::Dot(c) => area.draw(&Circle::new((x + 20, y), 6, c.mix(FAINT).filled()))?,
            Mark::Mean(c) => diamond(area, (x + 20, y), c)?,
            Mark::Point(c) => area.draw(&Circle::new((x + 20, y), 9, c.filled()))?,
            Mark::Block(c) => {
                area.draw(&Rectangle::new(
                    [(x + 6, y - 11), (x + 34, y + 11)],
                    c.filled(),
                ))?;
            }
        }
        let colour = if label.starts_with(MARK) {
            &WARN
        } else {
            &BLACK
        };
        for text in wrap(label, LEGEND_CHARS) {
            area.draw(&Text::new(
                text,
                (x + 56, y),
                (FONT, LEGEND)
                    .into_font()
                    .color(colour)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += line;
        }
        y += gap;
    }
    Ok(())
}

/// A mean's marker at pixel `(x, y)` of `area`: a filled diamond with a black edge.
fn diamond(area: &Area, (x, y): (i32, i32), c: RGBColor) -> Result<(), Box<dyn std::error::Error>> {
    let r = 13;
    let points = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
    area.draw(&Polygon::new(points.clone(), c.filled()))?;
    let mut edge = points;
    edge.push((x, y - r));
    area.draw(&PathElement::new(edge, BLACK.stroke_width(2)))?;
    Ok(())
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
        Kind::Run(arm) => {
            run::scenario_charts(std::slice::from_ref(arm), dir, &mut files)?;
            // A run with uncertain parameters: which inputs its results depend on.
            files.extend(psa::psa_inputs(arm, dir)?);
        }
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
            // Uncertain parameters: which of them each alternative's result turns on.
            files.extend(psa::psa_compare(arms, cost_effectiveness.as_ref(), dir)?);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// CIELAB of an sRGB colour (D65).
    fn lab(c: RGBColor) -> [f64; 3] {
        let lin = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.950_47;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.088_83;
        let f = |t: f64| {
            if t > 0.008_856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    #[test]
    fn the_palette_has_sixteen_distinct_colours() {
        // ΔE*ab of at least 20 between every pair (about the distance between colours that
        // can be told apart at a glance in a legend), and none near the warning red, the
        // capacity black or the threshold grey.
        let reserved = [WARN, BLACK, RGBColor(110, 110, 110)];
        for (i, a) in PALETTE.iter().enumerate() {
            for b in PALETTE.iter().skip(i + 1).chain(&reserved) {
                let (p, q) = (lab(*a), lab(*b));
                let d =
                    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt();
                assert!(d >= 20.0, "{a:?} and {b:?} are only {d:.1} apart");
            }
        }
    }

    #[test]
    fn long_names_wrap_at_spaces_and_underscores() {
        assert_eq!(
            wrap("early_discharge_understaffed_wait", 20),
            ["early_discharge_", "understaffed_wait"]
        );
        assert_eq!(wrap("short", 20), ["short"]);
        assert_eq!(wrap("", 20), [""]);
        // A word longer than the width is cut.
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        for l in wrap(
            "⚠ integrated_funding_assumed_los with a long tail of words",
            30,
        ) {
            assert!(l.chars().count() <= 30, "{l}");
        }
    }
}
