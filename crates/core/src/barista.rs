//! The coffee-bar schedules that the barista animation draws, and the clock that plays them.
//!
//! Each drink is a chain of steps. A hands-on step (grinding, pouring) needs a barista for its
//! whole length; a machine wait (the coffee brews, the kettle boils) needs only its machine, and
//! the barista is free meanwhile. A small greedy list scheduler lays the same three orders out
//! three ways: sequential (one barista, one order at a time, standing idle through its waits),
//! concurrent (one barista who fills each wait with hands-on steps of other orders) and parallel
//! (one barista per order). The café has one machine of each kind; a wait that finds its machine
//! busy waits for it.

/// What a step needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A barista works on it for its whole length.
    Hands,
    /// A machine works on it; nobody has to.
    Wait,
}

/// One step of a drink, in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// A word short enough to print inside the step's block.
    pub label: &'static str,
    /// The step in a few words, for the figure's description.
    pub what: &'static str,
    /// Whether it needs a barista or a machine.
    pub kind: Kind,
    /// How long it takes.
    pub minutes: u32,
    /// The machine a wait occupies (hands-on steps use none).
    pub machine: Option<&'static str>,
}

const fn hands(label: &'static str, what: &'static str, minutes: u32) -> Step {
    Step { label, what, kind: Kind::Hands, minutes, machine: None }
}

const fn wait(label: &'static str, what: &'static str, minutes: u32, machine: &'static str) -> Step {
    Step { label, what, kind: Kind::Wait, minutes, machine: Some(machine) }
}

/// An order: a drink and the steps that make it, in the order they must happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drink {
    /// The drink's name in full.
    pub name: &'static str,
    /// The name as a row label.
    pub short: &'static str,
    /// Every drink starts with a hands-on step (somebody has to take the order on).
    pub steps: &'static [Step],
}

impl Drink {
    /// Minutes the drink takes when one barista does nothing else.
    pub fn alone(&self) -> u32 {
        self.steps.iter().map(|s| s.minutes).sum()
    }

    /// Minutes of it that need a barista.
    pub fn hands_on(&self) -> u32 {
        self.steps.iter().filter(|s| s.kind == Kind::Hands).map(|s| s.minutes).sum()
    }
}

/// The three orders the figure and lesson 1 use. Each wait uses a different machine.
pub const DRINKS: [Drink; 3] = [
    Drink {
        name: "Filter coffee",
        short: "coffee",
        steps: &[
            hands("grind", "grind the beans and fill the brewer", 2),
            wait("brews", "the coffee brews", 4, "coffee brewer"),
            hands("pour", "pour", 1),
        ],
    },
    Drink {
        name: "Hot chocolate",
        short: "cocoa",
        steps: &[
            hands("mix", "mix cocoa into the milk", 1),
            wait("warms", "the milk warms", 2, "milk warmer"),
            hands("whisk", "whisk and pour", 2),
        ],
    },
    Drink {
        name: "Tea",
        short: "tea",
        steps: &[
            hands("fill", "fill the kettle", 1),
            wait("boils", "the kettle boils", 3, "kettle"),
            hands("pour", "pour", 1),
        ],
    },
];

/// How the café works through its orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One barista, one order at a time, idle while that order's machine works.
    Sequential,
    /// One barista who starts other orders while a machine works.
    Concurrent,
    /// One barista per order.
    Parallel,
}

impl Mode {
    /// The lanes, top to bottom.
    pub const ALL: [Mode; 3] = [Mode::Sequential, Mode::Concurrent, Mode::Parallel];

    /// Baristas working on `orders` orders.
    pub fn baristas(self, orders: usize) -> usize {
        match self {
            Mode::Parallel => orders.max(1),
            Mode::Sequential | Mode::Concurrent => 1,
        }
    }

    /// Whether a barista may start another order before the one in hand is served.
    fn juggles(self) -> bool {
        self == Mode::Concurrent
    }

