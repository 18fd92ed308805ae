//! Semantic checks: required keys, ranges, cross-references. Every problem is collected,
//! located in the file that set (or should have set) the key, and reported together.
//!
//! One function per table, in the submodule of its group of tables. [`validate`] calls them
//! in a fixed order, and that order is the order of the messages a user sees: a check moved
//! between tables reorders them.

mod conditions;
mod economics;
mod persons;
mod population;
mod seasonality;
mod services;
mod simulation;

use std::collections::BTreeMap;

use super::load::Sources;
use super::schema::RawScenario;
use super::{Scenario, ScenarioError, ScenarioFile};
use crate::model::{AcuteParams, LeverParams, Params, Policies, PopulationParams, ServiceParams};

use super::checker::Checker;
pub use super::checker::{
    MAX_CAPACITY, MAX_COST, MAX_FRAILTY_CV, MAX_HORIZON_DAYS, MAX_LOS_MULTIPLIER, MAX_MULTIPLIER,
    MAX_PATIENTS_EVER, MAX_PEOPLE, MAX_PER_YEAR, MAX_REPLICATIONS, MIN_FRAILTY_CV,
    MIN_INTERVAL_DAYS,
};
pub(crate) use economics::{MECHANISM_KEYS, mechanism_name};

fn is_band_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Check the merged scenario and build the validated [`Scenario`].
///
/// # Errors
/// Every problem found, each located.
pub fn validate(sources: &Sources) -> Result<Scenario, ScenarioError> {
    let mut ck = Checker {
        sources,
        problems: Vec::new(),
    };
    let raw: &RawScenario = &sources.merged;

    let name = simulation::scenario_name(&mut ck, raw);
    let simulation = simulation::simulation(&mut ck, raw);
    let acute = services::acute(&mut ck, raw);
    let beds = acute.beds;
    let primary_care = services::primary_care(&mut ck, raw);
    let community = raw.community.clone().unwrap_or_default();
    let service_index: BTreeMap<&str, usize> = community
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let population = population::population(&mut ck, raw);
    let services = services::community(&mut ck, &community, &service_index, &population.band_names);
    let (tiers, tier_shares) = population::tiers(&mut ck, raw);
    let (conditions, total_patients) = conditions::conditions(
        &mut ck,
        raw,
        &population,
        &service_index,
        simulation.horizon_days,
    );
    let seasonality = seasonality::seasonality(&mut ck, raw);
    let ageing = persons::ageing(&mut ck, raw, &population);
    let persons = persons::persons(&mut ck, raw, &population, &conditions);
    let trends = persons::trends(
        &mut ck,
        raw,
        simulation.horizon_days - simulation.warmup_days,
    );
    let tiers = population::per_condition(tiers, &tier_shares, conditions.len());

    let condition_names: Vec<&str> = conditions.iter().map(|c| c.name.as_str()).collect();
    let long_stay: Vec<&str> = services
        .iter()
        .filter(|s| s.setting == crate::model::Setting::LongStay)
        .map(|s| s.name.as_str())
        .collect();
    let policies = super::policy::check(
        &mut ck,
        &raw.policy,
        &condition_names,
        &service_index,
        &long_stay,
        beds,
        simulation.warmup_days,
    );
    let mut evidence = super::policy::evidence(&mut ck, &raw.policy, &sources.uncertain);
    economics::evidence(&mut ck, raw, &sources.uncertain, &mut evidence);
    let economics = economics::economics(&mut ck, raw, &population.band_names);
    let payment = economics::payment(&mut ck, raw, &condition_names);
    pooled_budget_and_schedules(&mut ck, &policies, &acute, &services);
    let catchment = population.catchment(total_patients);
    let outpatient_attendance_cost = services::outpatient_attendance_cost(&mut ck, raw);

    if !ck.problems.is_empty() {
        return Err(ScenarioError::new(ck.problems));
    }
    let mut params = Params {
        horizon_days: simulation.horizon_days,
        warmup_days: simulation.warmup_days,
        acute,
        services,
        primary_care,
        conditions,
        seasonality,
        population: PopulationParams {
            catchment,
            age_bands: population.band_names,
            frailty_cv: population.frailty_cv,
            ageing,
        },
        tiers,
        outpatient_attendance_cost,
        levers: LeverParams::default(),
        economics,
        payment,
        persons,
        trends,
    };
    policies.apply(&mut params);
    // With persons, one cell per (set, lead condition) pair: K·2^(K−1) of them.
    let pairs = match &params.persons {
        Some(_) => params.conditions.len() << params.conditions.len().saturating_sub(1),
        None => params.conditions.len(),
    };
    let cells = pairs * params.population.age_bands.len() * params.tiers.len();
    if cells > usize::from(u16::MAX) {
        ck.fail(
            "conditions",
            format!(
                "at most 65,535 condition × age band × tier combinations (enrolment levers multiply tiers), got {cells}"
            ),
        );
        return Err(ScenarioError::new(ck.problems));
    }
    Ok(Scenario {
        title: raw
            .scenario
            .as_ref()
            .and_then(|meta| meta.title.clone())
            .unwrap_or_else(|| super::title_from_name(&name)),
        name,
        description: raw
            .scenario
            .as_ref()
            .and_then(|meta| meta.description.clone())
            .unwrap_or_default(),
        files: sources
            .files
            .iter()
            .map(|f| ScenarioFile {
                path: f.path.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
        replications: simulation.replications,
        seed: simulation.seed,
        params,
        uncertain: sources.uncertain.clone(),
        evidence,
        sources: std::sync::Arc::new(sources.clone()),
    })
}

/// The pooled budget's changes of capacity against the scenario's schedules: a schedule
/// entry that sets a capacity would undo the controller's moves and converted beds closing
/// over time (entries that `add` compose with both); the controller needs costs to move
/// money at parity.
fn pooled_budget_and_schedules(
    ck: &mut Checker,
    policies: &Policies,
    acute: &AcuteParams,
    services: &[ServiceParams],
) {
    if let Some(f) = &policies.integrated_funding
        && f.uptake.is_some()
        && f.beds_converted > 0
    {
        let receiving = f.service.and_then(|s| services.get(s));
        if acute.schedule.sets_capacity() || receiving.is_some_and(|s| s.schedule.sets_capacity()) {
            ck.fail(
                "policy.integrated_funding.uptake",
                format!(
                    "converted beds close one by one as changes added to the schedules of acute and community.{}; a change there that sets a capacity would undo them: use `add` entries instead of `beds` or `capacity`",
                    receiving.map_or("<service>", |s| s.name.as_str())
                ),
            );
        }
    }
    if let Some(controller) = policies
        .integrated_funding
        .as_ref()
        .and_then(|f| f.controller.as_ref())
        && let Some(service) = services.get(controller.service)
    {
        let field = "policy.integrated_funding.controller.service";
        if acute.schedule.sets_capacity() || service.schedule.sets_capacity() {
            ck.fail(
                field,
                format!(
                    "a controller moves capacity itself, and a schedule that sets a capacity would undo its moves: in acute and community.{} schedules, use `add` (added to the capacity in force) instead of `beds` or `capacity`",
                    service.name
                ),
            );
        }
        if service.day_cost <= 0.0 || acute.bed_day_cost <= 0.0 {
            ck.fail(
                field,
                format!(
                    "the controller moves money at cost parity: acute.bed_day_cost and community.{}.day_cost must be above 0",
                    service.name
                ),
            );
        }
    }
}
