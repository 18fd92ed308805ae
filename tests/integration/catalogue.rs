//! The metric catalogue covers every metric the model writes, in its order.

use std::path::Path;

use caresim::model::{Tally, catalogue};

#[test]
fn every_metric_written_has_a_catalogue_entry_in_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every service, payer and lever of the bundled scenarios.
    for file in [
        "scenarios/nhs_2003_baseline.toml",
        "scenarios/policies/kaiser_levers_combined.toml",
        "scenarios/reference_chronic_flow.toml",
    ] {
        let s = caresim::scenario::load(&root.join(file)).unwrap();
        let names = Tally::metric_names(&s.params);
        for n in &names {
            let info = catalogue::lookup(n).unwrap_or_else(|| panic!("{file}: {n} has no entry"));
            assert!(!info.label.is_empty() && !info.unit.is_empty(), "{n}");
        }
        let fixed: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| catalogue::get(n).is_some())
            .collect();
        let catalogue_order: Vec<&str> = catalogue::METRICS.iter().map(|m| m.name).collect();
        assert_eq!(
            fixed, catalogue_order,
            "{file}: the catalogue's order is the model's"
        );
    }
}
