//! The learner's saved progress: one versioned record, migrated when old, set aside when corrupt.
//!
//! Implementation note: the record is stored as JSON under [`STORAGE_KEY`]. Reading never fails:
//! a record that cannot be understood is handed back in [`Loaded::set_aside`] so the caller can
//! keep it under [`SET_ASIDE_KEY`] (nothing the learner had is deleted), and the learner gets a
//! fresh record and a plain-words [`Loaded::notice`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::review::Review;

/// Where the record lives in local storage.
pub const STORAGE_KEY: &str = "interleave.progress";
/// Where an unreadable record is kept.
pub const SET_ASIDE_KEY: &str = "interleave.progress.set-aside";
/// The version this code writes. Version 1 (lessons read and challenges solved only) is migrated.
pub const VERSION: u32 = 2;

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
    /// Option indices picked.
    pub picked: BTreeSet<usize>,
    /// Whether it was right.
    pub correct: bool,
}

/// Everything the site remembers about one learner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
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
}

/// Version 1 of the record, as older builds wrote it.
#[derive(Deserialize)]
struct RecordV1 {
    #[serde(default)]
    lessons_read: BTreeSet<String>,
    #[serde(default)]
    challenges_solved: BTreeSet<String>,
}

impl From<RecordV1> for Record {
    fn from(old: RecordV1) -> Self {
        Record { lessons_read: old.lessons_read, challenges_solved: old.challenges_solved, ..Record::default() }
    }
}

impl Default for Record {
    fn default() -> Self {
        Self {
            version: VERSION,
            lessons_read: BTreeSet::new(),
            challenges_solved: BTreeSet::new(),
            answers: BTreeMap::new(),
            review: Review::default(),
            theme: Theme::default(),
        }
    }
}

/// The outcome of reading a stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The record to use.
    pub record: Record,
    /// Text to keep under [`SET_ASIDE_KEY`], when the stored one was unreadable.
    pub set_aside: Option<String>,
    /// What to tell the learner, if anything.
    pub notice: Option<String>,
}

impl Record {
    /// Reads what local storage held under [`STORAGE_KEY`] (`None`: nothing yet).
    pub fn load(stored: Option<&str>) -> Loaded {
        let fresh = |why: &str, raw: &str| Loaded {
            record: Record::default(),
            set_aside: Some(raw.to_string()),
            notice: Some(format!(
                "Your saved progress could not be read ({why}), so it was set aside, kept in this \
                 browser under “{SET_ASIDE_KEY}”, and a fresh record was started."
            )),
        };
        let Some(raw) = stored else {
            return Loaded { record: Record::default(), set_aside: None, notice: None };
        };
        let value: serde_json::Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(_) => return fresh("it is not valid JSON", raw),
        };
        let version = value.get("version").and_then(|v| v.as_u64());
        match version {
            Some(v) if v == u64::from(VERSION) => match serde_json::from_value::<Record>(value) {
                Ok(record) => Loaded { record, set_aside: None, notice: None },
                Err(e) => fresh(&format!("a field is malformed: {e}"), raw),
            },
            Some(1) => match serde_json::from_value::<RecordV1>(value) {
                Ok(old) => Loaded { record: old.into(), set_aside: None, notice: None },
                Err(e) => fresh(&format!("a field is malformed: {e}"), raw),
            },
            Some(v) if v > u64::from(VERSION) => fresh(&format!("it was written by a newer version, {v}"), raw),
            _ => fresh("it is not an Interleave progress record", raw),
        }
    }

    /// Reads a record the learner imports from a file: it must be a whole, readable record
    /// (an older version is migrated); anything else is refused with the reason, and nothing
    /// is changed.
    pub fn import(text: &str) -> Result<Record, String> {
        let loaded = Record::load(Some(text));
        match loaded.notice {
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
        let loaded = Record::load(None);
        assert_eq!(loaded.record, Record::default());
        assert!(loaded.notice.is_none() && loaded.set_aside.is_none());
    }

    // A version-1 record is migrated: what it held is kept, the new parts start empty.
    #[test]
    fn version_one_is_migrated() {
        let loaded = Record::load(Some(r#"{"version":1,"lessons_read":["race-conditions"],"challenges_solved":["deadlock"]}"#));
        assert!(loaded.notice.is_none() && loaded.set_aside.is_none());
        assert_eq!(loaded.record.version, VERSION);
        assert!(loaded.record.lessons_read.contains("race-conditions"));
        assert!(loaded.record.challenges_solved.contains("deadlock"));
        assert!(loaded.record.answers.is_empty());
    }

    // Import takes a whole record (migrating an old one) and refuses anything else with a reason.
    #[test]
    fn import_validates() {
        let mut r = Record::default();
        r.lessons_read.insert("message-passing".into());
        r.theme = Theme::Dark;
        assert_eq!(Record::import(&r.to_json()), Ok(r));
        assert!(Record::import(r#"{"version":1}"#).is_ok());
        assert!(Record::import("hello").unwrap_err().contains("not JSON"));
        assert!(Record::import("{}").unwrap_err().contains("not an Interleave progress file"));
        assert!(Record::import(r#"{"version":7}"#).unwrap_err().contains("newer version"));
        assert!(Record::import(r#"{"version":2,"answers":3}"#).unwrap_err().contains("damaged"));
    }

    // A record round-trips through its JSON.
    #[test]
    fn round_trip() {
        let mut r = Record::default();
        r.lessons_read.insert("race-conditions".into());
        assert_eq!(Record::load(Some(&r.to_json())).record, r);
    }

    // Garbage, a foreign object, a newer version and a malformed field are set aside, kept whole.
    #[test]
    fn corrupt_records_are_set_aside() {
        for raw in ["{not json", "[1,2]", r#"{"theme":"dark"}"#, r#"{"version":99}"#, r#"{"version":2,"lessons_read":7}"#, r#"{"version":1,"lessons_read":7}"#] {
            let loaded = Record::load(Some(raw));
            assert_eq!(loaded.record, Record::default(), "{raw}");
            assert_eq!(loaded.set_aside.as_deref(), Some(raw));
            assert!(loaded.notice.unwrap().contains(SET_ASIDE_KEY));
        }
    }
}
