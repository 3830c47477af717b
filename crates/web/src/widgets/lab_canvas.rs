//! The Mandelbrot image drawn row by row while threads compute it.
//!
//! Implementation note: the rows are computed on workers and drawn by the page, which may never
//! wait for a lock. So each finished row is stored into atomics ([`LiveRows`]): the pixels first,
//! then a per-row "done" flag with `Release`; the page reads the flag with `Acquire` and only then
//! the pixels. Nobody blocks, and a row is drawn only once it is complete.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use interleave_core::run::jobs::Job;
use interleave_core::run::kernels::{colour, Mandelbrot, MandelbrotImage, MandelbrotRows};

/// Iteration counts of an image, filled in row by row from any thread.
pub(crate) struct LiveRows {
    width: u32,
    height: u32,
    max_iter: u16,
    pixels: Vec<AtomicU16>,
    done: Vec<AtomicBool>,
}

impl LiveRows {
    pub(crate) fn new(image: &Mandelbrot) -> Arc<Self> {
        let (w, h) = (image.width as usize, image.height as usize);
        Arc::new(Self {
            width: image.width,
            height: image.height,
            max_iter: image.max_iter,
            pixels: (0..w * h).map(|_| AtomicU16::new(0)).collect(),
            done: (0..h).map(|_| AtomicBool::new(false)).collect(),
        })
    }
    /// Whether this buffer has the shape of `image`.
    pub(crate) fn fits(&self, image: &Mandelbrot) -> bool {
        (self.width, self.height, self.max_iter) == (image.width, image.height, image.max_iter)
    }
    /// Marks every row as not computed, before a new run.
    pub(crate) fn reset(&self) {
        self.done.iter().for_each(|d| d.store(false, Ordering::Relaxed));
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
pub(crate) struct LiveMandelbrot {
    pub(crate) image: Mandelbrot,
    pub(crate) rows: Arc<LiveRows>,
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

/// Draws the finished rows of a [`LiveRows`] onto a canvas, each row once.
#[derive(Default)]
pub(crate) struct RowPainter {
    drawn: Vec<bool>,
    palette: Vec<[u8; 4]>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

impl RowPainter {
    /// Sizes the canvas for `rows` and blanks it: a new run starts drawing from nothing.
    pub(crate) fn clear(&mut self, canvas: &HtmlCanvasElement, rows: &LiveRows) {
        canvas.set_width(rows.width);
        canvas.set_height(rows.height);
        if let Some(ctx) = context(canvas) {
            ctx.clear_rect(0.0, 0.0, f64::from(rows.width), f64::from(rows.height));
        }
        self.drawn = vec![false; rows.height as usize];
        self.palette = (0..=rows.max_iter).map(|i| colour(i, rows.max_iter)).collect();
    }

    /// Draws every row finished since the last call, a block of consecutive rows at a time.
    pub(crate) fn paint(&mut self, canvas: &HtmlCanvasElement, rows: &LiveRows) {
        if self.drawn.len() != rows.height as usize || canvas.width() != rows.width {
            self.clear(canvas, rows);
        }
        let Some(ctx) = context(canvas) else { return };
        let (w, h) = (rows.width as usize, rows.height as usize);
        let mut y = 0;
        while y < h {
            if self.drawn[y] || !rows.done[y].load(Ordering::Acquire) {
                y += 1;
                continue;
            }
            let first = y;
            while y < h && !self.drawn[y] && rows.done[y].load(Ordering::Acquire) {
                self.drawn[y] = true;
                y += 1;
            }
            let mut rgba = Vec::with_capacity((y - first) * w * 4);
            for cell in &rows.pixels[first * w..y * w] {
                let i = cell.load(Ordering::Relaxed) as usize;
                rgba.extend_from_slice(&self.palette[i.min(self.palette.len() - 1)]);
            }
            // Copied into a plain JS array: ImageData refuses views of the shared wasm memory.
            let array = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
            array.copy_from(&rgba);
            if let Ok(data) = ImageData::new_with_js_u8_clamped_array_and_sh(&array, rows.width, (y - first) as u32) {
                let _ = ctx.put_image_data(&data, 0.0, first as f64);
            }
        }
    }
}
