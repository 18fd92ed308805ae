//! Each kind of bad scenario gives one located message per problem and exit code 2.

use crate::util::{caresim, fixture, stderr};

/// Run `caresim validate` on a fixture from `tests/fixtures` (so paths in messages are
/// relative) and return its stderr, asserting exit code 2.
fn errors_of(name: &str) -> String {
    let dir = fixture("");
    let o = caresim(&dir, &["validate", "--message-format", "short", name]);
    assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    assert!(o.stdout.is_empty(), "nothing on stdout for a bad scenario");
    stderr(&o)
}

#[test]
fn fails_with_malformed_toml() {
    assert_eq!(
        errors_of("malformed.toml"),
        "error: malformed.toml:6:16: extra `=`, expected nothing\n"
    );
}

#[test]
fn fails_with_unknown_key_and_suggests_the_closest() {
    assert_eq!(
        errors_of("unknown_key.toml"),
        "error: unknown_key.toml:7:1: acute.bedz: unknown field `bedz`, expected one of `beds`, \
         `when_full`, `bed_day_cost`, `diversion_cost`, `schedule`, `schedule_repeat_days`; did you \
         mean `beds`?\n"
    );
}

#[test]
fn reports_an_unknown_table_once_by_its_own_name() {
    assert_eq!(
        errors_of("unknown_tables.toml")
            .lines()
            .map(|l| l.split(", expected").next().unwrap_or(l))
            .collect::<Vec<_>>(),
        [
            "error: unknown_tables.toml:5:2: foo: unknown field `foo`",
            "error: unknown_tables.toml:8:3: bin: unknown field `bin`",
        ]
    );
}

#[test]
fn fails_with_unknown_distribution() {
    let e = errors_of("unknown_dist.toml");
    assert!(
        e.starts_with(
            "error: unknown_dist.toml:4:16: conditions.copd.los.dist: unknown variant `lognorm`"
        ),
        "{e}"
    );
    assert!(e.contains("did you mean `lognormal`?"), "{e}");
}

#[test]
fn fails_with_wrong_type() {
    assert_eq!(
        errors_of("wrong_type.toml"),
        "error: wrong_type.toml:7:8: acute.beds: must be a whole number ≥ 0, got text \"many\"\n"
    );
}

#[test]
fn reports_every_out_of_range_value_at_once() {
    assert_eq!(
        errors_of("out_of_range.toml"),
        "error: out_of_range.toml:7:8: acute.beds: must be at least 1, got 0\n\
         error: out_of_range.toml:10:9: conditions.copd.admit: must be a probability in [0, 1], got 1.5\n\
         error: out_of_range.toml:11:56: conditions.copd.los.sd_days: sd_days must be a finite number greater than 0, got -2\n\
         error: out_of_range.toml:12:35: conditions.copd.discharge.intermediate_kare: no community service named \
         `intermediate_kare`; defined: intermediate_care; did you mean `intermediate_care`?\n"
    );
}

#[test]
fn reports_missing_required_keys_at_their_table() {
    assert_eq!(
        errors_of("missing_field.toml"),
        "error: missing_field.toml:7:2: acute.beds: missing: the number of acute beds\n\
         error: missing_field.toml:10:13: conditions.copd.exacerbations_per_year: missing: exacerbations per patient-year\n\
         error: missing_field.toml:10:13: conditions.copd.admit: missing: the probability that an exacerbation is admitted\n"
    );
}

#[test]
fn fails_with_missing_extends_file() {
    let e = errors_of("missing_extends.toml");
    assert!(
        e.starts_with(
            "error: missing_extends.toml:1:11: extends: cannot read does_not_exist.toml:"
        ),
        "{e}"
    );
}

#[test]
fn fails_with_extends_cycle() {
    assert_eq!(
        errors_of("cycle_a.toml"),
        "error: cycle_b.toml:1:11: extends: extends cycle: cycle_a.toml -> cycle_b.toml -> cycle_a.toml\n"
    );
}

#[test]
fn errors_in_a_base_file_point_at_the_base() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "[scenario]\nname = \"b\"\n[simulation]\nhorizon_days = -5.0\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("child.toml"), "extends = \"base.toml\"\n").unwrap();
    let o = caresim(dir.path(), &["validate", "child.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(
            "error: base.toml:4:16: simulation.horizon_days: must be greater than 0, got -5"
        ),
        "{e}"
    );
}

