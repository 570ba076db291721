//! The contract between the expression language and the program that hosts it.
//!
//! The expression crate knows nothing of events or alerts. A host declares, at compile time, which
//! member paths exist (`Schema`), and answers, at run time, what they hold (`Context`). Static
//! paths are resolved once when an expression is compiled, so evaluation never looks a field up by
//! name unless the expression itself indexes with a dynamic key.
use std::borrow::Cow;

/// Host-chosen identifier of a field or method, returned by `Schema` and handed back to `Context`.
pub type FieldId = u32;

/// The static type of a host field, as far as the compiler needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Int,
    Float,
    Bool,
    /// A `map[string]string`: `.key` and `["key"]` read an entry ("" when absent), `'k' in m` tests it.
    StrMap,
    /// A JSON-like value whose shape is only known at run time (overflow data, alerts in profiles):
    /// further member access is dynamic and a missing member is nil.
    Json,
}

/// Compile-time view of the host's variables.
pub trait Schema {
    /// Resolve a member path from a root variable, e.g. `["evt", "Meta"]` or `["evt", "Line", "Raw"]`.
    /// The compiler resolves the longest prefix the schema knows; what follows a `StrMap` is a map
    /// key, what follows a `Json` is dynamic member access. `None` = unknown path (compile error).
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)>;

    /// Resolve a method call on a path, e.g. (`["evt"]`, `"GetType"`) or (`["Alert"]`, `"GetScope"`).
    /// With an empty receiver, a function the host provides (`GetDecisionsCount(value)` for
    /// profiles); host functions take precedence over built-in helpers of the same name.
    /// Returns the id and the return type; arguments are strings.
    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)>;

    /// Whether `name` is a root variable (`evt`, `Alert`). Only used to point an unknown-path
    /// error at the unknown member rather than at the root.
    fn is_root(&self, name: &str) -> bool {
        let _ = name;
        false
    }
}

/// What a host field holds at run time.
#[derive(Debug)]
pub enum HostValue<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    /// A `StrMap` field: the evaluator reads it through `Context::map_get`.
    StrMap,
    Json(Cow<'a, serde_json::Value>),
}

/// Run-time view of the host's variables (an event, an alert).
pub trait Context {
    fn field(&self, id: FieldId) -> HostValue<'_>;
    /// Entry `key` of the `StrMap` field `id`; `None` when absent (expressions see "").
    fn map_get(&self, id: FieldId, key: &str) -> Option<&str>;
    /// Call the method `id` with evaluated string arguments.
    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_>;
}
