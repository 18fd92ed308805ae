//! `caresim slurm --submit` with a fake `sbatch` on PATH (the array job, then the merge job
//! after it; a failure explained and nothing left half-submitted), `caresim status` on a
//! folder with a finished, an unfinished and a missing shard, `status` with fake `squeue`
//! and `sacct` (tasks running, pending, dead without an error, timed out, out of memory,
//! failed; the merge job; Slurm unreachable or not asked), the merge job's own time and
//! memory, and the checks of the options written into the scripts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{caresim, fixture, make_executable, stderr};

/// A folder holding fake `sbatch` and `scancel`: each call's arguments are recorded, one
/// per line, in `<record>/sbatch-<n>` (n from 0) or `<record>/scancel`; sbatch prints job id
/// `1000 + n` the way `--parsable` does (`id;cluster`), or fails on call `$SBATCH_FAIL_CALL`.
fn fake_slurm(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    fs::create_dir(&bin).unwrap();
    fs::write(
        bin.join("sbatch"),
        r#"#!/bin/sh
n=$(ls "$RECORD" | grep -c '^sbatch-')
printf '%s\n' "$@" > "$RECORD/sbatch-$n"
if [ "${SBATCH_FAIL_CALL:-}" = "$n" ]; then
  echo "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" >&2
  exit 1
fi
echo "$((1000 + n));cluster1"
"#,
    )
    .unwrap();
    fs::write(
        bin.join("scancel"),
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$RECORD/scancel\"\n",
    )
    .unwrap();
    make_executable(&bin.join("sbatch"));
    make_executable(&bin.join("scancel"));
    bin
}

/// `caresim args…` in `dir` with `bin` first on PATH (or PATH = `bin` alone with `only`),
/// calls recorded in `record`, and sbatch failing on call `fail`.
fn with_fake_slurm(
    dir: &Path,
    args: &[&str],
    bin: &Path,
    only: bool,
    record: &Path,
    fail: Option<u32>,
) -> Output {
    let path = if only {
        bin.display().to_string()
    } else {
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap())
    };
    let mut c = Command::new(env!("CARGO_BIN_EXE_caresim"));
    c.args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("RECORD", record);
    if let Some(n) = fail {
        c.env("SBATCH_FAIL_CALL", n.to_string());
    }
    c.output().unwrap()
}

fn call(record: &Path, name: &str) -> Option<Vec<String>> {
    let text = fs::read_to_string(record.join(name)).ok()?;
    Some(text.lines().map(String::from).collect())
}

/// A folder with the valid fixture, a fake Slurm and an empty record folder.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let bin = fake_slurm(tmp.path());
    let record = tmp.path().join("record");
    fs::create_dir(&record).unwrap();
    let v = fixture("valid.toml").to_str().unwrap().to_string();
    (tmp, bin, record, v)
}

#[test]
fn submit_submits_the_array_then_the_merge_after_it() {
    let (tmp, bin, record, v) = setup();
    let args = [
        "slurm", &v, "--shards", "2", "--out", "res", "--submit", "--qos", "short",
    ];
    let o = with_fake_slurm(tmp.path(), &args, &bin, false, &record, None);
    assert!(o.status.success(), "{}", stderr(&o));
    // The job ids, one a line, the array's first.
    assert_eq!(String::from_utf8_lossy(&o.stdout), "1000\n1001\n");
    assert!(
        stderr(&o).contains("submitted array job 1000")
            && stderr(&o).contains("merge job 1001")
            && stderr(&o).contains("caresim status res"),
        "{}",
        stderr(&o)
    );
    // The default scripts beside the results, submitted in order.
    assert_eq!(
        call(&record, "sbatch-0").unwrap(),
        ["--parsable", "res.slurm.sh"]
    );
    assert_eq!(
        call(&record, "sbatch-1").unwrap(),
        [
            "--parsable",
            "--dependency=afterok:1000",
            "--kill-on-invalid-dep=yes",
            "res.slurm.merge.sh"
        ]
    );
    assert!(call(&record, "sbatch-2").is_none() && call(&record, "scancel").is_none());
    let array = fs::read_to_string(tmp.path().join("res.slurm.sh")).unwrap();
    assert!(array.contains("\n#SBATCH --array=1-2\n"), "{array}");
    assert!(array.contains("\n#SBATCH --qos=short\n"), "{array}");
    // The array does not submit anything itself.
    assert!(!array.contains("\nsbatch"), "{array}");
    let merge = fs::read_to_string(tmp.path().join("res.slurm.merge.sh")).unwrap();
    assert!(!merge.contains("--array"), "{merge}");
    assert!(
        merge.contains("merge --quiet --force --out 'res'"),
        "{merge}"
    );
    // The record names the scripts and the jobs.
    let rec: serde_json::Value =
        serde_json::from_slice(&fs::read(tmp.path().join("res.slurm.json")).unwrap()).unwrap();
    assert_eq!(rec["array_job"], "1000");
    assert_eq!(rec["merge_job"], "1001");
    assert_eq!(rec["shards"], 2);
}

