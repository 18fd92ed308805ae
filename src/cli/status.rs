//! `caresim status DIR`: how far the shards of a result folder have got, from its folders
//! (no Slurm needed), each unfinished shard's last error from its Slurm log when there is
//! one, Slurm's own state of each task and of the merge job when the job ids are known
//! (recorded by `caresim slurm --submit`, or named by the logs; see [`jobs`]), and the
//! command that resubmits the shards neither finished nor still in Slurm's hands, and the
//! merge.

use std::fmt::Write as _;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use caresim::Error;
use caresim::experiment::status::{self, ShardSet, ShardState, ShardStatus};
use caresim::output::guard::{self, FolderKind};

use super::args::StatusArgs;
use super::slurm::{self, Record, jobs};

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
    let logs = logs(out);
    let now = SystemTime::now();
    for set in &sets {
        let record = record.as_ref().filter(|r| r.shards == set.count);
        // Slurm is asked only while something is left to do.
        let settled = merged && set.shards.iter().all(|s| s.state == ShardState::Finished);
        let slurm = (!settled).then(|| ask_slurm(out, record, set.count, &logs));
        let report = Report {
            out,
            set,
            record,
            merged,
            logs: &logs,
            slurm: slurm.as_ref(),
            now,
        };
        outp!("{}", report.describe());
    }
    Ok(())
}

/// The most job ids given to squeue and sacct (the newest kept): a folder resubmitted
/// many times must not make an unbounded command line.
const MAX_JOB_IDS: usize = 100;

/// What Slurm says about a shard set's jobs, or why it is not shown.
enum SlurmView {
    /// Asked about the array jobs `arrays` and merge jobs `merges` (recorded by `--submit`,
    /// or named by the logs of resubmitted jobs).
    Asked {
        view: jobs::View,
        arrays: Vec<u64>,
        merges: Vec<u64>,
    },
    /// Not asked, and why.
    NotShown(String),
}

/// Ask Slurm about the jobs of `count` shards of `out`: those `record` names and those
/// whose logs lie beside `out`.
fn ask_slurm(out: &Path, record: Option<&Record>, count: u32, logs: &Logs) -> SlurmView {
    let recorded = |id: Option<&String>| id.and_then(|s| s.parse::<u64>().ok());
    let newest = |mut ids: Vec<u64>| {
        ids.sort_unstable();
        ids.dedup();
        let drop = ids.len().saturating_sub(MAX_JOB_IDS);
        ids.split_off(drop)
    };
    let arrays = newest(
        logs.tasks
            .iter()
            .filter(|l| l.task <= count)
            .map(|l| l.job)
            .chain(record.and_then(|r| recorded(r.array_job.as_ref())))
            .collect(),
    );
    let merges = newest(
        logs.merges
            .iter()
            .copied()
            .chain(record.and_then(|r| recorded(r.merge_job.as_ref())))
            .collect(),
    );
    if arrays.is_empty() && merges.is_empty() {
        return SlurmView::NotShown(format!(
            "no job ids known: none recorded in {} (`caresim slurm --submit` records them) \
             and no Slurm log of a task or merge beside it",
            slurm::record_path(out).display()
        ));
    }
    let all: Vec<u64> = arrays.iter().chain(&merges).copied().collect();
    match jobs::query(&all) {
        Ok(view) => SlurmView::Asked {
            view,
            arrays,
            merges,
        },
        Err(why) => SlurmView::NotShown(why),
    }
}

/// Everything the report on one shard set is made from.
struct Report<'a> {
    out: &'a Path,
    set: &'a ShardSet,
    /// The record of `caresim slurm`, when it is for this shard count.
    record: Option<&'a Record>,
    merged: bool,
    logs: &'a Logs,
    /// What Slurm says (`None`: not asked, everything is done).
    slurm: Option<&'a SlurmView>,
    now: SystemTime,
}

