//! Growing lists of fixed-width rows in chunks that never move: the explorer's states and
//! successor lists. Rows are pushed on one thread, or written by the pool's workers at once.
//!
//! Implementation note: a vector that doubles would copy all it holds at each growth, and for a
//! moment need half as much again: in the browser that copy of hundreds of megabytes runs under
//! the allocator's one lock, which the page's thread spins on (it may not wait). With chunks no
//! allocation is large, nothing is copied, and memory grows as rows do. A chunk is filled as rows
//! come. What the chunks cost is a function of the rows alone ([`Chunks::bytes_for`]), however
//! they came.

use std::mem::size_of;

use rayon::prelude::*;

/// Bytes of the first chunk of a list.
const FIRST_CHUNK_BYTES: usize = 64 << 10;
/// Rows one task of the pool writes in [`Chunks::extend_par`].
const ROWS_PER_TASK: usize = 1024;
/// Most bytes of one chunk.
const MOST_CHUNK_BYTES: usize = 16 << 20;

/// Where the rows of a list go: chunk `k` holds `1 << min(first + k, most)` rows of `width`
/// items. The first holds about [`FIRST_CHUNK_BYTES`], each next one twice as many rows, up to
/// about [`MOST_CHUNK_BYTES`] (and at least one row, or the `longest` run of rows pushed at
/// once). A small list stays small, and a large one makes few allocations.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    width: usize,
    first: u32,
    most: u32,
}

impl Geometry {
    fn new<T>(width: usize, longest: usize) -> Self {
        let row_bytes = (width * size_of::<T>()).max(1);
        let rows = |bytes: usize| (bytes / row_bytes).max(longest).max(1).next_power_of_two().trailing_zeros();
        let first = rows(FIRST_CHUNK_BYTES);
        Geometry { width, first, most: rows(MOST_CHUNK_BYTES).max(first) }
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

    /// Rows of chunk `k`.
    fn rows(&self, k: usize) -> usize {
        self.start(k + 1) - self.start(k)
    }

    /// The chunk of row `at`, and its row in that chunk.
    fn locate(&self, at: usize) -> (usize, usize) {
        let (k, d) = (((at >> self.first) + 1).ilog2() as usize, self.doubling());
        let k = if k < d { k } else { d + ((at - self.start(d)) >> self.most) };
        (k, at - self.start(k))
    }

    /// Where a run of `rows` rows goes when the list has `used` rows: its chunk, and its first
    /// row (the next one, unless the run does not fit in what is left of that row's chunk).
    fn place(&self, used: usize, rows: usize) -> (usize, usize) {
        let (k, offset) = self.locate(used);
        if offset + rows > self.rows(k) {
            (k + 1, self.start(k + 1))
        } else {
            (k, used)
        }
    }

    /// Chunks holding `used` rows.
    fn chunks_for(&self, used: usize) -> usize {
        if used == 0 {
            0
        } else {
            self.locate(used - 1).0 + 1
        }
    }

    /// Bytes of the chunks of a list of `used` rows of `T`, and of the next one (a push may make
    /// it), with the list of them.
    fn bytes<T>(&self, used: usize) -> usize {
        let chunks = self.chunks_for(used);
        self.start(chunks + 1) * self.width * size_of::<T>() + (chunks + 1) * size_of::<Vec<T>>()
    }

    /// An empty chunk `k` (its room is taken now; the system gives memory as it is written).
    fn chunk<T>(&self, k: usize) -> Vec<T> {
        Vec::with_capacity(self.rows(k) * self.width)
    }
}


/// A growing list of rows in chunks that never move (see the module's note).
#[derive(Debug)]
pub(super) struct Chunks<T> {
    geometry: Geometry,
    /// Each chunk holds its rows.
    chunks: Vec<Vec<T>>,
    /// Rows used, with the room left at the end of chunks that a run did not fit in.
    rows: usize,
}

impl<T: Copy + Default> Chunks<T> {
    /// A list of rows of `width` items, pushed `longest` rows at a time at most.
    pub(super) fn new(width: usize, longest: usize) -> Self {
        Chunks { geometry: Geometry::new::<T>(width, longest), chunks: Vec::new(), rows: 0 }
    }

    /// Appends `items`, whole rows that fit in one chunk, within one chunk; the first row's place.
    pub(super) fn push(&mut self, items: &[T]) -> usize {
        let g = self.geometry;
        let rows = items.len() / g.width.max(1);
        if rows == 0 {
            return self.rows;
        }
        let (k, at) = g.place(self.rows, rows);
        if self.chunks.len() == k {
            self.chunks.reserve_exact(1);
            self.chunks.push(g.chunk(k));
        }
        debug_assert_eq!(self.chunks[k].len(), (at - g.start(k)) * g.width, "a chunk is written in order");
        self.chunks[k].extend_from_slice(items);
        self.rows = at + rows;
        at
    }