#[test]
fn a_failed_merge_submission_cancels_the_array_and_says_so() {
    let (tmp, bin, record, v) = setup();
    let args = [
        "slurm", &v, "--shards", "2", "--out", "res", "--script", "job.sh", "--submit",
    ];
    let o = with_fake_slurm(tmp.path(), &args, &bin, false, &record, Some(1));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("array job 1000 was submitted, then cancelled (scancel 1000)")
            && e.contains("submitting the merge job: sbatch failed")
            && e.contains("Invalid account or account/partition combination"),
        "{e}"
    );
    assert_eq!(call(&record, "scancel").unwrap(), ["1000"]);
    assert!(o.stdout.is_empty());
    assert_eq!(
        call(&record, "sbatch-1").unwrap()[3],
        "job.merge.sh",
        "the merge script sits beside --script"
    );
}

#[test]
fn a_failed_or_missing_sbatch_exits_1_with_its_message() {
    let (tmp, bin, record, v) = setup();
    let args = ["slurm", &v, "--shards", "2", "--out", "res", "--submit"];
    let o = with_fake_slurm(tmp.path(), &args, &bin, false, &record, Some(0));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("submitting the array job: sbatch failed") && e.contains("Invalid account"),
        "{e}"
    );
    assert!(call(&record, "sbatch-1").is_none() && call(&record, "scancel").is_none());

    // No sbatch at all: the scripts are written, nothing is submitted.
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let o = with_fake_slurm(tmp.path(), &args, &empty, true, &record, None);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("sbatch is not on PATH"),
        "{}",
        stderr(&o)
    );
    assert!(tmp.path().join("res.slurm.sh").is_file());
}

