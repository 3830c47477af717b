//! Reusable view pieces: the widget frame, the thread status, and the widgets themselves.

pub(crate) mod barista;
pub(crate) mod event_loop;
pub(crate) mod explorer;
pub(crate) mod prime_count;
pub(crate) mod question;
pub(crate) mod responsiveness;
pub(crate) mod stepper;
pub(crate) mod thread_status;
pub(crate) mod widget;
