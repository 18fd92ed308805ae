//! The run journal: every finished replication, appended to disk as it finishes, so that
//! nothing is lost when a run is interrupted (Ctrl-C, `kill -9`, a cluster's time limit).
//!
//! A journal is a folder with `header.json` (what the run is: scenario hashes, seed,
//! replications, points, shard) and `records.jsonl` (one [`RunResult`] per line, in item
//! order). Re-running the same command finds the journal, checks that the header is the
//! same, drops a half-written last line, and continues after the last complete record. Final
//! results are always folded from the journal, so an interrupted-and-resumed run, a run
//! with another thread count, and shards merged together all give the same files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::runner::RunResult;

/// What a run is: everything that must match to resume it or to merge its shards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// caresim version that wrote it.
    pub tool_version: String,
    /// The scenario file as named on the command line.
    pub scenario_path: PathBuf,
    /// SHA-256 of every file of the scenario's `extends` chain, most derived first.
    pub scenario_sha256: Vec<String>,
    /// Scenario name.
    pub scenario_name: String,
    /// Base seed.
    pub seed: u64,
    /// Replications per point (the cap with `--reps auto`).
    pub replications: u32,
    /// `--precision` with `--reps auto`.
    pub precision: Option<f64>,
    /// Sweep file (`caresim sweep`), if any, and its SHA-256.
    pub sweep: Option<(PathBuf, String)>,
    /// Swept values of each point (one empty point for a plain run).
    pub points: Vec<Vec<(String, f64)>>,
    /// Work items of the whole run (points × replications).
    pub items: u64,
    /// `(index, count)` of a `--shard index/count` run (1-based index).
    pub shard: Option<(u32, u32)>,
    /// Items `start..end` this journal covers.
    pub range: (u64, u64),
}

impl Header {
    /// What differs between `self` and `other` in the run they describe (ignoring the
    /// shard and its range), as readable phrases.
    pub fn differences(&self, other: &Header) -> Vec<String> {
        let mut d = Vec::new();
        if self.tool_version != other.tool_version {
            d.push(format!(
                "caresim version {} vs {}",
                self.tool_version, other.tool_version
            ));
        }
        if self.scenario_sha256 != other.scenario_sha256
            || self.scenario_name != other.scenario_name
        {
            d.push(format!(
                "scenario {} (content hash differs)",
                self.scenario_path.display()
            ));
        }
        if self.seed != other.seed {
            d.push(format!("seed {} vs {}", self.seed, other.seed));
        }
        if self.replications != other.replications || self.precision != other.precision {
            d.push(format!(
                "replications {} vs {}",
                self.replications, other.replications
            ));
        }
        if self.sweep != other.sweep || self.points != other.points {
            d.push("sweep points".into());
        }
        d
    }
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// An earlier, different run left this journal.
    #[error(
        "{} holds an unfinished run that differs from this one ({}); rerun the original command to resume it, or use --force to discard it and start again",
        dir.display(),
        differences.join("; ")
    )]
    Changed {
        /// The journal folder.
        dir: PathBuf,
        /// What differs.
        differences: Vec<String>,
    },
    /// The journal is unreadable.
    #[error("journal {}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> JournalError + 'a {
    move |source| JournalError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    file: File,
    line: Vec<u8>,
    /// Records in the journal (finished items, counted from `header.range.0`).
    pub done: u64,
    /// What the run is.
    pub header: Header,
}

const HEADER: &str = "header.json";
const RECORDS: &str = "records.jsonl";

