//! The lesson loader: every shipped lesson loads, and each kind of broken lesson is refused
//! with its file and line.

use std::path::{Path, PathBuf};

use interleave_content::lessons::{load_all, load_dir, parse_lesson, Block, Widget};
use interleave_content::{report, Error};

/// The shipped `lessons/` folder, at the top of the workspace.
fn shipped_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons")
}

fn fixture(name: &str) -> (String, String) {
    let path = format!("tests/fixtures/lessons/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

fn first_error(name: &str) -> Error {
    let (path, text) = fixture(name);
    parse_lesson(&path, &text).expect_err("the fixture is broken on purpose")
}

/// The fixture is refused at `line`, with each of `words` in the message.
fn refused_at(name: &str, line: usize, words: &[&str]) {
    let e = first_error(name);
    assert_eq!(e.line, line, "{e}");
    for w in words {
        assert!(e.message.contains(w), "{e}");
    }
}

// Every lesson shipped under lessons/ loads, in order 1..=N, with objectives and text.
#[test]
fn shipped_lessons_load() {
    let lessons = load_dir(&shipped_dir()).unwrap_or_else(|errs| panic!("{}", report(&errs)));
    assert!(lessons.len() >= 8, "the curriculum has eight lessons");
    for (i, l) in lessons.iter().enumerate() {
        assert_eq!(l.order as usize, i + 1, "{} is out of order", l.file);
        assert!(!l.objectives.is_empty() && l.word_count() > 300, "{} is too thin", l.file);
    }
}

// A front matter never closed is reported at its opening line.
#[test]
fn unclosed_front_matter() {
    let e = first_error("unclosed-front-matter.md");
    assert_eq!((e.line, e.file.ends_with("unclosed-front-matter.md")), (1, true));
    assert!(e.message.contains("never closed"), "{e}");
}

/// Tests that each parse broken fixtures on their own and expect them refused at a line, with
/// some words in the message: `test_name: ("fixture.md", line, ["words"]), …;`.
macro_rules! refused_at {
    ($($test:ident: $(($file:literal, $line:literal, [$($words:literal),*])),+;)*) => {
        $(
            #[test]
            fn $test() {
                $(refused_at($file, $line, &[$($words),*]);)+
            }
        )*
    };
}

refused_at! {
    // An unknown key and a wrongly typed value are reported at their own lines.
    bad_front_matter_fields: ("unknown-key.md", 7, ["colour"]), ("wrong-type.md", 4, []);
    // An unknown widget name names the widget and its line.
    unknown_widget: ("unknown-widget.md", 11, ["warp-drive"]);
    // Raw HTML and duplicate headings are refused at their lines.
    raw_html_and_duplicate_headings: ("raw-html.md", 9, ["raw HTML"]), ("duplicate-heading.md", 13, []);
}

// A link to a lesson that does not exist fails the set, at the link's line.
#[test]
fn broken_internal_link() {
    let errs = load_all(&[fixture("broken-link.md")]).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].line, 11, "{}", errs[0]);
    assert!(errs[0].message.contains("/lessons/nowhere"));
}

// Two lessons with one slug: the second is refused at its slug line.
#[test]
fn duplicate_slug() {
    let a = ("a.md".to_string(), "+++\ntitle = \"A\"\nslug = \"same\"\norder = 1\nsummary = \"s\"\nobjectives = [\"o\"]\n+++\nA.\n".to_string());
    let b = ("b.md".to_string(), a.1.replace("order = 1", "order = 2"));
    let errs = load_all(&[a, b]).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].file.as_str(), errs[0].line), ("b.md", 3));
    assert!(errs[0].message.contains("already used by a.md"));
}

// Headings get anchors, widgets split the body, and links to sections are checked.
#[test]
fn anchors_widgets_and_section_links() {
    let a = ("a.md".to_string(), "+++\ntitle = \"A\"\nslug = \"a\"\norder = 1\nsummary = \"s\"\nobjectives = [\"o\"]\n+++\n\n## Lost updates, step by step\n\nText.\n\n{{#widget race}}\n\nMore [see](/lessons/a#lost-updates-step-by-step).\n".to_string());
    let lessons = load_all(std::slice::from_ref(&a)).unwrap();
    let l = &lessons[0];
    assert_eq!(l.headings[0].id, "lost-updates-step-by-step");
    assert_eq!(l.widgets(), vec![Widget::Race]);
    assert_eq!(l.blocks.len(), 3);
    let bad = (a.0.clone(), a.1.replace("#lost-updates-step-by-step", "#missing"));
    let errs = load_all(&[bad]).unwrap_err();
    assert!(errs[0].message.contains("#missing") && errs[0].line == 15, "{}", errs[0]);
}

