//! Expansion and field semantics (spec §2), on small hand-made libraries.
mod common;

use common::{library, pairs, parse};
use crowdwatch_grok::{compile, GrokError, Origin, PatternLibrary};

#[test]
fn references_expand_recursively() {
    let lib = library(&[("A", "a+"), ("AB", "%{A}b"), ("ABC", "%{AB}c")]);
    assert_eq!(
        parse("x%{ABC:v}", &lib, "xaabc"),
        Some(pairs(&[("v", "aabc")]))
    );
}

#[test]
fn nested_fields_propagate_upward() {
    let lib = library(&[
        ("PROG", "[a-z]+"),
        ("PID", "[0-9]+"),
        ("PP", r"%{PROG:program}\[%{PID:pid}\]"),
    ]);
    let got = parse("%{PP}: %{PROG:msg}", &lib, "sshd[42]: hello");
    assert_eq!(
        got,
        Some(pairs(&[
            ("msg", "hello"),
            ("pid", "42"),
            ("program", "sshd")
        ]))
    );
    // Naming the outer reference adds a field and keeps the nested ones.
    let got = parse("%{PP:whole}", &lib, "sshd[42]");
    assert_eq!(
        got,
        Some(pairs(&[
            ("pid", "42"),
            ("program", "sshd"),
            ("whole", "sshd[42]")
        ]))
    );
}

#[test]
fn later_group_wins_even_when_it_did_not_participate() {
    let lib = library(&[("W", "[a-z]+"), ("D", "[0-9]+")]);
    // Both alternatives name `v`; the second (later) group is the one read, and it did not
    // participate, so `v` is "" (grokky: nginx error-log `target_fqdn`).
    let got = parse("%{W:v}|%{D:v}", &lib, "abc");
    assert_eq!(got, Some(pairs(&[("v", "")])));
    let got = parse("%{W:v}|%{D:v}", &lib, "123");
    assert_eq!(got, Some(pairs(&[("v", "123")])));
}

#[test]
fn a_direct_name_beats_a_nested_one_whatever_the_order() {
    let lib = library(&[("D", "[0-9]+"), ("ND", "%{D:n}")]);
    // `n` named at this level wins over `n` from inside ND, even though ND comes later.
    let got = parse("%{D:n}-%{ND}", &lib, "1-2");
    assert_eq!(got, Some(pairs(&[("n", "1")])));
    // Between two nested definitions, the later one wins.
    let got = parse("%{ND}-%{ND}", &lib, "1-2");
    assert_eq!(got, Some(pairs(&[("n", "2")])));
}

#[test]
fn optional_groups_yield_empty_strings() {
    let lib = library(&[("D", "[0-9]+"), ("W", "[a-z]+")]);
    let got = parse("%{W:w}(?: %{D:d})?", &lib, "abc");
    assert_eq!(got, Some(pairs(&[("d", ""), ("w", "abc")])));
}

#[test]
fn zero_fields_never_match() {
    let lib = library(&[("D", "[0-9]+")]);
    for pattern in ["[0-9]+", "%{D}", "(%{D})"] {
        let grok = compile(pattern, &lib).unwrap();
        assert!(grok.fields().is_empty());
        assert!(!grok.is_match(b"123"), "{pattern}");
        assert!(grok.parse(b"123").is_none());
    }
}

#[test]
fn match_into_reuses_its_buffers() {
    let lib = library(&[("D", "[0-9]+"), ("W", "[a-z]+")]);
    let grok = compile("%{W:w}=%{D:d}", &lib).unwrap();
    assert_eq!(grok.fields(), ["w", "d"]);
    let mut m = grok.new_match();
    let line = b"x foo=12 y";
    assert!(grok.match_into(line, &mut m));
    assert_eq!(m.spans(), [Some((2, 5)), Some((6, 8))]);
    assert_eq!(m.value(1, line), b"12");
    assert!(!grok.match_into(b"nothing", &mut m));
    assert!(grok.match_into(b"a=1", &mut m));
    assert_eq!(m.spans(), [Some((0, 1)), Some((2, 3))]);
}

#[test]
fn typed_references_are_literal_text() {
    // grokky does not know `%{N:f:int}`; it stays in the regex, where `{` is not a valid
    // repetition. Go reads it as literal text, the regex crate rejects it: either way no field.
    let lib = library(&[("D", "[0-9]+")]);
    match compile("%{D:n:int}", &lib) {
        Ok(grok) => assert!(grok.fields().is_empty()),
        Err(GrokError::Regex { .. }) => {}
        Err(other) => panic!("unexpected {other}"),
    }
}