#[test]
fn slurm_checks_account_qos_mem_and_sbatch_args() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--account", "a b"],
            "--account \"a b\" is not a Slurm account name",
        ),
        (&["--account", "x\ny"], "--account contains a newline"),
        (&["--qos", "$(x)"], "--qos \"$(x)\" is not a Slurm qos name"),
        (
            &["--mem", "4GB"],
            "--mem \"4GB\" is not a Slurm memory size",
        ),
        (&["--mem", "G"], "is not a Slurm memory size"),
        (&["--mem=-1"], "is not a Slurm memory size"),
        (
            &["--sbatch-arg=--comment=a\nb"],
            "--sbatch-arg contains a newline",
        ),
        (&["--sbatch-arg=constraint=x"], "not an sbatch option"),
        (
            &["--sbatch-arg=--array=1-9"],
            "caresim sets --array itself (from --shards)",
        ),
        (&["--sbatch-arg=--arr=1"], "caresim sets --array itself"),
        (
            &["--sbatch-arg=-o/tmp/x"],
            "-o is --output, which caresim sets itself",
        ),
        (
            &["--sbatch-arg=--dependency=afterok:1"],
            "caresim sets --dependency",
        ),
        (
            &["--sbatch-arg=--time=5"],
            "caresim sets --time itself (from --time and --merge-time)",
        ),
        (&["--time", "soon"], "is not a Slurm time limit"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["slurm", v, "--shards", "2"];
        args.extend_from_slice(extra);
        let o = caresim(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{extra:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{extra:?}: a script was printed");
    }
    let o = caresim(
        dir.path(),
        &[
            "slurm",
            v,
            "--shards",
            "2",
            "--account",
            "proj-1.a",
            "--qos",
            "long",
            "--mem",
            "500M",
            "--sbatch-arg=--constraint=avx2|avx512",
            "--sbatch-arg",
            "--exclusive",
            "--sbatch-arg=-Cskylake",
            "--time",
            "auto",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let script = String::from_utf8_lossy(&o.stdout);
    for line in [
        "#SBATCH --account=proj-1.a",
        "#SBATCH --qos=long",
        "#SBATCH --mem=500M",
        "#SBATCH \"--constraint=avx2|avx512\"",
        "#SBATCH --exclusive",
        "#SBATCH -Cskylake",
        // valid.toml's replications take milliseconds: the 5 minutes of overhead, rounded up.
        "#SBATCH --time=00:06:00",
    ] {
        assert!(script.contains(&format!("\n{line}\n")), "{line}: {script}");
    }
    assert!(stderr(&o).contains("--time auto: slowest of 3 replications timed here"));
}

#[test]
fn status_reports_finished_unfinished_and_missing_shards_and_how_to_resubmit() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let o = caresim(
        dir,
        &[
            "slurm", v, "--shards", "3", "--out", "res", "--script", "job.sh",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Shard 1 finished; shard 2 never ran, and its Slurm log says why; shard 3 stopped
    // after one of its two replications (its finished folder renamed back to a journal
    // with the last record dropped).
    for i in [1, 3] {
        let o = caresim(
            dir,
            &[
                "run",
                v,
                "--shard",
                &format!("{i}/3"),
                "--out",
                "res",
                "--quiet",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let journal = dir.join(".res.shard-3-of-3.journal");
    fs::rename(dir.join("res.shard-3-of-3"), &journal).unwrap();
    let records = fs::read_to_string(journal.join("records.jsonl")).unwrap();
    let first = records.lines().next().unwrap();
    fs::write(journal.join("records.jsonl"), format!("{first}\n")).unwrap();
    fs::write(
        dir.join("res.slurm-77_2.log"),
        "starting\nerror: res.shard-2-of-3 exists and was not made by caresim\n",
    )
    .unwrap();

    let o = caresim(dir, &["status", "res"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let job = dir.join("job.sh").display().to_string();
    let merge = dir.join("job.merge.sh").display().to_string();
    for needle in [
        "res: 3 shards of valid (seed 7, 4 replications)\n",
        "  shard 1/3: finished, 1 of 1 replications, last wrote 20",
        "  shard 2/3: FAILED, not started; its log res.slurm-77_2.log ends: error: res.shard-2-of-3 exists",
        "  shard 3/3: unfinished, 1 of 2 replications, last wrote 20",
        "1 of 3 shards finished, 2 of 4 replications done; not merged yet\n",
        &format!(
            "jid=$(sbatch --parsable --array=2-3 {job}) && sbatch --dependency=afterok:${{jid%%;*}} --kill-on-invalid-dep=yes {merge}\n"
        ),
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
}

#[test]
fn status_without_shards_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let o = caresim(tmp.path(), &["status", "nothing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no shards of nothing found"),
        "{}",
        stderr(&o)
    );
}

/// Fake `squeue` and `sacct` beside the fake `sbatch` in `bin`: each records its arguments
/// in `<record>/<name>-args` and prints `<record>/<name>.out`, or fails with the message in
/// `$SQUEUE_FAIL` / `$SACCT_FAIL` as the real ones do.
fn fake_queue(bin: &Path) {
    for (name, fail) in [("squeue", "SQUEUE_FAIL"), ("sacct", "SACCT_FAIL")] {
        fs::write(
            bin.join(name),
            format!(
                r#"#!/bin/sh
printf '%s\n' "$@" > "$RECORD/{name}-args"
if [ -n "${{{fail}:-}}" ]; then echo "${fail}" >&2; exit 1; fi
cat "$RECORD/{name}.out" 2>/dev/null || true
"#
            ),
        )
        .unwrap();
        make_executable(&bin.join(name));
    }
}

/// Submitted with the fake sbatch (array job 1000, merge job 1001): 4 shards of valid.toml at
/// 8 replications; shard 1 finished, shards 2 and 3 stopped after 1 of their 2 replications,
/// shard 4 not started; shard 3 has a log that ends without an error.
fn submitted_with_shards() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, bin, record, v) = setup();
    fake_queue(&bin);
    let dir = tmp.path();
    let args = [
        "slurm", &v, "--shards", "4", "--reps", "8", "--out", "res", "--script", "job.sh",
        "--submit",
    ];
    let o = with_fake_slurm(dir, &args, &bin, false, &record, None);
    assert!(o.status.success(), "{}", stderr(&o));
    for i in 1..=3 {
        let shard = format!("{i}/4");
        let args = [
            "run", &v, "--reps", "8", "--shard", &shard, "--out", "res", "--quiet",
        ];
        let o = caresim(dir, &args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for i in [2, 3] {
        let journal = dir.join(format!(".res.shard-{i}-of-4.journal"));
        fs::rename(dir.join(format!("res.shard-{i}-of-4")), &journal).unwrap();
        let records = fs::read_to_string(journal.join("records.jsonl")).unwrap();
        let first = records.lines().next().unwrap();
        fs::write(journal.join("records.jsonl"), format!("{first}\n")).unwrap();
    }
    fs::write(dir.join("res.slurm-1000_3.log"), "starting shard 3/4\n").unwrap();
    (tmp, bin, record)
}

/// `caresim status res` in `dir` with `bin` first on PATH and `env` set.
fn status_with(dir: &Path, bin: &Path, record: &Path, env: &[(&str, &str)]) -> String {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caresim"));
    c.args(["status", "res"])
        .current_dir(dir)
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env("RECORD", record);
    for (k, v) in env {
        c.env(k, v);
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn status_tells_running_and_pending_tasks_from_one_that_died() {
    let (tmp, bin, record) = submitted_with_shards();
    let dir = tmp.path();
    // What squeue prints for an array with task 2 running and task 4 waiting (grouped, as
    // without --array), the merge waiting for it; task 3 is gone. No accounting.
    fs::write(
        record.join("squeue.out"),
        "1000_2|RUNNING|1:05|None\n1000_[4-4]|PENDING|0:00|Priority\n1001|PENDING|0:00|Dependency\n",
    )
    .unwrap();
    let text = status_with(
        dir,
        &bin,
        &record,
        &[(
            "SACCT_FAIL",
            "sacct: error: Slurm accounting storage is disabled",
        )],
    );
    let merge = dir.join("job.merge.sh").display().to_string();
    for needle in [
        "res: 4 shards of valid (seed 7, 8 replications); array job 1000, merge job 1001\n",
        "  shard 1/4: finished, 2 of 2 replications, last wrote 20",
        "  shard 2/4: RUNNING (job 1000_2, running for 1:05), unfinished, 1 of 2 replications, last wrote 20",
        "  shard 3/4: DIED, unfinished, 1 of 2 replications, last wrote ",
        ": not in the queue and unfinished: it died without writing an error (see its log res.slurm-1000_3.log)\n",
        "  shard 4/4: PENDING (job 1000_4, waiting: Priority), not started\n",
        "1 of 4 shards finished, 4 of 8 replications done; not merged yet\n",
        "merge job: PENDING (job 1001, waiting: Dependency)\n",
        "(note: sacct failed (exit status: 1: sacct: error: Slurm accounting storage is disabled), as it does without accounting storage",
        "2 shards pending or running in Slurm (2,4): they finish on their own\n",
        &format!(
            "--array=3 {}) && sbatch --dependency=afterok:${{jid%%;*}} --kill-on-invalid-dep=yes {merge}\n",
            dir.join("job.sh").display()
        ),
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    // Asked about both jobs, every task on its own line, never through a shell.
    assert_eq!(
        call(&record, "squeue-args").unwrap(),
        [
            "--noheader",
            "--array",
            "--states=all",
            "--jobs=1000,1001",
            "--format=%i|%T|%M|%r"
        ]
    );
    assert_eq!(
        call(&record, "sacct-args").unwrap(),
        [
            "--noheader",
            "--parsable2",
            "--jobs=1000,1001",
            "--format=JobID,State,ExitCode,Elapsed"
        ]
    );
}

#[test]
fn status_reports_timeouts_and_failures_from_sacct_and_why_slurm_is_not_shown() {
    let (tmp, bin, record) = submitted_with_shards();
    let dir = tmp.path();
    // The controller has forgotten the jobs; accounting remembers them, with job steps.
    fs::write(
        record.join("sacct.out"),
        "1000_1|COMPLETED|0:0|00:00:02\n1000_1.batch|COMPLETED|0:0|00:00:02\n\
         1000_2|TIMEOUT|0:0|01:00:00\n1000_2.batch|CANCELLED|0:15|01:00:03\n\
         1000_3|OUT_OF_MEMORY|0:125|00:00:10\n1000_4|FAILED|1:0|00:00:01\n\
         1001|CANCELLED by 0|0:0|00:00:00\n",
    )
    .unwrap();
    fs::write(
        dir.join("res.slurm-1000_4.log"),
        "error: res.shard-4-of-4 exists and was not made by caresim\n",
    )
    .unwrap();
    let fail = (
        "SQUEUE_FAIL",
        "slurm_load_jobs error: Invalid job id specified",
    );
    let text = status_with(dir, &bin, &record, &[fail]);
    for needle in [
        "  shard 1/4: finished, 2 of 2 replications, last wrote 20",
        "; COMPLETED (job 1000_1, after 00:00:02)\n",
        "  shard 2/4: TIMEOUT (job 1000_2, after 01:00:00), unfinished, 1 of 2 replications",
        "  shard 3/4: OUT_OF_MEMORY (job 1000_3, exit code 0:125, after 00:00:10), unfinished, 1 of 2 replications, last wrote ",
        "  shard 4/4: FAILED (job 1000_4, exit code 1:0, after 00:00:01), not started; its log res.slurm-1000_4.log ends: error: res.shard-4-of-4 exists",
        "merge job: CANCELLED (job 1001, after 00:00:00)\n",
        "--array=2-4 ",
    ] {
        assert!(text.contains(needle), "{needle:?} not in:\n{text}");
    }
    assert!(!text.contains("note:"), "{text}");

    // squeue failing otherwise, or missing: the folders' view, and why.
    let fail = (
        "SQUEUE_FAIL",
        "squeue: error: Unable to contact slurm controller",
    );
    let text = status_with(dir, &bin, &record, &[fail]);
    assert!(
        text.contains(
            "(Slurm's state of the jobs is not shown: squeue failed (exit status: 1: squeue: \
             error: Unable to contact slurm controller); this is from the folders and logs alone)"
        ),
        "{text}"
    );
    assert!(text.contains("  shard 2/4: unfinished, 1 of 2"), "{text}");
    fs::remove_file(bin.join("squeue")).unwrap();
    let o = with_fake_slurm(dir, &["status", "res"], &bin, true, &record, None);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("(Slurm's state of the jobs is not shown: squeue is not on PATH;"),
        "{text}"
    );
}

#[test]
fn status_without_job_ids_says_why_slurm_is_not_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let o = caresim(
        dir,
        &["run", v, "--shard", "1/2", "--out", "res", "--quiet"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = caresim(dir, &["status", "res"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(
            "(Slurm's state of the jobs is not shown: no job ids known: none recorded in res.slurm.json"
        ),
        "{text}"
    );
}

#[test]
fn the_merge_job_gets_its_own_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let script = |extra: &[&str]| {
        let mut args = vec![
            "slurm", v, "--shards", "2", "--mem", "8G", "--time", "02:00:00", "--script", "job.sh",
        ];
        args.extend_from_slice(extra);
        let o = caresim(dir.path(), &args);
        assert!(o.status.success(), "{}", stderr(&o));
        (
            fs::read_to_string(dir.path().join("job.sh")).unwrap(),
            fs::read_to_string(dir.path().join("job.merge.sh")).unwrap(),
        )
    };
    let (array, merge) = script(&[]);
    assert!(array.contains("\n#SBATCH --time=02:00:00\n#"), "{array}");
    assert!(array.contains("\n#SBATCH --mem=8G\n"), "{array}");
    // 4 replications: 5 minutes + 40 ms + 0.2 s, rounded up to the minute; no memory asked
    // for (the partition's default), not the array's --mem.
    assert!(merge.contains("\n#SBATCH --time=00:06:00\n"), "{merge}");
    assert!(!merge.contains("--mem"), "{merge}");
    assert!(
        !merge.contains("8G") && !merge.contains("02:00:00"),
        "{merge}"
    );
    let (_, merge) = script(&["--merge-time", "45", "--merge-mem", "300M"]);
    assert!(merge.contains("\n#SBATCH --time=45\n"), "{merge}");
    assert!(merge.contains("\n#SBATCH --mem=300M\n"), "{merge}");
    for (extra, needle) in [
        (
            ["--merge-time", "auto"],
            "--merge-time \"auto\" is not a Slurm time limit",
        ),
        (["--merge-time", "1\n2"], "--merge-time contains a newline"),
        (
            ["--merge-mem", "lots"],
            "--merge-mem \"lots\" is not a Slurm memory size",
        ),
    ] {
        let mut args = vec!["slurm", v, "--shards", "2"];
        args.extend_from_slice(&extra);
        let o = caresim(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{extra:?}: {}", stderr(&o));
    }
}
