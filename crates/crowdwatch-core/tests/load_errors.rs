//! Regexes are built on first use, not at load (crowdwatch_grok::LazyRegex), yet every regex
//! problem is still reported by load with its file and line: grok patterns (undefined names,
//! invalid syntax), `matches` with a constant pattern, and regexp data files.
use std::path::{Path, PathBuf};

use crowdwatch_core::config::{load, LoadOptions};
use crowdwatch_core::diag::Severity;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn config(name: &str, parser: &str, data: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "crowdwatch-load-errors-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("parsers/s01-parse")).unwrap();
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("parsers/s01-parse/test.yaml"), parser).unwrap();
    std::fs::write(dir.join("data/agents.regex"), data).unwrap();
    dir
}

fn options(dir: &Path) -> LoadOptions {
    LoadOptions {
        config_dirs: vec![dir.to_owned()],
        base_patterns: Some(repo().join("scenarios/patterns/base")),
        geoip: Default::default(),
        reverse_dns: Default::default(),
    }
}

const BROKEN: &str = "\
name: test/undefined
grok:
  pattern: '%{NOT_A_PATTERN:x} done'
  apply_on: message
---
name: test/syntax
grok:
  pattern: 'user=(?P<user>\\w+'
  apply_on: message
---
name: test/lookahead
grok:
  pattern: '%{WORD:w}(?=x)'
  apply_on: message
---
name: test/matches
filter: \"evt.Parsed.program matches '(unclosed'\"
data:
  - dest_file: agents.regex
    type: regexp
";

#[test]
fn regex_errors_are_reported_at_load_with_file_and_line() {
    let dir = config("broken", BROKEN, "curl/\\d+\n(bad\nwget\n");
    let report = load(&options(&dir)).report;
    let lines: Vec<(Severity, String, usize, String)> = report
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.severity,
                Path::new(&d.file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                d.line,
                d.message.clone(),
            )
        })
        .collect();
    let find = |file: &str, line: usize, text: &str| {
        lines
            .iter()
            .find(|(_, f, l, m)| f == file && *l == line && m.contains(text))
            .unwrap_or_else(|| panic!("no {file}:{line} {text:?} in {lines:#?}"))
            .0
    };
    assert_eq!(
        find("test.yaml", 3, "pattern NOT_A_PATTERN is not defined"),
        Severity::Error
    );
    assert_eq!(find("test.yaml", 8, "grok: invalid regex"), Severity::Error);
    assert_eq!(
        find("test.yaml", 13, "grok: invalid regex"),
        Severity::Error
    );
    assert_eq!(
        find("test.yaml", 17, "invalid regular expression"),
        Severity::Error
    );
    assert_eq!(find("agents.regex", 2, "regexp skipped"), Severity::Warning);
    assert_eq!(report.parsers.failed, 4);
    let _ = std::fs::remove_dir_all(&dir);
}

const WORKING: &str = "\
name: test/kv
filter: \"evt.Line.Labels.type == 'kv'\"
onsuccess: next_stage
grok:
  pattern: 'user=%{WORD:user} agent=%{NOTSPACE:agent}'
  apply_on: Line.Raw
statics:
  - meta: bad_agent
    expression: \"RegexpInFile(evt.Parsed.agent, 'agents.regex') ? 'yes' : 'no'\"
  - meta: root
    expression: \"evt.Parsed.user matches '^ro+t$' ? 'yes' : 'no'\"
data:
  - dest_file: agents.regex
    type: regexp
";

#[test]
fn regexes_built_on_first_use_match_as_before() {
    let dir = config("working", WORKING, "^curl/\\d+\n^wget\n");
    let opts = EngineOptions {
        load: options(&dir),
        mode: ExpectMode::TimeMachine,
        max_line_bytes: 65536,
    };
    let (mut engine, report) =
        Engine::load(&opts).unwrap_or_else(|r| panic!("{:?}", r.diagnostics));
    assert_eq!(report.parsers.loaded, 1);
    let mut labels = FieldMap::default();
    labels.set("type", "kv");
    let src = engine.register_source(Source {
        labels,
        src: "test".into(),
        module: "file".into(),
    });
    for (line, user, bad_agent, root) in [
        ("user=root agent=curl/7", "root", "yes", "yes"),
        ("user=joe agent=Mozilla", "joe", "no", "no"),
        ("no match here", "", "", ""),
    ] {
        let trace = engine.explain(src, line, Timestamp::now()).expect("source");
        assert_eq!(trace.parsed, !user.is_empty(), "{line}");
        let get = |m: &std::collections::BTreeMap<String, String>, k: &str| {
            m.get(k).cloned().unwrap_or_default()
        };
        assert_eq!(get(&trace.event.parsed, "user"), user, "{line}");
        assert_eq!(get(&trace.event.meta, "bad_agent"), bad_agent, "{line}");
        assert_eq!(get(&trace.event.meta, "root"), root, "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
