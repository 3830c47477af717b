//! Validates every lesson under `lessons/` and embeds them, rendered, into the app.
//! A broken lesson fails the build with `file:line: message`.

#[path = "src/content/loader.rs"]
#[allow(dead_code, unreachable_pub)]
mod loader;

#[path = "src/quiz.rs"]
#[allow(dead_code, unreachable_pub)]
mod quiz;

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    println!("cargo:rerun-if-changed=src/content/loader.rs");
    println!("cargo:rerun-if-changed=src/quiz.rs");
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("lessons");
    let lessons = match loader::load_dir(&dir) {
        Ok(lessons) => lessons,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in lessons/: fix them and build again", errors.len());
            std::process::exit(1);
        }
    };
    let mut out = String::from("/// Every lesson, in order.\npub static LESSONS: &[Lesson] = &[\n");
    for l in &lessons {
        let strs = |v: &[String]| v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
        writeln!(out, "  Lesson {{ title: {:?}, slug: {:?}, order: {}, summary: {:?},", l.title, l.slug, l.order, l.summary).unwrap();
        writeln!(out, "    objectives: &[{}],", strs(&l.objectives)).unwrap();
        out.push_str("    blocks: &[");
        for b in &l.blocks {
            match b {
                loader::Block::Html(h) => write!(out, "Block::Html({h:?}), ").unwrap(),
                loader::Block::Widget { name, arg } => write!(out, "Block::Widget {{ name: {name:?}, arg: {arg:?} }}, ").unwrap(),
            }
        }
        out.push_str("],\n    headings: &[");
        for h in &l.headings {
            write!(out, "Heading {{ level: {}, id: {:?}, text: {:?} }}, ", h.level, h.id, h.text).unwrap();
        }
        out.push_str("],\n    sections: &[");
        for sec in &l.sections {
            write!(out, "Section {{ id: {:?}, heading: {:?}, text: {:?} }}, ", sec.id, sec.heading, sec.text).unwrap();
        }
        writeln!(out, "],\n    text: {:?} }},", l.text).unwrap();
    }
    out.push_str("];\n");
    let out_dir = Path::new(&std::env::var("OUT_DIR").unwrap()).to_path_buf();
    std::fs::write(out_dir.join("lessons.rs"), out).unwrap();

    // Quizzes: checked against the lessons, handed to the app as JSON.
    let slugs: Vec<&str> = lessons.iter().map(|l| l.slug.as_str()).collect();
    let quizzes = match quiz::load_dir(&dir.join("quizzes"), &slugs) {
        Ok(q) => q,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in lessons/quizzes/: fix them and build again", errors.len());
            std::process::exit(1);
        }
    };
    std::fs::write(out_dir.join("quizzes.json"), serde_json::to_string(&quizzes).unwrap()).unwrap();
}