    /// The lane's title in the figure.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Sequential => "Sequential: 1 barista",
            Mode::Concurrent => "Concurrent: 1 barista",
            Mode::Parallel => "Parallel: 3 baristas",
        }
    }

    /// The lane's name on the page (its `data-lane`).
    pub fn key(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Concurrent => "concurrent",
            Mode::Parallel => "parallel",
        }
    }
}

/// One step of one order, placed in time (minutes from the opening).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// Index of the order (the drink) in the menu.
    pub order: usize,
    /// Index of the step in its drink.
    pub step: usize,
    /// Whether a barista or a machine does it.
    pub kind: Kind,
    /// The minute it starts.
    pub start: u32,
    /// The minute it is over.
    pub end: u32,
    /// Who does it: a hands-on step has a barista, a wait has none.
    pub barista: Option<usize>,
}

/// A lane of the figure: every step of every order, placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// How the café works through the orders.
    pub mode: Mode,
    /// How many baristas work.
    pub baristas: usize,
    /// Every step of every order.
    pub blocks: Vec<Block>,
}

impl Schedule {
    /// The minute the last order is served.
    pub fn finish(&self) -> u32 {
        self.blocks.iter().map(|b| b.end).max().unwrap_or(0)
    }

    /// The minute order `o` is served.
    pub fn served(&self, o: usize) -> u32 {
        self.blocks.iter().filter(|b| b.order == o).map(|b| b.end).max().unwrap_or(0)
    }

    /// Minutes in which some barista stands with nothing to do before the last order is served.
    pub fn idle_minutes(&self) -> u32 {
        let busy: u32 = self.blocks.iter().filter(|b| b.kind == Kind::Hands).map(|b| b.end - b.start).sum();
        self.baristas as u32 * self.finish() - busy
    }
}

/// Lays `drinks` out for `mode` with a greedy list scheduler, minute by minute: a wait starts as
/// soon as its order's previous step is over and its machine is free; then each free barista
/// takes the earliest order (first come, first served) whose next step is hands-on and ready.
/// The barista who takes an order on does all its hands-on steps; outside `Concurrent` a barista
/// takes on no new order before the one in hand is served.
pub fn schedule(drinks: &[Drink], mode: Mode) -> Schedule {
    let n = drinks.len();
    let baristas = mode.baristas(n);
    let mut next = vec![0usize; n]; // index of each order's next step
    let mut ready = vec![0u32; n]; // when that step may start
    let mut owner: Vec<Option<usize>> = vec![None; n];
    let mut free_at = vec![0u32; baristas];
    let mut machines: Vec<(&str, u32)> = Vec::new(); // when each machine is free again
    let mut blocks = Vec::new();
    let open = |next: &[usize], o: usize| next[o] < drinks[o].steps.len();
    let mut t = 0u32;
    while (0..n).any(|o| open(&next, o)) {
        for o in 0..n {
            if !open(&next, o) || owner[o].is_none() || ready[o] > t {
                continue;
            }
            let step = drinks[o].steps[next[o]];
            if step.kind != Kind::Wait {
                continue;
            }
            let machine = step.machine.unwrap_or("");
            let slot = match machines.iter().position(|(m, _)| *m == machine) {
                Some(i) => i,
                None => {
                    machines.push((machine, 0));
                    machines.len() - 1
                }
            };
            if machines[slot].1 > t {
                continue;
            }
            let end = t + step.minutes;
            blocks.push(Block { order: o, step: next[o], kind: Kind::Wait, start: t, end, barista: None });
            machines[slot].1 = end;
            ready[o] = end;
            next[o] += 1;
        }
        for (b, free) in free_at.iter_mut().enumerate() {
            if *free > t {
                continue;
            }
            let holds_one = (0..n).any(|o| owner[o] == Some(b) && open(&next, o));
            let pick = (0..n).find(|&o| {
                open(&next, o)
                    && ready[o] <= t
                    && drinks[o].steps[next[o]].kind == Kind::Hands
                    && match owner[o] {
                        Some(x) => x == b,
                        None => mode.juggles() || !holds_one,
                    }
            });
            if let Some(o) = pick {
                let step = drinks[o].steps[next[o]];
                let end = t + step.minutes;
                owner[o] = Some(b);
                blocks.push(Block { order: o, step: next[o], kind: Kind::Hands, start: t, end, barista: Some(b) });
                *free = end;
                ready[o] = end;
                next[o] += 1;
            }
        }
        let upcoming = free_at.iter().chain(ready.iter()).chain(machines.iter().map(|(_, f)| f)).copied().filter(|&x| x > t).min();
        match upcoming {
            Some(x) => t = x,
            None if (0..n).any(|o| open(&next, o)) => {
                // Nothing will ever change: only a drink starting with a wait gets here.
                debug_assert!(false, "a drink must start with a hands-on step");
                break;
            }
            None => break,
        }
    }
    Schedule { mode, baristas, blocks }
}

