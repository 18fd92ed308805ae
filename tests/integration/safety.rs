//! Safety and fault tolerance of every command (issue 10): nothing caresim did not make is
//! replaced; results appear complete or not at all; journals are locked and verified; a
//! closed pipe ends a command quietly; impossible requests are refused up front;
//! `compare` runs through the journaled pipeline.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{caresim, fixture, stderr};

fn code(o: &std::process::Output) -> Option<i32> {
    o.status.code()
}

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// A temporary folder holding a copy of `valid.toml` (and `variant.toml`, which extends it).
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for f in ["valid.toml", "variant.toml"] {
        fs::copy(fixture(f), dir.path().join(f)).unwrap();
    }
    let s = dir.path().join("valid.toml");
    (dir, s)
}

/// Every file under `dir` (relative path, bytes), except `timing.json` files, sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.file_name().unwrap() != "timing.json" {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn force_never_replaces_a_folder_caresim_did_not_make() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    let sb = dir.path().join("sb");
    fs::create_dir(&sb).unwrap();
    fs::write(sb.join("keep"), "mine").unwrap();
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "mine").unwrap();
    let refused = |cwd: &Path, args: &[&str], why: &str| {
        let o = caresim(cwd, args);
        assert_eq!(code(&o), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("use --force"), "{}", stderr(&o));
    };
    fn run<'a>(s: &'a str, out: &'a str) -> Vec<&'a str> {
        vec!["run", s, "--reps", "2", "--quiet", "--out", out, "--force"]
    }
    refused(&sb, &run(s, "."), "it is the working folder");
    refused(&sb, &run(s, ".."), "it holds the working folder");
    refused(dir.path(), &run(s, "/"), "root folder");
    refused(
        dir.path(),
        &run(s, dir.path().to_str().unwrap()),
        "working folder",
    );
    refused(dir.path(), &run(s, "mine"), "not made by caresim");
    // A folder holding an input file, even one caresim made.
    ok(&caresim(dir.path(), &run(s, "made")));
    fs::copy(fixture("valid.toml"), dir.path().join("made/in.toml")).unwrap();
    let input = dir.path().join("made/in.toml");
    refused(
        dir.path(),
        &[
            "run",
            input.to_str().unwrap(),
            "--reps",
            "2",
            "--out",
            "made",
            "--force",
        ],
        "holds the input file",
    );
    // Every command that writes a result folder follows the same rule.
    let v = dir.path().join("variant.toml");
    refused(
        dir.path(),
        &[
            "compare",
            s,
            v.to_str().unwrap(),
            "--reps",
            "2",
            "--out",
            "mine",
            "--force",
        ],
        "not made by caresim",
    );
    let sweep = dir.path().join("sweep.toml");
    fs::write(
        &sweep,
        "scenario = \"valid.toml\"\n[parameters]\n\"acute.beds\" = [18, 22]\n",
    )
    .unwrap();
    refused(
        dir.path(),
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "--reps",
            "2",
            "--out",
            "mine",
            "--force",
        ],
        "not made by caresim",
    );
    ok(&caresim(
        dir.path(),
        &[
            "run", s, "--reps", "2", "--quiet", "--out", "r", "--shard", "1/1",
        ],
    ));
    refused(
        dir.path(),
        &["merge", "r.shard-1-of-1", "--out", "mine", "--force"],
        "not made by caresim",
    );
    refused(dir.path(), &["plot", "mine"], "not a result folder");
    refused(dir.path(), &["report", "mine"], "not a result folder");
    // Nothing of the user's was touched, and nothing was left beside it.
    assert_eq!(fs::read_to_string(sb.join("keep")).unwrap(), "mine");
    assert_eq!(fs::read_dir(&mine).unwrap().count(), 1);
    assert!(input.exists());
    let stray: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    // A caresim result folder is replaced with --force (and only then).
    let o = caresim(dir.path(), &["run", s, "--reps", "2", "--out", "made"]);
    assert_eq!(code(&o), Some(2));
    assert!(stderr(&o).contains("use --force"), "{}", stderr(&o));
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "3", "--quiet", "--out", "r2"],
    ));
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "2", "--quiet", "--out", "r2", "--force"],
    ));
    assert!(dir.path().join("r2/charts").is_dir());
}

