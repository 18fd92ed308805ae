//! Parameter tables read from CSV files named in a scenario's `[tables]`: large sets of
//! numbers (rates and stays by condition × age band, a joint prevalence, a projection of
//! entrants, trends by year) that are easier to keep in a spreadsheet than in TOML.
//!
//! A table is sugar for TOML keys: each cell becomes the key it stands for (a
//! `conditions_by_age` row `copd,75_84,0.08` under `deaths_per_year` is
//! `conditions.copd.deaths_per_year_by_age.75_84 = 0.08`), inserted into the table of the
//! file that names it, before `extends` merges the chain. So a derived file overrides a
//! base's table value by value, `validate --resolved` shows the expanded keys, PSA and
//! sweeps see them as any other key, and every problem with a value — found while reading
//! the CSV or later by the semantic checks — is reported at its cell as
//! `file.csv:line:col: key.path: message`. A key set both in the file and in a table it
//! names is refused.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::Problem;
use super::span::{KeySpan, SourceFile, SpanIndex, line_col};

/// `[tables]`: CSV files (paths relative to the scenario file) with parameter tables.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTables {
    /// Columns `condition`, `band`, and any of `patients`, `deaths_per_year`,
    /// `los_multiplier`, `onset_per_year` (an empty cell sets nothing): the keys
    /// `conditions.<c>.patients_by_age.<band>`, `deaths_per_year_by_age`,
    /// `los_multiplier_by_age`, `onset_per_year_by_age`. A CSV path, relative to this file.
    /// Default: none.
    pub conditions_by_age: Option<String>,
    /// Columns `band`, `conditions` (`copd+heart_failure`, or `none`), `share`: the joint
    /// prevalence of `[multimorbidity]` given directly (`multimorbidity.joint_prevalence`).
    /// A CSV path, relative to this file. Default: none.
    pub joint_prevalence: Option<String>,
    /// Columns `year` (1, 2, ... in order) and one per age band: people entering each band
    /// per year (`population.entrants_per_year`). A CSV path, relative to this file.
    /// Default: none.
    pub entrants: Option<String>,
    /// Columns `year` (1, 2, ... in order) and any of `exacerbations`, `admissions`,
    /// `deaths`, `incidence`, `onset`, `acute_los`, `community_los`: trends by observed
    /// year (`trends.<kind>.by_year`). A CSV path, relative to this file. Default: none.
    pub trends: Option<String>,
}

/// Largest table file read, bytes.
const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// The trend columns of a `trends` table.
const TREND_COLUMNS: [&str; 7] = [
    "exacerbations",
    "admissions",
    "deaths",
    "incidence",
    "onset",
    "acute_los",
    "community_los",
];

/// The value columns of a `conditions_by_age` table and the keys they set.
const CONDITION_COLUMNS: [(&str, &str); 4] = [
    ("patients", "patients_by_age"),
    ("deaths_per_year", "deaths_per_year_by_age"),
    ("los_multiplier", "los_multiplier_by_age"),
    ("onset_per_year", "onset_per_year_by_age"),
];

/// One cell of a CSV file: its text and byte range in the file.
struct Cell {
    text: String,
    span: Range<usize>,
}

/// A CSV file read into rows of located cells, the header first.
struct Csv {
    file: SourceFile,
    rows: Vec<Vec<Cell>>,
}

impl Csv {
    /// A problem at the cell `cell` (or the file's start) about the table `kind`.
    fn problem(&self, span: &Range<usize>, kind: &str, message: String) -> Problem {
        self.file
            .problem_at(span.start, &format!("tables.{kind}"), message)
    }
}

/// What the tables of one scenario file add: the keys, the CSV files (for locating problems
/// and for the scenario's hashes), and the problems found reading them.
#[derive(Default)]
pub struct Expanded {
    /// The CSV files read, each with the spans of the keys its cells set.
    pub files: Vec<SourceFile>,
    /// Problems found reading the tables.
    pub problems: Vec<Problem>,
}

