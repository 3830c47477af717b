//! Runs the content step over `lessons/` and embeds what it checked into the app as
//! `$OUT_DIR/content.json`. A broken lesson or quiz fails the build with `file:line: message`.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("../../lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let content = match interleave_content::build(&dir) {
        Ok(content) => content,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!("{} error(s) in lessons/: fix them and build again", errors.len());
            std::process::exit(1);
        }
    };
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("content.json");
    std::fs::write(out, serde_json::to_string(&content).expect("content serialises")).expect("OUT_DIR is writable");
}
