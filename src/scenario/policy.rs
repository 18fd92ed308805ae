//! Checks of the `[policy.*]` tables, building the levers of [`crate::model::policy`].

use std::collections::BTreeMap;

use super::checker::{Checker, MAX_HORIZON_DAYS, MAX_MULTIPLIER};
use super::schema::{RawEarlyWhenFull, RawProgramme, RawScenario};
use crate::model::policy::{
    AdmissionAvoidance, EarlyDischarge, IntegratedFunding, Policies, Programme, SpecialistOutreach,
};
use crate::model::{EarlyWhenFull, Shortening};

/// `known` as a readable list, with the closest match to `name` suggested.
fn unknown(what: &str, name: &str, known: &[&str]) -> String {
    let hint = super::suggest::hint(name, known.iter().copied());
    format!(
        "no {what} named `{name}`; defined: {}{hint}",
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    )
}

impl Checker<'_> {
    /// A list of condition names → one flag per condition (all when `list` is absent and
    /// `default_all`).
    fn targeted(
        &mut self,
        field: &str,
        list: &Option<Vec<String>>,
        conditions: &[&str],
        default_all: bool,
    ) -> Vec<bool> {
        match list {
            None => {
                if !default_all {
                    self.fail(field, "missing: the targeted conditions, e.g. [\"stroke\"]");
                }
                vec![default_all; conditions.len()]
            }
            Some(names) => {
                if names.is_empty() {
                    self.fail(field, "must name at least one condition");
                }
                let mut out = vec![false; conditions.len()];
                for n in names {
                    match conditions.iter().position(|c| c == n) {
                        Some(i) => out[i] = true,
                        None => self.fail(field, unknown("condition", n, conditions)),
                    }
                }
                out
            }
        }
    }

    /// A community service named at `field`.
    fn service(
        &mut self,
        field: &str,
        name: &Option<String>,
        services: &BTreeMap<&str, usize>,
    ) -> usize {
        let Some(name) = self.required(field, name, "the name of a [community.<name>] service")
        else {
            return 0;
        };
        services.get(name.as_str()).copied().unwrap_or_else(|| {
            let known: Vec<&str> = services.keys().copied().collect();
            self.fail(field, unknown("community service", &name, &known));
            0
        })
    }

    fn share(&mut self, field: &str, v: Option<f64>, what: &str) -> f64 {
        let v = self.required(field, &v, what).unwrap_or(0.0);
        self.number(field, v, "a share in [0, 1]", |x| (0.0..=1.0).contains(&x))
    }

    fn factor(&mut self, field: &str, v: Option<f64>) -> f64 {
        self.number(field, v.unwrap_or(1.0), "a factor in (0, 1]", |x| {
            x > 0.0 && x <= 1.0
        })
    }

    fn programme(&mut self, name: &str, raw: &RawProgramme, conditions: &[&str]) -> Programme {
        let base = format!("policy.{name}");
        Programme {
            name: name.to_string(),
            targeted: self.targeted(
                &format!("{base}.conditions"),
                &raw.conditions,
                conditions,
                true,
            ),
            share: self.share(
                &format!("{base}.share"),
                raw.share,
                "the share of each targeted cohort enrolled",
            ),
            exacerbation_multiplier: self.non_negative(
                &format!("{base}.exacerbation_multiplier"),
                raw.exacerbation_multiplier,
                1.0,
            ),
            admit_multiplier: self.non_negative(
                &format!("{base}.admit_multiplier"),
                raw.admit_multiplier,
                1.0,
            ),
            cost_per_patient_year: self.cost(
                &format!("{base}.cost_per_patient_year"),
                raw.cost_per_patient_year,
            ),
        }
    }
}