/// The three lanes of the figure, in order: sequential, concurrent, parallel.
pub fn lanes(drinks: &[Drink]) -> [Schedule; 3] {
    Mode::ALL.map(|m| schedule(drinks, m))
}

/// "Filter coffee (grind the beans and fill the brewer 2 min, then the coffee brews 4 min, …)".
pub fn recipe(drink: &Drink) -> String {
    let steps: Vec<String> = drink.steps.iter().map(|s| format!("{} {} min", s.what, s.minutes)).collect();
    format!("{} ({})", drink.name, steps.join(", then "))
}

/// The figure's long description: what each lane shows, with its minutes.
pub fn describe(drinks: &[Drink], lanes: &[Schedule; 3]) -> String {
    let [seq, con, par] = lanes;
    let recipes: Vec<String> = drinks.iter().map(recipe).collect();
    let served: Vec<String> = (0..drinks.len()).map(|o| format!("{} at {}", drinks[o].short, con.served(o))).collect();
    format!(
        "A timeline in minutes with three lanes, one row per order. Solid blocks are hands-on steps, when a barista is busy; \
         striped blocks are machine waits, when nobody is needed. The orders: {}. \
         Sequential lane: one barista makes one order at a time and stands idle during its waits; the last order is served at {} minutes. \
         Concurrent lane: the same single barista starts the other orders while the machines work, never doing two hands-on steps at once; \
         orders are served ({}) and the last at {} minutes. \
         Parallel lane: three baristas, one order each; the last order is served at {} minutes.",
        recipes.join("; "),
        seq.finish(),
        served.join(", "),
        con.finish(),
        par.finish()
    )
}

/// The two paragraphs under the figure: the steps of each drink, then each lane's finish.
pub fn caption(drinks: &[Drink], lanes: &[Schedule; 3]) -> [String; 2] {
    let [seq, con, par] = lanes;
    let recipes: Vec<String> = drinks
        .iter()
        .map(|d| format!("{}: {}", d.short, d.steps.iter().map(|s| format!("{} {}", s.label, s.minutes)).collect::<Vec<_>>().join(", ")))
        .collect();
    let longest = drinks.iter().max_by_key(|d| d.alone()).map_or("", |d| d.short);
    [
        format!(
            "Steps in minutes: {}. The café has one machine of each kind, and each drink uses a different one, so no order ever waits for a machine.",
            recipes.join("; ")
        ),
        format!(
            "Sequential: the barista stands idle through every wait and is done at {} min. Concurrent: the same barista starts the next order \
             while a machine works, never doing two hands-on steps at once, and is done at {} min. Parallel: three baristas, one order each, \
             are done at {} min, when the longest drink ({longest}) is ready.",
            seq.finish(),
            con.finish(),
            par.finish()
        ),
    ]
}

/// Seconds of animation per minute of café time.
pub const SECONDS_PER_MINUTE: f64 = 0.75;

/// Where the animation stands, as `data-state` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayState {
    /// Not started, or paused part-way.
    Idle,
    /// The clock is moving.
    Running,
    /// The clock reached the last order.
    Done,
}

