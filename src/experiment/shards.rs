//! Shard sets: the folders of `caresim run --shard I/N` that `caresim merge` folds into one
//! result. A set is mergeable only when its shards belong to one run (the same scenario,
//! sweep, seed and replications), each of 1..=N appears exactly once, and each is complete.

use std::path::PathBuf;

use super::journal::{self, Header, JournalError};

/// `I/N`: shard I (1-based) of N of a run's work items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index, from 1 to `count`.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The items `start..end` of `items` this shard runs: a contiguous, deterministic slice,
    /// the shards together covering every item once.
    pub fn range(self, items: u64) -> (u64, u64) {
        (
            items * u64::from(self.index - 1) / u64::from(self.count),
            items * u64::from(self.index) / u64::from(self.count),
        )
    }
}

/// Most shards a run may be split into (array tasks of a generated Slurm script).
pub const MAX_SHARDS: u32 = 10_000;

/// Check that `count` shards can share out `points` × `reps` runs: at most [`MAX_SHARDS`],
/// and no more than there are runs (every shard needs at least one).
///
/// # Errors
/// A message naming `--shards`, the limit broken and what to use instead.
pub fn check_count(count: u32, points: usize, reps: u32) -> Result<(), String> {
    let items = u64::try_from(points)
        .unwrap_or(u64::MAX)
        .saturating_mul(u64::from(reps));
    if count > MAX_SHARDS {
        return Err(format!(
            "--shards {count} is more than caresim slurm writes (at most {MAX_SHARDS})"
        ));
    }
    if u64::from(count) > items {
        return Err(format!(
            "--shards {count} is more than the {items} runs to share out ({points} point{} × \
             {reps} replication{}): every shard needs at least one; use --shards {items} or \
             fewer",
            if points == 1 { "" } else { "s" },
            if reps == 1 { "" } else { "s" },
        ));
    }
    Ok(())
}

/// Items `start..end` of `items` a run of `shard` covers: all of them without a shard.
pub fn range(items: u64, shard: Option<Shard>) -> (u64, u64) {
    shard.map_or((0, items), |s| s.range(items))
}

/// Why a set of shard folders cannot be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardSetError {
    /// The folders are not a complete set of shards of one run (bad input), with the reason.
    #[error("{0}")]
    Input(String),
    /// A shard's journal could not be read.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// The shards in `dirs`, checked to be a complete set of one run, with their headers, in
/// shard order.
///
/// # Errors
/// A folder that is not a shard, shards of different runs or counts, a shard given twice
/// or missing, an incomplete shard, or an unreadable journal.
pub fn check_set(dirs: &[PathBuf]) -> Result<Vec<(Header, PathBuf)>, ShardSetError> {
    let mut shards: Vec<(Header, PathBuf)> = Vec::new();
    for dir in dirs {
        let h = journal::read_header(dir).map_err(|e| match e {
            // A shard, of another caresim: the error says so.
            JournalError::OtherFormat { .. } => ShardSetError::Input(e.to_string()),
            e => ShardSetError::Input(format!(
                "{} is not a shard folder of `caresim run --shard` ({e})",
                dir.display()
            )),
        })?;
        if h.shard.is_none() {
            return Err(ShardSetError::Input(format!(
                "{} is the journal of a whole run, not a shard",
                dir.display()
            )));
        }
        shards.push((h, dir.clone()));
    }
    let Some((first, first_dir)) = shards.first().cloned() else {
        return Err(ShardSetError::Input("no shard folders given".into()));
    };
    let count = first.shard.expect("checked").1;
    for (h, dir) in &shards[1..] {
        let d = first.differences(h);
        if !d.is_empty() {
            return Err(ShardSetError::Input(format!(
                "{} and {} are shards of different runs: {}",
                first_dir.display(),
                dir.display(),
                d.join("; ")
            )));
        }
        if h.shard.expect("checked").1 != count {
            return Err(ShardSetError::Input(format!(
                "{} is one of {} shards, {} one of {count}",
                dir.display(),
                h.shard.expect("checked").1,
                first_dir.display()
            )));
        }
    }
    shards.sort_by_key(|(h, _)| h.shard.expect("checked").0);
    for pair in shards.windows(2) {
        if pair[0].0.shard == pair[1].0.shard {
            return Err(ShardSetError::Input(format!(
                "shard {}/{count} is given twice: {} and {}",
                pair[0].0.shard.expect("checked").0,
                pair[0].1.display(),
                pair[1].1.display()
            )));
        }
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| {
            !shards
                .iter()
                .any(|(h, _)| h.shard.expect("checked").0 == *i)
        })
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(ShardSetError::Input(format!(
            "missing shard(s) {}",
            missing.join(", ")
        )));
    }
    for (h, dir) in &shards {
        let done = journal::count(dir).map_err(ShardSetError::Journal)?;
        let want = h.range.1 - h.range.0;
        if done != want {
            return Err(ShardSetError::Input(format!(
                "shard {}/{count} in {} is incomplete: {done} of {want} runs; rerun its command to finish it",
                h.shard.expect("checked").0,
                dir.display()
            )));
        }
    }
    Ok(shards)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_item_once_in_order() {
        let items = 10;
        let mut next = 0;
        for index in 1..=3 {
            let (start, end) = range(items, Some(Shard { index, count: 3 }));
            assert_eq!(start, next);
            next = end;
        }
        assert_eq!(next, items);
        assert_eq!(range(items, None), (0, items));
    }
}
