//! Worker timelines: which worker ran each chunk of a run, from when to when, and where a worker
//! began work it had stolen from another; recorded without locks and within a bounded memory,
//! then laid out as one row per worker on the run's time axis ([`chart`] places the drawing).
//!
//! Implementation note: a run records into [`Recorder`]s, one per task or per worker, that no
//! other thread touches while the run goes on: [`crate::run::threads`] gives each of its k tasks
//! its own, handed over when the task ends; [`crate::run::tasks`], whose tasks are too many for
//! that, keeps one per worker in a thread-local ([`Recording`]) and collects them afterwards with
//! one `rayon::broadcast`. A recorder holds at most `cap` [`Span`]s: once full, it merges its
//! spans two by two, so that each then stands for up to 2, 4, 8, … chunks, with their total busy
//! time kept exact. Times are the caller's clock (`now`, in ms): nothing here reads one.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::numbers::{duration_ms, group_digits};

pub mod chart;

/// The caller's clock, in milliseconds, shared by every worker of a run.
pub type Clock<'a> = &'a (dyn Fn() -> f64 + Sync);

/// Spans a speedup run keeps per task: more than the most slices any of its kernels has, so
/// every chunk there has a bar of its own.
pub const SPANS_PER_TASK: usize = 4_096;

/// Two workers whose chunks overlap by less than this (ms) are taken to have computed at the
/// same moment only because their clocks disagree: a browser coarsens `performance.now()` to a
/// few microseconds, and each worker reads its own.
pub const SAME_MOMENT_MS: f64 = 0.05;

/// One chunk a worker ran, or several consecutive ones merged once its recorder was full.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// The pool thread that ran it (`rayon::current_thread_index`), or `None` for the page's
    /// own thread.
    pub worker: Option<u32>,
    /// Index of its first chunk (in the run's own numbering: slice or task index).
    pub first: u64,
    /// Chunks it stands for: 1 until the recorder merged spans.
    pub chunks: u64,
    /// When its first chunk started, on the caller's clock (ms).
    pub start_ms: f64,
    /// When its last chunk ended (ms).
    pub end_ms: f64,
    /// Time spent inside its chunks (ms): `end_ms - start_ms` for one chunk, less for a merged
    /// span whose chunks had gaps between them.
    pub busy_ms: f64,
    /// Chunks in it that began work stolen from another worker.
    pub steals: u32,
    /// The worker the first of those steals was taken from.
    pub stolen_from: Option<u32>,
}

impl Span {
    /// One chunk, `index`, run by `worker` from `start_ms` to `end_ms`; `stolen_from` names the
    /// worker that spawned the work it begins, when that was another worker.
    pub fn chunk(worker: Option<usize>, index: u64, start_ms: f64, end_ms: f64, stolen_from: Option<usize>) -> Self {
        let end_ms = end_ms.max(start_ms);
        Span {
            worker: worker.map(|w| w as u32),
            first: index,
            chunks: 1,
            start_ms,
            end_ms,
            busy_ms: end_ms - start_ms,
            steals: u32::from(stolen_from.is_some()),
            stolen_from: stolen_from.map(|w| w as u32),
        }
    }

    /// This span followed by `next` (of the same worker), as one.
    fn absorb(&mut self, next: &Span) {
        self.end_ms = self.end_ms.max(next.end_ms);
        self.chunks += next.chunks;
        self.busy_ms += next.busy_ms;
        self.steals += next.steals;
        self.stolen_from = self.stolen_from.or(next.stolen_from);
    }
}

/// The spans of one task or one worker, in the order they ran, at most `cap` of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorder {
    worker: Option<usize>,
    spans: Vec<Span>,
    cap: usize,
    /// Most chunks one span stands for now: doubles at each merge.
    per_span: u64,
}

