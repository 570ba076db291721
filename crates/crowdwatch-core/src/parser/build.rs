//! Building the run-time parser tree from CrowdSec parser YAML, with every problem reported as
//! file:line and the faulty document left out (the rest of the content still loads).
use std::sync::Arc;

use crowdwatch_expr::{DataFiles, Program};
use crowdwatch_grok::PatternLibrary;

use super::node::{GrokInput, GrokStep, Node};
use super::statics::{target_by_name, Method, Source, Static, Target};
use super::whitelist::{parse_ip, Whitelist};
use crate::config::yaml::{GrokYaml, NodeYaml, StaticYaml};
use crate::diag::{line_of, Diagnostic, Item};
use crate::schema::EventSchema;

/// One file being built: where problems are reported, and what expressions may use.
pub struct FileCtx<'a> {
    pub file: Arc<str>,
    pub text: &'a str,
    pub item: Item,
    pub lib: &'a PatternLibrary,
    pub data: &'a DataFiles,
    pub diags: &'a mut Vec<Diagnostic>,
    /// Number of groks built so far (each gets its own match state).
    pub groks: &'a mut usize,
}

impl<'a> FileCtx<'a> {
    pub fn error(&mut self, line: usize, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::error(self.item, &self.file, line, msg));
    }

    pub fn warning(&mut self, line: usize, msg: impl Into<String>) {
        self.diags
            .push(Diagnostic::warning(self.item, &self.file, line, msg));
    }

    /// Compile an expression; on error, report it at its line (the line of the offending token
    /// when the expression spans several lines) and return None.
    pub fn expr(&mut self, src: &str, from_line: usize, what: &str) -> Option<Program> {
        self.expr_in(&EventSchema, src, from_line, what)
    }

    /// `expr` against another schema (a conditional scenario's `condition` also sees `queue`).
    pub fn expr_in(
        &mut self,
        schema: &dyn crowdwatch_expr::Schema,
        src: &str,
        from_line: usize,
        what: &str,
    ) -> Option<Program> {
        match crowdwatch_expr::compile(src, schema, self.data) {
            Ok(c) => {
                let line = line_of(self.text, src, from_line);
                for w in c.warnings {
                    self.warning(line, format!("{what}: {w}"));
                }
                Some(c.program)
            }
            Err(e) => {
                let line = line_of(self.text, src, from_line)
                    + src[..e.offset.min(src.len())].matches('\n').count();
                self.error(line, format!("{what} `{}`: {}", src.trim(), e.message));
                None
            }
        }
    }
}

/// Build a top-level node (or a child, with `parent` set). `None` when the node cannot load;
/// its problems are in the diagnostics.
pub fn build_node(
    y: &NodeYaml,
    stage: usize,
    line: usize,
    parent: Option<&str>,
    cx: &mut FileCtx,
) -> Option<Node> {
    let name = match (&y.name, parent) {
        (Some(n), _) => n.clone(),
        (None, Some(p)) => format!("child-{p}"),
        (None, None) => String::new(),
    };
    let mut ok = true;
    let filter = match &y.filter {
        Some(f) if !f.trim().is_empty() => {
            let p = cx.expr(f, line, "filter");
            ok &= p.is_some();
            p
        }
        _ => None,
    };
    let next_stage = match y.onsuccess.as_deref() {
        None | Some("") | Some("continue") => false,
        Some("next_stage") => true,
        Some(other) => {
            cx.error(
                line_of(cx.text, "onsuccess", line),
                format!("onsuccess must be next_stage or continue, not '{other}'"),
            );
            ok = false;
            false
        }
    };
    let grok = match &y.grok {
        Some(g) if g.pattern.is_some() || g.name.is_some() => {
            let step = build_grok(g, line, cx);
            ok &= step.is_some();
            step
        }
        Some(g) if !g.statics.is_empty() => {
            cx.warning(line, "grok has statics but no pattern or name");
            None
        }
        _ => None,
    };
    let whitelist = y.whitelist.as_ref().map(|w| {
        let mut ips = Vec::new();
        for ip in &w.ip {
            match parse_ip(ip) {
                Some(a) => ips.push(a),
                None => {
                    cx.error(
                        line_of(cx.text, ip, line),
                        format!("whitelist ip '{ip}' is not an IP address"),
                    );
                    ok = false;
                }
            }
        }
        let mut cidrs = Vec::new();
        for c in &w.cidr {
            match c.trim().parse() {
                Ok(n) => cidrs.push(n),
                Err(_) => {
                    cx.error(
                        line_of(cx.text, c, line),
                        format!("whitelist cidr '{c}' is not a network"),
                    );
                    ok = false;
                }
            }
        }
        let mut expressions = Vec::new();
        for e in &w.expression {
            match cx.expr(e, line, "whitelist expression") {
                Some(p) => expressions.push(p),
                None => ok = false,
            }
        }
        Whitelist {
            reason: w.reason.clone(),
            ips,
            cidrs,
            expressions,
        }
    });
    let statics = build_statics(&y.statics, line, cx, &mut ok);
    let stashes = y
        .stash
        .iter()
        .filter_map(|st| {
            let built = build_stash(st, line, cx);
            ok &= built.is_some();
            built
        })
        .collect();
    let mut children = Vec::new();
    for child in &y.nodes {
        let child_line = child
            .name
            .as_deref()
            .map(|n| line_of(cx.text, n, line))
            .unwrap_or(line);
        match build_node(child, stage, child_line, Some(&name), cx) {
            Some(n) => children.push(n),
            None => ok = false,
        }
    }
    ok.then(|| Node {
        name,
        file: cx.file.clone(),
        stage,
        filter,
        next_stage,
        grok,
        children,
        statics,
        whitelist,
        stashes,
    })
}

