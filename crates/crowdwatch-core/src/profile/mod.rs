//! Profiles (`profiles.yaml`, CrowdSec format): which alerts become which decisions. Evaluated by
//! the local API for every alert it receives; expressions see the alert as `Alert`.
mod schema;

use std::path::Path;

use crowdwatch_expr::{compile, compile_filter, DataFiles, Program};
use crowdwatch_time::parse_go_duration;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use schema::json_str;
pub use schema::{AlertContext, AlertSchema, DecisionHistory};

use crate::config::files::display_path;
use crate::config::yaml::documents;
use crate::diag::{line_of, Diagnostic, Item, Severity};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileYaml {
    name: String,
    #[serde(default)]
    #[allow(dead_code)] // accepted for compatibility; crowdwatch has no per-profile debug log
    debug: Option<bool>,
    #[serde(default)]
    filters: Vec<String>,
    #[serde(default)]
    decisions: Vec<DecisionYaml>,
    #[serde(default)]
    duration_expr: Option<String>,
    #[serde(default)]
    notifications: Vec<String>,
    #[serde(default)]
    on_success: Option<String>,
    #[serde(default)]
    on_failure: Option<String>,
}

/// A decision template (models.Decision fields; id/until/value are ignored as in CrowdSec).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionYaml {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    simulated: Option<bool>,
    // Accepted because models.Decision has them; the alert decides them, as in CrowdSec.
    #[serde(default)]
    #[allow(dead_code)]
    scenario: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    value: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    until: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<i64>,
}

struct DecisionTemplate {
    kind: String,
    duration_ns: i64,
    scope: Option<String>,
    origin: String,
    simulated: bool,
}

struct Profile {
    name: String,
    filters: Vec<Program>,
    decisions: Vec<DecisionTemplate>,
    duration_expr: Option<Program>,
    break_on_success: bool,
    break_on_failure: bool,
}

/// A decision a profile made for an alert; the API stores it with `until = stop_at + duration`.
#[derive(Debug, Serialize, PartialEq)]
pub struct ProfileDecision {
    pub profile: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub scope: String,
    pub value: String,
    pub duration_ns: i64,
    pub origin: String,
    pub scenario: String,
    pub simulated: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Outcome {
    /// Names of the profiles whose filters matched, in order.
    pub matched: Vec<String>,
    pub decisions: Vec<ProfileDecision>,
    /// Run-time problems (an expression that failed on this alert); they never drop the alert.
    pub warnings: Vec<String>,
}

pub struct Profiles {
    profiles: Vec<Profile>,
}

const DEFAULT_DURATION: &str = "4h";

impl Profiles {
    /// Loads a profiles file, and `<file>.local` beside it when there is one: its profiles run
    /// first, as CrowdSec prepends the `.local` documents, so a local profile that ends with
    /// `on_success: break` overrides the shipped ones without editing them. Every problem is
    /// reported with its own file and line, and any error refuses the whole set (a half-loaded
    /// profile set would silently stop banning).
    pub fn load(path: &Path) -> Result<(Profiles, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut local = path.as_os_str().to_owned();
        local.push(".local");
        let local = std::path::PathBuf::from(local);
        let mut profiles = Vec::new();
        let mut diags = Vec::new();
        for file in [local.as_path(), path] {
            if file != path && !file.exists() {
                continue;
            }
            let name = display_path(file);
            match std::fs::read_to_string(file) {
                Ok(text) => match Self::parse(&name, &text) {
                    Ok((loaded, warnings)) => {
                        profiles.extend(loaded.profiles);
                        diags.extend(warnings);
                    }
                    Err(errors) => diags.extend(errors),
                },
                Err(e) => diags.push(Diagnostic::error(
                    Item::Profile,
                    &name,
                    0,
                    format!("cannot read: {e}"),
                )),
            }
        }
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(diags);
        }
        Ok((Profiles { profiles }, diags))
    }

