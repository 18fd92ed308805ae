//! Reading scenario files and resolving `extends`.
//!
//! Each file of the chain is read, parsed alone as a [`RawScenario`] (so syntax errors,
//! wrong types and unknown keys are reported in the file that has them), indexed for key
//! locations, and deep-merged over its base: tables merge key by key, everything else
//! (values, arrays, and distribution tables, recognised by their `dist` key) is replaced.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use toml::de::{DeArray, DeTable, DeValue};

use super::plain::plain_types;
use super::schema::RawScenario;
pub use super::span::SourceFile;
use super::span::SpanIndex;
use super::uncertain::{self, Uncertain};
use super::{Problem, ScenarioError};

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
/// Every problem found in every file of the chain: unreadable files, syntax errors, every
/// wrong type and unknown key (with the closest valid key), bad parameter distributions,
/// `extends` cycles, and a sweep file given where a scenario is expected.
pub fn read_chain(path: &Path) -> Result<Sources, ScenarioError> {
    let (sources, problems) = read_chain_partial(path)?;
    if problems.is_empty() {
        Ok(sources)
    } else {
        Err(ScenarioError::new(problems))
    }
}

/// As [`read_chain`], but when every file of the chain parses, the merged sources without
/// the keys that had problems (unknown keys, wrong types, bad distributions) are returned
/// with those problems, so that validation can report the rest of the problems too.
///
/// # Errors
/// When the chain cannot be read or merged at all (unreadable or malformed files, cycles).
pub fn read_chain_partial(path: &Path) -> Result<(Sources, Vec<Problem>), ScenarioError> {
    let mut files: Vec<SourceFile> = Vec::new();
    let mut tables: Vec<toml::Table> = Vec::new();
    // Each table's `unset` paths, with the index in `files` of the file that has them.
    let mut unsets: Vec<(usize, Vec<String>)> = Vec::new();
    let mut uncertain_by_file: Vec<Vec<Uncertain>> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut next = path.to_path_buf();
    // Where the current file was named: the file (index in `files`) and the offset of its
    // `extends` value.
    let mut named_at: Option<(usize, usize)> = None;
    // Whether every file of the chain was read and parsed (its problems are then only of
    // keys, which were set aside).
    let mut complete = false;
    loop {
        // A problem with the file `next` itself: at the `extends` that names it, if any.
        let about_next = |files: &[SourceFile], message: String| match named_at
            .and_then(|(i, offset)| files.get(i).map(|parent| (parent, offset)))
        {
            Some((parent, offset)) => parent.problem_at(offset, "extends", message),
            _ => Problem {
                file: next.clone(),
                location: None,
                end: None,
                field: String::new(),
                message,
            },
        };
        let text = match read_text(&next) {
            Ok(t) => t,
            Err(e) => {
                let message = if files.is_empty() {
                    format!("cannot read scenario: {e}")
                } else {
                    format!("cannot read {}: {e}", next.display())
                };
                problems.push(about_next(&files, message));
                break;
            }
        };
        let canonical = std::fs::canonicalize(&next).unwrap_or_else(|_| next.clone());
        if seen.contains(&canonical) {
            let chain: Vec<String> = files
                .iter()
                .map(|f| f.path.display().to_string())
                .chain(std::iter::once(next.display().to_string()))
                .collect();
            problems.push(about_next(
                &files,
                format!("extends cycle: {}", chain.join(" -> ")),
            ));
            break;
        }
        seen.push(canonical);
        if let Ok(table) = text.parse::<toml::Table>()
            && FileKind::of(&table) == FileKind::Sweep
        {
            let message = if files.is_empty() {
                FileKind::Sweep.wrong_command(&next)
            } else {
                format!(
                    "{} is a sweep file (it has `scenario = \"...\"` and `[parameters]`); extend a scenario file instead",
                    next.display()
                )
            };
            problems.push(about_next(&files, message));
            break;
        }
        let file = SourceFile {
            spans: SpanIndex::new(&text),
            sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
            path: next.clone(),
            text,
        };
        let (uncertain, bad_dists, checked) = check_with_means(&file);
        let mut found = bad_dists;
        found.extend(checked.problems);
        found.sort_by_key(|p| p.location);
        problems.extend(found);
        let (Some(raw), Some(mut table)) = (checked.value, checked.table) else {
            break; // a syntax error: its `extends` is unknown
        };
        // CSV tables become keys of this file, located in their own files.
        let expanded = super::tables::expand(&file, &mut table);
        problems.extend(expanded.problems);
        uncertain_by_file.push(uncertain);
        let extends_offset = file.spans.get("extends").map(|s| s.value.start);
        let index = files.len();
        files.push(file);
        for csv in expanded.files {
            files.push(csv);
            uncertain_by_file.push(Vec::new());
        }
        tables.push(table);
        unsets.push((index, raw.unset.clone()));
        match raw.extends {
            None => {
                complete = true;
                break;
            }
            Some(base) => {
                let dir = next.parent().unwrap_or(Path::new(""));
                next = dir.join(base);
                named_at = Some((index, extends_offset.unwrap_or(0)));
            }
        }
    }
    if !complete && !problems.is_empty() {
        return Err(ScenarioError::new(problems));
    }
    let (merged, unset_problems) = merge_chain(tables, &unsets, &files);
    problems.extend(unset_problems);
    let mut uncertain = most_derived_uncertain(&files, &uncertain_by_file);
    // A base's uncertain key dropped by a derived file (a payment mechanism switched) is
    // not sampled.
    uncertain.retain(|u| has_path(&merged, &u.path));
    let merged_table = merged.clone();
    let merged: RawScenario = match toml::Value::Table(merged).try_into() {
        Ok(m) => m,
        Err(_) if !problems.is_empty() => return Err(ScenarioError::new(problems)),
        Err(e) => {
            return Err(ScenarioError::new(vec![Problem {
                file: files[0].path.clone(),
                location: None,
                end: None,
                field: String::new(),
                message: format!("merging extended files: {e}"),
            }]));
        }
    };
    Ok((
        Sources {
            files,
            merged,
            merged_table,
            uncertain,
        },
        problems,
    ))
}

