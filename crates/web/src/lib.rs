//! Interleave's reader: the Yew views of every page, prerendered at build time and hydrated in the
//! browser, and the browser's side of things (storage, and loading the lab module that draws the
//! live widgets: `crates/lab`).
//!
//! Implementation note: this is the only crate that knows the DOM, and the one that knows
//! the pages; the widgets, with the JSON shapes of their `data-result` attributes, are the lab's. Everything a view decides (a
//! schedule, a grade, a fit, a plan) is asked of `interleave_core`; the views only draw what the
//! core answers and turn clicks into calls. Browser calls live in [`browser`] and in effects.

mod app;
pub mod browser;
mod components;
mod content;
mod pages;
mod state;
mod widgets;

#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;

#[cfg(target_arch = "wasm32")]
pub use app::start;