/// Read the tables named in `table` (the parsed file `owner`), insert their keys into
/// `table`, and drop its `[tables]`.
pub fn expand(owner: &SourceFile, table: &mut toml::Table) -> Expanded {
    let mut out = Expanded::default();
    let Some(toml::Value::Table(named)) = table.remove("tables") else {
        return out;
    };
    let dir = owner.path.parent().unwrap_or(Path::new(""));
    for (kind, value) in &named {
        let Some(name) = value.as_str() else { continue };
        let path = dir.join(name);
        let located = |message: String| match owner.spans.get(&format!("tables.{kind}")) {
            Some(s) => owner.problem_at(s.value.start, &format!("tables.{kind}"), message),
            None => owner.problem_at(0, &format!("tables.{kind}"), message),
        };
        let csv = match read(&path) {
            Ok(csv) => csv,
            Err(e) => {
                out.problems
                    .push(located(format!("cannot read {}: {e}", path.display())));
                continue;
            }
        };
        let mut keys: Vec<(Vec<String>, toml::Value, Range<usize>)> = Vec::new();
        let mut problems = Vec::new();
        match kind.as_str() {
            "conditions_by_age" => conditions_by_age(&csv, &mut keys, &mut problems),
            "joint_prevalence" => joint_prevalence(&csv, &mut keys, &mut problems),
            "entrants" => by_year(&csv, kind, &mut keys, &mut problems, &|column| {
                vec![
                    "population".into(),
                    "entrants_per_year".into(),
                    column.to_string(),
                ]
            }),
            "trends" => by_year(&csv, kind, &mut keys, &mut problems, &|column| {
                if TREND_COLUMNS.contains(&column) {
                    vec!["trends".into(), column.to_string(), "by_year".into()]
                } else {
                    Vec::new()
                }
            }),
            _ => {}
        }
        let mut spans = BTreeMap::new();
        for (path, value, span) in keys {
            let dotted = path.join(".");
            if has(table, &path) {
                problems.push(csv.file.problem_at(
                    span.start,
                    &dotted,
                    format!("set both here and in {}; keep one", owner.path.display()),
                ));
                continue;
            }
            if let toml::Value::Array(items) = &value {
                // Each item's own cell, for problems reported as `key[i]`.
                for (i, _) in items.iter().enumerate() {
                    if let Some(cell) = span_of_item(&csv, &path, i) {
                        spans.insert(
                            format!("{dotted}[{i}]"),
                            KeySpan {
                                key: cell.clone(),
                                value: cell,
                            },
                        );
                    }
                }
            }
            // The tables on the way, at the first cell that made them (a problem with a
            // condition that only this table names is located here).
            for k in 1..path.len() {
                spans.entry(path[..k].join(".")).or_insert_with(|| KeySpan {
                    key: span.clone(),
                    value: span.clone(),
                });
            }
            spans.insert(
                dotted,
                KeySpan {
                    key: span.clone(),
                    value: span,
                },
            );
            insert(table, &path, value);
        }
        out.problems.extend(problems);
        let mut file = csv.file;
        file.spans = SpanIndex::from_spans(spans);
        out.files.push(file);
    }
    out
}

/// Read and split a CSV file into located cells (a header and at least one row).
fn read(path: &Path) -> Result<Csv, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    if meta.len() > MAX_TABLE_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_TABLE_BYTES} a table may have",
            meta.len()
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file = SourceFile {
        sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
        spans: SpanIndex::default(),
        path: path.to_path_buf(),
        text,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(file.text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        // Cells are located by searching the record's line for each field in turn (the
        // reader unquotes and trims them).
        let line_end = file.text[start..]
            .find('\n')
            .map_or(file.text.len(), |i| start + i);
        let line = &file.text[start..line_end];
        let mut from = 0;
        let mut cells = Vec::new();
        for field in &record {
            let at = line[from..].find(field).map_or(from, |i| from + i);
            cells.push(Cell {
                text: field.to_string(),
                span: start + at..start + at + field.len().max(1),
            });
            from = (at + field.len()).min(line.len());
            if let Some(comma) = line[from..].find(',') {
                from += comma + 1;
            }
        }
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        rows.push(cells);
    }
    if rows.len() < 2 {
        return Err("a header row and at least one row of values are needed".into());
    }
    Ok(Csv { file, rows })
}

