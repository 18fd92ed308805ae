//! National scale and cores (issue 16), each as a ratio measured in one run:
//!
//! * **England × 200 against 200 baseline replications.** One replication of
//!   `scenarios/england_2003.toml` (the NHS baseline with every count and capacity × 200:
//!   ~3.3 million persons alive, 6.4 million created over the run) on one thread, against
//!   200 replications of `scenarios/nhs_2003_baseline.toml` one after the other on one
//!   thread: the same simulated work, so the ratio is what scale costs (cache and TLB
//!   misses on a patient table of ~100 MB). Target: within 1.5×.
//! * **Peak memory per person** of the England-scale replication: the process's peak
//!   resident memory (`VmHWM`, measured first, before anything else is allocated) over the
//!   most persons alive at once (the patient table's slots) and over the persons created.
//!   Target: under 120 bytes per person alive.
//! * **2 threads against 1** on 64 replications of the baseline through the experiment path
//!   (plan, parallel chunks, results in order). Target: at least 1.9×.
//! * **What the machine allows two threads**, the ceiling for that ratio: the same work
//!   as two independent streams that share nothing (each thread its own simulator and its
//!   own 32 replications, no runner, no results handed on) against one stream alone; and
//!   the hand-written loop of `benches/hand_written.rs` (100,000 patients) the same way. If
//!   two streams that share nothing are slowed down when run at once, the cores share
//!   something (cache, memory bandwidth, a physical core under the virtual machine's two
//!   vCPUs), and no runner can reach 2× there; the runner's efficiency is its speed-up
//!   over that ceiling.
//!
//! Each pair is timed two or three times, alternating, and the fastest of each kept (the machines this
//! runs on are shared virtual machines whose speed drifts by 10–20% from minute to minute).
//! Slow (about 4 minutes), so not a criterion benchmark: `cargo bench --bench scale`.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

mod hand_written;

use caresim::experiment::{NoProgress, Plan, replication_seeds, run_plan};
use caresim::model::Sim;
use caresim::scenario;

fn load(path: &str) -> scenario::Scenario {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("bundled scenario")
}

/// Peak resident memory of this process so far, bytes (Linux; 0 elsewhere).
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

/// One England-scale replication: its time, slots (most alive at once) and persons created.
fn england(s: &scenario::Scenario) -> (Duration, usize, usize) {
    let mut sim = Sim::new(&s.params);
    let start = Instant::now();
    black_box(sim.run(&replication_seeds(s.seed, 0)));
    let took = start.elapsed();
    (
        took,
        sim.world().patients.len(),
        sim.world().patient_count(),
    )
}

/// `reps` baseline replications one after the other on one thread.
fn baseline(s: &scenario::Scenario, reps: u32) -> Duration {
    let mut sim = Sim::new(&s.params);
    let start = Instant::now();
    for r in 0..reps {
        black_box(sim.run(&replication_seeds(s.seed, r)));
    }
    start.elapsed()
}

/// `reps` baseline replications through the experiment path on `threads` threads.
fn parallel(s: &scenario::Scenario, reps: u32, threads: usize) -> Duration {
    let plan = Plan::single(s, s.seed, reps);
    let start = Instant::now();
    let mut admissions = 0u64;
    run_plan(&plan, 0..plan.items(), threads, &NoProgress, |r| {
        admissions += r.tally.admissions;
        Ok(())
    })
    .expect("runs");
    black_box(admissions);
    start.elapsed()
}

/// Speed-up of `streams` run on two threads at once over one of them alone: 2 × (time of
/// one alone) / (wall time of two at once), the fastest of three alternating rounds each.
/// Nothing is shared between the two threads but the machine.
fn ceiling(stream: impl Fn() + Sync) -> (f64, Duration, Duration) {
    let (mut alone, mut paired) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        let start = Instant::now();
        stream();
        alone.push(start.elapsed());
        let start = Instant::now();
        std::thread::scope(|scope| {
            scope.spawn(&stream);
            scope.spawn(&stream);
        });
        paired.push(start.elapsed());
    }
    let one = *alone.iter().min().expect("three runs");
    let two = *paired.iter().min().expect("three runs");
    (2.0 * one.as_secs_f64() / two.as_secs_f64(), one, two)
}

fn main() {
    // `cargo bench` passes `--bench`; one optional filter: `scale` or `threads` runs only
    // that half (`cargo bench --bench scale -- threads`).
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let baseline_s = load("scenarios/nhs_2003_baseline.toml");
    if only.as_deref() != Some("threads") {
        scale(&baseline_s);
    }
    if only.as_deref() != Some("scale") {
        threads(&baseline_s);
    }
}

/// England × 200 against 200 baseline replications, and peak memory per person.
fn scale(baseline_s: &scenario::Scenario) {
    let england_s = load("scenarios/england_2003.toml");

    let (first, slots, created) = england(&england_s);
    let peak = peak_rss();
    let base_first = baseline(baseline_s, 200);
    let (second, _, _) = england(&england_s);
    let base_second = baseline(baseline_s, 200);
    let big = first.min(second);
    let small = base_first.min(base_second);
    println!(
        "England x 200, one replication, one thread: {big:.2?} (runs {first:.2?}, {second:.2?})"
    );
    println!(
        "NHS baseline, 200 replications, one thread:  {small:.2?} (runs {base_first:.2?}, {base_second:.2?})"
    );
    println!(
        "scale ratio: {:.2}x (target 1.5x)",
        big.as_secs_f64() / small.as_secs_f64()
    );
    println!(
        "peak memory {:.0} MB: {:.0} bytes per person alive ({slots} at most), {:.0} per person created ({created}) (target 120 per person alive)",
        peak as f64 / 1e6,
        peak as f64 / slots as f64,
        peak as f64 / created as f64,
    );
}

/// 2 threads against 1 through the runner, and the machine's ceiling for that ratio.
fn threads(baseline_s: &scenario::Scenario) {
    // Three alternating rounds: a single pair has differed by 40% on the shared machine.
    let reps = 64;
    let (mut ones, mut twos) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        ones.push(parallel(baseline_s, reps, 1));
        twos.push(parallel(baseline_s, reps, 2));
    }
    let one = *ones.iter().min().expect("three runs");
    let two = *twos.iter().min().expect("three runs");
    println!(
        "NHS baseline, {reps} replications: 1 thread {one:.2?} (runs {ones:.2?}), 2 threads {two:.2?} (runs {twos:.2?})"
    );
    let speedup = one.as_secs_f64() / two.as_secs_f64();
    println!(
        "thread speed-up: {speedup:.2}x on {} cores (target 1.9x)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );

    let (sims, one, two) = ceiling(|| {
        black_box(baseline(baseline_s, reps / 2));
    });
    println!(
        "ceiling, caresim without the runner: {} replications alone {one:.2?}, two such streams at once {two:.2?}: {sims:.2}x",
        reps / 2
    );
    let (loops, one, two) = ceiling(|| {
        for seed in 0..4 {
            black_box(hand_written::run(100_000, 340, 250, seed));
        }
    });
    println!(
        "ceiling, hand-written loop (100k, 4 replications): alone {one:.2?}, two at once {two:.2?}: {loops:.2}x"
    );
    println!(
        "runner efficiency: {:.0}% of what two independent caresim streams reach on this machine",
        100.0 * speedup / sims
    );
}
