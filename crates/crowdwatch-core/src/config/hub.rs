//! Scenario provenance from a CrowdSec hub index (`.index.json`): the hash and version an
//! alert carries. An item of the hub gets its sha256 and the version whose digest matches
//! ("?" when the file was modified); content that is not from the hub gets empty strings,
//! as CrowdSec does.
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::bucket::build::Provenance;

#[derive(Default)]
pub struct HubIndex {
    /// (file name, known digests with their versions) of every hub scenario.
    scenarios: Vec<(String, Vec<(String, String)>)>,
}

impl HubIndex {
    /// The index of the first config directory that has one (`.index.json` or `hub/.index.json`).
    pub fn find(config_dirs: &[PathBuf]) -> HubIndex {
        for dir in config_dirs {
            for candidate in [dir.join(".index.json"), dir.join("hub").join(".index.json")] {
                if let Some(idx) = Self::read(&candidate) {
                    return idx;
                }
            }
        }
        HubIndex::default()
    }

    fn read(path: &Path) -> Option<HubIndex> {
        let text = std::fs::read_to_string(path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        let mut scenarios = Vec::new();
        for item in json.get("scenarios")?.as_object()?.values() {
            let Some(p) = item.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let file = Path::new(p)
                .file_name()
                .and_then(|f| f.to_str())
                .unwrap_or("")
                .to_owned();
            let mut versions = Vec::new();
            if let Some(vs) = item.get("versions").and_then(|v| v.as_object()) {
                for (ver, info) in vs {
                    if let Some(d) = info.get("digest").and_then(|d| d.as_str()) {
                        versions.push((d.to_owned(), ver.clone()));
                    }
                }
            }
            scenarios.push((file, versions));
        }
        Some(HubIndex { scenarios })
    }

    pub fn provenance(&self, path: &Path, bytes: &[u8]) -> Provenance {
        let file = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
        let Some((_, versions)) = self.scenarios.iter().find(|(f, _)| f == file) else {
            return Provenance {
                hash: String::new(),
                version: String::new(),
            };
        };
        let hash = hex(&Sha256::digest(bytes));
        let version = versions
            .iter()
            .find(|(d, _)| *d == hash)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "?".into());
        Provenance { hash, version }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
