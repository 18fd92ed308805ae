//! Targeted care management (`[policy.care_management]` with a `target`): enrolment by
//! recent use as patients qualify during the run, up to a caseload. The Evercare story:
//! the enrolled group's admissions fall after enrolment although the programme does
//! nothing (regression to the mean, Roland 2005), and the paired comparison with the
//! baseline shows exactly zero effect.

use std::path::Path;

use caresim::experiment::{self, NoProgress, replication_seeds};
use caresim::model::{Params, Recorder, Sim, World};
use caresim::scenario;

/// A bundled scenario shortened to one year of warm-up and `years` observed.
fn short(path: &str, years: f64) -> Params {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut p = scenario::load(&full)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .params;
    p.warmup_days = 365.0;
    p.horizon_days = 365.0 * (1.0 + years);
    p
}

#[test]
fn evercare_admissions_fall_after_enrolment_while_the_paired_effect_is_exactly_zero() {
    let years = 3.0;
    let base = short("scenarios/nhs_2003_baseline.toml", years);
    let evercare = short("scenarios/policies/care_management_evercare.toml", years);
    let rule = evercare.levers.care_management.clone().expect("targeted");
    assert_eq!(rule.admit_multiplier, 1.0);
    assert_eq!(rule.exacerbation_multiplier, 1.0);
    let reps = 4;
    let b = experiment::run(&base, 2003, reps, 0, &NoProgress).unwrap();
    let e = experiment::run(&evercare, 2003, reps, 0, &NoProgress).unwrap();
    let (mut followed, mut before, mut after) = (0u64, 0u64, 0u64);
    for (rb, re) in b.iter().zip(&e) {
        let (tb, te) = (&rb.tally, &re.tally);
        // (b) Common random numbers: enrolment draws nothing, so with a null effect every
        // replication is identical to the baseline apart from the programme's own counts.
        assert_eq!(te.admissions, tb.admissions);
        assert_eq!(te.admission_requests, tb.admission_requests);
        assert_eq!(te.acute_bed_days, tb.acute_bed_days);
        assert_eq!(te.exacerbations, tb.exacerbations);
        assert_eq!(
            te.deaths_home + te.deaths_hospital,
            tb.deaths_home + tb.deaths_hospital
        );
        let c = &te.levers.care_management;
        assert!(c.enrolled_patients > 0 && c.enrolled_days > 0.0);
        assert!(c.enrolled_days <= f64::from(rule.target.caseload) * te.observed_days + 1e-6);
        let cost = |t: &caresim::model::Tally, p: &Params| {
            t.metric_values(p)[caresim::model::Tally::metric_names(p)
                .iter()
                .position(|n| n == "management_cost")
                .unwrap()]
        };
        let extra = cost(te, &evercare) - cost(tb, &base);
        let expected = 650.0 * c.enrolled_days / 365.0;
        assert!(
            (extra - expected).abs() <= 1e-6 * expected,
            "{extra} vs {expected}"
        );
        followed += c.enrolled_followed_up;
        before += c.enrolled_admissions_before_365d;
        after += c.enrolled_admissions_after_365d;
        println!(
            "rep {}: admissions {} enrolled {} no place {} enrolled days {:.0} followed {} before {} after {}",
            re.replication,
            te.admissions,
            c.enrolled_patients,
            c.enrolment_no_place,
            c.enrolled_days,
            c.enrolled_followed_up,
            c.enrolled_admissions_before_365d,
            c.enrolled_admissions_after_365d
        );
    }
    // (a) Regression to the mean: selected on ≥ 2 admissions in 13 months, the enrolled
    // had about 2 in the year up to enrolment and far fewer in the year after, with no
    // effect at all.
    let (per_before, per_after) = (
        before as f64 / followed as f64,
        after as f64 / followed as f64,
    );
    println!(
        "followed {followed}: {per_before:.3} admissions per patient before, {per_after:.3} after"
    );
    assert!(followed >= 200, "only {followed} enrolments followed up");
    assert!(per_before >= 1.9, "{per_before}");
    assert!(per_after < 0.6 * per_before, "{per_after} vs {per_before}");
}

/// Checks, every 97th event, that the caseload in use never exceeds the caseload and
/// equals the number of living patients enrolled now; records the highest level.
struct Caseload {
    cap: f64,
    events: u64,
    highest: f64,
}

impl Recorder for Caseload {
    fn event_handled(&mut self, now: f64, world: &World<'_>) {
        self.events += 1;
        let level = world.enrolled.level();
        assert!(level <= self.cap, "{level} enrolled, caseload {}", self.cap);
        self.highest = self.highest.max(level);
        if self.events.is_multiple_of(97) {
            let enrolled = world
                .patients
                .iter()
                .zip(&world.patients.history)
                .filter(|((hot, _), h)| {
                    hot.state != caresim::model::patients::CareState::Dead && h.enrolled(now)
                })
                .count();
            assert_eq!(enrolled as f64, level, "at day {now}");
            world.check_conservation().unwrap();
        }
    }
}

