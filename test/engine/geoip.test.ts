// GeoIP enrichment (CrowdSec's GeoIpCity, GeoIpASN and IpToRange methods): the databases
// shipped from npm by default (DB-IP Lite city, ip-location-db's AS ranges, pinned versions),
// and a CrowdSec user's own GeoLite2-*.mmdb in data/ taking precedence.
import * as fs from 'node:fs';
import * as path from 'node:path';
import test from 'ava';
import { defaultGeoIp } from '../../src/engine/geoip';
import { bindings } from '../../src/engine/native';
import { basePatternsFile } from '../../src/engine/package-root';
import { writeGeoIpTestDatabases } from '../helpers/geoip-test-dbs';
import { tempDir } from '../helpers/run-cli';

const PARSER = `name: test/ssh
description: failed passwords
filter: "evt.Line.Labels.type == 'syslog'"
onsuccess: next_stage
grok:
  pattern: 'Failed password for %{WORD:user} from %{IP:ip}'
  apply_on: Line.Raw
statics:
  - meta: source_ip
    expression: evt.Parsed.ip
  - meta: log_type
    value: ssh_failed-auth
`;

const GEOIP = `name: test/geoip-enrich
description: as the hub's geoip-enrich
filter: "'source_ip' in evt.Meta"
statics:
  - method: GeoIpCity
    expression: evt.Meta.source_ip
  - meta: IsoCode
    expression: evt.Enriched.IsoCode
  - method: GeoIpASN
    expression: evt.Meta.source_ip
  - meta: ASNNumber
    expression: evt.Enriched.ASNNumber
  - meta: ASNOrg
    expression: evt.Enriched.ASNOrg
  - method: IpToRange
    expression: evt.Meta.source_ip
  - meta: SourceRange
    expression: evt.Enriched.SourceRange
`;

const TRIGGER = `type: trigger
name: test/any-fail
description: one failure
filter: "evt.Meta.log_type == 'ssh_failed-auth'"
groupby: evt.Meta.source_ip
`;

function config(): string {
  const dir = tempDir('geoip');
  for (const [rel, text] of [
    ['parsers/s01-parse/ssh.yaml', PARSER],
    ['parsers/s02-enrich/geoip.yaml', GEOIP],
    ['scenarios/any.yaml', TRIGGER],
  ] as const) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function replay(dir: string, line: string, geoip = defaultGeoIp()) {
  const engine = bindings().Engine.load({ configDirs: [dir], basePatterns: basePatternsFile, mode: 'live', geoip });
  const source = engine.source({ type: 'syslog' });
  const trace = engine.explain(source, line);
  const { alerts } = engine.processBatch(source, Buffer.from(`${line}\n`));
  return { trace, alerts };
}

test('the shipped databases are found (two city files, two AS files)', (t) => {
  const geoip = defaultGeoIp();
  t.is(geoip.city?.length, 2, JSON.stringify(geoip));
  t.is(geoip.asn?.length, 2, JSON.stringify(geoip));
});

test("an attacker's country, AS and range reach the event and the alert's source", (t) => {
  const { trace, alerts } = replay(config(), 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 8.8.8.8 port 22 ssh2');
  t.like(trace.event.enriched, { IsoCode: 'US', IsInEU: 'false', ASNNumber: '15169', ASNumber: '15169', ASNOrg: 'Google LLC', SourceRange: '8.8.8.0/24' });
  t.regex(trace.event.enriched.Latitude ?? '', /^-?\d+\.\d{6}$/);
  t.like(trace.event.meta, { IsoCode: 'US', ASNNumber: '15169' });
  t.is(alerts.length, 1);
  t.like(alerts[0]?.source, { ip: '8.8.8.8', cn: 'US', as_number: '15169', as_name: 'Google LLC' });
});

test('an IPv6 address is looked up in the IPv6 files; an unknown one gets the zero record', (t) => {
  const v6 = replay(config(), 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 2001:4860:4860::8888 port 22 ssh2');
  t.like(v6.trace.event.enriched, { ASNNumber: '15169', ASNOrg: 'Google LLC' });
  t.regex(v6.trace.event.enriched.IsoCode ?? '', /^[A-Z]{2}$/);
  const unknown = replay(config(), 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 240.0.0.1 port 22 ssh2');
  t.like(unknown.trace.event.enriched, { IsoCode: '', IsInEU: 'false', Latitude: '0.000000', ASNNumber: '0', ASNOrg: '' });
  t.false('SourceRange' in unknown.trace.event.enriched);
});

test("a CrowdSec user's own GeoLite2-City.mmdb in data/ is used instead of the default", (t) => {
  const dir = config();
  fs.mkdirSync(path.join(dir, 'data'));
  // Any MaxMind DB file will do to show which one is read: the IPv6-only city file knows no
  // IPv4 address, so 8.8.8.8 gets the zero record instead of US.
  const ipv6Only = defaultGeoIp().city?.find((f) => f.includes('ipv6')) ?? '';
  fs.copyFileSync(ipv6Only, path.join(dir, 'data', 'GeoLite2-City.mmdb'));
  const { trace } = replay(dir, 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 8.8.8.8 port 22 ssh2');
  t.is(trace.event.enriched.IsoCode, '');
  t.is(trace.event.enriched.ASNNumber, '15169', 'the AS database is still the default one');
});

test("MaxMind's GeoLite2 layout (country, registered country, location) is read as CrowdSec reads it", (t) => {
  const dir = config();
  const written = writeGeoIpTestDatabases(tempDir('geoip-dbs'));
  fs.mkdirSync(path.join(dir, 'data'));
  fs.copyFileSync(path.join(written, 'GeoLite2-Test-City.mmdb'), path.join(dir, 'data', 'GeoLite2-City.mmdb'));
  fs.copyFileSync(path.join(written, 'GeoLite2-Test-ASN.mmdb'), path.join(dir, 'data', 'GeoLite2-ASN.mmdb'));
  const { trace, alerts } = replay(dir, 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2');
  t.like(trace.event.enriched, {
    IsoCode: 'FR',
    IsInEU: 'true',
    Latitude: '46.000000',
    Longitude: '2.000000',
    ASNNumber: '4242',
    ASNOrg: 'Crowdsec',
    SourceRange: '1.2.3.0/24',
  });
  t.like(alerts[0]?.source, { cn: 'FR', as_number: '4242', as_name: 'Crowdsec' });
  // Outside the database's one network: the zero record, and no range.
  const other = replay(dir, 'Nov 24 10:00:00 h sshd[1]: Failed password for root from 1.2.4.4 port 22 ssh2');
  t.like(other.trace.event.enriched, { IsoCode: '', ASNNumber: '0' });
  t.false('SourceRange' in other.trace.event.enriched);
});
