//! Golden output: a small scenario with a fixed seed against a checked-in `runs.csv`.
//!
//! It fails when anything changes the numbers: the model, the seed derivation, or a
//! dependency's sampling algorithm (rand_distr may change them between minor versions).
//! Update the file only on purpose: `CARESIM_BLESS=1 cargo test golden`.

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
