//! Interleave's lab: the live widgets that run on threads (or could), and the worker pool. It is a
//! module of its own, apart from the reader that hydrates the page (`interleave-web`), so that a
//! page can be read, and its app live, before any of this has been fetched: the reader loads the
//! lab once a widget's frame comes near the screen, then asks it to draw each widget in its frame.
//!
//! Implementation note: the two modules share nothing at run time but the page. The reader calls
//! [`mount`] with the element its frame sits in and keeps the [`Mounted`] handle to unmount it;
//! the lab answers [`pool`] with the pool's state and tells the reader of a solved challenge by an
//! `interleave:challenge-solved` event on that element. Everything a widget decides is still
//! asked of `interleave_core`. ([`explore_all`] is the explorer's run as its widget makes it, for
//! the browser tests.)

mod mount;
pub mod pool;
pub mod stopped;
mod widgets;

pub use mount::{loaded, mount, pool, Mounted};
pub use widgets::explorer::run::{explore_all, Explored};
