//! The metric catalogue: what every metric of [`Tally::for_each_metric`](super::Tally::for_each_metric)
//! means, its unit and number format, whether it can be negative, and which summaries and
//! charts show it. The CLI headline, `--reps auto`, `compare`, the report and the charts
//! read their metrics and labels from here, so a metric name that does not exist fails a
//! test (`every_listed_metric_exists`) instead of drawing an empty bar.

/// How a metric's numbers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// Whole numbers with thousands separators (`246,506`).
    Count,
    /// Two decimals (`0.27`), for means of small quantities.
    Small,
    /// Money, in the scenario's currency (`£87,869,204`).
    Money,
    /// A share of replications, as a percentage.
    Share,
}

impl Format {
    /// The format's name in `caresim metrics --json` (`count`, `small`, `money`, `share`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Count => "count",
            Format::Small => "small",
            Format::Money => "money",
            Format::Share => "share",
        }
    }
}

/// One metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// Name in result files (`acute_bed_days`).
    pub name: &'static str,
    /// Human label for tables and the report (`delayed-discharge bed-days`).
    pub label: &'static str,
    /// Short label for chart rows and legends (`delayed bed-days`).
    pub short: &'static str,
    /// Unit of one value (`bed-days`, `£`, `days per admission`).
    pub unit: &'static str,
    /// How its numbers are written.
    pub format: Format,
    /// Whether a value can be below zero (none of the current metrics can; differences of
    /// them can).
    pub can_be_negative: bool,
}

/// A metric with its meaning, for a fixed name.
const fn m(
    name: &'static str,
    label: &'static str,
    short: &'static str,
    unit: &'static str,
    format: Format,
) -> Metric {
    Metric {
        name,
        label,
        short,
        unit,
        format,
        can_be_negative: false,
    }
}

use Format::{Count, Money, Share, Small};

