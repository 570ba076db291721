//! Compiling a regex's HIR (ASCII mode) into a backtracking program.
use super::follow::{first_sets, to_table};
use super::guard::{self, DfaGuard};
use regex_syntax::hir::{self, Class, ClassUnicode, Hir, HirKind};
use regex_syntax::utf8::{Utf8Range, Utf8Sequence, Utf8Sequences};

/// Programs past this many instructions are refused (counted repetitions are unrolled).
const MAX_INSTRUCTIONS: usize = 50_000;
/// A class beyond ASCII is compiled as the alternation of its UTF-8 byte sequences when it has
/// at most this many (`a|ä` is parsed as the class `[aä]`: two); larger ones (`\pL`) go to the
/// regex crate. Below the DFA guard's threshold, so such an alternation never needs one.
const MAX_CLASS_SEQUENCES: usize = guard::MIN_BRANCHES - 1;

/// A set of bytes, as a lookup table.
pub(crate) type ByteSet = [bool; 256];

/// An index into [`Program::sets`].
pub(crate) type SetId = u32;

/// An instruction. Each continues at the next one unless it says otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Inst {
    /// The whole regex matched.
    Match,
    /// One byte.
    Byte(u8),
    /// A run of bytes: `literals[start..start + len]`.
    Literal {
        start: u32,
        len: u32,
    },
    /// One byte of a set.
    Set(SetId),
    /// Between `min` and `max` bytes of a set (`max` u32::MAX: no bound), as many as possible
    /// first when `greedy`, as few otherwise. `follow`: the bytes what comes next must begin
    /// with (None: it can match without consuming one), so the run only ever ends before such
    /// a byte: a greedy run gives back straight to the last one, a lazy run grows to the next.
    Repeat {
        set: SetId,
        min: u32,
        max: u32,
        greedy: bool,
        follow: Option<SetId>,
    },
    /// Try `first`, then `second`. When `guard` is set, `first` can only begin with a byte of
    /// that set (it cannot match the empty string), so it is skipped at any other byte.
    Split {
        first: u32,
        second: u32,
        guard: Option<SetId>,
    },
    Jump(u32),
    /// Record the position in a capture slot (group `i`: slots `2i` and `2i + 1`).
    Save(u32),
    Assert(Look),
    /// Fails unless the DFA guard says what follows (a large alternation) can match here.
    DfaGuard(u32),
}

/// Zero-width assertions, as the regex crate reads them on bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Look {
    StartText,
    EndText,
    StartLine,
    EndLine,
    WordBoundary,
    NotWordBoundary,
}

/// A compiled program: instructions, the byte sets and literal bytes they name, and the number
/// of capture slots (two per group, group 0 included).
#[derive(Clone, Debug)]
pub(crate) struct Program {
    pub insts: Vec<Inst>,
    pub sets: Vec<ByteSet>,
    pub literals: Vec<u8>,
    pub slots: usize,
    pub dfa_guards: Vec<DfaGuard>,
}

impl Program {
    /// The program for `hir` (parsed in ASCII mode), or None when the search would not give the
    /// regex crate's answer for it (see the module note) or it is too large.
    pub fn compile(hir: &Hir) -> Option<Program> {
        let mut c = Compiler {
            program: Program {
                insts: Vec::new(),
                sets: Vec::new(),
                literals: Vec::new(),
                slots: 2,
                dfa_guards: Vec::new(),
            },
            guard_texts: Vec::new(),
        };
        c.emit(Inst::Save(0));
        c.hir(hir)?;
        c.emit(Inst::Save(1));
        c.emit(Inst::Match);
        if c.program.insts.len() > MAX_INSTRUCTIONS {
            return None;
        }
        c.set_follows();
        Some(c.program)
    }
}

struct Compiler {
    program: Program,
    /// The regex text of each DFA guard, by id.
    guard_texts: Vec<String>,
}

impl Compiler {
    fn pc(&self) -> u32 {
        self.program.insts.len() as u32
    }

    fn emit(&mut self, inst: Inst) -> u32 {
        let pc = self.pc();
        self.program.insts.push(inst);
        pc
    }

    fn patch_split_second(&mut self, at: u32, target: u32) {
        if let Inst::Split { second, .. } = &mut self.program.insts[at as usize] {
            *second = target;
        }
    }

