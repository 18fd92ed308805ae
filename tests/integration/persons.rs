//! Persons with sets of conditions, one death each, onset among the living, ageing between
//! bands and entrants (issue 15 items 1 and 3).

use caresim::experiment::replication_seeds;
use caresim::model::persons::pair_joint;
use caresim::model::{EntrantParams, Params, PatientId, Recorder, Sim, Tally, World};

use crate::util::{caresim, fixture, stderr};

fn load(name: &str) -> Params {
    caresim::scenario::load(&fixture(name)).unwrap().params
}

fn metric(params: &Params, t: &Tally, name: &str) -> f64 {
    let names = Tally::metric_names(params);
    let i = names.iter().position(|n| n == name).unwrap();
    t.metric_values(params)[i]
}

/// Every living person's (set, band) at the end of the last run (the slots of the dead are
/// reused, so the table may hold fewer slots than persons created).
fn people(world: &World<'_>) -> Vec<(u16, usize)> {
    (0..world.patients.len())
        .filter(|&i| world.patients.hot[i].state != caresim::model::CareState::Dead)
        .map(|i| {
            let (set, band, _) = world.person(PatientId(i as u32));
            (set, band)
        })
        .collect()
}

struct Invariants;

impl Recorder for Invariants {
    fn event_handled(&mut self, now: f64, world: &World<'_>) {
        if let Err(e) = world.check_conservation() {
            panic!("at {now}: {e}");
        }
    }
}

#[test]
fn the_joint_prevalence_is_drawn_at_day_0() {
    let mut p = load("persons.toml");
    // Many people, no time: the cohort as drawn.
    p.population.age_bands = vec!["65_74".into(), "75_84".into()];
    p.horizon_days = 1e-9;
    let persons = p.persons.clone().unwrap();
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(1, 0));
    assert_eq!(t.patients_at_end, persons.persons());
    // Persons by band and set, exactly as the table apportions them.
    let mut counts = std::collections::BTreeMap::new();
    for (set, band) in people(sim.world()) {
        *counts.entry((band, set)).or_insert(0u32) += 1;
    }
    for (b, sets) in persons.start.iter().enumerate() {
        for &(set, n) in sets {
            assert_eq!(counts.get(&(b, set)), Some(&n), "band {b} set {set:b}");
        }
    }
    // Each condition's cohort and each pair's odds ratio, from the fitted table.
    let people_in = [6000.0, 4000.0];
    for (b, &n) in people_in.iter().enumerate() {
        let has = |c: usize| {
            counts
                .iter()
                .filter(|((band, set), _)| *band == b && set & (1 << c) != 0)
                .map(|(_, &k)| f64::from(k))
                .sum::<f64>()
        };
        let both = |c: usize, d: usize| {
            counts
                .iter()
                .filter(|((band, set), _)| *band == b && set & (1 << c) != 0 && set & (1 << d) != 0)
                .map(|(_, &k)| f64::from(k))
                .sum::<f64>()
        };
        for (c, cond) in p.conditions.iter().enumerate() {
            let target = f64::from(cond.bands[b].patients);
            assert!(
                (has(c) - target).abs() <= 8.0,
                "{} band {b}: {} vs {target}",
                cond.name,
                has(c)
            );
        }
        // copd (0) + heart_failure (2): odds ratio 3; copd + diabetes: the default 2.
        for (c, d, or) in [(0, 2, 3.0), (0, 1, 2.0)] {
            let (pc, pd) = (has(c) / n, has(d) / n);
            let expected = pair_joint(pc, pd, or) * n;
            assert!(
                (both(c, d) - expected).abs() <= 8.0,
                "{c}+{d}: {} vs {expected}",
                both(c, d)
            );
        }
    }
}

#[test]
fn each_person_dies_once() {
    let mut p = load("persons.toml");
    p.horizon_days = 20.0 * 365.0;
    let persons = p.persons.as_mut().unwrap();
    persons.background_death_rate_per_day = vec![0.3 / 365.0; 2];
    let start = persons.persons() as f64;
    let t = Sim::new(&p).run(&replication_seeds(2, 0));
    let deaths = metric(&p, &t, "deaths");
    assert!(
        deaths <= start && deaths > 0.95 * start,
        "{deaths} of {start}"
    );
    assert_eq!(deaths + metric(&p, &t, "persons"), start);
    assert_eq!(
        deaths,
        metric(&p, &t, "deaths_1_condition")
            + metric(&p, &t, "deaths_2_conditions")
            + metric(&p, &t, "deaths_3_plus_conditions")
    );
    assert_eq!(
        metric(&p, &t, "admissions"),
        metric(&p, &t, "admissions_1_condition")
            + metric(&p, &t, "admissions_2_conditions")
            + metric(&p, &t, "admissions_3_plus_conditions")
    );
    // Admissions by condition (the lead's group) add up to the total.
    let by_group: u64 = t.groups.iter().map(|g| g.admissions).sum();
    assert_eq!(by_group, t.admissions);
    assert!(metric(&p, &t, "condition_onsets") > 0.0);
}

