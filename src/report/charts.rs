//! The charts section: every chart of the folder's `charts/`, embedded when it is a regular
//! file inside the result folder, named otherwise.

use std::path::{Path, PathBuf};

use super::{Block, ReportError};

/// The charts of the result folder `dir`, in file-name order, or a note that there are
/// none.
///
/// # Errors
/// If the charts folder or a chart cannot be read.
pub(super) fn section(dir: &Path) -> Result<Vec<Block>, ReportError> {
    let charts = dir.join("charts");
    if !charts.is_dir() {
        return Ok(vec![Block::Para(
            "No charts: run `caresim plot` on this folder first to include them.".into(),
        )]);
    }
    let mut doc = vec![Block::Heading(2, "Charts".into())];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&charts)
        .map_err(|e| ReportError::File {
            path: charts.clone(),
            message: e.to_string(),
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    files.sort();
    // Only regular files inside the folder are embedded: a chart linked to a file
    // elsewhere is named, not copied into the report.
    let root = dir.canonicalize().map_err(|e| ReportError::File {
        path: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    for f in files {
        let title = f
            .file_stem()
            .map(|s| s.to_string_lossy().replace('_', " "))
            .unwrap_or_default();
        match chart_bytes(&root, &f)? {
            Ok(bytes) => doc.push(Block::Image(title, f, bytes)),
            Err(why) => {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().replace('`', "'"))
                    .unwrap_or_default();
                doc.push(Block::Para(format!(
                    "Chart `charts/{name}` not included: {why} (only regular files inside the result folder are)."
                )));
            }
        }
    }
    Ok(doc)
}

/// Charts larger than this are not embedded.
const MAX_CHART_BYTES: u64 = 32 << 20;

/// The bytes of the chart `f` if it may be embedded: a regular file (not a symlink) inside
/// the result folder `root` (canonical) and not too large; otherwise why not.
fn chart_bytes(root: &Path, f: &Path) -> Result<Result<Vec<u8>, &'static str>, ReportError> {
    let err = |e: std::io::Error| ReportError::File {
        path: f.to_path_buf(),
        message: e.to_string(),
    };
    let meta = std::fs::symlink_metadata(f).map_err(err)?;
    if meta.file_type().is_symlink() {
        return Ok(Err("it is a symbolic link"));
    }
    if !meta.is_file() {
        return Ok(Err("it is not a regular file"));
    }
    // The folders on the way (`charts` itself) may be links: the file must resolve inside.
    if !f.canonicalize().map_err(err)?.starts_with(root) {
        return Ok(Err("it lies outside the result folder"));
    }
    if meta.len() > MAX_CHART_BYTES {
        return Ok(Err("it is larger than 32 MiB"));
    }
    std::fs::read(f).map(Ok).map_err(err)
}
