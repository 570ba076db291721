//! CrowdSec's `reverse_dns` enricher: the first PTR name of an address (with its trailing dot, as
//! Go's `LookupAddr` gives it), asked of the configured name servers (by default those of
//! /etc/resolv.conf) over UDP with a timeout, and cached as CrowdSec caches it: answers for an
//! hour, failures for five minutes, 16,384 addresses at most.
mod ptr;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

const POSITIVE_TTL: Duration = Duration::from_secs(3600);
const NEGATIVE_TTL: Duration = Duration::from_secs(300);
const CACHE_SIZE: usize = 16_384;

pub struct ReverseDns {
    servers: Vec<SocketAddr>,
    timeout: Duration,
    cache: Mutex<LruCache<IpAddr, (Option<String>, Instant)>>,
}

impl std::fmt::Debug for ReverseDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReverseDns({:?})", self.servers)
    }
}

/// An unpredictable query id (std's hasher keys are random per process and per instance), so a
/// forged answer must guess it as well as the socket's random port.
fn query_id(ip: IpAddr) -> u16 {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new().hash_one((ip, Instant::now())) as u16
}

/// The `nameserver` lines of a resolv.conf, on port 53.
pub fn resolv_conf_servers(text: &str) -> Vec<SocketAddr> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|rest| rest.trim().parse::<IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

impl ReverseDns {
    /// `servers` empty: those of /etc/resolv.conf. `timeout` is per lookup (CrowdSec: 3 s).
    pub fn new(servers: Vec<SocketAddr>, timeout: Duration) -> ReverseDns {
        let servers = if servers.is_empty() {
            std::fs::read_to_string("/etc/resolv.conf")
                .map(|t| resolv_conf_servers(&t))
                .unwrap_or_default()
        } else {
            servers
        };
        ReverseDns {
            servers,
            timeout,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CACHE_SIZE).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// The first PTR name of `ip`, from the cache or asked now.
    pub fn lookup(&self, ip: IpAddr) -> Option<String> {
        let now = Instant::now();
        if let Some((name, until)) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&ip)
        {
            if *until > now {
                return name.clone();
            }
        }
        let name = self.ask(ip);
        let ttl = if name.is_some() {
            POSITIVE_TTL
        } else {
            NEGATIVE_TTL
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(ip, (name.clone(), now + ttl));
        name
    }

    /// One query to each server in turn until one answers, within the timeout overall.
    fn ask(&self, ip: IpAddr) -> Option<String> {
        let deadline = Instant::now() + self.timeout;
        let id = query_id(ip);
        let query = ptr::query(id, ip);
        for server in &self.servers {
            let left = deadline.checked_duration_since(Instant::now())?;
            let bind = if server.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let Ok(socket) = UdpSocket::bind(bind) else {
                continue;
            };
            if socket
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .is_err()
                || socket.send_to(&query, server).is_err()
            {
                continue;
            }
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = socket.recv_from(&mut buf) {
                if from != *server {
                    continue;
                }
                match ptr::answer(&buf[..n], id, ip) {
                    Some(answer) => return answer,
                    None => continue,
                }
            }
        }
        None
    }
}
