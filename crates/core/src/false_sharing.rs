//! The false-sharing widget's engine: k threads each increment a counter of their own, the
//! counters packed side by side in one cache line or padded 128 bytes apart; the same work in
//! both layouts, timed on the pool, with the ratio.
//!
//! Implementation note: nothing is shared in either layout, logically: thread i only ever touches
//! counter i, with a relaxed `fetch_add`, so both layouts must end with every counter at exactly
//! the increments asked for ([`FalseSharingRun::counts_right`]). What differs is only where the
//! counters lie. [`Layout::Packed`] puts eight `AtomicU64`s in one `#[repr(C, align(64))]`
//! array, one 64-byte cache line; [`Layout::Padded`] wraps each in a `#[repr(align(128))]` type,
//! so no two share a line, nor a pair of lines (Intel's adjacent-line prefetcher fetches lines
//! two by two, which is why 128 rather than 64). On wasm threads the memory is the machine's
//! real memory, so the effect is the hardware's own. Each thread starts timing once every
//! worker has passed the start gate (a sleeping worker takes a while to wake on the web), and a
//! layout's time is the span from the first start to the last finish. The layouts take turns
//! over [`ROUNDS`] rounds and each keeps its median. A page without workers runs one counter on
//! its one thread, in slices ([`OneThreadCounter`]), and says why there is nothing to see.

use std::ops::{Range, RangeInclusive};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::numbers::{group_digits, parse_whole, round_to};
use crate::race::StartGate;
use crate::run::jobs::{Job, JobError, Progress};

/// Bytes in a cache line on most x86 and ARM cores: the packed layout's line.
pub const LINE_BYTES: usize = 64;
/// Bytes between two padded counters: two 64-byte lines (see the module note).
pub const PADDED_BYTES: usize = 128;
/// Counters in one packed line (`u64`s in 64 bytes).
pub const PER_LINE: usize = LINE_BYTES / std::mem::size_of::<u64>();
/// Rounds of the two layouts in one run; each layout keeps its median.
pub const ROUNDS: usize = 5;
/// Increments per thread the learner may ask for.
pub const INCREMENTS: RangeInclusive<u64> = 1_000..=20_000_000;
/// The page's first setting: long enough to time, short enough for a phone.
pub const DEFAULT_INCREMENTS: u64 = 2_000_000;

/// Why one thread shows nothing, in words for the page.
pub const ONE_THREAD_SHOWS_NOTHING: &str = "With one thread there is nothing to see: one core \
increments one counter, and no other core ever asks for its cache line, so both layouts take \
about the same time. False sharing needs at least two threads writing at once.";

/// Where the counters lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// Side by side, eight to a 64-byte cache line.
    Packed,
    /// Each on its own 128 bytes.
    Padded,
}

impl Layout {
    /// Both layouts, in the page's order.
    pub const ALL: [Layout; 2] = [Layout::Packed, Layout::Padded];

    /// Name for the page.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Packed => "Packed (one cache line)",
            Layout::Padded => "Padded (128 bytes apart)",
        }
    }
    /// How the counters lie, in a sentence.
    pub fn explain(self) -> &'static str {
        match self {
            Layout::Packed => "Eight 8-byte counters fill one 64-byte line: a write by any thread takes the whole line away from every other core.",
            Layout::Padded => "Each counter has 128 bytes to itself, so each core keeps its own line and never has to give it up.",
        }
    }
}

/// One packed cache line of counters.
#[repr(C, align(64))]
struct Line([AtomicU64; PER_LINE]);

/// One padded counter.
#[repr(C, align(128))]
struct Padded(AtomicU64);

/// k counters in one [`Layout`].
pub struct Counters {
    layout: Layout,
    len: usize,
    packed: Vec<Line>,
    padded: Vec<Padded>,
}

impl Counters {
    /// `k` counters at 0 (at least 1), laid out the `layout` way: packed, they fill lines of
    /// [`PER_LINE`] (so up to eight threads share one line).
    pub fn new(layout: Layout, k: usize) -> Self {
        let len = k.max(1);
        let (packed, padded) = match layout {
            Layout::Packed => ((0..len.div_ceil(PER_LINE)).map(|_| Line(std::array::from_fn(|_| AtomicU64::new(0)))).collect(), Vec::new()),
            Layout::Padded => (Vec::new(), (0..len).map(|_| Padded(AtomicU64::new(0))).collect()),
        };
        Self { layout, len, packed, padded }
    }
    /// How they lie.
    pub fn layout(&self) -> Layout {
        self.layout
    }
    /// How many.
    pub fn len(&self) -> usize {
        self.len
    }
    /// Whether there are none (never: there is at least one).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Counter `i` (`i < len`).
    pub fn get(&self, i: usize) -> &AtomicU64 {
        match self.layout {
            Layout::Packed => &self.packed[i / PER_LINE].0[i % PER_LINE],
            Layout::Padded => &self.padded[i].0,
        }
    }
    /// Where each counter lies in memory (its address), to check the layout.
    pub fn addresses(&self) -> Vec<usize> {
        (0..self.len).map(|i| self.get(i) as *const AtomicU64 as usize).collect()
    }
    /// What each counter reads.
    pub fn values(&self) -> Vec<u64> {
        (0..self.len).map(|i| self.get(i).load(Ordering::Relaxed)).collect()
    }
}

