//! Golden output: a small scenario with a fixed seed against a checked-in `runs.csv`.
//!
//! It fails when anything changes the numbers: the model, the seed derivation, or a
//! dependency's sampling algorithm (rand_distr may change them between minor versions).
//! Update the file only on purpose: `CARESIM_BLESS=1 cargo test golden`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use crate::util::run_fixture;

#[test]
fn small_scenario_matches_golden_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    run_fixture(dir.path(), "valid.toml", &["--reps", "3"]);
    let got = fs::read_to_string(dir.path().join("output/valid/runs.csv")).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/valid_runs.csv");
    if std::env::var_os("CARESIM_BLESS").is_some() {
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read_to_string(&golden).expect("golden file (bless with CARESIM_BLESS=1)");
    assert_eq!(
        got, want,
        "runs.csv differs from tests/golden/valid_runs.csv"
    );
}

/// Every result file of a run (with charts and report), a comparison of the bundled NHS
/// baseline with every evidence-based lever (two simulated years), a sweep and a PSA run,
/// against SHA-256 hashes recorded in `tests/golden/result_hashes.txt`: a restructuring
/// must leave every byte as it was. `timing.json` (this invocation) is left out, and the
/// report's lines naming the command (which holds the paths) and the wall time and threads
/// are dropped before hashing, as are the manifests' `tool_commit` lines (the git commit
/// caresim was built from, different at every commit).
///
/// Update the file only on purpose: `CARESIM_BLESS=1 cargo test golden`.
#[test]
fn every_result_file_matches_its_golden_hash() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runs: [Vec<String>; 7] = [
        vec![
            "run".into(),
            "tests/fixtures/valid.toml".into(),
            "--reps".into(),
            "3".into(),
            "--out".into(),
            out("run"),
        ],
        vec![
            "compare".into(),
            "tests/fixtures/golden_nhs_short.toml".into(),
            "tests/fixtures/golden_levers_short.toml".into(),
            "--reps".into(),
            "2".into(),
            "--out".into(),
            out("compare"),
        ],
        vec![
            "sweep".into(),
            "tests/fixtures/sweep_small.toml".into(),
            "--out".into(),
            out("sweep"),
        ],
        vec![
            "run".into(),
            "tests/fixtures/psa_small.toml".into(),
            "--reps".into(),
            "3".into(),
            "--out".into(),
            out("psa"),
        ],
        vec!["report".into(), out("run")],
        vec!["report".into(), out("compare")],
        vec!["report".into(), out("sweep")],
    ];
    for args in &runs {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.push("--quiet");
        if args[0] == "report" {
            args.pop();
        }
        let o = crate::util::caresim(root, &args);
        assert!(o.status.success(), "{args:?}: {}", crate::util::stderr(&o));
    }
    let mut files = Vec::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "timing.json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut got = String::new();
    for p in &files {
        let mut bytes = fs::read(p).unwrap();
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("report."))
        {
            let text = String::from_utf8(bytes).unwrap();
            bytes = text
                .lines()
                .filter(|l| {
                    !l.contains("the command that produced these results")
                        && !l.contains("wall time")
                })
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes();
        } else if p.file_name().is_some_and(|n| n == "manifest.json") {
            let text = String::from_utf8(bytes).unwrap();
            let commit = text
                .lines()
                .find(|l| l.starts_with("  \"tool_commit\": "))
                .expect("manifest.json records tool_commit");
            bytes = text.replacen(&format!("{commit}\n"), "", 1).into_bytes();
        }
        let rel = p
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(got, "{:x}  {rel}", Sha256::digest(&bytes)).unwrap();
    }
    let golden = root.join("tests/golden/result_hashes.txt");
    if std::env::var_os("CARESIM_BLESS").is_some() {
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read_to_string(&golden).expect("golden hashes (bless with CARESIM_BLESS=1)");
    let differ: Vec<&str> = got
        .lines()
        .zip(want.lines())
        .filter(|(g, w)| g != w)
        .map(|(g, _)| g)
        .collect();
    assert!(
        got == want,
        "result files differ from tests/golden/result_hashes.txt ({} of {} lines differ; first: {:?})",
        differ
            .len()
            .max(got.lines().count().abs_diff(want.lines().count())),
        want.lines().count(),
        differ.first()
    );
}
