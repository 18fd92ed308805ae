//! PNG charts drawn from saved result folders (plotters, bitmap backend).
//!
//! Charts read only the files a run wrote (`summary.csv`, `timeseries.csv`, `runs.csv`,
//! `comparison.csv`, `sweep.csv`, `manifest.json`), so `caresim plot DIR` redraws exactly the
//! charts the run drew, without re-running. Text uses DejaVu Sans, embedded in the binary and
//! registered with plotters' `ab_glyph` renderer: no system font libraries are needed.
//!
//! Every chart is 1600 × 1000 pixels (taller when a chart lists many rows), with a title, axis
//! labels with units, a legend when there is more than one series, text of at least 22 px,
//! the Okabe–Ito colour-blind-safe palette, and numbers with thousands separators and £.

mod data;
mod draw;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use data::{
    Arm, CeResults, Change, Flagged, Kind, Unstable, flagged, load_kind, percent, point_label,
};

/// Chart width, pixels.
pub const WIDTH: u32 = 1600;
/// Chart height, pixels (charts with many rows grow).
pub const HEIGHT: u32 = 1000;

/// The colour (red, green, blue) that arm `i` of a comparison (the base is 0) is drawn in
/// by every chart; distinct for the first 16 arms.
#[must_use]
pub fn arm_colour(i: usize) -> [u8; 3] {
    let c = draw::colour(i);
    [c.0, c.1, c.2]
}

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// A result file is missing or malformed.
    #[error("{}: {message}", path.display())]
    Data {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The folder holds no results caresim knows.
    #[error(
        "{} holds no caresim results (no summary.csv, comparison.csv or sweep.csv)",
        .0.display()
    )]
    NotResults(PathBuf),
    /// Drawing or encoding failed.
    #[error("drawing {}: {message}", path.display())]
    Draw {
        /// The chart file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The charts folder holds something caresim did not draw.
    #[error("{}: {message}", path.display())]
    Foreign {
        /// The charts folder.
        path: PathBuf,
        /// What is in the way.
        message: String,
    },
    /// The charts folder could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Register the embedded font once (plotters' font registry is global).
fn fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Normal,
            dejavu::sans::regular(),
        )
        .map_err(|_| "the embedded DejaVu Sans font is invalid".to_string())?;
        plotters::style::register_font(
            "sans-serif",
            plotters::style::FontStyle::Bold,
            dejavu::sans::bold(),
        )
        .map_err(|_| "the embedded DejaVu Sans Bold font is invalid".to_string())
    })
    .clone()
    .map_err(|message| ChartError::Draw {
        path: PathBuf::from("fonts"),
        message,
    })
}

/// Draw every chart for the result folder `dir` into `dir/charts/` (replacing it), and
/// return the files written, in order.
///
/// # Errors
/// If the folder holds no results, a file is malformed, or drawing fails.
pub fn plot(dir: &Path) -> Result<Vec<PathBuf>, ChartError> {
    fonts()?;
    let kind = load_kind(dir)?;
    let charts = dir.join("charts");
    let staging = dir.join(".charts.partial");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ChartError::Io { path, source }
    };
    // Only a charts folder holding nothing but what caresim drew is replaced.
    if charts.exists() {
        check_charts_folder(&charts)?;
    }
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io(&staging))?;
    let drawn = draw::all(&kind, &staging).and_then(|names| {
        std::fs::write(staging.join(DRAWN), names.join("\n") + "\n").map_err(io(&staging))?;
        Ok(names)
    });
    let names = match drawn {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if charts.exists() {
        std::fs::remove_dir_all(&charts).map_err(io(&charts))?;
    }
    std::fs::rename(&staging, &charts).map_err(io(&charts))?;
    Ok(names.into_iter().map(|n| charts.join(n)).collect())
}

/// The list of the files caresim drew, kept in `charts/`: what a redraw may replace.
const DRAWN: &str = ".caresim-charts";