/// `file` parsed with its parameter distributions replaced by their means, at the same
/// offsets: its uncertain parameters, the problems of their distributions, and the checked
/// file. A whole-number key (beds, places) gets its mean rounded, as each draw is: found by
/// the type check refusing the fractional mean there, then parsed again.
fn check_with_means(file: &SourceFile) -> (Vec<Uncertain>, Vec<Problem>, Checked<RawScenario>) {
    let mut whole: Vec<String> = Vec::new();
    loop {
        let mut text = file.text.clone();
        let (uncertain, bad_dists) = match uncertain::extract(file, &mut text, &whole) {
            Ok(u) => (u, Vec::new()),
            Err(e) => (Vec::new(), e.problems),
        };
        let known: Vec<String> = bad_dists.iter().map(|p| p.field.clone()).collect();
        let checked: Checked<RawScenario> = check_all(file, &text, &known, &|_, m| plain_types(m));
        let more: Vec<String> = checked
            .problems
            .iter()
            .filter(|p| p.message.starts_with("must be a whole number"))
            .filter(|p| !whole.contains(&p.field))
            .filter(|p| uncertain.iter().any(|u| u.path == p.field))
            .map(|p| p.field.clone())
            .collect();
        if more.is_empty() {
            return (uncertain, bad_dists, checked);
        }
        whole.extend(more);
    }
}

