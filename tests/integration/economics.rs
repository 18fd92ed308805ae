//! Outcomes, discounting, results by year and the costing perspectives (issue 14), checked
//! against closed forms, against the undiscounted totals, against shorter runs, and
//! against each other.

use caresim::experiment::replication_seeds;
use caresim::model::{
    AcutePayment, DelayReimbursement, Params, Payer, Recorder, Sim, Tally, World,
};
use caresim::scenario;

use crate::util::fixture;

fn metric(params: &Params, t: &Tally, name: &str) -> f64 {
    let names = Tally::metric_names(params);
    let i = names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no metric {name}"));
    t.metric_values(params)[i]
}

/// A closed cohort of `n` people at home with utility `u`, a death hazard of `deaths` per
/// year and nothing else, for `years` years without warm-up.
fn cohort(n: u32, u: f64, deaths: f64, years: f64, rate: f64) -> Params {
    let mut p = crate::util::queue_model(
        1.0,
        10,
        caresim::model::Duration::fixed(1.0).unwrap(),
        caresim::model::WhenFull::Queue,
    );
    p.horizon_days = years * 365.0;
    p.warmup_days = 0.0;
    let c = &mut p.conditions[0];
    c.exacerbation_rate_per_day = 0.0;
    c.bands[0].patients = n;
    c.bands[0].death_rate_per_day = deaths / 365.0;
    p.economics.discount_rate = rate;
    p.economics.utility_by_band = vec![u];
    p.economics.utilities_given = true;
    p
}

#[test]
fn discounted_qalys_life_years_and_deaths_match_the_closed_forms() {
    // E[discounted QALYs] = N·u·(1 − e^{−(λ+δ)T})/(λ+δ), δ = ln(1 + r); life-years with
    // u = 1 and δ = 0; deaths N·(1 − e^{−λT}).
    let (n, u, lambda, years, r) = (20_000u32, 0.8, 0.1, 10.0, 0.035);
    let p = cohort(n, u, lambda, years, r);
    let delta = f64::ln(1.0 + r);
    let nf = f64::from(n);
    let closed = |rate: f64| nf * (1.0 - (-(lambda + rate) * years).exp()) / (lambda + rate);
    let expected = [
        ("discounted_qalys", u * closed(delta)),
        ("qalys", u * closed(0.0)),
        ("life_years", closed(0.0)),
        ("discounted_life_years", closed(delta)),
        ("deaths", nf * (1.0 - (-lambda * years).exp())),
    ];
    let reps = 8;
    let mut sim = Sim::new(&p);
    let runs: Vec<Tally> = (0..reps)
        .map(|r| sim.run(&replication_seeds(5, r)))
        .collect();
    for (name, want) in expected {
        let values: Vec<f64> = runs.iter().map(|t| metric(&p, t, name)).collect();
        let mean = values.iter().sum::<f64>() / f64::from(reps);
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / f64::from(reps - 1);
        let se = (var / f64::from(reps)).sqrt();
        assert!(
            (mean - want).abs() <= 4.0 * se + 1e-9 * want,
            "{name}: simulated {mean} ± {se}, closed form {want}"
        );
    }
}

#[test]
fn a_zero_discount_rate_reproduces_the_undiscounted_totals_exactly() {
    let mut s = scenario::load(&fixture("needs_all_options.toml")).unwrap();
    s.params.economics.discount_rate = 0.0;
    s.params.economics.utilities_given = true;
    s.params.economics.utility_by_band.fill(0.7);
    s.params.economics.acute_utility_multiplier = 0.6;
    for service in &mut s.params.services {
        service.unmet.utility_multiplier = 0.9;
    }
    s.params.conditions[0].admission_qaly_loss = 0.01;
    let t = Sim::new(&s.params).run(&replication_seeds(3, 0));
    for (discounted, plain) in [
        ("discounted_qalys", "qalys"),
        ("discounted_life_years", "life_years"),
        ("discounted_total_cost", "total_cost"),
        ("discounted_budget_cost", "budget_cost"),
        ("discounted_payment_cost", "payment_cost"),
        ("discounted_unmet_need_cost", "unmet_need_cost"),
    ] {
        let (d, u) = (
            metric(&s.params, &t, discounted),
            metric(&s.params, &t, plain),
        );
        assert!(u > 0.0, "{plain} is 0");
        assert_eq!(d, u, "{discounted} against {plain}");
    }
    // Utilities below 1 and admission losses: fewer QALYs than life-years.
    assert!(metric(&s.params, &t, "qalys") < 0.7 * metric(&s.params, &t, "life_years"));
}

