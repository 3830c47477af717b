//! The parallelism lab: kernels agree however they are split, "k threads" means at most k threads,
//! Amdahl fits, granularity sweeps and races (the channels have tests/channels.rs).

use std::sync::Arc;

use interleave_core::run::jobs::{run_parallel, Job, JobError, Progress, Sliced};
use interleave_core::prime_count::PrimeCount;
use interleave_core::run::threads::{run_sequential, run_with_threads};

#[path = "support/lab.rs"]
mod common;
use common::pool;

/// A local pool of `threads` workers (the global one is whatever the machine has).

mod kernels {
    use super::*;
    use interleave_core::run::kernels::{colour, Blur, Kernel, Mandelbrot};

    /// Escape time computed the plain way, independently of the kernel.
    fn reference_mandelbrot(m: &Mandelbrot) -> u64 {
        let scale = m.span / m.width as f64;
        let mut sum = 0u64;
        for py in 0..m.height {
            for px in 0..m.width {
                let cr = m.centre[0] + (px as f64 + 0.5 - m.width as f64 / 2.0) * scale;
                let ci = m.centre[1] + (py as f64 + 0.5 - m.height as f64 / 2.0) * scale;
                let (mut zr, mut zi, mut n) = (0.0f64, 0.0f64, 0u16);
                while n < m.max_iter && zr * zr + zi * zi <= 4.0 {
                    (zr, zi) = (zr * zr - zi * zi + cr, 2.0 * zr * zi + ci);
                    n += 1;
                }
                sum += u64::from(n);
            }
        }
        sum
    }

    /// The blur checksum computed the plain way from the source image.
    fn reference_blur(b: &Blur) -> u64 {
        let (w, h, r) = (b.width() as i64, b.height() as i64, b.radius() as i64);
        let mut sum = 0u64;
        for y in 0..h {
            for x in 0..w {
                let mut total = 0u32;
                for dy in -r..=r {
                    for dx in -r..=r {
                        let (sx, sy) = ((x + dx).clamp(0, w - 1), (y + dy).clamp(0, h - 1));
                        total += u32::from(b.source()[(sy * w + sx) as usize]);
                    }
                }
                let v = u64::from(total / ((2 * r + 1) * (2 * r + 1)) as u32);
                sum = sum.wrapping_add(v.wrapping_mul((y * w + x) as u64 + 1));
            }
        }
        sum
    }

    // pi(10^6) = 78,498 through the existing prime kernel, sequentially and at k threads.
    #[test]
    fn primes_below_a_million() {
        assert_eq!(Kernel::Primes.run_sequential(1_000_000), 78_498);
        let run = pool(4).install(|| Kernel::Primes.run(1_000_000, 3, &Progress::new(1_000_000))).unwrap();
        assert_eq!(run.checksum, 78_498);
    }

    // Single points: c = 0 never escapes, c = 1 escapes after 3 steps (0, 1, 2, 5).
    #[test]
    fn mandelbrot_known_points() {
        let at = |re: f64| Mandelbrot { width: 1, height: 1, max_iter: 50, centre: [re, 0.0], span: 1.0 };
        assert_eq!(at(0.0).row(0), [50]);
        assert_eq!(at(1.0).row(0), [3]);
        assert_eq!(at(-1.0).row(0), [50], "-1 cycles between 0 and -1");
    }

    // A small image: the checksum matches a plain double loop, a pinned value, and every way of
    // running the job; the image is the rows laid end to end.
    #[test]
    fn mandelbrot_checksum_is_stable() {
        let m = Mandelbrot::new(90, 60, 200);
        let expected = reference_mandelbrot(&m);
        assert_eq!(expected, 302_488, "pinned: a change here means the kernel's arithmetic changed");

        let sequential = run_sequential(&m);
        assert_eq!(sequential.checksum, expected);
        assert_eq!(sequential.iterations.len(), 90 * 60);
        assert_eq!(&sequential.iterations[30 * 90..31 * 90], m.row(30).as_slice());
        assert!(sequential.iterations.contains(&200) && sequential.iterations.iter().any(|&i| i < 5));

        let parallel = run_parallel(&m, &Progress::new(m.len())).unwrap();
        assert_eq!(parallel, sequential);
        let job = Arc::new(m);
        for k in 1..=3 {
            let run = pool(4).install(|| run_with_threads(&job, k, &Progress::new(60))).unwrap();
            assert_eq!(run.output, sequential, "k = {k}");
        }
    }

