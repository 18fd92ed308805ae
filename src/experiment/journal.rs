//! The run journal: every finished replication, appended to disk as it finishes, so that
//! nothing is lost when a run is interrupted (Ctrl-C, `kill -9`, a cluster's time limit).
//!
//! A journal is a folder with caresim's marker (see [`crate::output::guard`]), `header.json`
//! (its [`JOURNAL_FORMAT`] and what the run is: scenario hashes, seed, replications, points,
//! shard), `records.jsonl`
//! (one [`RunResult`] per line, in item order) and `lock`. Re-running the same command finds
//! the journal, checks that the header is the same, verifies every record, drops a
//! half-written last line, and continues after the last complete record. Final results are
//! always folded from the journal, so an interrupted-and-resumed run, a run with another
//! thread count, and shards merged together all give the same files.
//!
//! Records can be trusted: each line is `<checksum> <json>`, the JSON carrying the item's
//! index, point, replication and seed, and the checksum being SHA-256 of the header's bytes'
//! digest followed by the JSON. An edited number, a record of another run (another seed,
//! another scenario) or garbage fails verification, which names the file and line. An
//! exclusive lock on `lock` (held from opening to removal) stops two identical commands
//! from writing one journal.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::runner::RunResult;
use crate::output::guard::{self, FolderKind};

/// The journal format this caresim writes, resumes and merges: the keys of `header.json`
/// and of a record. Raise it when either changes, so that a journal of another format is
/// refused with a message naming both formats instead of being reported corrupt.
///
/// Journals written before the format was numbered have no `format_version` key and are
/// format 1. Format 2 (caresim 0.4.0): records carry the unmet-need ledger, deaths in care
/// homes and the pooled-budget controller's counts; a format-1 record would read them as
/// zeros, so it is refused. Format 3 (issue 14): records carry values by year, outcomes,
/// payments and the discounted quantities. Format 4 (caresim 0.6.0): records carry the
/// counts by number of conditions, onsets, entrants and band moves, and the values by year
/// include stocks.
pub const JOURNAL_FORMAT: u32 = 4;

/// The format of a header without a `format_version` key.
const UNNUMBERED_FORMAT: u32 = 1;

/// `header.json` as written: the journal format, then the header.
#[derive(Serialize)]
struct HeaderFile<'a> {
    format_version: u32,
    #[serde(flatten)]
    header: &'a Header,
}

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
    /// The arms of a comparison (`caresim compare`): each scenario as named and the SHA-256
    /// of its files; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arms: Vec<(PathBuf, Vec<String>)>,
    /// The folder the command ran in (absolute), from which the relative paths above are
    /// read: `merge` finds the files from there, whatever folder it runs in. Not part of
    /// what the run is (a resume from elsewhere naming the same files is the same run), and
    /// absent from journals written before caresim recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<PathBuf>,
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
        if self.arms != other.arms {
            d.push("compared scenarios (their files or content hashes differ)".into());
        }
        d
    }
}

/// Why a journal cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    /// The journal's header or a record is malformed, tampered with or from another run.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The 1-based line, for a record.
        line: Option<u64>,
        /// What is wrong, and what to do.
        message: String,
    },
    /// The journal was written in another journal format.
    #[error(
        "{}: written by caresim {tool_version} in journal format {found}; this is caresim {}, which reads journal format {JOURNAL_FORMAT}, so it cannot be resumed or merged: re-run the command with this caresim (--force discards an unfinished run's journal and starts again)",
        path.display(),
        env!("CARGO_PKG_VERSION")
    )]
    OtherFormat {
        /// Its header.
        path: PathBuf,
        /// The caresim version that wrote it.
        tool_version: String,
        /// Its journal format.
        found: u32,
    },
    /// Another caresim process holds the journal's lock.
    #[error(
        "another caresim is running this command (its journal {} is locked); wait for it to finish or stop it first",
        dir.display()
    )]
    Busy {
        /// The journal folder.
        dir: PathBuf,
    },
    /// The folder where the journal belongs is not caresim's.
    #[error(
        "{} exists and was not made by caresim ({reason}); caresim will not use or remove it: rename or remove it yourself, or choose another --out",
        dir.display()
    )]
    NotOurs {
        /// The folder.
        dir: PathBuf,
        /// Why it is not caresim's.
        reason: String,
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

impl JournalError {
    /// Whether the error is the user's to fix (a changed, corrupt, busy or foreign journal)
    /// rather than a failing disk.
    pub fn is_input(&self) -> bool {
        !matches!(self, JournalError::Io { .. })
    }
}

fn io_err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> JournalError + 'a {
    move |source| JournalError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// An open journal, appending, holding its lock.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    file: File,
    /// Held for the journal's life: the lock is released when this closes.
    _lock: File,
    digest: [u8; 32],
    line: Vec<u8>,
    /// Records in the journal (finished items, counted from `header.range.0`).
    pub done: u64,
    /// What the run is.
    pub header: Header,
}

