//! IP helpers with Go net.ParseIP / net.ParseCIDR semantics.
use std::net::IpAddr;

use ipnet::IpNet;

/// net.ParseIP: an IPv4-mapped IPv6 address is an IPv4 address.
fn parse_ip(s: &str) -> Option<IpAddr> {
    match s.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => Some(v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)),
        v4 => Some(v4),
    }
}

pub(crate) fn ip_in_range(ip: &str, cidr: &str) -> bool {
    let (Some(ip), Ok(net)) = (parse_ip(ip), cidr.parse::<IpNet>()) else {
        return false;
    };
    match (net, ip) {
        (IpNet::V6(n), IpAddr::V4(v4)) => n.contains(&v4.to_ipv6_mapped()),
        (n, ip) => n.contains(&ip),
    }
}

/// Go's net.ParseIP succeeds: an IPv4 or IPv6 address, no mask, no zone.
pub(crate) fn is_ip(ip: &str) -> bool {
    parse_ip(ip).is_some()
}

pub(crate) fn is_ipv6(ip: &str) -> bool {
    matches!(parse_ip(ip), Some(IpAddr::V6(_)))
}

/// IpToRange("1.2.3.4", "/24") = "1.2.3.0/24"; "" when the IP or the mask is invalid.
pub(crate) fn ip_to_range(ip: &str, cidr: &str) -> String {
    let Ok(mask) = cidr.strip_prefix('/').unwrap_or(cidr).parse::<u8>() else {
        return String::new();
    };
    let Some(ip) = parse_ip(ip) else {
        return String::new();
    };
    IpNet::new(ip, mask)
        .map(|n| n.trunc().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(ip_in_range("192.168.1.7", "192.168.0.0/16"));
        assert!(!ip_in_range("10.0.0.1", "192.168.0.0/16"));
        assert!(!ip_in_range("nope", "192.168.0.0/16"));
        assert!(!ip_in_range("10.0.0.1", "bad"));
        assert!(ip_in_range("2001:db8::1", "2001:db8::/32"));
        assert_eq!(ip_to_range("1.2.3.4", "/24"), "1.2.3.0/24");
        assert_eq!(ip_to_range("2001:db8:1:2:3::4", "64"), "2001:db8:1:2::/64");
        assert_eq!(ip_to_range("1.2.3.4", "x"), "");
        assert!(
            is_ipv6("::1") && !is_ipv6("1.2.3.4") && !is_ipv6("::ffff:1.2.3.4") && !is_ipv6("x")
        );
    }
}