/// Adds 1 to `counter` `n` times, one relaxed `fetch_add` at a time.
#[inline]
fn increment(counter: &AtomicU64, n: u64) {
    for _ in 0..n {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Increments between two looks at the [`Progress`]: rare enough to cost nothing.
const CHUNK: u64 = 1 << 12;

/// A run's settings, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Threads, one counter each.
    pub threads: usize,
    /// Increments by each thread, in each layout and round.
    pub increments: u64,
}

impl Settings {
    /// Reads the learner's fields, or says why not: threads from 1 to the page's `workers` (at
    /// least 1), increments in [`INCREMENTS`].
    pub fn parse(threads: &str, increments: &str, workers: usize) -> Result<Self, String> {
        let workers = workers.max(1);
        let threads = parse_whole(threads, "Threads", 1..=workers as u64).map_err(|why| {
            format!("{why} This page has {workers} worker thread{}, and each thread needs a core of its own to show anything.", if workers == 1 { "" } else { "s" })
        })? as usize;
        let increments = parse_whole(increments, "Increments per thread", INCREMENTS)
            .map_err(|why| format!("{why} Fewer are too quick to time; more take too long on a phone."))?;
        Ok(Self { threads, increments })
    }
    /// Work units of a run on the pool: every increment of every round.
    pub fn units(&self) -> u64 {
        (ROUNDS * Layout::ALL.len()) as u64 * self.threads as u64 * self.increments
    }
}

/// One layout's figures in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutRun {
    /// Which layout.
    pub layout: Layout,
    /// Median time of its rounds, in ms (to 0.01 ms).
    pub ms: f64,
    /// Each round's time, in ms.
    pub rounds_ms: Vec<f64>,
    /// What each counter read after its last round.
    pub counts: Vec<u64>,
}

impl LayoutRun {
    /// The layout's figures from its rounds' times and its last counts.
    pub fn new(layout: Layout, rounds_ms: Vec<f64>, counts: Vec<u64>) -> Self {
        let mut sorted = rounds_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let ms = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        Self { layout, ms: round_to(ms, 2), rounds_ms, counts }
    }
}

/// What a run measured, as the page shows and publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct FalseSharingRun {
    /// Threads (one counter each).
    pub threads: usize,
    /// Increments by each thread.
    pub increments: u64,
    /// The packed layout.
    pub packed: LayoutRun,
    /// The padded layout.
    pub padded: LayoutRun,
}

impl FalseSharingRun {
    /// Packed time ÷ padded time (to 0.01): how much the shared line cost.
    pub fn ratio(&self) -> f64 {
        if self.padded.ms > 0.0 {
            round_to(self.packed.ms / self.padded.ms, 2)
        } else {
            1.0
        }
    }
    /// Whether every counter of both layouts reads exactly the increments: the two layouts did
    /// the same work, and none was lost.
    pub fn counts_right(&self) -> bool {
        [&self.packed, &self.padded]
            .iter()
            .all(|l| l.counts.len() == self.threads && l.counts.iter().all(|&c| c == self.increments))
    }
    /// What the figure means, in a sentence or two for the page.
    pub fn verdict(&self) -> String {
        let r = self.ratio();
        if !self.counts_right() {
            return "The counts are wrong, which should never happen: each thread has a counter of its own.".into();
        }
        if self.threads == 1 {
            return format!("{r:.2}× — {ONE_THREAD_SHOWS_NOTHING}");
        }
        let each = format!("Each of the {} counters reads {}, in both layouts: the same work.", self.threads, group_digits(self.increments));
        if r >= 1.5 {
            format!("{each} Packed took {r:.2}× as long as padded. The threads never touch each other's counters, yet \
                     every increment had to take the shared line away from the other cores first: false sharing.")
        } else if r >= 1.15 {
            format!("{each} Packed took {r:.2}× as long as padded: the shared line cost something, less than it \
                     often does. Other work on this machine, or threads that did not overlap for long, dilute it.")
        } else if r > 1.0 / 1.15 {
            format!("{each} Packed and padded took about as long ({r:.2}×). Either the threads did not run at the same \
                     time (cores busy with other work, or fewer cores than threads), or this machine's cores hand \
                     a line back and forth unusually cheaply. Try again, or with more increments.")
        } else {
            format!("{each} Padded took longer this time (packed ÷ padded {r:.2}×), which the layout cannot explain: \
                     other work on this machine interrupted the threads (the workers share the cores with every other \
                     tab and program), so these times are mostly noise. Run it again.")
        }
    }
}

