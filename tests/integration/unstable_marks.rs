//! Results with no steady state are marked in the charts and the report (issue 11, defect 7):
//! an overloaded run (`overloaded.toml`: 2 intermediate-care places for a demand of about 4)
//! is flagged by the data layer the charts and report use, its charts carry the red mark and
//! its report the warning naming the pool; a stable run (`valid.toml`) has none of them.

use std::path::Path;

use image::RgbImage;

use caresim::chart::{self, Kind};

use crate::util::{caresim, fixture, run_fixture, stderr};

/// The mark's colour (`chart::draw::WARN`): a red no palette colour is near.
const WARN: [u8; 3] = [204, 0, 0];

/// Pixels of the mark's colour (anti-aliased edges excluded).
fn marked_pixels(img: &RgbImage) -> usize {
    img.pixels()
        .filter(|p| p.0.iter().zip(WARN).all(|(&a, b)| a.abs_diff(b) <= 30))
        .count()
}

fn chart(dir: &Path, file: &str) -> RgbImage {
    image::open(dir.join("charts").join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .to_rgb8()
}

/// Run `fixture` for 2 replications into `dir/out`, with its charts and report.
fn run_with_report(dir: &Path, fixture_name: &str, out: &str) -> std::path::PathBuf {
    run_fixture(dir, fixture_name, &["--reps", "2", "--out", out]);
    let o = caresim(dir, &["report", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join(out)
}

#[test]
fn unstable_run_is_flagged_marked_in_its_charts_and_warned_in_its_report() {
    let t = tempfile::tempdir().unwrap();
    let bad = run_with_report(t.path(), "overloaded.toml", "bad");
    let good = run_with_report(t.path(), "valid.toml", "good");

    // The data layer flags the overloaded run, naming the pool; the stable run not at all.
    let flagged = chart::flagged(&chart::load_kind(&bad).unwrap());
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    let f = &flagged[0];
    assert_eq!(f.label, "overloaded");
    assert!(f.unstable.share > 0.0 && f.unstable.share <= 1.0);
    let pools = f.unstable.pools_text();
    assert!(
        f.unstable.pools.iter().all(|(_, s)| *s > 0.0) && !f.unstable.pools.is_empty(),
        "{pools}"
    );
    assert!(chart::flagged(&chart::load_kind(&good).unwrap()).is_empty());

    // Every chart of the unstable run carries the red mark (label, note); the stable run's
    // none.
    for file in [
        "acute_occupancy.png",
        "community_intermediate_care_occupancy.png",
        "bed_days_per_1000.png",
        "cost_by_setting.png",
        "delays_and_waits.png",
    ] {
        let (b, g) = (chart(&bad, file), chart(&good, file));
        assert!(
            marked_pixels(&b) > 500,
            "{file}: {} red pixels",
            marked_pixels(&b)
        );
        assert_eq!(marked_pixels(&g), 0, "{file}");
        // The note below the chart: red in the added strip at the bottom.
        assert!(b.height() > g.height(), "{file}: no room made for the note");
        let strip = b.height() - g.height();
        let note = (b.height() - strip..b.height())
            .flat_map(|y| (0..b.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| b.get_pixel(x, y).0 == WARN)
            .count();
        assert!(note > 200, "{file}: the note has {note} red pixels");
    }

    // The report warns near the top, naming the run and each flagged pool with its share;
    // the stable run's report does not.
    let html = std::fs::read_to_string(bad.join("report.html")).unwrap();
    let warning = html
        .find("<div class=\"warning\" role=\"alert\">")
        .expect("a warning box");
    assert!(
        warning < html.find("<h2>Results</h2>").unwrap(),
        "not above the results"
    );
    let boxed = &html[warning..html[warning..].find("</div>").unwrap() + warning];
    assert!(boxed.contains("No steady state"), "{boxed}");
    assert!(boxed.contains("overloaded: no steady state in"), "{boxed}");
    for (pool, share) in &f.unstable.pools {
        let named = format!("{pool} {}", chart::percent(*share));
        assert!(boxed.contains(&named), "{named} not in {boxed}");
    }
    assert!(boxed.contains("depend on the horizon"), "{boxed}");
    // The results table marks the run's column.
    assert!(html.contains("<th>⚠ overloaded</th>"), "column not marked");
    let md = std::fs::read_to_string(bad.join("report.md")).unwrap();
    assert!(
        md.contains("> **⚠ No steady state"),
        "markdown has no warning"
    );

    for page in ["report.html", "report.md"] {
        let text = std::fs::read_to_string(good.join(page)).unwrap();
        assert!(
            !text.contains("steady state"),
            "{page} of a stable run warns"
        );
        assert!(
            !text.contains('⚠'),
            "{page} of a stable run marks something"
        );
    }
}

#[test]
fn sweep_marks_only_its_points_without_a_steady_state() {
    let t = tempfile::tempdir().unwrap();
    let scenario = fixture("overloaded.toml");
    // 2 places: no steady state; 20 places: stable.
    std::fs::write(
        t.path().join("sweep.toml"),
        format!(
            "scenario = {:?}\nreplications = 2\n\n[parameters]\n\"community.intermediate_care.capacity\" = [2, 20]\n\"acute.beds\" = [40, 60]\n",
            scenario.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = caresim(t.path(), &["sweep", "sweep.toml", "--quiet", "--out", "s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = caresim(t.path(), &["report", "s"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = t.path().join("s");
    let kind = chart::load_kind(&dir).unwrap();
    let Kind::Sweep { points, .. } = &kind else {
        panic!("not a sweep")
    };
    let flagged = chart::flagged(&kind);
    // The points with 2 places are flagged, those with 20 are not.
    let at = |i: usize| points[i].values.clone();
    let with_two: Vec<usize> = (0..points.len())
        .filter(|&i| at(i).contains(&2.0))
        .collect();
    let flagged_at: Vec<usize> = flagged.iter().map(|f| f.index).collect();
    assert!(!flagged.is_empty());
    assert!(
        flagged_at.iter().all(|i| with_two.contains(i)),
        "flagged {flagged_at:?}, points with 2 places {with_two:?}"
    );
    assert!(
        flagged[0]
            .label
            .starts_with(&format!("point {} (", flagged[0].index))
    );
    assert!(
        flagged[0]
            .label
            .contains("community.intermediate_care.capacity = 2")
    );

    // The heat map frames them in red and notes them.
    let img = chart(&dir, "sweep_delayed_bed_days.png");
    assert!(
        marked_pixels(&img) > 2000,
        "{} red pixels",
        marked_pixels(&img)
    );

    // The report names each flagged point with its swept values and marks its row.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for f in &flagged {
        assert!(html.contains(&f.label), "{} not in the report", f.label);
    }
    // A point table too wide for a page is split by columns; every part marks the rows.
    let parts = html.matches(">point (part ").count().max(1);
    assert_eq!(
        html.matches("<tr class=\"unstable\">").count(),
        flagged.len() * parts,
        "marked rows in {parts} part(s) of the point table"
    );
}
