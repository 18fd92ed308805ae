//! `caresim status DIR`: how far the shards of a result folder have got, from its folders
//! alone (no Slurm needed), each unfinished shard's last error from its Slurm log when
//! there is one, and the command that resubmits the shards not finished and the merge.

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use caresim::Error;
use caresim::experiment::status::{self, ShardSet, ShardState, ShardStatus};
use caresim::output::guard::{self, FolderKind};

use super::args::StatusArgs;
use super::slurm::{self, Record};

/// Bytes read from the end of a log for its last line.
const LOG_TAIL_BYTES: u64 = 4096;

/// `caresim status`.
pub fn status(args: &StatusArgs) -> Result<(), Error> {
    let out = &args.dir;
    let merged = guard::marker(out) == Some(FolderKind::Results);
    let record = slurm::read_record(out);
    let sets = status::read(out)
        .map_err(|e| Error::while_doing(format!("listing the folder of {}", out.display()), e))?;
    if sets.is_empty() {
        if merged {
            outln!(
                "{}: merged (no shard folders or journals beside it)",
                out.display()
            );
            return Ok(());
        }
        return Err(Error::Input(format!(
            "no shards of {} found: neither its shard folders ({}) nor their journals are \
             beside it; give the --out of `caresim slurm` or of `caresim run --shard`",
            out.display(),
            format_args!("{}.shard-I-of-N", out.display())
        )));
    }
    let logs = task_logs(out);
    let now = SystemTime::now();
    for set in &sets {
        outp!(
            "{}",
            describe_set(out, set, record.as_ref(), merged, &logs, now)
        );
    }
    Ok(())
}

/// The report on one shard set: a heading, a line per shard, the totals, and what to do.
fn describe_set(
    out: &Path,
    set: &ShardSet,
    record: Option<&Record>,
    merged: bool,
    logs: &[TaskLog],
    now: SystemTime,
) -> String {
    let mut s = String::new();
    let what = set.header.as_ref().map_or(String::new(), |h| {
        format!(
            " of {} (seed {}, {})",
            h.scenario_name,
            h.seed,
            super::count(u64::from(h.replications), "replication", "replications")
        )
    });
    let record = record.filter(|r| r.shards == set.count);
    let jobs = record
        .and_then(|r| {
            Some(format!(
                "; array job {}, merge job {}",
                r.array_job.as_ref()?,
                r.merge_job.as_ref()?
            ))
        })
        .unwrap_or_default();
    writeln!(s, "{}: {} shards{what}{jobs}", out.display(), set.count).expect("a string");
    let mut left: Vec<u32> = Vec::new();
    let (mut done, mut planned) = (0u64, 0u64);
    for shard in &set.shards {
        let log = logs
            .iter()
            .filter(|l| l.task == shard.shard.index)
            .max_by_key(|l| (l.modified, l.job));
        writeln!(s, "  {}", describe_shard(shard, log, now)).expect("a string");
        done += shard.done;
        planned += shard.planned.unwrap_or(0);
        if shard.state != ShardState::Finished {
            left.push(shard.shard.index);
        }
    }
    let finished = set.shards.len() - left.len();
    writeln!(
        s,
        "{finished} of {} shards finished, {done} of {planned} replications done; {}",
        set.count,
        if merged { "merged" } else { "not merged yet" }
    )
    .expect("a string");
    let scripts = record.map(|r| (shown(&r.array_script), shown(&r.merge_script)));
    let (array, merge) = scripts
        .clone()
        .unwrap_or_else(|| ("ARRAY_SCRIPT".into(), "MERGE_SCRIPT".into()));
    if !left.is_empty() {
        let still = record
            .and_then(|r| r.array_job.as_ref())
            .map_or("squeue --me".into(), |id| format!("squeue -j {id}"));
        writeln!(
            s,
            "resubmit the shards not finished, then the merge after them (tasks still running \
             or pending in Slurm, see `{still}`, finish on their own):\n  {}",
            slurm::submit_by_hand(&array, &merge, Some(&ranges(&left)))
        )
        .expect("a string");
    } else if !merged {
        writeln!(
            s,
            "every shard has finished: merge them with\n  sbatch {merge}"
        )
        .expect("a string");
    }
    if scripts.is_none() && (!left.is_empty() || !merged) {
        writeln!(
            s,
            "(ARRAY_SCRIPT and MERGE_SCRIPT: the scripts `caresim slurm --script` wrote; no \
             record of them, {}, was found)",
            slurm::record_path(out).display()
        )
        .expect("a string");
    }
    s
}

