//! The speedup lab's engine: one kernel run at 1, 2, … k threads, and Amdahl's law fitted to the
//! timings.

pub mod amdahl;
