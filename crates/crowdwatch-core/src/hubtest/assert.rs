//! hubtest assertions: one expression per line over `results` (the parser dump's map, or the
//! sorted list of overflow events), evaluated with CrowdSec's helpers, `basename`, and the Go
//! getters the dumped types have (`GetMeta`, `GetScenario`, `GetSources`, `GetScope`…).
use std::borrow::Cow;

use crowdwatch_expr::{compile, Context, DataFiles, FieldId, FieldType, HostValue, Schema, Value};
use serde::Serialize;
use serde_json::Value as Json;

const RESULTS: FieldId = 0;
const BASENAME: FieldId = 1;

struct AssertSchema;

impl Schema for AssertSchema {
    fn resolve(&self, path: &[&str]) -> Option<(FieldId, FieldType)> {
        (path == ["results"]).then_some((RESULTS, FieldType::Json))
    }

    fn resolve_method(&self, receiver: &[&str], method: &str) -> Option<(FieldId, FieldType)> {
        (receiver.is_empty() && method == "basename").then_some((BASENAME, FieldType::Str))
    }

    fn is_root(&self, name: &str) -> bool {
        name == "results"
    }

    fn has_value_method(&self, method: &str) -> bool {
        crate::go_getters::is_getter(method)
    }
}

struct AssertContext<'a> {
    results: &'a Json,
}

impl Context for AssertContext<'_> {
    fn field(&self, id: FieldId) -> HostValue<'_> {
        match id {
            RESULTS => HostValue::Json(Cow::Borrowed(self.results)),
            _ => HostValue::Nil,
        }
    }

    fn map_get(&self, _: FieldId, _: &str) -> Option<&str> {
        None
    }

    fn call_method(&self, id: FieldId, args: &[&str]) -> HostValue<'_> {
        match (id, args) {
            (BASENAME, [path]) => HostValue::Str(Cow::Owned(basename(path).to_owned())),
            _ => HostValue::Nil,
        }
    }

    fn call_value_method(&self, method: &str, receiver: &Json, args: &[&str]) -> Option<Json> {
        crate::go_getters::call(method, receiver, args)
    }
}

/// Go's `filepath.Base`.
fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" };
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// One assertion line's outcome.
#[derive(Debug, Serialize)]
pub struct AssertOutcome {
    /// 1-based line in the assert file.
    pub line: usize,
    pub expression: String,
    pub passed: bool,
    /// Why it could not be evaluated (a compile or run-time error, or a non-bool result).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a failed `x == y`: what `x` was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// Evaluate every non-empty line of an assert file over `results`.
pub fn evaluate_asserts(text: &str, results: &Json) -> Vec<AssertOutcome> {
    let ctx = AssertContext { results };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let expression = with_basename(line);
            let mut outcome = AssertOutcome {
                line: i + 1,
                expression: line.to_owned(),
                passed: false,
                error: None,
                found: None,
            };
            match run(&expression, &ctx) {
                Ok(Value::Bool(true)) => outcome.passed = true,
                Ok(Value::Bool(false)) => outcome.found = left_side(&expression, &ctx),
                Ok(other) => outcome.error = Some(format!("not a condition: {}", show(&other))),
                Err(e) => outcome.error = Some(e),
            }
            outcome
        })
        .collect()
}

fn run(expression: &str, ctx: &AssertContext<'_>) -> Result<Value, String> {
    let compiled =
        compile(expression, &AssertSchema, &DataFiles::default()).map_err(|e| e.to_string())?;
    compiled.program.eval(ctx).map_err(|e| e.message)
}

/// CrowdSec's shim: an assertion on `datasource_path` compares the file's base name.
fn with_basename(line: &str) -> Cow<'_, str> {
    if !line.contains("datasource_path") || line.contains("basename(") {
        return Cow::Borrowed(line);
    }
    match line.split_once("==") {
        Some((left, right)) => Cow::Owned(format!("basename({left}) == {right}")),
        None => Cow::Borrowed(line),
    }
}

/// The value of the left side of a failed `x == y`, to show what was found instead.
fn left_side(expression: &str, ctx: &AssertContext<'_>) -> Option<String> {
    let (left, _) = expression.split_once(" == ")?;
    Some(match run(left, ctx) {
        Ok(v) => show(&v),
        Err(e) => format!("(error: {e})"),
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Str(s) => format!("{s:?}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcomes(asserts: &str, results: Json) -> Vec<(bool, Option<String>, Option<String>)> {
        evaluate_asserts(asserts, &results)
            .into_iter()
            .map(|o| (o.passed, o.error, o.found))
            .collect()
    }

    #[test]
    fn parser_results_are_read_by_stage_node_and_line() {
        let results = json!({
            "s01-parse": {"crowdsecurity/sshd-logs": [
                {"Success": true, "Evt": {"Parsed": {"user": "bob"}, "Meta": {"datasource_path": "/x/sshd.log"}}}
            ]},
            "success": {"": []}
        });
        let asserts = r#"len(results) == 2
results["s01-parse"]["crowdsecurity/sshd-logs"][0].Evt.Parsed["user"] == "bob"
results["s01-parse"]["crowdsecurity/sshd-logs"][0].Evt.Meta["datasource_path"] == "sshd.log"

results["s01-parse"]["crowdsecurity/sshd-logs"][0].Evt.Parsed["user"] == "alice"
len(results["success"][""]) == 0"#;
        assert_eq!(
            outcomes(asserts, results),
            vec![
                (true, None, None),
                (true, None, None),
                (true, None, None),
                (false, None, Some("\"bob\"".into())),
                (true, None, None),
            ]
        );
    }

    #[test]
    fn overflow_getters_answer_like_the_go_types() {
        let results = json!([{"Overflow": {
            "Sources": {"1.2.3.4": {"IP": "1.2.3.4", "Scope": "Ip", "Value": "1.2.3.4"}},
            "Alert": {"Scenario": "crowdsecurity/ssh-bf", "EventsCount": 6,
                      "Events": [{"Meta": [{"Key": "service", "Value": "ssh"}]}]}
        }}]);
        let asserts = r#""1.2.3.4" in results[0].Overflow.GetSources()
results[0].Overflow.Sources["1.2.3.4"].GetScope() == "Ip"
results[0].Overflow.Alert.GetScenario() == "crowdsecurity/ssh-bf"
results[0].Overflow.Alert.GetEventsCount() == 6
results[0].Overflow.Alert.Events[0].GetMeta("service") == "ssh"
results[0].Overflow.Alert.Events[0].GetMeta("absent") == ""
results[0].Overflow.Alert.GetScenario()
results[1].Overflow == nil"#;
        let got = outcomes(asserts, results);
        assert!(got[..6].iter().all(|o| o.0), "{got:?}");
        assert!(got[6]
            .1
            .as_deref()
            .is_some_and(|e| e.starts_with("not a condition")));
        assert!(got[7]
            .1
            .as_deref()
            .is_some_and(|e| e.contains("index out of range")));
    }

    #[test]
    fn basename_is_go_filepath_base() {
        assert_eq!(basename("/var/log/auth.log"), "auth.log");
        assert_eq!(basename("auth.log"), "auth.log");
        assert_eq!(basename("/a/b/"), "b");
        assert_eq!(basename("/"), "/");
        assert_eq!(basename(""), ".");
    }
}
