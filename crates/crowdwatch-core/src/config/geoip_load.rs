//! Opening the GeoIP databases a load needs: CrowdSec's files in a config dir's `data/` first,
//! else the defaults of `LoadOptions::geoip`. Problems are warnings: the enrichers then add
//! nothing, as CrowdSec's do without databases.
use std::path::{Path, PathBuf};

use super::files::find_data_file;
use super::LoadOptions;
use crate::diag::{Diagnostic, Item};
use crate::geoip::{read_file, GeoIp};

pub fn open(opts: &LoadOptions, diags: &mut Vec<Diagnostic>) -> GeoIp {
    let map = opts.geoip.map_file.unwrap_or(read_file);
    let mut geoip = GeoIp::default();
    let pick = |name: &str, defaults: &[PathBuf]| -> Vec<PathBuf> {
        match find_data_file(&opts.config_dirs, name) {
            Some(own) => vec![own],
            None => defaults.to_vec(),
        }
    };
    let mut warn = |path: &Path, message: String| {
        diags.push(Diagnostic::warning(
            Item::Data,
            &super::files::display_path(path),
            0,
            message,
        ))
    };
    let city = pick("GeoLite2-City.mmdb", &opts.geoip.city);
    let asn = pick("GeoLite2-ASN.mmdb", &opts.geoip.asn);
    for path in &city {
        let opened = map(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| geoip.add_city(bytes));
        if let Err(e) = opened {
            warn(path, format!("GeoIP city database skipped: {e}"));
        }
    }
    for path in &asn {
        let csv = path.extension().is_some_and(|e| e == "csv");
        let opened = map(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| geoip.add_asn(bytes, csv));
        if let Err(e) = opened {
            warn(path, format!("GeoIP AS database skipped: {e}"));
        }
    }
    if city.is_empty() && asn.is_empty() {
        diags.push(Diagnostic::warning(
            Item::Data,
            "GeoLite2-City.mmdb",
            0,
            "no GeoIP database (GeoLite2-City.mmdb, GeoLite2-ASN.mmdb in data/, or the \
             defaults): GeoIpCity, GeoIpASN and IpToRange add nothing"
                .to_string(),
        ));
    }
    geoip
}
