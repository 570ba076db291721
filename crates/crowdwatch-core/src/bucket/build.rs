//! Building scenarios from CrowdSec scenario YAML (spec §3.1), with CrowdSec's validation rules.
use super::scenario::{Kind, Scenario, Scope, ScopeKind};
use crate::config::fingerprint::Fingerprint;
use crate::config::yaml::ScenarioYaml;
use crate::diag::line_of;
use crate::parser::build::FileCtx;

/// Identity of the file a scenario came from, for the alert's hash and version.
pub struct Provenance {
    pub hash: String,
    pub version: String,
}

pub fn build_scenario(
    y: &ScenarioYaml,
    line: usize,
    prov: &Provenance,
    fingerprint: Fingerprint,
    cx: &mut FileCtx,
) -> Option<Scenario> {
    let mut ok = true;
    let Some(name) = y.name.clone().filter(|n| !n.is_empty()) else {
        cx.error(line, "scenario has no name");
        return None;
    };
    if y.description.as_deref().unwrap_or("").is_empty() {
        cx.error(line, format!("scenario '{name}' has no description"));
        ok = false;
    }
    let kind = match y.kind.as_deref() {
        Some("leaky") => Kind::Leaky,
        Some("trigger") => Kind::Trigger,
        Some("counter") => Kind::Counter,
        Some("conditional") => Kind::Conditional,
        Some("bayesian") => Kind::Bayesian,
        other => {
            cx.error(
                line_of(cx.text, "type:", line),
                format!(
                    "scenario '{name}': unknown type {other:?} (leaky, trigger, counter, conditional or bayesian)"
                ),
            );
            return None;
        }
    };
    let duration_of =
        |cx: &mut FileCtx, field: &str, v: &Option<crate::config::yaml::Scalar>| -> Option<i64> {
            let text = v.as_ref().map(|s| s.0.as_str()).unwrap_or("");
            if text.is_empty() {
                return Some(0);
            }
            match crowdwatch_time::parse_go_duration(text) {
                Some(d) => Some(d),
                None => {
                    cx.error(
                        line_of(cx.text, &format!("{field}:"), line),
                        format!("{field} '{text}' is not a Go duration"),
                    );
                    None
                }
            }
        };
    let leakspeed = duration_of(cx, "leakspeed", &y.leakspeed);
    let duration = duration_of(cx, "duration", &y.duration);
    let blackhole = duration_of(cx, "blackhole", &y.blackhole);
    let (Some(leakspeed), Some(duration), Some(blackhole)) = (leakspeed, duration, blackhole)
    else {
        return None;
    };
    let capacity = y.capacity.unwrap_or(0);
    let invalid = match kind {
        Kind::Leaky if capacity <= 0 => Some("leaky bucket needs a capacity above 0"),
        Kind::Leaky if leakspeed <= 0 => Some("leaky bucket needs a leakspeed"),
        Kind::Trigger if capacity != 0 => Some("trigger bucket must have capacity 0"),
        Kind::Counter if capacity != -1 => Some("counter bucket must have capacity -1"),
        Kind::Counter if duration <= 0 => Some("counter bucket needs a duration"),
        Kind::Conditional if leakspeed <= 0 => Some("conditional bucket needs a leakspeed"),
        Kind::Conditional if y.condition.as_deref().is_none_or(|c| c.trim().is_empty()) => {
            Some("conditional bucket needs a condition")
        }
        Kind::Bayesian if y.bayesian_conditions.is_empty() => {
            Some("bayesian conditions are required")
        }
        Kind::Bayesian if !y.bayesian_prior.is_some_and(|p| p > 0.0 && p <= 1.0) => {
            Some("invalid prior: must be > 0 and <= 1")
        }
        Kind::Bayesian if !y.bayesian_threshold.is_some_and(|t| t != 0.0 && t <= 1.0) => {
            Some("invalid threshold: must be > 0 and <= 1")
        }
        Kind::Bayesian if capacity != -1 => Some("bayesian bucket capacity must be -1"),
        Kind::Bayesian if leakspeed <= 0 => Some("bayesian bucket needs a leakspeed"),
        _ => None,
    };
    if let Some(msg) = invalid {
        cx.error(
            line_of(cx.text, &format!("name: {name}"), line),
            format!("scenario '{name}': {msg}"),
        );
        return None;
    }
    let Some(filter_src) = y.filter.as_deref().filter(|f| !f.trim().is_empty()) else {
        cx.error(line, format!("scenario '{name}' has no filter"));
        return None;
    };
    let filter = cx.expr(filter_src, line, "filter");
    let opt = |cx: &mut FileCtx,
               src: &Option<String>,
               what: &str|
     -> Option<Option<crowdwatch_expr::Program>> {
        match src.as_deref().filter(|s| !s.trim().is_empty()) {
            None => Some(None),
            Some(s) => cx.expr(s, line, what).map(Some),
        }
    };
    let groupby = opt(cx, &y.groupby, "groupby");
    let distinct = opt(cx, &y.distinct, "distinct");
    let cancel_on = opt(cx, &y.cancel_on, "cancel_on");
    let bayesian = if kind == Kind::Bayesian {
        let mut conditions = Vec::new();
        let mut all = true;
        for c in &y.bayesian_conditions {
            match cx.expr_in(
                &super::condition::ConditionSchema,
                &c.condition,
                line,
                "bayesian condition",
            ) {
                Some(condition) => conditions.push(super::scenario::BayesianCondition {
                    condition,
                    prob_given_evil: c.prob_given_evil,
                    prob_given_benign: c.prob_given_benign,
                    guillotine: c.guillotine,
                }),
                None => all = false,
            }
        }
        all.then(|| {
            Some(super::scenario::Bayesian {
                prior: y.bayesian_prior.unwrap_or(0.0),
                threshold: y.bayesian_threshold.unwrap_or(0.0),
                conditions,
            })
        })
    } else {
        Some(None)
    };
    let condition = match y.condition.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) if kind == Kind::Conditional => cx
            .expr_in(&super::condition::ConditionSchema, c, line, "condition")
            .map(Some),
        Some(_) => {
            cx.warning(
                line,
                format!("scenario '{name}': condition is only used by conditional buckets"),
            );
            Some(None)
        }
        None => Some(None),
    };
    if y.overflow_filter.is_some() {
        cx.warning(
            line,
            format!("scenario '{name}': overflow_filter is not supported yet and is ignored"),
        );
    }
    let scope = match &y.scope {
        None => Some(Scope {
            kind: ScopeKind::Ip,
            expression: None,
        }),
        Some(s) => {
            let kind = match s.kind.as_str() {
                "" | "Ip" => ScopeKind::Ip,
                "Range" => ScopeKind::Range,
                other => ScopeKind::Custom(other.to_owned()),
            };
            let expression = opt(cx, &Some(s.expression.clone()), "scope expression");
            match (expression, &kind) {
                (Some(None), ScopeKind::Custom(k)) => {
                    cx.error(
                        line,
                        format!("scenario '{name}': scope '{k}' needs an expression"),
                    );
                    None
                }
                (Some(e), _) => Some(Scope {
                    kind,
                    expression: e,
                }),
                (None, _) => None,
            }
        }
    };
    let (
        Some(filter),
        Some(groupby),
        Some(distinct),
        Some(cancel_on),
        Some(condition),
        Some(bayesian),
        Some(scope),
    ) = (
        filter, groupby, distinct, cancel_on, condition, bayesian, scope,
    )
    else {
        return None;
    };
    let cache = y.cache_size.unwrap_or(0);
    let queue_len = match kind {
        _ if cache > 0 && (cache <= capacity || capacity == -1) => cache as usize,
        Kind::Counter => usize::MAX,
        Kind::Conditional | Kind::Bayesian if capacity == -1 => usize::MAX,
        _ => capacity.max(0) as usize,
    };
    let labels: std::collections::BTreeMap<String, String> = y
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect();
    let remediation = labels
        .get("remediation")
        .map(|v| v == "true")
        .unwrap_or(false);
    let lifetime = match kind {
        Kind::Counter => duration,
        Kind::Conditional | Kind::Bayesian => leakspeed,
        _ => leakspeed.saturating_mul(capacity + 1),
    };
    ok.then(|| Scenario {
        name,
        file: cx.file.clone(),
        kind,
        capacity,
        leakspeed,
        leakspeed_text: crowdwatch_time::format_go_duration(leakspeed),
        lifetime,
        filter,
        filter_text: filter_src.to_owned(),
        groupby,
        distinct,
        blackhole,
        queue_len,
        reprocess: y.reprocess,
        overflow_filter: None,
        cancel_on,
        condition,
        bayesian,
        scope,
        labels,
        remediation,
        hash: prov.hash.clone(),
        version: prov.version.clone(),
        simulated: false,
        fingerprint,
    })
}
