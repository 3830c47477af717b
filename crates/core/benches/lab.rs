//! Benchmark: the lab's kernels at their default sizes, natively, on one thread and on two (rayon);
//! false sharing (packed ÷ padded counters, two threads); and the SIMD widget's four ways (scalar,
//! four lanes, threads, threads × lanes). Run with `cargo bench --bench lab`; prints figures and writes them to
//! the workspace's `target/lab-bench-native.json` for `tests/e2e/bench-lab.mjs` to compare with the browser.
//! Asserts nothing about time.

use std::time::Instant;

use interleave_core::false_sharing::{run_false_sharing, Settings, DEFAULT_INCREMENTS};
use interleave_core::run::jobs::Progress;
use interleave_core::run::kernels::Kernel;
use interleave_core::simd::{run_way, units, Picture, Way};
use rayon::ThreadPoolBuilder;

/// Runs per thread count (after one untimed warm-up of each).
const REPEATS: usize = 5;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    // The same shape as the browser's pool: two threads, "k threads" enforced by the lab's runner.
    let pool = ThreadPoolBuilder::new().num_threads(2).build().expect("a 2-thread pool builds");
    let mut figures = Vec::new();
    for kernel in Kernel::ALL {
        let size = kernel.default_size();
        let reference = kernel.run_sequential(size);
        let time = |threads: usize| {
            let progress = Progress::new(kernel.units(size));
            let start = Instant::now();
            let run = pool.install(|| kernel.run(size, threads, &progress)).expect("never cancelled");
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(run.checksum, reference, "{} at {threads} threads", kernel.id());
            ms
        };
        time(1);
        time(2);
        let (mut one, mut two) = (Vec::new(), Vec::new());
        for _ in 0..REPEATS {
            one.push(time(1));
            two.push(time(2));
        }
        let (t1, t2) = (median(one), median(two));
        println!(
            "lab native {} ({}): 1 thread {t1:.1} ms, 2 threads (rayon) {t2:.1} ms, speedup {:.2}x",
            kernel.id(),
            kernel.describe_size(size),
            t1 / t2
        );
        figures.push(format!(r#"{{"kernel":"{}","size":{size},"t1_ms":{t1:.3},"t2_ms":{t2:.3}}}"#, kernel.id()));
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