impl PlayState {
    /// The value of `data-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlayState::Idle => "idle",
            PlayState::Running => "running",
            PlayState::Done => "done",
        }
    }
}

/// The animation's clock: café minutes shown so far, and whether it is moving.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Playback {
    total_min: u32,
    minute: f64,
    playing: bool,
    /// The end has been reached at least once (the figures are then published).
    reached_end: bool,
}

impl Playback {
    /// A clock at minute 0, stopped, for a figure that lasts `total_min` minutes.
    pub fn new(total_min: u32) -> Self {
        Playback { total_min, minute: 0.0, playing: false, reached_end: false }
    }

    /// A clock already at the end (for readers who prefer reduced motion).
    pub fn at_end(total_min: u32) -> Self {
        Playback { total_min, minute: f64::from(total_min), playing: false, reached_end: true }
    }

    /// Café minutes shown so far.
    pub fn minute(&self) -> f64 {
        self.minute
    }

    /// The minute the figure ends.
    pub fn total_min(&self) -> u32 {
        self.total_min
    }

    /// Whether the clock is moving.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Whether the end has been reached at least once.
    pub fn reached_end(&self) -> bool {
        self.reached_end
    }

    /// Whether the clock stands at the end now.
    pub fn at_the_end(&self) -> bool {
        self.minute >= f64::from(self.total_min)
    }

    /// Idle, running or done.
    pub fn state(&self) -> PlayState {
        if self.at_the_end() {
            PlayState::Done
        } else if self.playing {
            PlayState::Running
        } else {
            PlayState::Idle
        }
    }

    /// Plays from where it stands, or from the start if it is at the end.
    pub fn play(&mut self) {
        if self.at_the_end() {
            self.minute = 0.0;
        }
        self.playing = true;
    }

    /// Stops the clock where it is.
    pub fn pause(&mut self) {
        self.playing = false;
    }

    /// Play ⇄ pause, as the button does.
    pub fn toggle(&mut self) {
        if self.playing {
            self.pause()
        } else {
            self.play()
        }
    }

    /// Jumps to the last minute and stops.
    pub fn skip_to_end(&mut self) {
        self.minute = f64::from(self.total_min);
        self.playing = false;
        self.reached_end = true;
    }

    /// Moves the clock on by `seconds` of real time if it is playing; stops at the end.
    pub fn advance(&mut self, seconds: f64) {
        if !self.playing || seconds <= 0.0 {
            return;
        }
        self.minute += seconds / SECONDS_PER_MINUTE;
        if self.at_the_end() {
            self.skip_to_end();
        }
    }

    /// The share of a block from `start` to `end` shown so far, 0.0 to 1.0.
    pub fn shown(&self, start: u32, end: u32) -> f64 {
        if end <= start {
            return 0.0;
        }
        ((self.minute - f64::from(start)) / f64::from(end - start)).clamp(0.0, 1.0)
    }

