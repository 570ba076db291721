//! Running a [`Program`]: a depth-first search with an explicit stack, bounded by a budget.
use super::program::{Inst, Look, Program};

const UNSET: usize = usize::MAX;

/// Reusable search state (the stack and the capture slots); keep one per caller.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    stack: Vec<Frame>,
    slots: Vec<usize>,
    /// Steps the searches took since the scratch was made (for benchmarks).
    pub steps: u64,
}

impl Scratch {
    /// The span of group `group` in the last successful search; None when it did not take part.
    pub fn group(&self, group: usize) -> Option<(usize, usize)> {
        let start = *self.slots.get(2 * group)?;
        let end = *self.slots.get(2 * group + 1)?;
        (start != UNSET && end != UNSET).then_some((start, end))
    }
}

/// How a search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Matched: the groups are in the [`Scratch`].
    Match,
    NoMatch,
    /// Gave up after the step budget; the answer is unknown.
    OutOfBudget,
}

/// What to come back to when the current path fails.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// The second branch of a split.
    Alt { pc: u32, pos: usize },
    /// Undo a capture slot write.
    Restore { slot: u32, old: usize },
    /// The greedy run of instruction `repeat` can give back bytes down to `min` (it now ends
    /// at `pos`).
    Greedy { repeat: u32, min: usize, pos: usize },
    /// The lazy run of instruction `repeat` can take more bytes, up to `max` (it now ends at
    /// `pos`).
    Lazy { repeat: u32, pos: usize, max: usize },
}

