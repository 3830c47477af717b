//! The gpu widget's WebGPU calls where web-sys has no WebGPU: native builds (the lab compiles
//! natively for tests and never draws a widget there), which see a browser without WebGPU.
//! `webgpu.rs` is the real one, built where `--cfg=web_sys_unstable_apis` is set (wasm builds).

use interleave_core::gpu::{Availability, Grid};

/// An adapter, of which there is none here.
pub(crate) enum Adapter {}

/// No WebGPU, so no adapter.
pub(crate) async fn probe() -> (Availability, Option<Adapter>) {
    (Availability::NoWebGpu, None)
}

/// A device and pipeline, which cannot be made here.
#[derive(Clone)]
pub(crate) struct Kernel;

/// One run of the shader (never made here).
pub(crate) struct GpuRun {
    pub counts: Vec<u32>,
    pub gpu_ms: f64,
    pub copy_ms: f64,
}

impl Kernel {
    pub(crate) async fn new(adapter: &Adapter) -> Result<Kernel, String> {
        match *adapter {}
    }

    pub(crate) async fn run(&self, _grid: Grid) -> Result<GpuRun, String> {
        Err("this build has no WebGPU".to_string())
    }
}
