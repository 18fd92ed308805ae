//! JSON Schemas of the scenario and sweep file formats, for editors with a TOML language
//! server (Taplo / Even Better TOML): key completion, the keys' docs on hover, and errors
//! while typing. `caresim schema` prints them; `schema/*.schema.json` are the committed copies.
//!
//! The schemas are generated (with `schemars`) from the same `Raw*` structs the parser
//! deserialises into, so a key the parser knows is a key the schema knows, with the field's
//! `///` doc as its `description`. The structs describe each file as read alone, every key
//! optional; what the parser does beyond serde is added here, from the structs:
//!
//! - **Parameter distributions.** Any number of a scenario file that is not in a list may be
//!   written as `{ dist = "beta", mean = 0.3, sd = 0.05 }` ([`ParamDist`]), so every number
//!   key accepts a number or a distribution.
//! - **Required keys.** A file without `extends` must set the keys whose field carries
//!   `#[schemars(extend("x-required" = true))]` ([`REQUIRED`]); a file that extends another
//!   may leave them to its base, so they are required only `if` there is no `extends`.
//! - **Defaults and ranges**, read from the field's doc, whose conventions are: `Default
//!   <number>` (or `(default <number>)`) gives `default`; the first interval written `[a,
//!   b]`, `(a, b]` and the like gives `minimum`/`maximum` (or their exclusive forms); else
//!   `≥ x`, `> x` or `at least x` gives a lower bound. A doc worded otherwise gives no
//!   bound: the parser remains the judge, the schema a help (and the test that every
//!   bundled scenario validates catches a bound stricter than the parser).
//! - TOML has no null, so `Option` adds none.
//!
//! The dialect is JSON Schema draft-07 (`definitions`, `$ref` without siblings), the one
//! Taplo's validator and completion handle best.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

use super::ParamDist;
use super::schema::RawScenario;

pub mod rules;

/// The key under which a table's rules that hold only in a file extending none wait for
/// [`required_overlay`] (removed from the output).
const NEEDS_BASE: &str = "x-needs-base";

/// The key marking a field required in a file without `extends` (removed from the output).
pub const REQUIRED: &str = "x-required";

/// The generator every caresim schema uses: draft-07, describing what deserialises.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft07().for_deserialize().into_generator()
}

/// The schema of a scenario file, as JSON.
pub fn scenario() -> Value {
    let mut generator = generator();
    // Registered first so that the root's definitions hold it.
    generator.subschema_for::<ParamDist>();
    let mut root = generator.into_root_schema_for::<RawScenario>().to_value();
    tidy(&mut root);
    apply_rules(&mut root);
    let overlay = {
        let defs = root.get("definitions").cloned().unwrap_or_default();
        required_overlay(&root, &defs, 0)
    };
    bounds_and_defaults(&mut root);
    accept_distributions(&mut root);
    let (needs_base, any_file): (Vec<_>, Vec<_>) = rules::across_tables()
        .into_iter()
        .partition(|(needs_base, _)| *needs_base);
    let mut overlay = overlay.unwrap_or_else(|| json!({}));
    if let Value::Object(o) = &mut overlay {
        o.insert(
            "allOf".into(),
            needs_base.into_iter().map(|(_, rule)| rule).collect(),
        );
    }
    if let Some(obj) = root.as_object_mut() {
        obj.insert("if".into(), json!({ "not": { "required": ["extends"] } }));
        obj.insert("then".into(), overlay);
        obj.insert(
            "allOf".into(),
            any_file.into_iter().map(|(_, rule)| rule).collect(),
        );
    }
    finish(
        &mut root,
        "caresim scenario",
        "scenario",
        "A caresim scenario file: the care system (hospital, community services, chronic \
         conditions, population), its costs and outcomes, and any policy levers. A file with \
         `extends` changes its base table by table; one without must set the required keys.",
    );
    root
}