/// Every metric with a fixed name, in [`Tally::for_each_metric`](super::Tally::for_each_metric)
/// order. Per-service metrics follow the patterns of [`lookup`].
pub const METRICS: &[Metric] = &[
    m(
        "admissions",
        "emergency admissions",
        "admissions",
        "admissions",
        Count,
    ),
    m(
        "admission_requests",
        "admission requests",
        "admission requests",
        "requests",
        Count,
    ),
    m(
        "admissions_per_1000",
        "admissions per 1,000 population per year",
        "admissions per 1,000",
        "admissions per 1,000 people per year",
        Small,
    ),
    m(
        "diversions",
        "out-of-area admissions",
        "diversions",
        "admissions",
        Count,
    ),
    m(
        "acute_bed_days",
        "acute bed-days",
        "acute bed-days",
        "bed-days",
        Count,
    ),
    m(
        "bed_days_per_1000",
        "bed-days per 1,000 population per year",
        "bed-days per 1,000",
        "bed-days per 1,000 people per year",
        Count,
    ),
    m(
        "delayed_bed_days",
        "delayed-discharge bed-days",
        "delayed bed-days",
        "bed-days",
        Count,
    ),
    m(
        "delayed_discharges",
        "delayed discharges",
        "delayed discharges",
        "discharges",
        Count,
    ),
    m(
        "acute_and_post_acute_bed_days",
        "bed-days in acute and bed-based post-acute care",
        "acute + post-acute bed-days",
        "bed-days",
        Count,
    ),
    m(
        "home_waiting_days",
        "days waited at home for a community service",
        "days waiting at home",
        "patient-days",
        Count,
    ),
    m(
        "unmet_need_days",
        "days at home with a need for care unmet",
        "unmet-need days",
        "patient-days",
        Count,
    ),
    m(
        "unmet_need_episodes",
        "episodes of unmet need",
        "unmet-need episodes",
        "episodes",
        Count,
    ),
    m(
        "mean_wait_days",
        "mean wait for a bed (days)",
        "mean wait",
        "days per admission",
        Small,
    ),
    m(
        "p95_wait_days",
        "95th percentile wait for a bed (days)",
        "95th percentile wait",
        "days",
        Small,
    ),
    m(
        "unstable",
        "replications with no steady state",
        "no steady state",
        "share of replications",
        Share,
    ),
    m(
        "unstable_acute",
        "replications with acute beds in no steady state",
        "acute beds: no steady state",
        "share of replications",
        Share,
    ),
    m(
        "mean_stay_days",
        "mean medically necessary stay (days)",
        "mean stay",
        "days",
        Small,
    ),
    m(
        "mean_los_days",
        "mean length of stay (days)",
        "mean length of stay",
        "days",
        Small,
    ),
    m(
        "readmissions_30d",
        "30-day readmissions",
        "30-day readmissions",
        "readmissions",
        Count,
    ),
    m(
        "admissions_avoided",
        "admissions avoided",
        "admissions avoided",
        "requests",
        Count,
    ),
    m(
        "early_supported_discharges",
        "early supported discharges",
        "early supported discharges",
        "discharges",
        Count,
    ),
    m(
        "unsupported_discharges",
        "early discharges without support",
        "unsupported discharges",
        "discharges",
        Count,
    ),
    m(
        "coordinated_discharges",
        "delayed discharges moved to interim care at the delay limit",
        "coordinated discharges",
        "discharges",
        Count,
    ),
    m(
        "interim_full_at_limit",
        "delayed discharges at the delay limit with interim care full",
        "interim care full at limit",
        "discharges",
        Count,
    ),
    m(
        "capacity_moves_to_community",
        "reviews moving beds' money into community places (pooled budget)",
        "moves to community",
        "reviews",
        Count,
    ),
    m(
        "capacity_moves_to_acute",
        "reviews moving community places' money back into beds (pooled budget)",
        "moves to acute",
        "reviews",
        Count,
    ),
    m(
        "enrolled_patients",
        "patients enrolled in targeted care management",
        "enrolled (targeted)",
        "patients",
        Count,
    ),
    m(
        "enrolment_no_place",
        "qualifying patients not enrolled: caseload full",
        "no caseload place",
        "patients",
        Count,
    ),
    m(
        "enrolled_days",
        "patient-days enrolled in targeted care management",
        "enrolled patient-days",
        "patient-days",
        Count,
    ),
    m(
        "enrolled_followed_up",
        "enrolments followed up a year before and after",
        "enrolments followed up",
        "enrolments",
        Count,
    ),
    m(
        "enrolled_admissions_before_365d",
        "admission requests of followed-up enrolments in the year up to enrolment",
        "admissions, year before enrolment",
        "requests",
        Count,
    ),
    m(
        "enrolled_admissions_after_365d",
        "admission requests of followed-up enrolments in the year after enrolment",
        "admissions, year after enrolment",
        "requests",
        Count,
    ),
    m(
        "deaths_home",
        "deaths at home",
        "deaths at home",
        "deaths",
        Count,
    ),
    m(
        "deaths_hospital",
        "deaths in hospital",
        "deaths in hospital",
        "deaths",
        Count,
    ),
    m(
        "deaths_in_care",
        "deaths in a care home (long-stay residents)",
        "deaths in care homes",
        "deaths",
        Count,
    ),
    m(
        "new_patients",
        "new patients",
        "new patients",
        "patients",
        Count,
    ),
    m(
        "first_event_requests",
        "new patients whose first event was an admission request",
        "first-event requests",
        "requests",
        Count,
    ),
    m(
        "patients_at_end",
        "patients alive at the end",
        "patients at end",
        "patients",
        Count,
    ),
    m(
        "persons",
        "persons alive at the end (each person once, whatever their conditions)",
        "persons",
        "persons",
        Count,
    ),
    m(
        "persons_multimorbid",
        "persons alive at the end with two or more conditions",
        "persons with 2+ conditions",
        "persons",
        Count,
    ),
    m(
        "persons_1_condition",
        "persons alive at the end with one condition",
        "persons, 1 condition",
        "persons",
        Count,
    ),
    m(
        "admissions_1_condition",
        "emergency admissions of persons with one condition",
        "admissions, 1 condition",
        "admissions",
        Count,
    ),
    m(
        "deaths_1_condition",
        "deaths of persons with one condition",
        "deaths, 1 condition",
        "deaths",
        Count,
    ),
    m(
        "persons_2_conditions",
        "persons alive at the end with two conditions",
        "persons, 2 conditions",
        "persons",
        Count,
    ),
    m(
        "admissions_2_conditions",
        "emergency admissions of persons with two conditions",
        "admissions, 2 conditions",
        "admissions",
        Count,
    ),
    m(
        "deaths_2_conditions",
        "deaths of persons with two conditions",
        "deaths, 2 conditions",
        "deaths",
        Count,
    ),
    m(
        "persons_3_plus_conditions",
        "persons alive at the end with three or more conditions",
        "persons, 3+ conditions",
        "persons",
        Count,
    ),
    m(
        "admissions_3_plus_conditions",
        "emergency admissions of persons with three or more conditions",
        "admissions, 3+ conditions",
        "admissions",
        Count,
    ),
    m(
        "deaths_3_plus_conditions",
        "deaths of persons with three or more conditions",
        "deaths, 3+ conditions",
        "deaths",
        Count,
    ),
    m(
        "condition_onsets",
        "conditions acquired by living persons (onset)",
        "condition onsets",
        "onsets",
        Count,
    ),
    m(
        "entrants",
        "persons entering the population (projection)",
        "entrants",
        "persons",
        Count,
    ),
    m(
        "band_moves",
        "moves of living persons to the next age band (ageing)",
        "age-band moves",
        "moves",
        Count,
    ),
    m(
        "community_days",
        "community place-days",
        "community place-days",
        "place-days",
        Count,
    ),
    m(
        "primary_care_contacts",
        "primary-care contacts",
        "primary-care contacts",
        "contacts",
        Count,
    ),
    m("reviews", "routine reviews", "reviews", "reviews", Count),
    m(
        "urgent_contacts",
        "urgent primary-care contacts",
        "urgent contacts",
        "contacts",
        Count,
    ),
    m(
        "exacerbations",
        "exacerbations",
        "exacerbations",
        "exacerbations",
        Count,
    ),
    m(
        "outpatient_referrals",
        "outpatient referrals",
        "outpatient referrals",
        "referrals",
        Count,
    ),
    m(
        "outpatient_attendances",
        "outpatient attendances",
        "outpatient attendances",
        "attendances",
        Count,
    ),
    m(
        "mean_acute_occupancy",
        "mean acute beds occupied",
        "mean occupancy",
        "beds",
        Small,
    ),
    m(
        "peak_acute_occupancy",
        "most acute beds occupied at once",
        "peak occupancy",
        "beds",
        Count,
    ),
    m(
        "days_over_85pct_occupancy",
        "days over 85% occupancy",
        "days over 85%",
        "days",
        Small,
    ),
    m(
        "days_at_full_occupancy",
        "days at full occupancy",
        "days full",
        "days",
        Small,
    ),
    m("acute_cost", "acute cost", "acute beds", "£", Money),
    m(
        "community_cost",
        "community cost",
        "community services",
        "£",
        Money,
    ),
    m(
        "primary_care_cost",
        "primary-care cost",
        "primary care",
        "£",
        Money,
    ),
    m(
        "diversion_cost",
        "out-of-area cost",
        "out-of-area",
        "£",
        Money,
    ),
    m(
        "outpatient_cost",
        "outpatient cost",
        "outpatients",
        "£",
        Money,
    ),
    m(
        "management_cost",
        "care-management cost",
        "care management",
        "£",
        Money,
    ),
    m(
        "outreach_cost",
        "specialist-outreach cost",
        "specialist outreach",
        "£",
        Money,
    ),
    m("total_cost", "total cost", "total cost", "£", Money),
    m(
        "capacity_cost",
        "cost of the capacity provided",
        "capacity cost",
        "£",
        Money,
    ),
    m(
        "unmet_need_cost",
        "cost of unmet and waited-for need (informal or emergency care; not in total cost)",
        "unmet-need cost",
        "£",
        Money,
    ),
    m(
        "payer_hospital_cost",
        "cost to the hospital",
        "hospital",
        "£",
        Money,
    ),
    m(
        "payer_community_cost",
        "cost to community services",
        "community",
        "£",
        Money,
    ),
    m(
        "payer_primary_care_cost",
        "cost to primary care",
        "primary care",
        "£",
        Money,
    ),
    m(
        "payer_social_care_cost",
        "cost to social care",
        "social care",
        "£",
        Money,
    ),
    m(
        "payer_pooled_cost",
        "cost to the pooled budget",
        "pooled budget",
        "£",
        Money,
    ),
    m(
        "deaths",
        "deaths (at home, in hospital and in care homes)",
        "deaths",
        "deaths",
        Count,
    ),
    m(
        "life_years",
        "life-years lived",
        "life-years",
        "life-years",
        Small,
    ),
    m(
        "qalys",
        "quality-adjusted life-years (QALYs)",
        "QALYs",
        "QALYs",
        Small,
    ),
    m(
        "discounted_life_years",
        "life-years lived, discounted",
        "discounted life-years",
        "life-years",
        Small,
    ),
    m(
        "discounted_qalys",
        "QALYs, discounted",
        "discounted QALYs",
        "QALYs",
        Small,
    ),
    m(
        "discounted_total_cost",
        "total cost (activity), discounted",
        "discounted total cost",
        "£",
        Money,
    ),
    m(
        "budget_cost",
        "cost of capacity provided, contacts and programmes (budget perspective)",
        "budget cost",
        "£",
        Money,
    ),
    m(
        "discounted_budget_cost",
        "budget-perspective cost, discounted",
        "discounted budget cost",
        "£",
        Money,
    ),
    m(
        "acute_payment",
        "paid to the acute hospital under its payment mechanism",
        "acute payment",
        "£",
        Money,
    ),
    m(
        "delayed_discharge_reimbursement",
        "delayed-discharge reimbursement, social care to NHS",
        "reimbursement",
        "£",
        Money,
    ),
    Metric {
        can_be_negative: true,
        ..m(
            "acute_provider_margin",
            "acute hospital's payment and reimbursement less its activity cost",
            "provider margin",
            "£",
            Money,
        )
    },
    m(
        "payment_cost",
        "cost paid by the payers (payment perspective)",
        "payment cost",
        "£",
        Money,
    ),
    m(
        "discounted_payment_cost",
        "payment-perspective cost, discounted",
        "discounted payment cost",
        "£",
        Money,
    ),
    m(
        "discounted_unmet_need_cost",
        "cost of unmet and waited-for need, discounted",
        "discounted unmet-need cost",
        "£",
        Money,
    ),
    Metric {
        can_be_negative: true,
        ..m(
            "net_monetary_benefit",
            "net monetary benefit (threshold × discounted QALYs − discounted total cost)",
            "net monetary benefit",
            "£",
            Money,
        )
    },
    m(
        "budget_payer_hospital_cost",
        "cost to the acute hospital (budget perspective)",
        "the acute hospital (budget)",
        "£",
        Money,
    ),
    m(
        "budget_payer_community_cost",
        "cost to community health services (budget perspective)",
        "community health services (budget)",
        "£",
        Money,
    ),
    m(
        "budget_payer_primary_care_cost",
        "cost to primary care (budget perspective)",
        "primary care (budget)",
        "£",
        Money,
    ),
    m(
        "budget_payer_social_care_cost",
        "cost to social care (budget perspective)",
        "social care (budget)",
        "£",
        Money,
    ),
    m(
        "budget_payer_pooled_cost",
        "cost to the pooled budget (budget perspective)",
        "the pooled budget (budget)",
        "£",
        Money,
    ),
    Metric {
        can_be_negative: true,
        ..m(
            "payment_payer_hospital_cost",
            "cost to the acute hospital (payment perspective)",
            "the acute hospital (payment)",
            "£",
            Money,
        )
    },
    m(
        "payment_payer_community_cost",
        "cost to community health services (payment perspective)",
        "community health services (payment)",
        "£",
        Money,
    ),
    m(
        "payment_payer_primary_care_cost",
        "cost to primary care (payment perspective)",
        "primary care (payment)",
        "£",
        Money,
    ),
    m(
        "payment_payer_social_care_cost",
        "cost to social care (payment perspective)",
        "social care (payment)",
        "£",
        Money,
    ),
    m(
        "payment_payer_pooled_cost",
        "cost to the pooled budget (payment perspective)",
        "the pooled budget (payment)",
        "£",
        Money,
    ),
];

