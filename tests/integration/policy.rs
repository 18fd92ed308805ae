//! Policy levers and comparisons: each lever moves outcomes the way its mechanism implies,
//! is an exact no-op at neutral settings, and paired (common random number) comparisons
//! are exact for identical arms and much tighter than unpaired ones.

use std::collections::HashMap;
use std::path::Path;

use caresim::experiment::{self, NoProgress};
use caresim::model::{Params, Tally};
use caresim::scenario;
use caresim::stats::{Difference, paired_differences};

use crate::util::{caresim, fixture, stderr};

/// Observed years in the shortened runs.
const YEARS: f64 = 3.0;

/// A bundled scenario (path from the repository root) shortened to one year of warm-up and
/// three observed years, so that tests stay fast in debug builds.
fn short(path: &str) -> Params {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut p = scenario::load(&full)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .params;
    p.warmup_days = 365.0;
    p.horizon_days = 365.0 * (1.0 + YEARS);
    p
}

fn rows(params: &Params, reps: u32) -> (Vec<String>, Vec<Vec<f64>>) {
    let results = experiment::run(params, 2003, reps, 0, &NoProgress).unwrap();
    let names = Tally::metric_names(params);
    let rows = results
        .iter()
        .map(|r| r.tally.metric_values(params))
        .collect();
    (names, rows)
}

/// Paired differences `alt − base` of every metric over `reps` replications.
fn differences(base: &Params, alt: &Params, reps: u32) -> HashMap<String, Difference> {
    let (bn, br) = rows(base, reps);
    let (an, ar) = rows(alt, reps);
    paired_differences(&bn, &br, &an, &ar)
        .into_iter()
        .map(|d| (d.metric.clone(), d))
        .collect()
}

/// Assert that the 95% CI of the difference lies entirely below (`sign < 0`) or above zero.
fn assert_moves(lever: &str, d: &HashMap<String, Difference>, metric: &str, sign: f64) {
    let m = &d[metric];
    let (lo, hi) = (
        m.difference.ci95_low.unwrap(),
        m.difference.ci95_high.unwrap(),
    );
    let ok = if sign < 0.0 { hi < 0.0 } else { lo > 0.0 };
    assert!(
        ok,
        "{lever}: {metric} should {} (difference {} [{lo}, {hi}])",
        if sign < 0.0 { "fall" } else { "rise" },
        m.difference.mean
    );
}

#[test]
fn neutral_policy_tables_reproduce_the_base_exactly() {
    let base = short("scenarios/nhs_2003_baseline.toml");
    let mut neutral = scenario::load(&fixture("policy_neutral.toml"))
        .unwrap()
        .params;
    neutral.warmup_days = base.warmup_days;
    neutral.horizon_days = base.horizon_days;
    assert_eq!(neutral.levers.applied.len(), 7, "every lever is present");
    let (bn, br) = rows(&base, 3);
    let (nn, nr) = rows(&neutral, 3);
    assert_eq!(bn, nn);
    assert_eq!(br, nr, "neutral levers changed results");
}

