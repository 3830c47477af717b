//! The Mandelbrot image published row by row while threads compute it, for a page to draw.
//!
//! Implementation note: the rows are computed on workers and drawn by the page, which may never
//! wait for a lock. So each finished row is stored into atomics ([`LiveRows`]): the pixels first,
//! then a per-row "done" flag with `Release`; the reader loads the flag with `Acquire` and only
//! then the pixels. Nobody blocks, and a row is read only once it is complete.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;

use crate::run::jobs::Job;
use crate::run::kernels::{colour, Kernel, KernelSize, Mandelbrot, MandelbrotImage, MandelbrotRows};

/// Iteration counts of an image, filled in row by row from any thread.
#[derive(Debug)]
pub struct LiveRows {
    width: u32,
    height: u32,
    max_iter: u16,
    pixels: Vec<AtomicU16>,
    done: Vec<AtomicBool>,
}

impl LiveRows {
    /// An empty buffer with the shape of `image`.
    pub fn new(image: &Mandelbrot) -> Arc<Self> {
        let (w, h) = (image.width as usize, image.height as usize);
        Arc::new(Self {
            width: image.width,
            height: image.height,
            max_iter: image.max_iter,
            pixels: (0..w * h).map(|_| AtomicU16::new(0)).collect(),
            done: (0..h).map(|_| AtomicBool::new(false)).collect(),
        })
    }
    /// The buffer a run of `kernel` at `size` draws into: `kept` if it has the right shape, else a
    /// new one; `None` for the kernels that draw nothing.
    pub fn for_run(kept: Option<Arc<LiveRows>>, kernel: Kernel, size: KernelSize) -> Option<Arc<LiveRows>> {
        (kernel == Kernel::Mandelbrot).then(|| {
            let image = kernel.mandelbrot(size);
            match kept {
                Some(rows) if rows.fits(&image) => rows,
                _ => LiveRows::new(&image),
            }
        })
    }
    /// Whether this buffer has the shape of `image`.
    pub fn fits(&self, image: &Mandelbrot) -> bool {
        (self.width, self.height, self.max_iter) == (image.width, image.height, image.max_iter)
    }
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Marks every row as not computed, before a new run.
    pub fn reset(&self) {
        self.done.iter().for_each(|d| d.store(false, Ordering::Relaxed));
    }
    /// The colour of every iteration count, `0..=max_iter`, as RGBA (see [`colour`]).
    pub fn palette(&self) -> Vec<[u8; 4]> {
        (0..=self.max_iter).map(|i| colour(i, self.max_iter)).collect()
    }
    /// The blocks of consecutive rows finished since `drawn` was last updated, which it marks as
    /// drawn (`drawn` has one flag per row).
    pub fn finished_blocks(&self, drawn: &mut [bool]) -> Vec<Range<usize>> {
        let h = (self.height as usize).min(drawn.len());
        let mut blocks = Vec::new();
        let mut y = 0;
        while y < h {
            if drawn[y] || !self.done[y].load(Ordering::Acquire) {
                y += 1;
                continue;
            }
            let first = y;
            while y < h && !drawn[y] && self.done[y].load(Ordering::Acquire) {
                drawn[y] = true;
                y += 1;
            }
            blocks.push(first..y);
        }
        blocks
    }
    /// The pixels of `rows` (finished ones: see [`LiveRows::finished_blocks`]) as RGBA bytes,
    /// coloured by `palette`.
    pub fn rgba(&self, rows: Range<usize>, palette: &[[u8; 4]]) -> Vec<u8> {
        let w = self.width as usize;
        let mut rgba = Vec::with_capacity(rows.len() * w * 4);
        for cell in &self.pixels[rows.start * w..rows.end * w] {
            let i = cell.load(Ordering::Relaxed) as usize;
            rgba.extend_from_slice(&palette[i.min(palette.len() - 1)]);
        }
        rgba
    }
    fn store(&self, first_row: u32, rows: &[Vec<u16>]) {
        let w = self.width as usize;
        for (i, row) in rows.iter().enumerate() {
            let y = first_row as usize + i;
            for (cell, &v) in self.pixels[y * w..(y + 1) * w].iter().zip(row) {
                cell.store(v, Ordering::Relaxed);
            }
            self.done[y].store(true, Ordering::Release);
        }
    }
}

/// A [`Mandelbrot`] job that also publishes each row to a [`LiveRows`] as it finishes.
#[derive(Debug)]
pub struct LiveMandelbrot {
    /// The image computed.
    pub image: Mandelbrot,
    /// Where its rows are published.
    pub rows: Arc<LiveRows>,
}

impl LiveMandelbrot {
    /// The lab's Mandelbrot image `size` pixels wide, publishing into `rows` (or a buffer of its
    /// own, as for a warm-up run nobody draws).
    pub fn new(size: KernelSize, rows: Option<Arc<LiveRows>>) -> Self {
        let image = Kernel::Mandelbrot.mandelbrot(size);
        let rows = rows.unwrap_or_else(|| LiveRows::new(&image));
        LiveMandelbrot { image, rows }
    }
}

impl Job for LiveMandelbrot {
    type Part = MandelbrotRows;
    type Output = MandelbrotImage;
    fn len(&self) -> u64 {
        self.image.len()
    }
    fn slice_len(&self) -> u64 {
        self.image.slice_len()
    }
    fn run(&self, range: Range<u64>) -> MandelbrotRows {
        let part = self.image.run(range);
        self.rows.store(part.first_row, &part.rows);
        part
    }
    fn identity(&self) -> MandelbrotRows {
        self.image.identity()
    }
    fn combine(&self, a: MandelbrotRows, b: MandelbrotRows) -> MandelbrotRows {
        self.image.combine(a, b)
    }
    fn finish(&self, part: MandelbrotRows) -> MandelbrotImage {
        self.image.finish(part)
    }
}
