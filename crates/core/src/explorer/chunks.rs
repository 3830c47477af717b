//! Growing lists of fixed-width rows in chunks that never move: the explorer's states and
//! successor lists. A list can also be split for a while into the rows it has (to read, from any
//! thread) and the room after them (to fill, on one thread).
//!
//! Implementation note: a vector that doubles would copy all it holds at each growth, and for a
//! moment need half as much again: in the browser that copy of hundreds of megabytes runs under
//! the allocator's one lock, which the page's thread spins on (it may not wait). With chunks no
//! allocation is large, nothing is copied, and memory grows as rows do. A chunk is filled as rows
//! come; a split first writes zeros into the room it gives the writer in the last chunk (as many
//! rows as it may push), so that the rows to read and that room are two separate slices of it.
//! What the chunks cost is a function of the rows alone ([`Chunks::bytes_for`]), however they came.

use std::mem::size_of;

use rayon::prelude::*;

/// Bytes of the first chunk of a list.
const FIRST_CHUNK_BYTES: usize = 64 << 10;
/// Bytes of zeros a split on the pool writes ahead at least, when it writes any.
const ROOM_STRIDE_BYTES: usize = 1 << 20;
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

/// Writes `items` into `chunk` from item `at` on: over the items it has, then after them.
fn write<T: Copy>(chunk: &mut Vec<T>, at: usize, items: &[T]) {
    let over = chunk.len().saturating_sub(at).min(items.len());
    chunk[at..at + over].copy_from_slice(&items[..over]);
    debug_assert!(over == items.len() || at + over == chunk.len(), "a chunk is written in order");
    chunk.extend_from_slice(&items[over..]);
}

/// A growing list of rows in chunks that never move (see the module's note).
#[derive(Debug)]
pub(super) struct Chunks<T> {
    geometry: Geometry,
    /// Each chunk holds its rows (and, in the last, zeros a split wrote ahead).
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
        write(&mut self.chunks[k], (at - g.start(k)) * g.width, items);
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

    /// The rows, to read (as from a split).
    pub(super) fn read(&self) -> ChunksRead<'_, T> {
        let g = self.geometry;
        match self.chunks.split_last() {
            Some((last, chunks)) => {
                let sealed = (self.rows - g.start(self.chunks.len() - 1)) * g.width;
                ChunksRead { geometry: g, chunks, last: &last[..sealed], rows: self.rows }
            }
            None => ChunksRead { geometry: g, chunks: &[], last: &[], rows: 0 },
        }
    }

    /// The rows so far, to read (from any thread), and room for `room` rows after them, to push
    /// into; [`Chunks::absorb`] takes back what [`ChunksOpen::into_fresh`] gives once done. The
    /// zeros the room needs are written by the pool's workers with `on_pool`.
    pub(super) fn split(&mut self, room: usize, on_pool: bool) -> (ChunksRead<'_, T>, ChunksOpen<'_, T>)
    where
        T: Send + Sync,
    {
        let (g, rows, made) = (self.geometry, self.rows, self.chunks.len());
        let (read, tail) = match self.chunks.split_last_mut() {
            Some((last, chunks)) => {
                let sealed = (rows - g.start(made - 1)) * g.width;
                let mut ahead = (sealed + room * g.width).min(g.rows(made - 1) * g.width);
                if last.len() < ahead && on_pool {
                    // In long strides, so that the pool is called on seldom.
                    ahead = ahead.max(last.len() + ROOM_STRIDE_BYTES / size_of::<T>()).min(g.rows(made - 1) * g.width);
                    // Fresh memory costs the system's work as it is first written: shared here.
                    last.par_extend(rayon::iter::repeat_n(T::default(), ahead - last.len()));
                } else if last.len() < ahead {
                    last.resize(ahead, T::default());
                }
                let (sealed, tail) = last.split_at_mut(sealed);
                (ChunksRead { geometry: g, chunks, last: sealed, rows }, tail)
            }
            None => (ChunksRead { geometry: g, chunks: &[], last: &[], rows: 0 }, &mut [][..]),
        };
        let open = ChunksOpen { read, made, tail, fresh: Vec::new(), rows };
        (read, open)
    }

    /// Takes back the chunks and rows pushed into a split's open part.
    pub(super) fn absorb(&mut self, (fresh, rows): (Vec<Vec<T>>, usize)) {
        self.chunks.reserve_exact(fresh.len());
        self.chunks.extend(fresh);
        self.rows = rows;
    }
}

/// The rows a list had when it was split: they do not change until the split ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct ChunksRead<'a, T> {
    geometry: Geometry,
    /// Every chunk but the last.
    chunks: &'a [Vec<T>],
    /// The last chunk's rows.
    last: &'a [T],
    rows: usize,
}

