//! One view per route.

pub(crate) mod home;
pub(crate) mod lesson;
pub(crate) mod not_found;
pub(crate) mod search;
