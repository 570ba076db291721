//! The prefilter never rejects a line the regex matches: checked over many generated lines,
//! for patterns with single literals, literal sets and none.
mod common;

use common::base_library;
use crowdwatch_grok::{compile, goregex, PatternLibrary};

/// Small deterministic generator (xorshift64*): no dependency, reproducible failures.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
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

fn mutate(rng: &mut Rng, line: &[u8]) -> Vec<u8> {
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

fn check(lib: &PatternLibrary, pattern: &str, lines: usize) -> (usize, usize) {
    let grok = compile(pattern, lib).unwrap();
    let regex = goregex::compile(grok.regex()).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ pattern.len() as u64);
    let (mut matched, mut rejected) = (0, 0);
    for i in 0..lines {
        let seed = SEEDS[i % SEEDS.len()].as_bytes();
        let line = if i % 7 == 0 {
            seed.to_vec()
        } else {
            mutate(&mut rng, seed)
        };
        let matches = regex.is_match(&line);
        let passes = grok.prefilter_may_match(&line);
        assert!(
            passes || !matches,
            "prefilter rejected a matching line for {pattern}: {:?}",
            String::from_utf8_lossy(&line)
        );
        matched += matches as usize;
        rejected += !passes as usize;
        assert_eq!(grok.is_match(&line), matches, "{pattern}");
    }
    (matched, rejected)
}

#[test]
fn prefilter_never_rejects_a_matching_line() {
    let mut lib = base_library();
    lib.load_text(
        concat!(
            "SSHD_FAIL Failed %{WORD:auth} for %{USERNAME:user} from %{IP:ip} port %{NUMBER:port} %{WORD:proto}\n",
            "PROGS (?:sshd|dropbear|sshd-session)\\[%{POSINT:pid}\\]\n",
        ),
        "test",
    );
    let patterns = [
        "%{SSHD_FAIL}",
        "%{SYSLOGTIMESTAMP:ts} %{WORD:host} %{PROGS}: %{GREEDYDATA:msg}",
        "%{IPORHOST:ip} - %{NOTSPACE:user} \\[%{HTTPDATE:ts}\\] \"%{WORD:verb} %{DATA:req} HTTP/%{NUMBER:v}\" %{INT:status}",
        "(?i)failed password for %{USERNAME:user}",
        "%{IP:ip}",
        "client: %{IP:ip}, server: %{DATA:server}, request",
        "(?:Invalid|Failed) (?:user|password) %{DATA:rest} port %{INT:port}",
    ];
    for pattern in patterns {
        let (matched, rejected) = check(&lib, pattern, 3000);
        assert!(
            matched > 0,
            "{pattern}: the generator never produced a match"
        );
        println!("{pattern}: {matched} matched, {rejected} rejected by the prefilter");
    }
}

#[test]
fn prefilter_is_built_for_literal_heavy_patterns() {
    let lib = base_library();
    let grok = compile("Failed password for %{USERNAME:user} from %{IP:ip}", &lib).unwrap();
    assert_eq!(
        grok.prefilter_literals(),
        vec![b"Failed password for ".to_vec()]
    );
    let grok = compile("%{IP:ip}", &lib).unwrap();
    assert!(grok.prefilter_literals().is_empty());
}
