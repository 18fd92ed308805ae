//! A user's first hour with the command line (issue 17): the summary on stdout and the
//! result folder as its last line, a progress bar that fits the terminal, arguments refused
//! or warned about with the reason, `unset` in `extends`, and `merge` from any folder.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::{caresim, fixture, stderr};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// The last line of standard output.
fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

#[test]
fn the_summary_is_on_stdout_and_the_result_folder_is_its_last_line() {
    let dir = tempfile::tempdir().unwrap();
    let (valid, variant) = (fixture("valid.toml"), fixture("variant.toml"));
    let (v, w) = (valid.to_str().unwrap(), variant.to_str().unwrap());

    let o = caresim(dir.path(), &["run", v, "--reps", "2", "--out", "r"]);
    ok(&o);
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(out.starts_with("valid: 2 replications in "), "{out}");
    assert!(out.contains("  admissions "), "{out}");
    assert_eq!(last_line(&o), "r");
    assert!(
        !err.contains("replications in") && !err.contains("admissions"),
        "{err}"
    );
    assert!(err.contains(" charts -> r/charts"), "{err}");

    // Singular where there is one; with --quiet, the folder alone.
    let o = caresim(dir.path(), &["run", v, "--reps", "1", "--out", "one"]);
    ok(&o);
    assert!(
        stdout(&o).starts_with("valid: 1 replication in "),
        "{}",
        stdout(&o)
    );
    let o = caresim(
        dir.path(),
        &["run", v, "--reps", "2", "--out", "q", "--quiet"],
    );
    ok(&o);
    assert_eq!(stdout(&o), "q\n");
    assert_eq!(stderr(&o), "");

    let o = caresim(dir.path(), &["compare", v, w, "--reps", "2", "--out", "c"]);
    ok(&o);
    let out = stdout(&o);
    assert!(
        out.starts_with("compare: 2 arms × 2 replications (seed 7)"),
        "{out}"
    );
    assert!(out.contains("variant − valid (paired 95% CI):"), "{out}");
    assert_eq!(last_line(&o), "c");
    assert!(stderr(&o).contains(" charts -> c/charts"), "{}", stderr(&o));

    let sweep = fixture("sweep_small.toml");
    let o = caresim(
        dir.path(),
        &["sweep", sweep.to_str().unwrap(), "--out", "s"],
    );
    ok(&o);
    assert_eq!(last_line(&o), "s");
    assert!(stderr(&o).starts_with("sweep: "), "{}", stderr(&o));

    for i in 1..=2 {
        let shard = format!("{i}/2");
        let o = caresim(
            dir.path(),
            &["run", v, "--reps", "2", "--out", "m", "--shard", &shard],
        );
        ok(&o);
        assert_eq!(last_line(&o), format!("m.shard-{i}-of-2"));
    }
    let o = caresim(dir.path(), &["merge", "m.shard-1-of-2", "m.shard-2-of-2"]);
    ok(&o);
    assert!(
        stdout(&o).starts_with("merged 2 shards (2 runs) in "),
        "{}",
        stdout(&o)
    );
    assert_eq!(last_line(&o), "m");
    // The folder printed is the folder written.
    assert!(dir.path().join("m/runs.csv").is_file());
}

/// `text` without ANSI escape sequences (the bar's colours and cursor movements).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters, then a final letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Run `args` on a pseudo-terminal (`script`) 200 columns wide (wider than the bar may
/// be: indicatif would cut a line at the terminal's width), where the bar is drawn; its
/// output, both streams, as the terminal got it. `None` without `script`.
fn on_a_terminal(dir: &Path, args: &[&str]) -> Option<String> {
    let command = std::iter::once(env!("CARGO_BIN_EXE_caresim"))
        .chain(args.iter().copied())
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let command = format!("stty cols 200; {command}");
    let o = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .output()
        .ok()?;
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    Some(strip_ansi(&String::from_utf8_lossy(&o.stdout)))
}

