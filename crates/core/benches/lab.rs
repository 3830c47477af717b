//! Benchmark: the lab's kernels at their default sizes, natively, on one thread and on two (rayon),
//! as the speedup lab runs them (`run_timed`): without and with the timeline recorded, and under
//! the one global lock; the granularity explorer's recorded run beside its timed one; false
//! sharing (packed ÷ padded counters, two threads); and the SIMD widget's four ways (scalar, four
//! lanes, threads, threads × lanes). Run with `cargo bench --bench lab`; prints figures and writes them to
//! the workspace's `target/lab-bench-native.json` for `tests/e2e/bench-lab.mjs` to compare with the browser.
//! Asserts nothing about time.

use std::collections::BTreeMap;
use std::time::Instant;

use interleave_core::false_sharing::{run_false_sharing, Settings, DEFAULT_INCREMENTS};
use interleave_core::granularity::{record_point, sum_parallel, GranularitySetup};
use interleave_core::run::jobs::Progress;
use interleave_core::run::kernels::Kernel;
use interleave_core::simd::{run_way, units, Picture, Way};
use interleave_core::speedup::{run_timed, Lock, RunOrder};
use rayon::ThreadPoolBuilder;

/// Rounds of runs per kernel (after one untimed round); each round runs every configuration once,
/// in a rotating order, so that a slow stretch of the machine falls on all of them alike.
const REPEATS: usize = 9;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The configurations measured: (name, threads, lock, recorded).
const CONFIGS: [(&str, usize, Lock, bool); 5] = [
    ("t1", 1, Lock::Free, false),
    ("t1_rec", 1, Lock::Free, true),
    ("t2", 2, Lock::Free, false),
    ("t2_rec", 2, Lock::Free, true),
    ("t2_gil", 2, Lock::Global, true),
];

fn pct(with: f64, without: f64) -> String {
    format!("{:+.1} %", (with / without - 1.0) * 100.0)
}

fn main() {
    // The same shape as the browser's pool: two threads, "k threads" enforced by the lab's runner.
    let pool = ThreadPoolBuilder::new().num_threads(2).build().expect("a 2-thread pool builds");
    let origin = Instant::now();
    let now = move || origin.elapsed().as_secs_f64() * 1000.0;
    let mut figures = Vec::new();
    for kernel in Kernel::ALL {
        let size = kernel.default_size();
        let reference = kernel.run_sequential(size);
        let time = |(name, threads, lock, record): (&str, usize, Lock, bool)| {
            let progress = Progress::new(kernel.units(size));
            let order = RunOrder { kernel, size, threads, warm_up: false, lock, record };
            let run = pool.install(|| run_timed(order, &progress, None, now)).expect("never cancelled");
            assert_eq!(run.checksum, reference, "{} {name}", kernel.id());
            assert_eq!(run.timeline.is_some(), record);
            // The clock readings' own cost, as a share of the workers' time.
            let share = run.timeline.and_then(|t| Some(t.recording_ms()? / (t.wall_ms * t.rows.len() as f64)));
            (run.wall_ms, share)
        };
        CONFIGS.iter().for_each(|&c| {
            time(c);
        });
        let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut shares = Vec::new();
        for round in 0..REPEATS {
            for i in 0..CONFIGS.len() {
                let c = CONFIGS[(i + round) % CONFIGS.len()];
                let (ms, share) = time(c);
                times.entry(c.0).or_default().push(ms);
                shares.extend(share.filter(|_| c.0 == "t2_rec"));
            }
        }
        let m: BTreeMap<&str, f64> = times.into_iter().map(|(k, v)| (k, median(v))).collect();
        let (t1, t2, t1r, t2r, t2g) = (m["t1"], m["t2"], m["t1_rec"], m["t2_rec"], m["t2_gil"]);
        println!(
            "lab native {} ({}): 1 thread {t1:.1} ms, 2 threads (rayon) {t2:.1} ms, speedup {:.2}x",
            kernel.id(),
            kernel.describe_size(size),
            t1 / t2
        );
        println!(
            "lab native {} timeline recorded: 1 thread {t1r:.1} ms ({}), 2 threads {t2r:.1} ms ({}), speedup {:.2}x recorded vs {:.2}x not ({}; target within 2 %)",
            kernel.id(),
            pct(t1r, t1),
            pct(t2r, t2),
            t1r / t2r,
            t1 / t2,
            pct(t1r / t2r, t1 / t2)
        );
        println!(
            "lab native {} timeline recorded: the clock readings themselves cost {:.3} % of the workers' time at 2 threads (median)",
            kernel.id(),
            median(shares) * 100.0
        );
        println!(
            "lab native {} one global lock: 2 threads {t2g:.1} ms, speedup {:.2}x (free: {:.2}x; expected near 1x)",
            kernel.id(),
            t1r / t2g,
            t1r / t2r
        );
        figures.push(format!(
            r#"{{"kernel":"{}","size":{size},"t1_ms":{t1:.3},"t2_ms":{t2:.3},"t1_rec_ms":{t1r:.3},"t2_rec_ms":{t2r:.3},"t2_gil_ms":{t2g:.3}}}"#,
            kernel.id()
        ));
    }

    // The granularity explorer times its points unrecorded and draws a separate, recorded run:
    // at the smallest task sizes the clock readings cost about as much as a task.
    let setup = GranularitySetup::default();
    for task_size in [1u64, 64, 4_096] {
        let (mut plain, mut recorded) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            let start = now();
            std::hint::black_box(pool.install(|| sum_parallel(&setup, task_size)));
            plain.push(now() - start);
            recorded.push(pool.install(|| record_point(&setup, task_size, now)).wall_ms);
        }
        let (p, r) = (median(plain), median(recorded));
        println!("granularity native, {task_size} items per task: timed run {p:.2} ms, recorded run {r:.2} ms ({})", pct(r, p));
    }

    figures.push(false_sharing(&pool));
    figures.push(simd(&pool));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/lab-bench-native.json");
    match std::fs::write(&path, format!("[{}]\n", figures.join(","))) {
        Ok(()) => println!("lab native figures written to {}", path.display()),
        Err(e) => println!("could not write {}: {e}", path.display()),
    }
}