#[test]
fn each_lever_moves_outcomes_the_way_its_mechanism_implies() {
    let base = short("scenarios/nhs_2003_baseline.toml");
    let reps = 8;
    let policy = |name: &str| short(&format!("scenarios/policies/{name}.toml"));

    let d = differences(&base, &policy("early_discharge"), reps);
    assert_moves("early_discharge", &d, "acute_bed_days", -1.0);
    assert_moves("early_discharge", &d, "early_supported_discharges", 1.0);
    assert_moves("early_discharge", &d, "community_days_esd_team", 1.0);

    let d = differences(&base, &policy("early_discharge_understaffed_wait"), reps);
    assert_moves("understaffed ESD, wait", &d, "delayed_bed_days", 1.0);

    let d = differences(&base, &policy("early_discharge_unsupported"), reps);
    assert_moves(
        "unsupported early discharge",
        &d,
        "unsupported_discharges",
        1.0,
    );
    // The seeds' warning: needs go unmet (priced outside total cost), and more patients
    // later need a care home.
    assert_moves("unsupported early discharge", &d, "unmet_need_days", 1.0);
    assert_moves("unsupported early discharge", &d, "unmet_need_cost", 1.0);

    // The pooled budget by mechanism: delays move to the interim service. Its effect on all
    // bed-days is small without the assumed cut in every stay, which is a separate file.
    // (With 40 care-home places fewer in both arms, full at the start, so that delays are
    // common in every replication: with 20 fewer, the homes of the persons baseline, whose
    // residents grow over the run, filled in some replications and not in others.)
    let tight = |mut p: Params| {
        let home = p
            .services
            .iter_mut()
            .find(|s| s.name == "social_care")
            .unwrap();
        home.capacity -= 40;
        let full = home.capacity;
        if let Some(r) = home.residents.as_mut() {
            r.at_start = full;
        }
        p
    };
    let d = differences(
        &tight(base.clone()),
        &tight(policy("integrated_funding")),
        reps,
    );
    assert_moves("integrated_funding", &d, "delayed_bed_days", -1.0);
    assert!(d["capacity_moves_to_community"].alternative.mean > 0.0);
    assert!(d["coordinated_discharges"].alternative.mean > 0.0);
    assert!(d["community_days_discharge_to_assess"].alternative.mean > 0.0);
    let d = differences(&base, &policy("integrated_funding_assumed_los"), reps);
    assert_moves(
        "integrated_funding, assumed stays",
        &d,
        "acute_bed_days",
        -1.0,
    );

    let d = differences(&base, &policy("care_management"), reps);
    assert_moves("care_management", &d, "admissions", -1.0);
    assert_moves("care_management", &d, "management_cost", 1.0);

    let d = differences(&base, &policy("care_management_evercare"), reps);
    assert_eq!(
        d["admissions"].difference.mean, 0.0,
        "Evercare has no effect"
    );
    assert_eq!(d["acute_bed_days"].difference.mean, 0.0);
    assert_moves("evercare", &d, "total_cost", 1.0);
    // Targeted enrolment by recent use: the matrons' caseload fills.
    assert!(d["enrolled_patients"].alternative.mean > 0.0);
    assert_moves("evercare", &d, "management_cost", 1.0);

    let d = differences(&base, &policy("self_management"), reps);
    assert_moves("self_management", &d, "exacerbations", -1.0);

    let d = differences(&base, &policy("telehealth"), reps);
    assert_moves("telehealth", &d, "admissions", -1.0);

    let d = differences(&base, &policy("admission_avoidance"), reps);
    assert_moves("admission_avoidance", &d, "admissions", -1.0);
    assert_moves("admission_avoidance", &d, "admissions_avoided", 1.0);

    let outreach = policy("specialist_outreach");
    let d = differences(&base, &outreach, reps);
    assert_moves("specialist_outreach", &d, "outpatient_attendances", -1.0);
    let expected = 200.0 * 300.0 * YEARS;
    assert!((d["outreach_cost"].alternative.mean - expected).abs() < 1e-6 * expected);
    assert_eq!(d["admissions"].difference.mean, 0.0);
}

#[test]
fn unsupported_early_discharge_raises_readmissions() {
    // The same stays cut with no support at all; the raised post-discharge risk of those sent
    // home unsupported (here ×3, to see it in few replications) shows in readmissions.
    let mut plain = short("scenarios/policies/early_discharge_unsupported.toml");
    let rule = plain.levers.early_discharge.as_mut().unwrap();
    rule.unsupported_multiplier = 1.0;
    let mut risky = plain.clone();
    risky
        .levers
        .early_discharge
        .as_mut()
        .unwrap()
        .unsupported_multiplier = 3.0;
    let d = differences(&plain, &risky, 8);
    assert_moves("unsupported ×3", &d, "readmissions_30d", 1.0);
    assert!(
        d["unsupported_discharges"].base.mean > 0.0,
        "the test needs unsupported discharges"
    );
}

