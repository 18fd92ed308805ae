//! `report.md` and a self-contained `report.html` for a result folder: the scenario, the
//! results with CIs, the comparison or sweep table, the charts, a model description following
//! the STRESS-DES reporting checklist (Monks et al. 2019: objectives, logic, data,
//! experimentation, implementation, code access), and the resolved parameters with units.
//!
//! Everything comes from the folder's saved files (`manifest.json`, `timing.json`,
//! `summary.csv`, `comparison.csv`, `cost_effectiveness.csv`, `evpi.csv`, `sweep.csv`,
//! `charts/`), read through their types in [`crate::output::schema`], so a report can be made
//! at any time after a run. The document is built once as blocks, a section at a time (the
//! modules `summary`, `compare`, `cea`, `sweep`, `evidence`, `charts`, `inputs`), and
//! rendered twice, as Markdown (`markdown`) and as HTML with the charts embedded as base64
//! PNGs (`html`).

use std::path::{Path, PathBuf};

use crate::chart::{self, ChartError, Kind};
use crate::output::schema::{Manifest, RunInfo, read_json};

mod arms;
mod cea;
mod charts;
mod compare;
mod evidence;
mod executive;
mod html;
mod inputs;
mod layout;
mod markdown;
mod summary;
mod sweep;
mod years;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The folder's results could not be read.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One block of the document.
enum Block {
    Heading(usize, String),
    Para(String),
    Table(Vec<String>, Vec<Vec<String>>),
    /// A chart: its title, its path (inside the result folder) and its PNG bytes.
    Image(String, PathBuf, Vec<u8>),
    /// The summary's items, one per alternative (`**bold**` allowed).
    Summary(Vec<String>),
    /// A warning box: its heading, its items and what they mean.
    Warning(String, Vec<String>, String),
}

/// The mark of a table row or column of results with no steady state.
const MARK: &str = "⚠ ";

/// What the report is about: the folder's results, its manifest (of the run, the sweep, or
/// a comparison's base) and how it was run, if recorded.
struct Folder {
    kind: Kind,
    manifest: Manifest,
    timing: Option<RunInfo>,
}

impl Folder {
    /// Read the result folder `dir`.
    fn read(dir: &Path) -> Result<Self, ReportError> {
        let kind = chart::load_kind(dir)?;
        let manifest_dir = match &kind {
            Kind::Compare { arms, .. } => dir.join(&arms[0].name),
            _ => dir.to_path_buf(),
        };
        let manifest = Manifest::read(&manifest_dir).map_err(ChartError::from)?;
        // Timing is how this invocation ran: a report without it just says less.
        let timing = read_json(&manifest_dir.join(RunInfo::FILE)).ok();
        Ok(Folder {
            kind,
            manifest,
            timing,
        })
    }
}

/// Build the document for the result folder `dir`, section by section.
fn document(dir: &Path) -> Result<Vec<Block>, ReportError> {
    let folder = Folder::read(dir)?;
    let kind = &folder.kind;
    let flagged = chart::flagged(kind);
    let records = arms::records(dir, &folder)?;
    let mut doc = summary::opening(&folder);
    doc.extend(executive::section(&folder, &records));
    doc.extend(summary::unstable_warning(kind, &flagged));
    doc.push(Block::Heading(2, "Results".into()));
    let results_start = doc.len();
    match kind {
        Kind::Run(arm) => {
            doc.push(summary::results_table(&[arm]));
            doc.extend(years::run_section(arm));
        }
        Kind::Compare { arms, .. } => {
            doc.push(summary::results_table(&arms.iter().collect::<Vec<_>>()));
            doc.extend(compare::section(kind));
            doc.extend(years::budget_impact_section(kind));
            doc.extend(cea::section(kind));
        }
        Kind::Sweep { .. } => doc.extend(sweep::table(kind)),
    }
    summary::mark_unstable(&mut doc[results_start..], kind, &flagged);
    if matches!(kind, Kind::Compare { .. }) {
        doc.extend(arms::section(&folder, &records));
    } else {
        doc.extend(evidence::section(dir, &folder)?);
    }
    doc.extend(charts::section(dir)?);
    doc.extend(inputs::model_description(&folder));
    doc.extend(inputs::parameters(&folder.manifest));
    doc.extend(years::budget_impact_appendix(kind));
    Ok(doc)
}

/// Write `report.md` and `report.html` into the result folder `dir`; returns their paths.
///
/// # Errors
/// If the folder's results cannot be read or the files cannot be written.
pub fn write(dir: &Path) -> Result<(PathBuf, PathBuf), ReportError> {
    let doc = layout::fit_tables(document(dir)?);
    let md = dir.join("report.md");
    let page = dir.join("report.html");
    let fail = |path: &Path, e: crate::output::OutputError| ReportError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    crate::output::atomic_write(&md, markdown::markdown(&doc, dir).as_bytes())
        .map_err(|e| fail(&md, e))?;
    crate::output::atomic_write(&page, html::html(&doc).as_bytes()).map_err(|e| fail(&page, e))?;
    Ok((md, page))
}