/// Metrics per community service: (name prefix, label and short label before the service
/// name, unit, format).
const PER_SERVICE: [(&str, &str, &str, Format); 6] = [
    ("community_days_", "place-days in", "place-days", Count),
    ("community_cost_", "cost of", "£", Money),
    (
        "unstable_",
        "replications with no steady state in",
        "share of replications",
        Share,
    ),
    (
        "unmet_need_days_",
        "days with a need unmet for",
        "patient-days",
        Count,
    ),
    (
        "unmet_need_episodes_",
        "episodes of unmet need for",
        "episodes",
        Count,
    ),
    (
        "home_waiting_days_",
        "days waited at home for",
        "patient-days",
        Count,
    ),
];

/// The name prefixes of the per-service metrics (`community_days_`, ...): each followed by a
/// community service's name is a metric (see [`lookup`]).
pub fn service_prefixes() -> impl Iterator<Item = &'static str> {
    PER_SERVICE.iter().map(|(prefix, ..)| *prefix)
}

/// A metric's catalogue entry, with its label for per-service metrics
/// (`community_days_<service>`, `community_cost_<service>`, `unstable_<service>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricInfo {
    /// Name in result files.
    pub name: String,
    /// Human label.
    pub label: String,
    /// Unit of one value.
    pub unit: &'static str,
    /// How its numbers are written.
    pub format: Format,
    /// Whether a value can be below zero.
    pub can_be_negative: bool,
}

