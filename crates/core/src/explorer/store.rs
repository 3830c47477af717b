//! The discovered state graph and the store of states behind it: every state once, found again by
//! an open-addressing hash index, and every state's successors; with what all of it costs in bytes.
//!
//! Implementation note: states and successor lists live in chunks that never move once made (see
//! `chunks`), so no allocation is large, nothing is copied, and [`Graph::bytes`] is close to the
//! truth: the explorer's memory budget holds. The index keeps 32 bits of each state's hash beside
//! its id: a probe seldom reads a state that is not the one, and growing the index never rehashes
//! a state. What the store costs is a function of its number of states alone
//! ([`StateStore::bytes_for`]): the index counts as the size it has when it grows only for want of
//! room, however early it was grown (before a split), so the sequential and the parallel
//! discovery pass the memory budget at the same state.
//!
//! For the parallel discovery, a store can be split for a while ([`StateStore::split`]) into the
//! states it has, which any thread may read and look up ([`StoreRead`]), and one thread that adds
//! states meanwhile ([`StoreWrite`]). The index's slots are atomic words, so a look-up may meet a
//! slot being filled: it stops there, at a state it cannot read yet, and [`StoreWrite::insert`]
//! goes on from that slot later (slots are only ever filled, so the ones that look-up passed still
//! hold other states). The index does not grow during a split: room is made before, for as many states as it may add.
//!
//! The graph also counts paths as it grows, while it can. States are expanded in the order they
//! were found, breadth first, so each state's level (its distance from the first) only grows
//! along that order. While every edge goes exactly one level down (as in straight-line code,
//! where every way to a state takes as many steps), that order is a topological one, and a
//! state's paths are all counted by the time it is expanded: so they are added to its successors
//! then, and nothing is left to count once the last state is expanded. The first edge that
//! breaks the rule (a branch of another length, a loop) ends that, and the counting is done
//! afterwards, by `count`, in a topological order of its own.

use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use rayon::prelude::*;

use super::chunks::{Chunks, ChunksOpen, ChunksRead};

/// The discovered state graph: states by id, and what is known of the expanded ones.
#[derive(Debug)]
pub(super) struct Graph {
    pub(super) store: StateStore,
    pub(super) edges: Edges,
}

impl Graph {
    /// A graph of states of `width` words, with at most `moves` successors each, holding the
    /// state `initial` only.
    pub(super) fn new(width: usize, moves: usize, initial: &[i64]) -> Self {
        let mut store = StateStore::new(width);
        store.insert(initial, hash_words(initial));
        let edges = Edges {
            successors: Successors::new(moves),
            finals: Vec::new(),
            graded: true,
            below: 1,
            found: 1,
            paths: vec![1],
        };
        Graph { store, edges }
    }

    /// A graph holding nothing, for a finished exploration.
    pub(super) fn empty() -> Self {
        let edges = Edges {
            successors: Successors::new(0),
            finals: Vec::new(),
            graded: false,
            below: 0,
            found: 0,
            paths: Vec::new(),
        };
        Graph { store: StateStore::new(0), edges }
    }

    /// The successors of state `id` (which must be expanded).
    pub(super) fn successors(&self, id: usize) -> &[u32] {
        self.edges.successors.of(id)
    }

    /// Bytes the graph holds, counting the growth of the index and the chunks that may come next.
    pub(super) fn bytes(&self) -> usize {
        self.store.bytes() + self.edges.bytes()
    }
}

/// What is known of the expanded states: each one's successors (one per move), the final states
/// (those without successors), and while the graph is graded (see the module's note), each
/// state's count of paths.
#[derive(Debug)]
pub(super) struct Edges {
    successors: Successors,
    pub(super) finals: Vec<u32>,
    /// Whether every edge so far goes one level down.
    pub(super) graded: bool,
    /// The first state of the level below the one being expanded. (Levels are runs of ids: the
    /// states of a level are found while the level above is expanded.)
    below: usize,
    /// States found before the state being expanded was.
    found: usize,
    /// Paths from the first state into each, while graded and within `u128` (else empty).
    pub(super) paths: Vec<u128>,
}

