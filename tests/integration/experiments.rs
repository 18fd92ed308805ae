//! Experiments at scale: uncertain parameters, sweeps, `--reps auto`, journaled runs that
//! resume after `kill -9`, and shards merged into the single-machine result.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use caresim::experiment::Plan;
use caresim::scenario;

use crate::util::{caresim, fixture, stderr};

/// Every result file of `dir` except `timing.json` (which records how this invocation ran),
/// by name, with its bytes (charts, drawn from these files, are checked in `charts.rs`).
fn result_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().unwrap() != "timing.json")
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "{} holds {} files",
        dir.display(),
        files.len()
    );
    files
}

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// The values of column `name` of a CSV file.
fn column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records().map(|x| x.unwrap()[i].to_string()).collect()
}

#[test]
fn uncertain_parameters_are_sampled_per_replication_and_shared_by_arms() {
    // In-process: the sampled values have the distribution's mean.
    let s = scenario::load(&fixture("psa_small.toml")).unwrap();
    assert_eq!(s.uncertain.len(), 2);
    assert_eq!(
        s.params.conditions[0].admit, 0.3,
        "base parameters at the mean"
    );
    let plan = Plan::single(&s, 11, 400);
    let admits: Vec<f64> = (0..400).map(|r| plan.sample(0, r)[1]).collect();
    let mean = admits.iter().sum::<f64>() / 400.0;
    assert!(
        (mean - 0.3).abs() < 3.0 * 0.05 / 20.0,
        "mean sampled admit {mean}"
    );
    let (p, sampled) = plan.params(0, 7).unwrap();
    assert_eq!(
        p.conditions[0].admit, sampled[1],
        "replication 7 runs its own draw"
    );

    // `compare`: replication r of every arm uses the same sampled values, which are columns
    // of runs.csv.
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (fixture("psa_small.toml"), fixture("psa_small_alt.toml"));
    let o = caresim(
        dir.path(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--reps",
            "5",
            "--quiet",
            "--out",
            "cmp",
        ],
    );
    ok(&o);
    let col = |arm: &str, c: &str| column(&dir.path().join("cmp").join(arm).join("runs.csv"), c);
    for c in ["psa.conditions.copd.admit", "psa.acute.bed_day_cost"] {
        let base = col("psa_small", c);
        assert_eq!(base, col("psa_small_alt", c), "{c} differs between arms");
        assert!(base.windows(2).all(|w| w[0] != w[1]), "{c} not resampled");
    }
}