/// The catalogue entry of `name`, if it is a metric.
pub fn lookup(name: &str) -> Option<MetricInfo> {
    if let Some(m) = get(name) {
        return Some(MetricInfo {
            name: m.name.to_string(),
            label: m.label.to_string(),
            unit: m.unit,
            format: m.format,
            can_be_negative: m.can_be_negative,
        });
    }
    PER_SERVICE
        .iter()
        .find_map(|(prefix, label, unit, format)| {
            let service = name.strip_prefix(prefix).filter(|s| !s.is_empty())?;
            Some(MetricInfo {
                name: name.to_string(),
                label: format!("{label} {service}"),
                unit,
                format: *format,
                can_be_negative: false,
            })
        })
}

/// The fixed-name metric `name`.
pub fn get(name: &str) -> Option<&'static Metric> {
    METRICS.iter().find(|m| m.name == name)
}

/// The fixed-name metric `name`, which the lists below guarantee exists.
///
/// # Panics
/// If `name` is not in [`METRICS`] (a test checks every name the program asks for).
pub fn metric(name: &str) -> &'static Metric {
    get(name).unwrap_or_else(|| panic!("`{name}` is not in the metric catalogue"))
}

/// Metrics that are not sums over time — rates, means, percentiles, peaks, shares of
/// replications and stocks at the end — so that a year's value is not a part of the total:
/// `by_year.csv` leaves them out (with every `unstable_<service>`).
pub const NOT_ADDITIVE: [&str; 11] = [
    "admissions_per_1000",
    "bed_days_per_1000",
    "mean_wait_days",
    "p95_wait_days",
    "unstable",
    "unstable_acute",
    "mean_stay_days",
    "mean_los_days",
    "patients_at_end",
    "mean_acute_occupancy",
    "peak_acute_occupancy",
];