#[test]
fn undefined_names_are_reported() {
    let lib = library(&[("A", "%{MISSING}")]);
    let err = compile("%{A:a}", &lib).unwrap_err();
    assert_eq!(
        err,
        GrokError::Undefined {
            name: "MISSING".into(),
            referenced_from: Some("A".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "pattern MISSING (referenced from A) is not defined"
    );
    let err = compile("%{NOPE}", &lib).unwrap_err();
    assert_eq!(err.to_string(), "pattern NOPE is not defined");
}

#[test]
fn cycles_are_reported() {
    let lib = library(&[("A", "a%{B}"), ("B", "b%{C}"), ("C", "%{A}"), ("S", "%{S}")]);
    let err = compile("x %{A:a}", &lib).unwrap_err();
    assert_eq!(
        err,
        GrokError::Cycle {
            chain: vec!["A".into(), "B".into(), "C".into(), "A".into()]
        }
    );
    assert_eq!(
        err.to_string(),
        "patterns reference each other in a cycle: A -> B -> C -> A"
    );
    assert!(matches!(
        compile("%{S:s}", &lib),
        Err(GrokError::Cycle { .. })
    ));
}

#[test]
fn unsupported_regex_syntax_is_a_regex_error() {
    let lib = library(&[("LA", "(?=x)"), ("BR", r"(a)\1")]);
    for pattern in ["%{LA:x}", "%{BR:x}", "(%{LA:x}", "%{LA:x})"] {
        match compile(pattern, &lib) {
            Err(GrokError::Regex { message }) => assert!(!message.is_empty()),
            other => panic!("{pattern}: {other:?}"),
        }
    }
}

#[test]
fn definition_order_does_not_matter() {
    // grokky would reject `B` at load (A is not defined yet); we expand lazily.
    let mut lib = PatternLibrary::new();
    assert!(lib.load_text("B %{A}!\nA [a-z]+\n", "f").is_empty());
    assert_eq!(parse("%{B:b}", &lib, "hi!"), Some(pairs(&[("b", "hi!")])));
}

#[test]
fn validate_reports_broken_definitions_with_their_origin() {
    let mut lib = PatternLibrary::new();
    lib.load_text("OK [a-z]+\nBAD %{NOPE}\nLOOP %{LOOP}\n", "pats");
    let report: Vec<String> = lib.validate().iter().map(ToString::to_string).collect();
    assert_eq!(report.len(), 2, "{report:?}");
    assert!(
        report[0].starts_with("pats:2: pattern BAD does not compile"),
        "{report:?}"
    );
    assert!(
        report[1].starts_with("pats:3: pattern LOOP does not compile"),
        "{report:?}"
    );
}

#[test]
fn library_adds_report_duplicates() {
    let mut lib = library(&[("A", "a")]);
    let diag = lib.add("A", "b", Origin::new("parser.yaml", 0)).unwrap();
    assert_eq!(
        diag.to_string(),
        "parser.yaml: pattern A is already defined at test; this definition is ignored"
    );
    assert_eq!(lib.get("A").unwrap().text, "a");
}

#[test]
fn load_dir_reads_dotless_files_in_sorted_order() {
    let dir = std::env::temp_dir().join(format!("cw-grok-dir-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("b"), "X from-b\nONLYB b\n").unwrap();
    std::fs::write(dir.join("a"), "X from-a\n").unwrap();
    std::fs::write(dir.join("c.txt"), "SKIPPED c\n").unwrap();
    let mut lib = PatternLibrary::new();
    let diags = lib.load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(lib.get("X").unwrap().text, "from-a");
    assert!(lib.contains("ONLYB") && !lib.contains("SKIPPED"));
    assert_eq!(diags.len(), 1);
    assert_eq!(lib.len(), 2);
}

#[test]
fn the_regex_is_built_on_first_use() {
    let lib = library(&[("WORD", r"\w+")]);
    let grok = compile("user=%{WORD:user}", &lib).unwrap();
    assert!(!grok.is_built());
    let mut m = grok.new_match();
    // The prefilter (`user=`) rules this line out without the regex.
    assert!(!grok.match_into(b"nothing here", &mut m));
    assert!(!grok.is_built());
    let line = b"login user=root";
    assert!(grok.match_into(line, &mut m));
    assert!(grok.is_built());
    assert_eq!(m.value(0, line), b"root");
}