impl Edges {
    /// Records the successors of the next state to expand (states are expanded in id order),
    /// once `states` states are found.
    pub(super) fn expanded(&mut self, successors: &[u32], states: usize) {
        let u = self.successors.len();
        if successors.is_empty() {
            self.finals.push(u as u32);
        }
        if self.graded {
            self.grade(u, successors, states);
        }
        self.successors.push(successors);
        self.found = states;
    }

    /// Checks that the successors of `u` are one level below it, and adds its paths to theirs,
    /// while the graph is graded.
    fn grade(&mut self, u: usize, successors: &[u32], states: usize) {
        if u == self.below {
            // The first state of its level: the states found so far are those of its level and
            // the levels above; the next level starts after them.
            self.below = self.found;
        }
        if successors.iter().any(|&v| (v as usize) < self.below) {
            (self.graded, self.paths) = (false, Vec::new());
            return;
        }
        if self.paths.is_empty() {
            return;
        }
        if self.paths.len() < states {
            self.paths.resize(states, 0);
        }
        let paths = self.paths[u];
        for &v in successors {
            match self.paths[v as usize].checked_add(paths) {
                Some(sum) => self.paths[v as usize] = sum,
                None => {
                    self.paths = Vec::new();
                    return;
                }
            }
        }
    }

    /// How many states are expanded.
    pub(super) fn len(&self) -> usize {
        self.successors.len()
    }

    /// Brings into the cache the count of paths of state `id`, if it is counted yet (the state
    /// being expanded will add to it; `sink` as for [`prefetch`]).
    #[inline]
    pub(super) fn prefetch(&self, id: u32, sink: &mut u64) {
        if let Some(paths) = self.paths.get(id as usize) {
            prefetch(paths, sink);
        }
    }

    /// Bytes held, counting the chunks that may come next.
    pub(super) fn bytes(&self) -> usize {
        let lists = self.finals.capacity() * size_of::<u32>() + self.paths.capacity() * size_of::<u128>();
        self.successors.bytes() + lists
    }
}

/// Every state's successor list, in chunks; a list never straddles two chunks.
#[derive(Debug)]
struct Successors {
    ids: Chunks<u32>,
    /// Where each state's list starts and ends among `ids` (the budget keeps the explorer far
    /// below 2^32 successors).
    bounds: Vec<(u32, u32)>,
}

impl Successors {
    fn new(longest: usize) -> Self {
        Successors { ids: Chunks::new(1, longest), bounds: Vec::new() }
    }

    fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Appends the next state's list (at most as long as the `longest` it was made for).
    fn push(&mut self, list: &[u32]) {
        let start = self.ids.push(list);
        self.bounds.push((start as u32, (start + list.len()) as u32));
    }

    fn of(&self, id: usize) -> &[u32] {
        let (start, end) = self.bounds[id];
        self.ids.get(start as usize, (end - start) as usize)
    }

    fn bytes(&self) -> usize {
        self.ids.bytes() + self.bounds.capacity() * size_of::<(u32, u32)>()
    }
}

/// A hash of a state's words, Fx-style in four lanes (each takes every fourth word), so that the
/// multiplies of one lane overlap those of the others; the index spreads it with a multiply.
pub(super) fn hash_words(words: &[i64]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: i64| (h.rotate_left(5) ^ w as u64).wrapping_mul(K);
    let mut lanes = [0, 1, 2, 3];
    let mut quads = words.chunks_exact(4);
    for q in &mut quads {
        for (h, &w) in lanes.iter_mut().zip(q) {
            *h = step(*h, w);
        }
    }
    for (h, &w) in lanes.iter_mut().zip(quads.remainder()) {
        *h = step(*h, w);
    }
    let [a, b, c, d] = lanes;
    step(step(step(a, b as i64), c as i64), d as i64)
}

