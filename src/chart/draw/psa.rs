//! The charts of results with uncertain parameters (a probabilistic sensitivity
//! analysis): which inputs the results depend on, as rank correlations across replications
//! between the value sampled for each input and a result — partial (PRCC, each input with
//! the others held fixed) when there are enough replications, Spearman's otherwise.
//! - A run: a tornado of each input's correlation with acute bed-days and total cost.
//! - A comparison: a grid, alternatives by inputs, of each input's correlation with the
//!   alternative's paired change in acute bed-days, and in net monetary benefit (or cost,
//!   without QALYs): which uncertainties the decision turns on.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    AXIS, FONT, LEGEND, Mark, TICKS, TITLE, arms_note, bar_mesh, colour, label_width, row_labels,
    with_side_legend,
};
use crate::chart::data::{Arm, CeResults};
use crate::chart::{ChartError, HEIGHT, WIDTH, money};
use crate::model::catalogue;
use crate::stats::rank;

/// Fewer replications than this give correlations too noisy to draw.
pub(super) const MIN_REPLICATIONS: usize = 10;

/// The results correlated with the inputs.
const RESULTS: [&str; 2] = ["acute_bed_days", "total_cost"];

/// How a chart's correlations were measured.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Measure {
    /// Partial rank correlation (PRCC): each input with the others held fixed.
    Partial,
    /// Spearman's rank correlation: each input alone (too few replications for PRCC).
    Spearman,
}

impl Measure {
    fn name(self) -> &'static str {
        match self {
            Measure::Partial => "partial rank correlation (PRCC)",
            Measure::Spearman => "Spearman rank correlation",
        }
    }
}

/// The correlations of one set of sampled inputs with some results.
#[derive(Debug)]
struct Sensitivity {
    measure: Measure,
    /// The inputs that varied, in key-path order, each with its correlation with each
    /// result (`None` where the result did not vary).
    rows: Vec<(String, Vec<Option<f64>>)>,
    /// Replications.
    n: usize,
}

impl Sensitivity {
    /// The size below which a correlation is within the noise of `n` replications.
    fn noise(&self) -> f64 {
        let controls = match self.measure {
            Measure::Partial => self.rows.len() - 1,
            Measure::Spearman => 0,
        };
        rank::noise_threshold(self.n, controls).unwrap_or(1.0)
    }
}

/// How `results` (each a value per replication) move with the `sampled` inputs: PRCC when
/// the replications leave at least [`MIN_REPLICATIONS`] degrees of freedom beyond the
/// inputs, Spearman's correlation otherwise; `None` without an input that varied or with
/// fewer than [`MIN_REPLICATIONS`] replications.
fn sensitivity(sampled: &BTreeMap<String, Vec<f64>>, results: &[Vec<f64>]) -> Option<Sensitivity> {
    let n = results.first()?.len();
    if n < MIN_REPLICATIONS || results.iter().any(|r| r.len() != n) {
        return None;
    }
    let varied: Vec<(&String, &Vec<f64>)> = sampled
        .iter()
        .filter(|(_, x)| x.len() == n && x.iter().any(|v| *v != x[0]))
        .collect();
    if varied.is_empty() {
        return None;
    }
    let inputs: Vec<&[f64]> = varied.iter().map(|(_, x)| x.as_slice()).collect();
    let partial: Option<Vec<Vec<Option<f64>>>> = (n >= inputs.len() + MIN_REPLICATIONS)
        .then(|| {
            results
                .iter()
                .map(|y| {
                    if y.iter().all(|v| *v == y[0]) {
                        return Some(vec![None; inputs.len()]);
                    }
                    Some(
                        rank::partial_rank_correlations(&inputs, y)?
                            .into_iter()
                            .map(Some)
                            .collect(),
                    )
                })
                .collect()
        })
        .flatten();
    let (measure, by_result) = match partial {
        Some(p) => (Measure::Partial, p),
        None => (
            Measure::Spearman,
            results
                .iter()
                .map(|y| inputs.iter().map(|x| rank::spearman(x, y)).collect())
                .collect(),
        ),
    };
    let rows = varied
        .iter()
        .enumerate()
        .map(|(i, (k, _))| ((*k).clone(), by_result.iter().map(|r| r[i]).collect()))
        .collect();
    Some(Sensitivity { measure, rows, n })
}

