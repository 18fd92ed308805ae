//! The charts of a run, and of every arm of a comparison side by side: occupancy (see
//! [`super::occupancy`]), bed-days per 1,000, cost by setting, delays and waits.

use std::path::Path;

use plotters::prelude::*;

use super::occupancy::occupancy;
use super::{
    FONT, TICKS, TITLE, arm_rows, arms_note, bar_height, bar_margin, bar_mesh, bars, colour,
    label_width, legend, row_labels,
};
use crate::chart::data::Arm;
use crate::chart::{ChartError, WIDTH, money, thousands};
use crate::model::catalogue;

/// Occupancy, bed-days, costs, delays and waits, for one or more scenarios.
pub(super) fn scenario_charts(
    arms: &[Arm],
    dir: &Path,
    files: &mut Vec<String>,
) -> Result<(), ChartError> {
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
            catalogue::RUN_BARS[0],
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
            catalogue::RUN_BARS[1],
            &|v| thousands(v, 0),
        )?;
        bars(
            &right,
            arms,
            "Mean wait for an acute bed",
            "days per admission (mean, 95% CI)",
            catalogue::RUN_BARS[2],
            &|v| thousands(v, 2),
        )
    })?);
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
        let total = |a: &Arm| a.summary.get(catalogue::CE_AXES[1]).map_or(0.0, |e| e.0);
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
        bar_mesh(
            &mut chart,
            "cost over the observed period, £ (mean of replications)",
            &money,
        )?;
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
