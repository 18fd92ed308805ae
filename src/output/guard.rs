//! What caresim may replace, and how it replaces it.
//!
//! caresim is pointed at users' own folders, so it deletes or overwrites only what it made
//! itself. Every folder it makes (result folders, journals, shards) holds a small marker
//! file, [`MARKER`], naming its kind. A folder may be replaced only when it holds the marker
//! (or is empty) and is not a folder whose loss would hurt: `/`, the home folder, the
//! working folder or any of its ancestors, or a folder holding an input file. Everything
//! else is refused with a message saying why, before any work starts.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{OutputError, io_err};

/// Name of the marker file caresim writes into every folder it makes.
pub const MARKER: &str = ".caresim";

/// What a caresim folder is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FolderKind {
    /// A result folder (`run`, `compare`, `sweep`, `merge`).
    Results,
    /// A run journal, or a finished shard (a journal renamed into place).
    Journal,
    /// A result folder being written (a hidden `.<name>.partial-*` staging folder).
    Staging,
}

impl FolderKind {
    fn describe(self) -> &'static str {
        match self {
            FolderKind::Results => "result folder",
            FolderKind::Journal => "journal or shard folder",
            FolderKind::Staging => "staging folder",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Marker {
    tool: String,
    kind: FolderKind,
    /// The process writing a staging folder (to tell a killed run's leftovers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
}

/// Write the marker of a `kind` folder into `dir`.
///
/// # Errors
/// If the file cannot be written.
pub fn write_marker(dir: &Path, kind: FolderKind) -> Result<(), OutputError> {
    let body = serde_json::to_vec(&Marker {
        tool: "caresim".into(),
        kind,
        pid: (kind == FolderKind::Staging).then(std::process::id),
    })?;
    super::atomic_write(&dir.join(MARKER), &body)
}

/// The kind named by the marker in `dir`, if it holds a caresim marker (a regular file of
/// at most 1 KiB naming caresim).
pub fn marker(dir: &Path) -> Option<FolderKind> {
    read_marker(dir).map(|m| m.kind)
}

fn read_marker(dir: &Path) -> Option<Marker> {
    let path = dir.join(MARKER);
    let meta = fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > 1024 {
        return None;
    }
    let mut bytes = Vec::new();
    fs::File::open(&path)
        .ok()?
        .take(1024)
        .read_to_end(&mut bytes)
        .ok()?;
    let m: Marker = serde_json::from_slice(&bytes).ok()?;
    (m.tool == "caresim").then_some(m)
}

/// Remove the staging folders of `dir` (`.<name>.partial-*` beside it, holding a staging
/// marker) left by caresim processes that no longer run (killed mid-write). Only where
/// process liveness can be told (`/proc`); elsewhere they stay, blocking nothing.
pub fn remove_stale_staging(dir: &Path) {
    let proc_fs = Path::new("/proc/self");
    if !proc_fs.exists() {
        return;
    }
    let prefix = format!(".{}.partial-", file_name(dir));
    let Ok(entries) = fs::read_dir(parent_of(dir)) else {
        return;
    };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let path = e.path();
        if let Some(Marker {
            kind: FolderKind::Staging,
            pid: Some(pid),
            ..
        }) = read_marker(&path)
            && !Path::new(&format!("/proc/{pid}")).exists()
        {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Whether `dir` is an empty folder.
fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none())
}

/// Why `dir` must never be replaced whatever its contents, if it is one of: `/`, the home
/// folder, the working folder or one of its ancestors, a folder holding one of `inputs`.
pub fn protected(dir: &Path, inputs: &[&Path]) -> Option<String> {
    let canonical = fs::canonicalize(dir).ok()?;
    if canonical.parent().is_none() {
        return Some("it is the root folder".into());
    }
    if let Some(home) = std::env::var_os("HOME").and_then(|h| fs::canonicalize(h).ok())
        && home == canonical
    {
        return Some("it is the home folder".into());
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && cwd.starts_with(&canonical)
    {
        return Some(if cwd == canonical {
            "it is the working folder".into()
        } else {
            "it holds the working folder".into()
        });
    }
    for input in inputs {
        if let Ok(i) = fs::canonicalize(input)
            && i.starts_with(&canonical)
        {
            return Some(format!("it holds the input file {}", input.display()));
        }
    }
    None
}

/// Check that caresim may write the `kind` folder `dir`: it does not exist, or `force` is
/// given and it is an empty folder or a caresim folder of that kind, not [`protected`].
///
/// # Errors
/// [`OutputError::Exists`] when it exists (a caresim folder) and `force` is false;
/// [`OutputError::NotOurs`] when caresim must not replace it, with the reason.
pub fn check_target(
    dir: &Path,
    force: bool,
    kind: FolderKind,
    inputs: &[&Path],
) -> Result<(), OutputError> {
    let not_ours = |reason: String| OutputError::NotOurs {
        path: dir.to_path_buf(),
        reason,
    };
    let meta = match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => {
            let file = dir
                .ancestors()
                .skip(1)
                .find(|a| fs::metadata(a).is_ok_and(|m| !m.is_dir()))
                .unwrap_or(dir);
            return Err(OutputError::NotOurs {
                path: dir.to_path_buf(),
                reason: format!("{} is a file, not a folder", file.display()),
            });
        }
        Err(e) => return Err(io_err("checking", dir)(e)),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(not_ours(
            "it is a symbolic link; caresim writes results only into real folders".into(),
        ));
    }
    if !meta.is_dir() {
        return Err(not_ours("it is a file, not a folder".into()));
    }
    if let Some(why) = protected(dir, inputs) {
        return Err(not_ours(why));
    }
    let found = marker(dir);
    if found != Some(kind) && !is_empty_dir(dir) {
        return Err(not_ours(match found {
            Some(other) => format!(
                "it is a caresim {}, not a {}",
                other.describe(),
                kind.describe()
            ),
            None => format!("it was not made by caresim (it has no {MARKER} marker)"),
        }));
    }
    if !force {
        return Err(OutputError::Exists(dir.to_path_buf()));
    }
    Ok(())
}

/// `builder` making files or folders with `mode` less the umask, as `File::create` and
/// `create_dir` do, rather than tempfile's private 0600/0700: results are shared with
/// colleagues on cluster file systems.
pub fn shared<'a, 'b>(
    builder: &'b mut tempfile::Builder<'a, 'a>,
    mode: u32,
) -> &'b mut tempfile::Builder<'a, 'a> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        builder
    }
}