/// `psa_inputs.png` for `arm`, or `None` when it has no uncertain parameters that varied or
/// fewer than [`MIN_REPLICATIONS`] replications.
pub(super) fn psa_inputs(arm: &Arm, dir: &Path) -> Result<Option<String>, ChartError> {
    let Some(results) = RESULTS
        .iter()
        .map(|m| arm.runs.get(*m).cloned())
        .collect::<Option<Vec<Vec<f64>>>>()
    else {
        return Ok(None);
    };
    let Some(sens) = sensitivity(&arm.sampled, &results) else {
        return Ok(None);
    };
    let (n, noise, measure) = (sens.n, sens.noise(), sens.measure);
    let size = |r: &Option<f64>| r.map_or(0.0, f64::abs);
    let mut rows = sens.rows;
    rows.sort_by(|a, b| size(&b.1[0]).total_cmp(&size(&a.1[0])));
    let height = HEIGHT.max(320 + 90 * rows.len() as u32);
    let entries: Vec<(String, Mark)> = RESULTS
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                catalogue::metric(m).label.to_string(),
                Mark::Block(colour(i)),
            )
        })
        .collect();
    let file = arms_note(std::slice::from_ref(arm)).png(dir, "psa_inputs.png", height, |root| {
        let whole = with_side_legend(root, &entries)?;
        let (main, foot) = whole.split_vertically(whole.dim_in_pixel().1 - 70);
        let count = rows.len();
        let mut chart = ChartBuilder::on(&main)
            .caption(
                format!("{}: which inputs matter", arm.title),
                (FONT, TITLE - 12),
            )
            .margin(30)
            .x_label_area_size(100)
            .y_label_area_size(label_width(rows.iter().map(|r| r.0.chars().count())))
            .build_cartesian_2d(-1.0..1.0, -0.5..(count as f64 - 0.5))?;
        bar_mesh(
            &mut chart,
            &format!("{} of the sampled input with the result", measure.name()),
            &|v| format!("{v:.1}").replace('-', "−"),
        )?;
        let labels: Vec<(f64, String)> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((count - 1 - i) as f64, r.0.clone()))
            .collect();
        row_labels(&main, &chart, -1.0, &labels)?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, count as f64 - 0.5)],
            BLACK.stroke_width(2),
        )))?;
        // A correlation this small is within the noise of `n` replications (5%, two-sided).
        for x in [-noise, noise] {
            chart.draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                vec![(x, -0.5), (x, count as f64 - 0.5)],
                8,
                6,
                RGBColor(110, 110, 110).stroke_width(2),
            )))?;
        }
        for (i, (_, r)) in rows.iter().enumerate() {
            let y = (count - 1 - i) as f64;
            for (k, &rho) in r.iter().enumerate() {
                let Some(rho) = rho else { continue };
                // Two bars per input, bed-days above cost.
                let (top, bottom) = if k == 0 { (y + 0.38, y + 0.02) } else { (y - 0.02, y - 0.38) };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, bottom), (rho, top)],
                    colour(k).filled(),
                )))?;
                let x = if rho >= 0.0 { rho + 0.02 } else { rho - 0.02 };
                let side = if rho >= 0.0 { HPos::Left } else { HPos::Right };
                chart.draw_series(std::iter::once(Text::new(
                    format!("{rho:+.2}").replace('-', "−"),
                    (x, f64::midpoint(top, bottom)),
                    (FONT, TICKS - 4)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(side, VPos::Center)),
                )))?;
            }
        }
        foot.draw(&Text::new(
            format!("{n} replications, each an independent draw of every input. A long bar: the result moves with that input; between the dashed lines (|ρ| < {noise:.2}): within the noise of {n} replications."),
            (40, 8),
            (FONT, LEGEND - 6).into_font(),
        ))?;
        foot.draw(&Text::new(
            match measure {
                Measure::Partial => "Partial rank correlation: each input with the others held fixed (an input that only moves with another gets no credit).".to_string(),
                Measure::Spearman => format!("Spearman's correlation, each input alone: {} more replications would allow partial correlations.", (count + MIN_REPLICATIONS).saturating_sub(n)),
            },
            (40, 38),
            (FONT, LEGEND - 6).into_font(),
        ))?;
        Ok(())
    })?;
    Ok(Some(file))
}

/// Rows of the comparison grid, pixels.
const GRID_ROW: i32 = 58;

/// The change in each replication of `alternative` from `base` in `metric` (paired:
/// replication `r` of both arms ran on the same random numbers and sampled inputs).
fn paired(base: &Arm, alternative: &Arm, metric: &str) -> Option<Vec<f64>> {
    let (b, a) = (base.runs.get(metric)?, alternative.runs.get(metric)?);
    (a.len() == b.len()).then(|| a.iter().zip(b).map(|(a, b)| a - b).collect())
}

