//! The gpu widget's WebGPU calls: ask the browser for an adapter, make a device and the compute
//! pipeline of core's shader once, then run it on a grid, timing buffers, dispatch and the copy
//! back.
//!
//! Implementation note: no view of the module's (shared) memory is handed to WebGPU. The
//! parameters are written into a buffer mapped at its creation, and the counts read out of the
//! mapped read-back buffer (the shader's storage buffer cannot be mapped: WebGPU allows reading
//! only a buffer whose one other use is being copied into), each through a view of WebGPU's own
//! `ArrayBuffer`. Errors are caught with error scopes; a failed run drops the device, so the next
//! run asks for a new adapter and device.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    gpu_buffer_usage as usage, gpu_map_mode, GpuAdapter, GpuAutoLayoutMode, GpuBindGroupDescriptor, GpuBindGroupEntry, GpuBuffer, GpuBufferDescriptor, GpuComputePipeline,
    GpuComputePipelineDescriptor, GpuDevice, GpuErrorFilter, GpuProgrammableStage, GpuShaderModuleDescriptor,
};

use interleave_core::gpu::{AdapterInfo, Availability, Grid, BINDING_COUNTS, BINDING_PARAMS, ENTRY_POINT, WGSL};

use crate::pool;

/// A JavaScript error (or anything thrown) in words.
fn words(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_else(|| "an unknown error".to_string())
}

