//! The lab's kernels (Mandelbrot rows, prime counting, a box blur) and the sizes a learner may ask for.
//!
//! Implementation note: every kernel is a [`Job`] whose work unit is one row (or, for primes, one
//! number), so the same value runs on the pool, at k threads or in slices, and each run ends in a
//! `u64` checksum that must be identical however it was split. Floating-point work is plain
//! IEEE arithmetic (no fused operations), so checksums also agree between native and wasm.

use std::collections::BTreeSet;
use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use crate::run::jobs::{Job, JobError, Progress, SumJob};
use crate::prime_count::{count_primes, PrimeCount};
use crate::run::threads::{run_sequential, run_with_threads};
use crate::run::busy::mix;
use crate::numbers::{group_digits, read_whole};

/// Iteration counts of the Mandelbrot set over a rectangle of the complex plane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mandelbrot {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels (one work unit per row).
    pub height: u32,
    /// Iterations before a point counts as inside the set.
    pub max_iter: u16,
    /// Complex coordinate `[re, im]` of the image centre.
    pub centre: [f64; 2],
    /// Width of the image on the real axis.
    pub span: f64,
}

/// Rows of a [`Mandelbrot`] image, as a slice (or several combined) produced them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MandelbrotRows {
    /// Index of the first row.
    pub first_row: u32,
    /// Iteration counts, one `Vec` per row, `width` long.
    pub rows: Vec<Vec<u16>>,
    /// Sum of all iteration counts in these rows.
    pub checksum: u64,
}

/// A finished [`Mandelbrot`] image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandelbrotImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Iteration counts, row after row (`max_iter` means inside the set).
    pub iterations: Vec<u16>,
    /// Sum of all iteration counts: equal for every way of splitting the work.
    pub checksum: u64,
}

impl Mandelbrot {
    /// The classic view (the whole set, real axis from −2 to 1) at `width` × `height` pixels.
    pub fn new(width: u32, height: u32, max_iter: u16) -> Self {
        Self { width, height, max_iter, centre: [-0.5, 0.0], span: 3.0 }
    }

    /// Iteration counts of row `y` (`max_iter` for points that never escaped).
    pub fn row(&self, y: u32) -> Vec<u16> {
        let scale = self.span / f64::from(self.width.max(1));
        let im = self.centre[1] + (f64::from(y) + 0.5 - f64::from(self.height) / 2.0) * scale;
        (0..self.width)
            .map(|x| {
                let re = self.centre[0] + (f64::from(x) + 0.5 - f64::from(self.width) / 2.0) * scale;
                escape_time(re, im, self.max_iter)
            })
            .collect()
    }
}

/// Iterations of `z ← z² + c` before `|z| > 2`, capped at `max_iter`.
fn escape_time(re: f64, im: f64, max_iter: u16) -> u16 {
    let (mut x, mut y) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < max_iter {
        let (xx, yy) = (x * x, y * y);
        if xx + yy > 4.0 {
            break;
        }
        y = 2.0 * x * y + im;
        x = xx - yy + re;
        i += 1;
    }
    i
}

/// The colour of a pixel that took `iter` of at most `max_iter` iterations, as RGBA: black inside
/// the set, a dark-blue-to-gold ramp outside.
pub fn colour(iter: u16, max_iter: u16) -> [u8; 4] {
    if iter >= max_iter || max_iter == 0 {
        return [0, 0, 0, 255];
    }
    // Square root spreads the many fast-escaping points over more of the ramp.
    let t = (f64::from(iter) / f64::from(max_iter)).sqrt();
    let u = 1.0 - t;
    let channel = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    [channel(9.0 * u * t * t * t), channel(15.0 * u * u * t * t), channel(8.5 * u * u * u * t), 255]
}

impl Job for Mandelbrot {
    type Part = MandelbrotRows;
    type Output = MandelbrotImage;

    fn len(&self) -> u64 {
        u64::from(self.height)
    }
    /// One row per slice: rows differ wildly in cost, and the view draws each as it finishes.
    fn slice_len(&self) -> u64 {
        1
    }
    fn run(&self, range: Range<u64>) -> MandelbrotRows {
        let rows: Vec<Vec<u16>> = range.clone().map(|y| self.row(y as u32)).collect();
        let checksum = rows.iter().flatten().map(|&i| u64::from(i)).sum();
        MandelbrotRows { first_row: range.start as u32, rows, checksum }
    }
    fn identity(&self) -> MandelbrotRows {
        MandelbrotRows::default()
    }
    fn combine(&self, mut a: MandelbrotRows, b: MandelbrotRows) -> MandelbrotRows {
        if a.rows.is_empty() {
            return MandelbrotRows { checksum: a.checksum + b.checksum, ..b };
        }
        debug_assert!(b.rows.is_empty() || b.first_row as usize == a.first_row as usize + a.rows.len());
        a.rows.extend(b.rows);
        a.checksum += b.checksum;
        a
    }
    fn finish(&self, part: MandelbrotRows) -> MandelbrotImage {
        MandelbrotImage {
            width: self.width,
            height: self.height,
            iterations: part.rows.concat(),
            checksum: part.checksum,
        }
    }
}

