//! Interleave's web app: the Yew views of every page and widget, the hooks they share, and the
//! browser's side of things (the worker pool, storage, the clock).
//!
//! Implementation note: this is the only crate that knows the DOM, and the only one that knows
//! the JSON shapes of the widgets' `data-result` attributes. Everything a view decides (a
//! schedule, a grade, a fit, a plan) is asked of `interleave_core`; the views only draw what the
//! core answers and turn clicks into calls. Browser calls live in [`browser`] and in effects.

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
pub mod browser;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod content;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
mod widgets;

#[cfg(target_arch = "wasm32")]
pub use app::start;
