//! Reading scenario files and resolving `extends`.
//!
//! Each file of the chain is read, parsed alone as a [`RawScenario`] (so syntax errors,
//! wrong types and unknown keys are reported in the file that has them), indexed for key
//! locations, and deep-merged over its base: tables merge key by key, everything else
//! (values, arrays, and distribution tables, recognised by their `dist` key) is replaced.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::schema::RawScenario;
use super::span::{SpanIndex, line_col};
use super::uncertain::{self, Uncertain};
use super::{Problem, ScenarioError};

/// One file of an `extends` chain.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as given (the first file) or as resolved relative to the extending file.
    pub path: PathBuf,
    /// File contents.
    pub text: String,
    /// Key locations.
    pub spans: SpanIndex,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
}

impl SourceFile {
    /// A problem at byte `offset` of this file.
    pub fn problem_at(&self, offset: usize, field: &str, message: String) -> Problem {
        let (line, col) = line_col(&self.text, offset);
        Problem {
            file: self.path.clone(),
            location: Some((line, col)),
            field: field.to_string(),
            message,
        }
    }
}

/// The files of a scenario, most derived first, and their merged contents.
#[derive(Clone, Debug)]
pub struct Sources {
    /// The chain: `files[0]` is the file named by the user, each next one its base.
    pub files: Vec<SourceFile>,
    /// The merged scenario (without `extends`).
    pub merged: RawScenario,
    /// The same, as a TOML table (for `validate --resolved`, and for building parameter
    /// sets with some numbers changed: sweep points, sampled uncertain parameters).
    pub merged_table: toml::Table,
    /// Parameters given as distributions (their means are in `merged`), in key order.
    pub uncertain: Vec<Uncertain>,
}

impl Sources {
    /// Locate `field` (a dotted key path): the value in the most derived file that sets it;
    /// failing that, the nearest enclosing table that is set; failing that, the start of the
    /// first file.
    pub fn problem(&self, field: &str, message: String) -> Problem {
        for f in &self.files {
            if let Some(s) = f.spans.get(field) {
                return f.problem_at(s.value.start, field, message);
            }
        }
        for f in &self.files {
            if let Some((_, s)) = f.spans.nearest(field) {
                return f.problem_at(s.key.start, field, message);
            }
        }
        self.files[0].problem_at(0, field, message)
    }
}

