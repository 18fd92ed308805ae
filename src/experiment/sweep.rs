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

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use toml::de::{DeArray, DeTable, DeValue};

pub use super::plan::Design;
use super::plan::{Plan, Point};
use crate::scenario::load::{Checked, FileKind, SourceFile, check_all, read_text};
use crate::scenario::span::SpanIndex;
use crate::scenario::{self, Problem, Scenario, ScenarioError};

/// The sweep file as parsed; `[parameters]` is walked with its spans (see [`parameters`]).
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "caresim sweep")]
struct RawSweep {
    /// Required. The scenario file swept, a path relative to this file.
    #[schemars(extend("x-required" = true))]
    scenario: Option<String>,
    /// `"grid"` (default: every combination of every parameter's values) or `"one_way"`
    /// (the base, then each parameter at its lowest and at its highest value, the others
    /// at base: the bars of a tornado chart).
    #[serde(default)]
    design: Design,
    /// Replications per point. Default: the scenario's (`simulation.replications`). ≥ 1.
    replications: Option<u32>,
    /// Base random seed. Default: the scenario's (`simulation.seed`).
    seed: Option<u64>,
    /// Required. The swept keys, as dotted paths of numbers of the scenario
    /// (`"acute.beds"`), each a list of values (`[70, 90]`) or a range (`{ from = 8, to =
    /// 24, steps = 5 }`); a table of such keys stands for their common prefix
    /// (`[parameters.acute] beds = [70, 90]`).
    #[schemars(extend("x-required" = true), with = "SweptKeys")]
    parameters: Option<toml::Table>,
}

/// The schema of `[parameters]`: each key a list of numbers, a `{ from, to, steps }` range
/// or a table of more such keys (what [`parameters`] accepts).
struct SweptKeys;

impl schemars::JsonSchema for SweptKeys {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SweptKeys".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let nested = generator.subschema_for::<SweptKeys>();
        schemars::json_schema!({
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "anyOf": [
                    {
                        "description": "The values the key takes, e.g. [10, 20, 30].",
                        "type": "array",
                        "items": { "type": "number" },
                        "minItems": 1
                    },
                    {
                        "description": "`steps` evenly spaced values from `from` to `to`, both included.",
                        "type": "object",
                        "properties": {
                            "from": { "description": "The first value, in the swept key's unit.", "type": "number" },
                            "to": { "description": "The last value, in the swept key's unit.", "type": "number" },
                            "steps": {
                                "description": "How many values, a count.",
                                "type": "integer",
                                "minimum": 2,
                                "maximum": MAX_STEPS
                            }
                        },
                        "required": ["from", "to", "steps"],
                        "additionalProperties": false
                    },
                    nested
                ]
            }
        })
    }
}

/// The JSON Schema of a sweep file (for editors: see [`crate::scenario::json_schema`]).
pub fn json_schema() -> serde_json::Value {
    use crate::scenario::json_schema as js;
    // A sweep file extends nothing: its marked keys are always required.
    let mut root = js::plain::<RawSweep>(true);
    js::finish(
        &mut root,
        "caresim sweep",
        "sweep",
        "A caresim sweep file: the scenario whose numbers vary, and the values each swept \
         key takes, as a full grid or one-way sensitivity.",
    );
    root
}

/// Most values one range may have.
pub const MAX_STEPS: u32 = 10_000;

/// Most points a grid may have.
pub const MAX_POINTS: u64 = 100_000;

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
    /// The sweep file's text and key locations, to locate problems of points.
    pub source: SourceFile,
    /// Byte offset in the sweep file of each value of each swept key, in `parameters`
    /// order (a range's values share the range's offset).
    value_offsets: Vec<Vec<usize>>,
}

/// Why a sweep file cannot be used: every problem found, each located as
/// `file:line:col: key.path: message` (in the sweep file, or in the scenario it names).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// Problems in the sweep file (listed with any in its scenario).
    #[error(transparent)]
    File(ScenarioError),
    /// Problems in the scenario only.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
}

