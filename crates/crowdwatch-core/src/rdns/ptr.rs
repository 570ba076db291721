//! The DNS messages of a reverse lookup: the PTR question for an address, and the name in the
//! answer to it (simple-dns encodes and parses them).
use std::net::IpAddr;

use simple_dns::rdata::RData;
use simple_dns::{Name, Packet, PacketFlag, Question, CLASS, RCODE, TYPE};

/// `4.4.8.8.in-addr.arpa`, or the 32 nibbles of an IPv6 address under `ip6.arpa`.
pub fn ptr_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut labels: Vec<String> = v6
                .octets()
                .iter()
                .flat_map(|b| [b >> 4, b & 15])
                .map(|n| format!("{n:x}"))
                .collect();
            labels.reverse();
            format!("{}.ip6.arpa", labels.join("."))
        }
    }
}

/// The query for the PTR record of `ip`, with recursion desired.
pub fn query(id: u16, ip: IpAddr) -> Vec<u8> {
    let name = ptr_name(ip);
    let mut packet = Packet::new_query(id);
    packet.set_flags(PacketFlag::RECURSION_DESIRED);
    packet.questions.push(Question::new(
        Name::new_unchecked(&name),
        TYPE::PTR.into(),
        CLASS::IN.into(),
        false,
    ));
    packet.build_bytes_vec().unwrap_or_default()
}

/// The answer to query `id` for `ip`: Some(first PTR name, with its trailing dot as Go's
/// `LookupAddr` gives it) or Some(None) when the server says there is none; None when the
/// message is not that answer (another id or question, not a response, malformed).
pub fn answer(msg: &[u8], id: u16, ip: IpAddr) -> Option<Option<String>> {
    let packet = Packet::parse(msg).ok()?;
    let asked = ptr_name(ip);
    let same_question = packet
        .questions
        .first()
        .is_some_and(|q| q.qname.to_string().eq_ignore_ascii_case(&asked));
    if packet.id() != id || !packet.has_flags(PacketFlag::RESPONSE) || !same_question {
        return None;
    }
    if packet.rcode() != RCODE::NoError {
        return Some(None);
    }
    Some(packet.answers.iter().find_map(|rr| match &rr.rdata {
        RData::PTR(ptr) => Some(format!("{}.", ptr.0)),
        _ => None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An answer to `q` with one PTR record whose name is compressed against the question.
    fn reply(q: &[u8], name: &str) -> Vec<u8> {
        let mut m = q.to_vec();
        m[2] = 0x81;
        m[3] = 0x80;
        m[7] = 1;
        m.extend_from_slice(&[0xc0, 12, 0, 12, 0, 1, 0, 0, 0, 60]);
        let mut rdata = Vec::new();
        for label in name.trim_end_matches('.').split('.') {
            rdata.push(label.len() as u8);
            rdata.extend_from_slice(label.as_bytes());
        }
        rdata.push(0);
        m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        m.extend_from_slice(&rdata);
        m
    }

    #[test]
    fn queries_name_the_reversed_address_and_answers_give_the_name() {
        let ip: IpAddr = "8.8.4.4".parse().unwrap();
        let q = query(7, ip);
        assert!(q.windows(8).any(|w| w == b"\x07in-addr"), "{q:?}");
        assert_eq!(
            answer(&reply(&q, "dns.google"), 7, ip),
            Some(Some("dns.google.".into()))
        );
        // Another id or question, or not a response: not our answer.
        assert_eq!(answer(&reply(&q, "dns.google"), 8, ip), None);
        assert_eq!(
            answer(&reply(&q, "dns.google"), 7, "8.8.8.8".parse().unwrap()),
            None
        );
        assert_eq!(answer(&q, 7, ip), None);
        // NXDOMAIN: the server says there is none.
        let mut nx = reply(&q, "x");
        nx[3] = 0x83;
        assert_eq!(answer(&nx, 7, ip), Some(None));
        let ip6: IpAddr = "2001:db8::1".parse().unwrap();
        let q6 = query(1, ip6);
        assert!(q6.windows(4).any(|w| w == b"\x03ip6"));
        assert_eq!(
            answer(&reply(&q6, "v6.example"), 1, ip6),
            Some(Some("v6.example.".into()))
        );
        // Truncated or looping messages are refused, not followed.
        assert_eq!(answer(&q6[..5], 1, ip6), None);
        let mut looping = reply(&q, "dns.google");
        let n = looping.len();
        looping[n - 12..n - 10].copy_from_slice(&[0xc0, (n - 12) as u8]);
        assert_eq!(answer(&looping, 7, ip), None);
    }

    #[test]
    fn resolv_conf_nameservers() {
        let servers = super::super::resolv_conf_servers(
            "# x\nnameserver 10.0.0.1\nsearch a\nnameserver ::1\n",
        );
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[0].to_string(), "10.0.0.1:53");
    }
}
