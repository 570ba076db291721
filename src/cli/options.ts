import { InvalidArgumentError, Option } from 'commander';

// Option schema shared by the commands; each command normalises its raw values itself.

export type OutputFormat = 'human' | 'json';

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['human', 'json']).default('human');
}

export function configOption(): Option {
  return new Option(
    '-c, --config <dir>',
    'config dir in the CrowdSec layout (parsers/, scenarios/, patterns/); default: the bundled scenarios/',
  );
}

export function typeOption(): Option {
  return new Option('-t, --type <label>', 'labels.type of the log, selects the parsers (e.g. syslog, nginx)')
    .makeOptionMandatory();
}

export function maxLineBytesOption(): Option {
  return new Option('--max-line-bytes <n>', 'longer lines are truncated and counted').argParser(parsePositiveInt);
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export type ListFormat = 'human' | 'json' | 'raw';

/** `-o` for listings: a table, JSON, or raw CSV for scripts (cscli's three). */
export function listOutputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['human', 'json', 'raw']).default('human');
}

export function dataDirOption(): Option {
  return new Option('--data-dir <dir>', 'where the database and state live (default: $CROWDWATCH_DATA_DIR, /var/lib/crowdwatch as root)');
}

export function configFileOption(): Option {
  return new Option('--config-file <file>', 'API/database config (default: <data-dir>/config.yaml when present)');
}