impl SweepError {
    /// The problems, wherever they are (the sweep file or its scenario).
    pub fn into_problems(self) -> ScenarioError {
        match self {
            SweepError::File(e) | SweepError::Scenario(e) => e,
        }
    }
}

/// Serde's type names in plain words.
fn explain(_path: &str, message: &str) -> String {
    crate::scenario::plain::plain_types(message)
        .replace("must be text in quotes", "must be a quoted path")
}

/// One swept key as written: where it is, and its values with their offsets.
struct Swept {
    key: String,
    key_offset: usize,
    value_offset: usize,
    /// Values and the offset of each (a range's values share the range's).
    values: Vec<(f64, usize)>,
}

const RANGE_KEYS: [&str; 3] = ["from", "to", "steps"];

/// A number as TOML gives it (integer or float).
fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .ok()
            .map(|i| i as f64),
        DeValue::Float(f) => {
            f.as_str()
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .or_else(|| match f.as_str() {
                    "inf" | "+inf" => Some(f64::INFINITY),
                    "-inf" => Some(f64::NEG_INFINITY),
                    _ => Some(f64::NAN),
                })
        }
        _ => None,
    }
}

/// How a swept key's values are written.
const SHAPE: &str =
    "must be a list of numbers, e.g. [10, 20, 30], or a range { from = 10, to = 30, steps = 3 }";

/// Walk `[parameters]` with spans: a list of numbers or a `{ from, to, steps }` range per
/// key; tables without range keys are nested key paths (`[parameters.acute] beds = [..]`).
fn parameters(
    file: &SourceFile,
    table: &DeTable<'_>,
    prefix: &str,
    out: &mut Vec<Swept>,
    problems: &mut Vec<Problem>,
) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        let at = |offset: usize, message: String| file.problem_at(offset, &key, message);
        let value_offset = v.span().start;
        let values = match v.get_ref() {
            DeValue::Array(a) => list_values(a, value_offset, &at, problems),
            DeValue::Table(t)
                if t.iter()
                    .any(|(k, _)| RANGE_KEYS.contains(&k.get_ref().as_ref())) =>
            {
                range_values(t, value_offset, &at, problems)
            }
            DeValue::Table(t) => {
                if t.iter().next().is_none() {
                    problems.push(at(value_offset, format!("{SHAPE}; got an empty table")));
                } else {
                    parameters(file, t, &key, out, problems);
                }
                None
            }
            other => {
                problems.push(at(
                    value_offset,
                    format!("{SHAPE}; got a {}", other.type_str()),
                ));
                None
            }
        };
        if let Some(values) = values {
            out.push(Swept {
                key,
                key_offset: k.span().start,
                value_offset,
                values,
            });
        }
    }
}

