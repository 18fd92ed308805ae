//! Where results go: the default result folders of each command, and the folders beside a
//! result folder (its shards, its journal). One place, so that `run`, `merge` and the Slurm
//! script agree on every name.

use std::path::{Path, PathBuf};

use super::guard::file_name;

/// The folder default result folders go in, relative to the working folder.
pub const OUTPUT_DIR: &str = "output";

/// Default result folder of `caresim run`: `output/<scenario name>`.
pub fn run_folder(scenario_name: &str) -> PathBuf {
    Path::new(OUTPUT_DIR).join(scenario_name)
}

/// Default result folder of `caresim compare`: `output/compare_<base scenario name>`.
pub fn compare_folder(base_name: &str) -> PathBuf {
    Path::new(OUTPUT_DIR).join(format!("compare_{base_name}"))
}

/// Default result folder of `caresim sweep`: `output/sweep_<sweep file stem>` (the scenario
/// name when the file has no stem).
pub fn sweep_folder(sweep_file: &Path, scenario_name: &str) -> PathBuf {
    let stem = sweep_file.file_stem().map_or_else(
        || scenario_name.to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    Path::new(OUTPUT_DIR).join(format!("sweep_{stem}"))
}

/// The name of shard `index` of `count` of result folder `out`, as text:
/// `<out>.shard-I-of-N`.
pub fn shard_name(out: &str, index: u32, count: u32) -> String {
    format!("{out}.shard-{index}-of-{count}")
}

/// The folder of shard `index` of `count` of result folder `out`, beside it.
pub fn shard_folder(out: &Path, index: u32, count: u32) -> PathBuf {
    out.with_file_name(shard_name(&file_name(out), index, count))
}

/// The result folder a shard folder belongs to (its name without `.shard-I-of-N`).
pub fn merged_folder(shard: &Path) -> PathBuf {
    let name = shard
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let base = name
        .rsplit_once(".shard-")
        .map_or(name.as_str(), |(b, _)| b)
        .to_string();
    shard.with_file_name(base)
}

/// The hidden journal folder of a result folder: `.<name>.journal` beside it.
pub fn journal_folder(out: &Path) -> PathBuf {
    out.with_file_name(format!(".{}.journal", file_name(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree() {
        let out = Path::new("output/nhs");
        let shard = shard_folder(out, 2, 4);
        assert_eq!(shard, Path::new("output/nhs.shard-2-of-4"));
        assert_eq!(merged_folder(&shard), out);
        assert_eq!(journal_folder(out), Path::new("output/.nhs.journal"));
        assert_eq!(
            sweep_folder(Path::new("s/one_way.toml"), "x"),
            Path::new("output/sweep_one_way")
        );
        assert_eq!(run_folder("a"), Path::new("output/a"));
        assert_eq!(compare_folder("a"), Path::new("output/compare_a"));
    }
}