/// The run on the pool: [`ROUNDS`] rounds of both layouts, taking turns, each round `threads`
/// threads making `increments` increments on their own counters; times by the caller's clock
/// (`now`, in ms, the same on every thread). Stops with [`JobError::Cancelled`] once `progress`
/// is cancelled. Blocks the calling thread: call it from a pool thread.
pub fn run_false_sharing(
    settings: Settings,
    progress: &Progress,
    now: impl Fn() -> f64 + Sync,
) -> Result<FalseSharingRun, JobError> {
    let Settings { threads, increments } = settings;
    let k = threads.max(1);
    let mut times = [Vec::with_capacity(ROUNDS), Vec::with_capacity(ROUNDS)];
    let mut counts = [Vec::new(), Vec::new()];
    for round in 0..ROUNDS {
        // Packed first in even rounds, padded first in odd ones: neither always runs warm.
        let order = if round.is_multiple_of(2) { [0, 1] } else { [1, 0] };
        for which in order {
            let counters = Counters::new(Layout::ALL[which], k);
            let ms = time_round(&counters, increments, progress, &now);
            if progress.is_cancelled() {
                return Err(JobError::Cancelled);
            }
            times[which].push(ms);
            counts[which] = counters.values();
        }
    }
    let [packed_ms, padded_ms] = times;
    let [packed_counts, padded_counts] = counts;
    Ok(FalseSharingRun {
        threads: k,
        increments,
        packed: LayoutRun::new(Layout::Packed, packed_ms, packed_counts),
        padded: LayoutRun::new(Layout::Padded, padded_ms, padded_counts),
    })
}

/// One round: a thread per counter, all held at the start gate, each making `increments`
/// increments on its own counter. The round's time runs from the first thread's start to the
/// last one's finish.
fn time_round(counters: &Counters, increments: u64, progress: &Progress, now: &(impl Fn() -> f64 + Sync)) -> f64 {
    let gate = StartGate::new(counters.len());
    let spans = Mutex::new(Vec::with_capacity(counters.len()));
    rayon::scope(|s| {
        for i in 0..counters.len() {
            let (gate, spans) = (&gate, &spans);
            s.spawn(move |_| {
                let counter = counters.get(i);
                gate.arrive_and_wait();
                let start = now();
                let mut left = increments;
                while left > 0 && !progress.is_cancelled() {
                    let n = left.min(CHUNK);
                    increment(counter, n);
                    progress.add(n);
                    left -= n;
                }
                let end = now();
                spans.lock().unwrap_or_else(|e| e.into_inner()).push((start, end));
            });
        }
    });
    let spans = spans.into_inner().unwrap_or_else(|e| e.into_inner());
    let first = spans.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let last = spans.iter().map(|s| s.1).fold(f64::NEG_INFINITY, f64::max);
    (last - first).max(0.0)
}

/// Increments per slice when the page runs a counter on its one thread: about a millisecond.
const SLICE_ON_ONE_THREAD: u64 = 1 << 17;

/// One counter in one layout, incremented `increments` times on the page's one thread, as a
/// [`Job`] run in slices between which the page yields: the run of a page without workers, where
/// there is nothing to see ([`ONE_THREAD_SHOWS_NOTHING`]). Its output is the counter's value.
pub struct OneThreadCounter {
    counters: Counters,
    increments: u64,
}

impl OneThreadCounter {
    /// One counter laid out the `layout` way.
    pub fn new(layout: Layout, increments: u64) -> Self {
        Self { counters: Counters::new(layout, 1), increments }
    }
}

impl Job for OneThreadCounter {
    type Part = ();
    type Output = Vec<u64>;

    fn len(&self) -> u64 {
        self.increments
    }
    fn slice_len(&self) -> u64 {
        SLICE_ON_ONE_THREAD
    }
    fn run(&self, range: Range<u64>) {
        increment(self.counters.get(0), range.end - range.start);
    }
    fn identity(&self) {}
    fn combine(&self, _: (), _: ()) {}
    fn finish(&self, _: ()) -> Vec<u64> {
        self.counters.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A median of three is the middle one, kept to 0.01 ms.
    #[test]
    fn median_of_rounds() {
        let run = LayoutRun::new(Layout::Packed, vec![9.0, 1.234_56, 3.0], vec![]);
        assert_eq!(run.ms, 3.0);
        assert_eq!(LayoutRun::new(Layout::Padded, vec![2.345_67], vec![]).ms, 2.35);
    }
}