impl Journal {
    /// Open the journal folder `dir` for the run `header`: resume it when it holds the same
    /// run, start it when there is none (or when `force`, discarding what is there).
    ///
    /// # Errors
    /// [`JournalError::Changed`] when it holds another run and `force` is false; I/O errors.
    pub fn open(dir: &Path, header: Header, force: bool) -> Result<Self, JournalError> {
        let records = dir.join(RECORDS);
        if dir.exists() {
            match read_header(dir) {
                Ok(old) if old == header => return Self::resume(dir, header),
                Ok(old) if !force => {
                    let mut differences = old.differences(&header);
                    if differences.is_empty() {
                        differences.push("shard".into());
                    }
                    return Err(JournalError::Changed {
                        dir: dir.to_path_buf(),
                        differences,
                    });
                }
                _ => fs::remove_dir_all(dir).map_err(io_err("removing", dir))?,
            }
        }
        fs::create_dir_all(dir).map_err(io_err("creating", dir))?;
        let bytes = serde_json::to_vec_pretty(&header).expect("a header serialises");
        let head = dir.join(HEADER);
        fs::write(&head, bytes).map_err(io_err("writing", &head))?;
        let file = File::create(&records).map_err(io_err("creating", &records))?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            file,
            line: Vec::new(),
            done: 0,
            header,
        })
    }

    /// Reopen an existing journal: drop a half-written last line, count the records.
    fn resume(dir: &Path, header: Header) -> Result<Self, JournalError> {
        let path = dir.join(RECORDS);
        let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let done = bytes[..complete].iter().filter(|&&b| b == b'\n').count() as u64;
        let mut file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io_err("opening", &path))?;
        file.set_len(complete as u64)
            .map_err(io_err("truncating", &path))?;
        file.seek(io::SeekFrom::End(0))
            .map_err(io_err("seeking", &path))?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            file,
            line: Vec::new(),
            done,
            header,
        })
    }

    /// The journal's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append one finished replication (one `write` of a whole line, so a crash leaves at
    /// most a partial last line, which resuming drops).
    ///
    /// # Errors
    /// If writing fails.
    pub fn append(&mut self, r: &RunResult) -> Result<(), JournalError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, r).expect("a result serialises");
        self.line.push(b'\n');
        let path = self.dir.join(RECORDS);
        self.file
            .write_all(&self.line)
            .map_err(io_err("writing", &path))?;
        self.done += 1;
        Ok(())
    }

    /// Flush the records to disk.
    ///
    /// # Errors
    /// If syncing fails.
    pub fn sync(&mut self) -> Result<(), JournalError> {
        let path = self.dir.join(RECORDS);
        self.file.sync_data().map_err(io_err("syncing", &path))
    }
}

/// Read the header of the journal in `dir`.
///
/// # Errors
/// If it is missing or malformed.
pub fn read_header(dir: &Path) -> Result<Header, JournalError> {
    let path = dir.join(HEADER);
    let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
    serde_json::from_slice(&bytes).map_err(|e| JournalError::Corrupt {
        path,
        message: e.to_string(),
    })
}

/// The complete records of the journal in `dir`, in order (a half-written last line is
/// skipped).
///
/// # Errors
/// If the file cannot be opened; each item fails if a complete line is malformed.
pub fn records(
    dir: &Path,
) -> Result<impl Iterator<Item = Result<RunResult, JournalError>>, JournalError> {
    let path = dir.join(RECORDS);
    let file = File::open(&path).map_err(io_err("opening", &path))?;
    let mut reader = BufReader::new(file);
    let mut buf = String::new();
    Ok(std::iter::from_fn(move || {
        buf.clear();
        match reader.read_line(&mut buf) {
            Ok(0) => None,
            Ok(_) if !buf.ends_with('\n') => None,
            Ok(_) => Some(
                serde_json::from_str(&buf).map_err(|e| JournalError::Corrupt {
                    path: path.clone(),
                    message: e.to_string(),
                }),
            ),
            Err(e) => Some(Err(JournalError::Io {
                action: "reading",
                path: path.clone(),
                source: e,
            })),
        }
    }))
}

/// Number of complete records in the journal in `dir`.
///
/// # Errors
/// If the file cannot be read.
pub fn count(dir: &Path) -> Result<u64, JournalError> {
    let path = dir.join(RECORDS);
    let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
    Ok(bytes.iter().filter(|&&b| b == b'\n').count() as u64)
}
