//! `caresim metrics`: the metric catalogue (name, label, unit, format) for people and for
//! programs. The Python module reads it with `--json` to label the columns of result files,
//! so labels and units are spelled once, in `model::catalogue`, and never copied.

use serde::Serialize;

use caresim::Error;
use caresim::model::catalogue::{self, MetricInfo};
use caresim::scenario::suggest;

use super::args::MetricsArgs;

/// One metric as `--json` prints it.
#[derive(Serialize)]
struct MetricRow<'a> {
    /// Name in result files (a CSV column or a `metric` value).
    name: &'a str,
    /// Human label.
    label: &'a str,
    /// Unit of one value (`£` stands for the scenario's currency).
    unit: &'a str,
    /// How its numbers are written: `count`, `small`, `money` or `share`.
    format: &'a str,
    /// Whether a value can be below zero (differences of any metric can).
    can_be_negative: bool,
    /// Whether it has values by year (`by_year.csv`).
    by_year: bool,
}

impl<'a> From<&'a MetricInfo> for MetricRow<'a> {
    fn from(m: &'a MetricInfo) -> Self {
        MetricRow {
            name: &m.name,
            label: &m.label,
            unit: m.unit,
            format: m.format.as_str(),
            can_be_negative: m.can_be_negative,
            by_year: catalogue::by_year(&m.name),
        }
    }
}

/// The entries asked for: every named metric (an unknown name is an input error, all of
/// them reported at once), or with no names the fixed metrics and then each per-service
/// pattern with `<service>` in place of a service's name.
fn entries(names: &[String]) -> Result<Vec<MetricInfo>, Error> {
    if names.is_empty() {
        let fixed = catalogue::METRICS.iter().map(|m| m.name.to_string());
        let patterns = catalogue::service_prefixes().map(|p| format!("{p}<service>"));
        return Ok(fixed
            .chain(patterns)
            .filter_map(|n| catalogue::lookup(&n))
            .collect());
    }
    let mut found = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for n in names {
        match catalogue::lookup(n) {
            Some(m) => found.push(m),
            None => unknown.push(format!(
                "`{n}` is not a metric{}",
                suggest::hint(n, catalogue::METRICS.iter().map(|m| m.name))
            )),
        }
    }
    if unknown.is_empty() {
        Ok(found)
    } else {
        Err(Error::Input(format!(
            "{} (caresim metrics lists them)",
            unknown.join("\n")
        )))
    }
}

/// `caresim metrics`.
pub fn metrics(args: &MetricsArgs) -> Result<(), Error> {
    let list = entries(&args.names)?;
    if args.json {
        let rows: Vec<MetricRow<'_>> = list.iter().map(MetricRow::from).collect();
        let text = serde_json::to_string_pretty(&rows)
            .map_err(|e| Error::Input(format!("cannot write the catalogue as JSON: {e}")))?;
        outln!("{text}");
        return Ok(());
    }
    let width = list.iter().map(|m| m.name.len()).max().unwrap_or(0);
    let unit_width = list
        .iter()
        .map(|m| m.unit.chars().count())
        .max()
        .unwrap_or(0);
    for m in &list {
        outln!(
            "{:width$}  {:unit_width$}  {}",
            m.name,
            m.unit,
            m.label,
            width = width,
            unit_width = unit_width
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_fixed_metrics_and_service_patterns() {
        let all = entries(&[]).unwrap();
        assert_eq!(all[0].name, "admissions");
        assert!(all.iter().any(|m| m.name == "community_days_<service>"));
        assert_eq!(
            all.len(),
            catalogue::METRICS.len() + catalogue::service_prefixes().count()
        );
    }

    #[test]
    fn resolves_service_metrics_and_rejects_unknown_names() {
        let got = entries(&["community_cost_care_home".to_string()]).unwrap();
        assert_eq!(got[0].label, "cost of care_home");
        let e = entries(&["admisions".to_string(), "nope".to_string()]).unwrap_err();
        assert!(e.is_input());
        let text = e.to_string();
        assert!(text.contains("did you mean `admissions`"), "{text}");
        assert!(text.contains("`nope` is not a metric"), "{text}");
    }
}