#[test]
fn a_journal_folder_caresim_did_not_make_is_never_used_or_deleted() {
    let (dir, s) = workspace();
    let j = dir.path().join(".out.journal");
    fs::create_dir(&j).unwrap();
    fs::write(j.join("diary.txt"), "mine").unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            s.to_str().unwrap(),
            "--reps",
            "2",
            "--out",
            "out",
            "--force",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("was not made by caresim"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(j.join("diary.txt")).unwrap(), "mine");
}

/// Start `caresim ARGS` in `dir` and wait until `records` holds `lines` lines (true), or
/// the command ends first (false); the child is returned running.
fn start_until(
    dir: &Path,
    args: &[&str],
    records: &Path,
    lines: usize,
) -> (std::process::Child, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caresim"))
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let n = fs::read(records).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        if n >= lines {
            return (child, true);
        }
        if child.try_wait().unwrap().is_some() {
            return (child, false);
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn two_identical_commands_do_not_share_a_journal() {
    let (dir, s) = workspace();
    let args = [
        "run",
        s.to_str().unwrap(),
        "--reps",
        "2000",
        "--threads",
        "1",
        "--out",
        "out",
    ];
    let records = dir.path().join(".out.journal/records.jsonl");
    let (mut first, running) = start_until(dir.path(), &args, &records, 2);
    assert!(running, "the first run finished too soon");
    let o = caresim(dir.path(), &args);
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another caresim is running this command"),
        "{}",
        stderr(&o)
    );
    // The journal is intact and resumable by the same command.
    let (mut again, running) = start_until(dir.path(), &args, &records, 4);
    assert!(running);
    again.kill().unwrap();
    again.wait().unwrap();
}

/// Run shards 1/2 and 2/2 of `valid.toml` (10 replications) with `seed` into `out`.
fn shards(dir: &Path, s: &str, out: &str, seed: &str) {
    for i in 1..=2 {
        ok(&caresim(
            dir,
            &[
                "run",
                s,
                "--reps",
                "10",
                "--quiet",
                "--seed",
                seed,
                "--out",
                out,
                "--shard",
                &format!("{i}/2"),
            ],
        ));
    }
}

#[test]
fn tampered_foreign_or_garbage_records_are_refused_with_file_and_line() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    shards(dir.path(), s, "a", "7");
    shards(dir.path(), s, "b", "8");
    let merge = |first: &str, second: &str| {
        caresim(
            dir.path(),
            &["merge", first, second, "--out", "m", "--force", "--quiet"],
        )
    };
    let records = dir.path().join("a.shard-2-of-2/records.jsonl");
    let original = fs::read_to_string(&records).unwrap();
    // One edited number on line 3.
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    let at = lines[2].find("\"admissions\":").expect("a count to edit") + 13;
    let digit = lines[2].as_bytes()[at];
    let edited = if digit == b'9' {
        '8'
    } else {
        (digit + 1) as char
    };
    lines[2].replace_range(at..=at, &edited.to_string());
    fs::write(&records, lines.join("\n") + "\n").unwrap();
    let o = merge("a.shard-1-of-2", "a.shard-2-of-2");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a.shard-2-of-2/records.jsonl:3: checksum mismatch"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("m").exists());
    // Another seed's records under this shard's header.
    fs::copy(dir.path().join("b.shard-2-of-2/records.jsonl"), &records).unwrap();
    let o = merge("a.shard-1-of-2", "a.shard-2-of-2");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("records.jsonl:1:"), "{}", stderr(&o));
    // Records in the right place are accepted again.
    fs::write(&records, &original).unwrap();
    ok(&merge("a.shard-1-of-2", "a.shard-2-of-2"));
    // A garbage line in a journal is found before anything is recomputed, at its line.
    let args = ["run", s, "--reps", "2000", "--threads", "1", "--out", "j"];
    let journal = dir.path().join(".j.journal");
    let (mut child, running) = start_until(dir.path(), &args, &journal.join("records.jsonl"), 4);
    assert!(running);
    child.kill().unwrap();
    child.wait().unwrap();
    let text = fs::read_to_string(journal.join("records.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1] = "garbage";
    fs::write(journal.join("records.jsonl"), lines.join("\n") + "\n").unwrap();
    let started = Instant::now();
    let o = caresim(dir.path(), &args);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(".j.journal/records.jsonl:2: not a caresim record"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    // A corrupt header is reported, not silently discarded; --force discards it.
    fs::write(journal.join("header.json"), "{").unwrap();
    let o = caresim(dir.path(), &args);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("malformed header"), "{}", stderr(&o));
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "3", "--quiet", "--out", "j", "--force"],
    ));
    assert!(!journal.exists());
}

