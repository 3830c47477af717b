//! The parallel discovery of a state graph: batches of consecutive states expanded on the pool,
//! recorded with the very ids the sequential loop gives them.
//!
//! Implementation note: recording a successor means finding it in the store, or adding it: a
//! read of a random slot of the index, most often a miss of the cache, which on one thread would
//! take most of the time. So a batch of states goes in four phases:
//! 1. Its states' successors are computed, on the pool, in pieces (see `expand`).
//! 2. Each successor is found in the store, or claimed, on the pool (see `store`'s `Claims`): a
//!    state new to the store is claimed in the empty slot of the index its probe ends at, with a
//!    mark that names the successor. Whoever meets that state again, in this batch, meets the
//!    claim, and takes its mark. So each successor is looked up once, as in the sequential loop.
//! 3. On one thread, the successors are numbered in order: a found one has its id; the first
//!    successor of a claim, in order, gives it the next id; the others take that id. That is the
//!    order the sequential loop numbers them in, and the limits are checked at the same states.
//!    It reads one code per successor, and little at random: a claim's id, in a table of the
//!    batch's, and each successor's count of paths (see `store`).
//! 4. The new states are added to the store, on the pool, and their claims turned into ids.
//!
//! Phase 3 runs while the pool's other workers compute the next batch's successors (phase 1, which
//! reads the store but not its index):
//! that batch is made of states found before, half of those not yet expanded, so that there are
//! always some left for the one after it. A batch too small to share runs the sequential loop's
//! way, on one thread.

use std::mem::size_of;
use std::ops::Range;

use rayon::prelude::*;

use super::expand::{footprint, Piece};
use super::explore::{ExploreControl, ExploreError, Limits, BATCH_BYTES, MOST_STATES};
use super::machine::Machine;
use super::store::{Claim, Claims, Edges, Graph, StateStore, CLAIMED};

/// Most states in one batch.
const BATCH: usize = 8192;
/// Fewest states in a batch taken ahead, unless fewer are known.
const LEAST_BATCH: usize = 32;
/// Most states per piece of a batch.
const PIECE: usize = 256;
/// Fewest states per piece of a batch (a batch is cut into a few pieces per worker, so that the
/// workers even out), and, twice over, most states of a batch that runs on one thread.
const LEAST_PIECE: usize = 32;
/// Pieces a batch is cut into per worker of the pool, at least (while they hold
/// [`LEAST_PIECE`] states).
const PIECES_PER_WORKER: usize = 4;
/// How many successors ahead phase 2 asks for a slot of the index.
const SLOTS_AHEAD: usize = 16;
/// How many successors ahead phase 2 asks for the state a slot names (fewer than
/// [`SLOTS_AHEAD`], so that its slot has come by then).
const STATES_AHEAD: usize = 8;
/// How many successors ahead phase 3 asks for the count of paths of a found one.
const PATHS_AHEAD: usize = 8;
/// Bytes a batch holds per successor beyond its piece's (see [`Piece::bytes_per_successor`]):
/// its code, its slot, its id, its claim's id and its place among the new states; with the room
/// the index may be grown by for it (a slot or two, in an index twice as large).
const BATCH_BYTES_PER_SUCCESSOR: usize = 5 * size_of::<u32>() + 4 * size_of::<u64>();
/// A claim's id before phase 3 gives it one.
const NONE: u32 = u32::MAX;

/// What every batch of one parallel discovery shares.
struct Job<'a> {
    machine: &'a Machine,
    control: &'a ExploreControl<'a>,
    symmetry: bool,
    max: usize,
    budget: usize,
    /// Most states per piece.
    piece: usize,
    /// Pieces a batch is cut into, at least (see [`PIECES_PER_WORKER`]).
    least_pieces: usize,
    /// Bits of a claim's mark that give a successor's place in its piece (the others, its piece).
    at_bits: u32,
}

impl Job<'_> {
    /// The mark of the claim for successor `at` of piece `part`.
    fn mark(&self, part: usize, at: usize) -> u32 {
        ((part as u32) << self.at_bits) | at as u32
    }

    /// The piece and place that mark `mark` names.
    fn unmark(&self, mark: u32) -> (usize, usize) {
        ((mark >> self.at_bits) as usize, (mark & ((1 << self.at_bits) - 1)) as usize)
    }
}

/// What phase 2 made of a piece's successors.
#[derive(Default)]
struct Found {
    /// One per successor: its id if found, else [`CLAIMED`] with its claim's mark.
    codes: Vec<u32>,
    /// One per successor: the slot of its claim, where it made one.
    slots: Vec<u32>,
}