/// Add the [`rules`] between keys to their tables' definitions: those that hold for any
/// file as `allOf` beside the table's properties, those that hold only in a file that
/// extends none under [`NEEDS_BASE`], for [`required_overlay`].
fn apply_rules(root: &mut Value) {
    for (table, rule) in rules::all() {
        let Some(Value::Object(def)) = root.pointer_mut(&format!("/definitions/{table}")) else {
            continue;
        };
        let key = if rule.needs_base() {
            NEEDS_BASE
        } else {
            "allOf"
        };
        if let Value::Array(list) = def.entry(key).or_insert_with(|| json!([])) {
            list.push(rule.schema());
        }
    }
}

/// Finish a generated schema: markers removed; its title, the description of the file for
/// its reader, and a `$comment` on where it comes from set.
pub fn finish(root: &mut Value, title: &str, kind: &str, description: &str) {
    strip_markers(root);
    if let Some(obj) = root.as_object_mut() {
        obj.insert("title".into(), title.into());
        obj.insert("description".into(), description.into());
        obj.insert(
            "$comment".into(),
            format!(
                "Generated by `caresim schema {kind}` from the parser's definitions; do not edit."
            )
            .into(),
        );
    }
}

/// The schema of `T` for a file whose numbers are plain numbers (a sweep file): tidied,
/// with the defaults and bounds of its docs, and, if `require` (a file that extends
/// nothing), its keys marked [`REQUIRED`] required.
pub fn plain<T: JsonSchema>(require: bool) -> Value {
    let mut root = generator().into_root_schema_for::<T>().to_value();
    tidy(&mut root);
    let overlay = {
        let defs = root.get("definitions").cloned().unwrap_or_default();
        required_overlay(&root, &defs, 0)
    };
    bounds_and_defaults(&mut root);
    if let (true, Some(Value::Object(mut overlay)), Some(obj)) =
        (require, overlay, root.as_object_mut())
    {
        if let Some(required) = overlay.remove("required") {
            obj.insert("required".into(), required);
        }
        if !overlay.is_empty() {
            obj.insert("allOf".into(), json!([overlay]));
        }
    }
    root
}

/// Remove what `Option` adds for JSON's null, which TOML lacks: `null` in `type` and `enum`,
/// `{ "type": "null" }` branches, `default: null`. A lone remaining `$ref` branch becomes
/// `allOf: [$ref]`, so that the field's description beside it stays meaningful in draft-07.
pub fn tidy(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(tidy),
        Value::Object(obj) => {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    obj.insert("type".into(), t);
                }
            }
            if let Some(Value::Array(values)) = obj.get_mut("enum") {
                values.retain(|x| !x.is_null());
            }
            if obj.get("default").is_some_and(Value::is_null) {
                obj.remove("default");
            }
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = obj.get_mut(key) else {
                    continue;
                };
                branches.retain(|b| *b != json!({ "type": "null" }));
                if branches.len() == 1 {
                    let branch = branches.remove(0);
                    obj.remove(key);
                    match branch {
                        Value::Object(b) if b.contains_key("$ref") => {
                            obj.insert("allOf".into(), Value::Array(vec![Value::Object(b)]));
                        }
                        Value::Object(b) => {
                            for (k, x) in b {
                                obj.entry(k).or_insert(x);
                            }
                        }
                        other => {
                            obj.insert("allOf".into(), Value::Array(vec![other]));
                        }
                    }
                }
            }
            obj.values_mut().for_each(tidy);
        }
        _ => {}
    }
}

/// The schema `v` points at: through `$ref` (into `defs`) and single-branch `allOf`.
fn resolve<'a>(v: &'a Value, defs: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..8 {
        if let Some(r) = v.get("$ref").and_then(Value::as_str) {
            match r.strip_prefix("#/definitions/").and_then(|n| defs.get(n)) {
                Some(d) => v = d,
                None => return v,
            }
        } else if let Some([one]) = v.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            && v.get("properties").is_none()
        {
            v = one;
        } else {
            return v;
        }
    }
    v
}

