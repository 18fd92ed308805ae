//! Records the git commit caresim is built from, for `caresim --version` and
//! `manifest.json` (see `src/build_info.rs`), as `CARESIM_COMMIT` and
//! `CARESIM_LONG_VERSION` (the version with the commit).
//!
//! Built from a git checkout whose top is this package, it sets `CARESIM_COMMIT` to
//! `git rev-parse --short=12 HEAD`, with `-dirty` appended when the sources compiled into
//! the binary (`src/`, `Cargo.toml`, `Cargo.lock`, `build.rs`) differ from that commit.
//! Built from anything else (a crates.io package, a tarball, a machine without git), it
//! records no commit and caresim says "commit unknown": it never guesses, and never reports the commit
//! of an unrelated repository that happens to enclose the sources.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The paths whose changes make the binary differ from the commit: the dirty check looks at
/// these only, and the script re-runs when they change (they recompile caresim anyway).
const SOURCES: [&str; 4] = ["src", "Cargo.toml", "Cargo.lock", "build.rs"];

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    for path in SOURCES {
        println!("cargo:rerun-if-changed={path}");
    }
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    let Some(commit) = commit(&dir) else {
        println!("cargo:rustc-env=CARESIM_LONG_VERSION={version} (commit unknown)");
        return;
    };
    // Re-run when HEAD moves (a commit, checkout or reset), so the recorded commit is never
    // stale. In a worktree `.git` is a file and HEAD lives in the worktree's own git folder,
    // the branch's ref in the shared one: `git rev-parse --git-path` resolves both. Only
    // existing files are watched: cargo re-runs the script on every build for a missing one.
    // `logs/HEAD` (the worktree's reflog) changes on every move of HEAD, even when the ref
    // is packed.
    let mut watched = vec!["HEAD".to_string(), "logs/HEAD".into(), "packed-refs".into()];
    if let Some(branch) = git(&dir, &["rev-parse", "--symbolic-full-name", "HEAD"])
        && branch.starts_with("refs/")
    {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(&dir, &["rev-parse", "--git-path", &name]) {
            let path = dir.join(path);
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    println!("cargo:rustc-env=CARESIM_COMMIT={commit}");
    println!("cargo:rustc-env=CARESIM_LONG_VERSION={version} (commit {commit})");
}

/// The commit of the checkout at `dir` (`-dirty` if its sources differ), or `None` when
/// `dir` is not the top of a git checkout or git cannot tell.
fn commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(top).ok()? != std::fs::canonicalize(dir).ok()? {
        return None;
    }
    let hash = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    if hash.len() < 12 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut status = vec!["status", "--porcelain", "--untracked-files=normal", "--"];
    status.extend(SOURCES);
    let changes = git_raw(dir, &status)?;
    Some(if changes.trim().is_empty() {
        hash
    } else {
        format!("{hash}-dirty")
    })
}

/// `git args` run in `dir`, its trimmed output if it succeeded and printed something.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = git_raw(dir, args)?;
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_string())
}

/// `git args` run in `dir`, its output if it succeeded.
fn git_raw(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}
