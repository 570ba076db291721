import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeMmdb } from './mmdb-writer';

/**
 * CrowdSec's synthetic GeoIP test databases, which the hub's geoip tests download
 * (GeoLite2-Test-City.mmdb, GeoLite2-Test-ASN.mmdb: 1.2.3.0/24 is France, AS 4242 "Crowdsec"),
 * written again in MaxMind's GeoLite2 layout into `dir`. Returns `dir`.
 */
export function writeGeoIpTestDatabases(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const city = writeMmdb('GeoLite2-City', {
    '1.2.3.0/24': {
      country: { iso_code: 'FR', is_in_european_union: true, names: { en: 'France' } },
      registered_country: { iso_code: 'FR', is_in_european_union: true },
      location: { latitude: { double: 46 }, longitude: { double: 2 } },
    },
  });
  const asn = writeMmdb('GeoLite2-ASN', {
    '1.2.3.0/24': { autonomous_system_number: { uint32: 4242 }, autonomous_system_organization: 'Crowdsec' },
  });
  fs.writeFileSync(path.join(dir, 'GeoLite2-Test-City.mmdb'), city);
  fs.writeFileSync(path.join(dir, 'GeoLite2-Test-ASN.mmdb'), asn);
  return dir;
}
