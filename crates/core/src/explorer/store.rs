//! The discovered state graph and the store of states behind it: every state once, found again by
//! an open-addressing hash index, and every state's successors; with what all of it costs in bytes.
//!
//! Implementation note: states and successor lists live in chunks ([`Chunks`]) that never move
//! once made. A vector that doubles would copy all it holds at each growth, and for a moment need
//! half as much again: in the browser that copy of hundreds of megabytes runs under the
//! allocator's one lock, which the page's thread spins on (it may not wait). With chunks no
//! allocation is large, nothing is copied, memory grows as states do, and [`Graph::bytes`] is close
//! to the truth, so the explorer's memory budget holds. The index keeps 32 bits of each state's hash beside its id:
//! a probe seldom reads a state that is not the one, and growing the index never rehashes a state.
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

/// The discovered state graph: states by id, each state's successors (one per enabled thread),
/// the final states (those without successors), and while the graph is graded (see the module's
/// note), each state's count of paths.
#[derive(Debug)]
pub(super) struct Graph {
    pub(super) store: StateStore,
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

impl Graph {
    /// A graph of states of `width` words, with at most `threads` successors each, holding the
    /// state `initial` only.
    pub(super) fn new(width: usize, threads: usize, initial: &[i64]) -> Self {
        let mut store = StateStore::new(width);
        store.insert(initial, hash_words(initial));
        let successors = Successors::new(threads);
        Graph { store, successors, finals: Vec::new(), graded: true, below: 1, found: 1, paths: vec![1] }
    }

    /// A graph holding nothing, for a finished exploration.
    pub(super) fn empty() -> Self {
        let (store, successors) = (StateStore::new(0), Successors::new(0));
        Graph { store, successors, finals: Vec::new(), graded: false, below: 0, found: 0, paths: Vec::new() }
    }

    /// The successors of state `id` (which must be expanded).
    pub(super) fn successors(&self, id: usize) -> &[u32] {
        self.successors.of(id)
    }

    /// Records the successors of the next state to expand (states are expanded in id order).
    pub(super) fn expanded(&mut self, successors: &[u32]) {
        let u = self.successors.len();
        if successors.is_empty() {
            self.finals.push(u as u32);
        }
        if self.graded {
            self.grade(u, successors);
        }
        self.successors.push(successors);
        self.found = self.store.len();
    }

    /// Checks that the successors of `u` are one level below it, and adds its paths to theirs,
    /// while the graph is graded.
    fn grade(&mut self, u: usize, successors: &[u32]) {
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
        self.paths.resize(self.store.len(), 0);
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
    pub(super) fn expanded_len(&self) -> usize {
        self.successors.len()
    }

    /// Bytes the graph holds, counting the growth of the index and the chunks that may come next.
    pub(super) fn bytes(&self) -> usize {
        let lists = self.finals.capacity() * size_of::<u32>() + self.paths.capacity() * size_of::<u128>();
        self.store.bytes() + self.successors.bytes() + lists
    }
}

/// Bytes of the first chunk of a list.
const FIRST_CHUNK_BYTES: usize = 64 << 10;
/// Most bytes of one chunk.
const MOST_CHUNK_BYTES: usize = 16 << 20;

/// A growing list of rows of `width` items, in chunks that never move: the first holds about
/// [`FIRST_CHUNK_BYTES`], each next one twice as many rows, up to about [`MOST_CHUNK_BYTES`] (and
/// at least one row, or the `longest` run of rows pushed at once). A small graph stays small, and
/// a large one makes few allocations.
#[derive(Debug)]
struct Chunks<T> {
    width: usize,
    /// Chunk `k` holds `1 << min(first + k, most)` rows.
    first: u32,
    most: u32,
    chunks: Vec<Vec<T>>,
    /// Rows used, with the room left at the end of chunks that a run did not fit in.
    rows: usize,
}

impl<T: Copy> Chunks<T> {
    fn new(width: usize, longest: usize) -> Self {
        let row_bytes = (width * size_of::<T>()).max(1);
        let rows = |bytes: usize| (bytes / row_bytes).max(longest).max(1).next_power_of_two().trailing_zeros();
        let first = rows(FIRST_CHUNK_BYTES);
        Chunks { width, first, most: rows(MOST_CHUNK_BYTES).max(first), chunks: Vec::new(), rows: 0 }
    }

    /// The chunks that double in size; the ones after them all hold `1 << most` rows.
    fn doubling(&self) -> usize {
        (self.most - self.first) as usize
    }

