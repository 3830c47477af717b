//! The false-sharing widget as the page runs it: both layouts count the same, the packed counters
//! really share one 64-byte line and the padded ones do not, settings are refused with reasons,
//! and a page without workers runs one counter in slices.

use std::sync::Arc;

use interleave_core::false_sharing::{
    run_false_sharing, Counters, FalseSharingRun, Layout, LayoutRun, OneThreadCounter, Settings, LINE_BYTES, PADDED_BYTES,
    PER_LINE, ROUNDS,
};
use interleave_core::run::jobs::{spawn_task, Job, JobError, Progress, Sliced};

#[path = "support/lab.rs"]
mod common;
use common::{pool, clock};

// Packed: the first eight counters lie in one 64-byte line, 8 bytes apart; the ninth starts the
// next line. Padded: every counter starts its own 128 bytes, so no two share a line (nor a pair).
#[test]
fn the_layouts_are_what_they_say() {
    let packed = Counters::new(Layout::Packed, 12).addresses();
    assert_eq!(PER_LINE, 8);
    for (i, a) in packed.iter().enumerate() {
        assert_eq!(a / LINE_BYTES, packed[(i / PER_LINE) * PER_LINE] / LINE_BYTES, "counter {i} is in its group's line");
        assert_eq!(a % LINE_BYTES, (i % PER_LINE) * 8, "counter {i} sits {} bytes into its line", (i % PER_LINE) * 8);
    }
    assert_ne!(packed[7] / LINE_BYTES, packed[8] / LINE_BYTES);

    let padded = Counters::new(Layout::Padded, 12).addresses();
    for (i, a) in padded.iter().enumerate() {
        assert_eq!(a % PADDED_BYTES, 0, "counter {i} starts a 128-byte block");
        for b in &padded[i + 1..] {
            assert!(b.abs_diff(*a) >= PADDED_BYTES);
            assert_ne!(a / LINE_BYTES, b / LINE_BYTES);
            assert_ne!(a / PADDED_BYTES, b / PADDED_BYTES);
        }
    }
}

// Through a pool task, as the page calls it: every counter of both layouts reads exactly the
// increments, every increment of every round is in the progress, the times are positive and the
// ratio is theirs.
#[test]
fn both_layouts_count_the_same() {
    for threads in [1, 2, 4, 9] {
        let settings = Settings { threads, increments: 50_000 };
        let progress = Progress::new(settings.units());
        let shared = progress.clone();
        let run: FalseSharingRun = futures_executor::block_on(spawn_task(move || run_false_sharing(settings, &shared, clock())))
            .unwrap()
            .unwrap();
        assert_eq!((run.threads, run.increments), (threads, 50_000));
        assert_eq!(run.packed.counts, vec![50_000; threads]);
        assert_eq!(run.padded.counts, vec![50_000; threads]);
        assert!(run.counts_right());
        assert_eq!(progress.done(), settings.units());
        assert_eq!(settings.units(), (ROUNDS * 2 * threads) as u64 * 50_000);
        for layout in [&run.packed, &run.padded] {
            assert_eq!(layout.rounds_ms.len(), ROUNDS);
            assert!(layout.ms > 0.0, "{:?}", layout);
        }
        assert_eq!(run.ratio(), ((run.packed.ms / run.padded.ms) * 100.0).round() / 100.0);
        assert!(run.verdict().contains(if threads == 1 { "nothing to see" } else { "in both layouts: the same work" }), "{}", run.verdict());
    }
}

// A cancelled run stops and says so.
#[test]
fn cancel() {
    let progress = Progress::new(1);
    progress.cancel();
    let result = pool(2).install(|| run_false_sharing(Settings { threads: 2, increments: 1_000_000 }, &progress, clock()));
    assert_eq!(result, Err(JobError::Cancelled));
}

// Threads from 1 to the page's workers and increments in range, or a reason.
#[test]
fn settings_are_refused_with_reasons() {
    assert_eq!(Settings::parse("2", "2,000,000", 4), Ok(Settings { threads: 2, increments: 2_000_000 }));
    let why = Settings::parse("5", "1000", 4).unwrap_err();
    assert!(why.contains("Threads must be from 1 to 4 (you asked for 5)") && why.contains("This page has 4 worker threads"), "{why}");
    assert!(Settings::parse("2", "1000", 1).unwrap_err().contains("1 worker thread,"));
    let why = Settings::parse("1", "999", 4).unwrap_err();
    assert!(why.contains("from 1,000 to 20,000,000 (you asked for 999)"), "{why}");
    assert!(Settings::parse("1", "many", 4).unwrap_err().contains("not a whole number"));
}

// Without workers: one counter per layout, in slices, counted right; the run says one thread
// shows nothing; a wrong count would be said.
#[test]
fn one_thread_in_slices() {
    let mut counts = Vec::new();
    for layout in Layout::ALL {
        let progress = Progress::new(300_000);
        let mut sliced = Sliced::new(Arc::new(OneThreadCounter::new(layout, 300_000)), progress.clone());
        let out = loop {
            if let Some(done) = sliced.run_until(|| true) {
                break done.unwrap();
            }
        };
        assert_eq!(out, vec![300_000]);
        assert_eq!(progress.done(), 300_000);
        counts.push(out);
    }
    assert!(OneThreadCounter::new(Layout::Packed, 1 << 20).slice_len() < 1 << 20);
    let run = FalseSharingRun {
        threads: 1,
        increments: 300_000,
        packed: LayoutRun::new(Layout::Packed, vec![2.0], counts[0].clone()),
        padded: LayoutRun::new(Layout::Padded, vec![2.0], counts[1].clone()),
    };
    assert!(run.counts_right());
    assert_eq!(run.ratio(), 1.0);
    assert!(run.verdict().contains("nothing to see"));
    let wrong = FalseSharingRun { packed: LayoutRun::new(Layout::Packed, vec![2.0], vec![299_999]), ..run };
    assert!(!wrong.counts_right());
    assert!(wrong.verdict().contains("should never happen"));
}

// The verdict follows the ratio: false sharing, some cost, no difference, or noise.
#[test]
fn the_verdict_follows_the_ratio() {
    let run = |packed: f64, padded: f64| FalseSharingRun {
        threads: 2,
        increments: 1_000,
        packed: LayoutRun::new(Layout::Packed, vec![packed], vec![1_000; 2]),
        padded: LayoutRun::new(Layout::Padded, vec![padded], vec![1_000; 2]),
    }
    .verdict();
    assert!(run(30.0, 10.0).contains("3.00× as long as padded") && run(30.0, 10.0).contains("false sharing"));
    assert!(run(12.0, 10.0).contains("cost something"));
    assert!(run(10.0, 10.0).contains("about as long (1.00×)"));
    let noise = run(10.0, 30.0);
    assert!(noise.contains("Padded took longer this time (packed ÷ padded 0.33×)") && noise.contains("noise"), "{noise}");
}
