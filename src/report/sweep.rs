//! The sweep section: each point's swept values and the catalogue's
//! [`SWEPT`](catalogue::SWEPT) metrics with their CIs.

use super::Block;
use super::summary::{fmt_of, with_ci};
use crate::chart::Kind;
use crate::model::catalogue;

/// One row per point of a sweep (`kind`; nothing for another kind of folder): its number,
/// its value of each swept key, and the swept metrics.
pub(super) fn table(kind: &Kind) -> Option<Block> {
    let Kind::Sweep {
        columns, points, ..
    } = kind
    else {
        return None;
    };
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(columns.iter().cloned());
    header.extend(
        catalogue::SWEPT
            .iter()
            .map(|m| catalogue::metric(m).short.to_string()),
    );
    let rows = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut row = vec![i.to_string()];
            row.extend(p.values.iter().map(|v| format!("{v}")));
            for (m, f) in catalogue::SWEPT.map(|m| (m, fmt_of(m))) {
                row.push(p.metrics.get(m).map_or("—".into(), |e| with_ci(*e, f)));
            }
            row
        })
        .collect();
    Some(Block::Table(header, rows))
}
