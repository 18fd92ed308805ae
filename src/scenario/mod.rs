//! Scenario files: the TOML schema, `extends`, and validation into a [`Scenario`].
//!
//! Reading happens in two phases (ripgrep's low/high args): [`schema`] parses each file as
//! written into `Raw*` structs that deny unknown keys; [`validate`](validate::validate)
//! checks the merged result and builds plain model [`Params`]. Nothing `Raw` or spanned
//! leaves this module.
//!
//! The `[policy.*]` tables are in [`policy`], one module per lever holding its table and its
//! checks; the validated levers they build are applied to the base [`Params`] by
//! [`crate::model::levers`].
//!
//! ```no_run
//! let scenario = caresim::scenario::load("scenarios/reference_chronic_flow.toml".as_ref())?;
//! assert_eq!(scenario.params.acute.beds, 340);
//! # Ok::<(), caresim::scenario::ScenarioError>(())
//! ```

mod checker;
pub mod json_schema;
pub mod load;
pub mod plain;
pub mod policy;
pub mod schema;
pub mod span;
pub mod suggest;
pub mod tables;
pub mod uncertain;
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use serde::Serialize;

use crate::model::Params;
pub use policy::evidence::{EffectEvidence, Grade};
pub use uncertain::{ParamDist, Uncertain};

/// One file of a scenario's `extends` chain, with its hash (recorded in the manifest).
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioFile {
    /// Path as read.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
}

/// A validated scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Identifier; names the output folder.
    pub name: String,
    /// A short human title for charts and reports (default: from the name).
    pub title: String,
    /// Free text.
    pub description: String,
    /// The file named by the user first, then each file it extends.
    pub files: Vec<ScenarioFile>,
    /// Default number of replications.
    pub replications: u32,
    /// Default base seed.
    pub seed: u64,
    /// Model parameters (uncertain parameters at their means).
    pub params: Params,
    /// Parameters given as distributions, sampled once per replication.
    pub uncertain: Vec<Uncertain>,
    /// The graded settings: of the levers (`evidence` of the `[policy.*]` tables), in the
    /// tables' order, then of the other tables that grade theirs (`[economics]`,
    /// `[payment]`, conditions, services); absent from `manifest.json` when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EffectEvidence>,
    /// The files and merged table, for building parameter sets with numbers changed.
    #[serde(skip)]
    pub sources: Arc<load::Sources>,
}

impl Scenario {
    /// The parameters with the numbers at the given dotted key paths replaced (a sweep
    /// point, sampled uncertain parameters), validated as a scenario file would be.
    ///
    /// # Errors
    /// Any value out of range, located at the key that holds it.
    pub fn params_with(&self, values: &[(&str, f64)]) -> Result<Params, ScenarioError> {
        if values.is_empty() {
            return Ok(self.params.clone());
        }
        let mut sources = (*self.sources).clone();
        for (path, v) in values {
            uncertain::set_path(&mut sources.merged_table, path, *v);
        }
        match toml::Value::Table(sources.merged_table.clone()).try_into() {
            Ok(merged) => sources.merged = merged,
            Err(e) => return Err(self.type_problems(values, &e)),
        }
        Ok(validate::validate(&sources)?.params)
    }

    /// The value the model uses when `value` is set at dotted `path`: rounded when the key
    /// holds a whole number (beds, places), as [`params_with`](Self::params_with) sets it.
    pub fn value_used(&self, path: &str, value: f64) -> f64 {
        let mut t = &self.sources.merged_table;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            match t.get(part) {
                Some(toml::Value::Table(next)) if parts.peek().is_some() => t = next,
                Some(toml::Value::Integer(_)) if parts.peek().is_none() => return value.round(),
                _ => break,
            }
        }
        value
    }

    /// The values that do not fit their key's type (a negative or fractional count),
    /// each located at its key: the error of a table without spans names no key, so each
    /// value is tried alone.
    fn type_problems(&self, values: &[(&str, f64)], e: &toml::de::Error) -> ScenarioError {
        let problems: Vec<Problem> = values
            .iter()
            .filter_map(|(path, v)| {
                let mut table = self.sources.merged_table.clone();
                uncertain::set_path(&mut table, path, *v);
                let alone: Result<schema::RawScenario, _> = toml::Value::Table(table).try_into();
                alone.err().map(|e| {
                    let message = if e.message().contains("expected u32") {
                        format!("must be a whole number from 0 to {}, got {v}", u32::MAX)
                    } else {
                        let plain = plain::plain_types(e.message().trim());
                        if plain.starts_with("must be") {
                            plain
                        } else {
                            format!("{plain}, got {v}")
                        }
                    };
                    self.sources.problem(path, message)
                })
            })
            .collect();
        if problems.is_empty() {
            ScenarioError::new(vec![
                self.sources
                    .problem("", plain::plain_types(e.message().trim())),
            ])
        } else {
            ScenarioError::new(problems)
        }
    }
}

/// One problem in a scenario, located.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Problem {
    /// The file to fix.
    pub file: PathBuf,
    /// 1-based line and column, when the problem has a place in the file.
    pub location: Option<(usize, usize)>,
    /// 1-based line and column just past the end of what the problem is about (the key,
    /// value or token at `location`), when known: with `location`, the span an error
    /// message underlines. Not part of the one-line form.
    pub end: Option<(usize, usize)>,
    /// Dotted key path (`acute.beds`); empty for file-level problems.
    pub field: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some((line, col)) = self.location {
            write!(f, ":{line}:{col}")?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a scenario (at least one). Displays one problem per line as
/// `file:line:col: key.path: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ScenarioError {
    /// The problems, in the order found.
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// Wrap a non-empty list of problems, each reported once: files loaded more than once
    /// (a base shared by every arm of a comparison) find the same problem each time.
    pub fn new(mut problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        let mut seen = std::collections::HashSet::with_capacity(problems.len());
        problems.retain(|p| seen.insert(p.clone()));
        ScenarioError { problems }
    }

    /// The same problems with `note` appended to each message.
    #[must_use]
    pub fn with_note(mut self, note: &str) -> Self {
        for p in &mut self.problems {
            p.message.push(' ');
            p.message.push_str(note);
        }
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// Read, merge and validate the scenario at `path` (and every file it `extends`).
///
/// # Errors
/// Every problem found, each with its file, line, column and key path.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let (sources, mut problems) = load::read_chain_partial(path)?;
    if problems.is_empty() {
        return validate::validate(&sources);
    }
    // Every problem at once: the values' problems too, except those of (or inside) the keys
    // already reported, which were set aside and would only be reported missing.
    if let Err(e) = validate::validate(&sources) {
        let set_aside: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
        problems.extend(
            e.problems
                .into_iter()
                .filter(|p| !set_aside.iter().any(|f| load::related_paths(f, &p.field))),
        );
    }
    Err(ScenarioError::new(problems))
}

/// The scenario after `extends`, as TOML (for `caresim validate --resolved`).
///
/// # Errors
/// As [`load()`].
pub fn resolved_toml(path: &Path) -> Result<String, ScenarioError> {
    let sources = load::read_chain(path)?;
    validate::validate(&sources)?;
    Ok(toml::to_string_pretty(&sources.merged_table).unwrap_or_default())
}

/// The default title of a scenario named `name`: `_` and `-` as spaces, the first letter
/// capitalised (`early_discharge` → `Early discharge`).
#[must_use]
pub fn title_from_name(name: &str) -> String {
    let spaced = name.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}
