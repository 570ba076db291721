import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultGeoIp } from './geoip';
import type { EngineOptions } from './native';
import { basePatternsFile, bundledConfigDir } from './package-root';

/**
 * Longest line handed to the engine whole; longer lines are truncated and counted.
 * CrowdSec's file acquisition stops at 64 KiB (bufio.Scanner's default token size).
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export interface EngineChoice {
  /** A CrowdSec-layout config dir; without it, our bundled `scenarios/` directory. */
  configDir?: string | undefined;
  mode: EngineOptions['mode'];
  maxLineBytes?: number | undefined;
  /** Parse and pour on two threads (the engine's parallel mode). */
  parallel?: boolean | undefined;
}

export class ConfigDirError extends Error {
  readonly code = 'CW_CONFIG_DIR';
}

/**
 * Builds the options JSON of loadEngine/lint. Our base grok library is always passed as
 * `basePatterns`, so a user config dir needs only its own parsers, scenarios and patterns.
 */
export function resolveEngineOptions(choice: EngineChoice): EngineOptions {
  const configDir = choice.configDir === undefined ? bundledConfigDir : path.resolve(choice.configDir);
  let isDir = false;
  try {
    isDir = fs.statSync(configDir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new ConfigDirError(`config directory not found: ${configDir}`);
  return {
    configDirs: [configDir],
    basePatterns: basePatternsFile,
    mode: choice.mode,
    maxLineBytes: choice.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    geoip: defaultGeoIp(),
    ...(choice.parallel ? { parallel: true } : {}),
  };
}