impl Report<'_> {
    /// What Slurm says of shard `index`.
    fn slurm_task(&self, index: u32) -> InSlurm<'_> {
        match self.slurm {
            Some(SlurmView::Asked { view, arrays, .. }) => view
                .task(arrays, index)
                .map_or(InSlurm::Unknown, InSlurm::Known),
            _ => InSlurm::NotAsked,
        }
    }

    /// A heading, a line per shard, the totals, the merge job, and what to do.
    fn describe(&self) -> String {
        let (set, record) = (self.set, self.record);
        let mut s = String::new();
        let what = set.header.as_ref().map_or(String::new(), |h| {
            format!(
                " of {} (seed {}, {})",
                h.scenario_name,
                h.seed,
                super::count(u64::from(h.replications), "replication", "replications")
            )
        });
        let jobs = record
            .and_then(|r| {
                Some(format!(
                    "; array job {}, merge job {}",
                    r.array_job.as_ref()?,
                    r.merge_job.as_ref()?
                ))
            })
            .unwrap_or_default();
        writeln!(
            s,
            "{}: {} shards{what}{jobs}",
            self.out.display(),
            set.count
        )
        .expect("a string");
        // Shards not finished: to resubmit, or still in Slurm's hands.
        let (mut left, mut live): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        let (mut done, mut planned) = (0u64, 0u64);
        for shard in &set.shards {
            let index = shard.shard.index;
            let log = self
                .logs
                .tasks
                .iter()
                .filter(|l| l.task == index)
                .max_by_key(|l| (l.modified, l.job));
            let slurm = self.slurm_task(index);
            writeln!(s, "  {}", describe_shard(shard, log, slurm, self.now)).expect("a string");
            done += shard.done;
            planned += shard.planned.unwrap_or(0);
            if shard.state != ShardState::Finished {
                if matches!(slurm, InSlurm::Known(e) if e.is_live()) {
                    live.push(index);
                } else {
                    left.push(index);
                }
            }
        }
        let finished = set.shards.len() - left.len() - live.len();
        writeln!(
            s,
            "{finished} of {} shards finished, {done} of {planned} replications done; {}",
            set.count,
            if self.merged {
                "merged"
            } else {
                "not merged yet"
            }
        )
        .expect("a string");
        self.describe_slurm(&mut s);
        self.advise(&mut s, &left, &live);
        s
    }

    /// The merge job's state and the notes on Slurm's view (or why it is not shown).
    fn describe_slurm(&self, s: &mut String) {
        match self.slurm {
            Some(SlurmView::Asked {
                view,
                merges,
                arrays: _,
            }) => {
                if let Some(newest) = merges.last() {
                    match view.job(merges) {
                        Some(e) => writeln!(s, "merge job: {} {}", e.state, e.detail(None)),
                        None => writeln!(s, "merge job {newest}: not in Slurm's queue"),
                    }
                    .expect("a string");
                }
                for note in &view.notes {
                    writeln!(s, "(note: {note})").expect("a string");
                }
            }
            Some(SlurmView::NotShown(why)) => {
                writeln!(
                    s,
                    "(Slurm's state of the jobs is not shown: {why}; this is from the folders \
                     and logs alone)"
                )
                .expect("a string");
            }
            None => {}
        }
    }

    /// What to do: resubmit the shards `left` (not finished, not in Slurm's hands), wait for
    /// those `live`, or merge.
    fn advise(&self, s: &mut String, left: &[u32], live: &[u32]) {
        let scripts = self
            .record
            .map(|r| (shown(&r.array_script), shown(&r.merge_script)));
        let (array, merge) = scripts
            .clone()
            .unwrap_or_else(|| ("ARRAY_SCRIPT".into(), "MERGE_SCRIPT".into()));
        let asked = matches!(self.slurm, Some(SlurmView::Asked { .. }));
        if !live.is_empty() {
            writeln!(
                s,
                "{} pending or running in Slurm ({}): {} finish on their own",
                super::count(live.len() as u64, "shard", "shards"),
                ranges(live),
                if live.len() == 1 { "it will" } else { "they" }
            )
            .expect("a string");
        }
        if !left.is_empty() {
            let note = if asked {
                String::new()
            } else {
                let still = self
                    .record
                    .and_then(|r| r.array_job.as_ref())
                    .map_or("squeue --me".into(), |id| format!("squeue -j {id}"));
                format!(
                    " (tasks still running or pending in Slurm, see `{still}`, finish on their \
                     own)"
                )
            };
            writeln!(
                s,
                "resubmit the shards not finished, then the merge after them{note}:\n  {}",
                slurm::submit_by_hand(&array, &merge, Some(&ranges(left)))
            )
            .expect("a string");
        } else if live.is_empty() && !self.merged {
            writeln!(
                s,
                "every shard has finished: merge them with\n  sbatch {merge}"
            )
            .expect("a string");
        }
        if scripts.is_none() && (!left.is_empty() || !self.merged) {
            writeln!(
                s,
                "(ARRAY_SCRIPT and MERGE_SCRIPT: the scripts `caresim slurm --script` wrote; no \
                 record of them, {}, was found)",
                slurm::record_path(self.out).display()
            )
            .expect("a string");
        }
    }
}

