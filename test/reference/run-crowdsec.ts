// By-hand entry point for the reference run:
//   node dist/test/reference/run-crowdsec.js --collections crowdsecurity/linux,crowdsecurity/nginx \
//     --log test/fixtures/reference/sshd-bf-6.log --type syslog [--raw] [--keep] [--dump DIR]
//   node dist/test/reference/run-crowdsec.js --config DIR --log f --type nginx
// Prints the alert set as JSON on stdout (`--raw`: the full LAPI alerts). Exit 2 when the
// reference is not installed (with the reason on stderr), 1 on failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildHubConfig, findReference, isSkip, runCrowdsecReplay, TARGET_COLLECTIONS } from '../../src/reference/crowdsec';

const DEFAULT_COLLECTIONS = TARGET_COLLECTIONS;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      collections: { type: 'string', multiple: true },
      config: { type: 'string' },
      log: { type: 'string' },
      type: { type: 'string' },
      raw: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      dump: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.log || !values.type) {
    process.stderr.write(
      'usage: run-crowdsec --log FILE --type LABEL [--collections a,b ... | --config DIR] [--raw] [--keep] [--dump DIR]\n' +
        `default collections: ${DEFAULT_COLLECTIONS.join(',')}\n`,
    );
    return values.help ? 0 : 1;
  }
  const ref = findReference();
  if (isSkip(ref)) {
    process.stderr.write(`${ref.skip}\n`);
    return 2;
  }

  let configDir = values.config;
  let built: string | undefined;
  if (!configDir) {
    const collections = (values.collections ?? DEFAULT_COLLECTIONS).flatMap((c) => c.split(',')).filter(Boolean);
    built = fs.mkdtempSync(path.join(os.tmpdir(), 'crowdwatch-hubcfg-'));
    const hub = buildHubConfig(collections, built, { reference: ref });
    configDir = built;
    if (hub.missingItems.length) process.stderr.write(`not shipped by Debian: ${hub.missingItems.map((i) => i.name).join(', ')}\n`);
    if (hub.missingDataFiles.length) process.stderr.write(`data files referenced but absent: ${hub.missingDataFiles.join(', ')}\n`);
  }
  try {
    const result = await runCrowdsecReplay(configDir, values.log, values.type, {
      reference: ref,
      keepWorkDir: values.keep,
      dumpDir: values.dump,
    });
    if (result.workDir) process.stderr.write(`work dir kept: ${result.workDir} (config dir ${configDir})\n`);
    process.stdout.write(`${JSON.stringify(values.raw ? result.raw : result.alerts, null, 2)}\n`);
    return 0;
  } finally {
    if (built && !values.keep) fs.rmSync(built, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