/// Read `path` and every file it `extends`, and merge them.
///
/// # Errors
/// Every problem found: unreadable files, syntax and type errors, unknown keys (with the
/// closest valid key), and `extends` cycles.
pub fn read_chain(path: &Path) -> Result<Sources, ScenarioError> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut tables: Vec<toml::Table> = Vec::new();
    let mut uncertain_by_file: Vec<Vec<Uncertain>> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = path.to_path_buf();
    // Where the current file was named (the `extends` of the previous file), for messages.
    let mut named_at: Option<(usize, usize)> = None;
    loop {
        let text = match std::fs::read_to_string(&next) {
            Ok(t) => t,
            Err(e) => {
                let problem = match (named_at, files.last()) {
                    (Some((_, offset)), Some(parent)) => parent.problem_at(
                        offset,
                        "extends",
                        format!("cannot read {}: {e}", next.display()),
                    ),
                    _ => Problem {
                        file: next.clone(),
                        location: None,
                        field: String::new(),
                        message: format!("cannot read scenario: {e}"),
                    },
                };
                return Err(ScenarioError::new(vec![problem]));
            }
        };
        let canonical = std::fs::canonicalize(&next).unwrap_or_else(|_| next.clone());
        if seen.contains(&canonical) {
            let parent = files.last().expect("a cycle needs a parent");
            let offset = named_at.map_or(0, |(_, o)| o);
            let chain: Vec<String> = files
                .iter()
                .map(|f| f.path.display().to_string())
                .chain(std::iter::once(next.display().to_string()))
                .collect();
            return Err(ScenarioError::new(vec![parent.problem_at(
                offset,
                "extends",
                format!("extends cycle: {}", chain.join(" -> ")),
            )]));
        }
        seen.push(canonical);
        let file = SourceFile {
            spans: SpanIndex::new(&text),
            sha256: hex(&Sha256::digest(text.as_bytes())),
            path: next.clone(),
            text,
        };
        // Parameter distributions become their means, at the same offsets.
        let mut text = file.text.clone();
        let uncertain = uncertain::extract(&file, &mut text)?;
        let raw: RawScenario = match toml::from_str(&text) {
            Ok(r) => r,
            Err(e) => return Err(ScenarioError::new(vec![toml_problem(&file, &e)])),
        };
        let table: toml::Table = toml::from_str(&text).expect("parsed above");
        uncertain_by_file.push(uncertain);
        let extends = raw.extends.clone();
        let extends_offset = file.spans.get("extends").map(|s| s.value.start);
        files.push(file);
        tables.push(table);
        match extends {
            None => break,
            Some(base) => {
                let dir = next.parent().unwrap_or(Path::new(""));
                next = dir.join(base);
                named_at = Some((files.len() - 1, extends_offset.unwrap_or(0)));
            }
        }
    }
    // Merge from the deepest base up to the file the user named.
    let mut merged = toml::Table::new();
    for t in tables.into_iter().rev() {
        merge(&mut merged, t);
    }
    merged.remove("extends");
    // The most derived file that sets a key decides whether it is uncertain.
    let mut uncertain: std::collections::BTreeMap<String, Uncertain> = Default::default();
    for (file, found) in files.iter().zip(&uncertain_by_file).rev() {
        uncertain.retain(|path, _| file.spans.get(path).is_none());
        for u in found {
            uncertain.insert(u.path.clone(), u.clone());
        }
    }
    let merged_table = merged.clone();
    let merged: RawScenario = toml::Value::Table(merged).try_into().map_err(|e| {
        ScenarioError::new(vec![Problem {
            file: files[0].path.clone(),
            location: None,
            field: String::new(),
            message: format!("merging extended files: {e}"),
        }])
    })?;
    Ok(Sources {
        files,
        merged,
        merged_table,
        uncertain: uncertain.into_values().collect(),
    })
}

/// Deep-merge `over` into `base`. A table with a `dist` key (a distribution) replaces the
/// base's whole, so a variant can switch `lognormal` to `exponential` without inheriting
/// `sd_days`.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) if !o.contains_key("dist") => {
                merge(b, o)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Turn a toml parse/deserialisation error into a located problem, naming the key it
/// concerns and, for an unknown key, the closest valid one.
fn toml_problem(file: &SourceFile, e: &toml::de::Error) -> Problem {
    let offset = e.span().map_or(0, |s| s.start);
    let field = file.spans.path_at(offset).unwrap_or("").to_string();
    let mut message = e.message().trim().to_string();
    if let Some(hint) = suggest_key(&message) {
        message.push_str(&format!("; did you mean `{hint}`?"));
    }
    file.problem_at(offset, &field, message)
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"),
/// the expected name closest to `x`, if it is close enough to be a likely typo.
fn suggest_key(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|cand| (strsim::damerau_levenshtein(unknown, cand), cand))
        .filter(|(d, cand)| *d <= 2.max(cand.len() / 3))
        .min()
        .map(|(_, c)| c.to_string())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let m = "unknown field `bedz`, expected one of `beds`, `when_full`, `bed_day_cost`";
        assert_eq!(suggest_key(m).as_deref(), Some("beds"));
        let m = "unknown field `zzzzzzzz`, expected one of `beds`, `when_full`";
        assert_eq!(suggest_key(m), None);
        let m = "unknown variant `lognorm`, expected one of `exponential`, `lognormal`";
        assert_eq!(suggest_key(m).as_deref(), Some("lognormal"));
    }

    #[test]
    fn distribution_tables_replace_instead_of_merging() {
        let mut base: toml::Table = toml::from_str(
            "[c]\nlos = { dist = \"lognormal\", mean_days = 7, sd_days = 7 }\nx = 1",
        )
        .unwrap();
        let over: toml::Table =
            toml::from_str("[c]\nlos = { dist = \"exponential\", mean_days = 5 }").unwrap();
        merge(&mut base, over);
        let los = base["c"]["los"].as_table().unwrap();
        assert_eq!(los.len(), 2);
        assert_eq!(base["c"]["x"].as_integer(), Some(1));
    }
}
