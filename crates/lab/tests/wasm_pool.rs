//! In a real browser: the worker pool starts, rayon runs a job on at least two distinct web
//! workers, the parallel answer equals the sequential one, and the sliced fallback agrees too; the
//! SIMD lab's lanes give the native answer, and the false-sharing lab's counters count right; runs
//! recorded on the workers, free and under the one global lock, cover every slice once.
#![cfg(target_arch = "wasm32")]

use interleave_core::run::jobs::Progress;
use interleave_core::prime_count::{count_primes, PrimeCount};
use interleave_lab::pool::{self, PoolState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

// The pool starts with one worker per core; a job spread over it uses >= 2 threads and is right.
#[wasm_bindgen_test]
async fn rayon_runs_on_several_workers() {
    assert!(pool::cross_origin_isolated(), "the test server sends COOP/COEP");
    let state = pool::start().await;
    let workers = pool::hardware_concurrency();
    assert_eq!(state, PoolState::Ready { workers });
    assert!(workers >= 2, "this test needs a machine with two cores or more");

    // Big enough to be spread over the workers, small enough for a debug build on a busy machine.
    let job = PrimeCount { limit: 500_000 };
    let progress = Progress::new(job.limit);
    let out = pool::run(job, progress.clone()).await.unwrap();
    assert_eq!(out.primes, count_primes(0..job.limit));
    assert_eq!(out.primes, 41_538);
    assert!(out.threads.len() >= 2, "threads used: {:?}", out.threads);
    assert_eq!(progress.fraction(), 1.0);

    // The same job in slices on the main thread gives the same answer and uses no pool thread.
    let sliced = pool::run_sliced(job, Progress::new(job.limit)).await.unwrap();
    assert_eq!(sliced.primes, out.primes);
    assert!(sliced.threads.is_empty());
}

// A job cancelled while it runs on the pool reports the cancellation.
#[wasm_bindgen_test]
async fn cancel_stops_a_pool_job() {
    let _ = pool::start().await;
    let job = PrimeCount { limit: PrimeCount::MAX_LIMIT };
    let progress = Progress::new(job.limit);
    let canceller = progress.clone();
    wasm_bindgen_futures::spawn_local(async move {
        gloo::timers::future::TimeoutFuture::new(50).await;
        canceller.cancel();
    });
    let result = pool::run(job, progress.clone()).await;
    assert_eq!(result.unwrap_err(), interleave_core::run::jobs::JobError::Cancelled);
    assert!(progress.fraction() < 1.0);
}

// Quiz options are shuffled alike here and on the 64-bit machine that prerendered the page
// (`crates/content/tests/quiz.rs` checks the same figure natively), or hydration would fail.
#[wasm_bindgen_test]
fn quiz_order_is_the_servers() {
    assert_eq!(interleave_core::learning::quiz::shuffled(8, 42), [5, 7, 0, 1, 6, 4, 2, 3]);
}

// Memory the device cannot give is refused with a reason, not an abort; what it can give is had.
#[wasm_bindgen_test]
async fn memory_that_cannot_be_had_is_refused() {
    // More than the module's whole memory may ever grow to (1 GiB).
    assert_eq!(pool::make_room(1 << 31), Err(interleave_core::run::jobs::JobError::NoMemory { bytes: 1 << 31 }));
    assert_eq!(pool::make_room(8 << 20), Ok(()));
    let job = PrimeCount { limit: 100_000 };
    assert_eq!(pool::run(job, Progress::new(job.limit)).await.unwrap().primes, 9_592);
}

// The SIMD lab's four ways on the pool, in this module's simd128 lanes: the same checksum as the
// native scalar loop (`crates/core/tests/simd.rs` checks the same figure); the one-thread ways
// in slices agree too. The false-sharing lab's counters all read the increments.
#[wasm_bindgen_test]
async fn simd_lanes_and_counters_on_workers() {
    use interleave_core::false_sharing::{run_false_sharing, Layout, OneThreadCounter, Settings};
    use interleave_core::run::jobs::spawn_task;
    use interleave_core::simd::{run_four_ways, units, Picture, Rows, Way};

    let _ = pool::start().await;
    let threads = pool::workers().max(1);
    let picture = Picture::new(240, 300);
    let progress = Progress::new(units(picture, 4));
    let shared = progress.clone();
    let run = spawn_task(move || run_four_ways(picture, threads, &shared, || 0.0)).await.unwrap().unwrap();
    assert!(run.results_match());
    assert_eq!(run.runs[0].checksum, 60_524_528_321);
    assert_eq!(progress.fraction(), 1.0);
    for way in Way::ONE_THREAD {
        let sliced = pool::run_sliced(Rows::new(picture, way.lanes()), Progress::new(units(picture, 1))).await.unwrap();
        assert_eq!(sliced, 60_524_528_321, "{}", way.name());
    }

    let settings = Settings { threads, increments: 100_000 };
    let fs = spawn_task(move || run_false_sharing(settings, &Progress::new(settings.units()), || 0.0)).await.unwrap().unwrap();
    assert!(fs.counts_right(), "{fs:?}");
    let one = pool::run_sliced(OneThreadCounter::new(Layout::Padded, 100_000), Progress::new(100_000)).await.unwrap();
    assert_eq!(one, vec![100_000]);
}

/// Milliseconds on the time line every thread shares (as the lab's own clock: `timeOrigin` plus
/// the global scope's `performance.now()`), on the page and on workers alike.
fn shared_now() -> f64 {
    use wasm_bindgen::JsCast;
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let origin = js_sys::Reflect::get(&performance, &"timeOrigin".into()).unwrap().as_f64().unwrap();
    let now: js_sys::Function = js_sys::Reflect::get(&performance, &"now".into()).unwrap().dyn_into().unwrap();
    origin + now.call0(&performance).unwrap().as_f64().unwrap()
}

// The speedup lab's run, recorded on the web workers at every thread, free and under the one
// global lock (its waits are `Atomics.wait` on a worker): the one-thread answer, every slice in
// the timeline exactly once, and under the lock no two slices at the same moment.
#[wasm_bindgen_test]
async fn timelines_on_web_workers() {
    use interleave_core::run::jobs::spawn_task;
    use interleave_core::run::kernels::Kernel;
    use interleave_core::run::timeline::SAME_MOMENT_MS;
    use interleave_core::speedup::{run_timed, Lock, RunOrder};
    let _ = pool::start().await;
    let threads = pool::hardware_concurrency();
    let (kernel, size) = (Kernel::Mandelbrot, 150);
    for lock in [Lock::Free, Lock::Global] {
        let order = RunOrder { kernel, size, threads, warm_up: false, lock, record: true };
        let progress = Progress::new(kernel.units(size));
        let run = spawn_task(move || run_timed(order, &progress, None, shared_now)).await.unwrap().unwrap();
        assert_eq!(run.checksum, kernel.run_sequential(size), "{lock:?}");
        let t = run.timeline.expect("recorded");
        let mut firsts: Vec<u64> = t.rows.iter().flat_map(|r| &r.bars).map(|b| b.first).collect();
        firsts.sort_unstable();
        assert_eq!(firsts, (0..100).collect::<Vec<_>>(), "{lock:?}");
        assert!(t.rows.iter().all(|r| r.worker.is_some_and(|w| w < threads)));
        if lock == Lock::Global {
            assert!(t.overlap_ms().1 < SAME_MOMENT_MS, "{:?}", t.overlap_ms());
        }
    }
}