#[test]
fn integrated_funding_keeps_the_capacity_budget() {
    let base = short("scenarios/nhs_2003_baseline.toml");
    let pooled = short("scenarios/policies/integrated_funding.toml");
    assert_eq!(pooled.acute.beds, base.acute.beds - 10);
    // 10 beds × £230 buy 19 places at £120 (19.17 rounded down).
    let capacity = |p: &Params, name: &str| {
        p.services
            .iter()
            .find(|s| s.name == name)
            .map(|s| (s.capacity, s.day_cost))
            .unwrap()
    };
    let (ic, day_cost) = capacity(&pooled, "intermediate_care");
    assert_eq!(ic, capacity(&base, "intermediate_care").0 + 19);
    // The interim service's places are bought on top, and costed.
    let (interim, interim_cost) = capacity(&pooled, "discharge_to_assess");
    let d = differences(&base, &pooled, 2);
    let change = d["capacity_cost"].difference.mean
        - f64::from(interim) * interim_cost * pooled.observed_days();
    let one_place = day_cost * pooled.observed_days();
    assert!(
        change <= 0.0 && change > -one_place,
        "capacity budget (apart from the interim service) changed by {change}, more than one place ({one_place})"
    );
    // One budget: every cost under the pooled payer.
    let total = d["total_cost"].alternative.mean;
    assert!((d["payer_pooled_cost"].alternative.mean - total).abs() < 1e-6 * total);
    assert_eq!(d["payer_hospital_cost"].alternative.mean, 0.0);
    assert_eq!(d["payer_pooled_cost"].base.mean, 0.0);
}

#[test]
fn more_community_capacity_never_raises_delayed_bed_days() {
    let base = short("scenarios/nhs_2003_baseline.toml");
    for service in 0..base.services.len() {
        let mut smaller = base.clone();
        for step in 1..=3 {
            let mut larger = smaller.clone();
            larger.services[service].capacity += 4;
            let d = &differences(&smaller, &larger, 6)["delayed_bed_days"].difference;
            assert!(
                d.mean <= d.ci95_half_width.unwrap(),
                "{} +{} places raised delayed bed-days by {} ± {:?}",
                base.services[service].name,
                4 * step,
                d.mean,
                d.ci95_half_width
            );
            smaller = larger;
        }
    }
}

#[test]
fn pairing_makes_confidence_intervals_much_narrower() {
    let base = short("scenarios/nhs_2003_baseline.toml");
    let alt = short("scenarios/policies/telehealth.toml");
    let d = differences(&base, &alt, 10);
    for metric in [
        "admissions",
        "acute_bed_days",
        "exacerbations",
        "total_cost",
    ] {
        let m = &d[metric];
        let paired = m.difference.ci95_half_width.unwrap();
        let unpaired = m.unpaired_ci95_half_width.unwrap();
        assert!(
            paired < 0.5 * unpaired,
            "{metric}: paired ±{paired} vs unpaired ±{unpaired}"
        );
    }
}

