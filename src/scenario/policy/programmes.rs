//! `[policy.care_management]`, `[policy.self_management]`, `[policy.telehealth]`: their
//! table and checks, each building a [`Programme`].
//!
//! Enrolment is either a `share` of each targeted cohort at the start, or (care
//! management only) by recent use during the run:
//!
//! ```toml
//! [policy.care_management]
//! target = { admissions = 2, within_days = 395 }  # qualify at the request making ≥ 2 in 395 days
//! caseload = 60            # places; a qualifying patient is enrolled only if one is free
//! enrolment_days = 365     # then the place frees (default: enrolled until death)
//! admit_multiplier = 1.0   # effects while enrolled
//! cost_per_patient_year = 650.0   # charged per enrolled patient-day
//! ```

use serde::Deserialize;

use super::{Context, PolicyTable};
use crate::model::Policies;
use crate::model::levers::{Programme, Programmes, Target};
use crate::model::patients::HISTORY_LEN;
use crate::scenario::checker::{Checker, MAX_HORIZON_DAYS};

/// `[policy.care_management]`, `[policy.self_management]`, `[policy.telehealth]`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawProgramme {
    /// Evidence for the settings: see [`super::evidence::RawEvidenceTable`].
    pub evidence: super::evidence::RawEvidenceTable,
    /// Targeted conditions (default: all).
    pub conditions: Option<Vec<String>>,
    /// Share of each targeted cohort enrolled, [0, 1] (required, unless `target` is given).
    pub share: Option<f64>,
    /// Enrol by recent use during the run instead (`care_management` only).
    pub target: Option<RawTarget>,
    /// Places on the caseload (required with `target`), at least 1.
    pub caseload: Option<u32>,
    /// Days a patient stays enrolled (with `target`; default: until death), > 0.
    pub enrolment_days: Option<f64>,
    /// Multiplier on the exacerbation rate of the enrolled (default 1), ≥ 0.
    pub exacerbation_multiplier: Option<f64>,
    /// Multiplier on their admission probability (default 1), ≥ 0.
    pub admit_multiplier: Option<f64>,
    /// £ per enrolled patient-year (default 0), ≥ 0.
    pub cost_per_patient_year: Option<f64>,
    /// When the share's enrolees enrol (see [`super::RawUptake`]); default: all at the
    /// start. Not with `target`.
    pub uptake: Option<super::RawUptake>,
}

/// `target = { admissions = 2, within_days = 395 }`: who qualifies for targeted enrolment.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// A count of emergency admission requests within the window, the qualifying one
    /// included (required), 1 to 8.
    #[schemars(extend("x-required" = true))]
    pub admissions: Option<u32>,
    /// The window, days (required), at least 1.
    #[schemars(extend("x-required" = true))]
    pub within_days: Option<f64>,
}

impl RawProgramme {
    /// The targeting settings, checked (`None` without `target`, after reporting any
    /// setting that needs it); `share` must then be absent.
    fn target(&self, name: &str, ck: &mut Checker) -> Option<Target> {
        let base = format!("policy.{name}");
        let Some(raw) = &self.target else {
            for (key, set) in [
                ("caseload", self.caseload.is_some()),
                ("enrolment_days", self.enrolment_days.is_some()),
            ] {
                if set {
                    ck.fail(
                        &format!("{base}.{key}"),
                        "only with `target` (enrolment by recent use)",
                    );
                }
            }
            return None;
        };
        let field = format!("{base}.target");
        if name != "care_management" {
            ck.fail(
                &field,
                "only [policy.care_management] can enrol by recent use; give `share`",
            );
        }
        if self.share.is_some() {
            ck.fail(
                &format!("{base}.share"),
                "give either `share` (random enrolment at the start) or `target` \
                 (enrolment by recent use), not both",
            );
        }
        let admissions = ck
            .required(
                &format!("{field}.admissions"),
                &raw.admissions,
                "the emergency admissions that qualify, e.g. 2",
            )
            .unwrap_or(1);
        if !(1..=HISTORY_LEN as u32).contains(&admissions) {
            ck.fail(
                &format!("{field}.admissions"),
                format!("must be from 1 to {HISTORY_LEN}, got {admissions}"),
            );
        }
        let within = ck.required(
            &format!("{field}.within_days"),
            &raw.within_days,
            "the window the admissions count in, days, e.g. 395",
        );
        let within_days = days(ck, &format!("{field}.within_days"), within.unwrap_or(1.0));
        let caseload = ck.at_least_one(
            &format!("{base}.caseload"),
            self.caseload,
            "the places on the caseload, e.g. 60",
        );
        let enrolment_days = self
            .enrolment_days
            .map(|d| days(ck, &format!("{base}.enrolment_days"), d));
        Some(Target {
            admissions,
            within_days,
            caseload,
            enrolment_days,
        })
    }
}

/// A number of days, at least 1 and at most the longest horizon.
fn days(ck: &mut Checker, field: &str, d: f64) -> f64 {
    let d = ck.number(field, d, "at least 1 (days)", |x| x >= 1.0);
    ck.at_most(field, d, MAX_HORIZON_DAYS, " days (100 years)")
}

impl PolicyTable for RawProgramme {
    /// Adds the programme after those of the tables checked before it.
    fn check(&self, name: &str, ck: &mut Checker, cx: &Context, out: &mut Policies) {
        let base = format!("policy.{name}");
        let target = self.target(name, ck);
        let share = if target.is_some() {
            0.0
        } else {
            ck.share(
                &format!("{base}.share"),
                self.share,
                "the share of each targeted cohort enrolled",
            )
        };
        let programme = Programme {
            uptake: ck.uptake(&format!("{base}.uptake"), &self.uptake, cx.warmup_days),
            target,
            share,
            name: name.to_string(),
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &self.conditions,
                cx.conditions,
                true,
            ),
            exacerbation_multiplier: ck.non_negative(
                &format!("{base}.exacerbation_multiplier"),
                self.exacerbation_multiplier,
                1.0,
            ),
            admit_multiplier: ck.non_negative(
                &format!("{base}.admit_multiplier"),
                self.admit_multiplier,
                1.0,
            ),
            cost_per_patient_year: ck.cost(
                &format!("{base}.cost_per_patient_year"),
                self.cost_per_patient_year,
            ),
        };
        out.programmes
            .get_or_insert_with(Programmes::default)
            .0
            .push(programme);
    }
}
