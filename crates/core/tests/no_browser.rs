//! The core stays pure: no browser crate in its manifest, and none named in its sources, so
//! everything in it builds and is tested natively.

use std::path::Path;

/// Crates that only make sense in a browser (or that exist to reach one).
const BROWSER_CRATES: &[&str] = &["yew", "yew-router", "web-sys", "js-sys", "gloo", "wasm-bindgen", "wasm-bindgen-futures", "wasm-bindgen-rayon"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

// The manifest depends on no browser crate, in any section (dependencies, dev-dependencies,
// target-specific ones).
#[test]
fn the_manifest_names_no_browser_crate() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    for line in manifest.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        let key = line.split(['=', '.', ' ']).next().unwrap_or("").trim_matches('"');
        assert!(!BROWSER_CRATES.contains(&key), "crates/core/Cargo.toml depends on `{key}`: {line}");
    }
}

// No source file of the core names a browser crate (a `use`, a path, an extern crate).
#[test]
fn no_source_file_names_a_browser_crate() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        if dir.exists() {
            rust_files(&dir, &mut files);
        }
    }
    assert!(files.len() > 20, "found only {} source files", files.len());
    let this = Path::new(file!()).file_name().unwrap();
    for file in files.iter().filter(|f| f.file_name() != Some(this)) {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for name in BROWSER_CRATES {
                let path = format!("{}::", name.replace('-', "_"));
                let starts_path = code.match_indices(&path).any(|(i, _)| {
                    i == 0 || !code[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                });
                assert!(!starts_path, "{}:{}: names `{name}`: {line}", file.display(), n + 1);
            }
        }
    }
}
