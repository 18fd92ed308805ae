//! The HTML rendering of the report: one self-contained page, charts embedded as base64
//! PNGs.

use std::fmt::Write as _;

use base64::Engine as _;

use super::{Block, MARK};

/// `t` with the characters HTML gives meaning to escaped.
fn html_escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline `code` spans as HTML `code` elements.
fn inline(t: &str) -> String {
    let e = html_escape(t);
    let mut out = String::new();
    for (i, part) in e.split('`').enumerate() {
        if i % 2 == 1 {
            write!(out, "<code>{part}</code>").ok();
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The document as one HTML page.
pub(super) fn html(doc: &[Block]) -> String {
    let title = doc
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody{{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}}\ntable{{border-collapse:collapse;margin:1em 0;font-size:0.92em}}\nth,td{{border:1px solid #bbb;padding:0.3em 0.6em;text-align:left;vertical-align:top}}\nth{{background:#eef}}\n.warning{{border:3px solid #c00;background:#fff0f0;padding:0.2em 1em;margin:1em 0}}\n.warning strong{{color:#c00}}\ntr.unstable td{{background:#fff0f0}}\ntr.unstable td:first-child{{color:#c00;font-weight:bold}}\nimg{{max-width:100%;border:1px solid #ddd;margin:0.5em 0 1.5em}}\ncode{{background:#f4f4f4;padding:0 0.2em}}\n</style>\n</head>\n<body>\n",
        html_escape(&title)
    );
    for b in doc {
        match b {
            Block::Heading(l, t) => writeln!(s, "<h{l}>{}</h{l}>", inline(t)),
            Block::Para(t) => writeln!(s, "<p>{}</p>", inline(t)),
            Block::Table(h, rows) => {
                s.push_str("<table>\n<tr>");
                for c in h {
                    write!(s, "<th>{}</th>", inline(c)).ok();
                }
                s.push_str("</tr>\n");
                for r in rows {
                    let flagged = r.first().is_some_and(|c| c.starts_with(MARK));
                    s.push_str(if flagged {
                        "<tr class=\"unstable\">"
                    } else {
                        "<tr>"
                    });
                    for c in r {
                        write!(s, "<td>{}</td>", inline(c)).ok();
                    }
                    s.push_str("</tr>\n");
                }
                writeln!(s, "</table>")
            }
            Block::Warning(head, items, meaning) => {
                write!(
                    s,
                    "<div class=\"warning\" role=\"alert\">\n<p><strong>{}</strong></p>\n<ul>\n",
                    inline(head)
                )
                .ok();
                for i in items {
                    writeln!(s, "<li>{}</li>", inline(i)).ok();
                }
                writeln!(s, "</ul>\n<p>{}</p>\n</div>", inline(meaning))
            }
            Block::Image(t, _, bytes) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                writeln!(
                    s,
                    "<figure><img alt=\"{0}\" src=\"data:image/png;base64,{b64}\"><figcaption>{0}</figcaption></figure>",
                    html_escape(t)
                )
            }
        }
        .expect("writing to a string");
    }
    s.push_str("</body>\n</html>\n");
    s
}
