//! View pieces shared by pages: a live widget in a page (its frame, until the lab draws it), the
//! content a page waits for, the thread status, a quiz question. The widget frame itself is
//! `interleave_ui::widget`, shared with the lab.

pub(crate) mod live;
pub(crate) mod loading;
pub(crate) mod question;
pub(crate) mod thread_status;
