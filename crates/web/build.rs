//! Runs the content step over `lessons/` and hands what it checked to the app: the whole content
//! as `$OUT_DIR/content.json` (for the prerenderer, which writes it out page by page) and its
//! catalog as `$OUT_DIR/catalog.json` (embedded in the browser's module). A broken lesson or quiz
//! fails the build with `file:line: message`.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).to_path_buf();
    // From the workspace's root, so that errors (and the files the content names) read
    // `lessons/04-race-conditions.md:12: …`, whatever folder the repository is in.
    std::env::set_current_dir(Path::new(&manifest).join("../..")).expect("the workspace root exists");
    let dir = Path::new("lessons");
    println!("cargo:rerun-if-changed={manifest}/../../lessons");
    let content = match interleave_content::build(dir) {
        Ok(content) => content,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in lessons/: fix them and build again", errors.len());
            std::process::exit(1);
        }
    };
    let write = |name: &str, json: String| std::fs::write(out.join(name), json).expect("OUT_DIR is writable");
    write("content.json", serde_json::to_string(&content).expect("content serialises"));
    write("catalog.json", serde_json::to_string(&content.catalog()).expect("the catalog serialises"));
}
