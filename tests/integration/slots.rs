//! Reusing the slots of the dead (issue 16): the patient table grows with the most people
//! alive at once, and results are those of a table that keeps every person's slot.

use std::path::Path;

use caresim::experiment::replication_seeds;
use caresim::model::{Sim, Tally};

/// Every metric of one replication of `path` (horizon cut to `years` after the warm-up),
/// with slots reused or kept, and the slots and persons of the reusing run.
fn both_ways(path: &str, years: f64) -> (Vec<f64>, Vec<f64>, usize, usize, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut params = caresim::scenario::load(&path).unwrap().params;
    params.horizon_days = params.warmup_days + years * 365.0;
    let seeds = replication_seeds(7, 0);
    let mut sim = Sim::new(&params);
    let reused = sim.run(&seeds).metric_values(&params);
    let (slots, persons) = (sim.world().patients.len(), sim.world().patient_count());
    let mut sim = Sim::new(&params);
    sim.keep_slots(true);
    let kept = sim.run(&seeds).metric_values(&params);
    assert_eq!(sim.world().patients.len(), sim.world().patient_count());
    (reused, kept, slots, persons, Tally::metric_names(&params))
}

#[test]
fn reused_slots_change_no_result() {
    // The NHS baseline has deaths, new patients, entrants and ageing (whose events outlive
    // a death); the ramped levers add enrolments by uptake curve and targeted case
    // management (whose ends are events of a person too).
    for path in [
        "scenarios/nhs_2003_baseline.toml",
        "scenarios/variants/kaiser_levers_combined_ramped.toml",
        "scenarios/policies/care_management_evercare.toml",
    ] {
        let (reused, kept, slots, persons, names) = both_ways(path, 3.0);
        assert!(
            slots + 2_000 < persons,
            "{path}: {slots} slots for {persons} persons: the dead's slots were not reused"
        );
        for ((name, a), b) in names.iter().zip(&reused).zip(&kept) {
            // Sums over the table (open stays by group) run in slot order: last bits only.
            assert!(
                a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
                "{path}: {name}: {a} with reused slots, {b} with every slot kept"
            );
        }
    }
}
