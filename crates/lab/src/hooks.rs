//! Behaviour several views repeat, packaged once as hooks.

pub(crate) mod use_run;
