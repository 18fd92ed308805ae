//! `[acute]`, `[primary_care]`, `[community.*]` and `[outpatients]`: the services patients
//! use, their capacities, schedules and unit costs.

use std::collections::BTreeMap;

use super::is_identifier;
use crate::model::{AcuteParams, Payer, PrimaryCareParams, ServiceParams, Setting, WhenFull};
use crate::scenario::checker::Checker;
use crate::scenario::schema::{RawPayer, RawScenario, RawService, RawWhenFull};

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
            acute
                .schedule
                .iter()
                .flatten()
                .map(|c| (c.day, c.beds))
                .collect(),
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

/// `[community.*]`: each service in name order (the order that numbers them).
pub(super) fn community(
    ck: &mut Checker,
    community: &BTreeMap<String, RawService>,
) -> Vec<ServiceParams> {
    let mut services = Vec::new();
    for (sname, s) in community {
        let base = format!("community.{sname}");
        if !is_identifier(sname) {
            ck.fail(
                &base,
                format!("service names must be lowercase letters, digits and `_`, starting with a letter, got {sname:?}"),
            );
        }
        services.push(ServiceParams {
            name: sname.clone(),
            capacity: ck.at_least_one(
                &format!("{base}.capacity"),
                s.capacity,
                "the number of places",
            ),
            los: ck.duration(&format!("{base}.los"), &s.los),
            day_cost: ck.cost(&format!("{base}.day_cost"), s.day_cost),
            schedule: ck.schedule(
                &base,
                s.schedule
                    .iter()
                    .flatten()
                    .map(|c| (c.day, c.capacity))
                    .collect(),
                s.schedule_repeat_days,
            ),
            payer: match s.payer.unwrap_or(RawPayer::Community) {
                RawPayer::Hospital => Payer::Hospital,
                RawPayer::Community => Payer::Community,
                RawPayer::PrimaryCare => Payer::PrimaryCare,
                RawPayer::SocialCare => Payer::SocialCare,
            },
            setting: s.setting.unwrap_or(Setting::Bed),
        });
    }
    services
}

/// `[outpatients]`: the cost of one attendance.
pub(super) fn outpatient_attendance_cost(ck: &mut Checker, raw: &RawScenario) -> f64 {
    ck.cost(
        "outpatients.attendance_cost",
        raw.outpatients.as_ref().and_then(|o| o.attendance_cost),
    )
}
