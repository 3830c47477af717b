//! A hierarchical timer wheel: thousands of pending timers kept in one structure, so that a
//! program needs one clock alarm (for the nearest deadline) instead of one per timer. Async
//! runtimes keep their timers this way; tokio's wheel has six levels of 64 slots at 1 ms.
//!
//! Time is counted in ticks (the browser side uses milliseconds of the page's clock). Level 0
//! has one slot per tick, level 1 one per 64 ticks, level 2 one per 4,096, and so on: six levels
//! reach 2^36 ticks (about two years of milliseconds); a deadline beyond that waits in an
//! overflow list until it comes within reach. A timer is filed at the level of the highest
//! 6-bit digit in which its deadline differs from the wheel's time. As time reaches the start of
//! a slot above level 0, the slot's timers are filed again, lower down ("cascading"), so every
//! level-0 slot holds timers of one exact deadline, and finding the next one is a look at one
//! bitmap word per level.
//!
//! What the wheel promises:
//! - [`TimerWheel::pop_due`]`(now)` returns every timer whose deadline is at or before `now`,
//!   by deadline, and timers of the same deadline in the order they were inserted (as
//!   JavaScript runs `setTimeout` callbacks of equal times);
//! - a timer inserted with a deadline already reached is returned by the next `pop_due`;
//! - a removed timer is never returned, and its id never names another timer;
//! - a clock that goes back is taken as standing still: the wheel's time never decreases, and
//!   a jump forward of any size costs one step per occupied slot, not one per tick.
//!
//! Nothing here reads a clock: the caller says what time it is.

/// Levels of the wheel.
pub const LEVELS: usize = 6;
/// Slots per level.
pub const SLOTS: usize = 64;
/// Bits of a tick each level takes (`SLOTS` is `1 << BITS`).
const BITS: u32 = 6;
/// Ticks the levels reach beyond the wheel's time: deadlines further away wait in the overflow.
pub const REACH: u64 = 1 << (BITS * LEVELS as u32);

/// Names one timer in one wheel. Ids are not reused: a removed or returned timer's id never
/// names another timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerId {
    index: u32,
    generation: u32,
}

/// Where a timer is filed: a list, and its position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Already due when inserted.
    Due(u32),
    /// On a level, in a slot.
    Wheel { level: u8, slot: u8, pos: u32 },
    /// Beyond the reach of the levels.
    Overflow(u32),
}

#[derive(Debug)]
struct Entry<T> {
    deadline: u64,
    /// Insertion order, for timers of equal deadlines.
    seq: u64,
    value: T,
    place: Place,
}

#[derive(Debug)]
struct Cell<T> {
    generation: u32,
    entry: Option<Entry<T>>,
}

/// One level: 64 slots of timer indices, and which of them hold any.
#[derive(Debug)]
struct Level {
    occupied: u64,
    slots: [Vec<u32>; SLOTS],
}

impl Default for Level {
    fn default() -> Self {
        Level { occupied: 0, slots: std::array::from_fn(|_| Vec::new()) }
    }
}

/// Pending timers, each holding a `T` (a waker, an id), returned when their deadline comes.
#[derive(Debug)]
pub struct TimerWheel<T> {
    /// The wheel's time: the latest `now` it was given, in ticks.
    elapsed: u64,
    cells: Vec<Cell<T>>,
    free: Vec<u32>,
    len: usize,
    next_seq: u64,
    due: Vec<u32>,
    levels: [Level; LEVELS],
    overflow: Vec<u32>,
}

impl<T> Default for TimerWheel<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The level for a deadline `d` after time `e` (`d > e`): the highest 6-bit digit in which they
/// differ. `LEVELS` or more means beyond reach.
fn level_for(e: u64, d: u64) -> usize {
    let differ = (e ^ d) | (SLOTS as u64 - 1);
    (63 - differ.leading_zeros()) as usize / BITS as usize
}

/// The slot of deadline `d` on `level`: its digit there.
fn slot_for(d: u64, level: usize) -> usize {
    ((d >> (BITS as usize * level)) & (SLOTS as u64 - 1)) as usize
}