/// Check every `[policy.*]` table of `raw`.
pub(super) fn check(
    ck: &mut Checker,
    raw: &RawScenario,
    conditions: &[&str],
    services: &BTreeMap<&str, usize>,
    beds: u32,
) -> Policies {
    let Some(policy) = &raw.policy else {
        return Policies::default();
    };
    let mut out = Policies::default();

    if let Some(e) = &policy.early_discharge {
        let base = "policy.early_discharge";
        let shortening = match (e.days_shorter, e.los_factor) {
            (Some(d), None) => Shortening::Days(ck.number(
                &format!("{base}.days_shorter"),
                d,
                "at least 0 and at most 36500 (days)",
                |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
            )),
            (None, Some(f)) => {
                Shortening::Factor(ck.factor(&format!("{base}.los_factor"), Some(f)))
            }
            (None, None) => {
                ck.fail(
                    &format!("{base}.days_shorter"),
                    "missing: how much shorter the stay is, as days_shorter or los_factor",
                );
                Shortening::Factor(1.0)
            }
            (Some(_), Some(_)) => {
                ck.fail(base, "give either days_shorter or los_factor, not both");
                Shortening::Factor(1.0)
            }
        };
        out.early_discharge = Some(EarlyDischarge {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &e.conditions,
                conditions,
                false,
            ),
            eligible: ck.share(
                &format!("{base}.eligible"),
                e.eligible,
                "the share of targeted admissions eligible",
            ),
            shortening,
            service: ck.service(&format!("{base}.service"), &e.service, services),
            when_full: match e.when_full.unwrap_or(RawEarlyWhenFull::Wait) {
                RawEarlyWhenFull::Wait => EarlyWhenFull::Wait,
                RawEarlyWhenFull::DischargeUnsupported => EarlyWhenFull::DischargeUnsupported,
            },
            unsupported_multiplier: ck.number(
                &format!("{base}.unsupported_post_discharge_multiplier"),
                e.unsupported_post_discharge_multiplier.unwrap_or(1.2),
                "at least 1 and at most 1000",
                |x| (1.0..=MAX_MULTIPLIER).contains(&x),
            ),
        });
    }

    if let Some(f) = &policy.integrated_funding {
        let base = "policy.integrated_funding";
        let beds_converted = f.beds_converted.unwrap_or(0);
        if beds_converted >= beds {
            ck.fail(
                &format!("{base}.beds_converted"),
                format!("must be less than acute.beds ({beds}), got {beds_converted}"),
            );
        }
        let service = match (&f.service, beds_converted) {
            (None, 0) => None,
            (name, _) => Some(ck.service(&format!("{base}.service"), name, services)),
        };
        out.integrated_funding = Some(IntegratedFunding {
            beds_converted,
            service,
            los_factor: ck.factor(&format!("{base}.los_factor"), f.los_factor),
            max_delay_days: f.max_delay_days.map(|d| {
                ck.number(
                    &format!("{base}.max_delay_days"),
                    d,
                    "at least 0 and at most 36500 (days)",
                    |x| (0.0..=MAX_HORIZON_DAYS).contains(&x),
                )
            }),
            pool_budgets: f.pool_budgets.unwrap_or(true),
        });
    }

    for (name, raw) in [
        ("care_management", &policy.care_management),
        ("self_management", &policy.self_management),
        ("telehealth", &policy.telehealth),
    ] {
        if let Some(raw) = raw {
            let p = ck.programme(name, raw, conditions);
            out.programmes.push(p);
        }
    }

    if let Some(a) = &policy.admission_avoidance {
        let base = "policy.admission_avoidance";
        out.admission_avoidance = Some(AdmissionAvoidance {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &a.conditions,
                conditions,
                true,
            ),
            share: ck.share(
                &format!("{base}.share"),
                a.share,
                "the share of admission requests offered step-up care",
            ),
            service: ck.service(&format!("{base}.service"), &a.service, services),
        });
    }

    if let Some(o) = &policy.specialist_outreach {
        let base = "policy.specialist_outreach";
        let factor = ck
            .required(
                &format!("{base}.referral_factor"),
                &o.referral_factor,
                "the multiplier on outpatient referrals, e.g. 0.2",
            )
            .unwrap_or(1.0);
        out.specialist_outreach = Some(SpecialistOutreach {
            targeted: ck.targeted(
                &format!("{base}.conditions"),
                &o.conditions,
                conditions,
                true,
            ),
            referral_factor: ck.number(
                &format!("{base}.referral_factor"),
                factor,
                "a factor in [0, 1]",
                |x| (0.0..=1.0).contains(&x),
            ),
            admit_multiplier: ck.non_negative(
                &format!("{base}.admit_multiplier"),
                o.admit_multiplier,
                1.0,
            ),
            sessions_per_year: ck.number(
                &format!("{base}.sessions_per_year"),
                o.sessions_per_year.unwrap_or(0.0),
                "at least 0 and at most 1,000,000",
                |x| (0.0..=1e6).contains(&x),
            ),
            cost_per_session: ck.cost(&format!("{base}.cost_per_session"), o.cost_per_session),
        });
    }
    out
}