#[test]
fn discounting_lowers_every_discounted_total_and_by_the_right_amount_for_a_steady_flow() {
    let s = scenario::load(&fixture("valid.toml")).unwrap();
    let mut p = s.params.clone();
    p.economics.discount_rate = 0.035;
    let t = Sim::new(&p).run(&replication_seeds(3, 0));
    let observed_years = p.observed_days() / 365.0;
    // A constant flow over the observed period is worth (1 − (1+r)^−T)/(T ln(1+r)) of itself.
    let factor = (1.0 - 1.035_f64.powf(-observed_years)) / (observed_years * 1.035_f64.ln());
    let ratio = metric(&p, &t, "discounted_total_cost") / metric(&p, &t, "total_cost");
    assert!(
        ratio < 1.0 && (ratio - factor).abs() < 0.01,
        "{ratio} vs {factor}"
    );
}

#[test]
fn a_year_of_a_long_run_is_the_whole_of_a_run_that_stops_at_its_end() {
    let s = scenario::load(&fixture("needs_all_options.toml")).unwrap();
    let mut long = s.params.clone();
    long.horizon_days = long.warmup_days + 3.0 * 365.0 + 100.0;
    let mut short = s.params.clone();
    short.horizon_days = short.warmup_days + 365.0;
    let seeds = replication_seeds(11, 2);
    let a = Sim::new(&long).run(&seeds);
    let b = Sim::new(&short).run(&seeds);
    assert_eq!(a.years.len(), 4, "three whole years and a part");
    assert_eq!(b.years.len(), 1);
    let names = Tally::by_year_names(&long);
    for (j, name) in names.iter().enumerate() {
        assert_eq!(
            a.years[0][j], b.years[0][j],
            "{name}: year 1 of the long run against the short run"
        );
    }
    // Every additive total is the sum of its years, in order; a stock's last year is its
    // level at the end.
    let values = a.metric_values(&long);
    let all = Tally::metric_names(&long);
    for (j, name) in names.iter().enumerate() {
        let i = all.iter().position(|n| n == name).unwrap();
        if caresim::model::catalogue::is_stock(name) {
            assert_eq!(values[i], a.years[3][j], "{name}");
            continue;
        }
        let sum = a.years.iter().fold(0.0, |s, y| s + y[j]);
        assert_eq!(values[i], sum, "{name}");
    }
    // Years are really different slices: admissions happen in each.
    let k = names.iter().position(|n| n == "admissions").unwrap();
    assert!(a.years.iter().all(|y| y[k] > 0.0));
}

#[test]
fn a_cost_only_change_leaves_qalys_equal_and_moves_net_benefit_by_the_cost_exactly() {
    let mut s = scenario::load(&fixture("valid.toml")).unwrap();
    s.params.economics.utilities_given = true;
    s.params.economics.utility_by_band.fill(0.75);
    s.params.economics.acute_utility_multiplier = 0.5;
    let mut costly = s.params.clone();
    for tier in &mut costly.tiers {
        tier.management_cost_per_year += 250.0;
    }
    for rep in 0..3 {
        let seeds = replication_seeds(21, rep);
        let a = Sim::new(&s.params).run(&seeds);
        let b = Sim::new(&costly).run(&seeds);
        let dq =
            metric(&costly, &b, "discounted_qalys") - metric(&s.params, &a, "discounted_qalys");
        let dc = metric(&costly, &b, "discounted_total_cost")
            - metric(&s.params, &a, "discounted_total_cost");
        assert_eq!(dq, 0.0);
        assert!(dc > 0.0);
        let threshold = s.params.economics.threshold;
        assert_eq!(threshold * dq - dc, -dc);
    }
}

/// Checks, after every event, that the quality integral's level is the utility of everyone
/// alive.
struct QualityCheck;

impl Recorder for QualityCheck {
    fn event_handled(&mut self, _now: f64, world: &World<'_>) {
        if let Err(e) = world.check_conservation() {
            panic!("{e}");
        }
    }
}

#[test]
fn the_quality_of_the_living_is_kept_through_every_change_of_state() {
    let mut s = scenario::load(&fixture("needs_all_options.toml")).unwrap();
    s.params.economics.utilities_given = true;
    s.params.economics.utility_by_band.fill(0.8);
    s.params.economics.acute_utility_multiplier = 0.5;
    for (i, service) in s.params.services.iter_mut().enumerate() {
        service.utility_multiplier = 0.9 + 0.01 * i as f64;
        service.unmet.utility_multiplier = 0.7;
    }
    s.params.horizon_days = s.params.horizon_days.min(400.0);
    let mut sim = Sim::new(&s.params);
    sim.run_recorded(&replication_seeds(4, 0), &mut QualityCheck);
}

