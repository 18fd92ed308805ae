//! `manifest.json`: what makes a result folder reproducible — the tool and result format,
//! seed, replications, sweep points and the scenario with its file hashes and resolved
//! parameters.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ReadError;
use crate::experiment::Point;
use crate::experiment::sweep::Design;
use crate::scenario::{EffectEvidence, ParamDist, Scenario};

/// The result format this caresim writes and reads: the files, their columns and the
/// manifest's keys. Raise it when any of them changes, so that a folder of another format
/// is refused with a clear message instead of being misread.
///
/// - Format 1: every folder written before the format was numbered (caresim 0.2.0 and
///   older); its manifest has no `format_version` key, so a missing key reads as 1.
/// - Format 2: the manifest records `format_version` and, for a sweep, `sweep_design`.
/// - Format 3 (caresim 0.4.0): the unmet-need ledger, care homes and the pooled-budget
///   controller add metric columns (`unmet_need_days`, `deaths_in_care`, ...), the
///   scenario's services and levers gain keys, and the manifest records lever evidence.
/// - Format 4: results by year — `by_year.csv` in a run's (and each arm's) folder and
///   `by_year_differences.csv` in a comparison's, absent for results without values by
///   year — with the outcome, discounted and per-perspective payer metric columns.
/// - Format 5 (caresim 0.6.0): persons — metric columns `persons`, `persons_multimorbid`,
///   by number of conditions, `condition_onsets`, `entrants`, `band_moves`; stocks (persons
///   at each year's end) in `by_year.csv`; the scenario's parameters gain `persons`,
///   `trends`, `population.ageing` and uptake curves, and its files the CSV tables.
pub const RESULT_FORMAT: u32 = 5;

/// The format of a manifest without a `format_version` key.
const UNNUMBERED_FORMAT: u32 = 1;

fn unnumbered_format() -> u32 {
    UNNUMBERED_FORMAT
}

/// `manifest.json`: the same for every way of producing the same results (any thread count,
/// interrupted and resumed, sharded and merged), so it is byte-identical too.
///
/// `S` is the scenario: written from the validated [`Scenario`] (`Manifest<&Scenario>`,
/// serialised by the scenario's own types) and read back as a [`ScenarioRecord`] (the
/// default), the part of it the report and charts use plus the whole parameter tree.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest<S = ScenarioRecord> {
    /// Always `caresim`.
    pub tool: String,
    /// The caresim version that wrote the folder.
    pub tool_version: String,
    /// The git commit of the caresim that wrote the folder (see
    /// [`crate::build_info::COMMIT`]): `null` when it was built from outside a git checkout,
    /// and in folders written before commits were recorded.
    #[serde(default)]
    pub tool_commit: Option<String>,
    /// The result format of the folder (see [`RESULT_FORMAT`]).
    #[serde(default = "unnumbered_format")]
    pub format_version: u32,
    /// Base seed.
    pub seed: u64,
    /// Replications per point.
    pub replications: u32,
    /// Every sweep point's values, in order: the sweep design (absent for a run; see
    /// [`Manifest::sweep`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Vec<PointRecord>>,
    /// How the sweep's points were formed (absent for a run or a comparison).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep_design: Option<Design>,
    /// The scenario: files with hashes, resolved parameters, uncertain parameters.
    pub scenario: S,
}

impl<'a> Manifest<&'a Scenario> {
    /// The manifest of `scenario` run with `seed` and `replications`.
    pub fn new(scenario: &'a Scenario, seed: u64, replications: u32) -> Self {
        Manifest {
            tool: "caresim".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            tool_commit: crate::build_info::COMMIT.map(str::to_string),
            format_version: RESULT_FORMAT,
            seed,
            replications,
            points: None,
            sweep_design: None,
            scenario,
        }
    }

    /// The same with the sweep's `points` and `design` recorded.
    #[must_use]
    pub fn with_sweep(mut self, points: &[Point], design: Option<Design>) -> Self {
        self.sweep_design = design;
        self.points = Some(
            points
                .iter()
                .map(|p| PointRecord {
                    values: p.values.clone(),
                })
                .collect(),
        );
        self
    }
}

impl Manifest {
    /// The file's name in a result folder.
    pub const FILE: &'static str = "manifest.json";

    /// Read `dir/manifest.json`, refusing a folder of another result format.
    ///
    /// # Errors
    /// [`ReadError::OtherFormat`] for a folder of another result format (whatever else has
    /// changed in it); [`ReadError::Malformed`] if the file cannot be read, is not a
    /// caresim manifest, or lacks what it must hold.
    pub fn read(dir: &Path) -> Result<Self, ReadError> {
        /// The keys that say who wrote the file and how, read before anything else.
        #[derive(Deserialize)]
        struct Stamp {
            tool: Option<String>,
            tool_version: Option<String>,
            format_version: Option<u32>,
        }
        let path = dir.join(Self::FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| ReadError::malformed(&path, e))?;
        let stamp: Stamp =
            serde_json::from_str(&text).map_err(|e| ReadError::malformed(&path, e))?;
        if stamp.tool.as_deref() != Some("caresim") {
            return Err(ReadError::malformed(
                &path,
                "not a caresim manifest (its `tool` is not caresim)",
            ));
        }
        let found = stamp.format_version.unwrap_or(UNNUMBERED_FORMAT);
        if found != RESULT_FORMAT {
            return Err(ReadError::OtherFormat {
                path,
                tool_version: stamp.tool_version.unwrap_or_else(|| "?".into()),
                found,
            });
        }
        serde_json::from_str(&text).map_err(|e| ReadError::malformed(&path, e))
    }
}