/// A box blur of a generated greyscale image; the output is a checksum of the blurred pixels.
///
/// The fields are private because the source image is generated once in [`Blur::new`] from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blur {
    width: u32,
    height: u32,
    radius: u32,
    seed: u64,
    source: Vec<u8>,
}

impl Blur {
    /// A `width` × `height` gradient with pseudo-random grain from `seed`, to be blurred over a
    /// (2·`radius` + 1)² box.
    pub fn new(width: u32, height: u32, radius: u32, seed: u64) -> Self {
        let (w, h) = (u64::from(width), u64::from(height));
        let diagonal = (w + h).saturating_sub(2).max(1);
        let source = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| {
                let gradient = (x + y) * 192 / diagonal;
                let grain = mix(seed ^ (y * w + x)) & 63;
                (gradient + grain) as u8
            })
            .collect();
        Self { width, height, radius, seed, source }
    }
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels (one work unit per output row).
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Box radius: each output pixel averages (2·radius + 1)² source pixels.
    pub fn radius(&self) -> u32 {
        self.radius
    }
    /// Seed of the source image's grain.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// The generated source image, row after row.
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// Blurred row `y`: each pixel the mean of its box, with edges clamped (repeated).
    pub fn row(&self, y: u32) -> Vec<u8> {
        let (w, h, r) = (self.width as i64, self.height as i64, self.radius as i64);
        let count = ((2 * r + 1) * (2 * r + 1)) as u32;
        let mut out = Vec::with_capacity(self.width as usize);
        for x in 0..w {
            let mut sum = 0u32;
            for dy in -r..=r {
                let sy = (y as i64 + dy).clamp(0, h - 1) as usize;
                let line = &self.source[sy * w as usize..(sy + 1) * w as usize];
                for dx in -r..=r {
                    sum += u32::from(line[(x + dx).clamp(0, w - 1) as usize]);
                }
            }
            out.push((sum / count) as u8);
        }
        out
    }

    /// Checksum of row `y`: each blurred value weighted by its position, so a pixel moved or
    /// changed shows.
    fn row_checksum(&self, y: u32) -> u64 {
        let base = u64::from(y) * u64::from(self.width);
        self.row(y)
            .iter()
            .enumerate()
            .fold(0u64, |acc, (x, &v)| acc.wrapping_add(u64::from(v).wrapping_mul(base + x as u64 + 1)))
    }
}

impl SumJob for Blur {
    fn len(&self) -> u64 {
        if self.width == 0 {
            0
        } else {
            u64::from(self.height)
        }
    }
    fn slice_len(&self) -> u64 {
        1
    }
    fn sum(&self, range: Range<u64>) -> u64 {
        range.fold(0u64, |acc, y| acc.wrapping_add(self.row_checksum(y as u32)))
    }
}

/// The lab's prime count: [`PrimeCount`]'s trial division, in 32-bit arithmetic when the numbers
/// fit (every limit the lab accepts does).
// Why: a 64-bit division costs two to three times a 32-bit one on many CPUs. Native x86-64 code
// gets the cheap one anyway (LLVM checks at run time whether both operands fit in 32 bits), but
// WebAssembly engines emit the 64-bit division as written, which would make the browser's runs
// slower for a reason that has nothing to do with threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabPrimes {
    /// Exclusive upper bound.
    pub limit: u64,
}

/// Whether `n` is prime, by trial division over 6k ± 1, in 32-bit arithmetic.
fn is_prime_u32(n: u32) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 || n % 3 == 0 {
        return false;
    }
    let mut d = 5u32;
    while u64::from(d) * u64::from(d) <= u64::from(n) {
        if n % d == 0 || n % (d + 2) == 0 {
            return false;
        }
        d += 6;
    }
    true
}

impl SumJob for LabPrimes {
    fn len(&self) -> u64 {
        self.limit
    }
    fn slice_len(&self) -> u64 {
        PrimeCount { limit: self.limit }.slice_len()
    }
    fn sum(&self, range: Range<u64>) -> u64 {
        if range.end <= u64::from(u32::MAX) {
            (range.start as u32..range.end as u32).filter(|&n| is_prime_u32(n)).count() as u64
        } else {
            count_primes(range)
        }
    }
}

