//! The pipeline's stages as state machines that take short turns and never wait: the producer,
//! the workers and the consumer, the counters they share, and the runners that give them turns.
//!
//! Implementation note: a stage sends with `try_send` and receives with `try_recv` on bounded
//! `sync_channel`s; when its queue is full (or empty) it ends its turn rather than wait, so a slow
//! stage stalls the ones before it exactly as blocking sends would (backpressure), on any number
//! of threads. Queue depths are counted without locks and never over-counted: a send is counted
//! after it completes, a receive before it starts, and the sent count is read first, so the depth
//! shown is at most what the queue held.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};

use super::{Clock, Observer, PipelineReceipt, PipelineSample, PipelineSettings};
use crate::run::busy::{mix, spin};
use crate::run::jobs::{JobError, Progress};

/// Longest turn a stage takes before letting the others run, in ms.
const TURN_MS: f64 = 1.0;

/// Time between two samples, in ms.
const SAMPLE_MS: f64 = 10.0;

/// An item on its way: its id and its value so far.
type Item = (u64, u64);

/// Where the consumer hands what it received, once, when the run ends.
pub(super) type Reply = Box<dyn FnOnce(Result<PipelineReceipt, JobError>) + Send>;

/// How a stage's turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// It moved at least one item and may have more to do.
    Ran,
    /// It could move nothing: its input was empty or its output full.
    Blocked,
    /// It is done (its input closed, or the run was cancelled).
    Finished,
}

