//! A CrowdSec config directory built from the hub snapshot in `../shared/crowdsec-hub` (see its
//! SNAPSHOT.md), the way `cscli collections install` lays it out: every item of the chosen
//! collections (recursively) as `parsers/<stage>/<file>` and `scenarios/<file>` (symlinks into
//! the snapshot), CrowdSec's `patterns/`, the data files the items name (`source_url:
//! https://hub-data.crowdsec.net/<path>` is `data/<path>` of the snapshot, linked as
//! `data/<dest_file>`) and the hub's `.index.json`.
//!
//! The snapshot is today's hub (CrowdSec 1.7); the engine reproduces 1.4.6 and refuses some
//! files. [`load_accepted`] drops, one round at a time, every item the engine reports an error
//! in, and says which (the fuzz target prints them once; fuzz/README.md lists them).
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crowdwatch_core::config::LoadOptions;
use crowdwatch_core::diag::Severity;
use crowdwatch_core::event::ExpectMode;
use crowdwatch_core::{Engine, EngineOptions};
use serde_json::Value;

/// The snapshot: `$CROWDWATCH_HUB`, else `shared/crowdsec-hub` beside the repository (for a
/// worktree `/work/wt-x`, `/work/shared/crowdsec-hub`).
pub fn snapshot() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CROWDWATCH_HUB") {
        return Some(PathBuf::from(dir));
    }
    let repo = crate::repo();
    let dir = repo.parent()?.join("shared/crowdsec-hub");
    dir.join("hub/.index.json").is_file().then_some(dir)
}

/// The collections the fuzz target loads: the engine issues' target set (linux with sshd,
/// nginx, base-http-scenarios with http-cve) plus apache2.
pub const COLLECTIONS: &[&str] = &[
    "crowdsecurity/linux",
    "crowdsecurity/nginx",
    "crowdsecurity/apache2",
    "crowdsecurity/base-http-scenarios",
];
/// Single items installed as well (Debian enables the whitelists parser by default).
pub const EXTRA_PARSERS: &[&str] = &["crowdsecurity/whitelists"];

/// One installed item.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: &'static str,
    pub name: String,
    /// Path in the config directory.
    pub path: PathBuf,
}

#[derive(Debug, Default)]
pub struct HubConfig {
    pub dir: PathBuf,
    pub items: Vec<Item>,
    /// Items the collections name that the snapshot lacks, or types the engine does not read
    /// (postoverflows, contexts, AppSec).
    pub skipped: Vec<String>,
    /// `dest_file`s whose `source_url` the snapshot does not hold.
    pub missing_data: Vec<String>,
}

/// `parsers/s01-parse/crowdsecurity/x.yaml` → `parsers/s01-parse/x.yaml` (the author dropped).
fn install_path(hub_path: &str) -> PathBuf {
    let parts: Vec<&str> = hub_path.split('/').collect();
    let mut out: PathBuf = parts[..parts.len().saturating_sub(2)].iter().collect();
    out.push(parts[parts.len() - 1]);
    out
}

fn link(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a parent")).expect("create a config directory");
    let _ = std::fs::remove_file(to);
    std::os::unix::fs::symlink(from, to).unwrap_or_else(|e| panic!("link {}: {e}", to.display()));
}