#[test]
fn the_progress_bar_fits_in_80_columns_and_names_what_it_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (valid, variant) = (fixture("valid.toml"), fixture("variant.toml"));
    let (v, w) = (valid.to_str().unwrap(), variant.to_str().unwrap());
    let Some(run) = on_a_terminal(
        dir.path(),
        &["run", v, "--reps", "60", "--out", "r", "--no-charts"],
    ) else {
        eprintln!("no `script` on this machine: the bar is not drawn here");
        return;
    };
    let compare = on_a_terminal(
        dir.path(),
        &["compare", v, w, "--reps", "30", "--out", "c", "--no-charts"],
    )
    .unwrap();
    for (text, unit) in [(run, "replications"), (compare, "runs, 2 arms")] {
        let bars: Vec<&str> = text
            .split(['\r', '\n'])
            .filter(|l| l.contains(" ETA "))
            .map(str::trim_end)
            .collect();
        assert!(!bars.is_empty(), "no bar drawn:\n{text}");
        for bar in &bars {
            assert!(
                bar.chars().count() <= 80,
                "{} columns: {bar:?}",
                bar.chars().count()
            );
            // A comparison's bar names the arm whose replication started last once they run.
            let named = unit != "replications"
                && ["valid #", "variant #"]
                    .iter()
                    .any(|arm| bar.contains(&format!("/60 {arm}")));
            assert!(bar.contains(&format!("/60 {unit} ")) || named, "{bar:?}");
        }
    }
}