impl<T> TimerWheel<T> {
    /// An empty wheel at time 0.
    pub fn new() -> Self {
        TimerWheel {
            elapsed: 0,
            cells: Vec::new(),
            free: Vec::new(),
            len: 0,
            next_seq: 0,
            due: Vec::new(),
            levels: Default::default(),
            overflow: Vec::new(),
        }
    }

    /// The wheel's time: the latest `now` given to [`TimerWheel::pop_due`] (never decreasing).
    pub fn now(&self) -> u64 {
        self.elapsed
    }

    /// Timers pending.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a timer due at tick `deadline`, holding `value`.
    pub fn insert(&mut self, deadline: u64, value: T) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry { deadline, seq, value, place: Place::Due(0) };
        let index = match self.free.pop() {
            Some(i) => {
                self.cells[i as usize].entry = Some(entry);
                i
            }
            None => {
                self.cells.push(Cell { generation: 0, entry: Some(entry) });
                (self.cells.len() - 1) as u32
            }
        };
        self.len += 1;
        self.file(index);
        TimerId { index, generation: self.cells[index as usize].generation }
    }

    fn entry(&self, id: TimerId) -> Option<&Entry<T>> {
        let cell = self.cells.get(id.index as usize)?;
        if cell.generation != id.generation {
            return None;
        }
        cell.entry.as_ref()
    }

    /// Whether the timer is still pending (not removed, not returned by `pop_due`).
    pub fn contains(&self, id: TimerId) -> bool {
        self.entry(id).is_some()
    }

    /// A pending timer's deadline.
    pub fn deadline(&self, id: TimerId) -> Option<u64> {
        self.entry(id).map(|e| e.deadline)
    }

    /// A pending timer's value, to change it (a newer waker, say) without moving the timer.
    pub fn get_mut(&mut self, id: TimerId) -> Option<&mut T> {
        let cell = self.cells.get_mut(id.index as usize)?;
        if cell.generation != id.generation {
            return None;
        }
        cell.entry.as_mut().map(|e| &mut e.value)
    }

    /// Cancels a pending timer, giving its value back; `None` if it is not pending.
    pub fn remove(&mut self, id: TimerId) -> Option<T> {
        self.entry(id)?;
        self.unfile(id.index);
        Some(self.release(id.index).value)
    }

    /// The earliest deadline pending, if any: when the caller should next call `pop_due`.
    /// A deadline already reached (a timer inserted late) is returned as it is.
    pub fn next_deadline(&self) -> Option<u64> {
        let min_of = |list: &[u32]| list.iter().map(|&i| self.cell_entry(i).deadline).min();
        if !self.due.is_empty() {
            return min_of(&self.due);
        }
        // The lowest occupied level holds the earliest timers, in its lowest occupied slot:
        // every slot of a level starts after every slot of the levels below.
        for level in &self.levels {
            if level.occupied != 0 {
                return min_of(&level.slots[level.occupied.trailing_zeros() as usize]);
            }
        }
        min_of(&self.overflow)
    }

    /// Advances the wheel's time to `now` (a `now` before it counts as no time passing) and
    /// returns every timer due by then: by deadline, equal deadlines in insertion order.
    pub fn pop_due(&mut self, now: u64) -> Vec<(TimerId, T)> {
        let now = now.max(self.elapsed);
        let mut out: Vec<u32> = std::mem::take(&mut self.due);
        loop {
            let lowest = self.levels.iter().enumerate().find(|(_, l)| l.occupied != 0);
            let Some((level, l)) = lowest else {
                // Only the overflow is left: jump to its earliest deadline if that is due.
                match self.overflow.iter().map(|&i| self.cell_entry(i).deadline).min() {
                    Some(d) if d <= now => {
                        self.elapsed = d;
                        self.refile_overflow(&mut out);
                        continue;
                    }
                    _ => break,
                }
            };
            let slot = l.occupied.trailing_zeros() as usize;
            // The slot's start: the wheel's time with this level's digit set to the slot's and
            // every digit below it zero.
            let span = BITS as usize * (level + 1);
            let start = (self.elapsed >> span << span) | ((slot as u64) << (BITS as usize * level));
            if start > now {
                break;
            }
            self.elapsed = start;
            let l = &mut self.levels[level];
            l.occupied &= !(1 << slot);
            let taken = std::mem::take(&mut l.slots[slot]);
            for index in taken {
                if self.cell_entry(index).deadline <= self.elapsed {
                    out.push(index);
                } else {
                    self.file(index);
                }
            }
        }
        self.elapsed = now;
        self.refile_overflow(&mut out);
        let mut keyed: Vec<(u64, u64, u32)> = out
            .into_iter()
            .map(|i| {
                let e = self.cell_entry(i);
                (e.deadline, e.seq, i)
            })
            .collect();
        keyed.sort_unstable();
        keyed
            .into_iter()
            .map(|(_, _, index)| {
                let generation = self.cells[index as usize].generation;
                (TimerId { index, generation }, self.release(index).value)
            })
            .collect()
    }

    fn cell_entry(&self, index: u32) -> &Entry<T> {
        self.cells[index as usize].entry.as_ref().expect("a filed timer is pending")
    }

    /// Files a pending timer for the wheel's time: due, on a level, or in the overflow.
    fn file(&mut self, index: u32) {
        let deadline = self.cell_entry(index).deadline;
        let place = if deadline <= self.elapsed {
            self.due.push(index);
            Place::Due(self.due.len() as u32 - 1)
        } else {
            let level = level_for(self.elapsed, deadline);
            if level >= LEVELS {
                self.overflow.push(index);
                Place::Overflow(self.overflow.len() as u32 - 1)
            } else {
                let slot = slot_for(deadline, level);
                let l = &mut self.levels[level];
                l.occupied |= 1 << slot;
                l.slots[slot].push(index);
                Place::Wheel { level: level as u8, slot: slot as u8, pos: l.slots[slot].len() as u32 - 1 }
            }
        };
        self.cells[index as usize].entry.as_mut().expect("pending").place = place;
    }

    /// Takes a pending timer out of the list it is filed in.
    fn unfile(&mut self, index: u32) {
        let place = self.cell_entry(index).place;
        let (list, pos) = match place {
            Place::Due(pos) => (&mut self.due, pos),
            Place::Overflow(pos) => (&mut self.overflow, pos),
            Place::Wheel { level, slot, pos } => {
                let l = &mut self.levels[level as usize];
                let list = &mut l.slots[slot as usize];
                if list.len() == 1 {
                    l.occupied &= !(1 << slot);
                }
                (list, pos)
            }
        };
        list.swap_remove(pos as usize);
        if let Some(&moved) = list.get(pos as usize) {
            let entry = self.cells[moved as usize].entry.as_mut().expect("pending");
            entry.place = match entry.place {
                Place::Due(_) => Place::Due(pos),
                Place::Overflow(_) => Place::Overflow(pos),
                Place::Wheel { level, slot, .. } => Place::Wheel { level, slot, pos },
            };
        }
    }

    /// Files again the overflow's timers that the wheel's time has brought within reach (or due).
    fn refile_overflow(&mut self, out: &mut Vec<u32>) {
        if self.overflow.is_empty() {
            return;
        }
        for index in std::mem::take(&mut self.overflow) {
            if self.cell_entry(index).deadline <= self.elapsed {
                out.push(index);
            } else {
                self.file(index);
            }
        }
    }

    /// Frees a timer's cell (its id will not name anything again) and gives back its entry.
    fn release(&mut self, index: u32) -> Entry<T> {
        let cell = &mut self.cells[index as usize];
        let entry = cell.entry.take().expect("pending");
        cell.generation = cell.generation.wrapping_add(1);
        self.free.push(index);
        self.len -= 1;
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A deadline is filed at the level of the highest digit it differs in from the wheel's time.
    #[test]
    fn levels_by_digit() {
        assert_eq!(level_for(0, 1), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(60, 70), 1);
        assert_eq!(level_for(64, 127), 0);
        assert_eq!(level_for(0, 4095), 1);
        assert_eq!(level_for(0, 4096), 2);
        assert_eq!(level_for(0, REACH - 1), LEVELS - 1);
        assert_eq!(level_for(0, REACH), LEVELS);
        assert_eq!(slot_for(100, 0), 36);
        assert_eq!(slot_for(100, 1), 1);
    }
}