/// `charts` holds only the charts caresim drew (as listed in [`DRAWN`]; in a folder written
/// before the list existed, only `.png` files).
fn check_charts_folder(charts: &Path) -> Result<(), ChartError> {
    let io = |source| ChartError::Io {
        path: charts.to_path_buf(),
        source,
    };
    let meta = std::fs::symlink_metadata(charts).map_err(io)?;
    if !meta.is_dir() {
        return Err(ChartError::Foreign {
            path: charts.to_path_buf(),
            message: "it is not a folder".into(),
        });
    }
    let listed: Option<Vec<String>> = std::fs::read_to_string(charts.join(DRAWN))
        .ok()
        .map(|t| t.lines().map(String::from).collect());
    let mut foreign = Vec::new();
    for e in std::fs::read_dir(charts).map_err(io)? {
        let e = e.map_err(io)?;
        let name = e.file_name().to_string_lossy().into_owned();
        // Case-sensitive on purpose: caresim writes `.png`, and a `.PNG` is someone else's.
        #[allow(clippy::case_sensitive_file_extension_comparisons)]
        let ours = e.file_type().is_ok_and(|t| t.is_file())
            && (name == DRAWN
                || match &listed {
                    Some(l) => l.contains(&name),
                    None => name.ends_with(".png"),
                });
        if !ours {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        Ok(())
    } else {
        foreign.sort();
        Err(ChartError::Foreign {
            path: charts.to_path_buf(),
            message: format!(
                "it holds files caresim did not draw ({}); move them out of it first, caresim redraws only a charts folder of its own",
                foreign.join(", ")
            ),
        })
    }
}

/// `1234567.8` → `1,234,568` (rounded to `decimals`).
pub fn thousands(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if x < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '−');
    }
    out
}

/// A money amount for people: `£87.8m`, `£450k`, `£1,234`.
pub fn money(x: f64) -> String {
    let sign = if x < 0.0 { "−" } else { "" };
    let a = x.abs();
    if a >= 1e6 {
        format!("{sign}£{}m", thousands(a / 1e6, 1))
    } else if a >= 1e4 {
        format!("{sign}£{}k", thousands(a / 1e3, 0))
    } else {
        format!("{sign}£{}", thousands(a, 0))
    }
}

/// `x` as `write` writes its size (given |x|), with an explicit sign: `+`, or `−` (U+2212,
/// the typographic minus), or none when it shows as zero (`+£1.4m`, `−5.6`, `£0`). One
/// rule for every signed figure in the report, so differences read the same everywhere.
pub fn signed(x: f64, write: impl Fn(f64) -> String) -> String {
    let size = write(x.abs());
    if !size.chars().any(|c| c.is_ascii_digit() && c != '0') {
        size
    } else if x < 0.0 {
        format!("−{size}")
    } else if x > 0.0 {
        format!("+{size}")
    } else {
        size
    }
}

/// A count or amount for axis ticks: thousands separators, decimals only for small values.
pub fn number(x: f64) -> String {
    let a = x.abs();
    if a >= 100.0 || a == 0.0 {
        thousands(x, 0)
    } else if a >= 1.0 {
        thousands(x, 1)
    } else {
        thousands(x, 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(thousands(1_234_567.8, 0), "1,234,568");
        assert_eq!(thousands(-1234.5, 1), "−1,234.5");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(money(87_849_894.0), "£87.8m");
        assert_eq!(money(-450_000.0), "−£450k");
        assert_eq!(money(1234.0), "£1,234");
        assert_eq!(number(0.25), "0.250");
        assert_eq!(number(246_360.0), "246,360");
        assert_eq!(signed(1_400_000.0, money), "+£1.4m");
        assert_eq!(signed(-5.63, |a| format!("{a:.1}")), "−5.6");
        assert_eq!(signed(-0.01, |a| format!("{a:.1}")), "0.0");
        assert_eq!(signed(0.0, money), "£0");
    }
}
