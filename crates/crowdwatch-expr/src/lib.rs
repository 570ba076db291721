#![forbid(unsafe_code)]
//! crowdwatch's expression language: the subset of antonmedv/expr v1.9 that CrowdSec content uses.
//!
//! Expressions are compiled once, at load, against a host `Schema` (type and path errors are
//! reported with a byte offset the host turns into file:line), then evaluated many times against
//! a host `Context`. Nothing here knows about events: see `host`.
pub mod host;

pub use host::{Context, FieldId, FieldType, HostValue, Schema};

use std::collections::HashMap;
use std::sync::Arc;

/// Data files referenced by `File()` and `RegexpInFile()`, keyed by their `dest_file` name.
#[derive(Default, Clone)]
pub struct DataFiles {
    pub strings: HashMap<String, Arc<Vec<String>>>,
    pub regexps: HashMap<String, Arc<Vec<regex::bytes::Regex>>>,
}

/// A compile error: what is wrong and where (byte offset into the expression text).
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError {
    pub message: String,
    pub offset: usize,
}

/// A run-time error (nil member access, bad argument type...). Hosts count these; never a panic.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
}

/// A compiled expression. `Send + Sync`: one program serves every worker thread.
pub struct Program {
    // implementation-defined
}

/// A compiled expression plus the warnings the compiler had (e.g. `File('x')` naming a missing file).
pub struct Compiled {
    pub program: Program,
    pub warnings: Vec<String>,
}

/// An evaluated value, as hosts see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

pub fn compile(source: &str, schema: &dyn Schema, data: &DataFiles) -> Result<Compiled, CompileError> {
    let _ = (source, schema, data);
    unimplemented!("expression compiler")
}

impl Program {
    /// Evaluate to a value.
    pub fn eval(&self, ctx: &dyn Context) -> Result<Value, EvalError> {
        let _ = ctx;
        unimplemented!()
    }
    /// Evaluate a filter: a non-bool result is an error, as in CrowdSec.
    pub fn eval_bool(&self, ctx: &dyn Context) -> Result<bool, EvalError> {
        let _ = ctx;
        unimplemented!()
    }
    /// Evaluate to a string the way CrowdSec statics/groupby do: strings as is, ints and floats
    /// formatted, bools "true"/"false"; nil is ""; lists and maps are an error.
    pub fn eval_string(&self, ctx: &dyn Context) -> Result<String, EvalError> {
        let _ = ctx;
        unimplemented!()
    }
    /// Top-level `&&`-conjuncts of the form `<StrMap field>.<key> == 'literal'` or
    /// `<StrMap field>.<key> in ['a', 'b']`: (field id, key, accepted literals). The engine indexes
    /// scenarios by them so a filter runs only on events that can pass it. Empty = no guard.
    pub fn equality_guards(&self) -> Vec<(FieldId, String, Vec<String>)> {
        Vec::new()
    }
}