    // Colours: black inside the set, opaque everywhere, and not one flat colour outside.
    #[test]
    fn mandelbrot_colours() {
        assert_eq!(colour(100, 100), [0, 0, 0, 255]);
        assert_eq!(colour(0, 0), [0, 0, 0, 255]);
        let outside: Vec<[u8; 4]> = (0..100).map(|i| colour(i, 100)).collect();
        assert!(outside.iter().all(|c| c[3] == 255));
        assert!(outside.windows(2).any(|w| w[0] != w[1]));
        assert_ne!(colour(50, 100), [0, 0, 0, 255]);
    }

    // The blur equals a plain loop over the source, and every way of running it agrees.
    #[test]
    fn blur_parallel_equals_sequential() {
        let blur = Blur::new(70, 50, 3, 7);
        let expected = reference_blur(&blur);
        assert_eq!(run_sequential(&blur), expected);
        assert_eq!(run_parallel(&blur, &Progress::new(blur.len())).unwrap(), expected);
        let job = Arc::new(blur);
        for k in 1..=3 {
            let run = pool(4).install(|| run_with_threads(&job, k, &Progress::new(50))).unwrap();
            assert_eq!(run.output, expected, "k = {k}");
        }
    }

    // Radius 0 copies the source; a larger box smooths it (narrower range of values), and the
    // source is the same for the same seed and different for another.
    #[test]
    fn blur_rows() {
        let sharp = Blur::new(40, 30, 0, 1);
        assert_eq!(sharp.row(12), &sharp.source()[12 * 40..13 * 40]);
        let soft = Blur::new(40, 30, 4, 1);
        let spread = |row: &[u8]| row.iter().max().unwrap() - row.iter().min().unwrap();
        assert!(spread(&soft.row(12)) < spread(sharp.row(12).as_slice()));
        assert_eq!(Blur::new(40, 30, 4, 1).source(), soft.source());
        assert_ne!(Blur::new(40, 30, 4, 2).source(), soft.source());
    }

    // Every kernel, through `Kernel::run` at 1, 2 and 3 threads and through `run_parallel`,
    // gives the sequential checksum.
    #[test]
    fn every_kernel_agrees_however_split() {
        let pool = pool(4);
        for (kernel, size) in [(Kernel::Mandelbrot, 120), (Kernel::Primes, 200_000), (Kernel::Blur, 90)] {
            let expected = kernel.run_sequential(size);
            for k in 1..=3 {
                let run = pool.install(|| kernel.run(size, k, &Progress::new(kernel.units(size)))).unwrap();
                assert_eq!(run.checksum, expected, "{} at k = {k}", kernel.name());
                assert!(!run.threads.is_empty() && run.threads.len() <= k);
            }
        }
        let primes = PrimeCount { limit: 200_000 };
        assert_eq!(run_parallel(&primes, &Progress::new(200_000)).unwrap().primes, Kernel::Primes.run_sequential(200_000));
        let m = Kernel::Mandelbrot.mandelbrot(120);
        assert_eq!(run_parallel(&m, &Progress::new(m.len())).unwrap().checksum, Kernel::Mandelbrot.run_sequential(120));
        let b = Kernel::Blur.blur(90);
        assert_eq!(run_parallel(&b, &Progress::new(b.len())).unwrap(), Kernel::Blur.run_sequential(90));
    }

