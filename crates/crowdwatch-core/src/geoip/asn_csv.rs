//! ip-location-db's `asn` CSV (`start,end,number,organisation`, IPv4 or IPv6 ranges), as two
//! sorted tables searched by range. Compact on purpose: the IPv4 file alone has 400,000 rows.
use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::Asn;

/// A range of one table: its bounds, its AS number and its organisation's index in `orgs`.
struct Row<A> {
    start: A,
    end: A,
    number: u32,
    org: u32,
}

#[derive(Default)]
pub struct AsnTable {
    v4: Vec<Row<u32>>,
    v6: Vec<Row<u128>>,
    orgs: Vec<Box<str>>,
}

/// The organisation field: as is, or unquoted (`"Cloudflare, Inc."`, `""` inside for `"`).
fn unquote(field: &str) -> std::borrow::Cow<'_, str> {
    match field.strip_prefix('"').and_then(|f| f.strip_suffix('"')) {
        Some(inner) if inner.contains("\"\"") => inner.replace("\"\"", "\"").into(),
        Some(inner) => inner.into(),
        None => field.into(),
    }
}

impl AsnTable {
    pub fn parse(text: &str) -> Result<AsnTable, String> {
        let mut table = AsnTable::default();
        let mut org_ids: HashMap<&str, u32> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut fields = line.splitn(4, ',');
            let parsed = (|| {
                let start: IpAddr = fields.next()?.parse().ok()?;
                let end: IpAddr = fields.next()?.parse().ok()?;
                let number: u32 = fields.next()?.parse().ok()?;
                Some((start, end, number, fields.next().unwrap_or("")))
            })();
            let Some((start, end, number, org_field)) = parsed else {
                return Err(format!("line {}: not start,end,number,organisation", i + 1));
            };
            let next = table.orgs.len() as u32;
            let org = match org_ids.get(org_field) {
                Some(&id) => id,
                None => {
                    table.orgs.push(unquote(org_field).into());
                    org_ids.insert(org_field, next);
                    next
                }
            };
            match (start, end) {
                (IpAddr::V4(s), IpAddr::V4(e)) => table.v4.push(Row {
                    start: u32::from(s),
                    end: u32::from(e),
                    number,
                    org,
                }),
                (IpAddr::V6(s), IpAddr::V6(e)) => table.v6.push(Row {
                    start: u128::from(s),
                    end: u128::from(e),
                    number,
                    org,
                }),
                _ => return Err(format!("line {}: a range across IPv4 and IPv6", i + 1)),
            }
        }
        table.v4.sort_unstable_by_key(|r| r.start);
        table.v6.sort_unstable_by_key(|r| r.start);
        table.v4.shrink_to_fit();
        table.v6.shrink_to_fit();
        Ok(table)
    }

    /// The AS holding `ip`, and the largest network around it inside its range.
    pub fn lookup(&self, ip: IpAddr) -> Option<(Asn, IpNet)> {
        let (number, org, prefix) = match ip {
            IpAddr::V4(v4) => {
                let (row, prefix) = find(&self.v4, u32::from(v4), 32, u128::from)?;
                (row.number, row.org, prefix)
            }
            IpAddr::V6(v6) => {
                let (row, prefix) = find(&self.v6, u128::from(v6), 128, |a| a)?;
                (row.number, row.org, prefix)
            }
        };
        let net = IpNet::new(ip, prefix).ok()?.trunc();
        Some((
            Asn {
                number,
                organization: self.orgs[org as usize].to_string(),
            },
            net,
        ))
    }
}

/// The row holding `n`, and the shortest prefix whose network around `n` stays in the row.
fn find<A: Copy + Ord>(
    rows: &[Row<A>],
    n: A,
    bits: u32,
    wide: impl Fn(A) -> u128,
) -> Option<(&Row<A>, u8)> {
    let at = rows.partition_point(|r| r.start <= n);
    let row = rows.get(at.checked_sub(1)?)?;
    if n > row.end {
        return None;
    }
    let (n, start, end) = (wide(n), wide(row.start), wide(row.end));
    let prefix = (0..=bits)
        .find(|&len| {
            let host = if len == bits {
                0
            } else {
                u128::MAX >> (128 - bits + len)
            };
            let first = n & !host;
            first >= start && (first | host) <= end
        })
        .unwrap_or(bits);
    Some((row, prefix as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\n\
                       1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd\n\
                       2001:db8::,2001:db8::ffff,64500,\"Doc \"\"Net\"\"\"\n\
                       9.9.9.0,9.9.9.127,19281,Quad9\n";

    fn at(ip: &str) -> Option<(u32, String, String)> {
        let t = AsnTable::parse(CSV).unwrap();
        t.lookup(ip.parse().unwrap())
            .map(|(a, n)| (a.number, a.organization, n.to_string()))
    }

    #[test]
    fn ranges_give_their_as_and_the_largest_network_inside() {
        assert_eq!(
            at("1.0.0.1"),
            Some((13335, "Cloudflare, Inc.".into(), "1.0.0.0/24".into()))
        );
        assert_eq!(
            at("1.0.5.9"),
            Some((38803, "Gtelecom Pty Ltd".into(), "1.0.4.0/22".into()))
        );
        assert_eq!(
            at("9.9.9.9"),
            Some((19281, "Quad9".into(), "9.9.9.0/25".into()))
        );
        assert_eq!(
            at("2001:db8::42"),
            Some((64500, "Doc \"Net\"".into(), "2001:db8::/112".into()))
        );
        assert_eq!(at("1.0.1.0"), None);
        assert_eq!(at("9.9.9.200"), None);
        assert_eq!(at("8.8.8.8"), None);
        assert!(AsnTable::parse("not,a,number\n").is_err());
        assert!(AsnTable::parse("1.0.0.0,::1,5,x\n").is_err());
    }
}
