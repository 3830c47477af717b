//! Interleave's web app: the Yew views of every page and widget, the hooks they share, and the
//! browser's side of things (the worker pool, storage, the clock).
//!
//! Implementation note: this is the only crate that knows the DOM, and the only one that knows
//! the JSON shapes of the widgets' `data-result` attributes. Everything a view decides (a
//! schedule, a grade, a fit, a plan) is asked of `interleave_core`; the views only draw what the
//! core answers and turn clicks into calls. Browser calls live in [`browser`] and in effects.

mod app;
pub mod browser;
mod components;
mod content;
mod hooks;
mod pages;
mod state;
mod widgets;

#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;

#[cfg(target_arch = "wasm32")]
pub use app::start;