impl Recorder {
    /// An empty recorder for `worker`, keeping at most `cap` spans (at least 2), room for
    /// `expected` of them made at once (so it does not grow while the run is timed).
    pub fn new(worker: Option<usize>, cap: usize, expected: usize) -> Self {
        let cap = cap.max(2);
        Recorder { worker, spans: Vec::with_capacity(expected.min(cap)), cap, per_span: 1 }
    }

    /// Records chunk `index`, run from `start_ms` to `end_ms` (see [`Span::chunk`]).
    pub fn chunk(&mut self, index: u64, start_ms: f64, end_ms: f64, stolen_from: Option<usize>) {
        let span = Span::chunk(self.worker, index, start_ms, end_ms, stolen_from);
        if self.per_span > 1 {
            if let Some(last) = self.spans.last_mut().filter(|l| l.chunks < self.per_span) {
                return last.absorb(&span);
            }
        }
        if self.spans.len() == self.cap {
            self.merge_pairs();
            if let Some(last) = self.spans.last_mut().filter(|l| l.chunks < self.per_span) {
                return last.absorb(&span);
            }
        }
        self.spans.push(span);
    }

    /// Merges the spans two by two: half as many, each standing for twice the chunks.
    fn merge_pairs(&mut self) {
        let merged: Vec<Span> = self
            .spans
            .chunks(2)
            .map(|pair| {
                let mut first = pair[0];
                if let Some(second) = pair.get(1) {
                    first.absorb(second);
                }
                first
            })
            .collect();
        self.spans.clear();
        self.spans.extend(merged);
        self.per_span *= 2;
    }

    /// The spans recorded, in the order they ran.
    pub fn into_spans(self) -> Vec<Span> {
        self.spans
    }
}

thread_local! {
    /// Each worker's recorders of the runs recording through [`Recording`], by run.
    static LOCAL: RefCell<Vec<(u64, Recorder)>> = const { RefCell::new(Vec::new()) };
}

/// Numbers the runs recording through [`Recording`], so two of them never share a recorder.
static NEXT_RUN: AtomicU64 = AtomicU64::new(0);

/// A run whose chunks are recorded into one [`Recorder`] per worker, each kept in that worker's
/// thread-local storage, so that recording a chunk takes no lock and allocates only when a
/// worker records its first chunk of the run.
pub struct Recording<'a> {
    run: u64,
    now: Clock<'a>,
    cap: usize,
}

impl<'a> Recording<'a> {
    /// A new recording with the caller's clock, keeping at most `cap` spans per worker.
    pub fn new(now: Clock<'a>, cap: usize) -> Self {
        Recording { run: NEXT_RUN.fetch_add(1, Ordering::Relaxed), now, cap }
    }

    /// The caller's clock, in ms.
    pub fn now(&self) -> f64 {
        (self.now)()
    }

    /// Records chunk `index`, run on this thread from `start_ms` to `end_ms`.
    pub fn chunk(&self, index: u64, start_ms: f64, end_ms: f64, stolen_from: Option<usize>) {
        LOCAL.with(|local| {
            let mut local = local.borrow_mut();
            match local.iter_mut().rev().find(|(run, _)| *run == self.run) {
                Some((_, recorder)) => recorder.chunk(index, start_ms, end_ms, stolen_from),
                None => {
                    let mut recorder = Recorder::new(rayon::current_thread_index(), self.cap, self.cap);
                    recorder.chunk(index, start_ms, end_ms, stolen_from);
                    local.push((self.run, recorder));
                }
            }
        });
    }

    /// Every worker's spans, once the run is over: collected from each thread of the current
    /// pool (the one the run's tasks ran on). Blocks until every worker has answered; call it
    /// from a pool thread.
    pub fn collect(self) -> Vec<Span> {
        let run = self.run;
        let take = move || {
            LOCAL.with(|local| {
                let mut local = local.borrow_mut();
                let at = local.iter().position(|(r, _)| *r == run)?;
                Some(local.swap_remove(at).1)
            })
        };
        let mut recorders: Vec<Recorder> = rayon::broadcast(|_| take()).into_iter().flatten().collect();
        // A caller outside the pool ran no chunk itself (rayon ran them all on the pool), but a
        // caller on it is one of the threads broadcast to.
        recorders.extend(take());
        recorders.into_iter().flat_map(Recorder::into_spans).collect()
    }
}