impl Found {
    /// Phase 2: finds or claims every successor of piece `part` of `pieces`.
    fn claim(&mut self, job: &Job<'_>, part: usize, claims: Claims<'_>, pieces: &[Piece]) {
        let Found { codes, slots } = self;
        let piece = &pieces[part];
        let hashes = piece.hashes();
        let mut sink = 0;
        for &h in hashes.iter().take(SLOTS_AHEAD) {
            claims.prefetch_slot(h, &mut sink);
        }
        codes.clear();
        slots.clear();
        slots.resize(hashes.len(), 0);
        let claimed = |mark: u32| {
            let (p, at) = job.unmark(mark);
            pieces[p].successor(at)
        };
        for (at, &hash) in hashes.iter().enumerate() {
            if let Some(&h) = hashes.get(at + SLOTS_AHEAD) {
                claims.prefetch_slot(h, &mut sink);
            }
            if let Some(&h) = hashes.get(at + STATES_AHEAD) {
                claims.prefetch_state(h, &mut sink);
            }
            codes.push(match claims.claim(piece.successor(at), hash, job.mark(part, at), claimed) {
                Claim::Found(id) => id,
                Claim::Claimed { mark, slot } => {
                    slots[at] = slot;
                    CLAIMED | mark
                }
            });
        }
        std::hint::black_box(sink);
    }
}

/// A batch of consecutive states on its way through the phases (see the module's note). Kept
/// from batch to batch, so that after the first few it allocates little.
#[derive(Default)]
struct Batch {
    /// The successors of the batch's states, a piece of them at a time.
    pieces: Vec<Piece>,
    /// What phase 2 made of each piece's.
    found: Vec<Found>,
    /// The pieces in use.
    used: usize,
    /// The ids phase 3 gave each claim, by mark.
    claim_ids: Vec<u32>,
    /// The successors' ids, in order.
    ids: Vec<u32>,
    /// The states new to the store, in order: the marks of their claims.
    new: Vec<u32>,
}

impl Batch {
    /// States of the batch.
    fn states(&self) -> usize {
        self.pieces[..self.used].iter().map(|p| p.counts().len()).sum()
    }

    /// Successors of the batch.
    fn successors(&self) -> usize {
        self.pieces[..self.used].iter().map(|p| p.hashes().len()).sum()
    }

    /// Phase 1: computes the successors of `states` (until cancelled).
    fn compute(&mut self, job: &Job<'_>, store: &StateStore, states: Range<usize>) {
        let size = (states.len() / job.least_pieces).clamp(LEAST_PIECE.min(job.piece), job.piece);
        self.used = states.len().div_ceil(size);
        if self.pieces.len() < self.used {
            self.pieces.resize_with(self.used, Piece::default);
            self.found.resize_with(self.used, Found::default);
        }
        let read = store.read();
        self.pieces[..self.used].par_iter_mut().enumerate().for_each(|(k, piece)| {
            let start = states.start + k * size;
            let states = start..(start + size).min(states.end);
            piece.fill(job.machine, read, states, job.symmetry, &mut { usize::MAX }, || job.control.cancelled());
        });
    }

    /// Phase 2: finds or claims the successors, with room made in the index first.
    fn claim(&mut self, job: &Job<'_>, store: &mut StateStore) {
        store.reserve_on_pool(self.successors());
        let (claims, pieces) = (store.claims(), &self.pieces[..self.used]);
        self.found[..self.used].par_iter_mut().enumerate().for_each(|(k, found)| found.claim(job, k, claims, pieces));
    }

    /// Phase 3: numbers the successors in order and records each state's successors in `edges`,
    /// for a store of `first` states; stops at the limits as the sequential loop does (see
    /// `expand`'s [`Piece::record`]).
    fn number(&mut self, job: &Job<'_>, first: usize, store_bytes: impl Fn(usize) -> usize, edges: &mut Edges) -> Result<(), ExploreError> {
        let Batch { pieces, found, used, claim_ids, ids, new } = self;
        ids.clear();
        new.clear();
        claim_ids.clear();
        claim_ids.resize(*used << job.at_bits, NONE);
        let mut sink = 0;
        for (piece, found) in pieces[..*used].iter().zip(&found[..*used]) {
            let codes = &found.codes;
            let mut at = 0;
            for &count in piece.counts() {
                let from = ids.len();
                for _ in 0..count {
                    if let Some(&code) = codes.get(at + PATHS_AHEAD) {
                        if code & CLAIMED == 0 {
                            edges.prefetch(code, &mut sink);
                        }
                    }
                    let code = codes[at];
                    let id = if code & CLAIMED == 0 {
                        code
                    } else {
                        let mark = code & !CLAIMED;
                        let id = &mut claim_ids[mark as usize];
                        if *id == NONE {
                            *id = (first + new.len()) as u32;
                            new.push(mark);
                            if first + new.len() > job.max {
                                return Err(ExploreError::StateLimit { states: first + new.len() });
                            }
                        }
                        *id
                    };
                    ids.push(id);
                    at += 1;
                }
                let states = first + new.len();
                edges.expanded(&ids[from..], states);
                if footprint(store_bytes(states), edges, states) > job.budget {
                    return Err(ExploreError::MemoryLimit { states, budget: job.budget });
                }
            }
        }
        std::hint::black_box(sink);
        Ok(())
    }