#[test]
fn the_caseload_caps_enrolment_and_frees_places_at_the_end_and_at_death() {
    let mut p = short("scenarios/policies/care_management_evercare.toml", 2.0);
    let rule = p.levers.care_management.as_mut().unwrap();
    rule.target.caseload = 20;
    rule.target.enrolment_days = Some(90.0);
    let mut sim = Sim::new(&p);
    let mut rec = Caseload {
        cap: 20.0,
        events: 0,
        highest: 0.0,
    };
    let t = sim.run_recorded(&replication_seeds(11, 0), &mut rec);
    let c = &t.levers.care_management;
    assert_eq!(rec.highest, 20.0, "the caseload fills");
    assert!(c.enrolment_no_place > 0, "qualifying patients find it full");
    // Places free at the end of each 90-day enrolment: about 20 × 730 / 90 enrolments.
    assert!(
        (120..=200).contains(&c.enrolled_patients),
        "{}",
        c.enrolled_patients
    );
    assert!(c.enrolled_days <= 20.0 * t.observed_days + 1e-6);
    assert!(
        c.enrolled_days > 0.9 * 20.0 * t.observed_days,
        "{}",
        c.enrolled_days
    );
}

#[test]
fn enrolment_until_death_takes_exactly_the_caseload_and_no_more() {
    use caresim::model::levers::{CareManagementRule, Target};
    use caresim::model::{Duration, WhenFull};
    // Everyone qualifies at their first admission request; nobody dies or leaves.
    let mut p = crate::util::queue_model(2.0, 50, Duration::fixed(1.0).unwrap(), WhenFull::Queue);
    p.warmup_days = 0.0;
    p.horizon_days = 200.0;
    p.levers.care_management = Some(CareManagementRule {
        targeted: vec![true],
        target: Target {
            admissions: 1,
            within_days: 30.0,
            caseload: 5,
            enrolment_days: None,
        },
        exacerbation_multiplier: 1.0,
        admit_multiplier: 1.0,
        cost_per_patient_year: 0.0,
        uptake: None,
    });
    let t = Sim::new(&p).run(&replication_seeds(3, 0));
    let c = &t.levers.care_management;
    assert_eq!(c.enrolled_patients, 5);
    assert!(c.enrolment_no_place > 300, "{}", c.enrolment_no_place);
    assert!(c.enrolled_patients + c.enrolment_no_place <= t.admission_requests);
    assert!(c.enrolled_days > 0.0 && c.enrolled_days <= 5.0 * 200.0);
}

#[test]
fn an_effect_while_enrolled_lowers_admissions_against_the_null_programme() {
    let years = 2.0;
    let null = short("scenarios/policies/care_management_evercare.toml", years);
    let mut effective = null.clone();
    let rule = effective.levers.care_management.as_mut().unwrap();
    rule.admit_multiplier = 0.5;
    rule.exacerbation_multiplier = 0.7;
    let reps = 3;
    let a = experiment::run(&null, 7, reps, 0, &NoProgress).unwrap();
    let b = experiment::run(&effective, 7, reps, 0, &NoProgress).unwrap();
    let sum = |r: &[experiment::RunResult], f: &dyn Fn(&caresim::model::Tally) -> u64| {
        r.iter().map(|x| f(&x.tally)).sum::<u64>()
    };
    let after = |t: &caresim::model::Tally| t.levers.care_management.enrolled_admissions_after_365d;
    assert!(sum(&b, &after) < sum(&a, &after));
    assert!(sum(&b, &|t| t.admissions) < sum(&a, &|t| t.admissions));
}

#[test]
fn a_windowed_history_multiplier_decays_the_risk_of_past_admissions() {
    let years = 2.0;
    let mut lifetime = short("scenarios/nhs_2003_baseline.toml", years);
    for c in &mut lifetime.conditions {
        c.admission_multiplier = 1.5;
    }
    let mut windowed = lifetime.clone();
    for c in &mut windowed.conditions {
        c.admission_history_days = Some(90.0);
    }
    let reps = 3;
    let a = experiment::run(&lifetime, 5, reps, 0, &NoProgress).unwrap();
    let b = experiment::run(&windowed, 5, reps, 0, &NoProgress).unwrap();
    let total = |r: &[experiment::RunResult]| r.iter().map(|x| x.tally.admissions).sum::<u64>();
    assert!(
        (total(&b) as f64) < 0.9 * total(&a) as f64,
        "{} vs {}",
        total(&b),
        total(&a)
    );
}

#[test]
fn bad_target_settings_are_located_errors() {
    let dir = crate::util::fixture("");
    let o = crate::util::caresim(
        &dir,
        &[
            "validate",
            "--message-format=short",
            "targeting_errors.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        crate::util::stderr(&o),
        "error: targeting_errors.toml:5:9: policy.care_management.share: give either `share` \
         (random enrolment at the start) or `target` (enrolment by recent use), not both\n\
         error: targeting_errors.toml:6:25: policy.care_management.target.admissions: must be \
         from 1 to 8, got 9\n\
         error: targeting_errors.toml:6:42: policy.care_management.target.within_days: must be \
         at least 1 (days), got 0\n\
         error: targeting_errors.toml:4:9: policy.care_management.caseload: missing: the places \
         on the caseload, e.g. 60\n\
         error: targeting_errors.toml:7:18: policy.care_management.enrolment_days: must be at \
         least 1 (days), got -5\n\
         error: targeting_errors.toml:11:12: policy.telehealth.caseload: only with `target` \
         (enrolment by recent use)\n"
    );
}