/// A `stash:` entry, with CrowdSec's checks: name, key, value and ttl set; size 100 by default.
fn build_stash(
    y: &crate::config::yaml::StashYaml,
    line: usize,
    cx: &mut FileCtx,
) -> Option<super::stash::Stash> {
    let at = line_of(cx.text, &format!("name: {}", y.name), line);
    let missing = [
        ("name", &y.name),
        ("key", &y.key),
        ("value", &y.value),
        ("ttl", &y.ttl),
    ]
    .into_iter()
    .find(|(_, v)| v.trim().is_empty());
    if let Some((field, _)) = missing {
        cx.error(at, format!("stash '{}': {field} must be set", y.name));
        return None;
    }
    let Some(ttl_ns) = crowdwatch_time::parse_go_duration(&y.ttl) else {
        cx.error(
            at,
            format!("stash '{}': ttl '{}' is not a Go duration", y.name, y.ttl),
        );
        return None;
    };
    if y.strategy
        .as_deref()
        .is_some_and(|s| !matches!(s, "LRU" | "LFU" | "ARC"))
    {
        cx.error(
            at,
            format!("stash '{}': strategy must be LRU, LFU or ARC", y.name),
        );
        return None;
    }
    let key = cx.expr(&y.key, line, "stash key");
    let value = cx.expr(&y.value, line, "stash value");
    Some(super::stash::Stash {
        name: y.name.clone(),
        key: key?,
        value: value?,
        ttl_ns,
        size: std::num::NonZeroUsize::new(y.size.unwrap_or(100))
            .unwrap_or(std::num::NonZeroUsize::MIN),
    })
}

fn build_grok(g: &GrokYaml, line: usize, cx: &mut FileCtx) -> Option<GrokStep> {
    let (text, label) = match (&g.pattern, &g.name) {
        (Some(p), _) => (p.clone(), p.as_str()),
        (None, Some(n)) => (format!("%{{{n}}}"), n.as_str()),
        (None, None) => return None,
    };
    let pline = line_of(cx.text, label.lines().next().unwrap_or(label), line);
    let grok = match crowdwatch_grok::compile(&text, cx.lib) {
        Ok(g) => g,
        Err(e) => {
            cx.error(pline, format!("grok: {e}"));
            return None;
        }
    };
    let input = match (&g.apply_on, &g.expression) {
        (_, Some(e)) => GrokInput::Expression(cx.expr(e, line, "grok expression")?),
        (Some(a), None) if a == "Line.Raw" || a == "evt.Line.Raw" => GrokInput::LineRaw,
        (Some(a), None) => GrokInput::Parsed(a.clone()),
        // CrowdSec applies a grok without `apply_on` to an empty target; nothing matches.
        (None, None) => {
            cx.warning(pline, "grok has neither apply_on nor expression");
            GrokInput::Parsed(String::new())
        }
    };
    let mut ok = true;
    let statics = build_statics(&g.statics, line, cx, &mut ok);
    let id = *cx.groks;
    *cx.groks += 1;
    ok.then_some(GrokStep {
        id,
        grok,
        input,
        statics,
    })
}

fn build_statics(list: &[StaticYaml], line: usize, cx: &mut FileCtx, ok: &mut bool) -> Vec<Static> {
    let mut out = Vec::new();
    for s in list {
        let key = s
            .meta
            .as_deref()
            .or(s.parsed.as_deref())
            .or(s.enriched.as_deref())
            .or(s.target.as_deref());
        let sline = key
            .or(s.method.as_deref())
            .map(|k| line_of(cx.text, k, line))
            .unwrap_or(line);
        let target = if let Some(m) = &s.method {
            match m.as_str() {
                "ParseDate" => Target::Method(Method::ParseDate),
                "GeoIpCity" => Target::Method(Method::GeoIpCity),
                "GeoIpASN" => Target::Method(Method::GeoIpAsn),
                "IpToRange" => Target::Method(Method::IpToRange),
                "reverse_dns" => Target::Method(Method::ReverseDns),
                other => {
                    cx.warning(
                        sline,
                        format!(
                            "enricher method '{other}' is not available in this build; skipped"
                        ),
                    );
                    Target::Method(Method::Unavailable)
                }
            }
        } else if let Some(k) = &s.meta {
            Target::Meta(k.clone())
        } else if let Some(k) = &s.parsed {
            Target::Parsed(k.clone())
        } else if let Some(k) = &s.enriched {
            Target::Enriched(k.clone())
        } else if let Some(t) = &s.target {
            let t2 = target_by_name(t);
            if matches!(t2, Target::Unsupported) {
                cx.warning(
                    sline,
                    format!("static target '{t}' cannot be written; skipped"),
                );
            }
            t2
        } else {
            cx.error(
                sline,
                "static has no target (meta, parsed, enriched, target or method)",
            );
            *ok = false;
            continue;
        };
        let source = match (&s.value, &s.expression) {
            (Some(v), _) if !v.0.is_empty() => Source::Value(v.0.clone()),
            (_, Some(e)) => match cx.expr(e, sline, "static expression") {
                Some(p) => Source::Expression(p),
                None => {
                    *ok = false;
                    continue;
                }
            },
            _ => Source::Value(String::new()),
        };
        out.push(Static { target, source });
    }
    out
}