const HEADER: &str = "header.json";
const RECORDS: &str = "records.jsonl";
const LOCK: &str = "lock";
/// Largest header accepted, bytes (a header lists sweep points: generous).
const MAX_HEADER_BYTES: u64 = 64 << 20;

/// One journal line's JSON: the item and seed it belongs to, then the result.
#[derive(Serialize)]
struct RecordOut<'a> {
    item: u64,
    seed: u64,
    #[serde(flatten)]
    result: &'a RunResult,
}

#[derive(Deserialize)]
struct RecordIn {
    item: u64,
    seed: u64,
    #[serde(flatten)]
    result: RunResult,
}

fn checksum(digest: &[u8; 32], json: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(digest);
    h.update(json);
    format!("{:x}", h.finalize())
}

/// The folder `dir` is caresim's journal, or empty (or holds only a lock file: another
/// caresim has just created it).
fn check_ours(dir: &Path) -> Result<(), JournalError> {
    let meta = fs::symlink_metadata(dir).map_err(io_err("checking", dir))?;
    let not_ours = |reason: &str| JournalError::NotOurs {
        dir: dir.to_path_buf(),
        reason: reason.into(),
    };
    if !meta.is_dir() {
        return Err(not_ours("it is not a folder"));
    }
    if guard::marker(dir) == Some(FolderKind::Journal) {
        return Ok(());
    }
    // No marker yet: ours only if it holds nothing but the lock and temporary files of
    // `atomic_write` (a run killed while writing the marker leaves one behind).
    let entries = fs::read_dir(dir).map_err(io_err("reading", dir))?;
    for e in entries {
        let e = e.map_err(io_err("reading", dir))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        let temporary = name.starts_with(".caresim-") && name.ends_with(".tmp");
        if name != LOCK && !temporary {
            return Err(not_ours(&format!("it has no {} marker", guard::MARKER)));
        }
    }
    Ok(())
}