/// The tables of a chain (most derived first) merged from the deepest base up to the file
/// the user named, without `extends`; each table's `unset` paths (in `unsets`, with the
/// index of their file in `files`) are removed from what its bases set before it is merged.
/// Returns the problems of `unset` paths that name nothing its bases set.
fn merge_chain(
    tables: Vec<toml::Table>,
    unsets: &[(usize, Vec<String>)],
    files: &[SourceFile],
) -> (toml::Table, Vec<Problem>) {
    let mut merged = toml::Table::new();
    let mut problems = Vec::new();
    let deepest = tables.len().saturating_sub(1);
    for (i, mut t) in tables.into_iter().enumerate().rev() {
        t.remove("unset");
        if let Some((file, paths)) = unsets.get(i) {
            for (k, path) in paths.iter().enumerate() {
                let Some(message) = unset(&mut merged, path, i == deepest) else {
                    continue;
                };
                let f = &files[*file];
                let offset = f
                    .spans
                    .get(&format!("unset[{k}]"))
                    .map_or(0, |s| s.value.start);
                problems.push(f.problem_at(offset, path, message));
            }
        }
        switch_payment_mechanism(&mut merged, &t);
        forget_title_of_another_scenario(&mut merged, &t);
        merge(&mut merged, t);
    }
    merged.remove("extends");
    (merged, problems)
}

/// Remove dotted `path` (a value or a whole table) from `bases`, what the files a file
/// extends set (`deepest`: it extends none); the problem, if `path` names nothing there.
fn unset(bases: &mut toml::Table, path: &str, deepest: bool) -> Option<String> {
    if deepest {
        return Some(format!(
            "unset removes keys set by the files this one extends, and it extends none (remove `{path}` here, or add `extends`)"
        ));
    }
    let mut t = &mut *bases;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            if t.remove(part).is_some() {
                return None;
            }
            break;
        }
        match t.get_mut(part) {
            Some(toml::Value::Table(next)) => t = next,
            _ => break,
        }
    }
    let mut known = Vec::new();
    key_paths(bases, "", &mut known);
    Some(format!(
        "cannot unset `{path}`: no file this one extends sets it{}",
        super::suggest::hint(path, known.iter().map(String::as_str))
    ))
}

/// Every dotted key path of `table` (tables and values), each prefixed with `prefix`.
fn key_paths(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = format!("{prefix}{k}");
        if let toml::Value::Table(inner) = v {
            key_paths(inner, &format!("{path}."), out);
        }
        out.push(path);
    }
}

/// A file that names its own scenario but gives it no title does not inherit the title of
/// the scenario it extends ("NHS 2003 baseline" on an early-discharge arm): its title is
/// then made from its own name.
fn forget_title_of_another_scenario(merged: &mut toml::Table, over: &toml::Table) {
    let names_itself = over
        .get("scenario")
        .and_then(toml::Value::as_table)
        .is_some_and(|s| s.contains_key("name") && !s.contains_key("title"));
    if names_itself && let Some(toml::Value::Table(meta)) = merged.get_mut("scenario") {
        meta.remove("title");
    }
}

/// The keys of `[payment]` that belong to one acute payment mechanism only.
pub(crate) const PAYMENT_MECHANISM_KEYS: [&str; 6] = [
    "spell_tariff",
    "trim_days",
    "excess_bed_day_price",
    "by_condition",
    "block_per_year",
    "capitation_per_person_year",
];

/// A file whose `payment.acute` differs from its base's chooses the mechanism afresh: the
/// base's keys of the old mechanism (and their `evidence`) are dropped before merging. A variant cannot unset a
/// key, and those keys are refused under another mechanism, so without this a variant of a
/// tariff scenario could never switch to a block contract.
fn switch_payment_mechanism(base: &mut toml::Table, over: &toml::Table) {
    let acute = |t: &toml::Table| {
        t.get("payment")
            .and_then(|p| p.get("acute"))
            .and_then(toml::Value::as_str)
            .map(str::to_owned)
    };
    let Some(new) = acute(over) else {
        return;
    };
    if acute(base).as_deref().unwrap_or("activity") == new {
        return;
    }
    if let Some(toml::Value::Table(p)) = base.get_mut("payment") {
        for key in PAYMENT_MECHANISM_KEYS {
            p.remove(key);
            // Their grades go with them (evidence must grade a key that is set).
            if let Some(toml::Value::Table(evidence)) = p.get_mut("evidence") {
                evidence.remove(key);
            }
        }
        if p.get("evidence")
            .and_then(toml::Value::as_table)
            .is_some_and(toml::Table::is_empty)
        {
            p.remove("evidence");
        }
    }
}

