//! The Markdown rendering of the report.

use std::fmt::Write as _;
use std::path::Path;

use super::Block;

/// The document as Markdown; chart links are relative to the result folder `dir`.
pub(super) fn markdown(doc: &[Block], dir: &Path) -> String {
    let mut s = String::new();
    for b in doc {
        match b {
            Block::Heading(l, t) => writeln!(s, "{} {t}\n", "#".repeat(*l)),
            Block::Para(t) => writeln!(s, "{t}\n"),
            Block::Table(h, rows) => {
                let esc = |c: &String| {
                    let c = if super::layout::is_numeric(c) {
                        super::layout::minus_signs(c)
                    } else {
                        c.clone()
                    };
                    c.replace('|', "\\|").replace('\n', "<br>")
                };
                writeln!(
                    s,
                    "| {} |",
                    h.iter().map(esc).collect::<Vec<_>>().join(" | ")
                )
                .ok();
                writeln!(s, "|{}", "---|".repeat(h.len())).ok();
                for r in rows {
                    writeln!(
                        s,
                        "| {} |",
                        r.iter().map(esc).collect::<Vec<_>>().join(" | ")
                    )
                    .ok();
                }
                writeln!(s)
            }
            Block::Image(t, p, _) => {
                // Images come from the folder's `charts/`: the link is relative to it.
                let rel = p.strip_prefix(dir).unwrap_or(p);
                let alt: String = t
                    .chars()
                    .filter(|c| !matches!(c, '[' | ']' | '\\'))
                    .collect();
                writeln!(s, "![{alt}]({})\n", link_target(rel))
            }
            Block::Summary(items) => {
                for i in items {
                    writeln!(s, "- {i}").ok();
                }
                writeln!(s)
            }
            Block::Warning(head, items, meaning) => {
                writeln!(s, "> **{head}**\n>").ok();
                for i in items {
                    writeln!(s, "> - {i}").ok();
                }
                writeln!(s, ">\n> {meaning}\n")
            }
        }
        .expect("writing to a string");
    }
    s
}

/// `p` as a Markdown link target: characters other than letters, digits, `/`, `.`, `_` and
/// `-` percent-encoded, so no name can end the link or point elsewhere.
fn link_target(p: &Path) -> String {
    let mut s = String::new();
    for b in p.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-') {
            s.push(char::from(b));
        } else {
            write!(s, "%{b:02X}").expect("writing to a string");
        }
    }
    s
}
