//! Charts and reports: every chart exists at its size, is not blank, has text in its title
//! area, and `caresim plot` redraws the same bytes; reports hold every section.

use std::fs;
use std::path::Path;

use crate::util::{caresim, fixture, stderr};

fn ok(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// Check one chart: a 1600-pixel-wide PNG at least 1000 high, with drawing in the plot and
/// text in the title band.
fn check_chart(path: &Path) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8();
    let (w, h) = img.dimensions();
    assert_eq!(w, 1600, "{}", path.display());
    assert!(h >= 1000, "{}: height {h}", path.display());
    let ink = |x0: u32, x1: u32, y0: u32, y1: u32| {
        let mut n = 0;
        for y in y0..y1 {
            for x in x0..x1 {
                if img.get_pixel(x, y).0 != [255, 255, 255] {
                    n += 1;
                }
            }
        }
        n
    };
    let total = ink(0, w, 0, h);
    assert!(
        total > (w * h) as usize / 100,
        "{} is nearly blank ({total} drawn pixels)",
        path.display()
    );
    let title = ink(200, w - 200, 0, 70);
    assert!(
        title > 800,
        "{}: no title text ({title} drawn pixels in the title band)",
        path.display()
    );
}

/// The chart files (PNG) of a result folder, by name, with their bytes.
fn charts_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_draws_its_charts_and_plot_redraws_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    ok(&caresim(
        dir.path(),
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "3",
            "--quiet",
            "--out",
            "r",
        ],
    ));
    let out = dir.path().join("r");
    let before = charts_of(&out);
    let names: Vec<&str> = before.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "acute_occupancy.png",
            "bed_days_per_1000.png",
            "community_intermediate_care_occupancy.png",
            "cost_by_setting.png",
            "delays_and_waits.png"
        ]
    );
    for (n, _) in &before {
        check_chart(&out.join("charts").join(n));
    }
    let o = caresim(dir.path(), &["plot", "r"]);
    ok(&o);
    assert_eq!(charts_of(&out), before, "plot redrew different bytes");
    // --no-charts draws none; plot on a folder without results is an input error.
    ok(&caresim(
        dir.path(),
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--out",
            "bare",
            "--no-charts",
        ],
    ));
    assert!(!dir.path().join("bare/charts").exists());
    let o = caresim(dir.path(), &["plot", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("is not a result folder written by caresim"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compare_and_sweeps_draw_their_own_charts() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (fixture("psa_small.toml"), fixture("psa_small_alt.toml"));
    ok(&caresim(
        dir.path(),
        &[
            "compare",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--reps",
            "4",
            "--quiet",
            "--out",
            "cmp",
        ],
    ));
    let names: Vec<String> = charts_of(&dir.path().join("cmp"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for want in ["change_vs_base.png", "ce_plane.png", "acute_occupancy.png"] {
        assert!(names.iter().any(|n| n == want), "{want} missing: {names:?}");
        check_chart(&dir.path().join("cmp/charts").join(want));
    }
    for (sweep, out) in [
        ("sweep_small.toml", "grid"),
        ("sweep_one_way.toml", "tornado"),
    ] {
        let s = fixture(sweep);
        ok(&caresim(
            dir.path(),
            &["sweep", s.to_str().unwrap(), "--quiet", "--out", out],
        ));
        let charts = charts_of(&dir.path().join(out));
        assert_eq!(charts.len(), 3, "{out}: {charts:?}");
        for (n, _) in charts {
            check_chart(&dir.path().join(out).join("charts").join(n));
        }
    }
}

#[test]
fn a_report_has_results_charts_and_every_stress_des_section() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    ok(&caresim(
        dir.path(),
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "3",
            "--quiet",
            "--out",
            "r",
        ],
    ));
    let o = caresim(dir.path(), &["report", "r"]);
    ok(&o);
    let md = fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    for section in [
        "## Results",
        "## Charts",
        "### 1. Objectives",
        "### 2. Logic",
        "### 3. Data",
        "### 4. Experimentation",
        "### 5. Implementation",
        "### 6. Code access",
        "## Resolved parameters of valid",
        "| acute.beds | 20 | beds |",
        "![acute occupancy](charts/acute_occupancy.png)",
    ] {
        assert!(md.contains(section), "report.md lacks {section:?}");
    }
    let html = fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 5);
    assert!(
        !html.contains("src=\"charts/"),
        "the HTML must not link files"
    );
    assert!(html.contains("<h3>6. Code access</h3>"));
}
