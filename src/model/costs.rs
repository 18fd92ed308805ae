//! The three costing perspectives of one replication, from the same counts:
//!
//! - **activity**: what the care used costs at unit prices (occupied bed-days and
//!   place-days, contacts, attendances, programmes) — `total_cost`;
//! - **capacity (budget)**: what a budget-holder pays for the beds and places provided,
//!   used or not, plus contacts, attendances and programmes — `budget_cost`;
//! - **payment**: what the payers actually pay when the commissioner pays the acute
//!   hospital by its payment mechanism (activity, tariff per spell, block contract or
//!   capitation) and social care reimburses the NHS for delayed discharges — `payment_cost`.
//!
//! Each is split by payer. The same formulas price the undiscounted and the discounted
//! quantities ([`CostBasis`]).

use super::economics::AcutePayment;
use super::params::{Params, Payer};
use super::tally::Tally;
use crate::engine::DAYS_PER_YEAR;

/// The quantities a replication's costs are made of, undiscounted or discounted.
#[derive(Clone, Copy, Debug)]
pub struct CostBasis<'a> {
    /// Occupied acute bed-days.
    pub acute_bed_days: f64,
    /// Acute bed-days provided.
    pub acute_capacity_days: f64,
    /// Occupied place-days per service.
    pub community_days: &'a [f64],
    /// Place-days provided per service.
    pub community_capacity_days: &'a [f64],
    /// Patient-days alive per tier.
    pub tier_days: &'a [f64],
    /// Patient-days enrolled in targeted care management.
    pub enrolled_days: f64,
    /// Patient-days of unmet need per service.
    pub unmet_days: &'a [f64],
    /// Patient-days waited at home per service.
    pub home_waiting_days: &'a [f64],
    /// Routine reviews.
    pub reviews: f64,
    /// Urgent contacts.
    pub urgent_contacts: f64,
    /// Out-of-area admissions.
    pub diversions: f64,
    /// Outpatient attendances.
    pub outpatient_attendances: f64,
    /// Days observed.
    pub observed_days: f64,
    /// Tariff payments per spell, £.
    pub spell_payment: f64,
    /// Reimbursed delayed days.
    pub reimbursed_days: f64,
}

impl<'a> CostBasis<'a> {
    /// The tally's own (undiscounted) quantities.
    pub fn undiscounted(t: &'a Tally) -> Self {
        CostBasis {
            acute_bed_days: t.acute_bed_days,
            acute_capacity_days: t.acute_capacity_days,
            community_days: &t.community_days,
            community_capacity_days: &t.community_capacity_days,
            tier_days: &t.tier_days,
            enrolled_days: t.levers.care_management.enrolled_days,
            unmet_days: &t.needs.unmet_days,
            home_waiting_days: &t.needs.home_waiting_days,
            reviews: t.reviews as f64,
            urgent_contacts: t.urgent_contacts as f64,
            diversions: t.diversions as f64,
            outpatient_attendances: t.outpatient_attendances as f64,
            observed_days: t.observed_days,
            spell_payment: t.spell_payment,
            reimbursed_days: t.reimbursed_days,
        }
    }

    /// The same quantities discounted to the end of the warm-up.
    pub fn discounted(t: &'a Tally) -> Self {
        let d = &t.discounted;
        CostBasis {
            acute_bed_days: d.acute_bed_days,
            acute_capacity_days: d.acute_capacity_days,
            community_days: &d.community_days,
            community_capacity_days: &d.community_capacity_days,
            tier_days: &d.tier_days,
            enrolled_days: d.enrolled_days,
            unmet_days: &d.unmet_days,
            home_waiting_days: &d.home_waiting_days,
            reviews: d.reviews,
            urgent_contacts: d.urgent_contacts,
            diversions: d.diversions,
            outpatient_attendances: d.outpatient_attendances,
            observed_days: d.observed_days,
            spell_payment: d.spell_payment,
            reimbursed_days: d.reimbursed_days,
        }
    }
}

/// The costs of one replication in every perspective, £.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Costs {
    /// Occupied acute bed-days at the bed-day price.
    pub acute: f64,
    /// Occupied place-days at each service's day price.
    pub community: f64,
    /// Reviews and urgent contacts.
    pub primary_care: f64,
    /// Out-of-area admissions.
    pub diversion: f64,
    /// Outpatient attendances.
    pub outpatient: f64,
    /// Risk-tier management and targeted care management.
    pub management: f64,
    /// Specialist outreach (a cost per year).
    pub outreach: f64,
    /// The activity perspective's total.
    pub total: f64,
    /// Beds and places provided, used or not.
    pub capacity: f64,
    /// The capacity perspective's total: capacity plus contacts, attendances, diversions
    /// and programmes.
    pub budget: f64,
    /// Unmet and waited-for need, outside every total.
    pub unmet_need: f64,
    /// What the commissioner pays the acute hospital under its payment mechanism.
    pub acute_payment: f64,
    /// Delayed-discharge reimbursement from social care to the NHS.
    pub reimbursement: f64,
    /// The payment perspective's total (the reimbursement is a transfer between payers
    /// and cancels out).
    pub payment: f64,
    /// The activity perspective by payer, in [`Payer::ALL`] order.
    pub activity_by_payer: [f64; 5],
    /// The capacity perspective by payer.
    pub budget_by_payer: [f64; 5],
    /// The payment perspective by payer (the hospital row is what its commissioner pays it,
    /// less the reimbursement received; the social-care row includes the reimbursement).
    pub payment_by_payer: [f64; 5],
}

