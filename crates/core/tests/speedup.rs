//! The speedup lab as the page runs it: the plan of a batch, the warm-up, the timed runs at k
//! threads with the live image, the checks against the one-thread answer, the figures (medians,
//! speedups, serial fraction) and the chart's geometry.

use std::cell::RefCell;
use std::collections::BTreeMap;

use futures_executor::block_on;

use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress, Sliced};
use interleave_core::run::kernels::{Kernel, LabPrimes};
use interleave_core::run::threads::{run_sequential, K_THREADS_EXPLANATION};
use interleave_core::speedup::chart::SpeedupChart;
use interleave_core::speedup::live::{LiveMandelbrot, LiveRows};
use interleave_core::speedup::{memory_needed, run_timed, warm_up_size, BatchEnd, Lock, Measured, RunMode, RunOrder, RunPlan, Session};

#[path = "support/lab.rs"]
mod common;
use common::{pool, clock};

/// A timed run of `kernel` at `size` on `threads` threads, without the lock or a timeline.
fn order(kernel: Kernel, size: u64, threads: usize) -> RunOrder {
    RunOrder { kernel, size, threads, warm_up: false, lock: Lock::Free, record: false }
}

/// The blocks of rows finished since the last call, as `(first, end)`.
fn finished(rows: &LiveRows, drawn: &mut [bool]) -> Vec<(usize, usize)> {
    rows.finished_blocks(drawn).into_iter().map(|b| (b.start, b.end)).collect()
}

/// A run at `threads` that took `wall_ms` and gave `checksum`.
fn run(threads: usize, wall_ms: f64, checksum: u64) -> Result<Measured, JobError> {
    Ok(Measured { threads, wall_ms, checksum, slices_by_worker: BTreeMap::new(), timeline: None })
}

/// Begins a batch as the page does and runs it with `make` answering each order at once;
/// returns the orders made, or the refusal.
fn batch(
    session: &RefCell<Session>,
    (kernel, size): (Kernel, u64),
    plan: RunPlan,
    max_threads: usize,
    mut make: impl FnMut(RunOrder, &Progress) -> Result<Measured, JobError>,
) -> Result<Vec<RunOrder>, String> {
    let begun = session.borrow_mut().begin(kernel, size, plan, RunMode::default(), max_threads)?;
    assert!(session.borrow().running() && session.borrow().ended().is_none());
    let mut orders = Vec::new();
    block_on(begun.run(session, |order, progress| {
        orders.push(order);
        let result = make(order, &progress);
        async move { result }
    }));
    assert!(!session.borrow().running());
    Ok(orders)
}

/// Answers every order with a run of `wall_ms(threads)` and checksum 42.
fn timings(wall_ms: impl Fn(usize) -> f64) -> impl FnMut(RunOrder, &Progress) -> Result<Measured, JobError> {
    move |order, _| run(order.threads, wall_ms(order.threads), 42)
}

/// A session of Mandelbrot 600 with `runs` recorded, each its own batch (after a warm-up).
fn session_with(runs: &[(usize, f64)]) -> Session {
    let session = RefCell::new(Session::default());
    for &(threads, wall_ms) in runs {
        batch(&session, (Kernel::Mandelbrot, 600), RunPlan::Threads(threads), 8, move |o, _| run(o.threads, wall_ms, 42)).unwrap();
    }
    session.into_inner()
}

// The Threads field's values name the plans, and each plan gives its thread counts or a reason.
#[test]
fn run_plans() {
    for plan in [RunPlan::Sweep, RunPlan::Threads(1), RunPlan::Threads(12)] {
        assert_eq!(RunPlan::from_value(&plan.value()), Some(plan));
    }
    assert_eq!(RunPlan::Sweep.value(), "sweep");
    assert_eq!(RunPlan::from_value("lots"), None);
    assert_eq!(RunPlan::Sweep.thread_counts(4), Ok(vec![1, 2, 3, 4]));
    assert_eq!(RunPlan::Sweep.thread_counts(1), Ok(vec![1]));
    assert_eq!(RunPlan::Threads(3).thread_counts(4), Ok(vec![3]));
    assert_eq!(
        RunPlan::Threads(5).thread_counts(4).unwrap_err(),
        "Choose from 1 to 4 threads: this page has 4 worker threads."
    );
    assert_eq!(
        RunPlan::Threads(0).thread_counts(1).unwrap_err(),
        "Choose from 1 to 1 threads: this page has 1 worker thread."
    );
}

