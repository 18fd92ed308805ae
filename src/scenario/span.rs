//! Where each key of a scenario file is: dotted key paths mapped to byte spans, and byte
//! offsets mapped to line:column. This is what lets a semantic check made on the merged,
//! typed scenario point back at the line of the file that set the bad value.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use toml::de::{DeTable, DeValue};

use super::Problem;

/// The location of one key in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySpan {
    /// The key itself (for a table header, the name in the header).
    pub key: Range<usize>,
    /// The value (for a table, the whole table).
    pub value: Range<usize>,
}

/// Every key path of one file (`acute.beds`, `conditions.copd.los.mean_days`) and its span.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    spans: BTreeMap<String, KeySpan>,
}

impl SpanIndex {
    /// Index the keys of `text`, or return an empty index when it is not valid TOML (the
    /// parse error is reported separately).
    pub fn new(text: &str) -> Self {
        let mut spans = BTreeMap::new();
        if let Ok(table) = DeTable::parse(text) {
            walk(table.get_ref(), "", &mut spans);
        }
        SpanIndex { spans }
    }

    /// An index of the given spans (the cells of a CSV table, by the key each sets).
    pub fn from_spans(spans: BTreeMap<String, KeySpan>) -> Self {
        SpanIndex { spans }
    }

    /// The span of `path`, if the file sets it.
    pub fn get(&self, path: &str) -> Option<&KeySpan> {
        self.spans.get(path)
    }

    /// The longest prefix of `path` (itself included) that the file sets, with its span.
    pub fn nearest(&self, path: &str) -> Option<(&str, &KeySpan)> {
        let mut p = path;
        loop {
            if let Some((k, s)) = self.spans.get_key_value(p) {
                return Some((k.as_str(), s));
            }
            p = &p[..p.rfind(['.', '['])?];
        }
    }

    /// The deepest key whose key or value contains byte `offset`.
    pub fn path_at(&self, offset: usize) -> Option<&str> {
        self.spans
            .iter()
            .filter(|(_, s)| {
                s.key.contains(&offset) || s.value.contains(&offset) || s.key.start == offset
            })
            .max_by_key(|(p, _)| p.matches('.').count())
            .map(|(p, _)| p.as_str())
    }
}

fn walk(table: &DeTable<'_>, prefix: &str, out: &mut BTreeMap<String, KeySpan>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        out.insert(
            path.clone(),
            KeySpan {
                key: key.span(),
                value: value.span(),
            },
        );
        walk_value(value.get_ref(), &path, out);
    }
}

/// Index what is inside `value` at `path`: a table's keys, and an array's elements as
/// `path[i]` (0-based), so that a problem with one entry of a list is shown at it.
fn walk_value(value: &DeValue<'_>, path: &str, out: &mut BTreeMap<String, KeySpan>) {
    match value {
        DeValue::Table(t) => walk(t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("{path}[{i}]");
                out.insert(
                    at.clone(),
                    KeySpan {
                        key: item.span(),
                        value: item.span(),
                    },
                );
                walk_value(item.get_ref(), &at, out);
            }
        }
        _ => {}
    }
}

/// One file of an `extends` chain.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path as given (the first file) or as resolved relative to the extending file.
    pub path: PathBuf,
    /// File contents.
    pub text: String,
    /// Key locations.
    pub spans: SpanIndex,
    /// SHA-256 of the contents, lowercase hex.
    pub sha256: String,
}

impl SourceFile {
    /// A problem at byte `offset` of this file, about the key, value or token that starts
    /// there.
    pub fn problem_at(&self, offset: usize, field: &str, message: String) -> Problem {
        self.problem_in(offset..self.extent(offset), field, message)
    }

    /// A problem about bytes `span` of this file.
    pub fn problem_in(&self, span: Range<usize>, field: &str, message: String) -> Problem {
        Problem {
            file: self.path.clone(),
            location: Some(line_col(&self.text, span.start)),
            end: Some(line_col(&self.text, span.end.max(span.start))),
            field: field.to_string(),
            message,
        }
    }

    /// Where what starts at byte `offset` ends: the key or value that starts there (a
    /// table's value ends where its line does), else the run of characters up to the next
    /// space, comma, bracket or end of line.
    fn extent(&self, offset: usize) -> usize {
        if !self.text.is_char_boundary(offset) {
            return offset; // not a place toml or csv gives, but never a panic
        }
        let line_end = self.text[offset.min(self.text.len())..]
            .find(['\n', '\r'])
            .map_or(self.text.len(), |i| offset + i);
        let known = self.spans.spans.values().find_map(|s| {
            if s.key.start == offset && s.key.end > offset {
                Some(s.key.end)
            } else if s.value.start == offset && s.value.end > offset {
                Some(s.value.end)
            } else {
                None
            }
        });
        let end = known.unwrap_or_else(|| {
            self.text[offset.min(line_end)..line_end]
                .find(|c: char| c.is_whitespace() || ",[]{}".contains(c))
                .map_or(line_end, |i| offset + i.max(1))
        });
        end.min(line_end).max(offset)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str =
        "[acute]\nbeds = 10\n\n[conditions.copd]\nlos = { dist = \"fixed\", days = 3 }\n";

    #[test]
    fn finds_nested_keys() {
        let idx = SpanIndex::new(DOC);
        let beds = idx.get("acute.beds").unwrap();
        assert_eq!(line_col(DOC, beds.value.start), (2, 8));
        let days = idx.get("conditions.copd.los.days").unwrap();
        assert_eq!(line_col(DOC, days.value.start), (5, 32));
    }

    #[test]
    fn nearest_falls_back_to_parent_table() {
        let idx = SpanIndex::new(DOC);
        let (p, s) = idx.nearest("acute.when_full").unwrap();
        assert_eq!(p, "acute");
        assert_eq!(line_col(DOC, s.key.start), (1, 2));
        assert!(idx.nearest("simulation.seed").is_none());
    }

    #[test]
    fn path_at_offset() {
        let idx = SpanIndex::new(DOC);
        let off = DOC.find("10").unwrap();
        assert_eq!(idx.path_at(off), Some("acute.beds"));
    }

    #[test]
    fn a_problem_spans_the_key_or_value_it_is_at() {
        let file = SourceFile {
            path: PathBuf::from("s.toml"),
            text: DOC.to_string(),
            spans: SpanIndex::new(DOC),
            sha256: String::new(),
        };
        let span = |offset: usize| {
            let p = file.problem_at(offset, "", String::new());
            (p.location.unwrap(), p.end.unwrap())
        };
        // A value, a key, a table's name (not its whole table), an inline table (to the end
        // of its line), a place no key starts (a token), the end of the file (empty).
        assert_eq!(span(DOC.find("10").unwrap()), ((2, 8), (2, 10)));
        assert_eq!(span(DOC.find("beds").unwrap()), ((2, 1), (2, 5)));
        assert_eq!(span(1), ((1, 2), (1, 7)));
        assert_eq!(span(DOC.find("{ dist").unwrap()), ((5, 7), (5, 35)));
        assert_eq!(span(DOC.find("= 10").unwrap()), ((2, 6), (2, 7)));
        assert_eq!(span(DOC.len()), ((6, 1), (6, 1)));
        // Never a panic inside a character.
        let odd = SourceFile {
            text: "a = \"£\"\n".into(),
            spans: SpanIndex::default(),
            ..file.clone()
        };
        assert!(odd.problem_at(6, "", String::new()).end.is_some());
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("a\n£b", 4), (2, 2));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