#[test]
fn reports_population_tier_season_and_schedule_problems() {
    assert_eq!(
        errors_of("bad_population.toml"),
        "error: bad_population.toml:18:49: acute.schedule[1].day: days must be at least 0 and increasing, got 100 after 300\n\
         error: bad_population.toml:9:2: tiers: tier shares must sum to 1, got 0.8999999999999999\n\
         error: bad_population.toml:20:1: conditions.copd: give only one of patients, patients_by_age and prevalence\n\
         error: bad_population.toml:22:40: conditions.copd.deaths_per_year_by_age.85_plus: no age band named \
         `85_plus`; defined in [population] age_bands: 65_74, 75_plus\n\
         error: bad_population.toml:15:11: seasonality.monthly: must list 12 multipliers, one per month, got 3\n"
    );
}

#[test]
fn fails_with_bad_policy_tables_naming_each_problem() {
    assert_eq!(
        errors_of("policy_errors.toml"),
        "error: policy_errors.toml:6:1: policy.early_discharge: give either days_shorter or \
         los_factor, not both\n\
         error: policy_errors.toml:7:14: policy.early_discharge.conditions: no condition named \
         `strok`; defined: asthma, chd, copd, diabetes, heart_failure, stroke; did you mean \
         `stroke`?\n\
         error: policy_errors.toml:11:11: policy.early_discharge.service: no community service \
         named `esd`; defined: intermediate_care, social_care\n\
         error: policy_errors.toml:14:18: policy.integrated_funding.beds_converted: must be less \
         than acute.beds (80), got 84\n\
         error: policy_errors.toml:18:9: policy.telehealth.share: must be a share in [0, 1], got \
         1.5\n"
    );
}

#[test]
fn fails_with_bad_evidence_naming_each_problem() {
    let grades = "S (seen in a retrieved source), S2 (seen in a secondary source quoting the \
                  primary), R (recalled from the literature, not confirmed), E (an estimate for \
                  modelling, not a published figure)";
    assert_eq!(
        errors_of("evidence_errors.toml"),
        format!(
            "error: evidence_errors.toml:16:33: policy.self_management.evidence.share.sorce: \
             unknown field `sorce`, expected `grade` or `source`; did you mean `source`?\n\
             error: evidence_errors.toml:16:10: policy.self_management.evidence.share.source: \
             missing: where the value comes from, e.g. \"ESD Trialists, Lancet 2005 (brief §5)\"\n\
             error: evidence_errors.toml:11:28: policy.telehealth.evidence.admit_multipler: no \
             setting `admit_multipler` in [policy.telehealth] to grade; set there: \
             admit_multiplier, share; did you mean `admit_multiplier`?\n\
             error: evidence_errors.toml:10:39: policy.telehealth.evidence.admit_multiplier.grade: \
             must be one of {grades}, got `e`; did you mean `E`?\n\
             error: evidence_errors.toml:10:53: policy.telehealth.evidence.admit_multiplier.source: \
             must not be empty: say where the value comes from\n\
             error: evidence_errors.toml:12:34: policy.telehealth.evidence.cost_per_patient_year: \
             no setting `cost_per_patient_year` in [policy.telehealth] to grade; set there: \
             admit_multiplier, share\n\
             error: evidence_errors.toml:8:28: policy.telehealth.evidence.share.grade: must be \
             one of {grades}, got `X`\n"
        )
    );
}

#[test]
fn fails_with_bad_parameter_distributions() {
    assert_eq!(
        errors_of("psa_bad.toml"),
        "error: psa_bad.toml:4:9: conditions.copd.admit: beta sd must be in (0, 0.4583) for \
         mean 0.3, got 0.6\n\
         error: psa_bad.toml:5:26: conditions.copd.exacerbations_per_year: unknown parameter \
         distribution `gama`, expected one of beta, normal, lognormal, gamma, uniform, \
         triangular; did you mean `gamma`?\n"
    );
}