#[test]
fn every_event_keeps_the_books_with_onset_ageing_and_entrants() {
    let mut p = load("persons.toml");
    p.horizon_days = 3.0 * 365.0;
    p.population.ageing = Some(caresim::model::AgeingParams {
        start_age: vec![65.0, 75.0],
    });
    p.persons.as_mut().unwrap().entrants = Some(EntrantParams {
        per_day: vec![vec![0.5, 1.0], vec![0.1]],
    });
    p.economics.utility_by_band = vec![0.8, 0.7];
    p.economics.utilities_given = true;
    let mut sim = Sim::new(&p);
    let t = sim.run_recorded(&replication_seeds(3, 0), &mut Invariants);
    assert!(t.entrants > 0 && t.band_moves > 0 && t.condition_onsets > 0);
    assert!(metric(&p, &t, "persons_multimorbid") > 0.0);
}

/// With independent conditions, no frailty, no deaths and stays too short to matter, a
/// person's conditions exacerbate as separate records would: admissions by condition match
/// the one-record-per-condition model in distribution.
#[test]
fn independent_conditions_admit_as_separate_records() {
    let mut with = load("persons.toml");
    with.horizon_days = 2.0 * 365.0;
    for c in &mut with.conditions {
        c.los = caresim::model::Duration::fixed(0.001).unwrap();
        for b in &mut c.bands {
            b.death_rate_per_day = 0.0;
        }
    }
    let persons = with.persons.as_mut().unwrap();
    persons.background_death_rate_per_day = vec![0.0; 2];
    persons.onset_rate_per_day = vec![vec![0.0; 2]; 3];
    persons.extra_condition_los_multiplier = 1.0;
    let mut without = with.clone();
    without.persons = None;
    // Independent in the persons model: refit with odds ratio 1.
    let joint: Vec<Vec<f64>> = (0..2)
        .map(|b| {
            let n = [6000.0, 4000.0][b];
            let p: Vec<f64> = with
                .conditions
                .iter()
                .map(|c| f64::from(c.bands[b].patients) / n)
                .collect();
            caresim::model::persons::fit_joint(&p, &vec![vec![1.0; 3]; 3]).unwrap()
        })
        .collect();
    let persons = with.persons.as_mut().unwrap();
    persons.start = joint
        .iter()
        .zip([6000u32, 4000])
        .map(|(j, n)| {
            caresim::model::apportion(n, j.iter().copied())
                .into_iter()
                .enumerate()
                .skip(1)
                .filter(|(_, k)| *k > 0)
                .map(|(s, k)| (s as u16, k))
                .collect()
        })
        .collect();
    persons.joint = joint;
    let reps = 12;
    let by_condition = |p: &Params| -> Vec<Vec<f64>> {
        let mut sim = Sim::new(p);
        (0..reps)
            .map(|r| {
                let t = sim.run(&replication_seeds(40, r));
                (0..3)
                    .map(|c| (0..2).map(|b| t.groups[c * 2 + b].admissions as f64).sum())
                    .collect()
            })
            .collect()
    };
    let (a, b) = (by_condition(&with), by_condition(&without));
    assert!(a.iter().flatten().any(|&x| x > 0.0));
    for c in 0..3 {
        let stats = |v: &[Vec<f64>]| {
            let xs: Vec<f64> = v.iter().map(|r| r[c]).collect();
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
            (m, var / xs.len() as f64)
        };
        let ((ma, va), (mb, vb)) = (stats(&a), stats(&b));
        let se = (va + vb).sqrt();
        assert!(
            (ma - mb).abs() < 4.0 * se,
            "condition {c}: {ma} vs {mb} ± {se}"
        );
        // Poisson-like spread in both: the variances agree within a factor of 3.
        assert!(
            va < 3.0 * vb && vb < 3.0 * va,
            "condition {c}: {va} vs {vb}"
        );
    }
}

