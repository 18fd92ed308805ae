//! Parameter uncertainty (probabilistic sensitivity analysis): any number in a scenario may
//! be written as a distribution, `admit = { dist = "beta", mean = 0.3, sd = 0.05 }`, sampled
//! once per replication.
//!
//! How it fits the two-phase reading: before a file is parsed into the typed schema, every
//! inline table whose `dist` names a parameter distribution is found, checked, recorded with
//! its key path, and *blanked* in the text: replaced by its mean, padded with spaces (and the
//! same line breaks) to the same length. The typed parse, the span index and every error
//! location therefore see the file exactly as written, with a number where the distribution
//! was. A distribution table for a length of stay (`los = { dist = "lognormal", mean_days =
//! ... }`) is not a parameter distribution: those use `*_days` keys.

use rand::Rng;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal, Triangular, Uniform};
use serde::{Deserialize, Serialize};

use super::span::{SourceFile, SpanIndex};
use super::{Problem, ScenarioError};
use crate::model::dist::show_number as n;

/// A distribution of one uncertain parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ParamDist {
    /// Beta with that mean and sd (for probabilities and shares), on (0, 1).
    Beta {
        /// Mean, in (0, 1).
        mean: f64,
        /// Standard deviation, below √(mean (1 − mean)).
        sd: f64,
    },
    /// Normal with that mean and sd.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Lognormal with that mean and sd of the value itself (for positive quantities).
    Lognormal {
        /// Mean, > 0.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Gamma with that mean and sd (for positive quantities).
    Gamma {
        /// Mean, > 0.
        mean: f64,
        /// Standard deviation, > 0.
        sd: f64,
    },
    /// Uniform on [min, max).
    Uniform {
        /// Lower end.
        min: f64,
        /// Upper end, > min.
        max: f64,
    },
    /// Triangular on [min, max] with its peak at `mode`.
    Triangular {
        /// Lower end.
        min: f64,
        /// Most likely value, in [min, max].
        mode: f64,
        /// Upper end, > min.
        max: f64,
    },
}

/// Names of the parameter distributions (the `dist` values recognised as such).
const KINDS: [&str; 6] = [
    "beta",
    "normal",
    "lognormal",
    "gamma",
    "uniform",
    "triangular",
];