/// Milliseconds since `start`.
fn since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Packed ÷ padded at two threads, the widget's default increments: the median of `REPEATS` runs
/// (each already the median of its rounds).
fn false_sharing(pool: &rayon::ThreadPool) -> String {
    let settings = Settings { threads: 2, increments: DEFAULT_INCREMENTS };
    let start = Instant::now();
    let now = move || since(start);
    let (mut packed, mut padded) = (Vec::new(), Vec::new());
    for _ in 0..REPEATS {
        let run = pool.install(|| run_false_sharing(settings, &Progress::new(settings.units()), now)).expect("never cancelled");
        assert!(run.counts_right());
        packed.push(run.packed.ms);
        padded.push(run.padded.ms);
    }
    let (p, q) = (median(packed), median(padded));
    println!(
        "lab native false sharing (2 threads x {DEFAULT_INCREMENTS} increments): packed {p:.1} ms, padded {q:.1} ms, packed / padded {:.2}x",
        p / q
    );
    format!(r#"{{"bench":"false-sharing","threads":2,"increments":{DEFAULT_INCREMENTS},"packed_ms":{p:.3},"padded_ms":{q:.3}}}"#)
}

/// The SIMD widget's default picture, each way the median of `REPEATS` runs (after a warm-up),
/// threads at two; every way must give the scalar checksum.
fn simd(pool: &rayon::ThreadPool) -> String {
    let picture = Picture::DEFAULT;
    let start = Instant::now();
    let now = move || since(start);
    let mut ms = Vec::new();
    let mut reference = None;
    for way in Way::ALL {
        let mut times = Vec::new();
        for i in 0..=REPEATS {
            let run = pool.install(|| run_way(way, picture, 2, &Progress::new(units(picture, 1)), &now)).expect("never cancelled");
            assert_eq!(*reference.get_or_insert(run.checksum), run.checksum, "{}", way.name());
            if i > 0 {
                times.push(run.ms);
            }
        }
        ms.push(median(times));
    }
    let [scalar, lanes, threads, both] = [ms[0], ms[1], ms[2], ms[3]];
    println!(
        "lab native simd mandelbrot ({}): scalar {scalar:.1} ms, 4 lanes {lanes:.1} ms, 2 threads {threads:.1} ms, 2 threads x lanes {both:.1} ms; \
         scalar / lanes {:.2}x, scalar / threads x lanes {:.2}x",
        picture.describe(),
        scalar / lanes,
        scalar / both
    );
    format!(
        r#"{{"bench":"simd","width":{},"max_iter":{},"scalar_ms":{scalar:.3},"lanes_ms":{lanes:.3},"threads_ms":{threads:.3},"threads_lanes_ms":{both:.3}}}"#,
        picture.width, picture.max_iter
    )
}
