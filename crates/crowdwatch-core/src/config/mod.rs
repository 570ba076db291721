//! Loading content: patterns, data files, parsers and scenarios from one or more CrowdSec-layout
//! directories. Loading never stops at the first problem: every problem becomes a diagnostic
//! with file and line, and whatever loads cleanly is kept (`lint` reports it all; the engine
//! refuses to start when there is any error).
pub mod files;
pub mod fingerprint;
mod geoip_load;
pub mod hub;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ahash::AHashMap;
use crowdwatch_expr::DataFiles;
use crowdwatch_grok::PatternLibrary;
use serde::Serialize;

use crate::bucket::build::build_scenario;
use crate::bucket::scenario::Scenario;
use crate::diag::{Diagnostic, Item, Severity};
use crate::parser::build::{build_node, FileCtx};
use crate::parser::Pipeline;
use fingerprint::Fingerprint;
use yaml::{DataSourceYaml, NodeYaml, ScenarioYaml};

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// CrowdSec-layout directories, loaded in order.
    pub config_dirs: Vec<PathBuf>,
    /// Our base grok library file (grokky's built-in names), loaded before any `patterns/`.
    pub base_patterns: Option<PathBuf>,
    pub geoip: GeoIpFiles,
    pub reverse_dns: ReverseDnsOptions,
}

/// Where the `reverse_dns` enricher asks: these name servers (empty: /etc/resolv.conf's), with a
/// timeout per lookup (0: CrowdSec's 3 s).
#[derive(Clone, Debug, Default)]
pub struct ReverseDnsOptions {
    pub servers: Vec<std::net::SocketAddr>,
    pub timeout_ms: u64,
}