/// What a file without `extends` must also satisfy: at each table (from `schema` down),
/// `required` lists its keys marked [`REQUIRED`], and `properties`/`additionalProperties`
/// carry the same for the tables within. `None` when nothing below is required.
fn required_overlay(schema: &Value, defs: &Value, depth: usize) -> Option<Value> {
    if depth > 12 {
        return None;
    }
    let schema = resolve(schema, defs);
    let mut out = Map::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let mut required = Vec::new();
        let mut inner = Map::new();
        for (key, sub) in props {
            if sub.get(REQUIRED).and_then(Value::as_bool) == Some(true) {
                required.push(Value::String(key.clone()));
            }
            if let Some(o) = required_overlay(sub, defs, depth + 1) {
                inner.insert(key.clone(), o);
            }
        }
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        if !inner.is_empty() {
            out.insert("properties".into(), Value::Object(inner));
        }
    }
    if let Some(ap) = schema.get("additionalProperties").filter(|a| a.is_object())
        && let Some(o) = required_overlay(ap, defs, depth + 1)
    {
        out.insert("additionalProperties".into(), o);
    }
    if let Some(rules) = schema.get(NEEDS_BASE) {
        out.insert("allOf".into(), rules.clone());
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// Whether `v` is the schema of a plain number (integer or float).
fn is_number(v: &Value) -> bool {
    matches!(
        v.get("type").and_then(Value::as_str),
        Some("number" | "integer")
    )
}

/// Keywords that describe a key rather than constrain its value: they stay beside an
/// `anyOf` of number or distribution.
const ANNOTATIONS: [&str; 5] = ["description", "title", "default", "examples", REQUIRED];

/// Let every number key (a property or a map's value, not a list element) also take a
/// parameter distribution, as the parser does; the distribution's own numbers excepted.
fn accept_distributions(v: &mut Value) {
    let Value::Object(obj) = v else {
        if let Value::Array(items) = v {
            items.iter_mut().for_each(accept_distributions);
        }
        return;
    };
    for (key, sub) in obj.iter_mut() {
        match key.as_str() {
            "properties" => {
                if let Value::Object(props) = sub {
                    for p in props.values_mut() {
                        if is_number(p) {
                            number_or_distribution(p);
                        } else {
                            accept_distributions(p);
                        }
                    }
                }
            }
            "additionalProperties" if is_number(sub) => number_or_distribution(sub),
            "definitions" => {
                if let Value::Object(defs) = sub {
                    for (name, d) in defs.iter_mut() {
                        if name != "ParamDist" {
                            accept_distributions(d);
                        }
                    }
                }
            }
            _ => accept_distributions(sub),
        }
    }
}

/// `{ number schema }` → `{ annotations, anyOf: [number schema, ParamDist] }`.
fn number_or_distribution(v: &mut Value) {
    let Value::Object(obj) = v else { return };
    let mut number = Map::new();
    let mut outer = Map::new();
    for (k, x) in std::mem::take(obj) {
        if ANNOTATIONS.contains(&k.as_str()) {
            outer.insert(k, x);
        } else {
            number.insert(k, x);
        }
    }
    outer.insert(
        "anyOf".into(),
        json!([Value::Object(number), { "$ref": "#/definitions/ParamDist" }]),
    );
    *obj = outer;
}

/// Set `default` and bounds of every number schema from its description (see the module
/// docs for the wording read).
pub fn bounds_and_defaults(v: &mut Value) {
    if is_number(v) {
        annotate_number(v);
    } else {
        annotate_choice(v);
    }
    match v {
        Value::Array(items) => items.iter_mut().for_each(bounds_and_defaults),
        Value::Object(obj) => obj.values_mut().for_each(bounds_and_defaults),
        _ => {}
    }
}

/// One number schema's default and bounds, from its description.
fn annotate_number(v: &mut Value) {
    let Some(doc) = v.get("description").and_then(Value::as_str) else {
        return;
    };
    // Docs wrap lines anywhere: read them as one line.
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let integer = v.get("type").and_then(Value::as_str) == Some("integer");
    let as_json = |x: f64| -> Value {
        if integer && x.fract() == 0.0 {
            json!(x as i64)
        } else {
            json!(x)
        }
    };
    let Some(obj) = v.as_object_mut() else { return };
    if let Some(d) = doc_default(&doc) {
        obj.insert("default".into(), as_json(d));
    }
    let bounds = doc_bounds(&doc);
    for (key, x) in [
        ("minimum", bounds.minimum),
        ("maximum", bounds.maximum),
        ("exclusiveMinimum", bounds.exclusive_minimum),
        ("exclusiveMaximum", bounds.exclusive_maximum),
    ] {
        if let Some(x) = x {
            // A tighter bound from the doc replaces the type's own (0 for unsigned types).
            obj.insert(key.into(), as_json(x));
        }
    }
    if bounds.exclusive_minimum.is_some() {
        obj.remove("minimum");
    }
}

/// One choice's or flag's default, from its description: the value written just before
/// `(default` (`` `"queue"` (default: ...) ``), or `default true`/`default false`.
fn annotate_choice(v: &mut Value) {
    let is_container = matches!(
        v.get("type").and_then(Value::as_str),
        Some("array" | "object")
    );
    let Some(doc) = v.get("description").and_then(Value::as_str) else {
        return;
    };
    if is_container || v.get("default").is_some() {
        return;
    }
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(default) = doc_choice_default(&doc) else {
        return;
    };
    if let Some(obj) = v.as_object_mut() {
        obj.insert("default".into(), default);
    }
}

/// The default a doc gives a choice or flag (see [`annotate_choice`]).
fn doc_choice_default(doc: &str) -> Option<Value> {
    for (i, _) in doc.match_indices("default") {
        let after = &doc[i + "default".len()..];
        for flag in [true, false] {
            if after.trim_start().starts_with(&flag.to_string()) {
                return Some(Value::Bool(flag));
            }
        }
        let Some(before) = doc[..i].strip_suffix('(') else {
            continue;
        };
        let Some(quoted) = before.trim_end().strip_suffix('`') else {
            continue;
        };
        let start = quoted.rfind('`')?;
        let choice = quoted[start + 1..].trim_matches('"');
        if !choice.is_empty() {
            return Some(Value::String(choice.to_string()));
        }
    }
    None
}

/// A number as written in a doc: `20,000`, `0.035`, `−0.5` (a typographic minus).
fn doc_number(text: &str) -> Option<f64> {
    let t = text.trim().replace('−', "-").replace([',', '_'], "");
    let t = t.trim_end_matches(['.', ';', ':']);
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// The number after `Default ` or `default ` in `doc`, if one follows directly.
fn doc_default(doc: &str) -> Option<f64> {
    ["Default ", "default "].iter().find_map(|pat| {
        doc.match_indices(pat)
            .find_map(|(i, _)| number_at(&doc[i + pat.len()..]))
    })
}

/// Bounds read from a doc.
#[derive(Debug, Default, PartialEq)]
struct Bounds {
    minimum: Option<f64>,
    maximum: Option<f64>,
    exclusive_minimum: Option<f64>,
    exclusive_maximum: Option<f64>,
}

/// The first interval written `[a, b]`, `(a, b]` and so on, else `≥ x`, `> x` or `at least
/// x`: bounds of a number key, from its doc.
fn doc_bounds(doc: &str) -> Bounds {
    let mut b = Bounds::default();
    for (i, open) in doc.char_indices().filter(|(_, c)| matches!(c, '[' | '(')) {
        let rest = &doc[i + open.len_utf8()..];
        let Some(close) = rest.find([']', ')']) else {
            continue;
        };
        let Some((lo, hi)) = rest[..close].split_once(", ") else {
            continue;
        };
        let (Some(lo), Some(hi)) = (doc_number(lo), doc_number(hi)) else {
            continue;
        };
        if open == '[' {
            b.minimum = Some(lo);
        } else {
            b.exclusive_minimum = Some(lo);
        }
        if rest[close..].starts_with(']') {
            b.maximum = Some(hi);
        } else {
            b.exclusive_maximum = Some(hi);
        }
        return b;
    }
    for (pat, exclusive) in [("≥ ", false), ("> ", true), ("at least ", false)] {
        let Some(i) = doc.find(pat) else { continue };
        if let Some(x) = number_at(&doc[i + pat.len()..]) {
            if exclusive {
                b.exclusive_minimum = Some(x);
            } else {
                b.minimum = Some(x);
            }
            return b;
        }
    }
    b
}

/// The number `text` starts with (`20,000.` → 20000).
fn number_at(text: &str) -> Option<f64> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '−' | '-')))
        .unwrap_or(text.len());
    doc_number(text[..end].trim_end_matches([',', '.']))
}