/// What Slurm says of one array task.
#[derive(Clone, Copy)]
enum InSlurm<'a> {
    /// Slurm was not asked.
    NotAsked,
    /// Neither squeue nor sacct knows the task: not waiting, not running.
    Unknown,
    /// Its newest job's state.
    Known(&'a jobs::Entry),
}

/// One shard's line: its state (Slurm's own when known), replications, last write and,
/// unless it finished, the last line of its newest Slurm log.
fn describe_shard(
    shard: &ShardStatus,
    log: Option<&TaskLog>,
    slurm: InSlurm<'_>,
    now: SystemTime,
) -> String {
    let index = shard.shard.index;
    let id = format!("shard {index}/{}", shard.shard.count);
    let task = Some(index);
    let reps = match shard.planned {
        Some(p) => format!("{} of {p} replications", shard.done),
        None => format!("{} replications", shard.done),
    };
    let wrote = shard.last_write.map_or(String::new(), |t| {
        format!(", last wrote {} ({})", when(t), ago(now, t))
    });
    let state = match &shard.state {
        ShardState::Finished => {
            let slurm = match slurm {
                InSlurm::Known(e) => format!("; {} {}", e.state, e.detail(task)),
                _ => String::new(),
            };
            return format!("{id}: finished, {reps}{wrote}{slurm}");
        }
        ShardState::Unfinished => format!("unfinished, {reps}{wrote}"),
        ShardState::NotStarted => "not started".to_string(),
        ShardState::Unreadable(why) => format!("unreadable: {why}"),
    };
    let error = log.and_then(|l| Some((l, l.last_line.as_ref()?)));
    let error = error
        .filter(|(l, _)| l.failed)
        .map(|(l, line)| format!("; its log {} ends: {line}", l.path.display()));
    let log_named = log.map_or(String::new(), |l| format!(" (log {})", l.path.display()));
    match (slurm, error) {
        // Slurm's own state first; a log's error only once Slurm is done with the task.
        (InSlurm::Known(e), error) => match error.filter(|_| !e.is_live()) {
            Some(error) => format!("{id}: {} {}, {state}{error}", e.state, e.detail(task)),
            None => format!("{id}: {} {}, {state}{log_named}", e.state, e.detail(task)),
        },
        (_, Some(error)) => format!("{id}: FAILED, {state}{error}"),
        // Slurm knows nothing of it: not waiting, not running.
        (InSlurm::Unknown, None) => match (log, &shard.state) {
            (Some(l), _) => format!(
                "{id}: DIED, {state}: not in the queue and unfinished: it died without writing \
                 an error (see its log {})",
                l.path.display()
            ),
            (None, ShardState::NotStarted) => format!(
                "{id}: not started, and not in Slurm's queue: it never ran (cancelled before \
                 it started?); resubmit it"
            ),
            (None, _) => format!(
                "{id}: DIED, {state}: not in the queue and unfinished, and no Slurm log of it \
                 was found: it died without writing an error (or runs outside Slurm)"
            ),
        },
        (InSlurm::NotAsked, None) => format!("{id}: {state}{log_named}"),
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

/// The Slurm logs beside a result folder.
#[derive(Default)]
struct Logs {
    /// The array tasks' logs.
    tasks: Vec<TaskLog>,
    /// The ids of the merge jobs whose logs, `<out>.slurm-merge-<job>.log`, are there.
    merges: Vec<u64>,
}

/// The Slurm logs beside `out` (none if its folder cannot be listed).
fn logs(out: &Path) -> Logs {
    let prefix = format!("{}.slurm-", guard::file_name(out));
    let Ok(entries) = std::fs::read_dir(guard::parent_of(out)) else {
        return Logs::default();
    };
    let mut logs = Logs::default();
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".log"))
        else {
            continue;
        };
        if let Some(job) = rest.strip_prefix("merge-").and_then(|j| j.parse().ok()) {
            logs.merges.push(job);
            continue;
        }
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
        logs.tasks.push(TaskLog {
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
