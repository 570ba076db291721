//! Data-driven tests of our own detection content: every `scenarios/tests/<case>/` holds
//! `labels.yaml`, `input.log` and `expected.json` (the alerts, as a set). A case fails on a
//! missing alert, an extra alert, a wrong events count, or any load error.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn engine() -> Engine {
    let root = repo();
    let opts = EngineOptions {
        load: LoadOptions {
            config_dirs: vec![root.join("scenarios")],
            base_patterns: Some(root.join("scenarios/patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: 65536,
    };
    match Engine::load(&opts) {
        Ok((e, _)) => e,
        Err(r) => panic!(
            "our content must load:\n{}",
            r.diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

type AlertKey = (String, String, Option<i64>);

fn run_case(dir: &Path) -> Result<(), String> {
    let labels_text = std::fs::read_to_string(dir.join("labels.yaml"))
        .map_err(|e| format!("labels.yaml: {e}"))?;
    let labels_map: std::collections::BTreeMap<String, String> =
        serde_yaml::from_str(&labels_text).map_err(|e| format!("labels.yaml: {e}"))?;
    let input = std::fs::read(dir.join("input.log")).map_err(|e| format!("input.log: {e}"))?;
    let expected: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json"))
            .map_err(|e| format!("expected.json: {e}"))?,
    )
    .map_err(|e| format!("expected.json: {e}"))?;

    let mut e = engine();
    let mut labels = FieldMap::default();
    for (k, v) in &labels_map {
        labels.set(k, v);
    }
    let src = e.register_source(Source {
        labels,
        src: dir.join("input.log").display().to_string(),
        module: "file".into(),
    });
    let out = e.process_batch(src, &input, Timestamp::now());

    let want_counts: Vec<bool> = expected
        .iter()
        .map(|x| x.get("events_count").is_some())
        .collect();
    let want: BTreeSet<AlertKey> = expected
        .iter()
        .map(|x| {
            (
                x["scenario"].as_str().unwrap_or("").to_owned(),
                x["source_ip"].as_str().unwrap_or("").to_owned(),
                x.get("events_count").and_then(|c| c.as_i64()),
            )
        })
        .collect();
    // An expected alert without events_count matches any count.
    let got: BTreeSet<AlertKey> = out
        .alerts
        .iter()
        .map(|a| {
            let count_known = want
                .iter()
                .zip(&want_counts)
                .any(|((s, ip, _), has)| *s == a.scenario && *ip == a.source.value && *has);
            (
                a.scenario.clone(),
                a.source.value.clone(),
                count_known.then_some(a.events_count),
            )
        })
        .collect();
    if got != want {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        return Err(format!(
            "missing {missing:?}, unexpected {extra:?} (counters {:?})",
            out.counters
        ));
    }
    Ok(())
}

#[test]
fn every_content_case_produces_exactly_its_expected_alerts() {
    let root = repo().join("scenarios/tests");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected the content test cases in {}",
        root.display()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            run_case(c)
                .err()
                .map(|e| format!("{}: {e}", c.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    println!("{} content cases passed", cases.len());
}

#[test]
fn our_content_loads_without_errors_or_warnings() {
    let root = repo();
    let report = crowdwatch_core::config::load(&LoadOptions {
        config_dirs: vec![root.join("scenarios")],
        base_patterns: Some(root.join("scenarios/patterns/base")),
        geoip: Default::default(),
        reverse_dns: Default::default(),
    })
    .report;
    let problems: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        report.parsers.loaded >= 7 && report.scenarios.loaded >= 20,
        "{:?} {:?}",
        report.parsers,
        report.scenarios
    );
}
