//! Whether the learner's progress can be kept in the browser's storage, and what the learner is
//! told when it cannot.
//!
//! Implementation note: storage can be missing, refuse to be touched at all (site data blocked,
//! some private windows), or refuse a write (full). In every case the site goes on with the
//! record in memory, and once a write has been refused nothing is written again for the rest of
//! the visit: a later write that got through could replace a stored record that was never set
//! aside, and the note the learner was given would no longer be true. A refused write changes
//! nothing stored, so what was kept before stays whole.

/// Where the browser is asked to write once, to learn whether it will keep anything at all
/// (the key is removed again straight after).
pub const CHECK_KEY: &str = "interleave.storage-check";

/// Why the browser's storage will not keep the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// There is no storage, or the browser does not let the site touch it.
    Blocked,
    /// The browser refused a write because the site's storage is full.
    Full,
}

impl Refusal {
    /// The refusal an error thrown by storage stands for, by the error's `name`
    /// (`QuotaExceededError`, `SecurityError`, …); `None` when the error has no name.
    pub fn from_error_name(name: Option<&str>) -> Refusal {
        match name {
            // Firefox's older name for a full storage.
            Some("QuotaExceededError" | "NS_ERROR_DOM_QUOTA_REACHED") => Refusal::Full,
            _ => Refusal::Blocked,
        }
    }

    /// A word for the refusal, as the page's `data-reason` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Refusal::Blocked => "blocked",
            Refusal::Full => "full",
        }
    }

    /// The note the learner is shown while the record lives in memory because of this refusal:
    /// that the progress will not outlast the page, and why.
    pub fn note(self) -> &'static str {
        match self {
            Refusal::Blocked => {
                "This browser does not let Interleave keep anything (site data is blocked, or this is a private \
                 window), so your progress is kept only until this page is closed or reloaded. Everything works meanwhile."
            }
            Refusal::Full => {
                "This browser's storage for Interleave is full, so your progress from now on is kept only until this \
                 page is closed or reloaded; what was saved before stays as it was. Everything works meanwhile."
            }
        }
    }
}

/// Whether the record is being kept in storage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keeping {
    /// Every change is written to storage.
    #[default]
    Stored,
    /// Storage refused: the record lives in memory until the page is closed or reloaded, and
    /// storage is not written again.
    InMemory(Refusal),
}

impl Keeping {
    /// The state after an attempt to read or write storage ended with `outcome`. The first
    /// refusal is the one that counts: memory is never left for storage in the same visit.
    pub fn after(self, outcome: Result<(), Refusal>) -> Keeping {
        match (self, outcome) {
            (Keeping::Stored, Err(refusal)) => Keeping::InMemory(refusal),
            (kept, _) => kept,
        }
    }

    /// Whether changes are still written to storage.
    pub fn writes(self) -> bool {
        self == Keeping::Stored
    }

    /// Why the record lives in memory, if it does.
    pub fn refusal(self) -> Option<Refusal> {
        match self {
            Keeping::Stored => None,
            Keeping::InMemory(refusal) => Some(refusal),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A full storage is told apart from one that is blocked; anything else thrown counts as blocked.
    #[test]
    fn errors_are_told_apart_by_name() {
        assert_eq!(Refusal::from_error_name(Some("QuotaExceededError")), Refusal::Full);
        assert_eq!(Refusal::from_error_name(Some("NS_ERROR_DOM_QUOTA_REACHED")), Refusal::Full);
        assert_eq!(Refusal::from_error_name(Some("SecurityError")), Refusal::Blocked);
        assert_eq!(Refusal::from_error_name(Some("TypeError")), Refusal::Blocked);
        assert_eq!(Refusal::from_error_name(None), Refusal::Blocked);
    }

    // The first refusal moves the record to memory, for good: a later success does not bring
    // writes back, and a later refusal of another kind does not change the reason given.
    #[test]
    fn the_first_refusal_counts() {
        assert_eq!(Keeping::Stored.after(Ok(())), Keeping::Stored);
        let full = Keeping::Stored.after(Err(Refusal::Full));
        assert_eq!(full, Keeping::InMemory(Refusal::Full));
        assert!(!full.writes());
        assert_eq!(full.after(Ok(())), full);
        assert_eq!(full.after(Err(Refusal::Blocked)), full);
        assert!(Keeping::Stored.writes());
    }

    // One note for each reason, none while the record is stored; each says the progress will not
    // outlast the page, and why.
    #[test]
    fn the_note_says_why() {
        assert_eq!(Keeping::Stored.refusal(), None);
        assert_eq!(Keeping::InMemory(Refusal::Full).refusal(), Some(Refusal::Full));
        let (blocked, full) = (Refusal::Blocked.note(), Refusal::Full.note());
        assert!(blocked.contains("does not let Interleave keep anything") && blocked.contains("private window"));
        assert!(full.contains("storage for Interleave is full") && full.contains("what was saved before stays"));
        for note in [blocked, full] {
            assert!(note.contains("kept only until this page is closed or reloaded"), "{note}");
        }
        assert_eq!((Refusal::Blocked.name(), Refusal::Full.name()), ("blocked", "full"));
    }
}