impl<S> Manifest<S> {
    /// The sweep design, for a sweep (points and the design they were formed by).
    pub fn sweep(&self) -> Option<SweepDesign> {
        SweepDesign::of(self.points.as_deref()?, self.sweep_design?)
    }
}

/// One sweep point: the numbers it sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    /// (dotted key path, value), in the sweep's key order; values in the key's unit, as
    /// set (before integer keys are rounded).
    pub values: Vec<(String, f64)>,
}

/// A sweep's design as its manifest records it.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepDesign {
    /// Swept key paths, in order (the columns after `point` in `sweep.csv`).
    pub keys: Vec<String>,
    /// Each key's values, in the order the points first take them.
    pub values: Vec<Vec<f64>>,
    /// How the points were formed: every combination, or one key at a time.
    pub design: Design,
}

impl SweepDesign {
    /// The design of `points` formed by `design` (`None` without points).
    pub fn of(points: &[PointRecord], design: Design) -> Option<Self> {
        let keys: Vec<String> = points
            .first()?
            .values
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        let mut values: Vec<Vec<f64>> = vec![Vec::new(); keys.len()];
        for p in points {
            for (seen, (_, v)) in values.iter_mut().zip(&p.values) {
                if !seen.contains(v) {
                    seen.push(*v);
                }
            }
        }
        Some(SweepDesign {
            keys,
            values,
            design,
        })
    }
}

/// The scenario as `manifest.json` records it (see [`Scenario`], which writes it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// Identifier; names the output folder.
    pub name: String,
    /// A short human title (from the name in a folder written before titles existed).
    #[serde(default)]
    pub title: String,
    /// Free text.
    pub description: String,
    /// The file named by the user first, then each file it extends.
    pub files: Vec<FileRecord>,
    /// The scenario's default number of replications.
    pub replications: u32,
    /// The scenario's default base seed.
    pub seed: u64,
    /// The resolved model parameters (uncertain parameters at their means).
    pub params: ParamsRecord,
    /// Parameters given as distributions, sampled once per replication.
    pub uncertain: Vec<UncertainRecord>,
    /// The graded settings of the levers, with their evidence (none in a folder written
    /// before evidence was recorded, or of a scenario without graded levers).
    #[serde(default)]
    pub evidence: Vec<EffectEvidence>,
}

/// One file of a scenario's `extends` chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Path as read.
    pub path: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// An uncertain parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UncertainRecord {
    /// Dotted key path (the `runs.csv` column is `psa.<path>`).
    pub path: String,
    /// Its distribution, in the parameter's unit.
    pub dist: ParamDist,
}

/// The resolved parameters as the manifest records them: the whole tree (every parameter,
/// for the report's table, with units from [`crate::model::units`]) and, typed, the ones the
/// report describes the model with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "serde_json::Value", into = "serde_json::Value")]
pub struct ParamsRecord {
    /// Simulated days, warm-up included.
    pub horizon_days: f64,
    /// Warm-up days, excluded from every statistic.
    pub warmup_days: f64,
    /// Acute beds.
    pub acute: AcuteRecord,
    /// Community services, in order.
    pub services: Vec<ServiceRecord>,
    /// Conditions, in order.
    pub conditions: Vec<ConditionRecord>,
    /// Policy levers.
    pub levers: LeversRecord,
    /// Every parameter, as written.
    pub tree: serde_json::Value,
}

/// The typed head of [`ParamsRecord`].
#[derive(Deserialize)]
struct ParamsHead {
    horizon_days: f64,
    warmup_days: f64,
    acute: AcuteRecord,
    services: Vec<ServiceRecord>,
    conditions: Vec<ConditionRecord>,
    levers: LeversRecord,
}

impl TryFrom<serde_json::Value> for ParamsRecord {
    type Error = serde_json::Error;

    fn try_from(tree: serde_json::Value) -> Result<Self, Self::Error> {
        let head = ParamsHead::deserialize(&tree)?;
        Ok(ParamsRecord {
            horizon_days: head.horizon_days,
            warmup_days: head.warmup_days,
            acute: head.acute,
            services: head.services,
            conditions: head.conditions,
            levers: head.levers,
            tree,
        })
    }
}

impl From<ParamsRecord> for serde_json::Value {
    fn from(p: ParamsRecord) -> Self {
        p.tree
    }
}

/// The acute hospital.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcuteRecord {
    /// Beds.
    pub beds: u32,
    /// What an admission request meets when every bed is full: `queue` or `divert`.
    pub when_full: String,
}

/// A community service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    /// Name.
    pub name: String,
    /// Places.
    pub capacity: u32,
    /// `bed` or `home`.
    pub setting: String,
    /// Who pays: `hospital`, `community`, `primary_care`, `social_care` or `pooled`.
    pub payer: String,
}

/// A chronic condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionRecord {
    /// Name.
    pub name: String,
}

/// The policy levers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeversRecord {
    /// The levers applied, by name, in the order the scenario gives them.
    pub applied: Vec<String>,
}
