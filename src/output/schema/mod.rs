//! The result-file schema: one Rust type per result file, used both to write the file
//! (`output`) and to read it back (`chart`, `report`), so a column cannot be renamed on one
//! side only.
//!
//! | file | type |
//! |---|---|
//! | `runs.csv` | [`RunsColumns`] and one [`RunRow`] per replication |
//! | `summary.csv` | [`SummaryRow`] per metric |
//! | `summary.json` | [`SummaryJson`] |
//! | `by_group.csv` | [`GroupRow`] per condition × age band × metric |
//! | `timeseries.csv` | [`TimeseriesRow`] per day × pool |
//! | `by_year.csv` | [`YearRow`] per observed year × additive metric (absent for results without values by year) |
//! | `comparison.csv` | [`ComparisonRow`] per alternative × metric |
//! | `comparison.json` | [`ComparisonJson`] |
//! | `by_year_differences.csv` | [`YearDifferenceRow`] per alternative × observed year × additive metric (absent as `by_year.csv`) |
//! | `cost_effectiveness.csv` | [`CostEffectivenessRow`] per alternative × cost perspective |
//! | `ceac.csv` | [`CeacRow`] per alternative × threshold |
//! | `evpi.csv` | [`EvpiRow`] per threshold (comparisons with uncertain parameters) |
//! | `levers_evidence.csv` | [`EvidenceRow`] per arm × graded lever setting |
//! | `sweep.csv` | [`SweepColumns`] and one [`SweepRow`] per point × metric |
//! | `manifest.json` | [`Manifest`] (with the sweep design, [`SweepDesign`]) |
//! | `timing.json` | [`RunInfo`] |
//!
//! Files with a column per metric (`runs.csv`) or per swept key (`runs.csv`, `sweep.csv`)
//! are a fixed head and named lists, read and written by the same column type. Reading
//! checks the columns: a missing or unknown column is an error naming the file and the
//! column. Numbers are written as Rust prints them (`603`, `0.30000000000000004`: the
//! shortest text that reads back to the same number), which is why the numeric fields
//! serialise through [`plain`] rather than the CSV writer's own float format.
//!
//! Every folder records the result format it was written in ([`RESULT_FORMAT`], in
//! `manifest.json`); a folder of another format is refused with a message naming both
//! formats (see [`Manifest::read`]).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};

mod cea;
mod manifest;
mod rows;

pub use cea::{CeacRow, CostEffectivenessRow, EvpiRow};
pub use manifest::{
    FileRecord, Manifest, ParamsRecord, PointRecord, RESULT_FORMAT, ScenarioRecord, SweepDesign,
    UncertainRecord,
};
pub use rows::{
    AlternativeJson, ComparisonJson, ComparisonRow, EvidenceRow, GroupRow, RunInfo, RunRow,
    RunsColumns, SummaryEntry, SummaryJson, SummaryRow, SweepColumns, SweepRow, TimeseriesRow,
    YearDifferenceRow, YearRow, ungraded,
};

/// Why a result file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file is missing, unreadable or malformed, or a column is missing or unknown.
    #[error("{}: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder was written in another result format.
    #[error("{}: {}", path.display(), other_format_message(tool_version, *found))]
    OtherFormat {
        /// The manifest that says so.
        path: PathBuf,
        /// The caresim version that wrote it.
        tool_version: String,
        /// Its result format.
        found: u32,
    },
}

/// What a folder of result format `found`, written by caresim `tool_version`, means for
/// this caresim.
fn other_format_message(tool_version: &str, found: u32) -> String {
    format!(
        "written by caresim {tool_version} in result format {found}; this is caresim {}, which reads result format {RESULT_FORMAT}: re-run the command that made the folder with this caresim",
        env!("CARGO_PKG_VERSION")
    )
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Malformed { path, .. } | ReadError::OtherFormat { path, .. } => path,
        }
    }

    /// What is wrong, without the file.
    pub fn message(&self) -> String {
        match self {
            ReadError::Malformed { message, .. } => message.clone(),
            ReadError::OtherFormat {
                tool_version,
                found,
                ..
            } => other_format_message(tool_version, *found),
        }
    }

    pub(crate) fn malformed(path: &Path, message: impl fmt::Display) -> Self {
        ReadError::Malformed {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}

/// A result file of fixed columns: one row struct per line, its fields the columns.
pub trait CsvTable: Serialize + DeserializeOwned {
    /// The file's name in a result folder.
    const FILE: &'static str;
    /// Its columns, in order: the row struct's fields (a test checks they agree).
    const COLUMNS: &'static [&'static str];
}

