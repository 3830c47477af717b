//! The coffee-shop schedules that the barista animation draws: one barista taking turns between
//! orders (concurrency), or one barista per order (parallelism).

/// Which order each barista works on in each time slot (`None`: idle).
pub type Lanes = Vec<Vec<Option<usize>>>;

/// Schedules `orders` orders of `steps` steps each over `baristas` baristas. Each barista takes
/// the orders round-robin, one step at a time, so a lone barista interleaves them all.
pub fn schedule(orders: usize, steps: usize, baristas: usize) -> Lanes {
    let baristas = baristas.max(1);
    let mut lanes: Lanes = vec![Vec::new(); baristas];
    for (b, lane) in lanes.iter_mut().enumerate() {
        let mine: Vec<usize> = (0..orders).filter(|o| o % baristas == b).collect();
        for _ in 0..steps {
            lane.extend(mine.iter().map(|&o| Some(o)));
        }
    }
    let length = lanes.iter().map(Vec::len).max().unwrap_or(0);
    for lane in &mut lanes {
        lane.resize(length, None);
    }
    lanes
}

/// The slot after which each order is finished (its last step), by order.
pub fn finish_times(lanes: &Lanes, orders: usize) -> Vec<usize> {
    (0..orders)
        .map(|o| {
            lanes
                .iter()
                .filter_map(|lane| lane.iter().rposition(|&s| s == Some(o)))
                .max()
                .map_or(0, |t| t + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // One barista interleaves: A B C A B C …, and the orders finish at 7, 8 and 9.
    #[test]
    fn one_barista_interleaves() {
        let lanes = schedule(3, 3, 1);
        assert_eq!(lanes.len(), 1);
        assert_eq!(lanes[0], [0, 1, 2, 0, 1, 2, 0, 1, 2].map(Some).to_vec());
        assert_eq!(finish_times(&lanes, 3), vec![7, 8, 9]);
    }

    // Three baristas work at the same moment: everything is done after 3 slots.
    #[test]
    fn three_baristas_in_parallel() {
        let lanes = schedule(3, 3, 3);
        assert_eq!(lanes, vec![vec![Some(0); 3], vec![Some(1); 3], vec![Some(2); 3]]);
        assert_eq!(finish_times(&lanes, 3), vec![3, 3, 3]);
    }
}