    fn set_id(&mut self, set: ByteSet) -> SetId {
        if let Some(i) = self.program.sets.iter().position(|s| *s == set) {
            return i as SetId;
        }
        self.program.sets.push(set);
        (self.program.sets.len() - 1) as SetId
    }

    fn hir(&mut self, hir: &Hir) -> Option<()> {
        if self.program.insts.len() > MAX_INSTRUCTIONS {
            return None;
        }
        match hir.kind() {
            HirKind::Empty => {}
            HirKind::Literal(_) => {
                let mut bytes = literal_bytes(hir)?;
                self.flush_literal(&mut bytes);
            }
            HirKind::Class(class) => match byte_set(hir) {
                Some(set) => self.byte_or_set(set),
                None => match class {
                    Class::Unicode(class) => self.utf8_class(&utf8_sequences(class)?)?,
                    Class::Bytes(_) => return None,
                },
            },
            HirKind::Look(look) => {
                self.emit(Inst::Assert(match look {
                    hir::Look::Start => Look::StartText,
                    hir::Look::End => Look::EndText,
                    hir::Look::StartLF => Look::StartLine,
                    hir::Look::EndLF => Look::EndLine,
                    hir::Look::WordAscii => Look::WordBoundary,
                    hir::Look::WordAsciiNegate => Look::NotWordBoundary,
                    // Unicode word boundaries, CRLF lines and half boundaries (none of them Go
                    // syntax): the regex crate's.
                    _ => return None,
                }));
            }
            HirKind::Capture(group) => {
                let index = group.index as usize;
                self.program.slots = self.program.slots.max(2 * index + 2);
                self.emit(Inst::Save(2 * index as u32));
                self.hir(&group.sub)?;
                self.emit(Inst::Save(2 * index as u32 + 1));
            }
            HirKind::Concat(children) => self.concat(children)?,
            HirKind::Alternation(children) => {
                if children.len() >= guard::MIN_BRANCHES {
                    // Copies of one alternation (unrolled repetitions) share a guard.
                    let text = hir.to_string();
                    let id = match self.guard_texts.iter().position(|t| *t == text) {
                        Some(id) => id,
                        None => {
                            self.program.dfa_guards.push(DfaGuard::new(&text));
                            self.guard_texts.push(text);
                            self.guard_texts.len() - 1
                        }
                    };
                    self.emit(Inst::DfaGuard(id as u32));
                }
                self.alternation(children)?
            }
            HirKind::Repetition(rep) => {
                self.repetition(&rep.sub, rep.min, rep.max, rep.greedy)?;
            }
        }
        Some(())
    }

    /// A class beyond ASCII: its UTF-8 sequences as alternatives (built here rather than as HIR,
    /// whose constructors would fold them back into the class), each guarded by its first byte.
    fn utf8_class(&mut self, sequences: &[Utf8Sequence]) -> Option<()> {
        self.branches(
            sequences,
            |c, sequence| Some(c.set_id(range_set(&sequence.as_slice()[0]))),
            |c, sequence| {
                for range in sequence.as_slice() {
                    c.byte_or_set(range_set(range));
                }
                Some(())
            },
        )
    }

    /// One byte of `set`: `Byte` when it holds one, else `Set`.
    fn byte_or_set(&mut self, set: ByteSet) {
        match single_byte(&set) {
            Some(b) => self.emit(Inst::Byte(b)),
            None => {
                let id = self.set_id(set);
                self.emit(Inst::Set(id))
            }
        };
    }

    /// Consecutive single bytes become one literal.
    fn concat(&mut self, children: &[Hir]) -> Option<()> {
        let mut run: Vec<u8> = Vec::new();
        for child in children {
            match literal_bytes(child) {
                Some(bytes) => run.extend_from_slice(&bytes),
                None => {
                    self.flush_literal(&mut run);
                    self.hir(child)?;
                }
            }
        }
        self.flush_literal(&mut run);
        Some(())
    }

    fn flush_literal(&mut self, run: &mut Vec<u8>) {
        match run.len() {
            0 => {}
            1 => {
                self.emit(Inst::Byte(run[0]));
            }
            len => {
                let start = self.program.literals.len() as u32;
                self.program.literals.extend_from_slice(run);
                self.emit(Inst::Literal {
                    start,
                    len: len as u32,
                });
            }
        }
        run.clear();
    }

