//! The evidence section: for each arm (or the run), its graded settings (of its levers, and
//! of its economic, payment, condition and service tables) with their grade and source,
//! read from each arm's `manifest.json`.

use std::path::Path;

use super::{Block, Folder, ReportError};
use crate::chart::{ChartError, Kind};
use crate::output::schema::{Manifest, ScenarioRecord};
use crate::scenario::Grade;
use crate::scenario::policy::evidence::{EffectEvidence, describe};

/// The evidence table of every arm that applies levers or grades settings (nothing when
/// none does, or for a folder whose manifests predate evidence and apply no levers).
pub(super) fn section(dir: &Path, folder: &Folder) -> Result<Vec<Block>, ReportError> {
    let arms: Vec<(String, ScenarioRecord)> = match &folder.kind {
        Kind::Compare { arms, .. } => {
            let mut out = vec![(arms[0].name.clone(), folder.manifest.scenario.clone())];
            for arm in &arms[1..] {
                let m = Manifest::read(&dir.join(&arm.name)).map_err(ChartError::from)?;
                out.push((arm.name.clone(), m.scenario));
            }
            out
        }
        _ => vec![(
            folder.manifest.scenario.name.clone(),
            folder.manifest.scenario.clone(),
        )],
    };
    let with_levers: Vec<&(String, ScenarioRecord)> = arms
        .iter()
        .filter(|(_, s)| !s.params.levers.applied.is_empty() || !s.evidence.is_empty())
        .collect();
    if with_levers.is_empty() {
        return Ok(Vec::new());
    }
    let grades: Vec<String> = Grade::ALL
        .iter()
        .map(|g| format!("[{g}] {}", g.meaning()))
        .collect();
    let mut doc = vec![
        Block::Heading(2, "Evidence for the levers and economic values".into()),
        Block::Para(format!(
            "Each setting graded in its scenario file (of a lever, or of the economics, payment, condition and service tables), with the domain brief's tags: {}. A setting given as a distribution is sampled once per replication, so the results above carry its uncertainty; its value here is the mean.",
            grades.join("; ")
        )),
    ];
    for (name, scenario) in with_levers {
        if arms.len() > 1 {
            doc.push(Block::Heading(3, name.clone()));
        }
        doc.push(table(scenario));
    }
    Ok(doc)
}

/// One arm's levers: each graded setting, then each lever applied without evidence.
pub(super) fn table(scenario: &ScenarioRecord) -> Block {
    let all: Vec<&EffectEvidence> = scenario.evidence.iter().collect();
    rows_table(&all, &scenario.params.levers.applied)
}

/// The graded settings `evidence`, then each lever of `applied` that none of them grades.
pub(super) fn rows_table(evidence: &[&EffectEvidence], applied: &[String]) -> Block {
    let mut rows: Vec<Vec<String>> = evidence
        .iter()
        .map(|e| {
            let value = match &e.dist {
                Some(d) => format!("{} ({})", short(&e.value), describe(d)),
                None => short(&e.value),
            };
            vec![
                e.lever.clone(),
                e.key.clone(),
                value,
                e.grade.to_string(),
                one_line(&e.source),
            ]
        })
        .collect();
    for lever in applied {
        if !evidence.iter().any(|e| &e.lever == lever) {
            rows.push(vec![
                lever.clone(),
                "—".into(),
                "—".into(),
                "—".into(),
                "no evidence given".into(),
            ]);
        }
    }
    Block::Table(
        ["lever", "setting", "value", "grade", "source"]
            .map(String::from)
            .to_vec(),
        rows,
    )
}

/// A number to four significant digits (a distribution's mean), other values as written.
fn short(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(x) if x.is_finite() && x.fract() != 0.0 => {
            let digits = 3 - x.abs().log10().floor().clamp(-10.0, 3.0) as i32;
            let p = usize::try_from(digits.max(0)).unwrap_or(0);
            let text = format!("{x:.p$}");
            if text.contains('.') {
                text.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                text
            }
        }
        _ => one_line(value),
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
