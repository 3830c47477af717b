//! Entry point of the web app; natively there is nothing to run (see `cargo test`).
fn main() {
    #[cfg(target_arch = "wasm32")]
    interleave_web::start();
}
