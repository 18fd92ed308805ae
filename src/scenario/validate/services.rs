//! `[acute]`, `[primary_care]`, `[community.*]` and `[outpatients]`: the services patients
//! use, their capacities, schedules and unit costs.

use std::collections::BTreeMap;

use super::is_identifier;
use crate::engine::DAYS_PER_YEAR;
use crate::model::{
    AcuteParams, NeedConsequences, Onward, Payer, PrimaryCareParams, Residents, ServiceParams,
    ServiceWhenFull, Setting, WhenFull,
};
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS};
use crate::scenario::schema::{
    RawNeedConsequences, RawPayer, RawScenario, RawService, RawServiceWhenFull, RawWhenFull,
};

/// `[acute]`: beds, what happens when they are full, costs and the bed schedule.
pub(super) fn acute(ck: &mut Checker, raw: &RawScenario) -> AcuteParams {
    let acute = raw.acute.clone().unwrap_or_default();
    let beds = ck.at_least_one("acute.beds", acute.beds, "the number of acute beds");
    AcuteParams {
        beds,
        when_full: match acute.when_full.unwrap_or(RawWhenFull::Queue) {
            RawWhenFull::Queue => WhenFull::Queue,
            RawWhenFull::Divert => WhenFull::Divert,
        },
        bed_day_cost: ck.cost("acute.bed_day_cost", acute.bed_day_cost),
        diversion_cost: ck.cost("acute.diversion_cost", acute.diversion_cost),
        schedule: ck.schedule(
            "acute",
            (beds, "beds"),
            &acute
                .schedule
                .iter()
                .flatten()
                .map(|c| (c.day, c.beds, c.add))
                .collect::<Vec<_>>(),
            acute.schedule_repeat_days,
        ),
    }
}

/// `[primary_care]`: unit costs of reviews and urgent contacts.
pub(super) fn primary_care(ck: &mut Checker, raw: &RawScenario) -> PrimaryCareParams {
    let pc = raw.primary_care.clone().unwrap_or_default();
    PrimaryCareParams {
        review_cost: ck.cost("primary_care.review_cost", pc.review_cost),
        urgent_contact_cost: ck.cost("primary_care.urgent_contact_cost", pc.urgent_contact_cost),
    }
}

/// `[community.*]`: each service in name order (the order that numbers them). Services
/// name each other (`onward`, `unmet.escalate_to`) through `index`; long-stay residents'
/// death rates are by the population's `bands`.
pub(super) fn community(
    ck: &mut Checker,
    community: &BTreeMap<String, RawService>,
    index: &BTreeMap<&str, usize>,
    bands: &[String],
) -> Vec<ServiceParams> {
    if community.len() > MAX_SERVICES {
        ck.fail(
            "community",
            format!(
                "at most {MAX_SERVICES} community services, got {}",
                community.len()
            ),
        );
    }
    community
        .iter()
        .map(|(sname, s)| service(ck, sname, s, index, bands))
        .collect()
}

/// Most community services a scenario may define (a patient records a service in a byte).
pub const MAX_SERVICES: usize = 254;

/// One `[community.<sname>]` service.
fn service(
    ck: &mut Checker,
    sname: &str,
    s: &RawService,
    index: &BTreeMap<&str, usize>,
    bands: &[String],
) -> ServiceParams {
    let base = format!("community.{sname}");
    if !is_identifier(sname) {
        ck.fail(
            &base,
            format!("service names must be lowercase letters, digits and `_`, starting with a letter, got {sname:?}"),
        );
    }
    let day_cost = ck.cost(&format!("{base}.day_cost"), s.day_cost);
    let setting = s.setting.unwrap_or(Setting::Bed);
    let capacity = ck.at_least_one(
        &format!("{base}.capacity"),
        s.capacity,
        "the number of places",
    );
    ServiceParams {
        name: sname.to_owned(),
        capacity,
        los: ck.duration(&format!("{base}.los"), &s.los),
        day_cost,
        schedule: ck.schedule(
            &base,
            (capacity, "capacity"),
            &s.schedule
                .iter()
                .flatten()
                .map(|c| (c.day, c.capacity, c.add))
                .collect::<Vec<_>>(),
            s.schedule_repeat_days,
        ),
        payer: match s.payer.unwrap_or(RawPayer::Community) {
            RawPayer::Hospital => Payer::Hospital,
            RawPayer::Community => Payer::Community,
            RawPayer::PrimaryCare => Payer::PrimaryCare,
            RawPayer::SocialCare => Payer::SocialCare,
        },
        setting,
        when_full: match s.when_full.unwrap_or(RawServiceWhenFull::KeepBed) {
            RawServiceWhenFull::KeepBed => ServiceWhenFull::KeepBed,
            RawServiceWhenFull::WaitAtHome => ServiceWhenFull::WaitAtHome,
        },
        unmet: unmet(ck, &base, s.unmet.as_ref(), day_cost, index),
        utility_multiplier: ck
            .utility_multiplier(&format!("{base}.utility_multiplier"), s.utility_multiplier),
        onward: s.onward.as_ref().map(|o| {
            let field = format!("{base}.onward");
            let service = ck.service(&format!("{field}.service"), &o.service, index);
            if o.service.as_deref() == Some(sname) {
                ck.fail(
                    &format!("{field}.service"),
                    "must name another service: an episode cannot lead to itself",
                );
            }
            let probability = ck
                .required(
                    &format!("{field}.probability"),
                    &o.probability,
                    "a probability in [0, 1]",
                )
                .unwrap_or(0.0);
            Onward {
                service,
                probability: ck.number(
                    &format!("{field}.probability"),
                    probability,
                    "a probability in [0, 1]",
                    |x| (0.0..=1.0).contains(&x),
                ),
            }
        }),
        residents: residents(ck, &base, s, setting, bands),
    }
}