#[test]
fn payment_mechanisms_with_equal_prices_reconcile_with_the_activity_cost() {
    let s = scenario::load(&fixture("valid.toml")).unwrap();
    let mut p = s.params.clone();
    p.warmup_days = 0.0;
    let price = p.acute.bed_day_cost;
    let seeds = replication_seeds(8, 1);
    let activity = Sim::new(&p).run(&seeds);
    assert_eq!(
        metric(&p, &activity, "acute_payment"),
        metric(&p, &activity, "acute_cost")
    );
    // A tariff of 0 per spell with every day paid at the bed-day price pays each ended
    // stay at its bed-days: the activity cost less the days of stays still open.
    let conditions = p.conditions.len();
    p.payment.acute = AcutePayment::Tariff {
        per_spell: vec![0.0; conditions],
        trim_days: vec![0.0; conditions],
        excess_day_price: price,
    };
    let tariff = Sim::new(&p).run(&seeds);
    let paid = metric(&p, &tariff, "acute_payment");
    let ended = tariff.bed_stay_days_total * price;
    assert!((paid - ended).abs() <= 1e-9 * ended, "{paid} vs {ended}");
    let open: f64 =
        tariff.groups.iter().map(|g| g.acute_bed_days).sum::<f64>() - tariff.bed_stay_days_total;
    let activity_cost = metric(&p, &tariff, "acute_cost");
    assert!(
        (activity_cost - paid - open * price).abs() <= 1e-6 * activity_cost,
        "{activity_cost} = {paid} + open {open} days"
    );
    // The other totals do not depend on the mechanism.
    assert_eq!(
        metric(&p, &tariff, "total_cost"),
        metric(&p, &activity, "total_cost")
    );
    // A block contract and capitation pay by the year and by the person-year.
    p.payment.acute = AcutePayment::Block { per_year: 1.0e6 };
    let block = Sim::new(&p).run(&seeds);
    let years = p.observed_days() / 365.0;
    assert!((metric(&p, &block, "acute_payment") - 1.0e6 * years).abs() < 1e-3);
    p.payment.acute = AcutePayment::Capitation {
        per_person_year: 100.0,
    };
    let capitation = Sim::new(&p).run(&seeds);
    let life_years = metric(&p, &capitation, "life_years");
    assert!(
        (metric(&p, &capitation, "acute_payment") - 100.0 * life_years).abs()
            < 1e-6 * life_years * 100.0
    );
}

#[test]
fn every_delayed_day_for_social_care_is_reimbursed_without_an_assessment_window() {
    let s = scenario::load(&fixture("tight_beds.toml")).unwrap();
    let mut p = s.params.clone();
    for service in &mut p.services {
        service.payer = Payer::SocialCare;
    }
    p.payment.acute = AcutePayment::Activity;
    p.payment.delayed_discharge = Some(DelayReimbursement {
        per_day: 100.0,
        assessment_days: 0.0,
    });
    let seeds = replication_seeds(9, 0);
    let t = Sim::new(&p).run(&seeds);
    assert!(t.delayed_bed_days > 0.0, "the fixture must have delays");
    assert!(
        (t.reimbursed_days - t.delayed_bed_days).abs() <= 1e-6 * t.delayed_bed_days,
        "{} reimbursed of {} delayed",
        t.reimbursed_days,
        t.delayed_bed_days
    );
    let reimbursement = metric(&p, &t, "delayed_discharge_reimbursement");
    // A transfer: the payment perspective's total does not change, its payers do.
    let hospital = metric(&p, &t, "payment_payer_hospital_cost");
    let social = metric(&p, &t, "payment_payer_social_care_cost");
    let activity_social = metric(&p, &t, "payer_social_care_cost");
    assert!((social - activity_social - reimbursement).abs() < 1e-6 * social);
    assert!((metric(&p, &t, "payment_cost") - metric(&p, &t, "total_cost")).abs() < 1e-6 * social);
    assert!(hospital < metric(&p, &t, "payer_hospital_cost"));
    // A window of a week reimburses fewer days.
    p.payment.delayed_discharge = Some(DelayReimbursement {
        per_day: 100.0,
        assessment_days: 7.0,
    });
    let windowed = Sim::new(&p).run(&seeds);
    assert!(windowed.reimbursed_days < t.reimbursed_days);
}
