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

/// A 13-arm comparison (the NHS baseline and 12 bundled policies over two years, a
/// half-year warm-up, 2 replications) in `dir/c13`: what a board sees when every lever is
/// compared at once.
fn thirteen_arms(dir: &Path) -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = vec![root.join("nhs_2003_baseline.toml")];
    let mut policies: Vec<_> = fs::read_dir(root.join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.ends_with("kaiser_levers_combined_s_only.toml"))
        .collect();
    policies.sort();
    files.extend(policies);
    assert_eq!(files.len(), 13);
    let mut args: Vec<String> = vec!["compare".into()];
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy();
        let short = dir.join(format!("{stem}.toml"));
        fs::write(
            &short,
            format!(
                "extends = {:?}\n[scenario]\nname = \"{stem}\"\ntitle = \"{stem} (short)\"\n[simulation]\nhorizon_days = 730.0\nwarmup_days = 180.0\n",
                f.to_str().unwrap()
            ),
        )
        .unwrap();
        args.push(short.to_string_lossy().into_owned());
    }
    args.extend(["--reps", "2", "--quiet", "--out", "c13"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&caresim(dir, &args));
    dir.join("c13")
}

/// The palette colours (exactly) present in `img` within columns `x0..x1`, by arm index.
fn arm_colours_in(img: &image::RgbImage, x0: u32, x1: u32, arms: usize) -> Vec<usize> {
    let mut seen = vec![false; arms];
    for (x, _, p) in img.enumerate_pixels() {
        if x < x0 || x >= x1 {
            continue;
        }
        if let Some(i) = (0..arms).find(|&i| caresim::chart::arm_colour(i) == p.0) {
            seen[i] = true;
        }
    }
    (0..arms).filter(|&i| seen[i]).collect()
}

#[test]
fn thirteen_arms_get_distinct_colours_and_legends_beside_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let c13 = thirteen_arms(dir.path());
    let charts = charts_of(&c13);
    for (name, _) in &charts {
        check_chart(&c13.join("charts").join(name));
    }
    // Every chart of arms draws each arm in its own colour: the alternatives' (1..13) in
    // every chart of changes, the base's too in the occupancy panels.
    for (chart, first) in [
        ("acute_occupancy.png", 0),
        ("change_vs_base.png", 1),
        ("ce_plane.png", 1),
        ("ceac.png", 1),
        ("ce_plane_qalys.png", 1),
    ] {
        let img = image::open(c13.join("charts").join(chart))
            .unwrap()
            .to_rgb8();
        let found = arm_colours_in(&img, 0, img.width(), 13);
        let want: Vec<usize> = (first..13).collect();
        assert!(
            want.iter().all(|i| found.contains(i)),
            "{chart}: arm colours found {found:?}, want {want:?}"
        );
    }
    // Charts with a legend keep it in a strip right of the plotting area: every
    // alternative's swatch is in the right third, and the plotting area (its left two
    // thirds) is left of the strip.
    for chart in ["ce_plane.png", "ceac.png", "ce_plane_qalys.png"] {
        let img = image::open(c13.join("charts").join(chart))
            .unwrap()
            .to_rgb8();
        let w = img.width();
        let strip = arm_colours_in(&img, w * 2 / 3 + 20, w, 13);
        assert_eq!(
            strip,
            (1..13).collect::<Vec<_>>(),
            "{chart}: legend swatches in the right third"
        );
    }
    // Thirteen occupancy lines overlaid are unreadable: small multiples, one panel per
    // arm, so the chart grows with the arms.
    let occupancy = image::open(c13.join("charts/acute_occupancy.png")).unwrap();
    assert!(occupancy.height() > 2000, "{}", occupancy.height());
}

#[test]
fn a_title_is_the_files_own_or_made_from_its_name_never_its_bases() {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/nhs_2003_baseline.toml");
    let write = |name: &str, body: &str| {
        let p = dir.path().join(format!("{name}.toml"));
        fs::write(
            &p,
            format!("extends = {:?}\n{body}", base.to_str().unwrap()),
        )
        .unwrap();
        caresim::scenario::load(&p).unwrap()
    };
    assert_eq!(
        caresim::scenario::load(&base).unwrap().title,
        "NHS 2003 baseline"
    );
    // A derived file that names itself and gives no title: from its own name.
    let own = write("more_beds", "[scenario]\nname = \"more_beds\"\n");
    assert_eq!(own.title, "More beds");
    let titled = write(
        "titled",
        "[scenario]\nname = \"titled\"\ntitle = \"Ten more beds\"\n",
    );
    assert_eq!(titled.title, "Ten more beds");
}

#[test]
fn a_run_with_uncertain_parameters_charts_which_inputs_matter() {
    let dir = tempfile::tempdir().unwrap();
    let psa = fixture("psa_small.toml");
    ok(&caresim(
        dir.path(),
        &[
            "run",
            psa.to_str().unwrap(),
            "--reps",
            "12",
            "--quiet",
            "--out",
            "psa",
        ],
    ));
    check_chart(&dir.path().join("psa/charts/psa_inputs.png"));
    // Fewer replications than correlations can be read from, and a run without uncertain
    // parameters: no such chart.
    ok(&caresim(
        dir.path(),
        &[
            "run",
            psa.to_str().unwrap(),
            "--reps",
            "4",
            "--quiet",
            "--out",
            "few",
        ],
    ));
    assert!(!dir.path().join("few/charts/psa_inputs.png").exists());
    let fixed = fixture("valid.toml");
    ok(&caresim(
        dir.path(),
        &[
            "run",
            fixed.to_str().unwrap(),
            "--reps",
            "12",
            "--quiet",
            "--out",
            "fixed",
        ],
    ));
    assert!(!dir.path().join("fixed/charts/psa_inputs.png").exists());
    // A comparison of arms sharing uncertain parameters: the grid of which inputs each
    // alternative's paired change turns on.
    let alt = fixture("psa_small_alt.toml");
    ok(&caresim(
        dir.path(),
        &[
            "compare",
            psa.to_str().unwrap(),
            alt.to_str().unwrap(),
            "--reps",
            "12",
            "--quiet",
            "--out",
            "cmp",
        ],
    ));
    check_chart(&dir.path().join("cmp/charts/psa_inputs.png"));
}

/// A 13-arm comparison with uncertain parameters (psa_small and 12 alternatives with
/// other bed numbers, 12 replications): the PSA grid gives every alternative its row in
/// both panels, and stays a readable chart.
#[test]
fn a_thirteen_arm_comparison_with_uncertain_parameters_draws_the_psa_grid() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture("psa_small.toml");
    let mut args: Vec<String> = vec!["compare".into(), base.to_string_lossy().into_owned()];
    for i in 1..=12 {
        let f = dir.path().join(format!("alternative_{i:02}.toml"));
        fs::write(
            &f,
            format!(
                "extends = {:?}\n[scenario]\nname = \"alternative_with_a_long_name_{i:02}\"\n[acute]\nbeds = {}\n",
                base.to_str().unwrap(),
                20 + i
            ),
        )
        .unwrap();
        args.push(f.to_string_lossy().into_owned());
    }
    args.extend(["--reps", "12", "--quiet", "--out", "p13"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&caresim(dir.path(), &args));
    let chart = dir.path().join("p13/charts/psa_inputs.png");
    check_chart(&chart);
    let (_, height) = image::image_dimensions(&chart).unwrap();
    // Title, and two panels of a heading, the inputs' names and 12 rows of 58 px.
    assert!(
        height >= 130 + 2 * (60 + 110 + 58 * 12 + 30),
        "height {height}"
    );
}