    pub fn parse(file: &str, text: &str) -> Result<(Profiles, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let mut profiles = Vec::new();
        for (start, doc) in documents::<ProfileYaml>(text) {
            match doc {
                Ok(y) => {
                    if let Some(p) = build(file, text, start, y, &mut diags) {
                        profiles.push(p);
                    }
                }
                Err((line, msg)) => diags.push(Diagnostic::error(Item::Profile, file, line, msg)),
            }
        }
        if diags.iter().any(|d| d.severity == Severity::Error) {
            return Err(diags);
        }
        Ok((Profiles { profiles }, diags))
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// Runs the profiles in order on one alert (CrowdSec's order and break rules): every filter
    /// that matches adds the profile's decisions; `on_success: break` stops after a matching
    /// profile, `on_failure: break` after one that did not match.
    pub fn evaluate(&self, alert: &Value, history: &DecisionHistory) -> Outcome {
        let ctx = AlertContext { alert, history };
        let mut out = Outcome::default();
        let scope = json_str(alert, &["source", "scope"]);
        let value = json_str(alert, &["source", "value"]);
        let scenario = json_str(alert, &["scenario"]);
        let alert_simulated = alert
            .get("simulated")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        for p in &self.profiles {
            let mut matched = false;
            for (i, f) in p.filters.iter().enumerate() {
                match f.eval_bool(&ctx) {
                    Ok(true) => {
                        matched = true;
                        let duration = p.duration_expr.as_ref().and_then(|e| match e.eval_string(&ctx) {
                            Ok(text) => match parse_go_duration(&text) {
                                Some(ns) => Some(ns),
                                None => {
                                    out.warnings.push(format!("profile {}: duration_expr gave '{text}', not a duration", p.name));
                                    None
                                }
                            },
                            Err(e) => {
                                out.warnings.push(format!("profile {}: duration_expr: {e}", p.name));
                                None
                            }
                        });
                        for t in &p.decisions {
                            out.decisions.push(ProfileDecision {
                                profile: p.name.clone(),
                                kind: t.kind.clone(),
                                scope: t.scope.clone().unwrap_or_else(|| scope.to_owned()),
                                value: value.to_owned(),
                                duration_ns: duration.unwrap_or(t.duration_ns),
                                origin: t.origin.clone(),
                                scenario: scenario.to_owned(),
                                simulated: t.simulated || alert_simulated,
                            });
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        out.warnings
                            .push(format!("profile {}: filter {}: {e}", p.name, i + 1))
                    }
                }
            }
            if matched {
                out.matched.push(p.name.clone());
                if p.break_on_success {
                    break;
                }
            } else if p.break_on_failure {
                break;
            }
        }
        out
    }
}

fn break_flag(
    file: &str,
    line: usize,
    key: &str,
    value: &Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    match value.as_deref() {
        None | Some("") | Some("continue") => false,
        Some("break") => true,
        Some(other) => {
            diags.push(Diagnostic::error(
                Item::Profile,
                file,
                line,
                format!("{key}: '{other}' is neither 'break' nor 'continue'"),
            ));
            false
        }
    }
}

fn build(
    file: &str,
    text: &str,
    start: usize,
    y: ProfileYaml,
    diags: &mut Vec<Diagnostic>,
) -> Option<Profile> {
    let errors_before = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let data = DataFiles::default();
    let mut filters = Vec::new();
    if y.filters.is_empty() {
        diags.push(Diagnostic::error(
            Item::Profile,
            file,
            start,
            format!("profile {}: no filters", y.name),
        ));
    }
    for f in &y.filters {
        let line = line_of(text, f, start);
        match compile_filter(f, &AlertSchema, &data) {
            Ok(c) => filters.push(c.program),
            Err(e) => diags.push(Diagnostic::error(
                Item::Profile,
                file,
                line,
                format!("filter '{f}': {}", e.message),
            )),
        }
    }
    let duration_expr =
        y.duration_expr
            .as_ref()
            .and_then(|src| match compile(src, &AlertSchema, &data) {
                Ok(c) => Some(c.program),
                Err(e) => {
                    diags.push(Diagnostic::error(
                        Item::Profile,
                        file,
                        line_of(text, src, start),
                        format!("duration_expr: {}", e.message),
                    ));
                    None
                }
            });
    let mut decisions = Vec::new();
    for d in &y.decisions {
        let dline = line_of(text, "type:", start);
        let Some(kind) = d.kind.clone().filter(|k| !k.is_empty()) else {
            diags.push(Diagnostic::error(
                Item::Profile,
                file,
                dline,
                format!("profile {}: a decision needs a type", y.name),
            ));
            continue;
        };
        let duration_text = d.duration.as_deref().unwrap_or(DEFAULT_DURATION);
        let Some(duration_ns) = parse_go_duration(duration_text).filter(|n| *n > 0) else {
            diags.push(Diagnostic::error(
                Item::Profile,
                file,
                line_of(text, duration_text, start),
                format!("duration '{duration_text}' is not a positive Go duration"),
            ));
            continue;
        };
        decisions.push(DecisionTemplate {
            kind,
            duration_ns,
            scope: d.scope.clone().filter(|s| !s.is_empty()),
            origin: d
                .origin
                .as_ref()
                .map_or_else(|| "crowdsec".to_owned(), |o| format!("crowdsec/{o}")),
            simulated: d.simulated.unwrap_or(false),
        });
    }
    if !y.notifications.is_empty() {
        diags.push(Diagnostic::warning(
            Item::Profile,
            file,
            line_of(text, "notifications:", start),
            "notifications are not sent by crowdwatch yet",
        ));
    }
    let break_on_success = break_flag(file, start, "on_success", &y.on_success, diags);
    let break_on_failure = break_flag(file, start, "on_failure", &y.on_failure, diags);
    if diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
        > errors_before
    {
        return None;
    }
    Some(Profile {
        name: y.name,
        filters,
        decisions,
        duration_expr,
        break_on_success,
        break_on_failure,
    })
}

#[cfg(test)]
mod tests;
