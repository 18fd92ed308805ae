//! The `evidence` key of every `[policy.<lever>]` table: for each setting of the lever, how
//! well its value is supported (the domain brief's grade) and where it comes from.
//!
//! ```toml
//! [policy.early_discharge]
//! days_shorter = 8.0
//! evidence.days_shorter = { grade = "S", source = "ESD Trialists, Lancet 2005: stay 8 days shorter" }
//! ```
//!
//! The tables of values outside the levers that need sources grade their settings the same
//! way: `[economics]`, `[payment]` (and its `by_condition.<c>` and `delayed_discharge`
//! tables), `[conditions.<c>]`, `[community.<s>]` and `[community.<s>.unmet]`
//! (`check_table`, called from `scenario::validate`).
//!
//! The key is handled here for every lever alike: each lever's table has the field
//! ([`RawEvidenceTable`]) and `policy_tables!` hands it to `check`, so a lever's own
//! checks never see it. A graded setting must be set in the same table (after `extends`);
//! the record ([`EffectEvidence`]) keeps its value as written and, when it is a parameter
//! distribution, the distribution.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::scenario::checker::Checker;
use crate::scenario::uncertain::{ParamDist, Uncertain};

/// `evidence` of a `[policy.<lever>]` table: the graded settings by key.
pub type RawEvidenceTable = Option<BTreeMap<String, RawEvidence>>;

/// `evidence.<setting> = { grade = "...", source = "..." }`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvidence {
    /// `S`, `S2`, `R` or `E` (required).
    #[schemars(extend("x-required" = true), with = "Option<Grade>")]
    pub grade: Option<String>,
    /// Where the value comes from, free text (required, not empty).
    #[schemars(extend("x-required" = true))]
    pub source: Option<String>,
}

/// How well a value is supported: the tags of the domain brief.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum Grade {
    /// Seen in a retrieved source (abstract, excerpt or table).
    S,
    /// Seen in a secondary source (news, summary, commentary) quoting the primary.
    S2,
    /// Recalled from the literature, not confirmed by retrieval.
    R,
    /// An estimate or derivation for modelling, not a published figure.
    E,
}

impl Grade {
    /// Every grade, strongest first.
    pub const ALL: [Grade; 4] = [Grade::S, Grade::S2, Grade::R, Grade::E];

