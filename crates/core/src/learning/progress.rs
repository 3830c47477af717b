//! The learner's saved progress: one versioned [`LearnerRecord`], migrated when old, set aside
//! when corrupt.
//!
//! Implementation note: the record is stored as JSON under [`STORAGE_KEY`]. Reading never fails:
//! a record that cannot be understood is handed back in [`Loaded::set_aside`] so the caller can
//! keep it under [`SET_ASIDE_KEY`] (nothing the learner had is deleted), and the learner gets a
//! fresh record and a plain-words [`Loaded::notice`]. The caller writes the fresh record over the
//! old one only once the copy is kept; if storage refuses the copy, the old one is left where it is.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::learning::review::Review;

/// Where the record lives in local storage.
pub const STORAGE_KEY: &str = "interleave.progress";
/// Where an unreadable record is kept.
pub const SET_ASIDE_KEY: &str = "interleave.progress.set-aside";
/// The version this code writes. Older ones are migrated: version 1 (lessons read and challenges
/// solved only), and version 2 (answers named options by their position in the quiz file).
pub const VERSION: u32 = 3;

/// The colour theme the learner chose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Follow the system setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

/// The last answer given to one quiz question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAnswer {
    /// The options picked, by identity (`quiz::Choice::id`), never by position.
    pub picked: BTreeSet<String>,
    /// Whether it was right.
    pub correct: bool,
}

/// Everything the site remembers about one learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerRecord {
    /// Format version.
    pub version: u32,
    /// Slugs of the lessons read.
    #[serde(default)]
    pub lessons_read: BTreeSet<String>,
    /// Ids of the explorer challenges solved.
    #[serde(default)]
    pub challenges_solved: BTreeSet<String>,
    /// Quiz answers, by question id.
    #[serde(default)]
    pub answers: BTreeMap<String, SavedAnswer>,
    /// Spaced review of the questions answered wrongly.
    #[serde(default)]
    pub review: Review,
    /// Colour theme.
    #[serde(default)]
    pub theme: Theme,
    /// The attempt under way at each quiz (by lesson slug, or `final`): the seed its options are
    /// shuffled with, so a reload shows the same order and taking the quiz again a new one.
    #[serde(default)]
    pub attempts: BTreeMap<String, u64>,
}

/// Version 1 of the record, as older builds wrote it.
#[derive(Deserialize)]
struct LearnerRecordV1 {
    #[serde(default)]
    lessons_read: BTreeSet<String>,
    #[serde(default)]
    challenges_solved: BTreeSet<String>,
}

impl From<LearnerRecordV1> for LearnerRecord {
    fn from(old: LearnerRecordV1) -> Self {
        LearnerRecord { lessons_read: old.lessons_read, challenges_solved: old.challenges_solved, ..LearnerRecord::default() }
    }
}

/// Version 2 of the record: answers named the options picked by their index in the quiz file.
#[derive(Deserialize)]
struct LearnerRecordV2 {
    #[serde(default)]
    lessons_read: BTreeSet<String>,
    #[serde(default)]
    challenges_solved: BTreeSet<String>,
    #[serde(default)]
    answers: BTreeMap<String, SavedAnswerV2>,
    #[serde(default)]
    review: Review,
    #[serde(default)]
    theme: Theme,
}

#[derive(Deserialize)]
struct SavedAnswerV2 {
    picked: BTreeSet<usize>,
    correct: bool,
}

/// The values of the `possible` questions as version-2 builds listed them: a version-2 answer's
/// index `i` meant `values[i]`. (Every other option's id is the letter of its version-2 place:
/// `a` for index 0, `b` for 1, and so on.)
const V2_POSSIBLE_VALUES: &[(&str, &[i64])] = &[
    ("ds-possible-two-locks", &[0, 1, 2]),
    ("final-possible-half-atomic", &[1, 2, 3, 4]),
    ("mp-possible-keeps-writing", &[0, 42, 7]),
    ("rc-possible-lost-update", &[0, 1, 2, 3]),
    ("rc-possible-three-threads", &[0, 1, 2, 3, 4]),
    ("rc-possible-check-then-act", &[100, 20, -60, -140]),
    ("rc-possible-with-lock", &[1, 2]),
    ("rc-possible-order-still-matters", &[2, 3, 4, 6]),
    ("rc-possible-add-and-double", &[1, 2, 3, 4]),
];

