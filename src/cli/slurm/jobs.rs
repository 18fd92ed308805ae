//! What Slurm itself says about the jobs of a result folder, for `caresim status`: `squeue`
//! for the jobs it still holds (pending, running, and finished ones for a few minutes,
//! `MinJobAge`), `sacct` for finished ones when the cluster keeps accounting.
//!
//! Both run directly (never through a shell), each given at most [`TIMEOUT`]: a hung
//! `slurmctld` must not hang `status`. Their output is parsed line by line and a line that
//! does not parse is skipped, so nothing they print can make `status` fail: array tasks as
//! `1234_3`, pending ones grouped as `1234_[4-7,9%2]` (squeue without `--array`, and sacct
//! before a task is split off), job steps as `1234_3.batch` (sacct, skipped), plain jobs as
//! `1235`, and states such as `CANCELLED by 1000`.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt as _;

/// The longest either command may take.
pub(in crate::cli) const TIMEOUT: Duration = Duration::from_secs(10);

/// Longest text kept of one field (a state, a reason, a time).
const MAX_FIELD_CHARS: usize = 60;

/// Which array tasks a line of squeue or sacct is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::cli) enum Tasks {
    /// A job that is not an array (the merge job).
    Whole,
    /// The tasks of an array job, as inclusive ranges.
    Ranges(Vec<(u32, u32)>),
}

/// One job, or one or more array tasks, as Slurm reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::cli) struct Entry {
    /// The job id (for array tasks, the array job's).
    pub job: u64,
    /// Which tasks.
    pub tasks: Tasks,
    /// Slurm's state word: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`,
    /// `TIMEOUT`, `OUT_OF_MEMORY`, ...
    pub state: String,
    /// Time used (squeue's `%M`) or elapsed (sacct's `Elapsed`), as Slurm prints it.
    pub elapsed: Option<String>,
    /// `exit:signal` (sacct only).
    pub exit_code: Option<String>,
    /// Why it is pending (squeue only): `Dependency`, `Priority`, `Resources`, ...
    pub reason: Option<String>,
    /// Whether the line came from squeue (the controller's live view), not sacct.
    pub live_view: bool,
}

impl Entry {
    /// Whether it holds task `task` (of an array job).
    fn has_task(&self, task: u32) -> bool {
        match &self.tasks {
            Tasks::Whole => false,
            Tasks::Ranges(r) => r.iter().any(|&(a, b)| a <= task && task <= b),
        }
    }

    /// Whether the job is still in Slurm's hands: waiting, running or finishing.
    pub fn is_live(&self) -> bool {
        matches!(
            self.state.as_str(),
            "PENDING"
                | "RUNNING"
                | "CONFIGURING"
                | "COMPLETING"
                | "SUSPENDED"
                | "REQUEUED"
                | "REQUEUE_FED"
                | "REQUEUE_HOLD"
                | "RESIZING"
                | "SIGNALING"
                | "STAGE_OUT"
                | "RESV_DEL_HOLD"
                | "SPECIAL_EXIT"
        )
    }

    /// Its id as Slurm prints it for task `task` (`None`: a plain job).
    pub fn id(&self, task: Option<u32>) -> String {
        match task {
            Some(t) => format!("{}_{t}", self.job),
            None => self.job.to_string(),
        }
    }

    /// What Slurm says, after the state word: `(job 1234_3, running for 1:05)`,
    /// `(job 1234_3, Priority)`, `(job 1234_3, exit code 2:0, after 00:00:01)`.
    pub fn detail(&self, task: Option<u32>) -> String {
        let mut parts = vec![format!("job {}", self.id(task))];
        if self.state == "PENDING" {
            if let Some(r) = self.reason.as_deref().filter(|r| *r != "None") {
                parts.push(format!("waiting: {r}"));
            }
        } else if let Some(e) = &self.elapsed {
            if self.is_live() {
                parts.push(format!("running for {e}"));
            } else {
                if let Some(c) = self.exit_code.as_deref().filter(|c| *c != "0:0") {
                    parts.push(format!("exit code {c}"));
                }
                parts.push(format!("after {e}"));
            }
        }
        format!("({})", parts.join(", "))
    }
}

