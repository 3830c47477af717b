//! View pieces shared by pages and widgets: the widget frame, the thread status, a quiz question.

pub(crate) mod question;
pub(crate) mod thread_status;
pub(crate) mod widget;
