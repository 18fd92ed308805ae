//! The command-line conventions (issue 18, item 6): the version with its git commit, shell
//! completions, man pages, `CARESIM_THREADS`, the exit codes under `--help`.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::util::{caresim, fixture, stderr};

/// Run the `caresim` binary with `args` in `dir` and `CARESIM_THREADS` set to `threads`.
fn caresim_with_threads(dir: &Path, threads: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caresim"))
        .args(args)
        .current_dir(dir)
        .env("CARESIM_THREADS", threads)
        .output()
        .expect("caresim runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The commit `caresim --version` names: `Some("0123456789ab")` or with `-dirty`, `None`
/// for "commit unknown".
fn version_commit(dir: &Path) -> Option<String> {
    let o = caresim(dir, &["--version"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let rest = text
        .trim_end()
        .strip_prefix(&format!("caresim {} (commit ", env!("CARGO_PKG_VERSION")))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected --version: {text:?}"));
    if rest == "unknown" {
        return None;
    }
    let hash = rest.strip_suffix("-dirty").unwrap_or(rest);
    assert!(
        hash.len() == 12 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{rest:?}"
    );
    Some(rest.to_string())
}

#[test]
fn version_manifest_and_report_name_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let commit = version_commit(dir.path());
    // Built from this repository's git checkout (as in CI), the commit is HEAD's.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| stdout(&o).trim().to_string());
    if let Some(head) = &head {
        let commit = commit.as_deref().expect("a git checkout has a commit");
        assert!(commit.starts_with(head.as_str()), "{commit} vs HEAD {head}");
    }
    let o = caresim(
        dir.path(),
        &[
            "run",
            fixture("valid.toml").to_str().unwrap(),
            "--reps",
            "1",
            "--quiet",
            "--no-charts",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("output/valid");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["tool_commit"],
        commit
            .as_deref()
            .map_or(serde_json::Value::Null, Into::into)
    );
    let o = caresim(dir.path(), &["report", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let named = match &commit {
        Some(c) => format!("caresim version {} (commit {c})", env!("CARGO_PKG_VERSION")),
        None => format!("caresim version {};", env!("CARGO_PKG_VERSION")),
    };
    assert!(report.contains(&named), "report.md lacks {named:?}");
}

#[test]
fn completions_name_every_subcommand_in_every_shell() {
    let dir = tempfile::tempdir().unwrap();
    let subcommands = [
        "run",
        "compare",
        "sweep",
        "merge",
        "slurm",
        "plot",
        "report",
        "validate",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = caresim(dir.path(), &["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for sub in subcommands {
            // How each shell's script offers a subcommand.
            let offered = match shell {
                "bash" => script.contains(&format!("caresim,{sub})")),
                "zsh" => script.lines().any(|l| l.trim() == format!("({sub})")),
                "fish" => script.contains(&format!("-a \"{sub}\"")),
                "powershell" => {
                    script.contains(&format!("[CompletionResult]::new('{sub}', '{sub}',"))
                }
                _ => script.contains(&format!("cand {sub} '")),
            };
            assert!(offered, "{shell} does not offer {sub}");
        }
        let threads = if shell == "fish" {
            "-l threads"
        } else {
            "--threads"
        };
        assert!(script.contains(threads), "{shell} lacks --threads");
    }
    let o = caresim(dir.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is bad input");
}

#[test]
fn man_page_renders_with_exit_codes_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(dir.path(), &["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(
        page.starts_with(".\\\" Generated by caresim "),
        "{page:.80}"
    );
    for want in [
        ".TH caresim 1",
        ".SH \"EXIT STATUS\"",
        ".SH ENVIRONMENT",
        "CARESIM_THREADS",
        "caresim\\-run(1)",
    ] {
        assert!(page.contains(want), "the page lacks {want:?}");
    }
    // Rendered by man(1) where it is installed (Debian: package man-db).
    let path = dir.path().join("caresim.1");
    fs::write(&path, &page).unwrap();
    if let Ok(o) = Command::new("man")
        .args(["-l", path.to_str().unwrap()])
        .env("MANWIDTH", "100")
        .output()
    {
        assert!(o.status.success(), "man -l: {}", stderr(&o));
        // Without a terminal, man still makes bold and underlined text by overstriking
        // (`E\bE`, `_\bx`): keep the last character of each.
        let mut text = String::new();
        for c in stdout(&o).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        for want in ["EXIT STATUS", "CARESIM_THREADS", "caresim-compare(1)"] {
            assert!(text.contains(want), "man -l output lacks {want:?}");
        }
        assert!(!text.contains("Generated by"), "the marker is a comment");
    }
}

#[test]
fn man_out_writes_every_page_and_replaces_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let man1 = dir.path().join("share/man/man1");
    let o = caresim(dir.path(), &["man", "--out", man1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = fs::read_dir(&man1)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // caresim.1 and one page per subcommand.
    assert_eq!(names.len(), 14, "{names:?}");
    for sub in ["schema", "status", "metrics", "completions"] {
        assert!(names.contains(&format!("caresim-{sub}.1")), "{names:?}");
    }
    assert!(names.contains(&"caresim.1".into()) && names.contains(&"caresim-run.1".into()));
    let run_page = fs::read_to_string(man1.join("caresim-run.1")).unwrap();
    assert!(run_page.contains("\\-\\-threads") && run_page.contains("EXIT STATUS"));
    // Its own pages it replaces (a newer caresim regenerating them).
    let o = caresim(dir.path(), &["man", "--out", man1.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A page it did not write it refuses, and then writes nothing at all.
    fs::write(man1.join("caresim-plot.1"), "mine").unwrap();
    fs::remove_file(man1.join("caresim.1")).unwrap();
    let o = caresim(dir.path(), &["man", "--out", man1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("caresim-plot.1: it exists and was not written by caresim"));
    assert_eq!(
        fs::read_to_string(man1.join("caresim-plot.1")).unwrap(),
        "mine"
    );
    assert!(!man1.join("caresim.1").exists(), "nothing written");
}

#[test]
fn caresim_threads_is_the_default_for_threads() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("valid.toml");
    let run = |threads: &str, extra: &[&str], out: &str| {
        let mut args = vec![
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        caresim_with_threads(dir.path(), threads, &args)
    };
    let threads_used = |out: &str| {
        let t: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(dir.path().join(out).join("timing.json")).unwrap(),
        )
        .unwrap();
        t["threads"].as_u64().unwrap()
    };
    let o = run("1", &[], "a");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(threads_used("a"), 1);
    // The flag wins, even over a value that would be refused.
    let o = run("abc", &["--threads", "2"], "b");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(threads_used("b"), 2);
    // Empty is unset: one per core (at most the 2 replications).
    let o = run("", &[], "c");
    assert!(o.status.success(), "{}", stderr(&o));
    for bad in ["abc", "-1", "1.5", "100000"] {
        let o = run(bad, &[], "d");
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(&format!("environment variable CARESIM_THREADS={bad:?}"))
                && e.contains("expected a whole number of worker threads from 0 (one per core) to"),
            "{e}"
        );
        assert!(!dir.path().join("d").exists(), "{bad}: nothing written");
    }
}

#[test]
fn help_lists_the_exit_codes_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(dir.path(), &["--help"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let help = stdout(&o);
    let codes = help
        .split("Exit codes:\n")
        .nth(1)
        .expect("an exit codes section");
    for code in [
        "  0  success",
        "  1  a run or I/O failure",
        "  2  bad input",
    ] {
        assert!(codes.contains(code), "{code:?} missing from:\n{codes}");
    }
    assert!(help.contains("Environment:\n  CARESIM_THREADS  "));
    assert!(
        codes.lines().all(|l| l.len() <= 80),
        "wrapped to 80 columns:\n{codes}"
    );
}

#[test]
fn every_subcommand_help_lists_the_exit_codes_once_and_keeps_its_own_text() {
    let dir = tempfile::tempdir().unwrap();
    for sub in [
        "run",
        "compare",
        "sweep",
        "merge",
        "slurm",
        "status",
        "plot",
        "report",
        "validate",
        "completions",
        "man",
        "metrics",
        "schema",
    ] {
        let o = caresim(dir.path(), &[sub, "--help"]);
        assert!(o.status.success(), "{sub}: {}", stderr(&o));
        let help = stdout(&o);
        assert_eq!(
            help.matches("Exit codes:\n  0  success").count(),
            1,
            "{sub} --help:\n{help}"
        );
        assert!(help.contains("  2  bad input"), "{sub} --help:\n{help}");
        assert!(
            help.contains("Environment:\n  CARESIM_THREADS  "),
            "{sub} --help"
        );
    }
    // A subcommand's own closing text stays, before the exit codes.
    let o = caresim(dir.path(), &["completions", "--help"]);
    let help = stdout(&o);
    let install = help.find("Install, e.g.:").expect("completions' own text");
    assert!(install < help.find("Exit codes:").unwrap(), "{help}");
    // The man pages keep one EXIT STATUS section each and no copy in plain text.
    let o = caresim(dir.path(), &["man", "--out", "pages"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = fs::read_to_string(dir.path().join("pages/caresim-run.1")).unwrap();
    assert_eq!(page.matches("EXIT STATUS").count(), 1);
    assert!(!page.contains("Exit codes:"), "{page}");
}
