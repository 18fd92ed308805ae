//! The semantics "The model" in the README states precisely (issue 11, defect 9), each
//! checked against a closed form or an exact count: what a home-setting service counts as;
//! discharge routes applying to survivors of the in-hospital death draw; the readmission and
//! post-discharge windows starting when the acute bed is left; the `days_shorter` floor; the
//! age band of incident patients; and `exacerbations = admission_requests + urgent_contacts +
//! admissions_avoided`.

use std::path::Path;

use caresim::experiment::{self, NoProgress, replication_seeds};
use caresim::model::{
    AvoidanceRule, BandParams, CareState, DischargeRoute, Duration, EarlyDischargeRule,
    EarlyWhenFull, Params, Payer, Recorder, Schedule, ServiceParams, Setting, Shortening, Sim,
    Tally, TierParams, WhenFull, World,
};
use caresim::scenario;

use crate::util::{assert_within_ci, queue_model, summary_of};

/// A cohort of `n` at home, exacerbating at `per_day`, every exacerbation an admission
/// request; stays of `los` days; beds ample; no warm-up.
fn cohort(n: u32, per_day: f64, los: f64, horizon: f64) -> Params {
    let mut p = queue_model(1.0, 100_000, Duration::fixed(los).unwrap(), WhenFull::Queue);
    p.warmup_days = 0.0;
    p.horizon_days = horizon;
    let c = &mut p.conditions[0];
    c.bands[0].patients = n;
    c.exacerbation_rate_per_day = per_day;
    c.admit = 1.0;
    p
}

/// A community service with ample places and fixed episodes of `los` days.
fn service(name: &str, setting: Setting, los: f64) -> ServiceParams {
    ServiceParams {
        name: name.into(),
        capacity: 100_000,
        los: Duration::fixed(los).unwrap(),
        day_cost: 0.0,
        payer: Payer::Community,
        setting,
        schedule: Schedule::default(),
        when_full: caresim::model::ServiceWhenFull::KeepBed,
        unmet: caresim::model::NeedConsequences::NONE,
        onward: None,
        residents: None,
        utility_multiplier: 1.0,
    }
}

/// `x` within `k` standard deviations `sd` of `mean`.
fn assert_near(name: &str, x: f64, mean: f64, sd: f64, k: f64) {
    assert!(
        (x - mean).abs() <= k * sd,
        "{name}: {x} is more than {k} sd ({sd:.2}) from {mean:.2}"
    );
}

/// Person-days at home of the only cell, over the whole run.
fn home_days(sim: &Sim<'_>, end: f64) -> f64 {
    sim.world().at_home[0].area_until(end)
}

// (a) ----------------------------------------------------------------------------------------

