//! `caresim slurm` writes scripts that run exactly their own commands: control characters
//! in any value are refused, `--time` / `--partition` / `--account` / `--qos` / `--mem` /
//! `--sbatch-arg` / `--shards` / `--cpus-per-task` are checked, hostile but legal paths become literal folder names when the script runs, and
//! `--script` replaces only a script caresim wrote.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{caresim, fixture, stderr};

/// A name no test value creates except through injected code.
const PWNED: &str = "PWNED";

fn refused(o: &Output, needle: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let e = stderr(o);
    assert!(e.contains(needle), "stderr lacks {needle:?}: {e}");
    assert!(!e.contains("panicked"), "{e}");
}

/// Every path under `dir` (recursively), symlinks not followed.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                todo.push(p.clone());
            }
            all.push(p);
        }
    }
    all
}

fn assert_no_pwned(dir: &Path) {
    let found: Vec<PathBuf> = walk(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == PWNED))
        .collect();
    assert!(found.is_empty(), "injected code ran: {found:?}");
}

#[test]
fn slurm_refuses_control_characters_in_every_value() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let cases: [(&str, &str, &str); 6] = [
        ("--time", "01:00:00\ntouch PWNED", "a newline"),
        ("--time", "01:00:00\r", "a carriage return"),
        ("--partition", "main\ntouch PWNED", "a newline"),
        ("--out", "res\n$(touch PWNED)", "a newline"),
        ("--out", "res\u{1b}[2J", "U+001B"),
        ("--script", "job\n.sh", "a newline"),
    ];
    for (option, value, what) in cases {
        let o = caresim(dir.path(), &["slurm", v, "--shards", "2", option, value]);
        refused(&o, option);
        refused(&o, what);
        assert!(o.stdout.is_empty(), "{option}: a script was printed");
    }
    // A scenario path with a tab, a legal file name.
    let odd = dir.path().join("s\tc.toml");
    fs::copy(fixture("valid.toml"), &odd).unwrap();
    let o = caresim(dir.path(), &["slurm", "s\tc.toml", "--shards", "2"]);
    refused(&o, "the scenario path contains a tab");
    // Nothing was written.
    let left: Vec<PathBuf> = walk(dir.path());
    assert_eq!(left, vec![odd], "files were written");
}

#[test]
fn slurm_checks_time_partition_shards_and_cpus() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    for t in [
        "1h",
        "01:00:00;touch PWNED",
        "$(touch PWNED)",
        "1:2:3:4",
        "",
    ] {
        let o = caresim(dir.path(), &["slurm", v, "--shards", "2", "--time", t]);
        refused(&o, "is not a Slurm time limit");
    }
    for t in [
        "30",
        "1:00",
        "01:00:00",
        "2-12",
        "2-12:30",
        "2-12:30:00",
        "UNLIMITED",
    ] {
        let o = caresim(dir.path(), &["slurm", v, "--shards", "2", "--time", t]);
        assert!(o.status.success(), "{t}: {}", stderr(&o));
        let script = String::from_utf8(o.stdout).unwrap();
        assert!(
            script.contains(&format!("\n#SBATCH --time={t}\n")),
            "{script}"
        );
    }
    for p in ["a b", "main;touch PWNED", "'main'", "a,,b", "$(x)"] {
        let o = caresim(dir.path(), &["slurm", v, "--shards", "2", "--partition", p]);
        refused(&o, "is not a Slurm partition name");
    }
    let o = caresim(
        dir.path(),
        &[
            "slurm",
            v,
            "--shards",
            "2",
            "--partition",
            "gpu-a100,short.q",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Huge shard counts are refused before anything is allocated; so are more shards than
    // runs (valid.toml: 4 replications).
    let o = caresim(dir.path(), &["slurm", v, "--shards", "4000000000"]);
    refused(&o, "at most 10000");
    let o = caresim(dir.path(), &["slurm", v, "--shards", "5"]);
    refused(&o, "more than the 4 runs");
    let o = caresim(dir.path(), &["slurm", v, "--shards", "3", "--reps", "2"]);
    refused(
        &o,
        "more than the 2 runs to share out (1 point × 2 replications)",
    );
    let sweep = fixture("sweep_small.toml");
    let o = caresim(
        dir.path(),
        &[
            "slurm",
            "--sweep",
            sweep.to_str().unwrap(),
            "--shards",
            "19",
        ],
    );
    refused(
        &o,
        "more than the 18 runs to share out (6 points × 3 replications)",
    );
    for c in ["0", "1025"] {
        let o = caresim(
            dir.path(),
            &["slurm", v, "--shards", "2", "--cpus-per-task", c],
        );
        refused(&o, "--cpus-per-task");
    }
    assert_no_pwned(dir.path());
}

/// The arguments of one `#SBATCH` line as sbatch reads them (`_get_argument` in Slurm's
/// `src/sbatch/opt.c`): split at whitespace, quotes group, backslash escapes, an unquoted
/// `#` starts a comment.
fn sbatch_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return words;
        }
        let mut w = String::new();
        let mut quote: Option<char> = None;
        while let Some(&c) = chars.peek() {
            if quote.is_none() && c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '\\' => w.extend(chars.next()),
                c if Some(c) == quote => quote = None,
                '"' | '\'' if quote.is_none() => quote = Some(c),
                '#' if quote.is_none() => return words,
                c => w.push(c),
            }
        }
        words.push(w);
    }
}