/// The index of each required column, and the other columns with their header cells.
type Columns<'a> = (Vec<usize>, Vec<(usize, &'a Cell)>);

/// The index of each of `required` in the header, and the other columns; a missing one is
/// a problem at the header.
fn columns<'a>(
    csv: &'a Csv,
    kind: &str,
    required: &[&str],
    problems: &mut Vec<Problem>,
) -> Option<Columns<'a>> {
    let header = &csv.rows[0];
    let mut found = Vec::new();
    for name in required {
        let Some(i) = header.iter().position(|c| c.text == *name) else {
            problems.push(csv.problem(
                &header[0].span,
                kind,
                format!(
                    "no `{name}` column; the header has {}",
                    header
                        .iter()
                        .map(|c| format!("`{}`", c.text))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            return None;
        };
        found.push(i);
    }
    let others = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !found.contains(i))
        .collect();
    Some((found, others))
}

/// A number in `cell`, or a problem there.
fn number(csv: &Csv, cell: &Cell, kind: &str, problems: &mut Vec<Problem>) -> Option<f64> {
    match cell.text.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            problems.push(csv.problem(
                &cell.span,
                kind,
                format!("expected a number, got {:?}", cell.text),
            ));
            None
        }
    }
}

/// `conditions_by_age`: one key per (condition, band, value column).
fn conditions_by_age(
    csv: &Csv,
    keys: &mut Vec<(Vec<String>, toml::Value, Range<usize>)>,
    problems: &mut Vec<Problem>,
) {
    let kind = "conditions_by_age";
    let Some((fixed, others)) = columns(csv, kind, &["condition", "band"], problems) else {
        return;
    };
    let mut values = Vec::new();
    for (i, cell) in others {
        match CONDITION_COLUMNS.iter().find(|(c, _)| *c == cell.text) {
            Some((_, key)) => values.push((i, *key)),
            None => problems.push(csv.problem(
                &cell.span,
                kind,
                format!(
                    "unknown column `{}`; valid: condition, band, {}",
                    cell.text,
                    CONDITION_COLUMNS.map(|(c, _)| c).join(", ")
                ),
            )),
        }
    }
    let mut seen = BTreeMap::new();
    for row in &csv.rows[1..] {
        let (Some(condition), Some(band)) = (row.get(fixed[0]), row.get(fixed[1])) else {
            problems.push(csv.problem(
                &row[0].span,
                kind,
                "a row without condition and band".into(),
            ));
            continue;
        };
        if let Some(line) = seen.insert(
            (condition.text.clone(), band.text.clone()),
            row[0].span.start,
        ) {
            problems.push(csv.problem(
                &row[0].span,
                kind,
                format!(
                    "{} in band {} again (first on line {})",
                    condition.text,
                    band.text,
                    line_col(&csv.file.text, line).0
                ),
            ));
            continue;
        }
        for &(i, key) in &values {
            let Some(cell) = row.get(i).filter(|c| !c.text.is_empty()) else {
                continue;
            };
            let Some(x) = number(csv, cell, kind, problems) else {
                continue;
            };
            let value = if key == "patients_by_age" {
                if x < 0.0 || x.fract() != 0.0 || x > f64::from(u32::MAX) {
                    problems.push(csv.problem(
                        &cell.span,
                        kind,
                        format!(
                            "patients must be a whole number at least 0, got {}",
                            cell.text
                        ),
                    ));
                    continue;
                }
                toml::Value::Integer(x as i64)
            } else {
                toml::Value::Float(x)
            };
            keys.push((
                vec![
                    "conditions".into(),
                    condition.text.clone(),
                    key.into(),
                    band.text.clone(),
                ],
                value,
                cell.span.clone(),
            ));
        }
    }
}