/// The results a comparison's inputs are correlated with: the change in acute bed-days,
/// and the incremental net monetary benefit at the threshold (discounted QALYs and
/// activity costs, as `cost_effectiveness.csv`), or the change in total cost without QALYs.
fn compare_results(base: &Arm, alternative: &Arm, threshold: Option<f64>) -> Option<Vec<Vec<f64>>> {
    let beds = paired(base, alternative, "acute_bed_days")?;
    let second = match threshold {
        Some(t) => {
            let q = paired(base, alternative, "discounted_qalys")?;
            let c = paired(base, alternative, "discounted_total_cost")?;
            q.iter().zip(&c).map(|(q, c)| t * q - c).collect()
        }
        None => paired(base, alternative, "total_cost")?,
    };
    Some(vec![beds, second])
}

/// `psa_inputs.png` for a comparison: for each alternative (row) and uncertain input
/// (column), the correlation of the input with the alternative's paired change in acute
/// bed-days (upper grid) and in net monetary benefit (lower grid); `None` without
/// uncertain inputs that varied or with fewer than [`MIN_REPLICATIONS`] replications.
pub(super) fn psa_compare(
    arms: &[Arm],
    ce: Option<&CeResults>,
    dir: &Path,
) -> Result<Option<String>, ChartError> {
    let Some((base, alternatives)) = arms.split_first() else {
        return Ok(None);
    };
    let threshold = ce.and_then(CeResults::threshold);
    let grids: Vec<(&Arm, Sensitivity)> = alternatives
        .iter()
        .filter_map(|a| {
            let results = compare_results(base, a, threshold)?;
            Some((a, sensitivity(&a.sampled, &results)?))
        })
        .collect();
    if grids.is_empty() {
        return Ok(None);
    }
    // Columns: every input that varied for some alternative, in key-path order.
    let mut inputs: Vec<String> = grids
        .iter()
        .flat_map(|(_, s)| s.rows.iter().map(|r| r.0.clone()))
        .collect();
    inputs.sort();
    inputs.dedup();
    let second = match threshold {
        Some(t) => format!(
            "net monetary benefit at {}/QALY (discounted QALYs and activity costs)",
            money(t)
        ),
        None => "change in total cost".to_string(),
    };
    let panels = ["change in acute bed-days".to_string(), second];
    let rows = grids.len() as i32;
    let header = 110;
    let panel = 60 + header + GRID_ROW * rows + 30;
    let height = HEIGHT.max((130 + 2 * panel + 150) as u32);
    let title = format!(
        "{}: which uncertain inputs each alternative's result turns on",
        base.title
    );
    let file = arms_note(arms).png(dir, "psa_inputs.png", height, |root| {
        root.draw(&Text::new(
            title,
            (WIDTH as i32 / 2, 30),
            (FONT, TITLE - 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        let left = label_width(grids.iter().map(|(a, _)| a.name.chars().count())) as i32;
        let cell = ((WIDTH as i32 - left - 60) / inputs.len().max(1) as i32).min(300);
        for (p, heading) in panels.iter().enumerate() {
            let top = 130 + p as i32 * panel;
            root.draw(&Text::new(
                format!("Correlation with the {heading}"),
                (40, top),
                (FONT, AXIS - 2).into_font(),
            ))?;
            let grid_top = top + 60 + header;
            for (c, input) in inputs.iter().enumerate() {
                let x = left + c as i32 * cell;
                let lines: Vec<String> = input.split('.').flat_map(|part| super::wrap(part, (cell / 14).max(6) as usize)).collect();
                let lines = &lines[lines.len().saturating_sub(3)..];
                for (l, text) in lines.iter().enumerate() {
                    root.draw(&Text::new(
                        text.clone(),
                        (x + cell / 2, grid_top - 12 - 30 * (lines.len() - 1 - l) as i32),
                        (FONT, TICKS - 2)
                            .into_font()
                            .color(&BLACK)
                            .pos(Pos::new(HPos::Center, VPos::Bottom)),
                    ))?;
                }
            }
            for (r, (arm, sens)) in grids.iter().enumerate() {
                let y = grid_top + r as i32 * GRID_ROW;
                root.draw(&Text::new(
                    arm.name.clone(),
                    (left - 14, y + GRID_ROW / 2),
                    (FONT, TICKS)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Right, VPos::Center)),
                ))?;
                let noise = sens.noise();
                for (c, input) in inputs.iter().enumerate() {
                    let x = left + c as i32 * cell;
                    let value = sens
                        .rows
                        .iter()
                        .find(|row| &row.0 == input)
                        .and_then(|row| row.1[p]);
                    draw_cell(root, (x, y), (cell, GRID_ROW), value, noise)?;
                }
            }
        }
        let foot = 130 + 2 * panel + 10;
        let measures: Vec<&str> = [Measure::Partial, Measure::Spearman]
            .into_iter()
            .filter(|m| grids.iter().any(|(_, s)| s.measure == *m))
            .map(Measure::name)
            .collect();
        let measures = measures.join(" / ");
        let mut chars = measures.chars();
        let measures: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        for (i, line) in [
            format!(
                "{} across {} replications of each arm (paired: the same inputs in replication r of every arm).",
                measures,
                grids[0].1.n
            ),
            "Blue: the result rises with the input; orange: it falls. Grey: within the noise of the replications (5%); —: the result did not vary.".to_string(),
            "A strong correlation with the net monetary benefit marks an input worth researching before deciding (its value of information).".to_string(),
        ]
        .iter()
        .enumerate()
        {
            root.draw(&Text::new(
                line.clone(),
                (40, foot + 34 * i as i32),
                (FONT, LEGEND - 6).into_font(),
            ))?;
        }
        Ok(())
    })?;
    Ok(Some(file))
}

/// One cell of the comparison grid at pixel `(x, y)` of size `(w, h)`: `value` printed on
/// a fill whose depth is its size (blue positive, orange negative), grey within `noise`.
fn draw_cell(
    area: &super::Area,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    value: Option<f64>,
    noise: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let (fill, text, ink) = match value {
        None => (
            RGBColor(245, 245, 245),
            "—".to_string(),
            RGBColor(120, 120, 120),
        ),
        Some(v) if v.abs() < noise => (
            RGBColor(235, 235, 235),
            format!("{v:+.2}").replace('-', "−"),
            RGBColor(120, 120, 120),
        ),
        Some(v) => {
            let base = if v > 0.0 { colour(0) } else { colour(1) };
            let t = v.abs().clamp(0.0, 1.0);
            let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * (0.25 + 0.75 * t)).round() as u8;
            let fill = RGBColor(mix(base.0), mix(base.1), mix(base.2));
            let ink = if t > 0.6 { WHITE } else { BLACK };
            (fill, format!("{v:+.2}").replace('-', "−"), ink)
        }
    };
    area.draw(&Rectangle::new(
        [(x + 2, y + 2), (x + w - 2, y + h - 2)],
        fill.filled(),
    ))?;
    area.draw(&Text::new(
        text,
        (x + w / 2, y + h / 2),
        (FONT, TICKS)
            .into_font()
            .color(&ink)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sampled(columns: &[(&str, Vec<f64>)]) -> BTreeMap<String, Vec<f64>> {
        columns
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect()
    }

    /// Inputs that did not vary are left out; with enough replications the correlations
    /// are partial, with too few Spearman's; a result that did not vary has none.
    #[test]
    fn sensitivity_picks_its_measure_and_keeps_only_inputs_that_varied() {
        let n = 30;
        let x: Vec<f64> = (0..n).map(|i| f64::from(i * 7 % 30)).collect();
        let z: Vec<f64> = (0..n).map(|i| f64::from(i * 11 % 30)).collect();
        let y: Vec<f64> = x.iter().zip(&z).map(|(a, b)| a + 0.3 * b).collect();
        let flat = vec![5.0; n as usize];
        let inputs = sampled(&[
            ("a.x", x.clone()),
            ("b.z", z.clone()),
            ("c.fixed", flat.clone()),
        ]);
        let s = sensitivity(&inputs, &[y.clone(), flat.clone()]).unwrap();
        assert_eq!(s.measure, Measure::Partial);
        assert_eq!(s.rows.len(), 2);
        assert!(s.rows[0].1[0].unwrap() > 0.9, "{s:?}");
        assert_eq!(s.rows[0].1[1], None);
        // 11 replications and 2 inputs: too few for partial correlations.
        let short = sampled(&[("a.x", x[..11].to_vec()), ("b.z", z[..11].to_vec())]);
        let s = sensitivity(&short, &[y[..11].to_vec()]).unwrap();
        assert_eq!(s.measure, Measure::Spearman);
        assert!(sensitivity(&short, &[y[..9].to_vec()]).is_none());
        assert!(sensitivity(&sampled(&[("c.fixed", flat)]), &[y]).is_none());
    }
}
