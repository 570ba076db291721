//! Generated log lines: real seeds and random mutations of them (deletions, inserted
//! fragments, random bytes), deterministic per seed.

/// Small deterministic generator (xorshift64*): no dependency, reproducible failures.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub const SEEDS: &[&str] = &[
    "Failed password for root from 140.249.204.233 port 50223 ssh2",
    "Failed password for invalid user admin from 2001:db8::1 port 22 ssh2",
    "Invalid user citrus from 10.0.0.26 port 50223",
    r#"203.0.113.250 - - [10/Oct/2023:13:55:36 +0200] "GET /x HTTP/1.1" 404 153 "-" "curl/8""#,
    "Apr 21 00:01:19 cs sshd[16536]: Disconnected from 1.2.3.4 port 1 [preauth]",
    "2023/10/10 13:55:36 [error] 12#12: *5 open() failed, client: 1.2.3.4, server: x, request: \"GET / HTTP/1.1\", host: \"h\"",
];
const FRAGMENTS: &[&str] = &[
    " ",
    "Failed",
    "password",
    " for ",
    "from ",
    " port ",
    "ssh2",
    "sshd[",
    "]: ",
    "1.2.3.4",
    "::1",
    "\"",
    "[",
    "]",
    "GET ",
    " HTTP/1.1",
    "-",
    "404",
    "Apr 21 00:01:19 ",
    "user ",
    "invalid ",
    ":",
    "\u{e4}",
    "\n",
    "\x00",
];

pub fn mutate(rng: &mut Rng, line: &[u8]) -> Vec<u8> {
    let mut out = line.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(4) {
            0 if !out.is_empty() => {
                let at = rng.below(out.len());
                let len = 1 + rng.below((out.len() - at).min(8));
                out.drain(at..at + len);
            }
            1 => {
                let at = rng.below(out.len() + 1);
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                out.splice(at..at, fragment.iter().copied());
            }
            2 if !out.is_empty() => {
                let at = rng.below(out.len());
                out[at] = (rng.next() & 0xFF) as u8;
            }
            _ => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                out.extend_from_slice(fragment);
            }
        }
    }
    out
}
