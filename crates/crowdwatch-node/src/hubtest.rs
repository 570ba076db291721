//! The exports `crowdwatch hubtest` uses: a replay that records CrowdSec's dumps, and the
//! assertions over them (`crowdwatch_core::hubtest`).
use crowdwatch_core::hubtest::{evaluate_asserts, Dump};
use crowdwatch_core::Timestamp;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;
use serde_json::json;

use crate::args;
use crate::engine::{engine_handle, json, known_source};
use crate::error::{error, guard, Code, Result};

/// `dumpBatch(handle, sourceId, lines)`: the lines replayed through the parsers and the
/// scenarios; answers `{parsers, overflows}` (CrowdSec's parser dump and bucket dump, as JSON
/// with Go's field names).
#[napi(js_name = "dumpBatch", catch_unwind)]
pub fn dump_batch(
    handle: Unknown<'_>,
    source_id: Unknown<'_>,
    lines: Unknown<'_>,
) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let id = args::source_id(source_id)?;
        let bytes = args::bytes(lines)?;
        let mut engine = handle.lock()?;
        known_source(&engine, id)?;
        let mut dump = Dump::default();
        engine.dump_batch(id, &bytes, Timestamp::now(), &mut dump);
        json(&json!({ "parsers": dump.parser_results(), "overflows": dump.overflows }))
    })
}

/// `evaluateAsserts(text, resultsJson)`: each non-empty line of an assert file evaluated over
/// `results`; answers one outcome per line.
#[napi(js_name = "evaluateAsserts", catch_unwind)]
pub fn evaluate_asserts_export(text: Unknown<'_>, results: Unknown<'_>) -> Result<String> {
    guard(|| {
        let text = args::string(text)?;
        let results: serde_json::Value = serde_json::from_str(&args::string(results)?)
            .map_err(|e| error(Code::Arg, format!("results: not JSON: {e}")))?;
        json(&evaluate_asserts(&text, &results))
    })
}