/// Run `script` with bash in `cwd`, as array task `task` of job 42 when given (as Slurm
/// would, with no `sbatch` on PATH: the scripts submit nothing themselves).
fn run_script(script: &Path, task: Option<u32>, cwd: &Path) -> Output {
    let mut c = Command::new("bash");
    c.arg(script)
        .current_dir(cwd)
        .env("SLURM_CPUS_PER_TASK", "1");
    if let Some(task) = task {
        c.env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_ARRAY_JOB_ID", "42");
    }
    c.output().unwrap()
}

#[test]
fn a_slurm_script_from_hostile_paths_runs_only_its_own_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let hostile = "a b$(touch PWNED)`touch PWNED`;touch PWNED;'q\"#%x";
    // The working folder, the scenario file and the result folder all hostile. (Scenario
    // names are letters, digits, `_` and `-`: the loader refuses others.)
    let work = tmp.path().join(format!("w {hostile}"));
    fs::create_dir(&work).unwrap();
    let text = fs::read_to_string(fixture("valid.toml")).unwrap();
    let scenario = format!("s {hostile}.toml");
    fs::write(work.join(&scenario), text).unwrap();
    let out = format!("r {hostile}");
    let o = caresim(
        &work,
        &[
            "slurm",
            &scenario,
            "--shards",
            "2",
            "--reps",
            "2",
            "--out",
            &out,
            "--script",
            &format!("j {hostile}.sh"),
            "--sbatch-arg",
            &format!("--comment={hostile}"),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let script_path = work.join(format!("j {hostile}.sh"));
    let merge_path = work.join(format!("j {hostile}.merge.sh"));

    // The #SBATCH lines as sbatch reads them: one option each, a safe job name, the logs
    // beside the results with `%` doubled, the user's option intact.
    let log = format!("{}.slurm-%A_%a.log", work.join(&out).display()).replace("%x", "%%x");
    let merge_log =
        format!("{}.slurm-merge-%j.log", work.join(&out).display()).replace("%x", "%%x");
    for (path, name, log) in [
        (&script_path, "caresim-valid", &log),
        (&merge_path, "caresim-valid-merge", &merge_log),
    ] {
        let script = fs::read_to_string(path).unwrap();
        for line in script.lines().filter(|l| l.starts_with("#SBATCH")) {
            let words = sbatch_words(&line["#SBATCH".len()..]);
            assert_eq!(words.len(), 1, "{line} reads as {words:?}");
            if let Some(n) = words[0].strip_prefix("--job-name=") {
                assert_eq!(n, name);
            }
            if let Some(p) = words[0].strip_prefix("--output=") {
                assert_eq!(p, log);
            }
            if let Some(c) = words[0].strip_prefix("--comment=") {
                assert_eq!(c, hostile);
            }
        }
        assert!(script.contains("\n#SBATCH --output="), "{script}");
        assert!(script.contains("\n#SBATCH \"--comment="), "{script}");
        bash_syntax_ok(path);
    }

    // Both array tasks for real, then the merge, from another folder.
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    for task in [1, 2] {
        let o = run_script(&script_path, Some(task), &elsewhere);
        assert!(o.status.success(), "task {task}: {}", stderr(&o));
    }
    for i in [1, 2] {
        assert!(
            work.join(format!("{out}.shard-{i}-of-2")).is_dir(),
            "shard {i} not at its literal name"
        );
    }
    let o = run_script(&merge_path, None, &elsewhere);
    assert!(o.status.success(), "merge: {}", stderr(&o));
    assert!(
        work.join(&out).join("summary.csv").is_file(),
        "the merged result is not at its literal name: {:?}",
        walk(&work)
    );
    assert_no_pwned(tmp.path());
}

fn bash_syntax_ok(script: &Path) {
    let o = Command::new("bash").arg("-n").arg(script).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn slurm_script_replaces_only_a_script_caresim_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let v = v.to_str().unwrap();
    let args = |script: &str| -> Vec<String> {
        [
            "slurm", v, "--shards", "2", "--out", "r", "--script", script,
        ]
        .map(String::from)
        .to_vec()
    };
    let run = |script: &str| {
        let a = args(script);
        caresim(
            dir.path(),
            &a.iter().map(String::as_str).collect::<Vec<_>>(),
        )
    };
    // A user's file is kept as it was.
    fs::write(dir.path().join("mine.sh"), "#!/bin/bash\necho my own job\n").unwrap();
    refused(&run("mine.sh"), "was not written by caresim slurm");
    assert_eq!(
        fs::read_to_string(dir.path().join("mine.sh")).unwrap(),
        "#!/bin/bash\necho my own job\n"
    );
    // A folder, a symlink (even to a caresim script) and a FIFO are refused.
    fs::create_dir(dir.path().join("folder")).unwrap();
    refused(&run("folder"), "is a folder");
    let o = run("job.sh");
    assert!(o.status.success(), "{}", stderr(&o));
    std::os::unix::fs::symlink("job.sh", dir.path().join("link.sh")).unwrap();
    refused(&run("link.sh"), "not a regular file");
    if Command::new("mkfifo")
        .arg(dir.path().join("fifo"))
        .status()
        .is_ok_and(|s| s.success())
    {
        refused(&run("fifo"), "not a regular file");
    }
    // A script caresim wrote is replaced (another shard count).
    let o = caresim(
        dir.path(),
        &[
            "slurm", v, "--shards", "3", "--out", "r", "--script", "job.sh",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let script = fs::read_to_string(dir.path().join("job.sh")).unwrap();
    assert!(script.contains("#SBATCH --array=1-3"), "{script}");
    assert!(
        script
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("# Generated by `caresim slurm`")
    );
}