    /// Appends `rows` rows, placed as that many pushes of one row each would place them, written
    /// by the pool's workers: `fill(i, row)` writes the `i`th of them into its (zeroed) room.
    pub(super) fn extend_par(&mut self, rows: usize, fill: impl Fn(usize, &mut [T]) + Sync)
    where
        T: Send + Sync,
    {
        let g = self.geometry;
        let width = g.width.max(1);
        let mut done = 0;
        while done < rows {
            let (k, at) = g.place(self.rows, 1);
            if self.chunks.len() == k {
                self.chunks.reserve_exact(1);
                self.chunks.push(g.chunk(k));
            }
            let take = (g.start(k + 1) - at).min(rows - done);
            let (from, to) = ((at - g.start(k)) * width, (at - g.start(k) + take) * width);
            let chunk = &mut self.chunks[k];
            if chunk.len() < to {
                // Fresh memory costs the system's work as it is first written: shared here.
                chunk.par_extend(rayon::iter::repeat_n(T::default(), to - chunk.len()));
            }
            let fill = &fill;
            chunk[from..to].par_chunks_mut(width).with_min_len(ROWS_PER_TASK).enumerate().for_each(|(i, row)| fill(done + i, row));
            self.rows = at + take;
            done += take;
        }
    }

    /// `rows` rows from row `at`, all in one chunk (as [`Chunks::push`] placed them).
    pub(super) fn get(&self, at: usize, rows: usize) -> &[T] {
        self.read().get(at, rows)
    }

    /// Bytes of the chunks made so far, and of the next one (a push may make it).
    pub(super) fn bytes(&self) -> usize {
        self.bytes_for(self.rows)
    }

    /// [`Chunks::bytes`] when the list has `used` rows.
    pub(super) fn bytes_for(&self, used: usize) -> usize {
        self.geometry.bytes::<T>(used)
    }

    /// The rows, to read from any thread.
    pub(super) fn read(&self) -> ChunksRead<'_, T> {
        ChunksRead { geometry: self.geometry, chunks: &self.chunks }
    }
}

/// A list's rows, to read from any thread while it does not change.
#[derive(Debug, Clone, Copy)]
pub(super) struct ChunksRead<'a, T> {
    geometry: Geometry,
    chunks: &'a [Vec<T>],
}

impl<'a, T> ChunksRead<'a, T> {
    /// `rows` rows from row `at`, rows the list has, all in one chunk.
    pub(super) fn get(&self, at: usize, rows: usize) -> &'a [T] {
        if rows == 0 {
            return &[];
        }
        let g = self.geometry;
        let (k, offset) = g.locate(at);
        &self.chunks[k][offset * g.width..(offset + rows) * g.width]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize, width: usize) -> Vec<i64> {
        (0..width).map(|w| (i * 31 + w) as i64).collect()
    }

    // Rows written by the pool's workers land where pushes one at a time would put them, across
    // chunks, and read back the same.
    #[test]
    fn rows_extended_on_the_pool() {
        let width = 3;
        let (mut one, mut pool) = (Chunks::<i64>::new(width, 1), Chunks::<i64>::new(width, 1));
        let mut i = 0;
        for n in [1, 2000, 5, 9000, 1, 13_000] {
            let first = i;
            for _ in 0..n {
                one.push(&row(i, width));
                i += 1;
            }
            pool.extend_par(n, |k, room| room.copy_from_slice(&row(first + k, width)));
            assert_eq!(pool.bytes(), one.bytes());
        }
        assert!(one.chunks.len() > 2, "the rows span chunks");
        for j in 0..i {
            assert_eq!(pool.get(j, 1), &row(j, width)[..], "{j}");
        }
        assert_eq!(pool.push(&row(7, width)), one.push(&row(7, width)));
    }

    // Runs of rows never straddle two chunks: a run that does not fit starts the next chunk.
    #[test]
    fn runs_stay_in_one_chunk() {
        let mut lists = Chunks::<u32>::new(1, 4);
        let rows = lists.geometry.rows(0);
        let mut at = 0;
        while at + 3 <= rows {
            at = lists.push(&[1, 2, 3]) + 3;
        }
        let next = lists.push(&[4, 5, 6]);
        assert_eq!(next, rows, "a run that does not fit starts the next chunk");
        assert_eq!(lists.get(next, 3), &[4, 5, 6]);
        assert_eq!(lists.push(&[]), next + 3);
    }
}
