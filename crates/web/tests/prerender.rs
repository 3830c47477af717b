//! The prerenderer, natively: every page is written where a static host looks for it, with its
//! own title and description and its full text, and the module's hash moves into a meta tag; a
//! template it cannot fill is refused with a reason.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use interleave_web::prerender::{content, write_site};

const TEMPLATE: &str = r#"<!doctype html><html><head><meta name="description" content="home" /><title>x</title>
<link rel="preload" href="/m_bg.wasm" crossorigin="anonymous" integrity="sha384-abc" as="fetch" type="application/wasm">
</head><body><div id="app"></div></body></html>"#;

/// A fresh folder holding `index.html` with `template`.
fn site_with(name: &str, template: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("interleave-prerender-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), template).unwrap();
    dir
}

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    futures::executor::block_on(f)
}

#[test]
fn every_page_is_written_with_its_content() {
    let dir = site_with("pages", TEMPLATE);
    let written = block_on(write_site(&dir)).unwrap();
    let content = content();
    for lesson in &content.lessons {
        let file = format!("lessons/{}/index.html", lesson.slug);
        assert!(written.contains(&file), "{file} not written");
        let html = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(html.contains(&format!("<title>{} · Interleave</title>", lesson.title)), "{file}: title");
        assert!(html.contains(&format!("<h1>{}</h1>", lesson.title)), "{file}: h1");
        assert!(html.contains(&format!(r#"data-path="/lessons/{}""#, lesson.slug)), "{file}: data-path");
        for heading in lesson.headings.iter().filter(|h| h.level == 2) {
            assert!(html.contains(&format!(r#"id="{}""#, heading.id)), "{file}: heading {}", heading.id);
        }
        // The module's preload became a meta tag carrying Trunk's hash; the content is preloaded.
        assert!(html.contains(r#"<meta name="wasm-integrity" content="sha384-abc">"#), "{file}: integrity");
        assert!(!html.contains("application/wasm"), "{file}: the module is still preloaded");
        assert!(html.contains(&format!(r#"href="/content/lessons/{}.json""#, lesson.slug)), "{file}: content preload");
        let body: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join(format!("content/lessons/{}.json", lesson.slug))).unwrap()).unwrap();
        assert_eq!(body["title"], lesson.title.as_str());
    }
    for page in ["index.html", "404.html", "search/index.html", "review/index.html", "quiz/final/index.html", "content/quizzes.json"] {
        assert!(written.iter().any(|w| w == page), "{page} not written");
    }
    let not_found = std::fs::read_to_string(dir.join("404.html")).unwrap();
    assert!(not_found.contains("This page does not exist"));
    let quiz = std::fs::read_to_string(dir.join("quiz/race-conditions/index.html")).unwrap();
    assert!(quiz.contains("Checking answers needs JavaScript"));
    assert!(quiz.contains(r#"class="question static""#));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_template_it_cannot_fill_is_refused() {
    // Already prerendered: no empty app element to fill.
    let dir = site_with("filled", &TEMPLATE.replace(r#"<div id="app"></div>"#, r#"<div id="app">x</div>"#));
    let e = block_on(write_site(&dir)).unwrap_err();
    assert!(e.contains("was it prerendered already"), "{e}");
    // No preload link of the module: the loader would have no hash to check.
    let dir2 = site_with("nopreload", &TEMPLATE.replace("application/wasm", "text/plain"));
    let e = block_on(write_site(&dir2)).unwrap_err();
    assert!(e.contains("no preload link of the module"), "{e}");
    for d in [dir, dir2] {
        std::fs::remove_dir_all(d).unwrap();
    }
}