/// Readings of the clock in one batch of [`clock_cost`].
pub const CLOCK_READINGS: u32 = 1_000;
/// Batches [`clock_cost`] times.
pub const CLOCK_BATCHES: usize = 5;

/// The cost of one reading of `now` (ms), on this thread: the median, over
/// [`CLOCK_BATCHES`] batches, of the mean of [`CLOCK_READINGS`] readings in a row, after one
/// untimed reading (a thread's first may set the clock up). Not one batch alone: in a browser the
/// first calls into the clock run before the engine has optimised the way to it, and cost several
/// times what the rest do; taken for all of them, it made recording look dearer than the run.
pub fn clock_cost(now: Clock<'_>) -> f64 {
    std::hint::black_box(now());
    let mut means: Vec<f64> = (0..CLOCK_BATCHES)
        .map(|_| {
            let first = now();
            for _ in 1..CLOCK_READINGS {
                std::hint::black_box(now());
            }
            ((now() - first) / f64::from(CLOCK_READINGS)).max(0.0)
        })
        .collect();
    means.sort_by(f64::total_cmp);
    means[CLOCK_BATCHES / 2]
}

/// One bar of a row: a span, its times relative to the run's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Start, ms after the run started.
    pub start_ms: f64,
    /// End, ms after the run started.
    pub end_ms: f64,
    /// Time inside chunks (ms): the whole bar unless it stands for several chunks.
    pub busy_ms: f64,
    /// Chunks it stands for.
    pub chunks: u64,
    /// Index of its first chunk.
    pub first: u64,
    /// Steals that began in it.
    pub steals: u32,
    /// The worker its first steal was taken from.
    pub stolen_from: Option<usize>,
}

/// One worker's row: its bars in time order and their totals.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The pool thread, or `None` for the page's own thread.
    pub worker: Option<usize>,
    /// Its bars, in time order.
    pub bars: Vec<Bar>,
    /// Chunks it ran.
    pub chunks: u64,
    /// Time it spent inside chunks (ms).
    pub busy_ms: f64,
    /// Pieces of work it stole from other workers.
    pub steals: u32,
}

impl Row {
    /// The row's name: `worker 3`, or `page thread`.
    pub fn name(&self) -> String {
        match self.worker {
            Some(w) => format!("worker {w}"),
            None => "page thread".to_string(),
        }
    }

    /// The row in words, for the list beside the chart: `worker 2: 130 chunks, busy 61 ms, idle
    /// 4.20 ms (longest gap 1.10 ms), 1 steal`.
    pub fn describe(&self, wall_ms: f64) -> String {
        let longest = self.gaps(wall_ms).iter().map(|(from, to)| to - from).fold(0.0, f64::max);
        format!(
            "{}: {} chunk{}, busy {}, idle {} (longest gap {}), {} steal{}",
            self.name(),
            group_digits(self.chunks),
            if self.chunks == 1 { "" } else { "s" },
            duration_ms(self.busy_ms),
            duration_ms(self.idle_ms(wall_ms)),
            duration_ms(longest),
            self.steals,
            if self.steals == 1 { "" } else { "s" }
        )
    }

    /// Time it spent outside chunks during a run of `wall_ms`: waiting, looking for work, or
    /// done early.
    pub fn idle_ms(&self, wall_ms: f64) -> f64 {
        (wall_ms - self.busy_ms).max(0.0)
    }

