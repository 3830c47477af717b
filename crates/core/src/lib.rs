//! Interleave: lessons and live experiments on concurrency vs parallelism, run on the learner's CPU.
//!
//! Pure logic (jobs, kernels, lesson content) has no browser dependency and is tested natively;
//! the Yew views and the browser's thread pool live behind `cfg(target_arch = "wasm32")`.

pub mod barista;
pub mod content;
pub mod event_loop_lab;
pub mod explorer;
pub mod jobs;
pub mod kernels;
pub mod lab;
pub mod numbers;
pub mod progress;
pub mod quiz;
pub mod quiz_answers;
pub mod responsiveness;
pub mod review;
pub mod search;
pub mod stepper;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod pages;
#[cfg(target_arch = "wasm32")]
pub mod pool;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use app::start;
