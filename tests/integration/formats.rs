//! Result folders and journals record their format (issue 12, item 3): one written in
//! another format is refused with a message naming both formats and what to do, rather
//! than misread or reported corrupt.

use std::fs;

use crate::util::{caresim, run_fixture, stderr};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `path` (JSON) with `key` set to `value` at the top level.
fn set_key(path: &std::path::Path, key: &str, value: u32) {
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    v.as_object_mut()
        .unwrap()
        .insert(key.into(), serde_json::Value::from(value));
    fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// `path` (JSON) without the top-level `key`.
fn remove_key(path: &std::path::Path, key: &str) {
    let mut v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove(key);
    fs::write(path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

#[test]
fn a_result_folder_of_another_format_is_refused_by_report_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    run_fixture(
        dir.path(),
        "valid.toml",
        &["--reps", "2", "--no-charts", "--out", "r"],
    );
    let manifest = dir.path().join("r/manifest.json");
    assert!(
        fs::read_to_string(&manifest)
            .unwrap()
            .contains("\"format_version\": 5,")
    );
    let o = caresim(dir.path(), &["report", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A newer format, and format 1 (caresim 0.2.0 and older: no key).
    for (found, shown) in [(Some(6), 6), (None, 1)] {
        match found {
            Some(f) => set_key(&manifest, "format_version", f),
            None => remove_key(&manifest, "format_version"),
        }
        for command in ["report", "plot"] {
            let o = caresim(dir.path(), &[command, "r"]);
            assert_eq!(o.status.code(), Some(2), "{command}: {}", stderr(&o));
            let e = stderr(&o);
            assert!(
                e.contains(&format!(
                    "r/manifest.json: written by caresim {VERSION} in result format {shown}; this is caresim {VERSION}, which reads result format 5: re-run the command that made the folder with this caresim"
                )),
                "{command}: {e}"
            );
        }
    }
    assert!(!dir.path().join("r/charts").exists());
}

#[test]
fn a_shard_of_another_journal_format_is_refused_not_reported_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    run_fixture(
        dir.path(),
        "valid.toml",
        &["--reps", "2", "--out", "r", "--shard", "1/1"],
    );
    let header = dir.path().join("r.shard-1-of-1/header.json");
    assert!(
        fs::read_to_string(&header)
            .unwrap()
            .contains("\"format_version\": 4")
    );

    set_key(&header, "format_version", 7);
    let o = caresim(
        dir.path(),
        &["merge", "r.shard-1-of-1", "--out", "m", "--quiet"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "header.json: written by caresim {VERSION} in journal format 7; this is caresim {VERSION}, which reads journal format 4, so it cannot be resumed or merged: re-run the command with this caresim"
        )),
        "{e}"
    );
    assert!(
        !e.contains("malformed") && !e.contains("not a shard folder"),
        "{e}"
    );
    assert!(!dir.path().join("m").exists());
}