    // Run slice by slice (the no-pool path), the Mandelbrot job still draws the same image.
    #[test]
    fn sliced_mandelbrot_equals_sequential() {
        let m = Mandelbrot::new(60, 40, 100);
        let mut sliced = Sliced::new(Arc::new(m), Progress::new(40));
        let image = loop {
            if let Some(out) = sliced.run_until(|| true) {
                break out.unwrap();
            }
        };
        assert_eq!(image, run_sequential(&m));
    }
}

mod sizes {
    use interleave_core::run::kernels::{parse_size, Kernel};

    // Defaults are valid sizes, and each kernel's id leads back to it.
    #[test]
    fn defaults_within_limits() {
        for kernel in Kernel::ALL {
            assert!(kernel.size_limits().contains(&kernel.default_size()), "{}", kernel.name());
            assert_eq!(parse_size(kernel, &kernel.default_size().to_string()), Ok(kernel.default_size()));
            assert_eq!(Kernel::from_id(kernel.id()), Some(kernel));
            assert!(!kernel.describe_size(kernel.default_size()).is_empty());
        }
        assert_eq!(Kernel::Mandelbrot.describe_size(900), "900 × 600 pixels, up to 1,000 iterations");
    }

    // Separators are accepted; out-of-range and garbage are refused with a reason.
    #[test]
    fn refuses_out_of_range_with_reasons() {
        assert_eq!(parse_size(Kernel::Mandelbrot, " 1,200 "), Ok(1_200));
        assert_eq!(parse_size(Kernel::Primes, "5_000_000"), Ok(5_000_000));
        let too_big = parse_size(Kernel::Mandelbrot, "5000").unwrap_err();
        assert!(too_big.contains("between 60 and 1,800") && too_big.contains("you asked for 5,000"), "{too_big}");
        assert!(too_big.contains("too long"));
        let too_small = parse_size(Kernel::Blur, "10").unwrap_err();
        assert!(too_small.contains("you asked for 10") && too_small.contains("too few rows"), "{too_small}");
        let too_many = parse_size(Kernel::Primes, "60000000").unwrap_err();
        assert!(too_many.contains("between 2 and 10,000,000 (you asked for 60,000,000)"), "{too_many}");
        assert!(parse_size(Kernel::Primes, "1").unwrap_err().contains("no primes below 2"));
        assert!(parse_size(Kernel::Blur, "big").unwrap_err().contains("not a whole number"));
        assert!(parse_size(Kernel::Mandelbrot, "").unwrap_err().contains("not a whole number"));
        assert!(parse_size(Kernel::Mandelbrot, "-5").unwrap_err().contains("not a whole number"));
    }
}

mod threads {
    use super::*;

    /// A job whose slices take a while, so that idle threads would join in if they could.
    struct Spinning(u64);
    impl Job for Spinning {
        type Part = u64;
        type Output = u64;
        fn len(&self) -> u64 {
            self.0
        }
        fn slice_len(&self) -> u64 {
            1
        }
        fn run(&self, range: std::ops::Range<u64>) -> u64 {
            range.map(|i| interleave_core::run::busy::spin(i, 20_000)).fold(0, u64::wrapping_add)
        }
        fn identity(&self) -> u64 {
            0
        }
        fn combine(&self, a: u64, b: u64) -> u64 {
            a.wrapping_add(b)
        }
        fn finish(&self, part: u64) -> u64 {
            part
        }
    }

    // On a 4-thread pool, a run at k threads has work done by at most k distinct threads, every
    // slice counted once, and the sequential answer.
    #[test]
    fn at_most_k_threads() {
        let pool = pool(4);
        let job = Arc::new(Spinning(400));
        let expected = run_sequential(&*job);
        for _ in 0..5 {
            for k in 1..=4 {
                let progress = Progress::new(job.len());
                let run = pool.install(|| run_with_threads(&job, k, &progress)).unwrap();
                assert_eq!(run.output, expected);
                assert_eq!(run.tasks, k);
                assert!(!run.threads.is_empty() && run.threads.len() <= k, "k = {k}: {:?}", run.threads);
                assert!(run.threads.iter().all(|&t| t < 4));
                assert_eq!(run.slices_by_thread.values().sum::<u64>(), 400);
                assert_eq!(run.slices_by_thread.keys().copied().collect::<std::collections::BTreeSet<_>>(), run.threads);
                assert_eq!(progress.done(), 400);
            }
        }
    }

