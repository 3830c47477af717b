//! Runs the content step over `lessons/` and embeds what it checked into the app as
//! `$OUT_DIR/content.json`. A broken lesson or quiz fails the build with `file:line: message`.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("content.json");
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
    std::fs::write(out, serde_json::to_string(&content).expect("content serialises")).expect("OUT_DIR is writable");
}
