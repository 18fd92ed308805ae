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

use super::load::SourceFile;
use super::span::SpanIndex;
use super::{Problem, ScenarioError};

/// A distribution of one uncertain parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
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
            ParamDist::Uniform { min, max } => (min + max) / 2.0,
            ParamDist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }

    /// Check the parameters; the message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
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
            }
            ParamDist::Normal { mean, sd } => {
                if !(finite(&[mean, sd]) && sd > 0.0) {
                    return Err(format!("normal sd must be greater than 0, got {sd}"));
                }
            }
            ParamDist::Lognormal { mean, sd } | ParamDist::Gamma { mean, sd } => {
                if !(finite(&[mean, sd]) && mean > 0.0 && sd > 0.0) {
                    return Err(format!(
                        "mean and sd must be greater than 0, got mean {mean}, sd {sd}"
                    ));
                }
            }
            ParamDist::Uniform { min, max } => {
                if !(finite(&[min, max]) && min < max) {
                    return Err(format!("uniform needs min < max, got {min} and {max}"));
                }
            }
            ParamDist::Triangular { min, mode, max } => {
                if !(finite(&[min, mode, max]) && min < max && min <= mode && mode <= max) {
                    return Err(format!(
                        "triangular needs min ≤ mode ≤ max and min < max, got {min}, {mode}, {max}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// One draw. The parameters must have passed [`check`](Self::check).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            ParamDist::Beta { mean, sd } => {
                // Method of moments: a + b = mean (1 − mean) / sd² − 1.
                let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
                Beta::new(mean * k, (1.0 - mean) * k)
                    .expect("checked")
                    .sample(rng)
            }
            ParamDist::Normal { mean, sd } => Normal::new(mean, sd).expect("checked").sample(rng),
            ParamDist::Lognormal { mean, sd } => {
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt())
                    .expect("checked")
                    .sample(rng)
            }
            ParamDist::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                Gamma::new(shape, mean / shape)
                    .expect("checked")
                    .sample(rng)
            }
            ParamDist::Uniform { min, max } => Uniform::new(min, max).expect("checked").sample(rng),
            ParamDist::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .expect("checked")
                .sample(rng),
        }
    }
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
fn is_param_dist(t: &toml::Table) -> bool {
    t.get("dist").is_some_and(|d| d.is_str()) && !t.keys().any(|k| k.ends_with("_days"))
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

/// The number written in place of a distribution: integral means as integers, so that an
/// integer key (beds, places) still parses.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:?}")
    }
}

/// Find the parameter distributions of one file: check each, and blank it to its mean in
/// `text`. Returns the uncertain parameters found.
///
/// # Errors
/// Each bad distribution, located in `file`.
pub fn extract(file: &SourceFile, text: &mut String) -> Result<Vec<Uncertain>, ScenarioError> {
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
            let hint = KINDS
                .iter()
                .min_by_key(|k| strsim::damerau_levenshtein(k, &kind))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
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
                    e.message().trim()
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
        let number = number_text(dist.mean());
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
        let u = extract(&f, &mut t).unwrap();
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
    }

    #[test]
    fn rejects_impossible_distributions() {
        let text = "a = { dist = \"beta\", mean = 0.5, sd = 0.6 }\n";
        let mut t = text.to_string();
        let e = extract(&file(text), &mut t).unwrap_err().to_string();
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
