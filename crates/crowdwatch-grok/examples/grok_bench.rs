//! Time one grok pattern over the lines of a file, and check its captures against the regex
//! crate's own capture search (the reference the fast paths must reproduce exactly).
//!
//! cargo run --release -p crowdwatch-grok --example grok_bench -- PATTERN LOG PATTERNS...
//!     PATTERNS: pattern files or directories, loaded in order (first definition wins).
use std::path::Path;
use std::time::Instant;

use crowdwatch_grok::{compile, goregex, PatternLibrary};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [pattern, log, sources @ ..] = args.as_slice() else {
        eprintln!("usage: grok_bench PATTERN LOG PATTERNS...");
        std::process::exit(2);
    };
    let mut lib = PatternLibrary::new();
    for source in sources {
        let path = Path::new(source);
        if path.is_dir() {
            lib.load_dir(path).expect("pattern directory");
        } else {
            lib.load_text(
                &std::fs::read_to_string(path).expect("pattern file"),
                source,
            );
        }
    }
    let grok = compile(pattern, &lib).unwrap_or_else(|e| panic!("{pattern}: {e}"));
    let data = std::fs::read(log).expect("log file");
    let lines: Vec<&[u8]> = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();

    let mut m = grok.new_match();
    let t = Instant::now();
    let matched = lines.iter().filter(|l| grok.match_into(l, &mut m)).count();
    let per_line = t.elapsed().as_secs_f64() * 1e6 / lines.len() as f64;
    println!(
        "{} lines, {matched} match; match_into {per_line:.2} us/line (backtracking: {}, {:.0} steps/line)",
        lines.len(),
        grok.backtracks(),
        m.backtrack_steps() as f64 / lines.len() as f64
    );

    // The reference: the same regex, captures searched by the regex crate alone.
    let reference = goregex::compile(grok.regex()).expect("regex");
    // What the DFAs alone cost (finding where the match starts), for the breakdown.
    let t = Instant::now();
    let found = lines.iter().filter(|l| reference.find(l).is_some()).count();
    let per_line = t.elapsed().as_secs_f64() * 1e6 / lines.len() as f64;
    println!("{found} found by the DFAs alone: {per_line:.2} us/line");
    let mut locations = reference.capture_locations();
    let field_groups: Vec<usize> = grok
        .fields()
        .iter()
        .map(|f| {
            let index = grok.field_index(f).expect("field");
            // Fields read the group of their reference, in the order `fields()` lists them.
            group_of(&reference, &grok, index)
        })
        .collect();
    // The regex crate's own capture search alone (its meta engine: DFAs find the match, then a
    // capture engine runs over it): what the backtracking matcher has to beat.
    let t = Instant::now();
    let captured = lines
        .iter()
        .filter(|l| reference.captures_read(&mut locations, l).is_some())
        .count();
    let per_line = t.elapsed().as_secs_f64() * 1e6 / lines.len() as f64;
    println!("{captured} captured by the regex crate alone: {per_line:.2} us/line");
    let t = Instant::now();
    let mut differences = 0;
    for line in &lines {
        let ours = grok.match_into(line, &mut m);
        let theirs =
            reference.captures_read(&mut locations, line).is_some() && !grok.fields().is_empty();
        let same = ours == theirs
            && (!ours
                || field_groups
                    .iter()
                    .enumerate()
                    .all(|(i, g)| m.spans()[i] == locations.get(*g)));
        differences += usize::from(!same);
    }
    let per_line = t.elapsed().as_secs_f64() * 1e6 / lines.len() as f64;
    println!("checked against the plain capture search ({per_line:.2} us/line for both): {differences} differences");
    if differences > 0 {
        std::process::exit(1);
    }
}

/// The capture group index in `regex` that field `index` of `grok` reads: the groups are named
/// `cw__N`; the field table maps fields to them in `Grok::fields()` order, which is also the
/// order of their group numbers.
fn group_of(regex: &regex::bytes::Regex, grok: &crowdwatch_grok::Grok, index: usize) -> usize {
    let named: Vec<usize> = regex
        .capture_names()
        .enumerate()
        .filter(|(_, n)| n.is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(named.len(), grok.fields().len(), "one group per field");
    named[index]
}