#[test]
fn argument_mistakes_say_what_is_allowed_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let valid = fixture("valid.toml");
    let v = valid.to_str().unwrap();

    let o = caresim(dir.path(), &["run", v, "--reps", "auto", "--max-reps", "5"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("from 10 to 1000000, got \"5\"") && e.contains("first batch of 10"),
        "{e}"
    );

    for args in [
        vec!["run", v, "--precision", "0.01"],
        vec!["run", v, "--reps", "5", "--precision", "0.01"],
    ] {
        let o = caresim(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(
            e.contains("error: --precision applies only with --reps auto")
                && e.contains("add --reps auto, or drop --precision"),
            "{e}"
        );
    }
    assert!(!dir.path().join("output").exists());

    // More threads than cores: a warning, and the run goes ahead.
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let threads = (cores + 1).to_string();
    let o = caresim(
        dir.path(),
        &[
            "run",
            v,
            "--reps",
            "2",
            "--threads",
            &threads,
            "--out",
            "t",
            "--no-charts",
        ],
    );
    ok(&o);
    assert!(
        stderr(&o).contains(&format!(
            "warning: --threads {threads} is more than this machine's {cores} core"
        )),
        "{}",
        stderr(&o)
    );

    for command in ["plot", "report"] {
        let o = caresim(dir.path(), &[command, "no_such_folder"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("error: no_such_folder does not exist"),
            "{}",
            stderr(&o)
        );
    }

    // A folder made without charts: the report is made, and says how to add them.
    let o = caresim(dir.path(), &["report", "t"]);
    ok(&o);
    assert!(
        stderr(&o).contains("note: t has no charts") && stderr(&o).contains("caresim plot t"),
        "{}",
        stderr(&o)
    );
    assert!(dir.path().join("t/report.html").is_file());
}

/// The base for `unset`: the valid fixture with a winter peak given by its amplitude.
fn seasonal_base(dir: &Path) {
    let text = fs::read_to_string(fixture("valid.toml")).unwrap();
    fs::write(
        dir.join("base.toml"),
        text + "\n[seasonality]\namplitude = 0.2\npeak_day = 10\n",
    )
    .unwrap();
}

const MONTHLY: &str = "monthly = [1.2, 1.1, 1.0, 0.9, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.2]\n";

#[test]
fn a_derived_scenario_unsets_inherited_keys_to_replace_them() {
    let dir = tempfile::tempdir().unwrap();
    seasonal_base(dir.path());
    // Without unset, the base's amplitude stays beside the monthly ratios: refused.
    fs::write(
        dir.path().join("both.toml"),
        format!("extends = \"base.toml\"\n[seasonality]\n{MONTHLY}"),
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "both.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));

    fs::write(
        dir.path().join("monthly.toml"),
        format!(
            "extends = \"base.toml\"\nunset = [\"seasonality.amplitude\", \"seasonality.peak_day\"]\n\
             [scenario]\nname = \"monthly\"\n[seasonality]\n{MONTHLY}"
        ),
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "monthly.toml"]);
    ok(&o);
    let o = caresim(dir.path(), &["validate", "--resolved", "monthly.toml"]);
    ok(&o);
    let resolved = stdout(&o);
    assert!(resolved.contains("\nmonthly = ["), "{resolved}");
    assert!(
        !resolved.contains("amplitude") && !resolved.contains("unset"),
        "{resolved}"
    );
    let o = caresim(
        dir.path(),
        &[
            "run",
            "monthly.toml",
            "--reps",
            "1",
            "--quiet",
            "--no-charts",
        ],
    );
    ok(&o);
    assert_eq!(last_line(&o), "output/monthly");
}

#[test]
fn unsetting_what_no_base_sets_is_reported_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    seasonal_base(dir.path());
    fs::write(
        dir.path().join("bad.toml"),
        format!(
            "extends = \"base.toml\"\n\
             unset = [\"seasonality.amplitud\", \"population.patients\", \"seasonality.amplitude\", \"seasonality.peak_day\"]\n\
             [seasonality]\n{MONTHLY}"
        ),
    )
    .unwrap();
    fs::write(
        dir.path().join("root.toml"),
        "unset = [\"acute.beds\"]\n".to_string()
            + &fs::read_to_string(dir.path().join("base.toml")).unwrap(),
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &["validate", "--message-format=short", "bad.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("error: bad.toml:2:10: seasonality.amplitud: cannot unset `seasonality.amplitud`: no file this one extends sets it; did you mean `seasonality.amplitude`?"),
        "{e}"
    );
    assert!(
        e.contains("error: bad.toml:2:34: population.patients: cannot unset `population.patients`: no file this one extends sets it"),
        "{e}"
    );
    // The other paths are fine, and nothing else is reported.
    assert_eq!(e.lines().count(), 2, "{e}");

    let o = caresim(dir.path(), &["validate", "root.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(": acute.beds: unset removes keys set by the files this one extends, and it extends none"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn merge_works_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (work, elsewhere) = (dir.path().join("work"), dir.path().join("elsewhere"));
    fs::create_dir_all(work.join("scenarios")).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    fs::copy(fixture("valid.toml"), work.join("scenarios/valid.toml")).unwrap();
    fs::copy(fixture("variant.toml"), work.join("scenarios/variant.toml")).unwrap();
    let arms = ["scenarios/valid.toml", "scenarios/variant.toml"];
    // A run and a comparison, each in 2 shards and on one machine, run in `work` with
    // relative paths.
    for (command, args, files) in [
        ("run", &arms[..1], &["manifest.json", "runs.csv"][..]),
        (
            "compare",
            &arms[..],
            &[
                "comparison.csv",
                "valid/manifest.json",
                "variant/manifest.json",
            ][..],
        ),
    ] {
        let single = format!("{command}_single");
        let sharded = format!("{command}_sharded");
        let mut base: Vec<&str> = vec![command];
        base.extend_from_slice(args);
        base.extend(["--reps", "4", "--quiet", "--no-charts", "--out"]);
        let mut one = base.clone();
        one.push(&single);
        ok(&caresim(&work, &one));
        for i in 1..=2 {
            let mut shard = base.clone();
            let index = format!("{i}/2");
            shard.extend([sharded.as_str(), "--shard", &index]);
            ok(&caresim(&work, &shard));
        }
        let shards: Vec<String> = (1..=2)
            .map(|i| format!("../work/{sharded}.shard-{i}-of-2"))
            .collect();
        let o = caresim(
            &elsewhere,
            &["merge", &shards[0], &shards[1], "--quiet", "--no-charts"],
        );
        ok(&o);
        assert_eq!(last_line(&o), format!("../work/{sharded}"));
        // Byte for byte the single-machine result (manifest.json too: the files are named
        // as the shards named them).
        for f in files {
            assert_eq!(
                fs::read(work.join(&sharded).join(f)).unwrap(),
                fs::read(work.join(&single).join(f)).unwrap(),
                "{command}: {f}"
            );
        }
    }

    // A file the shards used, gone: where it was looked for.
    for i in 1..=2 {
        let index = format!("{i}/2");
        ok(&caresim(
            &work,
            &[
                "run", arms[0], "--reps", "4", "--quiet", "--out", "gone", "--shard", &index,
            ],
        ));
    }
    fs::rename(work.join("scenarios"), work.join("moved")).unwrap();
    let o = caresim(
        &elsewhere,
        &[
            "merge",
            "../work/gone.shard-1-of-2",
            "../work/gone.shard-2-of-2",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    let work_abs = fs::canonicalize(&work).unwrap();
    assert!(
        e.contains(&format!(
            "scenarios/valid.toml: not found; the shards ran in {} and named it relative to that folder",
            work_abs.display()
        )) || e.contains(&format!(
            "scenarios/valid.toml: not found; the shards ran in {} and named it relative to that folder",
            work.display()
        )),
        "{e}"
    );
    assert!(!work.join("gone").exists());
}