    // Asking for more threads than slices, or 0, still runs correctly (0 means 1).
    #[test]
    fn more_threads_than_slices_and_zero() {
        let job = Arc::new(Spinning(3));
        let expected = run_sequential(&*job);
        let pool = pool(4);
        let run = pool.install(|| run_with_threads(&job, 8, &Progress::new(3))).unwrap();
        assert_eq!(run.output, expected);
        assert!(run.threads.len() <= 3);
        let run = pool.install(|| run_with_threads(&job, 0, &Progress::new(3))).unwrap();
        assert_eq!((run.output, run.tasks, run.threads.len()), (expected, 1, 1));
        let empty = Arc::new(Spinning(0));
        assert_eq!(run_with_threads(&empty, 2, &Progress::new(0)).unwrap().output, 0);
    }

    // A cancelled run says so instead of returning a partial answer.
    #[test]
    fn cancelled() {
        let progress = Progress::new(400);
        progress.cancel();
        let result = run_with_threads(&Arc::new(Spinning(400)), 2, &progress);
        assert_eq!(result.unwrap_err(), JobError::Cancelled);
    }
}

mod amdahl {
    use interleave_core::speedup::amdahl::{amdahl_limit, amdahl_speedup, fit_serial_fraction};
    use interleave_core::run::busy::mix;

    /// Timings of a program with serial fraction `s`, 1 s on one thread, for 1..=8 threads,
    /// `repeats` times each, each scaled by `noise(i)`.
    fn timings(s: f64, repeats: u32, noise: impl Fn(u64) -> f64) -> Vec<(u32, f64)> {
        let mut points = Vec::new();
        let mut i = 0;
        for n in 1..=8u32 {
            for _ in 0..repeats {
                points.push((n, 1000.0 / amdahl_speedup(s, n as f64) * noise(i)));
                i += 1;
            }
        }
        points
    }

