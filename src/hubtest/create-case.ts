import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { parserAsserts, scenarioAsserts } from './assert-gen';
import { readCaseConfig } from './case-config';
import { HubError, type HubLocation } from './hub';
import { caseDirOf, replayCase, sortedOverflows } from './run-case';

export interface CreateCaseArgs {
  name: string;
  logType: string;
  parsers: string[];
  scenarios: string[];
  postoverflows: string[];
  /** A log to copy into the case; without it an empty `<name>.log` is left to fill. */
  log?: string | undefined;
  ignoreParsers: boolean;
}

export interface CreatedCase {
  dir: string;
  files: string[];
}

/**
 * Writes a case as `cscli hubtest create` does (config.yaml, the log), and when the log has
 * lines, its assert files from a run of it: what the items do today, to review and keep.
 */
export function createCase(hub: HubLocation, args: CreateCaseArgs): CreatedCase {
  const dir = caseDirOf(hub, args.name);
  if (fs.existsSync(dir)) throw new HubError(`test case ${args.name} already exists in ${dir}`);
  fs.mkdirSync(dir, { recursive: true });
  const logName = args.log !== undefined ? path.basename(args.log) : `${args.name}.log`;
  const config = {
    parsers: args.parsers,
    scenarios: args.scenarios.length > 0 ? args.scenarios : [''],
    postoverflows: args.postoverflows.length > 0 ? args.postoverflows : [''],
    log_file: logName,
    log_type: args.logType,
    labels: {},
    ignore_parsers: args.ignoreParsers,
  };
  const files = [path.join(dir, 'config.yaml'), path.join(dir, logName)];
  fs.writeFileSync(files[0] ?? '', stringify(config));
  if (args.log !== undefined) fs.copyFileSync(args.log, path.join(dir, logName));
  else fs.writeFileSync(path.join(dir, logName), '');
  if (fs.statSync(path.join(dir, logName)).size === 0) return { dir, files };
  const replay = replayCase(hub, args.name, readCaseConfig(dir));
  if (!args.ignoreParsers) {
    files.push(path.join(dir, 'parser.assert'));
    fs.writeFileSync(path.join(dir, 'parser.assert'), parserAsserts(replay.dump.parsers));
  }
  if (args.scenarios.length > 0) {
    files.push(path.join(dir, 'scenario.assert'));
    fs.writeFileSync(path.join(dir, 'scenario.assert'), scenarioAsserts(sortedOverflows(replay.dump.overflows)));
  }
  return { dir, files };
}