/// `object[key]` as a string, empty when missing.
fn text_of(object: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(object, &key.into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

/// What the browser says of `adapter` (`adapter.info`, read field by field: older browsers
/// lack some, and a missing one must not stop the module).
fn info(adapter: &GpuAdapter) -> AdapterInfo {
    let info = js_sys::Reflect::get(adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let fallback = [&info, adapter.as_ref()].into_iter().find_map(|o| js_sys::Reflect::get(o, &"isFallbackAdapter".into()).ok().and_then(|v| v.as_bool()));
    AdapterInfo {
        vendor: text_of(&info, "vendor"),
        architecture: text_of(&info, "architecture"),
        device: text_of(&info, "device"),
        description: text_of(&info, "description"),
        fallback,
    }
}

/// Whether this browser can run the shader, and the adapter to run it on.
pub(crate) async fn probe() -> (Availability, Option<Adapter>) {
    let Some(window) = web_sys::window() else { return (Availability::NoWebGpu, None) };
    let gpu = window.navigator().gpu();
    if gpu.is_undefined() || gpu.is_null() {
        return (Availability::NoWebGpu, None);
    }
    match gpu.request_adapter().await {
        Ok(adapter) => match adapter.into_option() {
            Some(adapter) => (Availability::Ready(info(&adapter)), Some(adapter)),
            None => (Availability::NoAdapter, None),
        },
        Err(e) => (Availability::Failed(words(&e)), None),
    }
}

/// What the browser gave for its GPU.
pub(crate) type Adapter = GpuAdapter;

/// A device and the shader's pipeline on it, made once and kept for every run.
#[derive(Clone)]
pub(crate) struct Kernel {
    device: GpuDevice,
    pipeline: GpuComputePipeline,
}

/// One run of the shader: the counts, its time and how much of it the copy back took (ms).
pub(crate) struct GpuRun {
    pub counts: Vec<u32>,
    pub gpu_ms: f64,
    pub copy_ms: f64,
}

/// Pops the two error scopes [`push_scopes`] pushed: the first error, in words.
async fn pop_scopes(device: &GpuDevice) -> Result<(), String> {
    for _ in 0..2 {
        let popped = device.pop_error_scope().await.map_err(|e| words(&e))?;
        if let Some(error) = popped.into_option() {
            return Err(error.message());
        }
    }
    Ok(())
}

fn push_scopes(device: &GpuDevice) {
    device.push_error_scope(GpuErrorFilter::Validation);
    device.push_error_scope(GpuErrorFilter::OutOfMemory);
}

impl Kernel {
    /// A device from `adapter`, and the shader compiled into a compute pipeline on it.
    pub(crate) async fn new(adapter: &Adapter) -> Result<Kernel, String> {
        let device: GpuDevice = adapter.request_device().await.map_err(|e| format!("the browser gave no device ({})", words(&e)))?;
        push_scopes(&device);
        let module = device.create_shader_module(&GpuShaderModuleDescriptor::new(WGSL));
        let stage = GpuProgrammableStage::new(&module);
        stage.set_entry_point(ENTRY_POINT);
        let pipeline = device.create_compute_pipeline(&GpuComputePipelineDescriptor::new_with_gpu_auto_layout_mode(GpuAutoLayoutMode::Auto, &stage));
        pop_scopes(&device).await.map_err(|e| format!("the shader did not compile ({e})"))?;
        Ok(Kernel { device, pipeline })
    }

    fn buffer(&self, bytes: u64, usage: u32, mapped: bool) -> Result<GpuBuffer, String> {
        let descriptor = GpuBufferDescriptor::new_with_f64(bytes as f64, usage);
        descriptor.set_mapped_at_creation(mapped);
        self.device.create_buffer(&descriptor).map_err(|e| words(&e))
    }

    /// Runs the shader on `grid`: buffers made, parameters uploaded, kernel dispatched and
    /// finished, counts copied back and read into the page. All of it is timed.
    pub(crate) async fn run(&self, grid: Grid) -> Result<GpuRun, String> {
        let start = pool::now_ms();
        push_scopes(&self.device);
        let params = self.buffer(16, usage::UNIFORM, true)?;
        let range = params.get_mapped_range().map_err(|e| words(&e))?;
        js_sys::Uint32Array::new(range.as_ref()).copy_from(&grid.params());
        params.unmap();
        let counts = self.buffer(grid.bytes(), usage::STORAGE | usage::COPY_SRC, false)?;
        let readback = self.buffer(grid.bytes(), usage::MAP_READ | usage::COPY_DST, false)?;
        let entries = [GpuBindGroupEntry::new_with_gpu_buffer(BINDING_PARAMS, &params), GpuBindGroupEntry::new_with_gpu_buffer(BINDING_COUNTS, &counts)];
        let bind_group = self.device.create_bind_group(&GpuBindGroupDescriptor::new(&entries, &self.pipeline.get_bind_group_layout(0)));

        let queue = self.device.queue();
        let encoder = self.device.create_command_encoder();
        let pass = encoder.begin_compute_pass();
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, Some(&bind_group));
        let [x, y] = grid.workgroups();
        pass.dispatch_workgroups_with_workgroup_count_y(x, y);
        pass.end();
        queue.submit(&[encoder.finish()]);
        queue.on_submitted_work_done().await.map_err(|e| words(&e))?;

        let copy_start = pool::now_ms();
        let encoder = self.device.create_command_encoder();
        encoder.copy_buffer_to_buffer_with_f64_and_f64_and_f64(&counts, 0.0, &readback, 0.0, grid.bytes() as f64).map_err(|e| words(&e))?;
        queue.submit(&[encoder.finish()]);
        let mapped = readback.map_async(gpu_map_mode::READ).await;
        let errors = pop_scopes(&self.device).await;
        let result = mapped.map_err(|e| words(&e)).and(errors).and_then(|()| {
            let range = readback.get_mapped_range().map_err(|e| words(&e))?;
            let view = js_sys::Uint32Array::new(range.as_ref());
            let mut out = vec![0u32; view.length() as usize];
            view.copy_to(&mut out);
            Ok(out)
        });
        let end = pool::now_ms();
        for buffer in [&params, &counts, &readback] {
            buffer.destroy();
        }
        Ok(GpuRun { counts: result?, gpu_ms: end - start, copy_ms: end - copy_start })
    }
}
