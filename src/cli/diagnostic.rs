//! How a failed command's error is printed on standard error (`--message-format`).
//!
//! Every error starts as one line per problem, `error: file:line:col: key.path: message`,
//! which scripts and tests parse. In the `human` format (the default), a problem located in
//! a file is followed by that line of the file with the problem underlined, as rustc shows
//! code (drawn by `annotate-snippets`), because the people who write scenario files are
//! analysts rather than programmers (issue 18). `short` is the one-line form only; `json`
//! is one object per problem for scripts and editors (fields in README.md, "Error
//! messages"). Errors with no place in a file (options, folders, run failures) are the
//! same one-line form in `human` and `short`.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use caresim::Error;
use caresim::scenario::Problem;

use super::args::MessageFormat;

/// `e` and its causes, outermost first.
pub fn chain(e: &Error) -> impl Iterator<Item = &(dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e as &(dyn std::error::Error + 'static)), |c| {
        c.source()
    })
}

/// Print `e` on standard error in `format`.
pub fn print(e: &Error, format: MessageFormat) {
    match (format, e.problems()) {
        (MessageFormat::Human, Some(problems)) => {
            super::term::err(format_args!("{}", human(problems, use_colour())));
        }
        (MessageFormat::Json, Some(problems)) => {
            for p in problems {
                errln!("{}", json(p));
            }
        }
        (MessageFormat::Json, None) => {
            for line in text(e).lines() {
                errln!("{}", json_unlocated(line));
            }
        }
        (MessageFormat::Human | MessageFormat::Short, _) => {
            // One problem per line, each prefixed, so multi-problem errors stay readable.
            for line in text(e).lines() {
                errln!("error: {line}");
            }
        }
    }
}

