//! The JS <-> Rust boundary: argument conversion, errors thrown with a stable `code`, and
//! `catch_unwind` around every exported call so a panic becomes a JS exception instead of
//! unwinding into Node (undefined behaviour) or aborting it.
use std::ffi::CString;
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::sys::*;

/// An exception to throw: a stable code (`CW_CONFIG`, `CW_ARG`, `CW_PANIC`...) the CLI maps to an
/// exit status, a message, and optionally a JSON payload attached as a property.
pub struct JsError {
    pub code: &'static str,
    pub message: String,
    pub json_property: Option<(&'static str, String)>,
}

impl JsError {
    pub fn new(code: &'static str, message: impl Into<String>) -> JsError {
        JsError {
            code,
            message: message.into(),
            json_property: None,
        }
    }
}

fn arg_error(what: &str) -> JsError {
    JsError::new("CW_ARG", format!("invalid argument: expected {what}"))
}

/// The environment of the current call. Only constructed by `entry`, so every method runs on
/// the JS thread inside a Node-API callback, where the env and its values are valid.
pub struct Env(napi_env);

/// A type JS may hold as an External. Each has its own tag, so an External of another type (or
/// of another addon) passed by mistake is refused, never reinterpreted.
pub trait HandleType: 'static {
    const TAG: u64;
    /// What the argument should have been, for the error message.
    const WHAT: &'static str;
}

#[repr(C)]
struct Tagged<T> {
    tag: u64,
    value: T,
}

impl Env {
    pub fn string(&self, v: napi_value) -> Result<String, JsError> {
        let mut len = 0usize;
        // SAFETY: a null buffer asks Node for the length only; `v` comes from this call's argv.
        let st = unsafe { napi_get_value_string_utf8(self.0, v, ptr::null_mut(), 0, &mut len) };
        if st != NAPI_OK {
            return Err(arg_error("a string"));
        }
        let mut buf = vec![0u8; len + 1];
        let mut written = 0usize;
        // SAFETY: `buf` has room for `len` bytes plus the NUL Node writes.
        let st = unsafe {
            napi_get_value_string_utf8(self.0, v, buf.as_mut_ptr().cast(), buf.len(), &mut written)
        };
        if st != NAPI_OK {
            return Err(arg_error("a string"));
        }
        buf.truncate(written);
        String::from_utf8(buf).map_err(|_| arg_error("a UTF-8 string"))
    }

    /// The bytes of a Buffer argument, borrowed for the duration of the call (the argument keeps
    /// the Buffer alive until the callback returns).
    pub fn buffer(&self, v: napi_value) -> Result<&[u8], JsError> {
        let mut data: *mut c_void = ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: Node fills data/len for a Buffer and fails for anything else.
        let st = unsafe { napi_get_buffer_info(self.0, v, &mut data, &mut len) };
        if st != NAPI_OK {
            return Err(arg_error("a Buffer"));
        }
        if len == 0 || data.is_null() {
            return Ok(&[]);
        }
        // SAFETY: Node guarantees `len` readable bytes at `data` while the Buffer is alive, and
        // JS cannot run (so cannot mutate or detach it) until this native call returns.
        Ok(unsafe { std::slice::from_raw_parts(data as *const u8, len) })
    }

    pub fn number(&self, v: napi_value) -> Result<f64, JsError> {
        let mut out = 0f64;
        // SAFETY: plain value read; fails for non-numbers.
        let st = unsafe { napi_get_value_double(self.0, v, &mut out) };
        if st != NAPI_OK {
            return Err(arg_error("a number"));
        }
        Ok(out)
    }

    pub fn create_string(&self, s: &str) -> Result<napi_value, JsError> {
        let mut out = ptr::null_mut();
        // SAFETY: `s` is valid UTF-8 of the given length; Node copies it.
        let st = unsafe { napi_create_string_utf8(self.0, s.as_ptr().cast(), s.len(), &mut out) };
        if st != NAPI_OK {
            return Err(JsError::new("CW_INTERNAL", "cannot create a string"));
        }
        Ok(out)
    }

    pub fn create_number(&self, n: f64) -> Result<napi_value, JsError> {
        let mut out = ptr::null_mut();
        // SAFETY: plain value creation.
        let st = unsafe { napi_create_double(self.0, n, &mut out) };
        if st != NAPI_OK {
            return Err(JsError::new("CW_INTERNAL", "cannot create a number"));
        }
        Ok(out)
    }

