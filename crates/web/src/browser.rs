//! The browser's side of things: the worker pool (the one way views run parallel work) and local
//! storage.

pub(crate) mod boot;
pub mod pool;
pub mod storage;
