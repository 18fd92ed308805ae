//! Needs never vanish (issue 13): the unmet-need ledger is conserved with every option on;
//! unlimited capacity gives no delay, wait or unmet need; care-home occupancy follows
//! M/G/∞ with deaths; an unsupported early discharge never costs less than a supported one
//! once its unmet need is priced; early supported discharge changes the odds of the onward
//! destination by its odds ratio; neutral settings change nothing.

use caresim::experiment::replication_seeds;
use caresim::model::{
    Duration, EarlyDischargeRule, EarlyWhenFull, NeedConsequences, Onward, Params, Recorder,
    Residents, ServiceParams, ServiceWhenFull, Setting, Shortening, Sim, Tally, World,
};
use caresim::scenario;

use crate::util::fixture;

/// Checks conservation (patients, pools and the need ledger) after every event.
struct Ledger {
    checks: u64,
}

impl Recorder for Ledger {
    fn event_handled(&mut self, _now: f64, world: &World<'_>) {
        if let Err(e) = world.check_conservation() {
            panic!("after {} events: {e}", self.checks);
        }
        self.checks += 1;
    }
}

fn metric(params: &Params, t: &Tally, name: &str) -> f64 {
    let names = Tally::metric_names(params);
    let i = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    t.metric_values(params)[i]
}

#[test]
fn every_need_is_received_waiting_unmet_or_superseded_with_every_option_on() {
    let s = scenario::load(&fixture("needs_all_options.toml")).unwrap();
    let mut sim = Sim::new(&s.params);
    let mut ledger = Ledger { checks: 0 };
    let t = sim.run_recorded(&replication_seeds(13, 0), &mut ledger);
    assert!(ledger.checks > 10_000, "only {} checks", ledger.checks);
    let n = sim.world().needs;
    assert!(
        n.created > 1000 && n.received > 500 && n.unmet > 50 && n.superseded > 10,
        "{n:?}"
    );
    // Every path of the fixture was taken, so the check covered them all.
    let m = |name: &str| metric(&s.params, &t, name);
    for name in [
        "delayed_bed_days",
        "home_waiting_days",
        "unmet_need_days",
        "unmet_need_episodes",
        "deaths_in_care",
        "coordinated_discharges",
        "interim_full_at_limit",
        "early_supported_discharges",
        "unsupported_discharges",
        "admissions_avoided",
        "home_waiting_days_rehab",
        "home_waiting_days_care_home",
        "community_days_d2a",
        "unmet_need_cost",
    ] {
        assert!(m(name) > 0.0, "the fixture should exercise {name}");
    }
    // Unmet need is priced per service: esd's default is its day cost, home care's is set.
    let expected = 60.0 * m("unmet_need_days_esd")
        + 25.0 * m("home_waiting_days_home_care")
        + 80.0 * m("home_waiting_days_care_home")
        + 120.0 * m("home_waiting_days_rehab");
    assert!((m("unmet_need_cost") - expected).abs() <= 1e-6 * expected);
}

#[test]
fn unlimited_capacity_everywhere_leaves_no_delay_wait_or_unmet_need() {
    let mut s = scenario::load(&fixture("needs_all_options.toml")).unwrap();
    s.params.acute.beds = 100_000;
    for service in &mut s.params.services {
        service.capacity = 100_000;
    }
    let t = Sim::new(&s.params).run(&replication_seeds(13, 0));
    for name in [
        "delayed_bed_days",
        "home_waiting_days",
        "unmet_need_days",
        "unmet_need_episodes",
        "unmet_need_cost",
        "mean_wait_days",
        "unsupported_discharges",
    ] {
        assert_eq!(metric(&s.params, &t, name), 0.0, "{name}");
    }
    assert!(metric(&s.params, &t, "early_supported_discharges") > 50.0);
    assert!(metric(&s.params, &t, "deaths_in_care") > 10.0);
}

