//! Small content directories in the CrowdSec layout, written to a temp dir, for the engine's
//! integration tests: one raw parser, one unnamed enrich node and leaky scenarios over lines
//! such as `fail from 198.51.100.7 user root`.
// Each test file uses part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::event::{ExpectMode, FieldMap, Source};
use crowdwatch_core::{Engine, EngineOptions, Timestamp};

pub const RAW_PARSER: &str = "\
name: test/raw
description: fail lines of the test log
filter: \"evt.Line.Labels.type == 'test'\"
onsuccess: next_stage
grok:
  pattern: '^fail from %{IP:ip}(?: user %{WORD:user})?$'
  apply_on: Line.Raw
statics:
  - meta: log_type
    value: test_fail
  - meta: source_ip
    expression: evt.Parsed.ip
  - meta: target_user
    expression: evt.Parsed.user
";

/// No name: metrics know it by its file.
pub const ENRICH_PARSER: &str = "\
description: tag every test event
filter: \"evt.Meta.log_type == 'test_fail'\"
statics:
  - meta: service
    value: test
";

/// A leaky scenario over test events, grouped by source, with a 1 minute blackhole.
pub fn leaky(name: &str, capacity: i64) -> String {
    format!(
        "type: leaky\nname: {name}\ndescription: test failures\nfilter: \"evt.Meta.log_type == 'test_fail'\"\n\
         groupby: evt.Meta.source_ip\ncapacity: {capacity}\nleakspeed: 10s\nblackhole: 1m\nlabels:\n  remediation: true\n"
    )
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A fresh config dir `<tmp>/crowdwatch-<test>-<pid>` holding `files` (relative path, text).
pub fn content_dir(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crowdwatch-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_files(&dir, files);
    dir
}

pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Live mode: bucket time is the `now` each batch is given.
pub fn options(dir: &Path) -> EngineOptions {
    EngineOptions {
        load: LoadOptions {
            config_dirs: vec![dir.to_owned()],
            base_patterns: Some(repo().join("scenarios/patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::Live,
        max_line_bytes: 4096,
    }
}

pub fn load(dir: &Path) -> Engine {
    match Engine::load(&options(dir)) {
        Ok((e, _)) => e,
        Err(r) => panic!("test content must load: {:#?}", r.diagnostics),
    }
}

pub fn source(e: &mut Engine, kind: &str) -> usize {
    let mut labels = FieldMap::default();
    labels.set("type", kind);
    e.register_source(Source {
        labels,
        src: "/var/log/test.log".into(),
        module: "file".into(),
    })
}

/// `secs` seconds into a fixed day.
pub fn at(secs: i64) -> Timestamp {
    Timestamp {
        unix_nanos: (1_767_225_600 + secs) * 1_000_000_000,
        offset_secs: 0,
    }
}