/// The folder holding `path` (`.` for a bare name).
pub fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// The last component of `path`, for naming hidden siblings.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned())
}

/// Move the finished folder `from` onto `to`, replacing a caresim folder there (already
/// checked with [`check_target`]): the old folder is first renamed aside, so `to` is always
/// either the old or the new folder, never a mixture.
///
/// # Errors
/// If a rename fails (the old folder is put back).
pub fn replace_dir(from: &Path, to: &Path, kind: FolderKind) -> Result<(), OutputError> {
    let exists = fs::symlink_metadata(to).is_ok();
    if !exists {
        return fs::rename(from, to).map_err(io_err("renaming into", to));
    }
    // Re-check at the last moment: the folder must still be one caresim may replace.
    check_target(to, true, kind, &[])?;
    let parent = parent_of(to);
    let aside: PathBuf = tempfile::Builder::new()
        .prefix(&format!(".{}.old-", file_name(to)))
        .tempdir_in(parent)
        .map_err(io_err("creating a temporary folder in", parent))?
        .keep();
    // Renaming a folder onto an empty folder replaces it (POSIX rename).
    fs::rename(to, &aside).map_err(io_err("moving aside", to))?;
    if let Err(e) = fs::rename(from, to) {
        let _ = fs::rename(&aside, to);
        return Err(io_err("renaming into", to)(e));
    }
    fs::remove_dir_all(&aside).map_err(io_err("removing the replaced folder", &aside))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_marked_or_empty_folders_are_replaceable() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("r");
        assert!(check_target(&dir, false, FolderKind::Results, &[]).is_ok());
        fs::create_dir(&dir).unwrap();
        assert!(check_target(&dir, true, FolderKind::Results, &[]).is_ok());
        assert!(matches!(
            check_target(&dir, false, FolderKind::Results, &[]),
            Err(OutputError::Exists(_))
        ));
        fs::write(dir.join("keep"), "mine").unwrap();
        assert!(matches!(
            check_target(&dir, true, FolderKind::Results, &[]),
            Err(OutputError::NotOurs { .. })
        ));
        write_marker(&dir, FolderKind::Journal).unwrap();
        assert!(matches!(
            check_target(&dir, true, FolderKind::Results, &[]),
            Err(OutputError::NotOurs { .. })
        ));
        write_marker(&dir, FolderKind::Results).unwrap();
        assert!(check_target(&dir, true, FolderKind::Results, &[]).is_ok());
        let input = dir.join("keep");
        assert!(matches!(
            check_target(&dir, true, FolderKind::Results, &[&input]),
            Err(OutputError::NotOurs { .. })
        ));
    }

    #[test]
    fn root_is_protected() {
        assert!(protected(Path::new("/"), &[]).is_some());
    }

    #[test]
    fn replace_keeps_one_whole_folder() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::write(a.join("new"), "1").unwrap();
        fs::create_dir(&b).unwrap();
        write_marker(&b, FolderKind::Results).unwrap();
        fs::write(b.join("old"), "0").unwrap();
        replace_dir(&a, &b, FolderKind::Results).unwrap();
        assert!(b.join("new").exists() && !b.join("old").exists() && !a.exists());
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }
}
