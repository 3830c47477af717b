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

use crate::run::busy::{mix, spin};
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
/// item (see [`crate::run::busy::spins_for_micros`] to express them in µs). The consumer calls
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

// ---------------------------------------------------------------------------------------------
// The same pipeline with stages that never block a thread.
//
// `run_pipeline` gives each stage a thread of its own, so it needs `workers + 2` pool threads: on
// a two-core machine, not even one worker fits. Here each stage is a state machine that runs in
// short turns instead: it sends with `try_send` and receives with `try_recv`, and when its queue
// is full (or empty) it ends its turn rather than wait. On the pool, one runner per thread takes
// the stage that has waited longest from a shared line, gives it a turn and puts it back; on a
// page without threads, [`SteppedPipeline`] runs the same stages round-robin in slices. The
// queues are the same bounded `sync_channel`s, so a slow stage stalls the ones before it exactly
// as blocking sends would: backpressure, on any number of threads.
// ---------------------------------------------------------------------------------------------

use std::sync::mpsc::{Receiver as StageInbox, SyncSender, TryRecvError, TrySendError};
use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use crate::run::jobs::{Job, JobError, Progress};

/// Most worker stages a run on [`spawn_pipeline`] or [`SteppedPipeline`] may have.
pub const MAX_WORKERS: usize = 8;

/// Longest turn a stage takes before letting the others run, in ms.
const TURN_MS: f64 = 1.0;

/// Time between two samples, in ms.
const SAMPLE_MS: f64 = 10.0;

/// A millisecond clock every stage can read; on the web, one that agrees between workers.
pub type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Receives each sample, and the ms each stage has spent waiting so far (`[producer, workers
/// (mean per worker), consumer]`): the producer waits on a full queue, the consumer on an empty
/// one.
pub type Observer = Arc<dyn Fn(PipelineSample, [f64; 3]) + Send + Sync>;

/// What a pipeline run carries and how fast each stage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineSettings {
    /// Items sent through.
    pub items: u64,
    /// Spin iterations of work per item: `[producer, each worker, consumer]`.
    pub stage_work: [u64; 3],
    /// Places in each of the two queues.
    pub capacity: usize,
    /// Worker stages between the queues.
    pub workers: usize,
}

impl PipelineSettings {
    /// Refuses, with a reason, settings that make no sense or are too large.
    pub fn check(&self) -> Result<(), String> {
        if self.capacity == 0 {
            return Err("Each queue needs room for at least one item.".to_string());
        }
        if !(1..=MAX_WORKERS).contains(&self.workers) {
            return Err(format!(
                "The pipeline needs from 1 to {MAX_WORKERS} workers (you asked for {}).",
                self.workers
            ));
        }
        if self.items > MAX_ITEMS {
            return Err(format!(
                "At most {} items (you asked for {}).",
                group_digits(MAX_ITEMS),
                group_digits(self.items)
            ));
        }
        Ok(())
    }
}

/// What the consumer saw in a run, before it is checked against [`PipelineCheck`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PipelineReceipt {
    /// Items sent.
    pub items: u64,
    /// Items received, counting repeats.
    pub received: u64,
    /// Items received more than once.
    pub duplicates: u64,
    /// Checksum of every item's final value, in any order.
    pub checksum: u64,
    /// From the start to the last item consumed, in ms.
    pub wall_ms: f64,
    /// Ms each stage spent waiting: `[producer, workers (mean per worker), consumer]`.
    pub waiting_ms: [f64; 3],
}

impl PipelineReceipt {
    /// The outcome, given the checksum a correct run must have ([`PipelineCheck`]).
    pub fn outcome(&self, expected_checksum: u64) -> PipelineOutcome {
        PipelineOutcome {
            items: self.items,
            received: self.received,
            duplicates: self.duplicates,
            checksum: self.checksum,
            expected_checksum,
        }
    }
}

/// [`pipeline_checksum`] as a [`Job`], so that checking a run can go on the pool or in slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelineCheck {
    /// Items of the run.
    pub items: u64,
    /// Its stage work.
    pub stage_work: [u64; 3],
}

