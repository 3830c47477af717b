//! A three-stage pipeline over bounded channels — producer, workers, consumer — reporting its
//! queue depths and throughput as it runs.
//!
//! Implementation note: each stage is a rayon task in one `rayon::scope`, and stages block on
//! `std::sync::mpsc::sync_channel`s, which is what makes the queues bounded (a full queue stops
//! the producer: backpressure). A blocked task holds its thread, so the pool needs a thread per
//! stage: `workers + 2` ([`max_pipeline_workers`]); [`run_pipeline`] refuses more rather than
//! hang. Queue depths are counted without locks and never over-counted: a send is counted after
//! it completes, a receive before it starts, and the sent count is read first, so the depth
//! shown is at most what the queue held.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::lab::work::{mix, spin};
use crate::numbers::group_digits;

/// Most items one run may carry (the consumer keeps one flag per item to prove exactly-once).
pub const MAX_ITEMS: u64 = 1_000_000;

/// A snapshot taken by the consumer as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PipelineSample {
    /// Time since the run started, in ms.
    pub at_ms: f64,
    /// Items the producer has queued.
    pub produced: u64,
    /// Items the workers have passed on.
    pub processed: u64,
    /// Items the consumer has finished.
    pub consumed: u64,
    /// Items waiting in the producer→workers and workers→consumer queues (at most the capacity).
    pub queue_depths: [u64; 2],
    /// Items consumed per ms since the start.
    pub throughput_per_ms: f64,
}

/// How a pipeline run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineOutcome {
    /// Items sent.
    pub items: u64,
    /// Items the consumer received, counting repeats.
    pub received: u64,
    /// Items received more than once (always 0 if channels work).
    pub duplicates: u64,
    /// Checksum of every item's final value, in any order.
    pub checksum: u64,
    /// The same checksum computed in one plain loop ([`pipeline_checksum`]).
    pub expected_checksum: u64,
}

impl PipelineOutcome {
    /// Whether every item arrived exactly once with the right value.
    pub fn exactly_once(&self) -> bool {
        self.received == self.items && self.duplicates == 0 && self.checksum == self.expected_checksum
    }
}

/// Workers the current pool can run beside the producer and the consumer.
pub fn max_pipeline_workers() -> usize {
    rayon::current_num_threads().saturating_sub(2)
}

/// The value item `id` has after the three stages of `stage_work` spins each.
fn item_value(id: u64, stage_work: [u64; 3]) -> u64 {
    let produced = spin(id, stage_work[0]);
    let processed = spin(produced, stage_work[1]);
    spin(processed, stage_work[2])
}

/// The checksum a correct run of `items` items must produce, computed in one plain loop.
pub fn pipeline_checksum(items: u64, stage_work: [u64; 3]) -> u64 {
    (0..items).fold(0u64, |acc, id| acc.wrapping_add(mix(item_value(id, stage_work))))
}

/// Runs `items` items through producer → `workers` workers → consumer, with `capacity` places
/// in each queue and `stage_work` = `[producer, worker, consumer]` spin iterations of CPU work per
/// item (see [`crate::lab::work::spins_for_micros`] to express them in µs). The consumer calls
/// `observe` about 200 times, and once at the end, with the clock `now` in ms.
///
/// Blocks the calling thread; call it from a pool thread. Refuses, with a reason, settings the
/// pool cannot run (more workers than [`max_pipeline_workers`]) or that make no sense.
pub fn run_pipeline(
    items: u64,
    stage_work: [u64; 3],
    capacity: usize,
    workers: usize,
    now: impl Fn() -> f64 + Sync,
    observe: impl Fn(PipelineSample) + Sync,
) -> Result<PipelineOutcome, String> {
    if capacity == 0 {
        return Err("Each queue needs room for at least one item.".to_string());
    }
    if workers == 0 {
        return Err("The pipeline needs at least one worker.".to_string());
    }
    if workers > max_pipeline_workers() {
        return Err(format!(
            "This pool has {} threads: enough for the producer, the consumer and at most {} workers \
             (you asked for {workers}). Each stage waits on a channel and holds its thread while it waits.",
            rayon::current_num_threads(),
            max_pipeline_workers()
        ));
    }
    if items > MAX_ITEMS {
        return Err(format!(
            "At most {} items (you asked for {}).",
            group_digits(MAX_ITEMS),
            group_digits(items)
        ));
    }

    let start = now();
    let (to_workers, from_producer) = sync_channel::<(u64, u64)>(capacity);
    let (to_consumer, from_workers) = sync_channel::<(u64, u64)>(capacity);
    let from_producer: Mutex<Receiver<(u64, u64)>> = Mutex::new(from_producer);
    // Sent counts (after each send) and taken counts (before each receive), per queue.
    let sent = [AtomicU64::new(0), AtomicU64::new(0)];
    let taken = [AtomicU64::new(0), AtomicU64::new(0)];
    let depth = |q: usize| {
        let s = sent[q].load(Ordering::SeqCst);
        s.saturating_sub(taken[q].load(Ordering::SeqCst))
    };
    let sample_every = (items / 200).max(1);
    let mut outcome = PipelineOutcome {
        items,
        received: 0,
        duplicates: 0,
        checksum: 0,
        expected_checksum: pipeline_checksum(items, stage_work),
    };

    rayon::scope(|scope| {
        let (sent, taken, depth, outcome) = (&sent, &taken, &depth, &mut outcome);
        let (now, observe, from_producer) = (&now, &observe, &from_producer);

        scope.spawn(move |_| {
            for id in 0..items {
                let value = spin(id, stage_work[0]);
                if to_workers.send((id, value)).is_err() {
                    return;
                }
                sent[0].fetch_add(1, Ordering::SeqCst);
            }
        });

        for _ in 0..workers {
            let to_consumer = to_consumer.clone();
            scope.spawn(move |_| loop {
                let next = {
                    let inbox = from_producer.lock().unwrap_or_else(|e| e.into_inner());
                    taken[0].fetch_add(1, Ordering::SeqCst);
                    inbox.recv()
                };
                let Ok((id, value)) = next else { return };
                if to_consumer.send((id, spin(value, stage_work[1]))).is_err() {
                    return;
                }
                sent[1].fetch_add(1, Ordering::SeqCst);
            });
        }
        drop(to_consumer);

        scope.spawn(move |_| {
            let mut seen = vec![false; items as usize];
            let sample = |consumed: u64| {
                let at_ms = now() - start;
                let queue_depths = [depth(0), depth(1)];
                // A send is counted just after it completes, so a count may trail the items
                // already received downstream; an item consumed was certainly processed.
                let processed = sent[1].load(Ordering::SeqCst).max(consumed);
                let produced = sent[0].load(Ordering::SeqCst).max(processed);
                observe(PipelineSample {
                    at_ms,
                    produced,
                    processed,
                    consumed,
                    queue_depths,
                    throughput_per_ms: if at_ms > 0.0 { consumed as f64 / at_ms } else { 0.0 },
                });
            };
            loop {
                taken[1].fetch_add(1, Ordering::SeqCst);
                let Ok((id, value)) = from_workers.recv() else { break };
                let value = spin(value, stage_work[2]);
                outcome.checksum = outcome.checksum.wrapping_add(mix(value));
                outcome.received += 1;
                match seen.get_mut(id as usize) {
                    Some(flag) if !*flag => *flag = true,
                    _ => outcome.duplicates += 1,
                }
                if outcome.received % sample_every == 0 {
                    sample(outcome.received);
                }
            }
            sample(outcome.received);
        });
    });
    Ok(outcome)
}