    /// Phase 4: adds the new states to the store, settling their claims.
    fn settle(&mut self, job: &Job<'_>, store: &mut StateStore) {
        let (pieces, found, new) = (&self.pieces, &self.found, &self.new);
        store.settle(new.len(), |i| {
            let (p, at) = job.unmark(new[i]);
            (pieces[p].successor(at), pieces[p].hashes()[at], found[p].slots[at])
        });
        self.used = 0;
    }

    /// Expands `states` on the calling thread alone, the sequential loop's way.
    fn expand_here(&mut self, job: &Job<'_>, graph: &mut Graph, states: Range<usize>) -> Result<(), ExploreError> {
        if self.pieces.is_empty() {
            self.pieces.push(Piece::default());
        }
        let Graph { store, edges } = graph;
        let piece = &mut self.pieces[0];
        piece.fill(job.machine, store.read(), states, job.symmetry, &mut { usize::MAX }, || false);
        piece.record(store, edges, &mut self.ids, job.max, job.budget)
    }
}

/// Discovers the state graph on the pool, a batch of states after another (see the module's
/// note), breadth first.
pub(super) fn discover_parallel(
    machine: &Machine,
    limits: &Limits,
    control: &ExploreControl<'_>,
) -> Result<Graph, ExploreError> {
    let max = limits.max_states.min(MOST_STATES);
    let (width, moves) = (machine.width(), machine.most_moves());
    let mut graph = Graph::new(width, moves, &machine.initial().words);
    if graph.store.len() > max {
        return Err(ExploreError::StateLimit { states: graph.store.len() });
    }
    // Two batches are held at once, each of at most one successor per move of each state, within
    // BATCH_BYTES.
    let per_state = moves * (Piece::bytes_per_successor(width) + BATCH_BYTES_PER_SUCCESSOR) + size_of::<u32>();
    let most = (BATCH_BYTES / 2 / per_state).clamp(1, BATCH);
    let piece = PIECE.min(most.div_ceil(4));
    // A claim's mark names a piece and a place in it, in 31 bits.
    let at_bits = (piece * moves).next_power_of_two().trailing_zeros();
    let pieces = most.div_ceil(LEAST_PIECE.min(piece));
    assert!(at_bits + pieces.next_power_of_two().trailing_zeros() < 31, "a claim's mark fits in 31 bits");
    let budget = control.memory_budget;
    let symmetry = control.symmetry && machine.has_symmetry();
    let least_pieces = PIECES_PER_WORKER * rayon::current_num_threads().max(1);
    let job = Job { machine, control, symmetry, max, budget, piece, least_pieces, at_bits };
    // A batch takes half the known states after it, so that the one after it has states to
    // overlap with (never past `most`, which a small memory budget may set below LEAST_BATCH).
    let batch = |from: usize, known: usize| from..known.min(from + ((known - from) / 2).max(LEAST_BATCH).min(most));
    let (mut ready, mut next) = (Batch::default(), Batch::default());
    // On a worker of the pool throughout, so that each phase's tasks stay among its workers.
    rayon::scope(|_| loop {
        control.check(graph.store.len())?;
        let done = graph.edges.len();
        if ready.used == 0 {
            // Nothing computed ahead (the first batch, or the states known ran out).
            let states = batch(done, graph.store.len());
            if states.is_empty() {
                break Ok(());
            }
            if states.len() <= 2 * LEAST_PIECE {
                ready.expand_here(&job, &mut graph, states)?;
                continue;
            }
            ready.compute(&job, &graph.store, states);
            if control.cancelled() {
                break Err(ExploreError::Cancelled);
            }
            ready.claim(&job, &mut graph.store);
        }
        // Number the ready batch while computing the next one, out of the states known now.
        let after = batch(done + ready.states(), graph.store.len());
        let Graph { store, edges } = &mut graph;
        let (first, store_ref) = (store.len(), &*store);
        let bytes = |states: usize| store_ref.bytes_for(states);
        let numbered = if after.len() <= 2 * LEAST_PIECE {
            // Too little to share: the pool's workers would only be woken for it.
            next.used = 0;
            ready.number(&job, first, bytes, edges)
        } else {
            rayon::join(|| ready.number(&job, first, bytes, edges), || next.compute(&job, store_ref, after)).0
        };
        if control.cancelled() {
            break Err(ExploreError::Cancelled);
        }
        numbered?;
        ready.settle(&job, store);
        if next.used > 0 {
            next.claim(&job, store);
        }
        std::mem::swap(&mut ready, &mut next);
    })?;
    control.check(graph.store.len())?;
    Ok(graph)
}
