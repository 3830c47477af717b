//! Local storage: the one place the app reads and writes it (the saved progress lives there).
//!
//! Implementation note: writes are best effort: a write the browser refuses (storage full, for
//! example) is dropped, and the app goes on with what it has in memory.

use gloo::storage::{LocalStorage, Storage};

/// What is stored under `key`, if anything.
pub fn read(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

/// Stores `value` under `key`.
pub fn write(key: &str, value: &str) {
    let _ = LocalStorage::raw().set_item(key, value);
}

/// Keeps `value` under the first free key of `key`, `key.2`, `key.3`, … (nothing already kept
/// aside is overwritten), and returns that key.
pub fn set_aside(key: &str, value: &str) -> String {
    let free = (1..)
        .map(|n| if n == 1 { key.to_string() } else { format!("{key}.{n}") })
        .find(|k| read(k).is_none())
        .expect("some key is free");
    write(&free, value);
    free
}
