//! Reusable view pieces: the widget frame, the thread status, and the widgets themselves.

pub(crate) mod barista;
pub(crate) mod channels;
pub(crate) mod event_loop;
pub(crate) mod explorer;
pub(crate) mod granularity;
pub(crate) mod lab_canvas;
pub(crate) mod lab_common;
pub(crate) mod prime_count;
pub(crate) mod question;
pub(crate) mod race;
pub(crate) mod responsiveness;
pub(crate) mod speedup;
pub(crate) mod stepper;
pub(crate) mod thread_status;
pub(crate) mod widget;