/// The identity of option `index` of question `question` as a version-2 record numbered it.
fn v2_option_id(question: &str, index: usize) -> Option<String> {
    match V2_POSSIBLE_VALUES.iter().find(|(id, _)| *id == question) {
        Some((_, values)) => values.get(index).map(|v| v.to_string()),
        None => u8::try_from(index).ok().filter(|&i| i < 26).map(|i| char::from(b'a' + i).to_string()),
    }
}

impl From<LearnerRecordV2> for LearnerRecord {
    fn from(old: LearnerRecordV2) -> Self {
        let answers = old
            .answers
            .into_iter()
            .map(|(id, a)| {
                let picked = a.picked.iter().filter_map(|&i| v2_option_id(&id, i)).collect();
                (id, SavedAnswer { picked, correct: a.correct })
            })
            .collect();
        LearnerRecord {
            lessons_read: old.lessons_read,
            challenges_solved: old.challenges_solved,
            answers,
            review: old.review,
            theme: old.theme,
            ..LearnerRecord::default()
        }
    }
}

impl Default for LearnerRecord {
    fn default() -> Self {
        Self {
            version: VERSION,
            lessons_read: BTreeSet::new(),
            challenges_solved: BTreeSet::new(),
            answers: BTreeMap::new(),
            review: Review::default(),
            theme: Theme::default(),
            attempts: BTreeMap::new(),
        }
    }
}

/// The outcome of reading a stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The record to use.
    pub record: LearnerRecord,
    /// Text to keep under [`SET_ASIDE_KEY`], when the stored one was unreadable.
    pub set_aside: Option<String>,
    /// Why the stored text could not be read, when it could not.
    pub why: Option<String>,
}

impl Loaded {
    /// What to tell the learner, if anything: why the stored record could not be read, and where
    /// it is now. `kept_aside` says whether the copy under [`SET_ASIDE_KEY`] was written; if it
    /// was not, the record was left as it was, where it was.
    pub fn notice(&self, kept_aside: bool) -> Option<String> {
        let why = self.why.as_deref()?;
        Some(if kept_aside {
            format!(
                "Your saved progress could not be read ({why}), so it was set aside, kept in this browser under \
                 “{SET_ASIDE_KEY}”, and a fresh record was started."
            )
        } else {
            format!(
                "Your saved progress could not be read ({why}). This browser would not store a copy of it, so it was \
                 left as it was, under “{STORAGE_KEY}”, and a fresh record was started for this visit."
            )
        })
    }
}

