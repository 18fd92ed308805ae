//! What the results rest on: the model description following the STRESS-DES checklist
//! (objectives, logic, data, experimentation, implementation, code access) and the resolved
//! parameters with their units, all from the folder's typed manifest.

use serde_json::Value;

use super::{Block, Folder};
use crate::chart::{Kind, thousands};
use crate::model::units;
use crate::output::schema::Manifest;

/// The STRESS-DES model description, one subsection per item of the checklist.
pub(super) fn model_description(folder: &Folder) -> Vec<Block> {
    let mut doc = vec![Block::Heading(2, "Model description (STRESS-DES)".into())];
    let items = [
        ("1. Objectives", objectives(folder)),
        ("2. Logic", logic(&folder.manifest)),
        ("3. Data", data(&folder.manifest)),
        ("4. Experimentation", experimentation(folder)),
        ("5. Implementation", implementation(folder)),
        ("6. Code access", code_access(folder)),
    ];
    for (heading, text) in items {
        doc.push(Block::Heading(3, heading.into()));
        doc.push(Block::Para(text));
    }
    doc
}

/// What the model estimates, and for which alternatives or swept keys.
fn objectives(folder: &Folder) -> String {
    format!(
        "To estimate the use and cost of acute, community and primary care by people with chronic disease in the health economy described as “{}”{}. Main outputs: emergency admissions, acute bed-days (and per 1,000 population), delayed-discharge bed-days, waits for a bed, 30-day readmissions, community place-days and costs by setting and payer.",
        folder.manifest.scenario.description,
        match &folder.kind {
            Kind::Compare { arms, .. } => format!(
                ", and how they change under {}",
                arms[1..]
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Sweep { columns, .. } => {
                format!(", and their sensitivity to {}", columns.join(", "))
            }
            Kind::Run(_) => String::new(),
        }
    )
}

/// How patients move through the model, with this scenario's conditions, beds, services
/// and levers.
fn logic(manifest: &Manifest) -> String {
    let params = &manifest.scenario.params;
    let conditions: Vec<&str> = params.conditions.iter().map(|c| c.name.as_str()).collect();
    let services: Vec<String> = params
        .services
        .iter()
        .map(|s| {
            format!(
                "{} ({} places, {}-based, paid by {})",
                s.name,
                thousands(f64::from(s.capacity), 0),
                s.setting,
                s.payer.replace('_', " ")
            )
        })
        .collect();
    let levers = &params.levers.applied;
    format!(
        "A discrete-event simulation in continuous time (days). Each patient has a condition ({}), an age band, a risk tier, a frailty multiplier and a count of prior admissions, and is at home, waiting for a bed, in an acute bed, a delayed discharge (medically fit, holding a bed while waiting for a community place), in a community service, out of area, or dead. At home, exacerbations occur at a rate set by condition, tier, frailty, admission history, a post-discharge window and season; each becomes an admission request with the condition's probability, or an urgent primary-care contact. Requests take a free acute bed ({} beds; when none is free they {}); at the end of a stay the patient dies, goes home, or needs a community service: {}. A full service makes the patient a delayed discharge, first come first served. Reviews and outpatient referrals are counted from person-days at home. Policy levers applied: {}.",
        conditions.join(", "),
        thousands(f64::from(params.acute.beds), 0),
        if params.acute.when_full == "divert" {
            "are admitted out of area"
        } else {
            "queue first come first served"
        },
        if services.is_empty() {
            "none".to_string()
        } else {
            services.join("; ")
        },
        if levers.is_empty() {
            "none".to_string()
        } else {
            levers.join(", ")
        }
    )
}

/// The scenario files with their hashes, and the uncertain parameters.
fn data(manifest: &Manifest) -> String {
    let sc = &manifest.scenario;
    let files: Vec<String> = sc
        .files
        .iter()
        .map(|f| format!("{} (SHA-256 {})", f.path, f.sha256))
        .collect();
    // A distribution as JSON with its keys in name order, as the report has always shown it.
    let uncertain: Vec<String> = sc
        .uncertain
        .iter()
        .map(|u| {
            let dist = serde_json::to_value(u.dist).unwrap_or(Value::Null);
            format!("{} ~ {dist}", u.path)
        })
        .collect();
    format!(
        "All inputs come from the scenario files {}. {} Graded settings carry the domain brief's tags ([S] seen in a source, [S2] secondary, [R] recalled, [E] an estimate for modelling). The resolved parameters are listed at the end of this report. Uncertain parameters, sampled once per replication: {}.",
        files.join(", "),
        provenance(sc),
        if uncertain.is_empty() {
            "none".to_string()
        } else {
            uncertain.join("; ")
        }
    )
}

/// Replications, run length, warm-up, seed, common random numbers and CIs.
fn experimentation(folder: &Folder) -> String {
    let manifest = &folder.manifest;
    let params = &manifest.scenario.params;
    format!(
        "{} replication{} per {}, {} simulated days each with a warm-up of {} days (the model starts empty: beds and services fill during it), base seed {}. Random numbers come from streams derived from (seed, replication, purpose) and, for each patient's own course, per-patient counter-based streams, so replication r uses the same random numbers in every arm and point (common random numbers) and results do not depend on the number of threads. Confidence intervals are Student's t intervals of the mean across replications; differences between arms are paired by replication.{}",
        manifest.replications,
        if manifest.replications == 1 { "" } else { "s" },
        match &folder.kind {
            Kind::Sweep { .. } => "sweep point",
            Kind::Compare { .. } => "arm",
            Kind::Run(_) => "scenario",
        },
        thousands(params.horizon_days, 0),
        thousands(params.warmup_days, 0),
        manifest.seed,
        match &folder.kind {
            Kind::Sweep {
                points, columns, ..
            } => format!(
                " The sweep varies {} over {} points.",
                columns.join(", "),
                points.len()
            ),
            _ => String::new(),
        }
    )
}

/// The tool, and how this invocation ran when recorded.
/// What can truly be said of the scenario files' comments: how many of their numeric
/// settings carry a comment (on the line, or in the comment block right above it), counted
/// in the files themselves when they can still be read and are unchanged (same SHA-256);
/// otherwise that it could not be checked. Never "every number is sourced" unless it is.
fn provenance(sc: &crate::output::schema::ScenarioRecord) -> String {
    use sha2::{Digest, Sha256};
    let (mut numbers, mut commented) = (0usize, 0usize);
    for f in &sc.files {
        let Ok(text) = std::fs::read_to_string(&f.path) else {
            return "Whether their numbers carry comments could not be checked: the files are not readable from here.".into();
        };
        if format!("{:x}", Sha256::digest(text.as_bytes())) != f.sha256 {
            return "Whether their numbers carry comments could not be checked: the files have changed since the run.".into();
        }
        let mut above = false;
        for line in text.lines() {
            let t = line.trim();
            if t.starts_with('#') {
                above = true;
                continue;
            }
            let value = t.split_once('=').map(|(_, v)| v.trim_start());
            let numeric = value.is_some_and(|v| {
                v.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '{' || c == '[')
                    && v.chars().any(|c| c.is_ascii_digit())
            });
            if numeric {
                numbers += 1;
                commented += usize::from(above || t.contains(" #"));
            }
            above = above && !t.is_empty() && numeric;
        }
    }
    format!(
        "{commented} of the {numbers} numeric settings in these files carry a comment (on their line, or in a comment block above them with no blank line between), counted in the files as they are now (unchanged since the run)."
    )
}

