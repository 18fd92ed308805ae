//! Acute first events (issue 15 item 2): a share of new patients arrives as an admission
//! request rather than at home, drawn per patient; the exacerbation identity still holds.

use caresim::experiment::replication_seeds;
use caresim::model::{Duration, Params, Sim, Tally, WhenFull};

use crate::util::{caresim, stderr};

fn metric(params: &Params, t: &Tally, name: &str) -> f64 {
    let names = Tally::metric_names(params);
    let i = names.iter().position(|n| n == name).unwrap();
    t.metric_values(params)[i]
}

/// No exacerbations at home, ample beds, `per_day` new patients a day of whom `share`
/// arrive as admission requests.
fn incidence(share: f64, per_day: f64) -> Params {
    let mut p =
        crate::util::queue_model(1.0, 10_000, Duration::fixed(2.0).unwrap(), WhenFull::Queue);
    p.horizon_days = 3_000.0;
    p.warmup_days = 100.0;
    let c = &mut p.conditions[0];
    c.bands[0].patients = 1_000;
    c.exacerbation_rate_per_day = 0.0;
    c.new_patients_per_day = per_day;
    c.first_event_admission_share = share;
    p
}

#[test]
fn every_first_event_is_an_admission_request_with_a_share_of_one() {
    let p = incidence(1.0, 2.0);
    let t = Sim::new(&p).run(&replication_seeds(3, 0));
    assert!(t.new_patients > 5_000);
    assert_eq!(t.first_event_requests, t.new_patients);
    assert_eq!(t.admission_requests, t.new_patients);
    // An acute first event is the patient's first exacerbation.
    assert_eq!(
        metric(&p, &t, "exacerbations"),
        metric(&p, &t, "admission_requests")
            + metric(&p, &t, "urgent_contacts")
            + metric(&p, &t, "admissions_avoided")
    );
}

#[test]
fn a_share_of_new_patients_arrives_as_admission_requests() {
    let share = 0.3;
    let p = incidence(share, 2.0);
    let t = Sim::new(&p).run(&replication_seeds(4, 0));
    let n = t.new_patients as f64;
    let got = t.first_event_requests as f64 / n;
    let se = (share * (1.0 - share) / n).sqrt();
    assert!((got - share).abs() < 4.0 * se, "{got} vs {share} ± {se}");
    assert_eq!(t.admission_requests, t.first_event_requests);
    // None without the share, and nothing else moves but the new patients' own streams.
    let none = Sim::new(&incidence(0.0, 2.0)).run(&replication_seeds(4, 0));
    assert_eq!(none.first_event_requests, 0);
    assert_eq!(none.admission_requests, 0);
    assert_eq!(none.new_patients, t.new_patients);
}

#[test]
fn a_share_outside_zero_to_one_is_reported_at_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"s\"\n[simulation]\nhorizon_days = 100.0\n[acute]\nbeds = 10\n\
         [conditions.stroke]\npatients = 10\nexacerbations_per_year = 0.1\nadmit = 0.5\n\
         los = { dist = \"fixed\", days = 5.0 }\nnew_patients_per_year = 10.0\n\
         first_event_admission_share = 1.5\n",
    )
    .unwrap();
    let o = caresim(dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("conditions.stroke.first_event_admission_share")
            && e.contains("a share of new patients in [0, 1]")
            && e.contains("s.toml:13:"),
        "{e}"
    );
}
