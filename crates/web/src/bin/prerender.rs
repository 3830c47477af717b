//! Writes every page of the built site as static HTML, with the content files the pages load:
//! `prerender [DIST]` (default `dist`), run after `trunk build`.
fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let dist = std::env::args().nth(1).unwrap_or_else(|| "dist".into());
        match futures::executor::block_on(interleave_web::prerender::write_site(std::path::Path::new(&dist))) {
            Ok(files) => println!("prerender: {} files written into {dist}", files.len()),
            Err(e) => {
                eprintln!("prerender: {e}");
                std::process::exit(1);
            }
        }
    }
}
