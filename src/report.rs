//! `report.md` and a self-contained `report.html` for a result folder: the scenario, the
//! results with CIs, the comparison or sweep table, the charts, a model description following
//! the STRESS-DES reporting checklist (Monks et al. 2019: objectives, logic, data,
//! experimentation, implementation, code access), and the resolved parameters with units.
//!
//! Everything comes from the folder's saved files (`manifest.json`, `timing.json`,
//! `summary.csv`, `comparison.csv`, `sweep.csv`, `charts/`), so a report can be made at any
//! time after a run. The document is built once as blocks and rendered twice, as Markdown
//! and as HTML with the charts embedded as base64 PNGs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::chart::{self, Arm, ChartError, Kind, money, thousands};
use crate::model::catalogue;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder's results could not be read.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A file could not be read or written.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// One block of the document.
enum Block {
    Heading(usize, String),
    Para(String),
    Table(Vec<String>, Vec<Vec<String>>),
    /// A chart: its title, its path (inside the result folder) and its PNG bytes.
    Image(String, PathBuf, Vec<u8>),
    /// A warning box: its heading, its items and what they mean.
    Warning(String, Vec<String>, String),
}

/// The mark of a table row or column of results with no steady state.
const MARK: &str = "⚠ ";

/// The warning about runs, arms or sweep points with replications that reached no steady
/// state (issue 11, defect 7), if any: which, which pools, in what share of replications,
/// and what it means.
fn unstable_warning(kind: &Kind, flagged: &[chart::Flagged]) -> Option<Block> {
    if flagged.is_empty() {
        return None;
    }
    let items = flagged
        .iter()
        .map(|f| {
            format!(
                "{}: no steady state in {} of replications (by pool: {})",
                f.label,
                chart::percent(f.unstable.share),
                f.unstable.pools_text()
            )
        })
        .collect();
    let (what, then) = match kind {
        Kind::Run(_) => ("This run", ""),
        Kind::Compare { .. } => (
            "Some arms of this comparison",
            " Differences from such an arm grow with the horizon too.",
        ),
        Kind::Sweep { points, .. } => (
            if flagged.len() == points.len() {
                "Every point of this sweep"
            } else {
                "Some points of this sweep"
            },
            " Read the sweep for where the flag clears.",
        ),
    };
    Some(Block::Warning(
        format!("{MARK}No steady state: results that grow with the horizon"),
        items,
        format!(
            "{what} had replications in which a pool (the acute beds or a community service) never reached a steady state: it was full on at least 99% of the census days of the last third of the observed period, and its mean waiting line in the second half of that third was at least 5% and one patient longer than in the first. Demand there exceeds capacity, so its waits, delays and bed-days (and the costs that follow them) depend on the horizon — a longer run gives larger numbers — not on the system, and their confidence intervals describe the run length. Do not read them as the system's performance: compare stable alternatives, or add capacity (beds or places) until the flag clears.{then} Marked {MARK}in the tables and charts below; `unstable` and `unstable_<pool>` in `runs.csv` give each replication's flags."
        ),
    ))
}

/// Mark the rows (first cell) and columns (header) of the result `tables` that name a
/// `flagged` arm or sweep point; a sweep's point table also gains the share of replications
/// with no steady state.
fn mark_unstable(tables: &mut [Block], kind: &Kind, flagged: &[chart::Flagged]) {
    if flagged.is_empty() {
        return;
    }
    let names: Vec<String> = match kind {
        Kind::Sweep { .. } => flagged.iter().map(|f| f.index.to_string()).collect(),
        _ => flagged.iter().map(|f| f.label.clone()).collect(),
    };
    for b in tables {
        let Block::Table(header, rows) = b else {
            continue;
        };
        for h in header.iter_mut().skip(1) {
            if names.contains(h) {
                h.insert_str(0, MARK);
            }
        }
        let sweep =
            matches!(kind, Kind::Sweep { .. }) && header.first().is_some_and(|h| h == "point");
        if sweep {
            header.push("no steady state (share of replications)".into());
        }
        for row in rows.iter_mut() {
            let Some(first) = row.first_mut() else {
                continue;
            };
            let hit = flagged.iter().zip(&names).find(|(_, n)| *n == first);
            if sweep {
                let share = hit.map_or("none".to_string(), |(f, _)| {
                    format!(
                        "{} ({})",
                        chart::percent(f.unstable.share),
                        f.unstable.pools_text()
                    )
                });
                if hit.is_some() {
                    first.insert_str(0, MARK);
                }
                row.push(share);
            } else if hit.is_some() {
                first.insert_str(0, MARK);
            }
        }
    }
}

