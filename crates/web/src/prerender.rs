//! The prerenderer: every page of the site rendered to static HTML by the app's own views (Yew's
//! server renderer), written into the built site with the content files the browser loads.
//!
//! Implementation note: each page is the page template Trunk wrote (`index.html`, with its
//! hashed scripts and styles) with the page's title, description and HTML filled in. Pages are
//! laid out as folders (`lessons/<slug>/index.html`) plus `404.html`, so that every address works
//! on a static host without rewrites. The browser hydrates the HTML only on the page it was
//! rendered for (`data-path` on `#app`); anywhere else, such as `404.html` served for an unknown
//! address, it renders afresh.

use std::fmt::Write as _;
use std::path::Path;

use yew::ServerRenderer;
use yew_router::Routable;

use crate::app::{Route, ServerApp, ServerAppProps};
use crate::content::{self, lesson_path, QUIZZES_PATH};
use interleave_content::lessons::escape_html;
use interleave_core::learning::Content;

/// The element the app lives in, as the page template has it.
const APP_SLOT: &str = r#"<div id="app"></div>"#;

/// One page to write.
struct Page {
    /// Its address.
    path: String,
    /// Its file, relative to the site's folder.
    file: String,
}

impl Page {
    fn new(route: &Route) -> Self {
        let path = route.to_path();
        let file = match route {
            Route::Home => "index.html".to_string(),
            Route::NotFound => "404.html".to_string(),
            _ => format!("{}/index.html", path.trim_start_matches('/')),
        };
        Page { path, file }
    }
}

/// The content the app was built with (all of it: the server renders every page).
pub fn content() -> Content {
    serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/content.json"))).expect("build.rs wrote the content it checked")
}

/// Every route of the site, in a fixed order.
fn routes() -> Vec<Route> {
    let catalog = content::catalog();
    let mut routes = vec![Route::Home];
    routes.extend(catalog.lessons.iter().map(|l| Route::Lesson { slug: l.slug.clone() }));
    routes.extend(catalog.quizzes.iter().map(|q| Route::Quiz { id: q.lesson.clone() }));
    routes.extend([Route::Search, Route::Review, Route::NotFound]);
    routes
}

/// The app's HTML at `path`, as the browser will hydrate it.
pub async fn render(path: &str) -> String {
    let path = path.to_string();
    ServerRenderer::<ServerApp>::with_props(move || ServerAppProps { path }).render().await
}

/// What a page says in search results and link previews.
fn description(route: &Route) -> Option<String> {
    let catalog = content::catalog();
    match route {
        Route::Lesson { slug } => catalog.lesson(slug).map(|l| l.summary.clone()),
        Route::Quiz { id } => catalog.quiz(id).map(|q| format!("{} questions, each answer explained: {}.", q.questions, q.title)),
        _ => None,
    }
}

/// Without JavaScript the page can be read, but not everything works: what to tell the reader.
fn without_javascript(route: &Route) -> &'static str {
    match route {
        Route::Quiz { .. } | Route::Review => {
            "Checking answers needs JavaScript: the questions are shown here as text. Turn JavaScript on to answer them, one at a time, each answer explained."
        }
        Route::Search => "Search needs JavaScript. Every lesson is linked from the lesson map.",
        _ => "The text reads in full without JavaScript; the live experiments need it (and WebAssembly).",
    }
}

/// The page template filled in for `route`: its title, description, the content the browser
/// will load before hydrating, a note for readers without JavaScript, and the app's HTML.
fn fill(template: &str, route: &Route, app_html: &str) -> Result<String, String> {
    let mut template = template.to_string();
    if let Some(text) = description(route) {
        let marker = r#"<meta name="description" content=""#;
        let at = template.find(marker).ok_or("the page template has no <meta name=\"description\">")? + marker.len();
        let end = template[at..].find('"').map(|e| at + e).ok_or("the page template's description is not closed")?;
        template.replace_range(at..end, &escape_html(&text));
    }
    let (title_start, title_end) = match (template.find("<title>"), template.find("</title>")) {
        (Some(a), Some(b)) if a < b => (a, b + "</title>".len()),
        _ => return Err("the page template has no <title>".into()),
    };
    let mut page = String::with_capacity(template.len() + app_html.len() + 512);
    page.push_str(&template[..title_start]);
    write!(page, "<title>{}</title>", escape_html(&route.title())).expect("writing to a String");
    let mut rest = template[title_end..].to_string();
    let preload: String = route
        .needs()
        .iter()
        .flat_map(|need| match need {
            content::Need::Lesson(slug) if content::catalog().lesson(slug).is_some() => vec![lesson_path(slug)],
            content::Need::Lesson(_) => Vec::new(),
            content::Need::Lessons => content::catalog().lessons.iter().map(|l| lesson_path(&l.slug)).collect(),
            content::Need::Quizzes => vec![QUIZZES_PATH.to_string()],
        })
        .map(|path| format!(r#"<link rel="preload" href="/{path}" as="fetch" type="application/json" crossorigin="anonymous" />"#))
        .collect();
    let head_end = rest.find("</head>").ok_or("the page template has no </head>")?;
    rest.insert_str(head_end, &preload);
    let slot = format!(
        r#"<noscript><p class="noscript-note">{}</p></noscript><div id="app" data-path="{}">{app_html}</div>"#,
        escape_html(without_javascript(route)),
        escape_html(&route.to_path())
    );
    page.push_str(&rest.replacen(APP_SLOT, &slot, 1));
    Ok(page)
}

/// The page template with the module's preload link turned into `<meta name="wasm-integrity">`:
/// the loader (`pattern_script` in `Trunk.toml`) fetches the module after the first paint, with
/// the hash Trunk wrote, instead of the browser fetching it while the page is still loading.
fn without_module_preload(template: &str) -> Result<String, String> {
    let link = template
        .match_indices("<link rel=\"preload\"")
        .map(|(at, _)| (at, at + template[at..].find('>').map_or(template.len() - at, |e| e + 1)))
        .find(|&(a, b)| template[a..b].contains("application/wasm"))
        .ok_or("the page template has no preload link of the module (has Trunk's output changed?)")?;
    let tag = &template[link.0..link.1];
    let integrity = tag
        .split("integrity=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the module's preload link has no integrity hash")?;
    Ok(format!("{}<meta name=\"wasm-integrity\" content=\"{integrity}\">{}", &template[..link.0], &template[link.1..]))
}

/// Writes every page and content file into the built site in `dist`; returns what it wrote.
pub async fn write_site(dist: &Path) -> Result<Vec<String>, String> {
    let template_path = dist.join("index.html");
    let template = std::fs::read_to_string(&template_path).map_err(|e| format!("{}: {e} (build the site first)", template_path.display()))?;
    if !template.contains(APP_SLOT) {
        return Err(format!("{} has no {APP_SLOT}: was it prerendered already? Build the site again first", template_path.display()));
    }
    let template = without_module_preload(&template)?;
    let content = self::content();
    let mut written = Vec::new();
    let mut write = |file: String, text: &str| -> Result<(), String> {
        let path = dist.join(&file);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(file);
        Ok(())
    };
    for lesson in &content.lessons {
        write(lesson_path(&lesson.slug), &serde_json::to_string(lesson).map_err(|e| e.to_string())?)?;
    }
    write(QUIZZES_PATH.to_string(), &serde_json::to_string(&content.quizzes).map_err(|e| e.to_string())?)?;
    content::install(content);
    for route in routes() {
        let page = Page::new(&route);
        let html = fill(&template, &route, &render(&page.path).await)?;
        write(page.file, &html)?;
    }
    Ok(written)
}