/// Remove the [`REQUIRED`] and [`NEEDS_BASE`] markers, which are for [`required_overlay`]
/// only.
fn strip_markers(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(strip_markers),
        Value::Object(obj) => {
            obj.remove(REQUIRED);
            obj.remove(NEEDS_BASE);
            obj.values_mut().for_each(strip_markers);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_defaults_written_in_docs() {
        assert_eq!(doc_default("Cost per review. Default 0."), Some(0.0));
        assert_eq!(
            doc_default("Willingness to pay. Default 20,000. > 0."),
            Some(20_000.0)
        );
        assert_eq!(doc_default("Rate (default 1)."), Some(1.0));
        assert_eq!(doc_default("Default 0.035 (NICE)."), Some(0.035));
        assert_eq!(doc_default("Default: none."), None);
    }

    #[test]
    fn every_rule_names_keys_of_its_table() {
        let mut root = generator();
        root.subschema_for::<ParamDist>();
        let root = root.into_root_schema_for::<RawScenario>().to_value();
        for (table, rule) in rules::all() {
            let props = &root["definitions"][table]["properties"];
            assert!(props.is_object(), "{table}: no such table");
            for key in rule.keys() {
                assert!(props.get(key).is_some(), "{table}: no key {key}");
            }
        }
    }

    #[test]
    fn reads_the_defaults_of_choices_and_flags() {
        let d = doc_choice_default;
        assert_eq!(
            d("`\"queue\"` (default: wait) or `\"divert\"`."),
            Some(json!("queue"))
        );
        assert_eq!(
            d("Pays: `\"a\"`, `\"b\"` (default) or `\"c\"`."),
            Some(json!("b"))
        );
        assert_eq!(d("`wait` (default) or `go`."), Some(json!("wait")));
        assert_eq!(d("Pooled (default true)."), Some(json!(true)));
        assert_eq!(d("Targeted conditions (default: all)."), None);
        assert_eq!(d("Default: `payment.spell_tariff`."), None);
    }

    #[test]
    fn reads_bounds_written_in_docs() {
        let b = doc_bounds("Probability, in [0, 1].");
        assert_eq!((b.minimum, b.maximum), (Some(0.0), Some(1.0)));
        let b = doc_bounds("Change per year. In (−0.5, 1].");
        assert_eq!((b.exclusive_minimum, b.maximum), (Some(-0.5), Some(1.0)));
        let b = doc_bounds("Trim point, days. In [0, 36,500].");
        assert_eq!(b.maximum, Some(36_500.0));
        assert_eq!(doc_bounds("Mean, days (> 0).").exclusive_minimum, Some(0.0));
        assert_eq!(doc_bounds("Cost. ≥ 0.").minimum, Some(0.0));
        assert_eq!(doc_bounds("Beds, at least 1.").minimum, Some(1.0));
        let b = doc_bounds("A share, [0, 1] (required).");
        assert_eq!((b.minimum, b.maximum), (Some(0.0), Some(1.0)));
        assert_eq!(
            doc_bounds("Days (give this or `x`, or both)."),
            Bounds::default()
        );
    }

    #[test]
    fn numbers_take_distributions_and_base_keys_are_required_without_extends() {
        let s = scenario();
        let beds = &s["definitions"]["RawAcute"]["properties"]["beds"];
        assert_eq!(beds["anyOf"][1]["$ref"], "#/definitions/ParamDist");
        assert_eq!(beds["anyOf"][0]["type"], "integer");
        assert_eq!(
            s["then"]["properties"]["acute"]["required"],
            json!(["beds"])
        );
        assert!(
            s["then"]["required"]
                .as_array()
                .unwrap()
                .contains(&json!("simulation"))
        );
        assert!(!s.to_string().contains(REQUIRED));
        assert!(!s.to_string().contains(NEEDS_BASE));
        assert!(!s.to_string().contains("\"null\""));
    }
}