/// A cohort admitted once in a while for a day, every discharge to a service `service`
/// with ample places.
fn flow_to(service: ServiceParams, patients: u32) -> Params {
    let mut p = crate::util::queue_model(
        1.0,
        100_000,
        Duration::fixed(1.0).unwrap(),
        caresim::model::WhenFull::Queue,
    );
    p.services = vec![service];
    let c = &mut p.conditions[0];
    c.bands[0].patients = patients;
    // New patients replace the residents who die (a third of 0.2 placements per
    // patient-year), so that the placement rate stays steady.
    c.new_patients_per_day = f64::from(patients) * 0.2 / 365.0 / 3.0;
    c.exacerbation_rate_per_day = 0.2 / 365.0;
    c.admit = 1.0;
    c.discharge = vec![caresim::model::DischargeRoute {
        service: 0,
        probability: 1.0,
    }];
    p
}

fn ample(name: &str, setting: Setting, los: Duration) -> ServiceParams {
    ServiceParams {
        name: name.into(),
        capacity: 1_000_000,
        los,
        day_cost: 10.0,
        payer: caresim::model::Payer::SocialCare,
        setting,
        schedule: caresim::model::Schedule::default(),
        when_full: ServiceWhenFull::KeepBed,
        unmet: NeedConsequences::NONE,
        onward: None,
        residents: None,
        utility_multiplier: 1.0,
    }
}

/// Records the ledger's received needs when statistics start.
struct AtWarmup {
    warmup: f64,
    received: Option<u64>,
}

impl Recorder for AtWarmup {
    fn event_handled(&mut self, now: f64, world: &World<'_>) {
        if self.received.is_none() && now >= self.warmup {
            self.received = Some(world.needs.received);
        }
    }
}

