//! What an experiment runs: points (the base parameters, or each point of a sweep) ×
//! replications, with uncertain parameters sampled per replication.

use std::borrow::Cow;

use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};

use super::seed::stream_seed;
use crate::model::{Params, Stream};
use crate::scenario::{Scenario, ScenarioError};

/// How sweep points are formed (recorded in the result folder's `manifest.json` as
/// `sweep_design`).
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Design {
    /// Every combination of every parameter's values.
    #[default]
    Grid,
    /// The base, then each parameter at its lowest and at its highest value with the others
    /// at their base values.
    OneWay,
}

/// One parameter set of an experiment.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// The numbers this point sets, as (dotted key path, value); empty for the base.
    pub values: Vec<(String, f64)>,
    /// The parameters (uncertain parameters at their means).
    #[serde(skip)]
    pub params: Params,
}

/// Points × replications of one scenario, and the seed.
#[derive(Debug)]
pub struct Plan<'s> {
    /// The scenario.
    pub scenario: &'s Scenario,
    /// Parameter sets, in order.
    pub points: Vec<Point>,
    /// Replications per point.
    pub replications: u32,
    /// Base seed.
    pub seed: u64,
    /// The scenario of each point in a comparison (`caresim compare`: point `i` is arm `i`,
    /// items in replication-major order so that every batch of replications covers every
    /// arm); empty otherwise (points share `scenario`; items in point-major order).
    pub arms: Vec<&'s Scenario>,
    /// How a sweep's points were formed (`None` for a run or a comparison); recorded in the
    /// manifest so that charts and reports need not work it out from the points.
    pub sweep_design: Option<Design>,
}

/// FNV-1a of a key path: keys each uncertain parameter's generator, so that a parameter
/// gets the same value in replication `r` of every arm, whatever else is uncertain.
fn path_key(path: &str) -> u128 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    u128::from(h)
}

impl<'s> Plan<'s> {
    /// The scenario's base parameters as the only point.
    pub fn single(scenario: &'s Scenario, seed: u64, replications: u32) -> Self {
        Plan {
            scenario,
            points: vec![Point {
                values: Vec::new(),
                params: scenario.params.clone(),
            }],
            replications,
            seed,
            arms: Vec::new(),
            sweep_design: None,
        }
    }

    /// A comparison: each scenario one point (arm), the first the base; every arm gets the
    /// same seed and replications (common random numbers).
    pub fn compare(scenarios: &'s [Scenario], seed: u64, replications: u32) -> Self {
        Plan {
            scenario: &scenarios[0],
            points: scenarios
                .iter()
                .map(|s| Point {
                    values: Vec::new(),
                    params: s.params.clone(),
                })
                .collect(),
            replications,
            seed,
            arms: scenarios.iter().collect(),
            sweep_design: None,
        }
    }

    /// Whether this is a comparison (points are arms).
    pub fn is_comparison(&self) -> bool {
        !self.arms.is_empty()
    }

    /// The scenario of `point`.
    pub fn scenario_of(&self, point: u32) -> &'s Scenario {
        self.arms
            .get(point as usize)
            .copied()
            .unwrap_or(self.scenario)
    }

    /// Number of work items (points × replications).
    pub fn items(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replications)
    }

    /// (point, replication) of work item `item`: point-major, or replication-major for a
    /// comparison.
    pub fn item(&self, item: u64) -> (u32, u32) {
        if self.is_comparison() {
            let points = self.points.len() as u64;
            return ((item % points) as u32, (item / points) as u32);
        }
        let reps = u64::from(self.replications);
        ((item / reps) as u32, (item % reps) as u32)
    }

    /// Values of the uncertain parameters of `point`'s scenario in `replication`, in
    /// [`Scenario::uncertain`] order.
    pub fn sample(&self, point: u32, replication: u32) -> Vec<f64> {
        let base = stream_seed(self.seed, replication, Stream::Psa);
        self.scenario_of(point)
            .uncertain
            .iter()
            .map(|u| {
                let mut rng = Pcg64Mcg::new(base ^ path_key(&u.path));
                u.dist.sample(&mut rng)
            })
            .collect()
    }

    /// The parameters of (point, replication) and the values of its uncertain parameters as
    /// the model used them (a whole-number key's draw rounded): the point's own parameters
    /// when nothing is uncertain.
    ///
    /// # Errors
    /// A sampled value out of range for its key.
    pub fn params(
        &self,
        point: u32,
        replication: u32,
    ) -> Result<(Cow<'_, Params>, Vec<f64>), ScenarioError> {
        let p = &self.points[point as usize];
        let scenario = self.scenario_of(point);
        if scenario.uncertain.is_empty() {
            return Ok((Cow::Borrowed(&p.params), Vec::new()));
        }
        let sampled = self.sample(point, replication);
        let mut values: Vec<(&str, f64)> = p.values.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        for (u, &v) in scenario.uncertain.iter().zip(&sampled) {
            // A swept value wins over the same parameter's distribution.
            if !values.iter().any(|(k, _)| *k == u.path) {
                values.push((&u.path, v));
            }
        }
        let params = scenario.params_with(&values).map_err(|mut e| {
            let of_point = if self.points.len() > 1 {
                format!(
                    " of {} {point}",
                    if self.is_comparison() {
                        "arm"
                    } else {
                        "sweep point"
                    }
                )
            } else {
                String::new()
            };
            for p in &mut e.problems {
                let drawn = scenario
                    .uncertain
                    .iter()
                    .zip(&sampled)
                    .find(|(u, _)| u.path == p.field)
                    .map_or_else(
                        || format!("in replication {replication}{of_point}"),
                        |(u, v)| {
                            format!(
                                "replication {replication}{of_point} sampled {} = {v}",
                                u.path
                            )
                        },
                    );
                p.message.push_str(" (");
                p.message.push_str(&drawn);
                p.message.push_str(
                    "; choose distributions whose values are always valid, e.g. beta for \
                     probabilities, gamma or lognormal for positive quantities)",
                );
            }
            e
        })?;
        let used = scenario
            .uncertain
            .iter()
            .zip(sampled)
            .map(|(u, v)| {
                let swept = p.values.iter().find(|(k, _)| *k == u.path).map(|(_, v)| *v);
                scenario.value_used(&u.path, swept.unwrap_or(v))
            })
            .collect();
        Ok((Cow::Owned(params), used))
    }
}
