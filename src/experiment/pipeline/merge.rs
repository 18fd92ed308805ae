//! `merge`: the shard folders of one run folded into the single-machine result.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::journaled::{finish, finished};
use super::outcome::{Outcome, Timing};
use super::request::MergeRequest;
use crate::Error;
use crate::experiment::{Plan, shards, sweep};
use crate::output::guard::{self, FolderKind};
use crate::output::{RunInfo, layout};
use crate::scenario::{self, Scenario};

/// A merge's outcome, with the number of shards folded.
#[derive(Debug)]
#[non_exhaustive]
pub struct Merged {
    /// Shards folded.
    pub shards: u32,
    /// The result folder and its results.
    pub outcome: Outcome,
}

/// `path` changed since the shards ran.
fn changed(path: &Path) -> Error {
    Error::Input(format!(
        "{} has changed since the shards ran (its SHA-256 differs); merge needs the files the shards used",
        path.display()
    ))
}

/// The SHA-256 of every file of `s`.
fn hashes(s: &Scenario) -> Vec<String> {
    s.files.iter().map(|f| f.sha256.clone()).collect()
}

/// Where to read `recorded`, a file as a shard named it on its command line (relative to
/// the folder it ran in, `ran_in`, when its journal recorded that): from `ran_in`, so that
/// merge works from any folder; else as named (an absolute path, or a journal of a caresim
/// that did not record the folder).
fn locate(recorded: &Path, ran_in: Option<&Path>) -> PathBuf {
    match ran_in {
        Some(dir) if recorded.is_relative() => dir.join(recorded),
        _ => recorded.to_path_buf(),
    }
}

/// The files of `s`, read from `recorded` as [`locate`]d from `ran_in`, named as the shards
/// named them: the manifest records them, and must be the same as a single-machine run's.
/// (An absolute `recorded` was read as it is, and its files are named as they are.)
fn as_named(s: &mut Scenario, recorded: &Path, ran_in: Option<&Path>) {
    let Some(dir) = ran_in.filter(|_| recorded.is_relative()) else {
        return;
    };
    for f in &mut s.files {
        if let Ok(p) = f.path.strip_prefix(dir) {
            f.path = p.to_path_buf();
        }
    }
}

/// The problem of a file the shards used that cannot be found: where it was looked for.
fn missing(recorded: &Path, ran_in: Option<&Path>) -> Option<String> {
    let at = locate(recorded, ran_in);
    if at.exists() {
        return None;
    }
    Some(match ran_in {
        Some(dir) if recorded.is_relative() => format!(
            "\n{}: not found; the shards ran in {} and named it relative to that folder: merge needs the files the shards used, where they used them",
            recorded.display(),
            dir.display()
        ),
        _ if recorded.is_relative() => format!(
            "\n{}: not found from this folder; these shards (of an older caresim) name their files relative to the folder they ran in: run merge from there",
            recorded.display()
        ),
        _ => format!(
            "\n{}: not found: merge needs the files the shards used",
            recorded.display()
        ),
    })
}

/// The scenario at `path` as a shard named it (see [`locate`]).
fn load(path: &Path, ran_in: Option<&Path>) -> Result<Scenario, Error> {
    let mut s = scenario::load(&locate(path, ran_in)).map_err(|e| {
        let hint = missing(path, ran_in).unwrap_or_default();
        Error::Input(format!("{e}{hint}"))
    })?;
    as_named(&mut s, path, ran_in);
    Ok(s)
}

/// The sweep file at `path` as a shard named it (see [`locate`]).
fn load_sweep(path: &Path, ran_in: Option<&Path>) -> Result<sweep::Sweep, Error> {
    let mut s = sweep::load(&locate(path, ran_in)).map_err(|e| {
        let hint = missing(path, ran_in).unwrap_or_default();
        Error::Input(format!("{e}{hint}"))
    })?;
    if path.is_relative() {
        s.path = path.to_path_buf();
    }
    as_named(&mut s.scenario, path, ran_in);
    Ok(s)
}

/// Fold the shard folders of `request` (a complete set of one run) into its result folder,
/// after checking that the scenario and sweep files the shards ran have not changed.
///
/// # Errors
/// The folders are not a complete set of one run's shards, a file changed or cannot be
/// read, the result folder may not be replaced, or writing fails.
pub fn merge(request: &MergeRequest) -> Result<Merged, Error> {
    let shards = shards::check_set(&request.shards)?;
    let (first, first_dir) = shards[0].clone();
    let count = first.shard.map_or(1, |(_, count)| count);
    // Rebuild the plan from the scenario (and sweep) the shards ran, checking they have not
    // changed since.
    let ran_in = first.working_dir.as_deref();
    let mut arms: Vec<Scenario> = Vec::new();
    for (path, sha) in &first.arms {
        let s = load(path, ran_in)?;
        if &hashes(&s) != sha {
            return Err(changed(path));
        }
        arms.push(s);
    }
    let (sweep, scenario) = match &first.sweep {
        Some((path, sha)) => {
            let s = load_sweep(path, ran_in)?;
            if &s.sha256 != sha {
                return Err(changed(path));
            }
            (Some(s), None)
        }
        None if arms.is_empty() => (None, Some(load(&first.scenario_path, ran_in)?)),
        None => (None, None),
    };
    let mut plan = match (&sweep, &scenario) {
        (Some(s), _) => s.plan(first.seed, first.replications)?,
        (None, Some(s)) => Plan::single(s, first.seed, first.replications),
        (None, None) => Plan::compare(&arms, first.seed, first.replications),
    };
    if hashes(plan.scenario) != first.scenario_sha256 {
        return Err(changed(&first.scenario_path));
    }
    plan.replications = first.replications;
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| layout::merged_folder(&first_dir));
    let started = Instant::now();
    let dirs: Vec<PathBuf> = shards.iter().map(|(_, d)| d.clone()).collect();
    let info = RunInfo {
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        command: request.command.clone(),
        seed: plan.seed,
        replications: plan.replications,
        threads: 0,
        wall_time_seconds: 0.0,
        replications_reused: plan.items(),
    };
    let shard_refs: Vec<&Path> = dirs.iter().map(PathBuf::as_path).collect();
    guard::check_target(&out, request.force, FolderKind::Results, &shard_refs)
        .map_err(Error::writing_results)?;
    let produced = finish(&plan, &out, request.force, request.charts, &dirs, &info)?;
    let timing = Timing {
        wall_seconds: started.elapsed().as_secs_f64(),
        threads: 0,
        reused: plan.items(),
    };
    Ok(Merged {
        shards: count,
        outcome: finished(&plan, out, produced, timing, request.charts),
    })
}
