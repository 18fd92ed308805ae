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

/// The page's style: readable on screen, and printable on A4 (tables are split to fit it
/// before they get here, see [`super::layout`]): numbers right-aligned and never broken,
/// long words in text cells broken rather than widening the page, figures kept whole.
const STYLE: &str = "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}
h1{font-size:1.6em}
p,li{overflow-wrap:break-word}
table{border-collapse:collapse;margin:1em 0;font-size:0.8em}
th,td{border:1px solid #bbb;padding:0.3em 0.5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef}
td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.summary{border-left:6px solid #0072b2;background:#f3f8fc;padding:0.4em 1em;margin:1em 0}
.warning{border:3px solid #c00;background:#fff0f0;padding:0.2em 1em;margin:1em 0}
.warning strong{color:#c00}
tr.unstable td{background:#fff0f0}
tr.unstable td:first-child{color:#c00;font-weight:bold}
figure{margin:0.5em 0 1.5em}
img{max-width:100%;border:1px solid #ddd}
code{background:#f4f4f4;padding:0 0.2em;overflow-wrap:anywhere}
@page{size:A4;margin:10mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}h2{break-before:auto}table,figure{break-inside:auto}tr,img{break-inside:avoid}a{color:inherit}}
";

/// A table cell: numbers right-aligned with true minus signs, text with a break allowed
/// after each `_` (scenario names), line breaks kept.
fn cell(tag: &str, c: &str) -> String {
    if super::layout::is_numeric(c) {
        let lines: Vec<String> = super::layout::minus_signs(c).lines().map(inline).collect();
        format!("<{tag} class=\"num\">{}</{tag}>", lines.join("<br>"))
    } else {
        let lines: Vec<String> = c
            .lines()
            .map(|l| inline(l).replace('_', "_<wbr>"))
            .collect();
        format!("<{tag}>{}</{tag}>", lines.join("<br>"))
    }
}

/// `**text**` spans (already escaped) as `strong` elements.
fn bold(t: &str) -> String {
    let mut out = String::new();
    for (i, part) in t.split("**").enumerate() {
        if i % 2 == 1 {
            write!(out, "<strong>{part}</strong>").ok();
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
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        html_escape(&title)
    );
    for b in doc {
        match b {
            Block::Heading(l, t) => writeln!(s, "<h{l}>{}</h{l}>", inline(t)),
            Block::Para(t) => writeln!(s, "<p>{}</p>", bold(&inline(t))),
            Block::Table(h, rows) => {
                s.push_str("<table>\n<tr>");
                for c in h {
                    s.push_str(&cell("th", c));
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
                        s.push_str(&cell("td", c));
                    }
                    s.push_str("</tr>\n");
                }
                writeln!(s, "</table>")
            }
            Block::Summary(items) => {
                s.push_str("<div class=\"summary\">\n<ul>\n");
                for i in items {
                    writeln!(s, "<li>{}</li>", bold(&inline(i))).ok();
                }
                writeln!(s, "</ul>\n</div>")
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