#[inline]
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl Program {
    /// Whether the byte at `pos` is in the follow set (false at the end of input: a follow set
    /// is only given when the rest must consume a byte).
    #[inline]
    fn can_follow(&self, follow: Option<u32>, input: &[u8], pos: usize) -> bool {
        match follow {
            None => true,
            Some(set) => input
                .get(pos)
                .is_some_and(|&b| self.sets[set as usize][b as usize]),
        }
    }

    /// Searches for the match of highest priority that starts exactly at `start` (earlier
    /// bytes are only looked at by assertions), giving up after about `budget` steps.
    pub fn search_at(
        &self,
        input: &[u8],
        start: usize,
        scratch: &mut Scratch,
        budget: usize,
    ) -> Outcome {
        scratch.slots.clear();
        scratch.slots.resize(self.slots, UNSET);
        scratch.stack.clear();
        let Scratch {
            stack,
            slots,
            steps: total,
        } = scratch;
        let mut steps = 0usize;
        let (mut pc, mut pos) = (0u32, start);
        loop {
            steps += 1;
            let ok = match self.insts[pc as usize] {
                Inst::Match => {
                    *total += steps as u64;
                    return Outcome::Match;
                }
                Inst::Byte(b) => {
                    let ok = input.get(pos) == Some(&b);
                    pos += 1;
                    ok
                }
                Inst::Literal { start, len } => {
                    let literal = &self.literals[start as usize..(start + len) as usize];
                    let ok = input
                        .get(pos..)
                        .is_some_and(|rest| rest.starts_with(literal));
                    pos += len as usize;
                    ok
                }
                Inst::Set(set) => {
                    let ok = input
                        .get(pos)
                        .is_some_and(|&b| self.sets[set as usize][b as usize]);
                    pos += 1;
                    ok
                }
                Inst::Repeat {
                    set,
                    min,
                    max,
                    greedy,
                    follow,
                } => {
                    let members = &self.sets[set as usize];
                    let rest = input.get(pos..).unwrap_or(&[]);
                    let min = min as usize;
                    let limit = rest.len().min(max as usize);
                    if greedy {
                        let run = rest[..limit]
                            .iter()
                            .position(|&b| !members[b as usize])
                            .unwrap_or(limit);
                        steps += run / 16;
                        if run < min {
                            false
                        } else {
                            if run > min {
                                stack.push(Frame::Greedy {
                                    repeat: pc,
                                    min: pos + min,
                                    pos: pos + run,
                                });
                            }
                            pos += run;
                            // Ending here is worth trying only before a byte the rest can
                            // begin with (at the end of input, only if it needs none).
                            self.can_follow(follow, input, pos)
                        }
                    } else if rest.len() < min || rest[..min].iter().any(|&b| !members[b as usize])
                    {
                        false
                    } else {
                        let max = pos.saturating_add(max as usize);
                        pos += min;
                        if pos < max {
                            stack.push(Frame::Lazy {
                                repeat: pc,
                                pos,
                                max,
                            });
                        }
                        self.can_follow(follow, input, pos)
                    }
                }
                Inst::Split {
                    first,
                    second,
                    guard,
                } => {
                    let take_first = match guard {
                        None => true,
                        Some(set) => input
                            .get(pos)
                            .is_some_and(|&b| self.sets[set as usize][b as usize]),
                    };
                    if take_first {
                        stack.push(Frame::Alt { pc: second, pos });
                        pc = first;
                    } else {
                        pc = second;
                    }
                    continue;
                }
                Inst::Jump(target) => {
                    pc = target;
                    continue;
                }
                Inst::Save(slot) => {
                    stack.push(Frame::Restore {
                        slot,
                        old: slots[slot as usize],
                    });
                    slots[slot as usize] = pos;
                    true
                }
                Inst::DfaGuard(id) => self.dfa_guards[id as usize].may_match(input, pos),
                Inst::Assert(look) => {
                    let before = pos.checked_sub(1).and_then(|i| input.get(i)).copied();
                    let after = input.get(pos).copied();
                    match look {
                        Look::StartText => pos == 0,
                        Look::EndText => pos == input.len(),
                        Look::StartLine => before.is_none_or(|b| b == b'\n'),
                        Look::EndLine => after.is_none_or(|b| b == b'\n'),
                        Look::WordBoundary | Look::NotWordBoundary => {
                            let boundary =
                                before.is_some_and(is_word) != after.is_some_and(is_word);
                            boundary == (look == Look::WordBoundary)
                        }
                    }
                }
            };
            if ok {
                pc += 1;
                continue;
            }
            // Back to the most recent choice still open.
            loop {
                if steps > budget {
                    *total += steps as u64;
                    return Outcome::OutOfBudget;
                }
                steps += 1;
                let Some(frame) = stack.pop() else {
                    *total += steps as u64;
                    return Outcome::NoMatch;
                };
                match frame {
                    Frame::Alt { pc: next, pos: at } => {
                        (pc, pos) = (next, at);
                        break;
                    }
                    Frame::Restore { slot, old } => slots[slot as usize] = old,
                    Frame::Greedy {
                        repeat,
                        min,
                        pos: end,
                    } => {
                        let Inst::Repeat { follow, .. } = self.insts[repeat as usize] else {
                            unreachable!("a greedy frame comes from a repeat");
                        };
                        // The last shorter end before a byte the rest can begin with.
                        let mut end = end - 1;
                        while !self.can_follow(follow, input, end) && end > min {
                            end -= 1;
                            steps += 1;
                        }
                        if !self.can_follow(follow, input, end) {
                            continue;
                        }
                        if end > min {
                            stack.push(Frame::Greedy {
                                repeat,
                                min,
                                pos: end,
                            });
                        }
                        (pc, pos) = (repeat + 1, end);
                        break;
                    }
                    Frame::Lazy {
                        repeat,
                        pos: end,
                        max,
                    } => {
                        let Inst::Repeat { set, follow, .. } = self.insts[repeat as usize] else {
                            unreachable!("a lazy frame comes from a repeat");
                        };
                        let members = &self.sets[set as usize];
                        // The next longer end, before a byte the rest can begin with.
                        let mut end = end;
                        let resumed = loop {
                            if end >= max || !input.get(end).is_some_and(|&b| members[b as usize]) {
                                break false;
                            }
                            end += 1;
                            steps += 1;
                            if self.can_follow(follow, input, end) {
                                break true;
                            }
                        };
                        if resumed {
                            if end < max {
                                stack.push(Frame::Lazy {
                                    repeat,
                                    pos: end,
                                    max,
                                });
                            }
                            (pc, pos) = (repeat + 1, end);
                            break;
                        }
                    }
                }
            }
        }
    }
}
