//! Conservation: every patient is in exactly one state, pools agree with the patient table
//! and never exceed capacity, and costs reconcile with days × unit costs.

use caresim::experiment::replication_seeds;
use caresim::model::{Recorder, Sim, WhenFull, World};
use caresim::scenario;

use crate::util::fixture;

/// Checks the invariants every 3rd event and counts the checks.
struct Invariants {
    events: u64,
    checks: u64,
    patients: usize,
}

impl Recorder for Invariants {
    fn event_handled(&mut self, _now: f64, world: &World<'_>) {
        self.events += 1;
        if self.events.is_multiple_of(3) {
            world.check_conservation().unwrap();
            assert_eq!(world.patient_count(), self.patients);
            self.checks += 1;
        }
    }
}

fn check_scenario(when_full: WhenFull) {
    let mut s = scenario::load(&fixture("valid.toml")).unwrap();
    // Tight capacity, so that queues, delayed discharges (and diversions) all happen.
    s.params.acute.beds = 8;
    s.params.acute.when_full = when_full;
    s.params.services[0].capacity = 3;
    let patients = s.params.total_patients();
    let mut sim = Sim::new(&s.params);
    let mut inv = Invariants {
        events: 0,
        checks: 0,
        patients,
    };
    let tally = sim.run_recorded(&replication_seeds(3, 0), &mut inv);
    assert!(inv.checks > 100, "only {} checks", inv.checks);
    assert!(
        tally.delayed_discharges > 0,
        "the test needs delayed discharges"
    );
    match when_full {
        WhenFull::Queue => assert!(tally.wait_days_total > 0.0, "the test needs waits"),
        WhenFull::Divert => assert!(tally.diversions > 0, "the test needs diversions"),
        other => panic!("no check for {other:?}"),
    }
}

#[test]
fn patients_and_beds_are_conserved_with_a_queue() {
    check_scenario(WhenFull::Queue);
}

#[test]
fn patients_and_beds_are_conserved_with_diversion() {
    check_scenario(WhenFull::Divert);
}

#[test]
fn costs_reconcile_with_days_and_unit_costs() {
    let mut s = scenario::load(&fixture("valid.toml")).unwrap();
    s.params.acute.diversion_cost = 1000.0;
    s.params.acute.when_full = WhenFull::Divert;
    let mut sim = Sim::new(&s.params);
    let t = sim.run(&replication_seeds(11, 0));
    let names = caresim::model::Tally::metric_names(&s.params);
    let values = t.metric_values(&s.params);
    let get = |n: &str| values[names.iter().position(|x| x == n).unwrap()];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    assert!(close(get("acute_cost"), t.acute_bed_days * 400.0));
    assert!(close(get("community_cost"), t.community_days[0] * 150.0));
    assert!(close(
        get("primary_care_cost"),
        (t.reviews + t.urgent_contacts) as f64 * 39.0
    ));
    assert!(close(get("diversion_cost"), t.diversions as f64 * 1000.0));
    assert!(close(
        get("total_cost"),
        get("acute_cost")
            + get("community_cost")
            + get("primary_care_cost")
            + get("diversion_cost")
    ));
    assert!(t.delayed_bed_days <= t.acute_bed_days);
    // Groups add up to the whole.
    let sum =
        |f: fn(&caresim::model::tally::GroupTally) -> f64| t.groups.iter().map(f).sum::<f64>();
    assert!(close(sum(|g| g.acute_bed_days), t.acute_bed_days));
    assert_eq!(sum(|g| g.admissions as f64), t.admissions as f64);
    assert_eq!(sum(|g| g.patients_at_end as f64), t.patients_at_end as f64);
    // Payers add up to the total.
    let payers: f64 = [
        "payer_hospital_cost",
        "payer_community_cost",
        "payer_primary_care_cost",
        "payer_social_care_cost",
    ]
    .iter()
    .map(|n| get(n))
    .sum();
    assert!(close(payers, get("total_cost")));
    // Exacerbations split exactly into admission requests and urgent contacts.
    assert_eq!(t.exacerbations, t.admission_requests + t.urgent_contacts);
}

/// Run a bundled policy scenario (shortened, capacities tightened so that every lever's
/// queue and time limit is exercised) with the invariants checked every 3rd event.
fn check_policy(
    path: &str,
    tighten: impl Fn(&mut caresim::model::Params),
) -> caresim::model::Tally {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut s = scenario::load(&full).unwrap();
    s.params.warmup_days = 100.0;
    s.params.horizon_days = 1000.0;
    tighten(&mut s.params);
    let mut sim = Sim::new(&s.params);
    let mut inv = Invariants {
        events: 0,
        checks: 0,
        patients: 0,
    };
    // Patients arrive (incidence), so check the count against the table itself.
    inv.patients = usize::MAX;
    struct Counting<'a>(&'a mut Invariants);
    impl Recorder for Counting<'_> {
        fn event_handled(&mut self, _now: f64, world: &World<'_>) {
            self.0.events += 1;
            if self.0.events.is_multiple_of(3) {
                world.check_conservation().unwrap();
                self.0.checks += 1;
            }
        }
    }
    let tally = sim.run_recorded(&replication_seeds(5, 0), &mut Counting(&mut inv));
    assert!(inv.checks > 1000, "only {} checks", inv.checks);
    tally
}

#[test]
fn patients_and_places_are_conserved_with_every_lever() {
    let t = check_policy("scenarios/policies/kaiser_levers_combined.toml", |p| {
        p.acute.beds = 40;
        for s in &mut p.services {
            s.capacity = s.capacity.div_ceil(3);
        }
    });
    assert!(
        t.levers.admission_avoidance.admissions_avoided > 0
            && t.levers.early_discharge.early_supported_discharges > 0
    );
    assert!(
        t.levers.integrated_funding.coordinated_discharges > 0,
        "the test needs delay time limits"
    );
    let t = check_policy(
        "scenarios/policies/early_discharge_understaffed_wait.toml",
        |p| p.acute.beds = 50,
    );
    assert!(t.levers.early_discharge.early_supported_discharges > 0 && t.delayed_discharges > 0);
}