impl Journal {
    /// Open the journal folder `dir` for the run `header`: resume it when it holds the same
    /// run (every record verified), start it when there is none, or when `force`, discard
    /// what a different or corrupt journal holds and start again.
    ///
    /// # Errors
    /// [`JournalError::Changed`] when it holds another run and `force` is false;
    /// [`JournalError::Corrupt`] for a malformed header or record (without `force` for the
    /// header); [`JournalError::Busy`] when another caresim holds it;
    /// [`JournalError::NotOurs`] when the folder is not caresim's; I/O errors.
    pub fn open(dir: &Path, header: Header, force: bool) -> Result<Self, JournalError> {
        match fs::symlink_metadata(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let parent = guard::parent_of(dir);
                fs::create_dir_all(parent).map_err(io_err("creating", parent))?;
                match fs::create_dir(dir) {
                    Ok(()) => {}
                    // Another caresim created it just now: the lock decides.
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(io_err("creating", dir)(e)),
                }
            }
            Err(e) => return Err(io_err("checking", dir)(e)),
            Ok(_) => {}
        }
        check_ours(dir)?;
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_err("opening", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(JournalError::Busy {
                    dir: dir.to_path_buf(),
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err("locking", &lock_path)(e)),
        }
        let records = dir.join(RECORDS);
        if dir.join(HEADER).exists() {
            match read_header(dir) {
                // The folder it ran in is not part of the run (see `working_dir`).
                Ok(old)
                    if Header {
                        working_dir: header.working_dir.clone(),
                        ..old.clone()
                    } == header =>
                {
                    match Self::resume(dir, &header) {
                        Ok((file, done, digest)) => {
                            return Ok(Journal {
                                dir: dir.to_path_buf(),
                                file,
                                _lock: lock,
                                digest,
                                line: Vec::new(),
                                done,
                                header,
                            });
                        }
                        // A damaged journal of this very run: --force starts it again.
                        Err(JournalError::Corrupt { .. }) if force => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(_) | Err(JournalError::Corrupt { .. } | JournalError::OtherFormat { .. })
                    if force => {}
                Ok(old) => {
                    let mut differences = old.differences(&header);
                    if differences.is_empty() {
                        differences.push("shard".into());
                    }
                    return Err(JournalError::Changed {
                        dir: dir.to_path_buf(),
                        differences,
                    });
                }
                Err(JournalError::Corrupt {
                    path,
                    line,
                    message,
                }) => {
                    return Err(JournalError::Corrupt {
                        path,
                        line,
                        message: format!(
                            "{message}; the journal cannot be resumed: use --force to discard it and start again"
                        ),
                    });
                }
                Err(e) => return Err(e),
            }
        } else if !force && fs::metadata(&records).is_ok_and(|m| m.len() > 0) {
            // The header is written when a journal starts, before any record: records
            // without it are damage, not a journal that never started.
            return Err(JournalError::Corrupt {
                path: dir.join(HEADER),
                line: None,
                message: "missing, although the journal holds records; the journal cannot be resumed: use --force to discard it and start again".into(),
            });
        }
        Self::start(dir, header, lock)
    }

    /// Start a new journal in `dir` (ours, locked), discarding what it held.
    fn start(dir: &Path, header: Header, lock: File) -> Result<Self, JournalError> {
        for name in [HEADER, RECORDS] {
            let p = dir.join(name);
            match fs::remove_file(&p) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(io_err("removing", &p)(e));
                }
                _ => {}
            }
        }
        guard::write_marker(dir, FolderKind::Journal).map_err(|e| JournalError::Io {
            action: "writing the marker of",
            path: dir.to_path_buf(),
            source: io::Error::other(e.to_string()),
        })?;
        let records = dir.join(RECORDS);
        let file = File::create(&records).map_err(io_err("creating", &records))?;
        // The header is written last: a journal with a header is complete.
        let bytes = serde_json::to_vec_pretty(&HeaderFile {
            format_version: JOURNAL_FORMAT,
            header: &header,
        })
        .expect("a header serialises");
        crate::output::atomic_write(&dir.join(HEADER), &bytes).map_err(|e| JournalError::Io {
            action: "writing",
            path: dir.join(HEADER),
            source: io::Error::other(e.to_string()),
        })?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            file,
            _lock: lock,
            digest: Sha256::digest(&bytes).into(),
            line: Vec::new(),
            done: 0,
            header,
        })
    }

    /// Reopen an existing journal: verify every complete record, drop a half-written last
    /// line, count the records. Returns the records file (at its end), the count and the
    /// header's digest.
    fn resume(dir: &Path, header: &Header) -> Result<(File, u64, [u8; 32]), JournalError> {
        let (digest, _) = header_digest(dir)?;
        let path = dir.join(RECORDS);
        if !path.is_file() {
            return Err(JournalError::Corrupt {
                path,
                line: None,
                message: "missing; the journal cannot be resumed: use --force to discard it and start again".into(),
            });
        }
        let mut done = 0u64;
        let mut complete = 0u64;
        {
            let mut reader = Verifier::new(dir, header, digest)?;
            while let Some(r) = reader.next_record() {
                r?;
                done += 1;
                complete = reader.offset;
            }
        }
        let mut file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io_err("opening", &path))?;
        file.set_len(complete)
            .map_err(io_err("truncating", &path))?;
        file.seek(io::SeekFrom::End(0))
            .map_err(io_err("seeking", &path))?;
        Ok((file, done, digest))
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
        let json = serde_json::to_vec(&RecordOut {
            item: self.header.range.0 + self.done,
            seed: self.header.seed,
            result: r,
        })
        .expect("a result serialises");
        self.line.clear();
        self.line
            .extend_from_slice(checksum(&self.digest, &json).as_bytes());
        self.line.push(b' ');
        self.line.extend_from_slice(&json);
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

    /// Remove the journal folder (its results are safely in place), releasing the lock.
    ///
    /// # Errors
    /// If the folder cannot be removed.
    pub fn remove(self) -> Result<(), JournalError> {
        let dir = self.dir.clone();
        // The marker goes last: a run killed while removing the folder leaves one that is
        // still recognisably caresim's (or empty), never one that looks foreign and blocks
        // the next run.
        let entries = fs::read_dir(&dir).map_err(io_err("reading", &dir))?;
        for e in entries {
            let e = e.map_err(io_err("reading", &dir))?;
            if e.file_name() == guard::MARKER {
                continue;
            }
            let path = e.path();
            let removed = if e.file_type().is_ok_and(|t| t.is_dir()) {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io_err("removing", &path))?;
        }
        let marker = dir.join(guard::MARKER);
        match fs::remove_file(&marker) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                return Err(io_err("removing", &marker)(e));
            }
            _ => {}
        }
        fs::remove_dir(&dir).map_err(io_err("removing", &dir))
    }
}

