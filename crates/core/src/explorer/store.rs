//! The discovered state graph and the store of states behind it: every state once, found again by
//! an open-addressing hash index, and every state's successors; with what all of it costs in bytes.
//!
//! Implementation note: states and successor lists live in chunks that never move once made (see
//! `chunks`), so no allocation is large, nothing is copied, and [`Graph::bytes`] is close to the
//! truth: the explorer's memory budget holds. The index keeps 32 bits of each state's hash beside
//! its id: a probe seldom reads a state that is not the one, and growing the index never rehashes
//! a state. What the store costs is a function of its number of states alone
//! ([`StateStore::bytes_for`]): the index counts as the size it has when it grows only for want of
//! room, however early it was grown (ahead of a batch of claims), so the sequential and the
//! parallel discovery pass the memory budget at the same state.
//!
//! For the parallel discovery, the index's slots are atomic words, and states can be claimed from
//! any thread at once ([`Claims`]): a state not found is claimed in the empty slot its probe ends
//! at, which then holds a mark instead of an id; a probe for the same state meets the claim and
//! compares with the words the mark names. Claims are settled into states, with ids in the order
//! the caller chose, before the store is used otherwise ([`StateStore::settle`]). The index does
//! not grow while there are claims: room is made before, for as many states as they may add.
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

use super::chunks::{Chunks, ChunksRead};

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

    /// Probes for `words`, of tag `tag` (with no claims in the index): `Ok` with its id, or `Err`
    /// with the empty slot the probe ends at.
    #[inline]
    fn probe<'r>(&self, words: &[i64], tag: u64, get: impl Fn(usize) -> &'r [i64]) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(tag);
        loop {
            let slot = self.slots[i].load(Relaxed);
            if slot == EMPTY {
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

    /// Brings into the cache the state that the first slot for `hash` names, if that slot has
    /// the hash's tag and an id below `len` (not a claim); `get` reads a state.
    #[inline]
    fn prefetch_state<'r>(&self, hash: u64, len: usize, get: impl Fn(usize) -> &'r [i64], sink: &mut u64) {
        let tag = Self::tag(hash);
        let slot = self.slots[self.home(tag)].load(Relaxed);
        if slot != EMPTY && slot >> 32 == tag && ((slot as u32 - 1) as usize) < len {
            let row = get((slot as u32 - 1) as usize);
            prefetch(&row[0], sink);
            prefetch(&row[row.len() - 1], sink);
        }
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
        let slot = match index.probe(words, tag, |id| rows.get(id, 1)) {
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

    /// The states, to read (and to ask for ahead) from any thread.
    pub(super) fn read(&self) -> StoreRead<'_> {
        StoreRead { rows: self.rows.read(), index: &self.index, len: self.len }
    }

}

/// A store's states, to read from any thread while it does not change.
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

    /// Brings into the cache the first slot a probe for `hash` reads (`sink` as for [`prefetch`]).
    #[inline]
    pub(super) fn prefetch_slot(&self, hash: u64, sink: &mut u64) {
        self.index.prefetch_slot(hash, sink);
    }

    /// Brings into the cache the state that the first slot for `hash` names, if that slot has the
    /// hash's tag; best once [`StoreRead::prefetch_slot`] has brought the slot.
    #[inline]
    pub(super) fn prefetch_state(&self, hash: u64, sink: &mut u64) {
        self.index.prefetch_state(hash, self.len, |id| self.get(id), sink);
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

    /// The id of `s` in `store`, if it is there.
    fn find(store: &StateStore, s: &[i64]) -> Option<u32> {
        store.index.probe(s, Index::tag(hash_words(s)), |id| store.get(id)).ok()
    }

    /// Claims `batch` in `store` and settles the claims, as the parallel discovery does; every
    /// state of `batch` must be new, and each one once.
    fn claim_and_settle(store: &mut StateStore, batch: &[[i64; 3]]) {
        store.reserve_on_pool(batch.len());
        let claims = store.claims();
        let slots: Vec<u32> = batch
            .iter()
            .enumerate()
            .map(|(k, s)| match claims.claim(s, hash_words(s), k as u32, |m| &batch[m as usize][..]) {
                Claim::Claimed { mark, slot } if mark == k as u32 => slot,
                claim => panic!("{claim:?}"),
            })
            .collect();
        store.settle(batch.len(), |k| (&batch[k][..], hash_words(&batch[k]), slots[k]));
    }

    // What a store counts in bytes depends on its states alone, whether its index was grown as
    // states came, or on the pool ahead of states claimed and settled.
    #[test]
    fn bytes_follow_the_states() {
        let (mut one, mut claimed) = (StateStore::new(3), StateStore::new(3));
        let mut i = 0;
        while i < 20_000 {
            let more = 1 + i as usize % 3000;
            let batch: Vec<[i64; 3]> = (i..i + more as i64).map(state).collect();
            claim_and_settle(&mut claimed, &batch);
            for j in i..i + more as i64 {
                add(&mut one, j);
            }
            i += more as i64;
            assert_eq!(claimed.bytes(), one.bytes());
            assert_eq!(claimed.index.bits, one.index.bits);
        }
        assert_eq!(one.bytes(), one.bytes_for(one.len()));
        for j in 0..i {
            assert_eq!(find(&one, &state(j)), Some(j as u32));
            assert_eq!(find(&claimed, &state(j)), Some(j as u32));
        }
    }

    // Claims made from several threads at once, twice for each state: each state is claimed once,
    // its second claim meets the first, states already there are found, and once settled every
    // state is found again with the id of its place in order.
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
        let mut claim_of = vec![None; n];
        for &(k, claim) in &answers {
            match claim {
                Claim::Found(id) => assert!(k < 10 && id == k as u32, "{k}: {claim:?}"),
                Claim::Claimed { mark, slot } => {
                    assert!(k >= 10, "{k}");
                    assert_eq!(mark as usize % n, k, "a claim names its own state's words");
                    assert!(claim_of[k].is_none_or(|first| first == (mark, slot)), "one claim per state");
                    claim_of[k] = Some((mark, slot));
                }
            }
        }
        let slot = |k: usize| claim_of[k].expect("claimed").1;
        store.settle(n - 10, |i| (&states[10 + i][..], hash_words(&states[10 + i]), slot(10 + i)));
        for (i, s) in states.iter().enumerate() {
            assert_eq!(find(&store, s), Some(i as u32), "{i}");
            assert_eq!(store.get(i), &s[..]);
        }
        let absent = state(60_000);
        assert_eq!(find(&store, &absent), None);
        assert_eq!(store.insert(&absent, hash_words(&absent)), 60_000);
        assert_eq!(find(&store, &absent), Some(60_000));
    }
}