// A batch gets a one-thread reference run first when the session has none; runs of the same
// kernel and size add up, another size starts afresh; a refused plan changes nothing.
#[test]
fn batches_of_a_session() {
    let session = RefCell::new(Session::default());
    let threads = |orders: Vec<RunOrder>| orders.iter().filter(|o| !o.warm_up).map(|o| o.threads).collect::<Vec<_>>();
    let orders = batch(&session, (Kernel::Primes, 1_000), RunPlan::Threads(4), 4, timings(|n| 100.0 / n as f64)).unwrap();
    assert_eq!(threads(orders), [1, 4]);
    assert_eq!(session.borrow().ended(), Some(BatchEnd::Done));
    let orders = batch(&session, (Kernel::Primes, 1_000), RunPlan::Threads(2), 4, timings(|n| 100.0 / n as f64)).unwrap();
    assert_eq!(threads(orders), [2]);
    assert_eq!(session.borrow().runs().len(), 3);
    let refused = batch(&session, (Kernel::Primes, 2_000), RunPlan::Threads(9), 4, timings(|_| 1.0)).unwrap_err();
    assert_eq!(refused, "Choose from 1 to 4 threads: this page has 4 worker threads.");
    assert_eq!((session.borrow().key(), session.borrow().runs().len()), (Some((Kernel::Primes, 1_000)), 3));
    let begun = session.borrow_mut().begin(Kernel::Primes, 2_000, RunPlan::Sweep, RunMode::default(), 2).unwrap();
    assert_eq!(begun.counts(), [1, 2]);
    let s = session.borrow();
    assert_eq!((s.key(), s.runs().len(), s.reference()), (Some((Kernel::Primes, 2_000)), 0, None));
}

// The warm-up: once per kernel, first, untimed, at every thread, with its own small size; a
// cancelled warm-up says so, stops the batch, and is due again next time.
#[test]
fn warm_up_once_per_kernel() {
    let session = RefCell::new(Session::default());
    let orders = batch(&session, (Kernel::Blur, 600), RunPlan::Sweep, 3, timings(|_| 5.0)).unwrap();
    assert_eq!(orders[0], RunOrder { kernel: Kernel::Blur, size: warm_up_size(Kernel::Blur), threads: 3, warm_up: true, lock: Lock::Free, record: false });
    assert_eq!(orders[1..].iter().map(|o| (o.size, o.threads, o.warm_up)).collect::<Vec<_>>(), [(600, 1, false), (600, 2, false), (600, 3, false)]);
    assert_eq!(session.borrow().runs().len(), 3, "the warm-up is not a run");
    let again = batch(&session, (Kernel::Blur, 900), RunPlan::Threads(1), 3, timings(|_| 5.0)).unwrap();
    assert!(again.iter().all(|o| !o.warm_up), "a new session keeps its warm kernels");

    let cancelled = batch(&session, (Kernel::Primes, 5_000), RunPlan::Sweep, 3, |o, _| {
        assert!(o.warm_up);
        session.borrow_mut().cancel();
        Err(JobError::Cancelled)
    });
    assert_eq!(cancelled.unwrap().len(), 1);
    assert_eq!(session.borrow().note(), Some("Cancelled during the warm-up run."));
    assert_eq!(session.borrow().ended(), Some(BatchEnd::Cancelled));
    let orders = batch(&session, (Kernel::Primes, 5_000), RunPlan::Threads(1), 3, timings(|_| 5.0)).unwrap();
    assert_eq!((orders[0].warm_up, orders[0].size), (true, 1_000_000));
    assert_eq!(session.borrow().note(), None);
    assert_eq!(warm_up_size(Kernel::Mandelbrot), 300);
    for kernel in Kernel::ALL {
        assert!(kernel.size_limits().contains(&warm_up_size(kernel)));
    }
}

// Every run is checked against the first answer: a different one is named, and the batch fails.
#[test]
fn a_wrong_answer_fails_the_batch() {
    let session = RefCell::new(Session::default());
    batch(&session, (Kernel::Blur, 600), RunPlan::Sweep, 2, |o, _| run(o.threads, 10.0, if o.threads == 2 { 6 } else { 5 })).unwrap();
    let s = session.borrow();
    assert_eq!(s.reference(), Some(5));
    assert_eq!(
        s.mismatch().unwrap(),
        "Wrong answer: the run at 2 threads gave checksum 6, but the one-thread run gave 5. The work was split or combined incorrectly."
    );
    assert!(s.agrees(&s.runs()[0]) && !s.agrees(&s.runs()[1]));
    assert_eq!(s.ended(), Some(BatchEnd::Failed));
    assert!(!s.summary().contains("Every run gave the one-thread answer"));
}

