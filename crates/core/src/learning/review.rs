//! Spaced review of quiz questions: a Leitner system of five boxes, counted in whole days.
//!
//! Implementation note: time is always passed in as a day number (for example days since the
//! Unix epoch), never read from a clock, so the schedule is plain data and easy to test. A
//! question the learner has never answered behaves as if it sat in box 1, due now. The state is
//! a plain serde struct whose fields all have defaults, so it can be added to the saved progress
//! record without a new format version.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A day number: only differences between days matter.
pub type Day = u32;

/// Number of boxes.
pub const BOXES: usize = 5;

/// Days until a question in box `b` (1-based) is due again: `INTERVALS[b - 1]`.
pub const INTERVALS: [Day; BOXES] = [0, 1, 3, 7, 14];

/// Where one question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// Its box, 1 (learn again now) to [`BOXES`] (well known); out-of-range values read as the
    /// nearest box.
    #[serde(rename = "box", default = "first_box")]
    pub level: u8,
    /// The first day it is due for review.
    #[serde(default)]
    pub due: Day,
}

fn first_box() -> u8 {
    1
}

impl Card {
    /// The box, clamped to `1..=BOXES`.
    pub fn level(&self) -> u8 {
        self.level.clamp(1, BOXES as u8)
    }
}

/// Every question the learner has answered, by id, with its box and due day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// Cards by question id.
    #[serde(default)]
    pub cards: BTreeMap<String, Card>,
}

impl Review {
    /// Records an answer given on day `today`. A wrong answer puts the question in box 1, due
    /// today. A right answer to a question that is due moves it up a box (box 5 stays) and
    /// schedules it [`INTERVALS`] days ahead; a right answer before it is due changes nothing,
    /// so practising early does not skip a review.
    pub fn record(&mut self, id: &str, correct: bool, today: Day) {
        let card = self.cards.entry(id.to_string()).or_insert(Card { level: 1, due: today });
        if !correct {
            *card = Card { level: 1, due: today };
        } else if card.due <= today {
            let level = (card.level() + 1).min(BOXES as u8);
            *card = Card { level, due: today.saturating_add(INTERVALS[usize::from(level) - 1]) };
        }
    }

    /// The ids due on day `today`, most overdue first (then lower box, then id).
    pub fn due(&self, today: Day) -> Vec<String> {
        let mut due: Vec<(&String, &Card)> = self.cards.iter().filter(|(_, c)| c.due <= today).collect();
        due.sort_by_key(|(id, c)| (c.due, c.level(), *id));
        due.into_iter().map(|(id, _)| id.clone()).collect()
    }

    /// How many questions sit in each box: `counts()[b - 1]` for box `b`.
    pub fn counts(&self) -> [usize; BOXES] {
        let mut counts = [0; BOXES];
        for card in self.cards.values() {
            counts[usize::from(card.level()) - 1] += 1;
        }
        counts
    }

    /// The earliest day any question is due, if any question is known.
    pub fn next_due(&self) -> Option<Day> {
        self.cards.values().map(|c| c.due).min()
    }

    /// Forgets questions for which `keep` says no (for example ids no quiz has any more).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.cards.retain(|id, _| keep(id));
    }
}