#[test]
fn fails_with_a_sweep_over_a_key_the_scenario_lacks() {
    let dir = fixture("");
    let o = caresim(
        &dir,
        &["sweep", "--message-format", "short", "sweep_bad.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: sweep_bad.toml:4:1: acute.bedz: the scenario sets no number at this key (sweep \
         keys are dotted paths of numbers the scenario gives, e.g. acute.beds or \
         conditions.copd.admit); did you mean `acute.beds`?\n"
    );
}

/// "line:col: key.path" of each line of `errors` about `file`.
fn locations<'e>(errors: &'e str, file: &str) -> Vec<&'e str> {
    errors
        .lines()
        .map(|l| {
            let rest = l
                .strip_prefix(&format!("error: {file}:"))
                .unwrap_or_else(|| panic!("not about {file}: {l}"));
            let mut parts = rest.splitn(3, ": ");
            let at = parts.next().unwrap();
            let key = parts.next().unwrap();
            &rest[..at.len() + 2 + key.len()]
        })
        .collect()
}

#[test]
fn reports_every_problem_of_a_sweep_file_at_once() {
    let e = errors_of("sweep_many_problems.toml");
    assert_eq!(
        locations(&e, "sweep_many_problems.toml"),
        [
            "3:1: replicatons",
            "4:16: replications",
            "5:10: design",
            "8:1: acute.bedz",
            "9:17: acute.beds",
            "10:1: simulation.seed",
            "11:27: conditions.copd.admit",
            "11:51: conditions.copd.admit",
            "12:76: conditions.copd.exacerbations_per_year",
            "13:30: primary_care.review_cost",
            "14:1: conditions.copd.admit_rate",
            "15:38: conditions.copd.deaths_per_year",
        ],
        "{e}"
    );
    for want in [
        "replicatons: unknown field `replicatons`, expected one of `scenario`, `design`, \
         `replications`, `seed`, `parameters`; did you mean `replications`?",
        "replications: must be at least 1, got 0",
        "did you mean `grid`?",
        "acute.bedz: the scenario sets no number at this key",
        "did you mean `acute.beds`?",
        "acute.beds: must be at least 1, got 0",
        "simulation.seed: the seed cannot be swept",
        "did you mean `steps`?",
        "`steps` must be from 2 to 10000, got 100000",
        "must be a list of numbers, e.g. [10, 20, 30], or a range { from = 10, to = 30, steps = 3 }",
        "did you mean `conditions.copd.admit`?",
    ] {
        assert!(e.contains(want), "{want}\n{e}");
    }
    assert!(!e.contains("untagged") && !e.contains("RawValues"), "{e}");
}

#[test]
fn refuses_a_grid_too_large_naming_its_keys() {
    let e = errors_of("sweep_too_large.toml");
    assert_eq!(
        e,
        "error: sweep_too_large.toml:4:2: parameters: the grid has 200000000 points \
         (acute.bed_day_cost (10000) × conditions.copd.admit (2) × \
         conditions.copd.exacerbations_per_year (10000)), more than the limit of 100000; give \
         fewer values or steps, or use design = \"one_way\"\n\
         error: sweep_too_large.toml:7:33: conditions.copd.admit: must be a probability in [0, \
         1], got 1.5\n"
    );
}

#[test]
fn locates_a_bad_sweep_point_at_its_value_in_the_sweep_file() {
    for cmd in ["validate", "sweep"] {
        let o = caresim(
            &fixture(""),
            &[cmd, "--message-format", "short", "sweep_combination.toml"],
        );
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(
            stderr(&o),
            "error: sweep_combination.toml:6:33: simulation.warmup_days: must be at least 0 and \
             less than horizon_days (100), got 200 (sweep point 1: simulation.horizon_days = 100, \
             simulation.warmup_days = 200)\n"
        );
    }
}

