//! How far a sharded run has got, read from its folders alone (no scheduler needed): for
//! each shard `I/N` of a result folder `<out>`, whether it finished (`<out>.shard-I-of-N/`),
//! is unfinished (its journal `.<out>.shard-I-of-N.journal/` holds some replications) or has
//! not started (neither exists), with the replications done and planned and when its
//! journal last wrote.
//!
//! ```no_run
//! use caresim::experiment::status::{self, ShardState};
//! for set in status::read("output/nhs_2003_baseline".as_ref())? {
//!     let finished = set.shards.iter().filter(|s| s.state == ShardState::Finished).count();
//!     println!("{finished} of {} shards finished", set.count);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::journal::{self, Header};
use super::shards::{MAX_SHARDS, Shard};
use crate::output::guard::{self, FolderKind};
use crate::output::layout;

/// Where one shard is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardState {
    /// Its folder is in place: every replication of its slice is done.
    Finished,
    /// Its journal exists: running, or stopped (failed, timed out, cancelled) part-way.
    Unfinished,
    /// Neither its folder nor its journal exists.
    NotStarted,
    /// Its folder or journal exists but cannot be read: the reason.
    Unreadable(String),
}

/// One shard's progress.
#[derive(Clone, Debug)]
pub struct ShardStatus {
    /// Which shard.
    pub shard: Shard,
    /// Where it is.
    pub state: ShardState,
    /// Replications (work items) done.
    pub done: u64,
    /// Replications (work items) of its slice, when any shard of the set could be read.
    pub planned: Option<u64>,
    /// When its journal last wrote a record.
    pub last_write: Option<SystemTime>,
    /// Its finished folder or its journal, whichever holds its records (the finished
    /// folder's path when it has none).
    pub folder: PathBuf,
}

/// The shards of one shard count found beside a result folder.
#[derive(Clone, Debug)]
pub struct ShardSet {
    /// N, the number of shards.
    pub count: u32,
    /// Shards 1..=N in order.
    pub shards: Vec<ShardStatus>,
    /// The header of a readable shard: what the run is.
    pub header: Option<Header>,
}

/// `(index, count)` from a name `<prefix>I-of-N<suffix>`, for `1 ≤ I ≤ N ≤` [`MAX_SHARDS`].
fn parse_shard_name(name: &str, prefix: &str, suffix: &str) -> Option<(u32, u32)> {
    let rest = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
    let (i, n) = rest.split_once("-of-")?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(i) || !digits(n) {
        return None;
    }
    let (i, n) = (i.parse().ok()?, n.parse().ok()?);
    (1 <= i && i <= n && n <= MAX_SHARDS).then_some((i, n))
}

/// The shard sets of result folder `out`: every shard count for which a shard folder or
/// journal lies beside it, smallest count first.
///
/// # Errors
/// If the folder that would hold `out` cannot be listed.
pub fn read(out: &Path) -> io::Result<Vec<ShardSet>> {
    let name = guard::file_name(out);
    let parent = guard::parent_of(out);
    let finished_prefix = format!("{name}.shard-");
    let journal_prefix = format!(".{name}.shard-");
    let mut counts: Vec<u32> = Vec::new();
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let found = parse_shard_name(file, &finished_prefix, "")
            .or_else(|| parse_shard_name(file, &journal_prefix, ".journal"));
        if let Some((_, n)) = found
            && !counts.contains(&n)
        {
            counts.push(n);
        }
    }
    counts.sort_unstable();
    Ok(counts.into_iter().map(|n| read_set(out, n)).collect())
}

/// The `count` shards of `out`, each as its folders say.
fn read_set(out: &Path, count: u32) -> ShardSet {
    let mut header: Option<Header> = None;
    let mut shards: Vec<ShardStatus> = (1..=count)
        .map(|index| {
            let shard = Shard { index, count };
            let (status, h) = read_shard(out, shard);
            if header.is_none() {
                header = h;
            }
            status
        })
        .collect();
    // A shard without a readable journal has the slice every shard's header implies.
    if let Some(h) = &header {
        for s in &mut shards {
            if s.planned.is_none() {
                let (start, end) = s.shard.range(h.items);
                s.planned = Some(end - start);
            }
        }
    }
    ShardSet {
        count,
        shards,
        header,
    }
}

/// One shard's status, and its header when readable.
fn read_shard(out: &Path, shard: Shard) -> (ShardStatus, Option<Header>) {
    let finished = layout::shard_folder(out, shard.index, shard.count);
    let journal = layout::journal_folder(&finished);
    let (folder, state) = if guard::marker(&finished) == Some(FolderKind::Journal) {
        (finished, ShardState::Finished)
    } else if finished.exists() {
        let reason = format!(
            "{} exists and is not a shard folder of caresim",
            finished.display()
        );
        (finished, ShardState::Unreadable(reason))
    } else if fs::symlink_metadata(&journal).is_ok() {
        (journal, ShardState::Unfinished)
    } else {
        let status = ShardStatus {
            shard,
            state: ShardState::NotStarted,
            done: 0,
            planned: None,
            last_write: None,
            folder: finished,
        };
        return (status, None);
    };
    let mut status = ShardStatus {
        shard,
        state,
        done: 0,
        planned: None,
        last_write: journal::last_write(&folder),
        folder,
    };
    if matches!(status.state, ShardState::Unreadable(_)) {
        return (status, None);
    }
    let read = journal::read_header(&status.folder)
        .and_then(|h| journal::count(&status.folder).map(|n| (h, n)));
    match read {
        Ok((h, n)) if h.shard == Some((shard.index, shard.count)) => {
            status.done = n;
            status.planned = Some(h.range.1 - h.range.0);
            (status, Some(h))
        }
        Ok((h, _)) => {
            status.state = ShardState::Unreadable(format!(
                "{} holds {}",
                status.folder.display(),
                h.shard
                    .map_or("a whole run".into(), |(i, n)| format!("shard {i}/{n}"))
            ));
            (status, None)
        }
        // A journal a starting task has just created has no header yet: not an error.
        Err(_)
            if status.state == ShardState::Unfinished && !journal::has_header(&status.folder) =>
        {
            (status, None)
        }
        Err(e) => {
            status.state = ShardState::Unreadable(e.to_string());
            (status, None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names_parse_strictly() {
        assert_eq!(
            parse_shard_name("r.shard-2-of-4", "r.shard-", ""),
            Some((2, 4))
        );
        assert_eq!(
            parse_shard_name(".r.shard-4-of-4.journal", ".r.shard-", ".journal"),
            Some((4, 4))
        );
        for bad in [
            "r.shard-0-of-4",
            "r.shard-5-of-4",
            "r.shard-2-of-",
            "r.shard--of-4",
            "r.shard-+2-of-4",
            "r.shard-2-of-4x",
            "r.shard-1-of-99999",
            "rr.shard-1-of-2",
        ] {
            assert_eq!(parse_shard_name(bad, "r.shard-", ""), None, "{bad}");
        }
    }
}
