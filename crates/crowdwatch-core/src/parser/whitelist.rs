//! Whitelist nodes: exact IPs, CIDRs and expressions (CrowdSec node.go's whitelist block).
use std::net::IpAddr;

use crowdwatch_expr::Program;
use ipnet::IpNet;

use crate::event::{Event, EventKind};
use crate::schema::EventContext;

pub struct Whitelist {
    pub reason: String,
    pub ips: Vec<IpAddr>,
    pub cidrs: Vec<IpNet>,
    pub expressions: Vec<Program>,
}

impl Whitelist {
    /// Returns `(has_whitelist, whitelisted)` as CrowdSec computes them (the first decides
    /// whether node statics apply), or `None` when an expression failed to run.
    pub fn check(&self, evt: &mut Event) -> Option<(bool, bool)> {
        let mut has = false;
        let mut listed = false;
        let sources: Vec<IpAddr> = match evt.kind {
            EventKind::Log => evt
                .meta
                .get("source_ip")
                .and_then(parse_ip)
                .into_iter()
                .collect(),
            EventKind::Overflow => evt
                .overflow
                .as_ref()
                .map(|o| o.sources.iter().filter_map(|s| parse_ip(s)).collect())
                .unwrap_or_default(),
        };
        'sources: for src in &sources {
            for ip in &self.ips {
                if ip == src {
                    listed = true;
                    break 'sources;
                }
                has = true;
            }
            for net in &self.cidrs {
                if net.contains(src) {
                    listed = true;
                    break 'sources;
                }
                has = true;
            }
        }
        for expr in &self.expressions {
            match expr.eval_bool(&EventContext(evt)) {
                Ok(b) => {
                    has = true;
                    listed |= b;
                }
                Err(_) => return None,
            }
        }
        if listed {
            evt.whitelisted = true;
            evt.whitelist_reason.clear();
            evt.whitelist_reason.push_str(&self.reason);
            if let Some(o) = evt.overflow.as_mut() {
                o.whitelisted = true;
            }
        }
        Some((has, listed))
    }
}

/// Go's net.ParseIP accepts IPv4-mapped forms and plain addresses, not ports or brackets.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.trim().parse().ok()
}
