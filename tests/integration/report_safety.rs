//! `caresim report` embeds only regular files inside the result folder: a chart that is a
//! symlink, or a `charts` folder linked elsewhere, is named in the report and not copied
//! into it.

use std::fs;

use base64::Engine as _;

use crate::util::{caresim, fixture, stderr};

#[test]
fn report_embeds_no_chart_linked_from_outside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let v = fixture("valid.toml");
    let o = caresim(
        dir.path(),
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // A "PNG" outside the folder, linked into its charts.
    let secret = b"\x89PNG\r\n\x1a\nSECRET OUTSIDE THE RESULT FOLDER";
    let outside = dir.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("secret.png"), secret).unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.png"),
        dir.path().join("r/charts/zz_secret.png"),
    )
    .unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);

    let o = caresim(dir.path(), &["report", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    let md = fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(!html.contains(&b64), "the linked file was embedded");
    assert_eq!(html.matches("data:image/png;base64,").count(), 5);
    assert!(!md.contains("](charts/zz_secret.png)"), "{md}");
    assert!(
        md.contains("Chart `charts/zz_secret.png` not included: it is a symbolic link"),
        "{md}"
    );

    // The whole charts folder linked elsewhere: nothing from it is embedded.
    fs::rename(dir.path().join("r/charts"), outside.join("charts")).unwrap();
    std::os::unix::fs::symlink(outside.join("charts"), dir.path().join("r/charts")).unwrap();
    fs::remove_file(outside.join("charts/zz_secret.png")).unwrap();
    fs::write(outside.join("charts/zz_secret.png"), secret).unwrap();
    let o = caresim(dir.path(), &["report", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = fs::read_to_string(dir.path().join("r/report.html")).unwrap();
    let md = fs::read_to_string(dir.path().join("r/report.md")).unwrap();
    assert!(
        !html.contains(&b64),
        "a file outside the folder was embedded"
    );
    assert_eq!(html.matches("data:image/png;base64,").count(), 0);
    assert!(!md.contains("]("), "report.md links: {md}");
    assert!(md.contains("it lies outside the result folder"), "{md}");
}