/// Read `header.json` of `dir` (at most [`MAX_HEADER_BYTES`]) and its SHA-256.
fn header_digest(dir: &Path) -> Result<([u8; 32], Vec<u8>), JournalError> {
    let path = dir.join(HEADER);
    let meta = fs::metadata(&path).map_err(io_err("reading", &path))?;
    if !meta.is_file() || meta.len() > MAX_HEADER_BYTES {
        return Err(JournalError::Corrupt {
            path,
            line: None,
            message: format!(
                "not a journal header (a regular file of at most {MAX_HEADER_BYTES} bytes)"
            ),
        });
    }
    let bytes = fs::read(&path).map_err(io_err("reading", &path))?;
    Ok((Sha256::digest(&bytes).into(), bytes))
}

/// Read the header of the journal (or shard folder) `dir`.
///
/// # Errors
/// [`JournalError::OtherFormat`] for a journal of another format (whatever else changed in
/// it); otherwise if the folder is not caresim's, or the header is missing or malformed.
pub fn read_header(dir: &Path) -> Result<Header, JournalError> {
    /// The keys that say who wrote the header and how, read before anything else.
    #[derive(Deserialize)]
    struct Stamp {
        tool_version: Option<String>,
        format_version: Option<u32>,
    }
    if guard::marker(dir) != Some(FolderKind::Journal) {
        return Err(JournalError::NotOurs {
            dir: dir.to_path_buf(),
            reason: format!("it has no {} marker of a journal", guard::MARKER),
        });
    }
    let (_, bytes) = header_digest(dir)?;
    let malformed = |e: serde_json::Error| JournalError::Corrupt {
        path: dir.join(HEADER),
        line: None,
        message: format!("malformed header: {e}"),
    };
    let stamp: Stamp = serde_json::from_slice(&bytes).map_err(malformed)?;
    let found = stamp.format_version.unwrap_or(UNNUMBERED_FORMAT);
    if found != JOURNAL_FORMAT {
        return Err(JournalError::OtherFormat {
            path: dir.join(HEADER),
            tool_version: stamp.tool_version.unwrap_or_else(|| "?".into()),
            found,
        });
    }
    serde_json::from_slice(&bytes).map_err(malformed)
}

