//! `[seasonality]`: a winter peak in exacerbation rates, as a cosine or 12 monthly
//! multipliers.

use crate::engine::DAYS_PER_YEAR;
use crate::model::Seasonality;
use crate::scenario::checker::{Checker, MAX_MULTIPLIER};
use crate::scenario::schema::RawScenario;

/// `[seasonality]`, if the scenario has one: either `monthly` or `amplitude`/`peak_day`.
pub(super) fn seasonality(ck: &mut Checker, raw: &RawScenario) -> Option<Seasonality> {
    raw.seasonality
        .as_ref()
        .map(|s| match (&s.monthly, s.amplitude) {
            (Some(months), None) => {
                if s.peak_day.is_some() {
                    ck.fail(
                        "seasonality.peak_day",
                        "give either monthly or amplitude/peak_day, not both",
                    );
                }
                let mut multipliers = [1.0; 12];
                if months.len() != 12 {
                    ck.fail(
                        "seasonality.monthly",
                        format!(
                            "must list 12 multipliers, one per month, got {}",
                            months.len()
                        ),
                    );
                }
                for (i, &m) in months.iter().take(12).enumerate() {
                    multipliers[i] =
                        ck.number("seasonality.monthly", m, "multipliers of at least 0", |x| {
                            x >= 0.0
                        });
                    ck.at_most("seasonality.monthly", m, MAX_MULTIPLIER, "");
                }
                Seasonality::Monthly { multipliers }
            }
            (Some(_), Some(_)) => {
                ck.fail(
                    "seasonality",
                    "give either monthly or amplitude/peak_day, not both",
                );
                Seasonality::Monthly {
                    multipliers: [1.0; 12],
                }
            }
            (None, amplitude) => {
                let amplitude = ck
                    .required(
                        "seasonality.amplitude",
                        &amplitude,
                        "the relative winter swing, e.g. 0.2 (or 12 monthly multipliers)",
                    )
                    .unwrap_or(0.0);
                Seasonality::Cosine {
                    amplitude: ck.number("seasonality.amplitude", amplitude, "in [0, 1)", |x| {
                        (0.0..1.0).contains(&x)
                    }),
                    peak_day: ck.number(
                        "seasonality.peak_day",
                        s.peak_day.unwrap_or(0.0),
                        "a day of the year in [0, 365)",
                        |x| (0.0..DAYS_PER_YEAR).contains(&x),
                    ),
                }
            }
        })
}
