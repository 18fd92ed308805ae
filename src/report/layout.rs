//! Typesetting the report's tables for a printed page: numbers recognised (right-aligned,
//! never broken, a true minus sign), and tables too wide for an A4 page split by columns
//! into several tables that each repeat the row labels.
//!
//! Widths are estimated in characters of the table font: a number is as wide as its
//! longest line (it does not wrap); text wraps at spaces and after `_`, so it needs only its
//! longest word, and at most [`TEXT_MIN`] characters (a longer word is broken by the
//! browser, see the HTML's `overflow-wrap`). [`PAGE`] characters fit the printable width of
//! A4 (718 px at 96 dpi, 12.8 px type whose digits are ~8 px wide), with room to spare for
//! the cells' padding.

use super::Block;

/// Characters of table text that fit across an A4 page's printable width.
const PAGE: usize = 78;

/// Characters a text cell needs at least (a longer word is broken).
const TEXT_MIN: usize = 14;

/// Characters of padding and border per column.
const PAD: usize = 2;

/// Whether a table cell holds a number (with its CI, sign, unit or percentage): every word
/// is made of digits, signs, `£`, `%`, separators, brackets, the suffixes `k`, `m`, `bn`
/// and the budget-impact mark `°`, or is `to`, and there is a digit ("30-day readmissions" is text).
pub(super) fn is_numeric(cell: &str) -> bool {
    let t = cell.trim_start_matches(super::MARK).trim();
    let numberish = |w: &str| {
        w == "to"
            || w.chars()
                .all(|c| c.is_ascii_digit() || "+-−£%,.;()×kmb°".contains(c) || c == 'n')
                && !w.chars().all(|c| c.is_ascii_alphabetic())
    };
    t.chars().any(|c| c.is_ascii_digit()) && t.split_whitespace().all(numberish)
}

/// A numeric cell with every hyphen used as a minus sign (before a digit or `£`) written as
/// the true minus sign, U+2212, as the rest of the report writes it.
pub(super) fn minus_signs(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut chars = cell.chars().peekable();
    let mut before: Option<char> = None;
    while let Some(c) = chars.next() {
        let next_is_number = chars
            .peek()
            .is_some_and(|n| n.is_ascii_digit() || *n == '£');
        // A hyphen between letters or digits ("2003-04") is not a sign.
        let after_word = before.is_some_and(char::is_alphanumeric);
        if c == '-' && next_is_number && !after_word {
            out.push('−');
        } else {
            out.push(c);
        }
        before = Some(c);
    }
    out
}

/// Characters column `col` of `header` and `rows` needs.
fn column_width(header: &[String], rows: &[Vec<String>], col: usize) -> usize {
    let cell = |c: &str| {
        if is_numeric(c) {
            c.lines().map(|l| l.chars().count()).max().unwrap_or(0)
        } else {
            c.split([' ', '\n'])
                .flat_map(|w| w.split_inclusive('_'))
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0)
                .min(TEXT_MIN)
        }
    };
    let body = rows
        .iter()
        .filter_map(|r| r.get(col))
        .map(|c| cell(c))
        .max()
        .unwrap_or(0);
    body.max(header.get(col).map_or(0, |h| cell(h))) + PAD
}

/// The leading columns that label the rows (no number in any of their cells), at least
/// one: repeated in every part of a split table.
fn key_columns(header: &[String], rows: &[Vec<String>]) -> usize {
    (0..header.len())
        .take_while(|&c| rows.iter().all(|r| r.get(c).is_none_or(|v| !is_numeric(v))))
        .count()
        .clamp(1, header.len().max(1))
}

