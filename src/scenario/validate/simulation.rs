//! `[scenario]` and `[simulation]`: the name, the horizon and the replications.

use crate::model::dist::show_count;
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS, MAX_REPLICATIONS};
use crate::scenario::schema::RawScenario;

/// `[simulation]`, checked.
pub(super) struct Simulation {
    /// Simulated days per replication, warm-up included (1 when missing, so later checks
    /// that divide by it still run).
    pub(super) horizon_days: f64,
    /// Days excluded from every statistic.
    pub(super) warmup_days: f64,
    /// Default number of replications.
    pub(super) replications: u32,
    /// Default base seed.
    pub(super) seed: u64,
}

/// `[scenario]`: the scenario's name, which names its output folder (empty when missing).
pub(super) fn scenario_name(ck: &mut Checker, raw: &RawScenario) -> String {
    let meta = raw.scenario.clone().unwrap_or_default();
    let name = ck
        .required("scenario.name", &meta.name, "a name for the scenario")
        .unwrap_or_default();
    if meta.name.is_some()
        && (name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
    {
        ck.fail(
            "scenario.name",
            format!(
                "must be letters, digits, `_` or `-` (it names the output folder), got {name:?}"
            ),
        );
    }
    name
}

/// `[simulation]`: horizon and warm-up (days), replications and seed.
pub(super) fn simulation(ck: &mut Checker, raw: &RawScenario) -> Simulation {
    let sim = raw.simulation.clone().unwrap_or_default();
    let horizon = ck
        .required(
            "simulation.horizon_days",
            &sim.horizon_days,
            "days to simulate, e.g. 3650",
        )
        .unwrap_or(1.0);
    let horizon = ck.number("simulation.horizon_days", horizon, "greater than 0", |x| {
        x > 0.0
    });
    ck.at_most(
        "simulation.horizon_days",
        horizon,
        MAX_HORIZON_DAYS,
        " days (100 years)",
    );
    let warmup = sim.warmup_days.unwrap_or(0.0);
    let warmup = ck.number(
        "simulation.warmup_days",
        warmup,
        &format!("at least 0 and less than horizon_days ({horizon})"),
        |x| x >= 0.0 && x < horizon,
    );
    let replications = sim.replications.unwrap_or(100);
    if replications == 0 {
        ck.fail("simulation.replications", "must be at least 1, got 0");
    } else if replications > MAX_REPLICATIONS {
        ck.fail(
            "simulation.replications",
            format!(
                "must be at most {}, got {replications}",
                show_count(f64::from(MAX_REPLICATIONS))
            ),
        );
    }
    Simulation {
        horizon_days: horizon,
        warmup_days: warmup,
        replications,
        seed: sim.seed.unwrap_or(1),
    }
}
