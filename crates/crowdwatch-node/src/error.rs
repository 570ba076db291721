//! What the addon throws: errors with a stable `code` the CLI maps to an exit status, and the
//! guard every export runs in, so a panic becomes a `CW_PANIC` exception instead of unwinding
//! into Node.
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{FromNapiValue, JsObjectValue, Object};
use napi::{Env, JsError};

/// The `code` property of every error the addon throws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Content (or a profiles file) with errors; the error carries `diagnosticsJson`.
    Config,
    /// A misused export: wrong argument type, foreign handle, unknown source id, bad options.
    Arg,
    /// The engine is inside another call (a re-entrant or cross-thread misuse).
    Busy,
    /// A bug: Rust code panicked during the call.
    Panic,
    /// A Node-API call failed (e.g. a string could not be created).
    Internal,
    /// A file the call needs cannot be opened or locked.
    Io,
    /// The call already threw its own error object (see `config_error`).
    Thrown,
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        match self {
            Code::Config => "CW_CONFIG",
            Code::Arg => "CW_ARG",
            Code::Busy => "CW_BUSY",
            Code::Panic => "CW_PANIC",
            Code::Internal => "CW_INTERNAL",
            Code::Io => "CW_IO",
            // napi-rs does not throw again when a call fails with this status while an exception
            // is pending, so the error object we built and threw is the one JS sees.
            Code::Thrown => "PendingException",
        }
    }
}

pub type Error = napi::Error<Code>;
pub type Result<T> = std::result::Result<T, Error>;

pub fn error(code: Code, message: impl Into<String>) -> Error {
    Error::new(code, message.into())
}

pub fn arg_error(what: &str) -> Error {
    error(Code::Arg, format!("invalid argument: expected {what}"))
}

/// Runs the body of one export: a panic becomes `CW_PANIC` (napi-rs's own `catch_unwind` would
/// throw it as `GenericFailure`), then freed heap is given back to the system if much was freed
/// since the last trim (a `tick` or a batch whose garbage collection emptied buckets, an engine
/// finalized in between: `trim::after_call`).
pub fn guard<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    let result = guard_untrimmed(f);
    crate::trim::after_call();
    result
}

/// `guard` without the trim, for exports that run on the event loop while an engine thread may
/// be freeing memory (an async call's hand-over, `memory()`): the engine thread trims after its
/// own call, so a trim (which holds each arena's lock while it walks it) never lands on the
/// event loop there.
pub fn guard_untrimmed<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| Err(panic_error(panic)))
}

fn panic_error(panic: Box<dyn Any + Send>) -> Error {
    let msg = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    // A payload whose Drop panics again must not unwind out of here.
    std::mem::forget(panic);
    error(
        Code::Panic,
        format!("internal error in the native engine: {msg}"),
    )
}

/// Drops a handle's value when JS garbage-collects it; a panic in a Drop must not unwind into
/// Node's finalizer.
pub fn drop_quietly<T>(value: T) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(move || drop(value))) {
        std::mem::forget(panic);
    }
}

/// Throws `CW_CONFIG` with `message` and the diagnostics as a JSON string property
/// `diagnosticsJson` (bindings/index.js decodes it into `diagnostics`).
pub fn config_error(env: &Env, message: String, diagnostics_json: String) -> Error {
    let thrown = (|| -> napi::Result<()> {
        let err = JsError::from(Error::new(Code::Config, message.clone())).into_unknown(*env);
        let mut err = Object::from_unknown(err)?;
        err.set_named_property("diagnosticsJson", diagnostics_json)?;
        env.throw(err)
    })();
    match thrown {
        Ok(()) => error(Code::Thrown, message),
        // Could not build or throw the full error: napi-rs throws this one, code and message.
        Err(_) => error(Code::Config, message),
    }
}
