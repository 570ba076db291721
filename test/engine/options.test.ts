import * as path from 'node:path';
import test from 'ava';
import { defaultGeoIp } from '../../src/engine/geoip';
import { DEFAULT_MAX_LINE_BYTES, resolveEngineOptions } from '../../src/engine/options';
import { packageRoot } from '../../src/engine/package-root';
import { tempDir } from '../helpers/run-cli';

const BASE_PATTERNS = path.join(packageRoot, 'scenarios', 'patterns', 'base');

test('without --config: the bundled scenarios/ dir and the base grok library', (t) => {
  t.deepEqual(resolveEngineOptions({ mode: 'replay' }), {
    configDirs: [path.join(packageRoot, 'scenarios')],
    basePatterns: BASE_PATTERNS,
    mode: 'replay',
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    geoip: defaultGeoIp(),
  });
});

test('with --config DIR: that dir, plus our base grok library as basePatterns', (t) => {
  const dir = tempDir('options');
  t.deepEqual(resolveEngineOptions({ configDir: dir, mode: 'live', maxLineBytes: 4096 }), {
    configDirs: [dir],
    basePatterns: BASE_PATTERNS,
    mode: 'live',
    maxLineBytes: 4096,
    geoip: defaultGeoIp(),
  });
});

test('a missing config dir is a CW_CONFIG_DIR error', (t) => {
  const err = t.throws(() => resolveEngineOptions({ configDir: '/nonexistent/cw', mode: 'replay' }));
  t.is((err as Error & { code?: string }).code, 'CW_CONFIG_DIR');
});
