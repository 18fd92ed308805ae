//! "The scenarios compared": every arm of a comparison described — its title and
//! description, its levers and graded settings with their evidence grades and sources
//! (the base's in full, each alternative's where they differ from the base), and what it
//! changes from the base as the model ran it (a diff of the resolved parameters).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Block, Folder, ReportError};
use crate::chart::{ChartError, Kind};
use crate::model::units;
use crate::output::schema::{Manifest, ScenarioRecord};
use crate::scenario::policy::evidence::EffectEvidence;

/// One arm's scenario as its manifest recorded it.
pub(super) struct ArmRecord {
    /// The arm's name (its folder in the comparison).
    pub name: String,
    /// The scenario: title, description, resolved parameters, evidence.
    pub scenario: ScenarioRecord,
}

impl ArmRecord {
    /// The graded settings of this arm that the base does not have with the same value
    /// (all of them without a base).
    pub fn own_evidence<'a>(
        &'a self,
        base: Option<&'a ArmRecord>,
    ) -> impl Iterator<Item = &'a EffectEvidence> + 'a {
        self.scenario.evidence.iter().filter(move |e| {
            base.is_none_or(|b| {
                !b.scenario
                    .evidence
                    .iter()
                    .any(|x| x.lever == e.lever && x.key == e.key && x.value == e.value)
            })
        })
    }
}

/// Every arm's record, base first (the run's or sweep's scenario alone otherwise).
pub(super) fn records(dir: &Path, folder: &Folder) -> Result<Vec<ArmRecord>, ReportError> {
    let mut out = vec![ArmRecord {
        name: folder.manifest.scenario.name.clone(),
        scenario: folder.manifest.scenario.clone(),
    }];
    if let Kind::Compare { arms, .. } = &folder.kind {
        out[0].name.clone_from(&arms[0].name);
        for arm in &arms[1..] {
            let m = Manifest::read(&dir.join(&arm.name)).map_err(ChartError::from)?;
            out.push(ArmRecord {
                name: arm.name.clone(),
                scenario: m.scenario,
            });
        }
    }
    // A folder written before titles existed: the title the charts use, from the name.
    for r in &mut out {
        if r.scenario.title.is_empty() {
            r.scenario.title = crate::scenario::title_from_name(&r.scenario.name);
        }
    }
    Ok(out)
}

/// The resolved parameters of `s`, path → (value as written, unit). A reference to a
/// community service (`….service`, an index into the scenario's services) is written as
/// the service's name: an arm that adds a service renumbers the others, which is not a
/// change.
fn parameter_map(s: &ScenarioRecord) -> BTreeMap<String, (String, &'static str)> {
    let services: Vec<String> = s
        .params
        .tree
        .get("services")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|x| {
                    x.get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or("?")
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default();
    units::parameters(&s.params.tree)
        .into_iter()
        .map(|p| {
            let mut value = super::inputs::value_text(p.value);
            if p.path.ends_with(".service")
                && let Some(name) = value.parse::<usize>().ok().and_then(|i| services.get(i))
            {
                value.clone_from(name);
            }
            (p.path.clone(), (value, p.unit()))
        })
        .collect()
}

/// The section, for a comparison (nothing otherwise).
pub(super) fn section(folder: &Folder, records: &[ArmRecord]) -> Vec<Block> {
    if !matches!(folder.kind, Kind::Compare { .. }) || records.len() < 2 {
        return Vec::new();
    }
    let base = &records[0];
    let mut doc = vec![
        Block::Heading(2, "The scenarios compared".into()),
        Block::Para(format!(
            "Each arm with its description, its levers and graded settings (grades: [S] seen in a retrieved source; [S2] seen in a secondary source; [R] recalled from the literature, not confirmed; [E] an estimate for modelling, not a published figure), and the parameters it changes from the base, {}, as the model ran them (rates per day, durations in days, costs in £). The base's parameters in full are at the end of the report.",
            base.scenario.title
        )),
    ];
    doc.push(Block::Heading(
        3,
        format!("Base: {} (`{}`)", base.scenario.title, base.name),
    ));
    doc.push(Block::Para(base.scenario.description.clone()));
    if !base.scenario.evidence.is_empty() {
        doc.push(Block::Para("Its graded settings:".into()));
        doc.push(super::evidence::table(&base.scenario));
    }
    let base_params = parameter_map(&base.scenario);
    for arm in &records[1..] {
        doc.push(Block::Heading(
            3,
            format!("{} (`{}`)", arm.scenario.title, arm.name),
        ));
        doc.push(Block::Para(arm.scenario.description.clone()));
        let own: Vec<&EffectEvidence> = arm.own_evidence(Some(base)).collect();
        if own.is_empty() && arm.scenario.params.levers.applied.is_empty() {
            doc.push(Block::Para(
                "No levers and no graded settings of its own.".into(),
            ));
        } else {
            doc.push(Block::Para(
                "Its levers and the graded settings it adds or changes:".into(),
            ));
            doc.push(super::evidence::rows_table(
                &own,
                &arm.scenario.params.levers.applied,
            ));
        }
        let params = parameter_map(&arm.scenario);
        let rows: Vec<Vec<String>> = params
            .iter()
            .filter(|(k, v)| base_params.get(*k).is_none_or(|b| b.0 != v.0))
            .map(|(k, v)| {
                vec![
                    k.clone(),
                    base_params.get(k).map_or("—".into(), |b| b.0.clone()),
                    v.0.clone(),
                    v.1.to_string(),
                ]
            })
            .chain(
                base_params
                    .iter()
                    .filter(|(k, _)| !params.contains_key(*k))
                    .map(|(k, b)| vec![k.clone(), b.0.clone(), "—".into(), b.1.to_string()]),
            )
            .collect();
        if rows.is_empty() {
            doc.push(Block::Para(
                "Its resolved parameters are the base's: it differs only in what no parameter records (none should).".into(),
            ));
        } else {
            doc.push(Block::Para(format!(
                "What it changes from the base ({} parameter{}):",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            )));
            doc.push(Block::Table(
                vec![
                    "parameter".into(),
                    "base".into(),
                    "this arm".into(),
                    "unit".into(),
                ],
                rows,
            ));
        }
    }
    doc
}