/// GeoIP databases for the `GeoIpCity`, `GeoIpASN` and `IpToRange` enrichers. CrowdSec's own
/// files in a config dir's `data/` (`GeoLite2-City.mmdb`, `GeoLite2-ASN.mmdb`) come first; these
/// are the defaults when it has none. Opened only when some parser uses those methods.
#[derive(Clone, Debug, Default)]
pub struct GeoIpFiles {
    /// MaxMind DB files, GeoLite2 City's layout or ip-location-db's.
    pub city: Vec<PathBuf>,
    /// GeoLite2 ASN MaxMind DB files, or ip-location-db's `asn` CSV files (`.csv`).
    pub asn: Vec<PathBuf>,
    /// How to get a file's bytes (the addon maps them); read into memory when None.
    pub map_file: Option<crate::geoip::FileMapper>,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Count {
    pub loaded: usize,
    pub failed: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct LoadReport {
    pub parsers: Count,
    pub scenarios: Count,
    pub patterns: Count,
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

pub struct Loaded {
    pub pipeline: Pipeline,
    /// `postoverflows/<stage>/`: nodes an overflow goes through before it becomes an alert.
    pub postoverflows: Pipeline,
    pub scenarios: Vec<Scenario>,
    pub report: LoadReport,
}

struct SourceFile {
    path: PathBuf,
    shown: Arc<str>,
    text: String,
}

fn read(path: &Path, item: Item, diags: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let shown: Arc<str> = files::display_path(path).into();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile {
                path: path.to_owned(),
                shown,
                text,
            }),
            Err(_) => {
                diags.push(Diagnostic::error(
                    item,
                    &shown,
                    0,
                    "file is not valid UTF-8",
                ));
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error(
                item,
                &shown,
                0,
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

pub fn load(opts: &LoadOptions) -> Loaded {
    let mut report = LoadReport::default();
    let diags = &mut report.diagnostics;

    // Patterns: our base library, then each config directory's patterns/.
    let mut lib = PatternLibrary::new();
    let base = opts
        .base_patterns
        .as_ref()
        .and_then(|p| p.canonicalize().ok());
    if let Some(base) = &base {
        match std::fs::read_to_string(base) {
            Ok(text) => diags.extend(
                lib.load_text(&text, &files::display_path(base))
                    .into_iter()
                    .map(pattern_diagnostic),
            ),
            Err(e) => diags.push(Diagnostic::error(
                Item::Pattern,
                &files::display_path(base),
                0,
                format!("cannot read: {e}"),
            )),
        }
    }
    for dir in opts
        .config_dirs
        .iter()
        .map(|d| d.join("patterns"))
        .filter(|d| d.is_dir())
    {
        for path in files::pattern_files(&dir) {
            // Our own content directory holds the base file too: it is loaded once, first.
            if base.is_some() && path.canonicalize().ok() == base {
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) => diags.extend(
                    lib.load_text(&text, &files::display_path(&path))
                        .into_iter()
                        .map(pattern_diagnostic),
                ),
                Err(e) => diags.push(Diagnostic::error(
                    Item::Pattern,
                    &files::display_path(&path),
                    0,
                    format!("cannot read: {e}"),
                )),
            }
        }
    }

    // Parser, postoverflow and scenario files, decoded.
    let (stage_names, parser_docs) = stage_documents(&opts.config_dirs, "parsers", diags);
    let (post_stage_names, post_docs) = stage_documents(&opts.config_dirs, "postoverflows", diags);
    let mut scenario_docs = Vec::new();
    for dir in &opts.config_dirs {
        for path in files::yaml_files(&dir.join("scenarios")) {
            if let Some(f) = read(&path, Item::Scenario, diags) {
                let docs = yaml::fingerprinted_documents::<ScenarioYaml>(&f.text);
                scenario_docs.push((f, docs));
            }
        }
    }

    // pattern_syntax of every node goes into the library before any grok compiles (first wins).
    for (_, f, docs) in parser_docs.iter().chain(&post_docs) {
        for (_, doc) in docs {
            if let Ok(node) = doc {
                add_pattern_syntax(node, &f.shown, &f.text, &mut lib, diags);
            }
        }
    }

    // Data files named by `data:` entries, with their digests for scenario fingerprints.
    let mut data = DataFiles::default();
    let mut data_digests = AHashMap::new();
    for (_, f, docs) in parser_docs.iter().chain(&post_docs) {
        for (_, doc) in docs.iter() {
            if let Ok(n) = doc {
                load_data(
                    &n.data,
                    &opts.config_dirs,
                    &f.shown,
                    &mut data,
                    &mut data_digests,
                    diags,
                );
            }
        }
    }
    for (f, docs) in &scenario_docs {
        for ((_, doc), _) in docs.iter() {
            if let Ok(s) = doc {
                load_data(
                    &s.data,
                    &opts.config_dirs,
                    &f.shown,
                    &mut data,
                    &mut data_digests,
                    diags,
                );
            }
        }
    }

    // Parsers and postoverflows.
    let mut groks = 0usize;
    let mut build =
        |names: &[String], docs| build_pipeline(names, docs, &lib, &data, &mut report, &mut groks);
    let mut pipeline = build(&stage_names, parser_docs);
    let mut postoverflows = build(&post_stage_names, post_docs);
    let diags = &mut report.diagnostics;
    if pipeline.uses_reverse_dns() || postoverflows.uses_reverse_dns() {
        let timeout = match opts.reverse_dns.timeout_ms {
            0 => std::time::Duration::from_secs(3),
            ms => std::time::Duration::from_millis(ms),
        };
        let rdns = std::sync::Arc::new(Some(crate::rdns::ReverseDns::new(
            opts.reverse_dns.servers.clone(),
            timeout,
        )));
        pipeline.rdns = rdns.clone();
        postoverflows.rdns = rdns;
    }
    if pipeline.uses_geoip() || postoverflows.uses_geoip() {
        let geoip = std::sync::Arc::new(geoip_load::open(opts, diags));
        pipeline.geoip = geoip.clone();
        postoverflows.geoip = geoip;
    }

    // Scenarios.
    let index = hub::HubIndex::find(&opts.config_dirs);
    let mut scenarios = Vec::new();
    for (f, docs) in scenario_docs {
        let prov = index.provenance(&f.path, f.text.as_bytes());
        let mut cx = FileCtx {
            file: f.shown.clone(),
            text: &f.text,
            item: Item::Scenario,
            lib: &lib,
            data: &data,
            diags,
            groks: &mut groks,
        };
        for ((line, doc), document_fingerprint) in docs {
            match doc {
                Err((l, msg)) => {
                    cx.error(l, msg);
                    report.scenarios.failed += 1;
                }
                Ok(s) => match build_scenario(
                    &s,
                    line,
                    &prov,
                    scenario_fingerprint(&s, document_fingerprint, &data_digests),
                    &mut cx,
                ) {
                    Some(sc) => {
                        scenarios.push(sc);
                        report.scenarios.loaded += 1;
                    }
                    None => report.scenarios.failed += 1,
                },
            }
        }
    }
    report.patterns.loaded = lib.len();
    report.patterns.failed = report
        .diagnostics
        .iter()
        .filter(|d| d.item == Item::Pattern && d.severity == Severity::Error)
        .count();
    Loaded {
        pipeline,
        postoverflows,
        scenarios,
        report,
    }
}

/// A parsed file of a stage directory: (stage index, file, its documents).
type StageDoc = (usize, SourceFile, Vec<yaml::Document<NodeYaml>>);

/// The YAML files of `<dir>/<kind>/<stage>/` (parsers or postoverflows) of every config dir,
/// decoded; stages are the sorted distinct directory names.
fn stage_documents(
    config_dirs: &[PathBuf],
    kind: &str,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<String>, Vec<StageDoc>) {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for dir in config_dirs {
        for (stage, sdir) in files::stage_dirs(dir, kind) {
            found.extend(
                files::yaml_files(&sdir)
                    .into_iter()
                    .map(|p| (stage.clone(), p)),
            );
        }
    }
    let mut stage_names: Vec<String> = found.iter().map(|(s, _)| s.clone()).collect();
    stage_names.sort();
    stage_names.dedup();
    let mut docs = Vec::new();
    for (stage, path) in found {
        if let Some(f) = read(&path, Item::Parser, diags) {
            let decoded = yaml::documents::<NodeYaml>(&f.text);
            let idx = stage_names
                .iter()
                .position(|s| *s == stage)
                .expect("stage listed");
            docs.push((idx, f, decoded));
        }
    }
    (stage_names, docs)
}

/// Build the nodes of decoded stage files into a pipeline: per stage, files in path order,
/// documents in file order.
fn build_pipeline(
    stage_names: &[String],
    stage_docs: Vec<StageDoc>,
    lib: &PatternLibrary,
    data: &DataFiles,
    report: &mut LoadReport,
    groks: &mut usize,
) -> Pipeline {
    let mut pipeline = Pipeline {
        stages: stage_names.to_vec(),
        nodes: stage_names.iter().map(|_| Vec::new()).collect(),
        stash: Default::default(),
        geoip: Default::default(),
        rdns: Default::default(),
    };
    let mut per_stage: Vec<Vec<(PathBuf, Vec<_>)>> =
        stage_names.iter().map(|_| Vec::new()).collect();
    for (stage_idx, f, docs) in stage_docs {
        let mut cx = FileCtx {
            file: f.shown.clone(),
            text: &f.text,
            item: Item::Parser,
            lib,
            data,
            diags: &mut report.diagnostics,
            groks: &mut *groks,
        };
        let mut nodes = Vec::new();
        for (line, doc) in docs {
            match doc {
                Err((l, msg)) => {
                    cx.error(l, msg);
                    report.parsers.failed += 1;
                }
                Ok(n) if n.name.is_none() && n.author.is_none() && n.description.is_none() => {}
                Ok(n) => match build_node(&n, stage_idx, line, None, &mut cx) {
                    Some(node) => {
                        nodes.push(node);
                        report.parsers.loaded += 1;
                    }
                    None => report.parsers.failed += 1,
                },
            }
        }
        per_stage[stage_idx].push((f.path, nodes));
    }
    for (idx, mut files_nodes) in per_stage.into_iter().enumerate() {
        files_nodes.sort_by(|a, b| a.0.cmp(&b.0));
        pipeline.nodes[idx] = files_nodes.into_iter().flat_map(|(_, n)| n).collect();
    }
    pipeline
}

fn add_pattern_syntax(
    node: &NodeYaml,
    file: &str,
    text: &str,
    lib: &mut PatternLibrary,
    diags: &mut Vec<Diagnostic>,
) {
    for (k, v) in node.pattern_syntax.iter() {
        if let (Some(name), Some(def)) = (k.as_str(), v.as_str()) {
            let line = crate::diag::line_of(text, &format!("{name}:"), 1);
            if let Some(d) = lib.add(name, def, crowdwatch_grok::Origin::new(file, line)) {
                diags.push(pattern_diagnostic(d));
            }
        }
    }
    for child in &node.nodes {
        add_pattern_syntax(child, file, text, lib, diags);
    }
}

/// Grok library diagnostics: a duplicate is a warning (first wins, as in CrowdSec), an
/// unreadable or invalid definition an error.
fn pattern_diagnostic(d: crowdwatch_grok::Diagnostic) -> Diagnostic {
    let severity = match d.kind {
        crowdwatch_grok::DiagnosticKind::Duplicate { .. } => Severity::Warning,
        _ => Severity::Error,
    };
    let message = d.to_string();
    let message = message
        .strip_prefix(&format!("{}: ", d.origin))
        .unwrap_or(&message)
        .to_owned();
    Diagnostic {
        severity,
        item: Item::Pattern,
        file: d.origin.file.clone(),
        line: d.origin.line,
        message,
    }
}

/// A scenario's document fingerprint extended with the data files it names, as loaded.
fn scenario_fingerprint(
    s: &ScenarioYaml,
    document: Fingerprint,
    data_digests: &AHashMap<String, Fingerprint>,
) -> Fingerprint {
    let names: Vec<String> = s
        .data
        .iter()
        .filter_map(|e| e.dest_file.as_deref())
        .map(data_name)
        .collect();
    document.with_data(
        names
            .iter()
            .map(|n| (n.as_str(), data_digests.get(n).copied())),
    )
}

/// The name expressions know a data file by: the file name of its `dest_file`.
fn data_name(dest: &str) -> String {
    Path::new(dest)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(dest)
        .to_owned()
}

fn load_data(
    entries: &[DataSourceYaml],
    config_dirs: &[PathBuf],
    file: &str,
    data: &mut DataFiles,
    digests: &mut AHashMap<String, Fingerprint>,
    diags: &mut Vec<Diagnostic>,
) {
    for entry in entries {
        let Some(dest) = entry.dest_file.as_deref() else {
            continue;
        };
        let name = data_name(dest);
        let is_regexp = matches!(entry.kind.as_deref(), Some("regexp") | Some("regex"));
        let is_map = entry.kind.as_deref() == Some("map");
        if data.strings.contains_key(&name)
            || data.regexps.contains_key(&name)
            || data.maps.contains_key(&name)
        {
            continue;
        }
        let Some(path) = files::find_data_file(config_dirs, dest) else {
            diags.push(Diagnostic::warning(
                Item::Data,
                file,
                0,
                format!("data file '{dest}' not found; File() returns an empty list"),
            ));
            continue;
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            diags.push(Diagnostic::warning(
                Item::Data,
                file,
                0,
                format!("data file '{dest}' is unreadable"),
            ));
            continue;
        };
        digests.insert(name.clone(), Fingerprint::of_bytes(text.as_bytes()));
        if is_map {
            let (map, problems) = crowdwatch_expr::FileMap::parse(&text);
            for (line, problem) in problems {
                diags.push(Diagnostic::warning(
                    Item::Data,
                    &files::display_path(&path),
                    line,
                    format!("map row skipped: {problem}"),
                ));
            }
            data.maps.insert(name, Arc::new(map));
            continue;
        }
        let lines: Vec<String> = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        if is_regexp {
            let mut res = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                match crowdwatch_grok::LazyRegex::new(l) {
                    Ok((r, _)) => res.push(r),
                    Err(e) => diags.push(Diagnostic::warning(
                        Item::Data,
                        &files::display_path(&path),
                        i + 1,
                        format!("regexp skipped: {e}"),
                    )),
                }
            }
            data.regexps.insert(name, Arc::new(res));
        } else {
            data.strings.insert(name, Arc::new(lines));
        }
    }
}
