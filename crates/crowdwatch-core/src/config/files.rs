//! Finding content in a CrowdSec-layout config directory: `parsers/<stage>/**.yaml`,
//! `scenarios/**.yaml`, `patterns/`, `data/`.
use std::path::{Path, PathBuf};

/// Every `.yaml`/`.yml` file under `dir`, recursively, sorted by full path (CrowdSec's order
/// within a stage).
pub fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.retain(|p| {
        matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml") | Some("yml")
        )
    });
    out.sort();
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in rd.flatten() {
        let path = entry.path();
        // Follow symlinks: CrowdSec installs hub items as links into the config tree.
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// Stage directories of `parsers/` (`s00-raw`, ...), sorted by name.
pub fn stage_dirs(config_dir: &Path, kind: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(config_dir.join(kind)) {
        for entry in rd.flatten() {
            let p = entry.path();
            if p.is_dir() {
                if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                    out.push((name.to_owned(), p.clone()));
                }
            }
        }
    }
    out.sort();
    out
}

/// Where a data file named `dest_file` lives: the first `data/<dest_file>` among the config
/// directories (then `dest_file` itself when it is a path).
pub fn find_data_file(config_dirs: &[PathBuf], dest_file: &str) -> Option<PathBuf> {
    let name = Path::new(dest_file).file_name()?;
    config_dirs
        .iter()
        .map(|d| d.join("data").join(name))
        .chain(std::iter::once(PathBuf::from(dest_file)))
        .find(|p| p.is_file())
}

/// Path shown in diagnostics: relative to the working directory when inside it.
pub fn display_path(p: &Path) -> String {
    match std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
    {
        Some(rel) => rel.display().to_string(),
        None => p.display().to_string(),
    }
}

/// Pattern files of a `patterns/` directory: regular files whose name has no dot, sorted by
/// name (CrowdSec reads the directory in name order and skips dotted names).
pub fn pattern_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.contains('.'))
    });
    out.sort();
    out
}
