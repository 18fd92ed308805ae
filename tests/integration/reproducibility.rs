//! Same seed, same bytes; any thread count, same bytes.

use std::fs;

use crate::util::run_fixture;

fn runs_csv(threads: &str, seed: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    run_fixture(
        dir.path(),
        "valid.toml",
        &["--reps", "8", "--threads", threads, "--seed", seed],
    );
    fs::read_to_string(dir.path().join("output/valid/runs.csv")).unwrap()
}

#[test]
fn same_seed_twice_is_identical() {
    assert_eq!(runs_csv("2", "99"), runs_csv("2", "99"));
}

#[test]
fn one_thread_and_two_threads_are_byte_identical() {
    assert_eq!(runs_csv("1", "5"), runs_csv("2", "5"));
}

#[test]
fn different_seeds_differ() {
    assert_ne!(runs_csv("2", "5"), runs_csv("2", "6"));
}