/// The bytes of a CSV file of `rows`, the header first (written even with no rows).
///
/// # Errors
/// If a row cannot be encoded.
pub fn table_bytes<R: CsvTable>(rows: impl IntoIterator<Item = R>) -> Result<Vec<u8>, csv::Error> {
    let mut w = writer(Vec::new());
    w.write_record(R::COLUMNS)?;
    for row in rows {
        w.serialize(row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A CSV writer for result files: the header is written by hand (so that a file with no
/// rows still has one, and dynamic columns can be named), rows through serde.
pub(crate) fn writer<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().has_headers(false).from_writer(w)
}

/// Read the rows of `dir/<R::FILE>`.
///
/// # Errors
/// If the file cannot be read, a column is missing or unknown, or a row is malformed.
pub fn read_table<R: CsvTable>(dir: &Path) -> Result<Vec<R>, ReadError> {
    let path = dir.join(R::FILE);
    let (header, mut reader) = open_csv(&path)?;
    check_columns(&path, &header, R::COLUMNS)?;
    reader
        .deserialize()
        .map(|row| row.map_err(|e| ReadError::malformed(&path, e)))
        .collect()
}

/// Open the CSV file `path`; returns its header and the reader, at the first row.
pub(crate) fn open_csv(path: &Path) -> Result<(Vec<String>, csv::Reader<fs::File>), ReadError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| ReadError::malformed(path, e))?;
    let header = reader
        .headers()
        .map_err(|e| ReadError::malformed(path, e))?
        .iter()
        .map(String::from)
        .collect();
    Ok((header, reader))
}

/// The columns of `path` are exactly `expected` (in any order): otherwise the first column
/// missing, then the first one unknown.
pub(crate) fn check_columns(
    path: &Path,
    found: &[String],
    expected: &[&str],
) -> Result<(), ReadError> {
    if let Some(missing) = expected.iter().find(|c| !found.iter().any(|f| f == *c)) {
        return Err(ReadError::malformed(path, format!("no column `{missing}`")));
    }
    if let Some(unknown) = found.iter().find(|f| !expected.contains(&f.as_str())) {
        return Err(ReadError::malformed(
            path,
            format!(
                "unknown column `{unknown}` (expected {})",
                expected.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Read `path` as JSON of type `T`.
///
/// # Errors
/// If it cannot be read or is not a `T`.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ReadError> {
    let text = fs::read_to_string(path).map_err(|e| ReadError::malformed(path, e))?;
    serde_json::from_str(&text).map_err(|e| ReadError::malformed(path, e))
}

/// Serialise a number as Rust prints it (`603`, `0.1`, `NaN`), as every result file has
/// always written numbers: the shortest text that reads back to the same `f64`.
///
/// # Errors
/// Those of the serializer.
pub fn plain<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// An optional number as [`plain`], or an empty cell when absent (a CI with one
/// replication).
///
/// # Errors
/// Those of the serializer.
// serde's `serialize_with` hands the field by reference.
#[allow(clippy::ref_option)]
pub fn plain_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(x) => s.collect_str(x),
        None => s.serialize_str(""),
    }
}

/// Numbers serialised one cell each, as [`plain`] (the named lists of dynamic columns).
pub(crate) struct PlainCells<'a>(pub &'a [f64]);

impl Serialize for PlainCells<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(PlainCell))
    }
}

/// One number serialised as [`plain`].
struct PlainCell<'a>(&'a f64);

impl Serialize for PlainCell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        plain(self.0, s)
    }
}

/// Parse the number in cell `i` of `record` (an empty cell is NaN, as `runs.csv` has always
/// been read).
pub(crate) fn number_at(
    path: &Path,
    record: &csv::StringRecord,
    i: usize,
) -> Result<f64, ReadError> {
    let text = record.get(i).unwrap_or("");
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    text.parse().map_err(|_| {
        ReadError::malformed(
            path,
            format!(
                "line {}: `{text}` is not a number",
                record.position().map_or(0, csv::Position::line)
            ),
        )
    })
}

#[cfg(test)]
mod tests;
