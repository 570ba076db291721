//! `lockFile(path)`: an exclusive advisory lock (`flock`, through std's `File::try_lock`) on a
//! file, held until released, collected, or the process ends: the kernel drops it on exit, kill -9
//! included, so a crashed daemon never leaves a stale lock behind, as a pid file would.
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

use crate::args;
use crate::error::{error, guard, Code, Result};

/// A held lock; `release` gives it up at once.
#[napi]
pub struct FileLockHandle {
    file: Option<std::fs::File>,
}

#[napi]
impl FileLockHandle {
    /// Handles come from `lockFile` only.
    #[napi(constructor)]
    pub fn new() -> Result<Self> {
        Err(error(Code::Arg, "a file lock comes from lockFile"))
    }

    #[napi]
    pub fn release(&mut self) {
        self.file = None;
    }
}

/// The lock on `path` (created if absent), or null while another holder (another process, or
/// another open of the file in this one) has it. A file that cannot be opened or locked is
/// `CW_IO`.
#[napi(js_name = "lockFile", catch_unwind)]
pub fn lock_file(path: Unknown<'_>) -> Result<Option<FileLockHandle>> {
    guard(|| {
        let path = args::string(path)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| error(Code::Io, format!("cannot open {path}: {e}")))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLockHandle { file: Some(file) })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(error(Code::Io, format!("cannot lock {path}: {e}")))
            }
        }
    })
}