/// `s` without control characters, trimmed and cut to [`MAX_FIELD_CHARS`]: what the
/// commands print is not trusted to be plain text.
fn clean(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(MAX_FIELD_CHARS)
        .collect()
}

fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    (!s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// The job and tasks of an id as squeue's `%i` or sacct's `JobID` print it; `None` for a
/// job step (`1234_3.batch`, `1235.0`), a heterogeneous job component (`1234+0`) or
/// anything else.
fn parse_id(id: &str) -> Option<(u64, Tasks)> {
    let Some((job, rest)) = id.split_once('_') else {
        return Some((number(id)?, Tasks::Whole));
    };
    let job = number(job)?;
    if let Some(task) = number(rest) {
        return Some((job, Tasks::Ranges(vec![(task, task)])));
    }
    // `[4-7,9%2]`: ranges and single tasks, then an optional `%` limit on tasks running at
    // once.
    let inner = rest.strip_prefix('[')?.strip_suffix(']')?;
    let inner = inner.split_once('%').map_or(inner, |(r, _)| r);
    let mut ranges = Vec::new();
    for part in inner.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b) = (number(a)?, number(b)?);
        if a > b {
            return None;
        }
        ranges.push((a, b));
    }
    Some((job, Tasks::Ranges(ranges)))
}

/// Slurm's state word: the first word, upper case (sacct prints `CANCELLED by 1000`).
fn state_word(s: &str) -> Option<String> {
    let word = s.split_whitespace().next()?;
    word.bytes()
        .all(|b| b.is_ascii_uppercase() || b == b'_')
        .then(|| clean(word))
}

/// The lines of `squeue --noheader --format=%i|%T|%M|%r`.
pub(in crate::cli) fn parse_squeue(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(4, '|');
            let (job, tasks) = parse_id(f.next()?.trim())?;
            let state = state_word(f.next()?)?;
            let elapsed = f.next().map(clean).filter(|s| !s.is_empty());
            let reason = f.next().map(clean).filter(|s| !s.is_empty());
            Some(Entry {
                job,
                tasks,
                state,
                elapsed,
                exit_code: None,
                reason,
                live_view: true,
            })
        })
        .collect()
}

/// The lines of `sacct --noheader --parsable2 --format=JobID,State,ExitCode,Elapsed`, job
/// steps left out.
pub(in crate::cli) fn parse_sacct(text: &str) -> Vec<Entry> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split('|');
            let (job, tasks) = parse_id(f.next()?.trim())?;
            let state = state_word(f.next()?)?;
            let exit_code = f.next().map(clean).filter(|s| !s.is_empty());
            let elapsed = f.next().map(clean).filter(|s| !s.is_empty());
            Some(Entry {
                job,
                tasks,
                state,
                elapsed,
                exit_code,
                reason: None,
                live_view: false,
            })
        })
        .collect()
}

/// Why a command gave no answer.
#[derive(Debug)]
pub(in crate::cli) enum Failure {
    /// It is not on PATH.
    Missing,
    /// It did not finish within [`TIMEOUT`] (it was killed).
    TimedOut,
    /// It failed: its exit status and the first line of its standard error.
    Failed(String),
}

/// Run `program args…` (no shell) for at most `timeout`; its standard output on success.
pub(in crate::cli) fn run(
    program: &str,
    args: &[&str],
    timeout: Duration,
) -> Result<String, Failure> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Failure::Missing,
            _ => Failure::Failed(format!("could not be started: {e}")),
        })?;
    // Read both pipes while waiting, so a long answer cannot fill a pipe and stall it.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut p) = pipe {
                // At most 16 MiB: far more than any answer about our jobs.
                let _ = p.by_ref().take(16 << 20).read_to_end(&mut bytes);
                // Keep reading (and dropping) so the child never blocks on a full pipe.
                let _ = std::io::copy(&mut p, &mut std::io::sink());
            }
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let Ok(Some(status)) = child.wait_timeout(timeout) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Failure::TimedOut);
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        return Ok(String::from_utf8_lossy(&stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&stderr);
    let first = stderr
        .lines()
        .map(clean)
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| "nothing on standard error".into());
    Err(Failure::Failed(format!("{status}: {first}")))
}