    // The law at its corners: no serial part scales linearly, all serial does not scale.
    #[test]
    fn speedup_formula() {
        assert!((amdahl_speedup(0.0, 8.0) - 8.0).abs() < 1e-12);
        assert!((amdahl_speedup(1.0, 8.0) - 1.0).abs() < 1e-12);
        assert!((amdahl_speedup(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
        assert!((amdahl_speedup(0.1, 1.0) - 1.0).abs() < 1e-12);
        assert!((amdahl_limit(0.05) - 20.0).abs() < 1e-9);
    }

    // Exact timings give back the serial fraction they were made from.
    #[test]
    fn recovers_exact() {
        for s in [0.0, 0.02, 0.1, 0.25, 0.5, 0.9, 1.0] {
            let fit = fit_serial_fraction(&timings(s, 1, |_| 1.0));
            assert!((fit - s).abs() < 1e-6, "s = {s}, fit = {fit}");
        }
    }

    // Timings with ±3 % noise give the serial fraction back within 0.04, for many noise draws.
    #[test]
    fn recovers_with_noise() {
        for seed in 0..50u64 {
            for s in [0.05, 0.2, 0.5] {
                let noise = |i: u64| 1.0 + 0.03 * ((mix(seed * 1000 + i) % 2001) as f64 / 1000.0 - 1.0);
                let fit = fit_serial_fraction(&timings(s, 3, noise));
                assert!((fit - s).abs() < 0.04, "seed {seed}, s = {s}, fit = {fit}");
            }
        }
    }

    // Without a 1-thread run, T1 is inferred and the fit still works.
    #[test]
    fn without_one_thread() {
        let points: Vec<(u32, f64)> =
            timings(0.3, 1, |_| 1.0).into_iter().filter(|&(n, _)| n > 1).collect();
        assert!((fit_serial_fraction(&points) - 0.3).abs() < 1e-6);
    }

    // Degenerate input stays in [0, 1]: nothing to fit, garbage, superlinear, slower with threads.
    #[test]
    fn degenerate_inputs() {
        assert_eq!(fit_serial_fraction(&[]), 0.0);
        assert_eq!(fit_serial_fraction(&[(1, 100.0), (1, 110.0)]), 0.0);
        assert_eq!(fit_serial_fraction(&[(0, 5.0), (2, f64::NAN), (3, -1.0)]), 0.0);
        assert!(fit_serial_fraction(&[(1, 100.0), (2, 40.0), (4, 20.0)]) < 1e-9, "superlinear");
        assert!(fit_serial_fraction(&[(1, 100.0), (2, 120.0), (4, 150.0)]) > 1.0 - 1e-9, "slower");
        assert_eq!(fit_serial_fraction(&[(2, 100.0), (4, 150.0)]), 1.0, "slower, no T1");
        for points in [&[(1, 1.0), (64, 1e-9)][..], &[(1, 1e-9), (2, 1e9)], &[(1, 5.0), (2, 5.0), (2, 1.0)]] {
            let fit = fit_serial_fraction(points);
            assert!((0.0..=1.0).contains(&fit), "{points:?} → {fit}");
        }
    }
}

mod granularity {
    use super::*;
    use interleave_core::granularity::{
        estimate_overhead_per_task, sum_parallel, sum_sequential, task_sizes, verdict,
        GranularityPoint, GranularitySetup,
    };

    /// A point whose parallel run costs `overhead_ms` per task on top of perfect sharing.
    fn synthetic(task_size: u64, overhead_ms: f64) -> GranularityPoint {
        let (items, threads, seq_ms) = (4096u64, 4usize, 40.0);
        let tasks = items.div_ceil(task_size);
        let par_ms = (seq_ms + tasks as f64 * overhead_ms) / threads as f64;
        GranularityPoint { task_size, tasks, threads, seq_ms, par_ms }
    }

    // Sizes go up by 4 from 1 and end at one task per thread.
    #[test]
    fn sweep_sizes() {
        assert_eq!(task_sizes(65_536, 2), [1, 4, 16, 64, 256, 1_024, 4_096, 16_384, 32_768]);
        assert_eq!(task_sizes(1_024, 4), [1, 4, 16, 64, 256]);
        assert_eq!(task_sizes(10, 4), [1, 2]);
        assert_eq!(task_sizes(1, 8), [1]);
        assert_eq!(task_sizes(100, 0), [1, 4, 16, 64, 100]);
    }

    // Every split computes the same checksum as the plain loop.
    #[test]
    fn split_sums_agree() {
        let setup = GranularitySetup { items: 1_000, spins_per_item: 50 };
        let expected = sum_sequential(&setup);
        for size in [1, 3, 7, 64, 500, 1_000, 5_000] {
            assert_eq!(pool(3).install(|| sum_parallel(&setup, size)), expected, "size {size}");
        }
    }

    // The estimate recovers a known per-task overhead, and never goes below zero.
    #[test]
    fn overhead_estimate() {
        let points: Vec<_> = [1, 4, 16, 64, 256, 1024].iter().map(|&g| synthetic(g, 0.002)).collect();
        assert!((estimate_overhead_per_task(&points) - 0.002).abs() < 1e-9);
        let faster_when_finer: Vec<_> = [1, 4, 16].iter().map(|&g| synthetic(g, -0.001)).collect();
        assert_eq!(estimate_overhead_per_task(&faster_when_finer), 0.0);
        assert_eq!(estimate_overhead_per_task(&points[..1]), 0.0);
        assert_eq!(estimate_overhead_per_task(&[]), 0.0);
    }

    // The verdict names where parallel lost, in each situation, and always says to profile.
    #[test]
    fn verdicts() {
        let mixed: Vec<_> = [1, 4, 16, 64, 256, 1024].iter().map(|&g| synthetic(g, 0.2)).collect();
        let text = verdict(&mixed);
        assert!(text.contains("slower than the plain loop for tasks of 1, 4 items ("), "{text}");
        assert!(text.contains("about 200.00 µs"), "{text}");
        assert!(!text.contains("noisy"), "{text}");
        let one: Vec<_> = [1, 4, 16].iter().map(|&g| synthetic(g, 0.05)).collect();
        assert!(verdict(&one).contains("for tasks of 1 item ("), "{}", verdict(&one));
        let mut bumpy = one.clone();
        bumpy[2].par_ms = bumpy[2].seq_ms * 1.1;
        let text = verdict(&bumpy);
        assert!(text.contains("for tasks of 1, 16 items") && text.contains("noisy"), "{text}");
        let all_faster: Vec<_> = [64, 256].iter().map(|&g| synthetic(g, 0.0001)).collect();
        assert!(verdict(&all_faster).contains("beat the plain loop at every task size"));
        let all_slower: Vec<_> = [1, 4].iter().map(|&g| synthetic(g, 1.0)).collect();
        assert!(verdict(&all_slower).contains("slower than the plain loop at every task size"));
        for text in [verdict(&mixed), verdict(&all_faster), verdict(&all_slower), verdict(&[])] {
            assert!(text.contains("profile"), "{text}");
        }
    }
}

mod race {
    use super::*;
    use interleave_core::race::{run_race_with, Strategy, ONE_THREAD_LOSES_NOTHING};

    // Atomic, mutex, local-then-combine and messages never lose an update, over many runs of 4
    // threads that overlap.
    #[test]
    fn safe_strategies_never_lose() {
        let pool = pool(4);
        for strategy in [Strategy::Atomic, Strategy::Mutex, Strategy::LocalThenCombine, Strategy::Messages] {
            for _ in 0..25 {
                let outcome = pool.install(|| run_race_with(strategy, 4, 20_000, &Progress::default()).unwrap());
                assert_eq!((outcome.expected, outcome.actual, outcome.lost), (80_000, 80_000, 0), "{}", strategy.name());
            }
        }
    }

    // The racy counter never counts more than it should, and reports what it lost.
    #[test]
    fn racy_accounts_for_its_losses() {
        let pool = pool(4);
        for _ in 0..10 {
            let outcome = pool.install(|| run_race_with(Strategy::Racy, 4, 100_000, &Progress::default()).unwrap());
            assert_eq!(outcome.expected, 400_000);
            assert!(outcome.actual <= outcome.expected);
            assert_eq!(outcome.lost, outcome.expected - outcome.actual);
        }
    }

    // With one thread even the racy counter is exact, as the page explains.
    #[test]
    fn one_thread_loses_nothing() {
        let outcome = pool(4).install(|| run_race_with(Strategy::Racy, 1, 200_000, &Progress::default()).unwrap());
        assert_eq!((outcome.actual, outcome.lost), (200_000, 0));
        assert!(ONE_THREAD_LOSES_NOTHING.contains("one thread"));
    }

    // More workers than pool threads (even a 1-thread pool) still finishes, every strategy.
    #[test]
    fn small_pool_does_not_deadlock() {
        let pool = pool(1);
        for strategy in Strategy::ALL {
            let outcome = pool.install(|| run_race_with(strategy, 4, 1_000, &Progress::default()).unwrap());
            assert_eq!(outcome.expected, 4_000);
            if strategy != Strategy::Racy {
                assert_eq!(outcome.lost, 0, "{}", strategy.name());
            }
        }
    }

    // Every strategy has a name, an explanation and an id that leads back to it.
    #[test]
    fn strategy_names() {
        for strategy in Strategy::ALL {
            assert!(!strategy.name().is_empty() && !strategy.explain().is_empty());
            assert_eq!(Strategy::from_id(strategy.id()), Some(strategy));
        }
    }
}
