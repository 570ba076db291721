//! Bucket snapshots (the core's `bucket/snapshot.rs`) to and from files, on the engine thread:
//! three million buckets take seconds to write or read, which the event loop (the local API, the
//! bouncers' long polls) must not wait for. `snapshotBuckets`/`restoreBuckets` are the same as
//! Buffers, synchronously, for tools and tests.
use std::io::Write;
use std::path::{Path, PathBuf};

use napi::bindgen_prelude::{Buffer, Object, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::Serialize;

use crate::args;
use crate::engine::{engine_handle, json};
use crate::engine_thread::in_one_turn;
use crate::error::{error, guard, guard_untrimmed, Code, Result};
use crate::lanes::Lane;

/// `snapshotBuckets(handle)`: every scenario's live state, as bytes for `restoreBuckets`.
#[napi(js_name = "snapshotBuckets", catch_unwind)]
pub fn snapshot_buckets(handle: Unknown<'_>) -> Result<Buffer> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let bytes = handle.lock()?.snapshot();
        Ok(Buffer::from(bytes))
    })
}

/// `restoreBuckets(handle, bytes)`: the state of the snapshot's unchanged scenarios, as JSON
/// `{scenarios, buckets, skipped}`; bytes that do not read are `CW_ARG` and change nothing.
#[napi(js_name = "restoreBuckets", catch_unwind)]
pub fn restore_buckets(handle: Unknown<'_>, bytes: Unknown<'_>) -> Result<String> {
    guard(|| {
        let handle = engine_handle(handle)?;
        let bytes = args::bytes(bytes)?;
        let report = handle
            .lock()?
            .restore(&bytes)
            .map_err(|e| error(Code::Arg, format!("bucket snapshot: {e}")))?;
        json(&report)
    })
}

#[derive(Serialize)]
struct Written {
    bytes: usize,
    ms: f64,
}

/// `file` whole or not at all: a temp file beside it, fsync'd, renamed over it, the directory
/// fsync'd. A failure removes the temp file and leaves `file` as it was.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = PathBuf::from(format!("{}.{}.tmp", file.display(), std::process::id()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty());
    std::fs::File::open(dir.unwrap_or(Path::new(".")))?.sync_all()
}

/// `snapshotBucketsToFileAsync(handle, path)`: a promise of `{bytes, ms}` once the buckets are
/// in `path` (written atomically and durably), taken on the engine thread between two slices
/// of whatever runs there; the caller makes sure no batch is half-processed (the agent runs it
/// with its queue drained). A write that fails (a full disk) rejects with `CW_IO`.
#[napi(js_name = "snapshotBucketsToFileAsync", catch_unwind)]
pub fn snapshot_buckets_to_file_async<'e>(
    env: &'e Env,
    handle: Unknown<'_>,
    path: Unknown<'_>,
) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        let handle = engine_handle(handle)?;
        let path = PathBuf::from(args::string(path)?);
        handle.submit(
            env,
            Lane::Read,
            in_one_turn(move |engine| {
                let started = std::time::Instant::now();
                let bytes = engine.snapshot();
                write_atomically(&path, &bytes).map_err(|e| {
                    error(Code::Io, format!("cannot write {}: {e}", path.display()))
                })?;
                json(&Written {
                    bytes: bytes.len(),
                    ms: started.elapsed().as_secs_f64() * 1e3,
                })
            }),
        )
    })
}

/// `restoreBucketsFromFileAsync(handle, path)`: `restoreBuckets` of the file's bytes, read and
/// restored on the engine thread. A file that cannot be read is `CW_IO`, one that does not
/// restore `CW_ARG`; either leaves the engine as it was.
#[napi(js_name = "restoreBucketsFromFileAsync", catch_unwind)]
pub fn restore_buckets_from_file_async<'e>(
    env: &'e Env,
    handle: Unknown<'_>,
    path: Unknown<'_>,
) -> Result<Object<'e>> {
    guard_untrimmed(|| {
        let handle = engine_handle(handle)?;
        let path = PathBuf::from(args::string(path)?);
        handle.submit(
            env,
            Lane::Read,
            in_one_turn(move |engine| {
                let bytes = std::fs::read(&path)
                    .map_err(|e| error(Code::Io, format!("cannot read {}: {e}", path.display())))?;
                let report = engine
                    .restore(&bytes)
                    .map_err(|e| error(Code::Arg, format!("bucket snapshot: {e}")))?;
                json(&report)
            }),
        )
    })
}