impl<'a, T> ChunksRead<'a, T> {
    /// `rows` rows from row `at` (below [`ChunksRead::len`]), all in one chunk.
    pub(super) fn get(&self, at: usize, rows: usize) -> &'a [T] {
        if rows == 0 {
            return &[];
        }
        let g = self.geometry;
        let (k, offset) = g.locate(at);
        let chunk = if k < self.chunks.len() { &self.chunks[k][..] } else { self.last };
        &chunk[offset * g.width..(offset + rows) * g.width]
    }
}

/// The room after the rows of a split list, pushed into on one thread.
#[derive(Debug)]
pub(super) struct ChunksOpen<'a, T> {
    read: ChunksRead<'a, T>,
    /// Chunks made before the split.
    made: usize,
    /// The room made in the last of them.
    tail: &'a mut [T],
    /// Chunks made since.
    fresh: Vec<Vec<T>>,
    rows: usize,
}

impl<T: Copy + Default> ChunksOpen<'_, T> {
    /// Appends `items`, as [`Chunks::push`]; the first row's place.
    pub(super) fn push(&mut self, items: &[T]) -> usize {
        let g = self.read.geometry;
        let rows = items.len() / g.width.max(1);
        if rows == 0 {
            return self.rows;
        }
        let (k, at) = g.place(self.rows, rows);
        self.write(k, at, items);
        self.rows = at + rows;
        at
    }

    /// Writes `items` into chunk `k` from row `at` on, making the chunk if it is new.
    fn write(&mut self, k: usize, at: usize, items: &[T]) {
        let g = self.read.geometry;
        if k + 1 == self.made {
            let from = (at - self.read.rows) * g.width;
            let room = self.tail.get_mut(from..from + items.len());
            room.expect("a split is given room for what it pushes").copy_from_slice(items);
        } else {
            let fresh = k - self.made;
            if self.fresh.len() == fresh {
                self.fresh.push(g.chunk(k));
            }
            write(&mut self.fresh[fresh], (at - g.start(k)) * g.width, items);
        }
    }

    /// `rows` rows from row `at`, sealed or pushed since, all in one chunk.
    pub(super) fn get(&self, at: usize, rows: usize) -> &[T] {
        if at < self.read.rows {
            return self.read.get(at, rows);
        }
        let g = self.read.geometry;
        let (k, offset) = g.locate(at);
        let (chunk, offset) = if k + 1 == self.made {
            (&self.tail[..], offset - (self.read.rows - g.start(k)))
        } else {
            (&self.fresh[k - self.made][..], offset)
        };
        &chunk[offset * g.width..(offset + rows) * g.width]
    }

    /// [`Chunks::bytes_for`].
    pub(super) fn bytes_for(&self, used: usize) -> usize {
        self.read.geometry.bytes::<T>(used)
    }

    /// What [`Chunks::absorb`] takes back.
    pub(super) fn into_fresh(self) -> (Vec<Vec<T>>, usize) {
        (self.fresh, self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize, width: usize) -> Vec<i64> {
        (0..width).map(|w| (i * 31 + w) as i64).collect()
    }

    // Rows pushed whole, or through splits that cross chunk boundaries, read back the same, in
    // the same places, at the same cost in bytes.
    #[test]
    fn splits_keep_rows_and_places() {
        let width = 3;
        let (mut whole, mut split) = (Chunks::<i64>::new(width, 1), Chunks::<i64>::new(width, 1));
        let mut places = Vec::new();
        for i in 0..12_000 {
            places.push(whole.push(&row(i, width)));
        }
        let mut i = 0;
        for (n, on_pool) in [(1, false), (7, true), (700, false), (3000, true), (1292, true), (4096, true), (2904, false)] {
            let (read, mut open) = split.split(n, on_pool);
            for j in 0..i {
                assert_eq!(read.get(j, 1), &row(j, width)[..]);
            }
            for _ in 0..n {
                assert_eq!(open.push(&row(i, width)), places[i]);
                assert_eq!(open.get(i, 1), &row(i, width)[..]);
                i += 1;
            }
            let fresh = open.into_fresh();
            split.absorb(fresh);
            assert_eq!(split.bytes(), split.bytes_for(i));
        }
        assert_eq!(i, 12_000);
        assert_eq!(whole.chunks.len(), 2, "the rows span chunks");
        for j in 0..12_000 {
            assert_eq!(split.get(j, 1), whole.get(j, 1));
        }
        assert_eq!(split.bytes(), whole.bytes());
        // Pushing on after a split writes over the zeros it made ahead.
        let (a, b) = (whole.push(&row(1, width)), split.push(&row(1, width)));
        assert_eq!((a, split.get(b, 1)), (b, &row(1, width)[..]));
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