/// Asks for the memory at `at` to be brought into the cache ahead of its use: a hint, which
/// changes nothing else. Where there is no prefetch instruction (in WebAssembly) it is an
/// ordinary read, whose value goes into `sink`: reads of several addresses still overlap, where
/// the reads a probe makes, one after the other, would each wait for memory.
#[inline(always)]
fn prefetch<T: Word>(at: &T, sink: &mut u64) {
    #[cfg(target_arch = "x86_64")]
    {
        let _ = sink;
        // SAFETY: a prefetch only hints the cache: it reads nothing the program sees and never
        // faults (and `at` is a valid reference besides).
        unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((at as *const T).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        *sink ^= at.bits();
    }
}

/// What [`prefetch`] may read: a slot of the index, or a word of a state.
trait Word {
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn bits(&self) -> u64;
}

impl Word for AtomicU64 {
    fn bits(&self) -> u64 {
        self.load(Relaxed)
    }
}

impl Word for i64 {
    fn bits(&self) -> u64 {
        *self as u64
    }
}

impl Word for u128 {
    fn bits(&self) -> u64 {
        *self as u64
    }
}

/// Whether two states are the same: every word compared, without stopping at the first that
/// differs (states are short, and a probe that reads a state most often finds it).
#[inline]
pub(super) fn same(a: &[i64], b: &[i64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// What a look-up in the index came to, for [`StoreWrite::insert`]: the state's id, or the slot
/// where its probe stopped, in an index of `1 << bits` slots. Made by [`StoreRead::find`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Probe {
    Found(u32),
    Stopped { bits: u32, slot: u32 },
}

/// An empty slot of the index.
const EMPTY: u64 = 0;
/// Index bits of a new store.
const FIRST_BITS: u32 = 10;

/// The index: `1 << bits` slots, each empty or holding 32 bits of a state's hash (high half) and
/// its id plus one (low half); at most half of them full.
#[derive(Debug)]
struct Index {
    slots: Box<[AtomicU64]>,
    bits: u32,
}

impl Index {
    fn new(bits: u32) -> Self {
        Index { slots: (0..1usize << bits).map(|_| AtomicU64::new(EMPTY)).collect(), bits }
    }

    /// Index bits for `states` states: the index grows when a state would fill more than half.
    fn bits_for(states: usize) -> u32 {
        (2 * states).next_power_of_two().trailing_zeros().max(FIRST_BITS)
    }

    /// Bytes counted for the index of a store of `states` states: its size then, and the twice
    /// as large one it grows into next.
    fn bytes_for(states: usize) -> usize {
        (3 * size_of::<u64>()) << Self::bits_for(states)
    }

    /// 32 bits of `hash`, spread: the first slot to probe is their top `bits`.
    fn tag(hash: u64) -> u64 {
        hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32
    }

    /// The first slot a probe for a state of tag `tag` reads.
    fn home(&self, tag: u64) -> usize {
        (tag >> (32 - self.bits)) as usize
    }

    /// [`Index::new`], its slots written by the pool's workers.
    fn new_on_pool(bits: u32) -> Self {
        let slots = (0..1usize << bits).into_par_iter().with_min_len(PUT_CHUNK).map(|_| AtomicU64::new(EMPTY)).collect();
        Index { slots, bits }
    }

    /// Grows into `larger`, an empty index, moving every slot.
    fn grow_into(&mut self, larger: Index) {
        let old = std::mem::replace(self, larger);
        self.fill_from(&old);
    }

    /// Puts every slot of `old` into this index, larger and empty.
    fn fill_from(&mut self, old: &Index) {
        let mask = self.slots.len() - 1;
        for slot in old.slots.iter().map(|s| s.load(Relaxed)).filter(|&s| s != EMPTY) {
            let mut i = self.home(slot >> 32);
            while *self.slots[i].get_mut() != EMPTY {
                i = (i + 1) & mask;
            }
            *self.slots[i].get_mut() = slot;
        }
    }

    /// Puts `slot` (a state not in the index) into the first empty slot from `i` on, while other
    /// threads may put other states meanwhile.
    fn put_shared(&self, slot: u64, mut i: usize) {
        let mask = self.slots.len() - 1;
        loop {
            let at = &self.slots[i];
            if at.load(Relaxed) == EMPTY && at.compare_exchange(EMPTY, slot, Relaxed, Relaxed).is_ok() {
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// [`Index::fill_from`] on the pool's workers.
    fn fill_from_shared(&self, old: &Index) {
        old.slots.par_chunks(PUT_CHUNK).for_each(|slots| {
            for slot in slots.iter().map(|s| s.load(Relaxed)).filter(|&s| s != EMPTY) {
                self.put_shared(slot, self.home(slot >> 32));
            }
        });
    }

    /// Probes for `words`, of tag `tag`, from slot `i` on: `Ok` with its id, or `Err` with the
    /// first slot that is empty or names a state at or past `readable` (which `get` cannot read).
    #[inline]
    fn probe<'r>(
        &self,
        words: &[i64],
        tag: u64,
        mut i: usize,
        readable: usize,
        get: impl Fn(usize) -> &'r [i64],
    ) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[i].load(Relaxed);
            if slot == EMPTY || (slot as u32 - 1) as usize >= readable {
                return Err(i);
            }
            let id = slot as u32 - 1;
            if slot >> 32 == tag && same(get(id as usize), words) {
                return Ok(id);
            }
            i = (i + 1) & mask;
        }
    }

    fn prefetch_slot(&self, hash: u64, sink: &mut u64) {
        prefetch(&self.slots[self.home(Self::tag(hash))], sink);
    }

    /// The id in the first slot for `hash`, if that slot has the hash's tag.
    fn first_match(&self, hash: u64) -> Option<usize> {
        let tag = Self::tag(hash);
        let slot = self.slots[self.home(tag)].load(Relaxed);
        (slot != EMPTY && slot >> 32 == tag).then(|| (slot as u32 - 1) as usize)
    }
}

/// How many states ahead [`StateStore::settle`] asks for the slot it will write.
const SETTLE_AHEAD: usize = 8;
/// Slots one task of the pool moves into a larger index.
const PUT_CHUNK: usize = 4096;

/// All discovered states, row after row in chunks, with an index to find them again.
#[derive(Debug)]
pub(super) struct StateStore {
    rows: Chunks<i64>,
    index: Index,
    len: usize,
}

impl StateStore {
    pub(super) fn new(width: usize) -> Self {
        StateStore { rows: Chunks::new(width, 1), index: Index::new(FIRST_BITS), len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, id: usize) -> &[i64] {
        self.rows.get(id, 1)
    }

    /// Bytes of the states and the index, counting the next growth of the index (when it grows,
    /// the old index and the new one, twice its size, are both held for a moment).
    pub(super) fn bytes(&self) -> usize {
        self.bytes_for(self.len)
    }

    /// [`StateStore::bytes`] for a store of `states` states.
    pub(super) fn bytes_for(&self, states: usize) -> usize {
        self.rows.bytes_for(states) + Index::bytes_for(states)
    }

    /// Grows the index now, if need be, so that `more` states can be added without growing it.
    fn reserve(&mut self, more: usize) {
        let bits = Index::bits_for(self.len + more);
        if bits > self.index.bits {
            self.index.grow_into(Index::new(bits));
        }
    }

    /// Grows the index now, on the pool's workers, if need be, so that `more` states can be
    /// added without growing it (for [`StateStore::claims`]).
    pub(super) fn reserve_on_pool(&mut self, more: usize) {
        let bits = Index::bits_for(self.len + more);
        if bits > self.index.bits {
            let larger = Index::new_on_pool(bits);
            larger.fill_from_shared(&self.index);
            self.index = larger;
        }
    }

    /// The states, to find and claim from any thread (see [`Claims`]).
    pub(super) fn claims(&self) -> Claims<'_> {
        Claims { read: self.read() }
    }

    /// Adds the `n` states claimed since the last call, on the pool's workers: `state(i)` gives
    /// the words of the `i`th, its hash, and the slot its claim holds. They take the next ids, in
    /// order, and their slots name them from now on. Every claim must be settled so, before the
    /// store is used otherwise.
    pub(super) fn settle<'s>(&mut self, n: usize, state: impl Fn(usize) -> (&'s [i64], u64, u32) + Sync) {
        let (first, index) = (self.len, &self.index);
        self.rows.extend_par(n, |i, row| {
            if i + SETTLE_AHEAD < n {
                // The slots are written at random: asked for ahead, their misses overlap.
                let mut sink = 0;
                prefetch(&index.slots[state(i + SETTLE_AHEAD).2 as usize], &mut sink);
                std::hint::black_box(sink);
            }
            let (words, hash, slot) = state(i);
            row.copy_from_slice(words);
            index.slots[slot as usize].store(Index::tag(hash) << 32 | ((first + i) as u64 + 1), Relaxed);
        });
        self.len += n;
    }

    /// The id of `words`, added as a new state if it is not known yet.
    pub(super) fn insert(&mut self, words: &[i64], hash: u64) -> u32 {
        let tag = Index::tag(hash);
        let (rows, index) = (&self.rows, &self.index);
        let slot = match index.probe(words, tag, index.home(tag), usize::MAX, |id| rows.get(id, 1)) {
            Ok(id) => return id,
            Err(slot) => slot,
        };
        if Index::bits_for(self.len + 1) > self.index.bits {
            self.reserve(1);
            return self.insert(words, hash);
        }
        let id = self.len as u32;
        *self.index.slots[slot].get_mut() = tag << 32 | (id as u64 + 1);
        self.rows.push(words);
        self.len += 1;
        id
    }

    /// The states, to read and look up (as from a split).
    pub(super) fn read(&self) -> StoreRead<'_> {
        StoreRead { rows: self.rows.read(), index: &self.index, len: self.len }
    }

    /// The states so far, to read and look up from any thread, and the one adder meanwhile, who
    /// may add up to `more` states; `f` runs with both. (See the module's note.) With `on_pool`,
    /// the pool's workers share the work of making room.
    pub(super) fn split<R>(
        &mut self,
        more: usize,
        on_pool: bool,
        f: impl FnOnce(StoreRead<'_>, &mut StoreWrite<'_>) -> R,
    ) -> R {
        self.reserve(more);
        let (index, len) = (&self.index, self.len);
        let (rows, open) = self.rows.split(more, on_pool);
        let read = StoreRead { rows, index, len };
        let mut write = StoreWrite { read, rows: open, len };
        let result = f(read, &mut write);
        let (fresh, len) = (write.rows.into_fresh(), write.len);
        self.rows.absorb(fresh);
        self.len = len;
        result
    }
}

