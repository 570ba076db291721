//! `reload`: switch to new content (SIGHUP in the daemon) without forgetting the attackers that
//! unchanged scenarios are counting.
use serde::Serialize;

use super::{Engine, EngineOptions};
use crate::config::{load, LoadReport};
use crate::diag::Diagnostic;
use crate::parser::node::Scratch;

/// What a reload did, by scenario name (see `Buckets::replace_scenarios`).
#[derive(Debug, Default, Serialize)]
pub struct ReloadReport {
    /// Unchanged scenarios: live buckets, blackholes and counters carried over.
    pub kept: Vec<String>,
    /// Scenarios whose definition changed: they start empty.
    pub reset: Vec<String>,
    pub added: Vec<String>,
    /// Scenarios gone: their buckets are dropped.
    pub removed: Vec<String>,
    /// The new content's warnings.
    pub warnings: Vec<Diagnostic>,
}

impl Engine {
    /// Load `opts`' content and switch to it. With any error-level diagnostic the engine is left
    /// exactly as it was and the report is returned.
    ///
    /// Kept across the reload: registered sources (their ids stay valid), the global totals, the
    /// state of every scenario whose name and fingerprint are unchanged, and the counters of
    /// parser nodes whose stage and name are unchanged. A change of mode keeps no bucket: their
    /// times are event times in replay and wall-clock times live.
    pub fn reload(&mut self, opts: &EngineOptions) -> Result<ReloadReport, LoadReport> {
        let loaded = load(&opts.load);
        if loaded.report.has_errors() {
            return Err(loaded.report);
        }
        let changes = self
            .buckets
            .replace_scenarios(loaded.scenarios, opts.mode == self.mode);
        self.parser_counters = self
            .parser_counters
            .carried_over(&self.pipeline, &loaded.pipeline);
        self.pipeline = loaded.pipeline;
        // Grok match states are kept by grok id, and the new pipeline numbers its groks afresh.
        self.scratch = Scratch::default();
        self.mode = opts.mode;
        self.max_line_bytes = opts.max_line_bytes.max(1);
        Ok(ReloadReport {
            kept: changes.kept,
            reset: changes.reset,
            added: changes.added,
            removed: changes.removed,
            warnings: loaded.report.diagnostics,
        })
    }
}
