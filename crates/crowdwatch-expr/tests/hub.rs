//! Compile every expression of the CrowdSec 1.4.6 hub (parsers, scenarios, postoverflows).
mod common;

use std::path::{Path, PathBuf};

use common::EventSchema;
use crowdwatch_expr::{compile, DataFiles};
use serde_yaml::Value as Yaml;

const HUB: &str = "/root/.cache/crowdwatch/ref/crowdsec/usr/share/crowdsec/hub";
/// Helpers the engine does not provide (DNS); expressions using them are expected to fail.
const UNSUPPORTED: [&str; 1] = ["LookupHost"];

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn get<'y>(v: &'y Yaml, key: &str) -> Option<&'y Yaml> {
    v.as_mapping()?.get(key)
}

fn push_str(v: Option<&Yaml>, kind: &'static str, out: &mut Vec<(&'static str, String)>) {
    if let Some(s) = v.and_then(Yaml::as_str) {
        if !s.trim().is_empty() {
            out.push((kind, s.to_string()));
        }
    }
}

/// Every expression of a parser node (with its children) or a scenario document.
fn expressions(doc: &Yaml, out: &mut Vec<(&'static str, String)>) {
    for key in [
        "filter",
        "groupby",
        "distinct",
        "cancel_on",
        "overflow_filter",
    ] {
        push_str(get(doc, key), key, out);
    }
    let statics = |v: Option<&Yaml>, out: &mut Vec<(&'static str, String)>| {
        for s in v.and_then(Yaml::as_sequence).into_iter().flatten() {
            push_str(get(s, "expression"), "static", out);
        }
    };
    statics(get(doc, "statics"), out);
    if let Some(grok) = get(doc, "grok") {
        push_str(get(grok, "expression"), "grok.expression", out);
        statics(get(grok, "statics"), out);
    }
    if let Some(wl) = get(doc, "whitelist") {
        for e in get(wl, "expression")
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
        {
            push_str(Some(e), "whitelist", out);
        }
    }
    if let Some(scope) = get(doc, "scope") {
        push_str(get(scope, "expression"), "scope", out);
    }
    for child in get(doc, "nodes")
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
    {
        expressions(child, out);
    }
}

#[test]
fn every_hub_expression_compiles() {
    let hub = Path::new(HUB);
    if !hub.is_dir() {
        println!("skipped: {HUB} is absent");
        return;
    }
    let mut files = Vec::new();
    for sub in ["parsers", "scenarios", "postoverflows"] {
        yaml_files(&hub.join(sub), &mut files);
    }
    files.sort();
    let data = DataFiles::default();
    let events = [
        common::Event::log(),
        common::Event::log()
            .raw(r#"{"log": "x", "time": "2024-01-01T00:00:00Z", "msg": "a"}"#)
            .parsed("message", r#"{"params": [{"key": "user", "value": {"login": "bob"}}], "event_type": "alert"}"#)
            .parsed("program", "sshd")
            .meta("log_type", "http_access-log")
            .meta("http_path", "/a/../etc/passwd?x=%2e")
            .meta("source_ip", "1.2.3.4"),
        common::Event::log().overflow(serde_json::json!({"Alert": {"Remediation": true, "Source": {"IP": "::1", "Range": "::/64"}}})),
    ];
    let (mut total, mut ok, mut unsupported, mut warnings) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut by_kind = std::collections::BTreeMap::<&str, usize>::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // Multi-document files: split on document markers (serde_yaml 0.8 reads one at a time).
        for doc_text in text.split("\n---") {
            let Ok(doc) = serde_yaml::from_str::<Yaml>(doc_text) else {
                continue;
            };
            let mut exprs = Vec::new();
            expressions(&doc, &mut exprs);
            for (kind, src) in exprs {
                total += 1;
                *by_kind.entry(kind).or_default() += 1;
                match compile(&src, &EventSchema, &data) {
                    Ok(c) => {
                        ok += 1;
                        warnings += c.warnings.len();
                        // Run-time problems are errors, never panics.
                        for evt in &events {
                            let _ = c.program.eval(evt);
                            let _ = c.program.eval_string(evt);
                        }
                    }
                    Err(e)
                        if UNSUPPORTED.iter().any(|h| src.contains(h))
                            && e.message.contains("not supported") =>
                    {
                        unsupported += 1
                    }
                    Err(e) => failures.push(format!("{}: {kind} `{src}`: {e}", file.display())),
                }
            }
        }
    }
    println!(
        "hub: {} files, {total} expressions {by_kind:?}",
        files.len()
    );
    println!("compiled {ok}, unsupported helpers {unsupported}, failed {}, File()/RegexpInFile warnings {warnings}", failures.len());
    assert!(
        failures.is_empty(),
        "{} expressions failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        total > 1000,
        "expected the whole hub, found {total} expressions"
    );
}
