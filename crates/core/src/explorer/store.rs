//! The discovered state graph and the store of states behind it: every state once, row after row
//! in one vector, found again by an open-addressing hash index.

/// The discovered state graph: states by id, and each state's successors (one per enabled thread).
#[derive(Debug)]
pub(super) struct Graph {
    pub(super) store: StateStore,
    pub(super) edge_start: Vec<usize>,
    pub(super) edges: Vec<u32>,
}

impl Graph {
    pub(super) fn new(width: usize) -> Self {
        Graph { store: StateStore::new(width), edge_start: vec![0], edges: Vec::new() }
    }

    pub(super) fn successors(&self, id: usize) -> &[u32] {
        &self.edges[self.edge_start[id]..self.edge_start[id + 1]]
    }
}

const EMPTY: u32 = u32::MAX;

/// All discovered states, stored row after row in one vector, with an open-addressing index.
#[derive(Debug)]
pub(super) struct StateStore {
    width: usize,
    data: Vec<i64>,
    table: Vec<u32>,
    shift: u32,
    len: usize,
}

/// An Fx-style hash of a state's words (fast; the table spreads it with a multiply).
pub(super) fn hash_words(words: &[i64]) -> u64 {
    words.iter().fold(0u64, |h, &w| (h.rotate_left(5) ^ w as u64).wrapping_mul(0x517c_c1b7_2722_0a95))
}

impl StateStore {
    pub(super) fn new(width: usize) -> Self {
        StateStore { width, data: Vec::new(), table: vec![EMPTY; 1 << 10], shift: 64 - 10, len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, id: usize) -> &[i64] {
        &self.data[id * self.width..(id + 1) * self.width]
    }

    fn slot(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// The id of `words`, added as a new state if it is not known yet.
    pub(super) fn insert(&mut self, words: &[i64], hash: u64) -> u32 {
        if (self.len + 1) * 2 > self.table.len() {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut i = self.slot(hash);
        loop {
            let id = self.table[i];
            if id == EMPTY {
                self.table[i] = self.len as u32;
                self.data.extend_from_slice(words);
                self.len += 1;
                return self.len as u32 - 1;
            }
            if self.get(id as usize) == words {
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = self.table.len() * 2;
        self.table = vec![EMPTY; size];
        self.shift -= 1;
        let mask = size - 1;
        for id in 0..self.len {
            let mut i = self.slot(hash_words(self.get(id)));
            while self.table[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.table[i] = id as u32;
        }
    }
}
