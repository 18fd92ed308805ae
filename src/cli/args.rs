//! Command-line arguments (clap derive).

use std::path::PathBuf;

use clap::{Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

/// caresim: a fast, reproducible discrete-event simulator of a chronic-care health economy.
///
/// Scenario files are TOML (see README.md for every key).
#[derive(Debug, Parser)]
#[command(
    name = "caresim",
    version = caresim::build_info::LONG_VERSION,
    about,
    long_about = None,
    after_help = after_help(),
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// How errors are shown: `human` (each problem in a file with its line, underlined),
    /// `short` (one `file:line:col: key: message` line each) or `json` (one JSON object
    /// per line, for scripts and editors).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        value_name = "FORMAT"
    )]
    pub message_format: MessageFormat,
}

/// How errors are printed on standard error (`--message-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MessageFormat {
    /// The one-line form, then the line of the file with the problem underlined.
    #[default]
    Human,
    /// The one-line form only: `error: file:line:col: key.path: message`.
    Short,
    /// One JSON object per error: see README.md ("Error messages").
    Json,
}

/// caresim's exit codes and what each means: under `caresim --help` and in the man pages
/// (EXIT STATUS).
pub const EXIT_CODES: [(u8, &str); 3] = [
    (
        0,
        "success; also when the reader of standard output stops early (`caresim validate *.toml | head -1`)",
    ),
    (1, "a run or I/O failure (an unwritable or full disk)"),
    (
        2,
        "bad input: arguments, a scenario or sweep file, CARESIM_THREADS, an output folder or file that exists or that caresim may not replace, a locked or changed journal",
    ),
];

/// The environment variables caresim reads: under `caresim --help` and in the man pages
/// (ENVIRONMENT).
pub const ENVIRONMENT: [(&str, &str); 1] = [(
    "CARESIM_THREADS",
    "worker threads of run, compare and sweep when --threads is not given: a whole number, 0 = one per core (also when unset or empty)",
)];

/// The text under `caresim --help`: [`EXIT_CODES`] and [`ENVIRONMENT`], each entry's text
/// wrapped to 80 columns under its hanging indent.
fn after_help() -> String {
    fn entries(out: &mut String, title: &str, items: &[(String, &str)]) {
        let indent = items.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 4;
        out.push_str(title);
        out.push_str(":\n");
        for (key, text) in items {
            let mut line = format!("  {key:<width$}", width = indent - 2);
            let mut words = 0;
            for word in text.split(' ') {
                if words > 0 && line.len() + 1 + word.len() > 80 {
                    out.push_str(&line);
                    out.push('\n');
                    line = " ".repeat(indent);
                    words = 0;
                }
                if words > 0 {
                    line.push(' ');
                }
                line.push_str(word);
                words += 1;
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    let mut out = String::new();
    let codes: Vec<(String, &str)> = EXIT_CODES
        .iter()
        .map(|(c, t)| (c.to_string(), *t))
        .collect();
    entries(&mut out, "Exit codes", &codes);
    out.push('\n');
    let vars: Vec<(String, &str)> = ENVIRONMENT
        .iter()
        .map(|(v, t)| ((*v).to_string(), *t))
        .collect();
    entries(&mut out, "Environment", &vars);
    out.trim_end().to_string()
}

/// Parse the command line into [`Cli`], with the exit codes and environment under every
/// subcommand's `--help` as well as under `caresim --help` (after the subcommand's own
/// text): a user reads `caresim run --help`, rarely the top-level help. Clap exits with
/// code 2 on bad arguments. The man pages build their own EXIT STATUS and ENVIRONMENT
/// sections from `Cli::command()`, which does not have these additions.
pub fn parse() -> Cli {
    let cmd = Cli::command().mut_subcommands(|sub| {
        let text = match sub.get_after_help() {
            Some(own) => format!("{own}\n\n{}", after_help()),
            None => after_help(),
        };
        sub.after_help(text)
    });
    Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run replications of one scenario and write results to output/<name>/.
    Run(RunArgs),
    /// Run a base scenario and alternatives with common random numbers and write each
    /// alternative's difference from the base, paired by replication, with 95% CIs.
    Compare(CompareArgs),
    /// Run every point of a sweep file (a grid or one-way sensitivity) as one parallel job.
    Sweep(SweepArgs),
    /// Combine the shard folders of a `--shard I/N` run into the single-machine result.
    Merge(MergeArgs),
    /// Write Slurm batch scripts that run a scenario or sweep as an array of shards and
    /// merge them; with --submit, submit both.
    Slurm(SlurmArgs),
    /// Show how far the shards of a result folder have got, what Slurm says of their jobs,
    /// and how to resubmit the rest.
    Status(StatusArgs),
    /// Redraw the charts of a result folder (run, compare or sweep) from its saved files.
    Plot(PlotArgs),
    /// Write report.md and a self-contained report.html for a result folder.
    Report(ReportArgs),
    /// Parse and check scenario files without running them.
    Validate(ValidateArgs),
    /// Print a shell completion script to standard output.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output, or write caresim.1 and a page per
    /// subcommand into a folder.
    Man(ManArgs),
    /// List the metrics of the result files with their labels and units (the catalogue).
    Metrics(MetricsArgs),
    /// Print the JSON Schema of scenario (default) or sweep files, for editors' TOML
    /// language servers (Taplo, Even Better TOML): key completion, docs on hover, errors
    /// while typing.
    Schema(SchemaArgs),
}

/// `caresim completions`
#[derive(Debug, Args)]
#[command(after_help = "Install, e.g.:
  caresim completions bash > ~/.local/share/bash-completion/completions/caresim
  caresim completions zsh > ~/.zfunc/_caresim    (with fpath+=~/.zfunc before compinit)
  caresim completions fish > ~/.config/fish/completions/caresim.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    pub shell: clap_complete::Shell,
}

/// `caresim man`
#[derive(Debug, Args)]
#[command(after_help = "Install, e.g.:
  caresim man --out ~/.local/share/man/man1    (then: man caresim, man caresim-run)")]
pub struct ManArgs {
    /// Write caresim.1 and caresim-<subcommand>.1 into this folder (made if missing)
    /// instead of printing caresim.1; a file there is replaced only if caresim wrote it.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `caresim schema`
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which file format.
    #[arg(value_enum, default_value_t = SchemaKind::Scenario)]
    pub kind: SchemaKind,
}

/// The file formats `caresim schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// Scenario files (`scenarios/*.toml`, and the files that extend them).
    Scenario,
    /// Sweep files (`scenario = "..."` and `[parameters]`).
    Sweep,
}

/// `caresim plot`
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// A result folder written by run, compare, sweep or merge.
    pub dir: PathBuf,
}

