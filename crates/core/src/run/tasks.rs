//! One rayon task per index: the indices split in halves with `rayon::join` down to single ones,
//! so that idle workers steal halves from busy ones (rayon's work stealing), and the tasks'
//! results summed; optionally recorded as a timeline, steals included.
//!
//! Implementation note: this is what a parallel iterator over `0..count` with
//! `with_max_len(1)` does, written out so that a recording can see the steals. At each split the
//! thread keeps the first half and leaves the second in its queue; `join_context` says whether
//! that second half ran on another thread (`migrated`): it was stolen, and the first task it
//! runs is marked with the thread it was stolen from. Tasks are too many to give each a buffer,
//! so a recording keeps one per worker ([`Recording`]: thread-local, no lock) and collects them
//! when the run is over.

use std::ops::Range;

use crate::run::timeline::{Clock, Recording, Span};

/// One task: its index in, its result out. (Called through a pointer: one copy of the splitting
/// code serves every caller, and the call costs nothing beside a task's scheduling.)
pub type Task<'a> = &'a (dyn Fn(u64) -> u64 + Sync);

/// The wrapping sum of `task(i)` for every `i` in `0..count`, each a rayon task of its own, on
/// the current pool. With a clock, every task's start and end are recorded too, in at most
/// `spans_per_worker` spans per worker (see [`crate::run::timeline::Recorder`]), and returned
/// (else the spans are empty). Blocks the calling thread; call it from a pool thread.
pub fn sum_tasks(count: u64, task: Task<'_>, record: Option<(Clock<'_>, usize)>) -> (u64, Vec<Span>) {
    match record {
        None => (split(0..count, task, None, None), Vec::new()),
        Some((now, spans_per_worker)) => {
            let recording = Recording::new(now, spans_per_worker);
            let sum = split(0..count, task, Some(&recording), None);
            (sum, recording.collect())
        }
    }
}

fn split(tasks: Range<u64>, task: Task<'_>, recording: Option<&Recording<'_>>, stolen_from: Option<usize>) -> u64 {
    match tasks.end - tasks.start {
        0 => 0,
        1 => match recording {
            None => task(tasks.start),
            Some(r) => {
                let began = r.now();
                let value = task(tasks.start);
                r.chunk(tasks.start, began, r.now(), stolen_from);
                value
            }
        },
        n => {
            let mid = tasks.start + n / 2;
            let here = rayon::current_thread_index();
            let (a, b) = rayon::join_context(
                |_| split(tasks.start..mid, task, recording, stolen_from),
                |ctx| split(mid..tasks.end, task, recording, if ctx.migrated() { here } else { None }),
            );
            a.wrapping_add(b)
        }
    }
}