/// The states a store had when it was split, to read and look up from any thread.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoreRead<'a> {
    rows: ChunksRead<'a, i64>,
    index: &'a Index,
    len: usize,
}

impl<'a> StoreRead<'a> {
    pub(super) fn get(&self, id: usize) -> &'a [i64] {
        self.rows.get(id, 1)
    }

    /// Looks `words` up: its id, or where the probe stopped, for [`StoreWrite::insert`].
    pub(super) fn find(&self, words: &[i64], hash: u64) -> Probe {
        let (tag, rows) = (Index::tag(hash), self.rows);
        match self.index.probe(words, tag, self.index.home(tag), self.len, |id| rows.get(id, 1)) {
            Ok(id) => Probe::Found(id),
            Err(slot) => Probe::Stopped { bits: self.index.bits, slot: slot as u32 },
        }
    }

    /// Brings into the cache the first slot a probe for `hash` reads (`sink` as for [`prefetch`]).
    #[inline]
    pub(super) fn prefetch_slot(&self, hash: u64, sink: &mut u64) {
        self.index.prefetch_slot(hash, sink);
    }

    /// Brings into the cache the state that the first slot for `hash` names, if that slot has the
    /// hash's tag; best once [`StoreRead::prefetch_slot`] has brought the slot.
    #[inline]
    pub(super) fn prefetch_state(&self, hash: u64, sink: &mut u64) {
        if let Some(id) = self.index.first_match(hash).filter(|&id| id < self.len) {
            let row = self.get(id);
            prefetch(&row[0], sink);
            prefetch(&row[row.len() - 1], sink);
        }
    }
}

