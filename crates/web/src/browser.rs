//! The browser's side of things: the worker pool (the one way views run parallel work).

pub mod pool;