/// The chain of causes, each once, joined by `: `: many errors already say their cause in
/// their own message, and printing it again would double it.
fn text(e: &Error) -> String {
    let mut text = String::new();
    for cause in chain(e) {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// Colour only for a person at a terminal, and never when `NO_COLOR` is set (no-color.org).
fn use_colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Each problem as its one-line form and, when it has a place in a readable file, the line
/// there with the problem underlined; a blank line between problems (as rustc). Ends with
/// a newline.
fn human(problems: &[Problem], colour: bool) -> String {
    let renderer = if colour {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut files: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    let mut out = String::new();
    // Whether the last problem was shown with its line: it and the next are then set apart.
    let mut shown_line = false;
    for (i, p) in problems.iter().enumerate() {
        let line = p.to_string();
        let excerpt = p
            .location
            .filter(|_| !line.contains('\n'))
            .and_then(|start| {
                let text = files
                    .entry(p.file.clone())
                    .or_insert_with(|| read(&p.file))
                    .as_deref()?;
                Excerpt::of(text, start, p.end)
            });
        if i > 0 && (shown_line || excerpt.is_some()) {
            out.push('\n');
        }
        shown_line = excerpt.is_some();
        let Some(x) = excerpt else {
            for l in line.lines() {
                out.push_str("error: ");
                out.push_str(l);
                out.push('\n');
            }
            continue;
        };
        let report = [Level::ERROR.primary_title(line.as_str()).element(
            Snippet::source(x.source)
                .line_start(x.line)
                .annotation(AnnotationKind::Primary.span(x.span)),
        )];
        out.push_str(&renderer.render(&report));
        out.push('\n');
    }
    out
}

/// The file's text, if it is still a regular file that can be read (the problem is shown
/// without its line if not; a named pipe is never opened, as it could block).
fn read(path: &Path) -> Option<String> {
    let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
    regular
        .then(|| std::fs::read_to_string(path).ok())
        .flatten()
}

/// One line of a file and the byte range to underline in it.
#[derive(Debug, PartialEq)]
struct Excerpt<'a> {
    /// The line, without its line ending.
    source: &'a str,
    /// Its 1-based number.
    line: usize,
    /// The bytes to underline, within `source`.
    span: std::ops::Range<usize>,
}

impl<'a> Excerpt<'a> {
    /// The line of `text` at 1-based `(line, column)` (column in characters), underlined
    /// from there to `end` (or to the line's end, if `end` is on a later line; one character
    /// if unknown). `None` for a line the file does not have or a blank one (a problem at
    /// the end of a file), which would show nothing.
    fn of(text: &'a str, (line, col): (usize, usize), end: Option<(usize, usize)>) -> Option<Self> {
        let source = text.split('\n').nth(line.checked_sub(1)?)?;
        let source = source.strip_suffix('\r').unwrap_or(source);
        if source.trim().is_empty() {
            return None;
        }
        let byte = |c: usize| {
            source
                .char_indices()
                .nth(c.saturating_sub(1))
                .map_or(source.len(), |(b, _)| b)
        };
        let start = byte(col);
        let stop = match end {
            Some((l, c)) if l == line => byte(c).max(start),
            Some((l, _)) if l > line => source.len(),
            _ => source[start..]
                .chars()
                .next()
                .map_or(start, |ch| start + ch.len_utf8()),
        };
        Some(Excerpt {
            source,
            line,
            span: start..stop,
        })
    }
}

/// One located problem as a JSON object (one line; fields in README.md).
fn json(p: &Problem) -> String {
    serde_json::json!({
        "severity": "error",
        "file": p.file.display().to_string(),
        "line": p.location.map(|l| l.0),
        "column": p.location.map(|l| l.1),
        "end_line": p.end.map(|l| l.0),
        "end_column": p.end.map(|l| l.1),
        "key": (!p.field.is_empty()).then_some(p.field.as_str()),
        "message": p.message,
        "text": p.to_string(),
    })
    .to_string()
}

/// An error with no place in a file (a bad option, a folder, a run failure) as a JSON
/// object of the same shape, its location fields null.
fn json_unlocated(message: &str) -> String {
    serde_json::json!({
        "severity": "error",
        "file": null,
        "line": null,
        "column": null,
        "end_line": null,
        "end_column": null,
        "key": null,
        "message": message,
        "text": message,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(location: Option<(usize, usize)>, end: Option<(usize, usize)>) -> Problem {
        Problem {
            file: PathBuf::from("does/not/exist.toml"),
            location,
            end,
            field: "acute.beds".into(),
            message: "must be at least 1, got 0".into(),
        }
    }

    #[test]
    fn excerpt_is_the_line_underlined_from_start_to_end() {
        let text = "[acute]\r\nbeds = \"many\"\r\n";
        let x = Excerpt::of(text, (2, 8), Some((2, 14))).unwrap();
        assert_eq!((x.source, x.line, x.span), ("beds = \"many\"", 2, 7..13));
        // An end on a later line: to the end of this one; no end: one character.
        assert_eq!(Excerpt::of(text, (1, 1), Some((3, 1))).unwrap().span, 0..7);
        assert_eq!(Excerpt::of(text, (1, 2), None).unwrap().span, 1..2);
        // Columns count characters, spans bytes.
        let x = Excerpt::of("cost = \"£5\" x\n", (1, 13), Some((1, 14))).unwrap();
        assert_eq!(x.span, 13..14);
        // Nothing to show past the end or on a blank line.
        assert_eq!(Excerpt::of(text, (3, 1), None), None);
        assert_eq!(Excerpt::of(text, (9, 1), None), None);
    }

    #[test]
    fn human_keeps_the_one_line_form_first_and_underlines_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        std::fs::write(&file, "[acute]\nbeds = 0\n").unwrap();
        let p = Problem {
            file: file.clone(),
            ..problem(Some((2, 8)), Some((2, 9)))
        };
        let shown = human(&[p.clone(), problem(None, None)], false);
        let expected = format!(
            "error: {}:2:8: acute.beds: must be at least 1, got 0\n  |\n2 | beds = 0\n  |        ^\n\n\
             error: does/not/exist.toml: acute.beds: must be at least 1, got 0\n",
            file.display()
        );
        assert_eq!(shown, expected);
        // A file that cannot be read: the one-line form alone.
        assert_eq!(
            human(&[problem(Some((2, 8)), None)], false),
            "error: does/not/exist.toml:2:8: acute.beds: must be at least 1, got 0\n"
        );
    }

    #[test]
    fn json_has_every_field_and_null_where_unknown() {
        let v: serde_json::Value =
            serde_json::from_str(&json(&problem(Some((2, 8)), Some((2, 9))))).unwrap();
        assert_eq!(v["severity"], "error");
        assert_eq!(v["file"], "does/not/exist.toml");
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(2), Some(8))
        );
        assert_eq!(
            (v["end_line"].as_u64(), v["end_column"].as_u64()),
            (Some(2), Some(9))
        );
        assert_eq!(v["key"], "acute.beds");
        assert_eq!(v["message"], "must be at least 1, got 0");
        assert_eq!(
            v["text"],
            "does/not/exist.toml:2:8: acute.beds: must be at least 1, got 0"
        );
        let v: serde_json::Value = serde_json::from_str(&json_unlocated("no such folder")).unwrap();
        assert!(v["file"].is_null() && v["line"].is_null() && v["key"].is_null());
        assert_eq!(v["message"], "no such folder");
    }
}
