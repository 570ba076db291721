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

    /// Resolve a method that sets an entry of a `StrMap` field (`evt.SetMeta(key, value)` sets
    /// `evt.Meta`): the field's id. Such a call is a [`Write`].
    fn resolve_setter(&self, receiver: &[&str], method: &str) -> Option<FieldId> {
        let _ = (receiver, method);
        None
    }

    /// Whether `method` may be called on any computed value (a JSON value the host handed
    /// out, e.g. `results[0].Overflow.Alert.GetScenario()` in hubtest assertions); the host
    /// answers it with `Context::call_value_method`. Arguments are strings.
    fn has_value_method(&self, method: &str) -> bool {
        let _ = method;
        false
    }
}

/// A change an expression makes to its host: CrowdSec's helpers that fill a map passed to them
/// (`UnmarshalJSON(s, evt.Unmarshaled, "k")`, `ParseKV`) and event setters (`evt.SetMeta`).
/// Programs that write are evaluated with the `*_writing` entry points, which see their own
/// writes at once and hand them to the host to apply when the expression is done.
#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    /// `field[key] = value` on a `Json` field.
    Json {
        field: FieldId,
        key: String,
        value: serde_json::Value,
    },
    /// Each `(k, v)` into the object `field[key]`, created when absent (ParseKV merges).
    JsonStrings {
        field: FieldId,
        key: String,
        pairs: Vec<(String, String)>,
    },
    /// `field[key] = value` on a `StrMap` field.
    Entry {
        field: FieldId,
        key: String,
        value: String,
    },
}

impl Write {
    pub fn field(&self) -> FieldId {
        match self {
            Write::Json { field, .. }
            | Write::JsonStrings { field, .. }
            | Write::Entry { field, .. } => *field,
        }
    }

    /// Apply a `Json` or `JsonStrings` write to the object it targets (non-objects become one).
    pub fn apply_to_json(&self, target: &mut serde_json::Value) {
        use serde_json::Value as Json;
        if !target.is_object() {
            *target = Json::Object(Default::default());
        }
        let Json::Object(map) = target else { return };
        match self {
            Write::Json { key, value, .. } => {
                map.insert(key.clone(), value.clone());
            }
            Write::JsonStrings { key, pairs, .. } => {
                let entry = map
                    .entry(key.clone())
                    .or_insert_with(|| Json::Object(Default::default()));
                if !entry.is_object() {
                    *entry = Json::Object(Default::default());
                }
                if let Json::Object(inner) = entry {
                    for (k, v) in pairs {
                        inner.insert(k.clone(), Json::String(v.clone()));
                    }
                }
            }
            Write::Entry { .. } => {}
        }
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
    /// Record a write (see [`Write`]); false when this context takes none. Hosts do not
    /// implement it: the `*_writing` entry points of `Program` wrap their context in one that does.
    fn write(&self, w: Write) -> bool {
        let _ = w;
        false
    }
    /// Answer a method the schema declared with `has_value_method`, on `receiver` (the value
    /// as JSON); None is an error ("no such method on this value").
    fn call_value_method(
        &self,
        method: &str,
        receiver: &serde_json::Value,
        args: &[&str],
    ) -> Option<serde_json::Value> {
        let _ = (method, receiver, args);
        None
    }
}