/// The kernels a learner can pick in the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kernel {
    /// Mandelbrot iteration counts, one row per unit; rows differ in cost.
    Mandelbrot,
    /// Counting primes by trial division ([`LabPrimes`]); later numbers cost more.
    Primes,
    /// A box blur of a generated image; every row costs the same.
    Blur,
}

/// The size of a run, as a learner chooses it: image width in pixels, or the prime limit.
pub type KernelSize = u64;

/// One kernel run, reduced to what the lab compares and shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRun {
    /// The kernel's checksum: equal for every way of splitting the work.
    pub checksum: u64,
    /// Distinct rayon thread indices that did work.
    pub threads: BTreeSet<usize>,
}

impl Kernel {
    /// Every kernel, in menu order.
    pub const ALL: [Kernel; 3] = [Kernel::Mandelbrot, Kernel::Primes, Kernel::Blur];

    /// Mandelbrot iterations before a point counts as inside.
    pub const MANDELBROT_MAX_ITER: u16 = 1_000;
    /// Blur box radius (each pixel averages 13 × 13 = 169 pixels).
    pub const BLUR_RADIUS: u32 = 6;
    /// Seed of the blur's source image.
    pub const BLUR_SEED: u64 = 2024;

    /// Name for the page.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Mandelbrot => "Mandelbrot set",
            Kernel::Primes => "Prime count",
            Kernel::Blur => "Box blur",
        }
    }
    /// Stable id for URLs and saved results.
    pub fn id(self) -> &'static str {
        match self {
            Kernel::Mandelbrot => "mandelbrot",
            Kernel::Primes => "primes",
            Kernel::Blur => "blur",
        }
    }
    /// The kernel with this [`Kernel::id`].
    pub fn from_id(id: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.id() == id)
    }
    /// What the size means, as a field label.
    pub fn size_label(self) -> &'static str {
        match self {
            Kernel::Mandelbrot => "Image width (pixels)",
            Kernel::Primes => "Count primes below",
            Kernel::Blur => "Image side (pixels)",
        }
    }
    /// The size a run starts with: about a third of a second on one desktop core natively, so
    /// about a second on a slow one.
    pub fn default_size(self) -> KernelSize {
        match self {
            Kernel::Mandelbrot => 900,
            Kernel::Primes => 5_000_000,
            Kernel::Blur => 1_200,
        }
    }
    /// Accepted sizes: enough rows to share among threads, at most a few seconds on one slow core
    /// and a few megabytes of memory. (The largest of each took 0.9 to 1.3 s on one server core,
    /// natively; phones and wasm are two to four times slower.)
    pub fn size_limits(self) -> RangeInclusive<KernelSize> {
        match self {
            Kernel::Mandelbrot => 60..=1_800,
            Kernel::Primes => 2..=10_000_000,
            Kernel::Blur => 60..=2_400,
        }
    }
    /// The size in words, e.g. "900 × 600 pixels, up to 1,000 iterations".
    pub fn describe_size(self, size: KernelSize) -> String {
        match self {
            Kernel::Mandelbrot => {
                let m = self.mandelbrot(size);
                format!(
                    "{} × {} pixels, up to {} iterations",
                    group_digits(m.width.into()),
                    group_digits(m.height.into()),
                    group_digits(m.max_iter.into())
                )
            }
            Kernel::Primes => format!("numbers below {}", group_digits(size)),
            Kernel::Blur => format!(
                "{0} × {0} pixels, {1} × {1} box",
                group_digits(size),
                2 * Kernel::BLUR_RADIUS + 1
            ),
        }
    }
    /// Work units of a run of this size (the total for its [`Progress`]).
    pub fn units(self, size: KernelSize) -> u64 {
        match self {
            Kernel::Mandelbrot => self.mandelbrot(size).len(),
            Kernel::Primes => size,
            Kernel::Blur => size,
        }
    }
    /// The Mandelbrot job for an image `size` pixels wide (3 : 2, the classic view).
    pub fn mandelbrot(self, size: KernelSize) -> Mandelbrot {
        let width = size.min(u64::from(u32::MAX)) as u32;
        let height = (u64::from(width) * 2).div_ceil(3) as u32;
        Mandelbrot::new(width, height, Kernel::MANDELBROT_MAX_ITER)
    }
    /// The blur job for a square image `size` pixels on a side.
    pub fn blur(self, size: KernelSize) -> Blur {
        let side = size.min(u64::from(u32::MAX)) as u32;
        Blur::new(side, side, Kernel::BLUR_RADIUS, Kernel::BLUR_SEED)
    }

    /// Runs this kernel at `size` with at most `threads` threads (see
    /// [`run_with_threads`]), blocking the calling thread; call it from a pool thread.
    pub fn run(self, size: KernelSize, threads: usize, progress: &Progress) -> Result<KernelRun, JobError> {
        match self {
            Kernel::Mandelbrot => run_with_threads(&Arc::new(self.mandelbrot(size)), threads, progress)
                .map(|r| KernelRun { checksum: r.output.checksum, threads: r.threads }),
            Kernel::Primes => run_with_threads(&Arc::new(LabPrimes { limit: size }), threads, progress)
                .map(|r| KernelRun { checksum: r.output, threads: r.threads }),
            Kernel::Blur => run_with_threads(&Arc::new(self.blur(size)), threads, progress)
                .map(|r| KernelRun { checksum: r.output, threads: r.threads }),
        }
    }
    /// The checksum of a one-thread, in-order run on the calling thread: the reference answer.
    pub fn run_sequential(self, size: KernelSize) -> u64 {
        match self {
            Kernel::Mandelbrot => run_sequential(&self.mandelbrot(size)).checksum,
            Kernel::Primes => run_sequential(&LabPrimes { limit: size }),
            Kernel::Blur => run_sequential(&self.blur(size)),
        }
    }
}