impl ParamDist {
    /// The mean (used for the scenario's base parameters).
    pub fn mean(&self) -> f64 {
        match *self {
            ParamDist::Beta { mean, .. }
            | ParamDist::Normal { mean, .. }
            | ParamDist::Lognormal { mean, .. }
            | ParamDist::Gamma { mean, .. } => mean,
            ParamDist::Uniform { min, max } => f64::midpoint(min, max),
            ParamDist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }

    /// Check the parameters; the message says what is wrong.
    ///
    /// Beyond signs, the derived parameters must be ones rand_distr samples without error
    /// and without producing inf or NaN: every number within ±[`MAX_MAGNITUDE`]; a beta's
    /// shape parameters α, β in [[`MIN_BETA_SHAPE`], [`MAX_BETA_SHAPE`]]; a gamma's or
    /// lognormal's sd at most [`MAX_CV`] × the mean, and a gamma's at least
    /// [`MIN_GAMMA_CV`] × the mean (shape (mean/sd)² at most 10⁸).
    ///
    /// # Errors
    /// The first rule broken, as a message for the scenario's key.
    pub fn check(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let magnitude = |xs: &[(&str, f64)]| -> Result<(), String> {
            match xs.iter().find(|(_, x)| x.abs() > MAX_MAGNITUDE) {
                Some((what, x)) => Err(format!("{what} must be between -1e15 and 1e15, got {x}")),
                None => Ok(()),
            }
        };
        match *self {
            ParamDist::Beta { mean, sd } => {
                if !(finite(&[mean, sd]) && mean > 0.0 && mean < 1.0) {
                    return Err(format!("beta mean must be in (0, 1), got {mean}"));
                }
                if !(sd > 0.0 && sd * sd < mean * (1.0 - mean)) {
                    return Err(format!(
                        "beta sd must be in (0, {:.4}) for mean {mean}, got {sd}",
                        (mean * (1.0 - mean)).sqrt()
                    ));
                }
                let (a, b) = beta_shapes(mean, sd);
                let ok = |x: f64| (MIN_BETA_SHAPE..=MAX_BETA_SHAPE).contains(&x);
                if !(ok(a) && ok(b)) {
                    // a + b = k = m(1 − m)/sd² − 1 must keep both shapes in range.
                    let v = mean * (1.0 - mean);
                    let k_low = MIN_BETA_SHAPE / mean.min(1.0 - mean);
                    let k_high = MAX_BETA_SHAPE / mean.max(1.0 - mean);
                    let sd_high = (v / (1.0 + k_low)).sqrt();
                    let sd_low = (v / (1.0 + k_high)).sqrt();
                    return Err(format!(
                        "beta sd must be in [{sd_low:.3e}, {sd_high:.4}] for mean {mean} (shape parameters α = {a:.3e} and β = {b:.3e} must be in [{MIN_BETA_SHAPE}, {MAX_BETA_SHAPE:e}]), got {}",
                        n(sd)
                    ));
                }
            }
            ParamDist::Normal { mean, sd } => {
                if !(finite(&[mean, sd]) && sd > 0.0) {
                    return Err(format!("normal sd must be greater than 0, got {sd}"));
                }
                magnitude(&[("normal mean", mean), ("normal sd", sd)])?;
            }
            ParamDist::Lognormal { mean, sd } | ParamDist::Gamma { mean, sd } => {
                if !(finite(&[mean, sd]) && mean > 0.0 && sd > 0.0) {
                    return Err(format!(
                        "mean and sd must be greater than 0, got mean {mean}, sd {sd}"
                    ));
                }
                magnitude(&[("mean", mean)])?;
                let gamma = matches!(self, ParamDist::Gamma { .. });
                let min_cv = if gamma { MIN_GAMMA_CV } else { 0.0 };
                let cv = sd / mean;
                if !(cv >= min_cv && cv <= MAX_CV) {
                    let low = if gamma {
                        format!("at least mean / 10000 ({:e})", mean * MIN_GAMMA_CV)
                    } else {
                        "greater than 0".to_string()
                    };
                    let kind = if gamma { "gamma" } else { "lognormal" };
                    let why = if gamma {
                        "; gamma shape (mean/sd)² must be in [1e-4, 1e8]"
                    } else {
                        ""
                    };
                    return Err(format!(
                        "{kind} sd must be {low} and at most 100 × mean ({:e}){why}, got sd {} for mean {}",
                        mean * MAX_CV,
                        n(sd),
                        n(mean)
                    ));
                }
            }
            ParamDist::Uniform { min, max } => {
                if !(finite(&[min, max]) && min < max) {
                    return Err(format!("uniform needs min < max, got {min} and {max}"));
                }
                magnitude(&[("uniform min", min), ("uniform max", max)])?;
            }
            ParamDist::Triangular { min, mode, max } => {
                if !(finite(&[min, mode, max]) && min < max && min <= mode && mode <= max) {
                    return Err(format!(
                        "triangular needs min ≤ mode ≤ max and min < max, got {min}, {mode}, {max}"
                    ));
                }
                magnitude(&[("triangular min", min), ("triangular max", max)])?;
            }
        }
        Ok(())
    }

    /// One draw. The parameters must have passed [`check`](Self::check); should a
    /// distribution that did not be sampled anyway, the draw is its mean (never a panic).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let fallback = self.mean();
        let draw = match *self {
            ParamDist::Beta { mean, sd } => {
                let (a, b) = beta_shapes(mean, sd);
                Beta::new(a, b).map(|d| d.sample(rng)).ok()
            }
            ParamDist::Normal { mean, sd } => Normal::new(mean, sd).map(|d| d.sample(rng)).ok(),
            ParamDist::Lognormal { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt())
                    .map(|d| d.sample(rng))
                    .ok()
            }
            ParamDist::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                Gamma::new(shape, mean / shape).map(|d| d.sample(rng)).ok()
            }
            ParamDist::Uniform { min, max } => Uniform::new(min, max).map(|d| d.sample(rng)).ok(),
            ParamDist::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).map(|d| d.sample(rng)).ok()
            }
        };
        draw.filter(|x| x.is_finite()).unwrap_or(fallback)
    }
}

