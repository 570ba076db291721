//! A small direct-mapped cache of a pure yes/no question about byte strings.
//!
//! Each input hashes to one slot holding the last input seen there and its answer. A hit costs
//! a hash of the input and one comparison; a miss computes the answer and replaces the slot.
//! The slots sit behind a mutex taken with `try_lock`: threads that share the union (parallel
//! parsing) never wait for each other, they compute the answer instead.
use std::sync::Mutex;

/// Slots per memo: a busy web host sees a few hundred distinct user-agents in a minute.
const SLOTS: usize = 1024;
/// Longer inputs are answered without the memo (they are rare, and would pin memory).
const MAX_INPUT: usize = 512;

/// An input seen, and the answer for it.
type Slot = Option<(Box<[u8]>, bool)>;

#[derive(Default)]
pub(super) struct Memo {
    /// Allocated on first use: most unions of a large content set are never asked.
    slots: Mutex<Vec<Slot>>,
}

impl Memo {
    /// `compute(input)`, remembered.
    #[inline]
    pub fn answer(&self, input: &[u8], compute: impl FnOnce(&[u8]) -> bool) -> bool {
        if input.len() > MAX_INPUT {
            return compute(input);
        }
        let slot = (hash(input) as usize) & (SLOTS - 1);
        if let Ok(slots) = self.slots.try_lock() {
            if let Some(Some((seen, answer))) = slots.get(slot) {
                if **seen == *input {
                    return *answer;
                }
            }
        }
        let answer = compute(input);
        if let Ok(mut slots) = self.slots.try_lock() {
            if slots.is_empty() {
                slots.resize(SLOTS, None);
            }
            slots[slot] = Some((input.into(), answer));
        }
        answer
    }
}

impl Clone for Memo {
    /// A copy starts empty: the answers are the same, only the cache is not shared.
    fn clone(&self) -> Memo {
        Memo::default()
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

/// A fast non-cryptographic hash, 8 bytes per step (inputs are log field values: an attacker
/// who forces collisions only makes the memo miss, which costs the uncached answer).
fn hash(input: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (input.len() as u64).wrapping_mul(K);
    let mut chunks = input.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h ^ word).wrapping_mul(K).rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn remembers_answers_and_never_confuses_inputs() {
        let memo = Memo::default();
        let calls = Cell::new(0);
        let ask = |input: &[u8]| {
            memo.answer(input, |i| {
                calls.set(calls.get() + 1);
                i.contains(&b'x')
            })
        };
        assert!(ask(b"axb"));
        assert!(!ask(b"abc"));
        assert!(ask(b"axb"));
        assert!(!ask(b"abc"));
        assert_eq!(
            calls.get(),
            2,
            "the repeated questions were answered from the memo"
        );
        // Many distinct inputs: slots get replaced, answers stay right.
        for i in 0..5000u32 {
            let input = format!("agent {i} {}", if i % 3 == 0 { "x" } else { "y" });
            assert_eq!(ask(input.as_bytes()), i % 3 == 0, "{input}");
        }
        let long = vec![b'x'; MAX_INPUT + 1];
        let before = calls.get();
        assert!(ask(&long) && ask(&long));
        assert_eq!(calls.get(), before + 2, "long inputs bypass the memo");
    }
}
