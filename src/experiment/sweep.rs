//! Sweep files: which scenario parameters to vary, over which values, as a full grid or as
//! one-way sensitivity (each parameter at its low and high value, the others at base: the
//! bars of a tornado chart).
//!
//! ```toml
//! scenario = "../scenarios/nhs_2003_baseline.toml"   # relative to this file
//! design = "one_way"                                  # or "grid" (default)
//! replications = 20                                   # optional: default the scenario's
//!
//! [parameters]
//! "acute.beds" = [70, 90]
//! "community.intermediate_care.capacity" = { from = 8, to = 24, steps = 5 }
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::plan::{Plan, Point};
use crate::scenario::{self, Scenario, ScenarioError};

/// How sweep points are formed.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Every combination of every parameter's values.
    #[default]
    Grid,
    /// The base, then each parameter at its lowest and at its highest value with the others
    /// at their base values.
    OneWay,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawValues {
    List(Vec<f64>),
    Range(RawRange),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: f64,
    to: f64,
    steps: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweep {
    scenario: PathBuf,
    #[serde(default)]
    design: Design,
    replications: Option<u32>,
    seed: Option<u64>,
    parameters: BTreeMap<String, RawValues>,
}

/// A checked sweep: its scenario, design and the values of each parameter.
#[derive(Debug)]
pub struct Sweep {
    /// The sweep file.
    pub path: PathBuf,
    /// Its SHA-256.
    pub sha256: String,
    /// The scenario swept.
    pub scenario: Scenario,
    /// Grid or one-way.
    pub design: Design,
    /// Replications per point, if the sweep file sets them.
    pub replications: Option<u32>,
    /// Seed, if the sweep file sets it.
    pub seed: Option<u64>,
    /// Swept key paths and their values, in key order.
    pub parameters: Vec<(String, Vec<f64>)>,
}

/// Why a sweep file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A problem in the sweep file itself.
    #[error("{path}: {message}")]
    File {
        /// The sweep file (with line:col when known).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A problem in the scenario, or in a point's values.
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
}

fn file_error(path: &Path, text: &str, offset: Option<usize>, message: String) -> SweepError {
    let path = match offset {
        Some(o) => {
            let (l, c) = scenario::span::line_col(text, o);
            format!("{}:{l}:{c}", path.display())
        }
        None => path.display().to_string(),
    };
    SweepError::File { path, message }
}

/// Read and check the sweep file at `path`, and the scenario it names.
///
/// # Errors
/// Unknown keys, bad value lists, parameters that are not numbers of the scenario, and any
/// scenario problem.
pub fn load(path: &Path) -> Result<Sweep, SweepError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| file_error(path, "", None, format!("cannot read sweep file: {e}")))?;
    let raw: RawSweep = toml::from_str(&text).map_err(|e| {
        file_error(
            path,
            &text,
            e.span().map(|s| s.start),
            e.message().trim().to_string(),
        )
    })?;
    let spans = scenario::span::SpanIndex::new(&text);
    let at = |key: &str| spans.get(&format!("parameters.{key}")).map(|s| s.key.start);
    let scenario_path = path.parent().unwrap_or(Path::new("")).join(&raw.scenario);
    let scenario = scenario::load(&scenario_path)?;
    if raw.parameters.is_empty() {
        return Err(file_error(
            path,
            &text,
            None,
            "[parameters] names no parameter to sweep".into(),
        ));
    }
    let mut parameters = Vec::new();
    for (key, values) in raw.parameters {
        let values = match values {
            RawValues::List(v) => v,
            RawValues::Range(r) => {
                if r.steps < 2 || !(r.from.is_finite() && r.to.is_finite()) {
                    return Err(file_error(
                        path,
                        &text,
                        at(&key),
                        format!("{key}: a range needs finite from/to and at least 2 steps"),
                    ));
                }
                (0..r.steps)
                    .map(|i| r.from + (r.to - r.from) * f64::from(i) / f64::from(r.steps - 1))
                    .collect()
            }
        };
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return Err(file_error(
                path,
                &text,
                at(&key),
                format!("{key}: give at least one finite value"),
            ));
        }
        if base_value(&scenario, &key).is_none() {
            return Err(file_error(
                path,
                &text,
                at(&key),
                format!(
                    "{key}: the scenario sets no number at this key (sweep keys are dotted paths of numbers the scenario gives, e.g. acute.beds or conditions.copd.admit)"
                ),
            ));
        }
        parameters.push((key, values));
    }
    Ok(Sweep {
        sha256: Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        path: path.to_path_buf(),
        scenario,
        design: raw.design,
        replications: raw.replications,
        seed: raw.seed,
        parameters,
    })
}

/// The number the scenario gives at dotted `path` (after `extends`).
fn base_value(scenario: &Scenario, path: &str) -> Option<f64> {
    let mut v: Option<&toml::Value> = None;
    let mut t = Some(&scenario.sources.merged_table);
    for part in path.split('.') {
        v = t?.get(part);
        t = v.and_then(|x| x.as_table());
    }
    match v? {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

impl Sweep {
    /// Values of each point, in order: the grid in key order (the last key varies fastest),
    /// or for one-way the base then each parameter at its low and high value.
    pub fn point_values(&self) -> Vec<Vec<(String, f64)>> {
        let keys: Vec<&String> = self.parameters.iter().map(|(k, _)| k).collect();
        match self.design {
            Design::Grid => {
                let mut points: Vec<Vec<f64>> = vec![Vec::new()];
                for (_, values) in &self.parameters {
                    points = points
                        .into_iter()
                        .flat_map(|p| {
                            values.iter().map(move |&v| {
                                let mut q = p.clone();
                                q.push(v);
                                q
                            })
                        })
                        .collect();
                }
                points
                    .into_iter()
                    .map(|p| keys.iter().map(|k| k.to_string()).zip(p).collect())
                    .collect()
            }
            Design::OneWay => {
                let base: Vec<f64> = keys
                    .iter()
                    .map(|k| base_value(&self.scenario, k).expect("checked at load"))
                    .collect();
                let mut points = vec![base.clone()];
                for (i, (_, values)) in self.parameters.iter().enumerate() {
                    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    for v in [lo, hi] {
                        let mut p = base.clone();
                        p[i] = v;
                        points.push(p);
                    }
                }
                points
                    .into_iter()
                    .map(|p| keys.iter().map(|k| k.to_string()).zip(p).collect())
                    .collect()
            }
        }
    }

    /// The plan: every point validated (a bad value is reported with its point).
    ///
    /// # Errors
    /// A point whose values are out of range for their keys.
    pub fn plan(&self, seed: u64, replications: u32) -> Result<Plan<'_>, ScenarioError> {
        let points = self
            .point_values()
            .into_iter()
            .enumerate()
            .map(|(i, values)| {
                let refs: Vec<(&str, f64)> = values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
                let params = self.scenario.params_with(&refs).map_err(|e| {
                    e.with_note(&format!(
                        "(sweep point {i}, set by {})",
                        self.path.display()
                    ))
                })?;
                Ok(Point { values, params })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        Ok(Plan {
            scenario: &self.scenario,
            points,
            replications,
            seed,
            arms: Vec::new(),
        })
    }
}