/// Builds the config directory `out` (removed first) from the snapshot `hub`.
pub fn build(hub: &Path, out: &Path, collections: &[&str], extra_parsers: &[&str]) -> HubConfig {
    let index_path = hub.join("hub/.index.json");
    let text = std::fs::read_to_string(&index_path).expect("the hub index");
    let index: Value = serde_json::from_str(&text).expect("the hub index is JSON");
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).expect("create the config directory");
    let mut config = HubConfig {
        dir: out.to_owned(),
        ..HubConfig::default()
    };

    let mut seen = BTreeSet::new();
    let mut queue: Vec<(String, String)> = collections
        .iter()
        .map(|c| ("collections".into(), c.to_string()))
        .collect();
    queue.extend(
        extra_parsers
            .iter()
            .map(|p| ("parsers".into(), p.to_string())),
    );
    queue.reverse();
    while let Some((kind, name)) = queue.pop() {
        if !seen.insert((kind.clone(), name.clone())) {
            continue;
        }
        let Some(item) = index.get(&kind).and_then(|k| k.get(&name)) else {
            config
                .skipped
                .push(format!("{kind} {name}: not in the index"));
            continue;
        };
        let mut children = Vec::new();
        for sub in [
            "collections",
            "parsers",
            "scenarios",
            "postoverflows",
            "contexts",
            "appsec-rules",
            "appsec-configs",
        ] {
            for child in item
                .get(sub)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(child) = child.as_str() {
                    children.push((sub.to_string(), child.to_string()));
                }
            }
        }
        // Depth first, in the index's order.
        queue.extend(children.into_iter().rev());
        let kind: &'static str = match kind.as_str() {
            "parsers" => "parsers",
            "scenarios" => "scenarios",
            "collections" => continue,
            other => {
                config
                    .skipped
                    .push(format!("{other} {name}: not read by the engine"));
                continue;
            }
        };
        let Some(hub_path) = item.get("path").and_then(Value::as_str) else {
            continue;
        };
        let source = hub.join("hub").join(hub_path);
        if !source.is_file() {
            config
                .skipped
                .push(format!("{kind} {name}: {hub_path} is not in the snapshot"));
            continue;
        }
        let path = out.join(install_path(hub_path));
        link(&source, &path);
        link_data(hub, out, &source, &mut config.missing_data);
        config.items.push(Item { kind, name, path });
    }
    link(&hub.join("patterns"), &out.join("patterns"));
    link(&index_path, &out.join(".index.json"));
    config
}

/// Links the data files an item's `data:` entries name.
fn link_data(hub: &Path, out: &Path, item: &Path, missing: &mut Vec<String>) {
    let Ok(text) = std::fs::read_to_string(item) else {
        return;
    };
    let mut url: Option<String> = None;
    for line in text.lines() {
        let line = line.trim().trim_start_matches("- ").trim();
        let value = |key: &str| {
            line.strip_prefix(key)
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        };
        if let Some(v) = value("source_url:") {
            url = Some(v);
        } else if let Some(dest) = value("dest_file:") {
            let local = url.take().and_then(|u| {
                let path = u
                    .split_once("://")
                    .map(|(_, rest)| rest)?
                    .split_once('/')?
                    .1
                    .to_string();
                Some(hub.join("data").join(path))
            });
            match local {
                Some(local) if local.is_file() => {
                    let name = Path::new(&dest)
                        .file_name()
                        .map(PathBuf::from)
                        .unwrap_or_else(|| dest.clone().into());
                    link(&local, &out.join("data").join(name));
                }
                _ => missing.push(dest),
            }
        }
    }
}

pub fn options(config: &HubConfig, repo: &Path) -> EngineOptions {
    EngineOptions {
        load: LoadOptions {
            config_dirs: vec![config.dir.clone()],
            base_patterns: Some(repo.join("scenarios/patterns/base")),
            geoip: Default::default(),
            reverse_dns: Default::default(),
        },
        mode: ExpectMode::TimeMachine,
        max_line_bytes: crowdwatch_core::engine::DEFAULT_MAX_LINE_BYTES,
    }
}

/// Loads the config, dropping every item with an error-level diagnostic until the rest loads.
/// Returns the engine options that load and the dropped items with their first error.
pub fn load_accepted(config: &mut HubConfig, repo: &Path) -> (EngineOptions, Vec<(Item, String)>) {
    let opts = options(config, repo);
    let mut dropped = Vec::new();
    for _ in 0..50 {
        let report = match Engine::load(&opts) {
            Ok(_) => return (opts, dropped),
            Err(report) => report,
        };
        let mut progress = false;
        for d in report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
        {
            let file = PathBuf::from(&d.file);
            let Some(at) = config
                .items
                .iter()
                .position(|i| i.path == file || i.path.ends_with(&file))
            else {
                continue;
            };
            let item = config.items.remove(at);
            let _ = std::fs::remove_file(&item.path);
            dropped.push((item, d.to_string()));
            progress = true;
        }
        if !progress {
            let errors: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
            panic!(
                "hub content has errors outside its items:\n{}",
                errors.join("\n")
            );
        }
    }
    panic!("hub content still has errors after dropping items");
}