/// `caresim report`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A result folder written by run, compare, sweep or merge.
    pub dir: PathBuf,
}

/// How many replications: a number, or `auto` (add batches until precise enough).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reps {
    /// Exactly this many.
    Fixed(u32),
    /// Batches of 10, 10, 20, 40, ... until `--precision` is reached or `--max-reps`.
    Auto,
}

/// The most replications per point any command accepts.
pub const MAX_REPS: u32 = 1_000_000;

fn parse_reps(s: &str) -> Result<Reps, String> {
    if s == "auto" {
        return Ok(Reps::Auto);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=MAX_REPS).contains(&n) => Ok(Reps::Fixed(n)),
        _ => Err(format!(
            "expected a number of replications from 1 to {MAX_REPS}, or `auto`; got {s:?}"
        )),
    }
}

/// The fewest replications `--max-reps` may allow: `--reps auto`'s first batch.
pub const MIN_AUTO_REPS: u32 = 10;

fn parse_max_reps(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if (MIN_AUTO_REPS..=MAX_REPS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of replications from {MIN_AUTO_REPS} to {MAX_REPS}, got {s:?}: --reps auto runs a first batch of {MIN_AUTO_REPS} replications before it judges the precision (fewer give no useful confidence interval), so the cap cannot be below it; for fewer, give the number itself, e.g. --reps 5"
        )),
    }
}

/// `I/N`: shard I (1-based) of N (the library's type, parsed here).
pub use caresim::experiment::shards::Shard;

fn parse_shard(s: &str) -> Result<Shard, String> {
    let err = || format!("expected I/N with 1 ≤ I ≤ N, e.g. 2/8, got {s:?}");
    let (i, n) = s.split_once('/').ok_or_else(err)?;
    let (index, count) = (
        i.trim().parse::<u32>().map_err(|_| err())?,
        n.trim().parse::<u32>().map_err(|_| err())?,
    );
    if index == 0 || index > count {
        return Err(err());
    }
    Ok(Shard { index, count })
}

/// Options shared by `run`, `compare` and `sweep`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Base random seed [default: the scenario's simulation.seed].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; 0 = one per core. Results do not depend on it. [default:
    /// $CARESIM_THREADS, else 0]
    #[arg(long)]
    pub threads: Option<usize>,
    /// Result folder [default: output/<scenario name>, output/sweep_<name> for sweeps, and
    /// <out>.shard-I-of-N for shards].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists, and discard an unfinished run's journal
    /// that does not match this command.
    #[arg(long)]
    pub force: bool,
    /// No progress bar, summary or notes: only the result folder's path, on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run only shard I of N of the work (a deterministic slice of points × replications);
    /// combine the shard folders with `caresim merge`.
    #[arg(long, value_parser = parse_shard, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Do not draw charts into <out>/charts/.
    #[arg(long)]
    pub no_charts: bool,
}

