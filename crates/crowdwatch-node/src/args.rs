//! Arguments as the exports receive them: untyped JS values, converted here so that every
//! misuse throws `CW_ARG` (napi-rs's own conversions would throw its status names, such as
//! `StringExpected` or `InvalidArg`). None of these conversions reads what it was not given: a
//! handle is unwrapped only after napi-rs has checked the object's type tag (`napi8`).
use napi::bindgen_prelude::{BufferSlice, ClassInstance, FromNapiValue, TypeTag, Unknown};
use napi::ValueType;

use crate::error::{arg_error, error, Code, Result};

// Node-API's getters check the type themselves (napi_get_value_double fails for a non-number,
// napi_get_buffer_info for a non-Uint8Array, napi_unwrap for a non-object). Strings are checked
// with typeof first: napi-rs describes a failed string conversion with JSON.stringify of the
// value, which runs JS (toJSON, getters) inside the call and can throw an error of its own.

pub fn string(v: Unknown<'_>) -> Result<String> {
    if v.get_type().ok() != Some(ValueType::String) {
        return Err(arg_error("a string"));
    }
    String::from_unknown(v).map_err(|_| arg_error("a string"))
}

pub fn number(v: Unknown<'_>) -> Result<f64> {
    f64::from_unknown(v).map_err(|_| arg_error("a number"))
}

/// The bytes of a Buffer (or another Uint8Array), borrowed for the call: the argument keeps it
/// alive, and no JS runs (so nothing can detach it) until the call returns.
pub fn bytes(v: Unknown<'_>) -> Result<BufferSlice<'_>> {
    BufferSlice::from_unknown(v).map_err(|_| arg_error("a Buffer"))
}

/// An instance of the `#[napi]` class `T`. napi-rs unwraps an object only if it carries `T`'s
/// type tag, so a plain object, another class's instance (a profiles handle passed as an
/// engine), an object wrapped by another addon or one made from `T`'s prototype is refused.
pub fn handle<'a, T: TypeTag + 'a>(v: Unknown<'a>, what: &str) -> Result<ClassInstance<'a, T>> {
    ClassInstance::<T>::from_unknown(v).map_err(|_| arg_error(what))
}

/// A source id as `registerSource` returned it.
pub fn source_id(v: Unknown<'_>) -> Result<usize> {
    let n = number(v)?;
    if !(0.0..=u32::MAX as f64).contains(&n) || n.fract() != 0.0 {
        return Err(error(Code::Arg, "invalid source id"));
    }
    Ok(n as usize)
}