/// Without deaths or inflow, a cohort spread over ages 65–74 is entirely in the 75–84 band
/// ten years later, and none has reached 85.
#[test]
fn a_cohort_ages_into_the_next_band() {
    let scenario = |years: f64| {
        let body = format!(
            "[scenario]\nname = \"ageing\"\n[simulation]\nhorizon_days = {h}\nwarmup_days = 0.0\n\
             [population]\nage_bands = {{ a_65 = 5000, b_75 = 0, c_85 = 0 }}\n\
             band_start_ages = {{ a_65 = 65, b_75 = 75, c_85 = 85 }}\n\
             [acute]\nbeds = 10\n[multimorbidity]\nodds_ratio = 2.0\n\
             [conditions.copd]\nprevalence = 0.3\nexacerbations_per_year = 0.0\nadmit = 0.0\n\
             los = {{ dist = \"fixed\", days = 1.0 }}\n\
             [conditions.diabetes]\nprevalence = 0.4\nexacerbations_per_year = 0.0\nadmit = 0.0\n\
             los = {{ dist = \"fixed\", days = 1.0 }}\n",
            h = years * 365.0
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ageing.toml");
        std::fs::write(&file, body).unwrap();
        caresim::scenario::load(&file).unwrap().params
    };
    let p = scenario(10.0);
    let n = p.persons.as_ref().unwrap().persons();
    assert!(n > 2000);
    let mut sim = Sim::new(&p);
    let t = sim.run(&replication_seeds(5, 0));
    let bands: Vec<usize> = people(sim.world()).iter().map(|&(_, b)| b).collect();
    assert_eq!(bands.len() as u64, n);
    assert!(
        bands.iter().all(|&b| b == 1),
        "{} not in 75-84",
        bands.iter().filter(|&&b| b != 1).count()
    );
    assert_eq!(t.band_moves, n);
    assert_eq!(metric(&p, &t, "band_moves"), n as f64);
    // Half-way, about half have moved.
    let p = scenario(5.0);
    let mut sim = Sim::new(&p);
    sim.run(&replication_seeds(5, 0));
    let moved = people(sim.world()).iter().filter(|&&(_, b)| b == 1).count() as f64;
    let se = (n as f64 * 0.25).sqrt();
    assert!((moved - n as f64 / 2.0).abs() < 4.0 * se, "{moved} of {n}");
}

/// One condition everyone has, a constant death hazard per band, ageing and entrants at 65:
/// the band populations follow the life-table (cohort-component) projection.
#[test]
fn band_populations_follow_a_life_table_projection() {
    let years = 6.0;
    let hazards = [0.02, 0.06, 0.15];
    let starts = [65.0, 75.0, 85.0];
    let people = [20_000.0, 12_000.0, 4_000.0];
    let entrants = 2_000.0;
    let body = format!(
        "[scenario]\nname = \"life_table\"\n[simulation]\nhorizon_days = {h}\nwarmup_days = 0.0\n\
         [population]\nage_bands = {{ a_65 = {p0}, b_75 = {p1}, c_85 = {p2} }}\n\
         band_start_ages = {{ a_65 = 65, b_75 = 75, c_85 = 85 }}\n\
         entrants_per_year = {{ a_65 = [{entrants}] }}\n\
         [acute]\nbeds = 10\n[multimorbidity]\n\
         background_deaths_per_year_by_age = {{ a_65 = {h0}, b_75 = {h1}, c_85 = {h2} }}\n\
         [conditions.any]\nprevalence = 1.0\nexacerbations_per_year = 0.0\nadmit = 0.0\n\
         los = {{ dist = \"fixed\", days = 1.0 }}\n",
        h = years * 365.0,
        p0 = people[0],
        p1 = people[1],
        p2 = people[2],
        h0 = hazards[0],
        h1 = hazards[1],
        h2 = hazards[2],
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("life.toml");
    std::fs::write(&file, body).unwrap();
    let p = caresim::scenario::load(&file).unwrap().params;
    // The projection: survivors of each starting age (uniform within the band) and of each
    // year's entrants, by age at the end, on a fine grid.
    let hazard = |age: f64| hazards[starts.iter().rposition(|&s| age >= s).unwrap_or(0)];
    let survive = |from: f64, to: f64| {
        let steps = 400;
        let h = (to - from) / f64::from(steps);
        (0..steps)
            .map(|i| hazard(from + (f64::from(i) + 0.5) * h) * h)
            .sum::<f64>()
    };
    let band_of = |age: f64| starts.iter().rposition(|&s| age >= s).unwrap();
    let mut expected = [0.0; 3];
    let grid = 2_000;
    for b in 0..3 {
        let width = 10.0;
        for i in 0..grid {
            let age = starts[b] + (f64::from(i) + 0.5) / f64::from(grid) * width;
            let n = people[b] / f64::from(grid);
            expected[band_of(age + years)] += n * (-survive(age, age + years)).exp();
        }
    }
    for i in 0..grid {
        let t = (f64::from(i) + 0.5) / f64::from(grid) * years;
        let age = 65.0 + (years - t);
        expected[band_of(age)] += entrants * years / f64::from(grid) * (-survive(65.0, age)).exp();
    }
    // The top band's ages start uniform over 85–95 in this projection and the model's
    // open band has no upper age: neither ages out, so they agree.
    let reps = 4;
    let mut sim = Sim::new(&p);
    let mut got = [0.0; 3];
    for r in 0..reps {
        sim.run(&replication_seeds(6, r));
        for (_, b) in people_of(sim.world()) {
            got[b] += 1.0 / f64::from(reps);
        }
    }
    eprintln!("life table: {got:?} vs {expected:?}");
    for b in 0..3 {
        let se = (expected[b] / f64::from(reps)).sqrt();
        assert!(
            (got[b] - expected[b]).abs() < 4.0 * se + 1.0,
            "band {b}: {} vs the projection's {}",
            got[b],
            expected[b]
        );
    }
}

fn people_of(world: &World<'_>) -> Vec<(u16, usize)> {
    people(world)
}

/// With everyone dying at the same rate and entrants drawn from the same joint prevalence,
/// the shares of persons by number of conditions stay where they started.
#[test]
fn the_joint_prevalence_stays_stable_under_balanced_inflow() {
    let mut p = load("persons.toml");
    p.horizon_days = 8.0 * 365.0;
    let h = 0.05 / 365.0;
    for c in &mut p.conditions {
        c.exacerbation_rate_per_day = 0.0;
        for b in &mut c.bands {
            b.death_rate_per_day = h;
        }
    }
    let persons = p.persons.as_mut().unwrap();
    persons.background_death_rate_per_day = vec![h; 2];
    persons.onset_rate_per_day = vec![vec![0.0; 2]; 3];
    // Entrants of each band: deaths of all its people (those without a condition too).
    persons.entrants = Some(EntrantParams {
        per_day: vec![vec![6000.0 * h], vec![4000.0 * h]],
    });
    let start = |p: &Params| {
        let s = &p.persons.as_ref().unwrap().start;
        let mut by = [0.0; 3];
        for &(set, n) in s.iter().flatten() {
            by[(set.count_ones() as usize).clamp(1, 3) - 1] += f64::from(n);
        }
        by
    };
    let before = start(&p);
    let total: f64 = before.iter().sum();
    let mut sim = Sim::new(&p);
    let reps = 3;
    let mut after = [0.0; 3];
    for r in 0..reps {
        let t = sim.run(&replication_seeds(7, r));
        after[0] += metric(&p, &t, "persons_1_condition") / f64::from(reps);
        after[1] += metric(&p, &t, "persons_2_conditions") / f64::from(reps);
        after[2] += metric(&p, &t, "persons_3_plus_conditions") / f64::from(reps);
    }
    let after_total: f64 = after.iter().sum();
    eprintln!("stable: {before:?} -> {after:?}");
    assert!((after_total - total).abs() < 4.0 * (total / f64::from(reps)).sqrt());
    for k in 0..3 {
        let (a, b) = (after[k] / after_total, before[k] / total);
        let se = (b * (1.0 - b) / total).sqrt() * 2.0;
        assert!((a - b).abs() < 4.0 * se + 1e-3, "{k}: {a} vs {b}");
    }
}

#[test]
fn bad_multimorbidity_keys_are_reported_at_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"s\"\n[simulation]\nhorizon_days = 100.0\n\
         [population]\nage_bands = { a = 100, b = 50 }\nband_start_ages = { a = 70, b = 65 }\n\
         entrants_per_year = { a = [-1.0], c = [1.0] }\n\
         [acute]\nbeds = 10\n[multimorbidity]\nodds_ratio = 0.0\n\
         odds_ratios = { \"copd+copd\" = 2.0, \"copd+gout\" = 2.0 }\n\
         extra_condition_los_multiplier = 20.0\n\
         [conditions.copd]\nprevalence = 0.1\nexacerbations_per_year = 1.0\nadmit = 0.5\n\
         los = { dist = \"fixed\", days = 5.0 }\nonset_per_year_by_age = { a = -0.1 }\n",
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    for key in [
        "population.band_start_ages",
        "population.entrants_per_year.a[0]",
        "population.entrants_per_year.c",
        "multimorbidity.odds_ratio",
        "multimorbidity.odds_ratios.copd+copd",
        "multimorbidity.odds_ratios.copd+gout",
        "multimorbidity.extra_condition_los_multiplier",
        "conditions.copd.onset_per_year_by_age.a",
    ] {
        assert!(
            e.contains(&format!(": {key}: ")),
            "{key} not reported:\n{e}"
        );
    }
    assert!(e.contains("s.toml:"), "{e}");
}

#[test]
fn onset_and_entrants_need_multimorbidity() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"s\"\n[simulation]\nhorizon_days = 100.0\n\
         [population]\nage_bands = { a = 100 }\nentrants_per_year = { a = [1.0] }\n\
         [acute]\nbeds = 10\n\
         [conditions.copd]\nprevalence = 0.1\nexacerbations_per_year = 1.0\nadmit = 0.5\n\
         los = { dist = \"fixed\", days = 5.0 }\nonset_per_year_by_age = { a = 0.1 }\n",
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("population.entrants_per_year: entrants need [multimorbidity]"),
        "{e}"
    );
    assert!(
        e.contains(
            "conditions.copd.onset_per_year_by_age: onset among the living needs [multimorbidity]"
        ),
        "{e}"
    );
}