/// How many replications `run` and `compare` run.
#[derive(Debug, Args)]
pub struct RepsArgs {
    /// Replications (of every arm), or `auto` [default: the (base) scenario's
    /// simulation.replications].
    #[arg(long, value_parser = parse_reps)]
    pub reps: Option<Reps>,
    /// With `--reps auto`: stop when the 95% CI half-width of admissions, acute bed-days
    /// and total cost is within this fraction of their means (in every arm).
    /// [default: 0.05]
    #[arg(long)]
    pub precision: Option<f64>,
    /// With `--reps auto`: the most replications to run, 10 to 1000000 [default: 1000].
    #[arg(long, value_parser = parse_max_reps)]
    pub max_reps: Option<u32>,
}

/// `caresim run`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// How many replications.
    #[command(flatten)]
    pub count: RepsArgs,
    /// Shared options.
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `caresim sweep`
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Sweep file (TOML): the scenario, the design and the parameters' values.
    pub sweep: PathBuf,
    /// Replications per point [default: the sweep file's, else the scenario's].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_REPS as i64))]
    pub reps: Option<u32>,
    /// Shared options.
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `caresim merge`
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shard folders written by `--shard I/N` runs (all N of them).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Result folder [default: the folder the shards were named after].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the result folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// No summary: only the result folder's path, on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts into <out>/charts/.
    #[arg(long)]
    pub no_charts: bool,
}

/// `caresim slurm`
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// Scenario file, or sweep file with `--sweep`.
    pub file: PathBuf,
    /// The file is a sweep file.
    #[arg(long)]
    pub sweep: bool,
    /// Number of shards (array tasks), at most 10000 and at most the runs to share out
    /// (points × replications).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub shards: u32,
    /// Replications (per point) [default: the scenario's or sweep's].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub reps: Option<u32>,
    /// Base random seed [default: the scenario's or sweep's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Result folder of the merged run [default: as `run`/`sweep`].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// CPUs per array task (its worker threads), 1 to 1024.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub cpus_per_task: u32,
    /// Time limit per task, as Slurm takes it: minutes, minutes:seconds,
    /// hours:minutes:seconds, days-hours, days-hours:minutes, days-hours:minutes:seconds or
    /// UNLIMITED; or `auto`: time a few replications here and allow each shard twice the
    /// time they imply plus 5 minutes.
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition, or a comma-separated list (letters, digits, `_`, `-`, `.`) [default: the
    /// cluster's default].
    #[arg(long)]
    pub partition: Option<String>,
    /// Account to charge (letters, digits, `_`, `-`, `.`) [default: the user's default].
    #[arg(long)]
    pub account: Option<String>,
    /// Quality of service (letters, digits, `_`, `-`, `.`) [default: the cluster's default].
    #[arg(long)]
    pub qos: Option<String>,
    /// Memory per array task, as Slurm takes it: a whole number with an optional unit K, M, G
    /// or T (megabytes without one), e.g. 4G [default: the partition's default].
    #[arg(long)]
    pub mem: Option<String>,
    /// Time limit of the merge job, in --time's syntax [default: 5 minutes + 10 ms per
    /// replication + 0.1 s per shard, rounded up to the minute: the merge reads every
    /// replication's record once].
    #[arg(long, value_name = "TIME")]
    pub merge_time: Option<String>,
    /// Memory of the merge job, in --mem's syntax [default: the partition's default, not
    /// --mem's: the merge streams the shards' records and keeps only running summaries (it
    /// peaked at 19-25 MB here with 400 to 1,600 replications, charts included), so any
    /// cluster's default per-job memory is enough and asking for none is accepted
    /// everywhere].
    #[arg(long, value_name = "MEM")]
    pub merge_mem: Option<String>,
    /// Another sbatch option for both jobs, as one word, e.g. --sbatch-arg=--constraint=avx2
    /// (repeatable; options caresim sets itself are refused).
    #[arg(long, value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_arg: Vec<String>,
    /// Write the array job's script here instead of standard output, and the merge job's
    /// beside it (`job.sh` -> `job.merge.sh`).
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Write the scripts (by default `<out>.slurm.sh` and `<out>.slurm.merge.sh`), then submit
    /// the array job and the merge job that waits for it, and print their job ids.
    #[arg(long)]
    pub submit: bool,
}

/// `caresim status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The result folder of a sharded run (its `--out`): its shards lie beside it.
    pub dir: PathBuf,
}

/// `caresim compare`
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base scenario, then one or more alternatives (TOML).
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    /// How many replications of every arm (at least 2).
    #[command(flatten)]
    pub count: RepsArgs,
    /// Shared options (`--seed` defaults to the base scenario's simulation.seed; `--out` to
    /// output/compare_<base name>).
    #[command(flatten)]
    pub exec: ExecArgs,
}

/// `caresim validate`
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print each scenario as resolved after `extends`.
    #[arg(long)]
    pub resolved: bool,
}

/// `caresim metrics`
#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Metric names to describe, including per-service ones such as
    /// `community_days_care_home` (default: every metric, services as `<service>`).
    pub names: Vec<String>,
    /// Print JSON (an array of {name, label, unit, format, can_be_negative, by_year}).
    #[arg(long)]
    pub json: bool,
}