#[test]
fn names_the_right_command_for_the_other_kind_of_file() {
    let dir = fixture("");
    let sweep_hint = "error: sweep_small.toml: this is a sweep file (it has `scenario = \"...\"` \
                      and `[parameters]`), not a scenario; run it with `caresim sweep \
                      sweep_small.toml`";
    for args in [
        &["run", "sweep_small.toml"][..],
        &["compare", "valid.toml", "sweep_small.toml"],
        &["slurm", "sweep_small.toml", "--shards", "2"],
    ] {
        let o = caresim(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with(sweep_hint),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    for args in [
        &["sweep", "valid.toml"][..],
        &["slurm", "--sweep", "valid.toml", "--shards", "2"],
    ] {
        let o = caresim(&dir, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).starts_with(
                "error: valid.toml: this is a scenario file, not a sweep file (a sweep file has \
                 `scenario = \"<scenario file>\"` and `[parameters]`); run it with `caresim run \
                 valid.toml`"
            ),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn validate_checks_sweep_files_too() {
    let o = caresim(
        &fixture(""),
        &[
            "validate",
            "valid.toml",
            "sweep_small.toml",
            "sweep_one_way.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "valid.toml: ok (valid, 2000 patients, 1 condition, 1 community service)\n\
         sweep_small.toml: ok (sweep of valid: 6 points)\n\
         sweep_one_way.toml: ok (sweep of valid: 5 points)\n"
    );
}

#[test]
fn a_sampled_value_out_of_range_is_reported_once_at_its_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let o = caresim(
        dir.path(),
        &[
            "run",
            fixture("psa_out_of_range.toml").to_str().unwrap(),
            "--reps",
            "8",
            "--out",
            "r",
            "--quiet",
            "--message-format",
            "short",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    let at = format!(
        "error: {}:9:8: acute.beds: must be a whole number from 0 to 4294967295, got -",
        fixture("psa_out_of_range.toml").display()
    );
    assert!(e.starts_with(&at), "{e}");
    assert!(e.contains("(replication 1 sampled acute.beds = -"), "{e}");
}

#[test]
fn reports_every_unknown_key_and_wrong_type_at_once() {
    let e = errors_of("many_problems.toml");
    let located: Vec<&str> = e
        .lines()
        .map(|l| {
            let rest = l.strip_prefix("error: many_problems.toml:").unwrap_or(l);
            // "line:col: key.path" of each line
            let mut parts = rest.splitn(3, ": ");
            let at = parts.next().unwrap();
            let key = parts.next().unwrap();
            &rest[..at.len() + 2 + key.len()]
        })
        .collect();
    assert_eq!(
        located,
        [
            "3:1: bogus",
            "7:1: scenario.descripton",
            "10:16: simulation.horizon_days",
            "11:16: simulation.replications",
            "14:1: acute.bedz",
            "15:8: acute.beds",
            "16:31: acute.schedule[0].beds",
            "16:46: acute.schedule[1].day",
            "19:1: conditions.copd.admitt",
            "20:16: conditions.copd.los.dist",
            "21:26: conditions.copd.exacerbations_per_year",
        ],
        "{e}"
    );
    for hint in [
        "did you mean `description`?",
        "did you mean `beds`?",
        "did you mean `admit`?",
        "did you mean `lognormal`?",
        "did you mean `gamma`?",
        "must be a number, got text \"long\"",
    ] {
        assert!(e.contains(hint), "{hint}: {e}");
    }
}

#[test]
fn reports_problems_in_every_file_of_the_extends_chain() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "extends = \"valid.toml\"\n[acute]\nbedz = 3\nbeds = \"x\"\n",
    )
    .unwrap();
    std::fs::copy(fixture("valid.toml"), dir.path().join("valid.toml")).unwrap();
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"base.toml\"\n[simulation]\nseeds = 3\nhorizon_days = true\n",
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "child.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    for want in [
        "error: child.toml:3:1: simulation.seeds: unknown field `seeds`",
        "error: child.toml:4:16: simulation.horizon_days: must be a number, got true",
        "error: base.toml:3:1: acute.bedz: unknown field `bedz`",
        "error: base.toml:4:8: acute.beds: must be a whole number ≥ 0, got text \"x\"",
    ] {
        assert!(e.contains(want), "{want}\n{e}");
    }
}

/// Run caresim with `args` in `dir`, failing the test if it has not finished in 30 s (a
/// FIFO read would block forever).
fn caresim_promptly(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caresim"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("caresim {args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn reads_only_regular_files_of_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    #[cfg(unix)]
    {
        let fifo = d.join("pipe.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
    }
    // Sparse: 17 MiB of size, no blocks written.
    std::fs::File::create(d.join("huge.toml"))
        .unwrap()
        .set_len(17 * 1024 * 1024)
        .unwrap();
    let mut cases = vec![
        (
            "/dev/zero",
            "it is not a regular file (it is a character device)",
        ),
        (
            "huge.toml",
            "it is 17825792 bytes, larger than the limit of 16 MiB",
        ),
        (".", "it is a folder, not a regular file"),
    ];
    if cfg!(unix) {
        cases.push(("pipe.toml", "it is not a regular file (it is a named pipe)"));
    }
    for (target, why) in cases {
        // As the `extends` target: located at the `extends` value.
        std::fs::write(d.join("child.toml"), format!("extends = \"{target}\"\n")).unwrap();
        let o = caresim_promptly(d, &["validate", "child.toml"]);
        assert_eq!(o.status.code(), Some(2), "{target}");
        let e = stderr(&o);
        assert!(
            e.starts_with(&format!(
                "error: child.toml:1:11: extends: cannot read {target}: {why}"
            )),
            "{e}"
        );
        // As the file itself, for each command that reads one.
        for cmd in ["validate", "run", "sweep"] {
            let o = caresim_promptly(d, &[cmd, target]);
            assert_eq!(o.status.code(), Some(2), "{cmd} {target}");
            let e = stderr(&o);
            assert!(e.contains(why), "{cmd} {target}: {e}");
        }
    }
}

#[test]
fn type_key_distribution_and_range_problems_are_reported_together() {
    assert_eq!(
        errors_of("mixed_problems.toml"),
        "error: mixed_problems.toml:6:8: acute.beds: must be a whole number ≥ 0, got text \
         \"many\"\n\
         error: mixed_problems.toml:12:1: simulation.bed_day_cost: unknown field \
         `bed_day_cost`, expected one of `horizon_days`, `warmup_days`, `replications`, `seed`\n\
         error: mixed_problems.toml:12:16: simulation.bed_day_cost: gamma sd must be at least \
         mean / 10000 (4e-2) and at most 100 × mean (4e4); gamma shape (mean/sd)² must be in \
         [1e-4, 1e8], got sd 1e-200 for mean 400\n\
         error: mixed_problems.toml:9:9: conditions.copd.admit: must be a probability in [0, 1], \
         got 2\n"
    );
}

#[test]
fn schedule_entries_that_add_are_checked_entry_by_entry() {
    let dir = tempfile::tempdir().unwrap();
    let valid = std::fs::read_to_string(fixture("valid.toml")).unwrap();
    std::fs::write(dir.path().join("base.toml"), valid).unwrap();
    std::fs::write(
        dir.path().join("s.toml"),
        "extends = \"base.toml\"\n\
         [acute]\n\
         schedule = [{ day = 10, add = 2 }, { day = 20, beds = 5, add = 1 }, { day = 30 }, { day = 40, add = -30 }]\n\
         schedule_repeat_days = 365\n",
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &["validate", "--message-format=short", "s.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: s.toml:3:36: acute.schedule[1]: give `beds` (the number from then on) or `add` (added to the number in force), found both\n\
         error: s.toml:3:69: acute.schedule[2]: give `beds` (the number from then on) or `add` (added to the number in force), found neither\n\
         error: s.toml:3:83: acute.schedule[3]: the capacity must stay at least 1, it would be -8 on day 40\n\
         error: s.toml:4:24: acute.schedule_repeat_days: a repeating schedule must set capacities: repeated `add` changes would grow without end\n"
    );
}

#[test]
fn a_problem_in_a_base_shared_by_every_arm_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write(
        "base.toml",
        "extends = \"nowhere.toml\"\n[scenario]\nname = \"base\"\n",
    );
    write(
        "a.toml",
        "extends = \"base.toml\"\n[scenario]\nname = \"a\"\n",
    );
    write(
        "b.toml",
        "extends = \"base.toml\"\n[scenario]\nname = \"b\"\n",
    );
    let o = caresim(
        dir.path(),
        &[
            "compare",
            "--message-format",
            "short",
            "base.toml",
            "a.toml",
            "b.toml",
            "--reps",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "one problem, once: {e}");
    assert!(
        e.starts_with("error: base.toml:1:11: extends: cannot read nowhere.toml"),
        "{e}"
    );
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["a.toml", "b.toml", "base.toml"],
        "nothing written for a bad comparison"
    );
}

#[test]
fn extends_written_under_a_table_says_where_it_belongs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("derived.toml"),
        "[scenario]\nname = \"derived\"\nextends = \"base.toml\"\n",
    )
    .unwrap();
    let o = caresim(
        dir.path(),
        &["validate", "--message-format", "short", "derived.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.lines()
            .next()
            .unwrap()
            .starts_with("error: derived.toml:3:1: scenario.extends: unknown field `extends`")
            && e.contains(
                "`extends` belongs to the whole file: put it above the first [table] header"
            ),
        "{e}"
    );
}