/// Reads and verifies the records of one journal, line by line.
struct Verifier {
    reader: BufReader<io::Take<File>>,
    path: PathBuf,
    digest: [u8; 32],
    seed: u64,
    next_item: u64,
    end_item: u64,
    line_no: u64,
    /// Bytes of complete, verified lines so far.
    offset: u64,
    buf: Vec<u8>,
}

/// Longest record line accepted, bytes (a record is a few kilobytes).
const MAX_LINE_BYTES: u64 = 16 << 20;

impl Verifier {
    fn new(dir: &Path, header: &Header, digest: [u8; 32]) -> Result<Self, JournalError> {
        let path = dir.join(RECORDS);
        let file = File::open(&path).map_err(io_err("opening", &path))?;
        Ok(Verifier {
            reader: BufReader::new(file.take(u64::MAX)),
            path,
            digest,
            seed: header.seed,
            next_item: header.range.0,
            end_item: header.range.1,
            line_no: 0,
            offset: 0,
            buf: Vec::new(),
        })
    }

    fn corrupt(&self, message: String) -> JournalError {
        JournalError::Corrupt {
            path: self.path.clone(),
            line: Some(self.line_no),
            message,
        }
    }

    /// The next complete record, verified; `None` at the end (or at a half-written last
    /// line, which a crash can leave and which resuming drops).
    fn next_record(&mut self) -> Option<Result<RunResult, JournalError>> {
        self.buf.clear();
        self.reader.get_mut().set_limit(MAX_LINE_BYTES);
        let n = match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(n) => n,
            Err(e) => return Some(Err(io_err("reading", &self.path)(e))),
        };
        self.line_no += 1;
        if n == 0 {
            return None;
        }
        if self.buf.last() != Some(&b'\n') {
            if n as u64 >= MAX_LINE_BYTES {
                return Some(Err(self.corrupt(format!(
                    "a line longer than {MAX_LINE_BYTES} bytes is not a record"
                ))));
            }
            // A half-written last line: only valid as the very last bytes of the file.
            let mut rest = [0u8; 1];
            return match self.reader.read(&mut rest) {
                Ok(0) => None,
                _ => Some(Err(self.corrupt("truncated record".into()))),
            };
        }
        let r = self.verify();
        if r.is_ok() {
            self.offset += n as u64;
            self.next_item += 1;
        }
        Some(r)
    }

    fn verify(&self) -> Result<RunResult, JournalError> {
        let line = &self.buf[..self.buf.len() - 1];
        let tampered = |what: &str| {
            self.corrupt(format!(
                "{what}: the record was edited or belongs to another run; rerun with --force to discard the journal, or rerun the shard's command with --force"
            ))
        };
        let Some(space) = line.iter().position(|&b| b == b' ') else {
            return Err(tampered("not a caresim record (no checksum)"));
        };
        let (sum, json) = (&line[..space], &line[space + 1..]);
        if sum != checksum(&self.digest, json).as_bytes() {
            return Err(tampered("checksum mismatch"));
        }
        let rec: RecordIn = serde_json::from_slice(json)
            .map_err(|e| self.corrupt(format!("malformed record: {e}")))?;
        if rec.seed != self.seed {
            return Err(tampered(&format!(
                "record of seed {} in a journal of seed {}",
                rec.seed, self.seed
            )));
        }
        if rec.item != self.next_item || rec.item >= self.end_item {
            return Err(tampered(&format!(
                "record of item {} where item {} was expected",
                rec.item, self.next_item
            )));
        }
        Ok(rec.result)
    }
}

/// The complete records of the journal in `dir`, in order, each verified against its
/// header (checksum, seed, item sequence); a half-written last line is skipped.
///
/// # Errors
/// If the header cannot be read; each item fails if a record does not verify, naming the
/// file and line.
pub fn records(
    dir: &Path,
) -> Result<impl Iterator<Item = Result<RunResult, JournalError>>, JournalError> {
    let header = read_header(dir)?;
    let (digest, _) = header_digest(dir)?;
    let mut v = Verifier::new(dir, &header, digest)?;
    let mut failed = false;
    Ok(std::iter::from_fn(move || {
        if failed {
            return None;
        }
        let r = v.next_record();
        failed = matches!(r, Some(Err(_)));
        r
    }))
}

