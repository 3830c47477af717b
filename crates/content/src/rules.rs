//! Rules lessons and quizzes share: what an id (or slug) may be, and the languages code may be
//! written in.

/// What an id or slug may be made of, as error messages say it.
pub const ID_RULE: &str = "lowercase letters, digits and inner dashes";

/// Whether `id` follows [`ID_RULE`]: a lesson slug, a question id or an option id.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// The languages a lesson's code block or a question's `code` may be written in: the tag
/// written in the file, and the name a lesson's code block shows (none for plain text).
pub const CODE_LANGUAGES: &[(&str, &str)] =
    &[("python", "Python"), ("go", "Go"), ("rust", "Rust"), ("javascript", "JavaScript"), ("text", "")];

/// The name shown for the code language tagged `tag`, if it is one of [`CODE_LANGUAGES`].
pub fn code_language(tag: &str) -> Option<&'static str> {
    CODE_LANGUAGES.iter().find(|(t, _)| *t == tag).map(|(_, label)| *label)
}

/// The tags of [`CODE_LANGUAGES`], for error messages: `python, go, …`.
pub fn code_language_tags() -> String {
    CODE_LANGUAGES.iter().map(|(t, _)| *t).collect::<Vec<_>>().join(", ")
}