    /// `a|b|c`: a chain of splits, each branch jumping to the end.
    fn alternation(&mut self, children: &[Hir]) -> Option<()> {
        self.branches(children, |c, child| c.guard(child), |c, child| c.hir(child))
    }

    /// Alternatives in priority order: a split before each but the last (its first target the
    /// alternative, guarded by `guard`'s set), each alternative jumping to the end.
    fn branches<T>(
        &mut self,
        items: &[T],
        guard: impl Fn(&mut Self, &T) -> Option<SetId>,
        body: impl Fn(&mut Self, &T) -> Option<()>,
    ) -> Option<()> {
        let mut jumps = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i + 1 == items.len() {
                body(self, item)?;
                break;
            }
            let split = self.emit(Inst::Split {
                first: 0,
                second: 0,
                guard: None,
            });
            let guard = guard(self, item);
            let first = self.pc();
            self.program.insts[split as usize] = Inst::Split {
                first,
                second: 0,
                guard,
            };
            body(self, item)?;
            jumps.push(self.emit(Inst::Jump(0)));
            let next = self.pc();
            self.patch_split_second(split, next);
        }
        let end = self.pc();
        for jump in jumps {
            self.program.insts[jump as usize] = Inst::Jump(end);
        }
        Some(())
    }

    fn repetition(&mut self, body: &Hir, min: u32, max: Option<u32>, greedy: bool) -> Option<()> {
        if let Some(set) = byte_set(body) {
            let set = self.set_id(set);
            self.emit(Inst::Repeat {
                set,
                min,
                max: max.unwrap_or(u32::MAX),
                greedy,
                follow: None,
            });
            return Some(());
        }
        if max.is_none_or(|max| max > 1) && can_be_empty(body) {
            // Engines disagree on empty iterations; leave these to the regex crate.
            return None;
        }
        for _ in 0..min {
            self.hir(body)?;
        }
        match max {
            None => self.star(body, greedy),
            Some(max) => {
                // (body(body(body)?)?)?: each optional copy nested in the one before.
                let mut splits = Vec::new();
                for _ in min..max {
                    splits.push(self.optional_start(body, greedy));
                    self.hir(body)?;
                }
                let end = self.pc();
                for split in splits {
                    self.patch_optional(split, end, greedy);
                }
                Some(())
            }
        }
    }

    /// `body*`: L: split(body, end); body; jump L.
    fn star(&mut self, body: &Hir, greedy: bool) -> Option<()> {
        let split = self.optional_start(body, greedy);
        self.hir(body)?;
        self.emit(Inst::Jump(split));
        let end = self.pc();
        self.patch_optional(split, end, greedy);
        Some(())
    }

    /// A split before an optional `body` (its first branch the body when greedy); its other
    /// target is patched by [`Compiler::patch_optional`].
    fn optional_start(&mut self, body: &Hir, greedy: bool) -> u32 {
        let guard = if greedy { self.guard(body) } else { None };
        let at = self.pc();
        self.emit(Inst::Split {
            first: at + 1,
            second: 0,
            guard,
        })
    }

    fn patch_optional(&mut self, split: u32, end: u32, greedy: bool) {
        let Inst::Split { first, guard, .. } = self.program.insts[split as usize] else {
            unreachable!("optional_start emits a split");
        };
        self.program.insts[split as usize] = if greedy {
            Inst::Split {
                first,
                second: end,
                guard,
            }
        } else {
            // Lazy: the body is the second choice; no guard on the way out.
            Inst::Split {
                first: end,
                second: first,
                guard: None,
            }
        };
    }

    /// Fills in each `Repeat`'s `follow`: the first bytes of the instruction after it.
    fn set_follows(&mut self) {
        let first = first_sets(&self.program);
        for pc in 0..self.program.insts.len() {
            if let Inst::Repeat { .. } = self.program.insts[pc] {
                let follow = first[pc + 1].map(|bits| self.set_id(to_table(&bits)));
                if let Inst::Repeat { follow: slot, .. } = &mut self.program.insts[pc] {
                    *slot = follow;
                }
            }
        }
    }

    /// The guard set of a branch: the bytes it can start with, when it cannot match empty.
    fn guard(&mut self, hir: &Hir) -> Option<SetId> {
        let mut set = [false; 256];
        if first_bytes(hir, &mut set) {
            return None;
        }
        Some(self.set_id(set))
    }
}