/// `[community.<name>.unmet]`: consequences of unmet or waited-for need (defaults: no
/// effect on rates, cost the service's own day cost, no escalation).
fn unmet(
    ck: &mut Checker,
    base: &str,
    raw: Option<&RawNeedConsequences>,
    day_cost: f64,
    index: &BTreeMap<&str, usize>,
) -> NeedConsequences {
    let Some(u) = raw else {
        return NeedConsequences {
            cost_per_day: day_cost,
            ..NeedConsequences::NONE
        };
    };
    let field = |k: &str| format!("{base}.unmet.{k}");
    let escalation_probability = ck.number(
        &field("escalation_probability"),
        u.escalation_probability.unwrap_or(0.0),
        "a probability in [0, 1]",
        |x| (0.0..=1.0).contains(&x),
    );
    let escalate_to = match (&u.escalate_to, escalation_probability > 0.0) {
        (None, false) => None,
        (None, true) => {
            ck.fail(
                &field("escalate_to"),
                "missing: escalation_probability needs the higher level of care, a service name, e.g. escalate_to = \"care_home\"",
            );
            None
        }
        (name, _) => Some(ck.service(&field("escalate_to"), name, index)),
    };
    NeedConsequences {
        exacerbation_multiplier: ck.non_negative(
            &field("exacerbation_multiplier"),
            u.exacerbation_multiplier,
            1.0,
        ),
        death_multiplier: ck.non_negative(&field("death_multiplier"), u.death_multiplier, 1.0),
        cost_per_day: ck.cost(&field("cost_per_day"), u.cost_per_day.or(Some(day_cost))),
        escalation_probability,
        escalate_to,
        utility_multiplier: ck
            .utility_multiplier(&field("utility_multiplier"), u.utility_multiplier),
    }
}

/// The residents of a long-stay service; the `resident_*` and `hold_days` keys are refused
/// for other settings.
fn residents(
    ck: &mut Checker,
    base: &str,
    s: &RawService,
    setting: Setting,
    bands: &[String],
) -> Option<Residents> {
    if setting != Setting::LongStay {
        let given = [
            (
                "resident_deaths_per_year",
                s.resident_deaths_per_year.is_some(),
            ),
            (
                "resident_deaths_per_year_by_age",
                s.resident_deaths_per_year_by_age.is_some(),
            ),
            (
                "resident_exacerbation_multiplier",
                s.resident_exacerbation_multiplier.is_some(),
            ),
            ("hold_days", s.hold_days.is_some()),
            ("residents_at_start", s.residents_at_start.is_some()),
        ];
        for (key, _) in given.iter().filter(|(_, g)| *g) {
            ck.fail(
                &format!("{base}.{key}"),
                "applies only to setting = \"long_stay\" (a care home's residents)",
            );
        }
        return None;
    }
    let all = ck.number(
        &format!("{base}.resident_deaths_per_year"),
        s.resident_deaths_per_year.unwrap_or(0.0),
        "at least 0 and at most 1000 (per resident-year)",
        |x| (0.0..=1000.0).contains(&x),
    );
    let by_age = ck.by_age(
        &format!("{base}.resident_deaths_per_year_by_age"),
        &s.resident_deaths_per_year_by_age,
        bands,
        all,
    );
    let death_rate_per_day = bands
        .iter()
        .zip(by_age)
        .map(|(band, rate)| {
            ck.number(
                &format!("{base}.resident_deaths_per_year_by_age.{band}"),
                rate,
                "at least 0 and at most 1000 (per resident-year)",
                |x| (0.0..=1000.0).contains(&x),
            ) / DAYS_PER_YEAR
        })
        .collect();
    Some(Residents {
        death_rate_per_day,
        exacerbation_multiplier: ck.non_negative(
            &format!("{base}.resident_exacerbation_multiplier"),
            s.resident_exacerbation_multiplier,
            1.0,
        ),
        hold_days: ck.number(
            &format!("{base}.hold_days"),
            s.hold_days.unwrap_or(14.0),
            "at least 0 and at most 36500 (days)",
            |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
        ),
        at_start: {
            let n = s.residents_at_start.unwrap_or(0);
            let capacity = s.capacity.unwrap_or(u32::MAX);
            if n > capacity {
                ck.fail(
                    &format!("{base}.residents_at_start"),
                    format!("must be at most capacity ({capacity}), got {n}"),
                );
            }
            n
        },
    })
}

/// `[outpatients]`: the cost of one attendance.
pub(super) fn outpatient_attendance_cost(ck: &mut Checker, raw: &RawScenario) -> f64 {
    ck.cost(
        "outpatients.attendance_cost",
        raw.outpatients.as_ref().and_then(|o| o.attendance_cost),
    )
}
