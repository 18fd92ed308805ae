//! Submitting the two jobs with `sbatch` from the submitting node, and the record of the
//! scripts and job ids (`<out>.slurm.json`, beside the result folder) that `caresim status`
//! reads to say how to resubmit.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use caresim::Error;

use super::ScriptFiles;

/// What `generated_by` says in a record caresim wrote.
const RECORD_MARK: &str = "caresim slurm";

/// Largest record read, bytes.
const MAX_RECORD_BYTES: u64 = 64 << 10;

/// `<out>.slurm.json`: the scripts `caresim slurm` wrote for a result folder and, once
/// submitted, the jobs' ids.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(in crate::cli) struct Record {
    /// Always [`RECORD_MARK`]: how a record is recognised before it is replaced.
    pub generated_by: String,
    /// The array job's script, absolute.
    pub array_script: PathBuf,
    /// The merge job's script, absolute.
    pub merge_script: PathBuf,
    /// The number of shards.
    pub shards: u32,
    /// The result folder as given to `caresim slurm`.
    pub out: String,
    /// The array job's id, once submitted by `--submit`.
    pub array_job: Option<String>,
    /// The merge job's id, once submitted by `--submit`.
    pub merge_job: Option<String>,
}

impl Record {
    /// The record of `files` for `shards` shards of `out`, not yet submitted.
    pub fn new(files: &ScriptFiles, shards: u32, out: &str) -> Self {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        Record {
            generated_by: RECORD_MARK.into(),
            array_script: abs(&files.array),
            merge_script: abs(&files.merge),
            shards,
            out: out.into(),
            array_job: None,
            merge_job: None,
        }
    }
}

/// The record of result folder `out`: `<out>.slurm.json` beside it.
pub(in crate::cli) fn record_path(out: &Path) -> PathBuf {
    out.with_file_name(format!(
        "{}.slurm.json",
        caresim::output::guard::file_name(out)
    ))
}

/// The record at `path`, if it is one caresim wrote (`None` if there is none or it is not
/// a record).
pub(in crate::cli) fn read_record(path: &Path) -> Option<Record> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_RECORD_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    let r: Record = serde_json::from_slice(&bytes).ok()?;
    (r.generated_by == RECORD_MARK).then_some(r)
}

/// Refuse to replace a file at `path` that is not a record caresim wrote.
pub(super) fn check_record_target(path: &Path) -> Result<(), Error> {
    if std::fs::symlink_metadata(path).is_err() || read_record(path).is_some() {
        return Ok(());
    }
    Err(Error::Input(format!(
        "{} exists and is not the record `caresim slurm` writes beside the results; \
         caresim will not replace it: rename or remove it, or choose another --out",
        path.display()
    )))
}

/// Write `record` beside result folder `out` (absolute).
pub(super) fn write_record(out: &Path, record: &Record) -> Result<(), Error> {
    let path = record_path(out);
    let bytes = serde_json::to_vec_pretty(record).expect("a record serialises");
    caresim::output::atomic_write(&path, &bytes)
        .map_err(|e| Error::while_doing(format!("writing {}", path.display()), e))
}

/// The ids of the submitted jobs.
pub(super) struct Submitted {
    /// The array job.
    pub array: String,
    /// The merge job.
    pub merge: String,
}

/// Run `sbatch --parsable args…` and return the job id it prints.
fn sbatch(args: &[&str], what: &str) -> Result<String, Error> {
    let output = Command::new("sbatch").arg("--parsable").args(args).output();
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::while_doing(
                format!(
                    "submitting the {what}: sbatch is not on PATH (submit from a Slurm login \
                     node)"
                ),
                e,
            ));
        }
        Err(e) => {
            return Err(Error::while_doing(
                format!("running sbatch for the {what}"),
                e,
            ));
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr = stderr.trim();
    if !output.status.success() {
        return Err(Error::while_doing(
            format!("submitting the {what}: sbatch failed ({})", output.status),
            std::io::Error::other(if stderr.is_empty() {
                "it printed nothing on standard error".to_string()
            } else {
                stderr.to_string()
            }),
        ));
    }
    // `--parsable` prints `jobid` or `jobid;cluster`.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = stdout.trim().split(';').next().unwrap_or_default();
    if id.is_empty() || id.len() > 20 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::while_doing(
            format!("submitting the {what}"),
            std::io::Error::other(format!(
                "sbatch --parsable printed {:?}, not a job id",
                stdout.trim()
            )),
        ));
    }
    Ok(id.to_string())
}

/// Submit the array script, then the merge script with `--dependency=afterok:<array>` and
/// `--kill-on-invalid-dep=yes`. If the merge cannot be submitted, the array is cancelled
/// (`scancel`), so nothing is left half-submitted; the error says what happened to it.
pub(super) fn submit(files: &ScriptFiles) -> Result<Submitted, Error> {
    let text = |p: &Path| p.to_string_lossy().into_owned();
    let array = sbatch(&[&text(&files.array)], "array job")?;
    let dependency = format!("--dependency=afterok:{array}");
    let merge = match sbatch(
        &[
            &dependency,
            "--kill-on-invalid-dep=yes",
            &text(&files.merge),
        ],
        "merge job",
    ) {
        Ok(id) => id,
        Err(e) => {
            let cancelled = Command::new("scancel")
                .arg(&array)
                .status()
                .is_ok_and(|s| s.success());
            let what = if cancelled {
                format!("array job {array} was submitted, then cancelled (scancel {array})")
            } else {
                format!(
                    "array job {array} was submitted and could not be cancelled: cancel it with \
                     `scancel {array}`, or submit the merge yourself: sbatch {dependency} \
                     --kill-on-invalid-dep=yes {}",
                    files.merge_shown
                )
            };
            return Err(Error::while_doing(what, e));
        }
    };
    Ok(Submitted { array, merge })
}