/// `joint_prevalence`: `multimorbidity.joint_prevalence.<band>.<conditions> = share`.
fn joint_prevalence(
    csv: &Csv,
    keys: &mut Vec<(Vec<String>, toml::Value, Range<usize>)>,
    problems: &mut Vec<Problem>,
) {
    let kind = "joint_prevalence";
    let Some((fixed, others)) = columns(csv, kind, &["band", "conditions", "share"], problems)
    else {
        return;
    };
    for (_, cell) in others {
        problems.push(csv.problem(
            &cell.span,
            kind,
            format!(
                "unknown column `{}`; valid: band, conditions, share",
                cell.text
            ),
        ));
    }
    for row in &csv.rows[1..] {
        let (Some(band), Some(set), Some(share)) =
            (row.get(fixed[0]), row.get(fixed[1]), row.get(fixed[2]))
        else {
            problems.push(csv.problem(
                &row[0].span,
                kind,
                "a row without band, conditions and share".into(),
            ));
            continue;
        };
        if let Some(x) = number(csv, share, kind, problems) {
            keys.push((
                vec![
                    "multimorbidity".into(),
                    "joint_prevalence".into(),
                    band.text.clone(),
                    set.text.clone(),
                ],
                toml::Value::Float(x),
                share.span.clone(),
            ));
        }
    }
}

/// A table by year (`entrants`, `trends`): column `year` 1, 2, ... in order, each other
/// column an array at `path_of(column)` (empty: not a valid column).
fn by_year(
    csv: &Csv,
    kind: &str,
    keys: &mut Vec<(Vec<String>, toml::Value, Range<usize>)>,
    problems: &mut Vec<Problem>,
    path_of: &dyn Fn(&str) -> Vec<String>,
) {
    let Some((fixed, others)) = columns(csv, kind, &["year"], problems) else {
        return;
    };
    for (y, row) in csv.rows[1..].iter().enumerate() {
        if let Some(cell) = row.get(fixed[0])
            && cell.text.parse::<usize>().ok() != Some(y + 1)
        {
            problems.push(csv.problem(
                &cell.span,
                kind,
                format!(
                    "years must run 1, 2, 3, ... in order: expected {}, got {:?}",
                    y + 1,
                    cell.text
                ),
            ));
            return;
        }
    }
    for (i, head) in others {
        let path = path_of(&head.text);
        if path.is_empty() {
            problems.push(csv.problem(
                &head.span,
                kind,
                format!(
                    "unknown column `{}`; valid: year, {}",
                    head.text,
                    TREND_COLUMNS.join(", ")
                ),
            ));
            continue;
        }
        let mut values = Vec::new();
        for row in &csv.rows[1..] {
            match row.get(i).filter(|c| !c.text.is_empty()) {
                Some(cell) => {
                    if let Some(x) = number(csv, cell, kind, problems) {
                        values.push(toml::Value::Float(x));
                    }
                }
                None => {
                    problems.push(csv.problem(
                        &row[0].span,
                        kind,
                        format!("no value for `{}` in this year", head.text),
                    ));
                }
            }
        }
        keys.push((path, toml::Value::Array(values), head.span.clone()));
    }
}

/// The cell of item `i` of the array that a by-year table's column sets at `path`.
fn span_of_item(csv: &Csv, path: &[String], i: usize) -> Option<Range<usize>> {
    let column = match path {
        [p, e, band] if p == "population" && e == "entrants_per_year" => band,
        [t, kind, _] if t == "trends" => kind,
        _ => return None,
    };
    let c = csv.rows[0].iter().position(|h| &h.text == column)?;
    Some(csv.rows.get(i + 1)?.get(c)?.span.clone())
}

/// Whether `table` sets `path`.
fn has(table: &toml::Table, path: &[String]) -> bool {
    let mut t = table;
    for (k, part) in path.iter().enumerate() {
        match t.get(part) {
            Some(toml::Value::Table(next)) if k + 1 < path.len() => t = next,
            Some(_) => return k + 1 == path.len(),
            None => return false,
        }
    }
    false
}

/// Set `path` in `table` to `value`, making tables on the way.
fn insert(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let (last, parents) = path.split_last().expect("a key path");
    let mut t = table;
    for part in parents {
        let entry = t
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().expect("a table");
    }
    t.insert(last.clone(), value);
}