/// `doc` with every table wider than an A4 page split by columns into tables that fit, each
/// repeating the row-label columns (the parts after the first say they continue it).
pub(super) fn fit_tables(doc: Vec<Block>) -> Vec<Block> {
    let mut out = Vec::with_capacity(doc.len());
    for b in doc {
        let Block::Table(header, rows) = b else {
            out.push(b);
            continue;
        };
        let widths: Vec<usize> = (0..header.len())
            .map(|c| column_width(&header, &rows, c))
            .collect();
        let keys = key_columns(&header, &rows);
        let key_width: usize = widths[..keys].iter().sum();
        if widths.iter().sum::<usize>() <= PAGE || header.len() <= keys + 1 {
            out.push(Block::Table(header, rows));
            continue;
        }
        // Greedy: as many value columns as fit beside the keys, at least one.
        let mut parts: Vec<Vec<usize>> = Vec::new();
        let mut used = key_width;
        for (c, &w) in widths.iter().enumerate().skip(keys) {
            match parts.last_mut() {
                Some(part) if used + w <= PAGE => part.push(c),
                _ => {
                    parts.push(vec![c]);
                    used = key_width;
                }
            }
            used += w;
        }
        let total = parts.len();
        for (k, part) in parts.iter().enumerate() {
            let pick = |row: &[String]| -> Vec<String> {
                (0..keys)
                    .chain(part.iter().copied())
                    .map(|c| row.get(c).cloned().unwrap_or_default())
                    .collect()
            };
            let mut h = pick(&header);
            if total > 1 {
                h[0] = format!("{} (part {} of {total})", h[0], k + 1);
            }
            out.push(Block::Table(h, rows.iter().map(|r| pick(r)).collect()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn numbers_are_recognised_with_signs_money_and_cis() {
        for n in [
            "22,626 (22,493 to 22,759)",
            "−£3.2m (−£3.5m to −£2.9m)",
            "+0.6%",
            "-3.5% (-4.0% to -3.0%)",
            "0",
            "(0.3 to 0.5)",
            "£160.7m\n(£154.5m to £167.0m)",
            "£1.2bn",
        ] {
            assert!(is_numeric(n), "{n}");
        }
        for t in [
            "none",
            "—",
            "admission_avoidance",
            "activity",
            "year 1",
            "",
            "-",
            "30-day readmissions",
            "⚠ 15% (acute beds 15%)",
        ] {
            assert!(!is_numeric(t), "{t}");
        }
    }

    #[test]
    fn hyphens_as_signs_become_minus_signs_and_others_stay() {
        assert_eq!(
            minus_signs("-3.5% (-4.0% to -£3.0m)"),
            "−3.5% (−4.0% to −£3.0m)"
        );
        assert_eq!(minus_signs("£ 2003-04"), "£ 2003-04");
        assert_eq!(minus_signs("−1 (−2 to 0)"), "−1 (−2 to 0)");
    }

    #[test]
    fn a_wide_table_is_split_by_columns_repeating_its_row_labels() {
        let value = "22,626 (22,493 to 22,759)";
        let header = s(&["arm", "a", "b", "c", "d", "e"]);
        let rows: Vec<Vec<String>> = (0..3)
            .map(|i| {
                let mut r = vec![format!("arm_{i}")];
                r.extend((0..5).map(|_| value.to_string()));
                r
            })
            .collect();
        let out = fit_tables(vec![Block::Table(header, rows)]);
        assert!(out.len() >= 2, "{} parts", out.len());
        let mut seen = Vec::new();
        for b in &out {
            let Block::Table(h, r) = b else {
                panic!("not a table")
            };
            let width: usize = (0..h.len()).map(|c| column_width(h, r, c)).sum();
            assert!(width <= PAGE, "part {h:?} is {width} wide");
            assert!(h[0].starts_with("arm"), "{h:?}");
            assert_eq!(r[2][0], "arm_2");
            seen.extend(h[1..].iter().cloned());
        }
        assert_eq!(seen, s(&["a", "b", "c", "d", "e"]));
        // A narrow table is left alone.
        let narrow = vec![Block::Table(s(&["k", "v"]), vec![s(&["x", "1"])])];
        assert_eq!(fit_tables(narrow).len(), 1);
    }
}