/// What every stage shares: settings, clock, counters.
pub(super) struct Shared {
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
    /// The run's clock, in ms.
    pub(super) fn now(&self) -> f64 {
        (self.now)()
    }
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
        // A send is counted just after it completes, so a count may trail the items already
        // received downstream; an item consumed was certainly processed.
        let processed = self.sent[1].load(Ordering::SeqCst).max(consumed);
        let produced = self.sent[0].load(Ordering::SeqCst).max(processed);
        let throughput_per_ms = if at_ms > 0.0 { consumed as f64 / at_ms } else { 0.0 };
        let sample = PipelineSample { at_ms, produced, processed, consumed, queue_depths, throughput_per_ms };
        (self.observe)(sample, self.waiting_ms());
    }
    /// Takes a sample if one is due; only one caller wins each due time.
    pub(super) fn maybe_sample(&self) {
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

/// Ends a turn in which nothing more could move: `Ran` if something moved earlier in it.
fn stop(ran: bool, wait: &mut WaitClock, shared: &Shared) -> Turn {
    wait.blocked(shared);
    if ran {
        Turn::Ran
    } else {
        Turn::Blocked
    }
}

/// The stages of one run: producer, workers, consumer (in that order, as built).
pub(super) type Stages = Vec<Box<dyn Stage>>;

/// One stage of the pipeline.
pub(super) trait Stage: Send {
    /// Moves items for about [`TURN_MS`], until it cannot, or until it is done.
    fn turn(&mut self, shared: &Shared) -> Turn;
}

/// What a sending stage has next.
enum Next {
    /// This item, to send on.
    Item(Item),
    /// Nothing yet: its input is empty (or another worker is taking from it).
    Empty,
    /// Nothing ever again: its input is closed or used up.
    Done,
}

/// The sending side of the producer and of each worker: its queue onward, the item that queue had
/// no room for last turn, and how long it has waited.
struct Outbox {
    /// Which queue it sends on (0: to the workers, 1: to the consumer), which is also the stage
    /// kind whose waiting it counts.
    queue: usize,
    out: Option<SyncSender<Item>>,
    pending: Option<Item>,
    wait: WaitClock,
}

impl Outbox {
    fn new(queue: usize, out: SyncSender<Item>) -> Self {
        Self { queue, out: Some(out), pending: None, wait: WaitClock::default() }
    }

    /// A turn of a sending stage: sends the pending item, then what `next` makes, until the
    /// queue is full, `next` has nothing, the turn is up, or the stage is done (cancelled, input
    /// used up, or the next stage gone). Closing the queue tells the next stage no more will come.
    fn turn(&mut self, sh: &Shared, mut next: impl FnMut() -> Next) -> Turn {
        let until = (sh.now)() + TURN_MS;
        let mut ran = false;
        loop {
            if sh.progress.is_cancelled() {
                self.out = None;
            }
            let Some(out) = self.out.as_ref() else { return Turn::Finished };
            let item = match self.pending.take() {
                Some(item) => item,
                None => match next() {
                    Next::Item(item) => item,
                    Next::Empty => return stop(ran, &mut self.wait, sh),
                    Next::Done => {
                        self.out = None;
                        return Turn::Finished;
                    }
                },
            };
            match out.try_send(item) {
                Ok(()) => {
                    sh.sent[self.queue].fetch_add(1, Ordering::SeqCst);
                    self.wait.moved(sh, self.queue);
                    ran = true;
                }
                Err(TrySendError::Full(item)) => {
                    self.pending = Some(item);
                    return stop(ran, &mut self.wait, sh);
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.out = None;
                    return Turn::Finished;
                }
            }
            if (sh.now)() >= until {
                return Turn::Ran;
            }
        }
    }
}

struct Producer {
    next_id: u64,
    outbox: Outbox,
}

impl Stage for Producer {
    fn turn(&mut self, sh: &Shared) -> Turn {
        let next_id = &mut self.next_id;
        self.outbox.turn(sh, || {
            if *next_id >= sh.settings.items {
                return Next::Done;
            }
            let id = *next_id;
            *next_id += 1;
            Next::Item((id, spin(id, sh.settings.stage_work[0])))
        })
    }
}

struct Worker {
    /// The producer's queue, shared by every worker.
    inbox: Arc<Mutex<Receiver<Item>>>,
    outbox: Outbox,
}

impl Stage for Worker {
    fn turn(&mut self, sh: &Shared) -> Turn {
        let inbox = &self.inbox;
        self.outbox.turn(sh, || {
            // Another worker receiving now: this one simply tries again next turn.
            let Ok(inbox) = inbox.try_lock() else { return Next::Empty };
            sh.taken[0].fetch_add(1, Ordering::SeqCst);
            match inbox.try_recv() {
                Ok((id, value)) => Next::Item((id, spin(value, sh.settings.stage_work[1]))),
                Err(e) => {
                    sh.taken[0].fetch_sub(1, Ordering::SeqCst);
                    match e {
                        TryRecvError::Empty => Next::Empty,
                        TryRecvError::Disconnected => Next::Done,
                    }
                }
            }
        })
    }
}

struct Consumer {
    inbox: Receiver<Item>,
    /// One flag per item id: whether it has arrived.
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
pub(super) fn build(
    settings: PipelineSettings,
    now: Clock,
    observe: Observer,
    progress: Arc<Progress>,
    reply: Reply,
) -> Result<(Arc<Shared>, Stages), String> {
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
    let mut stages: Stages = Vec::with_capacity(settings.workers + 2);
    stages.push(Box::new(Producer { next_id: 0, outbox: Outbox::new(0, to_workers) }));
    for _ in 0..settings.workers {
        stages.push(Box::new(Worker { inbox: Arc::clone(&inbox), outbox: Outbox::new(1, to_consumer.clone()) }));
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
pub(super) struct Ready {
    stages: Mutex<VecDeque<Box<dyn Stage>>>,
    /// Stages not finished yet (waiting, or taking a turn on some runner).
    live: AtomicUsize,
}

impl Ready {
    pub(super) fn new(stages: Stages) -> Self {
        Self { live: AtomicUsize::new(stages.len()), stages: Mutex::new(stages.into()) }
    }
}

/// One runner: takes the stage that has waited longest, gives it a turn, puts it back unless it
/// finished; ends when every stage has. Never waits for a stage's queue, only (briefly) for the
/// lock around the line of stages.
pub(super) fn run_stages(ready: &Ready, shared: &Shared) {
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