    /// The stretches of a run of `wall_ms` that no bar of this row covers, as `(start, end)` in
    /// ms after the run started: before its first bar, between two, after its last.
    pub fn gaps(&self, wall_ms: f64) -> Vec<(f64, f64)> {
        let mut gaps = Vec::new();
        let mut at = 0.0f64;
        for bar in &self.bars {
            if bar.start_ms > at {
                gaps.push((at, bar.start_ms));
            }
            at = at.max(bar.end_ms);
        }
        if wall_ms > at {
            gaps.push((at, wall_ms));
        }
        gaps
    }
}

/// A run's timeline: one row per worker that ran a chunk, on the run's time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    /// The run's length (ms): bars lie within `0..=wall_ms`.
    pub wall_ms: f64,
    /// One row per worker, in worker order (the page's thread first).
    pub rows: Vec<Row>,
    /// Chunks recorded, in all rows.
    pub chunks: u64,
    /// Most chunks one bar stands for: 1 when every chunk has a bar of its own.
    pub per_bar: u64,
    /// The cost of one clock reading (ms), when it was measured ([`Timeline::with_clock_cost`]).
    pub clock_ms: Option<f64>,
}

impl Timeline {
    /// The timeline of `spans`, recorded during a run from `start_ms` to `end_ms` on the caller's
    /// clock.
    pub fn new(spans: Vec<Span>, start_ms: f64, end_ms: f64) -> Self {
        let wall_ms = (end_ms - start_ms).max(0.0);
        let mut spans = spans;
        spans.sort_unstable_by(|a, b| a.worker.cmp(&b.worker).then(a.start_ms.total_cmp(&b.start_ms)));
        let mut rows: Vec<Row> = Vec::new();
        for s in spans {
            let worker = s.worker.map(|w| w as usize);
            if rows.last().is_none_or(|r| r.worker != worker) {
                rows.push(Row { worker, bars: Vec::new(), chunks: 0, busy_ms: 0.0, steals: 0 });
            }
            let row = rows.last_mut().expect("a row was just pushed");
            row.bars.push(Bar {
                start_ms: (s.start_ms - start_ms).clamp(0.0, wall_ms),
                end_ms: (s.end_ms - start_ms).clamp(0.0, wall_ms),
                busy_ms: s.busy_ms,
                chunks: s.chunks,
                first: s.first,
                steals: s.steals,
                stolen_from: s.stolen_from.map(|w| w as usize),
            });
            (row.chunks, row.busy_ms, row.steals) = (row.chunks + s.chunks, row.busy_ms + s.busy_ms, row.steals + s.steals);
        }
        let per_bar = rows.iter().flat_map(|r| &r.bars).map(|b| b.chunks).fold(1, u64::max);
        Timeline { wall_ms, chunks: rows.iter().map(|r| r.chunks).sum(), rows, per_bar, clock_ms: None }
    }

    /// The same timeline, knowing that one clock reading costs `per_reading_ms` (as
    /// [`clock_cost`] measures it): what recording cost the run ([`Timeline::recording_ms`]).
    pub fn with_clock_cost(mut self, per_reading_ms: f64) -> Self {
        self.clock_ms = Some(per_reading_ms);
        self
    }

    /// What reading the clock twice per chunk cost the workers in all (ms), if the cost of a
    /// reading was measured.
    pub fn recording_ms(&self) -> Option<f64> {
        self.clock_ms.map(|c| 2.0 * self.chunks as f64 * c)
    }

    /// The same timeline with `per_reading_ms` (the cost of one clock reading, as
    /// [`clock_cost`] measures it) taken off every chunk's time inside it: a chunk's time is
    /// read by two readings, and what it measures includes about one reading's own cost, which for
    /// tasks of a few nanoseconds is most of it. Never below zero.
    pub fn without_clock_cost(mut self, per_reading_ms: f64) -> Self {
        self.clock_ms = Some(per_reading_ms);
        for row in &mut self.rows {
            for bar in &mut row.bars {
                bar.busy_ms = (bar.busy_ms - bar.chunks as f64 * per_reading_ms).max(0.0);
            }
            row.busy_ms = row.bars.iter().map(|b| b.busy_ms).sum();
        }
        self
    }

