//! What this caresim binary was built from: its version and, when built from a git
//! checkout, the commit (recorded by `build.rs`), for `caresim --version` and
//! `manifest.json`.

/// The package version, e.g. `0.6.0`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit built, `git rev-parse --short=12 HEAD` with `-dirty` appended when the
/// compiled sources (`src/`, `Cargo.toml`, `Cargo.lock`, `build.rs`) differed from it;
/// `None` when built from outside a git checkout (a crates.io package, a tarball).
pub const COMMIT: Option<&str> = option_env!("CARESIM_COMMIT");

/// The version with its commit, as `caresim --version` prints it: `0.6.0 (commit
/// 0bea4fa1c2d3)`, `0.6.0 (commit 0bea4fa1c2d3-dirty)` or `0.6.0 (commit unknown)`. Spelled
/// by `build.rs`, since `concat!` cannot take a variable that may be unset.
pub const LONG_VERSION: &str = env!("CARESIM_LONG_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_version_names_the_version_and_the_commit() {
        match COMMIT {
            Some(c) => {
                assert_eq!(LONG_VERSION, format!("{VERSION} (commit {c})"));
                let hash = c.strip_suffix("-dirty").unwrap_or(c);
                assert_eq!(hash.len(), 12, "{c}");
                assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{c}");
            }
            None => assert_eq!(LONG_VERSION, format!("{VERSION} (commit unknown)")),
        }
    }
}
