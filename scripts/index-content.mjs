// Keeps `scenarios/.index.json`, the provenance of our bundled scenarios, in the CrowdSec hub
// index format the engine reads (crates/crowdwatch-core/src/config/hub.rs): per scenario, its
// file and every released version with the sha256 of its file. An alert from an unmodified
// bundled scenario then carries that hash and version, so its crowd signal is `certified`; an
// edited copy on a host gets version "?" (`tainted`) and counts at no central by default.
//
//   node scripts/index-content.mjs [--check] [DIR]   (DIR: a content dir, default scenarios/)
//
// Without --check it adds a version for every scenario whose file changed (0.1, 0.2, ...) and
// keeps the old ones, so hosts still running an older release stay certified. With --check it
// changes nothing and exits 1, naming the files, when the index is not current.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const check = args.includes('--check');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(root, 'scenarios'));
const indexFile = path.join(dir, '.index.json');
const scenarioDir = path.join(dir, 'scenarios');

const index = fs.existsSync(indexFile) ? JSON.parse(fs.readFileSync(indexFile, 'utf8')) : {};
const scenarios = index.scenarios ?? {};
const stale = [];
const present = new Set();
for (const file of fs.readdirSync(scenarioDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  const bytes = fs.readFileSync(path.join(scenarioDir, file));
  // One scenario per file in our content; its name is the item's key, as in the hub.
  const name = /^name:\s*["']?([^\s"']+)/m.exec(bytes.toString('utf8'))?.[1];
  if (!name) {
    console.error(`${path.join(scenarioDir, file)}: no name`);
    process.exit(2);
  }
  present.add(name);
  const digest = createHash('sha256').update(bytes).digest('hex');
  const item = scenarios[name] ?? { path: `scenarios/${file}`, version: '', versions: {} };
  const known = Object.entries(item.versions).find(([, v]) => v.digest === digest);
  if (known && known[0] === item.version && item.path === `scenarios/${file}`) continue;
  stale.push(`scenarios/${file}`);
  if (known) {
    item.version = known[0];
  } else {
    const latest = Math.max(0, ...Object.keys(item.versions).map((v) => Number(v.split('.')[1] ?? 0)));
    item.version = `0.${latest + 1}`;
    item.versions[item.version] = { digest };
  }
  item.path = `scenarios/${file}`;
  scenarios[name] = item;
}
for (const name of Object.keys(scenarios)) {
  if (!present.has(name)) stale.push(`${name} (removed)`);
}
if (check) {
  if (stale.length > 0) {
    console.error(`${indexFile} is not current for: ${stale.join(', ')}\nrun: node scripts/index-content.mjs`);
    process.exit(1);
  }
  process.exit(0);
}
const kept = Object.fromEntries(Object.keys(scenarios).filter((n) => present.has(n)).sort().map((n) => [n, scenarios[n]]));
fs.writeFileSync(indexFile, `${JSON.stringify({ scenarios: kept }, null, 2)}\n`);
console.log(`${indexFile}: ${stale.length === 0 ? 'current' : `updated ${stale.join(', ')}`}`);
