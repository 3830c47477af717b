//! What Interleave's two modules share. The reader (`interleave-web`) hydrates every page and
//! draws each widget's frame; the lab (`interleave-lab`), loaded once a widget comes near the
//! screen, draws the widgets inside those frames and runs the worker pool. Both need the frame,
//! the hook a widget's runs go through, the pool's state as the page shows it, a few browser
//! task helpers, the timers that let thousands of futures sleep on one browser timer, and text
//! with inline code.

pub mod pool_state;
pub mod tasks;
pub mod text;
pub mod timers;
pub mod use_run;
pub mod widget;
