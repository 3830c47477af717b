//! The learner's saved state in the browser: the learner's record and the one reducer that
//! changes it, saving every change to local storage while storage takes it.
//!
//! Implementation note: when storage is blocked, full, or refuses a write, the record lives in
//! memory for the rest of the visit ([`Keeping`]) and is not written again, so what storage holds
//! stays as it was. An unreadable stored record is replaced only once a copy of it is kept aside.

use std::collections::BTreeSet;
use std::rc::Rc;

use yew::prelude::*;

use crate::browser::storage;
use interleave_core::learning::keeping::Keeping;
use interleave_core::learning::progress::{LearnerRecord, SavedAnswer, Theme, SET_ASIDE_KEY, STORAGE_KEY};
use interleave_core::learning::review::Day;

/// The learner's record plus what the learner should be told about it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Saved {
    pub record: LearnerRecord,
    /// A one-time message (e.g. the stored record was unreadable and was set aside).
    pub notice: Option<String>,
    /// Whether storage keeps the record, or it lives in memory (and why).
    pub keeping: Keeping,
    /// Whether the learner hid the note that says the record lives in memory.
    pub keeping_note_hidden: bool,
    /// Whether the record was read from storage. Until it is (the first render, which must be
    /// the server's), the record is empty and every change is refused, so that nothing saved
    /// is overwritten by it.
    pub loaded: bool,
}

/// Changes to the saved state.
pub(crate) enum Action {
    /// The record read from storage, once the page is live.
    Load(Saved),
    MarkRead(String),
    MarkUnread(String),
    SolveChallenge(String),
    /// A quiz or review answer: kept, and fed to the spaced review.
    Answer { id: String, picked: BTreeSet<String>, correct: bool, today: Day },
    /// Records the seed of the first attempt at a quiz (no effect if one is under way).
    StartAttempt { quiz: String, seed: u64 },
    /// Takes a quiz again: forgets the answers to its questions (the review keeps its cards) and
    /// shuffles its options anew.
    Retake { quiz: String, questions: Vec<String>, seed: u64 },
    SetTheme(Theme),
    /// Replaces everything with an imported record.
    Import(LearnerRecord),
    DismissNotice,
    /// Hides the note that says the record lives in memory, for the rest of the visit.
    HideKeepingNote,
}

impl Saved {
    /// What the server renders with, and so the browser's first render: an empty record.
    pub(crate) fn unread() -> Self {
        Self { record: LearnerRecord::default(), notice: None, keeping: Keeping::Stored, keeping_note_hidden: false, loaded: false }
    }

    /// Reads local storage, repairing it if needed (an unreadable record is kept aside), and
    /// learns whether it takes writes. Storage that refuses leaves the record in memory.
    pub(crate) fn load() -> Self {
        let saved = |record, notice, outcome| Self {
            record,
            notice,
            keeping: Keeping::Stored.after(outcome),
            keeping_note_hidden: false,
            loaded: true,
        };
        let stored = match storage::read(STORAGE_KEY) {
            Ok(stored) => stored,
            Err(refusal) => return saved(LearnerRecord::default(), None, Err(refusal)),
        };
        let loaded = LearnerRecord::load(stored.as_deref());
        let Some(old) = &loaded.set_aside else {
            return saved(loaded.record, None, storage::check());
        };
        // The fresh record goes over the unreadable one only once a copy of that is kept.
        match storage::set_aside(SET_ASIDE_KEY, old) {
            Ok(_) => {
                let written = storage::write(STORAGE_KEY, &loaded.record.to_json());
                saved(loaded.record.clone(), loaded.notice(true), written)
            }
            Err(refusal) => saved(loaded.record.clone(), loaded.notice(false), Err(refusal)),
        }
    }

    /// Writes the record to storage, unless it lives in memory; a refused write moves it there.
    fn store(&mut self) {
        if self.keeping.writes() {
            self.keeping = self.keeping.after(storage::write(STORAGE_KEY, &self.record.to_json()));
        }
    }
}

impl Reducible for Saved {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Load(saved) => return Rc::new(saved),
            _ if !self.loaded => return self,
            Action::MarkRead(slug) => {
                if !next.record.lessons_read.insert(slug) {
                    return self;
                }
            }
            Action::MarkUnread(slug) => {
                if !next.record.lessons_read.remove(&slug) {
                    return self;
                }
            }
            Action::SolveChallenge(id) => {
                if !next.record.challenges_solved.insert(id) {
                    return self;
                }
            }
            Action::Answer { id, picked, correct, today } => {
                // Only questions once answered wrongly enter the spaced review.
                if !correct || next.record.review.cards.contains_key(&id) {
                    next.record.review.record(&id, correct, today);
                }
                next.record.answers.insert(id, SavedAnswer { picked, correct });
            }
            Action::StartAttempt { quiz, seed } => {
                if next.record.attempts.contains_key(&quiz) {
                    return self;
                }
                next.record.attempts.insert(quiz, seed);
            }
            Action::Retake { quiz, questions, seed } => next.record.retake(&quiz, &questions, seed),
            Action::SetTheme(theme) => next.record.theme = theme,
            Action::Import(record) => next.record = record,
            Action::DismissNotice => {
                next.notice = None;
                return Rc::new(next);
            }
            Action::HideKeepingNote => {
                next.keeping_note_hidden = true;
                return Rc::new(next);
            }
        }
        next.store();
        Rc::new(next)
    }
}

/// The handle views use to read and change the saved state.
pub(crate) type SavedHandle = UseReducerHandle<Saved>;

/// A fresh seed for shuffling a quiz's options (not for anything secret).
pub(crate) fn fresh_seed() -> u64 {
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (high << 32) | low
}

/// Today, as a day number for the spaced review.
pub(crate) fn today() -> Day {
    (js_sys::Date::now() / 86_400_000.0) as Day
}

/// Applies the chosen theme to the page (`data-theme` on the root element).
pub(crate) fn apply_theme(theme: Theme) {
    if let Some(root) = gloo::utils::document().document_element() {
        let _ = match theme {
            Theme::System => root.remove_attribute("data-theme"),
            Theme::Light => root.set_attribute("data-theme", "light"),
            Theme::Dark => root.set_attribute("data-theme", "dark"),
        };
    }
}