#[test]
fn a_sweep_runs_every_grid_point_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = fixture("sweep_small.toml");
    for (threads, out) in [("1", "one"), ("2", "two")] {
        let o = caresim(
            dir.path(),
            &[
                "sweep",
                sweep.to_str().unwrap(),
                "--threads",
                threads,
                "--quiet",
                "--out",
                out,
            ],
        );
        ok(&o);
    }
    let one = dir.path().join("one");
    assert_eq!(result_files(&one), result_files(&dir.path().join("two")));
    // 2 × 3 points × 3 replications.
    let beds = column(&one.join("runs.csv"), "acute.beds");
    assert_eq!(beds.len(), 18);
    let sweep_rows = column(&one.join("sweep.csv"), "metric");
    let metrics = sweep_rows.iter().filter(|m| *m == "admissions").count();
    assert_eq!(metrics, 6, "one admissions row per point");
    // Higher admission probability, more admissions, at every bed number.
    let mut r = csv::Reader::from_path(one.join("sweep.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r
        .records()
        .map(Result::unwrap)
        .filter(|x| &x[3] == "admissions")
        .collect();
    for beds in ["15", "20"] {
        let means: Vec<f64> = rows
            .iter()
            .filter(|x| &x[1] == beds)
            .map(|x| x[4].parse().unwrap())
            .collect();
        assert!(means.windows(2).all(|w| w[0] < w[1]), "{means:?}");
    }
}

#[test]
fn a_one_way_sweep_is_the_base_then_each_parameter_low_and_high() {
    let s = caresim::experiment::sweep::load(&fixture("sweep_one_way.toml")).unwrap();
    let points = s.point_values();
    let values: Vec<Vec<f64>> = points
        .iter()
        .map(|p| p.iter().map(|(_, v)| *v).collect())
        .collect();
    assert_eq!(
        values,
        vec![
            vec![20.0, 0.3],
            vec![15.0, 0.3],
            vec![25.0, 0.3],
            vec![20.0, 0.2],
            vec![20.0, 0.4]
        ]
    );
}

#[test]
fn reps_auto_stops_when_precise_enough_or_at_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let valid = fixture("valid.toml");
    let o = caresim(
        dir.path(),
        &[
            "run",
            valid.to_str().unwrap(),
            "--reps",
            "auto",
            "--precision",
            "0.02",
            "--out",
            "auto",
        ],
    );
    ok(&o);
    assert!(stderr(&o).contains("precise enough"), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("auto/summary.json")).unwrap()).unwrap();
    let n = summary["replications"].as_u64().unwrap();
    assert!(
        [10, 20, 40, 80, 160, 320, 640].contains(&n),
        "batches of 10 doubling, got {n}"
    );
    for m in ["admissions", "acute_bed_days", "total_cost"] {
        let s = &summary["metrics"][m];
        let (h, mean) = (
            s["ci95_half_width"].as_f64().unwrap(),
            s["mean"].as_f64().unwrap(),
        );
        assert!(h <= 0.02 * mean, "{m}: ±{h} of {mean}");
    }
    // An unreachable precision stops at the cap.
    let o = caresim(
        dir.path(),
        &[
            "run",
            valid.to_str().unwrap(),
            "--reps",
            "auto",
            "--precision",
            "0.000001",
            "--max-reps",
            "30",
            "--out",
            "cap",
        ],
    );
    ok(&o);
    assert!(stderr(&o).contains("cap reached"), "{}", stderr(&o));
    assert_eq!(
        column(&dir.path().join("cap/runs.csv"), "replication").len(),
        30
    );
}