/// What a claim came to ([`Claims::claim`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Claim {
    /// The state is in the store, with this id.
    Found(u32),
    /// The state is new: claimed, in slot `slot` of the index, by the claim of mark `mark` (the
    /// caller's own, or an earlier one of the same state).
    Claimed { mark: u32, slot: u32 },
}

/// The mark of a claim in a slot of the index: set in a slot's low half, which otherwise holds an
/// id plus one (ids are below 2^31: see the explorer's `MOST_STATES`).
pub(super) const CLAIMED: u32 = 1 << 31;

/// A store's states, to find, and to claim for new states, from any thread at once (the parallel
/// discovery's batches): a state not found is claimed in the empty slot its probe ends at, with a
/// mark of the caller's choosing, below [`CLAIMED`], which names the state's words for whoever
/// meets the claim next. [`StateStore::settle`] then turns claims into states.
#[derive(Debug, Clone, Copy)]
pub(super) struct Claims<'a> {
    read: StoreRead<'a>,
}

impl<'a> Claims<'a> {
    /// The state of `id`.
    pub(super) fn get(&self, id: usize) -> &'a [i64] {
        self.read.get(id)
    }

    /// Finds `words`, of hash `hash`; or, if no state and no claim has them, claims them with
    /// `mark`. `claimed(m)` gives the words of the claim of mark `m`.
    #[inline]
    pub(super) fn claim<'w>(&self, words: &[i64], hash: u64, mark: u32, claimed: impl Fn(u32) -> &'w [i64]) -> Claim {
        let index = self.read.index;
        let (tag, mask) = (Index::tag(hash), index.slots.len() - 1);
        let mut i = index.home(tag);
        loop {
            let mut slot = index.slots[i].load(Relaxed);
            if slot == EMPTY {
                match index.slots[i].compare_exchange(EMPTY, tag << 32 | (CLAIMED | mark) as u64, Relaxed, Relaxed) {
                    Ok(_) => return Claim::Claimed { mark, slot: i as u32 },
                    Err(now) => slot = now,
                }
            }
            if slot >> 32 == tag {
                let low = slot as u32;
                if low & CLAIMED != 0 {
                    if same(claimed(low & !CLAIMED), words) {
                        return Claim::Claimed { mark: low & !CLAIMED, slot: i as u32 };
                    }
                } else if same(self.read.get(low as usize - 1), words) {
                    return Claim::Found(low - 1);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// As [`StoreRead::prefetch_slot`].
    #[inline]
    pub(super) fn prefetch_slot(&self, hash: u64, sink: &mut u64) {
        self.read.prefetch_slot(hash, sink);
    }

    /// As [`StoreRead::prefetch_state`] (a claim names no state to bring).
    #[inline]
    pub(super) fn prefetch_state(&self, hash: u64, sink: &mut u64) {
        self.read.prefetch_state(hash, sink);
    }
}

/// The one thread adding states to a split store.
#[derive(Debug)]
pub(super) struct StoreWrite<'a> {
    read: StoreRead<'a>,
    rows: ChunksOpen<'a, i64>,
    len: usize,
}

impl StoreWrite<'_> {
    /// States found, before the split and since.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// [`StateStore::bytes`] now.
    pub(super) fn bytes(&self) -> usize {
        self.rows.bytes_for(self.len) + Index::bytes_for(self.len)
    }

    /// The id of `words`, added as a new state if it is not known yet; `probe` is what a look-up
    /// of it found, if one was made (see the module's note).
    pub(super) fn insert(&mut self, words: &[i64], hash: u64, probe: Option<Probe>) -> u32 {
        let index = self.read.index;
        let tag = Index::tag(hash);
        let start = match probe {
            Some(Probe::Found(id)) => return id,
            Some(Probe::Stopped { bits, slot }) if bits == index.bits => slot as usize,
            _ => index.home(tag),
        };
        let rows = &self.rows;
        let slot = match index.probe(words, tag, start, usize::MAX, |id| rows.get(id, 1)) {
            Ok(id) => return id,
            Err(slot) => slot,
        };
        assert!(Index::bits_for(self.len + 1) <= index.bits, "a split is given room for the states it adds");
        let id = self.len as u32;
        self.rows.push(words);
        index.slots[slot].store(tag << 32 | (id as u64 + 1), Relaxed);
        self.len += 1;
        id
    }

    /// Brings into the cache the slot [`StoreWrite::insert`] reads first for `hash` and `probe`.
    #[inline]
    pub(super) fn prefetch(&self, hash: u64, probe: Option<Probe>, sink: &mut u64) {
        let index = self.read.index;
        match probe {
            Some(Probe::Found(_)) => {}
            Some(Probe::Stopped { bits, slot }) if bits == index.bits => prefetch(&index.slots[slot as usize], sink),
            _ => index.prefetch_slot(hash, sink),
        }
    }

    /// Brings into the cache the state that the first slot for `hash` names, if that slot has the
    /// hash's tag (as [`StoreRead::prefetch_state`], for states added since the split too).
    #[inline]
    pub(super) fn prefetch_state(&self, hash: u64, sink: &mut u64) {
        if let Some(id) = self.read.index.first_match(hash).filter(|&id| id < self.len) {
            let row = self.rows.get(id, 1);
            prefetch(&row[0], sink);
            prefetch(&row[row.len() - 1], sink);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(i: i64) -> [i64; 3] {
        [i % 7, i / 7, i * i]
    }

    fn add(store: &mut StateStore, i: i64) -> u32 {
        let s = state(i);
        store.insert(&s, hash_words(&s))
    }

    // Look-ups made while a split's adder adds states find the states from before, stop at the
    // ones added since (which they cannot read yet), and the adder, told where they stopped,
    // finds those again instead of adding them twice.
    #[test]
    fn look_ups_during_a_split() {
        let mut store = StateStore::new(3);
        for i in 0..100 {
            assert_eq!(add(&mut store, i), i as u32);
        }
        let states: Vec<[i64; 3]> = (0..300).map(state).collect();
        let probes = store.split(200, false, |read, write| {
            for (i, s) in states.iter().enumerate().skip(100).take(100) {
                assert_eq!(write.insert(s, hash_words(s), None), i as u32);
            }
            // What a reader sees now: the first hundred, and none of those added since.
            states.iter().map(|s| read.find(s, hash_words(s))).collect::<Vec<_>>()
        });
        for (i, probe) in probes.iter().enumerate() {
            match probe {
                Probe::Found(id) => assert!(i < 100 && *id == i as u32, "{i}: {probe:?}"),
                Probe::Stopped { .. } => assert!(i >= 100, "{i}"),
            }
        }
        assert_eq!(store.len(), 200);
        store.split(100, true, |_, write| {
            for (i, (s, probe)) in states.iter().zip(&probes).enumerate() {
                assert_eq!(write.insert(s, hash_words(s), Some(*probe)), i as u32);
            }
        });
        assert_eq!(store.len(), 300);
        for (i, s) in states.iter().enumerate() {
            assert_eq!(store.get(i), &s[..]);
        }
    }

    // A probe made before the index grew still leads to the state (the adder starts over).
    #[test]
    fn probes_from_before_a_growth() {
        let mut store = StateStore::new(3);
        add(&mut store, 0);
        let s = state(1);
        let probe = store.read().find(&s, hash_words(&s));
        let bits = store.index.bits;
        for i in 2..2000 {
            add(&mut store, i);
        }
        assert!(store.index.bits > bits);
        let id = store.split(1, false, |_, write| write.insert(&s, hash_words(&s), Some(probe)));
        assert_eq!((id, store.get(id as usize)), (1999, &s[..]));
        assert_eq!(store.split(0, false, |_, write| write.insert(&s, hash_words(&s), None)), 1999);
    }

    // What a store counts in bytes depends on its states alone, whether its index was grown as
    // states came, ahead of them for a split, or on the pool for states claimed and settled.
    #[test]
    fn bytes_follow_the_states() {
        let (mut one, mut split, mut later) = (StateStore::new(3), StateStore::new(3), StateStore::new(3));
        let mut i = 0;
        while i < 20_000 {
            let more = 1 + i as usize % 3000;
            let batch: Vec<[i64; 3]> = (i..i + more as i64).map(state).collect();
            split.split(more, i % 2 == 0, |_, write| {
                for s in &batch {
                    write.insert(s, hash_words(s), None);
                }
            });
            later.reserve_on_pool(more);
            let claims = later.claims();
            let slots: Vec<u32> = batch
                .iter()
                .enumerate()
                .map(|(k, s)| match claims.claim(s, hash_words(s), k as u32, |m| &batch[m as usize][..]) {
                    Claim::Claimed { mark, slot } if mark == k as u32 => slot,
                    claim => panic!("{claim:?}"),
                })
                .collect();
            later.settle(more, |k| (&batch[k][..], hash_words(&batch[k]), slots[k]));
            for j in i..i + more as i64 {
                add(&mut one, j);
            }
            i += more as i64;
            assert_eq!(split.bytes(), one.bytes());
            assert_eq!(later.bytes(), one.bytes());
            assert_eq!(later.index.bits, one.index.bits);
        }
        assert_eq!(one.bytes(), one.bytes_for(one.len()));
        for j in 0..i {
            let s = state(j);
            assert_eq!(split.read().find(&s, hash_words(&s)), Probe::Found(j as u32));
            assert_eq!(later.read().find(&s, hash_words(&s)), Probe::Found(j as u32));
        }
    }

    // Claims made from several threads at once, twice for each state: each state is claimed once,
    // its second claim meets the first (or finds the state, once settled), states already there
    // are found, and once settled every state is found again with the id of its place in order.
    #[test]
    fn claims_from_the_pool() {
        let mut store = StateStore::new(3);
        for i in 0..10 {
            add(&mut store, i);
        }
        let states: Vec<[i64; 3]> = (0..60_000).map(state).collect();
        let bits = store.index.bits;
        store.reserve_on_pool(states.len());
        assert!(store.index.bits > bits + 4);
        let claims = store.claims();
        let n = states.len();
        let claimed = |m: u32| &states[m as usize % n][..];
        // Every state twice, with two marks, in two orders, on the pool.
        let twice: Vec<usize> = (0..n).chain((n..2 * n).rev()).collect();
        let answers: Vec<(usize, Claim)> = twice
            .par_iter()
            .map(|&m| (m % n, claims.claim(&states[m % n], hash_words(&states[m % n]), m as u32, claimed)))
            .collect();
        let mut slot_of = vec![None; n];
        for &(k, claim) in &answers {
            match claim {
                Claim::Found(id) => assert!(k < 10 && id == k as u32, "{k}: {claim:?}"),
                Claim::Claimed { mark, slot } => {
                    assert!(k >= 10, "{k}");
                    assert_eq!(mark as usize % n, k, "a claim names its own state's words");
                    assert!(slot_of[k].is_none_or(|first| first == (mark, slot)), "one claim per state");
                    slot_of[k] = Some((mark, slot));
                }
            }
        }
        let slot_of: Vec<Option<u32>> = slot_of.into_iter().map(|c| c.map(|(_, slot)| slot)).collect();
        let new: Vec<usize> = (10..states.len()).collect();
        store.settle(new.len(), |i| (&states[new[i]][..], hash_words(&states[new[i]]), slot_of[new[i]].unwrap()));
        for (i, s) in states.iter().enumerate() {
            assert_eq!(store.read().find(s, hash_words(s)), Probe::Found(i as u32), "{i}");
            assert_eq!(store.get(i), &s[..]);
        }
        let absent = state(60_000);
        assert!(matches!(store.read().find(&absent, hash_words(&absent)), Probe::Stopped { .. }));
        assert_eq!(store.split(1, false, |_, write| write.insert(&absent, hash_words(&absent), None)), 60_000);
    }
}
