//! Entry point of the lab module. Loading it does nothing but make [`interleave_lab::mount`] and
//! [`interleave_lab::pool`] callable: the reader calls them once a widget comes near the screen.
fn main() {
    interleave_lab::loaded();
}
