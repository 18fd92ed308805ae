//! "Did you mean": the one rule for suggesting a known name in place of a mistyped one,
//! used by every message about an unknown key, distribution, service, lever or range key.

/// The candidate closest to `name` by Damerau–Levenshtein distance, if it is close enough to
/// be a likely typo: at most 2 edits, or a third of the candidate's length for long names.
/// Ties go to the first candidate.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.chars().count() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` for the [`closest`] candidate, or nothing.
pub fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["beds", "when_full", "bed_day_cost"];
        assert_eq!(closest("bedz", known), Some("beds"));
        assert_eq!(closest("bed_day_cots", known), Some("bed_day_cost"));
        assert_eq!(closest("capacity", known), None);
        assert_eq!(hint("wen_full", known), "; did you mean `when_full`?");
        assert_eq!(hint("zzz", known), "");
    }
}