#[test]
fn care_home_occupancy_is_placements_times_the_stay_shortened_by_death() {
    // Stays Exp(mean 120 d) end by discharge; residents die at 1/240 per day: a sojourn of
    // 1 / (1/120 + 1/240) = 80 days, one third ending in death. Residents do not exacerbate.
    let mut home = ample(
        "care_home",
        Setting::LongStay,
        Duration::exponential(120.0).unwrap(),
    );
    home.residents = Some(Residents {
        death_rate_per_day: vec![1.0 / 240.0],
        exacerbation_multiplier: 0.0,
        hold_days: 0.0,
        at_start: 0,
    });
    let mut p = flow_to(home, 20_000);
    p.warmup_days = 1000.0;
    p.horizon_days = 4000.0;
    let (mut ratios, mut death_shares) = (Vec::new(), Vec::new());
    for rep in 0..8 {
        let mut sim = Sim::new(&p);
        let mut rec = AtWarmup {
            warmup: p.warmup_days,
            received: None,
        };
        let t = sim.run_recorded(&replication_seeds(31, rep), &mut rec);
        let placements = (sim.world().needs.received - rec.received.unwrap()) as f64;
        let observed = p.horizon_days - p.warmup_days;
        let occupancy = t.community_days[0] / observed;
        ratios.push(occupancy / (placements / observed * 80.0));
        death_shares.push(t.deaths_in_care as f64 / placements);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let sd = |v: &[f64]| {
        let m = mean(v);
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
    };
    // L = λW within 4 standard errors; without deaths W would be 120 (ratio 1.5).
    let se = sd(&ratios) / (ratios.len() as f64).sqrt();
    assert!(
        (mean(&ratios) - 1.0).abs() < 4.0 * se.max(0.005),
        "L / λW = {ratios:?}"
    );
    let se = sd(&death_shares) / (death_shares.len() as f64).sqrt();
    assert!(
        (mean(&death_shares) - 1.0 / 3.0).abs() < 4.0 * se.max(0.005),
        "death share {death_shares:?}"
    );
}

/// Stroke-like admissions, all eligible for early discharge into `esd` (a home team) with
/// `capacity` places and `when_full`; consequences of going without it `unmet`.
fn esd_arm(capacity: u32, when_full: EarlyWhenFull, unmet: NeedConsequences) -> Params {
    let mut p = crate::util::queue_model(
        1.0,
        100_000,
        Duration::lognormal(15.0, 8.0).unwrap(),
        caresim::model::WhenFull::Queue,
    );
    let mut esd = ample("esd", Setting::Home, Duration::gamma(30.0, 10.0).unwrap());
    esd.capacity = capacity;
    esd.day_cost = 60.0;
    esd.unmet = unmet;
    let care_home = ample(
        "care_home",
        Setting::Bed,
        Duration::exponential(200.0).unwrap(),
    );
    p.services = vec![esd, care_home];
    p.warmup_days = 100.0;
    p.horizon_days = 1500.0;
    let c = &mut p.conditions[0];
    c.bands[0].patients = 3000;
    c.new_patients_per_day = 0.0;
    c.exacerbation_rate_per_day = 0.8 / 365.0;
    c.admit = 1.0;
    c.bands[0].death_rate_per_day = 0.05 / 365.0;
    p.levers.early_discharge = Some(EarlyDischargeRule {
        eligible_by_condition: vec![1.0],
        shortening: Shortening::Days(5.0),
        service: 0,
        when_full,
        unsupported_multiplier: 1.0,
        eligible_routes: vec![true, false, false],
        institutional_odds_ratio: 1.0,
        uptake: None,
    });
    p
}

#[test]
fn an_unsupported_early_discharge_never_costs_less_once_its_unmet_need_is_priced() {
    // Neutral consequences priced at the team's day cost: pathwise the same patients, so
    // total cost + unmet-need cost is the supported arm's total cost exactly (up to rounding).
    let neutral = NeedConsequences {
        cost_per_day: 60.0,
        ..NeedConsequences::NONE
    };
    let supported = esd_arm(100_000, EarlyWhenFull::Wait, neutral.clone());
    let unsupported = esd_arm(1, EarlyWhenFull::DischargeUnsupported, neutral);
    // With consequences (more exacerbations and deaths, later care-home needs), it costs more.
    let harmful = esd_arm(
        1,
        EarlyWhenFull::DischargeUnsupported,
        NeedConsequences {
            exacerbation_multiplier: 1.5,
            death_multiplier: 1.2,
            cost_per_day: 60.0,
            escalation_probability: 0.2,
            escalate_to: Some(1),
            utility_multiplier: 1.0,
        },
    );
    let cost = |p: &Params, t: &Tally| metric(p, t, "total_cost") + metric(p, t, "unmet_need_cost");
    let mut extra = Vec::new();
    for rep in 0..10 {
        let seeds = replication_seeds(17, rep);
        let a = Sim::new(&supported).run(&seeds);
        let b = Sim::new(&unsupported).run(&seeds);
        let c = Sim::new(&harmful).run(&seeds);
        assert!(b.levers.early_discharge.unsupported_discharges > 100);
        let (ca, cb) = (cost(&supported, &a), cost(&unsupported, &b));
        assert!(
            (ca - cb).abs() <= 1e-9 * ca,
            "rep {rep}: supported {ca}, unsupported {cb}"
        );
        assert!(
            metric(&unsupported, &b, "total_cost") < ca,
            "the unmet need is not free"
        );
        extra.push(cost(&harmful, &c) - ca);
    }
    let mean = extra.iter().sum::<f64>() / extra.len() as f64;
    let sd = (extra.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 9.0).sqrt();
    assert!(mean - 3.0 * sd / 10f64.sqrt() > 0.0, "extra cost {extra:?}");
}

/// Discharges routed to rehabilitation (a bed, 1 day) with an onward care-home route of
/// probability 0.3; with early supported discharge (1-day team episodes) and odds ratio
/// `ratio`, or usual care. Returns (episodes ended, onward care-home needs).
fn onward_share(ratio: Option<f64>, rep: u32) -> (f64, f64) {
    let mut p = crate::util::queue_model(
        1.0,
        100_000,
        Duration::fixed(10.0).unwrap(),
        caresim::model::WhenFull::Queue,
    );
    let mut rehab = ample("rehab", Setting::Bed, Duration::fixed(1.0).unwrap());
    rehab.onward = Some(Onward {
        service: 2,
        probability: 0.3,
    });
    let esd = ample("esd", Setting::Home, Duration::fixed(1.0).unwrap());
    let care_home = ample("care_home", Setting::Bed, Duration::fixed(1.0).unwrap());
    p.services = vec![rehab, esd, care_home];
    p.warmup_days = 0.0;
    p.horizon_days = 730.0;
    let c = &mut p.conditions[0];
    c.bands[0].patients = 30_000;
    c.new_patients_per_day = 0.0;
    c.exacerbation_rate_per_day = 1.0 / 365.0;
    c.admit = 1.0;
    c.discharge = vec![caresim::model::DischargeRoute {
        service: 0,
        probability: 1.0,
    }];
    if let Some(ratio) = ratio {
        p.levers.early_discharge = Some(EarlyDischargeRule {
            eligible_by_condition: vec![1.0],
            shortening: Shortening::Days(2.0),
            service: 1,
            when_full: EarlyWhenFull::Wait,
            unsupported_multiplier: 1.0,
            eligible_routes: vec![false, true, false, false],
            institutional_odds_ratio: ratio,
            uptake: None,
        });
    }
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(23, rep));
    let n = sim.world().needs;
    // Each stay ended alive creates one need (rehab, or the team); the rest are onward.
    let episodes = t.stays_ended as f64;
    (episodes, (n.created - t.stays_ended) as f64)
}