impl Costs {
    /// Price `b` with `params`' unit costs and payment mechanism.
    pub fn of(b: &CostBasis<'_>, params: &Params) -> Costs {
        let years = |days: f64| days / DAYS_PER_YEAR;
        let acute = b.acute_bed_days * params.acute.bed_day_cost;
        let per_service = |days: &[f64]| -> Vec<f64> {
            params
                .services
                .iter()
                .zip(days)
                .map(|(s, d)| s.day_cost * d)
                .collect()
        };
        let community_by_service = per_service(b.community_days);
        let capacity_by_service = per_service(b.community_capacity_days);
        let community: f64 = community_by_service.iter().sum();
        let primary_care = b.reviews * params.primary_care.review_cost
            + b.urgent_contacts * params.primary_care.urgent_contact_cost;
        let diversion = b.diversions * params.acute.diversion_cost;
        let outpatient = b.outpatient_attendances * params.outpatient_attendance_cost;
        let mut management: f64 = params
            .tiers
            .iter()
            .zip(b.tier_days)
            .map(|(t, d)| t.management_cost_per_year * years(*d))
            .sum();
        // Targeted care management: per enrolled patient-day.
        if let Some(rule) = &params.levers.care_management {
            management += rule.cost_per_patient_year * years(b.enrolled_days);
        }
        let outreach = params.levers.outreach_cost_per_year * years(b.observed_days);
        let total =
            acute + community + primary_care + diversion + outpatient + management + outreach;
        let acute_capacity = b.acute_capacity_days * params.acute.bed_day_cost;
        let capacity = acute_capacity + capacity_by_service.iter().sum::<f64>();
        let programmes = primary_care + diversion + outpatient + management + outreach;
        let budget = capacity + programmes;
        // Unmet and waited-for need, priced per service (outside every total).
        let unmet_need = params
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.unmet.cost_per_day
                    * (b.unmet_days.get(i).copied().unwrap_or(0.0)
                        + b.home_waiting_days.get(i).copied().unwrap_or(0.0))
            })
            .sum();
        let acute_payment = match &params.payment.acute {
            AcutePayment::Activity => acute,
            AcutePayment::Tariff { .. } => b.spell_payment,
            AcutePayment::Block { per_year } => per_year * years(b.observed_days),
            AcutePayment::Capitation { per_person_year } => {
                per_person_year * years(b.tier_days.iter().sum())
            }
        };
        let reimbursement = params
            .payment
            .delayed_discharge
            .as_ref()
            .map_or(0.0, |r| r.per_day * b.reimbursed_days);
        let payment = total - acute + acute_payment;

        // By payer. The hospital bears acute care, diversions, outpatients and outreach;
        // primary care its contacts and programmes; each service its payer.
        let split = |hospital: f64, services: &[f64], transfer: f64| -> [f64; 5] {
            let mut out = [0.0; 5];
            for (slot, payer) in out.iter_mut().zip(Payer::ALL) {
                *slot = if params.levers.pooled_budget {
                    if payer == Payer::Pooled {
                        hospital + primary_care + management + services.iter().sum::<f64>()
                    } else {
                        0.0
                    }
                } else {
                    let own = match payer {
                        Payer::Hospital => hospital - transfer,
                        Payer::PrimaryCare => primary_care + management,
                        Payer::SocialCare => transfer,
                        _ => 0.0,
                    };
                    own + params
                        .services
                        .iter()
                        .zip(services)
                        .filter(|(s, _)| s.payer == payer)
                        .map(|(_, c)| c)
                        .sum::<f64>()
                };
            }
            out
        };
        let hospital_extras = diversion + outpatient + outreach;
        Costs {
            acute,
            community,
            primary_care,
            diversion,
            outpatient,
            management,
            outreach,
            total,
            capacity,
            budget,
            unmet_need,
            acute_payment,
            reimbursement,
            payment,
            activity_by_payer: split(acute + hospital_extras, &community_by_service, 0.0),
            budget_by_payer: split(acute_capacity + hospital_extras, &capacity_by_service, 0.0),
            payment_by_payer: split(
                acute_payment + hospital_extras,
                &community_by_service,
                reimbursement,
            ),
        }
    }
}
