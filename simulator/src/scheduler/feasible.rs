//! How many feasible nodes the scheduler looks for before it stops filtering
//! (`pkg/scheduler/schedule_one.go numFeasibleNodesToFind`).

/// `minFeasibleNodesToFind`: below this many nodes every node is considered.
pub const MIN_FEASIBLE_NODES_TO_FIND: i64 = 100;
/// `minFeasibleNodesPercentageToFind`: the adaptive percentage never drops below this.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;

/// `numFeasibleNodesToFind(percentageOfNodesToScore, numAllNodes)`: all nodes below 100 or
/// at 100%; a percentage of 0 (unset) is adaptive, `max(50 - n/125, 5)`; the result is
/// `n * pct / 100` but never below 100.
pub fn num_feasible_nodes_to_find(percentage: i64, num_all_nodes: i64) -> i64 {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100 {
        return num_all_nodes;
    }
    let mut pct = percentage;
    if pct <= 0 {
        pct = (50 - num_all_nodes / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    }
    let n = num_all_nodes * pct / 100;
    n.max(MIN_FEASIBLE_NODES_TO_FIND)
}

#[cfg(test)]
mod tests {
    use super::num_feasible_nodes_to_find as f;

    #[test]
    fn upstream_table() {
        assert_eq!(f(0, 10), 10);
        assert_eq!(f(0, 1000), 420);
        assert_eq!(f(40, 1000), 400);
        assert_eq!(f(0, 6000), 300);
        assert_eq!(f(40, 6000), 2400);
        assert_eq!(f(0, 99), 99);
        assert_eq!(f(0, 100), 100);
        assert_eq!(f(1, 1000), 100, "never below 100");
        assert_eq!(f(100, 5000), 5000);
        assert_eq!(f(0, 100_000), 5000, "adaptive floor is 5%");
    }
}
