//! Benchmark: the explorer's engine on two programs, sequential and parallel, natively: for
//! each, the states, the median time, states per second, and how much faster the parallel run is.
//! Run with `cargo bench -p interleave-core --bench explorer`; prints figures, asserts nothing
//! about time, and writes them to the workspace's `target/explorer-bench-native.json` for
//! `tests/e2e/bench.mjs` to compare with the browser. The programs are the files in
//! `benches/programs/`, which the browser benchmark types into the widget. An argument keeps only the programs whose name contains it (`-- tso`); `REPEAT=n`
//! in the environment sets the runs per figure (default 15). Beside each median it prints the
//! best run: on a shared machine the slower runs mostly measure other work (as Python's `timeit`
//! notes), so the best is the fairer figure of the engine, the median the likelier one.
//!
//! The programs:
//! - `4x4`: four threads each running `x = x + 1` four times (no lock), with symmetry reduction:
//!   193,828 states, 99,561,092,450,391,000 schedules.
//! - `tso 3x3`: store buffering under `memory tso` in a ring of three threads: thread `i` writes
//!   its own variable three times (1, 2, 3), then reads the next thread's variable and keeps what
//!   it saw in a shared result. The writes wait in store buffers, so a thread may read 0 while
//!   every other thread has already written: outcomes `sc` cannot reach. No two threads run the
//!   same code, so symmetry reduction merges nothing: every state is a distinct row of 30 words.

use std::time::Instant;

use interleave_core::explorer::{explore, parse, ExploreControl, Limits, Program, Report};

/// Four threads, four unlocked increments each.
fn increments() -> String {
    include_str!("programs/increments-4x4.txt").into()
}

/// Store buffering in a ring of three threads, three writes each, then one read (see the top).
fn store_buffering() -> String {
    include_str!("programs/store-buffering-ring.txt").into()
}

/// Milliseconds of one exploration, with its report.
fn timed(program: &Program, control: &ExploreControl<'_>) -> (f64, Report) {
    let start = Instant::now();
    let report = explore(program, &Limits::default(), control).expect("explores within the default limits");
    (start.elapsed().as_secs_f64() * 1000.0, report)
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// A loop of `n` steps that needs no memory: the ceiling of what two threads can gain here.
fn spin(n: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    std::hint::black_box(x)
}

/// How much faster the pool runs two independent loops than one thread runs both (medians of
/// `repeat` turns): what this machine gives a job with nothing shared at all.
fn ceiling(repeat: usize) -> f64 {
    const STEPS: u64 = 20_000_000;
    let (mut one, mut two) = (Vec::new(), Vec::new());
    for _ in 0..repeat {
        let start = Instant::now();
        spin(STEPS);
        spin(STEPS);
        one.push(start.elapsed().as_secs_f64());
        let start = Instant::now();
        rayon::join(|| spin(STEPS), || spin(STEPS));
        two.push(start.elapsed().as_secs_f64());
    }
    median(one) / median(two)
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_default();
    let repeat = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(15usize).max(1);
    let workers = rayon::current_num_threads();
    let mut figures = Vec::new();
    let before = ceiling(repeat);
    for (name, source) in [("4x4", increments()), ("tso 3x3", store_buffering())] {
        if !name.contains(&filter) {
            continue;
        }
        let program = parse(&source).expect("the benchmark program parses");
        let modes = [ExploreControl::sequential(), ExploreControl::parallel()];
        // Warm up once, then alternate the two modes, so that a machine busy with other work
        // slows both alike.
        let (_, report) = timed(&program, &modes[0]);
        assert_eq!(timed(&program, &modes[1]).1, report, "parallel and sequential reports differ");
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..repeat {
            for (mode, control) in modes.iter().enumerate() {
                times[mode].push(timed(&program, control).0);
            }
        }
        let best = |t: &Vec<f64>| t.iter().copied().fold(f64::INFINITY, f64::min);
        let [seq_best, par_best] = [best(&times[0]), best(&times[1])];
        let [sequential, parallel] = times.map(median);
        let per_second = |ms: f64| report.states as f64 / ms * 1000.0;
        println!(
            "explorer native {name}: {} states, {} schedules, {} outcomes ({repeat} runs each, taking turns)",
            report.states,
            report.schedules,
            report.outcomes.len()
        );
        println!(
            "  sequential:            median {sequential:7.1} ms, {:>9.0} states/s; best {seq_best:7.1} ms, {:>9.0} states/s (target >= 3000000)",
            per_second(sequential),
            per_second(seq_best)
        );
        println!(
            "  parallel ({workers} workers):  median {parallel:7.1} ms, {:>9.0} states/s; best {par_best:7.1} ms, {:>9.0} states/s",
            per_second(parallel),
            per_second(par_best)
        );
        println!(
            "  parallel vs sequential: {:.2}x by medians, {:.2}x by best runs (target >= 1.6)",
            sequential / parallel,
            seq_best / par_best
        );
        figures.push(format!(
            r#"{{"program":"{name}","states":{},"sequential_ms":{sequential:.3},"parallel_ms":{parallel:.3},"sequential_best_ms":{seq_best:.3},"parallel_best_ms":{par_best:.3},"workers":{workers}}}"#,
            report.states
        ));
    }
    println!(
            "explorer native: two independent loops run {before:.2}x faster on {workers} workers than on one thread before these runs, {:.2}x after (what this machine allows a job that shares nothing)",
        ceiling(repeat)
    );
    if filter.is_empty() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/explorer-bench-native.json");
        match std::fs::write(&path, format!("[{}]\n", figures.join(","))) {
            Ok(()) => println!("explorer native figures written to {}", path.display()),
            Err(e) => println!("could not write {}: {e}", path.display()),
        }
    }
}
