//! Offline search over the lessons: each section's plain text, written when the site is built.

use crate::learning::lesson::Lesson;

/// One section that matches a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit<'a> {
    /// Lesson slug.
    pub slug: &'a str,
    /// Lesson title.
    pub title: &'a str,
    /// Section anchor ("" for the lesson's opening).
    pub section: &'a str,
    /// Section heading ("" for the lesson's opening).
    pub heading: &'a str,
    /// A short excerpt around the first match.
    pub snippet: String,
    /// Higher is better.
    pub score: usize,
}

/// Whether `c` belongs to a word, for the search (so `sync/atomic`, `notify_all` and `x86-64`
/// are one word each).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '/' || c == '-' || c == '_'
}

fn terms(query: &str) -> Vec<String> {
    query
        .split(|c: char| !is_word(c))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !is_word(c))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Sections whose words include every term of `query` (as word prefixes), best first.
pub fn search<'a>(lessons: impl IntoIterator<Item = &'a Lesson>, query: &str, max: usize) -> Vec<Hit<'a>> {
    let terms = terms(query);
    if terms.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for lesson in lessons {
        for section in &lesson.sections {
            let heading_words: Vec<String> = words(&section.heading).chain(words(&lesson.title)).collect();
            let body_words: Vec<String> = words(&section.text).collect();
            let mut score = 0;
            let all = terms.iter().all(|t| {
                let in_body = body_words.iter().filter(|w| w.starts_with(t.as_str())).count();
                let in_heading = heading_words.iter().filter(|w| w.starts_with(t.as_str())).count();
                score += in_body + 5 * in_heading;
                in_body + in_heading > 0
            });
            if all {
                hits.push(Hit {
                    slug: &lesson.slug,
                    title: &lesson.title,
                    section: &section.id,
                    heading: &section.heading,
                    snippet: snippet(&section.text, &terms[0]),
                    score,
                });
            }
        }
    }
    hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.slug.cmp(b.slug)));
    hits.truncate(max);
    hits
}

/// `text` cut into runs, in order, each marked when it is a word that a term of `query` begins
/// (the words [`search`] matched), for the results page to highlight.
pub fn highlight<'t>(text: &'t str, query: &str) -> Vec<(&'t str, bool)> {
    let terms = terms(query);
    let mut runs = Vec::new();
    // `plain`: where the run of unmarked text now being gathered began.
    let (mut at, mut plain) = (0, 0);
    while at < text.len() {
        let rest = &text[at..];
        let word = rest.starts_with(is_word);
        let len = if word { rest.find(|c: char| !is_word(c)) } else { rest.find(is_word) }.unwrap_or(rest.len());
        if word && {
            let lower = rest[..len].to_lowercase();
            terms.iter().any(|t| lower.starts_with(t.as_str()))
        } {
            if plain < at {
                runs.push((&text[plain..at], false));
            }
            runs.push((&text[at..at + len], true));
            plain = at + len;
        }
        at += len;
    }
    if plain < text.len() {
        runs.push((&text[plain..], false));
    }
    runs
}

/// About 160 characters of `text` around the first occurrence of `term`, on word boundaries.
fn snippet(text: &str, term: &str) -> String {
    let lower = text.to_lowercase();
    let at = lower.find(term).filter(|_| lower.len() == text.len()).unwrap_or(0);
    let mut start = at.saturating_sub(60);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    if start > 0 {
        start = text[start..].find(' ').map_or(start, |i| start + i + 1);
    }
    let mut end = (start + 160).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    if end < text.len() {
        end = text[..end].rfind(' ').unwrap_or(end);
    }
    let body = text[start..end].split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}{}{}", if start > 0 { "…" } else { "" }, body, if end < text.len() { "…" } else { "" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learning::lesson::Section;

    fn fixture() -> Vec<Lesson> {
        let section = |id: &str, heading: &str, text: &str| Section { id: id.into(), heading: heading.into(), text: text.into() };
        vec![Lesson {
            file: "fixture.md".into(),
            title: "Fixture".into(),
            slug: "fixture".into(),
            order: 1,
            summary: String::new(),
            objectives: vec![],
            blocks: vec![],
            headings: vec![],
            sections: vec![
                section("", "", "An opening about baristas and orders."),
                section("locks", "Locks", "A mutex guards shared state; a semaphore counts permits."),
            ],
        }]
    }

    // Every term must match (as a word prefix), in body or heading; the section is named.
    #[test]
    fn all_terms_as_prefixes() {
        let lessons = fixture();
        let hits = search(&lessons, "Mutex sema", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].slug, hits[0].section), ("fixture", "locks"));
        assert!(hits[0].snippet.contains("mutex"));
        assert!(search(&lessons, "mutex barista", 10).is_empty());
        assert!(search(&lessons, "  ", 10).is_empty());
        assert_eq!(search(&lessons, "barista", 10)[0].section, "");
    }

    // The words a query's terms begin are marked, whatever their case; the rest is kept as it is,
    // in as few runs as can be.
    #[test]
    fn highlights() {
        assert_eq!(
            highlight("A mutex guards; Mutexes too (mute).", "mutex"),
            [("A ", false), ("mutex", true), (" guards; ", false), ("Mutexes", true), (" too (mute).", false)]
        );
        assert_eq!(highlight("fence, fences: memory fence", "fence mem"), [("fence", true), (", ", false), ("fences", true), (": ", false), ("memory", true), (" ", false), ("fence", true)]);
        assert_eq!(highlight("nothing here", "mutex"), [("nothing here", false)]);
        assert_eq!(highlight("Ünïcode wörds", "wö"), [("Ünïcode ", false), ("wörds", true)]);
        assert!(highlight("", "x").is_empty());
        let text = "It was the best of times";
        assert_eq!(highlight(text, "be of").iter().map(|r| r.0).collect::<String>(), text);
    }

    // Snippets cut on word boundaries and mark what was cut.
    #[test]
    fn snippets() {
        let text = "word ".repeat(100) + "needle " + &"tail ".repeat(100);
        let s = snippet(&text, "needle");
        assert!(s.starts_with('…') && s.ends_with('…') && s.contains("needle"));
        assert!(s.chars().count() <= 165);
    }
}
