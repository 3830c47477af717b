//! Expanding states a run at a time: the successors of consecutive states computed together
//! (their words and hashes), then recorded into the graph in order, by the sequential loop and
//! (for batches too small to share) the parallel one.
//!
//! Implementation note: most of an exploration's time goes to waiting for memory. Each successor
//! costs a read of a random slot of the index and, when the slot's tag matches, of the state it
//! names, to compare: two cache misses, far more than computing the successor. With a run's
//! successors at hand, both are asked for ahead ([`StoreRead::prefetch_slot`], then
//! [`StoreRead::prefetch_state`]) a few successors before they are needed, so that their misses
//! overlap instead of following one another. The parallel discovery looks its successors up the
//! same way, on the pool (see `parallel`).

use std::ops::Range;

use super::count::Counting;
use super::explore::ExploreError;
use super::machine::{Machine, Move, Scratch};
use super::store::{hash_words, Edges, StateStore, StoreRead};

/// How many successors ahead a slot of the index is asked for.
const SLOTS_AHEAD: usize = 16;
/// How many successors ahead the state a slot names is asked for (fewer than [`SLOTS_AHEAD`], so
/// that its slot has come by then).
const STATES_AHEAD: usize = 8;

/// What a graph will hold once counted, with `states` states of `store_bytes` bytes: its bytes,
/// and counting's own for every state.
pub(super) fn footprint(store_bytes: usize, edges: &Edges, states: usize) -> usize {
    store_bytes + edges.bytes() + states * Counting::BYTES_PER_STATE
}

/// The successors of a run of consecutive states: their words and hashes, and how many per
/// state; with the room they are computed in. A piece is kept from run to run, so after the first it allocates nothing (in the browser,
/// every allocation takes the allocator's one lock, which the page's thread may have to spin on).
#[derive(Debug, Default)]
pub(super) struct Piece {
    /// Words per state.
    width: usize,
    words: Vec<i64>,
    hashes: Vec<u64>,
    counts: Vec<u32>,
    enabled: Vec<Move>,
    scratch: Scratch,
}

impl Piece {
    /// Bytes a piece holds per successor.
    pub(super) fn bytes_per_successor(width: usize) -> usize {
        width * size_of::<i64>() + size_of::<u64>()
    }

    /// Computes the successors of the states `states` of `store`, in order, while `work` lasts
    /// (each move takes its [`Machine::step_cost`], each state one more; a state once begun is
    /// finished) and until `stop` says to.
    pub(super) fn fill(
        &mut self,
        machine: &Machine,
        store: StoreRead<'_>,
        states: Range<usize>,
        symmetry: bool,
        work: &mut usize,
        stop: impl Fn() -> bool,
    ) {
        let width = machine.width();
        self.width = width;
        self.words.clear();
        self.hashes.clear();
        self.counts.clear();
        let most = states.len() * machine.most_moves();
        self.words.reserve(most * width);
        self.hashes.reserve(most);
        self.counts.reserve(states.len());
        for s in states {
            if *work == 0 || stop() {
                break;
            }
            let cur = store.get(s);
            machine.enabled_into(cur, &mut self.enabled);
            for &mv in &self.enabled {
                *work = work.saturating_sub(machine.step_cost(cur, mv));
                let at = self.words.len();
                self.words.extend_from_slice(cur);
                let next = &mut self.words[at..];
                machine.step_words(next, mv);
                if symmetry {
                    machine.canonicalize(next, &mut self.scratch);
                }
                self.hashes.push(hash_words(next));
            }
            *work = work.saturating_sub(1);
            self.counts.push(self.enabled.len() as u32);
        }
    }

    /// How many successors each state has, in order.
    pub(super) fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The successors' hashes, in order.
    pub(super) fn hashes(&self) -> &[u64] {
        &self.hashes
    }

    /// The words of successor `k`.
    pub(super) fn successor(&self, k: usize) -> &[i64] {
        &self.words[k * self.width..(k + 1) * self.width]
    }

    /// Records the successors into the store and `edges`, state after state in order (the states
    /// must be the next ones to expand): stops with `StateLimit` at the state past `max`, and with
    /// `MemoryLimit` once a state's successors are recorded past `budget` bytes (see
    /// [`footprint`]). `succ` is room for a state's successor ids.
    pub(super) fn record(
        &self,
        store: &mut StateStore,
        edges: &mut Edges,
        succ: &mut Vec<u32>,
        max: usize,
        budget: usize,
    ) -> Result<(), ExploreError> {
        let n = self.hashes.len();
        let mut sink = 0;
        for &hash in self.hashes.iter().take(SLOTS_AHEAD) {
            store.read().prefetch_slot(hash, &mut sink);
        }
        let mut k = 0;
        for &count in &self.counts {
            succ.clear();
            for _ in 0..count {
                if k + SLOTS_AHEAD < n {
                    store.read().prefetch_slot(self.hashes[k + SLOTS_AHEAD], &mut sink);
                }
                if k + STATES_AHEAD < n {
                    store.read().prefetch_state(self.hashes[k + STATES_AHEAD], &mut sink);
                }
                let id = store.insert(self.successor(k), self.hashes[k]);
                edges.prefetch(id, &mut sink);
                succ.push(id);
                if store.len() > max {
                    return Err(ExploreError::StateLimit { states: store.len() });
                }
                k += 1;
            }
            edges.expanded(succ, store.len());
            if footprint(store.bytes(), edges, store.len()) > budget {
                return Err(ExploreError::MemoryLimit { states: store.len(), budget });
            }
        }
        std::hint::black_box(sink);
        Ok(())
    }
}
