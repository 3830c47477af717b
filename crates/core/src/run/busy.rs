//! Deterministic busy work: real CPU spinning measured in iterations, never sleeping.

/// One step of the SplitMix64 generator: a cheap, well-mixed hash of `x`.
pub fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes `seed` `iterations` times: a fixed amount of CPU work with a result that depends on
/// every step (so the compiler cannot skip it), identical on every machine.
pub fn spin(seed: u64, iterations: u64) -> u64 {
    let mut x = seed;
    for _ in 0..iterations {
        x = mix(x);
    }
    x
}

/// Iterations of [`spin`] per microsecond on this thread, measured with the caller's clock
/// (milliseconds). Used to turn "about 50 µs of work" into a deterministic iteration count.
pub fn calibrate_spins_per_micro(now: impl Fn() -> f64) -> f64 {
    let mut iterations = 1_000u64;
    loop {
        let start = now();
        std::hint::black_box(spin(iterations, iterations));
        let ms = now() - start;
        // Aim for at least 5 ms so coarse clocks (browsers round to 0.1 ms or worse) still resolve.
        if ms >= 5.0 || iterations >= 1 << 32 {
            return (iterations as f64 / (ms.max(1e-3) * 1000.0)).max(1e-3);
        }
        iterations *= 4;
    }
}

/// Spin iterations for about `micros` µs of work, given a calibration from
/// [`calibrate_spins_per_micro`].
pub fn spins_for_micros(micros: f64, spins_per_micro: f64) -> u64 {
    (micros.max(0.0) * spins_per_micro.max(0.0)).round() as u64
}