impl LearnerRecord {
    /// Reads what local storage held under [`STORAGE_KEY`] (`None`: nothing yet).
    pub fn load(stored: Option<&str>) -> Loaded {
        let fresh = |why: &str, raw: &str| Loaded {
            record: LearnerRecord::default(),
            set_aside: Some(raw.to_string()),
            why: Some(why.to_string()),
        };
        let read = |record: LearnerRecord| Loaded { record, set_aside: None, why: None };
        let Some(raw) = stored else {
            return read(LearnerRecord::default());
        };
        let value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(_) => return fresh("it is not valid JSON", raw),
        };
        let version = value.get("version").and_then(|v| v.as_u64());
        match version {
            Some(v) if v == u64::from(VERSION) => match serde_json::from_value::<LearnerRecord>(value) {
                Ok(record) => read(record),
                Err(e) => fresh(&format!("a field is malformed: {e}"), raw),
            },
            Some(1) => match serde_json::from_value::<LearnerRecordV1>(value) {
                Ok(old) => read(old.into()),
                Err(e) => fresh(&format!("a field is malformed: {e}"), raw),
            },
            Some(2) => match serde_json::from_value::<LearnerRecordV2>(value) {
                Ok(old) => read(old.into()),
                Err(e) => fresh(&format!("a field is malformed: {e}"), raw),
            },
            Some(v) if v > u64::from(VERSION) => fresh(&format!("it was written by a newer version, {v}"), raw),
            _ => fresh("it is not an Interleave progress record", raw),
        }
    }

    /// Reads a record the learner imports from a file: it must be a whole, readable record
    /// (an older version is migrated); anything else is refused with the reason, and nothing
    /// is changed.
    pub fn import(text: &str) -> Result<LearnerRecord, String> {
        let loaded = LearnerRecord::load(Some(text));
        match loaded.why {
            None => Ok(loaded.record),
            Some(_) => {
                let value: Result<serde_json::Value, _> = serde_json::from_str(text);
                Err(match value {
                    Err(e) => format!("This file is not JSON ({e})."),
                    Ok(v) if v.get("version").is_none() => "This file is not an Interleave progress file.".into(),
                    Ok(v) if v["version"].as_u64().is_some_and(|n| n > u64::from(VERSION)) => {
                        "This file comes from a newer version of Interleave.".into()
                    }
                    Ok(_) => "This progress file is damaged: a field is missing or malformed.".into(),
                })
            }
        }
    }

    /// The seed the options of `quiz` are shuffled with in the attempt under way, if one is.
    pub fn attempt_seed(&self, quiz: &str) -> Option<u64> {
        self.attempts.get(quiz).copied()
    }

    /// Starts a fresh attempt at `quiz`: its questions' answers are forgotten (the review keeps
    /// its cards) and its options will be shown in the order `seed` gives.
    pub fn retake(&mut self, quiz: &str, questions: &[String], seed: u64) {
        for id in questions {
            self.answers.remove(id);
        }
        self.attempts.insert(quiz.to_string(), seed);
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a record always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Nothing stored: a fresh record, no notice.
    #[test]
    fn empty_storage() {
        let loaded = LearnerRecord::load(None);
        assert_eq!(loaded.record, LearnerRecord::default());
        assert!(loaded.why.is_none() && loaded.set_aside.is_none());
        assert_eq!(loaded.notice(true), None);
    }

    // A version-1 record is migrated: what it held is kept, the new parts start empty.
    #[test]
    fn version_one_is_migrated() {
        let loaded = LearnerRecord::load(Some(r#"{"version":1,"lessons_read":["race-conditions"],"challenges_solved":["deadlock"]}"#));
        assert!(loaded.why.is_none() && loaded.set_aside.is_none());
        assert_eq!(loaded.record.version, VERSION);
        assert!(loaded.record.lessons_read.contains("race-conditions"));
        assert!(loaded.record.challenges_solved.contains("deadlock"));
        assert!(loaded.record.answers.is_empty());
    }

    // A version-2 record is migrated: answers named options by file position; they now name
    // them by identity (the letter of that position, or a `possible` question's value), and
    // everything else it held is kept.
    #[test]
    fn version_two_is_migrated() {
        let v2 = r#"{"version":2,"lessons_read":["message-passing"],"challenges_solved":["deadlock"],
            "answers":{"mp-backpressure":{"picked":[0],"correct":true},
                       "rc-possible-check-then-act":{"picked":[0,2],"correct":false},
                       "tool-many-picks":{"picked":[1,3],"correct":false}},
            "review":{"cards":{"rc-possible-check-then-act":{"box":1,"due":20000}}},"theme":"dark"}"#;
        let loaded = LearnerRecord::load(Some(v2));
        assert!(loaded.why.is_none() && loaded.set_aside.is_none(), "{:?}", loaded.why);
        let r = loaded.record;
        assert_eq!(r.version, VERSION);
        let picked = |id: &str| r.answers[id].picked.iter().cloned().collect::<Vec<_>>();
        assert_eq!(picked("mp-backpressure"), ["a"]);
        assert!(r.answers["mp-backpressure"].correct);
        // Index 2 of the old list [100, 20, -60, -140] was -60.
        assert_eq!(picked("rc-possible-check-then-act"), ["-60", "100"]);
        assert!(!r.answers["rc-possible-check-then-act"].correct);
        assert_eq!(picked("tool-many-picks"), ["b", "d"]);
        assert_eq!(r.review.cards["rc-possible-check-then-act"].due, 20000);
        assert_eq!(r.theme, Theme::Dark);
        assert!(r.lessons_read.contains("message-passing") && r.challenges_solved.contains("deadlock"));
        assert!(r.attempts.is_empty());
        // What it migrated to round-trips as the current version.
        assert_eq!(LearnerRecord::load(Some(&r.to_json())).record, r);
    }

    // Taking a quiz again forgets its answers, keeps the review, and starts a new shuffle.
    #[test]
    fn retake_starts_a_fresh_attempt() {
        let mut r = LearnerRecord::default();
        r.answers.insert("q1".into(), SavedAnswer { picked: ["a".to_string()].into(), correct: false });
        r.answers.insert("other".into(), SavedAnswer { picked: ["b".to_string()].into(), correct: true });
        r.review.record("q1", false, 5);
        r.attempts.insert("race-conditions".into(), 1);
        r.retake("race-conditions", &["q1".to_string()], 2);
        assert!(!r.answers.contains_key("q1") && r.answers.contains_key("other"));
        assert!(r.review.cards.contains_key("q1"));
        assert_eq!(r.attempt_seed("race-conditions"), Some(2));
        assert_eq!(r.attempt_seed("final"), None);
    }

    // Import takes a whole record (migrating an old one) and refuses anything else with a reason.
    #[test]
    fn import_validates() {
        let mut r = LearnerRecord::default();
        r.lessons_read.insert("message-passing".into());
        r.theme = Theme::Dark;
        assert_eq!(LearnerRecord::import(&r.to_json()), Ok(r));
        assert!(LearnerRecord::import(r#"{"version":1}"#).is_ok());
        assert!(LearnerRecord::import("hello").unwrap_err().contains("not JSON"));
        assert!(LearnerRecord::import("{}").unwrap_err().contains("not an Interleave progress file"));
        assert!(LearnerRecord::import(r#"{"version":7}"#).unwrap_err().contains("newer version"));
        assert!(LearnerRecord::import(r#"{"version":3,"answers":3}"#).unwrap_err().contains("damaged"));
        assert!(LearnerRecord::import(r#"{"version":2,"answers":3}"#).unwrap_err().contains("damaged"));
    }

    // What is stored keeps its shape: renaming the type changed nothing a browser holds.
    #[test]
    fn stored_json_keeps_its_field_names() {
        assert_eq!(
            LearnerRecord::default().to_json(),
            r#"{"version":3,"lessons_read":[],"challenges_solved":[],"answers":{},"review":{"cards":{}},"theme":"system","attempts":{}}"#
        );
    }

    // A record round-trips through its JSON.
    #[test]
    fn round_trip() {
        let mut r = LearnerRecord::default();
        r.lessons_read.insert("race-conditions".into());
        assert_eq!(LearnerRecord::load(Some(&r.to_json())).record, r);
    }

    // Garbage, a foreign object, a newer version and a malformed field are set aside, kept whole.
    #[test]
    fn corrupt_records_are_set_aside() {
        for raw in ["{not json", "[1,2]", r#"{"theme":"dark"}"#, r#"{"version":99}"#, r#"{"version":2,"lessons_read":7}"#, r#"{"version":1,"lessons_read":7}"#, r#"{"version":2,"answers":{"x":{"picked":["a"],"correct":true}}}"#] {
            let loaded = LearnerRecord::load(Some(raw));
            assert_eq!(loaded.record, LearnerRecord::default(), "{raw}");
            assert_eq!(loaded.set_aside.as_deref(), Some(raw));
            assert!(loaded.notice(true).unwrap().contains(SET_ASIDE_KEY));
        }
    }

    // When storage would not take the copy, the notice says the record was left where it was,
    // and does not claim it was set aside.
    #[test]
    fn a_record_that_could_not_be_set_aside_is_left_in_place() {
        let loaded = LearnerRecord::load(Some("{not json"));
        let kept = loaded.notice(true).unwrap();
        let left = loaded.notice(false).unwrap();
        assert!(kept.contains("not valid JSON") && left.contains("not valid JSON"));
        assert!(left.contains("left as it was") && left.contains(STORAGE_KEY), "{left}");
        assert!(!left.contains(SET_ASIDE_KEY), "{left}");
    }
}