#[test]
fn compare_of_a_scenario_against_itself_is_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("valid.toml");
    let p = path.to_str().unwrap();
    let o = caresim(
        dir.path(),
        &["compare", p, p, "--reps", "3", "--quiet", "--out", "cmp"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("cmp");
    for arm in ["valid", "valid_2"] {
        assert!(out.join(arm).join("runs.csv").is_file(), "{arm} results");
    }
    assert!(out.join("comparison.json").is_file());
    let mut reader = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut n = 0;
    for rec in reader.records() {
        let rec = rec.unwrap();
        assert_eq!(&rec[col("alternative")], "valid_2");
        assert_eq!(&rec[col("difference_mean")], "0", "{rec:?}");
        assert_eq!(&rec[col("ci95_half_width")], "0", "{rec:?}");
        n += 1;
    }
    assert!(n > 40, "one row per metric, got {n}");
    // A second run refuses to overwrite.
    let again = caresim(
        dir.path(),
        &["compare", p, p, "--reps", "3", "--out", "cmp"],
    );
    assert_eq!(again.status.code(), Some(2));
}

/// The baseline's planned growth of beds (`add` entries of `acute.schedule`) composes with
/// the pooled budget's controller: every change of beds is either a scheduled addition, on
/// its day, or a controller's step of one bed at a review, and the additions sum to the
/// plan whatever the controller did.
#[test]
fn planned_bed_growth_adds_to_the_controllers_moves() {
    use caresim::experiment::replication_seeds;
    use caresim::model::{CapacityLevel, Recorder, Sim, World};
    let full =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/policies/integrated_funding.toml");
    let p = scenario::load(&full).unwrap().params;
    let planned: i64 = p
        .acute
        .schedule
        .changes
        .iter()
        .map(|c| match c.level {
            CapacityLevel::Add { add } => i64::from(add),
            CapacityLevel::Set { .. } => panic!("the baseline's plan adds beds"),
        })
        .sum();
    assert!(planned > 0, "the baseline plans growth");
    let days: Vec<f64> = p.acute.schedule.changes.iter().map(|c| c.day).collect();
    struct Beds {
        last: u32,
        scheduled: i64,
        controller: (u32, u32),
        days: Vec<f64>,
    }
    impl Recorder for Beds {
        fn event_handled(&mut self, now: f64, world: &World<'_>) {
            let beds = world.acute.capacity();
            let delta = i64::from(beds) - i64::from(self.last);
            if delta != 0 {
                if self.days.contains(&now) {
                    self.scheduled += delta;
                } else {
                    assert_eq!(delta.abs(), 1, "a controller step is one bed, day {now}");
                    if delta < 0 {
                        self.controller.0 += 1;
                    } else {
                        self.controller.1 += 1;
                    }
                }
            }
            self.last = beds;
        }
    }
    let mut rec = Beds {
        last: p.acute.beds,
        scheduled: 0,
        controller: (0, 0),
        days,
    };
    Sim::new(&p).run_recorded(&replication_seeds(2003, 0), &mut rec);
    assert_eq!(rec.scheduled, planned, "every planned bed was added");
    assert!(
        rec.controller.0 > 0,
        "the controller moved beds: {:?}",
        rec.controller
    );
}

/// A policy file of `scenarios/policies/` with an uptake curve on its table `table`,
/// written next to it in a temporary directory (extending it by its absolute path) and
/// shortened like [`short`].
fn with_uptake(file: &str, table: &str, uptake: &str) -> Params {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/policies")
        .join(file);
    let path = dir.path().join("ramped.toml");
    std::fs::write(
        &path,
        format!(
            "extends = {:?}\n[scenario]\nname = \"ramped\"\n[policy.{table}]\nuptake = {uptake}\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let mut p = scenario::load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .params;
    p.warmup_days = 365.0;
    p.horizon_days = 365.0 * (1.0 + YEARS);
    p
}

/// `integrated_funding.toml` with an uptake curve.
fn pooled_with_uptake(uptake: &str) -> Params {
    with_uptake("integrated_funding.toml", "integrated_funding", uptake)
}

/// A pooled budget taken up in full at the start of the run (a step on day 0 of the
/// warm-up) is the pooled budget without an uptake curve, to the last digit: its beds close
/// and places open on day 0 (by schedule changes rather than from the start), discharge to
/// assess covers every delay (its draws come from a stream of its own) and the controller
/// reviews from the start.
#[test]
fn a_pooled_budget_taken_up_on_day_0_is_the_pooled_budget() {
    let plain = short("scenarios/policies/integrated_funding.toml");
    let stepped = pooled_with_uptake("{ form = \"step\", day = -365 }");
    let (names, a) = rows(&plain, 3);
    let (_, b) = rows(&stepped, 3);
    for (r, (a, b)) in a.iter().zip(&b).enumerate() {
        for (name, (x, y)) in names.iter().zip(a.iter().zip(b)) {
            assert!(
                x == y || (x.is_nan() && y.is_nan()),
                "replication {r}: {name} {x} vs {y}"
            );
        }
    }
    assert!(
        a.iter()
            .map(|r| r[names
                .iter()
                .position(|n| n == "coordinated_discharges")
                .unwrap()])
            .sum::<f64>()
            > 0.0,
        "the test needs coordinated discharges"
    );
}

/// A linear uptake over the first two observed years closes the converted beds one at a
/// time, half of them by the midpoint and all by the end of the ramp, and the controller
/// moves no bed before the midpoint.
#[test]
fn a_linear_uptake_closes_half_the_converted_beds_by_its_midpoint() {
    use caresim::experiment::replication_seeds;
    use caresim::model::{Recorder, Sim, World};
    let p = pooled_with_uptake("{ form = \"linear\", start_day = 0, full_day = 730 }");
    let planned: Vec<f64> = short("scenarios/nhs_2003_baseline.toml")
        .acute
        .schedule
        .changes
        .iter()
        .map(|c| c.day)
        .collect();
    let (start, midpoint, end) = (365.0, 730.0, 1095.0);
    struct Closures {
        last: u32,
        planned: Vec<f64>,
        /// (day, change) of every change of beds off the baseline's planned days.
        other: Vec<(f64, i64)>,
    }
    impl Recorder for Closures {
        fn event_handled(&mut self, now: f64, world: &World<'_>) {
            let beds = world.acute.capacity();
            if beds != self.last && !self.planned.contains(&now) {
                self.other
                    .push((now, i64::from(beds) - i64::from(self.last)));
            }
            self.last = beds;
        }
    }
    let mut rec = Closures {
        last: p.acute.beds,
        planned,
        other: Vec::new(),
    };
    Sim::new(&p).run_recorded(&replication_seeds(2003, 0), &mut rec);
    let closed_by = |t: f64| {
        -rec.other
            .iter()
            .filter(|(d, _)| *d < t)
            .map(|(_, c)| c)
            .sum::<i64>()
    };
    assert_eq!(
        closed_by(start),
        0,
        "no bed closes before the ramp: {:?}",
        rec.other
    );
    assert_eq!(
        closed_by(midpoint),
        5,
        "half of 10 by the midpoint: {:?}",
        rec.other
    );
    // Bed k of 10 closes when the ramp reaches (k - 1/2) / 10; every other change is a
    // controller's move, none before the midpoint.
    let conversions: Vec<f64> = (1..=10)
        .map(|k| start + (end - start) * (f64::from(k) - 0.5) / 10.0)
        .collect();
    for day in &conversions {
        assert!(
            rec.other.contains(&(*day, -1)),
            "bed closing on day {day}: {:?}",
            rec.other
        );
    }
    let controller: Vec<_> = rec
        .other
        .iter()
        .filter(|(d, _)| !conversions.contains(d))
        .collect();
    assert!(
        controller.iter().all(|(d, _)| *d >= midpoint),
        "{controller:?}"
    );
    assert!(
        !controller.is_empty(),
        "the controller acts after the midpoint"
    );
}

/// Targeted case management (Evercare) with its caseload recruited over time: with a step
/// after the second observed year nobody is enrolled before it, and with a linear ramp over
/// the three observed years fewer are enrolled in the first year than with the whole
/// caseload from the start; a step on the first day of the warm-up is the programme
/// without an uptake curve, to the last digit (no random number is drawn).
#[test]
fn a_targeted_caseload_is_recruited_along_its_uptake_curve() {
    let year_of = |p: &Params, metric: &str| -> Vec<f64> {
        let results = experiment::run(p, 2003, 2, 0, &NoProgress).unwrap();
        let names = Tally::by_year_names(p);
        let i = names.iter().position(|n| n == metric).unwrap();
        (0..YEARS as usize)
            .map(|y| results.iter().map(|r| r.tally.years[y][i]).sum())
            .collect()
    };
    let evercare =
        |uptake: &str| with_uptake("care_management_evercare.toml", "care_management", uptake);
    let plain = short("scenarios/policies/care_management_evercare.toml");
    let full = year_of(&plain, "enrolled_patients");
    assert!(full[0] > 0.0, "Evercare enrols in year 1: {full:?}");
    let stepped = evercare("{ form = \"step\", day = 730 }");
    let late = year_of(&stepped, "enrolled_patients");
    assert_eq!(&late[..2], &[0.0, 0.0], "{late:?}");
    assert!(late[2] > 0.0, "{late:?}");
    let ramped = evercare("{ form = \"linear\", start_day = 0, full_day = 1095 }");
    let ramp = year_of(&ramped, "enrolled_patients");
    assert!(ramp[0] < full[0], "ramp {ramp:?} against full {full:?}");
    let day0 = evercare("{ form = \"step\", day = -365 }");
    assert_eq!(rows(&day0, 2).1, rows(&plain, 2).1);
}