impl Job for PipelineCheck {
    type Part = u64;
    type Output = u64;
    fn len(&self) -> u64 {
        self.items
    }
    fn run(&self, range: std::ops::Range<u64>) -> u64 {
        range.fold(0u64, |acc, id| acc.wrapping_add(mix(item_value(id, self.stage_work))))
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

/// How a stage's turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// It moved at least one item and may have more to do.
    Ran,
    /// It could move nothing: its input was empty or its output full.
    Blocked,
    /// It is done (its input closed, or the run was cancelled).
    Finished,
}

type Item = (u64, u64);
type Reply = Box<dyn FnOnce(Result<PipelineReceipt, JobError>) + Send>;

/// What every stage shares: settings, clock, counters.
struct Shared {
    settings: PipelineSettings,
    start: f64,
    now: Clock,
    observe: Observer,
    progress: Arc<Progress>,
    /// Sent counts (after each send) and taken counts (before each receive), per queue.
    sent: [AtomicU64; 2],
    taken: [AtomicU64; 2],
    consumed: AtomicU64,
    /// Microseconds of waiting, per stage kind (workers summed).
    waited_us: [AtomicU64; 3],
    /// When the next sample is due (ms since start, as `f64` bits).
    next_sample: AtomicU64,
}

impl Shared {
    fn elapsed(&self) -> f64 {
        (self.now)() - self.start
    }
    fn depth(&self, q: usize) -> u64 {
        let s = self.sent[q].load(Ordering::SeqCst);
        s.saturating_sub(self.taken[q].load(Ordering::SeqCst))
    }
    fn waiting_ms(&self) -> [f64; 3] {
        let ms = |i: usize| self.waited_us[i].load(Ordering::Relaxed) as f64 / 1000.0;
        [ms(0), ms(1) / self.settings.workers.max(1) as f64, ms(2)]
    }
    fn sample(&self, at_ms: f64) {
        let queue_depths = [self.depth(0), self.depth(1)];
        let consumed = self.consumed.load(Ordering::SeqCst);
        let processed = self.sent[1].load(Ordering::SeqCst).max(consumed);
        let produced = self.sent[0].load(Ordering::SeqCst).max(processed);
        let throughput_per_ms = if at_ms > 0.0 { consumed as f64 / at_ms } else { 0.0 };
        let sample = PipelineSample { at_ms, produced, processed, consumed, queue_depths, throughput_per_ms };
        (self.observe)(sample, self.waiting_ms());
    }
    /// Takes a sample if one is due; only one caller wins each due time.
    fn maybe_sample(&self) {
        let at = self.elapsed();
        let due = self.next_sample.load(Ordering::SeqCst);
        if at >= f64::from_bits(due)
            && self
                .next_sample
                .compare_exchange(due, (at + SAMPLE_MS).to_bits(), Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            self.sample(at);
        }
    }
}

/// When a stage started waiting, to add its wait to the stage's total once it moves again.
#[derive(Default)]
struct WaitClock(Option<f64>);

impl WaitClock {
    fn blocked(&mut self, shared: &Shared) {
        self.0.get_or_insert_with(|| (shared.now)());
    }
    fn moved(&mut self, shared: &Shared, kind: usize) {
        if let Some(since) = self.0.take() {
            let us = (((shared.now)() - since) * 1000.0).max(0.0) as u64;
            shared.waited_us[kind].fetch_add(us, Ordering::Relaxed);
        }
    }
}

trait Stage: Send {
    fn turn(&mut self, shared: &Shared) -> Turn;
}

/// Ends a turn in which nothing could move: `Ran` if something moved earlier in it.
/// Hands `item` to the next stage as stage `stage`. `Some(turn)` when this turn must end: the
/// queue is full (the item is kept in `pending` for the next turn) or the next stage is gone.
fn forward(
    out: &mut Option<SyncSender<Item>>,
    pending: &mut Option<Item>,
    wait: &mut WaitClock,
    sh: &Shared,
    stage: usize,
    item: Item,
    ran: &mut bool,
) -> Option<Turn> {
    let Some(sender) = out.as_ref() else { return Some(Turn::Finished) };
    match sender.try_send(item) {
        Ok(()) => {
            sh.sent[stage].fetch_add(1, Ordering::SeqCst);
            wait.moved(sh, stage);
            *ran = true;
            None
        }
        Err(TrySendError::Full(item)) => {
            *pending = Some(item);
            Some(stop(*ran, wait, sh))
        }
        Err(TrySendError::Disconnected(_)) => {
            *out = None;
            Some(Turn::Finished)
        }
    }
}

fn stop(ran: bool, wait: &mut WaitClock, shared: &Shared) -> Turn {
    wait.blocked(shared);
    if ran {
        Turn::Ran
    } else {
        Turn::Blocked
    }
}

struct Producer {
    next: u64,
    pending: Option<Item>,
    out: Option<SyncSender<Item>>,
    wait: WaitClock,
}

impl Stage for Producer {
    fn turn(&mut self, sh: &Shared) -> Turn {
        let until = (sh.now)() + TURN_MS;
        let mut ran = false;
        loop {
            if self.out.is_none() {
                return Turn::Finished;
            }
            if sh.progress.is_cancelled() {
                self.out = None;
                return Turn::Finished;
            }
            let item = match self.pending.take() {
                Some(item) => item,
                None if self.next < sh.settings.items => {
                    let id = self.next;
                    self.next += 1;
                    (id, spin(id, sh.settings.stage_work[0]))
                }
                None => {
                    self.out = None;
                    return Turn::Finished;
                }
            };
            if let Some(end) = forward(&mut self.out, &mut self.pending, &mut self.wait, sh, 0, item, &mut ran) {
                return end;
            }
            if (sh.now)() >= until {
                return Turn::Ran;
            }
        }
    }
}

struct Worker {
    inbox: Arc<Mutex<StageInbox<Item>>>,
    pending: Option<Item>,
    out: Option<SyncSender<Item>>,
    wait: WaitClock,
}

impl Stage for Worker {
    fn turn(&mut self, sh: &Shared) -> Turn {
        let until = (sh.now)() + TURN_MS;
        let mut ran = false;
        loop {
            if self.out.is_none() {
                return Turn::Finished;
            }
            if sh.progress.is_cancelled() {
                self.out = None;
                return Turn::Finished;
            }
            let item = match self.pending.take() {
                Some(item) => item,
                None => {
                    // Another worker receiving now: this one simply tries again next turn.
                    let received = match self.inbox.try_lock() {
                        Ok(inbox) => {
                            sh.taken[0].fetch_add(1, Ordering::SeqCst);
                            let received = inbox.try_recv();
                            if received.is_err() {
                                sh.taken[0].fetch_sub(1, Ordering::SeqCst);
                            }
                            received
                        }
                        Err(_) => return stop(ran, &mut self.wait, sh),
                    };
                    match received {
                        Ok((id, value)) => (id, spin(value, sh.settings.stage_work[1])),
                        Err(TryRecvError::Empty) => return stop(ran, &mut self.wait, sh),
                        Err(TryRecvError::Disconnected) => {
                            self.out = None;
                            return Turn::Finished;
                        }
                    }
                }
            };
            if let Some(end) = forward(&mut self.out, &mut self.pending, &mut self.wait, sh, 1, item, &mut ran) {
                return end;
            }
            if (sh.now)() >= until {
                return Turn::Ran;
            }
        }
    }
}

struct Consumer {
    inbox: StageInbox<Item>,
    seen: Vec<bool>,
    received: u64,
    duplicates: u64,
    checksum: u64,
    reply: Option<Reply>,
    wait: WaitClock,
}

impl Consumer {
    fn finish(&mut self, sh: &Shared, result: Result<(), JobError>) -> Turn {
        if let Some(reply) = self.reply.take() {
            let wall_ms = sh.elapsed();
            sh.sample(wall_ms);
            reply(result.map(|()| PipelineReceipt {
                items: sh.settings.items,
                received: self.received,
                duplicates: self.duplicates,
                checksum: self.checksum,
                wall_ms,
                waiting_ms: sh.waiting_ms(),
            }));
        }
        Turn::Finished
    }
}

impl Stage for Consumer {
    fn turn(&mut self, sh: &Shared) -> Turn {
        let until = (sh.now)() + TURN_MS;
        let mut ran = false;
        loop {
            if self.reply.is_none() {
                return Turn::Finished;
            }
            if sh.progress.is_cancelled() {
                return self.finish(sh, Err(JobError::Cancelled));
            }
            sh.taken[1].fetch_add(1, Ordering::SeqCst);
            match self.inbox.try_recv() {
                Ok((id, value)) => {
                    self.wait.moved(sh, 2);
                    let value = spin(value, sh.settings.stage_work[2]);
                    self.checksum = self.checksum.wrapping_add(mix(value));
                    self.received += 1;
                    match self.seen.get_mut(id as usize) {
                        Some(flag) if !*flag => *flag = true,
                        _ => self.duplicates += 1,
                    }
                    sh.consumed.fetch_add(1, Ordering::SeqCst);
                    sh.progress.add(1);
                    ran = true;
                }
                Err(TryRecvError::Empty) => {
                    sh.taken[1].fetch_sub(1, Ordering::SeqCst);
                    return stop(ran, &mut self.wait, sh);
                }
                Err(TryRecvError::Disconnected) => {
                    sh.taken[1].fetch_sub(1, Ordering::SeqCst);
                    return self.finish(sh, Ok(()));
                }
            }
            if (sh.now)() >= until {
                return Turn::Ran;
            }
        }
    }
}

/// Checks `settings` and builds the stages: producer, workers, consumer (in that order).
fn build(
    settings: PipelineSettings,
    now: Clock,
    observe: Observer,
    progress: Arc<Progress>,
    reply: Reply,
) -> Result<(Arc<Shared>, Vec<Box<dyn Stage>>), String> {
    settings.check()?;
    let start = now();
    let shared = Arc::new(Shared {
        settings,
        start,
        now,
        observe,
        progress,
        sent: [AtomicU64::new(0), AtomicU64::new(0)],
        taken: [AtomicU64::new(0), AtomicU64::new(0)],
        consumed: AtomicU64::new(0),
        waited_us: [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
        next_sample: AtomicU64::new(0f64.to_bits()),
    });
    let (to_workers, from_producer) = sync_channel::<Item>(settings.capacity);
    let (to_consumer, from_workers) = sync_channel::<Item>(settings.capacity);
    let inbox = Arc::new(Mutex::new(from_producer));
    let mut stages: Vec<Box<dyn Stage>> = Vec::with_capacity(settings.workers + 2);
    stages.push(Box::new(Producer { next: 0, pending: None, out: Some(to_workers), wait: WaitClock::default() }));
    for _ in 0..settings.workers {
        stages.push(Box::new(Worker {
            inbox: Arc::clone(&inbox),
            pending: None,
            out: Some(to_consumer.clone()),
            wait: WaitClock::default(),
        }));
    }
    drop(to_consumer);
    stages.push(Box::new(Consumer {
        inbox: from_workers,
        seen: vec![false; settings.items as usize],
        received: 0,
        duplicates: 0,
        checksum: 0,
        reply: Some(reply),
        wait: WaitClock::default(),
    }));
    Ok((shared, stages))
}

/// The stages waiting for a turn, shared by the runners.
struct Ready {
    stages: Mutex<VecDeque<Box<dyn Stage>>>,
    /// Stages not finished yet (waiting, or taking a turn on some runner).
    live: AtomicUsize,
}

/// One runner: takes the stage that has waited longest, gives it a turn, puts it back unless it
/// finished; ends when every stage has. Never waits for a stage's queue, only (briefly) for the
/// lock around the line of stages.
fn run_stages(ready: &Ready, shared: &Shared) {
    loop {
        let next = ready.stages.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
        match next {
            Some(mut stage) => {
                let turn = stage.turn(shared);
                shared.maybe_sample();
                if turn == Turn::Finished {
                    ready.live.fetch_sub(1, Ordering::SeqCst);
                } else {
                    ready.stages.lock().unwrap_or_else(|e| e.into_inner()).push_back(stage);
                }
            }
            // Every stage is taking a turn on another runner, or all are done.
            None if ready.live.load(Ordering::SeqCst) == 0 => return,
            None => std::hint::spin_loop(),
        }
    }
}

/// Starts a pipeline on the current rayon pool — any number of threads, even one — and returns a
/// future of what the consumer received; the caller never blocks. `observe` gets a sample about
/// every 10 ms and a last one at the end; `progress` counts items consumed and can cancel the run.
/// Refuses, with a reason, settings that make no sense ([`PipelineSettings::check`]).
pub fn spawn_pipeline(
    settings: PipelineSettings,
    now: Clock,
    observe: Observer,
    progress: Arc<Progress>,
) -> Result<impl std::future::Future<Output = Result<PipelineReceipt, JobError>>, String> {
    let (tx, rx) = futures_channel::oneshot::channel();
    let reply: Reply = Box::new(move |result| {
        let _ = tx.send(result);
    });
    let (shared, stages) = build(settings, now, observe, progress, reply)?;
    // One runner per pool thread (no more than there are stages). The runners share the stages,
    // so every thread takes part however the pool schedules them, and a runner that starts late
    // (its thread was busy elsewhere) simply joins in.
    let runners = rayon::current_num_threads().clamp(1, stages.len());
    let ready = Arc::new(Ready { live: AtomicUsize::new(stages.len()), stages: Mutex::new(stages.into()) });
    for _ in 0..runners {
        let (ready, shared) = (Arc::clone(&ready), Arc::clone(&shared));
        rayon::spawn(move || run_stages(&ready, &shared));
    }
    Ok(async move { rx.await.unwrap_or(Err(JobError::Lost)) })
}

/// The same pipeline on the calling thread alone: the stages take turns, round-robin, for a page
/// without worker threads (concurrency without parallelism).
pub struct SteppedPipeline {
    shared: Arc<Shared>,
    stages: Vec<Box<dyn Stage>>,
    result: Arc<Mutex<Option<Result<PipelineReceipt, JobError>>>>,
}

impl SteppedPipeline {
    /// Prepares a run; refuses settings as [`spawn_pipeline`] does.
    pub fn new(settings: PipelineSettings, now: Clock, observe: Observer, progress: Arc<Progress>) -> Result<Self, String> {
        let result = Arc::new(Mutex::new(None));
        let slot = Arc::clone(&result);
        let reply: Reply = Box::new(move |r| *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r));
        let (shared, stages) = build(settings, now, observe, progress, reply)?;
        Ok(Self { shared, stages, result })
    }

    /// Gives every stage a turn, again and again, until the run ends (`Some`) or `should_yield`
    /// says to hand control back (`None`; call again later).
    pub fn run_until(&mut self, mut should_yield: impl FnMut() -> bool) -> Option<Result<PipelineReceipt, JobError>> {
        loop {
            let shared = &self.shared;
            self.stages.retain_mut(|stage| stage.turn(shared) != Turn::Finished);
            shared.maybe_sample();
            if let Some(result) = self.result.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Some(result);
            }
            if self.stages.is_empty() {
                return Some(Err(JobError::Lost));
            }
            if should_yield() {
                return None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn clock() -> Clock {
        let start = Instant::now();
        Arc::new(move || start.elapsed().as_secs_f64() * 1000.0)
    }

    type Samples = Arc<Mutex<Vec<(PipelineSample, [f64; 3])>>>;

    fn recorder() -> (Samples, Observer) {
        let samples: Samples = Arc::default();
        let sink = Arc::clone(&samples);
        (samples, Arc::new(move |s, w| sink.lock().unwrap().push((s, w))))
    }

    fn settings(items: u64, stage_work: [u64; 3], capacity: usize, workers: usize) -> PipelineSettings {
        PipelineSettings { items, stage_work, capacity, workers }
    }

    fn run_on(threads: usize, s: PipelineSettings, observe: Observer, progress: Arc<Progress>) -> Result<PipelineReceipt, JobError> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let future = pool.install(|| spawn_pipeline(s, clock(), observe, progress)).unwrap();
        futures_executor::block_on(future)
    }

    // Every item arrives once with its value, on pools smaller than `workers + 2` too; depths
    // never exceed the capacity; the last sample has everything consumed.
    #[test]
    fn any_pool_size_every_item_once() {
        for (threads, workers, capacity) in [(1, 1, 1), (2, 1, 4), (2, 3, 2), (4, 2, 16), (3, 8, 1)] {
            let s = settings(2_000, [20, 200, 40], capacity, workers);
            let (samples, observe) = recorder();
            let progress = Progress::new(s.items);
            let receipt = run_on(threads, s, observe, progress.clone()).unwrap();
            let expected = futures_executor::block_on(crate::run::jobs::spawn_on_pool(
                Arc::new(PipelineCheck { items: s.items, stage_work: s.stage_work }),
                Progress::new(s.items),
            ))
            .unwrap();
            assert_eq!(expected, pipeline_checksum(s.items, s.stage_work));
            assert!(receipt.outcome(expected).exactly_once(), "{threads} threads, {workers} workers: {receipt:?}");
            assert_eq!(progress.done(), 2_000);
            let samples = samples.lock().unwrap();
            for (sample, _) in samples.iter() {
                assert!(sample.queue_depths.iter().all(|&d| d <= capacity as u64), "{sample:?}");
                assert!(sample.consumed <= sample.processed && sample.processed <= sample.produced);
            }
            let last = samples.last().unwrap().0;
            assert_eq!((last.produced, last.processed, last.consumed), (2_000, 2_000, 2_000));
        }
    }

    // Started from outside any pool (as the browser's main thread does), on the global pool.
    #[test]
    fn started_from_outside_the_pool() {
        let s = settings(500, [10, 100, 10], 2, 3);
        let (_, observe) = recorder();
        let receipt = futures_executor::block_on(spawn_pipeline(s, clock(), observe, Progress::new(s.items)).unwrap()).unwrap();
        assert!(receipt.outcome(pipeline_checksum(s.items, s.stage_work)).exactly_once());
    }

    // A slow consumer fills both queues and makes the producer wait: backpressure.
    #[test]
    fn slow_consumer_backpressure() {
        let s = settings(300, [0, 0, 200_000], 4, 1);
        let (samples, observe) = recorder();
        let receipt = run_on(2, s, observe, Progress::new(s.items)).unwrap();
        assert_eq!(receipt.received, 300);
        let samples = samples.lock().unwrap();
        let max = samples.iter().fold([0, 0], |m, (x, _)| [m[0].max(x.queue_depths[0]), m[1].max(x.queue_depths[1])]);
        // Queue 2 refills as soon as the worker gets a turn, which a sample may just miss.
        assert!(max[0] == 4 && max[1] >= 3, "{max:?} in {} samples, {receipt:?}", samples.len());
        assert!(receipt.waiting_ms[0] > receipt.wall_ms * 0.5, "{receipt:?}");
        assert!(receipt.waiting_ms[2] < receipt.wall_ms * 0.2, "{receipt:?}");
    }

    // The stepped run on one thread gives the same checksum; cancelling stops either kind.
    #[test]
    fn stepped_and_cancel() {
        let s = settings(1_000, [10, 100, 10], 3, 2);
        let (_, observe) = recorder();
        let mut stepped = SteppedPipeline::new(s, clock(), observe.clone(), Progress::new(s.items)).unwrap();
        let mut calls = 0;
        let receipt = loop {
            calls += 1;
            if let Some(r) = stepped.run_until(|| true) {
                break r.unwrap();
            }
        };
        assert!(calls > 1);
        assert!(receipt.outcome(pipeline_checksum(s.items, s.stage_work)).exactly_once());

        let progress = Progress::new(s.items);
        progress.cancel();
        assert_eq!(run_on(2, s, observe.clone(), progress.clone()), Err(JobError::Cancelled));
        let mut stepped = SteppedPipeline::new(s, clock(), observe, progress).unwrap();
        assert_eq!(stepped.run_until(|| false), Some(Err(JobError::Cancelled)));
    }

    // Settings that make no sense are refused with a reason.
    #[test]
    fn refusals() {
        assert!(settings(10, [1, 1, 1], 0, 1).check().unwrap_err().contains("at least one item"));
        assert!(settings(10, [1, 1, 1], 1, 0).check().unwrap_err().contains("from 1 to 8 workers"));
        assert!(settings(10, [1, 1, 1], 1, 9).check().unwrap_err().contains("you asked for 9"));
        assert!(settings(MAX_ITEMS + 1, [1, 1, 1], 1, 1).check().unwrap_err().contains("At most"));
        let (_, observe) = recorder();
        assert!(spawn_pipeline(settings(10, [1, 1, 1], 0, 1), clock(), observe, Progress::new(10)).is_err());
    }
}
