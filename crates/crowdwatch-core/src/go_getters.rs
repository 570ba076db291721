//! The getters of CrowdSec's Go types, for expressions over JSON values shaped like them
//! (`evt.Overflow.Alert.GetScope()`, `results[0].Overflow.GetSources()`, `.GetMeta('exe')` on an
//! alert's events): what `Schema::has_value_method` hosts answer with.
use serde_json::Value as Json;

/// Whether `method` is one of the getters `call` answers.
pub fn is_getter(method: &str) -> bool {
    method.starts_with("Get")
}

/// `GetMeta(key)`: a `[{Key, Value}]` list or a map, "" when absent; `GetSources()`: the keys of
/// `Sources`, sorted; `GetScope()`/`GetValue()` of an alert: its source's; `GetX()`: field `X`.
pub fn call(method: &str, receiver: &Json, args: &[&str]) -> Option<Json> {
    match (method, args) {
        ("GetMeta", [key]) => {
            let found = match receiver.get("Meta") {
                Some(Json::Array(items)) => items
                    .iter()
                    .find(|m| m.get("Key").and_then(Json::as_str) == Some(key))
                    .and_then(|m| m.get("Value").cloned()),
                Some(Json::Object(map)) => map.get(*key).cloned(),
                _ => None,
            };
            Some(found.unwrap_or_else(|| Json::String(String::new())))
        }
        ("GetSources", []) => {
            let mut keys: Vec<&String> = receiver
                .get("Sources")
                .and_then(Json::as_object)
                .map(|m| m.keys().collect())
                .unwrap_or_default();
            keys.sort();
            Some(Json::Array(
                keys.into_iter().map(|k| Json::String(k.clone())).collect(),
            ))
        }
        (_, []) => {
            let field = method.strip_prefix("Get")?;
            let object = receiver.as_object()?;
            let value = match object.get(field) {
                Some(v) => v.clone(),
                // models.Alert's GetScope/GetValue read its Source.
                None if matches!(field, "Scope" | "Value") => receiver
                    .get("Source")
                    .and_then(|s| s.get(field))
                    .cloned()
                    .unwrap_or_else(|| Json::String(String::new())),
                None => Json::Null,
            };
            Some(value)
        }
        _ => None,
    }
}