/// Whether the journal folder `dir` has its header (a journal being created has not yet).
pub fn has_header(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(HEADER)).is_ok()
}

/// When the journal in `dir` last wrote a record (the modification time of its records
/// file), if it can be told.
pub fn last_write(dir: &Path) -> Option<std::time::SystemTime> {
    fs::metadata(dir.join(RECORDS))
        .and_then(|m| m.modified())
        .ok()
}

/// Number of complete records in the journal in `dir`, every one verified.
///
/// # Errors
/// If the header cannot be read or a record does not verify.
pub fn count(dir: &Path) -> Result<u64, JournalError> {
    let mut n = 0;
    for r in records(dir)? {
        r?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            tool_version: env!("CARGO_PKG_VERSION").into(),
            scenario_path: "valid.toml".into(),
            scenario_sha256: vec!["ab".into()],
            scenario_name: "valid".into(),
            seed: 7,
            replications: 2,
            precision: None,
            sweep: None,
            points: vec![Vec::new()],
            items: 2,
            shard: None,
            range: (0, 2),
            arms: Vec::new(),
            working_dir: None,
        }
    }

    /// Rewrite the header of journal `dir` with `edit` applied to its JSON.
    fn edit_header(dir: &Path, edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) {
        let path = dir.join(HEADER);
        let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        edit(v.as_object_mut().unwrap());
        fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    }

    #[test]
    fn a_journal_of_another_format_is_refused_not_reported_corrupt() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("j");
        drop(Journal::open(&dir, header(), false).unwrap());
        let text = fs::read_to_string(dir.join(HEADER)).unwrap();
        assert!(text.starts_with("{\n  \"format_version\": 4,\n  \"tool_version\": "));
        assert_eq!(read_header(&dir).unwrap(), header());

        edit_header(&dir, |h| {
            h.insert("format_version".into(), 5.into());
            h.insert("tool_version".into(), "9.0.0".into());
            // A future format may change anything else too.
            h.remove("items");
        });
        let e = read_header(&dir).unwrap_err();
        assert!(
            matches!(e, JournalError::OtherFormat { found: 5, .. }),
            "{e:?}"
        );
        assert!(e.is_input());
        assert!(
            e.to_string().contains(&format!(
                "header.json: written by caresim 9.0.0 in journal format 5; this is caresim {}, which reads journal format 4, so it cannot be resumed or merged",
                env!("CARGO_PKG_VERSION")
            )),
            "{e}"
        );
        let e = Journal::open(&dir, header(), false).unwrap_err();
        assert!(matches!(e, JournalError::OtherFormat { .. }), "{e:?}");
        // --force discards it and starts again.
        let j = Journal::open(&dir, header(), true).unwrap();
        assert_eq!(j.done, 0);
        drop(j);
        assert_eq!(read_header(&dir).unwrap(), header());
    }

    #[test]
    fn a_journal_written_before_formats_were_numbered_is_format_1_and_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("j");
        drop(Journal::open(&dir, header(), false).unwrap());
        edit_header(&dir, |h| {
            h.remove("format_version");
        });
        // Format 1 records lack the ledger's counts: resuming would read them as zeros.
        let e = read_header(&dir).unwrap_err();
        assert!(
            matches!(e, JournalError::OtherFormat { found: 1, .. }),
            "{e:?}"
        );
    }

    #[test]
    fn a_damaged_header_of_this_format_is_still_corrupt() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("j");
        drop(Journal::open(&dir, header(), false).unwrap());
        fs::write(dir.join(HEADER), "{").unwrap();
        let e = read_header(&dir).unwrap_err();
        assert!(matches!(e, JournalError::Corrupt { .. }), "{e:?}");
        assert!(e.to_string().contains("malformed header"), "{e}");
    }
}