/// Whether dotted `path` names a value of `table`.
fn has_path(table: &toml::Table, path: &str) -> bool {
    let mut t = table;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        match t.get(part) {
            Some(toml::Value::Table(next)) if parts.peek().is_some() => t = next,
            Some(_) => return parts.peek().is_none(),
            None => return false,
        }
    }
    false
}

/// The uncertain parameters of a chain in key order, `uncertain_by_file` holding those of
/// each of `files`: the most derived file that sets a key decides whether it is uncertain.
fn most_derived_uncertain(
    files: &[SourceFile],
    uncertain_by_file: &[Vec<Uncertain>],
) -> Vec<Uncertain> {
    let mut uncertain = std::collections::BTreeMap::<String, Uncertain>::new();
    for (file, found) in files.iter().zip(uncertain_by_file).rev() {
        uncertain.retain(|path, _| file.spans.get(path).is_none());
        for u in found {
            uncertain.insert(u.path.clone(), u.clone());
        }
    }
    uncertain.into_values().collect()
}

/// Largest scenario or sweep file read, in bytes: far above any real scenario, far below
/// what would exhaust memory (`extends = "/dev/zero"` must fail, not read forever).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Read the text of a scenario or sweep file, refusing anything that is not a regular file
/// (a FIFO would block forever, a device never end) or is larger than [`MAX_FILE_BYTES`].
///
/// # Errors
/// Why the file cannot be read, in words that complete "cannot read `<path>`: ".
pub fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    // `metadata` follows symlinks and never opens the file, so it cannot block on a FIFO.
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("it is a folder, not a regular file".into());
    }
    if !meta.is_file() {
        return Err(format!(
            "it is not a regular file (it is {})",
            special_kind(&meta)
        ));
    }
    let too_large = |size: u64| {
        format!(
            "it is {size} bytes, larger than the limit of {} MiB for scenario and sweep files",
            MAX_FILE_BYTES / (1024 * 1024)
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // Bounded anyway: the file may have grown since `metadata`.
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
}

/// What a file that is neither a folder nor a regular file is, for messages.
#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a named pipe"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &std::fs::Metadata) -> &'static str {
    "a special file"
}

/// Top-level keys only a scenario file has.
const SCENARIO_ONLY: [&str; 13] = [
    "extends",
    "simulation",
    "acute",
    "primary_care",
    "community",
    "conditions",
    "seasonality",
    "population",
    "tiers",
    "outpatients",
    "policy",
    "economics",
    "payment",
];

/// Which kind of caresim input a TOML document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A scenario (`[scenario]`, `[acute]`, ...).
    Scenario,
    /// A sweep file (`scenario = "path"` and `[parameters]`).
    Sweep,
}

impl FileKind {
    /// The kind of a parsed document: a sweep names its scenario as a string (a scenario's
    /// `[scenario]` is a table) or has `[parameters]`, and has none of a scenario's tables.
    pub fn of(table: &toml::Table) -> FileKind {
        let sweep_like = table.get("scenario").is_some_and(toml::Value::is_str)
            || table.contains_key("parameters");
        if sweep_like && !SCENARIO_ONLY.iter().any(|k| table.contains_key(*k)) {
            FileKind::Sweep
        } else {
            FileKind::Scenario
        }
    }

    /// True when `table` has a scenario's `[scenario]` table or any table only a scenario
    /// has (so it is not an incomplete sweep file).
    pub fn has_scenario_tables(table: &toml::Table) -> bool {
        table.get("scenario").is_some_and(toml::Value::is_table)
            || SCENARIO_ONLY.iter().any(|k| table.contains_key(*k))
    }