/// What Slurm says about a result folder's jobs.
#[derive(Debug, Default)]
pub(in crate::cli) struct View {
    /// Every job and task both commands reported.
    pub entries: Vec<Entry>,
    /// Said once, under the shards: what could not be asked (sacct without accounting).
    pub notes: Vec<String>,
}

impl View {
    /// What Slurm says of array task `task` of any of `jobs`: the newest job's (the highest
    /// id: a resubmission), squeue's view before sacct's.
    pub fn task(&self, jobs: &[u64], task: u32) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| jobs.contains(&e.job) && e.has_task(task))
            .max_by_key(|e| (e.job, e.live_view))
    }

    /// What Slurm says of the newest of plain jobs `jobs` (the merge jobs).
    pub fn job(&self, jobs: &[u64]) -> Option<&Entry> {
        self.entries
            .iter()
            .filter(|e| jobs.contains(&e.job) && e.tasks == Tasks::Whole)
            .max_by_key(|e| (e.job, e.live_view))
    }
}

/// Ask squeue, then sacct, about `jobs`. `Err` says why Slurm's view cannot be shown
/// (squeue missing, hung or failing); a failing sacct (a cluster without accounting) only
/// adds a note.
pub(in crate::cli) fn query(jobs: &[u64]) -> Result<View, String> {
    let list = jobs
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let jobs_arg = format!("--jobs={list}");
    let squeue = run(
        "squeue",
        &[
            "--noheader",
            "--array",
            "--states=all",
            &jobs_arg,
            "--format=%i|%T|%M|%r",
        ],
        TIMEOUT,
    );
    let mut view = View::default();
    match squeue {
        Ok(text) => view.entries = parse_squeue(&text),
        // squeue refuses a single job id the controller has forgotten: none in the queue.
        Err(Failure::Failed(why)) if why.contains("Invalid job id") => {}
        Err(Failure::Missing) => return Err("squeue is not on PATH".into()),
        Err(Failure::TimedOut) => {
            return Err(format!(
                "squeue did not answer within {} s",
                TIMEOUT.as_secs()
            ));
        }
        Err(Failure::Failed(why)) => return Err(format!("squeue failed ({why})")),
    }
    let sacct = run(
        "sacct",
        &[
            "--noheader",
            "--parsable2",
            &jobs_arg,
            "--format=JobID,State,ExitCode,Elapsed",
        ],
        TIMEOUT,
    );
    let fallback = "finished tasks are known from squeue only while it remembers them (a few \
                    minutes, MinJobAge), then from the journals and logs";
    match sacct {
        Ok(text) => view.entries.extend(parse_sacct(&text)),
        Err(Failure::Missing) => view.notes.push(format!("sacct is not on PATH: {fallback}")),
        Err(Failure::TimedOut) => view.notes.push(format!(
            "sacct did not answer within {} s: {fallback}",
            TIMEOUT.as_secs()
        )),
        Err(Failure::Failed(why)) => view.notes.push(format!(
            "sacct failed ({why}), as it does without accounting storage: {fallback}"
        )),
    }
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeue_lines_parse_tasks_ranges_and_plain_jobs() {
        let text = "1234_3|RUNNING|1:05|None\n\
                    1234_[4-7,9%2]|PENDING|0:00|Priority\n\
                    1235|PENDING|0:00|Dependency\n\
                    1234_1|COMPLETED|0:12|None\n\
                    garbage\n\
                    \n\
                    1234_x|RUNNING|0:01|None\n\
                    1234_[7-4]|PENDING|0:00|None\n\
                    99999999999999999999999_1|RUNNING|0:01|None\n\
                    1234_2|running|0:01|None\n\
                    1234_8|TIMEOUT|1-02:03:04|TimeLimit\n";
        let e = parse_squeue(text);
        assert_eq!(e.len(), 5, "{e:?}");
        assert_eq!(e[0].tasks, Tasks::Ranges(vec![(3, 3)]));
        assert_eq!(e[0].detail(Some(3)), "(job 1234_3, running for 1:05)");
        assert_eq!(e[1].tasks, Tasks::Ranges(vec![(4, 7), (9, 9)]));
        assert_eq!(e[1].detail(Some(5)), "(job 1234_5, waiting: Priority)");
        assert_eq!((e[2].job, &e[2].tasks), (1235, &Tasks::Whole));
        assert_eq!(e[4].detail(Some(8)), "(job 1234_8, after 1-02:03:04)");
        let view = View {
            entries: e,
            notes: Vec::new(),
        };
        assert_eq!(view.task(&[1234], 6).unwrap().state, "PENDING");
        assert!(view.task(&[1234], 8).is_some_and(|e| !e.is_live()));
        assert!(view.task(&[1234], 10).is_none());
        assert!(view.task(&[999], 3).is_none());
        assert_eq!(view.job(&[1235]).unwrap().state, "PENDING");
    }

    #[test]
    fn sacct_lines_skip_steps_and_keep_the_state_word() {
        let text = "1234_3|FAILED|2:0|00:00:01\n\
                    1234_3.batch|FAILED|2:0|00:00:01\n\
                    1234_3.extern|COMPLETED|0:0|00:00:01\n\
                    1234_[4-7]|PENDING|0:0|00:00:00\n\
                    1235|CANCELLED by 0|0:0|00:00:00\n\
                    1236_1|OUT_OF_MEMORY|0:125|00:10:00\n\
                    1237+0|RUNNING|0:0|00:00:10\n\
                    1234_2|\n\
                    |RUNNING|0:0|00:00:01\n";
        let e = parse_sacct(text);
        assert_eq!(e.len(), 4, "{e:?}");
        assert_eq!(
            e[0].detail(Some(3)),
            "(job 1234_3, exit code 2:0, after 00:00:01)"
        );
        assert_eq!(e[2].state, "CANCELLED");
        assert_eq!(e[2].detail(None), "(job 1235, after 00:00:00)");
        assert_eq!(e[3].state, "OUT_OF_MEMORY");
    }

    #[test]
    fn the_newest_job_and_squeues_view_win() {
        let mut entries = parse_sacct("1234_3|FAILED|2:0|00:00:01\n1240_3|RUNNING|0:0|00:00:05\n");
        entries.extend(parse_squeue("1240_3|COMPLETING|0:06|None\n"));
        let view = View {
            entries,
            notes: Vec::new(),
        };
        let e = view.task(&[1234, 1240], 3).unwrap();
        assert_eq!((e.job, e.state.as_str()), (1240, "COMPLETING"));
        assert_eq!(view.task(&[1234], 3).unwrap().state, "FAILED");
    }

    #[test]
    fn fields_are_cleaned() {
        let e = parse_squeue("1_1|RUNNING|0:01|a\u{1b}[31mred\n");
        assert_eq!(e[0].reason.as_deref(), Some("a?[31mred"));
    }

    #[test]
    fn a_hung_command_is_killed_after_the_timeout() {
        let started = std::time::Instant::now();
        let r = run("sleep", &["30"], Duration::from_millis(200));
        assert!(matches!(r, Err(Failure::TimedOut)), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(matches!(
            run("caresim-no-such-command", &[], TIMEOUT),
            Err(Failure::Missing)
        ));
        assert_eq!(run("echo", &["a;b"], TIMEOUT).unwrap(), "a;b\n");
        match run("ls", &["/caresim-no-such-folder"], TIMEOUT) {
            Err(Failure::Failed(why)) => assert!(why.contains("No such file"), "{why}"),
            r => panic!("{r:?}"),
        }
    }
}
