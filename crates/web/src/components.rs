//! View pieces shared by pages and widgets: the widget frame, a live widget in a page, the content
//! a page waits for, the thread status, a quiz question.

pub(crate) mod live;
pub(crate) mod loading;
pub(crate) mod question;
pub(crate) mod thread_status;
pub(crate) mod widget;