    /// Move `value` into a JS External; it is dropped when the External is garbage collected.
    pub fn create_external<T: HandleType>(&self, value: T) -> Result<napi_value, JsError> {
        unsafe extern "C" fn finalize<T>(_env: napi_env, data: *mut c_void, _hint: *mut c_void) {
            // SAFETY: `data` is the Box we leaked below, finalized exactly once by Node.
            let boxed = unsafe { Box::from_raw(data as *mut Tagged<T>) };
            // Never unwind into Node from a finalizer.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(boxed)));
        }
        let raw = Box::into_raw(Box::new(Tagged { tag: T::TAG, value }));
        let mut out = ptr::null_mut();
        // SAFETY: Node keeps `raw` and calls `finalize::<T>` once when the External dies.
        let st = unsafe {
            napi_create_external(
                self.0,
                raw.cast(),
                Some(finalize::<T>),
                ptr::null_mut(),
                &mut out,
            )
        };
        if st != NAPI_OK {
            // SAFETY: Node did not take ownership; reclaim it.
            drop(unsafe { Box::from_raw(raw) });
            return Err(JsError::new("CW_INTERNAL", "cannot create a handle"));
        }
        Ok(out)
    }

    /// Borrow the value of an External made by `create_external::<T>`.
    pub fn external<T: HandleType>(&self, v: napi_value) -> Result<&T, JsError> {
        let mut data: *mut c_void = ptr::null_mut();
        // SAFETY: fails unless `v` is an External.
        let st = unsafe { napi_get_value_external(self.0, v, &mut data) };
        if st != NAPI_OK || data.is_null() {
            return Err(arg_error(T::WHAT));
        }
        let tagged = data as *const Tagged<T>;
        // SAFETY: every External this addon hands out is a `Tagged<U>` for some HandleType U,
        // alive while JS holds it (the argument keeps it alive during this call). `Tagged` is
        // repr(C), so the tag sits at offset 0 whatever U is and may be read before we know U;
        // the value is only borrowed as a T once the tag says it is one. Externals of other
        // addons are refused by the same check (their first word is not one of our tags).
        unsafe {
            if (*tagged).tag != T::TAG {
                return Err(arg_error(T::WHAT));
            }
            Ok(&(*tagged).value)
        }
    }

    fn throw(&self, e: JsError) {
        let code = CString::new(e.code).unwrap_or_default();
        let (Ok(code_v), Ok(msg_v)) = (
            self.create_string(code.to_str().unwrap_or("")),
            self.create_string(&e.message),
        ) else {
            return;
        };
        let mut err = ptr::null_mut();
        // SAFETY: all values belong to this env; on failure we simply do not throw.
        unsafe {
            if napi_create_error(self.0, code_v, msg_v, &mut err) != NAPI_OK {
                return;
            }
            if let Some((name, json)) = &e.json_property {
                if let (Ok(v), Ok(n)) = (self.create_string(json), CString::new(*name)) {
                    napi_set_named_property(self.0, err, n.as_ptr(), v);
                }
            }
            napi_throw(self.0, err);
        }
    }
}

/// Run one exported call: fetch up to N arguments, run `f`, turn errors and panics into JS
/// exceptions, then give freed heap back to the system if much was freed since the last trim (a
/// `tick` or a batch whose garbage collection emptied buckets, an engine finalized in between:
/// `trim::after_call`).
/// Missing arguments are reported by `f` through the conversions (they arrive as `undefined`).
pub fn entry<const N: usize>(
    env: napi_env,
    info: napi_callback_info,
    f: impl FnOnce(&Env, &[napi_value; N]) -> Result<napi_value, JsError>,
) -> napi_value {
    let env = Env(env);
    let result = catch_unwind(AssertUnwindSafe(|| {
        let mut argc = N;
        let mut argv: [napi_value; N] = [ptr::null_mut(); N];
        // SAFETY: argv has room for N values; Node fills unused slots with undefined.
        let st = unsafe {
            napi_get_cb_info(
                env.0,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if st != NAPI_OK {
            return Err(JsError::new("CW_INTERNAL", "cannot read call arguments"));
        }
        f(&env, &argv)
    }));
    crate::trim::after_call();
    match result {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            env.throw(e);
            ptr::null_mut()
        }
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            env.throw(JsError::new(
                "CW_PANIC",
                format!("internal error in the native engine: {msg}"),
            ));
            ptr::null_mut()
        }
    }
}