#[test]
fn a_run_that_fails_on_bad_sampled_input_leaves_no_journal_in_the_way() {
    let (dir, _) = workspace();
    let bad = dir.path().join("psa.toml");
    fs::write(
        &bad,
        "extends = \"valid.toml\"\n[conditions.copd]\nadmit = { dist = \"normal\", mean = 0.9, sd = 0.5 }\n",
    )
    .unwrap();
    let b = bad.to_str().unwrap();
    let o = caresim(
        dir.path(),
        &["run", b, "--reps", "40", "--quiet", "--out", "psa"],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join(".psa.journal").exists());
    assert!(!dir.path().join("psa").exists());
    fs::write(
        &bad,
        "extends = \"valid.toml\"\n[conditions.copd]\nadmit = { dist = \"beta\", mean = 0.3, sd = 0.05 }\n",
    )
    .unwrap();
    ok(&caresim(
        dir.path(),
        &["run", b, "--reps", "4", "--quiet", "--out", "psa"],
    ));
}

#[test]
fn closed_pipes_end_quietly_after_the_results_are_written() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    // Both ends closed before caresim writes anything.
    let closed = |args: &[&str]| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caresim"))
            .args(args)
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        drop(child.stderr.take());
        child.wait().unwrap()
    };
    let status = closed(&["validate", s, s, s]);
    assert_eq!(status.code(), Some(0));
    let status = closed(&["run", s, "--reps", "3", "--out", "out"]);
    assert_eq!(status.code(), Some(0));
    assert!(dir.path().join("out/summary.csv").is_file());
    assert!(dir.path().join("out/charts").is_dir());
    let status = closed(&["report", "out"]);
    assert_eq!(status.code(), Some(0));
    assert!(dir.path().join("out/report.html").is_file());
    // Errors with nowhere to go still give their exit code.
    let status = closed(&["validate", "missing.toml"]);
    assert_eq!(status.code(), Some(2));
}

#[test]
fn impossible_requests_are_refused_before_starting() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    for (args, needle) in [
        (vec!["run", s, "--threads", "100000"], "--threads 100000"),
        (vec!["run", s, "--reps", "1000000000"], "from 1 to 1000000"),
        (
            vec!["compare", s, s, "--reps", "1000000000"],
            "from 1 to 1000000",
        ),
    ] {
        let started = Instant::now();
        let o = caresim(dir.path(), &args);
        assert_eq!(code(&o), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    // The README's example: a valid scenario whose replications cannot fit in memory.
    if caresim::experiment::budget::available_memory().is_some_and(|m| m < 100 << 30) {
        let huge = fixture("huge_cohort.toml");
        let o = caresim(
            dir.path(),
            &["run", huge.to_str().unwrap(), "--out", "huge"],
        );
        assert_eq!(code(&o), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("driven by conditions.copd.patients = 1,000,000,000"),
            "{}",
            stderr(&o)
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}

#[test]
fn a_kill_at_any_moment_leaves_the_whole_folder_or_a_resumable_journal() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    let args = ["run", s, "--reps", "12", "--threads", "1", "--out", "out"];
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "12", "--quiet", "--out", "whole"],
    ));
    let whole = tree(&dir.path().join("whole"));
    // Kill after increasing delays: during the run, the folding, the charts, the rename.
    for ms in [40u64, 80, 120, 160, 200, 240, 280, 320, 400, 500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caresim"))
            .args(args)
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill();
        child.wait().unwrap();
        let out = dir.path().join("out");
        if out.exists() {
            assert_eq!(tree(&out), whole, "a partial folder after {ms} ms");
            fs::remove_dir_all(&out).unwrap();
        }
        // The same command completes it (resuming any journal) without --force.
        let o = caresim(dir.path(), &args);
        ok(&o);
        assert_eq!(tree(&out), whole);
        fs::remove_dir_all(&out).unwrap();
    }
}

