//! The shape of the code: no function in `src/` over [`MAX_FN_LINES`] lines unless its doc
//! comment says why ("long because ..."). Long functions hide their steps; a reader (and a
//! reviewer of the next lever or metric) should meet named pieces instead.
//!
//! Functions are found by rustfmt's layout, not parsed: one starts at a line that is
//! `[pub[(..)] ][const ][async ][unsafe ]fn name` after its indentation, and ends at the first
//! later line that is that indentation followed by `}`. Its length counts both lines.

use std::fs;
use std::path::{Path, PathBuf};

/// Longest function allowed without a reason, in lines (signature to closing brace).
const MAX_FN_LINES: usize = 150;

/// Functions (file relative to the crate root, function name; `None`: every function of the
/// file) that may still be long.
const ALLOWED: &[(&str, Option<&str>)] = &[];

/// One function as found in a file.
#[derive(Debug)]
struct Function {
    name: String,
    /// 1-based line of the signature.
    line: usize,
    /// Lines from the signature to the closing brace, both included.
    length: usize,
    /// The `///` lines directly above it (attributes between them and it skipped), joined.
    doc: String,
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The function name if `line` starts a function in rustfmt's layout, with its indentation.
fn function_start(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    let mut rest = rest;
    if let Some(after) = rest.strip_prefix("pub") {
        if let Some(after) = after.strip_prefix(' ') {
            rest = after;
        } else if after.starts_with('(') {
            let close = after.find(") ")?;
            rest = &after[close + 2..];
        } else {
            return None;
        }
    }
    for qualifier in ["const ", "async ", "unsafe "] {
        if let Some(after) = rest.strip_prefix(qualifier) {
            rest = after;
        }
    }
    let rest = rest.strip_prefix("fn ")?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| (indent, &rest[..end]))
}

/// The `///` lines directly above line `start` (0-based), skipping attributes.
fn doc_above(lines: &[&str], start: usize) -> String {
    let mut doc = Vec::new();
    for line in lines[..start].iter().rev() {
        let t = line.trim();
        if let Some(text) = t.strip_prefix("///") {
            doc.push(text.trim());
        } else if !(t.starts_with("#[") || t.starts_with(')') || t.starts_with(']')) {
            break;
        }
    }
    doc.reverse();
    doc.join(" ")
}

/// Every function with a body in `text`.
fn functions(text: &str) -> Vec<Function> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, name)) = function_start(line) else {
            continue;
        };
        // The signature ends at the line that opens the body (`{`), declares without one
        // (`;`, in a trait) or holds the whole body (`fn f() {}`).
        let Some(open) = (i..lines.len()).find(|&j| {
            let t = lines[j].trim_end();
            t.ends_with('{') || t.ends_with(';') || t.ends_with('}')
        }) else {
            continue;
        };
        let t = lines[open].trim_end();
        let end = if t.ends_with(';') {
            continue;
        } else if t.ends_with('}') {
            open
        } else {
            let closing = format!("{indent}}}");
            match (open + 1..lines.len()).find(|&j| lines[j].trim_end() == closing) {
                Some(j) => j,
                None => panic!("no closing `{closing}` for fn {name} at line {}", i + 1),
            }
        };
        out.push(Function {
            name: name.to_string(),
            line: i + 1,
            length: end - i + 1,
            doc: doc_above(&lines, i),
        });
    }
    out
}

/// Whether a doc comment gives a reason for the length: "long because" and then words.
fn says_why_long(doc: &str) -> bool {
    let doc = doc.to_lowercase();
    doc.find("long because")
        .is_some_and(|at| doc[at + "long because".len()..].trim().len() >= 10)
}

fn allowed(file: &str, name: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(f, n)| *f == file && n.is_none_or(|n| n == name))
}

#[test]
fn no_function_in_src_is_over_150_lines_without_a_reason() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(
        files.len() > 10,
        "found only {} files under src/",
        files.len()
    );
    let mut too_long = Vec::new();
    let mut found = 0;
    for path in &files {
        let text = fs::read_to_string(path).unwrap();
        let file = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for f in functions(&text) {
            found += 1;
            if f.length > MAX_FN_LINES && !says_why_long(&f.doc) && !allowed(&file, &f.name) {
                too_long.push(format!(
                    "{file}:{}: fn {} is {} lines (at most {MAX_FN_LINES}, or say in its doc \
                     why it is \"long because ...\")",
                    f.line, f.name, f.length
                ));
            }
        }
    }
    assert!(found > 100, "found only {found} functions under src/");
    assert!(
        too_long.is_empty(),
        "functions too long:\n{}",
        too_long.join("\n")
    );
}

#[test]
fn function_lengths_follow_rustfmt_layout() {
    let text = "\
/// Short.
pub(crate) fn a() -> u32 {
    1
}

impl X {
    /// Long because it is a test of the reason check.
    #[inline]
    pub const fn b(
        x: u32,
    ) -> u32 {
        let s = \"}\";
        x
    }
    fn c() {}
}

trait T {
    fn d(&self);
    fn e(&self) {
        f()
    }
}
";
    let found: Vec<(String, usize, usize)> = functions(text)
        .into_iter()
        .map(|f| (f.name, f.line, f.length))
        .collect();
    let want = [("a", 2, 3), ("b", 9, 6), ("c", 15, 1), ("e", 20, 3)];
    let want: Vec<(String, usize, usize)> = want
        .iter()
        .map(|(n, l, len)| (n.to_string(), *l, *len))
        .collect();
    assert_eq!(found, want);
    let docs: Vec<bool> = functions(text)
        .iter()
        .map(|f| says_why_long(&f.doc))
        .collect();
    assert_eq!(docs, [false, true, false, false]);
    assert!(!says_why_long("long because"));
    assert!(function_start("    // fn not_code() {").is_none());
    assert!(function_start("pub(in crate::x) fn y() {") == Some(("", "y")));
}
