//! CrowdSec's GeoIP enrichers (`GeoIpCity`, `GeoIpASN`, `IpToRange` methods of statics, as the
//! hub's `geoip-enrich` uses them): country, EU membership and coordinates from a city database,
//! AS number and organisation from an AS database, and the source's range (the AS database's
//! network containing it).
//!
//! City databases are MaxMind DB files in MaxMind's GeoLite2/GeoIP2 City layout or in
//! ip-location-db's flat one (`country_code`, `latitude`, `longitude`); AS databases are
//! GeoLite2-ASN MaxMind DB files or ip-location-db's `asn` CSV (`start,end,number,organisation`).
//! Several files of a kind are tried in turn (ip-location-db ships IPv4 and IPv6 apart).
mod asn_csv;
mod records;

use std::net::IpAddr;
use std::ops::Deref;
use std::path::Path;

use ipnet::IpNet;
use maxminddb::Reader;

pub use asn_csv::AsnTable;
use records::{AsnRecord, CityRecord};

/// A database file's bytes: read into memory, or mapped by the host (`LoadOptions::map_file`).
pub struct Bytes(pub Box<dyn Deref<Target = [u8]> + Send + Sync>);

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// How the engine gets a database file's bytes; the Node addon maps them instead.
pub type FileMapper = fn(&Path) -> std::io::Result<Bytes>;

pub fn read_file(path: &Path) -> std::io::Result<Bytes> {
    Ok(Bytes(Box::new(std::fs::read(path)?)))
}

/// What `GeoIpCity` adds to `evt.Enriched`.
#[derive(Debug, PartialEq)]
pub struct City {
    pub iso_code: String,
    pub in_eu: bool,
    pub latitude: f64,
    pub longitude: f64,
}

/// What `GeoIpASN` adds to `evt.Enriched`.
#[derive(Debug, PartialEq)]
pub struct Asn {
    pub number: u32,
    pub organization: String,
}

enum AsnSource {
    Mmdb(Reader<Bytes>),
    Csv(AsnTable),
}

#[derive(Default)]
pub struct GeoIp {
    city: Vec<Reader<Bytes>>,
    asn: Vec<AsnSource>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GeoIp({} city, {} AS databases)",
            self.city.len(),
            self.asn.len()
        )
    }
}

impl GeoIp {
    pub fn is_empty(&self) -> bool {
        self.city.is_empty() && self.asn.is_empty()
    }

    pub fn has_city(&self) -> bool {
        !self.city.is_empty()
    }

    pub fn has_asn(&self) -> bool {
        !self.asn.is_empty()
    }

    /// Add a city database (a MaxMind DB file).
    pub fn add_city(&mut self, bytes: Bytes) -> Result<(), String> {
        self.city
            .push(Reader::from_source(bytes).map_err(|e| e.to_string())?);
        Ok(())
    }

    /// Add an AS database: a MaxMind DB file, or ip-location-db's CSV when `csv`.
    pub fn add_asn(&mut self, bytes: Bytes, csv: bool) -> Result<(), String> {
        let source = if csv {
            AsnSource::Csv(AsnTable::parse(&String::from_utf8_lossy(bytes.as_ref()))?)
        } else {
            AsnSource::Mmdb(Reader::from_source(bytes).map_err(|e| e.to_string())?)
        };
        self.asn.push(source);
        Ok(())
    }

    pub fn city(&self, ip: IpAddr) -> Option<City> {
        self.city.iter().find_map(|r| {
            let found = r.lookup(ip).ok()?;
            found.decode::<CityRecord>().ok().flatten()?.city()
        })
    }

    pub fn asn(&self, ip: IpAddr) -> Option<Asn> {
        self.asn.iter().find_map(|source| match source {
            AsnSource::Mmdb(r) => {
                let found = r.lookup(ip).ok()?;
                found.decode::<AsnRecord>().ok().flatten()?.asn()
            }
            AsnSource::Csv(t) => t.lookup(ip).map(|(asn, _)| asn),
        })
    }

    /// `IpToRange`: the network of the AS database that holds `ip`.
    pub fn range(&self, ip: IpAddr) -> Option<IpNet> {
        self.asn.iter().find_map(|source| match source {
            AsnSource::Mmdb(r) => {
                let found = r.lookup(ip).ok()?;
                if !found.has_data() {
                    return None;
                }
                let net = found.network().ok()?;
                IpNet::new(net.ip(), net.prefix()).ok()
            }
            AsnSource::Csv(t) => t.lookup(ip).map(|(_, net)| net),
        })
    }
}
