//! serde's messages about wrong types, said in plain words.
//!
//! The TOML deserializer reports a value of the wrong type in serde's terms, which name
//! Rust types: `invalid type: string "many", expected u32`, `invalid value: integer `-3`,
//! expected u32`, `invalid type: integer `3`, expected struct RawAcute`. The people who
//! write scenario files are analysts, not Rust programmers (issue 18), so such a message is
//! rewritten in the crate's own form, "must be ..., got ...":
//! `must be a whole number ≥ 0, got text "many"`, `must be a table, got 3`.
//! Any other message is returned unchanged.

/// `message` with serde's Rust type names said in plain words; a message that is not
/// serde's "invalid type"/"invalid value" is returned as it is.
///
/// ```
/// use caresim::scenario::plain::plain_types;
/// assert_eq!(
///     plain_types("invalid type: string \"many\", expected u32"),
///     "must be a whole number ≥ 0, got text \"many\""
/// );
/// ```
pub fn plain_types(message: &str) -> String {
    let Some(rest) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
    else {
        return message.to_string();
    };
    // The expected part never holds ", expected " (it is a type's description); the
    // unexpected part may (a quoted string), so split at the last one.
    let Some((got, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_string();
    };
    format!(
        "must be {}, got {}",
        expected_in_words(expected, got),
        got_in_words(got)
    )
}

/// What serde's `expected` part asks for, in words. For an unsigned integer given a
/// number too large for it, the range is said.
fn expected_in_words(expected: &str, got: &str) -> String {
    let too_large = |max: u64| {
        got.strip_prefix("integer `")
            .and_then(|n| n.strip_suffix('`'))
            .and_then(|n| n.parse::<i128>().ok())
            .is_some_and(|n| n > i128::from(max))
    };
    let unsigned = |max: u64| {
        if too_large(max) {
            format!("a whole number from 0 to {max}")
        } else {
            "a whole number ≥ 0".to_string()
        }
    };
    match expected {
        "u8" => unsigned(u8::MAX.into()),
        "u16" => unsigned(u16::MAX.into()),
        "u32" => unsigned(u32::MAX.into()),
        "u64" | "usize" | "u128" => unsigned(u64::MAX),
        "i8" | "i16" | "i32" | "i64" | "isize" | "i128" => "a whole number".into(),
        "f32" | "f64" => "a number".into(),
        "a string" | "a borrowed string" | "string" | "a character" | "char" => {
            "text in quotes".into()
        }
        "a boolean" | "bool" => "true or false".into(),
        "a map" | "map" => "a table".into(),
        "a sequence" | "sequence" => "a list".into(),
        e if e.starts_with("struct ")
            || e.starts_with("internally tagged enum ")
            || e.starts_with("adjacently tagged enum ") =>
        {
            "a table".into()
        }
        e if e.starts_with("tuple") || e.starts_with("an array") => "a list".into(),
        e if e.starts_with("enum ") || e.starts_with("variant identifier") => {
            "one of the names allowed here".into()
        }
        e => e.to_string(),
    }
}

/// serde's description of the value found (`serde::de::Unexpected`), in words.
fn got_in_words(got: &str) -> String {
    let quoted = |prefix: &str| {
        got.strip_prefix(prefix)
            .and_then(|v| v.strip_suffix('`'))
            .map(str::to_string)
    };
    if let Some(v) = quoted("integer `")
        .or_else(|| quoted("floating point `"))
        .or_else(|| quoted("boolean `"))
    {
        return v;
    }
    if let Some(s) = got.strip_prefix("string ") {
        return format!("text {s}");
    }
    match got {
        "map" => "a table".into(),
        "sequence" => "a list".into(),
        "unit value" | "unit" => "nothing".into(),
        g => g.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::plain_types;

    /// The message toml gives for `text` deserialized as `T`.
    fn message_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        toml::from_str::<T>(text)
            .unwrap_err()
            .message()
            .trim()
            .to_string()
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Whole {
        v: u32,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Signed {
        v: i64,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Real {
        v: f64,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Text {
        v: String,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Flag {
        v: bool,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        v: Whole,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct List {
        v: Vec<u32>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Map {
        v: std::collections::BTreeMap<String, f64>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Tagged {
        v: Dist,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(tag = "dist")]
    #[allow(dead_code)]
    enum Dist {
        Fixed { days: f64 },
    }

    /// The messages of real toml errors, so a change in toml's or serde's wording is seen.
    #[test]
    fn says_toml_type_errors_in_plain_words() {
        let cases = [
            (
                message_of::<Whole>("v = \"many\""),
                "must be a whole number ≥ 0, got text \"many\"",
            ),
            (
                message_of::<Whole>("v = -3"),
                "must be a whole number ≥ 0, got -3",
            ),
            (
                message_of::<Whole>("v = 2.5"),
                "must be a whole number ≥ 0, got 2.5",
            ),
            (
                message_of::<Whole>("v = 99999999999"),
                "must be a whole number from 0 to 4294967295, got 99999999999",
            ),
            (
                message_of::<Whole>("v = true"),
                "must be a whole number ≥ 0, got true",
            ),
            (
                message_of::<Whole>("v = [1]"),
                "must be a whole number ≥ 0, got a list",
            ),
            (
                message_of::<Whole>("v = { a = 1 }"),
                "must be a whole number ≥ 0, got a table",
            ),
            (
                message_of::<Signed>("v = 1.5"),
                "must be a whole number, got 1.5",
            ),
            (
                message_of::<Real>("v = \"long\""),
                "must be a number, got text \"long\"",
            ),
            (message_of::<Text>("v = 5"), "must be text in quotes, got 5"),
            (
                message_of::<Flag>("v = \"yes\""),
                "must be true or false, got text \"yes\"",
            ),
            (message_of::<Nested>("v = 3"), "must be a table, got 3"),
            (message_of::<List>("v = 3"), "must be a list, got 3"),
            (message_of::<Map>("v = 0.4"), "must be a table, got 0.4"),
            (message_of::<Tagged>("v = 14"), "must be a table, got 14"),
        ];
        for (message, expected) in cases {
            let plain = plain_types(&message);
            assert_eq!(plain, expected, "from {message:?}");
            for rust in [
                "u32", "i64", "f64", "struct", "enum", "sequence", "map", "a string",
            ] {
                assert!(!plain.contains(rust), "{plain:?} names {rust}");
            }
        }
    }

    #[test]
    fn leaves_other_messages_alone() {
        let m = "unknown field `bedz`, expected one of `beds`, `when_full`";
        assert_eq!(plain_types(m), m);
        assert_eq!(
            plain_types("must be at least 1, got 0"),
            "must be at least 1, got 0"
        );
    }
}