#[test]
fn compare_resumes_shards_merges_and_refuses_arms_over_different_windows() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    let v = dir.path().join("variant.toml");
    let v = v.to_str().unwrap();
    let compare = |extra: &[&str]| {
        let mut args = vec!["compare", s, v, "--quiet", "--threads", "1"];
        args.extend_from_slice(extra);
        caresim(dir.path(), &args)
    };
    ok(&compare(&["--reps", "8", "--out", "whole"]));
    let whole = tree(&dir.path().join("whole"));
    assert!(whole.iter().any(|(n, _)| n == "comparison.csv"));
    assert!(whole.iter().any(|(n, _)| n.starts_with("charts/")));
    // Killed and resumed: the same files.
    let args = [
        "compare",
        s,
        v,
        "--reps",
        "400",
        "--threads",
        "1",
        "--out",
        "long",
    ];
    let records = dir.path().join(".long.journal/records.jsonl");
    let (mut child, running) = start_until(dir.path(), &args, &records, 6);
    assert!(running);
    child.kill().unwrap();
    child.wait().unwrap();
    let args8: Vec<&str> = args
        .iter()
        .map(|a| if *a == "400" { "8" } else { a })
        .collect();
    let o = caresim(dir.path(), &args8);
    assert_eq!(code(&o), Some(2), "a journal of 400 is not resumed as 8");
    let o = caresim(dir.path(), &args);
    ok(&o);
    assert!(stderr(&o).contains("resuming:"), "{}", stderr(&o));
    // Shards merge into the single-machine result.
    for i in 1..=3 {
        ok(&compare(&[
            "--reps",
            "8",
            "--out",
            "sh",
            "--shard",
            &format!("{i}/3"),
        ]));
    }
    ok(&caresim(
        dir.path(),
        &[
            "merge",
            "sh.shard-1-of-3",
            "sh.shard-2-of-3",
            "sh.shard-3-of-3",
            "--out",
            "merged",
            "--quiet",
        ],
    ));
    assert_eq!(tree(&dir.path().join("merged")), whole);
    // --reps auto.
    let o = compare(&["--reps", "auto", "--max-reps", "20", "--out", "auto"]);
    ok(&o);
    // Arms over different windows are refused, naming the difference.
    let other = dir.path().join("longer.toml");
    fs::write(
        &other,
        "extends = \"valid.toml\"\n[simulation]\nhorizon_days = 500.0\n",
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &["compare", s, other.to_str().unwrap(), "--reps", "2"],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("simulation.horizon_days: is 500 where the base"),
        "{}",
        stderr(&o)
    );
    // An unwritable --out is found before anything runs.
    fs::write(dir.path().join("file"), "").unwrap();
    let started = Instant::now();
    let o = compare(&["--reps", "400", "--out", "file/sub"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("file is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_full_disk_leaves_no_partial_result() {
    // Needs a small tmpfs, which only root can mount; skipped elsewhere.
    let (dir, s) = workspace();
    let disk = dir.path().join("disk");
    fs::create_dir(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&disk)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let o = caresim(
        &disk,
        &[
            "run",
            s.to_str().unwrap(),
            "--reps",
            "20",
            "--quiet",
            "--out",
            "out",
        ],
    );
    let listing: Vec<String> = fs::read_dir(&disk)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let _ = Command::new("umount").arg(&disk).status();
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("No space left"), "{}", stderr(&o));
    // The journal may remain (resumable); no result folder and no staging folder.
    assert!(listing.iter().all(|n| n == ".out.journal"), "{listing:?}");
}

#[test]
fn review_findings_stay_fixed() {
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    // An arm named like the comparison's charts folder keeps its own results.
    let named = dir.path().join("named.toml");
    fs::write(
        &named,
        "extends = \"valid.toml\"\n[scenario]\nname = \"charts\"\n",
    )
    .unwrap();
    ok(&caresim(
        dir.path(),
        &[
            "compare",
            s,
            named.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--out",
            "cmp",
        ],
    ));
    assert!(dir.path().join("cmp/charts_2/summary.csv").is_file());
    assert!(dir.path().join("cmp/charts/acute_occupancy.png").is_file());
    ok(&caresim(dir.path(), &["report", "cmp"]));
    // plot never deletes a file of the user's in charts/, and leaves nothing behind.
    fs::write(dir.path().join("cmp/charts/notes.txt"), "mine").unwrap();
    let o = caresim(dir.path(), &["plot", "cmp"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.txt"), "{}", stderr(&o));
    assert!(dir.path().join("cmp/charts/notes.txt").is_file());
    assert!(!dir.path().join("cmp/.charts.partial").exists());
    fs::remove_file(dir.path().join("cmp/charts/notes.txt")).unwrap();
    ok(&caresim(dir.path(), &["plot", "cmp"]));
    // Result files are as readable as any file the user makes (umask, not 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let o = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask 022; exec '{}' run '{s}' --reps 2 --quiet --out shared",
                env!("CARGO_BIN_EXE_caresim")
            ))
            .current_dir(dir.path())
            .output()
            .unwrap();
        ok(&o);
        for f in ["shared", "shared/summary.csv", "shared/manifest.json"] {
            let mode = fs::metadata(dir.path().join(f))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o044, 0o044, "{f}: mode {mode:o}");
        }
    }
    // A sweep of a whole-number key refuses fractions at the value.
    let sweep = dir.path().join("frac.toml");
    fs::write(
        &sweep,
        "scenario = \"valid.toml\"\n[parameters]\n\"acute.beds\" = [20, 1.5]\n\"conditions.copd.exacerbations_per_year\" = [1.5, 2]\n",
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &[
            "validate",
            "--message-format=short",
            sweep.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim(),
        format!(
            "error: {}:3:21: acute.beds: acute.beds takes whole numbers, got 1.5",
            sweep.display()
        )
    );
    // Shards: no more shards than runs; the merged folder's --out checked before any runs.
    let shard = |out: &str, of: &str| {
        caresim(
            dir.path(),
            &[
                "run", s, "--reps", "4", "--quiet", "--out", out, "--shard", of,
            ],
        )
    };
    let o = shard("sh", "1/5");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("use at most 4 shards"),
        "{}",
        stderr(&o)
    );
    let o = shard(".", "1/2");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let mine = dir.path().join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("x"), "").unwrap();
    let o = shard("mine", "1/2");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let o = caresim(dir.path(), &["slurm", s, "--shards", "2", "--out", "mine"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(!dir.path().join("mine.shard-1-of-2").exists());
    // A journal missing its records or its header is reported; --force starts again.
    let args = ["run", s, "--reps", "2000", "--threads", "1", "--out", "k"];
    let journal = dir.path().join(".k.journal");
    for missing in ["records.jsonl", "header.json"] {
        let (mut child, running) =
            start_until(dir.path(), &args, &journal.join("records.jsonl"), 3);
        assert!(running);
        child.kill().unwrap();
        child.wait().unwrap();
        fs::remove_file(journal.join(missing)).unwrap();
        let o = caresim(dir.path(), &args);
        assert_eq!(code(&o), Some(2), "{missing}: {}", stderr(&o));
        assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
        ok(&caresim(
            dir.path(),
            &["run", s, "--reps", "3", "--quiet", "--out", "k", "--force"],
        ));
        fs::remove_dir_all(dir.path().join("k")).unwrap();
    }
}

#[test]
fn a_journal_killed_while_writing_its_marker_is_still_ours() {
    // A run killed between creating its journal folder and renaming the marker into it
    // leaves only the lock and a temporary file of atomic_write: the next run resumes.
    let (dir, s) = workspace();
    let s = s.to_str().unwrap();
    let journal = dir.path().join(".out.journal");
    fs::create_dir(&journal).unwrap();
    fs::write(journal.join("lock"), "").unwrap();
    fs::write(journal.join(".caresim-a1b2c3.tmp"), "half a marker").unwrap();
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "2", "--quiet", "--out", "out"],
    ));
    assert!(dir.path().join("out/summary.csv").exists());
    // Anything else in it is still someone else's.
    let journal = dir.path().join(".other.journal");
    fs::create_dir(&journal).unwrap();
    fs::write(journal.join("notes.txt"), "mine").unwrap();
    let o = caresim(
        dir.path(),
        &["run", s, "--reps", "2", "--quiet", "--out", "other"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(journal.join("notes.txt")).unwrap(),
        "mine"
    );
}
