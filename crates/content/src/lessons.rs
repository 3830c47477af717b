//! Lesson loading: TOML front matter, Markdown to HTML, widget directives, all checked with file and line.
//!
//! Implementation note: the result is the core's lesson model
//! (`interleave_core::learning::lesson`), so what is checked here is exactly what the app shows.
//! A widget directive names one of `Widget::ALL`; an explorer's argument must name one of its
//! built-in programs.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use interleave_core::explorer::programs::builtin;
pub use interleave_core::learning::lesson::{Block, Heading, Lesson, Section, Widget};
use serde::Deserialize;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::error::{err, sorted, Error};
use crate::rules::{code_language, code_language_tags, valid_id, ID_RULE};
use crate::source::{key_line, line_of, read_folder};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    slug: String,
    order: u32,
    summary: String,
    objectives: Vec<String>,
}

/// An internal link found in a body, checked once every lesson is known.
#[derive(Debug, Clone)]
struct LessonLink {
    line: usize,
    slug: String,
    anchor: Option<String>,
}

/// Turns heading text into an anchor: lowercase, spaces to `-`, other punctuation dropped.
pub fn anchor_id(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Parses one lesson file. Links to other lessons are checked by [`load_all`].
pub fn parse_lesson(file: &str, source: &str) -> Result<Lesson, Error> {
    let (lesson, _) = parse_with_links(file, source)?;
    Ok(lesson)
}

fn parse_with_links(file: &str, source: &str) -> Result<(Lesson, Vec<LessonLink>), Error> {
    let source = source.replace("\r\n", "\n");
    let mut lines = source.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("+++") {
        return Err(err(file, 1, "a lesson must start with a `+++` line opening its TOML front matter"));
    }
    let open_len = source.find('\n').map_or(source.len(), |i| i + 1);
    let rest = &source[open_len..];
    let close = rest
        .split_inclusive('\n')
        .scan(0usize, |pos, l| {
            let start = *pos;
            *pos += l.len();
            Some((start, l))
        })
        .find(|(_, l)| l.trim_end() == "+++")
        .map(|(start, _)| start)
        .ok_or_else(|| err(file, 1, "the front matter opened on this line is never closed by a `+++` line"))?;
    let front = &rest[..close];
    let front_line = 2;
    let meta: FrontMatter = toml::from_str(front).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(front, s.start) - 1);
        err(file, front_line + line, format!("front matter: {}", e.message()))
    })?;
    let field_line = |key: &str| front_line - 1 + key_line(front, 1, key);
    if meta.title.trim().is_empty() {
        return Err(err(file, field_line("title"), "`title` is empty"));
    }
    if !valid_id(&meta.slug) {
        return Err(err(file, field_line("slug"), format!("`slug` \"{}\" must be {ID_RULE}", meta.slug)));
    }
    if meta.summary.trim().is_empty() {
        return Err(err(file, field_line("summary"), "`summary` is empty"));
    }
    if meta.objectives.is_empty() || meta.objectives.iter().any(|o| o.trim().is_empty()) {
        return Err(err(file, field_line("objectives"), "`objectives` needs at least one non-empty entry"));
    }
    let body_start = open_len + close + rest[close..].find('\n').map_or(rest.len() - close, |i| i + 1);
    let body = &source[body_start.min(source.len())..];
    let body_line = line_of(&source, body_start.min(source.len()));

    let mut out = Body::default();
    let mut segment = String::new();
    let mut segment_line = body_line;
    let mut in_fence = false;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        let n = body_line + i;
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if !in_fence && trimmed.contains("{{#") {
            let inner = trimmed
                .strip_prefix("{{#widget ")
                .and_then(|r| r.strip_suffix("}}"))
                .map(str::trim)
                .ok_or_else(|| err(file, n, "a directive must be a line of its own: `{{#widget NAME}}` or `{{#widget NAME ARG}}`"))?;
            let (name, arg) = match inner.split_once(char::is_whitespace) {
                Some((name, arg)) => (name, Some(arg.trim().to_string())),
                None => (inner, None),
            };
            let Some(widget) = Widget::from_name(name) else {
                let known: Vec<&str> = Widget::ALL.iter().map(|w| w.name()).collect();
                return Err(err(file, n, format!("unknown widget `{name}` (known: {})", known.join(", "))));
            };
            match (widget, &arg) {
                (Widget::Explorer, Some(program)) if builtin(program).is_none() => {
                    return Err(err(file, n, format!("the explorer has no built-in program `{program}`")));
                }
                (Widget::Explorer, _) | (_, None) => {}
                (_, Some(extra)) => {
                    return Err(err(file, n, format!("the `{name}` widget takes no argument, found `{extra}`")));
                }
            }
            out.render(file, &segment, segment_line)?;
            out.blocks.push(Block::Widget { widget, arg });
            segment.clear();
            segment_line = n + 1;
        } else {
            segment.push_str(line);
        }
    }
    out.render(file, &segment, segment_line)?;

    let lesson = Lesson {
        file: file.to_string(),
        title: meta.title,
        slug: meta.slug,
        order: meta.order,
        summary: meta.summary,
        objectives: meta.objectives,
        blocks: out.blocks,
        headings: out.headings,
        sections: out.sections,
    };
    Ok((lesson, out.links))
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Highlights `code` as `lang` into HTML spans with `hl-` classes (the stylesheet colours them).
pub fn highlight(code: &str, lang: &str) -> String {
    let set = syntaxes();
    let Some(syntax) = set.find_syntax_by_token(lang).filter(|_| lang != "text") else {
        return escape_html(code);
    };
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, set, ClassStyle::SpacedPrefixed { prefix: "hl-" });
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return escape_html(code);
        }
    }
    generator.finalize()
}