fn implementation(folder: &Folder) -> String {
    format!(
        "caresim {} (Rust): a calendar event queue, Pcg64Mcg and SplitMix64 generators, replications in parallel with rayon.{}",
        tool(folder),
        folder
            .timing
            .as_ref()
            .map(|t| {
                if t.wall_time_seconds == 0.0 && t.threads == 0 {
                    // `merge`: the shards ran elsewhere, their times are their own.
                    " These results were merged from shards; each shard's time is its own.".to_string()
                } else {
                    format!(
                        " The replications{} took {:.1} s of wall time on {} thread{}{}; writing the results and drawing the charts came after and are not included.",
                        if matches!(folder.kind, crate::chart::Kind::Compare { .. }) {
                            " of every arm"
                        } else {
                            ""
                        },
                        t.wall_time_seconds,
                        t.threads,
                        if t.threads == 1 { "" } else { "s" },
                        if t.replications_reused > 0 {
                            format!(", {} of them reused from an interrupted run's journal", t.replications_reused)
                        } else {
                            String::new()
                        }
                    )
                }
            })
            .unwrap_or_default()
    )
}

/// The caresim that wrote the folder: its version, and its git commit when recorded.
fn tool(folder: &Folder) -> String {
    let m = &folder.manifest;
    match &m.tool_commit {
        Some(c) => format!("{} (commit {c})", m.tool_version),
        None => m.tool_version.clone(),
    }
}

/// The version and the command that reproduces the results.
fn code_access(folder: &Folder) -> String {
    format!(
        "caresim version {}; the command that produced these results was `{}`. The same command with the same scenario files reproduces them byte for byte (manifest.json records the file hashes).",
        tool(folder),
        folder
            .timing
            .as_ref()
            .map_or_else(|| "(not recorded)".into(), |t| t.command.join(" "))
    )
}

/// The resolved parameters as the model ran them, with their units from
/// [`units::PARAMETER_UNITS`].
pub(super) fn parameters(manifest: &Manifest) -> Vec<Block> {
    let rows = units::parameters(&manifest.scenario.params.tree)
        .into_iter()
        .map(|p| vec![p.path.clone(), value_text(p.value), p.unit().to_string()])
        .collect();
    vec![
        Block::Heading(
            2,
            format!("Resolved parameters of {}", manifest.scenario.name),
        ),
        Block::Para("As the model ran them (rates per day, durations in days, costs in £).".into()),
        Block::Table(
            vec!["parameter".into(), "value".into(), "unit".into()],
            rows,
        ),
    ]
}

/// One value for people: whole numbers with thousands separators, others to six
/// decimals, `—` for none.
/// A resolved parameter's value as the report writes it (a list in brackets).
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            format!("[{}]", items.join(", "))
        }
        v => scalar(v),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Number(n) => n.as_f64().map_or(n.to_string(), |f| {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                thousands(f, 0)
            } else {
                format!("{}", (f * 1e6).round() / 1e6)
            }
        }),
        Value::String(s) => s.clone(),
        Value::Null => "—".into(),
        x => x.to_string(),
    }
}
