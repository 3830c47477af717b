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

#[cfg(test)]
mod tests {
    use super::*;

    /// The box and due day of a question's card.
    fn box_and_due(r: &Review, id: &str) -> (u8, Day) {
        (r.cards[id].level, r.cards[id].due)
    }

    /// A review after these answers (right or not, on which day) to question `q`.
    fn after(answers: &[(bool, Day)]) -> Review {
        let mut r = Review::default();
        for &(correct, day) in answers {
            r.record("q", correct, day);
        }
        r
    }

    // A wrong answer puts a question in box 1, due the same day.
    #[test]
    fn wrong_answer_is_due_now() {
        let r = after(&[(false, 100)]);
        assert_eq!(r.due(100), vec!["q".to_string()]);
        assert_eq!(r.counts(), [1, 0, 0, 0, 0]);
    }

    // Right answers on the due days climb the boxes with growing intervals, and stay in the last box.
    #[test]
    fn right_answers_climb_the_boxes() {
        let mut r = Review::default();
        let mut day = 10;
        r.record("q", false, day);
        for level in 2..=BOXES {
            r.record("q", true, day);
            let card = r.cards["q"];
            assert_eq!(usize::from(card.level), level);
            assert_eq!(card.due, day + INTERVALS[level - 1]);
            if INTERVALS[level - 1] > 0 {
                assert!(r.due(card.due - 1).is_empty(), "not due before its day");
            }
            day = card.due;
            assert_eq!(r.due(day), vec!["q".to_string()]);
        }
        r.record("q", true, day);
        assert_eq!(box_and_due(&r, "q"), (BOXES as u8, day + 14));
    }

    // A question never seen and answered right starts its climb from box 1, so it comes back tomorrow.
    #[test]
    fn first_right_answer_schedules_tomorrow() {
        assert_eq!(box_and_due(&after(&[(true, 5)]), "q"), (2, 6));
    }

    // Answering right before the due day changes nothing; answering wrong any day drops to box 1.
    #[test]
    fn early_answers() {
        // The second answer puts it in box 3, due day 4.
        let mut r = after(&[(true, 0), (true, 1), (true, 2)]);
        assert_eq!(box_and_due(&r, "q"), (3, 4), "early practice skips no review");
        r.record("q", false, 2);
        assert_eq!(box_and_due(&r, "q"), (1, 2));
    }

    // The due list holds only due questions, most overdue first, and counts follow the boxes.
    #[test]
    fn due_lists_and_counts() {
        let mut r = Review::default();
        r.record("late", false, 1);
        r.record("today", false, 3);
        r.record("known", true, 3); // box 2, due day 4
        r.record("also-today", false, 3);
        assert_eq!(r.due(3), vec!["late", "also-today", "today"]);
        assert_eq!(r.due(4), vec!["late", "also-today", "today", "known"]);
        assert_eq!(r.counts(), [3, 1, 0, 0, 0]);
        assert_eq!(r.next_due(), Some(1));
        r.retain(|id| id != "late");
        assert_eq!(r.counts(), [2, 1, 0, 0, 0]);
    }

    // The state round-trips through JSON, and missing or odd fields fall back to defaults.
    #[test]
    fn serialisable_with_defaults() {
        let mut r = Review::default();
        r.record("q", true, 7);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"cards":{"q":{"box":2,"due":8}}}"#);
        assert_eq!(serde_json::from_str::<Review>(&json).unwrap(), r);
        assert_eq!(serde_json::from_str::<Review>("{}").unwrap(), Review::default());
        let odd: Review = serde_json::from_str(r#"{"cards":{"a":{},"b":{"box":9,"due":3}}}"#).unwrap();
        assert_eq!((odd.cards["a"].level(), odd.cards["a"].due), (1, 0));
        assert_eq!(odd.counts(), [1, 0, 0, 0, 1], "an out-of-range box reads as the nearest one");
    }
}