/// Largest magnitude of a parameter distribution's numbers (and so of its draws, up to
/// the tails of a normal): large enough for any count or cost, small enough that every
/// derived parameter and draw stays finite.
pub const MAX_MAGNITUDE: f64 = 1e15;
/// Smallest shape parameter (α or β) of a beta distribution.
pub const MIN_BETA_SHAPE: f64 = 0.01;
/// Largest shape parameter of a beta distribution.
pub const MAX_BETA_SHAPE: f64 = 1e7;
/// Largest coefficient of variation (sd / mean) of a gamma or lognormal distribution.
pub const MAX_CV: f64 = 100.0;
/// Smallest coefficient of variation of a gamma distribution (shape at most 10⁸).
pub const MIN_GAMMA_CV: f64 = 1e-4;

/// Method of moments: α + β = mean (1 − mean) / sd² − 1.
fn beta_shapes(mean: f64, sd: f64) -> (f64, f64) {
    let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
    (mean * k, (1.0 - mean) * k)
}

/// An uncertain parameter: its key path and distribution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Uncertain {
    /// Dotted key path (`conditions.copd.admit`): the `runs.csv` column is `psa.<path>`.
    pub path: String,
    /// Its distribution.
    pub dist: ParamDist,
}

/// True for a table that is a parameter distribution rather than a length of stay: it has
/// a `dist` and no `*_days` keys (an unknown `dist` is then reported as a parameter
/// distribution's, with the valid names).
/// Whether a table with a `dist` key is a parameter distribution (PSA) rather than a
/// duration (a length of stay), told apart by the `dist` name: `exponential`, `fixed` and
/// `empirical` are durations only; `beta`, `normal`, `uniform` and `triangular` parameter
/// distributions only; `lognormal`, `gamma`, `weibull` (and unknown names) are durations when written
/// with duration keys (`mean_days`, `sd_days`, `days`, `values_days`).
fn is_param_dist(t: &toml::Table) -> bool {
    let Some(kind) = t.get("dist").and_then(|d| d.as_str()) else {
        return false;
    };
    match kind {
        "exponential" | "fixed" | "empirical" => false,
        "beta" | "normal" | "uniform" | "triangular" => true,
        _ => !t.keys().any(|k| k.ends_with("_days") || k == "days"),
    }
}

fn find(table: &toml::Table, prefix: &str, out: &mut Vec<(String, toml::Table)>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let toml::Value::Table(t) = v {
            if is_param_dist(t) {
                out.push((path, t.clone()));
            } else {
                find(t, &path, out);
            }
        }
    }
}

/// The number written in place of a distribution: an integer for a whole-number key
/// (beds, places), a float otherwise, so that the merged table tells the two apart (a
/// whole-number key's draws are rounded, see [`crate::scenario::Scenario::value_used`]).
fn number_text(x: f64, whole: bool) -> String {
    if whole && x.abs() < 1e15 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:?}")
    }
}

/// Find the parameter distributions of one file: check each, and blank it to its mean in
/// `text` (rounded for the key paths in `whole`, which hold whole numbers such as beds).
/// Returns the uncertain parameters found.
///
/// # Errors
/// Each bad distribution, located in `file`.
pub fn extract(
    file: &SourceFile,
    text: &mut String,
    whole: &[String],
) -> Result<Vec<Uncertain>, ScenarioError> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(Vec::new()); // the typed parse reports the syntax error
    };
    let mut found = Vec::new();
    find(&table, "", &mut found);
    let spans = SpanIndex::new(text);
    let mut problems: Vec<Problem> = Vec::new();
    let mut out = Vec::new();
    for (path, t) in found {
        let span = spans.get(&path).map(|s| s.value.clone());
        let offset = span.as_ref().map_or(0, |s| s.start);
        let at = |message: String| file.problem_at(offset, &path, message);
        let kind = t
            .get("dist")
            .and_then(|d| d.as_str())
            .unwrap_or("")
            .to_string();
        if !KINDS.contains(&kind.as_str()) {
            let hint = super::suggest::hint(&kind, KINDS);
            problems.push(at(format!(
                "unknown parameter distribution `{kind}`, expected one of {}{hint}",
                KINDS.join(", ")
            )));
            continue;
        }
        let dist: ParamDist = match toml::Value::Table(t).try_into() {
            Ok(d) => d,
            Err(e) => {
                problems.push(at(format!(
                    "parameter distribution: {}",
                    super::plain::plain_types(e.message().trim())
                )));
                continue;
            }
        };
        if let Err(m) = dist.check() {
            problems.push(at(m));
            continue;
        }
        let Some(span) = span.filter(|s| text[s.clone()].trim_start().starts_with('{')) else {
            problems.push(at(
                "a parameter distribution must be an inline table, e.g. admit = { dist = \"beta\", mean = 0.3, sd = 0.05 }".into(),
            ));
            continue;
        };
        let number = number_text(dist.mean(), whole.contains(&path));
        if number.len() > span.len() {
            problems.push(at(format!(
                "mean {number} is longer than the table it replaces"
            )));
            continue;
        }
        let blank: String = text[span.clone()]
            .chars()
            .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
            .collect();
        let mut replacement = number.clone();
        replacement.push_str(&blank[number.len()..]);
        text.replace_range(span, &replacement);
        out.push(Uncertain { path, dist });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioError::new(problems))
    }
}

