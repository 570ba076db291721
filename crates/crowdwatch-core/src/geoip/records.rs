//! The records of the city and AS databases, in the layouts we read.
use serde::Deserialize;

use super::{Asn, City};

#[derive(Deserialize, Default)]
struct Country {
    iso_code: Option<String>,
    #[serde(default)]
    is_in_european_union: bool,
}

#[derive(Deserialize, Default)]
struct Location {
    #[serde(default, deserialize_with = "any_float")]
    latitude: Option<f64>,
    #[serde(default, deserialize_with = "any_float")]
    longitude: Option<f64>,
}

/// A coordinate stored as a double (MaxMind's databases) or a float (ip-location-db's).
fn any_float<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    struct Float;
    impl serde::de::Visitor<'_> for Float {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number")
        }
        fn visit_f32<E>(self, v: f32) -> Result<Self::Value, E> {
            Ok(Some(f64::from(v)))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
    }
    d.deserialize_any(Float)
}

/// A city record: MaxMind's layout (`country`, `registered_country`, `represented_country`,
/// `location`) or ip-location-db's flat one (`country_code`, `latitude`, `longitude`).
#[derive(Deserialize, Default)]
pub(super) struct CityRecord {
    country: Option<Country>,
    registered_country: Option<Country>,
    represented_country: Option<Country>,
    location: Option<Location>,
    country_code: Option<String>,
    #[serde(default, deserialize_with = "any_float")]
    latitude: Option<f64>,
    #[serde(default, deserialize_with = "any_float")]
    longitude: Option<f64>,
}

/// The European Union's members, for databases that do not say (ip-location-db's).
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

impl CityRecord {
    /// CrowdSec's choice: the country, else the registered one, else the represented one.
    pub(super) fn city(self) -> Option<City> {
        let (latitude, longitude) = match &self.location {
            Some(l) => (l.latitude, l.longitude),
            None => (self.latitude, self.longitude),
        };
        let countries = [
            self.country,
            self.registered_country,
            self.represented_country,
        ];
        let (iso_code, in_eu) = match countries
            .into_iter()
            .flatten()
            .find(|c| c.iso_code.as_deref().is_some_and(|i| !i.is_empty()))
        {
            Some(c) => (c.iso_code.unwrap_or_default(), c.is_in_european_union),
            None => match self.country_code.filter(|c| !c.is_empty()) {
                Some(code) => {
                    let in_eu = EU.contains(&code.as_str());
                    (code, in_eu)
                }
                None if latitude.is_none() => return None,
                None => (String::new(), false),
            },
        };
        Some(City {
            iso_code,
            in_eu,
            latitude: latitude.unwrap_or(0.0),
            longitude: longitude.unwrap_or(0.0),
        })
    }
}

/// GeoLite2-ASN's record.
#[derive(Deserialize)]
pub(super) struct AsnRecord {
    autonomous_system_number: Option<u32>,
    autonomous_system_organization: Option<String>,
}

impl AsnRecord {
    pub(super) fn asn(self) -> Option<Asn> {
        Some(Asn {
            number: self.autonomous_system_number?,
            organization: self.autonomous_system_organization.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn city(json: &str) -> Option<City> {
        serde_json::from_str::<CityRecord>(json).unwrap().city()
    }

    #[test]
    fn maxmind_and_flat_layouts_give_the_same_answer() {
        let maxmind = r#"{"country": {"iso_code": "FR", "is_in_european_union": true},
            "location": {"latitude": 46.0, "longitude": 2.0}}"#;
        let flat = r#"{"country_code": "FR", "latitude": 46.0, "longitude": 2.0, "city": "Paris"}"#;
        let expected = Some(City {
            iso_code: "FR".into(),
            in_eu: true,
            latitude: 46.0,
            longitude: 2.0,
        });
        assert_eq!(city(maxmind), expected);
        assert_eq!(city(flat), expected);
        // No country: the registered one, as CrowdSec picks it.
        let registered = r#"{"registered_country": {"iso_code": "US"}, "location": {}}"#;
        assert_eq!(
            city(registered).map(|c| (c.iso_code, c.in_eu)),
            Some(("US".into(), false))
        );
        assert_eq!(
            city(r#"{"country_code": "CH"}"#).map(|c| c.in_eu),
            Some(false)
        );
        assert_eq!(city("{}"), None);
    }
}