/// The UTF-8 byte sequences of a class beyond ASCII, at most [`MAX_CLASS_SEQUENCES`] of them.
/// The sequences of a set of code points never share a first byte range, so at most one can
/// match at a position and their order is free.
fn utf8_sequences(class: &ClassUnicode) -> Option<Vec<Utf8Sequence>> {
    let sequences: Vec<Utf8Sequence> = class
        .iter()
        .flat_map(|range| Utf8Sequences::new(range.start(), range.end()))
        .take(MAX_CLASS_SEQUENCES + 1)
        .collect();
    (sequences.len() <= MAX_CLASS_SEQUENCES).then_some(sequences)
}

fn range_set(range: &Utf8Range) -> ByteSet {
    let mut set = [false; 256];
    for b in range.start..=range.end {
        set[b as usize] = true;
    }
    set
}

/// The bytes of a literal, if `hir` is one.
fn literal_bytes(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(literal) => Some(literal.0.to_vec()),
        _ => None,
    }
}

/// The set of bytes `hir` matches when it is exactly one byte (a class or an ASCII literal, in
/// non-capturing groups); None otherwise, and for classes beyond ASCII in Unicode form.
fn byte_set(hir: &Hir) -> Option<ByteSet> {
    let mut set = [false; 256];
    match hir.kind() {
        HirKind::Literal(literal) if literal.0.len() == 1 => set[literal.0[0] as usize] = true,
        HirKind::Class(Class::Bytes(class)) => {
            for range in class.iter() {
                for b in range.start()..=range.end() {
                    set[b as usize] = true;
                }
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            for range in class.iter() {
                if !range.end().is_ascii() {
                    return None;
                }
                for b in range.start() as u8..=range.end() as u8 {
                    set[b as usize] = true;
                }
            }
        }
        _ => return None,
    }
    Some(set)
}

fn single_byte(set: &ByteSet) -> Option<u8> {
    let mut found = None;
    for (b, &member) in set.iter().enumerate() {
        if member {
            if found.is_some() {
                return None;
            }
            found = Some(b as u8);
        }
    }
    found
}

/// Whether `hir` can match the empty string. Written out rather than read from regex-syntax's
/// `properties().minimum_len()`, which does not give the same answer on every regex: with it,
/// tests/regex_diff.rs compiled a program that grew without bound.
fn can_be_empty(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(_) | HirKind::Class(_) => false,
        HirKind::Capture(group) => can_be_empty(&group.sub),
        HirKind::Repetition(rep) => rep.min == 0 || can_be_empty(&rep.sub),
        HirKind::Concat(children) => children.iter().all(can_be_empty),
        HirKind::Alternation(children) => children.iter().any(can_be_empty),
    }
}

/// Adds to `set` the bytes `hir` can begin with; returns whether it can match the empty string
/// (then what follows it can begin the match too, and the set is incomplete as a guard).
fn first_bytes(hir: &Hir, set: &mut ByteSet) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            set[literal.0[0] as usize] = true;
            false
        }
        HirKind::Class(class) => match byte_set(hir) {
            Some(bytes) => {
                for (b, member) in bytes.iter().enumerate() {
                    set[b] |= *member;
                }
                false
            }
            None => match class {
                // The first byte of each of its UTF-8 sequences.
                Class::Unicode(class) => {
                    for sequence in class
                        .iter()
                        .flat_map(|r| Utf8Sequences::new(r.start(), r.end()))
                    {
                        let first = sequence.as_slice()[0];
                        for b in first.start..=first.end {
                            set[b as usize] = true;
                        }
                    }
                    false
                }
                Class::Bytes(_) => true,
            },
        },
        HirKind::Capture(group) => first_bytes(&group.sub, set),
        HirKind::Repetition(rep) => first_bytes(&rep.sub, set) || can_be_empty(hir),
        HirKind::Concat(children) => {
            for child in children {
                if !first_bytes(child, set) {
                    return false;
                }
            }
            true
        }
        HirKind::Alternation(children) => {
            let mut empty = false;
            for child in children {
                empty |= first_bytes(child, set);
            }
            empty
        }
    }
}