// A cancelled run says how far it got and stops the batch; so does a cancel between two runs; a
// lost run fails; the next batch starts without the note.
#[test]
fn cancelled_and_failed_runs() {
    let session = RefCell::new(Session::default());
    let orders = batch(&session, (Kernel::Mandelbrot, 1_800), RunPlan::Sweep, 4, |o, progress| {
        if o.warm_up {
            return run(o.threads, 1.0, 0);
        }
        progress.add(progress.total() / 4);
        Err(JobError::Cancelled)
    });
    assert_eq!(orders.unwrap().len(), 2, "the warm-up and the one run that was cancelled");
    assert_eq!(session.borrow().note(), Some("Cancelled: the run at 1 thread stopped at 25% of its work."));
    assert_eq!(session.borrow().ended(), Some(BatchEnd::Cancelled));

    let begun = session.borrow_mut().begin(Kernel::Mandelbrot, 1_800, RunPlan::Sweep, RunMode::default(), 4).unwrap();
    assert_eq!(session.borrow().note(), None);
    let mut made = 0;
    block_on(begun.run(&session, |o, _| {
        made += 1;
        session.borrow_mut().cancel();
        async move { run(o.threads, 5.0, 9) }
    }));
    assert_eq!((made, session.borrow().runs().len(), session.borrow().ended()), (1, 1, Some(BatchEnd::Done)));

    batch(&session, (Kernel::Mandelbrot, 1_800), RunPlan::Threads(3), 4, |_, _| Err(JobError::Lost)).unwrap();
    assert_eq!(session.borrow().note(), Some("The run at 3 threads failed: the worker stopped without an answer."));
    assert_eq!(session.borrow().ended(), Some(BatchEnd::Failed));
}

// While a batch runs: the share done (of the warm-up, then of all runs) and what it is doing.
#[test]
fn progress_of_a_batch() {
    let session = RefCell::new(Session::default());
    let mut seen = Vec::new();
    batch(&session, (Kernel::Primes, 10_000), RunPlan::Sweep, 2, |o, progress| {
        progress.add(progress.total() / 2);
        // The session is free while a run is being made: the page draws from it.
        let s = session.borrow();
        seen.push((s.doing(), s.fraction()));
        run(o.threads, 1.0, 1)
    })
    .unwrap();
    assert_eq!(
        seen,
        [
            ("Warming up: a short untimed run first, while the browser optimizes the code…".to_string(), 0.5),
            ("Run 1 of 2: 1 thread…".to_string(), 0.25),
            ("Run 2 of 2: 2 threads…".to_string(), 0.75),
        ]
    );
    assert_eq!(session.borrow().fraction(), 0.0);
}

// Speedups over the median one-thread time, medians per thread count, the fit and the words.
#[test]
fn figures_of_the_runs() {
    let session = session_with(&[(1, 100.0), (1, 120.0), (2, 55.0), (4, 40.0), (4, 30.0)]);
    assert_eq!(session.t1(), Some(110.0));
    let speedups = session.speedups();
    assert_eq!(speedups.len(), 5);
    assert!((speedups[2] - 2.0).abs() < 1e-12 && (speedups[4] - 110.0 / 30.0).abs() < 1e-12);
    assert_eq!(session.medians().iter().map(|m| m.0).collect::<Vec<_>>(), [1, 2, 4]);
    assert!((session.medians()[2].1 - 110.0 / 30.0).abs() < 1e-12, "upper median of two");
    let s = session.serial_fraction().unwrap();
    assert!((0.0..=1.0).contains(&s), "{s}");
    assert_eq!(session.summary(), "At 4 threads: 3.67× faster than one thread (110 ms → 30 ms); the ideal is 4×. Every run gave the one-thread answer.");
    assert!(session.serial_fraction_text(8).starts_with("Fitted serial fraction: "));
    assert!(!session.serial_fraction_text(8).contains("rough"));
    assert!(session.serial_fraction_text(2).ends_with(" With two thread counts only, it is a rough estimate."));

    let one = session_with(&[(1, 840.0)]);
    assert_eq!(one.serial_fraction(), None);
    assert_eq!(one.summary(), "One thread: 840 ms. Run with more threads to compare. Every run gave the one-thread answer.");
    assert_eq!(one.serial_fraction_text(1), "The serial fraction is fitted once there are runs at one thread and at more.");
    let linear = session_with(&[(1, 100.0), (2, 50.0), (4, 25.0)]);
    assert_eq!(linear.serial_fraction_text(4), "Fitted serial fraction: about 0%: these runs scaled as if all the work could be shared.");
    let half = session_with(&[(1, 100.0), (2, 75.0), (4, 62.5)]);
    assert_eq!(
        half.serial_fraction_text(4),
        "Fitted serial fraction: 50.0% of the one-thread time behaves as if it cannot be shared. Amdahl's law then caps the speedup at 2.0× however many threads you add."
    );
    let none = Session::default();
    assert_eq!((none.t1(), none.summary().as_str()), (None, " Every run gave the one-thread answer."));
}

