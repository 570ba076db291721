'use strict';
// Loads the crowdwatch native engine and gives it a typed surface (see index.d.ts).
// The addon exchanges JSON strings and Buffers; this file owns every encode/decode so that
// the TypeScript side never sees the raw exports. Its handles (napi-rs class instances, checked
// by type tag on every call) stay in private fields. The addon is loaded lazily: `--help` and
// usage errors must work before `npm run build:native` has run.

const fs = require('node:fs');
const path = require('node:path');

const addonPath = path.join(__dirname, 'crowdwatch.node');
const RAW_EXPORTS = ['loadEngine', 'reload', 'lint', 'registerSource', 'processBatch', 'processBatchAsync', 'explain', 'stats', 'statsAsync', 'tick', 'tickAsync', 'memory', 'trimMemory', 'loadProfiles', 'evaluateProfiles', 'dumpBatch', 'evaluateAsserts', 'lockFile', 'snapshotBuckets', 'restoreBuckets', 'snapshotBucketsToFileAsync', 'restoreBucketsFromFileAsync'];

let raw = null;

function codedError(code, message, cause) {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  err.code = code;
  return err;
}

function isAddonBuilt() {
  return fs.existsSync(addonPath);
}

function native() {
  if (raw !== null) return raw;
  if (!isAddonBuilt()) {
    throw codedError(
      'CW_NATIVE_MISSING',
      `the native engine is not built: ${addonPath} is missing.\n` +
        'Run `npm run build:native` (or `npm run setup` on a fresh clone).',
    );
  }
  let loaded;
  try {
    loaded = require(addonPath);
  } catch (cause) {
    throw codedError(
      'CW_NATIVE_LOAD',
      `cannot load the native engine ${addonPath}: ${cause && cause.message}\n` +
        'Rebuild it for this Node version with `npm run build:native`.',
      cause,
    );
  }
  const missing = RAW_EXPORTS.filter((name) => typeof loaded[name] !== 'function');
  if (missing.length > 0) {
    throw codedError(
      'CW_NATIVE_LOAD',
      `the native engine ${addonPath} lacks exports: ${missing.join(', ')}; rebuild it with \`npm run build:native\``,
    );
  }
  raw = loaded;
  return raw;
}

// Native errors carry `code`; a CW_CONFIG error also carries its problems as a JSON string
// property `diagnosticsJson`, decoded here into `diagnostics`. The error object is rethrown as is.
function call(name, ...args) {
  const fn = native()[name];
  if (typeof fn !== 'function') {
    throw codedError('CW_NATIVE_LOAD', `the native engine lacks ${name}; rebuild it with \`npm run build:native\``);
  }
  try {
    return fn(...args);
  } catch (err) {
    if (err && typeof err.diagnosticsJson === 'string' && err.diagnostics === undefined) {
      try {
        err.diagnostics = JSON.parse(err.diagnosticsJson);
      } catch {
        // keep the message, which lists the same problems as text
      }
    }
    throw err;
  }
}

// An async export: its promise of JSON, decoded. A misuse the addon throws at the call (CW_ARG)
// becomes a rejection too (this is an async function), so async callers have one error path.
async function callAsync(name, what, ...args) {
  return decode(await call(name, ...args), what);
}

// Anything that is not JSON is a broken contract between this file and the addon.
function decode(json, what) {
  try {
    return JSON.parse(json);
  } catch (cause) {
    throw codedError('CW_PROTOCOL', `the native engine returned invalid JSON from ${what}`, cause);
  }
}

function asBuffer(lines) {
  return Buffer.isBuffer(lines) ? lines : Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
}

function tickMs(at) {
  const ms = at === undefined ? Date.now() : at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError('tick(at): at must be a Date or epoch milliseconds');
  return ms;
}

function encodeOptions(options) {
  if (options === null || typeof options !== 'object' || !Array.isArray(options.configDirs)) {
    throw new TypeError('engine options need configDirs: string[]');
  }
  const out = { configDirs: options.configDirs, mode: options.mode === undefined ? 'replay' : options.mode };
  if (options.basePatterns !== undefined) out.basePatterns = options.basePatterns;
  if (options.maxLineBytes !== undefined) out.maxLineBytes = options.maxLineBytes;
  if (options.parallel !== undefined) out.parallel = Boolean(options.parallel);
  if (options.geoip !== undefined) out.geoip = { city: options.geoip.city ?? [], asn: options.geoip.asn ?? [] };
  if (options.reverseDns !== undefined) {
    out.reverseDns = { servers: options.reverseDns.servers ?? [], timeoutMs: options.reverseDns.timeoutMs ?? 0 };
  }
  return JSON.stringify(out);
}