/// Charts larger than this are not embedded.
const MAX_CHART_BYTES: u64 = 32 << 20;

/// The bytes of the chart `f` if it may be embedded: a regular file (not a symlink) inside
/// the result folder `root` (canonical) and not too large; otherwise why not.
fn chart_bytes(root: &Path, f: &Path) -> Result<Result<Vec<u8>, &'static str>, ReportError> {
    let err = |e: std::io::Error| ReportError::File {
        path: f.to_path_buf(),
        message: e.to_string(),
    };
    let meta = std::fs::symlink_metadata(f).map_err(err)?;
    if meta.file_type().is_symlink() {
        return Ok(Err("it is a symbolic link"));
    }
    if !meta.is_file() {
        return Ok(Err("it is not a regular file"));
    }
    // The folders on the way (`charts` itself) may be links: the file must resolve inside.
    if !f.canonicalize().map_err(err)?.starts_with(root) {
        return Ok(Err("it lies outside the result folder"));
    }
    if meta.len() > MAX_CHART_BYTES {
        return Ok(Err("it is larger than 32 MiB"));
    }
    std::fs::read(f).map(Ok).map_err(err)
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

fn read_json(path: &Path) -> Result<serde_json::Value, ReportError> {
    let err = |message: String| ReportError::File {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

/// The key results reported (the catalogue's [`REPORT_KEY`](catalogue::REPORT_KEY)), with
/// their labels and how to show them.
fn key() -> impl Iterator<Item = (&'static str, &'static str, Fmt)> {
    catalogue::REPORT_KEY
        .into_iter()
        .map(|m| (m, catalogue::metric(m).label, fmt_of(m)))
}

/// How the report writes the numbers of metric `m`, from the catalogue.
fn fmt_of(m: &str) -> Fmt {
    match catalogue::metric(m).format {
        catalogue::Format::Count => Fmt::Count,
        catalogue::Format::Money => Fmt::Money,
        catalogue::Format::Small | catalogue::Format::Share => Fmt::Small,
    }
}

#[derive(Clone, Copy)]
enum Fmt {
    Count,
    Small,
    Money,
}

fn show(v: f64, f: Fmt) -> String {
    match f {
        Fmt::Count => thousands(v, 0),
        Fmt::Small => thousands(v, 2),
        Fmt::Money => money(v),
    }
}

fn with_ci(e: (f64, f64, f64), f: Fmt) -> String {
    if e.1 == e.0 && e.2 == e.0 {
        show(e.0, f)
    } else {
        format!("{} ({} to {})", show(e.0, f), show(e.1, f), show(e.2, f))
    }
}

/// Unit of a resolved parameter, from its key.
fn unit(path: &str) -> &'static str {
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = if key.chars().all(|c| c.is_ascii_digit()) {
        path.rsplit('.').nth(1).unwrap_or(key)
    } else {
        key
    };
    match key {
        k if k.ends_with("_per_day") => "per day",
        "bed_day_cost" => "£ per occupied bed-day",
        "day_cost" => "£ per occupied place-day",
        "review_cost" => "£ per review",
        "urgent_contact_cost" => "£ per contact",
        "diversion_cost" => "£ per diversion",
        "outpatient_attendance_cost" => "£ per attendance",
        "management_cost_per_year" => "£ per patient-year",
        "outreach_cost_per_year" => "£ per year",
        k if k.contains("cost") => "£",
        k if k.ends_with("_days") || k == "day" || k == "peak_day" || k == "max_delay_days" => {
            "days"
        }
        "beds" => "beds",
        "capacity" => "places",
        "patients" => "patients",
        "catchment" => "people",
        "admit"
        | "in_hospital_death"
        | "probability"
        | "eligible_by_condition"
        | "share_by_condition" => "probability",
        "shares" => "share of the cohort",
        k if k.ends_with("_multiplier") || k == "frailty_cv" || k == "amplitude" => "ratio",
        "attendances_per_referral" => "attendances",
        _ => "",
    }
}

/// Flatten JSON into (dotted path, value) rows.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        serde_json::Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let items: Vec<String> = a.iter().map(scalar).collect();
            out.push((prefix.to_string(), format!("[{}]", items.join(", "))));
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                // Name list items by their `name` when they have one.
                let label = x
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map_or(i.to_string(), String::from);
                flatten(&format!("{prefix}.{label}"), x, out);
            }
        }
        x => out.push((prefix.to_string(), scalar(x))),
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map_or(n.to_string(), |f| {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                thousands(f, 0)
            } else {
                format!("{}", (f * 1e6).round() / 1e6)
            }
        }),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        x => x.to_string(),
    }
}