/// Start `caresim run SCENARIO --reps N --threads 1 --out OUT` and kill -9 it once its
/// journal holds at least `lines` replications. Returns false if it finished first.
fn run_and_kill(dir: &Path, scenario: &Path, reps: &str, out: &str, lines: usize) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caresim"))
        .args(["run", scenario.to_str().unwrap(), "--reps", reps])
        .args(["--threads", "1", "--quiet", "--out", out])
        .current_dir(dir)
        .spawn()
        .unwrap();
    let records = dir.join(format!(".{out}.journal/records.jsonl"));
    let started = Instant::now();
    loop {
        let n = fs::read(&records).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        if n >= lines {
            child.kill().unwrap(); // SIGKILL: no chance to clean up
            child.wait().unwrap();
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_killed_run_resumes_to_exactly_the_uninterrupted_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("valid.toml");
    fs::copy(fixture("valid.toml"), &scenario).unwrap();
    assert!(
        run_and_kill(dir.path(), &scenario, "600", "resumed", 20),
        "the run finished before it could be killed"
    );
    assert!(
        !dir.path().join("resumed").exists(),
        "no result folder after a kill"
    );
    let s = scenario.to_str().unwrap();
    let o = caresim(dir.path(), &["run", s, "--reps", "600", "--out", "resumed"]);
    ok(&o);
    assert!(stderr(&o).contains("resuming:"), "{}", stderr(&o));
    let o = caresim(
        dir.path(),
        &["run", s, "--reps", "600", "--out", "whole", "--quiet"],
    );
    ok(&o);
    assert_eq!(
        result_files(&dir.path().join("resumed")),
        result_files(&dir.path().join("whole"))
    );
    assert!(
        !dir.path().join(".resumed.journal").exists(),
        "journal removed"
    );
}

#[test]
fn a_changed_scenario_is_not_resumed_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("valid.toml");
    fs::copy(fixture("valid.toml"), &scenario).unwrap();
    assert!(run_and_kill(dir.path(), &scenario, "600", "out", 5));
    let text = fs::read_to_string(&scenario).unwrap();
    fs::write(&scenario, text.replace("beds = 20", "beds = 21")).unwrap();
    let s = scenario.to_str().unwrap();
    let o = caresim(dir.path(), &["run", s, "--reps", "600", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("holds an unfinished run that differs from this one")
            && e.contains("content hash differs")
            && e.contains("--force"),
        "{e}"
    );
    let o = caresim(
        dir.path(),
        &[
            "run", s, "--reps", "10", "--out", "out", "--force", "--quiet",
        ],
    );
    ok(&o);
    assert_eq!(
        column(&dir.path().join("out/runs.csv"), "replication").len(),
        10
    );
}

#[test]
fn shards_merge_into_the_single_machine_result_and_bad_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let s = v.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", s, "--reps", "10", "--quiet", "--out", "res"];
        args.extend_from_slice(extra);
        caresim(dir.path(), &args)
    };
    for i in 1..=3 {
        ok(&run(&["--shard", &format!("{i}/3")]));
    }
    let shard = |i: u32| format!("res.shard-{i}-of-3");
    let merge = |shards: &[String], out: &str| {
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().cloned());
        args.extend(["--out".to_string(), out.to_string(), "--quiet".to_string()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        caresim(dir.path(), &refs)
    };
    ok(&merge(&[shard(3), shard(1), shard(2)], "merged"));
    ok(&caresim(
        dir.path(),
        &["run", s, "--reps", "10", "--quiet", "--out", "single"],
    ));
    assert_eq!(
        result_files(&dir.path().join("merged")),
        result_files(&dir.path().join("single"))
    );
    // The values by year travel in the shards' journals too.
    assert!(dir.path().join("merged/by_year.csv").is_file());
    // Missing, repeated, and foreign shards are named.
    let refused = |shards: &[String], needle: &str| {
        let o = merge(shards, "bad");
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(!dir.path().join("bad").exists());
    };
    refused(&[shard(1), shard(3)], "missing shard(s) 2/3");
    refused(&[shard(1), shard(1), shard(2), shard(3)], "given twice");
    let o = caresim(
        dir.path(),
        &[
            "run", s, "--reps", "10", "--quiet", "--out", "other", "--seed", "99", "--shard", "2/3",
        ],
    );
    ok(&o);
    refused(
        &[shard(1), "other.shard-2-of-3".into(), shard(3)],
        "shards of different runs: seed 7 vs 99",
    );
}

#[test]
fn the_slurm_script_is_valid_bash_with_an_array_and_a_merge() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let o = caresim(
        dir.path(),
        &[
            "slurm",
            v.to_str().unwrap(),
            "--shards",
            "4",
            "--reps",
            "8",
            "--script",
            "job.sh",
        ],
    );
    ok(&o);
    let script = fs::read_to_string(dir.path().join("job.sh")).unwrap();
    let merge = fs::read_to_string(dir.path().join("job.merge.sh")).unwrap();
    for (text, needle) in [
        (&script, "#SBATCH --array=1-4"),
        (&script, "--shard \"${SLURM_ARRAY_TASK_ID}/4\""),
        (&script, "--reps 8"),
        // How to submit the merge after the array.
        (&script, "--dependency=afterok:"),
        (&merge, " merge --quiet --force --out "),
    ] {
        assert!(text.contains(needle), "script lacks {needle}:\n{text}");
    }
    for file in ["job.sh", "job.merge.sh"] {
        let check = Command::new("bash")
            .args(["-n", file])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(check.status.success(), "{}", stderr(&check));
    }
}