// Every idea of the source material is taught in the lesson that should teach it.
#[test]
fn seed_ideas_are_covered() {
    let lessons = load_dir(&shipped_dir()).unwrap();
    let ideas: &[(&str, &[&str])] = &[
        ("concurrency-vs-parallelism", &["concurrency", "parallelism", "barista", "single core", "structure",
            "simultaneous", "hardware", "every parallel program is concurrent", "design"]),
        ("how-concurrency-works", &["thread", "coroutine", "async/await", "event loop", "node.js",
            "context switch", "scheduler", "runtime", "i/o-bound", "network", "file"]),
        ("how-parallelism-works", &["cpu-bound", "processes", "cores", "goroutine", "os thread", "gil",
            "multiprocessing", "simd", "single instruction, multiple data", "gpu", "image processing",
            "simulation", "machine learning"]),
        ("race-conditions", &["shared mutable state", "race condition", "lost update", "single core",
            "context switch", "mutex", "semaphore", "atomic", "immutable"]),
        ("message-passing", &["message passing", "channel", "go", "actor", "sharing memory", "impossible by construction"]),
        ("deadlock-and-starvation", &["deadlock", "lock ordering", "starvation", "livelock"]),
        ("choosing-the-right-tool", &["i/o-bound", "cpu-bound", "asyncio", "threading", "multiprocessing",
            "c extension", "gil", "goroutine", "os thread", "rayon", "web worker", "profile",
            "synchronization overhead", "amdahl"]),
        ("memory-ordering", &["sequential consistency", "store buffer", "store forwarding", "x86-tso", "fence",
            "message passing", "arm", "risc-v", "peterson", "relaxed", "release", "acquire", "seqcst", "volatile"]),
    ];
    for (slug, terms) in ideas {
        let lesson = lessons.iter().find(|l| l.slug == *slug).unwrap_or_else(|| panic!("no lesson {slug}"));
        let text = format!("{} {}", lesson.title, lesson.text()).to_lowercase();
        for term in *terms {
            assert!(text.contains(term), "lesson {slug} never mentions “{term}”");
        }
    }
}

// Code blocks are highlighted with classes; a block without a known language tag is refused.
#[test]
fn code_blocks() {
    let src = "+++\ntitle = \"C\"\nslug = \"c\"\norder = 1\nsummary = \"s\"\nobjectives = [\"o\"]\n+++\n\n```rust\nfn main() {}\n```\n";
    let l = parse_lesson("c.md", src).unwrap();
    let html = match &l.blocks[0] {
        Block::Html(h) => h.clone(),
        other => panic!("{other:?}"),
    };
    assert!(html.contains("class=\"hl-") && html.contains("data-lang=\"Rust\"") && html.contains("tabindex=\"0\""), "{html}");
    let e = parse_lesson("c.md", &src.replace("```rust", "```cobol")).unwrap_err();
    assert_eq!(e.line, 9, "{e}");
    assert!(e.message.contains("cobol"));
}

// A widget's argument names something that exists: only the explorer takes one, a built-in
// program; anything else fails at its line.
#[test]
fn widget_arguments_exist() {
    for lesson in load_dir(&shipped_dir()).unwrap() {
        for block in &lesson.blocks {
            if let Block::Widget { widget, arg: Some(arg) } = block {
                assert_eq!(*widget, Widget::Explorer, "{}: only the explorer takes an argument", lesson.file);
                assert!(interleave_core::explorer::programs::builtin(arg).is_some(), "{}: no built-in program `{arg}`", lesson.file);
            }
        }
    }
    let src = "+++\ntitle = \"A\"\nslug = \"a\"\norder = 1\nsummary = \"s\"\nobjectives = [\"o\"]\n+++\n\nText.\n\n{{#widget explorer no-such-program}}\n";
    let e = parse_lesson("a.md", src).unwrap_err();
    assert_eq!(e.line, 11, "{e}");
    assert!(e.message.contains("no-such-program"), "{e}");
    let e = parse_lesson("a.md", &src.replace("explorer no-such-program", "race fast")).unwrap_err();
    assert!(e.message.contains("takes no argument"), "{e}");
}

// Lesson 1 tells the same story as the barista figure: the same minutes for each lane.
#[test]
fn lesson_one_quotes_the_barista_figure() {
    let lessons = load_dir(&shipped_dir()).unwrap();
    let lesson = lessons.iter().find(|l| l.slug == "concurrency-vs-parallelism").unwrap().text();
    let [seq, con, par] = interleave_core::barista::lanes(&interleave_core::barista::DRINKS);
    for (lane, minutes) in [("sequential", seq.finish()), ("concurrent", con.finish()), ("parallel", par.finish())] {
        let phrase = format!("{minutes} minutes");
        assert!(lesson.contains(&phrase), "lesson 1 never says the {lane} lane ends at “{phrase}”");
    }
}

// Search over the real lessons: a term from a body finds its lesson.
#[test]
fn search_finds_real_lessons() {
    use interleave_core::learning::search::search;
    let lessons = load_dir(&shipped_dir()).unwrap();
    let hits = search(&lessons, "goroutine", 20);
    assert!(hits.iter().any(|h| h.slug == "how-parallelism-works"));
    let hits = search(&lessons, "backpressure", 20);
    assert_eq!(hits[0].slug, "message-passing");
}

// The catalog the app ships with names every lesson in order and sizes every quiz as its page
// asks it (the final test counts the questions it includes).
#[test]
fn catalog_of_the_shipped_content() {
    let content = interleave_content::build(&shipped_dir()).unwrap_or_else(|errs| panic!("{}", report(&errs)));
    let catalog = content.catalog();
    let slugs: Vec<&str> = catalog.lessons.iter().map(|l| l.slug.as_str()).collect();
    assert_eq!(slugs, content.lessons.iter().map(|l| l.slug.as_str()).collect::<Vec<_>>());
    let last = content.lessons.last().unwrap();
    assert_eq!(catalog.neighbours(&last.slug).1, None);
    assert_eq!(catalog.neighbours(&content.lessons[1].slug).0.unwrap().slug, content.lessons[0].slug);
    let final_test = content.quiz("final").expect("a final test");
    assert!(!final_test.include.is_empty());
    assert_eq!(catalog.quiz("final").unwrap().questions, final_test.include.len() + final_test.questions.len());
    let first = &content.lessons[0].slug;
    assert_eq!(catalog.quiz(first).unwrap().questions, content.quiz(first).unwrap().questions.len());
}
