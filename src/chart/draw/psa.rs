//! The chart of a run with uncertain parameters (a probabilistic sensitivity analysis):
//! which inputs the results depend on. For each uncertain parameter, the Spearman rank
//! correlation across replications between the value sampled for it and the run's acute
//! bed-days and total cost, as a tornado (inputs ordered by their bed-days correlation's
//! size).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    FONT, LEGEND, Mark, TICKS, TITLE, arms_note, bar_mesh, colour, label_width, row_labels,
    with_side_legend,
};
use crate::chart::data::Arm;
use crate::chart::{ChartError, HEIGHT};
use crate::model::catalogue;

/// Fewer replications than this give correlations too noisy to draw.
pub(super) const MIN_REPLICATIONS: usize = 10;

/// The results correlated with the inputs.
const RESULTS: [&str; 2] = ["acute_bed_days", "total_cost"];

/// The ranks of `v` (1 = smallest), ties given their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation of `x` and `y` (Pearson's on their ranks); `None` when
/// either is constant or they differ in length.
pub(super) fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = f64::midpoint(n, 1.0);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// `psa_inputs.png` for `arm`, or `None` when it has no uncertain parameters that varied or
/// fewer than [`MIN_REPLICATIONS`] replications.
pub(super) fn psa_inputs(arm: &Arm, dir: &Path) -> Result<Option<String>, ChartError> {
    let outputs: Vec<&Vec<f64>> = RESULTS.iter().filter_map(|m| arm.runs.get(*m)).collect();
    if outputs.len() != RESULTS.len() {
        return Ok(None);
    }
    let n = outputs[0].len();
    // (input, correlation with each result), inputs that varied only.
    let mut rows: Vec<(String, Vec<f64>)> = arm
        .sampled
        .iter()
        .filter_map(|(k, x)| {
            let r: Option<Vec<f64>> = outputs.iter().map(|y| spearman(x, y)).collect();
            r.map(|r| (k.clone(), r))
        })
        .collect();
    if rows.is_empty() || n < MIN_REPLICATIONS {
        return Ok(None);
    }
    rows.sort_by(|a, b| b.1[0].abs().total_cmp(&a.1[0].abs()));
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
            "Spearman rank correlation of the sampled input with the result",
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
        // A correlation this small is within the noise of `n` replications (5%, two-sided;
        // the normal approximation 1.96 / √(n − 1)).
        let noise = 1.96 / ((n - 1) as f64).sqrt();
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
            "Not a partial correlation: inputs drawn together (correlated) would share credit.".to_string(),
            (40, 38),
            (FONT, LEGEND - 6).into_font(),
        ))?;
        Ok(())
    })?;
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_is_one_for_any_increasing_relation_and_handles_ties() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let up = [1.0, 8.0, 27.0, 64.0, 125.0];
        let down = [5.0, 4.0, 3.0, 2.0, 1.0];
        assert!((spearman(&x, &up).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
        assert!(spearman(&x, &[2.0; 5]).is_none());
        // A known value: x = 1..5, y = 2,1,4,3,5 → 1 − 6·4/(5·24) = 0.8.
        assert!((spearman(&x, &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap() - 0.8).abs() < 1e-12);
    }
}