/// Reads a size for `kernel` typed by the learner (`_`, `,` and spaces allowed as separators; see
/// [`read_whole`]), refusing what is out of [`Kernel::size_limits`] with a reason.
pub fn parse_size(kernel: Kernel, text: &str) -> Result<KernelSize, String> {
    let size = read_whole(text)?;
    let limits = kernel.size_limits();
    if limits.contains(&size) {
        return Ok(size);
    }
    let range = match kernel {
        Kernel::Primes => "The limit must be between",
        Kernel::Mandelbrot | Kernel::Blur => "The image must be between",
    };
    let unit = match kernel {
        Kernel::Primes => "",
        Kernel::Mandelbrot | Kernel::Blur => " pixels wide",
    };
    let why = match (kernel, size < *limits.start()) {
        (Kernel::Primes, true) => "there are no primes below 2",
        (_, true) => "smaller images leave too few rows to share among threads",
        (Kernel::Primes, false) => "larger counts take too long for a demonstration",
        (_, false) => "larger images take too long for a demonstration",
    };
    Err(format!(
        "{range} {} and {}{unit} (you asked for {}): {why}.",
        group_digits(*limits.start()),
        group_digits(*limits.end()),
        group_digits(size)
    ))
}

/// The help under the size field: the accepted sizes, and what the size typed means.
pub fn size_help(kernel: Kernel, text: &str) -> String {
    let limits = kernel.size_limits();
    let range = format!("From {} to {}.", group_digits(*limits.start()), group_digits(*limits.end()));
    match parse_size(kernel, text) {
        Ok(size) => format!("{range} Now: {}.", kernel.describe_size(size)),
        Err(_) => range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prime_count::is_prime;

    // The 32-bit prime test agrees with the 64-bit one, and the lab's count with `PrimeCount`.
    #[test]
    fn lab_primes_agree() {
        assert!((0..20_000u32).all(|n| is_prime_u32(n) == is_prime(u64::from(n))));
        for n in [u32::MAX - 4, u32::MAX - 1, u32::MAX, 4_294_967_291] {
            assert_eq!(is_prime_u32(n), is_prime(u64::from(n)), "{n}");
        }
        let job = LabPrimes { limit: 300_000 };
        assert_eq!(run_sequential(&job), run_sequential(&PrimeCount { limit: 300_000 }).primes);
        assert_eq!(job.sum(u64::from(u32::MAX) - 10..u64::from(u32::MAX) + 10), count_primes(u64::from(u32::MAX) - 10..u64::from(u32::MAX) + 10));
    }

    // The size field's help: the range always, and what a valid size means.
    #[test]
    fn size_help_says_what_a_size_means() {
        assert_eq!(size_help(Kernel::Mandelbrot, "900"), "From 60 to 1,800. Now: 900 × 600 pixels, up to 1,000 iterations.");
        assert_eq!(size_help(Kernel::Primes, "5,000,000"), "From 2 to 10,000,000. Now: numbers below 5,000,000.");
        assert_eq!(size_help(Kernel::Blur, "9000"), "From 60 to 2,400.");
    }
}