/// The values of a list (at `value_offset`), each with its offset; `None` when it is empty
/// or holds anything but finite numbers (each such problem made by `at` into `problems`).
fn list_values(
    a: &DeArray<'_>,
    value_offset: usize,
    at: &impl Fn(usize, String) -> Problem,
    problems: &mut Vec<Problem>,
) -> Option<Vec<(f64, usize)>> {
    if a.is_empty() {
        problems.push(at(value_offset, format!("{SHAPE}; got an empty list")));
        return None;
    }
    let mut values = Vec::new();
    let mut ok = true;
    for e in a {
        match number(e.get_ref()) {
            Some(x) if x.is_finite() => values.push((x, e.span().start)),
            Some(x) => {
                problems.push(at(e.span().start, format!("must be finite, got {x}")));
                ok = false;
            }
            None => {
                problems.push(at(
                    e.span().start,
                    format!("{SHAPE}; got a {} in the list", e.get_ref().type_str()),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(values)
}

/// The values of a `{ from, to, steps }` range (at `value_offset`), all at the range's
/// offset; `None` when a key is unknown, missing or out of range (each such problem made by
/// `at` into `problems`).
fn range_values(
    t: &DeTable<'_>,
    value_offset: usize,
    at: &impl Fn(usize, String) -> Problem,
    problems: &mut Vec<Problem>,
) -> Option<Vec<(f64, usize)>> {
    let mut ok = true;
    for (rk, _) in t {
        let name: &str = rk.get_ref();
        if !RANGE_KEYS.contains(&name) {
            let hint = crate::scenario::suggest::hint(name, RANGE_KEYS);
            problems.push(at(
                rk.span().start,
                format!("unknown key `{name}` in a range; a range is {{ from, to, steps }}{hint}"),
            ));
            ok = false;
        }
    }
    let get = |name: &str| t.get(name);
    let mut ends = [0.0; 2];
    for (i, name) in ["from", "to"].into_iter().enumerate() {
        match get(name).map(|x| (number(x.get_ref()), x.span().start)) {
            Some((Some(x), _)) if x.is_finite() => ends[i] = x,
            Some((_, o)) => {
                problems.push(at(o, format!("`{name}` must be a finite number")));
                ok = false;
            }
            None => {
                problems.push(at(
                    value_offset,
                    format!("a range needs `{name}`: {{ from, to, steps }}"),
                ));
                ok = false;
            }
        }
    }
    let steps = if let Some(s) = get("steps") {
        match s.get_ref() {
            DeValue::Integer(_) => {
                let n = number(s.get_ref()).unwrap_or(0.0);
                if !(2.0..=f64::from(MAX_STEPS)).contains(&n) {
                    problems.push(at(
                        s.span().start,
                        format!("`steps` must be from 2 to {MAX_STEPS}, got {n}"),
                    ));
                    ok = false;
                }
                n as u32
            }
            other => {
                problems.push(at(
                    s.span().start,
                    format!(
                        "`steps` must be a whole number from 2 to {MAX_STEPS}, got a {}",
                        other.type_str()
                    ),
                ));
                ok = false;
                0
            }
        }
    } else {
        problems.push(at(
            value_offset,
            "a range needs `steps`: { from, to, steps }".into(),
        ));
        ok = false;
        0
    };
    if !ok {
        return None;
    }
    let [from, to] = ends;
    Some(
        (0..steps)
            .map(|i| {
                let x = from + (to - from) * f64::from(i) / f64::from(steps - 1);
                (x, value_offset)
            })
            .collect(),
    )
}

/// Every dotted key path of a number in `table`.
fn number_paths(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Integer(_) | toml::Value::Float(_) => out.push(path),
            toml::Value::Table(t) => number_paths(t, &path, out),
            _ => {}
        }
    }
}

/// Keys that hold numbers of the scenario but are not model parameters.
fn not_sweepable(key: &str) -> Option<&'static str> {
    match key {
        "simulation.seed" => Some(
            "the seed cannot be swept: every replication already runs with its own seed, derived from `seed =` in the sweep file (or `--seed`); to see more random variation, add replications",
        ),
        "simulation.replications" => Some(
            "replications cannot be swept: set them with `replications =` in the sweep file (or `--reps`)",
        ),
        _ => None,
    }
}

/// Read and check the sweep file at `path`, and the scenario it names.
///
/// # Errors
/// Every problem found at once, each located: unreadable files, syntax errors, unknown keys
/// (with the closest valid key), wrong types, bad value lists and ranges, keys that are not
/// numbers of the scenario (with the closest that is), values out of range for their key,
/// grids too large, a scenario file given instead of a sweep file, and any problem of the
/// scenario.
pub fn load(path: &Path) -> Result<Sweep, SweepError> {
    let file = read_sweep_file(path)?;
    let checked: Checked<RawSweep> = check_all(&file, &file.text, &[], &explain);
    let mut problems = checked.problems;
    let Some(raw) = checked.value else {
        return Err(SweepError::File(ScenarioError::new(problems)));
    };
    if raw.replications == Some(0) {
        problems.push(file.problem_at(
            start(&file, "replications", true),
            "replications",
            "must be at least 1, got 0".into(),
        ));
    }
    let swept = swept_keys(&file, &raw, &mut problems);
    let scenario = scenario_of(path, &file, &raw, &mut problems);
    // Each swept key against the scenario.
    let mut parameters = Vec::new();
    let mut value_offsets = Vec::new();
    if let Some(scenario) = &scenario {
        let mut numbers = Vec::new();
        number_paths(&scenario.sources.merged_table, "", &mut numbers);
        for s in swept {
            if check_swept_key(&file, scenario, &numbers, &s, &mut problems) {
                value_offsets.push(s.values.iter().map(|v| v.1).collect());
                parameters.push((s.key, s.values.into_iter().map(|v| v.0).collect()));
            }
        }
    }
    if !problems.is_empty() {
        // The sweep file's problems in file order, then the scenario's as found.
        problems.sort_by_key(|p| {
            (
                p.file != path,
                if p.file == path { p.location } else { None },
            )
        });
        return Err(SweepError::File(ScenarioError::new(problems)));
    }
    let scenario = scenario.expect("no problems, so the scenario loaded");
    Ok(Sweep {
        sha256: file.sha256.clone(),
        path: path.to_path_buf(),
        scenario,
        design: raw.design,
        replications: raw.replications,
        seed: raw.seed,
        parameters,
        source: file,
        value_offsets,
    })
}

/// The text of the sweep file at `path` with its key locations and hash; refused if it is
/// unreadable or a scenario file (given to `sweep` instead of `run`).
fn read_sweep_file(path: &Path) -> Result<SourceFile, SweepError> {
    let located = |message: String| {
        SweepError::File(ScenarioError::new(vec![Problem {
            file: path.to_path_buf(),
            location: None,
            end: None,
            field: String::new(),
            message,
        }]))
    };
    let text = read_text(path).map_err(|e| located(format!("cannot read sweep file: {e}")))?;
    if let Ok(t) = text.parse::<toml::Table>()
        && FileKind::of(&t) == FileKind::Scenario
        && FileKind::has_scenario_tables(&t)
    {
        return Err(located(FileKind::Scenario.wrong_command(path)));
    }
    Ok(SourceFile {
        path: path.to_path_buf(),
        spans: SpanIndex::new(&text),
        sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
        text,
    })
}

/// Byte offset in `file` of `key`'s value (`value`) or of the key itself; 0 if not set.
fn start(file: &SourceFile, key: &str, value: bool) -> usize {
    file.spans
        .get(key)
        .map_or(0, |s| if value { s.value.start } else { s.key.start })
}

/// The swept keys and values of `[parameters]`, with their places in the file; problems
/// of their shapes, of a missing or empty table and of a grid too large go to `problems`.
fn swept_keys(file: &SourceFile, raw: &RawSweep, problems: &mut Vec<Problem>) -> Vec<Swept> {
    let mut swept = Vec::new();
    if let Ok(de) = DeTable::parse(&file.text)
        && let Some(p) = de.get_ref().get("parameters")
        && let DeValue::Table(t) = p.get_ref()
    {
        parameters(file, t, "", &mut swept, problems);
    }
    match &raw.parameters {
        None => problems.push(file.problem_at(
            0,
            "parameters",
            "missing: a [parameters] table naming the scenario keys to sweep, e.g. \"acute.beds\" = [300, 340, 380]".into(),
        )),
        Some(p) if p.is_empty() => problems.push(file.problem_at(
            start(file, "parameters", false),
            "parameters",
            "names no parameter to sweep".into(),
        )),
        Some(_) => {}
    }
    if raw.design == Design::Grid && !swept.is_empty() {
        let points = swept
            .iter()
            .map(|s| s.values.len() as u64)
            .fold(1u64, u64::saturating_mul);
        if points > MAX_POINTS {
            let sizes: Vec<String> = swept
                .iter()
                .map(|s| format!("{} ({})", s.key, s.values.len()))
                .collect();
            problems.push(file.problem_at(
                start(file, "parameters", false),
                "parameters",
                format!(
                    "the grid has {points} points ({}), more than the limit of {MAX_POINTS}; give fewer values or steps, or use design = \"one_way\"",
                    sizes.join(" × ")
                ),
            ));
        }
    }
    swept
}

/// The scenario the sweep file at `path` names, loaded; its problems, or one located at
/// `scenario = ...` when it is missing, cannot be read or is a sweep, go to `problems`.
fn scenario_of(
    path: &Path,
    file: &SourceFile,
    raw: &RawSweep,
    problems: &mut Vec<Problem>,
) -> Option<Scenario> {
    let Some(s) = &raw.scenario else {
        problems.push(file.problem_at(
            0,
            "scenario",
            "missing: `scenario = \"<scenario file>\"`, the path of the scenario to sweep, relative to this file".into(),
        ));
        return None;
    };
    let scenario_path = path.parent().unwrap_or(Path::new("")).join(s);
    let at = start(file, "scenario", true);
    if let Err(e) = read_text(&scenario_path) {
        problems.push(file.problem_at(
            at,
            "scenario",
            format!("cannot read {}: {e}", scenario_path.display()),
        ));
        None
    } else if FileKind::of_file(&scenario_path) == FileKind::Sweep {
        problems.push(file.problem_at(
            at,
            "scenario",
            format!(
                "{} is a sweep file; `scenario` must name a scenario file",
                scenario_path.display()
            ),
        ));
        None
    } else {
        match scenario::load(&scenario_path) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.extend(e.problems);
                None
            }
        }
    }
}