// The chart: a dot per run, the medians joined, ticks on both axes, Amdahl's curve once fitted.
#[test]
fn chart_geometry() {
    let chart = SpeedupChart::new(&session_with(&[(1, 100.0), (2, 50.0), (4, 30.0)]), 4);
    assert_eq!(chart.dots.len(), 3);
    assert_eq!(chart.x_ticks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(), ["1", "2", "3", "4"]);
    assert_eq!(chart.x_ticks[0].0, SpeedupChart::LEFT);
    assert_eq!(chart.x_ticks[3].0, SpeedupChart::RIGHT);
    assert_eq!(chart.y_ticks.first().unwrap(), &(SpeedupChart::BOTTOM, "0×".to_string()));
    assert_eq!(chart.y_ticks.last().unwrap(), &(SpeedupChart::TOP, "4×".to_string()));
    assert_eq!(chart.ideal, (SpeedupChart::LEFT, chart.y_ticks[1].0, SpeedupChart::RIGHT, SpeedupChart::TOP));
    assert_eq!(chart.measured.split(' ').count(), 3);
    assert_eq!(chart.amdahl.as_ref().unwrap().split(' ').count(), 101);
    assert!(chart.label.starts_with("Chart of speedup against threads. Measured: 1.00× at 1 thread, 2.00× at 2 threads, 3.33× at 4 threads."));
    assert!(chart.label.contains("Amdahl curve for a serial fraction of"));

    let alone = SpeedupChart::new(&session_with(&[(1, 100.0)]), 1);
    assert_eq!((alone.dots.len(), alone.amdahl, alone.x_ticks.len()), (1, None, 2));
    assert!(!alone.label.contains("Amdahl"));
}

// The page's run on the pool: every kernel at 1 to 3 threads gives the sequential checksum, with
// at most k workers, a positive time, and the Mandelbrot rows published for drawing.
#[test]
fn timed_runs_agree_and_publish_rows() {
    let pool = pool(4);
    for (kernel, size) in [(Kernel::Mandelbrot, 120), (Kernel::Primes, 200_000), (Kernel::Blur, 90)] {
        let expected = kernel.run_sequential(size);
        let slices = match kernel {
            Kernel::Primes => size.div_ceil(Job::slice_len(&LabPrimes { limit: size })),
            Kernel::Mandelbrot | Kernel::Blur => kernel.units(size),
        };
        let rows = LiveRows::for_run(None, kernel, size);
        assert_eq!(rows.is_some(), kernel == Kernel::Mandelbrot);
        for k in 1..=3 {
            let progress = Progress::new(kernel.units(size));
            let run = pool.install(|| run_timed(order(kernel, size, k), &progress, rows.clone(), clock())).unwrap();
            assert_eq!((run.threads, run.checksum), (k, expected), "{} at {k}", kernel.name());
            assert!(!run.slices_by_worker.is_empty() && run.slices_by_worker.len() <= k);
            assert_eq!(run.slices_by_worker.values().sum::<u64>(), slices);
            assert!(run.wall_ms >= 0.0);
            assert_eq!(progress.fraction(), 1.0);
        }
        if let Some(rows) = rows {
            let mut drawn = vec![false; rows.height() as usize];
            assert_eq!(finished(&rows, &mut drawn), [(0, 80)]);
        }
    }
    let progress = Progress::new(Kernel::Blur.units(600));
    progress.cancel();
    assert_eq!(pool.install(|| run_timed(order(Kernel::Blur, 600, 2), &progress, None, clock())), Err(JobError::Cancelled));
}