    /// The tag as written in a scenario file (`S2`).
    pub fn tag(self) -> &'static str {
        match self {
            Grade::S => "S",
            Grade::S2 => "S2",
            Grade::R => "R",
            Grade::E => "E",
        }
    }

    /// What the tag means, in a few words.
    pub fn meaning(self) -> &'static str {
        match self {
            Grade::S => "seen in a retrieved source",
            Grade::S2 => "seen in a secondary source quoting the primary",
            Grade::R => "recalled from the literature, not confirmed",
            Grade::E => "an estimate for modelling, not a published figure",
        }
    }

    fn from_tag(tag: &str) -> Option<Grade> {
        Grade::ALL.into_iter().find(|g| g.tag() == tag)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The evidence for one setting of a lever, as recorded in `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectEvidence {
    /// The lever (its `[policy.<lever>]` table), or the dotted path of another table that
    /// grades its settings (`economics`, `payment.delayed_discharge`, `conditions.copd`).
    pub lever: String,
    /// The setting graded (a key of that table).
    pub key: String,
    /// Its value as written in TOML, a string without its quotes (the mean when it is a
    /// distribution).
    pub value: String,
    /// How well it is supported.
    pub grade: Grade,
    /// Where it comes from.
    pub source: String,
    /// Its distribution, when the setting is an uncertain parameter (sampled once per
    /// replication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dist: Option<ParamDist>,
}

impl EffectEvidence {
    /// `los_factor = 0.8333 [E] (triangular 0.7–0.9, mode 0.9)`: the setting, its value, its
    /// grade and, when sampled, its distribution.
    pub fn setting(&self) -> String {
        let dist = self
            .dist
            .map(|d| format!(" ({})", describe(&d)))
            .unwrap_or_default();
        format!("{} = {} [{}]{dist}", self.key, self.value, self.grade)
    }
}

/// A parameter distribution in words: `uniform 0.7–0.9`, `beta mean 0.3, sd 0.05`.
pub fn describe(d: &ParamDist) -> String {
    let n = crate::model::dist::show_number;
    match *d {
        ParamDist::Beta { mean, sd } => format!("beta mean {}, sd {}", n(mean), n(sd)),
        ParamDist::Normal { mean, sd } => format!("normal mean {}, sd {}", n(mean), n(sd)),
        ParamDist::Lognormal { mean, sd } => format!("lognormal mean {}, sd {}", n(mean), n(sd)),
        ParamDist::Gamma { mean, sd } => format!("gamma mean {}, sd {}", n(mean), n(sd)),
        ParamDist::Uniform { min, max } => format!("uniform {}–{}", n(min), n(max)),
        ParamDist::Triangular { min, mode, max } => {
            format!("triangular {}–{}, mode {}", n(min), n(max), n(mode))
        }
    }
}

/// `12 graded settings: 5 S, 1 S2, 6 E (3 sampled as distributions)`: a count of
/// `evidence` by grade, for a line of text.
pub fn tally(evidence: &[EffectEvidence]) -> String {
    if evidence.is_empty() {
        return "no graded settings".into();
    }
    let by_grade: Vec<String> = Grade::ALL
        .iter()
        .filter_map(|g| {
            let k = evidence.iter().filter(|e| e.grade == *g).count();
            (k > 0).then(|| format!("{k} {g}"))
        })
        .collect();
    let sampled = evidence.iter().filter(|e| e.dist.is_some()).count();
    format!(
        "{} graded setting{}: {}{}",
        evidence.len(),
        if evidence.len() == 1 { "" } else { "s" },
        by_grade.join(", "),
        if sampled > 0 {
            format!(" ({sampled} sampled as distributions)")
        } else {
            String::new()
        }
    )
}

/// The grades, for messages: `S (seen in a retrieved source), S2 (...), ...`.
fn grades_explained() -> String {
    Grade::ALL
        .iter()
        .map(|g| format!("{g} ({})", g.meaning()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Check the `evidence` of `[policy.<lever>]` (`evidence`, from the merged scenario) and
/// append its records to `out`, in key order. `uncertain` are the scenario's uncertain
/// parameters (a graded setting that is one records its distribution).
pub(super) fn check(
    ck: &mut Checker,
    lever: &str,
    evidence: &RawEvidenceTable,
    uncertain: &[Uncertain],
    out: &mut Vec<EffectEvidence>,
) {
    check_table(
        ck,
        &format!("policy.{lever}"),
        lever,
        evidence,
        uncertain,
        out,
    );
}

/// Check the `evidence` of the table at dotted path `base` (`economics`,
/// `conditions.copd`, `policy.telehealth`) and append its records, labelled `label` (the
/// lever's name for a `[policy.*]` table, else `base`), to `out` in key order.
pub(in crate::scenario) fn check_table(
    ck: &mut Checker,
    base: &str,
    label: &str,
    evidence: &RawEvidenceTable,
    uncertain: &[Uncertain],
    out: &mut Vec<EffectEvidence>,
) {
    let Some(evidence) = evidence else {
        return;
    };
    if evidence.is_empty() {
        ck.fail(
            &format!("{base}.evidence"),
            "must grade at least one setting, e.g. evidence.share = { grade = \"E\", source = \"...\" }",
        );
        return;
    }
    let mut table = Some(&ck.sources.merged_table);
    for part in base.split('.') {
        table = table
            .and_then(|t| t.get(part))
            .and_then(toml::Value::as_table);
    }
    let settings: Vec<&str> = table
        .map(|t| {
            t.keys()
                .map(String::as_str)
                .filter(|k| *k != "evidence")
                .collect()
        })
        .unwrap_or_default();
    for (key, raw) in evidence {
        let field = format!("{base}.evidence.{key}");
        let value = table.and_then(|t| t.get(key)).filter(|_| key != "evidence");
        let Some(value) = value else {
            let hint = crate::scenario::suggest::hint(key, settings.iter().copied());
            ck.fail(
                &field,
                format!(
                    "no setting `{key}` in [{base}] to grade; set there: {}{hint}",
                    settings.join(", ")
                ),
            );
            continue;
        };
        let grade = grade(ck, &field, raw.grade.as_deref());
        let source = raw.source.as_deref().map(str::trim).unwrap_or_default();
        if raw.source.is_none() {
            ck.fail(
                &format!("{field}.source"),
                "missing: where the value comes from, e.g. \"ESD Trialists, Lancet 2005 (brief §5)\"",
            );
        } else if source.is_empty() {
            ck.fail(
                &format!("{field}.source"),
                "must not be empty: say where the value comes from",
            );
        }
        let path = format!("{base}.{key}");
        out.push(EffectEvidence {
            lever: label.to_string(),
            key: key.clone(),
            value: match value {
                toml::Value::String(s) => s.clone(),
                v => v.to_string(),
            },
            grade: grade.unwrap_or(Grade::E),
            source: source.to_string(),
            dist: uncertain.iter().find(|u| u.path == path).map(|u| u.dist),
        });
    }
}

/// The grade at `field`.grade, or a problem saying what the grades are.
fn grade(ck: &mut Checker, field: &str, tag: Option<&str>) -> Option<Grade> {
    let field = format!("{field}.grade");
    let Some(tag) = tag else {
        ck.fail(
            &field,
            format!("missing: the evidence grade, one of {}", grades_explained()),
        );
        return None;
    };
    let found = Grade::from_tag(tag);
    if found.is_none() {
        // Only a case or bracket slip is suggested: every tag is within two edits of any
        // short text, so edit distance would suggest nonsense.
        let hint = Grade::ALL
            .iter()
            .find(|g| {
                g.tag()
                    .eq_ignore_ascii_case(tag.trim().trim_matches(['[', ']']))
            })
            .map(|g| format!("; did you mean `{g}`?"))
            .unwrap_or_default();
        ck.fail(
            &field,
            format!("must be one of {}, got `{tag}`{hint}", grades_explained()),
        );
    }
    found
}
