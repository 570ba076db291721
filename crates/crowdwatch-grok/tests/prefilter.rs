//! The prefilter never rejects a line the regex matches: checked over many generated lines,
//! for patterns with single literals, literal sets and none.
mod common;

use common::base_library;
use common::lines::{mutate, Rng, SEEDS};
use crowdwatch_grok::{compile, goregex, PatternLibrary};

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