// A whole batch as the page runs it on its pool: each run a pool task of `run_timed`, the
// warm-up first, every answer the one-thread answer, the figures there, the image drawn.
#[test]
fn a_batch_on_the_pool() {
    let session = RefCell::new(Session::default());
    let rows = LiveRows::for_run(None, Kernel::Mandelbrot, 150);
    let begun = session.borrow_mut().begin(Kernel::Mandelbrot, 150, RunPlan::Sweep, RunMode::default(), 3).unwrap();
    let mut warm_ups = 0;
    block_on(begun.run(&session, |order, progress| {
        warm_ups += usize::from(order.warm_up);
        let rows = if order.warm_up { None } else { rows.clone() };
        async move {
            spawn_task(move || run_timed(order, &progress, rows, clock())).await?
        }
    }));
    let s = session.borrow();
    assert_eq!((warm_ups, s.ended(), s.mismatch()), (1, Some(BatchEnd::Done), None));
    assert_eq!(s.runs().iter().map(|r| r.threads).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(s.reference(), Some(Kernel::Mandelbrot.run_sequential(150)));
    assert!(s.runs().iter().all(|r| r.slices_by_worker.len() <= r.threads && r.wall_ms > 0.0));
    assert_eq!(s.speedups()[0], 1.0);
    assert!(s.serial_fraction().is_some_and(|f| (0.0..=1.0).contains(&f)));
    assert!(s.summary().starts_with("At 3 threads: "));
    let rows = rows.unwrap();
    assert_eq!(finished(&rows, &mut vec![false; rows.height() as usize]), [(0, 100)]);
    assert!(K_THREADS_EXPLANATION.contains("at most k threads"));
}

// The page reaches a run through a pool task: it resolves off the calling thread, at most k threads.
#[test]
fn timed_run_through_a_pool_task() {
    let progress = Progress::new(100_000);
    let run = block_on(spawn_task(move || run_timed(order(Kernel::Primes, 100_000, 2), &progress, None, clock())));
    let run = run.unwrap().unwrap();
    assert_eq!(run.checksum, 9_592);
    assert!(run.slices_by_worker.len() <= 2);
}

// Live rows: finished blocks are handed out once, coloured as the kernel's palette says, and a
// reset starts from nothing; a kept buffer is reused only when it has the right shape.
#[test]
fn live_rows() {
    let job = LiveMandelbrot::new(90, None);
    let rows = job.rows.clone();
    let mut drawn = vec![false; rows.height() as usize];
    assert!(finished(&rows, &mut drawn).is_empty());
    let mut sliced = Sliced::new(std::sync::Arc::new(job), Progress::new(60));
    assert!(sliced.run_until(|| true).is_none());
    assert_eq!(finished(&rows, &mut drawn), [(0, 1)]);
    let image = loop {
        if let Some(out) = sliced.run_until(|| false) {
            break out.unwrap();
        }
    };
    assert_eq!(image, run_sequential(&Kernel::Mandelbrot.mandelbrot(90)));
    assert_eq!(finished(&rows, &mut drawn), [(1, 60)]);
    assert!(finished(&rows, &mut drawn).is_empty());
    let palette = rows.palette();
    assert_eq!(palette.len(), 1_001);
    let rgba = rows.rgba(0..60, &palette);
    assert_eq!(rgba.len(), 90 * 60 * 4);
    assert!(rgba.chunks(4).zip(&image.iterations).all(|(px, &i)| px == palette[i as usize]));
    rows.reset();
    assert!(finished(&rows, &mut [false; 60]).is_empty());

    let kept = LiveRows::for_run(Some(rows.clone()), Kernel::Mandelbrot, 90).unwrap();
    assert!(std::sync::Arc::ptr_eq(&kept, &rows));
    let other = LiveRows::for_run(Some(rows.clone()), Kernel::Mandelbrot, 120).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&other, &rows) && other.width() == 120);
    assert!(LiveRows::for_run(Some(rows), Kernel::Primes, 90).is_none());
}

// The memory a run needs before it starts, per kernel; the prime count needs none.
#[test]
fn memory_per_run() {
    assert_eq!(memory_needed(Kernel::Mandelbrot, 900), 900 * 600 * 6);
    assert_eq!(memory_needed(Kernel::Blur, 1_200), 1_200 * 1_200 * 3);
    assert_eq!(memory_needed(Kernel::Primes, 5_000_000), 0);
    assert_eq!(run_sequential(&LabPrimes { limit: 100 }), 25);
}
