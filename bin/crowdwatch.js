#!/usr/bin/env node
'use strict';

let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli/main.js')) {
    process.stderr.write('crowdwatch: the CLI is not compiled; run `npm run build:ts` (or `npm run setup`).\n');
    process.exitCode = 1;
    return;
  }
  throw err;
}

// `crowdwatch replay … -o json | head` closes stdout early; that is not an error.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
});

cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`crowdwatch: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 70;
  },
);
