//! The run budget (`caresim::experiment::budget`): its estimates against measured runs, the
//! refusal of a run that cannot fit in memory, and the bundled scenarios passing.

use std::path::Path;

use caresim::engine::Days;
use caresim::experiment::{budget, replication_seeds};
use caresim::model::{Params, Recorder, Sim, World};

struct Count(u64);

impl Recorder for Count {
    fn event_handled(&mut self, _now: Days, _world: &World<'_>) {
        self.0 += 1;
    }
}

fn scenario(path: &str) -> caresim::scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    caresim::scenario::load(&path).unwrap()
}

/// Events handled and patients ever in the table, in one replication.
fn measure(params: &Params) -> (u64, usize) {
    let mut sim = Sim::new(params);
    let mut count = Count(0);
    sim.run_recorded(&replication_seeds(1, 0), &mut count);
    (count.0, sim.world().patient_count())
}

#[test]
fn estimates_match_measured_runs() {
    for (path, horizon) in [
        ("tests/fixtures/valid.toml", None),
        ("scenarios/nhs_2003_baseline.toml", Some(365.0)),
        ("tests/fixtures/psa_small.toml", None),
    ] {
        let mut params = scenario(path).params;
        if let Some(h) = horizon {
            params.horizon_days = h;
            params.warmup_days = 0.0;
        }
        let e = budget::estimate(&params);
        let (events, patients) = measure(&params);
        let ratio = e.events_per_replication / events as f64;
        assert!(
            (0.9..2.0).contains(&ratio),
            "{path}: estimated {} events, measured {events}",
            e.events_per_replication
        );
        let ratio = e.patients_ever / patients as f64;
        assert!(
            (0.9..1.2).contains(&ratio),
            "{path}: estimated {} patients, measured {patients}",
            e.patients_ever
        );
        // The patient table and queue dominate; the estimate covers them.
        let floor = patients as u64 * 40;
        assert!(
            e.memory_bytes_per_replication > floor
                && e.memory_bytes_per_replication < 20 * floor + (8 << 20),
            "{path}: {} bytes for {patients} patients",
            e.memory_bytes_per_replication
        );
    }
}

#[test]
fn refuses_a_run_that_cannot_fit_in_memory_naming_the_keys() {
    let mut params = scenario("tests/fixtures/valid.toml").params;
    params.conditions[0].bands[0].patients = 1_000_000_000;
    params.conditions[0].new_patients_per_day = 1e5;
    let e = budget::estimate(&params);
    assert!(e.memory_bytes_per_replication > 40_000_000_000, "{e:?}");
    let refusal = budget::check(&[&params], 10, 1, 4, Some(16 << 30)).unwrap_err();
    for wanted in [
        "needs about 3",
        "but 17.2 GB is available",
        "4 replications at once",
        "conditions.copd.patients = 1,000,000,000",
        "conditions.copd.new_patients_per_year = 36,500,000",
        "simulation.horizon_days = 400",
    ] {
        assert!(refusal.contains(wanted), "{wanted:?} not in {refusal}");
    }
    // One thread fits where four do not; no memory figure, no memory check.
    assert!(budget::check(&[&params], 10, 1, 1, Some(100 << 30)).is_ok());
    assert!(budget::check(&[&params], 10, 1, 4, None).is_ok());
}

#[test]
fn warns_when_a_run_will_be_long() {
    let params = scenario("scenarios/reference_chronic_flow.toml").params;
    let warnings = budget::check(&[&params], 100_000, 1, 2, Some(8 << 30)).unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("this run may take about"),
        "{warnings:?}"
    );
    assert!(
        warnings[0].contains("conditions.chronic.patients = 100,000"),
        "{warnings:?}"
    );
    let quick = budget::check(&[&params], 2, 1, 2, Some(8 << 30)).unwrap();
    assert!(quick.is_empty(), "{quick:?}");
}

#[test]
fn bundled_scenarios_fit_a_small_machine() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["scenarios", "scenarios/policies", "scenarios/psa"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let s = caresim::scenario::load(&path).unwrap();
            let r = budget::check(&[&s.params], u64::from(s.replications), 1, 8, Some(2 << 30));
            assert!(r.is_ok(), "{}: {r:?}", path.display());
        }
    }
}
