import * as fs from 'node:fs';
import * as path from 'node:path';

// Sources run from src/engine, compiled code from dist/src/engine: find the root by its
// package.json rather than by a fixed number of `..`.
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string };
      if (name === 'crowdwatch') return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find the crowdwatch package root above ${start}`);
    }
  }
}

/** Absolute path of the crowdwatch package (the directory holding package.json). */
export const packageRoot: string = findPackageRoot(__dirname);

/** Our own parsers, scenarios and patterns, in the CrowdSec config layout. */
export const bundledConfigDir: string = path.join(packageRoot, 'scenarios');

/**
 * Our base grok library (the names grokky has built in), which every config builds on. The
 * engine loads it first and skips it when it meets the same file in a `patterns/` dir.
 */
export const basePatternsFile: string = path.join(bundledConfigDir, 'patterns', 'base');