    /// The kind of the file at `path`; [`FileKind::Scenario`] when it cannot be read or
    /// parsed (the scenario loader then reports why).
    pub fn of_file(path: &Path) -> FileKind {
        read_text(path)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
            .map_or(FileKind::Scenario, |t| FileKind::of(&t))
    }

    /// "`x.toml` is a sweep file ...; run it with `caresim sweep x.toml`": the message for
    /// a file of this kind given to a command expecting the other kind.
    pub fn wrong_command(self, path: &Path) -> String {
        let p = path.display();
        match self {
            FileKind::Sweep => format!(
                "this is a sweep file (it has `scenario = \"...\"` and `[parameters]`), not a scenario; run it with `caresim sweep {p}` (with `caresim slurm`, add `--sweep`)"
            ),
            FileKind::Scenario => format!(
                "this is a scenario file, not a sweep file (a sweep file has `scenario = \"<scenario file>\"` and `[parameters]`); run it with `caresim run {p}`"
            ),
        }
    }
}

/// One step of a path into a TOML document.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `a.b[2].c`
fn seg_path(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => {
                let _ = write!(s, "[{i}]");
            }
        }
    }
    s
}

/// The deepest key or array element whose key or value contains byte `offset`.
fn locate(t: &DeTable<'_>, offset: usize) -> Vec<Seg> {
    fn value(v: &DeValue<'_>, offset: usize, path: &mut Vec<Seg>, best: &mut Vec<Seg>) {
        match v {
            DeValue::Table(t) => table(t, offset, path, best),
            DeValue::Array(a) => {
                for (i, e) in a.iter().enumerate() {
                    path.push(Seg::Index(i));
                    if e.span().contains(&offset) && path.len() > best.len() {
                        *best = path.clone();
                    }
                    value(e.get_ref(), offset, path, best);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    fn table(t: &DeTable<'_>, offset: usize, path: &mut Vec<Seg>, best: &mut Vec<Seg>) {
        for (k, v) in t {
            path.push(Seg::Key(k.get_ref().to_string()));
            let here = k.span().contains(&offset)
                || k.span().start == offset
                || v.span().contains(&offset);
            if here && path.len() > best.len() {
                *best = path.clone();
            }
            value(v.get_ref(), offset, path, best);
            path.pop();
        }
    }
    let mut best = Vec::new();
    table(t, offset, &mut Vec::new(), &mut best);
    best
}

/// Remove the key or array element at `segs`; false when there is none.
fn remove(table: &mut DeTable<'_>, segs: &[Seg]) -> bool {
    fn in_value(v: &mut DeValue<'_>, segs: &[Seg]) -> bool {
        match (v, segs.first()) {
            (DeValue::Table(t), Some(Seg::Key(_))) => remove(t, segs),
            (DeValue::Array(a), Some(Seg::Index(i))) => {
                let i = *i;
                if segs.len() == 1 {
                    if i >= a.len() {
                        return false;
                    }
                    let old = std::mem::replace(a, DeArray::new());
                    for (j, e) in old.iter().enumerate() {
                        if j != i {
                            a.push(e.clone());
                        }
                    }
                    true
                } else {
                    a.get_mut(i)
                        .is_some_and(|e| in_value(e.get_mut(), &segs[1..]))
                }
            }
            _ => false,
        }
    }
    let Some(Seg::Key(key)) = segs.first() else {
        return false;
    };
    if segs.len() == 1 {
        return table.remove(key.as_str()).is_some();
    }
    table
        .iter_mut()
        .find(|(k, _)| k.get_ref() == key)
        .is_some_and(|(_, v)| in_value(v.get_mut(), &segs[1..]))
}

fn count_nodes(v: &DeValue<'_>) -> usize {
    match v {
        DeValue::Table(t) => t.iter().map(|(_, v)| 1 + count_nodes(v.get_ref())).sum(),
        DeValue::Array(a) => a.iter().map(|e| 1 + count_nodes(e.get_ref())).sum(),
        _ => 0,
    }
}

/// Most keys [`check_all`] removes before it stops looking for more problems.
const MAX_ROUNDS: usize = 500;

/// A TOML document deserialized as `T` with every unknown key and wrong type found, not
/// only the first: each is recorded where it is, removed, and the rest deserialized again,
/// until what remains deserializes.
pub(crate) struct Checked<T> {
    /// `T` from the document without its bad keys (`None` for a syntax error).
    pub value: Option<T>,
    /// The same, as a table.
    pub table: Option<toml::Table>,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

/// Parse `text` (the contents of `file`, possibly with distributions blanked) as `T`,
/// finding every problem. Problems at or inside a key of `known` (already reported
/// elsewhere) are not reported again; nor is a table's problem caused by removing one of
/// its keys. `explain` turns serde's message for a key path into the one shown.
pub(crate) fn check_all<T: DeserializeOwned>(
    file: &SourceFile,
    text: &str,
    known: &[String],
    explain: &dyn Fn(&str, &str) -> String,
) -> Checked<T> {
    let mut table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            return Checked {
                value: None,
                table: None,
                problems: vec![toml_problem(file, &e)],
            };
        }
    };
    let mut problems: Vec<(usize, Problem)> = Vec::new();
    let mut reported: Vec<String> = known.to_vec();
    let original = table.clone();
    // Each round removes one key, so this bounds the rounds; so does a cap on problems,
    // since each round copies the document.
    let rounds = (count_nodes(&DeValue::Table(table.get_ref().clone())) + 1).min(MAX_ROUNDS);
    let mut value = None;
    let mut separated = true;
    for _ in 0..rounds {
        let e = match T::deserialize(toml::de::Deserializer::from(table.clone())) {
            Ok(v) => {
                value = Some(v);
                break;
            }
            Err(e) => e,
        };
        let offset = e.span().map_or(0, |s| s.start);
        let mut segs = e
            .span()
            .map(|_| locate(table.get_ref(), offset))
            .unwrap_or_default();
        // Named as in the file: array indices before any element was removed.
        let mut named = locate(original.get_ref(), offset);
        // An unknown key is reported even where its value was already found wrong (a bad
        // distribution under a misspelt key): the key is the problem to fix first.
        let unknown_key = e.message().trim_start().starts_with("unknown field");
        // The offset of an unknown table in a header (`[foo.bar]`) lies on `foo`, but inside
        // it locates `foo.bar`: name and remove the unknown key itself, so that it is
        // reported once, as `foo`, and not again once `bar` is gone.
        if unknown_key && let Some(name) = unknown_name(e.message().trim()) {
            for s in [&mut segs, &mut named] {
                if let Some(i) = s.iter().position(|g| matches!(g, Seg::Key(k) if k == name)) {
                    s.truncate(i + 1);
                }
            }
        }
        let path = seg_path(&named);
        if unknown_key || !reported.iter().any(|r| related_paths(r, &path)) {
            let mut message = explain(&path, e.message().trim());
            if let Some(hint) = suggest_key(e.message().trim()) {
                let _ = write!(message, "; did you mean `{hint}`?");
            }
            // TOML puts every key after a `[table]` header inside that table, so a file's
            // own keys written below `[scenario]` arrive there: say where they belong.
            if unknown_key
                && path.contains('.')
                && let Some(name @ ("extends" | "unset")) = unknown_name(e.message().trim())
            {
                let _ = write!(
                    message,
                    "; `{name}` belongs to the whole file: put it above the first [table] header"
                );
            }
            problems.push((offset, problem_of(file, e.span(), &path, message)));
            reported.push(path.clone());
        }
        if segs.is_empty() || !remove(table.get_mut(), &segs) {
            separated = false; // a problem of the whole document: nothing more can be separated
            break;
        }
    }
    if value.is_none() && (separated || problems.is_empty()) {
        // Never "not valid" without a reason: when every problem left was a consequence of
        // one reported (or the cap was reached), say that the check stopped.
        problems.push((
            text.len(),
            file.problem_at(
                text.len(),
                "",
                "stopped looking for more problems here: fix those above and check again".into(),
            ),
        ));
    }
    problems.sort_by_key(|(o, _)| *o);
    let plain = value
        .is_some()
        .then(|| toml::Table::deserialize(toml::de::Deserializer::from(table)).ok())
        .flatten();
    Checked {
        value,
        table: plain,
        problems: problems.into_iter().map(|(_, p)| p).collect(),
    }
}

/// Deep-merge `over` into `base`. A table with a `dist` key (a distribution) replaces the
/// base's whole, so a variant can switch `lognormal` to `exponential` without inheriting
/// `sd_days`.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) if !o.contains_key("dist") => {
                merge(b, o);
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Turn a toml parse/deserialisation error into a located problem, naming the key it
/// concerns and, for an unknown key, the closest valid one.
/// Whether dotted key paths `a` and `b` are the same key or one is inside the other
/// (`acute` and `acute.beds`, `acute.schedule` and `acute.schedule[1].day`).
pub(crate) fn related_paths(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| {
        x.strip_prefix(y)
            .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
    };
    a == b || inside(a, b) || inside(b, a)
}

fn toml_problem(file: &SourceFile, e: &toml::de::Error) -> Problem {
    let offset = e.span().map_or(0, |s| s.start);
    let field = file.spans.path_at(offset).unwrap_or("").to_string();
    let mut message = e.message().trim().to_string();
    if let Some(hint) = suggest_key(&message) {
        let _ = write!(message, "; did you mean `{hint}`?");
    }
    problem_of(file, e.span(), &field, message)
}

/// A problem about the bytes `span` of `file` that toml gave with its error; when it gave
/// none or an empty one, about what starts there.
fn problem_of(
    file: &SourceFile,
    span: Option<std::ops::Range<usize>>,
    field: &str,
    message: String,
) -> Problem {
    match span {
        Some(s) if s.end > s.start => file.problem_in(s, field, message),
        s => file.problem_at(s.map_or(0, |s| s.start), field, message),
    }
}

/// `x` of serde's "unknown field `x`, expected ...".
fn unknown_name(message: &str) -> Option<&str> {
    message
        .strip_prefix("unknown field `")?
        .split_once('`')
        .map(|(name, _)| name)
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"),
/// the expected name closest to `x`, if it is close enough to be a likely typo.
fn suggest_key(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    super::suggest::closest(unknown, expected.split('`').skip(1).step_by(2)).map(str::to_string)
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
    fn locates_and_removes_keys_and_array_elements() {
        let text = "[a]\nx = [{ d = 1 }, { d = \"y\" }]\nz = 2\n";
        let mut t = DeTable::parse(text).unwrap();
        let at = |s: &str| text.find(s).unwrap();
        assert_eq!(seg_path(&locate(t.get_ref(), at("\"y\""))), "a.x[1].d");
        assert_eq!(seg_path(&locate(t.get_ref(), at("z"))), "a.z");
        let first = locate(t.get_ref(), at("{ d = 1"));
        assert_eq!(seg_path(&first), "a.x[0]");
        assert!(remove(t.get_mut(), &first));
        let plain = toml::Table::deserialize(toml::de::Deserializer::from(t)).unwrap();
        assert_eq!(plain["a"]["x"].as_array().unwrap().len(), 1);
        assert_eq!(plain["a"]["x"][0]["d"].as_str(), Some("y"));
    }

    #[test]
    fn tells_sweep_files_from_scenarios() {
        let kind = |s: &str| FileKind::of(&s.parse().unwrap());
        assert_eq!(
            kind("scenario = \"a.toml\"\n[parameters]\n"),
            FileKind::Sweep
        );
        assert_eq!(kind("[parameters]\n"), FileKind::Sweep);
        assert_eq!(kind("[scenario]\nname = \"a\"\n"), FileKind::Scenario);
        assert_eq!(kind("scenario = \"a\"\n[acute]\n"), FileKind::Scenario);
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