/// Set the number at dotted `path` of `table` to `value` (rounded when the key holds an
/// integer), creating tables on the way.
pub fn set_path(table: &mut toml::Table, path: &str, value: f64) {
    let mut parts = path.split('.').peekable();
    let mut t = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            let v = match t.get(part) {
                Some(toml::Value::Integer(_)) => toml::Value::Integer(value.round() as i64),
                _ => toml::Value::Float(value),
            };
            t.insert(part.to_string(), v);
            return;
        }
        let entry = t
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("made a table above");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            path: "t.toml".into(),
            text: text.to_string(),
            spans: SpanIndex::new(text),
            sha256: String::new(),
        }
    }

    #[test]
    fn blanks_distributions_keeping_every_offset() {
        let text = "[c]\nadmit = { dist = \"beta\", mean = 0.3, sd = 0.05 }\nlos = { dist = \"lognormal\", mean_days = 7.0, sd_days = 7.0 }\nbeds = { dist = \"uniform\", min = 60, max = 100 }\n";
        let f = file(text);
        let mut t = text.to_string();
        let u = extract(&f, &mut t, &["c.beds".to_string()]).unwrap();
        assert_eq!(t.len(), text.len());
        assert_eq!(
            u.len(),
            2,
            "the length of stay is not a parameter distribution"
        );
        let parsed: toml::Table = t.parse().unwrap();
        assert_eq!(parsed["c"]["admit"].as_float(), Some(0.3));
        assert_eq!(parsed["c"]["beds"].as_integer(), Some(80));
        assert!(parsed["c"]["los"].is_table());
        // Not known to be whole: a float, even with a whole mean.
        let mut t = text.to_string();
        extract(&f, &mut t, &[]).unwrap();
        let parsed: toml::Table = t.parse().unwrap();
        assert_eq!(parsed["c"]["beds"].as_float(), Some(80.0));
    }

    #[test]
    fn rejects_impossible_distributions() {
        let text = "a = { dist = \"beta\", mean = 0.5, sd = 0.6 }\n";
        let mut t = text.to_string();
        let e = extract(&file(text), &mut t, &[]).unwrap_err().to_string();
        assert!(
            e.contains("t.toml:1:5: a: beta sd must be in (0, 0.5000)"),
            "{e}"
        );
    }

    #[test]
    fn samples_have_the_given_mean() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        for d in [
            ParamDist::Beta {
                mean: 0.3,
                sd: 0.05,
            },
            ParamDist::Gamma { mean: 5.0, sd: 2.0 },
            ParamDist::Lognormal { mean: 5.0, sd: 2.0 },
            ParamDist::Normal {
                mean: -1.0,
                sd: 2.0,
            },
            ParamDist::Uniform { min: 2.0, max: 4.0 },
            ParamDist::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 5.0,
            },
        ] {
            let n = 40_000;
            let m: f64 = (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / f64::from(n);
            assert!(
                (m - d.mean()).abs() < 0.03 * d.mean().abs().max(1.0),
                "{d:?}: {m}"
            );
        }
    }

    #[test]
    fn refuses_parameters_rand_distr_cannot_sample() {
        for (d, wanted) in [
            (
                ParamDist::Gamma {
                    mean: 400.0,
                    sd: 1e-200,
                },
                "gamma sd must be at least mean / 10000",
            ),
            (
                ParamDist::Gamma { mean: 1.0, sd: 1e3 },
                "at most 100 × mean",
            ),
            (
                ParamDist::Lognormal {
                    mean: 1.0,
                    sd: 1e300,
                },
                "lognormal sd must be greater than 0 and at most 100 × mean",
            ),
            (
                ParamDist::Lognormal {
                    mean: 1e300,
                    sd: 1.0,
                },
                "mean must be between -1e15 and 1e15",
            ),
            (
                ParamDist::Beta {
                    mean: 0.5,
                    sd: 1e-200,
                },
                "shape parameters α = ",
            ),
            (
                ParamDist::Beta {
                    mean: 0.5,
                    sd: 0.49999,
                },
                "beta sd must be in [",
            ),
            (
                ParamDist::Normal {
                    mean: 0.0,
                    sd: 1e300,
                },
                "normal sd must be between",
            ),
            (
                ParamDist::Uniform {
                    min: -1e308,
                    max: 1e308,
                },
                "uniform min must be between",
            ),
            (
                ParamDist::Triangular {
                    min: -1e308,
                    mode: 0.0,
                    max: 1e308,
                },
                "triangular min",
            ),
        ] {
            let e = d.check().unwrap_err();
            assert!(e.contains(wanted), "{d:?}: {e}");
        }
    }

    #[test]
    fn every_distribution_that_checks_samples_finite_values_at_the_bounds() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        let mut dists = Vec::new();
        for mean in [1e-12_f64, 1e-3, 0.5, 1.0, 1e6, 1e15] {
            for cv in [MIN_GAMMA_CV, 1e-2, 1.0, MAX_CV] {
                dists.push(ParamDist::Gamma {
                    mean,
                    sd: mean * cv,
                });
                dists.push(ParamDist::Lognormal {
                    mean,
                    sd: mean * cv,
                });
            }
            dists.push(ParamDist::Lognormal {
                mean,
                sd: mean * 1e-300,
            });
            dists.push(ParamDist::Normal { mean, sd: mean });
            dists.push(ParamDist::Normal {
                mean: -mean,
                sd: 1e15,
            });
            dists.push(ParamDist::Uniform {
                min: -mean,
                max: mean,
            });
            dists.push(ParamDist::Triangular {
                min: -1e15,
                mode: mean,
                max: 1e15,
            });
        }
        for mean in [1e-6_f64, 1e-3, 0.01, 0.3, 0.5, 0.99, 0.999_999] {
            // The narrowest and widest sds the shape bounds allow.
            for k in [
                MIN_BETA_SHAPE / mean.min(1.0 - mean),
                MAX_BETA_SHAPE / mean.max(1.0 - mean),
            ] {
                let sd = (mean * (1.0 - mean) / (1.0 + k)).sqrt();
                dists.push(ParamDist::Beta {
                    mean,
                    sd: sd * (1.0 + 1e-9),
                });
                dists.push(ParamDist::Beta {
                    mean,
                    sd: sd * (1.0 - 1e-9),
                });
            }
        }
        let mut checked = 0;
        for d in dists {
            if d.check().is_err() {
                continue;
            }
            checked += 1;
            for _ in 0..2_000 {
                let x = d.sample(&mut rng);
                assert!(x.is_finite(), "{d:?} drew {x}");
                if let ParamDist::Beta { .. } = d {
                    assert!((0.0..=1.0).contains(&x), "{d:?} drew {x}");
                }
            }
        }
        assert!(checked > 60, "{checked}");
    }

    #[test]
    fn set_path_keeps_integers_integral() {
        let mut t: toml::Table = "[acute]\nbeds = 80\ncost = 1.5\n".parse().unwrap();
        set_path(&mut t, "acute.beds", 71.6);
        set_path(&mut t, "acute.cost", 2.0);
        set_path(&mut t, "x.y", 3.0);
        assert_eq!(t["acute"]["beds"].as_integer(), Some(72));
        assert_eq!(t["acute"]["cost"].as_float(), Some(2.0));
        assert_eq!(t["x"]["y"].as_float(), Some(3.0));
    }
}