/// `text` with `<`, `>`, `&` and `"` escaped, for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// What the body's segments add up to, as they are rendered one by one.
#[derive(Default)]
struct Body {
    blocks: Vec<Block>,
    headings: Vec<Heading>,
    sections: Vec<Section>,
    links: Vec<LessonLink>,
    seen_ids: HashSet<String>,
}

impl Body {
    fn section_text(&mut self) -> &mut String {
        if self.sections.is_empty() {
            self.sections.push(Section { id: String::new(), heading: String::new(), text: String::new() });
        }
        &mut self.sections.last_mut().expect("just ensured").text
    }

    fn push_text(&mut self, t: &str) {
        self.section_text().push_str(t);
    }

    fn push_break(&mut self, c: char) {
        self.section_text().push(c);
    }

    fn render(&mut self, file: &str, segment: &str, first_line: usize) -> Result<(), Error> {
        if segment.trim().is_empty() {
            return Ok(());
        }
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let mut events: Vec<(Event, usize)> = Parser::new_ext(segment, options)
            .into_offset_iter()
            .map(|(e, r)| (e, first_line + line_of(segment, r.start) - 1))
            .collect();
        let mut html_events: Vec<Event> = Vec::with_capacity(events.len());
        let mut in_heading = false;
        let mut i = 0;
        while i < events.len() {
            let line = events[i].1;
            match &events[i].0 {
                Event::Html(_) | Event::InlineHtml(_) => {
                    return Err(err(file, line, "raw HTML is not allowed in lessons; use Markdown or a widget"));
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    in_heading = true;
                    let level = *level;
                    let mut heading_text = String::new();
                    for (e, _) in &events[i + 1..] {
                        match e {
                            Event::End(TagEnd::Heading(_)) => break,
                            Event::Text(t) | Event::Code(t) => heading_text.push_str(t),
                            _ => {}
                        }
                    }
                    if level == HeadingLevel::H1 {
                        return Err(err(file, line, "use `##` and below: the page shows the title as its only `#` heading"));
                    }
                    let id = anchor_id(&heading_text);
                    if id.is_empty() || !self.seen_ids.insert(id.clone()) {
                        return Err(err(
                            file,
                            line,
                            format!("heading \"{heading_text}\" gives a duplicate or empty anchor `#{id}`"),
                        ));
                    }
                    self.headings.push(Heading { level: level as u8, id: id.clone(), text: heading_text.clone() });
                    if level == HeadingLevel::H2 {
                        self.sections.push(Section { id: id.clone(), heading: heading_text, text: String::new() });
                    }
                    if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i].0 {
                        *slot = Some(CowStr::from(id));
                    }
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                        CodeBlockKind::Indented => String::new(),
                    };
                    let Some(label) = code_language(&lang) else {
                        return Err(err(
                            file,
                            line,
                            format!("code block needs a language tag, one of {} (found `{lang}`)", code_language_tags()),
                        ));
                    };
                    let mut code = String::new();
                    i += 1;
                    while i < events.len() {
                        match &events[i].0 {
                            Event::End(TagEnd::CodeBlock) => break,
                            Event::Text(t) => code.push_str(t),
                            _ => {}
                        }
                        i += 1;
                    }
                    self.push_text(&code);
                    self.push_break('\n');
                    let label_attr = if label.is_empty() { String::new() } else { format!(" data-lang=\"{label}\"") };
                    html_events.push(Event::Html(CowStr::from(format!(
                        "<pre class=\"code\" tabindex=\"0\"{label_attr}><code class=\"language-{lang}\">{}</code></pre>\n",
                        highlight(&code, &lang)
                    ))));
                    i += 1;
                    continue;
                }
                Event::Start(Tag::Table(_)) => html_events.push(Event::Html(CowStr::from("<div class=\"table-wrap\" tabindex=\"0\">"))),
                Event::Start(Tag::Link { dest_url, .. }) => {
                    if let Some(rest) = dest_url.strip_prefix("/lessons/") {
                        let (slug, anchor) = match rest.split_once('#') {
                            Some((s, a)) => (s.to_string(), Some(a.to_string())),
                            None => (rest.to_string(), None),
                        };
                        self.links.push(LessonLink { line, slug, anchor });
                    } else if dest_url.starts_with('/') && !dest_url.starts_with("//") && dest_url.as_ref() != "/" {
                        return Err(err(file, line, format!("internal link `{dest_url}` must point to /lessons/<slug>")));
                    }
                }
                Event::Text(t) | Event::Code(t) => {
                    let t = t.to_string();
                    if !in_heading {
                        self.push_text(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => in_heading = false,
                Event::SoftBreak | Event::HardBreak => self.push_break(' '),
                Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => self.push_break('\n'),
                _ => {}
            }
            let closes_table = matches!(events[i].0, Event::End(TagEnd::Table));
            html_events.push(events[i].0.clone());
            if closes_table {
                html_events.push(Event::Html(CowStr::from("</div>")));
            }
            i += 1;
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, html_events.into_iter());
        self.blocks.push(Block::Html(html));
        Ok(())
    }
}

/// Loads every lesson, checking each file and then the whole set: unique slugs and orders, and
/// links to lessons and sections that exist. Returns the lessons sorted by `order`, or every
/// error found.
pub fn load_all(sources: &[(String, String)]) -> Result<Vec<Lesson>, Vec<Error>> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (file, text) in sources {
        match parse_with_links(file, text) {
            Ok(ok) => parsed.push(ok),
            Err(e) => errors.push(e),
        }
    }
    let line_of_key = |file: &str, key: &str| {
        key_line(sources.iter().find(|(f, _)| f == file).map_or("", |(_, text)| text.as_str()), 1, key)
    };
    let mut slugs: BTreeMap<&str, &Lesson> = BTreeMap::new();
    let mut orders: BTreeMap<u32, &Lesson> = BTreeMap::new();
    for (lesson, _) in &parsed {
        if let Some(other) = slugs.insert(&lesson.slug, lesson) {
            let line = line_of_key(&lesson.file, "slug");
            errors.push(err(&lesson.file, line, format!("slug `{}` is already used by {}", lesson.slug, other.file)));
        }
        if let Some(other) = orders.insert(lesson.order, lesson) {
            let line = line_of_key(&lesson.file, "order");
            errors.push(err(&lesson.file, line, format!("order {} is already used by {}", lesson.order, other.file)));
        }
    }
    for (lesson, links) in &parsed {
        for link in links {
            match slugs.get(link.slug.as_str()) {
                None => errors.push(err(&lesson.file, link.line, format!("link to unknown lesson `/lessons/{}`", link.slug))),
                Some(target) => {
                    if let Some(anchor) = &link.anchor {
                        if !target.headings.iter().any(|h| &h.id == anchor) {
                            errors.push(err(
                                &lesson.file,
                                link.line,
                                format!("link to unknown section `#{anchor}` of lesson `{}`", link.slug),
                            ));
                        }
                    }
                }
            }
        }
    }
    sorted(errors)?;
    let mut lessons: Vec<Lesson> = parsed.into_iter().map(|(l, _)| l).collect();
    lessons.sort_by_key(|l| l.order);
    Ok(lessons)
}

/// Reads every `*.md` file of a folder (sorted by name) and loads them with [`load_all`].
pub fn load_dir(dir: &Path) -> Result<Vec<Lesson>, Vec<Error>> {
    load_all(&read_folder(dir, "md")?)
}