fn results_table(arms: &[&Arm]) -> Block {
    let mut header = vec!["result (over the observed period; mean and 95% CI)".to_string()];
    header.extend(arms.iter().map(|a| a.name.clone()));
    let rows = key()
        .filter(|(m, _, _)| arms.iter().any(|a| a.summary.contains_key(*m)))
        .map(|(m, label, f)| {
            let mut row = vec![label.to_string()];
            row.extend(
                arms.iter()
                    .map(|a| a.summary.get(m).map_or("—".into(), |e| with_ci(*e, f))),
            );
            row
        })
        .collect::<Vec<_>>();
    let mut rows = rows;
    // Replications with no steady state, when any arm had them.
    if arms.iter().any(|a| a.unstable().is_some()) {
        let mut row = vec!["replications with no steady state (by pool)".to_string()];
        row.extend(arms.iter().map(|a| {
            a.unstable().map_or("none".into(), |u| {
                format!("{MARK}{} ({})", chart::percent(u.share), u.pools_text())
            })
        }));
        rows.push(row);
    }
    Block::Table(header, rows)
}

/// Build the document for the result folder `dir`.
fn document(dir: &Path) -> Result<Vec<Block>, ReportError> {
    let kind = chart::load_kind(dir)?;
    let manifest_dir = match &kind {
        Kind::Compare { arms, .. } => dir.join(&arms[0].name),
        _ => dir.to_path_buf(),
    };
    let manifest = read_json(&manifest_dir.join("manifest.json"))?;
    let timing = read_json(&manifest_dir.join("timing.json")).ok();
    let sc = &manifest["scenario"];
    let params = &sc["params"];
    let name = sc["name"].as_str().unwrap_or("scenario");
    let mut doc = Vec::new();
    let title = match &kind {
        Kind::Run(_) => format!("caresim report: {name}"),
        Kind::Compare { arms, .. } => format!(
            "caresim report: {} alternatives compared with {name}",
            arms.len() - 1
        ),
        Kind::Sweep { points, .. } => {
            format!("caresim report: sweep of {name} ({} points)", points.len())
        }
    };
    doc.push(Block::Heading(1, title));
    doc.push(Block::Para(
        sc["description"].as_str().unwrap_or("").to_string(),
    ));
    let horizon = params["horizon_days"].as_f64().unwrap_or(0.0);
    let warmup = params["warmup_days"].as_f64().unwrap_or(0.0);
    let reps = manifest["replications"].as_u64().unwrap_or(0);
    let seed = manifest["seed"].as_u64().unwrap_or(0);
    doc.push(Block::Para(format!(
        "{reps} replications of {} simulated days each ({} of warm-up excluded from every statistic), base seed {seed}. Counts and costs are totals over the {} observed days; ranges are 95% confidence intervals of the mean across replications (Student's t).",
        thousands(horizon, 0),
        thousands(warmup, 0),
        thousands(horizon - warmup, 0)
    )));

    let flagged = chart::flagged(&kind);
    doc.extend(unstable_warning(&kind, &flagged));

    // Results.
    doc.push(Block::Heading(2, "Results".into()));
    let results_start = doc.len();
    match &kind {
        Kind::Run(arm) => doc.push(results_table(&[arm])),
        Kind::Compare { arms, changes } => {
            doc.push(results_table(&arms.iter().collect::<Vec<_>>()));
            doc.push(Block::Heading(2, format!("Change from {}", arms[0].name)));
            doc.push(Block::Para(
                "Alternative minus base, paired by replication (common random numbers), with the 95% CI of the mean difference and the relative change with its 95% CI (Fieller's interval for the ratio of the means, which allows for the uncertainty of the base mean; unbounded when the base mean is not clearly different from 0).".into(),
            ));
            let mut header = vec!["alternative".to_string()];
            let metrics = catalogue::KEY_CHANGES;
            header.extend(metrics.iter().map(|m| m.replace('_', " ")));
            let rows = arms[1..]
                .iter()
                .map(|a| {
                    let mut row = vec![a.name.clone()];
                    for m in metrics {
                        let f = fmt_of(m);
                        let cell = changes
                            .iter()
                            .find(|c| c.alternative == a.name && c.metric == m)
                            .map_or("—".into(), |c| {
                                let rel = c
                                    .relative
                                    .map(|r| {
                                        if r.1.is_finite() && r.2.is_finite() {
                                            format!(
                                                "; {:+.1}% ({:+.1}% to {:+.1}%)",
                                                r.0 * 100.0,
                                                r.1 * 100.0,
                                                r.2 * 100.0
                                            )
                                        } else {
                                            format!("; {:+.1}% (CI unbounded)", r.0 * 100.0)
                                        }
                                    })
                                    .unwrap_or_default();
                                format!("{}{rel}", with_ci(c.difference, f))
                            });
                        row.push(cell);
                    }
                    row
                })
                .collect();
            doc.push(Block::Table(header, rows));
            // Across replications (each a draw of the uncertain parameters, if any).
            doc.push(Block::Heading(
                3,
                "Cost-effectiveness across replications".into(),
            ));
            doc.push(Block::Para(
                "Share of the paired replications in which each alternative saves acute bed-days, saves money, or both (dominates the base). With uncertain parameters each replication is one draw of them, so these are probabilistic sensitivity results (see the cost-effectiveness plane).".into(),
            ));
            let base_runs = &arms[0].runs;
            let rows = arms[1..]
                .iter()
                .map(|a| {
                    let col = |r: &std::collections::BTreeMap<String, Vec<f64>>, m: &str| {
                        r.get(m).cloned().unwrap_or_default()
                    };
                    let (bb, bc) = (
                        col(base_runs, "acute_bed_days"),
                        col(base_runs, "total_cost"),
                    );
                    let (ab, ac) = (col(&a.runs, "acute_bed_days"), col(&a.runs, "total_cost"));
                    let n = bb.len().min(ab.len()).max(1) as f64;
                    let mut counts = [0usize; 3];
                    for i in 0..bb.len().min(ab.len()) {
                        let saves_beds = ab[i] < bb[i];
                        let saves_money = ac[i] < bc[i];
                        counts[0] += usize::from(saves_beds);
                        counts[1] += usize::from(saves_money);
                        counts[2] += usize::from(saves_beds && saves_money);
                    }
                    let pct = |k: usize| format!("{:.0}%", 100.0 * counts[k] as f64 / n);
                    vec![a.name.clone(), pct(0), pct(1), pct(2)]
                })
                .collect();
            doc.push(Block::Table(
                vec![
                    "alternative".into(),
                    "saves bed-days".into(),
                    "saves money".into(),
                    "both (dominant)".into(),
                ],
                rows,
            ));
        }
        Kind::Sweep {
            columns, points, ..
        } => {
            let mut header: Vec<String> = vec!["point".into()];
            header.extend(columns.iter().cloned());
            header.extend(
                catalogue::SWEPT
                    .iter()
                    .map(|m| catalogue::metric(m).short.to_string()),
            );
            let rows = points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut row = vec![i.to_string()];
                    row.extend(p.values.iter().map(|v| format!("{v}")));
                    for (m, f) in catalogue::SWEPT.map(|m| (m, fmt_of(m))) {
                        row.push(p.metrics.get(m).map_or("—".into(), |e| with_ci(*e, f)));
                    }
                    row
                })
                .collect();
            doc.push(Block::Table(header, rows));
        }
    }

    mark_unstable(&mut doc[results_start..], &kind, &flagged);

    // Charts.
    let charts = dir.join("charts");
    if charts.is_dir() {
        doc.push(Block::Heading(2, "Charts".into()));
        let mut files: Vec<PathBuf> = std::fs::read_dir(&charts)
            .map_err(|e| ReportError::File {
                path: charts.clone(),
                message: e.to_string(),
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .collect();
        files.sort();
        // Only regular files inside the folder are embedded: a chart linked to a file
        // elsewhere is named, not copied into the report.
        let root = dir.canonicalize().map_err(|e| ReportError::File {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        for f in files {
            let title = f
                .file_stem()
                .map(|s| s.to_string_lossy().replace('_', " "))
                .unwrap_or_default();
            match chart_bytes(&root, &f)? {
                Ok(bytes) => doc.push(Block::Image(title, f, bytes)),
                Err(why) => {
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().replace('`', "'"))
                        .unwrap_or_default();
                    doc.push(Block::Para(format!(
                        "Chart `charts/{name}` not included: {why} (only regular files inside the result folder are)."
                    )));
                }
            }
        }
    } else {
        doc.push(Block::Para(
            "No charts: run `caresim plot` on this folder first to include them.".into(),
        ));
    }

    // STRESS-DES.
    doc.push(Block::Heading(2, "Model description (STRESS-DES)".into()));
    let names = |key: &str| -> Vec<String> {
        params[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let conditions = names("conditions");
    let services: Vec<String> = params["services"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    format!(
                        "{} ({} places, {}-based, paid by {})",
                        s["name"].as_str().unwrap_or("?"),
                        scalar(&s["capacity"]),
                        s["setting"].as_str().unwrap_or("bed"),
                        s["payer"].as_str().unwrap_or("?").replace('_', " ")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let levers: Vec<String> = params["levers"]["applied"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let uncertain: Vec<String> = sc["uncertain"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|u| format!("{} ~ {}", u["path"].as_str().unwrap_or("?"), u["dist"]))
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Heading(3, "1. Objectives".into()));
    doc.push(Block::Para(format!(
        "To estimate the use and cost of acute, community and primary care by people with chronic disease in the health economy described as “{}”{}. Main outputs: emergency admissions, acute bed-days (and per 1,000 population), delayed-discharge bed-days, waits for a bed, 30-day readmissions, community place-days and costs by setting and payer.",
        sc["description"].as_str().unwrap_or(name),
        match &kind {
            Kind::Compare { arms, .. } => format!(
                ", and how they change under {}",
                arms[1..].iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Kind::Sweep { columns, .. } => format!(", and their sensitivity to {}", columns.join(", ")),
            Kind::Run(_) => String::new(),
        }
    )));
    doc.push(Block::Heading(3, "2. Logic".into()));
    doc.push(Block::Para(format!(
        "A discrete-event simulation in continuous time (days). Each patient has a condition ({}), an age band, a risk tier, a frailty multiplier and a count of prior admissions, and is at home, waiting for a bed, in an acute bed, a delayed discharge (medically fit, holding a bed while waiting for a community place), in a community service, out of area, or dead. At home, exacerbations occur at a rate set by condition, tier, frailty, admission history, a post-discharge window and season; each becomes an admission request with the condition's probability, or an urgent primary-care contact. Requests take a free acute bed ({} beds; when none is free they {}); at the end of a stay the patient dies, goes home, or needs a community service: {}. A full service makes the patient a delayed discharge, first come first served. Reviews and outpatient referrals are counted from person-days at home. Policy levers applied: {}.",
        conditions.join(", "),
        scalar(&params["acute"]["beds"]),
        if params["acute"]["when_full"] == "divert" { "are admitted out of area" } else { "queue first come first served" },
        if services.is_empty() { "none".to_string() } else { services.join("; ") },
        if levers.is_empty() { "none".to_string() } else { levers.join(", ") }
    )));
    doc.push(Block::Heading(3, "3. Data".into()));
    let files: Vec<String> = sc["files"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    format!(
                        "{} (SHA-256 {})",
                        f["path"].as_str().unwrap_or("?"),
                        f["sha256"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    doc.push(Block::Para(format!(
        "All inputs come from the scenario files {} — every number there is commented with its source (see the domain brief's tags: [S] seen in a source, [S2] secondary, [R] recalled, [E] an estimate for modelling). The resolved parameters are listed at the end of this report. Uncertain parameters, sampled once per replication: {}.",
        files.join(", "),
        if uncertain.is_empty() { "none".to_string() } else { uncertain.join("; ") }
    )));
    doc.push(Block::Heading(3, "4. Experimentation".into()));
    doc.push(Block::Para(format!(
        "{reps} replications per {}, {} simulated days each with a warm-up of {} days (the model starts empty: beds and services fill during it), base seed {seed}. Random numbers come from streams derived from (seed, replication, purpose) and, for each patient's own course, per-patient counter-based streams, so replication r uses the same random numbers in every arm and point (common random numbers) and results do not depend on the number of threads. Confidence intervals are Student's t intervals of the mean across replications; differences between arms are paired by replication.{}",
        match &kind { Kind::Sweep { .. } => "sweep point", Kind::Compare { .. } => "arm", Kind::Run(_) => "scenario" },
        thousands(horizon, 0),
        thousands(warmup, 0),
        match &kind {
            Kind::Sweep { points, columns, .. } => format!(" The sweep varies {} over {} points.", columns.join(", "), points.len()),
            _ => String::new(),
        }
    )));
    doc.push(Block::Heading(3, "5. Implementation".into()));
    doc.push(Block::Para(format!(
        "caresim {} (Rust): a calendar event queue, Pcg64Mcg and SplitMix64 generators, replications in parallel with rayon.{}",
        manifest["tool_version"].as_str().unwrap_or("?"),
        timing
            .as_ref()
            .map(|t| format!(
                " This run: {} threads, {} s wall time.",
                t["threads"],
                t["wall_time_seconds"].as_f64().map_or("?".into(), |w| format!("{w:.1}"))
            ))
            .unwrap_or_default()
    )));
    doc.push(Block::Heading(3, "6. Code access".into()));
    doc.push(Block::Para(format!(
        "caresim version {}; the command that produced these results was `{}`. The same command with the same scenario files reproduces them byte for byte (manifest.json records the file hashes).",
        manifest["tool_version"].as_str().unwrap_or("?"),
        timing
            .as_ref()
            .and_then(|t| t["command"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")))
            .unwrap_or_else(|| "(not recorded)".into())
    )));

    // Parameters.
    doc.push(Block::Heading(2, format!("Resolved parameters of {name}")));
    doc.push(Block::Para(
        "As the model ran them (rates per day, durations in days, costs in £).".into(),
    ));
    let mut rows = Vec::new();
    flatten("", params, &mut rows);
    doc.push(Block::Table(
        vec!["parameter".into(), "value".into(), "unit".into()],
        rows.into_iter()
            .map(|(p, v)| {
                let u = unit(&p).to_string();
                vec![p, v, u]
            })
            .collect(),
    ));
    Ok(doc)
}

fn markdown(doc: &[Block], dir: &Path) -> String {
    let mut s = String::new();
    for b in doc {
        match b {
            Block::Heading(l, t) => writeln!(s, "{} {t}\n", "#".repeat(*l)),
            Block::Para(t) => writeln!(s, "{t}\n"),
            Block::Table(h, rows) => {
                let esc = |c: &String| c.replace('|', "\\|");
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

fn html(doc: &[Block]) -> Result<String, ReportError> {
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
    Ok(s)
}

/// Write `report.md` and `report.html` into the result folder `dir`; returns their paths.
///
/// # Errors
/// If the folder's results cannot be read or the files cannot be written.
pub fn write(dir: &Path) -> Result<(PathBuf, PathBuf), ReportError> {
    let doc = document(dir)?;
    let md = dir.join("report.md");
    let page = dir.join("report.html");
    let fail = |path: &Path, e: crate::output::OutputError| ReportError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    crate::output::atomic_write(&md, markdown(&doc, dir).as_bytes()).map_err(|e| fail(&md, e))?;
    crate::output::atomic_write(&page, html(&doc)?.as_bytes()).map_err(|e| fail(&page, e))?;
    Ok((md, page))
}