/// Whether swept key `s` can be swept in `scenario`: a number the scenario gives
/// (`numbers`: every number's key path, for the hint), whole where the scenario's is, each
/// value in range for the key. Its problems go to `problems`, at the key or the value.
fn check_swept_key(
    file: &SourceFile,
    scenario: &Scenario,
    numbers: &[String],
    s: &Swept,
    problems: &mut Vec<Problem>,
) -> bool {
    if let Some(why) = not_sweepable(&s.key) {
        problems.push(file.problem_at(s.key_offset, &s.key, why.into()));
        return false;
    }
    if base_value(scenario, &s.key).is_none() {
        let hint = crate::scenario::suggest::hint(
            &s.key,
            numbers
                .iter()
                .map(String::as_str)
                .filter(|n| not_sweepable(n).is_none()),
        );
        problems.push(file.problem_at(
            s.key_offset,
            &s.key,
            format!(
                "the scenario sets no number at this key (sweep keys are dotted paths of numbers the scenario gives, e.g. acute.beds or conditions.copd.admit){hint}"
            ),
        ));
        return false;
    }
    // A key the scenario gives as a whole number (beds, places, patients) takes only
    // whole numbers: 1.5 beds would silently run as 2.
    if base_is_whole(scenario, &s.key) && !whole_values(file, s, problems) {
        return false;
    }
    // Each value alone, at base for the rest: a value out of range for its key is
    // reported where it is written. (Ranges: their ends.)
    let mut checked_values: Vec<f64> = Vec::new();
    let lo_hi = |vals: &[(f64, usize)]| {
        let lo = vals.iter().map(|v| v.0).fold(f64::INFINITY, f64::min);
        let hi = vals.iter().map(|v| v.0).fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let (lo, hi) = lo_hi(&s.values);
    for &(v, offset) in &s.values {
        let is_range = s.values.iter().all(|x| x.1 == s.value_offset) && s.values.len() > 1;
        if (is_range && v != lo && v != hi) || checked_values.contains(&v) {
            continue;
        }
        checked_values.push(v);
        if let Err(e) = scenario.params_with(&[(&s.key, v)]) {
            for p in e.problems {
                let message = if p.field == s.key {
                    p.message
                } else {
                    format!("{} = {v} makes {}: {}", s.key, p.field, p.message)
                };
                problems.push(file.problem_at(offset, &s.key, message));
            }
        }
    }
    true
}

/// Whether every value of swept key `s` is a whole number; if not, a problem at each
/// fractional value (once for a range) goes to `problems`.
fn whole_values(file: &SourceFile, s: &Swept, problems: &mut Vec<Problem>) -> bool {
    let is_range = s.values.iter().all(|x| x.1 == s.value_offset) && s.values.len() > 1;
    let mut reported = false;
    for &(v, offset) in &s.values {
        if v.fract() != 0.0 && !(is_range && reported) {
            problems.push(file.problem_at(
                offset,
                &s.key,
                format!(
                    "{} takes whole numbers, got {v}{}",
                    s.key,
                    if is_range {
                        " (a value of this range; choose from, to and steps that give whole numbers)"
                    } else {
                        ""
                    }
                ),
            ));
            reported = true;
        }
    }
    !reported
}

/// Whether the number at dotted `path` is a whole-number key of the schema (beds, places,
/// patients): the scenario with a fraction there does not parse.
fn base_is_whole(scenario: &Scenario, path: &str) -> bool {
    let mut table = scenario.sources.merged_table.clone();
    let mut t = &mut table;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            match t.get(part) {
                Some(toml::Value::Integer(i)) => {
                    let fraction = *i as f64 + 0.5;
                    t.insert(part.to_string(), toml::Value::Float(fraction));
                }
                _ => return false,
            }
            break;
        }
        match t.get_mut(part).and_then(|v| v.as_table_mut()) {
            Some(next) => t = next,
            None => return false,
        }
    }
    toml::Value::Table(table)
        .try_into::<crate::scenario::schema::RawScenario>()
        .is_err()
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
                    .map(|p| keys.iter().map(|k| (*k).clone()).zip(p).collect())
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
                    .map(|p| keys.iter().map(|k| (*k).clone()).zip(p).collect())
                    .collect()
            }
        }
    }

    /// The plan: every point validated. A problem at a swept key is reported at that key's
    /// values in the sweep file, with the point's values.
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
                let params = self
                    .scenario
                    .params_with(&refs)
                    .map_err(|e| self.point_problems(i, &values, e))?;
                Ok(Point { values, params })
            })
            .collect::<Result<Vec<_>, ScenarioError>>()?;
        Ok(Plan {
            scenario: &self.scenario,
            points,
            replications,
            seed,
            arms: Vec::new(),
            sweep_design: Some(self.design),
        })
    }

    /// Where the value of swept key `j` in a point's `values` is written.
    fn value_offset(&self, j: usize, values: &[(String, f64)]) -> usize {
        let (key, all) = &self.parameters[j];
        let v = values.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        let i = all.iter().position(|x| Some(*x) == v).unwrap_or(0);
        self.value_offsets[j].get(i).copied().unwrap_or(0)
    }

    /// The problems of sweep point `i`: those at a swept key moved to its values in the
    /// sweep file, every one noting the point's values.
    fn point_problems(
        &self,
        i: usize,
        values: &[(String, f64)],
        e: ScenarioError,
    ) -> ScenarioError {
        let set: Vec<String> = values.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let note = format!("(sweep point {i}: {})", set.join(", "));
        let problems = e
            .problems
            .into_iter()
            .map(|p| {
                let swept = self.parameters.iter().position(|(k, _)| *k == p.field);
                match swept {
                    Some(j) => self.source.problem_at(
                        self.value_offset(j, values),
                        &p.field,
                        format!("{} {note}", p.message),
                    ),
                    None => Problem {
                        message: format!("{} {note}, set by {}", p.message, self.path.display()),
                        ..p
                    },
                }
            })
            .collect();
        ScenarioError::new(problems)
    }
}