#[test]
fn home_setting_episode_counts_as_home_and_bed_setting_does_not() {
    // 5,000 patients, 2 exacerbations a year, each admitted for 0.001 days and discharged to
    // an episode longer than the run: after their first admission everybody is in the service.
    let (n, years) = (5_000u32, 2.0);
    let (h, r) = (0.2 / 365.0, 2.0 / 365.0);
    let (reviews_per_day, referrals_per_day) = (4.0 / 365.0, 1.0 / 365.0);
    let end = 365.0 * years;
    let build = |setting| {
        let mut p = cohort(n, r, 0.001, end);
        p.services = vec![service("episode", setting, 10_000.0)];
        let c = &mut p.conditions[0];
        c.discharge = vec![DischargeRoute {
            service: 0,
            probability: 1.0,
        }];
        c.bands[0].death_rate_per_day = h;
        c.review_rate_per_day = reviews_per_day;
        c.outpatient_referrals_per_day = referrals_per_day;
        p
    };
    let poisson_ok = |name: &str, count: u64, rate: f64, days: f64| {
        let mean = rate * days;
        assert_near(name, count as f64, mean, mean.sqrt(), 4.0);
    };

    // Home setting: the episode's days are days at home.
    let p = build(Setting::Home);
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(11, 0));
    let at_home = home_days(&sim, end);
    let alive = t.tier_days[0];
    assert!(
        t.community_days[0] > 0.5 * alive,
        "the test needs long episodes"
    );
    assert!(
        (at_home - (alive - t.acute_bed_days)).abs() < 1e-6 * alive,
        "home setting: person-days at home {at_home} = alive {alive} − acute {}",
        t.acute_bed_days
    );
    poisson_ok("reviews, home setting", t.reviews, reviews_per_day, at_home);
    poisson_ok(
        "referrals, home setting",
        t.outpatient_referrals,
        referrals_per_day,
        at_home,
    );
    // Exacerbations continue in the episode: their compensator is r × days at home.
    poisson_ok("exacerbations, home setting", t.exacerbations, r, at_home);
    // Deaths: the home hazard over the whole run (hospital time is negligible).
    let q = 1.0 - (-h * end).exp();
    let sd = (f64::from(n) * q * (1.0 - q)).sqrt();
    assert_near(
        "deaths, home setting",
        t.deaths_home as f64,
        f64::from(n) * q,
        sd,
        4.0,
    );
    let w = sim.world();
    let died_in_episode = w
        .patients
        .hot
        .iter()
        .filter(|c| c.state == CareState::Dead && c.prior_admissions > 0)
        .count();
    assert!(
        died_in_episode > 100,
        "{died_in_episode} died during an episode"
    );
    // Admissions and deaths ended episodes and freed places.
    w.check_conservation().unwrap();

    // Bed setting: no reviews, referrals, exacerbations or deaths during the episode.
    let p = build(Setting::Bed);
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(11, 0));
    let at_home = home_days(&sim, end);
    let alive = t.tier_days[0];
    assert!(
        (at_home - (alive - t.acute_bed_days - t.community_days[0])).abs() < 1e-6 * alive,
        "bed setting: person-days at home {at_home} = alive − acute − community"
    );
    poisson_ok("reviews, bed setting", t.reviews, reviews_per_day, at_home);
    poisson_ok(
        "referrals, bed setting",
        t.outpatient_referrals,
        referrals_per_day,
        at_home,
    );
    let cold = &sim.world().patients.hot;
    let admitted = cold.iter().filter(|c| c.prior_admissions > 0).count() as u64;
    assert!(cold.iter().all(|c| c.prior_admissions <= 1));
    assert_eq!(
        t.exacerbations, admitted,
        "one exacerbation per patient, before the bed"
    );
    assert!(
        cold.iter()
            .all(|c| c.state != CareState::Dead || c.prior_admissions == 0),
        "nobody dies in a bed-based episode"
    );
    // Deaths compete with the first exacerbation only: n h/(h+r) (1 − e^{−(h+r)T}).
    let q = h / (h + r) * (1.0 - (-(h + r) * end).exp());
    let sd = (f64::from(n) * q * (1.0 - q)).sqrt();
    assert_near(
        "deaths, bed setting",
        t.deaths_home as f64,
        f64::from(n) * q,
        sd,
        4.0,
    );
}

#[test]
fn admission_avoidance_takes_only_patients_at_home_without_an_episode() {
    // Every request is offered to an ample step-up service (home setting, episodes longer
    // than the run); discharges go to an ample home-setting service of the same length. Each
    // patient's first exacerbation is avoided; every later one, made during a home-setting
    // episode, is an admission request.
    let n = 2_000u32;
    let mut p = cohort(n, 2.0 / 365.0, 1.0, 730.0);
    p.services = vec![
        service("esd", Setting::Home, 10_000.0),
        service("step_up", Setting::Home, 10_000.0),
    ];
    p.conditions[0].discharge = vec![DischargeRoute {
        service: 0,
        probability: 1.0,
    }];
    p.levers.admission_avoidance = Some(AvoidanceRule {
        share_by_condition: vec![1.0],
        service: 1,
        uptake: None,
    });
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(5, 0));
    let cold = &sim.world().patients.hot;
    let never_left = cold.iter().filter(|c| c.state == CareState::Home).count() as u64;
    assert_eq!(
        t.levers.admission_avoidance.admissions_avoided,
        u64::from(n) - never_left
    );
    assert!(
        cold.iter()
            .filter(|c| c.prior_admissions == 0 && c.state != CareState::Home)
            .all(|c| c.state == CareState::Community(1)),
        "avoided once, still in the step-up episode"
    );
    let requests: u64 = cold.iter().map(|c| u64::from(c.prior_admissions)).sum();
    assert!(requests > 1_000, "the test needs requests from episodes");
    assert_eq!(t.admission_requests, requests);
    assert_eq!(
        t.exacerbations,
        t.levers.admission_avoidance.admissions_avoided + t.admission_requests
    );
}

// (b) ----------------------------------------------------------------------------------------