#[test]
fn early_supported_discharge_multiplies_the_odds_of_institutional_care_by_its_ratio() {
    let odds = |(n, k): (f64, f64)| k / (n - k);
    let mut ratios = Vec::new();
    for rep in 0..4 {
        ratios.push(odds(onward_share(Some(0.75), rep)) / odds(onward_share(None, rep)));
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    // About 60,000 episodes per arm: the odds ratio's standard error is about 0.01.
    assert!(
        (mean - 0.75).abs() < 0.03,
        "measured odds ratios {ratios:?}"
    );
    let (n, k) = onward_share(None, 0);
    assert!(
        (k / n - 0.3).abs() < 0.01,
        "usual care's onward share {}",
        k / n
    );
}

#[test]
fn neutral_settings_of_every_new_option_reproduce_the_results_exactly() {
    let base = scenario::load(&fixture("valid.toml")).unwrap();
    let mut neutral = base.params.clone();
    for s in &mut neutral.services {
        s.unmet = NeedConsequences {
            cost_per_day: 0.0,
            ..NeedConsequences::NONE
        };
        s.onward = Some(Onward {
            service: 0,
            probability: 0.0,
        });
        s.when_full = ServiceWhenFull::KeepBed;
    }
    for rep in 0..3 {
        let seeds = replication_seeds(5, rep);
        let a = Sim::new(&base.params).run(&seeds);
        let b = Sim::new(&neutral).run(&seeds);
        assert_eq!(a.metric_values(&base.params), b.metric_values(&neutral));
    }
}

#[test]
fn every_bad_need_option_is_reported_at_its_key() {
    let o = crate::util::caresim(
        &fixture(""),
        &["validate", "--message-format=short", "needs_errors.toml"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = crate::util::stderr(&o);
    for line in [
        "error: needs_errors.toml:15:22: community.nursing_home.residents_at_start: must be at most capacity (5), got 9\n",
        "error: needs_errors.toml:23:1: community.rehab.unmet.escalate_to: missing: escalation_probability needs the higher level of care, a service name, e.g. escalate_to = \"care_home\"\n",
        "error: needs_errors.toml:21:22: community.rehab.onward.service: must name another service: an episode cannot lead to itself\n",
        "error: needs_errors.toml:22:13: community.rehab.hold_days: applies only to setting = \"long_stay\" (a care home's residents)\n",
        "error: needs_errors.toml:30:19: policy.early_discharge.eligible_routes: no route named `hospice`; defined: home, intermediate_care, nursing_home, rehab\n",
        "error: needs_errors.toml:32:9: policy.integrated_funding.interim_service: missing: max_delay_days needs a named, costed interim service (discharge to assess) to receive patients at the limit, e.g. interim_service = \"discharge_to_assess\"; a limit with nowhere to go would drop their need\n",
        "error: needs_errors.toml:34:26: policy.integrated_funding.controller.service: a controller moves capacity itself, and a schedule that sets a capacity would undo its moves: in acute and community.nursing_home schedules, use `add` (added to the capacity in force) instead of `beds` or `capacity`\n",
    ] {
        assert!(e.contains(line), "missing {line:?} in:\n{e}");
    }
    assert_eq!(e.lines().count(), 7, "{e}");
}
