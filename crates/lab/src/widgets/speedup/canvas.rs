//! The speedup lab's canvas: the Mandelbrot image drawn row by row while threads compute it.
//!
//! Implementation note: the rows arrive through core's [`LiveRows`], published by the workers
//! without locks; this side only asks it for the blocks of rows finished since the last call and
//! puts their pixels on the canvas, each row once.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::NodeRef;

use interleave_core::run::kernels::{Kernel, KernelSize};
use interleave_core::speedup::live::LiveRows;

use crate::widgets::lab_common::Poller;

/// How often the image and the widget are redrawn during a run.
const POLL_MS: u32 = 250;

/// The image of the runs: the canvas, the rows the runs publish, what has been drawn, and the
/// redraws while they run.
#[derive(Clone, Default)]
pub(crate) struct LiveImage {
    canvas: NodeRef,
    rows: Rc<RefCell<Option<Arc<LiveRows>>>>,
    painter: Rc<RefCell<RowPainter>>,
    poller: Poller,
}

impl LiveImage {
    /// The canvas element's ref.
    pub(crate) fn canvas(&self) -> NodeRef {
        self.canvas.clone()
    }
    /// Gets the rows ready for runs of `kernel` at `size` (the last ones, if they have the
    /// shape; none for a kernel with no image), and paints them and calls `redraw` every
    /// [`POLL_MS`] until [`LiveImage::stop`].
    pub(crate) fn start(&self, kernel: Kernel, size: KernelSize, redraw: impl Fn() + 'static) {
        let rows = LiveRows::for_run(self.rows.borrow_mut().take(), kernel, size);
        *self.rows.borrow_mut() = rows;
        let image = self.clone();
        self.poller.start(POLL_MS, move || {
            image.paint();
            redraw();
        });
    }
    /// Marks every row as not computed and blanks the canvas, before a run; returns the rows the
    /// run publishes into.
    pub(crate) fn restart(&self) -> Option<Arc<LiveRows>> {
        let rows = self.rows.borrow().clone();
        if let Some(rows) = &rows {
            rows.reset();
            if let Some(c) = self.canvas.cast::<HtmlCanvasElement>() {
                self.painter.borrow_mut().clear(&c, rows);
            }
        }
        rows
    }
    /// Stops the redraws and paints what is finished.
    pub(crate) fn stop(&self) {
        self.poller.stop();
        self.paint();
    }
    /// Draws the rows finished since the last call.
    pub(crate) fn paint(&self) {
        if let (Some(rows), Some(c)) = (self.rows.borrow().as_ref(), self.canvas.cast::<HtmlCanvasElement>()) {
            self.painter.borrow_mut().paint(&c, rows);
        }
    }
}

/// Draws the finished rows of a [`LiveRows`] onto a canvas, each row once.
#[derive(Default)]
struct RowPainter {
    drawn: Vec<bool>,
    palette: Vec<[u8; 4]>,
}

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}

impl RowPainter {
    /// Sizes the canvas for `rows` and blanks it: a new run starts drawing from nothing.
    fn clear(&mut self, canvas: &HtmlCanvasElement, rows: &LiveRows) {
        canvas.set_width(rows.width());
        canvas.set_height(rows.height());
        if let Some(ctx) = context(canvas) {
            ctx.clear_rect(0.0, 0.0, f64::from(rows.width()), f64::from(rows.height()));
        }
        self.drawn = vec![false; rows.height() as usize];
        self.palette = rows.palette();
    }

    /// Draws every row finished since the last call, a block of consecutive rows at a time.
    fn paint(&mut self, canvas: &HtmlCanvasElement, rows: &LiveRows) {
        if self.drawn.len() != rows.height() as usize || canvas.width() != rows.width() {
            self.clear(canvas, rows);
        }
        let Some(ctx) = context(canvas) else { return };
        for block in rows.finished_blocks(&mut self.drawn) {
            let rgba = rows.rgba(block.clone(), &self.palette);
            // Copied into a plain JS array: ImageData refuses views of the shared wasm memory.
            let array = js_sys::Uint8ClampedArray::new_with_length(rgba.len() as u32);
            array.copy_from(&rgba);
            if let Ok(data) = ImageData::new_with_js_u8_clamped_array_and_sh(&array, rows.width(), block.len() as u32) {
                // web-sys's unstable APIs (on for wasm builds) take the position in whole pixels.
                #[cfg(web_sys_unstable_apis)]
                let _ = ctx.put_image_data(&data, 0, block.start as i32);
                #[cfg(not(web_sys_unstable_apis))]
                let _ = ctx.put_image_data(&data, 0.0, block.start as f64);
            }
        }
    }
}