/// Counts entries into service 0: its places in use rise only when an acute stay ends into
/// it (places are ample, so nobody waits for one).
struct Entries {
    last: u32,
    entries: u64,
}

impl Recorder for Entries {
    fn event_handled(&mut self, _now: f64, world: &World<'_>) {
        let now = world.services[0].in_use();
        self.entries += u64::from(now.saturating_sub(self.last));
        self.last = now;
    }
}

#[test]
fn discharge_routes_apply_to_survivors_of_the_death_draw() {
    // p = 0.2 die at the end of the stay, discharge.rehab = 0.5: (1 − p) × 0.5 = 0.4 of stays
    // enter the service (not 0.5), 0.4 go home.
    let (death, share) = (0.2, 0.5);
    let mut p = cohort(4_000, 2.0 / 365.0, 2.0, 3.0 * 365.0);
    p.services = vec![service("rehab", Setting::Bed, 5.0)];
    let c = &mut p.conditions[0];
    c.in_hospital_death = death;
    c.discharge = vec![DischargeRoute {
        service: 0,
        probability: share,
    }];
    let mut sim = Sim::new(&p);
    let mut rec = Entries {
        last: 0,
        entries: 0,
    };
    let t = sim.run_recorded(&replication_seeds(3, 0), &mut rec);
    let stays = t.stays_ended as f64;
    assert!(stays > 10_000.0, "{stays} stays");
    let binomial = |name: &str, count: u64, q: f64| {
        assert_near(
            name,
            count as f64,
            stays * q,
            (stays * q * (1.0 - q)).sqrt(),
            4.0,
        );
    };
    binomial("in-hospital deaths", t.deaths_hospital, death);
    binomial("entries to the service", rec.entries, (1.0 - death) * share);
    let home = t.stays_ended - t.deaths_hospital - rec.entries;
    binomial("discharges home", home, (1.0 - death) * (1.0 - share));
}

// (c) ----------------------------------------------------------------------------------------

#[test]
fn readmission_and_post_discharge_windows_start_when_the_acute_bed_is_left() {
    // 1-day acute stays, then 20 days in a community bed, then home at rate r: a request
    // within 30 days of leaving the acute bed is one within the first 10 days home, so
    // readmissions per discharge are 1 − e^{−10 r} (from leaving the community bed they would
    // be 1 − e^{−30 r}). With the post-discharge multiplier ×4 for 30 days, also counted from
    // the acute bed, they are 1 − e^{−40 r} (not 1 − e^{−120 r}).
    let r: f64 = 1.0 / 50.0;
    let mut p = cohort(300, r, 1.0, 365.0 * 4.0);
    p.warmup_days = 365.0;
    p.services = vec![service("intermediate", Setting::Bed, 20.0)];
    p.conditions[0].discharge = vec![DischargeRoute {
        service: 0,
        probability: 1.0,
    }];
    let share = |p: &Params| {
        summary_of(p, 31, 10, |t| {
            t.readmissions_30d as f64 / t.bed_stays as f64
        })
    };
    let plain = share(&p);
    assert_within_ci(
        "readmissions per discharge",
        &plain,
        1.0 - (-10.0 * r).exp(),
    );
    p.conditions[0].post_discharge_multiplier = 4.0;
    p.conditions[0].post_discharge_days = 30.0;
    let raised = share(&p);
    assert_within_ci(
        "readmissions per discharge, ×4 for 30 days",
        &raised,
        1.0 - (-40.0 * r).exp(),
    );
}

// (d) ----------------------------------------------------------------------------------------

/// The documented floor: `days_shorter` never takes a stay below 1 day, and a stay of 1 day
/// or less is not shortened.
fn floor_of(stay: f64, days_shorter: f64) -> f64 {
    if stay <= 1.0 {
        stay
    } else {
        (stay - days_shorter).max(1.0)
    }
}

