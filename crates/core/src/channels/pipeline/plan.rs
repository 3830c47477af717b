//! The pipeline's settings: as the learner types them ([`PipelineForm`]), and checked, with the
//! run's estimate ([`PipelinePlan`]).

use std::ops::RangeInclusive;

use super::PipelineSettings;
use crate::numbers::{duration_ms, group_digits, parse_whole};
use crate::run::busy::spins_for_micros;

/// A field of the pipeline's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PipelineField {
    /// Items to send through.
    Items,
    /// µs of work the producer spends per item.
    ProducerUs,
    /// µs of work each worker spends per item.
    WorkerUs,
    /// µs of work the consumer spends per item.
    ConsumerUs,
    /// Worker stages.
    Workers,
    /// Places in each queue (unless unbounded).
    Capacity,
}

impl PipelineField {
    /// Every field, in the form's order.
    pub const ALL: [PipelineField; 6] = [
        PipelineField::Items,
        PipelineField::ProducerUs,
        PipelineField::WorkerUs,
        PipelineField::ConsumerUs,
        PipelineField::Workers,
        PipelineField::Capacity,
    ];

    /// What a refusal calls the field.
    pub fn name(self) -> &'static str {
        match self {
            PipelineField::Items => "Items",
            PipelineField::ProducerUs => "Producer µs per item",
            PipelineField::WorkerUs => "Worker µs per item",
            PipelineField::ConsumerUs => "Consumer µs per item",
            PipelineField::Workers => "Workers",
            PipelineField::Capacity => "Capacity",
        }
    }

    /// The values the field accepts.
    pub fn limits(self) -> RangeInclusive<u64> {
        match self {
            PipelineField::Items => PipelinePlan::ITEMS,
            PipelineField::ProducerUs | PipelineField::WorkerUs | PipelineField::ConsumerUs => PipelinePlan::STAGE_US,
            PipelineField::Workers => 1..=PipelinePlan::MAX_WORKERS as u64,
            PipelineField::Capacity => PipelinePlan::CAPACITY,
        }
    }
}

/// The pipeline's settings as the learner types them; [`Default`] is what the form opens with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineForm {
    /// The text of each field, in [`PipelineField::ALL`]'s order.
    texts: [String; 6],
    /// Whether the queues have no bound (the capacity field is then ignored).
    pub unbounded: bool,
}

impl Default for PipelineForm {
    fn default() -> Self {
        Self { texts: ["3,000", "50", "100", "500", "1", "8"].map(String::from), unbounded: false }
    }
}

impl PipelineForm {
    /// What `field` holds.
    pub fn text(&self, field: PipelineField) -> &str {
        &self.texts[field as usize]
    }

    /// Puts `text` in `field`.
    pub fn set(&mut self, field: PipelineField, text: String) {
        self.texts[field as usize] = text;
    }

    /// The plan these settings make on a page with `threads` worker threads (1 without a pool), or
    /// why there is none: the first field, in the form's order, that is not a whole number in its
    /// range, or a run the slowest stage would make too long ([`PipelinePlan::new`]).
    pub fn plan(&self, threads: usize) -> Result<PipelinePlan, String> {
        let read = |field: PipelineField| parse_whole(self.text(field), field.name(), field.limits());
        let items = read(PipelineField::Items)?;
        let stage_us = [read(PipelineField::ProducerUs)?, read(PipelineField::WorkerUs)?, read(PipelineField::ConsumerUs)?];
        let workers = read(PipelineField::Workers)? as usize;
        let capacity = if self.unbounded { None } else { Some(read(PipelineField::Capacity)?) };
        PipelinePlan::new(items, stage_us, workers, capacity, threads)
    }
}

/// What a learner asks of the pipeline, checked: items, the µs each stage spends per item,
/// workers and queue capacity, each within its range ([`Self::ITEMS`], [`Self::STAGE_US`],
/// 1 to [`Self::MAX_WORKERS`], [`Self::CAPACITY`]), and a run that does not take too long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PipelinePlan {
    /// Items sent through.
    pub items: u64,
    /// µs of work per item: `[producer, each worker, consumer]`.
    pub stage_us: [u64; 3],
    /// Worker stages between the queues.
    pub workers: usize,
    /// Places in each of the two queues: every item when `unbounded`.
    pub capacity: usize,
    /// Whether the queues have no bound (a queue can hold every item).
    pub unbounded: bool,
}

impl PipelinePlan {
    /// Items a run may carry.
    pub const ITEMS: RangeInclusive<u64> = 10..=20_000;
    /// µs of work a stage may spend per item.
    pub const STAGE_US: RangeInclusive<u64> = 0..=5_000;
    /// Places a bounded queue may have.
    pub const CAPACITY: RangeInclusive<u64> = 1..=10_000;
    /// Most workers the page offers.
    pub const MAX_WORKERS: usize = 4;
    /// Longest run the settings may ask for, by the slowest stage alone, in ms.
    pub const MAX_RUN_MS: f64 = 20_000.0;

    /// The plan for `items` items, `stage_us` µs per item per stage, `workers` workers and queues
    /// of `capacity` places (`None`: no bound), each within its range, on a page with `threads`
    /// worker threads (1 without a pool). Refuses, with a reason, a run the slowest stage alone
    /// would make longer than [`Self::MAX_RUN_MS`].
    pub fn new(items: u64, stage_us: [u64; 3], workers: usize, capacity: Option<u64>, threads: usize) -> Result<Self, String> {
        let plan = Self {
            items,
            stage_us,
            workers,
            capacity: capacity.unwrap_or(items) as usize,
            unbounded: capacity.is_none(),
        };
        let (estimate_ms, pace_us) = (plan.estimate_ms(threads), plan.pace_us(threads));
        if estimate_ms > Self::MAX_RUN_MS {
            return Err(format!(
                "These settings would take about {} (the slowest stage alone needs {:.0} µs per item for {} items); \
                 at most {} is allowed: use fewer items or faster stages.",
                duration_ms(estimate_ms),
                pace_us,
                group_digits(items),
                duration_ms(Self::MAX_RUN_MS)
            ));
        }
        Ok(plan)
    }

    /// µs per item of the slowest stage, which sets the pace: the workers share their stage's work,
    /// as far as there are threads for them.
    pub fn pace_us(&self, threads: usize) -> f64 {
        let worker_pace = self.stage_us[1] as f64 / self.workers.min(threads).max(1) as f64;
        (self.stage_us[0] as f64).max(worker_pace).max(self.stage_us[2] as f64)
    }

    /// How long the run should take at least, in ms: every item at the slowest stage's pace.
    pub fn estimate_ms(&self, threads: usize) -> f64 {
        self.items as f64 * self.pace_us(threads) / 1000.0
    }

    /// The run's settings, each stage's µs turned into spin iterations with a calibration of
    /// `spins_per_us` ([`super::calibrate`]).
    pub fn settings(&self, spins_per_us: f64) -> PipelineSettings {
        PipelineSettings {
            items: self.items,
            stage_work: self.stage_us.map(|us| spins_for_micros(us as f64, spins_per_us)),
            capacity: self.capacity,
            workers: self.workers,
        }
    }

    /// Memory the run allocates, in bytes, at most: two queues, one flag per item, and the
    /// samples (a few thousand).
    pub fn memory_bytes(&self) -> usize {
        self.capacity * 2 * 32 + self.items as usize + (1 << 20)
    }
}