    /// The first row of chunk `k`.
    fn start(&self, k: usize) -> usize {
        let d = self.doubling();
        (((1 << k.min(d)) - 1) << self.first) + (k.saturating_sub(d) << self.most)
    }

    /// The chunk of row `at`, and its row in that chunk.
    fn locate(&self, at: usize) -> (usize, usize) {
        let (k, d) = (((at >> self.first) + 1).ilog2() as usize, self.doubling());
        let k = if k < d { k } else { d + ((at - self.start(d)) >> self.most) };
        (k, at - self.start(k))
    }

    /// Appends `items`, whole rows that fit in one chunk, within one chunk; the first row's place.
    fn push(&mut self, items: &[T]) -> usize {
        let rows = items.len() / self.width.max(1);
        let (mut k, offset) = self.locate(self.rows);
        if offset + rows > self.start(k + 1) - self.start(k) {
            k += 1;
            self.rows = self.start(k);
        }
        if self.chunks.len() == k && rows > 0 {
            let rows = self.start(k + 1) - self.start(k);
            self.chunks.push(Vec::with_capacity(rows * self.width));
        }
        let at = self.rows;
        if rows > 0 {
            self.chunks[k].extend_from_slice(items);
            self.rows += rows;
        }
        at
    }

    /// `rows` rows from row `at`, all in one chunk (as [`Chunks::push`] placed them).
    fn get(&self, at: usize, rows: usize) -> &[T] {
        if rows == 0 {
            return &[];
        }
        let (k, offset) = self.locate(at);
        &self.chunks[k][offset * self.width..(offset + rows) * self.width]
    }

    /// Bytes of the chunks made so far, and of the next one (a push may make it).
    fn bytes(&self) -> usize {
        self.start(self.chunks.len() + 1) * self.width * size_of::<T>() + self.chunks.capacity() * size_of::<Vec<T>>()
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

/// An empty slot of the index (zero, so a new index is memory the system gives zeroed).
const EMPTY: u64 = 0;

/// All discovered states, row after row in chunks, with an open-addressing index whose slots hold
/// 32 bits of the state's hash (high half) and its id plus one (low half).
#[derive(Debug)]
pub(super) struct StateStore {
    rows: Chunks<i64>,
    table: Vec<u64>,
    /// Index bits: the table has `1 << bits` slots (at most 2^32, far beyond the memory budget).
    bits: u32,
    len: usize,
}

/// An Fx-style hash of a state's words (fast; the table spreads it with a multiply).
pub(super) fn hash_words(words: &[i64]) -> u64 {
    words.iter().fold(0u64, |h, &w| (h.rotate_left(5) ^ w as u64).wrapping_mul(0x517c_c1b7_2722_0a95))
}

impl StateStore {
    pub(super) fn new(width: usize) -> Self {
        StateStore { rows: Chunks::new(width, 1), table: vec![EMPTY; 1 << 10], bits: 10, len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, id: usize) -> &[i64] {
        self.rows.get(id, 1)
    }

    /// Bytes of the states and the index, counting the next growth of the index (when it grows,
    /// the old table and the new one, twice its size, are both held for a moment).
    pub(super) fn bytes(&self) -> usize {
        self.rows.bytes() + self.table.len() * 3 * size_of::<u64>()
    }

    /// 32 bits of `hash`, spread: the slot is their top `bits`.
    fn tag(hash: u64) -> u64 {
        hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32
    }

    /// The id of `words`, added as a new state if it is not known yet.
    pub(super) fn insert(&mut self, words: &[i64], hash: u64) -> u32 {
        if (self.len + 1) * 2 > self.table.len() {
            self.grow();
        }
        let tag = Self::tag(hash);
        let mask = self.table.len() - 1;
        let mut i = (tag >> (32 - self.bits)) as usize;
        loop {
            let slot = self.table[i];
            if slot == EMPTY {
                let id = self.len as u32;
                self.table[i] = tag << 32 | (id as u64 + 1);
                self.rows.push(words);
                self.len += 1;
                return id;
            }
            let id = slot as u32 - 1;
            if slot >> 32 == tag && self.get(id as usize) == words {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        self.bits += 1;
        let old = std::mem::replace(&mut self.table, vec![EMPTY; 1 << self.bits]);
        let mask = self.table.len() - 1;
        for slot in old.into_iter().filter(|&s| s != EMPTY) {
            let mut i = ((slot >> 32) >> (32 - self.bits)) as usize;
            while self.table[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.table[i] = slot;
        }
    }
}
