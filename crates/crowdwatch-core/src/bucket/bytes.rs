//! The byte primitives of a bucket's compact record: LEB128 varints, zigzag for signed values,
//! length-prefixed strings, and a reader over them.
//!
//! The bytes are written and read only by this module's callers, so a malformed record is a bug:
//! reading past the end panics rather than being reported.

/// Append `v` as an unsigned LEB128 varint (1 byte below 128).
pub fn put_varint(out: &mut impl Extend<u8>, mut v: u64) {
    let mut buf = [0u8; 10];
    let mut n = 0;
    while v >= 0x80 {
        buf[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    buf[n] = v as u8;
    out.extend(buf[..=n].iter().copied());
}

/// Signed values as unsigned ones with small magnitudes staying small (0, -1, 1, -2...).
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

pub fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Append `s` as its length then its bytes.
pub fn put_str(out: &mut impl Extend<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend(s.bytes());
}

/// A cursor over a record.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub fn byte(&mut self) -> u8 {
        self.pos += 1;
        self.bytes[self.pos - 1]
    }

    pub fn varint(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    pub fn take(&mut self, n: usize) -> &'a [u8] {
        self.pos += n;
        &self.bytes[self.pos - n..self.pos]
    }

    /// `n` bytes of text written from a `&str`.
    pub fn text(&mut self, n: usize) -> &'a str {
        std::str::from_utf8(self.take(n)).expect("bucket records hold text written from &str")
    }

    /// A string written by `put_str`.
    pub fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        self.text(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out_len(values: &[u64]) -> usize {
        let mut out = Vec::new();
        values.iter().for_each(|&v| put_varint(&mut out, v));
        out.len()
    }

    #[test]
    fn varints_and_strings_round_trip() {
        let mut out = Vec::new();
        let values = [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX];
        assert_eq!(out_len(&[0, 127]), 2);
        assert_eq!(out_len(&[128, 16_383]), 4);
        assert_eq!(out_len(&[u64::MAX]), 10);
        for v in values {
            put_varint(&mut out, v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -1_000_000_007] {
            put_varint(&mut out, zigzag(v));
        }
        put_str(&mut out, "héllo");
        let mut r = Reader::new(&out);
        for v in values {
            assert_eq!(r.varint(), v);
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -1_000_000_007] {
            assert_eq!(unzigzag(r.varint()), v);
        }
        assert_eq!(r.str(), "héllo");
        assert!(r.at_end());
    }
}
