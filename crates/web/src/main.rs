//! Entry point of the web app in the browser: hydrates the page. Natively there is nothing to run
//! here (the prerenderer is `src/bin/prerender.rs`; the tests are `cargo test`).
fn main() {
    #[cfg(target_arch = "wasm32")]
    interleave_web::start();
}