/// Whether `name` is a sum over time (a count, days, cost or outcome), whose total is the
/// sum of its values by year.
pub fn is_additive(name: &str) -> bool {
    !NOT_ADDITIVE.contains(&name) && !STOCKS.contains(&name) && !name.starts_with("unstable_")
}

/// Stocks reported by year as their level at each year's end (the run's value is the level
/// at its end): the living, by number of conditions.
pub const STOCKS: [&str; 5] = [
    "persons",
    "persons_multimorbid",
    "persons_1_condition",
    "persons_2_conditions",
    "persons_3_plus_conditions",
];

/// Whether `name` is a stock reported by year (see [`STOCKS`]).
pub fn is_stock(name: &str) -> bool {
    STOCKS.contains(&name)
}

/// Whether `name` has values by year (`by_year.csv`): sums over each year, and the
/// [`STOCKS`] at each year's end.
pub fn by_year(name: &str) -> bool {
    is_additive(name) || is_stock(name)
}

/// The summary `caresim run` prints, in order.
pub const RUN_HEADLINE: [&str; 6] = [
    "admissions",
    "acute_bed_days",
    "delayed_bed_days",
    "mean_wait_days",
    "mean_acute_occupancy",
    "total_cost",
];

/// The differences `caresim compare` prints, in order.
pub const COMPARE_HEADLINE: [&str; 12] = [
    "admissions",
    "acute_bed_days",
    "acute_and_post_acute_bed_days",
    "delayed_bed_days",
    "readmissions_30d",
    "mean_wait_days",
    "community_days",
    "home_waiting_days",
    "unmet_need_days",
    "total_cost",
    "capacity_cost",
    "unmet_need_cost",
];

