//! How errors are shown (`--message-format`, issue 18): `human` (the default) puts the
//! line of the file under each located problem with the problem underlined; `short` is the
//! one-line form only; `json` is one object per problem. The first line of each problem is
//! the same in `human` and `short`, and the exit code is 2 in every format.

use crate::util::{caresim, fixture, stderr};

/// stderr of `caresim validate FILE [--message-format FORMAT]` in `tests/fixtures`,
/// asserting exit code 2 and nothing on stdout.
fn validate(file: &str, format: Option<&str>) -> String {
    let mut args = vec!["validate", file];
    if let Some(f) = format {
        args.extend(["--message-format", f]);
    }
    let o = caresim(&fixture(""), &args);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "{args:?}");
    stderr(&o)
}

#[test]
fn human_shows_the_line_with_the_value_underlined() {
    let expected = "error: wrong_type.toml:7:8: acute.beds: must be a whole number ≥ 0, got text \"many\"\n  \
                    |\n\
                    7 | beds = \"many\"\n  \
                    |        ^^^^^^\n";
    assert_eq!(validate("wrong_type.toml", None), expected);
    assert_eq!(validate("wrong_type.toml", Some("human")), expected);
}

#[test]
fn human_keeps_each_problem_first_line_as_in_short() {
    let short = validate("out_of_range.toml", Some("short"));
    assert_eq!(short.lines().count(), 4, "{short}");
    let human = validate("out_of_range.toml", None);
    let firsts: Vec<&str> = human.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(firsts, short.lines().collect::<Vec<_>>(), "{human}");
    // Each problem's line, with the value underlined.
    for (line, marks) in [
        ("7 | beds = 0", "  |        ^"),
        ("10 | admit = 1.5", "   |         ^^^"),
        (
            "11 | los = { dist = \"lognormal\", mean_days = 7.0, sd_days = -2.0 }",
            "   |                                                        ^^^^",
        ),
        (
            "12 | discharge = { intermediate_kare = 0.4 }",
            "   |                                   ^^^",
        ),
    ] {
        assert!(
            human.contains(&format!("{line}\n{marks}\n")),
            "{line}\n{human}"
        );
    }
}

#[test]
fn json_gives_one_object_per_problem_with_its_span() {
    let out = validate("out_of_range.toml", Some("json"));
    let short = validate("out_of_range.toml", Some("short"));
    let objects: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(objects.len(), 4, "{out}");
    for (o, line) in objects.iter().zip(short.lines()) {
        assert_eq!(o["severity"], "error");
        assert_eq!(o["file"], "out_of_range.toml");
        assert_eq!(format!("error: {}", o["text"].as_str().unwrap()), line);
    }
    let spans: Vec<(&str, [u64; 4])> = objects
        .iter()
        .map(|o| {
            let n = |k: &str| o[k].as_u64().unwrap();
            (
                o["key"].as_str().unwrap(),
                [n("line"), n("column"), n("end_line"), n("end_column")],
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            ("acute.beds", [7, 8, 7, 9]),
            ("conditions.copd.admit", [10, 9, 10, 12]),
            ("conditions.copd.los.sd_days", [11, 56, 11, 60]),
            (
                "conditions.copd.discharge.intermediate_kare",
                [12, 35, 12, 38]
            ),
        ]
    );
    assert_eq!(objects[0]["message"], "must be at least 1, got 0");
}

#[test]
fn the_option_goes_before_or_after_the_subcommand() {
    let o = caresim(
        &fixture(""),
        &["--message-format", "short", "validate", "wrong_type.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: wrong_type.toml:7:8: acute.beds: must be a whole number ≥ 0, got text \"many\"\n"
    );
    let o = caresim(
        &fixture(""),
        &["validate", "wrong_type.toml", "--message-format", "yaml"],
    );
    assert_eq!(o.status.code(), Some(2), "clap refuses an unknown format");
    assert!(stderr(&o).contains("[possible values: human, short, json]"));
}

#[test]
fn compare_reports_every_arm_problems_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let arms = [fixture("out_of_range.toml"), fixture("wrong_type.toml")];
    let arms: Vec<&str> = arms.iter().map(|p| p.to_str().unwrap()).collect();
    for format in ["human", "short", "json"] {
        let mut args = vec!["compare", arms[0], arms[1], "--message-format", format];
        args.extend(["--out", "c"]);
        let o = caresim(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", stderr(&o));
        let e = stderr(&o);
        let keys = [
            "acute.beds: must be at least 1",
            "acute.beds: must be a whole number",
        ];
        for key in keys {
            let at = if format == "json" {
                key.split(": ").next().unwrap()
            } else {
                key
            };
            assert!(e.contains(at), "{format}: {key}\n{e}");
        }
        assert!(!dir.path().join("c").exists(), "nothing written");
    }
}

#[test]
fn errors_without_a_place_in_a_file_stay_one_line_or_one_object() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(dir.path(), &["plot", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    let human = stderr(&o);
    assert_eq!(human.lines().count(), 1, "{human}");
    assert!(
        human.starts_with("error: nowhere does not exist"),
        "{human}"
    );
    let o = caresim(dir.path(), &["plot", "nowhere", "--message-format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim_end()).unwrap();
    assert!(v["file"].is_null() && v["line"].is_null() && v["key"].is_null());
    assert_eq!(
        format!("error: {}\n", v["message"].as_str().unwrap()),
        human
    );
}