/// Enrolment with an uptake curve moves persons between tiers during the run: every event
/// keeps the counts by tier and cell.
#[test]
fn every_event_keeps_the_books_with_enrolment_uptake() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("persons.toml")).unwrap()
        + "[policy.telehealth]\nshare = 0.5\nexacerbation_multiplier = 0.5\n\
           cost_per_patient_year = 100.0\n\
           uptake = { form = \"logistic\", midpoint_day = 200, scale_days = 60 }\n";
    std::fs::write(dir.path().join("p.toml"), text).unwrap();
    let p = caresim::scenario::load(&dir.path().join("p.toml"))
        .unwrap()
        .params;
    let mut sim = Sim::new(&p);
    let t = sim.run_recorded(&replication_seeds(9, 0), &mut Invariants);
    assert!(t.tier_days.iter().filter(|&&d| d > 0.0).count() >= 2);
}

#[test]
fn persons_results_are_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("out{threads}");
        let o = caresim(
            dir.path(),
            &[
                "run",
                fixture("persons.toml").to_str().unwrap(),
                "--reps",
                "4",
                "--threads",
                threads,
                "--no-charts",
                "--out",
                &out,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        outputs.push(std::fs::read(dir.path().join(&out).join("runs.csv")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

/// A first stroke in someone who already has other conditions is an acute first event
/// too: with a share of 1, every onset of it is an admission request for it.
#[test]
fn an_onset_with_an_acute_first_event_is_an_admission_request() {
    let mut p = load("persons.toml");
    p.horizon_days = 3.0 * 365.0;
    for c in &mut p.conditions {
        c.exacerbation_rate_per_day = 0.0;
    }
    p.conditions[2].first_event_admission_share = 1.0;
    let persons = p.persons.as_mut().unwrap();
    // Only heart failure (condition 2) has onsets.
    persons.onset_rate_per_day = vec![vec![0.0; 2], vec![0.0; 2], vec![0.02 / 365.0 * 50.0; 2]];
    let mut sim = Sim::new(&p);
    let t = sim.run_recorded(&replication_seeds(12, 0), &mut Invariants);
    assert!(t.condition_onsets > 100, "{}", t.condition_onsets);
    assert_eq!(t.first_event_requests, t.condition_onsets);
    assert_eq!(t.admission_requests, t.condition_onsets);
    // Admitted as heart failure: its groups hold every admission.
    let hf: u64 = t.groups[4..6].iter().map(|g| g.admissions).sum();
    assert_eq!(hf, t.admissions);
}