class Engine {
  #handle;

  constructor(handle) {
    this.#handle = handle;
  }

  static load(options) {
    return new Engine(call('loadEngine', encodeOptions(options)));
  }

  reload(options) {
    return decode(call('reload', this.#handle, encodeOptions(options)), 'reload');
  }

  source(labels, src, module) {
    if (labels === null || typeof labels !== 'object' || typeof labels.type !== 'string') {
      throw new TypeError('source labels need a string `type`');
    }
    const spec = { labels };
    if (src !== undefined) spec.src = src;
    if (module !== undefined) spec.module = module;
    const id = call('registerSource', this.#handle, JSON.stringify(spec));
    return Object.freeze({ id, labels: Object.freeze({ ...labels }), src, module });
  }

  processBatch(source, lines) {
    return decode(call('processBatch', this.#handle, source.id, asBuffer(lines)), 'processBatch');
  }

  // Runs on the engine's own thread, in call order with the source's other batches (see index.d.ts).
  // The addon copies the lines during this call (async functions run synchronously up to their
  // first await), so the caller may reuse its buffer as soon as it returns.
  async processBatchAsync(source, lines) {
    return callAsync('processBatchAsync', 'processBatchAsync', this.#handle, source.id, asBuffer(lines));
  }

  explain(source, line) {
    return decode(call('explain', this.#handle, source.id, line), 'explain');
  }

  dumpBatch(source, lines) {
    return decode(call('dumpBatch', this.#handle, source.id, asBuffer(lines)), 'dumpBatch');
  }

  stats() {
    return decode(call('stats', this.#handle), 'stats');
  }

  snapshotBuckets() {
    return call('snapshotBuckets', this.#handle);
  }

  restoreBuckets(bytes) {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('restoreBuckets: bytes must be a Buffer or Uint8Array');
    return decode(call('restoreBuckets', this.#handle, bytes), 'restoreBuckets');
  }

  async snapshotBucketsToFileAsync(file) {
    return callAsync('snapshotBucketsToFileAsync', 'snapshotBucketsToFileAsync', this.#handle, String(file));
  }

  async restoreBucketsFromFileAsync(file) {
    return callAsync('restoreBucketsFromFileAsync', 'restoreBucketsFromFileAsync', this.#handle, String(file));
  }

  async statsAsync() {
    return callAsync('statsAsync', 'statsAsync', this.#handle);
  }

  tick(at) {
    return decode(call('tick', this.#handle, tickMs(at)), 'tick');
  }

  async tickAsync(at) {
    return callAsync('tickAsync', 'tickAsync', this.#handle, tickMs(at));
  }
}

class Profiles {
  #handle;

  constructor(handle) {
    this.#handle = handle;
  }

  static load(file) {
    if (typeof file !== 'string') throw new TypeError('profiles: a file path is required');
    return new Profiles(call('loadProfiles', file));
  }

  evaluate(alert, history) {
    return decode(call('evaluateProfiles', this.#handle, JSON.stringify(alert), JSON.stringify(history)), 'evaluateProfiles');
  }
}

/** An exclusive lock on `file` (created if absent) until `release()` or exit, or null if held elsewhere. */
function lockFile(file) {
  if (typeof file !== 'string') throw new TypeError('lockFile: a file path is required');
  const handle = call('lockFile', file);
  return handle === null ? null : { release: () => handle.release() };
}

function nativeMemory() {
  return decode(call('memory'), 'memory');
}

function trimMemory() {
  return decode(call('trimMemory'), 'trimMemory');
}

function lintProfiles(file) {
  return decode(call('lintProfiles', file), 'lintProfiles');
}

function lint(options) {
  return decode(call('lint', encodeOptions(options)), 'lint');
}

function evaluateAsserts(text, results) {
  return decode(call('evaluateAsserts', String(text), JSON.stringify(results)), 'evaluateAsserts');
}

module.exports = { Engine, Profiles, lint, lintProfiles, evaluateAsserts, lockFile, nativeMemory, trimMemory, addonPath, isAddonBuilt };