    /// Steals in all rows.
    pub fn steals(&self) -> u32 {
        self.rows.iter().map(|r| r.steals).sum()
    }

    /// Share of the workers' time spent inside chunks, 0.0 to 1.0.
    pub fn busy_share(&self) -> f64 {
        let total = self.wall_ms * self.rows.len() as f64;
        if total > 0.0 {
            (self.rows.iter().map(|r| r.busy_ms).sum::<f64>() / total).min(1.0)
        } else {
            0.0
        }
    }

    /// The stretches of time when two or more workers were inside a chunk at once: their total
    /// and the longest one (ms). A merged bar counts as busy from its start to its end.
    pub fn overlap_ms(&self) -> (f64, f64) {
        let mut edges: Vec<(f64, i32)> =
            self.rows.iter().flat_map(|r| &r.bars).flat_map(|b| [(b.start_ms, 1), (b.end_ms, -1)]).collect();
        // Ends before starts at the same instant: touching bars do not overlap.
        edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut inside, mut since, mut total, mut longest) = (0, 0.0f64, 0.0f64, 0.0f64);
        for (at, step) in edges {
            let before = inside;
            inside += step;
            if before < 2 && inside >= 2 {
                since = at;
            } else if before >= 2 && inside < 2 {
                total += at - since;
                longest = longest.max(at - since);
            }
        }
        (total, longest)
    }

    /// Whether no two workers were ever inside a chunk at the same moment (to within
    /// [`SAME_MOMENT_MS`]): they took turns.
    pub fn took_turns(&self) -> bool {
        self.rows.len() > 1 && self.overlap_ms().1 < SAME_MOMENT_MS
    }

    /// What the timeline shows, in a sentence or three (its text beside the chart).
    pub fn summary(&self) -> String {
        let workers = self.rows.len();
        let who = if workers == 1 { self.rows[0].name() } else { format!("{workers} workers") };
        let mut text = format!(
            "{who} ran {} chunk{} in {}, inside a chunk {:.0}% of the time{}.",
            group_digits(self.chunks),
            if self.chunks == 1 { "" } else { "s" },
            duration_ms(self.wall_ms),
            self.busy_share() * 100.0,
            if workers > 1 { " on average" } else { "" }
        );
        let steals = self.steals();
        if workers > 1 {
            text += &match steals {
                0 => " No work was stolen.".to_string(),
                1 => " One piece of work was stolen (▼).".to_string(),
                n => format!(" {} pieces of work were stolen (▼).", group_digits(n.into())),
            };
            let (overlap, _) = self.overlap_ms();
            // A merged bar spans its chunks' gaps too: what overlaps then is not work.
            text += &if self.per_bar > 1 {
                String::new()
            } else if self.took_turns() {
                " No two workers computed at the same moment: they took turns.".to_string()
            } else {
                format!(" Two or more workers computed at once for {} ({:.0}% of the run).", duration_ms(overlap), 100.0 * overlap / self.wall_ms.max(1e-9))
            };
        }
        if let Some(cost) = self.recording_ms() {
            // The readings' cost is an estimate (the cost of one, measured before the run, times
            // their number): where it comes to all of the workers' time or more, it says so.
            let time = self.wall_ms * workers as f64;
            let readings = group_digits(2 * self.chunks);
            text += &if cost < time {
                format!(" Recording it read the clock {readings} times, about {} of the workers' time ({:.2}%).", duration_ms(cost), 100.0 * cost / time)
            } else {
                format!(" Recording it read the clock {readings} times, which by our estimate costs about all of the workers' time: beside the readings, the work inside the chunks is too small to see.")
            };
        }
        if self.per_bar > 1 {
            text += &format!(
                " To keep the record small, each bar stands for up to {} chunks, shaded by the share of its time spent inside them.",
                group_digits(self.per_bar)
            );
        }
        text
    }
}
