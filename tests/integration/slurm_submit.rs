//! `caresim slurm --submit` with a fake `sbatch` on PATH (the array job, then the merge job
//! after it; a failure explained and nothing left half-submitted), `caresim status` on a
//! folder with a finished, an unfinished and a missing shard, and the checks of the
//! options written into the scripts.

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
            "caresim sets --time itself (from --time)",
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
