//! The learner's saved progress: one versioned record, migrated when old, set aside when corrupt.
//!
//! Implementation note: the record is stored as JSON under [`STORAGE_KEY`]. Reading never fails:
//! a record that cannot be understood is handed back in [`Loaded::set_aside`] so the caller can
//! keep it under [`SET_ASIDE_KEY`] (nothing the learner had is deleted), and the learner gets a
//! fresh record and a plain-words [`Loaded::notice`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Where the record lives in local storage.
pub const STORAGE_KEY: &str = "interleave.progress";
/// Where an unreadable record is kept.
pub const SET_ASIDE_KEY: &str = "interleave.progress.set-aside";
/// The version this code writes.
pub const VERSION: u32 = 1;

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
}

impl Default for Record {
    fn default() -> Self {
        Self { version: VERSION, lessons_read: BTreeSet::new(), challenges_solved: BTreeSet::new() }
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
            Some(v) if v > u64::from(VERSION) => fresh(&format!("it was written by a newer version, {v}"), raw),
            _ => fresh("it is not an Interleave progress record", raw),
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
        for raw in ["{not json", "[1,2]", r#"{"theme":"dark"}"#, r#"{"version":99}"#, r#"{"version":1,"lessons_read":7}"#] {
            let loaded = Record::load(Some(raw));
            assert_eq!(loaded.record, Record::default(), "{raw}");
            assert_eq!(loaded.set_aside.as_deref(), Some(raw));
            assert!(loaded.notice.unwrap().contains(SET_ASIDE_KEY));
        }
    }
}
