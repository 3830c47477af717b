//! The channels widgets' engines: a producer → workers → consumer pipeline over bounded channels,
//! and a bank account whose race an actor fixes.

pub mod bank;
pub mod pipeline;
