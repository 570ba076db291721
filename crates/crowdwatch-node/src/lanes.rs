//! The order in which the engine thread runs queued calls: one FIFO lane per source (and one for
//! ticks), served one call at a time in turn, a lane that was idle going first.
//!
//! Line order only matters within a source (its buckets see its lines in order; its read
//! position is journaled once its batches are processed, in order). Across sources, strict
//! arrival order made an sshd attack line wait behind every nginx batch read before it (up to
//! the 2 MiB back-pressure mark, ~90 ms of engine work at 100,000 lines/s). Served in turn, it
//! waits for the batch in the engine and, at most, one batch of each other busy source. A lane
//! that becomes busy again joins at the front, as fq_codel serves new flows first: a source that
//! sends a batch now and then is served next, and a source that always has batches waiting
//! cannot use this to starve others (it is never idle, so it only ever joins at the back).
use std::collections::{HashMap, VecDeque};

/// Which lane a call waits in: a source's, the one of ticks (bucket housekeeping), or the one
/// of reads of the engine's state (metrics).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Lane {
    Source(usize),
    Tick,
    Read,
}

/// Calls waiting, per lane, and the turn of the lanes that have any.
pub struct Lanes<T> {
    waiting: HashMap<Lane, VecDeque<T>>,
    turn: VecDeque<Lane>,
}

impl<T> Default for Lanes<T> {
    fn default() -> Self {
        Lanes {
            waiting: HashMap::new(),
            turn: VecDeque::new(),
        }
    }
}

impl<T> Lanes<T> {
    pub fn is_empty(&self) -> bool {
        self.turn.is_empty()
    }

    /// Queues `call` behind the calls of its lane; an idle lane takes the next turn.
    pub fn push(&mut self, lane: Lane, call: T) {
        let queue = self.waiting.entry(lane).or_default();
        if queue.is_empty() {
            self.turn.push_front(lane);
        }
        queue.push_back(call);
    }

    /// The next call to run: the oldest of the lane whose turn it is; that lane then goes to the
    /// back of the turn if it has more.
    pub fn pop(&mut self) -> Option<T> {
        let lane = self.turn.pop_front()?;
        let queue = self.waiting.get_mut(&lane)?;
        let call = queue.pop_front();
        if queue.is_empty() {
            self.waiting.remove(&lane);
        } else {
            self.turn.push_back(lane);
        }
        call
    }
    /// Puts back `call`, which `pop` just gave and which has more to do, at the head of its
    /// lane; the lane waits at the back of the turn (it was busy, so it is not new).
    pub fn requeue(&mut self, lane: Lane, call: T) {
        let queue = self.waiting.entry(lane).or_default();
        if queue.is_empty() {
            self.turn.push_back(lane);
        }
        queue.push_front(call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(lanes: &mut Lanes<&'static str>) -> Vec<&'static str> {
        std::iter::from_fn(|| lanes.pop()).collect()
    }

    #[test]
    fn one_lane_keeps_its_order() {
        let mut lanes = Lanes::default();
        for c in ["a1", "a2", "a3"] {
            lanes.push(Lane::Source(0), c);
        }
        assert_eq!(drain(&mut lanes), ["a1", "a2", "a3"]);
        assert!(lanes.is_empty());
    }

    #[test]
    fn busy_lanes_take_turns_and_an_idle_one_goes_first() {
        let mut lanes = Lanes::default();
        for c in ["n1", "n2", "n3", "n4"] {
            lanes.push(Lane::Source(0), c);
        }
        assert_eq!(lanes.pop(), Some("n1"));
        // An sshd batch arrives behind three nginx batches: it runs next, not fourth.
        lanes.push(Lane::Source(1), "s1");
        lanes.push(Lane::Source(1), "s2");
        lanes.push(Lane::Tick, "t1");
        assert_eq!(drain(&mut lanes), ["t1", "s1", "n2", "s2", "n3", "n4"]);
    }

    #[test]
    fn a_lane_emptied_and_refilled_is_served_again_in_order() {
        let mut lanes = Lanes::default();
        lanes.push(Lane::Source(0), "a1");
        lanes.push(Lane::Source(1), "b1");
        assert_eq!(lanes.pop(), Some("b1"));
        lanes.push(Lane::Source(1), "b2");
        lanes.push(Lane::Source(0), "a2");
        assert_eq!(drain(&mut lanes), ["b2", "a1", "a2"]);
    }

    #[test]
    fn a_call_put_back_keeps_its_place_in_its_lane_and_waits_for_its_turn() {
        let mut lanes = Lanes::default();
        lanes.push(Lane::Source(0), "n1");
        // n1 has run a slice, and is the only call: it runs on.
        let n1 = lanes.pop().unwrap();
        lanes.requeue(Lane::Source(0), n1);
        assert_eq!(lanes.pop(), Some("n1"));
        lanes.requeue(Lane::Source(0), "n1");
        // An sshd call and another nginx call arrive while n1 has slices left.
        lanes.push(Lane::Source(1), "s1");
        lanes.push(Lane::Source(0), "n2");
        assert_eq!(lanes.pop(), Some("s1"));
        assert_eq!(lanes.pop(), Some("n1"));
        // With another lane busy, a call put back waits for that lane's turn.
        lanes.push(Lane::Source(1), "s2");
        lanes.push(Lane::Source(1), "s3");
        lanes.requeue(Lane::Source(0), "n1");
        assert_eq!(drain(&mut lanes), ["s2", "n1", "s3", "n2"]);
    }
}
