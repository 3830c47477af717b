//! The browser's side of things: what the page says about the app, local storage, and the lab
//! module (loaded when a widget comes near the screen).

pub(crate) mod boot;
pub(crate) mod lab;
pub mod storage;
