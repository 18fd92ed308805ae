//! Speed of the event loop (issue 2 §8).
//!
//! * `reference/caresim_100k`: one replication of `scenarios/reference_chronic_flow.toml`
//!   (N = 100,000, 10 years), one thread, simulator allocated once as in a real run.
//! * `reference/caresim_1m`: the same model at N = 1,000,000 (`benches/reference_1m.toml`).
//! * `reference/hand_written_100k`, `reference/hand_written_1m`: the limit (issue 16): the
//!   same model as one hand-written single-purpose loop (`benches/hand_written.rs`: its own
//!   calendar queue, one pending event per patient, struct-of-arrays state, reviews as one
//!   Poisson draw, as caresim does; ixa's `reference_sir` idea), at 100,000 and 1,000,000
//!   patients. Measured in the same group as `caresim_*`, so the ratio is what caresim's
//!   generality costs over bare code. `tests/integration/hand_written.rs` checks that its
//!   outputs agree with caresim's.
//! * `queue/*`: the classic hold model (pop the earliest event, push one a random
//!   exponential gap later) at 100k and 1M pending events: calendar queue vs binary heap,
//!   the measurement behind the choice of queue.
//!
//! * `outcomes/off`, `outcomes/on`: one replication of the reference scenario without
//!   discounting or utilities, and with utilities by condition and state (the quality
//!   integral) and every priced integral discounted at 3.5%: the ratio is what outcomes cost
//!   the event loop (issue 14: within 10%).
//!
//! * `scaling/threads_1`, `scaling/threads_2`: 16 replications of
//!   `scenarios/nhs_2003_baseline.toml` through the whole experiment path (plan, parallel
//!   chunks, results in order) on 1 and on 2 threads; the ratio is the multi-core speed-up.
//!
//! Run: `cargo bench --bench engine` (or `-- scaling` for one group).

mod hand_written;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use caresim::engine::EventQueue;
use caresim::experiment::replication_seeds;
use caresim::model::Sim;
use caresim::scenario;
use criterion::{Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

fn load(path: &str) -> scenario::Scenario {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("bundled scenario")
}

fn reference(c: &mut Criterion) {
    let mut g = c.benchmark_group("reference");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, path) in [
        ("caresim_100k", "scenarios/reference_chronic_flow.toml"),
        ("caresim_1m", "benches/reference_1m.toml"),
    ] {
        let s = load(path);
        let mut sim = Sim::new(&s.params);
        let mut rep = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                black_box(sim.run(&replication_seeds(s.seed, rep)))
            });
        });
    }
    for (name, n, beds, places) in [
        ("hand_written_100k", 100_000, 340, 250),
        ("hand_written_1m", 1_000_000, 3_400, 2_500),
    ] {
        let mut rep = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                black_box(hand_written::run(n, beds, places, rep))
            });
        });
    }
    g.finish();
}

fn queue(c: &mut Criterion) {
    const OPS: usize = 1_000_000;
    let mut g = c.benchmark_group("queue");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .throughput(criterion::Throughput::Elements(OPS as u64));
    for n in [100_000usize, 1_000_000] {
        // Mean gap chosen so that about 1,233 events fire per day per 100k, as in the
        // reference scenario.
        let mean_gap = 81.0;
        let mut rng = Pcg64Mcg::seed_from_u64(1);
        let mut calendar: EventQueue<u32> =
            EventQueue::with_hint(n as f64 / mean_gap, n, f64::INFINITY);
        let mut heap: BinaryHeap<Reverse<(u64, u64, u32)>> = BinaryHeap::with_capacity(n);
        for i in 0..n {
            let t: f64 = Exp1.sample(&mut rng);
            calendar.push(t * mean_gap, i as u32);
            heap.push(Reverse(((t * mean_gap).to_bits(), i as u64, i as u32)));
        }
        g.bench_function(format!("calendar_hold_{n}"), |b| {
            b.iter(|| {
                for _ in 0..OPS {
                    let s = calendar.pop().expect("never empty");
                    let gap: f64 = Exp1.sample(&mut rng);
                    calendar.push(s.time + gap * mean_gap, s.event);
                }
            });
        });
        let mut seq = n as u64;
        g.bench_function(format!("binary_heap_hold_{n}"), |b| {
            b.iter(|| {
                for _ in 0..OPS {
                    let Reverse((tb, _, id)) = heap.pop().expect("never empty");
                    let gap: f64 = Exp1.sample(&mut rng);
                    let t = f64::from_bits(tb) + gap * mean_gap;
                    heap.push(Reverse((t.to_bits(), seq, id)));
                    seq += 1;
                }
            });
        });
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    let s = load("scenarios/nhs_2003_baseline.toml");
    let plan = caresim::experiment::Plan::single(&s, s.seed, 16);
    for threads in [1, 2] {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let mut n = 0u64;
                caresim::experiment::run_plan(
                    &plan,
                    0..plan.items(),
                    threads,
                    &caresim::experiment::NoProgress,
                    |r| {
                        n += r.tally.admissions;
                        Ok(())
                    },
                )
                .expect("runs");
                black_box(n)
            });
        });
    }
    g.finish();
}

fn outcomes(c: &mut Criterion) {
    let mut g = c.benchmark_group("outcomes");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    let s = load("scenarios/reference_chronic_flow.toml");
    let mut off = s.params.clone();
    off.economics.discount_rate = 0.0;
    off.economics.utilities_given = false;
    let mut on = s.params.clone();
    on.economics.discount_rate = 0.035;
    on.economics.utilities_given = true;
    on.economics.utility_by_band.fill(0.75);
    on.economics.acute_utility_multiplier = 0.6;
    on.conditions[0].utility_multiplier = 0.9;
    on.conditions[0].admission_qaly_loss = 0.01;
    on.services[0].utility_multiplier = 0.95;
    for (name, params) in [("off", &off), ("on", &on)] {
        let mut sim = Sim::new(params);
        let mut rep = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                black_box(sim.run(&replication_seeds(s.seed, rep)))
            });
        });
    }
    g.finish();
}

criterion_group!(benches, reference, queue, outcomes, scaling);
criterion_main!(benches);