/// One shard's line: its state, replications, last write and, unless it finished, the last
/// line of its newest Slurm log.
fn describe_shard(shard: &ShardStatus, log: Option<&TaskLog>, now: SystemTime) -> String {
    let id = format!("shard {}/{}", shard.shard.index, shard.shard.count);
    let reps = match shard.planned {
        Some(p) => format!("{} of {p} replications", shard.done),
        None => format!("{} replications", shard.done),
    };
    let wrote = shard.last_write.map_or(String::new(), |t| {
        format!(", last wrote {} ({})", when(t), ago(now, t))
    });
    let state = match &shard.state {
        ShardState::Finished => return format!("{id}: finished, {reps}{wrote}"),
        ShardState::Unfinished => format!("unfinished, {reps}{wrote}"),
        ShardState::NotStarted => "not started".to_string(),
        ShardState::Unreadable(why) => format!("unreadable: {why}"),
    };
    match log.and_then(|l| Some((l, l.last_line.as_ref()?))) {
        Some((l, line)) if l.failed => {
            format!(
                "{id}: FAILED, {state}; its log {} ends: {line}",
                l.path.display()
            )
        }
        Some((l, _)) => format!("{id}: {state} (log {})", l.path.display()),
        None => format!("{id}: {state}"),
    }
}

/// A path as one shell word.
fn shown(p: &Path) -> String {
    slurm::shell_word(&p.to_string_lossy())
}

/// `t` in UTC, to the second.
fn when(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// How long before `now` `t` was, roughly: `42 s ago`, `5 min ago`, `3 h ago`, `2 days ago`.
fn ago(now: SystemTime, t: SystemTime) -> String {
    let s = now.duration_since(t).map_or(0, |d| d.as_secs());
    match s {
        0..120 => format!("{s} s ago"),
        120..7200 => format!("{} min ago", s / 60),
        7200..172_800 => format!("{} h ago", s / 3600),
        _ => format!("{} days ago", s / 86_400),
    }
}

/// Shard indices (sorted) in sbatch's `--array` syntax: `1-3,5,7-8`.
fn ranges(indices: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// One array task's Slurm log, `<out>.slurm-<job>_<task>.log` beside the results.
struct TaskLog {
    path: PathBuf,
    job: u64,
    task: u32,
    modified: Option<SystemTime>,
    /// Its last non-empty line.
    last_line: Option<String>,
    /// Whether that line says the task failed: caresim's `error:` or Slurm's
    /// `*** ... CANCELLED ...` (time limit, scancel).
    failed: bool,
}

/// The array tasks' logs beside `out` (none if its folder cannot be listed).
fn task_logs(out: &Path) -> Vec<TaskLog> {
    let prefix = format!("{}.slurm-", guard::file_name(out));
    let Ok(entries) = std::fs::read_dir(guard::parent_of(out)) else {
        return Vec::new();
    };
    let mut logs = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".log"))
        else {
            continue;
        };
        let Some((job, task)) = rest.split_once('_') else {
            continue;
        };
        let (Ok(job), Ok(task)) = (job.parse::<u64>(), task.parse::<u32>()) else {
            continue;
        };
        // Beside `out` as the user named it (not `./name` for a bare name).
        let path = out.with_file_name(e.file_name());
        let last_line = last_line(&path);
        let failed = last_line
            .as_deref()
            .is_some_and(|l| l.starts_with("error:") || l.contains("CANCELLED"));
        logs.push(TaskLog {
            modified: e.metadata().and_then(|m| m.modified()).ok(),
            path,
            job,
            task,
            last_line,
            failed,
        });
    }
    logs
}

/// The last non-empty line of the file at `path`, from its last [`LOG_TAIL_BYTES`] bytes,
/// control characters replaced (a log is not trusted to be plain text).
fn last_line(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    f.seek(SeekFrom::Start(len.saturating_sub(LOG_TAIL_BYTES)))
        .ok()?;
    let mut bytes = Vec::new();
    f.take(LOG_TAIL_BYTES).read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
    Some(
        line.trim()
            .chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_ranges_compress_runs() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(ranges(&[]), "");
    }

    #[test]
    fn ages_are_rounded_to_a_readable_unit() {
        let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let after = |s| t + std::time::Duration::from_secs(s);
        assert_eq!(ago(after(5), t), "5 s ago");
        assert_eq!(ago(after(600), t), "10 min ago");
        assert_eq!(ago(after(3 * 3600), t), "3 h ago");
        assert_eq!(ago(after(3 * 86_400), t), "3 days ago");
        assert_eq!(ago(t, after(5)), "0 s ago");
    }
}
