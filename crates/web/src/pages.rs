//! One view per route.

pub(crate) mod home;
pub(crate) mod lesson;
pub(crate) mod not_found;
pub(crate) mod quiz;
pub(crate) mod review;
pub(crate) mod search;