    /// Whether minute `m` has been reached.
    pub fn reached(&self, m: u32) -> bool {
        self.minute >= f64::from(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hands_blocks(s: &Schedule) -> Vec<&Block> {
        s.blocks.iter().filter(|b| b.kind == Kind::Hands).collect()
    }

    fn overlap(a: &Block, b: &Block) -> bool {
        a.start < b.end && b.start < a.end
    }

    // Structural rules every lane obeys, whatever the drinks.
    fn check_rules(drinks: &[Drink], s: &Schedule) {
        // Every step is placed once, for its full length.
        assert_eq!(s.blocks.len(), drinks.iter().map(|d| d.steps.len()).sum::<usize>());
        for (o, d) in drinks.iter().enumerate() {
            let mut mine: Vec<&Block> = s.blocks.iter().filter(|b| b.order == o).collect();
            mine.sort_by_key(|b| b.step);
            for (i, b) in mine.iter().enumerate() {
                assert_eq!(b.step, i, "{:?}: order {o} skips a step", s.mode);
                assert_eq!(b.end - b.start, d.steps[i].minutes);
                assert_eq!(b.kind, d.steps[i].kind);
                // Each order's steps keep their order.
                if i > 0 {
                    assert!(b.start >= mine[i - 1].end, "{:?}: order {o} step {i} starts before step {} ends", s.mode, i - 1);
                }
            }
        }
        // A wait never needs a barista; a hands-on step always has one.
        for b in &s.blocks {
            assert_eq!(b.barista.is_none(), b.kind == Kind::Wait, "{:?}: {b:?}", s.mode);
            if let Some(x) = b.barista {
                assert!(x < s.baristas);
            }
        }
        // One barista, one hands-on step at a time.
        let hs = hands_blocks(s);
        for (i, a) in hs.iter().enumerate() {
            for b in &hs[i + 1..] {
                assert!(!(a.barista == b.barista && overlap(a, b)), "{:?}: barista does {a:?} and {b:?} at once", s.mode);
            }
        }
        // One machine, one wait at a time.
        let ws: Vec<&Block> = s.blocks.iter().filter(|b| b.kind == Kind::Wait).collect();
        for (i, a) in ws.iter().enumerate() {
            for b in &ws[i + 1..] {
                let (ma, mb) = (drinks[a.order].steps[a.step].machine, drinks[b.order].steps[b.step].machine);
                assert!(!(ma == mb && overlap(a, b)), "{:?}: {ma:?} runs two waits at once", s.mode);
            }
        }
        // An order is made by the barista who took it on.
        for o in 0..drinks.len() {
            let who: Vec<_> = s.blocks.iter().filter(|b| b.order == o).filter_map(|b| b.barista).collect();
            assert!(who.windows(2).all(|w| w[0] == w[1]), "{:?}: order {o} changes hands", s.mode);
        }
        // Nobody beats the longest drink, and one pair of hands needs all the hands-on minutes.
        assert!(s.finish() >= drinks.iter().map(Drink::alone).max().unwrap_or(0));
        if s.baristas == 1 {
            assert!(s.finish() >= drinks.iter().map(Drink::hands_on).sum::<u32>());
        }
    }

    // The shipped drinks: concurrency helps the single barista, parallelism helps more.
    #[test]
    fn shipped_drinks_finish_sooner_lane_by_lane() {
        let [seq, con, par] = lanes(&DRINKS);
        assert_eq!((seq.finish(), con.finish(), par.finish()), (17, 9, 7));
        assert!(seq.finish() > con.finish() && con.finish() > par.finish());
        for s in [&seq, &con, &par] {
            check_rules(&DRINKS, s);
        }
        assert_eq!([&seq, &con, &par].map(|s| s.mode), Mode::ALL);
    }

    /// The earliest one barista can finish `drinks` in any order of hands-on steps, found by
    /// trying every order (the drinks' waits each have a machine of their own).
    fn best_for_one_barista(drinks: &[Drink]) -> u32 {
        fn go(drinks: &[Drink], free_at: u32, next: &mut Vec<usize>, ready: &mut Vec<u32>) -> u32 {
            let mut best = u32::MAX;
            for o in 0..drinks.len() {
                let Some(step) = drinks[o].steps.get(next[o]) else { continue };
                assert_eq!(step.kind, Kind::Hands, "a wait starts by itself");
                let (saved_next, saved_ready) = (next[o], ready[o]);
                let end = free_at.max(ready[o]) + step.minutes;
                ready[o] = end;
                next[o] += 1;
                // Waits run on their own as soon as the step before them ends.
                while let Some(w) = drinks[o].steps.get(next[o]).filter(|s| s.kind == Kind::Wait) {
                    ready[o] += w.minutes;
                    next[o] += 1;
                }
                best = best.min(go(drinks, end, next, ready));
                (next[o], ready[o]) = (saved_next, saved_ready);
            }
            if best == u32::MAX {
                ready.iter().copied().max().unwrap_or(0)
            } else {
                best
            }
        }
        go(drinks, 0, &mut vec![0; drinks.len()], &mut vec![0; drinks.len()])
    }

    // The concurrent lane is no straw man: no order of hands-on steps lets one barista finish
    // sooner than the figure's, so the parallel lane's lead is parallelism's, not poor planning.
    #[test]
    fn concurrent_lane_is_the_best_one_barista_can_do() {
        let [_, con, par] = lanes(&DRINKS);
        assert_eq!(best_for_one_barista(&DRINKS), con.finish());
        assert!(par.finish() < best_for_one_barista(&DRINKS));
    }

    // Every shipped drink starts hands-on and mixes hands-on steps with waits on its own machine.
    #[test]
    fn shipped_drinks_are_well_formed() {
        let mut machines = Vec::new();
        for d in &DRINKS {
            assert_eq!(d.steps[0].kind, Kind::Hands, "{}", d.name);
            assert!(d.steps.iter().any(|s| s.kind == Kind::Wait) && d.hands_on() < d.alone());
            for s in d.steps.iter().filter(|s| s.kind == Kind::Wait) {
                assert!(!machines.contains(&s.machine), "{} shares a machine", d.name);
                machines.push(s.machine);
            }
        }
    }

    // Sequential: one order at a time, in order, and the barista idles through every wait.
    #[test]
    fn sequential_makes_one_order_at_a_time() {
        let s = schedule(&DRINKS, Mode::Sequential);
        for o in 1..DRINKS.len() {
            let start = s.blocks.iter().filter(|b| b.order == o).map(|b| b.start).min().unwrap();
            assert_eq!(start, s.served(o - 1), "order {o} starts as soon as the one before it is served");
        }
        assert_eq!(s.finish(), DRINKS.iter().map(Drink::alone).sum::<u32>());
        let waits: u32 = DRINKS.iter().map(|d| d.alone() - d.hands_on()).sum();
        assert_eq!(s.idle_minutes(), waits);
    }

    // Concurrent: the barista does hands-on steps of other orders while a machine works, so
    // several orders are in progress at once, and the barista idles less than sequentially.
    #[test]
    fn concurrent_fills_the_waits() {
        let s = schedule(&DRINKS, Mode::Concurrent);
        let filled = s.blocks.iter().filter(|w| w.kind == Kind::Wait).any(|w| {
            hands_blocks(&s).iter().any(|h| h.order != w.order && overlap(h, w))
        });
        assert!(filled, "no hands-on step happens during another order's wait");
        assert_eq!(s.baristas, 1);
        assert!(s.idle_minutes() < schedule(&DRINKS, Mode::Sequential).idle_minutes());
        // The cocoa is served at 7, the coffee at 8 (it waits a minute for the barista), the tea at 9.
        assert_eq!((0..3).map(|o| s.served(o)).collect::<Vec<_>>(), vec![8, 7, 9]);
    }

    // Parallel: each order has its own barista, so each is served when it would be alone.
    #[test]
    fn parallel_gives_each_order_a_barista() {
        let s = schedule(&DRINKS, Mode::Parallel);
        assert_eq!(s.baristas, 3);
        for (o, d) in DRINKS.iter().enumerate() {
            assert_eq!(s.served(o), d.alone());
            assert!(s.blocks.iter().filter(|b| b.order == o).all(|b| b.barista.is_none_or(|x| x == o)));
        }
    }

    // A machine is a real constraint: two coffees share the one brewer, so the second waits.
    #[test]
    fn a_busy_machine_makes_the_next_wait_wait() {
        let coffee = DRINKS[0];
        let two = [coffee, coffee];
        for mode in Mode::ALL {
            let s = schedule(&two, mode);
            check_rules(&two, &s);
        }
        let par = schedule(&two, Mode::Parallel);
        let brews: Vec<&Block> = par.blocks.iter().filter(|b| b.kind == Kind::Wait).collect();
        assert_eq!((brews[0].start, brews[1].start), (2, 6));
        assert_eq!(par.finish(), 11);
    }

    // The rules hold for other menus too (a small exhaustive sweep of step lengths).
    #[test]
    fn rules_hold_for_other_menus() {
        const M: [&str; 2] = ["one", "two"];
        for a in 1..=3 {
            for w in 1..=4 {
                for c in 1..=3 {
                    let steps: &'static [Step] = Box::leak(Box::new([
                        hands("a", "a", a),
                        wait("w", "w", w, M[(w % 2) as usize]),
                        hands("c", "c", c),
                        wait("v", "v", c, M[0]),
                    ]));
                    let other: &'static [Step] = Box::leak(Box::new([hands("x", "x", c), wait("y", "y", a, M[1]), hands("z", "z", w)]));
                    let menu = [
                        Drink { name: "P", short: "p", steps },
                        Drink { name: "Q", short: "q", steps: other },
                        DRINKS[2],
                    ];
                    for mode in Mode::ALL {
                        check_rules(&menu, &schedule(&menu, mode));
                    }
                }
            }
        }
    }

    // The description names each lane's finish, and the recipes give each step's minutes.
    #[test]
    fn description_matches_the_lanes() {
        let ls = lanes(&DRINKS);
        let d = describe(&DRINKS, &ls);
        assert!(d.contains("served at 17 minutes") && d.contains("last at 9 minutes") && d.contains("served at 7 minutes"), "{d}");
        assert!(d.contains("the coffee brews 4 min"));
    }

    // The text under the figure gives every step's minutes and each lane's finish, in lane order.
    #[test]
    fn caption_matches_the_lanes() {
        let [steps, finishes] = caption(&DRINKS, &lanes(&DRINKS));
        assert!(steps.contains("coffee: grind 2, brews 4, pour 1") && steps.contains("tea: fill 1, boils 3, pour 1"), "{steps}");
        let said: Vec<&str> = finishes.match_indices("done at ").map(|(i, _)| finishes[i + 8..].split(' ').next().unwrap()).collect();
        assert_eq!(said, ["17", "9", "7"], "{finishes}");
        assert!(finishes.contains("longest drink (coffee)"));
    }

    // The clock: stopped at 0, runs, pauses (idle), reaches done at the last minute and stays.
    #[test]
    fn playback_runs_pauses_and_ends() {
        let mut p = Playback::new(17);
        assert_eq!(p.state(), PlayState::Idle);
        p.advance(5.0);
        assert_eq!(p.minute(), 0.0, "a stopped clock does not move");
        p.play();
        assert_eq!(p.state(), PlayState::Running);
        p.advance(3.0 * SECONDS_PER_MINUTE);
        assert!((p.minute() - 3.0).abs() < 1e-9);
        assert!(p.reached(3) && !p.reached(4));
        assert!((p.shown(2, 4) - 0.5).abs() < 1e-9);
        p.toggle();
        assert_eq!(p.state(), PlayState::Idle);
        p.toggle();
        p.advance(100.0);
        assert_eq!((p.state(), p.minute(), p.playing(), p.reached_end()), (PlayState::Done, 17.0, false, true));
        p.advance(1.0);
        assert_eq!(p.minute(), 17.0);
        // Playing again starts over; the figures stay published.
        p.play();
        assert_eq!((p.state(), p.minute(), p.reached_end()), (PlayState::Running, 0.0, true));
    }

    // "Show the end" and reduced motion both land on the finished figure.
    #[test]
    fn skipping_and_reduced_motion_show_the_end() {
        let mut p = Playback::new(17);
        p.play();
        p.advance(1.0);
        p.skip_to_end();
        assert_eq!((p.state(), p.reached_end()), (PlayState::Done, true));
        let q = Playback::at_end(17);
        assert_eq!((q.state(), q.reached_end(), q.shown(0, 17)), (PlayState::Done, true, 1.0));
        assert_eq!(PlayState::Done.as_str(), "done");
    }
}