/// The metrics `--reps auto` makes precise.
pub const PRECISION: [&str; 3] = ["admissions", "acute_bed_days", "total_cost"];

/// The key results of the report's results table, in order.
pub const REPORT_KEY: [&str; 11] = [
    "admissions",
    "acute_bed_days",
    "bed_days_per_1000",
    "delayed_bed_days",
    "mean_wait_days",
    "readmissions_30d",
    "mean_acute_occupancy",
    "community_days",
    "unmet_need_days",
    "total_cost",
    "unmet_need_cost",
];

/// The key changes from the base: the forest plot's rows.
pub const KEY_CHANGES: [&str; 5] = [
    "acute_bed_days",
    "admissions",
    "delayed_bed_days",
    "readmissions_30d",
    "total_cost",
];

/// The metrics a sweep is charted and tabled by.
pub const SWEPT: [&str; 3] = ["acute_bed_days", "delayed_bed_days", "total_cost"];

/// The bar charts of every run and arm (`bed_days_per_1000.png`, then the two panels of
/// `delays_and_waits.png`), in that order.
pub const RUN_BARS: [&str; 3] = ["bed_days_per_1000", "delayed_bed_days", "mean_wait_days"];

/// The effect and cost of the cost-effectiveness plane and the report's dominance table:
/// bed-days saved against extra cost.
pub const CE_AXES: [&str; 2] = ["acute_bed_days", "total_cost"];

/// The cost components stacked in `cost_by_setting.png` (they sum to `total_cost`).
pub const COST_COMPONENTS: [&str; 7] = [
    "acute_cost",
    "community_cost",
    "primary_care_cost",
    "outpatient_cost",
    "management_cost",
    "diversion_cost",
    "outreach_cost",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_listed_names_exist() {
        for (i, a) in METRICS.iter().enumerate() {
            assert!(
                METRICS[i + 1..].iter().all(|b| b.name != a.name),
                "{} twice",
                a.name
            );
        }
        let lists: [&[&str]; 10] = [
            &NOT_ADDITIVE,
            &RUN_HEADLINE,
            &RUN_BARS,
            &CE_AXES,
            &COMPARE_HEADLINE,
            &PRECISION,
            &REPORT_KEY,
            &KEY_CHANGES,
            &SWEPT,
            &COST_COMPONENTS,
        ];
        for name in lists.iter().flat_map(|l| l.iter()) {
            assert!(get(name).is_some(), "{name} is not in the catalogue");
        }
    }

    #[test]
    fn per_service_metrics_are_named_after_their_service() {
        let i = lookup("community_days_social_care").unwrap();
        assert_eq!(i.label, "place-days in social_care");
        assert_eq!(lookup("community_cost_esd").unwrap().format, Format::Money);
        // `unstable_acute` is a fixed name, not the service `acute`.
        assert_eq!(
            lookup("unstable_acute").unwrap().label,
            "replications with acute beds in no steady state"
        );
        assert!(lookup("community_days_").is_none());
        assert!(lookup("bed_days").is_none());
    }
}