#[test]
fn days_shorter_never_goes_below_one_day() {
    for stay in [0.0, 0.25, 0.999, 1.0, 1.2, 2.0, 3.5, 10.0, 40.0] {
        for d in [0.0, 0.5, 1.0, 3.0, 8.0, 100.0] {
            assert_eq!(
                Shortening::Days(d).apply(stay),
                floor_of(stay, d),
                "stay {stay}, days_shorter {d}"
            );
        }
    }
    // In the model: fixed stays × the age band's multiplier, every admission eligible.
    for (stay, multiplier, d) in [
        (10.0, 1.0, 3.0),
        (10.0, 1.0, 12.0),
        (1.2, 1.0, 0.5),
        (0.5, 1.0, 3.0),
        (2.5, 2.0, 3.0),
        (0.4, 2.0, 3.0),
    ] {
        let mut p = cohort(200, 2.0 / 365.0, stay, 365.0);
        p.conditions[0].bands[0].los_multiplier = multiplier;
        p.services = vec![service("esd", Setting::Home, 3.0)];
        p.levers.early_discharge = Some(EarlyDischargeRule {
            eligible_by_condition: vec![1.0],
            shortening: Shortening::Days(d),
            service: 0,
            when_full: EarlyWhenFull::Wait,
            unsupported_multiplier: 1.0,
            eligible_routes: vec![true, true],
            institutional_odds_ratio: 1.0,
            uptake: None,
        });
        let t = Sim::new(&p).run(&replication_seeds(1, 0));
        assert!(t.stays_ended > 100);
        assert_eq!(
            t.levers.early_discharge.early_supported_discharges,
            t.bed_stays
        );
        let mean = t.stay_days_total / t.stays_ended as f64;
        let expected = floor_of(stay * multiplier, d);
        assert!(
            (mean - expected).abs() < 1e-9,
            "stay {stay} × {multiplier}, days_shorter {d}: {mean}, expected {expected}"
        );
    }
}

// (e) ----------------------------------------------------------------------------------------

#[test]
fn incident_patients_take_the_age_bands_of_the_starting_cohort() {
    // Condition 0 starts with 3,000 / 1,000 / 0 patients in bands a, b, c: new patients are
    // 75% a, 25% b, none c. Condition 1 starts empty: its new patients are all in band a.
    let mut p = cohort(0, 0.0, 1.0, 365.0);
    p.population.age_bands = vec!["a".into(), "b".into(), "c".into()];
    let band = |patients| BandParams {
        patients,
        death_rate_per_day: 0.0,
        los_multiplier: 1.0,
    };
    let c = &mut p.conditions[0];
    c.bands = vec![band(3_000), band(1_000), band(0)];
    c.new_patients_per_day = 20.0;
    let mut empty = c.clone();
    empty.name = "empty".into();
    empty.bands = vec![band(0), band(0), band(0)];
    empty.new_patients_per_day = 2.0;
    p.conditions.push(empty);
    p.tiers = vec![TierParams::neutral(2)];
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(8, 0));
    let mut by_band = [[0u64; 3]; 2];
    for hot in &sim.world().patients.hot[4_000..] {
        let cell = usize::from(hot.cell); // (condition × 3 bands + band) × 1 tier
        by_band[cell / 3][cell % 3] += 1;
    }
    assert_eq!(
        by_band[0].iter().chain(&by_band[1]).sum::<u64>(),
        t.new_patients
    );
    let new = by_band[0].iter().sum::<u64>() as f64;
    assert!(new > 6_000.0, "{new} new patients");
    let q = 0.75;
    let sd = (new * q * (1.0 - q)).sqrt();
    assert_near(
        "new patients in band a",
        by_band[0][0] as f64,
        new * q,
        sd,
        4.0,
    );
    assert_eq!(
        by_band[0][2], 0,
        "no new patients in a band with no patients at day 0"
    );
    assert!(by_band[1][0] > 500);
    assert_eq!(
        &by_band[1][1..],
        &[0, 0],
        "an empty cohort's new patients: first band"
    );
}

// (f) ----------------------------------------------------------------------------------------

#[test]
fn exacerbations_are_requests_plus_urgent_contacts_plus_avoided_admissions() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/policies/admission_avoidance.toml");
    let mut p = scenario::load(&path).unwrap().params;
    p.warmup_days = 365.0;
    p.horizon_days = 3.0 * 365.0;
    let names = Tally::metric_names(&p);
    let at = |n: &str| names.iter().position(|x| x == n).unwrap();
    let results = experiment::run(&p, 2003, 4, 0, &NoProgress).unwrap();
    for r in &results {
        let v = r.tally.metric_values(&p);
        assert!(
            v[at("admissions_avoided")] > 0.0,
            "the test needs avoided admissions"
        );
        assert_eq!(
            v[at("exacerbations")],
            v[at("admission_requests")] + v[at("urgent_contacts")] + v[at("admissions_avoided")],
            "replication {}",
            r.replication
        );
    }
}
