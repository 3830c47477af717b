//! Benchmark: the lab's kernels at their default sizes, natively, on one thread and on two (rayon).
//! Run with `cargo bench --bench lab`; prints figures and writes them to
//! the workspace's `target/lab-bench-native.json` for `tests/e2e/bench-lab.mjs` to compare with the browser.
//! Asserts nothing about time.

use std::time::Instant;

use interleave_core::run::jobs::Progress;
use interleave_core::run::kernels::Kernel;
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
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/lab-bench-native.json");
    match std::fs::write(&path, format!("[{}]\n", figures.join(","))) {
        Ok(()) => println!("lab native figures written to {}", path.display()),
        Err(e) => println!("could not write {}: {e}", path.display()),
    }
}
