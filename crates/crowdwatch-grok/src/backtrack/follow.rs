//! Follow sets: for each instruction, the bytes a match continuing from it can consume first.
//! A run (`Repeat`) only ever needs to end before one of the bytes its continuation begins with.
use super::program::{ByteSet, Inst, Program};

type Bits = [u64; 4];

pub(super) fn to_table(bits: &Bits) -> ByteSet {
    let mut table = [false; 256];
    for (b, member) in table.iter_mut().enumerate() {
        *member = bits[b / 64] >> (b % 64) & 1 == 1;
    }
    table
}

fn to_bits(table: &ByteSet) -> Bits {
    let mut bits = [0u64; 4];
    for (b, &member) in table.iter().enumerate() {
        if member {
            bits[b / 64] |= 1 << (b % 64);
        }
    }
    bits
}

fn one_byte(b: u8) -> Bits {
    let mut bits = [0; 4];
    bits[b as usize / 64] |= 1 << (b % 64);
    bits
}

/// For each instruction, the bytes a match continuing from it can consume first, or None when
/// it can reach `Match` without consuming any. Every loop consumes a byte before it comes back
/// (empty iterations are refused), so this is a least fixpoint over forward edges, reached in
/// a few passes from the end.
pub(super) fn first_sets(program: &Program) -> Vec<Option<Bits>> {
    let n = program.insts.len();
    // Start from "nothing": the empty set, not nullable; grow until stable.
    let mut first: Vec<Option<Bits>> = vec![Some([0; 4]); n + 1];
    let union = |a: Option<Bits>, b: Option<Bits>| -> Option<Bits> {
        let (a, b) = (a?, b?);
        Some([a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]])
    };
    loop {
        let mut changed = false;
        for pc in (0..n).rev() {
            let value = match program.insts[pc] {
                Inst::Match => None,
                Inst::Byte(b) => Some(one_byte(b)),
                Inst::Literal { start, .. } => Some(one_byte(program.literals[start as usize])),
                Inst::Set(set) => Some(to_bits(&program.sets[set as usize])),
                Inst::Repeat { set, min, .. } => {
                    let own = Some(to_bits(&program.sets[set as usize]));
                    if min > 0 {
                        own
                    } else {
                        union(own, first[pc + 1])
                    }
                }
                Inst::Split {
                    first: a,
                    second: b,
                    ..
                } => union(first[a as usize], first[b as usize]),
                Inst::Jump(target) => first[target as usize],
                // Assertions consume nothing: what follows them decides.
                Inst::Save(_) | Inst::Assert(_) | Inst::DfaGuard(_) => first[pc + 1],
            };
            if value != first[pc] {
                first[pc] = value;
                changed = true;
            }
        }
        if !changed {
            return first;
        }
    }
}
